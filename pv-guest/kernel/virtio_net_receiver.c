/*
 * A virtio-net receive queue's buffers (see virtio_net_receiver.h):
 * posting, and the budgeted pass over the filled ones.
 */
#include <pvmon/errno.h>
#include "virtio_net_receiver.h"

void virtio_net_receiver_init(struct virtio_net_receiver *receiver, struct virtqueue *queue,
                              unsigned int header_bytes, struct virtio_net_buffer_slot *slots,
                              const uint64_t *slot_addresses, unsigned int slot_count,
                              struct net_device_statistics *statistics)
{
    *receiver = (struct virtio_net_receiver) { .queue = queue, .header_bytes = header_bytes, .slots = slots,
                                               .slot_addresses = slot_addresses, .slot_count = slot_count,
                                               .statistics = statistics };
}

static int post(struct virtio_net_receiver *receiver, struct virtio_net_buffer_slot *slot)
{
    struct virtqueue_buffer buffer = {
        .address = receiver->slot_addresses[slot - receiver->slots],
        .length = receiver->header_bytes + ETHERNET_MAX_FRAME_BYTES,
        .device_writes = true,
    };

    return virtqueue_add(receiver->queue, &buffer, 1, slot);
}

int virtio_net_receiver_post_all(struct virtio_net_receiver *receiver)
{
    for (unsigned int index = 0; index < receiver->slot_count; index++) {
        int result = post(receiver, &receiver->slots[index]);

        if (result != 0)
            return result;
    }
    return 0;
}

static void hand_over(struct virtio_net_receiver *receiver, const struct virtio_net_buffer_slot *slot,
                      uint32_t written, void (*deliver)(void *context, const uint8_t *frame, uint32_t length),
                      void *context)
{
    uint32_t frame_length;

    if (virtio_net_received_frame_length(written, receiver->header_bytes, &frame_length) != 0) {
        receiver->statistics->receive_errors++;
        return;
    }
    receiver->statistics->frames_received++;
    receiver->statistics->bytes_received += frame_length;
    deliver(context, slot->bytes + receiver->header_bytes, frame_length);
}

int virtio_net_receiver_take(struct virtio_net_receiver *receiver, unsigned int budget,
                             void (*deliver)(void *context, const uint8_t *frame, uint32_t length), void *context)
{
    unsigned int taken = 0;

    while (taken < budget) {
        uint32_t written;
        void *token;
        int result = virtqueue_take_used(receiver->queue, &token, &written);

        if (result == 0)
            break;
        if (result < 0)
            return result;
        hand_over(receiver, token, written, deliver, context);
        taken++;
        if ((result = post(receiver, token)) != 0)
            return -XEN_EIO;
    }
    return (int)taken;
}
