/*
 * dom0's pool of frame buffers (see packet_buffer.h): a fixed set of
 * pages, each lent out with a reference count.
 *
 * Owns: the free list and the reference counts.
 *
 * Rules kept:
 *   - The pool never grows: it holds the pages packet_pool_init was
 *     given; an allocation from an empty pool fails at once and is
 *     counted (a bounded pool, as Linux's netback bounds its pending
 *     ring, MAX_PENDING_REQS, rather than waiting for memory).
 *   - A buffer is on the free list exactly when it has no reference; a
 *     put on a free buffer is ignored, so a caller's mistake cannot put
 *     a buffer on the list twice.
 */
#include <stddef.h>
#include "packet_buffer.h"

void packet_pool_init(struct packet_pool *pool, uint8_t *const *pages, const uint64_t *frames, unsigned int count)
{
    if (count > PACKET_POOL_BUFFERS)
        count = PACKET_POOL_BUFFERS;
    *pool = (struct packet_pool) { .count = count };
    for (unsigned int index = count; index-- > 0;) {
        struct packet_buffer *buffer = &pool->buffers[index];

        buffer->data = pages[index];
        buffer->machine_frame = frames[index];
        buffer->next_free = pool->free;
        pool->free = buffer;
        pool->free_count++;
    }
}

struct packet_buffer *packet_buffer_allocate(struct packet_pool *pool)
{
    struct packet_buffer *buffer = pool->free;

    if (buffer == NULL) {
        pool->exhausted++;
        return NULL;
    }
    pool->free = buffer->next_free;
    pool->free_count--;
    buffer->next_free = NULL;
    buffer->references = 1;
    buffer->length = 0;
    buffer->source_port = 0;
    return buffer;
}

void packet_buffer_get(struct packet_buffer *buffer)
{
    buffer->references++;
}

void packet_buffer_put(struct packet_pool *pool, struct packet_buffer *buffer)
{
    if (buffer->references == 0)
        return;
    if (--buffer->references != 0)
        return;
    buffer->next_free = pool->free;
    pool->free = buffer;
    pool->free_count++;
}
