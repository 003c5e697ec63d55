/*
 * The driver's side of a split virtqueue (see virtqueue.h): layout, the
 * private free list of descriptors, publishing chains in the available
 * ring, and taking used entries back after checking them against what is
 * in flight.  Pure: compiled into dom0's kernel and the host unit tests.
 */
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include "virtqueue.h"

#define DESCRIPTOR_ALIGNMENT 16
#define RING_HEADER_BYTES 4  /* flags, idx */

static bool is_power_of_two(size_t value)
{
    return value != 0 && (value & (value - 1)) == 0;
}

static size_t align_up(size_t value, size_t alignment)
{
    return (value + alignment - 1) & ~(alignment - 1);
}

int virtqueue_layout(unsigned int size, size_t used_alignment, struct virtqueue_layout *layout)
{
    size_t available_end;

    if (!is_power_of_two(size) || size > VIRTQUEUE_MAX_SIZE || !is_power_of_two(used_alignment) ||
        used_alignment < 4)
        return -XEN_EINVAL;
    layout->available_offset = size * sizeof(struct virtq_desc);
    available_end = layout->available_offset + RING_HEADER_BYTES + size * sizeof(uint16_t);
    layout->used_offset = align_up(available_end, used_alignment);
    layout->total_bytes = layout->used_offset + RING_HEADER_BYTES + size * sizeof(struct virtq_used_elem);
    return 0;
}

static void make_all_free(struct virtqueue *queue)
{
    for (uint16_t index = 0; index < queue->size; index++) {
        queue->next_free[index] = (uint16_t)(index + 1);
        queue->chain_length[index] = 0;
        queue->token[index] = NULL;
    }
    queue->free_head = 0;
    queue->free_count = queue->size;
    queue->next_available = 0;
    queue->last_used = 0;
    queue->chains_in_flight = 0;
    queue->broken = false;
}

static size_t shared_bytes(const struct virtqueue *queue)
{
    const uint8_t *end = (const uint8_t *)&queue->used->ring[queue->size];

    return (size_t)(end - (const uint8_t *)queue->descriptors);
}

void virtqueue_init(struct virtqueue *queue, unsigned int size, void *memory, const struct virtqueue_layout *layout)
{
    uint8_t *base = memory;

    queue->size = (uint16_t)size;
    queue->descriptors = memory;
    queue->available = (struct virtq_avail *)(base + layout->available_offset);
    queue->used = (struct virtq_used *)(base + layout->used_offset);
    memset(memory, 0, layout->total_bytes);
    make_all_free(queue);
}

void virtqueue_reset(struct virtqueue *queue)
{
    memset(queue->descriptors, 0, shared_bytes(queue));
    make_all_free(queue);
}

static uint16_t ring_slot(const struct virtqueue *queue, uint16_t index)
{
    return index & (uint16_t)(queue->size - 1);
}

static int check_chain(const struct virtqueue *queue, const struct virtqueue_buffer *buffers, unsigned int count,
                       const void *token)
{
    if (queue->broken)
        return -XEN_EIO;
    if (count == 0 || count > queue->size || token == NULL)
        return -XEN_EINVAL;
    for (unsigned int index = 0; index < count; index++)
        if (buffers[index].length == 0)
            return -XEN_EINVAL;
    if (count > queue->free_count)
        return -XEN_EBUSY;
    return 0;
}

int virtqueue_add(struct virtqueue *queue, const struct virtqueue_buffer *buffers, unsigned int count, void *token)
{
    int result = check_chain(queue, buffers, count, token);
    uint16_t head = queue->free_head, current = head;

    if (result != 0)
        return result;
    for (unsigned int index = 0; index < count; index++) {
        struct virtq_desc *descriptor = &queue->descriptors[current];
        bool last = index + 1 == count;

        descriptor->addr = buffers[index].address;
        descriptor->len = buffers[index].length;
        descriptor->flags = (uint16_t)((last ? 0 : VIRTQ_DESC_F_NEXT) |
                                       (buffers[index].device_writes ? VIRTQ_DESC_F_WRITE : 0));
        descriptor->next = last ? 0 : queue->next_free[current];
        if (!last)
            current = queue->next_free[current];
    }
    queue->free_head = queue->next_free[current];
    queue->free_count = (uint16_t)(queue->free_count - count);
    queue->chain_length[head] = (uint16_t)count;
    queue->token[head] = token;
    queue->chains_in_flight++;
    queue->available->ring[ring_slot(queue, queue->next_available)] = head;
    queue->next_available++;
    __atomic_store_n(&queue->available->idx, queue->next_available, __ATOMIC_RELEASE);
    return 0;
}

bool virtqueue_should_notify(const struct virtqueue *queue)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return (__atomic_load_n(&queue->used->flags, __ATOMIC_RELAXED) & VIRTQ_USED_F_NO_NOTIFY) == 0;
}

/* Puts the chain starting at head back on the free list (private links only). */
static void *free_chain(struct virtqueue *queue, uint16_t head)
{
    uint16_t last = head;
    void *token = queue->token[head];

    for (uint16_t step = 1; step < queue->chain_length[head]; step++)
        last = queue->next_free[last];
    queue->free_count = (uint16_t)(queue->free_count + queue->chain_length[head]);
    queue->next_free[last] = queue->free_head;
    queue->free_head = head;
    queue->chain_length[head] = 0;
    queue->token[head] = NULL;
    queue->chains_in_flight--;
    return token;
}

static int device_bug(struct virtqueue *queue)
{
    queue->broken = true;
    return -XEN_EIO;
}

int virtqueue_take_used(struct virtqueue *queue, void **token, uint32_t *written)
{
    uint16_t device_index, pending;
    struct virtq_used_elem element;

    if (queue->broken)
        return -XEN_EIO;
    device_index = __atomic_load_n(&queue->used->idx, __ATOMIC_ACQUIRE);
    pending = (uint16_t)(device_index - queue->last_used);
    if (pending == 0)
        return 0;
    if (pending > queue->chains_in_flight)
        return device_bug(queue);
    element.id = __atomic_load_n(&queue->used->ring[ring_slot(queue, queue->last_used)].id, __ATOMIC_RELAXED);
    element.len = __atomic_load_n(&queue->used->ring[ring_slot(queue, queue->last_used)].len, __ATOMIC_RELAXED);
    if (element.id >= queue->size || queue->chain_length[element.id] == 0)
        return device_bug(queue);
    queue->last_used++;
    *written = element.len;
    *token = free_chain(queue, (uint16_t)element.id);
    return 1;
}

bool virtqueue_next_abandoned(struct virtqueue *queue, void **token)
{
    for (uint16_t head = 0; head < queue->size; head++)
        if (queue->chain_length[head] != 0) {
            *token = free_chain(queue, head);
            return true;
        }
    return false;
}

bool virtqueue_has_used(const struct virtqueue *queue)
{
    return !queue->broken && __atomic_load_n(&queue->used->idx, __ATOMIC_ACQUIRE) != queue->last_used;
}

unsigned int virtqueue_free_descriptors(const struct virtqueue *queue)
{
    return queue->free_count;
}

unsigned int virtqueue_chains_in_flight(const struct virtqueue *queue)
{
    return queue->chains_in_flight;
}

bool virtqueue_broken(const struct virtqueue *queue)
{
    return queue->broken;
}
