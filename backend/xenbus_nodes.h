/*
 * The xenstore nodes of a split device's two directories, as dom0's
 * backends read and write them: over dom0's own xenstore
 * (xenstore_store.h), directly, as domain 0.  Shared by blkback_xenbus.c
 * and netback_xenbus.c.
 *
 * The rules it keeps:
 *   - A directory gets its permission list before anything is written
 *     below it, so the nodes under it inherit the list (Xen's
 *     construct_node, tools/xenstored/core.c); the list is libxl's: the
 *     owner with no access for others, then the one reader
 *     (research/split-drivers.md 2.1).
 *   - What a frontend wrote is hostile: a value is read into a bounded
 *     buffer (longer is -XEN_E2BIG), and a number is decimal digits only,
 *     at least one, never above the caller's maximum (Linux's frontends
 *     write them with "%u").
 *
 * Pure: compiled into dom0 and the host tests.
 */
#ifndef BACKEND_XENBUS_NODES_H
#define BACKEND_XENBUS_NODES_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/io/xenbus.h>
#include <xen/xen.h>

#define XENBUS_NODES_VALUE_SIZE 32

/* Writes directory/key = value (as domain 0): 0, or the xenstore's error. */
int xenbus_nodes_write_text(const char *directory, const char *key, const char *value);
int xenbus_nodes_write_number(const char *directory, const char *key, uint64_t value);

/* directory/key's value as a NUL-terminated string: 0, -XEN_ENOENT, -XEN_E2BIG if too long. */
int xenbus_nodes_read_text(const char *directory, const char *key, char value[XENBUS_NODES_VALUE_SIZE]);

/* directory/key as a decimal number of at most maximum: 0, or an error (-XEN_EINVAL if malformed). */
int xenbus_nodes_read_number(const char *directory, const char *key, uint64_t maximum, uint64_t *number);

/* directory/state; XenbusStateClosed if the node is gone or unreadable. */
XenbusState xenbus_nodes_read_state(const char *directory);

/* Makes the directory with the permissions [{owner, none}, {reader, read}]. */
int xenbus_nodes_make_directory(const char *path, domid_t owner, domid_t reader);

/* A device's two directories (XENSTORE_PATH_SIZE bytes each), as libxl
 * names them: /local/domain/<domain>/device/<class>/<handle> and
 * /local/domain/0/backend/<class>/<domain>/<handle>. */
void xenbus_nodes_device_paths(char *frontend_path, char *backend_path, const char *class, domid_t domain,
                               unsigned int handle);

/* The nodes libxl writes in every backend directory (owned by dom0, read by
 * the frontend's domain): frontend, frontend-id, online, state
 * Initialising.  0, or the first error. */
int xenbus_nodes_create_backend(const char *backend_path, const char *frontend_path, domid_t frontend_domain);

/* The nodes libxl writes in every frontend directory (owned by the
 * frontend's domain, read by dom0): backend, backend-id 0, state
 * Initialising.  0, or the first error. */
int xenbus_nodes_create_frontend(const char *frontend_path, const char *backend_path, domid_t frontend_domain);

/* Removes both directories and the backend's directory of the domain's
 * devices of that class (/local/domain/0/backend/<class>/<domain>). */
void xenbus_nodes_remove_device(const char *frontend_path, const char *backend_path, const char *class,
                                domid_t frontend_domain);

/* Whether a backend must read its frontend's state this pass: always
 * unless connected, else only when the store changed since the last pass
 * (*followed_generation, updated). */
bool xenbus_nodes_frontend_may_have_changed(bool connected, uint64_t *followed_generation);

#endif
