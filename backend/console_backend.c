/*
 * The console backend of one domU (see console_backend.h): it reads the
 * out ring byte by byte through the masked index and builds lines (or
 * hands the bytes on raw, in the ring's contiguous runs), and writes
 * input into the in ring.  Pure
 * (the sink is the caller's): compiled into dom0's kernel and the host
 * unit tests.
 */
#include <stddef.h>
#include "console_backend.h"

#define OUT_RING_SIZE ((XENCONS_RING_IDX)sizeof(((struct xencons_interface *)0)->out))
#define IN_RING_SIZE ((XENCONS_RING_IDX)sizeof(((struct xencons_interface *)0)->in))

void console_backend_connect(struct console_backend *backend, struct xencons_interface *ring,
                             console_line_sink sink, void *context)
{
    *backend = (struct console_backend) { .ring = ring, .sink = sink, .context = context };
    backend->input_producer = __atomic_load_n(&ring->in_prod, __ATOMIC_RELAXED);
}

void console_backend_flush(struct console_backend *backend)
{
    if (backend->line_length == 0)
        return;
    backend->line[backend->line_length] = '\0';
    backend->sink(backend->line, backend->context);
    backend->line_length = 0;
}

static void take_byte(struct console_backend *backend, uint8_t byte)
{
    if (byte == '\n') {
        console_backend_flush(backend);
        return;
    }
    if (byte == '\r')
        return;
    if (byte != '\t' && (byte < 0x20 || byte > 0x7e))
        byte = '?';
    backend->line[backend->line_length++] = (char)byte;
    if (backend->line_length == CONSOLE_BACKEND_LINE_MAX)
        console_backend_flush(backend);
}

void console_backend_set_raw(struct console_backend *backend, console_bytes_sink raw_sink, void *context)
{
    console_backend_flush(backend);
    backend->raw_sink = raw_sink;
    backend->raw_context = context;
}

/* The bytes from consumer to producer, in at most two runs (the ring wraps once). */
static void hand_on_raw(struct console_backend *backend, XENCONS_RING_IDX consumer, XENCONS_RING_IDX producer)
{
    struct xencons_interface *ring = backend->ring;

    while (consumer != producer) {
        XENCONS_RING_IDX offset = MASK_XENCONS_IDX(consumer, ring->out);
        XENCONS_RING_IDX run = OUT_RING_SIZE - offset;

        if (run > producer - consumer)
            run = producer - consumer;
        backend->raw_sink(&ring->out[offset], run, backend->raw_context);
        consumer += run;
    }
}

bool console_backend_drain(struct console_backend *backend)
{
    struct xencons_interface *ring = backend->ring;
    XENCONS_RING_IDX consumer, producer;

    if (backend->broken)
        return false;
    consumer = __atomic_load_n(&ring->out_cons, __ATOMIC_RELAXED);
    producer = __atomic_load_n(&ring->out_prod, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (producer - consumer > OUT_RING_SIZE) {
        backend->broken = true;
        backend->sink("[console ring broken: output stops]", backend->context);
        return false;
    }
    if (backend->raw_sink != NULL)
        hand_on_raw(backend, consumer, producer);
    else
        for (XENCONS_RING_IDX index = consumer; index != producer; index++)
            take_byte(backend, (uint8_t)ring->out[MASK_XENCONS_IDX(index, ring->out)]);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&ring->out_cons, producer, __ATOMIC_RELEASE);
    return producer != consumer;
}

uint32_t console_backend_write_input(struct console_backend *backend, const char *bytes, uint32_t length)
{
    struct xencons_interface *ring = backend->ring;
    XENCONS_RING_IDX consumer, unread, room;
    uint32_t written;

    if (backend->input_broken)
        return 0;
    consumer = __atomic_load_n(&ring->in_cons, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    unread = backend->input_producer - consumer;
    if (unread > IN_RING_SIZE) {
        backend->input_broken = true;
        backend->sink("[console ring broken: input stops]", backend->context);
        return 0;
    }
    room = IN_RING_SIZE - unread;
    written = length < room ? length : room;
    for (uint32_t index = 0; index < written; index++)
        ring->in[MASK_XENCONS_IDX(backend->input_producer + index, ring->in)] = bytes[index];
    backend->input_producer += written;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&ring->in_prod, backend->input_producer, __ATOMIC_RELEASE);
    return written;
}
