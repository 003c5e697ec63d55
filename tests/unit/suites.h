/*
 * The list of host unit-test suites.  Each suite tests one hypervisor
 * source file that compiles for the host as well as for ring 0; add a
 * line here and to tests/unit/main.c when a new suite is written.
 */
#ifndef PVMON_TEST_SUITES_H
#define PVMON_TEST_SUITES_H

#include <check.h>

Suite *format_suite(void);
Suite *memory_map_suite(void);
Suite *frame_allocator_suite(void);
Suite *boot_archive_suite(void);
Suite *command_line_suite(void);
Suite *time_scale_suite(void);
Suite *boot_info_suite(void);
Suite *crc32_suite(void);

#endif
