/*
 * The driver's side of one split virtqueue (virtio 1.2, 2.7: "Split
 * Virtqueues"): the descriptor table, the available ring the driver
 * produces into and the used ring the device produces into, laid out in
 * one block of memory the caller provides, and the driver's private state
 * beside it (the free descriptors, what each chain in flight carries).
 *
 * The rules it keeps:
 *   - Layout.  Descriptors at offset 0 (16-byte aligned), the available
 *     ring right after them (2-byte aligned), the used ring at the next
 *     multiple of the used ring's alignment (4 or more, a power of two)
 *     after the available ring's last entry.  The driver never negotiates
 *     VIRTIO_F_EVENT_IDX, so the rings have no used_event / avail_event
 *     fields (virtio 1.2, 2.7.2's legacy layout; QEMU's
 *     virtio_queue_update_rings computes the used ring's place the same
 *     way: counting a used_event field would put it 2 bytes off whenever
 *     the alignment is below 8).
 *     virtqueue_layout computes it; with 128 entries and an alignment of 4
 *     the whole queue fits in one 4 KiB page, so a legacy (virtio-mmio
 *     Version 1) device, which takes the queue as one guest frame number
 *     and an alignment, needs no machine-contiguous memory.
 *   - Indices.  avail->idx and used->idx are free-running 16-bit counters
 *     (they wrap at 65536, not at the queue size); entry i lives at
 *     i % size.  The size is a power of two.
 *   - Ordering.  The entry of the available ring is written before the
 *     index that publishes it (release); the used ring's index is read
 *     before its entries (acquire); a full barrier separates publishing
 *     from reading the device's "no notify" flag.
 *   - Distrust of the device.  The device writes only the used ring.  The
 *     driver's bookkeeping (free list, chain lengths, tokens) lives outside
 *     the shared memory, so a device cannot redirect it.  A used entry
 *     whose id is beyond the queue, or is not the head of a chain in
 *     flight, or a used index that runs ahead of what is in flight, is a
 *     device bug: virtqueue_take_used returns -EIO, and the queue refuses
 *     every later call until virtqueue_reset (the driver resets the
 *     device).
 *
 * Pure (no hardware, barriers are compiler builtins): compiled into dom0's
 * kernel and into the host unit tests.
 */
#ifndef PV_KERNEL_VIRTQUEUE_H
#define PV_KERNEL_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTQUEUE_MAX_SIZE 256

/* Descriptor flags (virtio 1.2, 2.7.5). */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
/* The device's flag in the used ring: it needs no notification (2.7.7). */
#define VIRTQ_USED_F_NO_NOTIFY 1

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[];
};

struct virtq_used_elem {
    uint32_t id;
    uint32_t len;
};

struct virtq_used {
    uint16_t flags;
    uint16_t idx;
    struct virtq_used_elem ring[];
};

/* Where each part of a queue of `size` entries lies in its memory. */
struct virtqueue_layout {
    size_t available_offset;
    size_t used_offset;
    size_t total_bytes;
};

/* One buffer of a chain: a bus address (for dom0: a machine address). */
struct virtqueue_buffer {
    uint64_t address;
    uint32_t length;
    bool device_writes; /* the device writes it (VIRTQ_DESC_F_WRITE) */
};

struct virtqueue {
    uint16_t size;
    struct virtq_desc *descriptors;
    struct virtq_avail *available;
    struct virtq_used *used;
    bool broken;                 /* the device broke the protocol */
    uint16_t free_head;          /* first free descriptor */
    uint16_t free_count;
    uint16_t next_available;     /* the driver's copy of avail->idx */
    uint16_t last_used;          /* used entries consumed so far */
    uint16_t chains_in_flight;
    uint16_t next_free[VIRTQUEUE_MAX_SIZE];    /* the free list, private */
    uint16_t chain_length[VIRTQUEUE_MAX_SIZE]; /* at a chain's head; 0: not a head in flight */
    void *token[VIRTQUEUE_MAX_SIZE];           /* at a chain's head */
};

/* 0 with *layout, or -EINVAL: size not a power of two in 1..VIRTQUEUE_MAX_SIZE,
 * or used_alignment not a power of two of at least 4. */
int virtqueue_layout(unsigned int size, size_t used_alignment, struct virtqueue_layout *layout);

/* Clears the queue's memory (layout->total_bytes, from `memory`, 16-byte
 * aligned) and makes every descriptor free. */
void virtqueue_init(struct virtqueue *queue, unsigned int size, void *memory, const struct virtqueue_layout *layout);

/* Forgets every chain in flight and clears the shared memory: after a
 * device reset, once virtqueue_next_abandoned has handed them all back. */
void virtqueue_reset(struct virtqueue *queue);

/*
 * Writes a chain of `count` buffers and publishes it in the available
 * ring; token comes back with it from virtqueue_take_used.  0, or:
 * -EINVAL (count 0 or beyond the size, an empty buffer, a NULL token),
 * -EBUSY (fewer free descriptors than count), -EIO (the queue is broken).
 */
int virtqueue_add(struct virtqueue *queue, const struct virtqueue_buffer *buffers, unsigned int count, void *token);

/* After publishing: whether the device wants to be notified (it has not
 * set VIRTQ_USED_F_NO_NOTIFY).  Keeps the full barrier the spec asks for. */
bool virtqueue_should_notify(const struct virtqueue *queue);

/*
 * Takes the next used entry: 1 with *token and *written (the bytes the
 * device says it wrote), its descriptors free again; 0 if there is none;
 * -EIO on a device bug (see above), after which the queue is broken.
 */
int virtqueue_take_used(struct virtqueue *queue, void **token, uint32_t *written);

/* After the device has been reset: hands back one chain still in flight
 * (true with *token, its descriptors freed), false when none is left. */
bool virtqueue_next_abandoned(struct virtqueue *queue, void **token);

/* Whether the device has published used entries not taken yet (false for
 * a broken queue): virtqueue_take_used would not return 0. */
bool virtqueue_has_used(const struct virtqueue *queue);

unsigned int virtqueue_free_descriptors(const struct virtqueue *queue);
unsigned int virtqueue_chains_in_flight(const struct virtqueue *queue);
bool virtqueue_broken(const struct virtqueue *queue);

#endif
