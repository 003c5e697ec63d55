/*
 * The ELF64 program loader (see program_loader.h).  Fields are read by
 * offset with bounds checks (pvmon/elf.h gives the offsets), never by
 * casting the image to a structure.  Pages are filled, then mapped, then
 * the space is pinned: one validation pass by the hypervisor per exec.
 */
#include <stdint.h>
#include <pvmon/elf.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include "direct_map.h"
#include "frame_pool.h"
#include "mmu_batch.h"
#include "program_loader.h"

#define PROGRAM_HEADER_VIRTUAL_ADDRESS 16
#define SEGMENT_FLAG_EXECUTE 0x1u
#define SEGMENT_FLAG_WRITE 0x2u
#define MAX_PROGRAM_HEADERS 16
#define STACK_ALIGNMENT 16

struct segment {
    uint32_t flags;
    uint64_t offset;
    uint64_t virtual_address;
    uint64_t file_size;
    uint64_t memory_size;
};

static uint64_t round_up(uint64_t value, uint64_t alignment)
{
    return (value + alignment - 1) / alignment * alignment;
}

static uint64_t read_field(const uint8_t *image, uint64_t offset, unsigned int bytes)
{
    uint64_t value = 0;

    memcpy(&value, image + offset, bytes);
    return value;
}

int program_arguments_add(struct program_arguments *arguments, const char *text, uint64_t length)
{
    if (arguments->count == USER_MAX_ARGUMENTS || length + 1 > USER_MAX_ARGUMENT_BYTES - arguments->bytes_used)
        return -XEN_E2BIG;
    arguments->offsets[arguments->count++] = (uint16_t)arguments->bytes_used;
    memcpy(arguments->strings + arguments->bytes_used, text, length);
    arguments->strings[arguments->bytes_used + length] = '\0';
    arguments->bytes_used += length + 1;
    return 0;
}

static bool header_is_acceptable(const uint8_t *image, uint64_t size)
{
    static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };

    return size >= ELF_HEADER_SIZE && memcmp(image, magic, sizeof(magic)) == 0 &&
           image[ELF_IDENT_CLASS] == ELF_CLASS_64 && image[ELF_IDENT_DATA] == ELF_DATA_LITTLE_ENDIAN &&
           image[ELF_IDENT_VERSION] == ELF_VERSION_CURRENT &&
           read_field(image, ELF_TYPE, 2) == ELF_TYPE_EXECUTABLE &&
           read_field(image, ELF_MACHINE, 2) == ELF_MACHINE_X86_64 &&
           read_field(image, ELF_PROGRAM_HEADER_ENTRY_SIZE, 2) == PROGRAM_HEADER_SIZE;
}

static struct segment read_segment(const uint8_t *header)
{
    return (struct segment) {
        .flags = (uint32_t)read_field(header, PROGRAM_HEADER_FLAGS, 4),
        .offset = read_field(header, PROGRAM_HEADER_OFFSET, 8),
        .virtual_address = read_field(header, PROGRAM_HEADER_VIRTUAL_ADDRESS, 8),
        .file_size = read_field(header, PROGRAM_HEADER_FILE_SIZE, 8),
        .memory_size = read_field(header, PROGRAM_HEADER_MEMORY_SIZE, 8),
    };
}

/* The segment's rules (program_loader.h); lowest_next is where the next one may start. */
static bool segment_is_acceptable(const struct segment *segment, uint64_t image_size, uint64_t lowest_next)
{
    return segment->file_size <= segment->memory_size &&
           segment->virtual_address % PAGE_SIZE == 0 && segment->virtual_address >= lowest_next &&
           segment->virtual_address >= USER_PROGRAM_BASE && segment->virtual_address < USER_MMAP_BASE &&
           segment->memory_size <= USER_MMAP_BASE - segment->virtual_address &&
           segment->offset <= image_size && segment->file_size <= image_size - segment->offset;
}

static unsigned int segment_permissions(const struct segment *segment)
{
    return ((segment->flags & SEGMENT_FLAG_WRITE) ? USER_PAGE_WRITABLE : 0) |
           ((segment->flags & SEGMENT_FLAG_EXECUTE) ? USER_PAGE_EXECUTABLE : 0);
}

/* One page of a segment: file bytes where the segment has them, zero elsewhere. */
static int load_page(struct address_space *space, const uint8_t *image, const struct segment *segment, uint64_t va)
{
    uint64_t file_end = segment->virtual_address + segment->file_size;
    uint64_t copy_start = va, copy_end = va + PAGE_SIZE < file_end ? va + PAGE_SIZE : file_end;
    bool fully_covered = copy_end == va + PAGE_SIZE;
    uint64_t pfn;
    int error = frame_allocate(fully_covered ? FRAME_ANY : FRAME_ZEROED, &pfn, NULL);

    if (error != 0)
        return error;
    if (copy_end > copy_start)
        memcpy(direct_map_page(pfn), image + segment->offset + (copy_start - segment->virtual_address),
               copy_end - copy_start);
    error = address_space_map(space, va, pfn, segment_permissions(segment));
    if (error != 0)
        frame_free(pfn);
    return error;
}

static int load_segments(struct address_space *space, const uint8_t *image, uint64_t size, uint64_t entry)
{
    uint64_t header_offset = read_field(image, ELF_PROGRAM_HEADER_OFFSET, 8);
    uint64_t header_count = read_field(image, ELF_PROGRAM_HEADER_COUNT, 2);
    uint64_t lowest_next = 0;
    bool entry_is_executable = false;
    int error;

    if (header_count > MAX_PROGRAM_HEADERS || header_offset > size ||
        header_count * PROGRAM_HEADER_SIZE > size - header_offset)
        return -XEN_ENOEXEC;
    for (uint64_t index = 0; index < header_count; index++) {
        const uint8_t *header = image + header_offset + index * PROGRAM_HEADER_SIZE;
        struct segment segment = read_segment(header);

        if (read_field(header, PROGRAM_HEADER_TYPE, 4) != SEGMENT_LOAD || segment.memory_size == 0)
            continue;
        if (!segment_is_acceptable(&segment, size, lowest_next))
            return -XEN_ENOEXEC;
        lowest_next = round_up(segment.virtual_address + segment.memory_size, PAGE_SIZE);
        entry_is_executable |= (segment.flags & SEGMENT_FLAG_EXECUTE) != 0 && entry >= segment.virtual_address &&
                               entry - segment.virtual_address < segment.memory_size;
        for (uint64_t va = segment.virtual_address; va < lowest_next; va += PAGE_SIZE) {
            if ((error = load_page(space, image, &segment, va)) != 0)
                return error;
        }
    }
    return entry_is_executable ? 0 : -XEN_ENOEXEC;
}

/* The top stack page: argument strings at its end, the argv array below them. */
static int build_stack(struct address_space *space, const struct program_arguments *arguments,
                       struct program_start *start)
{
    uint64_t page_va = USER_STACK_TOP - PAGE_SIZE, pfn;
    uint64_t strings_offset = PAGE_SIZE - round_up(arguments->bytes_used, STACK_ALIGNMENT);
    uint64_t vector_offset = strings_offset - round_up((arguments->count + 1) * sizeof(uint64_t), STACK_ALIGNMENT);
    uint8_t *page;
    uint64_t *vector;
    int error = frame_allocate(FRAME_ZEROED, &pfn, NULL);

    if (error != 0)
        return error;
    page = direct_map_page(pfn);
    vector = (uint64_t *)(page + vector_offset);
    memcpy(page + strings_offset, arguments->strings, arguments->bytes_used);
    for (unsigned int index = 0; index < arguments->count; index++)
        vector[index] = page_va + strings_offset + arguments->offsets[index];
    vector[arguments->count] = 0;
    if ((error = address_space_map(space, page_va, pfn, USER_PAGE_WRITABLE)) != 0) {
        frame_free(pfn);
        return error;
    }
    start->stack_pointer = page_va + vector_offset;
    start->argument_count = arguments->count;
    start->argument_vector = page_va + vector_offset;
    return 0;
}

int program_load(const uint8_t *image, uint64_t size, const struct program_arguments *arguments,
                 struct address_space *space, struct program_start *start)
{
    int error;

    if (!header_is_acceptable(image, size))
        return -XEN_ENOEXEC;
    start->entry = read_field(image, ELF_ENTRY, 8);
    if ((error = address_space_create(space)) != 0)
        return error;
    error = load_segments(space, image, size, start->entry);
    if (error == 0)
        error = build_stack(space, arguments, start);
    if (error == 0) {
        address_space_activate(space);
        error = mmu_batch_submit();
    } else {
        mmu_batch_submit(); /* what was queued goes in, so that the half-built space can be torn down */
    }
    if (error != 0)
        address_space_destroy(space);
    return error;
}
