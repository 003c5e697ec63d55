/*
 * Both ends of a Xen shared ring (see ring.h).  The shared page is
 * touched only here: its indices with single atomic loads and stores, its
 * entries byte by byte through volatile pointers, with Xen's barriers
 * (rmb after reading a producer, wmb before publishing one, mb around the
 * event indices).
 */
#include "ring.h"

_Static_assert(sizeof(struct ring_shared) == RING_ENTRIES_OFFSET, "entries start at 64, as in Xen's sring");

static RING_IDX load_index(const RING_IDX *index)
{
    return __atomic_load_n(index, __ATOMIC_RELAXED);
}

static void store_index(RING_IDX *index, RING_IDX value)
{
    __atomic_store_n(index, value, __ATOMIC_RELAXED);
}

static void read_barrier(void)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
}

static void write_barrier(void)
{
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

static void full_barrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static volatile uint8_t *entry_at(struct ring_shared *shared, size_t entry_size, RING_IDX size, RING_IDX index)
{
    return (volatile uint8_t *)shared->entries + (size_t)(index & (size - 1)) * entry_size;
}

/* Each byte of the shared entry read exactly once (XSA-155). */
static void copy_from_entry(void *destination, const volatile uint8_t *entry, size_t size)
{
    uint8_t *bytes = destination;

    for (size_t offset = 0; offset < size; offset++)
        bytes[offset] = entry[offset];
}

static void copy_to_entry(volatile uint8_t *entry, const void *source, size_t size)
{
    const uint8_t *bytes = source;

    for (size_t offset = 0; offset < size; offset++)
        entry[offset] = bytes[offset];
}

/*
 * Publishes new as the producer (old: what this end published last); true
 * if the consumer's event index lies in (old, new].
 */
static bool publish(RING_IDX *producer, const RING_IDX *event, RING_IDX old, RING_IDX new)
{
    write_barrier();
    store_index(producer, new);
    full_barrier();
    return (RING_IDX)(new - load_index(event)) < (RING_IDX)(new - old);
}

RING_IDX ring_entry_count(size_t ring_bytes, size_t entry_size)
{
    size_t fit, count = 1;

    if (entry_size == 0 || ring_bytes < RING_ENTRIES_OFFSET + entry_size)
        return 0;
    fit = (ring_bytes - RING_ENTRIES_OFFSET) / entry_size;
    while (count * 2 <= fit && count * 2 <= UINT32_C(0x80000000))
        count *= 2;
    return (RING_IDX)count;
}

/* --- the backend's end ------------------------------------------------------ */

void ring_back_attach(struct ring_back *ring, void *page, size_t ring_bytes, size_t entry_size, RING_IDX index)
{
    *ring = (struct ring_back) {
        .shared = page,
        .entry_size = entry_size,
        .size = ring_entry_count(ring_bytes, entry_size),
        .req_cons = index,
        .req_prod_seen = index,
        .rsp_prod_pvt = index,
        .rsp_prod_published = index,
        .broken = ring_entry_count(ring_bytes, entry_size) == 0,
    };
}

/*
 * A producer is acceptable if it lies between our consumer and one ring
 * beyond our response producer: at most size requests unanswered
 * (RING_REQUEST_PROD_OVERFLOW), and never behind what we already took.
 */
static bool request_producer_valid(const struct ring_back *ring, RING_IDX producer)
{
    RING_IDX ahead_of_responses = producer - ring->rsp_prod_pvt;

    return ahead_of_responses <= ring->size && ahead_of_responses >= ring->req_cons - ring->rsp_prod_pvt;
}

RING_IDX ring_back_poll_requests(struct ring_back *ring)
{
    RING_IDX producer;

    if (ring->broken)
        return 0;
    producer = load_index(&ring->shared->req_prod);
    read_barrier();
    if (!request_producer_valid(ring, producer)) {
        ring->broken = true;
        return 0;
    }
    ring->req_prod_seen = producer;
    return producer - ring->req_cons;
}

bool ring_back_take_request(struct ring_back *ring, void *request)
{
    if (ring->broken || ring->req_prod_seen == ring->req_cons)
        return false;
    copy_from_entry(request, entry_at(ring->shared, ring->entry_size, ring->size, ring->req_cons), ring->entry_size);
    ring->req_cons++;
    return true;
}

bool ring_back_put_response(struct ring_back *ring, const void *response, size_t size)
{
    if (ring->broken || ring->rsp_prod_pvt == ring->req_cons || size > ring->entry_size)
        return false;
    copy_to_entry(entry_at(ring->shared, ring->entry_size, ring->size, ring->rsp_prod_pvt), response, size);
    ring->rsp_prod_pvt++;
    return true;
}

bool ring_back_push_responses(struct ring_back *ring)
{
    RING_IDX old = ring->rsp_prod_published;

    if (ring->broken)
        return false;
    ring->rsp_prod_published = ring->rsp_prod_pvt;
    return publish(&ring->shared->rsp_prod, &ring->shared->rsp_event, old, ring->rsp_prod_pvt);
}

bool ring_back_final_check_for_requests(struct ring_back *ring)
{
    if (ring_back_poll_requests(ring) != 0)
        return true;
    if (ring->broken)
        return false;
    store_index(&ring->shared->req_event, ring->req_cons + 1);
    full_barrier();
    return ring_back_poll_requests(ring) != 0;
}

RING_IDX ring_back_outstanding(const struct ring_back *ring)
{
    return ring->req_cons - ring->rsp_prod_pvt;
}

/* --- the frontend's end ----------------------------------------------------- */

void ring_front_init(struct ring_front *ring, void *page, size_t ring_bytes, size_t entry_size)
{
    struct ring_shared *shared = page;

    store_index(&shared->req_prod, 0);
    store_index(&shared->rsp_prod, 0);
    store_index(&shared->req_event, 1);
    store_index(&shared->rsp_event, 1);
    for (size_t offset = 0; offset < sizeof(shared->pad); offset++)
        shared->pad[offset] = 0;
    ring_front_attach(ring, page, ring_bytes, entry_size, 0);
}

void ring_front_attach(struct ring_front *ring, void *page, size_t ring_bytes, size_t entry_size, RING_IDX index)
{
    *ring = (struct ring_front) {
        .shared = page,
        .entry_size = entry_size,
        .size = ring_entry_count(ring_bytes, entry_size),
        .req_prod_pvt = index,
        .req_prod_published = index,
        .rsp_cons = index,
        .rsp_prod_seen = index,
        .broken = ring_entry_count(ring_bytes, entry_size) == 0,
    };
}

RING_IDX ring_front_free_requests(const struct ring_front *ring)
{
    return ring->size - (ring->req_prod_pvt - ring->rsp_cons);
}

bool ring_front_put_request(struct ring_front *ring, const void *request, size_t size)
{
    if (ring->broken || ring_front_free_requests(ring) == 0 || size > ring->entry_size)
        return false;
    copy_to_entry(entry_at(ring->shared, ring->entry_size, ring->size, ring->req_prod_pvt), request, size);
    ring->req_prod_pvt++;
    return true;
}

bool ring_front_push_requests(struct ring_front *ring)
{
    RING_IDX old = ring->req_prod_published;

    if (ring->broken)
        return false;
    ring->req_prod_published = ring->req_prod_pvt;
    return publish(&ring->shared->req_prod, &ring->shared->req_event, old, ring->req_prod_pvt);
}

/* No more responses than requests made, and never behind what we already took. */
static bool response_producer_valid(const struct ring_front *ring, RING_IDX producer)
{
    return producer - ring->rsp_cons <= ring->req_prod_pvt - ring->rsp_cons;
}

RING_IDX ring_front_poll_responses(struct ring_front *ring)
{
    RING_IDX producer;

    if (ring->broken)
        return 0;
    producer = load_index(&ring->shared->rsp_prod);
    read_barrier();
    if (!response_producer_valid(ring, producer)) {
        ring->broken = true;
        return 0;
    }
    ring->rsp_prod_seen = producer;
    return producer - ring->rsp_cons;
}

bool ring_front_take_response(struct ring_front *ring, void *response)
{
    if (ring->broken || ring->rsp_prod_seen == ring->rsp_cons)
        return false;
    copy_from_entry(response, entry_at(ring->shared, ring->entry_size, ring->size, ring->rsp_cons), ring->entry_size);
    ring->rsp_cons++;
    return true;
}

bool ring_front_final_check_for_responses(struct ring_front *ring)
{
    if (ring_front_poll_responses(ring) != 0)
        return true;
    if (ring->broken)
        return false;
    store_index(&ring->shared->rsp_event, ring->rsp_cons + 1);
    full_barrier();
    return ring_front_poll_responses(ring) != 0;
}
