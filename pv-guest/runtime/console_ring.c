/*
 * The guest's side of the console ring (see console_ring.h): it reads the
 * in half and writes the out half.
 */
#include <xen/errno.h>
#include "console_ring.h"

#define OUT_RING_SIZE ((XENCONS_RING_IDX)sizeof(((struct xencons_interface *)0)->out))
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

void console_ring_writer_start(struct console_ring_writer *writer, struct xencons_interface *ring)
{
    *writer = (struct console_ring_writer) { .ring = ring };
    writer->producer = __atomic_load_n(&ring->out_prod, __ATOMIC_RELAXED);
}

long console_ring_put_output(struct console_ring_writer *writer, const char *bytes, uint32_t length)
{
    struct xencons_interface *ring = writer->ring;
    XENCONS_RING_IDX consumer, unread;
    uint32_t written = 0;

    if (writer->broken)
        return -XEN_EIO;
    consumer = __atomic_load_n(&ring->out_cons, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    unread = writer->producer - consumer;
    if (unread > OUT_RING_SIZE) {
        writer->broken = true;
        return -XEN_EIO;
    }
    while (written < length && unread + written < OUT_RING_SIZE) {
        ring->out[MASK_XENCONS_IDX(writer->producer + written, ring->out)] = bytes[written];
        written++;
    }
    writer->producer += written;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&ring->out_prod, writer->producer, __ATOMIC_RELEASE);
    return written;
}
