/*
 * dom0's checks of device access (test=devices on its command line): the
 * virtio-mmio transport named by its virtio_mmio.device= word is mapped
 * through DOMID_IO and its registers read; see device_checks.c.
 */
#ifndef PV_GUEST_DEVICE_CHECKS_H
#define PV_GUEST_DEVICE_CHECKS_H

#include <xen/xen.h>

void run_device_checks(const struct start_info *start_info);

#endif
