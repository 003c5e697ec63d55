/*
 * The PV kernel parser (see pvmon/pv_kernel.h): validates an untrusted
 * ELF64 image, reads its Xen ELF notes and places its segments.
 *
 * The image is untrusted, so every offset and length taken from it is
 * checked against the bytes that remain before it is used (by subtracting
 * from the image size, which cannot overflow), every sum of two values
 * from the image is checked for overflow before it is formed, and fields
 * are read byte by byte, so nothing depends on the image's alignment.
 *
 * Rules kept, with the Xen or Linux source each follows:
 *   - ELF64, little-endian, EM_X86_64, ET_EXEC, 56-byte program headers,
 *     all of them inside the image (Xen libelf-loader.c: elf_init; the
 *     builder only runs 64-bit x86 kernels: pv/dom0_build.c).
 *   - A loadable segment is a PT_LOAD with at least one of R, W, X (Xen
 *     libelf-tools.c: elf_phdr_is_loadable); there is at least one; its
 *     file bytes lie inside the image and p_filesz <= p_memsz; at most
 *     PV_KERNEL_MAX_SEGMENTS of them.
 *   - Notes come from PT_NOTE segments, which lie inside the image; only
 *     notes named "Xen" count; names and descriptors are padded to 4 bytes
 *     (libelf-tools.c: elf_note_next).  Numeric descriptors are 4 or 8
 *     bytes, strings end with a NUL inside their descriptor.  Unknown note
 *     types are ignored (libelf-dominfo.c: elf_xen_parse_note); so are
 *     GUEST_VERSION, PAE_MODE (meaningless for 64-bit kernels: Xen zaps
 *     it, pv/dom0_build.c: dom0_construct), L1_MFN_VALID, SUSPEND_CANCEL,
 *     BSD_SYMTAB and PHYS32_ENTRY.  A later note of a type replaces an
 *     earlier one, as in Xen.
 *   - GUEST_OS must be present: without it the image is no Xen PV kernel.
 *     XEN_VERSION, when present, must begin with "xen-3.0" (Xen compares
 *     the first 7 characters: libelf-dominfo.c: elf_xen_note_check).
 *   - PADDR_OFFSET without VIRT_BASE is refused; absent VIRT_BASE and
 *     PADDR_OFFSET are 0; absent ENTRY is e_entry (libelf-dominfo.c:
 *     elf_xen_addr_calc_check).  VIRT_BASE must be page-aligned, since
 *     guest pfn 0 is mapped there.
 *   - Each segment lies at or above PADDR_OFFSET (Xen: virt_base <=
 *     virt_kstart), its virtual range does not wrap, segments do not
 *     overlap, and the page-rounded extent of all of them is canonical and
 *     outside the hypervisor's slots (xen.h: HYPERVISOR_VIRT_START/END).
 *   - ENTRY lies inside an executable segment (stricter than Xen, which
 *     only asks for the kernel's extent).
 *   - HYPERCALL_PAGE is page-aligned and its page lies in the kernel's
 *     extent, where the builder writes it (Xen asks for the bootstrap
 *     region: pv/dom0_build.c: dom0_construct); INIT_P2M lies outside the
 *     kernel's extent (elf_xen_addr_calc_check).  pvmon keeps 0 to mean
 *     "none", so a note giving either as 0 is refused.
 *   - HV_START_LOW, when present, is at or below HYPERVISOR_SLOTS_START.
 *     The note says where the kernel expects the hypervisor's area to
 *     begin, the kernel using what lies below it; a higher value would let
 *     it use the bottom of pvmon's slots.  Xen refuses a value above its
 *     own start the same way ("expects too high a hypervisor start
 *     address": pv/dom0_build.c: dom0_construct).  Linux says exactly
 *     0xffff800000000000.
 *   - FEATURES is "|"-separated names from xen/features.h; "!" marks one
 *     required, and a required feature is also supported
 *     (libelf-dominfo.c: elf_xen_parse_features).  Unknown supported
 *     names are ignored; an unknown required name, or a required feature
 *     outside honoured_requirements below, refuses the kernel with
 *     -XEN_EOPNOTSUPP.  SUPPORTED_FEATURES' first 32-bit word is ORed into
 *     the supported bits of submap 0.
 *
 * A malformed image is refused with -XEN_EINVAL before any feature is
 * weighed, so -XEN_EOPNOTSUPP always names a well-formed kernel.
 */
#include <pvmon/elf.h>
#include <pvmon/errno.h>
#include <pvmon/layout.h>
#include <pvmon/pv_kernel.h>
#include <pvmon/string.h>
#include <xen/elfnote.h>
#include <xen/features.h>

#define SEGMENT_PERMISSIONS \
    (PV_KERNEL_SEGMENT_READABLE | PV_KERNEL_SEGMENT_WRITABLE | PV_KERNEL_SEGMENT_EXECUTABLE)

/* ELF note: three 32-bit words (name size, descriptor size, type), then the
 * name and the descriptor, each padded to 4 bytes. */
#define NOTE_HEADER_SIZE 12
#define NOTE_NAME_SIZE 0
#define NOTE_DESCRIPTOR_SIZE 4
#define NOTE_TYPE 8
#define NOTE_ALIGNMENT 4
#define XEN_NOTE_NAME "Xen"

#define REQUIRED_FEATURE_MARK '!'
#define FEATURE_SEPARATOR '|'
#define SUPPORTED_XEN_VERSION "xen-3.0"

/* The lower canonical half ends here; the upper half begins at
 * HYPERVISOR_SLOTS_START, whose slots 256-271 are pvmon's. */
#define LOWER_HALF_END 0x0000800000000000UL

/*
 * Required features pvmon can honour for a 64-bit PV guest:
 *   - writable_page_tables: Linux's note says "!writable_page_tables" and
 *     Xen boots it anyway: Xen dropped its check of required features in
 *     2007 (commit 358fd9f6d1, "Remove useless check from dom0 builder")
 *     and libxenguest only checks required against the kernel's own
 *     supported bits (xg_dom_core.c: xc_dom_parse_image).  The bit is
 *     never reported to a PV guest (Xen reports it only for translated
 *     guests: common/kernel.c: XENVER_get_features), and page-table writes
 *     are emulated instead, so accepting it promises nothing new;
 *   - pae_pgdir_above_4gb: a 64-bit guest's top-level tables may be
 *     anywhere, always;
 *   - mmu_pt_update_preserve_ad, gnttab_map_avail_bits: Xen offers both
 *     to every PV guest and so must pvmon, since Linux panics without
 *     them (drivers/xen/features.c); requiring them asks for nothing more.
 * Everything else is refused: writable_descriptor_tables (descriptor
 * tables are validated, never directly writable), auto_translated_physmap
 * and the hvm_* features (PV guests are not translated), supervisor_mode_kernel
 * (guest kernels run in ring 3; Xen refuses it too: pv/dom0_build.c),
 * highmem_assist (MMUEXT_COPY/CLEAR_PAGE are not provided), dom0 (pvmon
 * builds unprivileged guests only; libxenguest refuses it for them:
 * xg_dom_elfloader.c) and the rest.
 */
static const uint32_t honoured_requirements = 1U << XENFEAT_writable_page_tables |
                                              1U << XENFEAT_pae_pgdir_above_4gb |
                                              1U << XENFEAT_mmu_pt_update_preserve_ad |
                                              1U << XENFEAT_gnttab_map_avail_bits;

/* Names of the XENFEAT_* bits of submap 0, as FEATURES spells them. */
static const char *const feature_names[32] = {
    [XENFEAT_writable_page_tables] = "writable_page_tables",
    [XENFEAT_writable_descriptor_tables] = "writable_descriptor_tables",
    [XENFEAT_auto_translated_physmap] = "auto_translated_physmap",
    [XENFEAT_supervisor_mode_kernel] = "supervisor_mode_kernel",
    [XENFEAT_pae_pgdir_above_4gb] = "pae_pgdir_above_4gb",
    [XENFEAT_mmu_pt_update_preserve_ad] = "mmu_pt_update_preserve_ad",
    [XENFEAT_highmem_assist] = "highmem_assist",
    [XENFEAT_gnttab_map_avail_bits] = "gnttab_map_avail_bits",
    [XENFEAT_hvm_callback_vector] = "hvm_callback_vector",
    [XENFEAT_hvm_safe_pvclock] = "hvm_safe_pvclock",
    [XENFEAT_hvm_pirqs] = "hvm_pirqs",
    [XENFEAT_dom0] = "dom0",
    [XENFEAT_memory_op_vnode_supported] = "memory_op_vnode_supported",
    [XENFEAT_ARM_SMCCC_supported] = "ARM_SMCCC_supported",
    [XENFEAT_linux_rsdp_unrestricted] = "linux_rsdp_unrestricted",
    [XENFEAT_not_direct_mapped] = "not_direct_mapped",
    [XENFEAT_direct_mapped] = "direct_mapped",
};

struct image {
    const uint8_t *bytes;
    uint64_t size;
};

struct program_header {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t physical_address;
    uint64_t file_size;
    uint64_t memory_size;
};

/* What the notes said beyond the fields of struct pv_kernel. */
struct note_findings {
    uint32_t types_seen;        /* bit n: a Xen note of type n was read */
    uint64_t hv_start_low;
    bool requires_unknown_feature;
};

static uint64_t read_little_endian(const uint8_t *bytes, unsigned int width)
{
    uint64_t value = 0;

    for (unsigned int index = width; index > 0; index--)
        value = value << 8 | bytes[index - 1];
    return value;
}

static bool is_inside(uint64_t offset, uint64_t length, uint64_t size)
{
    return offset <= size && length <= size - offset;
}

static bool is_page_aligned(uint64_t address)
{
    return (address & (PAGE_SIZE - 1)) == 0;
}

static uint64_t round_down_to_page(uint64_t address)
{
    return address & ~(PAGE_SIZE - 1);
}

/* Rounds up to a page boundary; false if that passes the top of the address space. */
static bool round_up_to_page(uint64_t address, uint64_t *rounded)
{
    if (address > UINT64_MAX - (PAGE_SIZE - 1))
        return false;
    *rounded = round_down_to_page(address + PAGE_SIZE - 1);
    return true;
}

static bool ranges_overlap(uint64_t first_start, uint64_t first_end, uint64_t second_start, uint64_t second_end)
{
    return first_start < second_end && second_start < first_end;
}

/* [start, end) is non-empty, canonical and outside the hypervisor's slots. */
static bool is_guest_owned_range(uint64_t start, uint64_t end)
{
    if (start >= end)
        return false;
    return end <= LOWER_HALF_END || start >= HYPERVISOR_SLOTS_END;
}

static bool note_was_seen(const struct note_findings *findings, uint32_t type)
{
    return (findings->types_seen & 1U << type) != 0;
}

static int check_elf_header(const struct image *image)
{
    const uint8_t *header = image->bytes;

    if (image->size < ELF_HEADER_SIZE || memcmp(header, "\177ELF", 4) != 0)
        return -XEN_EINVAL;
    if (header[ELF_IDENT_CLASS] != ELF_CLASS_64 || header[ELF_IDENT_DATA] != ELF_DATA_LITTLE_ENDIAN ||
        header[ELF_IDENT_VERSION] != ELF_VERSION_CURRENT)
        return -XEN_EINVAL;
    if (read_little_endian(header + ELF_TYPE, 2) != ELF_TYPE_EXECUTABLE ||
        read_little_endian(header + ELF_MACHINE, 2) != ELF_MACHINE_X86_64)
        return -XEN_EINVAL;
    if (read_little_endian(header + ELF_PROGRAM_HEADER_ENTRY_SIZE, 2) != PROGRAM_HEADER_SIZE)
        return -XEN_EINVAL;

    uint64_t table_offset = read_little_endian(header + ELF_PROGRAM_HEADER_OFFSET, 8);
    uint64_t count = read_little_endian(header + ELF_PROGRAM_HEADER_COUNT, 2);

    if (count == 0 || !is_inside(table_offset, count * PROGRAM_HEADER_SIZE, image->size))
        return -XEN_EINVAL;
    return 0;
}

static unsigned int program_header_count(const struct image *image)
{
    return (unsigned int) read_little_endian(image->bytes + ELF_PROGRAM_HEADER_COUNT, 2);
}

/* Reads program header `index`; check_elf_header has placed the table inside the image. */
static struct program_header read_program_header(const struct image *image, unsigned int index)
{
    uint64_t table_offset = read_little_endian(image->bytes + ELF_PROGRAM_HEADER_OFFSET, 8);
    const uint8_t *entry = image->bytes + table_offset + (uint64_t) index * PROGRAM_HEADER_SIZE;

    return (struct program_header) {
        .type = (uint32_t) read_little_endian(entry + PROGRAM_HEADER_TYPE, 4),
        .flags = (uint32_t) read_little_endian(entry + PROGRAM_HEADER_FLAGS, 4),
        .offset = read_little_endian(entry + PROGRAM_HEADER_OFFSET, 8),
        .physical_address = read_little_endian(entry + PROGRAM_HEADER_PHYSICAL_ADDRESS, 8),
        .file_size = read_little_endian(entry + PROGRAM_HEADER_FILE_SIZE, 8),
        .memory_size = read_little_endian(entry + PROGRAM_HEADER_MEMORY_SIZE, 8),
    };
}

static bool is_loadable(const struct program_header *header)
{
    return header->type == SEGMENT_LOAD && (header->flags & SEGMENT_PERMISSIONS) != 0;
}

/* A numeric note is 4 or 8 little-endian bytes. */
static int read_numeric_note(const uint8_t *descriptor, uint32_t size, uint64_t *value)
{
    if (size != 4 && size != 8)
        return -XEN_EINVAL;
    *value = read_little_endian(descriptor, size);
    return 0;
}

/* A string note ends at its first NUL, or with its descriptor: Linux
 * writes its FEATURES note with .ascii, unterminated (Xen's libelf reads
 * it up to the NUL of the note's padding).  The length excludes the NUL. */
static uint32_t string_note_length(const uint8_t *descriptor, uint32_t size)
{
    uint32_t length = 0;

    while (length < size && descriptor[length] != '\0')
        length++;
    return length;
}

/* Copies a string note into a field of struct pv_kernel, truncating it as Xen does. */
static int copy_string_note(const uint8_t *descriptor, uint32_t size, char *field, size_t field_size)
{
    uint32_t length = string_note_length(descriptor, size);
    size_t copied = length < field_size - 1 ? length : field_size - 1;

    memcpy(field, descriptor, copied);
    field[copied] = '\0';
    return 0;
}

/* The XENFEAT_* number of a feature name, or -1 if the name is unknown. */
static int feature_number(const uint8_t *name, uint32_t length)
{
    for (int feature = 0; feature < 32; feature++) {
        const char *known = feature_names[feature];

        if (known != NULL && strlen(known) == length && memcmp(known, name, length) == 0)
            return feature;
    }
    return -1;
}

static void add_feature(const uint8_t *name, uint32_t length, struct pv_kernel *kernel,
                        struct note_findings *findings)
{
    bool required = length > 0 && name[0] == REQUIRED_FEATURE_MARK;

    if (required) {
        name++;
        length--;
    }

    int feature = feature_number(name, length);

    if (feature < 0) {
        findings->requires_unknown_feature |= required;
        return;
    }
    kernel->features_supported |= 1U << feature;
    if (required)
        kernel->features_required |= 1U << feature;
}

static int read_features_note(const uint8_t *descriptor, uint32_t size, struct pv_kernel *kernel,
                              struct note_findings *findings)
{
    uint32_t length = string_note_length(descriptor, size);
    uint32_t name_start = 0;

    for (uint32_t index = 0; index <= length; index++) {
        if (index == length || descriptor[index] == FEATURE_SEPARATOR) {
            add_feature(descriptor + name_start, index - name_start, kernel, findings);
            name_start = index + 1;
        }
    }
    return 0;
}

/* SUPPORTED_FEATURES is an array of 32-bit submaps; pvmon knows submap 0 only. */
static int read_supported_features_note(const uint8_t *descriptor, uint32_t size, struct pv_kernel *kernel)
{
    if (size == 0 || size % 4 != 0)
        return -XEN_EINVAL;
    kernel->features_supported |= (uint32_t) read_little_endian(descriptor, 4);
    return 0;
}

static int read_module_start_pfn_note(const uint8_t *descriptor, uint32_t size, struct pv_kernel *kernel)
{
    uint64_t value;
    int result = read_numeric_note(descriptor, size, &value);

    if (result != 0)
        return result;
    kernel->mod_start_pfn = value != 0;
    return 0;
}

static int read_xen_note(uint32_t type, const uint8_t *descriptor, uint32_t size, struct pv_kernel *kernel,
                         struct note_findings *findings)
{
    switch (type) {
    case XEN_ELFNOTE_ENTRY:
        return read_numeric_note(descriptor, size, &kernel->entry);
    case XEN_ELFNOTE_HYPERCALL_PAGE:
        return read_numeric_note(descriptor, size, &kernel->hypercall_page);
    case XEN_ELFNOTE_VIRT_BASE:
        return read_numeric_note(descriptor, size, &kernel->virtual_base);
    case XEN_ELFNOTE_PADDR_OFFSET:
        return read_numeric_note(descriptor, size, &kernel->physical_offset);
    case XEN_ELFNOTE_INIT_P2M:
        return read_numeric_note(descriptor, size, &kernel->init_p2m);
    case XEN_ELFNOTE_HV_START_LOW:
        return read_numeric_note(descriptor, size, &findings->hv_start_low);
    case XEN_ELFNOTE_MOD_START_PFN:
        return read_module_start_pfn_note(descriptor, size, kernel);
    case XEN_ELFNOTE_SUPPORTED_FEATURES:
        return read_supported_features_note(descriptor, size, kernel);
    case XEN_ELFNOTE_FEATURES:
        return read_features_note(descriptor, size, kernel, findings);
    case XEN_ELFNOTE_GUEST_OS:
        return copy_string_note(descriptor, size, kernel->guest_os, sizeof(kernel->guest_os));
    case XEN_ELFNOTE_XEN_VERSION:
        return copy_string_note(descriptor, size, kernel->xen_version, sizeof(kernel->xen_version));
    case XEN_ELFNOTE_LOADER:
        return copy_string_note(descriptor, size, kernel->loader, sizeof(kernel->loader));
    default:
        return 0;
    }
}

static bool is_xen_note(const uint8_t *name, uint64_t name_size)
{
    return name_size == sizeof(XEN_NOTE_NAME) && memcmp(name, XEN_NOTE_NAME, sizeof(XEN_NOTE_NAME)) == 0;
}

static uint64_t round_up_to_note_alignment(uint64_t size)
{
    return (size + NOTE_ALIGNMENT - 1) & ~(uint64_t) (NOTE_ALIGNMENT - 1);
}

/*
 * Reads every note of one PT_NOTE segment.  Each note's header, name and
 * descriptor must lie inside the segment; only the padding after the last
 * descriptor may be missing.
 */
static int read_note_segment(const struct image *image, const struct program_header *header,
                             struct pv_kernel *kernel, struct note_findings *findings)
{
    if (!is_inside(header->offset, header->file_size, image->size))
        return -XEN_EINVAL;

    const uint8_t *notes = image->bytes + header->offset;
    uint64_t offset = 0;

    while (offset < header->file_size) {
        const uint8_t *note = notes + offset;
        uint64_t remaining = header->file_size - offset;

        if (remaining < NOTE_HEADER_SIZE)
            return -XEN_EINVAL;

        uint64_t name_size = read_little_endian(note + NOTE_NAME_SIZE, 4);
        uint64_t descriptor_size = read_little_endian(note + NOTE_DESCRIPTOR_SIZE, 4);
        uint32_t type = (uint32_t) read_little_endian(note + NOTE_TYPE, 4);
        uint64_t descriptor_offset = NOTE_HEADER_SIZE + round_up_to_note_alignment(name_size);

        if (!is_inside(descriptor_offset, descriptor_size, remaining))
            return -XEN_EINVAL;
        if (is_xen_note(note + NOTE_HEADER_SIZE, name_size)) {
            int result = read_xen_note(type, note + descriptor_offset, (uint32_t) descriptor_size, kernel, findings);

            if (result != 0)
                return result;
            if (type < 32)
                findings->types_seen |= 1U << type;
        }

        uint64_t note_size = descriptor_offset + round_up_to_note_alignment(descriptor_size);

        offset += note_size < remaining ? note_size : remaining;
    }
    return 0;
}

static int read_notes(const struct image *image, struct pv_kernel *kernel, struct note_findings *findings)
{
    for (unsigned int index = 0; index < program_header_count(image); index++) {
        struct program_header header = read_program_header(image, index);

        if (header.type != SEGMENT_NOTE)
            continue;

        int result = read_note_segment(image, &header, kernel, findings);

        if (result != 0)
            return result;
    }
    return 0;
}

/* The rules on the notes themselves, and the defaults for absent ones. */
static int check_notes(const struct image *image, struct pv_kernel *kernel, const struct note_findings *findings)
{
    if (!note_was_seen(findings, XEN_ELFNOTE_GUEST_OS))
        return -XEN_EINVAL; /* not a Xen PV kernel */
    if (note_was_seen(findings, XEN_ELFNOTE_XEN_VERSION) &&
        strncmp(kernel->xen_version, SUPPORTED_XEN_VERSION, sizeof(SUPPORTED_XEN_VERSION) - 1) != 0)
        return -XEN_EINVAL;
    if (note_was_seen(findings, XEN_ELFNOTE_PADDR_OFFSET) && !note_was_seen(findings, XEN_ELFNOTE_VIRT_BASE))
        return -XEN_EINVAL;
    if (!is_page_aligned(kernel->virtual_base))
        return -XEN_EINVAL;
    if (note_was_seen(findings, XEN_ELFNOTE_HV_START_LOW) && findings->hv_start_low > HYPERVISOR_SLOTS_START)
        return -XEN_EINVAL;
    if ((note_was_seen(findings, XEN_ELFNOTE_HYPERCALL_PAGE) && kernel->hypercall_page == 0) ||
        (note_was_seen(findings, XEN_ELFNOTE_INIT_P2M) && kernel->init_p2m == 0))
        return -XEN_EINVAL;
    if (!note_was_seen(findings, XEN_ELFNOTE_ENTRY))
        kernel->entry = read_little_endian(image->bytes + ELF_ENTRY, 8);
    return 0;
}

/* Places one loadable segment: virtual address = VIRT_BASE + (p_paddr - PADDR_OFFSET). */
static int add_segment(const struct image *image, const struct program_header *header, struct pv_kernel *kernel)
{
    if (kernel->segment_count == PV_KERNEL_MAX_SEGMENTS)
        return -XEN_EINVAL;
    if (!is_inside(header->offset, header->file_size, image->size) || header->file_size > header->memory_size)
        return -XEN_EINVAL;
    if (header->physical_address < kernel->physical_offset)
        return -XEN_EINVAL;

    uint64_t offset_from_base = header->physical_address - kernel->physical_offset;

    if (offset_from_base > UINT64_MAX - kernel->virtual_base)
        return -XEN_EINVAL;

    uint64_t virtual_address = kernel->virtual_base + offset_from_base;

    if (header->memory_size > UINT64_MAX - virtual_address)
        return -XEN_EINVAL;
    kernel->segments[kernel->segment_count++] = (struct pv_kernel_segment) {
        .file_offset = header->offset,
        .file_size = header->file_size,
        .memory_size = header->memory_size,
        .virtual_address = virtual_address,
        .flags = header->flags & SEGMENT_PERMISSIONS,
    };
    return 0;
}

static int read_segments(const struct image *image, struct pv_kernel *kernel)
{
    for (unsigned int index = 0; index < program_header_count(image); index++) {
        struct program_header header = read_program_header(image, index);

        if (!is_loadable(&header))
            continue;

        int result = add_segment(image, &header, kernel);

        if (result != 0)
            return result;
    }
    return kernel->segment_count == 0 ? -XEN_EINVAL : 0;
}

static uint64_t segment_end(const struct pv_kernel_segment *segment)
{
    return segment->virtual_address + segment->memory_size;
}

static bool segments_overlap(const struct pv_kernel *kernel)
{
    for (unsigned int first = 0; first < kernel->segment_count; first++) {
        for (unsigned int second = first + 1; second < kernel->segment_count; second++) {
            const struct pv_kernel_segment *one = &kernel->segments[first];
            const struct pv_kernel_segment *other = &kernel->segments[second];

            if (ranges_overlap(one->virtual_address, segment_end(one), other->virtual_address, segment_end(other)))
                return true;
        }
    }
    return false;
}

/* Sets [virtual_start, virtual_end) to the page-rounded extent of all segments. */
static int compute_extent(struct pv_kernel *kernel)
{
    uint64_t lowest = UINT64_MAX;
    uint64_t highest = 0;

    for (unsigned int index = 0; index < kernel->segment_count; index++) {
        const struct pv_kernel_segment *segment = &kernel->segments[index];

        if (segment->virtual_address < lowest)
            lowest = segment->virtual_address;
        if (segment_end(segment) > highest)
            highest = segment_end(segment);
    }
    kernel->virtual_start = round_down_to_page(lowest);
    if (!round_up_to_page(highest, &kernel->virtual_end))
        return -XEN_EINVAL;
    return 0;
}

static bool entry_is_executable(const struct pv_kernel *kernel)
{
    for (unsigned int index = 0; index < kernel->segment_count; index++) {
        const struct pv_kernel_segment *segment = &kernel->segments[index];

        if ((segment->flags & PV_KERNEL_SEGMENT_EXECUTABLE) != 0 && kernel->entry >= segment->virtual_address &&
            kernel->entry < segment_end(segment))
            return true;
    }
    return false;
}

static bool is_in_extent(const struct pv_kernel *kernel, uint64_t address)
{
    return address >= kernel->virtual_start && address < kernel->virtual_end;
}

/* The rules on where the segments, the entry point and the pages named by notes lie. */
static int check_placement(struct pv_kernel *kernel)
{
    if (segments_overlap(kernel) || compute_extent(kernel) != 0)
        return -XEN_EINVAL;
    if (!is_guest_owned_range(kernel->virtual_start, kernel->virtual_end))
        return -XEN_EINVAL;
    if (!entry_is_executable(kernel))
        return -XEN_EINVAL;
    if (kernel->hypercall_page != 0 &&
        (!is_page_aligned(kernel->hypercall_page) || !is_in_extent(kernel, kernel->hypercall_page)))
        return -XEN_EINVAL;
    if (kernel->init_p2m != 0 && is_in_extent(kernel, kernel->init_p2m))
        return -XEN_EINVAL;
    return 0;
}

static int check_required_features(const struct pv_kernel *kernel, const struct note_findings *findings)
{
    if (findings->requires_unknown_feature || (kernel->features_required & ~honoured_requirements) != 0)
        return -XEN_EOPNOTSUPP;
    return 0;
}

int pv_kernel_parse(const void *image_bytes, uint64_t image_size, struct pv_kernel *kernel)
{
    struct image image = { .bytes = image_bytes, .size = image_size };
    struct note_findings findings = { 0 };
    int result;

    memset(kernel, 0, sizeof(*kernel));
    result = check_elf_header(&image);
    if (result == 0)
        result = read_notes(&image, kernel, &findings);
    if (result == 0)
        result = check_notes(&image, kernel, &findings);
    if (result == 0)
        result = read_segments(&image, kernel);
    if (result == 0)
        result = check_placement(kernel);
    if (result == 0)
        result = check_required_features(kernel, &findings);
    return result;
}
