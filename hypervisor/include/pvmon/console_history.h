/*
 * The hypervisor's console history (common/console_history.c): the last
 * CONSOLE_HISTORY_SIZE bytes of its console output, which dom0 reads for
 * `xl dmesg` (Xen's conring, xen/drivers/char/console.c: conring_puts,
 * read_console_ring).
 *
 * Rules kept (Xen's):
 *   - The size is a power of two; producer and consumer are free-running
 *     32-bit indices, a byte's place is its index modulo the size.
 *   - Writing never fails: once more than the size is unread, the oldest
 *     bytes are dropped (the consumer moves up to producer - size).
 *   - A read starts at the consumer, or at the reader's index when it
 *     asks for it (incremental) and that index lies in (consumer,
 *     producer]; it copies at most the reader's count, in at most two
 *     pieces (the ring's wrap), and returns the index it stopped at.
 *     With clear, the consumer moves to where the read stopped, so that
 *     the bytes read are not read again (`xl dmesg -c`).
 * Pure: the copy into the reader's memory is the caller's callback
 * (kernel/domain_control.c's read_console copies into dom0's buffer), so
 * the host unit tests compile it.
 */
#ifndef PVMON_CONSOLE_HISTORY_H
#define PVMON_CONSOLE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <public/domain_control.h>

#define CONSOLE_HISTORY_SIZE (32u * 1024) /* Xen's default is 16 KiB */
_Static_assert(CONSOLE_HISTORY_SIZE == PVMON_CONSOLE_HISTORY_BYTES, "the size domain_control.h tells dom0");

struct console_history {
    char bytes[CONSOLE_HISTORY_SIZE];
    uint32_t consumer; /* the oldest byte kept */
    uint32_t producer; /* where the next byte goes */
};

struct console_history_read {
    uint32_t index;    /* in: where to start, if incremental; out: where the read stopped */
    uint32_t count;    /* in: room in the reader's buffer; out: bytes copied */
    bool incremental;
    bool clear;
};

/* Copies length bytes to offset of the reader's buffer: 0 or a negative
 * Xen errno value, which ends the read. */
typedef int (*console_history_copy)(void *context, uint32_t offset, const char *bytes, uint32_t length);

/* The hypervisor's own (kernel/printk.c records into it). */
extern struct console_history hypervisor_console_history;

void console_history_write(struct console_history *history, const char *text, size_t length);
/* 0, or the copy's error (then nothing is cleared and read is unchanged). */
int console_history_read(struct console_history *history, struct console_history_read *read,
                         console_history_copy copy, void *context);

#endif
