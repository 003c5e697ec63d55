/*
 * Specification of bzimage_find_payload (tools/bzimage.h): where the
 * payload of a bzImage starts (setup_sects, 0 meaning 4, and
 * payload_offset), which boot protocols and headers are refused, every
 * compression recognised by its magic, and the 4-byte decompressed size
 * at the payload's end, kept in a gzip stream and cut off the others.
 * The images are built in memory: a zeroed setup area with the header
 * fields written where the boot protocol puts them.
 */
#include <stdint.h>
#include <string.h>

#include "../../tools/bzimage.h"

#include "suites.h"

#define IMAGE_SIZE 32768
#define PAYLOAD_SIZE 64
#define DECOMPRESSED_SIZE 0x03edb0b4u

static uint8_t image[IMAGE_SIZE];

static void put_le16(size_t offset, uint16_t value)
{
    image[offset] = (uint8_t) value;
    image[offset + 1] = (uint8_t) (value >> 8);
}

static void put_le32(size_t offset, uint32_t value)
{
    for (unsigned int byte = 0; byte < 4; byte++)
        image[offset + byte] = (uint8_t) (value >> (8 * byte));
}

/*
 * A bzImage of boot protocol 2.15 whose setup is setup_sects sectors
 * (+1 for the boot sector) and whose payload, payload_offset bytes into the
 * protected-mode code, starts with magic and ends with DECOMPRESSED_SIZE.
 * Returns where the payload starts.
 */
static size_t build_image(uint8_t setup_sects, uint32_t payload_offset, const void *magic,
                          size_t magic_length)
{
    size_t setup_size = ((setup_sects == 0 ? 4u : setup_sects) + 1u) * 512u;
    size_t start = setup_size + payload_offset;

    memset(image, 0, sizeof(image));
    image[0x1f1] = setup_sects;
    memcpy(image + 0x202, "HdrS", 4);
    put_le16(0x206, 0x020f);
    put_le32(0x248, payload_offset);
    put_le32(0x24c, PAYLOAD_SIZE);
    memcpy(image + start, magic, magic_length);
    put_le32(start + PAYLOAD_SIZE - 4, DECOMPRESSED_SIZE);
    return start;
}

static const uint8_t xz_magic[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };

START_TEST(test_xz_payload_found_after_setup_sectors)
{
    struct bzimage_payload payload;
    size_t start = build_image(39, 716, xz_magic, sizeof(xz_magic));

    ck_assert_int_eq(bzimage_find_payload(image, sizeof(image), &payload), BZIMAGE_OK);
    ck_assert_uint_eq(start, 40 * 512 + 716);
    ck_assert_uint_eq(payload.offset, start);
    ck_assert_str_eq(payload.compression->name, "xz");
    ck_assert_str_eq(payload.compression->decompressor, "xz -dc");
    ck_assert_uint_eq(payload.protocol_version, 0x020f);
    ck_assert_uint_eq(payload.decompressed_size, DECOMPRESSED_SIZE);
}
END_TEST

START_TEST(test_zero_setup_sects_means_four)
{
    struct bzimage_payload payload;

    build_image(0, 100, xz_magic, sizeof(xz_magic));
    ck_assert_int_eq(bzimage_find_payload(image, sizeof(image), &payload), BZIMAGE_OK);
    ck_assert_uint_eq(payload.offset, 5 * 512 + 100);
}
END_TEST

START_TEST(test_appended_size_is_cut_off_all_but_gzip)
{
    static const uint8_t gzip_magic[] = { 0x1f, 0x8b };
    struct bzimage_payload payload;

    build_image(4, 0, xz_magic, sizeof(xz_magic));
    ck_assert_int_eq(bzimage_find_payload(image, sizeof(image), &payload), BZIMAGE_OK);
    ck_assert_uint_eq(payload.stream_length, PAYLOAD_SIZE - 4);

    build_image(4, 0, gzip_magic, sizeof(gzip_magic));
    ck_assert_int_eq(bzimage_find_payload(image, sizeof(image), &payload), BZIMAGE_OK);
    ck_assert_str_eq(payload.compression->name, "gzip");
    ck_assert_uint_eq(payload.stream_length, PAYLOAD_SIZE);
    ck_assert_uint_eq(payload.decompressed_size, DECOMPRESSED_SIZE);
}
END_TEST

START_TEST(test_every_kernel_compression_is_recognised)
{
    static const struct {
        const char *name;
        const char *decompressor;
        uint8_t magic[9];
        size_t magic_length;
    } formats[] = {
        { "gzip", "gzip -dc", { 0x1f, 0x8b, 0x08 }, 3 },
        { "bzip2", "bzip2 -dc", { 'B', 'Z', 'h', '9' }, 4 },
        { "lzma", "xz -dc --format=lzma", { 0x5d, 0x00, 0x00, 0x80 }, 4 },
        { "xz", "xz -dc", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6 },
        { "lzo", "lzop -dc", { 0x89, 'L', 'Z', 'O', 0x00, '\r', '\n', 0x1a, '\n' }, 9 },
        { "lz4", "lz4 -dc", { 0x02, 0x21, 0x4c, 0x18 }, 4 },
        { "zstd", "zstd -dc", { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
    };

    for (size_t index = 0; index < sizeof(formats) / sizeof(formats[0]); index++) {
        struct bzimage_payload payload;

        build_image(27, 512, formats[index].magic, formats[index].magic_length);
        ck_assert_int_eq(bzimage_find_payload(image, sizeof(image), &payload), BZIMAGE_OK);
        ck_assert_str_eq(payload.compression->name, formats[index].name);
        ck_assert_str_eq(payload.compression->decompressor, formats[index].decompressor);
    }
}
END_TEST

START_TEST(test_unknown_magic_is_refused)
{
    static const uint8_t elf_magic[] = { 0x7f, 'E', 'L', 'F' };
    struct bzimage_payload payload;

    build_image(4, 0, elf_magic, sizeof(elf_magic));
    ck_assert_int_eq(bzimage_find_payload(image, sizeof(image), &payload),
                     BZIMAGE_UNKNOWN_COMPRESSION);
}
END_TEST

START_TEST(test_partial_magic_is_refused)
{
    static const uint8_t almost_xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0x01 };
    struct bzimage_payload payload;

    build_image(4, 0, almost_xz, sizeof(almost_xz));
    ck_assert_int_eq(bzimage_find_payload(image, sizeof(image), &payload),
                     BZIMAGE_UNKNOWN_COMPRESSION);
}
END_TEST

START_TEST(test_missing_signature_is_refused)
{
    struct bzimage_payload payload;

    build_image(4, 0, xz_magic, sizeof(xz_magic));
    image[0x202] = 'h';
    ck_assert_int_eq(bzimage_find_payload(image, sizeof(image), &payload), BZIMAGE_NO_HEADER);
}
END_TEST

START_TEST(test_protocol_before_2_08_is_refused)
{
    struct bzimage_payload payload;

    build_image(4, 0, xz_magic, sizeof(xz_magic));
    put_le16(0x206, 0x0207);
    ck_assert_int_eq(bzimage_find_payload(image, sizeof(image), &payload), BZIMAGE_OLD_PROTOCOL);
    ck_assert_uint_eq(payload.protocol_version, 0x0207);

    put_le16(0x206, 0x0208);
    ck_assert_int_eq(bzimage_find_payload(image, sizeof(image), &payload), BZIMAGE_OK);
}
END_TEST

START_TEST(test_image_shorter_than_the_header_is_refused)
{
    struct bzimage_payload payload;

    build_image(4, 0, xz_magic, sizeof(xz_magic));
    ck_assert_int_eq(bzimage_find_payload(image, 0x24f, &payload), BZIMAGE_TOO_SHORT);
    ck_assert_int_eq(bzimage_find_payload(image, 0, &payload), BZIMAGE_TOO_SHORT);
}
END_TEST

START_TEST(test_payload_beyond_the_image_is_refused)
{
    struct bzimage_payload payload;
    size_t start = build_image(4, 0, xz_magic, sizeof(xz_magic));

    /* Ends exactly at the end of the image: accepted. */
    ck_assert_int_eq(bzimage_find_payload(image, start + PAYLOAD_SIZE, &payload), BZIMAGE_OK);
    ck_assert_int_eq(bzimage_find_payload(image, start + PAYLOAD_SIZE - 1, &payload),
                     BZIMAGE_PAYLOAD_OUTSIDE);

    put_le32(0x248, 0xffffffffu);
    ck_assert_int_eq(bzimage_find_payload(image, sizeof(image), &payload), BZIMAGE_PAYLOAD_OUTSIDE);

    put_le32(0x248, 0);
    put_le32(0x24c, 0xffffffffu);
    ck_assert_int_eq(bzimage_find_payload(image, sizeof(image), &payload), BZIMAGE_PAYLOAD_OUTSIDE);
}
END_TEST

START_TEST(test_payload_without_room_for_the_size_is_refused)
{
    struct bzimage_payload payload;

    build_image(4, 0, xz_magic, sizeof(xz_magic));
    put_le32(0x24c, 3);
    ck_assert_int_eq(bzimage_find_payload(image, sizeof(image), &payload),
                     BZIMAGE_PAYLOAD_TOO_SHORT);

    /* Room for the size but not for the magic before it. */
    put_le32(0x24c, 8);
    ck_assert_int_eq(bzimage_find_payload(image, sizeof(image), &payload),
                     BZIMAGE_UNKNOWN_COMPRESSION);
}
END_TEST

START_TEST(test_every_status_has_a_text)
{
    for (int status = BZIMAGE_OK; status <= BZIMAGE_UNKNOWN_COMPRESSION; status++)
        ck_assert_str_ne(bzimage_status_text((enum bzimage_status) status), "unknown status");
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *bzimage_suite(void)
{
    Suite *suite = suite_create("bzimage");

    add_test_case(suite, test_xz_payload_found_after_setup_sectors);
    add_test_case(suite, test_zero_setup_sects_means_four);
    add_test_case(suite, test_appended_size_is_cut_off_all_but_gzip);
    add_test_case(suite, test_every_kernel_compression_is_recognised);
    add_test_case(suite, test_unknown_magic_is_refused);
    add_test_case(suite, test_partial_magic_is_refused);
    add_test_case(suite, test_missing_signature_is_refused);
    add_test_case(suite, test_protocol_before_2_08_is_refused);
    add_test_case(suite, test_image_shorter_than_the_header_is_refused);
    add_test_case(suite, test_payload_beyond_the_image_is_refused);
    add_test_case(suite, test_payload_without_room_for_the_size_is_refused);
    add_test_case(suite, test_every_status_has_a_text);
    return suite;
}

REGISTER_SUITE(bzimage_suite)
