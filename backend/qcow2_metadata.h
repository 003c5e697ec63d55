/*
 * qcow2_metadata: what qcow2.c and qcow2_refcount.c share inside the
 * qcow2 layer: the metadata cache (qcow2_cache.c) and the refcounts with
 * cluster allocation (qcow2_refcount.c).  Callers validate every offset
 * they pass (cluster-aligned, the cluster inside the file).
 */
#ifndef BACKEND_QCOW2_METADATA_H
#define BACKEND_QCOW2_METADATA_H

#include <stdbool.h>
#include <stdint.h>
#include "qcow2.h"

/* Whether offset is a cluster's start and the cluster lies inside the file (qcow2.c). */
bool qcow2_cluster_inside_file(const struct qcow2 *image, uint64_t offset);
/* A standard L2 entry's host cluster (0: none) and zero flag: -EIO for reserved bits or a bad offset. */
int qcow2_standard_cluster(const struct qcow2 *image, uint64_t entry, uint64_t *host, bool *zero);
/* QEMU's reading of a compressed descriptor: host byte offset, and its bytes up to the end of its
 * last sector: -EIO for a bad one. */
int qcow2_compressed_range(const struct qcow2 *image, uint64_t entry, uint64_t *offset, uint64_t *size);

/* The cluster at offset, read into a slot: valid until the next qcow2_cache_* call. */
int qcow2_cache_get(struct qcow2 *image, uint64_t offset, uint8_t **data);
/* A slot for the fresh cluster at offset, all zeros, not read (its caller writes it). */
uint8_t *qcow2_cache_fresh(struct qcow2 *image, uint64_t offset);
/* Writes the sector of the cached cluster at offset holding byte position (after a change). */
int qcow2_cache_write_sector(struct qcow2 *image, uint64_t offset, uint64_t position);
/* Forgets whatever this layer has cached of the bytes [offset, offset + length) (a data write). */
void qcow2_cache_forget(struct qcow2 *image, uint64_t offset, uint64_t length);
/* The 64-bit entry at file offset position of a table, read through its sector. */
int qcow2_table_load64(struct qcow2 *image, struct qcow2_table_sector *sector, uint64_t position, uint64_t *entry);
/* Stores entry at file offset position of a table: its sector written whole (one sector: the
 * file has the old entry or the new one); the sector is forgotten if the write fails. */
int qcow2_table_store64(struct qcow2 *image, struct qcow2_table_sector *sector, uint64_t position, uint64_t entry);

/* The refcount of the host cluster with that index (0 where no refcount block covers it). */
int qcow2_refcount_get(struct qcow2 *image, uint64_t cluster, uint64_t *refcount);
/* Adds +1 or -1 to a host cluster's refcount: -EIO if the block is missing or it is 0; -ERANGE at the maximum. */
int qcow2_refcount_add(struct qcow2 *image, uint64_t cluster, int delta);
/* The offset of refcount block index (0: none): -ENOSPC beyond the table, -EIO for a bad entry. */
int qcow2_refcount_block_offset(struct qcow2 *image, uint64_t index, uint64_t *offset);
/* Lowers a host cluster's refcount to refcount (a leak repaired): -EINVAL if it is below it. */
int qcow2_refcount_lower(struct qcow2 *image, uint64_t cluster, uint64_t refcount);
/* The largest refcount the image's refcount_order holds. */
uint64_t qcow2_refcount_max(const struct qcow2 *image);
/* A free host cluster (refcount 0, inside the file, with a refcount block: one is made if
 * needed), not yet counted: its caller writes it, then adds 1. -ENOSPC when the file is full. */
int qcow2_allocate_cluster(struct qcow2 *image, uint64_t *offset);

/* Lowers every refcount above the references qemu-img check counts (qcow2_repair.c). */
int qcow2_repair_leaks(struct qcow2 *image);

#endif
