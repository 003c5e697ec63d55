/*
 * Specification of checkpoints as an external snapshot chain on spare
 * disks (backend/vbd_checkpoint.h), on RAM image files with the real qcow2
 * and disk_image code: the chain through a disk found from the images
 * alone, a checkpoint freezing the top under a new overlay on a free spare,
 * a rollback giving back exactly the checkpointed contents and the spares
 * above it, and hostile chains (loops, forks, missing backing files,
 * depth) refused.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pvmon/errno.h>
#include <backend/disk_image.h>
#include <backend/qcow2.h>
#include <backend/vbd_checkpoint.h>

#include "suites.h"

#define MIB (1024u * 1024u)
#define VIRTUAL_SIZE (1 * MIB)
#define OVERLAY_FILE_SIZE (2 * MIB)
#define MAX_FILES 24
#define PATTERN_SECTORS 64

struct ram_file {
    struct image_file file;
    uint8_t *bytes;
    unsigned int opened_writable;
    unsigned int writes;
};

static struct ram_file files[MAX_FILES];
static unsigned int file_count;
static struct vbd_checkpoint_catalogue catalogue;
static uint8_t header_buffer[QCOW2_MAX_CLUSTER_SIZE];
static struct disk_image image;

static int ram_read(struct image_file *file, uint64_t offset, void *buffer, uint64_t length)
{
    struct ram_file *ram = file->context;

    if (offset % IMAGE_FILE_SECTOR_SIZE || length % IMAGE_FILE_SECTOR_SIZE || offset > file->size ||
        length > file->size - offset)
        return -XEN_EINVAL;
    memcpy(buffer, ram->bytes + offset, length);
    return 0;
}

static int ram_write(struct image_file *file, uint64_t offset, const void *buffer, uint64_t length)
{
    struct ram_file *ram = file->context;

    if (offset % IMAGE_FILE_SECTOR_SIZE || length % IMAGE_FILE_SECTOR_SIZE || offset > file->size ||
        length > file->size - offset)
        return -XEN_EINVAL;
    if (file->read_only)
        return -XEN_EROFS;
    memcpy(ram->bytes + offset, buffer, length);
    ram->writes++;
    return 0;
}

static int ram_flush(struct image_file *file)
{
    (void)file;
    return 0;
}

static const struct image_file_operations ram_operations = { ram_read, ram_write, ram_flush };

static struct ram_file *add_file(const char *name, uint64_t size)
{
    struct ram_file *ram = &files[file_count++];

    ck_assert_uint_le(file_count, MAX_FILES);
    ram->bytes = calloc(1, size);
    ck_assert_ptr_nonnull(ram->bytes);
    ram->file = (struct image_file){ .operations = &ram_operations, .context = ram, .size = size };
    strcpy(ram->file.name, name);
    return ram;
}

static struct ram_file *file_called(const char *name)
{
    for (unsigned int index = 0; index < file_count; index++)
        if (strcmp(files[index].file.name, name) == 0)
            return &files[index];
    return NULL;
}

static struct image_file *find_file(void *context, const char *name)
{
    struct ram_file *ram = file_called(name);

    (void)context;
    return ram == NULL ? NULL : &ram->file;
}

static int open_writable(void *context, const char *name, struct image_file **file)
{
    struct ram_file *ram = file_called(name);

    (void)context;
    if (ram == NULL)
        return -XEN_ENODEV;
    ram->opened_writable++;
    *file = &ram->file;
    return 0;
}

static void close_file(void *context, struct image_file *file)
{
    (void)context;
    (void)file;
}

static const struct vbd_checkpoint_disks disks = { open_writable, close_file, NULL };

/* dom0 after a boot: every disk described afresh from its bytes. */
static void describe_every_disk(void)
{
    catalogue.count = 0;
    for (unsigned int index = 0; index < file_count; index++) {
        struct vbd_checkpoint_image described;

        ck_assert_int_eq(vbd_checkpoint_describe(&files[index].file, header_buffer, &described), 0);
        ck_assert_int_eq(vbd_checkpoint_catalogue_add(&catalogue, &described), 0);
    }
}

static void make_qcow2(const char *name, uint64_t file_size, const char *backing, const char *format)
{
    struct ram_file *ram = add_file(name, file_size);

    ck_assert_int_eq(qcow2_create(&ram->file, VIRTUAL_SIZE, backing, format, QCOW2_DEFAULT_CLUSTER_BITS), 0);
}

/* base.raw under guest.qcow2, and spares ckpt1..ckptN (empty files). */
static void setup_disks(unsigned int spares)
{
    char name[IMAGE_FILE_NAME_SIZE];

    for (unsigned int index = 0; index < file_count; index++)
        free(files[index].bytes);
    memset(files, 0, sizeof(files));
    file_count = 0;
    add_file("base.raw", VIRTUAL_SIZE);
    memset(file_called("base.raw")->bytes, 0x42, VIRTUAL_SIZE);
    make_qcow2("guest.qcow2", OVERLAY_FILE_SIZE, "base.raw", "raw");
    for (unsigned int spare = 1; spare <= spares; spare++) {
        strcpy(name, "ckpt");
        name[4] = (char)('0' + spare);
        strcpy(name + 5, ".qcow2");
        add_file(name, OVERLAY_FILE_SIZE);
    }
    describe_every_disk();
}

static struct vbd_checkpoint_chain chain_of(const char *name)
{
    struct vbd_checkpoint_chain chain;

    ck_assert_int_eq(vbd_checkpoint_chain(&catalogue, name, &chain), 0);
    return chain;
}

static const char *at(const struct vbd_checkpoint_chain *chain, unsigned int position)
{
    return catalogue.images[chain->images[position]].name;
}

static unsigned int take_checkpoint(const char *disk)
{
    struct vbd_checkpoint_chain chain = chain_of(disk);
    unsigned int spare;

    ck_assert_int_eq(vbd_checkpoint_take(&catalogue, &chain, &disks, &spare), 0);
    return spare;
}

/* --- the disk as a guest sees it: the chain's top through disk_image ------------------ */

static void open_top(const char *disk)
{
    struct vbd_checkpoint_chain chain = chain_of(disk);
    const struct vbd_checkpoint_image *top = &catalogue.images[chain.images[0]];

    ck_assert_int_eq(disk_image_open(&image, top->qcow2 ? DISK_IMAGE_QCOW2 : DISK_IMAGE_RAW,
                                     &file_called(top->name)->file, NULL, find_file, NULL),
                     0);
}

static void fill_sectors(uint8_t *buffer, uint8_t pattern)
{
    for (unsigned int index = 0; index < PATTERN_SECTORS * DISK_IMAGE_SECTOR_SIZE; index++)
        buffer[index] = (uint8_t)(pattern ^ (index / DISK_IMAGE_SECTOR_SIZE));
}

static void write_pattern(const char *disk, uint64_t sector, uint8_t pattern)
{
    static uint8_t buffer[PATTERN_SECTORS * DISK_IMAGE_SECTOR_SIZE];

    fill_sectors(buffer, pattern);
    open_top(disk);
    ck_assert_int_eq(disk_image_write(&image, sector, buffer, PATTERN_SECTORS), 0);
    ck_assert_int_eq(disk_image_flush(&image), 0);
    disk_image_close(&image);
}

static bool holds_pattern(const char *disk, uint64_t sector, uint8_t pattern)
{
    static uint8_t expected[PATTERN_SECTORS * DISK_IMAGE_SECTOR_SIZE];
    static uint8_t found[PATTERN_SECTORS * DISK_IMAGE_SECTOR_SIZE];

    fill_sectors(expected, pattern);
    open_top(disk);
    ck_assert_int_eq(disk_image_read(&image, sector, found, PATTERN_SECTORS), 0);
    disk_image_close(&image);
    return memcmp(expected, found, sizeof(found)) == 0;
}

/* --- describing and chaining ------------------------------------------------------------ */

START_TEST(test_a_spare_is_named_by_its_prefix)
{
    ck_assert(vbd_checkpoint_is_spare("ckpt1.qcow2"));
    ck_assert(!vbd_checkpoint_is_spare("guest.qcow2"));
    ck_assert(!vbd_checkpoint_is_spare("ckp"));
}
END_TEST

START_TEST(test_an_overlay_is_described_by_its_header)
{
    setup_disks(1);
    const struct vbd_checkpoint_image *guest = &catalogue.images[vbd_checkpoint_find(&catalogue, "guest.qcow2")];
    const struct vbd_checkpoint_image *base = &catalogue.images[vbd_checkpoint_find(&catalogue, "base.raw")];
    const struct vbd_checkpoint_image *spare = &catalogue.images[vbd_checkpoint_find(&catalogue, "ckpt1.qcow2")];

    ck_assert(guest->qcow2 && guest->valid && guest->backing_raw);
    ck_assert_str_eq(guest->backing, "base.raw");
    ck_assert_uint_eq(guest->virtual_size, VIRTUAL_SIZE);
    ck_assert(!base->qcow2 && base->valid);
    ck_assert_uint_eq(base->virtual_size, VIRTUAL_SIZE);
    ck_assert(!spare->qcow2);
}
END_TEST

START_TEST(test_a_corrupt_header_is_described_as_not_valid)
{
    struct vbd_checkpoint_image described;

    setup_disks(0);
    file_called("guest.qcow2")->bytes[4 + 3] = 9; /* version 9 */
    ck_assert_int_eq(vbd_checkpoint_describe(&file_called("guest.qcow2")->file, header_buffer, &described), 0);
    ck_assert(described.qcow2);
    ck_assert(!described.valid);
}
END_TEST

START_TEST(test_the_chain_of_an_overlay_without_checkpoints_is_it_and_its_base)
{
    setup_disks(2);
    struct vbd_checkpoint_chain chain = chain_of("guest.qcow2");

    ck_assert_uint_eq(chain.count, 2);
    ck_assert_str_eq(at(&chain, 0), "guest.qcow2");
    ck_assert_str_eq(at(&chain, 1), "base.raw");
    ck_assert_uint_eq(chain.named, 0);
    ck_assert(!vbd_checkpoint_is_checkpoint(&catalogue, &chain, 0));
    ck_assert(!vbd_checkpoint_is_checkpoint(&catalogue, &chain, 1));
}
END_TEST

START_TEST(test_an_unknown_disk_has_no_chain)
{
    struct vbd_checkpoint_chain chain;

    setup_disks(1);
    ck_assert_int_eq(vbd_checkpoint_chain(&catalogue, "nosuch.qcow2", &chain), -XEN_ENOENT);
}
END_TEST

/* --- taking checkpoints ------------------------------------------------------------------ */

START_TEST(test_a_checkpoint_puts_an_overlay_on_a_free_spare_over_the_top)
{
    setup_disks(2);
    unsigned int spare = take_checkpoint("guest.qcow2");
    struct vbd_checkpoint_chain chain = chain_of("guest.qcow2");

    ck_assert_str_eq(catalogue.images[spare].name, "ckpt1.qcow2");
    ck_assert_uint_eq(chain.count, 3);
    ck_assert_str_eq(at(&chain, 0), "ckpt1.qcow2");
    ck_assert_str_eq(at(&chain, 1), "guest.qcow2");
    ck_assert_str_eq(at(&chain, 2), "base.raw");
    ck_assert_uint_eq(chain.named, 1);
    ck_assert(vbd_checkpoint_is_checkpoint(&catalogue, &chain, 1));
    ck_assert(!vbd_checkpoint_is_checkpoint(&catalogue, &chain, 2));
}
END_TEST

START_TEST(test_the_chain_is_found_again_from_the_images_alone)
{
    setup_disks(3);
    take_checkpoint("guest.qcow2");
    take_checkpoint("guest.qcow2");
    describe_every_disk();
    struct vbd_checkpoint_chain chain = chain_of("guest.qcow2");

    ck_assert_uint_eq(chain.count, 4);
    ck_assert_str_eq(at(&chain, 0), "ckpt2.qcow2");
    ck_assert_str_eq(at(&chain, 1), "ckpt1.qcow2");
    ck_assert_str_eq(at(&chain, 2), "guest.qcow2");
    ck_assert_int_eq(vbd_checkpoint_free_spare(&catalogue), vbd_checkpoint_find(&catalogue, "ckpt3.qcow2"));
}
END_TEST

START_TEST(test_the_overlay_is_a_qcow2_image_of_the_same_size_over_the_top)
{
    struct vbd_checkpoint_image described;

    setup_disks(1);
    take_checkpoint("guest.qcow2");
    ck_assert_int_eq(vbd_checkpoint_describe(&file_called("ckpt1.qcow2")->file, header_buffer, &described), 0);
    ck_assert(described.qcow2 && described.valid && !described.backing_raw);
    ck_assert_str_eq(described.backing, "guest.qcow2");
    ck_assert_uint_eq(described.virtual_size, VIRTUAL_SIZE);
}
END_TEST

START_TEST(test_writes_after_a_checkpoint_leave_the_checkpoint_unchanged)
{
    setup_disks(1);
    write_pattern("guest.qcow2", 8, 0xa0);
    take_checkpoint("guest.qcow2");
    unsigned int writes_before = file_called("guest.qcow2")->writes;
    write_pattern("guest.qcow2", 8, 0xb0);
    ck_assert(holds_pattern("guest.qcow2", 8, 0xb0));
    ck_assert_uint_eq(file_called("guest.qcow2")->writes, writes_before);
    ck_assert_uint_eq(file_called("base.raw")->writes, 0);
}
END_TEST

START_TEST(test_no_free_spare_is_enospc_and_nothing_is_written)
{
    struct vbd_checkpoint_chain chain;
    unsigned int spare;

    setup_disks(1);
    take_checkpoint("guest.qcow2");
    chain = chain_of("guest.qcow2");
    unsigned int writes = file_called("ckpt1.qcow2")->writes;
    ck_assert_int_eq(vbd_checkpoint_take(&catalogue, &chain, &disks, &spare), -XEN_ENOSPC);
    ck_assert_uint_eq(file_called("ckpt1.qcow2")->writes, writes);
}
END_TEST

START_TEST(test_a_busy_spare_is_not_free)
{
    setup_disks(1);
    catalogue.images[vbd_checkpoint_find(&catalogue, "ckpt1.qcow2")].busy = true;
    ck_assert_int_eq(vbd_checkpoint_free_spare(&catalogue), -XEN_ENOSPC);
}
END_TEST

START_TEST(test_a_released_spare_is_free_again)
{
    setup_disks(1);
    unsigned int spare = take_checkpoint("guest.qcow2");

    ck_assert_int_eq(vbd_checkpoint_release(&catalogue, spare, &disks), 0);
    describe_every_disk();
    ck_assert_int_eq(vbd_checkpoint_free_spare(&catalogue), (int)spare);
    ck_assert_uint_eq(chain_of("guest.qcow2").count, 2);
}
END_TEST

/* --- rolling back ------------------------------------------------------------------------ */

START_TEST(test_rollback_gives_back_exactly_the_checkpointed_contents)
{
    setup_disks(2);
    write_pattern("guest.qcow2", 8, 0xa0);
    take_checkpoint("guest.qcow2");
    write_pattern("guest.qcow2", 8, 0xb0);
    write_pattern("guest.qcow2", 200, 0xc0);
    struct vbd_checkpoint_chain chain = chain_of("guest.qcow2");

    ck_assert_int_eq(vbd_checkpoint_rollback(&catalogue, &chain, "guest.qcow2", &disks), 0);
    describe_every_disk();
    ck_assert(holds_pattern("guest.qcow2", 8, 0xa0));
    /* Sectors written only after the checkpoint read from the base again. */
    ck_assert(!holds_pattern("guest.qcow2", 200, 0xc0));
    static uint8_t sector[DISK_IMAGE_SECTOR_SIZE];
    open_top("guest.qcow2");
    ck_assert_int_eq(disk_image_read(&image, 200, sector, 1), 0);
    disk_image_close(&image);
    ck_assert_uint_eq(sector[0], 0x42);
}
END_TEST

START_TEST(test_rollback_frees_the_spares_above_and_remakes_the_one_over_the_checkpoint)
{
    setup_disks(3);
    take_checkpoint("guest.qcow2");
    take_checkpoint("guest.qcow2");
    take_checkpoint("guest.qcow2");
    struct vbd_checkpoint_chain chain = chain_of("guest.qcow2");

    ck_assert_int_eq(vbd_checkpoint_rollback(&catalogue, &chain, "ckpt1.qcow2", &disks), 0);
    describe_every_disk();
    chain = chain_of("guest.qcow2");
    ck_assert_uint_eq(chain.count, 4);
    ck_assert_str_eq(at(&chain, 0), "ckpt2.qcow2");
    ck_assert_str_eq(at(&chain, 1), "ckpt1.qcow2");
    ck_assert_int_eq(vbd_checkpoint_free_spare(&catalogue), vbd_checkpoint_find(&catalogue, "ckpt3.qcow2"));
}
END_TEST

START_TEST(test_rollback_to_a_later_checkpoint_keeps_the_earlier_ones)
{
    setup_disks(3);
    write_pattern("guest.qcow2", 0, 0x10);
    take_checkpoint("guest.qcow2");
    write_pattern("guest.qcow2", 0, 0x20);
    take_checkpoint("guest.qcow2");
    write_pattern("guest.qcow2", 0, 0x30);
    struct vbd_checkpoint_chain chain = chain_of("guest.qcow2");

    ck_assert_int_eq(vbd_checkpoint_rollback(&catalogue, &chain, "ckpt1.qcow2", &disks), 0);
    ck_assert(holds_pattern("guest.qcow2", 0, 0x20));
    chain = chain_of("guest.qcow2");
    ck_assert_int_eq(vbd_checkpoint_rollback(&catalogue, &chain, "guest.qcow2", &disks), 0);
    ck_assert(holds_pattern("guest.qcow2", 0, 0x10));
}
END_TEST

START_TEST(test_the_top_is_not_a_checkpoint_to_roll_back_to)
{
    setup_disks(2);
    take_checkpoint("guest.qcow2");
    struct vbd_checkpoint_chain chain = chain_of("guest.qcow2");

    ck_assert_int_eq(vbd_checkpoint_rollback(&catalogue, &chain, "ckpt1.qcow2", &disks), -XEN_EINVAL);
}
END_TEST

START_TEST(test_the_base_under_the_disks_own_overlay_is_not_a_checkpoint)
{
    setup_disks(2);
    take_checkpoint("guest.qcow2");
    struct vbd_checkpoint_chain chain = chain_of("guest.qcow2");

    ck_assert_int_eq(vbd_checkpoint_rollback(&catalogue, &chain, "base.raw", &disks), -XEN_EINVAL);
    ck_assert_int_eq(vbd_checkpoint_rollback(&catalogue, &chain, "other.qcow2", &disks), -XEN_ENOENT);
}
END_TEST

START_TEST(test_rollback_under_a_busy_image_is_ebusy_and_writes_nothing)
{
    setup_disks(2);
    take_checkpoint("guest.qcow2");
    take_checkpoint("guest.qcow2");
    struct vbd_checkpoint_chain chain = chain_of("guest.qcow2");
    unsigned int writes[2] = { file_called("ckpt1.qcow2")->writes, file_called("ckpt2.qcow2")->writes };

    catalogue.images[chain.images[0]].busy = true;
    ck_assert_int_eq(vbd_checkpoint_rollback(&catalogue, &chain, "guest.qcow2", &disks), -XEN_EBUSY);
    ck_assert_uint_eq(file_called("ckpt1.qcow2")->writes, writes[0]);
    ck_assert_uint_eq(file_called("ckpt2.qcow2")->writes, writes[1]);
}
END_TEST

START_TEST(test_rollback_never_wipes_a_disk_that_is_not_a_spare)
{
    /* base.raw <- ckpt1.qcow2 (made by hand) <- guest.qcow2: base looks like a checkpoint,
     * but guest.qcow2 above it is the user's own image. */
    setup_disks(0);
    make_qcow2("ckpt1.qcow2", OVERLAY_FILE_SIZE, "base.raw", "raw");
    make_qcow2("user.qcow2", OVERLAY_FILE_SIZE, "ckpt1.qcow2", "qcow2");
    describe_every_disk();
    struct vbd_checkpoint_chain chain = chain_of("user.qcow2");
    unsigned int writes = file_called("user.qcow2")->writes;

    ck_assert_int_eq(vbd_checkpoint_rollback(&catalogue, &chain, "base.raw", &disks), -XEN_EINVAL);
    ck_assert_uint_eq(file_called("user.qcow2")->writes, writes);
}
END_TEST

/* --- hostile chains ---------------------------------------------------------------------- */

START_TEST(test_a_backing_loop_is_refused)
{
    struct vbd_checkpoint_chain chain;

    setup_disks(0);
    make_qcow2("loop-a.qcow2", OVERLAY_FILE_SIZE, "loop-b.qcow2", "qcow2");
    make_qcow2("loop-b.qcow2", OVERLAY_FILE_SIZE, "loop-a.qcow2", "qcow2");
    describe_every_disk();
    ck_assert_int_eq(vbd_checkpoint_chain(&catalogue, "loop-a.qcow2", &chain), -XEN_EINVAL);
}
END_TEST

START_TEST(test_a_loop_of_spares_is_refused)
{
    struct vbd_checkpoint_chain chain;

    setup_disks(0);
    make_qcow2("ckpt1.qcow2", OVERLAY_FILE_SIZE, "ckpt2.qcow2", "qcow2");
    make_qcow2("ckpt2.qcow2", OVERLAY_FILE_SIZE, "ckpt1.qcow2", "qcow2");
    describe_every_disk();
    ck_assert_int_eq(vbd_checkpoint_chain(&catalogue, "ckpt1.qcow2", &chain), -XEN_EINVAL);
}
END_TEST

START_TEST(test_two_spares_over_one_image_are_refused)
{
    struct vbd_checkpoint_chain chain;

    setup_disks(0);
    make_qcow2("ckpt1.qcow2", OVERLAY_FILE_SIZE, "guest.qcow2", "qcow2");
    make_qcow2("ckpt2.qcow2", OVERLAY_FILE_SIZE, "guest.qcow2", "qcow2");
    describe_every_disk();
    ck_assert_int_eq(vbd_checkpoint_chain(&catalogue, "guest.qcow2", &chain), -XEN_EINVAL);
}
END_TEST

START_TEST(test_a_missing_backing_file_is_refused)
{
    struct vbd_checkpoint_chain chain;

    setup_disks(0);
    make_qcow2("orphan.qcow2", OVERLAY_FILE_SIZE, "gone.raw", "raw");
    describe_every_disk();
    ck_assert_int_eq(vbd_checkpoint_chain(&catalogue, "orphan.qcow2", &chain), -XEN_EINVAL);
}
END_TEST

START_TEST(test_a_corrupt_image_in_the_chain_is_refused)
{
    struct vbd_checkpoint_chain chain;

    setup_disks(1);
    take_checkpoint("guest.qcow2");
    file_called("guest.qcow2")->bytes[4 + 3] = 9;
    describe_every_disk();
    ck_assert_int_eq(vbd_checkpoint_chain(&catalogue, "guest.qcow2", &chain), -XEN_EINVAL);
}
END_TEST

START_TEST(test_a_chain_deeper_than_disk_images_is_refused)
{
    char name[IMAGE_FILE_NAME_SIZE], below[IMAGE_FILE_NAME_SIZE] = "base.raw";
    struct vbd_checkpoint_chain chain;

    setup_disks(0);
    for (unsigned int depth = 0; depth < DISK_IMAGE_MAX_CHAIN; depth++) {
        strcpy(name, "deep00.qcow2");
        name[4] = (char)('0' + depth / 10);
        name[5] = (char)('0' + depth % 10);
        make_qcow2(name, OVERLAY_FILE_SIZE / 4, below, depth == 0 ? "raw" : "qcow2");
        strcpy(below, name);
    }
    describe_every_disk();
    ck_assert_int_eq(vbd_checkpoint_chain(&catalogue, name, &chain), -XEN_E2BIG);
}
END_TEST

START_TEST(test_a_name_twice_in_the_catalogue_is_refused)
{
    setup_disks(0);
    ck_assert_int_eq(vbd_checkpoint_catalogue_add(&catalogue, &catalogue.images[0]), -XEN_EEXIST);
}
END_TEST

static Suite *vbd_checkpoint_suite(void)
{
    Suite *suite = suite_create("vbd_checkpoint");
    TCase *cases = tcase_create("vbd_checkpoint");

    tcase_add_test(cases, test_a_spare_is_named_by_its_prefix);
    tcase_add_test(cases, test_an_overlay_is_described_by_its_header);
    tcase_add_test(cases, test_a_corrupt_header_is_described_as_not_valid);
    tcase_add_test(cases, test_the_chain_of_an_overlay_without_checkpoints_is_it_and_its_base);
    tcase_add_test(cases, test_an_unknown_disk_has_no_chain);
    tcase_add_test(cases, test_a_checkpoint_puts_an_overlay_on_a_free_spare_over_the_top);
    tcase_add_test(cases, test_the_chain_is_found_again_from_the_images_alone);
    tcase_add_test(cases, test_the_overlay_is_a_qcow2_image_of_the_same_size_over_the_top);
    tcase_add_test(cases, test_writes_after_a_checkpoint_leave_the_checkpoint_unchanged);
    tcase_add_test(cases, test_no_free_spare_is_enospc_and_nothing_is_written);
    tcase_add_test(cases, test_a_busy_spare_is_not_free);
    tcase_add_test(cases, test_a_released_spare_is_free_again);
    tcase_add_test(cases, test_rollback_gives_back_exactly_the_checkpointed_contents);
    tcase_add_test(cases, test_rollback_frees_the_spares_above_and_remakes_the_one_over_the_checkpoint);
    tcase_add_test(cases, test_rollback_to_a_later_checkpoint_keeps_the_earlier_ones);
    tcase_add_test(cases, test_the_top_is_not_a_checkpoint_to_roll_back_to);
    tcase_add_test(cases, test_the_base_under_the_disks_own_overlay_is_not_a_checkpoint);
    tcase_add_test(cases, test_rollback_under_a_busy_image_is_ebusy_and_writes_nothing);
    tcase_add_test(cases, test_rollback_never_wipes_a_disk_that_is_not_a_spare);
    tcase_add_test(cases, test_a_backing_loop_is_refused);
    tcase_add_test(cases, test_a_loop_of_spares_is_refused);
    tcase_add_test(cases, test_two_spares_over_one_image_are_refused);
    tcase_add_test(cases, test_a_missing_backing_file_is_refused);
    tcase_add_test(cases, test_a_corrupt_image_in_the_chain_is_refused);
    tcase_add_test(cases, test_a_chain_deeper_than_disk_images_is_refused);
    tcase_add_test(cases, test_a_name_twice_in_the_catalogue_is_refused);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(vbd_checkpoint_suite)
