/*
 * Specification of what xl's block-* verbs print (tools/xl/xl_block.h):
 * a disk's chain from its top down with each image's role and the free
 * spares, and one line per refusal saying why.
 */
#include <string.h>
#include <pvmon/errno.h>
#include <tools/xl/xl_block.h>

#include "suites.h"

static char printed[2048];
static struct vbd_checkpoint_catalogue catalogue;

static void collect(void *context, const char *text)
{
    (void)context;
    strncat(printed, text, sizeof(printed) - strlen(printed) - 1);
}

static void add(const char *name, bool qcow2, const char *backing)
{
    struct vbd_checkpoint_image image = { .qcow2 = qcow2, .valid = true, .virtual_size = 1 << 20 };

    strcpy(image.name, name);
    strcpy(image.backing, backing);
    ck_assert_int_eq(vbd_checkpoint_catalogue_add(&catalogue, &image), 0);
}

START_TEST(test_the_list_shows_the_chain_top_down_with_roles_and_free_spares)
{
    struct vbd_checkpoint_chain chain;

    catalogue.count = 0;
    printed[0] = '\0';
    add("base.raw", false, "");
    add("guest.qcow2", true, "base.raw");
    add("ckpt1.qcow2", true, "guest.qcow2");
    add("ckpt2.qcow2", true, "ckpt1.qcow2");
    add("ckpt3.qcow2", false, "");
    ck_assert_int_eq(vbd_checkpoint_chain(&catalogue, "guest.qcow2", &chain), 0);
    xl_block_print_chain(&catalogue, &chain, collect, NULL);
    ck_assert_str_eq(printed, "Image                Format  Role\n"
                              "ckpt2.qcow2          qcow2   top: takes the writes\n"
                              "ckpt1.qcow2          qcow2   checkpoint\n"
                              "guest.qcow2          qcow2   checkpoint\n"
                              "base.raw             raw     backing\n"
                              "free spares: ckpt3.qcow2\n");
}
END_TEST

START_TEST(test_no_free_spare_is_said)
{
    struct vbd_checkpoint_chain chain;

    catalogue.count = 0;
    printed[0] = '\0';
    add("base.raw", false, "");
    ck_assert_int_eq(vbd_checkpoint_chain(&catalogue, "base.raw", &chain), 0);
    xl_block_print_chain(&catalogue, &chain, collect, NULL);
    ck_assert_ptr_nonnull(strstr(printed, "\nfree spares: none\n"));
}
END_TEST

START_TEST(test_a_rollback_of_a_disk_in_use_says_to_shut_the_domain_down)
{
    printed[0] = '\0';
    xl_block_print_failure(XL_VERB_BLOCK_ROLLBACK, "guest.qcow2", "ckpt1.qcow2", -XEN_EBUSY, collect, NULL);
    ck_assert_str_eq(printed, "guest.qcow2: ckpt1.qcow2: a domain is using the disk: shut it down (xl destroy) "
                              "and roll back before xl create (rc=-16)\n");
}
END_TEST

START_TEST(test_a_checkpoint_without_a_spare_says_so)
{
    printed[0] = '\0';
    xl_block_print_failure(XL_VERB_BLOCK_CHECKPOINT, "guest.qcow2", NULL, -XEN_ENOSPC, collect, NULL);
    ck_assert_str_eq(printed, "guest.qcow2: no free spare disk (ckpt*) for the new overlay (rc=-28)\n");
}
END_TEST

static Suite *xl_block_suite(void)
{
    Suite *suite = suite_create("xl_block");
    TCase *cases = tcase_create("xl_block");

    tcase_add_test(cases, test_the_list_shows_the_chain_top_down_with_roles_and_free_spares);
    tcase_add_test(cases, test_no_free_spare_is_said);
    tcase_add_test(cases, test_a_rollback_of_a_disk_in_use_says_to_shut_the_domain_down);
    tcase_add_test(cases, test_a_checkpoint_without_a_spare_says_so);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(xl_block_suite)
