/*
 * xts: XTS-AES-256 over 512-byte sectors with dm-crypt's plain64 IV (see
 * xts.h).
 *
 * Owns: the key split and its weak-key check, the tweak of each sector,
 * and the encryption and decryption of whole sectors.
 *
 * Rules kept:
 *   - IEEE 1619-2007 5.3.1 / 5.4.1: for block j of a data unit,
 *     T = AES-enc(Key2, i) (x) alpha^j, C = AES-enc(Key1, P ^ T) ^ T, and
 *     P = AES-dec(Key1, C ^ T) ^ T to decrypt.  Key1 is the first half of
 *     the 64-byte key, Key2 the second (IEEE 1619 5.1; Linux's
 *     crypto/xts.c xts_setkey; dm-crypt passes its key through unchanged).
 *   - The tweak i of a sector is dm-crypt's plain64 IV: the sector number
 *     as a little-endian 64-bit value, then 8 zero bytes (Linux's
 *     drivers/md/dm-crypt.c crypt_iv_plain64_gen), which is also how
 *     IEEE 1619 encodes its data unit sequence number.
 *   - Multiplication by alpha is GF(2^128) doubling with the tweak read as
 *     a little-endian 128-bit number, reduced by x^128 + x^7 + x^2 + x + 1
 *     (IEEE 1619 5.2; Linux's gf128mul_x_ble): shift left by one, and if
 *     bit 127 fell out, xor 0x87 into the lowest byte.
 *   - A sector is 32 whole AES blocks, so ciphertext stealing (IEEE 1619
 *     5.3.2, for a data unit that is not a multiple of 16 bytes) never
 *     happens and is not implemented.
 *   - A key whose two halves are equal is refused, as Linux's
 *     xts_verify_key does in FIPS mode (FIPS 140 Implementation Guidance
 *     A.9 asks Key1 != Key2) and python3-cryptography always does, so
 *     the host's own reader could not decrypt such an image anyway.
 *   - Every sector costs the same work whatever its contents: one tweak
 *     encryption and 32 block operations.
 */
#include <pvmon/errno.h>
#include "xts.h"

#define BLOCKS_PER_SECTOR (XTS_SECTOR_SIZE / AES_BLOCK_SIZE)

static uint64_t load_le64(const uint8_t *bytes)
{
    uint64_t value = 0;
    for (unsigned i = 8; i-- > 0;)
        value = value << 8 | bytes[i];
    return value;
}

static void store_le64(uint8_t *bytes, uint64_t value)
{
    for (unsigned i = 0; i < 8; i++)
        bytes[i] = (uint8_t)(value >> (8 * i));
}

static int halves_are_equal(const uint8_t key[XTS_KEY_SIZE])
{
    uint8_t difference = 0;
    for (unsigned i = 0; i < AES256_KEY_SIZE; i++)
        difference |= key[i] ^ key[AES256_KEY_SIZE + i];
    return difference == 0;
}

int xts_key_init(struct xts_key *expanded, const uint8_t key[XTS_KEY_SIZE])
{
    if (halves_are_equal(key))
        return -XEN_EINVAL;
    aes256_key_init(&expanded->data_key, key);
    aes256_key_init(&expanded->tweak_key, key + AES256_KEY_SIZE);
    return 0;
}

void xts_key_forget(struct xts_key *expanded)
{
    aes256_key_forget(&expanded->data_key);
    aes256_key_forget(&expanded->tweak_key);
}

/* The tweak as a little-endian 128-bit number: low is bytes 0-7. */
struct tweak {
    uint64_t low, high;
};

static struct tweak first_tweak(const struct xts_key *key, uint64_t sector)
{
    uint8_t block[AES_BLOCK_SIZE];

    store_le64(block, sector);
    store_le64(block + 8, 0);
    aes256_encrypt_block(&key->tweak_key, block, block);
    return (struct tweak) { load_le64(block), load_le64(block + 8) };
}

static struct tweak times_alpha(struct tweak tweak)
{
    uint64_t carry = tweak.high >> 63;
    return (struct tweak) {
        .low = tweak.low << 1 ^ carry * 0x87,
        .high = tweak.high << 1 | tweak.low >> 63,
    };
}

static void xor_tweak(uint8_t block[AES_BLOCK_SIZE], struct tweak tweak)
{
    store_le64(block, load_le64(block) ^ tweak.low);
    store_le64(block + 8, load_le64(block + 8) ^ tweak.high);
}

typedef void block_cipher(const struct aes256_key *key, const uint8_t in[AES_BLOCK_SIZE],
                          uint8_t out[AES_BLOCK_SIZE]);

static void transform_sector(const struct xts_key *key, uint64_t sector, uint8_t *data, block_cipher *cipher)
{
    struct tweak tweak = first_tweak(key, sector);

    for (unsigned j = 0; j < BLOCKS_PER_SECTOR; j++) {
        uint8_t *block = data + j * AES_BLOCK_SIZE;
        xor_tweak(block, tweak);
        cipher(&key->data_key, block, block);
        xor_tweak(block, tweak);
        tweak = times_alpha(tweak);
    }
}

void xts_encrypt_sectors(const struct xts_key *key, uint64_t first_sector, void *data, uint32_t sectors)
{
    uint8_t *bytes = data;
    for (uint32_t i = 0; i < sectors; i++)
        transform_sector(key, first_sector + i, bytes + (uint64_t)i * XTS_SECTOR_SIZE, aes256_encrypt_block);
}

void xts_decrypt_sectors(const struct xts_key *key, uint64_t first_sector, void *data, uint32_t sectors)
{
    uint8_t *bytes = data;
    for (uint32_t i = 0; i < sectors; i++)
        transform_sector(key, first_sector + i, bytes + (uint64_t)i * XTS_SECTOR_SIZE, aes256_decrypt_block);
}
