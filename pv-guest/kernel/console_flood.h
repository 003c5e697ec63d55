/*
 * dom0's console flood, for the liveness test (tests/liveness): the
 * longest console_io write a domain can ask for, made from dom0 because
 * dom0's console output is the one every hypervisor must keep printing.
 * The buffer is a read-only range in which every byte is readable, one
 * page of text aliased over 4 GiB (runtime/aliased_range.h, mapped at L4
 * slot CONSOLE_FLOOD_L4_SLOT the first time and kept), so dom0 spends
 * 16 KiB on it whatever the count.
 */
#ifndef PV_KERNEL_CONSOLE_FLOOD_H
#define PV_KERNEL_CONSOLE_FLOOD_H

#include <stdint.h>

#define CONSOLE_FLOOD_L4_SLOT 272

/* Writes bytes (at most 4 GiB - 1) with one CONSOLEIO_write, rounds times,
 * reporting each round's result and system time; 0 or the first error. */
long console_flood(uint64_t bytes, uint64_t rounds);

#endif
