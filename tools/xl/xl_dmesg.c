/*
 * `xl dmesg`'s reading loop (see xl_dmesg.h): incremental reads of the
 * hypervisor's console history, each chunk handed to the writer, bounded
 * by XL_DMESG_MAX_BYTES.  Pure: compiled into dom0's kernel and the host
 * unit tests.
 */
#include "xl_dmesg.h"

int xl_dmesg_copy(xl_dmesg_reader read, xl_dmesg_writer write, void *context, bool clear)
{
    char chunk[XL_DMESG_CHUNK_BYTES];
    uint32_t index = 0;
    bool incremental = false;

    for (uint32_t shown = 0; shown < XL_DMESG_MAX_BYTES;) {
        uint32_t count = sizeof(chunk);
        int error = read(context, chunk, &count, &index, incremental, clear);

        if (error)
            return error;
        if (count == 0)
            return 0;
        if (count > sizeof(chunk))
            count = sizeof(chunk);
        error = write(context, chunk, count);
        if (error)
            return error;
        shown += count;
        incremental = true;
    }
    return 0;
}
