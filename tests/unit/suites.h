/*
 * How a host unit-test suite joins the run: each tests/unit/test_*.c file
 * defines a function returning its Suite and names it once with
 * REGISTER_SUITE(function).  A constructor adds it to the list main.c runs,
 * so a new test file needs no edit anywhere else (the Makefile builds every
 * C file in tests/unit).
 */
#ifndef PVMON_TEST_SUITES_H
#define PVMON_TEST_SUITES_H

#include <check.h>

void register_suite(Suite *(*constructor)(void));

#define REGISTER_SUITE(suite_function)                                         \
    static void __attribute__((constructor)) register_##suite_function(void)  \
    {                                                                          \
        register_suite(suite_function);                                        \
    }

#endif
