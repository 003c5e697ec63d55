/*
 * The guest's side of the console ring's in half (see console_ring.h).
 */
#include <xen/errno.h>
#include "console_ring.h"

#define IN_RING_SIZE ((XENCONS_RING_IDX)sizeof(((struct xencons_interface *)0)->in))

long console_ring_take_input(struct console_ring_reader *reader, char *buffer, uint32_t size)
{
    struct xencons_interface *ring = reader->ring;
    XENCONS_RING_IDX consumer, producer;
    uint32_t taken = 0;

    if (reader->broken)
        return -XEN_EIO;
    consumer = __atomic_load_n(&ring->in_cons, __ATOMIC_RELAXED);
    producer = __atomic_load_n(&ring->in_prod, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (producer - consumer > IN_RING_SIZE) {
        reader->broken = true;
        return -XEN_EIO;
    }
    while (consumer != producer && taken < size)
        buffer[taken++] = ring->in[MASK_XENCONS_IDX(consumer++, ring->in)];
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&ring->in_cons, consumer, __ATOMIC_RELEASE);
    return taken;
}
