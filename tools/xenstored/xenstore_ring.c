/*
 * Copying bytes in and out of a xenstore ring page (see xenstore_ring.h).
 * A copy that crosses the end of the ring is done in two pieces.  Pure
 * (the barriers are compiler builtins): compiled into dom0's kernel and
 * the host unit tests.
 */
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include "xenstore_ring.h"

static XENSTORE_RING_IDX read_index(const XENSTORE_RING_IDX *index)
{
    return __atomic_load_n(index, __ATOMIC_RELAXED);
}

static void publish_index(XENSTORE_RING_IDX *index, XENSTORE_RING_IDX value)
{
    __atomic_store_n(index, value, __ATOMIC_RELEASE);
}

static void full_barrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static uint32_t smaller(uint32_t first, uint32_t second)
{
    return first < second ? first : second;
}

/* Copies count bytes out of ring starting at the free-running index start. */
static void copy_from_ring(const char ring[XENSTORE_RING_SIZE], XENSTORE_RING_IDX start, uint8_t *buffer,
                           uint32_t count)
{
    uint32_t offset = MASK_XENSTORE_IDX(start);
    uint32_t first = smaller(count, XENSTORE_RING_SIZE - offset);

    memcpy(buffer, &ring[offset], first);
    memcpy(buffer + first, &ring[0], count - first);
}

static void copy_into_ring(char ring[XENSTORE_RING_SIZE], XENSTORE_RING_IDX start, const uint8_t *data,
                           uint32_t count)
{
    uint32_t offset = MASK_XENSTORE_IDX(start);
    uint32_t first = smaller(count, XENSTORE_RING_SIZE - offset);

    memcpy(&ring[offset], data, first);
    memcpy(&ring[0], data + first, count - first);
}

int xenstore_ring_take_requests(struct xenstore_domain_interface *ring, void *buffer, uint32_t size)
{
    XENSTORE_RING_IDX consumer = read_index(&ring->req_cons);
    XENSTORE_RING_IDX producer = read_index(&ring->req_prod);
    uint32_t count;

    full_barrier();
    if (producer - consumer > XENSTORE_RING_SIZE)
        return -XEN_EIO;
    count = smaller(producer - consumer, size);
    copy_from_ring(ring->req, consumer, buffer, count);
    full_barrier();
    publish_index(&ring->req_cons, consumer + count);
    return (int)count;
}

int xenstore_ring_put_responses(struct xenstore_domain_interface *ring, const void *data, uint32_t size)
{
    XENSTORE_RING_IDX consumer = read_index(&ring->rsp_cons);
    XENSTORE_RING_IDX producer = read_index(&ring->rsp_prod);
    uint32_t count;

    full_barrier();
    if (producer - consumer > XENSTORE_RING_SIZE)
        return -XEN_EIO;
    count = smaller(XENSTORE_RING_SIZE - (producer - consumer), size);
    copy_into_ring(ring->rsp, producer, data, count);
    publish_index(&ring->rsp_prod, producer + count);
    return (int)count;
}
