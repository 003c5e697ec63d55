#!/usr/bin/env python3
"""Checks a disk read back after a simulated crash (qcow2-tool crash-after=N).

   acknowledged_writes.py DISK.raw REFERENCE.raw

REFERENCE holds every write the image code acknowledged; REFERENCE.pending,
if there, the request that was under way when the writes stopped:
"SECTOR COUNT\\n" and its new data.  Every sector of DISK must equal
REFERENCE's, except that a sector of the pending request may hold its new
data instead.  Exit 0 when it holds, 1 (naming the first sectors) if not.
"""
import os
import sys

SECTOR = 512


def main():
    disk = open(sys.argv[1], "rb").read()
    reference = open(sys.argv[2], "rb").read()
    pending_first, pending_count, pending_data = 0, 0, b""
    pending_path = sys.argv[2] + ".pending"
    if os.path.exists(pending_path):
        head, pending_data = open(pending_path, "rb").read().split(b"\n", 1)
        pending_first, pending_count = map(int, head.split())
    if len(disk) != len(reference):
        print(f"the disk has {len(disk)} bytes, the reference {len(reference)}")
        return 1
    wrong = []
    for sector in range(len(reference) // SECTOR):
        got = disk[sector * SECTOR:(sector + 1) * SECTOR]
        if got == reference[sector * SECTOR:(sector + 1) * SECTOR]:
            continue
        if pending_first <= sector < pending_first + pending_count:
            offset = (sector - pending_first) * SECTOR
            if got == pending_data[offset:offset + SECTOR]:
                continue
        wrong.append(sector)
    if wrong:
        print(f"{len(wrong)} sectors hold neither acknowledged nor pending data: {wrong[:8]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
