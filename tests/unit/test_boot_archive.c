/*
 * Specification of the newc cpio reader.  Archives are built byte by byte
 * in the tests (one is written out by hand, the rest come from a small
 * builder), and every archive is read from a heap copy of exactly its
 * size, so the address sanitizer catches a read past its end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/boot_archive.h>
#include <pvmon/errno.h>

#include "suites.h"

#define BUILDER_CAPACITY 4096
#define HEADER_SIZE 110
#define MAGIC_OFFSET 0
#define MODE_FIELD_OFFSET 14
#define FILE_SIZE_FIELD_OFFSET 54
#define NAME_SIZE_FIELD_OFFSET 94
#define REGULAR_FILE_MODE 0100644
#define DIRECTORY_MODE 040755
#define SYMBOLIC_LINK_MODE 0120777

/* A newc archive with one file, "hello" holding "world", written out by hand. */
static const char hand_written_archive[] =
    "070701" "00000001" "000081A4" "00000000" "00000000" "00000001" "00000000"
    "00000005" "00000000" "00000000" "00000000" "00000000" "00000006" "00000000"
    "hello\0"
    "world\0\0\0"
    "070701" "00000000" "00000000" "00000000" "00000000" "00000001" "00000000"
    "00000000" "00000000" "00000000" "00000000" "00000000" "0000000B" "00000000"
    "TRAILER!!!\0\0\0\0";

struct archive_builder {
    uint8_t bytes[BUILDER_CAPACITY];
    size_t length;
    size_t trailer_name_end; /* offset just past the trailer's NUL */
};

static void append_bytes(struct archive_builder *builder, const void *bytes, size_t length)
{
    ck_assert_uint_le(builder->length + length, BUILDER_CAPACITY);
    memcpy(builder->bytes + builder->length, bytes, length);
    builder->length += length;
}

static void append_padding(struct archive_builder *builder)
{
    while (builder->length % 4 != 0)
        append_bytes(builder, "", 1);
}

static void append_header(struct archive_builder *builder, uint32_t mode, uint32_t file_size, uint32_t name_size)
{
    char header[HEADER_SIZE + 1];

    snprintf(header, sizeof(header), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 1u, mode, 0u,
             0u, 1u, 0u, file_size, 0u, 0u, 0u, 0u, name_size, 0u);
    append_bytes(builder, header, HEADER_SIZE);
}

static void add_member(struct archive_builder *builder, const char *name, uint32_t mode, const void *data,
                       size_t size)
{
    append_header(builder, mode, (uint32_t) size, (uint32_t) strlen(name) + 1);
    append_bytes(builder, name, strlen(name) + 1);
    append_padding(builder);
    append_bytes(builder, data, size);
    append_padding(builder);
}

static void add_trailer(struct archive_builder *builder)
{
    append_header(builder, 0, 0, sizeof("TRAILER!!!"));
    append_bytes(builder, "TRAILER!!!", sizeof("TRAILER!!!"));
    builder->trailer_name_end = builder->length;
    append_padding(builder);
}

static void start_archive(struct archive_builder *builder)
{
    builder->length = 0;
    builder->trailer_name_end = 0;
}

/* Overwrites the archive's bytes at offset with text, e.g. to corrupt a header field. */
static void patch(struct archive_builder *builder, size_t offset, const char *text)
{
    ck_assert_uint_le(offset + strlen(text), builder->length);
    memcpy(builder->bytes + offset, text, strlen(text));
}

/* A heap copy of exactly size bytes; the caller frees it. */
static uint8_t *exact_copy(const void *bytes, size_t size)
{
    uint8_t *copy = malloc(size > 0 ? size : 1);

    ck_assert_ptr_nonnull(copy);
    memcpy(copy, bytes, size);
    return copy;
}

static void expect_member(struct boot_archive *archive, const char *name, const void *data, size_t size)
{
    struct boot_archive_member member;

    ck_assert_int_eq(boot_archive_next(archive, &member), 1);
    ck_assert_str_eq(member.name, name);
    ck_assert_uint_eq(member.size, size);
    ck_assert_mem_eq(member.data, data, size);
}

static int next_result(const void *bytes, size_t size, int members_to_skip)
{
    uint8_t *copy = exact_copy(bytes, size);
    struct boot_archive archive;
    struct boot_archive_member member;
    int result;

    boot_archive_open(&archive, copy, size);
    do
        result = boot_archive_next(&archive, &member);
    while (result == 1 && members_to_skip-- > 0);
    free(copy);
    return result;
}

START_TEST(test_is_cpio_recognises_newc_magic)
{
    struct archive_builder builder;

    start_archive(&builder);
    add_trailer(&builder);
    ck_assert(boot_archive_is_cpio(builder.bytes, builder.length));
    ck_assert(boot_archive_is_cpio(hand_written_archive, sizeof(hand_written_archive) - 1));
}
END_TEST

START_TEST(test_is_cpio_rejects_other_formats_and_short_data)
{
    struct archive_builder builder;
    static const uint8_t gzip_start[HEADER_SIZE] = { 0x1f, 0x8b, 0x08 };

    start_archive(&builder);
    add_trailer(&builder);
    ck_assert(!boot_archive_is_cpio(builder.bytes, HEADER_SIZE - 1));
    ck_assert(!boot_archive_is_cpio(gzip_start, sizeof(gzip_start)));
    patch(&builder, MAGIC_OFFSET, "070707");
    ck_assert(!boot_archive_is_cpio(builder.bytes, builder.length));
}
END_TEST

START_TEST(test_reads_a_hand_written_archive)
{
    size_t size = sizeof(hand_written_archive) - 1;
    uint8_t *copy = exact_copy(hand_written_archive, size);
    struct boot_archive archive;
    struct boot_archive_member member;

    ck_assert_uint_eq(size, 248);
    boot_archive_open(&archive, copy, size);
    ck_assert_int_eq(boot_archive_next(&archive, &member), 1);
    ck_assert_str_eq(member.name, "hello");
    ck_assert_uint_eq(member.size, 5);
    ck_assert_mem_eq(member.data, "world", 5);
    ck_assert_ptr_eq(member.data, copy + 116);
    ck_assert_uint_eq(member.mode, REGULAR_FILE_MODE);
    ck_assert_int_eq(boot_archive_next(&archive, &member), 0);
    free(copy);
}
END_TEST

START_TEST(test_archive_with_only_a_trailer_has_no_members)
{
    struct archive_builder builder;

    start_archive(&builder);
    add_trailer(&builder);
    ck_assert_int_eq(next_result(builder.bytes, builder.length, 0), 0);
}
END_TEST

START_TEST(test_members_come_in_archive_order_with_their_data)
{
    struct archive_builder builder;
    struct boot_archive archive;
    struct boot_archive_member member;

    start_archive(&builder);
    add_member(&builder, "boot/dom0-kernel", REGULAR_FILE_MODE, "KERNEL-IMAGE", 12);
    add_member(&builder, "boot/dom0-ramdisk", REGULAR_FILE_MODE, "RAMDISK", 7);
    add_member(&builder, "boot/xsm-policy", REGULAR_FILE_MODE, "P", 1);
    add_trailer(&builder);

    uint8_t *copy = exact_copy(builder.bytes, builder.length);

    boot_archive_open(&archive, copy, builder.length);
    expect_member(&archive, "boot/dom0-kernel", "KERNEL-IMAGE", 12);
    expect_member(&archive, "boot/dom0-ramdisk", "RAMDISK", 7);
    expect_member(&archive, "boot/xsm-policy", "P", 1);
    ck_assert_int_eq(boot_archive_next(&archive, &member), 0);
    free(copy);
}
END_TEST

START_TEST(test_every_name_length_is_padded_correctly)
{
    static const char *const names[] = { "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh" };
    struct archive_builder builder;
    struct boot_archive archive;
    struct boot_archive_member member;

    start_archive(&builder);
    for (size_t index = 0; index < 8; index++)
        add_member(&builder, names[index], REGULAR_FILE_MODE, names[index], index + 1);
    add_trailer(&builder);

    uint8_t *copy = exact_copy(builder.bytes, builder.length);

    boot_archive_open(&archive, copy, builder.length);
    for (size_t index = 0; index < 8; index++)
        expect_member(&archive, names[index], names[index], index + 1);
    ck_assert_int_eq(boot_archive_next(&archive, &member), 0);
    free(copy);
}
END_TEST

START_TEST(test_every_data_length_is_padded_correctly)
{
    static const char data[] = "0123456789";
    struct archive_builder builder;
    struct boot_archive archive;
    struct boot_archive_member member;

    start_archive(&builder);
    for (size_t size = 0; size <= 9; size++)
        add_member(&builder, "data", REGULAR_FILE_MODE, data, size);
    add_trailer(&builder);

    uint8_t *copy = exact_copy(builder.bytes, builder.length);

    boot_archive_open(&archive, copy, builder.length);
    for (size_t size = 0; size <= 9; size++)
        expect_member(&archive, "data", data, size);
    ck_assert_int_eq(boot_archive_next(&archive, &member), 0);
    free(copy);
}
END_TEST

START_TEST(test_only_regular_files_are_regular)
{
    struct boot_archive_member member = { .mode = REGULAR_FILE_MODE };

    ck_assert(boot_archive_member_is_regular_file(&member));
    member.mode = 0100000;
    ck_assert(boot_archive_member_is_regular_file(&member));
    member.mode = DIRECTORY_MODE;
    ck_assert(!boot_archive_member_is_regular_file(&member));
    member.mode = SYMBOLIC_LINK_MODE;
    ck_assert(!boot_archive_member_is_regular_file(&member));
}
END_TEST

START_TEST(test_member_mode_is_reported)
{
    struct archive_builder builder;
    struct boot_archive archive;
    struct boot_archive_member member;

    start_archive(&builder);
    add_member(&builder, "boot", DIRECTORY_MODE, "", 0);
    add_trailer(&builder);

    uint8_t *copy = exact_copy(builder.bytes, builder.length);

    boot_archive_open(&archive, copy, builder.length);
    ck_assert_int_eq(boot_archive_next(&archive, &member), 1);
    ck_assert_uint_eq(member.mode, DIRECTORY_MODE);
    ck_assert(!boot_archive_member_is_regular_file(&member));
    free(copy);
}
END_TEST

START_TEST(test_end_is_reported_again_after_the_trailer)
{
    struct archive_builder builder;
    struct boot_archive archive;
    struct boot_archive_member member;

    start_archive(&builder);
    add_member(&builder, "only", REGULAR_FILE_MODE, "x", 1);
    add_trailer(&builder);
    add_member(&builder, "after-trailer", REGULAR_FILE_MODE, "y", 1);

    uint8_t *copy = exact_copy(builder.bytes, builder.length);

    boot_archive_open(&archive, copy, builder.length);
    ck_assert_int_eq(boot_archive_next(&archive, &member), 1);
    ck_assert_int_eq(boot_archive_next(&archive, &member), 0);
    ck_assert_int_eq(boot_archive_next(&archive, &member), 0);
    free(copy);
}
END_TEST

START_TEST(test_name_merely_starting_like_the_trailer_is_a_member)
{
    struct archive_builder builder;

    start_archive(&builder);
    add_member(&builder, "TRAILER!!!.txt", REGULAR_FILE_MODE, "x", 1);
    add_trailer(&builder);
    ck_assert_int_eq(next_result(builder.bytes, builder.length, 0), 1);
}
END_TEST

START_TEST(test_trailer_needs_no_padding_after_its_name)
{
    struct archive_builder builder;

    start_archive(&builder);
    add_member(&builder, "file", REGULAR_FILE_MODE, "abc", 3);
    add_trailer(&builder);
    ck_assert_uint_ne(builder.trailer_name_end, builder.length);
    ck_assert_int_eq(next_result(builder.bytes, builder.trailer_name_end, 1), 0);
}
END_TEST

START_TEST(test_bad_magic_is_rejected)
{
    struct archive_builder builder;

    start_archive(&builder);
    add_trailer(&builder);
    patch(&builder, MAGIC_OFFSET, "070702");
    ck_assert_int_eq(next_result(builder.bytes, builder.length, 0), -XEN_EINVAL);
}
END_TEST

START_TEST(test_field_that_is_not_hex_is_rejected)
{
    static const char *const bad_fields[] = { "0000000G", "0000 001", "-0000001", "0x000001" };
    struct archive_builder builder;

    for (size_t index = 0; index < 4; index++) {
        start_archive(&builder);
        add_member(&builder, "file", REGULAR_FILE_MODE, "a", 1);
        add_trailer(&builder);
        patch(&builder, FILE_SIZE_FIELD_OFFSET, bad_fields[index]);
        ck_assert_msg(next_result(builder.bytes, builder.length, 0) == -XEN_EINVAL, "field %s accepted",
                      bad_fields[index]);
    }
}
END_TEST

START_TEST(test_lowercase_hex_fields_are_accepted)
{
    struct archive_builder builder;
    struct boot_archive archive;
    struct boot_archive_member member;

    start_archive(&builder);
    add_member(&builder, "file", 0, "", 0);
    add_trailer(&builder);
    patch(&builder, MODE_FIELD_OFFSET, "000081a4");

    uint8_t *copy = exact_copy(builder.bytes, builder.length);

    boot_archive_open(&archive, copy, builder.length);
    ck_assert_int_eq(boot_archive_next(&archive, &member), 1);
    ck_assert_uint_eq(member.mode, REGULAR_FILE_MODE);
    free(copy);
}
END_TEST

START_TEST(test_name_without_terminating_nul_is_rejected)
{
    struct archive_builder builder;

    start_archive(&builder);
    add_member(&builder, "file", REGULAR_FILE_MODE, "abcd", 4);
    add_trailer(&builder);
    patch(&builder, HEADER_SIZE + 4, "X");
    ck_assert_int_eq(next_result(builder.bytes, builder.length, 0), -XEN_EINVAL);
}
END_TEST

START_TEST(test_zero_name_size_is_rejected)
{
    struct archive_builder builder;

    start_archive(&builder);
    add_member(&builder, "file", REGULAR_FILE_MODE, "abcd", 4);
    add_trailer(&builder);
    patch(&builder, NAME_SIZE_FIELD_OFFSET, "00000000");
    ck_assert_int_eq(next_result(builder.bytes, builder.length, 0), -XEN_EINVAL);
}
END_TEST

START_TEST(test_name_running_past_the_end_is_rejected)
{
    struct archive_builder builder;

    start_archive(&builder);
    add_member(&builder, "file", REGULAR_FILE_MODE, "abcd", 4);
    add_trailer(&builder);
    patch(&builder, NAME_SIZE_FIELD_OFFSET, "FFFFFFFF");
    ck_assert_int_eq(next_result(builder.bytes, builder.length, 0), -XEN_EINVAL);
}
END_TEST

START_TEST(test_data_running_past_the_end_is_rejected)
{
    struct archive_builder builder;

    start_archive(&builder);
    add_member(&builder, "file", REGULAR_FILE_MODE, "abcd", 4);
    add_trailer(&builder);
    patch(&builder, FILE_SIZE_FIELD_OFFSET, "FFFFFFFF");
    ck_assert_int_eq(next_result(builder.bytes, builder.length, 0), -XEN_EINVAL);
    patch(&builder, FILE_SIZE_FIELD_OFFSET, "00000100");
    ck_assert_int_eq(next_result(builder.bytes, builder.length, 0), -XEN_EINVAL);
}
END_TEST

START_TEST(test_truncated_header_is_rejected)
{
    struct archive_builder builder;

    start_archive(&builder);
    add_trailer(&builder);
    ck_assert_int_eq(next_result(builder.bytes, HEADER_SIZE - 1, 0), -XEN_EINVAL);
    ck_assert_int_eq(next_result(builder.bytes, 0, 0), -XEN_EINVAL);
}
END_TEST

START_TEST(test_archive_without_a_trailer_is_rejected)
{
    struct archive_builder builder;

    start_archive(&builder);
    add_member(&builder, "file", REGULAR_FILE_MODE, "abcd", 4);
    ck_assert_int_eq(next_result(builder.bytes, builder.length, 0), 1);
    ck_assert_int_eq(next_result(builder.bytes, builder.length, 1), -XEN_EINVAL);
}
END_TEST

START_TEST(test_offset_beyond_the_archive_is_rejected)
{
    struct archive_builder builder;
    struct boot_archive archive;
    struct boot_archive_member member;

    start_archive(&builder);
    add_trailer(&builder);
    boot_archive_open(&archive, builder.bytes, builder.length);
    archive.offset = builder.length + 4;
    ck_assert_int_eq(boot_archive_next(&archive, &member), -XEN_EINVAL);
}
END_TEST

/*
 * Cuts a valid archive at every length: reading never leaves the copy
 * (the sanitizer checks), every member handed out lies inside it, and the
 * end is only reported once the trailer's name is complete.
 */
START_TEST(test_truncation_at_every_offset_never_reads_or_reports_past_the_end)
{
    struct archive_builder builder;

    start_archive(&builder);
    add_member(&builder, "boot/dom0-kernel", REGULAR_FILE_MODE, "KERNEL-IMAGE-BYTES", 18);
    add_member(&builder, "e", REGULAR_FILE_MODE, "", 0);
    add_member(&builder, "boot/ramdisk", REGULAR_FILE_MODE, "RAMDISK", 7);
    add_trailer(&builder);

    for (size_t length = 0; length <= builder.length; length++) {
        uint8_t *copy = exact_copy(builder.bytes, length);
        struct boot_archive archive;
        struct boot_archive_member member;
        int result;
        int members = 0;

        boot_archive_open(&archive, copy, length);
        while ((result = boot_archive_next(&archive, &member)) == 1) {
            ck_assert(member.data >= copy && member.size <= length &&
                      member.data + member.size <= copy + length);
            ck_assert((const uint8_t *) member.name >= copy && (const uint8_t *) member.name < copy + length);
            ck_assert_uint_lt((size_t) ((const uint8_t *) member.name - copy) + strlen(member.name), length);
            ck_assert_int_le(++members, 3);
        }
        if (length >= builder.trailer_name_end)
            ck_assert_int_eq(result, 0);
        else
            ck_assert_int_eq(result, -XEN_EINVAL);
        free(copy);
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

Suite *boot_archive_suite(void)
{
    Suite *suite = suite_create("boot_archive");

    add_test_case(suite, test_is_cpio_recognises_newc_magic);
    add_test_case(suite, test_is_cpio_rejects_other_formats_and_short_data);
    add_test_case(suite, test_reads_a_hand_written_archive);
    add_test_case(suite, test_archive_with_only_a_trailer_has_no_members);
    add_test_case(suite, test_members_come_in_archive_order_with_their_data);
    add_test_case(suite, test_every_name_length_is_padded_correctly);
    add_test_case(suite, test_every_data_length_is_padded_correctly);
    add_test_case(suite, test_only_regular_files_are_regular);
    add_test_case(suite, test_member_mode_is_reported);
    add_test_case(suite, test_end_is_reported_again_after_the_trailer);
    add_test_case(suite, test_name_merely_starting_like_the_trailer_is_a_member);
    add_test_case(suite, test_trailer_needs_no_padding_after_its_name);
    add_test_case(suite, test_bad_magic_is_rejected);
    add_test_case(suite, test_field_that_is_not_hex_is_rejected);
    add_test_case(suite, test_lowercase_hex_fields_are_accepted);
    add_test_case(suite, test_name_without_terminating_nul_is_rejected);
    add_test_case(suite, test_zero_name_size_is_rejected);
    add_test_case(suite, test_name_running_past_the_end_is_rejected);
    add_test_case(suite, test_data_running_past_the_end_is_rejected);
    add_test_case(suite, test_truncated_header_is_rejected);
    add_test_case(suite, test_archive_without_a_trailer_is_rejected);
    add_test_case(suite, test_offset_beyond_the_archive_is_rejected);
    add_test_case(suite, test_truncation_at_every_offset_never_reads_or_reports_past_the_end);
    return suite;
}

REGISTER_SUITE(boot_archive_suite)
