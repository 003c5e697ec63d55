/*
 * The guest's side of the in half of its console ring (xen/io/console.h,
 * struct xencons_interface), as Linux's hvc_xen domU_read_console reads
 * it: in_cons and in_prod read once, then a full barrier; the bytes
 * through the masked index; a full barrier; in_cons written.  The ring is
 * dom0's to fill and its producer index is distrusted: one more than a
 * ring ahead of the consumer marks the ring broken (-EIO from then on,
 * where hvc_xen would BUG).  Pure: compiled into every guest kernel and
 * the host unit tests.
 *
 * The out half as hvc_xen's domU_write_console writes it: out_cons and
 * out_prod read once, then a full barrier; as many bytes as there is room
 * for, through the masked index; a write barrier; out_prod written.  The
 * guest is the out ring's producer, so it keeps its own producer index
 * (taken from the ring when the writer starts); a consumer index that
 * claims more than a ring of unread bytes marks the writer broken.
 */
#ifndef PV_RUNTIME_CONSOLE_RING_H
#define PV_RUNTIME_CONSOLE_RING_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/io/console.h>

struct console_ring_reader {
    struct xencons_interface *ring;
    bool broken;
};

/* Takes up to size bytes: how many (then the backend should be notified),
 * or -XEN_EIO for a broken ring. */
long console_ring_take_input(struct console_ring_reader *reader, char *buffer, uint32_t size);

struct console_ring_writer {
    struct xencons_interface *ring;
    XENCONS_RING_IDX producer;
    bool broken;
};

/* A writer for the ring, its producer index taken from the ring. */
void console_ring_writer_start(struct console_ring_writer *writer, struct xencons_interface *ring);

/* Puts up to length bytes in the out ring: how many (then the backend
 * should be notified), or -XEN_EIO for a broken ring. */
long console_ring_put_output(struct console_ring_writer *writer, const char *bytes, uint32_t length);

#endif
