/*
 * The guest's side of the in half of its console ring (xen/io/console.h,
 * struct xencons_interface), as Linux's hvc_xen domU_read_console reads
 * it: in_cons and in_prod read once, then a full barrier; the bytes
 * through the masked index; a full barrier; in_cons written.  The ring is
 * dom0's to fill and its producer index is distrusted: one more than a
 * ring ahead of the consumer marks the ring broken (-EIO from then on,
 * where hvc_xen would BUG).  Pure: compiled into every guest kernel and
 * the host unit tests.
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

#endif
