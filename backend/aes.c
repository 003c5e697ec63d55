/*
 * aes: AES-256 of FIPS-197, one block at a time (see aes.h).
 *
 * Owns: the key expansion (FIPS-197 5.2), the cipher (5.1) and the
 * inverse cipher (5.3) for Nk = 8, Nr = 14.
 *
 * Rules kept:
 *   - The state is four column words: column c is bytes 4c..4c+3 of the
 *     block, row r in bits 8r..8r+7 (FIPS-197 3.4 fills the state column
 *     by column).  So ShiftRows takes row r of column c from column
 *     c + r (mod 4), and a word rotation right by 8 bits moves every row
 *     of a column up by one.
 *   - SubBytes is a lookup in the S-box of FIPS-197 Figure 7 (and its
 *     inverse, Figure 14), both written out below; MixColumns and its
 *     inverse are computed on whole columns with xtime (FIPS-197 4.2.1)
 *     on four bytes at once, no further tables.
 *   - The inverse cipher runs the rounds of 5.3 backwards with the same
 *     key schedule, so a key is expanded once for both directions.
 *
 * Timing: the S-box lookups are indexed by secret bytes, so they are not
 * constant-time; a process sharing the CPU's caches could learn about the
 * key from which of the S-box's four 64-byte cache lines were touched
 * (cache-timing attacks on table-based AES, Bernstein 2005, Osvik-Shamir-
 * Tromer 2006).  The 256-byte tables are the smallest a lookup design
 * allows (T-tables would be 4 KiB over 64 lines); a constant-time
 * bitsliced design would cost several times the code and speed.  We
 * accept the lookups because the only code sharing dom0's CPU is the
 * domUs, and a domU's disk key protects that domU's image at rest on the
 * host from whoever lacks the key file: a domU that recovered its own key
 * learns nothing it cannot already read through its disk.  Hence each
 * domain has a key file of its own (never one key for two domains).
 */
#include "aes.h"

static const uint8_t sbox[256] = {
    0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
    0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
    0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
    0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
    0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
    0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
    0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
    0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
    0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
    0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
    0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
    0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
    0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
    0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
    0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
    0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16,
};

static const uint8_t inverse_sbox[256] = {
    0x52, 0x09, 0x6a, 0xd5, 0x30, 0x36, 0xa5, 0x38, 0xbf, 0x40, 0xa3, 0x9e, 0x81, 0xf3, 0xd7, 0xfb,
    0x7c, 0xe3, 0x39, 0x82, 0x9b, 0x2f, 0xff, 0x87, 0x34, 0x8e, 0x43, 0x44, 0xc4, 0xde, 0xe9, 0xcb,
    0x54, 0x7b, 0x94, 0x32, 0xa6, 0xc2, 0x23, 0x3d, 0xee, 0x4c, 0x95, 0x0b, 0x42, 0xfa, 0xc3, 0x4e,
    0x08, 0x2e, 0xa1, 0x66, 0x28, 0xd9, 0x24, 0xb2, 0x76, 0x5b, 0xa2, 0x49, 0x6d, 0x8b, 0xd1, 0x25,
    0x72, 0xf8, 0xf6, 0x64, 0x86, 0x68, 0x98, 0x16, 0xd4, 0xa4, 0x5c, 0xcc, 0x5d, 0x65, 0xb6, 0x92,
    0x6c, 0x70, 0x48, 0x50, 0xfd, 0xed, 0xb9, 0xda, 0x5e, 0x15, 0x46, 0x57, 0xa7, 0x8d, 0x9d, 0x84,
    0x90, 0xd8, 0xab, 0x00, 0x8c, 0xbc, 0xd3, 0x0a, 0xf7, 0xe4, 0x58, 0x05, 0xb8, 0xb3, 0x45, 0x06,
    0xd0, 0x2c, 0x1e, 0x8f, 0xca, 0x3f, 0x0f, 0x02, 0xc1, 0xaf, 0xbd, 0x03, 0x01, 0x13, 0x8a, 0x6b,
    0x3a, 0x91, 0x11, 0x41, 0x4f, 0x67, 0xdc, 0xea, 0x97, 0xf2, 0xcf, 0xce, 0xf0, 0xb4, 0xe6, 0x73,
    0x96, 0xac, 0x74, 0x22, 0xe7, 0xad, 0x35, 0x85, 0xe2, 0xf9, 0x37, 0xe8, 0x1c, 0x75, 0xdf, 0x6e,
    0x47, 0xf1, 0x1a, 0x71, 0x1d, 0x29, 0xc5, 0x89, 0x6f, 0xb7, 0x62, 0x0e, 0xaa, 0x18, 0xbe, 0x1b,
    0xfc, 0x56, 0x3e, 0x4b, 0xc6, 0xd2, 0x79, 0x20, 0x9a, 0xdb, 0xc0, 0xfe, 0x78, 0xcd, 0x5a, 0xf4,
    0x1f, 0xdd, 0xa8, 0x33, 0x88, 0x07, 0xc7, 0x31, 0xb1, 0x12, 0x10, 0x59, 0x27, 0x80, 0xec, 0x5f,
    0x60, 0x51, 0x7f, 0xa9, 0x19, 0xb5, 0x4a, 0x0d, 0x2d, 0xe5, 0x7a, 0x9f, 0x93, 0xc9, 0x9c, 0xef,
    0xa0, 0xe0, 0x3b, 0x4d, 0xae, 0x2a, 0xf5, 0xb0, 0xc8, 0xeb, 0xbb, 0x3c, 0x83, 0x53, 0x99, 0x61,
    0x17, 0x2b, 0x04, 0x7e, 0xba, 0x77, 0xd6, 0x26, 0xe1, 0x69, 0x14, 0x63, 0x55, 0x21, 0x0c, 0x7d,
};

static uint32_t load_le32(const uint8_t *bytes)
{
    return (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
}

static void store_le32(uint8_t *bytes, uint32_t word)
{
    bytes[0] = (uint8_t)word;
    bytes[1] = (uint8_t)(word >> 8);
    bytes[2] = (uint8_t)(word >> 16);
    bytes[3] = (uint8_t)(word >> 24);
}

static uint32_t rotate_right(uint32_t word, unsigned bits)
{
    return word >> bits | word << (32 - bits);
}

static uint8_t byte_of(uint32_t word, unsigned row)
{
    return (uint8_t)(word >> (8 * row));
}

/* SubWord (FIPS-197 5.2): the S-box on each byte of a word. */
static uint32_t substitute_word(uint32_t word)
{
    return (uint32_t)sbox[byte_of(word, 0)] | (uint32_t)sbox[byte_of(word, 1)] << 8 |
           (uint32_t)sbox[byte_of(word, 2)] << 16 | (uint32_t)sbox[byte_of(word, 3)] << 24;
}

/* FIPS-197 5.2 for Nk = 8: w[i] = w[i-8] ^ temp, where temp is w[i-1]
 * rotated, substituted and xored with Rcon[i/8] when i is a multiple of 8,
 * only substituted when i is 4 more than one.  RotWord takes the word's
 * bytes [a0,a1,a2,a3] to [a1,a2,a3,a0]: a right rotation in our order. */
void aes256_key_init(struct aes256_key *expanded, const uint8_t key[AES256_KEY_SIZE])
{
    uint32_t *w = expanded->round_words;
    uint8_t round_constant = 0x01;

    for (unsigned i = 0; i < 8; i++)
        w[i] = load_le32(key + 4 * i);
    for (unsigned i = 8; i < 4 * (AES256_ROUNDS + 1); i++) {
        uint32_t temp = w[i - 1];
        if (i % 8 == 0) {
            temp = substitute_word(rotate_right(temp, 8)) ^ round_constant;
            round_constant = (uint8_t)(round_constant << 1); /* 01..40: never past x^7 */
        } else if (i % 8 == 4) {
            temp = substitute_word(temp);
        }
        w[i] = w[i - 8] ^ temp;
    }
}

void aes256_key_forget(struct aes256_key *expanded)
{
    volatile uint32_t *words = expanded->round_words;

    for (unsigned i = 0; i < 4 * (AES256_ROUNDS + 1); i++)
        words[i] = 0;
}

/* xtime (FIPS-197 4.2.1) on each byte of a word: multiplication by x
 * modulo x^8 + x^4 + x^3 + x + 1. */
static uint32_t times_x(uint32_t column)
{
    uint32_t high_bits = column & 0x80808080u;
    return (column & 0x7f7f7f7fu) << 1 ^ (high_bits >> 7) * 0x1b;
}

/* MixColumns (FIPS-197 5.1.3): row r becomes
 * 2*a[r] ^ 3*a[r+1] ^ a[r+2] ^ a[r+3]. */
static uint32_t mix_column(uint32_t column)
{
    uint32_t doubled = times_x(column);
    return doubled ^ rotate_right(doubled ^ column, 8) ^ rotate_right(column, 16) ^ rotate_right(column, 24);
}

/* InvMixColumns (FIPS-197 5.3.3), as MixColumns after adding
 * 4*(a[r] ^ a[r+2]) to each row r (Daemen and Rijmen, The Design of
 * Rijndael, 4.1.3: the inverse matrix is the forward one times
 * {05 00 04 00} circulant). */
static uint32_t inverse_mix_column(uint32_t column)
{
    uint32_t quadrupled = times_x(times_x(column));
    return mix_column(column ^ quadrupled ^ rotate_right(quadrupled, 16));
}

/* SubBytes and ShiftRows together: row r of column c from column c + r. */
static uint32_t substitute_shifted(const uint32_t state[4], unsigned c)
{
    return (uint32_t)sbox[byte_of(state[c], 0)] | (uint32_t)sbox[byte_of(state[(c + 1) % 4], 1)] << 8 |
           (uint32_t)sbox[byte_of(state[(c + 2) % 4], 2)] << 16 |
           (uint32_t)sbox[byte_of(state[(c + 3) % 4], 3)] << 24;
}

/* InvShiftRows and InvSubBytes together: row r of column c from column c - r. */
static uint32_t inverse_substitute_shifted(const uint32_t state[4], unsigned c)
{
    return (uint32_t)inverse_sbox[byte_of(state[c], 0)] |
           (uint32_t)inverse_sbox[byte_of(state[(c + 3) % 4], 1)] << 8 |
           (uint32_t)inverse_sbox[byte_of(state[(c + 2) % 4], 2)] << 16 |
           (uint32_t)inverse_sbox[byte_of(state[(c + 1) % 4], 3)] << 24;
}

/* One round of 5.1 but the last: SubBytes, ShiftRows, MixColumns, AddRoundKey. */
static void encrypt_round(uint32_t state[4], const uint32_t round_key[4])
{
    uint32_t next[4];

    for (unsigned c = 0; c < 4; c++)
        next[c] = mix_column(substitute_shifted(state, c)) ^ round_key[c];
    for (unsigned c = 0; c < 4; c++)
        state[c] = next[c];
}

/* One round of 5.3 but the last: InvShiftRows, InvSubBytes, AddRoundKey, InvMixColumns. */
static void decrypt_round(uint32_t state[4], const uint32_t round_key[4])
{
    uint32_t next[4];

    for (unsigned c = 0; c < 4; c++)
        next[c] = inverse_mix_column(inverse_substitute_shifted(state, c) ^ round_key[c]);
    for (unsigned c = 0; c < 4; c++)
        state[c] = next[c];
}

void aes256_encrypt_block(const struct aes256_key *key, const uint8_t in[AES_BLOCK_SIZE],
                          uint8_t out[AES_BLOCK_SIZE])
{
    const uint32_t *w = key->round_words;
    uint32_t state[4];

    for (unsigned c = 0; c < 4; c++)
        state[c] = load_le32(in + 4 * c) ^ w[c];
    for (unsigned round = 1; round < AES256_ROUNDS; round++)
        encrypt_round(state, w + 4 * round);
    for (unsigned c = 0; c < 4; c++)
        store_le32(out + 4 * c, substitute_shifted(state, c) ^ w[4 * AES256_ROUNDS + c]);
}

void aes256_decrypt_block(const struct aes256_key *key, const uint8_t in[AES_BLOCK_SIZE],
                          uint8_t out[AES_BLOCK_SIZE])
{
    const uint32_t *w = key->round_words;
    uint32_t state[4];

    for (unsigned c = 0; c < 4; c++)
        state[c] = load_le32(in + 4 * c) ^ w[4 * AES256_ROUNDS + c];
    for (unsigned round = AES256_ROUNDS - 1; round > 0; round--)
        decrypt_round(state, w + 4 * round);
    for (unsigned c = 0; c < 4; c++)
        store_le32(out + 4 * c, inverse_substitute_shifted(state, c) ^ w[c]);
}
