/*
 * Specification of aes: AES-256 of FIPS-197 against the standard's own
 * example and NIST's test vectors.
 *   - FIPS-197 Appendix C.3 (AES-256 example: key 00..1f, plaintext
 *     00112233..ff) and Appendix A.3 (expansion of the key 603deb10..f4);
 *   - NIST SP 800-38A Appendix F.1.5 and F.1.6 (ECB-AES256, four blocks).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "backend/aes.h"

#include "suites.h"

static void from_hex(const char *hex, uint8_t *bytes, size_t length)
{
    ck_assert_uint_eq(strlen(hex), 2 * length);
    for (size_t i = 0; i < length; i++) {
        unsigned value;
        ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &value), 1);
        bytes[i] = (uint8_t)value;
    }
}

static void expand_hex_key(struct aes256_key *expanded, const char *hex)
{
    uint8_t key[AES256_KEY_SIZE];

    from_hex(hex, key, sizeof(key));
    aes256_key_init(expanded, key);
}

static void check_encrypts(const struct aes256_key *key, const char *plaintext_hex, const char *ciphertext_hex)
{
    uint8_t plaintext[AES_BLOCK_SIZE], expected[AES_BLOCK_SIZE], actual[AES_BLOCK_SIZE];

    from_hex(plaintext_hex, plaintext, sizeof(plaintext));
    from_hex(ciphertext_hex, expected, sizeof(expected));
    aes256_encrypt_block(key, plaintext, actual);
    ck_assert_mem_eq(actual, expected, sizeof(expected));
}

static void check_decrypts(const struct aes256_key *key, const char *ciphertext_hex, const char *plaintext_hex)
{
    uint8_t ciphertext[AES_BLOCK_SIZE], expected[AES_BLOCK_SIZE], actual[AES_BLOCK_SIZE];

    from_hex(ciphertext_hex, ciphertext, sizeof(ciphertext));
    from_hex(plaintext_hex, expected, sizeof(expected));
    aes256_decrypt_block(key, ciphertext, actual);
    ck_assert_mem_eq(actual, expected, sizeof(expected));
}

#define FIPS197_C3_KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define FIPS197_C3_PLAINTEXT "00112233445566778899aabbccddeeff"
#define FIPS197_C3_CIPHERTEXT "8ea2b7ca516745bfeafc49904b496089"

#define SP800_38A_AES256_KEY "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"
static const char *const sp800_38a_plaintexts[] = {
    "6bc1bee22e409f96e93d7e117393172a", "ae2d8a571e03ac9c9eb76fac45af8e51",
    "30c81c46a35ce411e5fbc1191a0a52ef", "f69f2445df4f9b17ad2b417be66c3710",
};
static const char *const sp800_38a_ciphertexts[] = {
    "f3eed1bdb5d2a03c064b5a7e3db181f8", "591ccb10d410ed26dc5ba74a31362870",
    "b6ed21b99ca6f4f9f153e7b1beafed1d", "23304b7a39f9f3ff067d8d8f9e24ecc7",
};

START_TEST(test_fips197_c3_example_encrypts)
{
    struct aes256_key key;

    expand_hex_key(&key, FIPS197_C3_KEY);
    check_encrypts(&key, FIPS197_C3_PLAINTEXT, FIPS197_C3_CIPHERTEXT);
}
END_TEST

START_TEST(test_fips197_c3_example_decrypts)
{
    struct aes256_key key;

    expand_hex_key(&key, FIPS197_C3_KEY);
    check_decrypts(&key, FIPS197_C3_CIPHERTEXT, FIPS197_C3_PLAINTEXT);
}
END_TEST

START_TEST(test_sp800_38a_ecb_aes256_blocks_encrypt)
{
    struct aes256_key key;

    expand_hex_key(&key, SP800_38A_AES256_KEY);
    for (size_t i = 0; i < 4; i++)
        check_encrypts(&key, sp800_38a_plaintexts[i], sp800_38a_ciphertexts[i]);
}
END_TEST

START_TEST(test_sp800_38a_ecb_aes256_blocks_decrypt)
{
    struct aes256_key key;

    expand_hex_key(&key, SP800_38A_AES256_KEY);
    for (size_t i = 0; i < 4; i++)
        check_decrypts(&key, sp800_38a_ciphertexts[i], sp800_38a_plaintexts[i]);
}
END_TEST

/* FIPS-197 A.3 lists w[56..59] = fe4890d1 e6188d0b 046df344 706c631e,
 * each word's first byte first; a round word holds its first byte lowest. */
START_TEST(test_fips197_a3_key_expansion_ends_in_the_published_words)
{
    struct aes256_key key;
    uint8_t last_words[16], expected[16];

    expand_hex_key(&key, SP800_38A_AES256_KEY);
    for (size_t i = 0; i < 4; i++)
        for (size_t byte = 0; byte < 4; byte++)
            last_words[4 * i + byte] = (uint8_t)(key.round_words[56 + i] >> (8 * byte));
    from_hex("fe4890d1e6188d0b046df344706c631e", expected, sizeof(expected));
    ck_assert_mem_eq(last_words, expected, sizeof(expected));
}
END_TEST

START_TEST(test_a_block_encrypts_and_decrypts_in_place)
{
    struct aes256_key key;
    uint8_t block[AES_BLOCK_SIZE], expected[AES_BLOCK_SIZE], original[AES_BLOCK_SIZE];

    expand_hex_key(&key, FIPS197_C3_KEY);
    from_hex(FIPS197_C3_PLAINTEXT, block, sizeof(block));
    memcpy(original, block, sizeof(block));
    from_hex(FIPS197_C3_CIPHERTEXT, expected, sizeof(expected));
    aes256_encrypt_block(&key, block, block);
    ck_assert_mem_eq(block, expected, sizeof(block));
    aes256_decrypt_block(&key, block, block);
    ck_assert_mem_eq(block, original, sizeof(block));
}
END_TEST

START_TEST(test_forgetting_a_key_overwrites_its_schedule)
{
    struct aes256_key key;
    const struct aes256_key zero = { 0 };

    expand_hex_key(&key, FIPS197_C3_KEY);
    aes256_key_forget(&key);
    ck_assert_mem_eq(&key, &zero, sizeof(key));
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *aes_suite(void)
{
    Suite *suite = suite_create("aes");

    add_test_case(suite, test_fips197_c3_example_encrypts);
    add_test_case(suite, test_fips197_c3_example_decrypts);
    add_test_case(suite, test_sp800_38a_ecb_aes256_blocks_encrypt);
    add_test_case(suite, test_sp800_38a_ecb_aes256_blocks_decrypt);
    add_test_case(suite, test_fips197_a3_key_expansion_ends_in_the_published_words);
    add_test_case(suite, test_a_block_encrypts_and_decrypts_in_place);
    add_test_case(suite, test_forgetting_a_key_overwrites_its_schedule);
    return suite;
}

REGISTER_SUITE(aes_suite)
