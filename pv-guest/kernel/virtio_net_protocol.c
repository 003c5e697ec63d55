/*
 * The virtio-net protocol without the hardware (see virtio_net_protocol.h):
 * features, header length, configuration, frame lengths.
 */
#include <pvmon/errno.h>
#include "virtio_blk_protocol.h"
#include "virtio_net_protocol.h"

#define PAGE_BYTES 4096
/* The made-up address's first bytes: locally administered (bit 1 of the
 * first byte), unicast (bit 0 clear), then "pv". */
#define MADE_UP_ADDRESS_PREFIX { 0x02, 0x70, 0x76, 0x00, 0x00 }

int virtio_net_accept_features(uint64_t offered, bool modern, uint64_t *accepted)
{
    uint64_t wanted = virtio_feature_bit(VIRTIO_NET_F_MAC) | virtio_feature_bit(VIRTIO_NET_F_STATUS);

    if (modern) {
        if ((offered & virtio_feature_bit(VIRTIO_F_VERSION_1)) == 0)
            return -XEN_ENODEV;
        wanted |= virtio_feature_bit(VIRTIO_F_VERSION_1);
    }
    *accepted = offered & wanted;
    return 0;
}

unsigned int virtio_net_header_bytes(uint64_t accepted)
{
    return (accepted & virtio_feature_bit(VIRTIO_F_VERSION_1)) != 0 ? VIRTIO_NET_MODERN_HEADER_BYTES
                                                                     : VIRTIO_NET_LEGACY_HEADER_BYTES;
}

void virtio_net_config_address(uint64_t config, uint64_t accepted, unsigned int index,
                               struct ethernet_address *address)
{
    static const uint8_t prefix[ETHERNET_ADDRESS_BYTES - 1] = MADE_UP_ADDRESS_PREFIX;

    if ((accepted & virtio_feature_bit(VIRTIO_NET_F_MAC)) == 0) {
        for (unsigned int byte = 0; byte < ETHERNET_ADDRESS_BYTES - 1; byte++)
            address->bytes[byte] = prefix[byte];
        address->bytes[ETHERNET_ADDRESS_BYTES - 1] = (uint8_t)index;
        return;
    }
    for (unsigned int byte = 0; byte < ETHERNET_ADDRESS_BYTES; byte++)
        address->bytes[byte] = (uint8_t)(config >> (8 * byte));
}

bool virtio_net_config_link_up(uint64_t config, uint64_t accepted)
{
    uint16_t status = (uint16_t)(config >> (8 * ETHERNET_ADDRESS_BYTES));

    return (accepted & virtio_feature_bit(VIRTIO_NET_F_STATUS)) == 0 || (status & VIRTIO_NET_S_LINK_UP) != 0;
}

int virtio_net_check_transmission(uint64_t machine_address, uint32_t length)
{
    if (length == 0 || length > ETHERNET_MAX_FRAME_BYTES)
        return -XEN_EINVAL;
    if (machine_address % PAGE_BYTES + length > PAGE_BYTES)
        return -XEN_EINVAL;
    return 0;
}

int virtio_net_received_frame_length(uint32_t written, unsigned int header_bytes, uint32_t *frame_length)
{
    if (written < header_bytes + ETHERNET_HEADER_BYTES || written > header_bytes + ETHERNET_MAX_FRAME_BYTES)
        return -XEN_EINVAL;
    *frame_length = written - header_bytes;
    return 0;
}

unsigned int virtio_net_queue_size(uint32_t device_maximum, unsigned int wanted, unsigned int minimum)
{
    unsigned int size = wanted;

    while (size > device_maximum)
        size /= 2;
    return size < minimum || size == 0 ? 0 : size;
}
