/*
 * Specification of the toolstack's registry of live domains
 * (pv-guest/kernel/domain_registry.h): unique names, xl's domain
 * qualifiers (libxl_domain_qualifier_to_domid: all digits is an id,
 * anything else a name), the lookup `xl console` uses.
 */
#include <string.h>
#include <pvmon/errno.h>
#include <kernel/domain_registry.h>

#include "suites.h"

static const struct lifecycle_actions xl_defaults = {
    .on_poweroff = XL_ACTION_DESTROY, .on_reboot = XL_ACTION_RESTART, .on_crash = XL_ACTION_DESTROY,
};

static struct live_domain *add_built(const char *name, uint16_t id)
{
    struct domain_spec spec = { 0 };
    struct live_domain *domain = NULL;

    strcpy(spec.name, name);
    ck_assert_int_eq(domain_registry_add(&spec, &xl_defaults, &domain), 0);
    domain->id = id;
    domain->built = true;
    return domain;
}

static void setup(void)
{
    domain_registry_reset();
}

START_TEST(test_a_name_is_found_with_its_backends)
{
    struct live_domain *guest = add_built("guest", 3);

    add_built("other", 4);
    ck_assert_ptr_eq(domain_registry_find("guest"), guest);
    ck_assert_ptr_eq(domain_registry_find_backends("guest"), &guest->backends);
}
END_TEST

START_TEST(test_all_digits_is_an_id)
{
    struct live_domain *guest = add_built("guest", 12);

    ck_assert_ptr_eq(domain_registry_find("12"), guest);
    ck_assert_ptr_eq(domain_registry_find("012"), guest);
}
END_TEST

START_TEST(test_a_name_with_digits_is_a_name)
{
    struct live_domain *guest = add_built("7a", 3);

    add_built("three", 7);
    ck_assert_ptr_eq(domain_registry_find("7a"), guest);
}
END_TEST

START_TEST(test_an_unknown_qualifier_is_no_such_domain)
{
    uint16_t id = 99;

    add_built("guest", 3);
    ck_assert_ptr_null(domain_registry_find("nobody"));
    ck_assert_ptr_null(domain_registry_find("4"));
    ck_assert_ptr_null(domain_registry_find(""));
    ck_assert_ptr_null(domain_registry_find("65539")); /* 3 modulo 2^16 must not match */
    ck_assert_int_eq(domain_registry_resolve("nobody", &id), -XEN_ESRCH);
    ck_assert_int_eq(id, 99);
}
END_TEST

START_TEST(test_dom0_resolves_but_has_no_backends_here)
{
    uint16_t id = 99;

    ck_assert_int_eq(domain_registry_resolve("Domain-0", &id), 0);
    ck_assert_int_eq(id, 0);
    ck_assert_int_eq(domain_registry_resolve("0", &id), 0);
    ck_assert_ptr_null(domain_registry_find_backends("Domain-0"));
    ck_assert_ptr_null(domain_registry_find_backends("0"));
}
END_TEST

START_TEST(test_a_domain_not_yet_built_is_not_found)
{
    struct domain_spec spec = { .name = "building" };
    struct live_domain *domain;

    ck_assert_int_eq(domain_registry_add(&spec, &xl_defaults, &domain), 0);
    ck_assert_ptr_null(domain_registry_find("building"));
    ck_assert_ptr_null(domain_registry_find("0"));
}
END_TEST

START_TEST(test_names_are_unique_and_dom0s_is_taken)
{
    struct domain_spec spec = { .name = "guest" };
    struct domain_spec dom0 = { .name = "Domain-0" };
    struct live_domain *domain;

    add_built("guest", 3);
    ck_assert_int_eq(domain_registry_add(&spec, &xl_defaults, &domain), -XEN_EEXIST);
    ck_assert_int_eq(domain_registry_add(&dom0, &xl_defaults, &domain), -XEN_EEXIST);
}
END_TEST

START_TEST(test_a_full_registry_refuses_and_a_removed_record_is_reused)
{
    char name[CONFIG_NAME_SIZE];
    struct domain_spec spec = { .name = "one-more" };
    struct live_domain *domain, *third = NULL;

    for (unsigned int index = 0; index < DOMAIN_REGISTRY_SIZE; index++) {
        name[0] = (char)('a' + index);
        name[1] = '\0';
        domain = add_built(name, (uint16_t)(index + 1));
        ck_assert_uint_eq(domain->slot, index);
        if (index == 2)
            third = domain;
    }
    ck_assert_int_eq(domain_registry_add(&spec, &xl_defaults, &domain), -XEN_ENOSPC);
    domain_registry_remove(third);
    ck_assert_ptr_null(domain_registry_find("c"));
    ck_assert_int_eq(domain_registry_add(&spec, &xl_defaults, &domain), 0);
    ck_assert_uint_eq(domain->slot, 2);
    ck_assert_int_eq(domain->actions.on_reboot, XL_ACTION_RESTART);
}
END_TEST

static Suite *domain_registry_suite(void)
{
    Suite *suite = suite_create("domain_registry");
    TCase *cases = tcase_create("domain_registry");

    tcase_add_checked_fixture(cases, setup, NULL);
    tcase_add_test(cases, test_a_name_is_found_with_its_backends);
    tcase_add_test(cases, test_all_digits_is_an_id);
    tcase_add_test(cases, test_a_name_with_digits_is_a_name);
    tcase_add_test(cases, test_an_unknown_qualifier_is_no_such_domain);
    tcase_add_test(cases, test_dom0_resolves_but_has_no_backends_here);
    tcase_add_test(cases, test_a_domain_not_yet_built_is_not_found);
    tcase_add_test(cases, test_names_are_unique_and_dom0s_is_taken);
    tcase_add_test(cases, test_a_full_registry_refuses_and_a_removed_record_is_reused);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(domain_registry_suite)
