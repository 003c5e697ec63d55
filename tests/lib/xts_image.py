#!/usr/bin/env python3
"""Encrypts and decrypts whole disk images as dm-crypt's plain
aes-xts-plain64 does, with python3-cryptography (OpenSSL's XTS): the
host's independent reader of what pvmon's encrypted disks hold
(backend/xts.c).

    xts_image.py make-key KEYFILE
    xts_image.py encrypt KEYFILE IN OUT [--iv-offset N]
    xts_image.py decrypt KEYFILE IN OUT [--iv-offset N]

KEYFILE holds exactly 64 bytes: the AES-256 data key, then the tweak key
(dm-crypt passes a key file's bytes unhashed; `cryptsetup open --type
plain --cipher aes-xts-plain64 --key-size 512 --key-file KEYFILE` reads
the same image).  make-key writes 64 random bytes whose halves differ.
Each 512-byte sector is encrypted alone with the tweak le64(sector +
iv_offset) followed by 8 zero bytes (Linux drivers/md/dm-crypt.c
crypt_iv_plain64_gen; iv_offset is dm-crypt's <iv_offset>, cryptsetup's
--skip).  IN must be whole sectors.  Exit status 0, or 1 with a message.

As a module: read_key, encrypt_sectors, decrypt_sectors, encrypt_file,
decrypt_file, make_key.
"""
import os
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KEY_SIZE = 64
SECTOR_SIZE = 512
CHUNK_SECTORS = 2048


def plain64_tweak(sector):
    """dm-crypt's plain64 IV: the sector number, little-endian, 64 bits
    (wrapping as dm-crypt's u64 does), then 8 zero bytes."""
    return (sector % (1 << 64)).to_bytes(8, "little") + bytes(8)


def _check_key(key):
    if len(key) != KEY_SIZE:
        raise ValueError(f"an aes-xts-plain64 key is {KEY_SIZE} bytes, not {len(key)}")
    if key[:KEY_SIZE // 2] == key[KEY_SIZE // 2:]:
        raise ValueError("the key's two halves are equal: XTS refuses it")


def _transform(key, first_sector, data, encrypt):
    _check_key(key)
    if len(data) % SECTOR_SIZE:
        raise ValueError(f"{len(data)} bytes are not whole {SECTOR_SIZE}-byte sectors")
    out = bytearray(len(data))
    for index in range(len(data) // SECTOR_SIZE):
        cipher = Cipher(algorithms.AES(key), modes.XTS(plain64_tweak(first_sector + index)))
        context = cipher.encryptor() if encrypt else cipher.decryptor()
        sector = data[index * SECTOR_SIZE:(index + 1) * SECTOR_SIZE]
        out[index * SECTOR_SIZE:(index + 1) * SECTOR_SIZE] = context.update(sector) + context.finalize()
    return bytes(out)


def encrypt_sectors(key, first_sector, data):
    """The ciphertext of data, whole sectors, the first numbered first_sector."""
    return _transform(key, first_sector, data, True)


def decrypt_sectors(key, first_sector, data):
    """The plaintext of data, whole sectors, the first numbered first_sector."""
    return _transform(key, first_sector, data, False)


def read_key(path):
    with open(path, "rb") as file:
        key = file.read(KEY_SIZE + 1)
    _check_key(key)
    return key


def make_key(path):
    """Writes a fresh random key (halves that differ) to path, readable by its owner only."""
    key = os.urandom(KEY_SIZE)
    while key[:KEY_SIZE // 2] == key[KEY_SIZE // 2:]:
        key = os.urandom(KEY_SIZE)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(key)
    return key


def _transform_file(key_path, source, destination, iv_offset, transform):
    key = read_key(key_path)
    if os.path.getsize(source) % SECTOR_SIZE:
        raise ValueError(f"{source} is not whole {SECTOR_SIZE}-byte sectors")
    sector = iv_offset
    with open(source, "rb") as inp, open(destination, "wb") as out:
        while True:
            chunk = inp.read(CHUNK_SECTORS * SECTOR_SIZE)
            if not chunk:
                break
            out.write(transform(key, sector, chunk))
            sector += len(chunk) // SECTOR_SIZE


def encrypt_file(key_path, source, destination, iv_offset=0):
    _transform_file(key_path, source, destination, iv_offset, encrypt_sectors)


def decrypt_file(key_path, source, destination, iv_offset=0):
    _transform_file(key_path, source, destination, iv_offset, decrypt_sectors)


def main(arguments):
    usage = ("usage: xts_image.py make-key KEYFILE\n"
             "       xts_image.py encrypt|decrypt KEYFILE IN OUT [--iv-offset N]")
    if len(arguments) == 2 and arguments[0] == "make-key":
        make_key(arguments[1])
        return 0
    if len(arguments) not in (4, 6) or arguments[0] not in ("encrypt", "decrypt"):
        print(usage, file=sys.stderr)
        return 1
    iv_offset = 0
    if len(arguments) == 6:
        if arguments[4] != "--iv-offset":
            print(usage, file=sys.stderr)
            return 1
        iv_offset = int(arguments[5], 0)
    operation = encrypt_file if arguments[0] == "encrypt" else decrypt_file
    try:
        operation(arguments[1], arguments[2], arguments[3], iv_offset)
    except (OSError, ValueError) as error:
        print(f"xts_image.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
