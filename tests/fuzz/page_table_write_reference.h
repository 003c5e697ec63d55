/*
 * An independent model of the writable-page-table emulator
 * (pvmon/page_table_write.h), for its fuzzer: which byte sequences are
 * instructions it accepts, and what each computes.  Written from the
 * Intel SDM, volume 2 (64-bit mode, 64-bit addressing), and from the
 * accepted set that hypervisor/common/page_table_write.c documents, but
 * not from that file's code: its decoder and arithmetic are organised
 * differently (a prefix bit set, a switch per opcode, shifts where the
 * implementation divides), so that a shared mistake is unlikely.
 */
#ifndef PVMON_TEST_PAGE_TABLE_WRITE_REFERENCE_H
#define PVMON_TEST_PAGE_TABLE_WRITE_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pvmon/trap_frame.h>

enum reference_operation {
    REFERENCE_MOV,
    REFERENCE_XCHG,
    REFERENCE_AND,
    REFERENCE_OR,
    REFERENCE_BTS,
    REFERENCE_BTR,
    REFERENCE_CMPXCHG,
};

struct reference_instruction {
    enum reference_operation operation;
    unsigned int size;          /* operand size in bytes: 1, 2, 4 or 8 */
    bool has_rex;
    bool source_is_register;
    unsigned int register_number; /* ModRM reg with REX.R */
    uint64_t immediate;           /* sign-extended to 64 bits */
    bool rip_relative;
    int base;                     /* -1: none */
    int index;                    /* -1: none */
    unsigned int scale;
    uint64_t displacement;        /* sign-extended */
    unsigned int length;
};

/* Whether bytes[0..available) start with an accepted instruction (at most
 * 15 bytes of them are looked at); if so, *instruction describes it. */
bool reference_decode(const uint8_t *bytes, size_t available, struct reference_instruction *instruction);

/* The address the instruction accesses and, for BTS and BTR, the bit in
 * that operand: what the SDM says the processor touches. */
uint64_t reference_access_address(const struct reference_instruction *instruction,
                                  const struct trap_frame *registers, unsigned int *bit);

/*
 * The instruction run against the 8-byte entry holding fault_address:
 * false if the access is misaligned or outside that entry (the emulator
 * must refuse); else *new_entry and *result as the processor would leave
 * them (RIP past the instruction, RF clear).
 */
bool reference_execute(const struct reference_instruction *instruction, const struct trap_frame *registers,
                       uint64_t fault_address, uint64_t old_entry, struct trap_frame *result,
                       uint64_t *new_entry);

#endif
