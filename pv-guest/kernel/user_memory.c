/*
 * User memory (see user_memory.h).  The demand-zero areas of a process are
 * its anonymous mappings (regions, kept sorted by address) and its stack
 * area; the program's own segments were loaded whole by exec and never
 * fault.
 */
#include <stdint.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include "direct_map.h"
#include "frame_pool.h"
#include "mmu_batch.h"
#include "user_memory.h"

#define PAGE_FAULT_PRESENT 0x1u
#define PAGE_FAULT_WRITE 0x2u

static uint64_t page_of(uint64_t address)
{
    return address & ~(PAGE_SIZE - 1);
}

static bool in_stack_area(uint64_t address)
{
    return address >= USER_STACK_TOP - USER_STACK_SIZE && address < USER_STACK_TOP;
}

static bool in_demand_zero_area(const struct process *process, uint64_t address)
{
    if (in_stack_area(address))
        return true;
    for (unsigned int index = 0; index < process->region_count; index++) {
        if (address >= process->regions[index].start && address < process->regions[index].end)
            return true;
    }
    return false;
}

/* Backs the page at address with a zeroed page, counted in the process's usage. */
static int demand_zero(struct process *process, uint64_t address)
{
    struct process_statistics *statistics = process_statistics();
    enum frame_origin origin;
    uint64_t pfn;
    int error = frame_allocate(FRAME_ZEROED_USER, &pfn, &origin);

    if (error != 0)
        return error;
    error = address_space_map(&process->space, page_of(address), pfn, USER_PAGE_WRITABLE);
    if (error == 0)
        error = mmu_batch_submit();
    if (error != 0) {
        frame_free(pfn);
        return error;
    }
    process->usage.demand_zero_faults++;
    statistics->demand_zero_faults++;
    if (origin == FRAME_WAS_KNOWN_ZERO) {
        process->usage.known_zero_pages++;
        statistics->known_zero_pages++;
    } else {
        process->usage.cleared_pages++;
        statistics->cleared_pages++;
    }
    return 0;
}

int user_memory_fault(struct process *process, uint64_t address, uint64_t error_code)
{
    if ((error_code & PAGE_FAULT_PRESENT) != 0 || !in_demand_zero_area(process, address))
        return -XEN_EFAULT;
    return demand_zero(process, address);
}

/* The kernel's address of the user byte at address, faulting a demand-zero page in if needed. */
static int user_page(struct process *process, uint64_t address, bool write, uint8_t **kernel_address)
{
    unsigned int permissions;
    uint64_t pfn;
    int error;

    if (!address_space_lookup(&process->space, page_of(address), &pfn, &permissions)) {
        if (!in_demand_zero_area(process, address))
            return -XEN_EFAULT;
        if ((error = demand_zero(process, address)) != 0)
            return error;
        if (!address_space_lookup(&process->space, page_of(address), &pfn, &permissions))
            return -XEN_EFAULT;
    }
    if (write && (permissions & USER_PAGE_WRITABLE) == 0)
        return -XEN_EFAULT;
    if ((error = frame_map_in_kernel(pfn)) != 0)
        return error;
    *kernel_address = (uint8_t *)direct_map_page(pfn) + (address - page_of(address));
    return 0;
}

/* Copies page by page in either direction. */
static int copy_user(struct process *process, uint64_t user_address, uint8_t *kernel, uint64_t length, bool to_user)
{
    uint8_t *mapped;
    int error;

    if (user_address + length < user_address)
        return -XEN_EFAULT;
    while (length > 0) {
        uint64_t chunk = PAGE_SIZE - (user_address - page_of(user_address));

        if (chunk > length)
            chunk = length;
        if ((error = user_page(process, user_address, to_user, &mapped)) != 0)
            return error;
        if (to_user)
            memcpy(mapped, kernel, chunk);
        else
            memcpy(kernel, mapped, chunk);
        user_address += chunk;
        kernel += chunk;
        length -= chunk;
    }
    return 0;
}

int copy_from_user(struct process *process, void *destination, uint64_t source, uint64_t length)
{
    return copy_user(process, source, destination, length, false);
}

int copy_to_user(struct process *process, uint64_t destination, const void *source, uint64_t length)
{
    return copy_user(process, destination, (uint8_t *)source, length, true);
}

int copy_string_from_user(struct process *process, char *destination, uint64_t source, size_t size)
{
    int error;

    for (size_t index = 0; index < size; index++) {
        if ((error = copy_from_user(process, &destination[index], source + index, 1)) != 0)
            return error;
        if (destination[index] == '\0')
            return 0;
    }
    destination[size - 1] = '\0';
    return -XEN_ENAMETOOLONG;
}

/* --- anonymous mappings ----------------------------------------------------- */

static uint64_t round_up_to_page(uint64_t length)
{
    return (length + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

long user_memory_map(struct process *process, uint64_t length)
{
    uint64_t size = round_up_to_page(length), start = USER_MMAP_BASE;
    unsigned int slot = 0;

    if (length == 0 || size < length || size > USER_MMAP_END - USER_MMAP_BASE)
        return -XEN_EINVAL;
    if (process->region_count == PROCESS_MAX_REGIONS)
        return -XEN_ENOMEM;
    while (slot < process->region_count && process->regions[slot].start - start < size) {
        start = process->regions[slot].end;
        slot++;
    }
    if (USER_MMAP_END - start < size)
        return -XEN_ENOMEM;
    memmove(&process->regions[slot + 1], &process->regions[slot],
            (process->region_count - slot) * sizeof(process->regions[0]));
    process->regions[slot] = (struct memory_region) { .start = start, .end = start + size };
    process->region_count++;
    return (long)start;
}

long user_memory_unmap(struct process *process, uint64_t address, uint64_t length)
{
    uint64_t freed;
    int error;

    for (unsigned int slot = 0; slot < process->region_count; slot++) {
        struct memory_region region = process->regions[slot];

        if (region.start != address)
            continue;
        if (round_up_to_page(length) != region.end - region.start)
            return -XEN_EINVAL;
        error = address_space_unmap_range(&process->space, region.start, region.end, &freed);
        memmove(&process->regions[slot], &process->regions[slot + 1],
                (process->region_count - slot - 1) * sizeof(process->regions[0]));
        process->region_count--;
        return error;
    }
    return -XEN_EINVAL;
}
