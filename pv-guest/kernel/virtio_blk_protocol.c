/*
 * The virtio-blk protocol without the hardware (see virtio_blk_protocol.h):
 * feature acceptance, request checks, chains and status.  Pure: compiled
 * into dom0's kernel and the host unit tests.
 */
#include <pvmon/errno.h>
#include "virtio_blk_protocol.h"

#define SEGMENT_PAGE_SIZE 4096

int virtio_blk_accept_features(uint64_t offered, bool modern, uint64_t *accepted)
{
    uint64_t wanted = virtio_feature_bit(VIRTIO_BLK_F_RO) | virtio_feature_bit(VIRTIO_BLK_F_FLUSH);

    if (modern) {
        if ((offered & virtio_feature_bit(VIRTIO_F_VERSION_1)) == 0)
            return -XEN_ENODEV;
        wanted |= virtio_feature_bit(VIRTIO_F_VERSION_1);
    }
    *accepted = offered & wanted;
    return 0;
}

static bool segment_is_valid(const struct block_segment *segment)
{
    uint64_t offset = segment->machine_address & (SEGMENT_PAGE_SIZE - 1);

    return segment->length != 0 && segment->length % BLOCK_SECTOR_SIZE == 0 &&
           segment->machine_address % BLOCK_SECTOR_SIZE == 0 && segment->length <= SEGMENT_PAGE_SIZE - offset;
}

static int check_data_request(const struct block_request *request, uint64_t capacity_sectors)
{
    uint64_t sectors = 0;

    if (request->segment_count == 0 || request->segment_count > BLOCK_MAX_SEGMENTS)
        return -XEN_EINVAL;
    for (unsigned int index = 0; index < request->segment_count; index++) {
        if (!segment_is_valid(&request->segments[index]))
            return -XEN_EINVAL;
        sectors += request->segments[index].length / BLOCK_SECTOR_SIZE;
    }
    if (request->sector > capacity_sectors || sectors > capacity_sectors - request->sector)
        return -XEN_EINVAL;
    return 0;
}

int virtio_blk_check_request(const struct block_request *request, uint64_t capacity_sectors, bool read_only,
                             bool has_flush)
{
    switch (request->operation) {
    case BLOCK_READ:
        return check_data_request(request, capacity_sectors);
    case BLOCK_WRITE:
        return read_only ? -XEN_EROFS : check_data_request(request, capacity_sectors);
    case BLOCK_FLUSH:
        if (request->segment_count != 0)
            return -XEN_EINVAL;
        return has_flush ? 0 : -XEN_EOPNOTSUPP;
    }
    return -XEN_EINVAL;
}

void virtio_blk_fill_header(const struct block_request *request, struct virtio_blk_header *header)
{
    header->ioprio = 0;
    switch (request->operation) {
    case BLOCK_READ:
        header->type = VIRTIO_BLK_T_IN;
        header->sector = request->sector;
        break;
    case BLOCK_WRITE:
        header->type = VIRTIO_BLK_T_OUT;
        header->sector = request->sector;
        break;
    case BLOCK_FLUSH:
        header->type = VIRTIO_BLK_T_FLUSH;
        header->sector = 0;
        break;
    }
}

unsigned int virtio_blk_build_chain(const struct block_request *request, uint64_t header_address,
                                    uint64_t status_address, struct virtqueue_buffer chain[VIRTIO_BLK_MAX_CHAIN])
{
    unsigned int length = 0;

    chain[length++] = (struct virtqueue_buffer) {
        .address = header_address, .length = sizeof(struct virtio_blk_header), .device_writes = false
    };
    for (unsigned int index = 0; index < request->segment_count; index++)
        chain[length++] = (struct virtqueue_buffer) {
            .address = request->segments[index].machine_address,
            .length = request->segments[index].length,
            .device_writes = request->operation == BLOCK_READ,
        };
    chain[length++] = (struct virtqueue_buffer) { .address = status_address, .length = 1, .device_writes = true };
    return length;
}

static bool serial_character(char character)
{
    return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z') ||
           (character >= '0' && character <= '9') || character == '.' || character == '_' || character == '-' ||
           character == '+';
}

bool virtio_blk_parse_serial(const uint8_t id[VIRTIO_BLK_ID_BYTES], char serial[VIRTIO_BLK_SERIAL_SIZE])
{
    unsigned int length = 0;

    serial[0] = '\0';
    while (length < VIRTIO_BLK_ID_BYTES && id[length] != 0) {
        if (!serial_character((char)id[length]))
            return false;
        length++;
    }
    if (length == 0 || id[0] == '.')
        return false;
    for (unsigned int index = 0; index < length; index++)
        serial[index] = (char)id[index];
    serial[length] = '\0';
    return true;
}

int virtio_blk_status_error(uint8_t status)
{
    switch (status) {
    case VIRTIO_BLK_S_OK:
        return 0;
    case VIRTIO_BLK_S_UNSUPP:
        return -XEN_EOPNOTSUPP;
    default:
        return -XEN_EIO;
    }
}

unsigned int virtio_blk_queue_size(uint32_t device_maximum, unsigned int wanted)
{
    unsigned int size = wanted;

    while (size > device_maximum)
        size /= 2;
    return size >= VIRTIO_BLK_MAX_CHAIN ? size : 0;
}
