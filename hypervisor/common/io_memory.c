/*
 * I/O memory permissions (see pvmon/io_memory.h): dom0's ranges, made by
 * taking frames out of one range, and the lookup a page-table update
 * asks for every entry naming a frame that is not RAM.
 */
#include <pvmon/errno.h>
#include <pvmon/io_memory.h>

#define PAGE_SHIFT_BITS 12
#define MAXIMUM_ADDRESS_BITS 52

/* Takes [first, last] out of every range; -ENOSPC if a split does not fit. */
static int io_memory_remove(struct io_memory *io, uint64_t first, uint64_t last)
{
    unsigned int index = 0;

    while (index < io->count) {
        struct io_memory_range *range = &io->ranges[index];

        if (range->last < first || range->first > last) {
            index++;
            continue;
        }
        if (range->first < first && range->last > last) {
            if (io->count == IO_MEMORY_MAX_RANGES)
                return -XEN_ENOSPC;
            for (unsigned int moved = io->count; moved > index + 1; moved--)
                io->ranges[moved] = io->ranges[moved - 1];
            io->ranges[index + 1] = (struct io_memory_range) { .first = last + 1, .last = range->last };
            range->last = first - 1;
            io->count++;
            return 0;
        }
        if (range->first >= first && range->last <= last) {
            for (unsigned int moved = index; moved + 1 < io->count; moved++)
                io->ranges[moved] = io->ranges[moved + 1];
            io->count--;
            continue;
        }
        if (range->first < first)
            range->last = first - 1;
        else
            range->first = last + 1;
        index++;
    }
    return 0;
}

static bool region_is_io(const struct memory_region *region)
{
    return region->type == MEMORY_RESERVED;
}

static int remove_memory_map(struct io_memory *io, const struct memory_map *map)
{
    for (unsigned int index = 0; index < map->count; index++) {
        const struct memory_region *region = &map->regions[index];
        int error;

        if (region_is_io(region) || region->end <= region->start)
            continue;
        error = io_memory_remove(io, region->start >> PAGE_SHIFT_BITS, (region->end - 1) >> PAGE_SHIFT_BITS);
        if (error)
            return error;
    }
    return 0;
}

int io_memory_init_dom0(struct io_memory *io, const struct memory_map *map, unsigned int address_bits,
                        const uint64_t *kept_frames, unsigned int kept_count)
{
    int error;

    io->count = 0;
    if (address_bits <= PAGE_SHIFT_BITS || address_bits > MAXIMUM_ADDRESS_BITS)
        return -XEN_EINVAL;
    io->ranges[0] = (struct io_memory_range) {
        .first = IO_MEMORY_FIRST_FRAME,
        .last = (UINT64_C(1) << (address_bits - PAGE_SHIFT_BITS)) - 1,
    };
    io->count = 1;
    error = io_memory_remove(io, IO_MEMORY_INVALID_FRAME, IO_MEMORY_INVALID_FRAME);
    if (error == 0)
        error = remove_memory_map(io, map);
    for (unsigned int index = 0; error == 0 && index < kept_count; index++)
        error = io_memory_remove(io, kept_frames[index], kept_frames[index]);
    if (error)
        io->count = 0;
    return error;
}

bool io_memory_permits(const struct io_memory *io, uint64_t frame)
{
    unsigned int low = 0;
    unsigned int high = io->count;

    while (low < high) {
        unsigned int middle = low + (high - low) / 2;

        if (frame < io->ranges[middle].first)
            high = middle;
        else if (frame > io->ranges[middle].last)
            low = middle + 1;
        else
            return true;
    }
    return false;
}
