/*
 * The xenbus half every frontend of ours shares (blkfront.c, netfront.c),
 * after Linux 6.1's xenbus frontend (drivers/xen/xenbus/: the device's
 * directory device/<class>/<id>, its backend and backend-id nodes read by
 * xenbus_probe_frontend.c's read_backend_details, the backend's state
 * watched and waited for, the frontend's own state switched as
 * xenbus_switch_state does, the connection nodes written in one
 * transaction that is run again when it ends in EAGAIN, and an unbound
 * event channel for the backend).
 *
 * The rules it keeps: every value read from xenstore is the other side's
 * and checked (a backend-id must be a domain id below DOMID_FIRST_RESERVED;
 * a backend closing while we wait for it to come up is -ENODEV); paths are
 * XENBUS_DEVICE_PATH_SIZE bytes at most; errors are negative Xen errnos
 * from xenbus.h, passed on unchanged.
 */
#ifndef FRONTEND_XENBUS_DEVICE_H
#define FRONTEND_XENBUS_DEVICE_H

#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/io/xenbus.h>
#include <runtime/events.h>

#define XENBUS_DEVICE_PATH_SIZE 128

/* "directory/node" into path (XENBUS_DEVICE_PATH_SIZE bytes). */
void xenbus_device_node_path(char *path, const char *directory, const char *node);

/* The decimal value of directory/node. */
int xenbus_device_read_number(const char *directory, const char *node, uint64_t *value);

/* Writes value to directory/node within transaction. */
int xenbus_device_write_number(uint32_t transaction, const char *directory, const char *node, uint64_t value);

/* Switches the frontend's state node. */
int xenbus_device_write_state(const char *frontend_path, XenbusState state);

/* frontend_path becomes device/<class>/<id>, or the first entry of
 * device/<class> when id is NULL (-ENODEV if there is none). */
int xenbus_device_choose(char *frontend_path, const char *class, const char *id);

/* The frontend's backend and backend-id nodes (-EINVAL: not a domain id). */
int xenbus_device_read_backend(const char *frontend_path, char *backend_path, domid_t *backend_id);

/* Waits until the backend's state is wanted (Closed counts for Closing),
 * watching it: 0; -ENODEV if it closes while a state below Closing is
 * wanted; -ETIMEDOUT at the deadline (reported on the console, as driver);
 * or the error reading it (its absence is waited out). */
int xenbus_device_await_backend(const char *driver, const char *frontend_path, const char *backend_path,
                                XenbusState wanted, uint64_t deadline_ns);

/* Runs write_nodes(device, transaction) in a transaction, again while the
 * transaction ends in -EAGAIN (a bounded number of times). */
int xenbus_device_publish(int (*write_nodes)(void *device, uint32_t transaction), void *device);

/* An event channel unbound for backend_id, its events to handler(context). */
int xenbus_device_alloc_event_channel(domid_t backend_id, evtchn_port_t *port, event_handler handler,
                                      void *context);

#endif
