/*
 * qcow2_header: reading and validating a qcow2 header with its
 * extensions, and laying out and writing a fresh v3 one (qcow2_header.c
 * has the rules).  Used by qcow2.c only.
 */
#ifndef BACKEND_QCOW2_HEADER_H
#define BACKEND_QCOW2_HEADER_H

#include <stdint.h>
#include "image_file.h"
#include "qcow2.h"

/* Reads cluster 0 into buffer (QCOW2_MAX_CLUSTER_SIZE bytes) and validates it:
 * 0, -EINVAL, -EOPNOTSUPP, or the file's error. */
int qcow2_header_read(struct image_file *file, uint8_t *buffer, struct qcow2_header *header);

/* The header of a fresh image on a file of file_size bytes: header cluster,
 * refcount table covering the whole file, one refcount block, L1 table. */
int qcow2_header_layout(uint64_t file_size, uint64_t virtual_size, unsigned cluster_bits,
                        struct qcow2_header *header);

/* Fills bytes (capacity bytes, at most a cluster) with header, its backing format
 * extension and backing name: 0, or -EINVAL when they do not fit. */
int qcow2_header_write_start(const struct qcow2_header *header, uint8_t *bytes, uint64_t capacity);

#endif
