/*
 * xts: AES-256-XTS sector encryption as dm-crypt's plain
 * `aes-xts-plain64` does it (Linux drivers/md/dm-crypt.c; IEEE 1619;
 * AES itself FIPS-197, aes.h), so that an image pvmon writes decrypts on
 * the host with cryptsetup (`--cipher aes-xts-plain64 --key-size 512`)
 * or python3-cryptography:
 *   - the 64-byte key is the AES-256 data key followed by the tweak key;
 *   - each 512-byte sector is encrypted alone, with the tweak
 *     le64(sector + iv_offset) followed by 8 zero bytes (plain64).
 *
 * Pure and constant in its work per sector.  The key never comes from a
 * guest: the toolstack reads it from the domain's key file.
 */
#ifndef BACKEND_XTS_H
#define BACKEND_XTS_H

#include <stdint.h>

#include "aes.h"

#define XTS_KEY_SIZE 64
#define XTS_SECTOR_SIZE 512

/* The two AES-256 keys of XTS, expanded: Key1 encrypts the data, Key2
 * the tweak (IEEE 1619 5.1). */
struct xts_key {
    struct aes256_key data_key;
    struct aes256_key tweak_key;
};

/* Expands key: 0, or -EINVAL for a key whose two halves are equal (a weak XTS key). */
int xts_key_init(struct xts_key *expanded, const uint8_t key[XTS_KEY_SIZE]);
void xts_key_forget(struct xts_key *expanded); /* overwrites it */

/* In place, sectors of XTS_SECTOR_SIZE bytes, the first with IV number first_sector. */
void xts_encrypt_sectors(const struct xts_key *key, uint64_t first_sector, void *data, uint32_t sectors);
void xts_decrypt_sectors(const struct xts_key *key, uint64_t first_sector, void *data, uint32_t sectors);

#endif
