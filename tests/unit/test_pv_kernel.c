/*
 * Tests of common/pv_kernel.c: parsing and validating an untrusted ELF64
 * Xen PV kernel.  Images are built here by a small builder (ELF header,
 * program headers, one PT_NOTE segment of Xen notes, then the file bytes
 * of each PT_LOAD, the last of which ends the image), and each is parsed
 * from a heap copy of exactly its size, so the address sanitizer catches
 * any read past its end.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/elf.h>
#include <pvmon/errno.h>
#include <pvmon/layout.h>
#include <pvmon/pv_kernel.h>
#include <xen/elfnote.h>
#include <xen/features.h>

#include "suites.h"

#define NOTES_CAPACITY 2048
#define MAX_LOADS 24
#define FILE_BYTES_PER_LOAD 64

#define READ PV_KERNEL_SEGMENT_READABLE
#define WRITE PV_KERNEL_SEGMENT_WRITABLE
#define EXECUTE PV_KERNEL_SEGMENT_EXECUTABLE

#define LINUX_VIRTUAL_BASE 0xffffffff80000000UL
#define KERNEL_PHYSICAL 0x1000000UL
#define MINIMAL_ENTRY (LINUX_VIRTUAL_BASE + KERNEL_PHYSICAL + 0x40)
#define MINIMAL_MEMORY_SIZE 0x3000UL
#define LINUX_INIT_PHYSICAL 0x1400000UL
#define LINUX_PERCPU_PHYSICAL 0x1300000UL
#define LINUX_ENTRY (LINUX_VIRTUAL_BASE + LINUX_INIT_PHYSICAL + 0x1c0)
#define LINUX_INIT_P2M 0x8000000000UL

struct load_segment {
    uint32_t flags;
    uint64_t physical_address;
    uint64_t virtual_address;
    uint64_t memory_size;
};

struct kernel_builder {
    uint64_t elf_entry;
    uint8_t notes[NOTES_CAPACITY];
    size_t notes_length;
    unsigned int load_count;
    struct load_segment loads[MAX_LOADS];
};

struct image {
    uint8_t *bytes;
    size_t size;
};

static void put_little_endian(uint8_t *bytes, uint64_t value, unsigned int width)
{
    for (unsigned int index = 0; index < width; index++)
        bytes[index] = (uint8_t) (value >> (8 * index));
}

static void add_note_with_name(struct kernel_builder *builder, const char *name, uint32_t type,
                               const void *descriptor, uint32_t size)
{
    uint32_t name_size = (uint32_t) strlen(name) + 1;
    size_t padded_name = (name_size + 3) & ~3U;
    size_t padded_descriptor = (size + 3) & ~3U;
    uint8_t *note = builder->notes + builder->notes_length;

    ck_assert_uint_le(builder->notes_length + 12 + padded_name + padded_descriptor, NOTES_CAPACITY);
    memset(note, 0, 12 + padded_name + padded_descriptor);
    put_little_endian(note, name_size, 4);
    put_little_endian(note + 4, size, 4);
    put_little_endian(note + 8, type, 4);
    memcpy(note + 12, name, name_size);
    memcpy(note + 12 + padded_name, descriptor, size);
    builder->notes_length += 12 + padded_name + padded_descriptor;
}

static void add_note(struct kernel_builder *builder, uint32_t type, const void *descriptor, uint32_t size)
{
    add_note_with_name(builder, "Xen", type, descriptor, size);
}

static void add_number_note(struct kernel_builder *builder, uint32_t type, uint64_t value, unsigned int width)
{
    uint8_t descriptor[8];

    put_little_endian(descriptor, value, width);
    add_note(builder, type, descriptor, width);
}

static void add_string_note(struct kernel_builder *builder, uint32_t type, const char *text)
{
    add_note(builder, type, text, (uint32_t) strlen(text) + 1);
}

static void add_load(struct kernel_builder *builder, uint32_t flags, uint64_t physical_address,
                     uint64_t virtual_address, uint64_t memory_size)
{
    ck_assert_uint_lt(builder->load_count, MAX_LOADS);
    builder->loads[builder->load_count++] = (struct load_segment) {
        .flags = flags,
        .physical_address = physical_address,
        .virtual_address = virtual_address,
        .memory_size = memory_size,
    };
}

static void start_empty_kernel(struct kernel_builder *builder)
{
    memset(builder, 0, sizeof(*builder));
}

/* GUEST_OS, XEN_VERSION, VIRT_BASE, PADDR_OFFSET, ENTRY and one RWX segment
 * of 0x3000 bytes at physical 16 MiB. */
static void start_minimal_kernel(struct kernel_builder *builder)
{
    start_empty_kernel(builder);
    add_string_note(builder, XEN_ELFNOTE_GUEST_OS, "linux");
    add_string_note(builder, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    add_number_note(builder, XEN_ELFNOTE_VIRT_BASE, LINUX_VIRTUAL_BASE, 8);
    add_number_note(builder, XEN_ELFNOTE_PADDR_OFFSET, 0, 8);
    add_number_note(builder, XEN_ELFNOTE_ENTRY, MINIMAL_ENTRY, 8);
    add_load(builder, READ | WRITE | EXECUTE, KERNEL_PHYSICAL, LINUX_VIRTUAL_BASE + KERNEL_PHYSICAL,
             MINIMAL_MEMORY_SIZE);
}

/* The notes and segments of Debian's 6.1 vmlinux, scaled down: .data..percpu has p_vaddr 0. */
static void start_linux_like_kernel(struct kernel_builder *builder)
{
    static const uint64_t l1_mfn_valid[2] = { 1, 1 };

    start_empty_kernel(builder);
    add_string_note(builder, XEN_ELFNOTE_GUEST_OS, "linux");
    add_string_note(builder, XEN_ELFNOTE_GUEST_VERSION, "2.6");
    add_string_note(builder, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    add_number_note(builder, XEN_ELFNOTE_VIRT_BASE, LINUX_VIRTUAL_BASE, 8);
    add_number_note(builder, XEN_ELFNOTE_INIT_P2M, LINUX_INIT_P2M, 8);
    add_number_note(builder, XEN_ELFNOTE_ENTRY, LINUX_ENTRY, 8);
    add_string_note(builder, XEN_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb");
    add_number_note(builder, XEN_ELFNOTE_SUPPORTED_FEATURES, 0x8801, 4);
    add_string_note(builder, XEN_ELFNOTE_PAE_MODE, "yes");
    add_string_note(builder, XEN_ELFNOTE_LOADER, "generic");
    add_note(builder, XEN_ELFNOTE_L1_MFN_VALID, l1_mfn_valid, sizeof(l1_mfn_valid));
    add_number_note(builder, XEN_ELFNOTE_SUSPEND_CANCEL, 1, 4);
    add_number_note(builder, XEN_ELFNOTE_MOD_START_PFN, 1, 4);
    add_number_note(builder, XEN_ELFNOTE_HV_START_LOW, HYPERVISOR_SLOTS_START, 8);
    add_number_note(builder, XEN_ELFNOTE_PADDR_OFFSET, 0, 8);
    add_number_note(builder, XEN_ELFNOTE_PHYS32_ENTRY, 0x1000850, 4);
    add_load(builder, READ | EXECUTE, KERNEL_PHYSICAL, LINUX_VIRTUAL_BASE + KERNEL_PHYSICAL, 0x100000);
    add_load(builder, READ, 0x1100000, LINUX_VIRTUAL_BASE + 0x1100000, 0x80000);
    add_load(builder, READ | WRITE, 0x1200000, LINUX_VIRTUAL_BASE + 0x1200000, 0x40000);
    add_load(builder, READ | WRITE, LINUX_PERCPU_PHYSICAL, 0, 0x20000);
    add_load(builder, READ | WRITE | EXECUTE, LINUX_INIT_PHYSICAL, LINUX_VIRTUAL_BASE + LINUX_INIT_PHYSICAL,
             0x200000);
}

static void write_elf_header(uint8_t *bytes, const struct kernel_builder *builder, unsigned int header_count)
{
    memcpy(bytes, "\177ELF", 4);
    bytes[ELF_IDENT_CLASS] = 2;
    bytes[ELF_IDENT_DATA] = 1;
    bytes[ELF_IDENT_VERSION] = 1;
    put_little_endian(bytes + ELF_TYPE, 2, 2);
    put_little_endian(bytes + ELF_MACHINE, 62, 2);
    put_little_endian(bytes + 20, 1, 4);
    put_little_endian(bytes + ELF_ENTRY, builder->elf_entry, 8);
    put_little_endian(bytes + ELF_PROGRAM_HEADER_OFFSET, ELF_HEADER_SIZE, 8);
    put_little_endian(bytes + 52, ELF_HEADER_SIZE, 2);
    put_little_endian(bytes + ELF_PROGRAM_HEADER_ENTRY_SIZE, PROGRAM_HEADER_SIZE, 2);
    put_little_endian(bytes + ELF_PROGRAM_HEADER_COUNT, header_count, 2);
}

static void write_program_header(uint8_t *header, uint32_t type, uint32_t flags, uint64_t offset,
                                 uint64_t virtual_address, uint64_t physical_address, uint64_t file_size,
                                 uint64_t memory_size)
{
    put_little_endian(header, type, 4);
    put_little_endian(header + 4, flags, 4);
    put_little_endian(header + PROGRAM_HEADER_OFFSET, offset, 8);
    put_little_endian(header + 16, virtual_address, 8);
    put_little_endian(header + PROGRAM_HEADER_PHYSICAL_ADDRESS, physical_address, 8);
    put_little_endian(header + PROGRAM_HEADER_FILE_SIZE, file_size, 8);
    put_little_endian(header + PROGRAM_HEADER_MEMORY_SIZE, memory_size, 8);
    put_little_endian(header + 48, 4, 8);
}

/* Program header 0 is the PT_NOTE segment, then the loads in the order added. */
static size_t program_header_at(unsigned int index)
{
    return ELF_HEADER_SIZE + (size_t) index * PROGRAM_HEADER_SIZE;
}

/* Lays the image out and returns a heap copy of exactly its size; free with free_image. */
static struct image build_image(const struct kernel_builder *builder)
{
    unsigned int header_count = 1 + builder->load_count;
    size_t notes_offset = program_header_at(header_count);
    size_t loads_offset = notes_offset + builder->notes_length;
    size_t size = loads_offset + (size_t) builder->load_count * FILE_BYTES_PER_LOAD;
    struct image image = { .bytes = calloc(1, size), .size = size };

    ck_assert_ptr_nonnull(image.bytes);
    write_elf_header(image.bytes, builder, header_count);
    write_program_header(image.bytes + program_header_at(0), SEGMENT_NOTE, READ, notes_offset, 0, 0,
                         builder->notes_length, builder->notes_length);
    memcpy(image.bytes + notes_offset, builder->notes, builder->notes_length);
    for (unsigned int index = 0; index < builder->load_count; index++) {
        const struct load_segment *load = &builder->loads[index];
        size_t file_offset = loads_offset + (size_t) index * FILE_BYTES_PER_LOAD;
        uint64_t file_size = load->memory_size < FILE_BYTES_PER_LOAD ? load->memory_size : FILE_BYTES_PER_LOAD;

        write_program_header(image.bytes + program_header_at(1 + index), SEGMENT_LOAD, load->flags, file_offset,
                             load->virtual_address, load->physical_address, file_size, load->memory_size);
        memset(image.bytes + file_offset, 0xc0 + (int) index, FILE_BYTES_PER_LOAD);
    }
    return image;
}

static void free_image(struct image *image)
{
    free(image->bytes);
    image->bytes = NULL;
}

static int parse_built(const struct kernel_builder *builder, struct pv_kernel *kernel)
{
    struct image image = build_image(builder);
    int result = pv_kernel_parse(image.bytes, image.size, kernel);

    free_image(&image);
    return result;
}

static int parse_result(const struct kernel_builder *builder)
{
    struct pv_kernel kernel;

    return parse_built(builder, &kernel);
}

/* Parses a copy of the first `size` bytes of image. */
static int parse_prefix(const struct image *image, size_t size)
{
    uint8_t *copy = malloc(size > 0 ? size : 1);
    struct pv_kernel kernel;

    ck_assert_ptr_nonnull(copy);
    memcpy(copy, image->bytes, size);

    int result = pv_kernel_parse(copy, size, &kernel);

    free(copy);
    return result;
}

/* Builds the image, overwrites `width` bytes at offset with value, and parses it. */
static int parse_patched(const struct kernel_builder *builder, size_t offset, uint64_t value, unsigned int width)
{
    struct image image = build_image(builder);
    struct pv_kernel kernel;

    ck_assert_uint_le(offset + width, image.size);
    put_little_endian(image.bytes + offset, value, width);

    int result = pv_kernel_parse(image.bytes, image.size, &kernel);

    free_image(&image);
    return result;
}

static int parse_with_features(const char *features)
{
    struct kernel_builder builder;

    start_minimal_kernel(&builder);
    add_string_note(&builder, XEN_ELFNOTE_FEATURES, features);
    return parse_result(&builder);
}

START_TEST(test_minimal_kernel_parses_with_entry_base_and_extent)
{
    struct kernel_builder builder;
    struct pv_kernel kernel;

    start_minimal_kernel(&builder);
    ck_assert_int_eq(parse_built(&builder, &kernel), 0);
    ck_assert_uint_eq(kernel.entry, MINIMAL_ENTRY);
    ck_assert_uint_eq(kernel.virtual_base, LINUX_VIRTUAL_BASE);
    ck_assert_uint_eq(kernel.physical_offset, 0);
    ck_assert_uint_eq(kernel.virtual_start, LINUX_VIRTUAL_BASE + KERNEL_PHYSICAL);
    ck_assert_uint_eq(kernel.virtual_end, LINUX_VIRTUAL_BASE + KERNEL_PHYSICAL + MINIMAL_MEMORY_SIZE);
    ck_assert_uint_eq(kernel.hypercall_page, 0);
    ck_assert_uint_eq(kernel.init_p2m, 0);
    ck_assert(!kernel.mod_start_pfn);
    ck_assert_str_eq(kernel.guest_os, "linux");
    ck_assert_str_eq(kernel.xen_version, "xen-3.0");
    ck_assert_str_eq(kernel.loader, "");
    ck_assert_uint_eq(kernel.segment_count, 1);
    ck_assert_uint_eq(kernel.segments[0].virtual_address, LINUX_VIRTUAL_BASE + KERNEL_PHYSICAL);
    ck_assert_uint_eq(kernel.segments[0].file_size, FILE_BYTES_PER_LOAD);
    ck_assert_uint_eq(kernel.segments[0].memory_size, MINIMAL_MEMORY_SIZE);
    ck_assert_uint_eq(kernel.segments[0].flags, READ | WRITE | EXECUTE);
}
END_TEST

START_TEST(test_segment_file_bytes_are_found_at_their_offset)
{
    struct kernel_builder builder;
    struct image image;
    struct pv_kernel kernel;

    start_linux_like_kernel(&builder);
    image = build_image(&builder);
    ck_assert_int_eq(pv_kernel_parse(image.bytes, image.size, &kernel), 0);
    for (unsigned int index = 0; index < kernel.segment_count; index++) {
        const struct pv_kernel_segment *segment = &kernel.segments[index];

        ck_assert_uint_le(segment->file_offset + segment->file_size, image.size);
        ck_assert_uint_eq(image.bytes[segment->file_offset], 0xc0 + index);
    }
    free_image(&image);
}
END_TEST

START_TEST(test_linux_like_kernel_places_segments_by_physical_address)
{
    struct kernel_builder builder;
    struct pv_kernel kernel;

    start_linux_like_kernel(&builder);
    ck_assert_int_eq(parse_built(&builder, &kernel), 0);
    ck_assert_uint_eq(kernel.segment_count, 5);
    ck_assert_uint_eq(kernel.segments[3].virtual_address, LINUX_VIRTUAL_BASE + LINUX_PERCPU_PHYSICAL);
    ck_assert_uint_eq(kernel.virtual_start, LINUX_VIRTUAL_BASE + KERNEL_PHYSICAL);
    ck_assert_uint_eq(kernel.virtual_end, LINUX_VIRTUAL_BASE + LINUX_INIT_PHYSICAL + 0x200000);
    ck_assert_uint_eq(kernel.entry, LINUX_ENTRY);
    ck_assert_uint_eq(kernel.init_p2m, LINUX_INIT_P2M);
    ck_assert(kernel.mod_start_pfn);
    ck_assert_str_eq(kernel.loader, "generic");
}
END_TEST

START_TEST(test_linux_feature_note_requires_writable_page_tables_and_is_accepted)
{
    struct kernel_builder builder;
    struct pv_kernel kernel;

    start_linux_like_kernel(&builder);
    ck_assert_int_eq(parse_built(&builder, &kernel), 0);
    ck_assert_uint_eq(kernel.features_required, 1U << XENFEAT_writable_page_tables);
    ck_assert_uint_eq(kernel.features_supported,
                      0x8801U | 1U << XENFEAT_writable_page_tables | 1U << XENFEAT_pae_pgdir_above_4gb);
}
END_TEST

START_TEST(test_numeric_notes_may_be_four_or_eight_bytes)
{
    struct kernel_builder builder;
    struct pv_kernel kernel;

    start_empty_kernel(&builder);
    add_string_note(&builder, XEN_ELFNOTE_GUEST_OS, "Mini-OS");
    add_number_note(&builder, XEN_ELFNOTE_VIRT_BASE, 0x400000, 4);
    add_number_note(&builder, XEN_ELFNOTE_PADDR_OFFSET, 0x400000, 8);
    add_number_note(&builder, XEN_ELFNOTE_ENTRY, 0x400010, 4);
    add_number_note(&builder, XEN_ELFNOTE_HYPERCALL_PAGE, 0x401000, 8);
    add_load(&builder, READ | WRITE | EXECUTE, 0x400000, 0x400000, 0x4000);
    ck_assert_int_eq(parse_built(&builder, &kernel), 0);
    ck_assert_uint_eq(kernel.virtual_base, 0x400000);
    ck_assert_uint_eq(kernel.physical_offset, 0x400000);
    ck_assert_uint_eq(kernel.entry, 0x400010);
    ck_assert_uint_eq(kernel.hypercall_page, 0x401000);
    ck_assert_uint_eq(kernel.segments[0].virtual_address, 0x400000);
}
END_TEST

START_TEST(test_numeric_note_of_another_size_is_rejected)
{
    static const unsigned int sizes[] = { 0, 1, 2, 3, 5, 16 };

    for (unsigned int index = 0; index < sizeof(sizes) / sizeof(sizes[0]); index++) {
        struct kernel_builder builder;
        uint8_t descriptor[16] = { 0 };

        start_minimal_kernel(&builder);
        add_note(&builder, XEN_ELFNOTE_ENTRY, descriptor, sizes[index]);
        ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
    }
}
END_TEST

START_TEST(test_absent_entry_note_falls_back_to_elf_entry)
{
    struct kernel_builder builder;
    struct pv_kernel kernel;

    start_empty_kernel(&builder);
    add_string_note(&builder, XEN_ELFNOTE_GUEST_OS, "linux");
    add_number_note(&builder, XEN_ELFNOTE_VIRT_BASE, LINUX_VIRTUAL_BASE, 8);
    add_load(&builder, READ | EXECUTE, KERNEL_PHYSICAL, 0, 0x2000);
    builder.elf_entry = LINUX_VIRTUAL_BASE + KERNEL_PHYSICAL + 0x1000;
    ck_assert_int_eq(parse_built(&builder, &kernel), 0);
    ck_assert_uint_eq(kernel.entry, LINUX_VIRTUAL_BASE + KERNEL_PHYSICAL + 0x1000);
}
END_TEST

START_TEST(test_absent_virtual_base_and_physical_offset_are_zero)
{
    struct kernel_builder builder;
    struct pv_kernel kernel;

    start_empty_kernel(&builder);
    add_string_note(&builder, XEN_ELFNOTE_GUEST_OS, "linux");
    add_load(&builder, READ | EXECUTE, 0x200000, 0xdead0000, 0x1000);
    builder.elf_entry = 0x200000;
    ck_assert_int_eq(parse_built(&builder, &kernel), 0);
    ck_assert_uint_eq(kernel.virtual_base, 0);
    ck_assert_uint_eq(kernel.physical_offset, 0);
    ck_assert_uint_eq(kernel.segments[0].virtual_address, 0x200000);
}
END_TEST

START_TEST(test_physical_offset_is_subtracted_from_physical_addresses)
{
    struct kernel_builder builder;
    struct pv_kernel kernel;

    start_empty_kernel(&builder);
    add_string_note(&builder, XEN_ELFNOTE_GUEST_OS, "linux");
    add_number_note(&builder, XEN_ELFNOTE_VIRT_BASE, LINUX_VIRTUAL_BASE, 8);
    add_number_note(&builder, XEN_ELFNOTE_PADDR_OFFSET, LINUX_VIRTUAL_BASE, 8);
    add_number_note(&builder, XEN_ELFNOTE_ENTRY, LINUX_VIRTUAL_BASE + 0x2000, 8);
    add_load(&builder, READ | EXECUTE, LINUX_VIRTUAL_BASE + 0x2000, 0, 0x1000);
    ck_assert_int_eq(parse_built(&builder, &kernel), 0);
    ck_assert_uint_eq(kernel.segments[0].virtual_address, LINUX_VIRTUAL_BASE + 0x2000);
    ck_assert_uint_eq(kernel.virtual_start, LINUX_VIRTUAL_BASE + 0x2000);
}
END_TEST

START_TEST(test_physical_offset_without_virtual_base_is_rejected)
{
    struct kernel_builder builder;

    start_empty_kernel(&builder);
    add_string_note(&builder, XEN_ELFNOTE_GUEST_OS, "linux");
    add_number_note(&builder, XEN_ELFNOTE_PADDR_OFFSET, 0, 8);
    add_load(&builder, READ | EXECUTE, 0x200000, 0, 0x1000);
    builder.elf_entry = 0x200000;
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

START_TEST(test_segment_below_physical_offset_is_rejected)
{
    struct kernel_builder builder;

    start_minimal_kernel(&builder);
    add_number_note(&builder, XEN_ELFNOTE_PADDR_OFFSET, KERNEL_PHYSICAL + 0x1000, 8);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

START_TEST(test_unaligned_virtual_base_is_rejected)
{
    struct kernel_builder builder;

    start_minimal_kernel(&builder);
    add_number_note(&builder, XEN_ELFNOTE_VIRT_BASE, LINUX_VIRTUAL_BASE + 0x800, 8);
    add_number_note(&builder, XEN_ELFNOTE_ENTRY, MINIMAL_ENTRY + 0x800, 8);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

START_TEST(test_missing_guest_os_is_not_a_xen_kernel)
{
    struct kernel_builder builder;

    start_empty_kernel(&builder);
    add_string_note(&builder, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    add_number_note(&builder, XEN_ELFNOTE_VIRT_BASE, LINUX_VIRTUAL_BASE, 8);
    add_number_note(&builder, XEN_ELFNOTE_ENTRY, MINIMAL_ENTRY, 8);
    add_load(&builder, READ | EXECUTE, KERNEL_PHYSICAL, 0, 0x1000);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

START_TEST(test_guest_os_note_of_another_owner_does_not_count)
{
    struct kernel_builder builder;

    start_empty_kernel(&builder);
    add_note_with_name(&builder, "GNU", XEN_ELFNOTE_GUEST_OS, "linux", 6);
    add_note_with_name(&builder, "Xe", XEN_ELFNOTE_GUEST_OS, "linux", 6);
    add_number_note(&builder, XEN_ELFNOTE_ENTRY, 0x200000, 8);
    add_load(&builder, READ | EXECUTE, 0x200000, 0, 0x1000);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

START_TEST(test_notes_of_other_owners_and_unknown_types_are_ignored)
{
    struct kernel_builder builder;
    static const uint8_t odd_descriptor[3] = { 1, 2, 3 };

    start_minimal_kernel(&builder);
    add_note_with_name(&builder, "GNU", XEN_ELFNOTE_ENTRY, odd_descriptor, sizeof(odd_descriptor));
    add_note(&builder, 0x7777, odd_descriptor, sizeof(odd_descriptor));
    add_note(&builder, XEN_ELFNOTE_BSD_SYMTAB, odd_descriptor, sizeof(odd_descriptor));
    ck_assert_int_eq(parse_result(&builder), 0);
}
END_TEST

START_TEST(test_xen_version_other_than_3_0_is_rejected)
{
    struct kernel_builder builder;

    start_minimal_kernel(&builder);
    add_string_note(&builder, XEN_ELFNOTE_XEN_VERSION, "xen-2.0");
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

/* Linux writes FEATURES with .ascii: the string ends with the descriptor. */
START_TEST(test_string_note_without_nul_ends_with_its_descriptor)
{
    struct kernel_builder builder;
    struct pv_kernel kernel;

    start_minimal_kernel(&builder);
    add_note(&builder, XEN_ELFNOTE_LOADER, "generic", 7);
    add_note(&builder, XEN_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb", 41);
    ck_assert_int_eq(parse_built(&builder, &kernel), 0);
    ck_assert_str_eq(kernel.loader, "generic");
    ck_assert_uint_eq(kernel.features_required, 1U << XENFEAT_writable_page_tables);
}
END_TEST

START_TEST(test_long_guest_os_is_truncated_to_fit)
{
    struct kernel_builder builder;
    struct pv_kernel kernel;

    start_minimal_kernel(&builder);
    add_string_note(&builder, XEN_ELFNOTE_GUEST_OS, "linux-with-a-guest-os-name-far-too-long-to-keep");
    ck_assert_int_eq(parse_built(&builder, &kernel), 0);
    ck_assert_uint_eq(strlen(kernel.guest_os), PV_KERNEL_GUEST_OS_SIZE - 1);
    ck_assert_int_eq(strncmp(kernel.guest_os, "linux-with-a-guest-os", 21), 0);
}
END_TEST

START_TEST(test_hv_start_low_inside_hypervisor_slots_is_rejected)
{
    struct kernel_builder builder;

    start_minimal_kernel(&builder);
    add_number_note(&builder, XEN_ELFNOTE_HV_START_LOW, HYPERVISOR_SLOTS_START + 0x8000000000UL, 8);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

START_TEST(test_hv_start_low_at_or_below_hypervisor_slots_is_accepted)
{
    struct kernel_builder builder;

    start_minimal_kernel(&builder);
    add_number_note(&builder, XEN_ELFNOTE_HV_START_LOW, HYPERVISOR_SLOTS_START, 8);
    ck_assert_int_eq(parse_result(&builder), 0);
    add_number_note(&builder, XEN_ELFNOTE_HV_START_LOW, 0xffff000000000000UL, 8);
    ck_assert_int_eq(parse_result(&builder), 0);
}
END_TEST

START_TEST(test_segment_in_hypervisor_slots_is_rejected)
{
    struct kernel_builder builder;

    start_minimal_kernel(&builder);
    add_number_note(&builder, XEN_ELFNOTE_VIRT_BASE, HYPERVISOR_SLOTS_START + 0x100000000UL, 8);
    add_number_note(&builder, XEN_ELFNOTE_ENTRY, HYPERVISOR_SLOTS_START + 0x100000000UL + KERNEL_PHYSICAL, 8);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

START_TEST(test_segment_reaching_into_hypervisor_slots_is_rejected)
{
    struct kernel_builder builder;
    uint64_t base = HYPERVISOR_SLOTS_END - KERNEL_PHYSICAL - 0x1000;

    start_minimal_kernel(&builder);
    add_number_note(&builder, XEN_ELFNOTE_VIRT_BASE, base, 8);
    add_number_note(&builder, XEN_ELFNOTE_ENTRY, base + KERNEL_PHYSICAL + 0x2000, 8);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

START_TEST(test_non_canonical_segment_is_rejected)
{
    struct kernel_builder builder;
    uint64_t base = 0x00007fffff000000UL;

    start_minimal_kernel(&builder);
    add_number_note(&builder, XEN_ELFNOTE_VIRT_BASE, base, 8);
    add_number_note(&builder, XEN_ELFNOTE_ENTRY, base + KERNEL_PHYSICAL, 8);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

START_TEST(test_segment_wrapping_the_address_space_is_rejected)
{
    struct kernel_builder builder;

    start_minimal_kernel(&builder);
    add_load(&builder, READ | WRITE, KERNEL_PHYSICAL + 0x100000, 0, UINT64_MAX - 0x1000);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
    start_minimal_kernel(&builder);
    add_load(&builder, READ | WRITE, UINT64_MAX - 0x1000, 0, 0x1000);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

START_TEST(test_segment_ending_at_the_top_of_the_address_space_is_rejected)
{
    struct kernel_builder builder;
    uint64_t top_page = UINT64_MAX - 0xfff;

    start_minimal_kernel(&builder);
    add_load(&builder, READ | WRITE, top_page - LINUX_VIRTUAL_BASE, 0, 0x1000);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

START_TEST(test_overlapping_segments_are_rejected)
{
    struct kernel_builder builder;

    start_minimal_kernel(&builder);
    add_load(&builder, READ | WRITE, KERNEL_PHYSICAL + MINIMAL_MEMORY_SIZE - 1, 0, 0x1000);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

START_TEST(test_adjacent_segments_are_accepted)
{
    struct kernel_builder builder;

    start_minimal_kernel(&builder);
    add_load(&builder, READ | WRITE, KERNEL_PHYSICAL + MINIMAL_MEMORY_SIZE, 0, 0x1000);
    ck_assert_int_eq(parse_result(&builder), 0);
}
END_TEST

START_TEST(test_load_without_permissions_is_not_loaded)
{
    struct kernel_builder builder;
    struct pv_kernel kernel;

    start_minimal_kernel(&builder);
    add_load(&builder, 0, KERNEL_PHYSICAL, 0, 0x1000);
    ck_assert_int_eq(parse_built(&builder, &kernel), 0);
    ck_assert_uint_eq(kernel.segment_count, 1);
}
END_TEST

START_TEST(test_entry_outside_any_segment_is_rejected)
{
    struct kernel_builder builder;

    start_minimal_kernel(&builder);
    add_number_note(&builder, XEN_ELFNOTE_ENTRY, LINUX_VIRTUAL_BASE + KERNEL_PHYSICAL + MINIMAL_MEMORY_SIZE, 8);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
    add_number_note(&builder, XEN_ELFNOTE_ENTRY, LINUX_VIRTUAL_BASE + KERNEL_PHYSICAL - 1, 8);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

START_TEST(test_entry_in_a_segment_that_is_not_executable_is_rejected)
{
    struct kernel_builder builder;

    start_minimal_kernel(&builder);
    add_load(&builder, READ | WRITE, 0x2000000, 0, 0x1000);
    add_number_note(&builder, XEN_ELFNOTE_ENTRY, LINUX_VIRTUAL_BASE + 0x2000000, 8);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

START_TEST(test_hypercall_page_must_be_an_aligned_page_of_the_kernel)
{
    struct kernel_builder builder;
    struct pv_kernel kernel;
    uint64_t kernel_start = LINUX_VIRTUAL_BASE + KERNEL_PHYSICAL;

    start_minimal_kernel(&builder);
    add_number_note(&builder, XEN_ELFNOTE_HYPERCALL_PAGE, kernel_start + 0x1000, 8);
    ck_assert_int_eq(parse_built(&builder, &kernel), 0);
    ck_assert_uint_eq(kernel.hypercall_page, kernel_start + 0x1000);
    add_number_note(&builder, XEN_ELFNOTE_HYPERCALL_PAGE, kernel_start + 0x1800, 8);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
    add_number_note(&builder, XEN_ELFNOTE_HYPERCALL_PAGE, kernel_start + MINIMAL_MEMORY_SIZE, 8);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
    add_number_note(&builder, XEN_ELFNOTE_HYPERCALL_PAGE, 0, 8);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

START_TEST(test_init_p2m_inside_the_kernel_is_rejected)
{
    struct kernel_builder builder;

    start_minimal_kernel(&builder);
    add_number_note(&builder, XEN_ELFNOTE_INIT_P2M, LINUX_VIRTUAL_BASE + KERNEL_PHYSICAL, 8);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
    add_number_note(&builder, XEN_ELFNOTE_INIT_P2M, 0, 8);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

START_TEST(test_file_size_larger_than_memory_size_is_rejected)
{
    struct kernel_builder builder;

    start_minimal_kernel(&builder);
    add_number_note(&builder, XEN_ELFNOTE_ENTRY, LINUX_VIRTUAL_BASE + KERNEL_PHYSICAL, 8);
    ck_assert_int_eq(parse_patched(&builder, program_header_at(1) + PROGRAM_HEADER_MEMORY_SIZE,
                                   FILE_BYTES_PER_LOAD, 8),
                     0);
    ck_assert_int_eq(parse_patched(&builder, program_header_at(1) + PROGRAM_HEADER_MEMORY_SIZE,
                                   FILE_BYTES_PER_LOAD - 1, 8),
                     -XEN_EINVAL);
}
END_TEST

START_TEST(test_segment_file_bytes_outside_the_image_are_rejected)
{
    struct kernel_builder builder;

    start_minimal_kernel(&builder);
    ck_assert_int_eq(parse_patched(&builder, program_header_at(1) + PROGRAM_HEADER_OFFSET, UINT64_MAX - 8, 8),
                     -XEN_EINVAL);
    ck_assert_int_eq(parse_patched(&builder, program_header_at(1) + PROGRAM_HEADER_FILE_SIZE, 0x2000, 8),
                     -XEN_EINVAL);
}
END_TEST

START_TEST(test_note_segment_outside_the_image_is_rejected)
{
    struct kernel_builder builder;

    start_minimal_kernel(&builder);
    ck_assert_int_eq(parse_patched(&builder, program_header_at(0) + PROGRAM_HEADER_OFFSET, UINT64_MAX - 8, 8),
                     -XEN_EINVAL);
    ck_assert_int_eq(parse_patched(&builder, program_header_at(0) + PROGRAM_HEADER_FILE_SIZE, 0x10000, 8),
                     -XEN_EINVAL);
}
END_TEST

START_TEST(test_note_running_past_its_segment_is_rejected)
{
    struct kernel_builder builder;
    size_t first_note = program_header_at(2);

    start_minimal_kernel(&builder);
    ck_assert_int_eq(parse_patched(&builder, first_note + 4, 0xfffffff0, 4), -XEN_EINVAL);
    ck_assert_int_eq(parse_patched(&builder, first_note, 0xfffffffd, 4), -XEN_EINVAL);
    ck_assert_int_eq(parse_patched(&builder, program_header_at(0) + PROGRAM_HEADER_FILE_SIZE,
                                   builder.notes_length + 5, 8),
                     -XEN_EINVAL);
}
END_TEST

START_TEST(test_trailing_bytes_too_short_for_a_note_are_rejected)
{
    /* The note segment ends the image, five bytes after its last note:
     * reading a note header there would run past the image. */
    struct kernel_builder builder;
    struct image image;
    size_t notes_end;

    start_minimal_kernel(&builder);
    notes_end = program_header_at(2) + builder.notes_length;
    image = build_image(&builder);
    put_little_endian(image.bytes + program_header_at(0) + PROGRAM_HEADER_FILE_SIZE, builder.notes_length + 5, 8);
    put_little_endian(image.bytes + program_header_at(1) + PROGRAM_HEADER_OFFSET, 0, 8);
    put_little_endian(image.bytes + program_header_at(1) + PROGRAM_HEADER_FILE_SIZE, 0, 8);
    ck_assert_int_eq(parse_prefix(&image, notes_end + 5), -XEN_EINVAL);
    put_little_endian(image.bytes + program_header_at(0) + PROGRAM_HEADER_FILE_SIZE, builder.notes_length, 8);
    ck_assert_int_eq(parse_prefix(&image, notes_end), 0);
    free_image(&image);
}
END_TEST

START_TEST(test_malformed_elf_headers_are_rejected)
{
    static const struct {
        size_t offset;
        uint64_t value;
        unsigned int width;
    } corruptions[] = {
        { 0, 0x7e, 1 },                                  /* magic */
        { 3, 'G', 1 },                                   /* magic */
        { ELF_IDENT_CLASS, 1, 1 },                       /* ELFCLASS32 */
        { ELF_IDENT_DATA, 2, 1 },                        /* big-endian */
        { ELF_IDENT_VERSION, 0, 1 },
        { ELF_TYPE, 3, 2 },                              /* ET_DYN */
        { ELF_MACHINE, 3, 2 },                           /* EM_386 */
        { ELF_PROGRAM_HEADER_ENTRY_SIZE, 32, 2 },
        { ELF_PROGRAM_HEADER_COUNT, 0, 2 },
        { ELF_PROGRAM_HEADER_COUNT, 0xffff, 2 },
        { ELF_PROGRAM_HEADER_OFFSET, UINT64_MAX - 55, 8 },
        { ELF_PROGRAM_HEADER_OFFSET, 0x100000, 8 },
    };

    for (unsigned int index = 0; index < sizeof(corruptions) / sizeof(corruptions[0]); index++) {
        struct kernel_builder builder;

        start_minimal_kernel(&builder);
        ck_assert_int_eq(parse_patched(&builder, corruptions[index].offset, corruptions[index].value,
                                       corruptions[index].width),
                         -XEN_EINVAL);
    }
}
END_TEST

START_TEST(test_image_without_a_loadable_segment_is_rejected)
{
    struct kernel_builder builder;

    start_empty_kernel(&builder);
    add_string_note(&builder, XEN_ELFNOTE_GUEST_OS, "linux");
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

START_TEST(test_more_segments_than_pvmon_keeps_are_rejected)
{
    struct kernel_builder builder;

    start_minimal_kernel(&builder);
    for (unsigned int index = 1; index < PV_KERNEL_MAX_SEGMENTS; index++)
        add_load(&builder, READ, 0x2000000 + index * 0x1000, 0, 0x1000);
    ck_assert_int_eq(parse_result(&builder), 0);
    add_load(&builder, READ, 0x3000000, 0, 0x1000);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

START_TEST(test_truncated_image_is_rejected_at_every_length)
{
    struct kernel_builder builder;
    struct image image;

    start_linux_like_kernel(&builder);
    image = build_image(&builder);
    ck_assert_int_eq(parse_prefix(&image, image.size), 0);
    for (size_t size = 0; size < image.size; size++)
        ck_assert_int_eq(parse_prefix(&image, size), -XEN_EINVAL);
    free_image(&image);
}
END_TEST

START_TEST(test_any_single_corrupted_byte_is_parsed_without_reading_outside_the_image)
{
    static const uint8_t replacements[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
    struct kernel_builder builder;
    struct image image;
    struct pv_kernel kernel;

    start_linux_like_kernel(&builder);
    image = build_image(&builder);
    for (size_t offset = 0; offset < image.size; offset++) {
        uint8_t original = image.bytes[offset];

        for (unsigned int index = 0; index < sizeof(replacements); index++) {
            image.bytes[offset] = replacements[index];

            int result = pv_kernel_parse(image.bytes, image.size, &kernel);

            ck_assert(result == 0 || result == -XEN_EINVAL || result == -XEN_EOPNOTSUPP);
        }
        image.bytes[offset] = original;
    }
    free_image(&image);
}
END_TEST

START_TEST(test_required_features_pvmon_cannot_provide_are_refused)
{
    static const char *const refused[] = {
        "!writable_descriptor_tables", "!auto_translated_physmap", "!supervisor_mode_kernel",
        "!highmem_assist",             "!hvm_callback_vector",     "!hvm_safe_pvclock",
        "!hvm_pirqs",                  "!dom0",                    "!direct_mapped",
    };

    for (unsigned int index = 0; index < sizeof(refused) / sizeof(refused[0]); index++)
        ck_assert_int_eq(parse_with_features(refused[index]), -XEN_EOPNOTSUPP);
}
END_TEST

START_TEST(test_required_features_pvmon_provides_are_accepted)
{
    ck_assert_int_eq(parse_with_features("!writable_page_tables|!pae_pgdir_above_4gb|"
                                         "!mmu_pt_update_preserve_ad|!gnttab_map_avail_bits"),
                     0);
}
END_TEST

START_TEST(test_supported_features_are_recorded_but_not_required)
{
    struct kernel_builder builder;
    struct pv_kernel kernel;

    start_minimal_kernel(&builder);
    add_string_note(&builder, XEN_ELFNOTE_FEATURES, "writable_descriptor_tables|hvm_callback_vector|dom0");
    ck_assert_int_eq(parse_built(&builder, &kernel), 0);
    ck_assert_uint_eq(kernel.features_required, 0);
    ck_assert_uint_eq(kernel.features_supported, 1U << XENFEAT_writable_descriptor_tables |
                                                     1U << XENFEAT_hvm_callback_vector | 1U << XENFEAT_dom0);
}
END_TEST

START_TEST(test_unknown_feature_is_ignored_unless_required)
{
    ck_assert_int_eq(parse_with_features("pae_pgdir_above_4gb|teleportation||"), 0);
    ck_assert_int_eq(parse_with_features("pae_pgdir_above_4gb|!teleportation"), -XEN_EOPNOTSUPP);
    ck_assert_int_eq(parse_with_features("!"), -XEN_EOPNOTSUPP);
    ck_assert_int_eq(parse_with_features("!writable_page_tablesX"), -XEN_EOPNOTSUPP);
}
END_TEST

START_TEST(test_malformed_image_is_invalid_before_features_are_weighed)
{
    struct kernel_builder builder;

    start_minimal_kernel(&builder);
    add_string_note(&builder, XEN_ELFNOTE_FEATURES, "!auto_translated_physmap");
    add_number_note(&builder, XEN_ELFNOTE_ENTRY, 0, 8);
    ck_assert_int_eq(parse_result(&builder), -XEN_EINVAL);
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *pv_kernel_suite(void)
{
    Suite *suite = suite_create("pv_kernel");

    add_test_case(suite, test_minimal_kernel_parses_with_entry_base_and_extent);
    add_test_case(suite, test_segment_file_bytes_are_found_at_their_offset);
    add_test_case(suite, test_linux_like_kernel_places_segments_by_physical_address);
    add_test_case(suite, test_linux_feature_note_requires_writable_page_tables_and_is_accepted);
    add_test_case(suite, test_numeric_notes_may_be_four_or_eight_bytes);
    add_test_case(suite, test_numeric_note_of_another_size_is_rejected);
    add_test_case(suite, test_absent_entry_note_falls_back_to_elf_entry);
    add_test_case(suite, test_absent_virtual_base_and_physical_offset_are_zero);
    add_test_case(suite, test_physical_offset_is_subtracted_from_physical_addresses);
    add_test_case(suite, test_physical_offset_without_virtual_base_is_rejected);
    add_test_case(suite, test_segment_below_physical_offset_is_rejected);
    add_test_case(suite, test_unaligned_virtual_base_is_rejected);
    add_test_case(suite, test_missing_guest_os_is_not_a_xen_kernel);
    add_test_case(suite, test_guest_os_note_of_another_owner_does_not_count);
    add_test_case(suite, test_notes_of_other_owners_and_unknown_types_are_ignored);
    add_test_case(suite, test_xen_version_other_than_3_0_is_rejected);
    add_test_case(suite, test_string_note_without_nul_ends_with_its_descriptor);
    add_test_case(suite, test_long_guest_os_is_truncated_to_fit);
    add_test_case(suite, test_hv_start_low_inside_hypervisor_slots_is_rejected);
    add_test_case(suite, test_hv_start_low_at_or_below_hypervisor_slots_is_accepted);
    add_test_case(suite, test_segment_in_hypervisor_slots_is_rejected);
    add_test_case(suite, test_segment_reaching_into_hypervisor_slots_is_rejected);
    add_test_case(suite, test_non_canonical_segment_is_rejected);
    add_test_case(suite, test_segment_wrapping_the_address_space_is_rejected);
    add_test_case(suite, test_segment_ending_at_the_top_of_the_address_space_is_rejected);
    add_test_case(suite, test_overlapping_segments_are_rejected);
    add_test_case(suite, test_adjacent_segments_are_accepted);
    add_test_case(suite, test_load_without_permissions_is_not_loaded);
    add_test_case(suite, test_entry_outside_any_segment_is_rejected);
    add_test_case(suite, test_entry_in_a_segment_that_is_not_executable_is_rejected);
    add_test_case(suite, test_hypercall_page_must_be_an_aligned_page_of_the_kernel);
    add_test_case(suite, test_init_p2m_inside_the_kernel_is_rejected);
    add_test_case(suite, test_file_size_larger_than_memory_size_is_rejected);
    add_test_case(suite, test_segment_file_bytes_outside_the_image_are_rejected);
    add_test_case(suite, test_note_segment_outside_the_image_is_rejected);
    add_test_case(suite, test_note_running_past_its_segment_is_rejected);
    add_test_case(suite, test_trailing_bytes_too_short_for_a_note_are_rejected);
    add_test_case(suite, test_malformed_elf_headers_are_rejected);
    add_test_case(suite, test_image_without_a_loadable_segment_is_rejected);
    add_test_case(suite, test_more_segments_than_pvmon_keeps_are_rejected);
    add_test_case(suite, test_truncated_image_is_rejected_at_every_length);
    add_test_case(suite, test_any_single_corrupted_byte_is_parsed_without_reading_outside_the_image);
    add_test_case(suite, test_required_features_pvmon_cannot_provide_are_refused);
    add_test_case(suite, test_required_features_pvmon_provides_are_accepted);
    add_test_case(suite, test_supported_features_are_recorded_but_not_required);
    add_test_case(suite, test_unknown_feature_is_ignored_unless_required);
    add_test_case(suite, test_malformed_image_is_invalid_before_features_are_weighed);
    return suite;
}

REGISTER_SUITE(pv_kernel_suite)
