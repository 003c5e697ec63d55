#!/usr/bin/env python3
"""Damages a qcow2 image the ways the malformed-image tests need (QEMU's
docs/interop/qcow2.txt for the layout), in place:

    qcow2_corrupt.py IMAGE l1-beyond-end     the first L1 entry names an L2 table far beyond the file
    qcow2_corrupt.py IMAGE l2-unaligned      the first allocated L2 entry names an unaligned cluster
    qcow2_corrupt.py IMAGE l2-beyond-end     the first allocated L2 entry names a cluster beyond the file
    qcow2_corrupt.py IMAGE refcount-table    the first refcount table entry names a block beyond the file
    qcow2_corrupt.py IMAGE compressed-stream the first compressed cluster's stream overwritten with garbage

Exit status 0, or 1 with a message when the image has no such thing to damage.
"""

import os
import struct
import sys

BEYOND = 1 << 40
OFFSET_MASK = 0x00FFFFFFFFFFFE00
COMPRESSED = 1 << 62
COPIED = 1 << 63


def fail(message):
    sys.stderr.write("qcow2_corrupt.py: %s\n" % message)
    sys.exit(1)


def u64(image, offset):
    image.seek(offset)
    return struct.unpack(">Q", image.read(8))[0]


def put_u64(image, offset, value):
    image.seek(offset)
    image.write(struct.pack(">Q", value))


def header(image):
    image.seek(0)
    data = image.read(104)
    if data[:4] != b"QFI\xfb":
        fail("not a qcow2 image")
    cluster_bits = struct.unpack(">I", data[20:24])[0]
    l1_size = struct.unpack(">I", data[36:40])[0]
    l1_offset, refcount_table_offset = struct.unpack(">QQ", data[40:56])
    return cluster_bits, l1_size, l1_offset, refcount_table_offset


def first_l2_entry(image, wanted):
    """The offset in the file of the first L2 entry for which wanted(entry) holds."""
    cluster_bits, l1_size, l1_offset, _ = header(image)
    for index in range(l1_size):
        l2_offset = u64(image, l1_offset + 8 * index) & OFFSET_MASK
        if l2_offset == 0:
            continue
        for entry in range((1 << cluster_bits) // 8):
            value = u64(image, l2_offset + 8 * entry)
            if value != 0 and wanted(value):
                return l2_offset + 8 * entry, value
    fail("no such L2 entry")


def main():
    if len(sys.argv) != 3:
        fail("usage: qcow2_corrupt.py IMAGE l1-beyond-end|l2-unaligned|l2-beyond-end|refcount-table|compressed-stream")
    with open(sys.argv[1], "r+b") as image:
        cluster_bits, _, l1_offset, refcount_table_offset = header(image)
        damage = sys.argv[2]
        if damage == "l1-beyond-end":
            put_u64(image, l1_offset, COPIED | BEYOND)
        elif damage == "l2-unaligned":
            where, value = first_l2_entry(image, lambda v: not v & COMPRESSED)
            put_u64(image, where, (value & ~OFFSET_MASK) | ((value & OFFSET_MASK) + 512))
        elif damage == "l2-beyond-end":
            where, value = first_l2_entry(image, lambda v: not v & COMPRESSED)
            put_u64(image, where, (value & ~OFFSET_MASK) | BEYOND)
        elif damage == "refcount-table":
            put_u64(image, refcount_table_offset, BEYOND)
        elif damage == "compressed-stream":
            x = 62 - (cluster_bits - 8)
            _, value = first_l2_entry(image, lambda v: v & COMPRESSED)
            start = value & ((1 << x) - 1)
            image.seek(start)
            image.write(os.urandom(512))
        else:
            fail("unknown damage " + damage)


main()
