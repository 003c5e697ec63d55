/*
 * dom0's block devices: the interface dom0's disk drivers offer to the
 * code that serves disks (blkback, backend/), and the only way anything in
 * dom0 reaches a disk.  Today every block device is a virtio-blk disk on a
 * virtio-mmio transport (virtio_blk.c), named vda, vdb, ... in the order
 * dom0's command line lists them, and known also by its serial: the host
 * file's base name, which the device tells with VIRTIO_BLK_T_GET_ID
 * (tools/run-qemu.sh sets it; backend/image_file_dom0.h).
 *
 * The rules it keeps:
 *   - A request is asynchronous: block_device_submit queues it on the
 *     device and returns; block_device_complete, called from dom0's loop
 *     after the device's event (or when polling), hands back each request
 *     the device has finished, with its status set.  The caller keeps the
 *     request (and the pages its segments name) untouched until then.
 *   - Data moves by DMA: a segment is a MACHINE address (dom0 is a PV
 *     domain: its p2m gives the machine frame of a pseudo-physical one),
 *     within one 4 KiB page, a multiple of BLOCK_SECTOR_SIZE long.
 *   - Durability (virtio 1.2, 5.2.6): a WRITE completes only when the device
 *     says so, which with a volatile write cache (VIRTIO_BLK_F_FLUSH) does
 *     not yet mean the data is durable; a FLUSH completes only after the
 *     device's VIRTIO_BLK_T_FLUSH has completed, and then every write that
 *     completed before the FLUSH was submitted is durable.
 *   - A read-only device (VIRTIO_BLK_F_RO) refuses WRITE at submission
 *     (-EROFS).  A device without VIRTIO_BLK_F_FLUSH has no volatile cache
 *     (its writes are durable when they complete): a FLUSH there is
 *     refused (-EOPNOTSUPP), and the caller decides what to advertise.
 *
 * Errors are negative Xen errno values (xen/errno.h: -EBUSY below is
 * -XEN_EBUSY, and so on).
 */
#ifndef PV_KERNEL_BLOCK_DEVICE_H
#define PV_KERNEL_BLOCK_DEVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/event_channel.h>

#define BLOCK_SECTOR_SIZE 512
#define BLOCK_MAX_SEGMENTS 11 /* BLKIF_MAX_SEGMENTS_PER_REQUEST */

enum block_operation { BLOCK_READ, BLOCK_WRITE, BLOCK_FLUSH };

/* Within one page, a multiple of BLOCK_SECTOR_SIZE, not empty. */
struct block_segment {
    uint64_t machine_address;
    uint32_t length;
};

struct block_request {
    enum block_operation operation;
    uint64_t sector;             /* first 512-byte sector, device-relative */
    unsigned int segment_count;  /* 0 for FLUSH */
    struct block_segment segments[BLOCK_MAX_SEGMENTS];
    void *owner;                 /* the caller's cookie */
    int status;                  /* set on completion: 0, or -EIO / -EOPNOTSUPP */
};

struct block_device; /* one virtio disk */

unsigned int block_device_count(void);
struct block_device *block_device_get(unsigned int index); /* vda = 0, vdb = 1, ...; NULL beyond */
const char *block_device_name(const struct block_device *device); /* "vda" */
const char *block_device_serial(const struct block_device *device); /* "base.qcow2", or "" for none */
uint64_t block_device_sectors(const struct block_device *device);
bool block_device_read_only(const struct block_device *device);
bool block_device_has_flush(const struct block_device *device); /* VIRTIO_BLK_F_FLUSH negotiated */

/*
 * Queues the request on the device.  0, or: -EBUSY when the device has no
 * room for it now (submit again after a completion); -EINVAL for a
 * malformed request (bad segment, sectors beyond the device); -EROFS for a
 * WRITE on a read-only device; -EOPNOTSUPP for a FLUSH on a device
 * without a volatile cache; -EIO if the device has failed.  Nothing is
 * queued unless it returns 0.
 */
int block_device_submit(struct block_device *device, struct block_request *request);

/* Calls done(request) for each completed request; returns how many.  Called
 * from dom0's loop after the device's event (or polling). */
unsigned int block_device_complete(struct block_device *device, void (*done)(struct block_request *));

/* Event-channel port dom0 receives the device's interrupt on (for the wait loop). */
evtchn_port_t block_device_event_port(const struct block_device *device);

/*
 * The driver handles that port's events itself (its handler, in the
 * upcall, records the interrupt; block_device_complete acknowledges it and
 * sends the PIRQ's EOI).  A loop that sleeps until a flag of its own is set
 * (wait_for_flag_until, as domain_backends_wait_until) names that flag
 * here: every block device's interrupt then sets it too.  NULL: none.
 */
void block_device_set_wakeup_flag(volatile bool *flag);

#endif
