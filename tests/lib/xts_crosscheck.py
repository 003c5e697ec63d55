#!/usr/bin/env python3
"""Checks pvmon's XTS-AES-256 (backend/xts.c, run on the host as
tools/xts_sectors.c) against python3-cryptography's (OpenSSL's) on
pseudo-random keys, sector numbers and data, in both directions: what
pvmon encrypts, cryptography decrypts, and the other way round, byte for
byte.  So an image pvmon writes decrypts on the host (tests/lib/
xts_image.py, or cryptsetup with the same key file).

    xts_crosscheck.py XTS_SECTORS

Sector numbers are drawn near 0, across 2^32, anywhere in 64 bits and
across the wrap at 2^64 (dm-crypt's u64 wraps; so do both sides here).
The inputs come from one seed, XTS_CROSSCHECK_SEED (default 1619), printed
first so that a failure replays.  Prints PASS or FAIL per case and ends
with "xts: N passed, N failed"; exit status 1 if any failed.
"""
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xts_image  # noqa: E402

ROUNDS = 24
MAX_SECTORS = 16
TOOL_TIMEOUT_SECONDS = 30


def random_key(generator):
    while True:
        key = generator.randbytes(xts_image.KEY_SIZE)
        if key[:32] != key[32:]:
            return key


def random_first_sector(generator, sectors):
    kind = generator.randrange(4)
    if kind == 0:
        return generator.randrange(1024)
    if kind == 1:
        return (1 << 32) - generator.randrange(1, sectors + 1)
    if kind == 2:
        return generator.randrange(1 << 64)
    return (1 << 64) - generator.randrange(1, sectors + 1)


def run_tool(tool, operation, key_path, first_sector, data):
    return subprocess.run([tool, operation, key_path, str(first_sector)], input=data,
                          capture_output=True, timeout=TOOL_TIMEOUT_SECONDS)


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def record(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"PASS {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}" + (f": {detail}" if detail else ""))


def first_difference(a, b):
    for index, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"first difference at byte {index} (sector {index // 512})"
    return f"lengths {len(a)} and {len(b)}"


def check_round(checker, tool, work, generator, round_number):
    sectors = generator.randrange(1, MAX_SECTORS + 1)
    first = random_first_sector(generator, sectors)
    key = random_key(generator)
    plaintext = generator.randbytes(sectors * xts_image.SECTOR_SIZE)
    key_path = os.path.join(work, f"key{round_number}")
    with open(key_path, "wb") as file:
        file.write(key)
    where = f"round {round_number}: {sectors} sectors from {first:#x}"

    result = run_tool(tool, "encrypt", key_path, first, plaintext)
    if result.returncode != 0:
        checker.record(f"pvmon encrypts, cryptography decrypts ({where})", False,
                       f"xts-sectors exit {result.returncode}: {result.stderr.decode().strip()}")
    else:
        decrypted = xts_image.decrypt_sectors(key, first, result.stdout)
        checker.record(f"pvmon encrypts, cryptography decrypts ({where})", decrypted == plaintext,
                       first_difference(decrypted, plaintext))

    ciphertext = xts_image.encrypt_sectors(key, first, plaintext)
    result = run_tool(tool, "decrypt", key_path, first, ciphertext)
    ok = result.returncode == 0 and result.stdout == plaintext
    checker.record(f"cryptography encrypts, pvmon decrypts ({where})", ok,
                   f"xts-sectors exit {result.returncode}" if result.returncode else
                   first_difference(result.stdout, plaintext))


def check_image_file(checker, tool, work, generator):
    """xts_image.py's whole-file encryption with an iv_offset, read back by pvmon."""
    key_path = os.path.join(work, "image.key")
    xts_image.make_key(key_path)
    plain_path = os.path.join(work, "plain.img")
    encrypted_path = os.path.join(work, "encrypted.img")
    plaintext = generator.randbytes(3000 * xts_image.SECTOR_SIZE)  # more than one chunk
    with open(plain_path, "wb") as file:
        file.write(plaintext)
    xts_image.encrypt_file(key_path, plain_path, encrypted_path, iv_offset=7)
    with open(encrypted_path, "rb") as file:
        result = run_tool(tool, "decrypt", key_path, 7, file.read())
    checker.record("an image xts_image.py encrypts at iv_offset 7 decrypts in pvmon from sector 7",
                   result.returncode == 0 and result.stdout == plaintext,
                   f"xts-sectors exit {result.returncode}" if result.returncode else
                   first_difference(result.stdout, plaintext))


def check_weak_key(checker, tool, work, generator):
    half = generator.randbytes(32)
    key_path = os.path.join(work, "weak.key")
    with open(key_path, "wb") as file:
        file.write(half + half)
    result = run_tool(tool, "encrypt", key_path, 0, bytes(xts_image.SECTOR_SIZE))
    try:
        xts_image.encrypt_sectors(half + half, 0, bytes(xts_image.SECTOR_SIZE))
        python_refuses = False
    except ValueError:
        python_refuses = True
    checker.record("a key with equal halves is refused on both sides",
                   result.returncode == 1 and not result.stdout and python_refuses,
                   f"xts-sectors exit {result.returncode}, python refuses: {python_refuses}")


def main(arguments):
    if len(arguments) != 1:
        print("usage: xts_crosscheck.py XTS_SECTORS", file=sys.stderr)
        return 2
    tool = arguments[0]
    seed = int(os.environ.get("XTS_CROSSCHECK_SEED", "1619"))
    print(f"xts cross-check against python3-cryptography, seed {seed}")
    generator = random.Random(seed)
    checker = Checker()
    with tempfile.TemporaryDirectory() as work:
        for round_number in range(ROUNDS):
            check_round(checker, tool, work, generator, round_number)
        check_image_file(checker, tool, work, generator)
        check_weak_key(checker, tool, work, generator)
    print(f"xts: {checker.passed} passed, {checker.failed} failed")
    return 1 if checker.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
