/*
 * aes: the AES-256 block cipher of FIPS-197 (Nk = 8 key words, Nr = 14
 * rounds), one 16-byte block at a time, for xts.c.  The key schedule is
 * FIPS-197 5.2; encryption the cipher of 5.1, decryption the inverse
 * cipher of 5.3.  Pure.
 */
#ifndef BACKEND_AES_H
#define BACKEND_AES_H

#include <stdint.h>

#define AES_BLOCK_SIZE 16
#define AES256_KEY_SIZE 32
#define AES256_ROUNDS 14

/* The expanded key: FIPS-197's w[0..59], word i holding bytes
 * 4i..4i+3 of the schedule, the first in its low byte. */
struct aes256_key {
    uint32_t round_words[4 * (AES256_ROUNDS + 1)];
};

void aes256_key_init(struct aes256_key *expanded, const uint8_t key[AES256_KEY_SIZE]);
void aes256_key_forget(struct aes256_key *expanded); /* overwrites it */

/* in and out may be the same block. */
void aes256_encrypt_block(const struct aes256_key *key, const uint8_t in[AES_BLOCK_SIZE],
                          uint8_t out[AES_BLOCK_SIZE]);
void aes256_decrypt_block(const struct aes256_key *key, const uint8_t in[AES_BLOCK_SIZE],
                          uint8_t out[AES_BLOCK_SIZE]);

#endif
