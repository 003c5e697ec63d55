/*
 * A xenstore client for our PV kernel's frontends, over the domain's
 * xenstore ring (start_info.store_mfn and store_evtchn; Xen public
 * io/xs_wire.h, docs/misc/xenstore.txt): one request at a time, each
 * waiting for its reply until a deadline; watch events that arrive
 * meanwhile are queued for xenbus_next_event.  Every error is a negative
 * Xen errno: the server's XS_ERROR names mapped to their numbers,
 * -XEN_ETIMEDOUT when no reply came in time, -XEN_EIO once the server
 * broke the ring protocol (indices out of range, a message over
 * XENSTORE_PAYLOAD_MAX, a reply to another request): from then on every
 * call fails with -XEN_EIO.  Paths are absolute or relative to the
 * domain's home, as the server resolves them.
 */
#ifndef FRONTEND_XENBUS_H
#define FRONTEND_XENBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XENBUS_NO_TRANSACTION 0u
#define XENBUS_REPLY_WAIT_NS (10UL * 1000 * 1000 * 1000)

/* Finds the ring and attaches its event channel.  0, or -XEN_EINVAL if
 * start_info names no ring of this domain. */
int xenbus_init(void);

/* The value of path, NUL-terminated in value; its length, or an error
 * (-XEN_E2BIG if it does not fit size). */
int xenbus_read(uint32_t transaction, const char *path, char *value, size_t size);

/* A decimal value; -XEN_EINVAL if the node holds anything else. */
int xenbus_read_unsigned(uint32_t transaction, const char *path, uint64_t *value);

int xenbus_write(uint32_t transaction, const char *path, const char *value);
int xenbus_write_unsigned(uint32_t transaction, const char *path, uint64_t value);
int xenbus_remove(uint32_t transaction, const char *path);

/* The children of path, as NUL-separated names in names; how many. */
int xenbus_directory(uint32_t transaction, const char *path, char *names, size_t size);

int xenbus_watch(const char *path, const char *token);
int xenbus_unwatch(const char *path, const char *token);

/* The next watch event (its path and token), waiting until deadline_ns
 * of system time: 0, or -XEN_ETIMEDOUT. */
int xenbus_next_event(char *path, size_t path_size, char *token, size_t token_size, uint64_t deadline_ns);

int xenbus_transaction_start(uint32_t *transaction);
/* Commits (or aborts) it; -XEN_EAGAIN means "run it again". */
int xenbus_transaction_end(uint32_t transaction, bool commit);

/* Events the queue had no room for. */
unsigned int xenbus_dropped_events(void);

#endif
