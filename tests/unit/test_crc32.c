/*
 * Specification of crc32: the standard check values of CRC-32/ISO-HDLC,
 * the CRC that zlib's crc32() and gzip compute.
 */
#include <stdint.h>
#include <string.h>

#include <pvmon/crc32.h>

#include "suites.h"

static uint32_t crc32_of_text(const char *text)
{
    return crc32(text, strlen(text));
}

START_TEST(test_standard_check_value)
{
    ck_assert_uint_eq(crc32_of_text("123456789"), 0xCBF43926u);
}
END_TEST

START_TEST(test_no_bytes_give_zero)
{
    ck_assert_uint_eq(crc32("", 0), 0);
    ck_assert_uint_eq(crc32(NULL, 0), 0);
}
END_TEST

START_TEST(test_known_texts_match_zlib)
{
    ck_assert_uint_eq(crc32_of_text("a"), 0xE8B7BE43u);
    ck_assert_uint_eq(crc32_of_text("abc"), 0x352441C2u);
    ck_assert_uint_eq(crc32_of_text("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
}
END_TEST

START_TEST(test_known_binary_blocks_match_zlib)
{
    uint8_t zeros[32] = { 0 };
    uint8_t ones[32];
    uint8_t counting[256];

    memset(ones, 0xff, sizeof(ones));
    for (size_t index = 0; index < sizeof(counting); index++)
        counting[index] = (uint8_t) index;
    ck_assert_uint_eq(crc32(zeros, sizeof(zeros)), 0x190A55ADu);
    ck_assert_uint_eq(crc32(ones, sizeof(ones)), 0xFF6CAB0Bu);
    ck_assert_uint_eq(crc32(counting, sizeof(counting)), 0x29058C73u);
}
END_TEST

START_TEST(test_every_single_bit_flip_changes_the_checksum)
{
    uint8_t data[16];

    memcpy(data, "boot module data", sizeof(data));

    uint32_t original = crc32(data, sizeof(data));

    for (size_t bit = 0; bit < sizeof(data) * 8; bit++) {
        data[bit / 8] ^= (uint8_t) (1u << (bit % 8));
        ck_assert_uint_ne(crc32(data, sizeof(data)), original);
        data[bit / 8] ^= (uint8_t) (1u << (bit % 8));
    }
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *crc32_suite(void)
{
    Suite *suite = suite_create("crc32");

    add_test_case(suite, test_standard_check_value);
    add_test_case(suite, test_no_bytes_give_zero);
    add_test_case(suite, test_known_texts_match_zlib);
    add_test_case(suite, test_known_binary_blocks_match_zlib);
    add_test_case(suite, test_every_single_bit_flip_changes_the_checksum);
    return suite;
}

REGISTER_SUITE(crc32_suite)
