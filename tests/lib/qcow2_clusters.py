#!/usr/bin/env python3
"""How a qcow2 image stores each guest cluster of a range, read straight from
its L1 and L2 tables (QEMU's docs/interop/qcow2.txt), for the tests that
must know what kind of cluster a backend wrote: qemu-img check counts
compressed clusters, but says neither where they are nor which are new.

    qcow2_clusters.py IMAGE [FIRST-MIB MIB]

prints one line per guest cluster of the range (default: the whole disk):

    GUEST-OFFSET KIND HOST-OFFSET

KIND is compressed, standard, zero (reads as zeros) or unallocated (reads
from the backing file, or zeros); HOST-OFFSET is where its data starts in
IMAGE (bytes, decimal; 0 when there is none).  Only the image itself is
read, not its backing file.  Exit status 0, or 1 with a message for a file
that is not a qcow2 v2/v3 image or names tables beyond its end (it is
checked with qemu-img check first; this is no validator).
"""

import struct
import sys

QCOW2_MAGIC = 0x514649FB
L2_OFFSET_MASK = 0x00FFFFFFFFFFFE00
COMPRESSED = 1 << 62
READS_AS_ZERO = 1


def fail(message):
    sys.stderr.write("qcow2_clusters.py: %s\n" % message)
    sys.exit(1)


def read_at(image, offset, length):
    image.seek(offset)
    data = image.read(length)
    if len(data) != length:
        fail("%d bytes at %d are beyond the end of the file" % (length, offset))
    return data


def header(image):
    fields = struct.unpack(">IIQIIQIIQQ", read_at(image, 0, 56))
    magic, version, _, _, cluster_bits, size, _, l1_size, l1_offset, _ = fields
    if magic != QCOW2_MAGIC or version not in (2, 3):
        fail("not a qcow2 v2 or v3 image")
    if version == 3:
        incompatible = struct.unpack(">Q", read_at(image, 72, 8))[0]
        if incompatible & (1 << 4):
            fail("extended L2 entries are not read here")
    return cluster_bits, size, l1_size, l1_offset


def classify(entry, cluster_bits):
    if entry & COMPRESSED:
        return "compressed", entry & ((1 << (62 - (cluster_bits - 8))) - 1)
    host = entry & L2_OFFSET_MASK
    if entry & READS_AS_ZERO:
        return "zero", host
    if host == 0:
        return "unallocated", 0
    return "standard", host


def main():
    if len(sys.argv) not in (2, 4):
        fail("usage: qcow2_clusters.py IMAGE [FIRST-MIB MIB]")
    with open(sys.argv[1], "rb") as image:
        cluster_bits, size, l1_size, l1_offset = header(image)
        cluster_size = 1 << cluster_bits
        l2_entries = cluster_size // 8
        first, end = 0, size
        if len(sys.argv) == 4:
            first = int(sys.argv[2]) << 20
            end = min(size, first + (int(sys.argv[3]) << 20))
        l1 = struct.unpack(">%dQ" % l1_size, read_at(image, l1_offset, 8 * l1_size))
        tables = {}
        for guest in range(first - first % cluster_size, end, cluster_size):
            cluster = guest // cluster_size
            l2_offset = l1[cluster // l2_entries] & L2_OFFSET_MASK
            if l2_offset == 0:
                print("%d unallocated 0" % guest)
                continue
            if l2_offset not in tables:
                tables[l2_offset] = struct.unpack(">%dQ" % l2_entries, read_at(image, l2_offset, cluster_size))
            kind, host = classify(tables[l2_offset][cluster % l2_entries], cluster_bits)
            print("%d %s %d" % (guest, kind, host))


main()
