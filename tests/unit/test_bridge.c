/*
 * Specification of dom0's bridge (backend/bridge.h): learning, flooding,
 * filtering, ageing, the locked vif ports and the bounded table.  Port 0
 * is the uplink (unlocked); ports 1 and 2 are vifs locked to
 * 00:16:3e:00:00:01 and :02; hosts behind the uplink are 52:54:00:00:xx:xx.
 */
#include <stdint.h>
#include <string.h>
#include <pvmon/errno.h>
#include <backend/bridge.h>

#include "suites.h"

#define UPLINK 0
#define VIF1 1
#define VIF2 2
#define MILLISECOND 1000000ull
#define SECOND 1000000000ull

static struct bridge bridge;
static const struct ethernet_address broadcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

static struct ethernet_address vif_address(unsigned int port)
{
    return (struct ethernet_address) { { 0x00, 0x16, 0x3e, 0x00, 0x00, (uint8_t)port } };
}

static struct ethernet_address host(unsigned int number)
{
    return (struct ethernet_address) { { 0x52, 0x54, 0x00, 0x00, (uint8_t)(number >> 8), (uint8_t)number } };
}

static bridge_port_set only(unsigned int port)
{
    return (bridge_port_set)1 << port;
}

/* The uplink and two locked vifs. */
static void setup(void)
{
    struct ethernet_address vif1 = vif_address(VIF1), vif2 = vif_address(VIF2);

    memset(&bridge, 0xcc, sizeof(bridge));
    bridge_init(&bridge);
    ck_assert_int_eq(bridge_add_port(&bridge, UPLINK, NULL), 0);
    ck_assert_int_eq(bridge_add_port(&bridge, VIF1, &vif1), 0);
    ck_assert_int_eq(bridge_add_port(&bridge, VIF2, &vif2), 0);
}

static bridge_port_set from_host(unsigned int number, const struct ethernet_address *destination, uint64_t now)
{
    struct ethernet_address source = host(number);

    return bridge_forward(&bridge, UPLINK, &source, destination, now);
}

static bridge_port_set from_vif(unsigned int port, const struct ethernet_address *destination, uint64_t now)
{
    struct ethernet_address source = vif_address(port);

    return bridge_forward(&bridge, port, &source, destination, now);
}

static void assert_on_port(const struct ethernet_address *address, uint64_t now, unsigned int expected)
{
    unsigned int port = 99;

    ck_assert_int_eq(bridge_lookup(&bridge, address, now, &port), 0);
    ck_assert_uint_eq(port, expected);
}

static void assert_unknown(const struct ethernet_address *address, uint64_t now)
{
    unsigned int port;

    ck_assert_int_eq(bridge_lookup(&bridge, address, now, &port), -XEN_ENOENT);
}

START_TEST(test_broadcast_floods_every_other_port)
{
    ck_assert_uint_eq(from_vif(VIF1, &broadcast, 0), only(UPLINK) | only(VIF2));
    ck_assert_uint_eq(bridge.statistics.flooded, 1);
}
END_TEST

START_TEST(test_multicast_destination_floods)
{
    struct ethernet_address ipv6_all_nodes = { { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 } };

    ck_assert_uint_eq(from_host(1, &ipv6_all_nodes, 0), only(VIF1) | only(VIF2));
}
END_TEST

START_TEST(test_unknown_unicast_floods)
{
    struct ethernet_address stranger = host(7);

    ck_assert_uint_eq(from_vif(VIF1, &stranger, 0), only(UPLINK) | only(VIF2));
}
END_TEST

START_TEST(test_vif_address_is_known_before_it_sends)
{
    struct ethernet_address vif2 = vif_address(VIF2);

    ck_assert_uint_eq(from_host(1, &vif2, 0), only(VIF2));
    ck_assert_uint_eq(bridge.statistics.forwarded, 1);
}
END_TEST

START_TEST(test_learnt_source_gets_its_replies_alone)
{
    struct ethernet_address gateway = host(2);

    from_host(2, &broadcast, 0);
    ck_assert_uint_eq(bridge.statistics.learnt, 1);
    ck_assert_uint_eq(from_vif(VIF1, &gateway, SECOND), only(UPLINK));
    assert_on_port(&gateway, SECOND, UPLINK);
}
END_TEST

START_TEST(test_destination_on_the_source_port_is_filtered)
{
    struct ethernet_address gateway = host(2);

    from_host(2, &broadcast, 0);
    ck_assert_uint_eq(from_host(3, &gateway, 0), 0);
    ck_assert_uint_eq(bridge.statistics.filtered, 1);
}
END_TEST

START_TEST(test_learnt_address_moves_to_the_unlocked_port_it_appears_on)
{
    struct ethernet_address roaming = host(9);

    ck_assert_int_eq(bridge_add_port(&bridge, 3, NULL), 0);
    from_host(9, &broadcast, 0);
    bridge_forward(&bridge, 3, &roaming, &broadcast, SECOND);
    assert_on_port(&roaming, SECOND, 3);
    ck_assert_uint_eq(bridge.statistics.learnt, 1);
}
END_TEST

START_TEST(test_entry_ages_out_after_300_seconds)
{
    struct ethernet_address gateway = host(2);

    from_host(2, &broadcast, 5 * SECOND);
    assert_on_port(&gateway, 5 * SECOND + BRIDGE_AGEING_NS - 1, UPLINK);
    assert_unknown(&gateway, 5 * SECOND + BRIDGE_AGEING_NS);
    ck_assert_uint_eq(from_vif(VIF1, &gateway, 5 * SECOND + BRIDGE_AGEING_NS), only(UPLINK) | only(VIF2));
}
END_TEST

START_TEST(test_traffic_refreshes_an_entry)
{
    struct ethernet_address gateway = host(2);

    from_host(2, &broadcast, 0);
    from_host(2, &broadcast, 200 * SECOND);
    assert_on_port(&gateway, 400 * SECOND, UPLINK);
}
END_TEST

START_TEST(test_locked_address_never_ages)
{
    struct ethernet_address vif1 = vif_address(VIF1);

    assert_on_port(&vif1, 100 * BRIDGE_AGEING_NS, VIF1);
}
END_TEST

START_TEST(test_spoofed_source_from_a_locked_port_is_dropped)
{
    struct ethernet_address victim = vif_address(VIF2), gateway = host(2);

    ck_assert_uint_eq(bridge_forward(&bridge, VIF1, &victim, &gateway, 0), 0);
    ck_assert_uint_eq(bridge.statistics.dropped_spoofed, 1);
    assert_on_port(&victim, 0, VIF2);
}
END_TEST

START_TEST(test_locked_port_learns_no_new_address)
{
    struct ethernet_address invented = host(40);

    ck_assert_uint_eq(bridge_forward(&bridge, VIF1, &invented, &broadcast, 0), 0);
    assert_unknown(&invented, 0);
    ck_assert_uint_eq(bridge.statistics.learnt, 0);
}
END_TEST

START_TEST(test_uplink_cannot_take_over_a_locked_address)
{
    struct ethernet_address vif1 = vif_address(VIF1);

    bridge_forward(&bridge, UPLINK, &vif1, &broadcast, 0);
    assert_on_port(&vif1, 0, VIF1);
    ck_assert_uint_eq(from_host(1, &vif1, 0), only(VIF1));
}
END_TEST

START_TEST(test_group_source_is_dropped_and_not_learnt)
{
    ck_assert_uint_eq(bridge_forward(&bridge, UPLINK, &broadcast, &broadcast, 0), 0);
    ck_assert_uint_eq(bridge.statistics.dropped_invalid_source, 1);
    assert_unknown(&broadcast, 0);
}
END_TEST

START_TEST(test_zero_source_is_dropped_and_not_learnt)
{
    struct ethernet_address zero = { { 0 } };

    ck_assert_uint_eq(bridge_forward(&bridge, UPLINK, &zero, &broadcast, 0), 0);
    ck_assert_uint_eq(bridge.statistics.dropped_invalid_source, 1);
    assert_unknown(&zero, 0);
}
END_TEST

START_TEST(test_port_that_is_not_up_sends_nothing)
{
    struct ethernet_address someone = host(1);

    ck_assert_uint_eq(bridge_forward(&bridge, 5, &someone, &broadcast, 0), 0);
    ck_assert_uint_eq(bridge_forward(&bridge, BRIDGE_PORTS, &someone, &broadcast, 0), 0);
    assert_unknown(&someone, 0);
}
END_TEST

START_TEST(test_port_out_of_range_is_refused)
{
    ck_assert_int_eq(bridge_add_port(&bridge, BRIDGE_PORTS, NULL), -XEN_EINVAL);
}
END_TEST

START_TEST(test_port_already_up_is_refused)
{
    ck_assert_int_eq(bridge_add_port(&bridge, UPLINK, NULL), -XEN_EINVAL);
}
END_TEST

START_TEST(test_group_or_zero_lock_address_is_refused)
{
    struct ethernet_address zero = { { 0 } };

    ck_assert_int_eq(bridge_add_port(&bridge, 3, &broadcast), -XEN_EINVAL);
    ck_assert_int_eq(bridge_add_port(&bridge, 3, &zero), -XEN_EINVAL);
    ck_assert(!bridge.ports[3].up);
}
END_TEST

START_TEST(test_lock_address_held_by_another_port_is_refused)
{
    struct ethernet_address vif1 = vif_address(VIF1);

    ck_assert_int_eq(bridge_add_port(&bridge, 3, &vif1), -XEN_EEXIST);
    ck_assert(!bridge.ports[3].up);
    assert_on_port(&vif1, 0, VIF1);
}
END_TEST

START_TEST(test_locked_port_takes_over_an_address_learnt_on_the_uplink)
{
    struct ethernet_address newcomer = host(50);

    from_host(50, &broadcast, 0);
    ck_assert_int_eq(bridge_add_port(&bridge, 3, &newcomer), 0);
    assert_on_port(&newcomer, 0, 3);
    from_host(50, &broadcast, SECOND);
    assert_on_port(&newcomer, SECOND, 3);
}
END_TEST

START_TEST(test_removed_port_is_forgotten)
{
    struct ethernet_address vif2 = vif_address(VIF2);

    bridge_remove_port(&bridge, VIF2);
    assert_unknown(&vif2, 0);
    ck_assert_uint_eq(from_vif(VIF1, &broadcast, 0), only(UPLINK));
    ck_assert_uint_eq(from_vif(VIF2, &broadcast, 0), 0);
}
END_TEST

START_TEST(test_removing_the_uplink_forgets_what_it_learnt)
{
    struct ethernet_address gateway = host(2);

    from_host(2, &broadcast, 0);
    bridge_remove_port(&bridge, UPLINK);
    assert_unknown(&gateway, 0);
}
END_TEST

START_TEST(test_removed_port_comes_back_with_its_address)
{
    struct ethernet_address vif2 = vif_address(VIF2);

    bridge_remove_port(&bridge, VIF2);
    ck_assert_int_eq(bridge_add_port(&bridge, VIF2, &vif2), 0);
    ck_assert_uint_eq(from_vif(VIF1, &vif2, 0), only(VIF2));
}
END_TEST

/* Learns count hosts behind the uplink, host n at n ms: all of them live for 300 s. */
static void learn_hosts(unsigned int first, unsigned int count)
{
    for (unsigned int number = first; number < first + count; number++)
        from_host(number, &broadcast, number * MILLISECOND);
}

START_TEST(test_full_table_gives_up_its_oldest_dynamic_entry)
{
    struct ethernet_address oldest = host(1), second = host(2), newest = host(1000);
    unsigned int dynamic = BRIDGE_TABLE_ENTRIES - 2; /* two static entries: the vifs */

    learn_hosts(1, dynamic);
    ck_assert_uint_eq(bridge.statistics.replaced, 0);
    from_host(1000, &broadcast, SECOND);
    ck_assert_uint_eq(bridge.statistics.replaced, 1);
    assert_unknown(&oldest, SECOND);
    assert_on_port(&second, SECOND, UPLINK);
    assert_on_port(&newest, SECOND, UPLINK);
}
END_TEST

START_TEST(test_full_table_never_gives_up_a_locked_address)
{
    struct ethernet_address vif1 = vif_address(VIF1), vif2 = vif_address(VIF2);

    learn_hosts(1, 3 * BRIDGE_TABLE_ENTRIES);
    ck_assert_uint_eq(bridge.statistics.replaced, 2 * BRIDGE_TABLE_ENTRIES + 2);
    assert_on_port(&vif1, SECOND, VIF1);
    assert_on_port(&vif2, SECOND, VIF2);
}
END_TEST

START_TEST(test_refreshed_entry_is_not_the_one_given_up)
{
    struct ethernet_address oldest = host(1), second = host(2);

    learn_hosts(1, BRIDGE_TABLE_ENTRIES - 2);
    from_host(1, &broadcast, 999 * MILLISECOND);
    from_host(1000, &broadcast, SECOND);
    assert_on_port(&oldest, SECOND, UPLINK);
    assert_unknown(&second, SECOND);
}
END_TEST

START_TEST(test_aged_entry_makes_room_without_a_replacement)
{
    learn_hosts(1, BRIDGE_TABLE_ENTRIES - 2);
    from_host(1000, &broadcast, MILLISECOND + BRIDGE_AGEING_NS);
    ck_assert_uint_eq(bridge.statistics.replaced, 0);
    ck_assert_uint_eq(bridge.statistics.learnt, BRIDGE_TABLE_ENTRIES - 1);
}
END_TEST

START_TEST(test_each_address_is_in_the_table_once)
{
    struct ethernet_address gateway = host(2);
    unsigned int copies = 0;

    ck_assert_int_eq(bridge_add_port(&bridge, 3, NULL), 0);
    from_host(2, &broadcast, 0);
    bridge_forward(&bridge, 3, &gateway, &broadcast, SECOND);
    from_host(2, &broadcast, BRIDGE_AGEING_NS * 2);
    for (unsigned int index = 0; index < BRIDGE_TABLE_ENTRIES; index++)
        if (bridge.table[index].in_use && ethernet_address_equal(&bridge.table[index].address, &gateway))
            copies++;
    ck_assert_uint_eq(copies, 1);
}
END_TEST

static Suite *bridge_suite(void)
{
    Suite *suite = suite_create("bridge");
    TCase *forwarding = tcase_create("forwarding");
    TCase *learning = tcase_create("learning");
    TCase *locking = tcase_create("locked ports");
    TCase *ports = tcase_create("ports");
    TCase *table = tcase_create("table");

    tcase_add_checked_fixture(forwarding, setup, NULL);
    tcase_add_test(forwarding, test_broadcast_floods_every_other_port);
    tcase_add_test(forwarding, test_multicast_destination_floods);
    tcase_add_test(forwarding, test_unknown_unicast_floods);
    tcase_add_test(forwarding, test_vif_address_is_known_before_it_sends);
    tcase_add_test(forwarding, test_learnt_source_gets_its_replies_alone);
    tcase_add_test(forwarding, test_destination_on_the_source_port_is_filtered);
    suite_add_tcase(suite, forwarding);

    tcase_add_checked_fixture(learning, setup, NULL);
    tcase_add_test(learning, test_learnt_address_moves_to_the_unlocked_port_it_appears_on);
    tcase_add_test(learning, test_entry_ages_out_after_300_seconds);
    tcase_add_test(learning, test_traffic_refreshes_an_entry);
    tcase_add_test(learning, test_group_source_is_dropped_and_not_learnt);
    tcase_add_test(learning, test_zero_source_is_dropped_and_not_learnt);
    suite_add_tcase(suite, learning);

    tcase_add_checked_fixture(locking, setup, NULL);
    tcase_add_test(locking, test_locked_address_never_ages);
    tcase_add_test(locking, test_spoofed_source_from_a_locked_port_is_dropped);
    tcase_add_test(locking, test_locked_port_learns_no_new_address);
    tcase_add_test(locking, test_uplink_cannot_take_over_a_locked_address);
    tcase_add_test(locking, test_lock_address_held_by_another_port_is_refused);
    tcase_add_test(locking, test_locked_port_takes_over_an_address_learnt_on_the_uplink);
    suite_add_tcase(suite, locking);

    tcase_add_checked_fixture(ports, setup, NULL);
    tcase_add_test(ports, test_port_that_is_not_up_sends_nothing);
    tcase_add_test(ports, test_port_out_of_range_is_refused);
    tcase_add_test(ports, test_port_already_up_is_refused);
    tcase_add_test(ports, test_group_or_zero_lock_address_is_refused);
    tcase_add_test(ports, test_removed_port_is_forgotten);
    tcase_add_test(ports, test_removing_the_uplink_forgets_what_it_learnt);
    tcase_add_test(ports, test_removed_port_comes_back_with_its_address);
    suite_add_tcase(suite, ports);

    tcase_add_checked_fixture(table, setup, NULL);
    tcase_add_test(table, test_full_table_gives_up_its_oldest_dynamic_entry);
    tcase_add_test(table, test_full_table_never_gives_up_a_locked_address);
    tcase_add_test(table, test_refreshed_entry_is_not_the_one_given_up);
    tcase_add_test(table, test_aged_entry_makes_room_without_a_replacement);
    tcase_add_test(table, test_each_address_is_in_the_table_once);
    suite_add_tcase(suite, table);
    return suite;
}

REGISTER_SUITE(bridge_suite)
