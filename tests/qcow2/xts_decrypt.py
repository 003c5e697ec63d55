#!/usr/bin/env python3
"""Decrypts a disk encrypted as dm-crypt's plain aes-xts-plain64 (iv_offset 0),
with python3-cryptography: each 512-byte sector with the tweak le64(sector).

   xts_decrypt.py KEY_FILE ENCRYPTED.raw OUTPUT.raw
"""
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

SECTOR = 512


def main():
    key = open(sys.argv[1], "rb").read()
    data = open(sys.argv[2], "rb").read()
    out = bytearray()
    for sector in range(len(data) // SECTOR):
        tweak = sector.to_bytes(8, "little") + bytes(8)
        decryptor = Cipher(algorithms.AES(key), modes.XTS(tweak)).decryptor()
        out += decryptor.update(data[sector * SECTOR:(sector + 1) * SECTOR]) + decryptor.finalize()
    open(sys.argv[3], "wb").write(out)


if __name__ == "__main__":
    main()
