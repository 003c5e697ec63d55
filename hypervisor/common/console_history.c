/*
 * The hypervisor's console history (see pvmon/console_history.h): a ring
 * of the last CONSOLE_HISTORY_SIZE bytes with Xen's free-running indices
 * (xen/drivers/char/console.c: conring_puts, read_console_ring).
 */
#include <pvmon/console_history.h>

_Static_assert((CONSOLE_HISTORY_SIZE & (CONSOLE_HISTORY_SIZE - 1)) == 0, "the history's size is a power of two");

static uint32_t place(uint32_t index)
{
    return index & (CONSOLE_HISTORY_SIZE - 1);
}

void console_history_write(struct console_history *history, const char *text, size_t length)
{
    for (size_t offset = 0; offset < length; offset++)
        history->bytes[place(history->producer++)] = text[offset];
    if (history->producer - history->consumer > CONSOLE_HISTORY_SIZE)
        history->consumer = history->producer - CONSOLE_HISTORY_SIZE;
}

/* Whether index lies in (consumer, producer], the unread bytes a reader
 * may resume from (Xen's test, which also holds across the wrap of the
 * 32-bit indices). */
static bool is_resumable(const struct console_history *history, uint32_t index)
{
    uint32_t consumer = history->consumer;
    uint32_t producer = history->producer;

    if (consumer <= producer)
        return consumer < index && index <= producer;
    return consumer < index || index <= producer;
}

int console_history_read(struct console_history *history, struct console_history_read *read,
                         console_history_copy copy, void *context)
{
    uint32_t next = history->consumer;
    uint32_t producer = history->producer;
    uint32_t copied = 0;

    if (read->incremental && is_resumable(history, read->index))
        next = read->index;
    while (next != producer && copied < read->count) {
        uint32_t length = producer - next;
        int error;

        if (place(next) + length > CONSOLE_HISTORY_SIZE)
            length = CONSOLE_HISTORY_SIZE - place(next);
        if (length > read->count - copied)
            length = read->count - copied;
        error = copy(context, copied, &history->bytes[place(next)], length);
        if (error)
            return error;
        copied += length;
        next += length;
    }
    if (read->clear)
        history->consumer = next;
    read->count = copied;
    read->index = next;
    return 0;
}
