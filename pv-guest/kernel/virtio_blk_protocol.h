/*
 * The virtio-blk protocol as dom0's driver speaks it (virtio 1.2, 5.2;
 * Linux include/uapi/linux/virtio_blk.h for the numbers), without the
 * hardware: which features the driver accepts, whether a block request
 * (block_device.h) may go to a device, the chain of buffers it becomes,
 * and what the device's status byte means.
 *
 * A request is one chain: the 16-byte header (type, ioprio, sector) the
 * device reads, then each data segment (the device writes them for a READ,
 * reads them for a WRITE), then the one status byte the device writes.
 * A FLUSH has no data and sector 0 (as Linux sends it).
 *
 * The rules it keeps:
 *   - Features.  The driver accepts only what it implements:
 *     VIRTIO_BLK_F_RO (it then refuses writes itself), VIRTIO_BLK_F_FLUSH
 *     (the device has a volatile cache: FLUSH is sent, and is the only
 *     durability point), and, on a modern (Version 2) transport,
 *     VIRTIO_F_VERSION_1, without which a modern device is refused.
 *   - Requests.  A READ or WRITE has 1 to BLOCK_MAX_SEGMENTS segments, each
 *     512-byte aligned, a non-zero multiple of 512 bytes long, within one
 *     4 KiB page; its sectors lie within the device's capacity (no
 *     overflow).  A WRITE to a read-only device is -EROFS; a FLUSH to a
 *     device without VIRTIO_BLK_F_FLUSH is -EOPNOTSUPP (it has no volatile
 *     cache, so nothing needs flushing: the caller decides what to
 *     advertise); a FLUSH carries no segments.
 *   - Identity.  VIRTIO_BLK_T_GET_ID (virtio 1.2, 5.2.6) makes the device
 *     write its serial (QEMU's serial= property) into a 20-byte buffer,
 *     NUL-terminated unless it is 20 bytes long.  dom0 names a disk by it
 *     (the host file's base name: tools/run-qemu.sh), so only a serial of
 *     1 to 20 bytes of [A-Za-z0-9._+-], not starting with '.', is taken
 *     as a name; anything else leaves the disk without one.
 *   - Status.  VIRTIO_BLK_S_OK is 0, VIRTIO_BLK_S_UNSUPP is -EOPNOTSUPP,
 *     anything else (IOERR, or the byte the driver wrote before
 *     submitting, left because the device never wrote it) is -EIO.
 *
 * Pure: compiled into dom0's kernel and the host unit tests.
 */
#ifndef PV_KERNEL_VIRTIO_BLK_PROTOCOL_H
#define PV_KERNEL_VIRTIO_BLK_PROTOCOL_H

#include <stdbool.h>
#include <stdint.h>
#include "block_device.h"
#include "virtqueue.h"

#define VIRTIO_DEVICE_ID_BLOCK 2

#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_F_VERSION_1 32

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8

#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_SERIAL_SIZE (VIRTIO_BLK_ID_BYTES + 1)

#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
/* What the driver writes into the status byte before submitting. */
#define VIRTIO_BLK_STATUS_UNWRITTEN 0xff

/* Offset of `capacity` (512-byte sectors, 64 bits) in the device's configuration. */
#define VIRTIO_BLK_CONFIG_CAPACITY 0

/* A request chain: header, segments, status. */
#define VIRTIO_BLK_MAX_CHAIN (BLOCK_MAX_SEGMENTS + 2)

struct virtio_blk_header {
    uint32_t type;
    uint32_t ioprio;
    uint64_t sector;
};

static inline uint64_t virtio_feature_bit(unsigned int bit)
{
    return UINT64_C(1) << bit;
}

/* The features the driver writes back, from those the device offers;
 * modern: a Version 2 transport.  0 with *accepted, or -ENODEV if a modern
 * device does not offer VIRTIO_F_VERSION_1. */
int virtio_blk_accept_features(uint64_t offered, bool modern, uint64_t *accepted);

/* 0 if the request may go to a device with these properties, or the error
 * block_device_submit returns (see above). */
int virtio_blk_check_request(const struct block_request *request, uint64_t capacity_sectors, bool read_only,
                             bool has_flush);

/* The header of a checked request. */
void virtio_blk_fill_header(const struct block_request *request, struct virtio_blk_header *header);

/* The chain of a checked request, given the machine addresses of its header
 * and status byte; returns its length (2 for a FLUSH). */
unsigned int virtio_blk_build_chain(const struct block_request *request, uint64_t header_address,
                                    uint64_t status_address, struct virtqueue_buffer chain[VIRTIO_BLK_MAX_CHAIN]);

/* The name in a GET_ID answer (see Identity): true with serial filled,
 * or false with serial "" for a serial that is empty or not a name. */
bool virtio_blk_parse_serial(const uint8_t id[VIRTIO_BLK_ID_BYTES], char serial[VIRTIO_BLK_SERIAL_SIZE]);

/* The request's status from the device's status byte. */
int virtio_blk_status_error(uint8_t status);

/* The size of the request queue on a device whose QueueNumMax is
 * device_maximum: the largest power of two up to both it and `wanted`
 * (itself a power of two), or 0 if that cannot hold one request's chain
 * (VIRTIO_BLK_MAX_CHAIN descriptors). */
unsigned int virtio_blk_queue_size(uint32_t device_maximum, unsigned int wanted);

#endif
