/*
 * qcow2_metadata: what qcow2.c and qcow2_refcount.c share inside the
 * qcow2 layer: the metadata cache (qcow2_cache.c) and the refcounts with
 * cluster allocation (qcow2_refcount.c).  Callers validate every offset
 * they pass (cluster-aligned, the cluster inside the file).
 */
#ifndef BACKEND_QCOW2_METADATA_H
#define BACKEND_QCOW2_METADATA_H

#include <stdint.h>
#include "qcow2.h"

/* The cluster at offset, read into a slot: valid until the next qcow2_cache_* call. */
int qcow2_cache_get(struct qcow2 *image, uint64_t offset, uint8_t **data);
/* A slot for the fresh cluster at offset, all zeros, not read (its caller writes it). */
uint8_t *qcow2_cache_fresh(struct qcow2 *image, uint64_t offset);
/* Writes the sector of the cached cluster at offset holding byte position (after a change). */
int qcow2_cache_write_sector(struct qcow2 *image, uint64_t offset, uint64_t position);
/* Forgets whatever this layer has cached of the bytes [offset, offset + length) (a data write). */
void qcow2_cache_forget(struct qcow2 *image, uint64_t offset, uint64_t length);

/* The refcount of the host cluster with that index (0 where no refcount block covers it). */
int qcow2_refcount_get(struct qcow2 *image, uint64_t cluster, uint64_t *refcount);
/* Adds +1 or -1 to a host cluster's refcount: -EIO if the block is missing or it is 0; -ERANGE at the maximum. */
int qcow2_refcount_add(struct qcow2 *image, uint64_t cluster, int delta);
/* The largest refcount the image's refcount_order holds. */
uint64_t qcow2_refcount_max(const struct qcow2 *image);
/* A free host cluster (refcount 0, inside the file, with a refcount block: one is made if
 * needed), not yet counted: its caller writes it, then adds 1. -ENOSPC when the file is full. */
int qcow2_allocate_cluster(struct qcow2 *image, uint64_t *offset);

#endif
