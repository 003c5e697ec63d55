#!/usr/bin/env python3
"""tests/lib/xts_image.py's aes-xts-plain64 on the data of a sparse image
only, for the Linux tests' encrypted images, whose 288 MiB are mostly
holes that python3-cryptography would take half a minute to transform.

    xts_extents.py encrypt|decrypt KEYFILE IN OUT

OUT becomes a sparse file of IN's size in which each data extent of IN
(lseek SEEK_DATA / SEEK_HOLE, widened to whole sectors) is encrypted or
decrypted sector by sector with the tweak of its sector number, as
dm-crypt's plain64 does; IN's holes stay holes.  So a hole of the
encrypted image is a part of the disk nobody wrote: the guest reads it as
whatever zeros decrypt to, the decrypted image holds zeros there, and a
file system never reads such blocks (free, or never initialised).
Exit status 0, or 1 with a message.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xts_image  # noqa: E402  (beside this file)

SECTOR_SIZE = xts_image.SECTOR_SIZE
CHUNK = 1 << 20


def data_extents(descriptor, size):
    """The (start, end) byte ranges of data in the file, in whole sectors."""
    offset = 0
    while offset < size:
        try:
            start = os.lseek(descriptor, offset, os.SEEK_DATA)
        except OSError:
            return
        end = os.lseek(descriptor, start, os.SEEK_HOLE)
        start -= start % SECTOR_SIZE
        end = min(size, end + (-end) % SECTOR_SIZE)
        yield start, end
        offset = end


def transform(encrypt, key, source, target):
    size = os.fstat(source.fileno()).st_size
    if size % SECTOR_SIZE:
        raise ValueError(f"{size} bytes are not whole {SECTOR_SIZE}-byte sectors")
    target.truncate(size)
    transform_sectors = xts_image.encrypt_sectors if encrypt else xts_image.decrypt_sectors
    for start, end in data_extents(source.fileno(), size):
        for offset in range(start, end, CHUNK):
            length = min(CHUNK, end - offset)
            source.seek(offset)
            data = source.read(length)
            target.seek(offset)
            target.write(transform_sectors(key, offset // SECTOR_SIZE, data))


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("encrypt", "decrypt"):
        sys.stderr.write("usage: xts_extents.py encrypt|decrypt KEYFILE IN OUT\n")
        sys.exit(1)
    try:
        key = xts_image.read_key(sys.argv[2])
        with open(sys.argv[3], "rb") as source, open(sys.argv[4], "wb") as target:
            transform(sys.argv[1] == "encrypt", key, source, target)
    except (OSError, ValueError) as error:
        sys.stderr.write(f"xts_extents.py: {error}\n")
        sys.exit(1)


main()
