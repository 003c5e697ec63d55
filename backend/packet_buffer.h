/*
 * Frames in flight through dom0: a pool of page-sized buffers of dom0's
 * own, shared by netback's vifs, the bridge and the NIC, each holding one
 * Ethernet frame, with a reference count, because a flooded frame sits on
 * several ports' queues at once.
 *
 * The rules it keeps:
 *   - Bounded memory: the pool has what the caller gave it (at most
 *     PACKET_POOL_BUFFERS pages) and never grows; when it is empty a new
 *     frame is dropped and counted by whoever wanted the buffer, never
 *     waited for.
 *   - A buffer is one page: a frame (at most ETHERNET_MAX_FRAME_BYTES)
 *     always fits, and its machine address is frame << 12 plus the
 *     offset, for a device's DMA or a grant copy.
 *   - A buffer goes back to the pool when its last reference is put.
 *
 * Pure: compiled into dom0 and the host tests.
 */
#ifndef BACKEND_PACKET_BUFFER_H
#define BACKEND_PACKET_BUFFER_H

#include <stdbool.h>
#include <stdint.h>

#define PACKET_POOL_BUFFERS 1024
#define PACKET_BUFFER_BYTES 4096

struct packet_buffer {
    uint8_t *data;          /* the page, in dom0's address space */
    uint64_t machine_frame; /* the same page, for DMA and GNTTABOP_copy */
    uint32_t length;        /* the frame's bytes from data[0] */
    uint16_t references;    /* 0: in the pool */
    uint16_t source_port;   /* the bridge port it came in on */
    struct packet_buffer *next_free;
};

struct packet_pool {
    struct packet_buffer buffers[PACKET_POOL_BUFFERS];
    struct packet_buffer *free;
    unsigned int free_count;
    unsigned int count;
    uint64_t exhausted; /* allocations refused */
};

/* Fills the pool with count (<= PACKET_POOL_BUFFERS) pages: pages[i] at
 * machine frame frames[i]. */
void packet_pool_init(struct packet_pool *pool, uint8_t *const *pages, const uint64_t *frames, unsigned int count);

/* A buffer with one reference, length 0; NULL (and counted) if none is free. */
struct packet_buffer *packet_buffer_allocate(struct packet_pool *pool);
void packet_buffer_get(struct packet_buffer *buffer);
/* Drops a reference; the last one returns the buffer to the pool. */
void packet_buffer_put(struct packet_pool *pool, struct packet_buffer *buffer);

#endif
