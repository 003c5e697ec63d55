/*
 * Tests of common/page_table_write.c: decoding and emulating a guest
 * kernel's direct write to a read-only page-table entry.  Each case hands
 * the emulator the instruction bytes, a register file whose registers hold
 * distinct values (RDI pointing at the entry), the fault address and the
 * entry's old value, then checks the whole resulting register file and the
 * new entry.  The encodings are those GNU as produces for the instructions
 * named (Linux 6.1's page-table helpers first).
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/page_table_write.h>

#include "suites.h"

#define CODE_ADDRESS UINT64_C(0xffffffff81234561)
#define TABLE_ADDRESS UINT64_C(0xffff888012345000)
#define ENTRY_INDEX 245
#define ENTRY_ADDRESS (TABLE_ADDRESS + ENTRY_INDEX * 8)
/* NX, frame 0x123456, dirty, accessed, user, writable, present. */
#define OLD_ENTRY UINT64_C(0x8000000123456067)
#define NEW_ENTRY UINT64_C(0x8000000987654025)
#define UNTOUCHED_ENTRY UINT64_C(0xdeadbeefdeadbeef)
#define UNTOUCHED_REGISTER_BYTE 0xa5

#define PTE_WRITABLE (UINT64_C(1) << 1)
#define PTE_ACCESSED (UINT64_C(1) << 5)
#define PTE_DIRTY (UINT64_C(1) << 6)
#define PTE_NO_EXECUTE (UINT64_C(1) << 63)

#define FLAG_CARRY UINT64_C(0x1)
#define FLAG_FIXED UINT64_C(0x2)
#define FLAG_PARITY UINT64_C(0x4)
#define FLAG_AUXILIARY_CARRY UINT64_C(0x10)
#define FLAG_ZERO UINT64_C(0x40)
#define FLAG_SIGN UINT64_C(0x80)
#define FLAG_TRAP UINT64_C(0x100)
#define FLAG_INTERRUPT UINT64_C(0x200)
#define FLAG_OVERFLOW UINT64_C(0x800)
#define FLAG_RESUME UINT64_C(0x10000)
#define ARITHMETIC_FLAGS                                                                             \
    (FLAG_CARRY | FLAG_PARITY | FLAG_AUXILIARY_CARRY | FLAG_ZERO | FLAG_SIGN | FLAG_OVERFLOW)

#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })
#define EMULATE(frame, fault_address, old_entry, ...)                                                \
    emulate_bytes(BYTES(__VA_ARGS__), frame, fault_address, old_entry)

#define TRAP_FRAME_WORDS (sizeof(struct trap_frame) / sizeof(uint64_t))

static const char *const register_names[] = {
    "r15", "r14", "r13", "r12", "r11", "r10", "r9", "r8", "rbp", "rdi", "rsi",
    "rdx", "rcx", "rbx", "rax", "vector", "error_code", "rip", "cs", "rflags", "rsp", "ss",
};
_Static_assert(sizeof(register_names) / sizeof(register_names[0]) == TRAP_FRAME_WORDS,
               "one name per trap frame word");

struct outcome {
    int status;
    struct trap_frame registers;
    uint64_t new_entry;
};

/* A frame at CODE_ADDRESS: RDI points at the entry, RSI holds NEW_ENTRY,
 * every other register a distinct value, RF set as after a fault. */
static struct trap_frame frame_at_entry(void)
{
    struct trap_frame frame = {
        .r15 = 0x0f0f0f0f0f0f0f0f, .r14 = 0x0e0e0e0e0e0e0e0e, .r13 = 0x0d0d0d0d0d0d0d0d,
        .r12 = 0x0c0c0c0c0c0c0c0c, .r11 = 0x0b0b0b0b0b0b0b0b, .r10 = 0x0a0a0a0a0a0a0a0a,
        .r9 = 0x0909090909090909,  .r8 = 0x0808080808080808,  .rbp = 0x0505050505050505,
        .rdi = ENTRY_ADDRESS,      .rsi = NEW_ENTRY,          .rdx = 0x0202020202020202,
        .rcx = 0x0101010101010101, .rbx = 0x0303030303030303, .rax = 0x1234567890abcdef,
        .vector = 14,              .error_code = 7,           .rip = CODE_ADDRESS,
        .cs = 0xe033,              .rflags = FLAG_INTERRUPT | FLAG_RESUME | FLAG_FIXED,
        .rsp = 0xffffc90000123f00, .ss = 0xe02b,
    };

    return frame;
}

/* What a successful emulation leaves when the instruction changes no
 * register: RIP past the instruction, RF clear. */
static struct trap_frame completed(struct trap_frame frame, unsigned int length)
{
    frame.rip += length;
    frame.rflags &= ~FLAG_RESUME;
    return frame;
}

static struct trap_frame untouched_frame(void)
{
    struct trap_frame frame;

    memset(&frame, UNTOUCHED_REGISTER_BYTE, sizeof(frame));
    return frame;
}

static struct outcome emulate_bytes(const uint8_t *bytes, size_t length, const struct trap_frame *frame,
                                    uint64_t fault_address, uint64_t old_entry)
{
    struct outcome outcome = { .registers = untouched_frame(), .new_entry = UNTOUCHED_ENTRY };

    outcome.status = page_table_write_emulate(bytes, length, frame, fault_address, old_entry, &outcome.registers,
                                              &outcome.new_entry);
    return outcome;
}

static void assert_frames_equal(const struct trap_frame *actual, const struct trap_frame *expected)
{
    uint64_t actual_words[TRAP_FRAME_WORDS];
    uint64_t expected_words[TRAP_FRAME_WORDS];

    memcpy(actual_words, actual, sizeof(actual_words));
    memcpy(expected_words, expected, sizeof(expected_words));
    for (size_t index = 0; index < TRAP_FRAME_WORDS; index++)
        ck_assert_msg(actual_words[index] == expected_words[index], "%s is %#llx, expected %#llx",
                      register_names[index], (unsigned long long)actual_words[index],
                      (unsigned long long)expected_words[index]);
}

static void assert_emulated(const struct outcome *outcome, const struct trap_frame *expected_registers,
                            uint64_t expected_entry)
{
    ck_assert_int_eq(outcome->status, 0);
    ck_assert_uint_eq(outcome->new_entry, expected_entry);
    assert_frames_equal(&outcome->registers, expected_registers);
}

/* Refused, and neither output written. */
static void assert_refused(const struct outcome *outcome)
{
    struct trap_frame untouched = untouched_frame();

    ck_assert_int_eq(outcome->status, -XEN_EINVAL);
    ck_assert_uint_eq(outcome->new_entry, UNTOUCHED_ENTRY);
    assert_frames_equal(&outcome->registers, &untouched);
}

/* The forms Linux 6.1 uses on pinned page tables */

START_TEST(test_xchg_rax_stores_rax_and_returns_the_old_entry_in_rax)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rax = 0;
    expected = completed(frame, 3);
    expected.rax = OLD_ENTRY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x87, 0x07);
    assert_emulated(&outcome, &expected, 0);
}
END_TEST

START_TEST(test_lock_andb_0xfd_clears_the_writable_bit_and_sets_flags_from_the_byte)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rflags |= FLAG_CARRY | FLAG_OVERFLOW | FLAG_ZERO | FLAG_SIGN | FLAG_AUXILIARY_CARRY;
    expected = completed(frame, 4);
    /* 0x67 & 0xfd = 0x65: four bits set (even parity), positive, non-zero. */
    expected.rflags = FLAG_INTERRUPT | FLAG_FIXED | FLAG_AUXILIARY_CARRY | FLAG_PARITY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0x80, 0x27, 0xfd);
    assert_emulated(&outcome, &expected, OLD_ENTRY & ~PTE_WRITABLE);
}
END_TEST

START_TEST(test_lock_andb_with_a_zero_result_sets_zero_and_parity)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 4);
    struct outcome outcome;

    expected.rflags |= FLAG_ZERO | FLAG_PARITY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, UINT64_C(0x1234500002), 0xf0, 0x80, 0x27, 0xfd);
    assert_emulated(&outcome, &expected, UINT64_C(0x1234500000));
}
END_TEST

START_TEST(test_lock_andb_with_the_byte_sign_bit_set_sets_sign_and_odd_parity_clears_parity)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rflags |= FLAG_PARITY;
    expected = completed(frame, 4);
    /* 0xe7 & 0xfd = 0xe5: five bits set. */
    expected.rflags = FLAG_INTERRUPT | FLAG_FIXED | FLAG_SIGN;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, UINT64_C(0x12345e7), 0xf0, 0x80, 0x27, 0xfd);
    assert_emulated(&outcome, &expected, UINT64_C(0x12345e5));
}
END_TEST

START_TEST(test_lock_btrq_5_clears_the_accessed_bit_and_sets_carry)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rflags |= FLAG_ZERO | FLAG_SIGN;
    expected = completed(frame, 6);
    expected.rflags |= FLAG_CARRY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05);
    assert_emulated(&outcome, &expected, OLD_ENTRY & ~PTE_ACCESSED);
}
END_TEST

START_TEST(test_lock_btrq_5_of_a_clear_bit_clears_carry_and_keeps_the_entry)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rflags |= FLAG_CARRY;
    expected = completed(frame, 6);
    expected.rflags &= ~FLAG_CARRY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY & ~PTE_ACCESSED, 0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05);
    assert_emulated(&outcome, &expected, OLD_ENTRY & ~PTE_ACCESSED);
}
END_TEST

START_TEST(test_movq_zero_clears_the_entry_and_leaves_the_flags)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rflags |= FLAG_CARRY | FLAG_SIGN | FLAG_OVERFLOW;
    expected = completed(frame, 7);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x00);
    assert_emulated(&outcome, &expected, 0);
}
END_TEST

START_TEST(test_mov_rsi_stores_the_whole_register)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 3);
    struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x89, 0x37);

    assert_emulated(&outcome, &expected, NEW_ENTRY);
}
END_TEST

START_TEST(test_lock_cmpxchg_with_rax_equal_to_the_entry_stores_rsi_and_sets_zero)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rax = OLD_ENTRY;
    frame.rflags |= FLAG_CARRY | FLAG_SIGN | FLAG_OVERFLOW | FLAG_AUXILIARY_CARRY;
    expected = completed(frame, 5);
    expected.rflags = FLAG_INTERRUPT | FLAG_FIXED | FLAG_ZERO | FLAG_PARITY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0x48, 0x0f, 0xb1, 0x37);
    assert_emulated(&outcome, &expected, NEW_ENTRY);
}
END_TEST

START_TEST(test_lock_cmpxchg_with_rax_unlike_the_entry_loads_the_entry_into_rax_and_keeps_it)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rax = OLD_ENTRY & ~PTE_DIRTY;
    frame.rflags |= FLAG_ZERO;
    expected = completed(frame, 5);
    expected.rax = OLD_ENTRY;
    /* CMP: rax - entry = -0x40 = 0xff..ffc0: borrow, negative, two bits set in the low byte. */
    expected.rflags = FLAG_INTERRUPT | FLAG_FIXED | FLAG_CARRY | FLAG_SIGN | FLAG_PARITY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0x48, 0x0f, 0xb1, 0x37);
    assert_emulated(&outcome, &expected, OLD_ENTRY);
}
END_TEST

START_TEST(test_lock_orb_sets_bits_in_the_byte_it_addresses)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rflags |= FLAG_CARRY | FLAG_PARITY | FLAG_OVERFLOW;
    expected = completed(frame, 5);
    /* Byte 1: 0x60 | 0x02 = 0x62, three bits set. */
    expected.rflags = FLAG_INTERRUPT | FLAG_FIXED;
    outcome = EMULATE(&frame, ENTRY_ADDRESS + 1, OLD_ENTRY, 0xf0, 0x80, 0x4f, 0x01, 0x02);
    assert_emulated(&outcome, &expected, OLD_ENTRY | (UINT64_C(0x02) << 8));
}
END_TEST

START_TEST(test_lock_orb_0x40_sets_the_dirty_bit)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rflags |= FLAG_PARITY | FLAG_ZERO;
    expected = completed(frame, 4);
    /* 0x27 | 0x40 = 0x67: five bits set (odd parity), non-zero. */
    expected.rflags &= ~(FLAG_PARITY | FLAG_ZERO);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY & ~PTE_DIRTY, 0xf0, 0x80, 0x0f, 0x40);
    assert_emulated(&outcome, &expected, OLD_ENTRY);
}
END_TEST

START_TEST(test_lock_btsq_sets_a_clear_bit_and_clears_carry)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rflags |= FLAG_CARRY;
    expected = completed(frame, 6);
    expected.rflags &= ~FLAG_CARRY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY & ~PTE_DIRTY, 0xf0, 0x48, 0x0f, 0xba, 0x2f, 0x06);
    assert_emulated(&outcome, &expected, OLD_ENTRY);
}
END_TEST

START_TEST(test_lock_btsq_of_a_set_bit_sets_carry_and_keeps_the_entry)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 6);
    struct outcome outcome;

    expected.rflags |= FLAG_CARRY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0x48, 0x0f, 0xba, 0x2f, 0x06);
    assert_emulated(&outcome, &expected, OLD_ENTRY);
}
END_TEST

START_TEST(test_lock_xchg_is_accepted_like_xchg)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 4);
    struct outcome outcome;

    expected.rax = OLD_ENTRY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0x48, 0x87, 0x07);
    assert_emulated(&outcome, &expected, frame.rax);
}
END_TEST

/* Operand sizes and register results */

START_TEST(test_xchg_of_32_bits_zero_extends_the_old_value_into_rax)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rax = UINT64_C(0xffffffff11112222);
    expected = completed(frame, 2);
    expected.rax = 0x23456067;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x87, 0x07);
    assert_emulated(&outcome, &expected, UINT64_C(0x8000000111112222));
}
END_TEST

START_TEST(test_xchg_of_32_bits_at_the_upper_half_replaces_only_that_half)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rdi = ENTRY_ADDRESS + 4;
    frame.rax = UINT64_C(0xaaaaaaaa00000007);
    expected = completed(frame, 2);
    expected.rax = 0x80000001;
    outcome = EMULATE(&frame, ENTRY_ADDRESS + 4, OLD_ENTRY, 0x87, 0x07);
    assert_emulated(&outcome, &expected, UINT64_C(0x0000000723456067));
}
END_TEST

START_TEST(test_xchg_of_16_bits_keeps_the_rest_of_rax)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rax = UINT64_C(0x1111222233334444);
    expected = completed(frame, 3);
    expected.rax = UINT64_C(0x1111222233336067);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x66, 0x87, 0x07);
    assert_emulated(&outcome, &expected, UINT64_C(0x8000000123454444));
}
END_TEST

START_TEST(test_byte_register_4_without_rex_is_ah)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rax = UINT64_C(0x123456789abc11ee);
    frame.rsp = UINT64_C(0xffffc900001234ff);
    expected = completed(frame, 2);
    expected.rax = UINT64_C(0x123456789abc67ee);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x86, 0x27);
    assert_emulated(&outcome, &expected, UINT64_C(0x8000000123456011));
}
END_TEST

START_TEST(test_byte_register_6_with_rex_is_sil)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rsi = UINT64_C(0x5555555555555533);
    frame.rdx = UINT64_C(0x6666666666664466);
    expected = completed(frame, 3);
    expected.rsi = UINT64_C(0x5555555555555567);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x40, 0x86, 0x37);
    assert_emulated(&outcome, &expected, UINT64_C(0x8000000123456033));
}
END_TEST

START_TEST(test_mov_of_byte_register_7_without_rex_stores_bh)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rbx = UINT64_C(0x000000000000c3b4);
    expected = completed(frame, 2);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x88, 0x3f);
    assert_emulated(&outcome, &expected, UINT64_C(0x80000001234560c3));
}
END_TEST

START_TEST(test_mov_of_byte_register_7_with_rex_stores_dil)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 3);
    struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x40, 0x88, 0x3f);

    assert_emulated(&outcome, &expected, UINT64_C(0x8000000123456000) | (ENTRY_ADDRESS & 0xff));
}
END_TEST

START_TEST(test_mov_of_byte_immediate_writes_the_top_byte)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rdi = ENTRY_ADDRESS + 7;
    expected = completed(frame, 3);
    outcome = EMULATE(&frame, ENTRY_ADDRESS + 7, OLD_ENTRY, 0xc6, 0x07, 0x63);
    assert_emulated(&outcome, &expected, UINT64_C(0x6300000123456067));
}
END_TEST

START_TEST(test_mov_of_16_bit_immediate_reads_two_immediate_bytes)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 5);
    struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x66, 0xc7, 0x07, 0x34, 0x12);

    assert_emulated(&outcome, &expected, UINT64_C(0x8000000123451234));
}
END_TEST

START_TEST(test_mov_of_16_bit_register_replaces_only_its_two_bytes)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rdi = ENTRY_ADDRESS + 2;
    frame.rsi = UINT64_C(0x777777777777beef);
    expected = completed(frame, 3);
    outcome = EMULATE(&frame, ENTRY_ADDRESS + 2, OLD_ENTRY, 0x66, 0x89, 0x37);
    assert_emulated(&outcome, &expected, UINT64_C(0x80000001beef6067));
}
END_TEST

START_TEST(test_mov_of_32_bit_immediate_keeps_the_upper_half_of_the_entry)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 6);
    struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xc7, 0x07, 0x01, 0x00, 0x00, 0x80);

    assert_emulated(&outcome, &expected, UINT64_C(0x8000000180000001));
}
END_TEST

START_TEST(test_mov_of_64_bit_immediate_sign_extends_imm32)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 7);
    struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0xc7, 0x07, 0xfe, 0xff, 0xff, 0xff);

    assert_emulated(&outcome, &expected, UINT64_C(0xfffffffffffffffe));
}
END_TEST

START_TEST(test_rex_w_takes_precedence_over_the_operand_size_prefix)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 4);
    struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x66, 0x48, 0x89, 0x37);

    assert_emulated(&outcome, &expected, NEW_ENTRY);
}
END_TEST

/* AND and OR */

START_TEST(test_or_with_imm8_sign_extends_it_to_64_bits)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 4);
    struct outcome outcome;

    expected.rflags |= FLAG_SIGN | FLAG_PARITY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x83, 0x0f, 0xff);
    assert_emulated(&outcome, &expected, UINT64_MAX);
}
END_TEST

START_TEST(test_and_with_imm32_sign_extends_it_to_64_bits)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 7);
    struct outcome outcome;

    /* Result 0x8000000123456000: negative, low byte 0 (even parity). */
    expected.rflags |= FLAG_SIGN | FLAG_PARITY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x81, 0x27, 0x00, 0xf0, 0xff, 0xff);
    assert_emulated(&outcome, &expected, UINT64_C(0x8000000123456000));
}
END_TEST

START_TEST(test_lock_andq_with_imm8_clears_the_present_bit)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 5);
    struct outcome outcome;

    /* Low byte 0x66: four bits set. */
    expected.rflags |= FLAG_SIGN | FLAG_PARITY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0x48, 0x83, 0x27, 0xfe);
    assert_emulated(&outcome, &expected, OLD_ENTRY & ~UINT64_C(1));
}
END_TEST

START_TEST(test_and_with_a_register_ands_the_whole_entry)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rsi = UINT64_C(0x00000000ffffff00);
    expected = completed(frame, 3);
    expected.rflags |= FLAG_PARITY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x21, 0x37);
    assert_emulated(&outcome, &expected, UINT64_C(0x0000000023456000));
}
END_TEST

START_TEST(test_or_with_a_register_ors_the_whole_entry)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rsi = UINT64_C(0x4000000000000100);
    expected = completed(frame, 3);
    /* Low byte 0x67: five bits set. */
    expected.rflags |= FLAG_SIGN;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x09, 0x37);
    assert_emulated(&outcome, &expected, OLD_ENTRY | UINT64_C(0x4000000000000100));
}
END_TEST

START_TEST(test_or_of_32_bits_takes_its_sign_from_bit_31)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rsi = UINT64_C(0xffffffff00000010);
    expected = completed(frame, 3);
    /* 0x80000001 | 0x10 = 0x80000011: negative as 32 bits, two bits in the low byte. */
    expected.rflags |= FLAG_SIGN | FLAG_PARITY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS + 4, OLD_ENTRY, 0x09, 0x77, 0x04);
    assert_emulated(&outcome, &expected, UINT64_C(0x8000001123456067));
}
END_TEST

START_TEST(test_and_and_or_leave_a_clear_auxiliary_carry_clear)
{
    struct trap_frame frame = frame_at_entry();
    struct outcome outcome;

    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0x80, 0x27, 0xfd);
    ck_assert_int_eq(outcome.status, 0);
    ck_assert_uint_eq(outcome.registers.rflags & FLAG_AUXILIARY_CARRY, 0);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0x80, 0x0f, 0x40);
    ck_assert_int_eq(outcome.status, 0);
    ck_assert_uint_eq(outcome.registers.rflags & FLAG_AUXILIARY_CARRY, 0);
}
END_TEST

/* BTS and BTR */

START_TEST(test_bts_with_a_register_offset_sets_that_bit)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rsi = 62;
    expected = completed(frame, 4);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x0f, 0xab, 0x37);
    assert_emulated(&outcome, &expected, OLD_ENTRY | (UINT64_C(1) << 62));
}
END_TEST

START_TEST(test_btr_with_a_register_offset_clears_that_bit_and_sets_carry)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rsi = 63;
    expected = completed(frame, 4);
    expected.rflags |= FLAG_CARRY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x0f, 0xb3, 0x37);
    assert_emulated(&outcome, &expected, OLD_ENTRY & ~PTE_NO_EXECUTE);
}
END_TEST

START_TEST(test_bts_with_a_register_offset_past_the_entry_is_refused)
{
    struct trap_frame frame = frame_at_entry();
    struct outcome outcome;

    frame.rsi = 64;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x0f, 0xab, 0x37);
    assert_refused(&outcome);
}
END_TEST

START_TEST(test_bts_with_a_negative_register_offset_before_the_entry_is_refused)
{
    struct trap_frame frame = frame_at_entry();
    struct outcome outcome;

    frame.rsi = UINT64_MAX;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x0f, 0xab, 0x37);
    assert_refused(&outcome);
}
END_TEST

START_TEST(test_bts_of_32_bits_with_offset_33_sets_bit_1_of_the_upper_half)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rsi = 33;
    expected = completed(frame, 3);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x0f, 0xab, 0x37);
    assert_emulated(&outcome, &expected, OLD_ENTRY | (UINT64_C(1) << 33));
}
END_TEST

START_TEST(test_bts_of_32_bits_takes_a_signed_offset_from_esi_only)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    /* ESI = -1 from the upper half: bit 31 of the lower half. */
    frame.rdi = ENTRY_ADDRESS + 4;
    frame.rsi = UINT64_C(0x12345678ffffffff);
    expected = completed(frame, 3);
    outcome = EMULATE(&frame, ENTRY_ADDRESS + 4, OLD_ENTRY, 0x0f, 0xab, 0x37);
    assert_emulated(&outcome, &expected, OLD_ENTRY | (UINT64_C(1) << 31));
}
END_TEST

START_TEST(test_bit_immediate_is_taken_modulo_64)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 5);
    struct outcome outcome;

    expected.rflags |= FLAG_CARRY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x0f, 0xba, 0x37, 0x45);
    assert_emulated(&outcome, &expected, OLD_ENTRY & ~PTE_ACCESSED);
}
END_TEST

START_TEST(test_btrw_immediate_is_taken_modulo_16)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    /* Bit 18 mod 16 = 2 of the word at byte 2: entry bit 18. */
    frame.rdi = ENTRY_ADDRESS + 2;
    expected = completed(frame, 6);
    expected.rflags |= FLAG_CARRY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS + 2, OLD_ENTRY, 0x66, 0xf0, 0x0f, 0xba, 0x37, 0x12);
    assert_emulated(&outcome, &expected, OLD_ENTRY & ~(UINT64_C(1) << 18));
}
END_TEST

/* CMPXCHG */

START_TEST(test_cmpxchg_of_32_bits_that_fails_zeroes_the_upper_half_of_rax)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rax = UINT64_C(0xffffffff00000000);
    expected = completed(frame, 4);
    expected.rax = 0x23456067;
    /* CMP 0, 0x23456067 = 0xdcba9f99: borrow, negative as 32 bits, four bits
     * set in 0x99, borrow out of bit 3. */
    expected.rflags |= FLAG_CARRY | FLAG_SIGN | FLAG_PARITY | FLAG_AUXILIARY_CARRY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0x0f, 0xb1, 0x37);
    assert_emulated(&outcome, &expected, OLD_ENTRY);
}
END_TEST

START_TEST(test_cmpxchg_of_32_bits_that_succeeds_leaves_rax_and_writes_esi)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rax = UINT64_C(0xaaaaaaaa23456067);
    expected = completed(frame, 4);
    expected.rflags |= FLAG_ZERO | FLAG_PARITY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0x0f, 0xb1, 0x37);
    assert_emulated(&outcome, &expected, UINT64_C(0x8000000187654025));
}
END_TEST

START_TEST(test_cmpxchg_of_a_byte_compares_al_and_stores_cl)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rax = UINT64_C(0x1111111111111167);
    frame.rcx = UINT64_C(0x22222222222222a5);
    expected = completed(frame, 4);
    expected.rflags |= FLAG_ZERO | FLAG_PARITY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0x0f, 0xb0, 0x0f);
    assert_emulated(&outcome, &expected, UINT64_C(0x80000001234560a5));
}
END_TEST

START_TEST(test_cmpxchg_of_a_byte_that_fails_replaces_only_al)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rax = UINT64_C(0x1111111111111168);
    frame.rflags |= ARITHMETIC_FLAGS;
    expected = completed(frame, 5);
    expected.rax = UINT64_C(0x1111111111111167);
    /* 0x68 - 0x67 = 1: one bit set. */
    expected.rflags &= ~ARITHMETIC_FLAGS;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0x40, 0x0f, 0xb0, 0x37);
    assert_emulated(&outcome, &expected, OLD_ENTRY);
}
END_TEST

START_TEST(test_cmpxchg_sets_overflow_and_auxiliary_carry_as_cmp_does)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    /* 0x8000000000000000 - 1 = 0x7fffffffffffffff: signed overflow, borrow
     * out of bit 3, eight bits in the low byte. */
    frame.rax = UINT64_C(0x8000000000000000);
    expected = completed(frame, 5);
    expected.rax = 1;
    expected.rflags |= FLAG_OVERFLOW | FLAG_AUXILIARY_CARRY | FLAG_PARITY;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, 1, 0xf0, 0x48, 0x0f, 0xb1, 0x37);
    assert_emulated(&outcome, &expected, 1);
}
END_TEST

/* Register extension and addressing */

START_TEST(test_rex_r_selects_r8_as_the_source)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 3);
    struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x4c, 0x89, 0x07);

    assert_emulated(&outcome, &expected, frame.r8);
}
END_TEST

START_TEST(test_rex_r_selects_r10b_as_a_byte_source)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 3);
    struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x44, 0x88, 0x17);

    assert_emulated(&outcome, &expected, UINT64_C(0x800000012345600a));
}
END_TEST

START_TEST(test_rex_b_selects_r8_as_the_base)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rdi = 0;
    frame.r8 = ENTRY_ADDRESS;
    expected = completed(frame, 3);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x49, 0x89, 0x30);
    assert_emulated(&outcome, &expected, NEW_ENTRY);
}
END_TEST

START_TEST(test_rex_r_and_rex_b_together_store_r11_at_r9)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.r9 = ENTRY_ADDRESS;
    expected = completed(frame, 3);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x4d, 0x89, 0x19);
    assert_emulated(&outcome, &expected, frame.r11);
}
END_TEST

START_TEST(test_xchg_with_rex_r_returns_the_old_entry_in_r14)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 3);
    struct outcome outcome;

    expected.r14 = OLD_ENTRY;
    /* xchg %r14,(%rdi) */
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x4c, 0x87, 0x37);
    assert_emulated(&outcome, &expected, frame.r14);
}
END_TEST

START_TEST(test_sib_adds_the_scaled_index_to_the_base)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rdi = TABLE_ADDRESS;
    frame.rcx = ENTRY_INDEX;
    expected = completed(frame, 4);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x89, 0x34, 0xcf);
    assert_emulated(&outcome, &expected, NEW_ENTRY);
}
END_TEST

START_TEST(test_sib_with_scale_4_and_disp32)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rcx = 2;
    frame.rdi = ENTRY_ADDRESS - 0x11223344 - 2 * 4;
    expected = completed(frame, 8);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x89, 0xb4, 0x8f, 0x44, 0x33, 0x22, 0x11);
    assert_emulated(&outcome, &expected, NEW_ENTRY);
}
END_TEST

START_TEST(test_sib_with_rex_x_takes_r9_as_the_index)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rdi = TABLE_ADDRESS;
    frame.r9 = ENTRY_INDEX;
    expected = completed(frame, 4);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x4a, 0x89, 0x34, 0xcf);
    assert_emulated(&outcome, &expected, NEW_ENTRY);
}
END_TEST

START_TEST(test_sib_index_4_with_rex_x_is_r12_not_none)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rdi = TABLE_ADDRESS;
    frame.r12 = ENTRY_INDEX;
    expected = completed(frame, 4);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x4a, 0x89, 0x34, 0xe7);
    assert_emulated(&outcome, &expected, NEW_ENTRY);
}
END_TEST

START_TEST(test_sib_without_base_takes_disp32)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    /* mov %rsi,0x10(,%rcx,8) */
    frame.rcx = (ENTRY_ADDRESS - 0x10) / 8;
    expected = completed(frame, 8);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x89, 0x34, 0xcd, 0x10, 0x00, 0x00, 0x00);
    assert_emulated(&outcome, &expected, NEW_ENTRY);
}
END_TEST

START_TEST(test_sib_without_index_addresses_rsp)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rsp = ENTRY_ADDRESS;
    expected = completed(frame, 4);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x89, 0x34, 0x24);
    assert_emulated(&outcome, &expected, NEW_ENTRY);
}
END_TEST

START_TEST(test_sib_with_rex_b_addresses_r12)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.r12 = ENTRY_ADDRESS;
    expected = completed(frame, 4);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x49, 0x89, 0x34, 0x24);
    assert_emulated(&outcome, &expected, NEW_ENTRY);
}
END_TEST

START_TEST(test_r13_base_with_disp8_zero)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.r13 = ENTRY_ADDRESS;
    expected = completed(frame, 4);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x49, 0x89, 0x75, 0x00);
    assert_emulated(&outcome, &expected, NEW_ENTRY);
}
END_TEST

START_TEST(test_negative_disp8_is_sign_extended)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rdi = ENTRY_ADDRESS + 8;
    expected = completed(frame, 4);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x89, 0x77, 0xf8);
    assert_emulated(&outcome, &expected, NEW_ENTRY);
}
END_TEST

START_TEST(test_disp32_is_added_to_the_base)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rdi = ENTRY_ADDRESS - 0x1000;
    expected = completed(frame, 7);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x89, 0xb7, 0x00, 0x10, 0x00, 0x00);
    assert_emulated(&outcome, &expected, NEW_ENTRY);
}
END_TEST

START_TEST(test_negative_disp32_is_sign_extended)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    frame.rdi = ENTRY_ADDRESS + 0x1000;
    expected = completed(frame, 7);
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x89, 0xb7, 0x00, 0xf0, 0xff, 0xff);
    assert_emulated(&outcome, &expected, NEW_ENTRY);
}
END_TEST

START_TEST(test_rip_relative_address_counts_from_the_end_of_the_instruction)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 7);
    uint64_t target = CODE_ADDRESS + 7 + 0x100;
    struct outcome outcome;

    ck_assert_uint_eq(target % 8, 0);
    outcome = EMULATE(&frame, target, OLD_ENTRY, 0x48, 0x89, 0x35, 0x00, 0x01, 0x00, 0x00);
    assert_emulated(&outcome, &expected, NEW_ENTRY);
}
END_TEST

START_TEST(test_rip_relative_address_counts_the_immediate_as_part_of_the_instruction)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 11);
    uint64_t target = CODE_ADDRESS + 11 + 0xfc;
    struct outcome outcome;

    ck_assert_uint_eq(target % 8, 0);
    outcome = EMULATE(&frame, target, OLD_ENTRY, 0x48, 0xc7, 0x05, 0xfc, 0x00, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12);
    assert_emulated(&outcome, &expected, UINT64_C(0x12345678));
}
END_TEST

START_TEST(test_rip_relative_ignores_rex_b)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 7);
    uint64_t target = CODE_ADDRESS + 7 + 0x100;
    struct outcome outcome;

    /* REX.B with mod 00 rm 101 is still RIP-relative, not [r13]. */
    frame.r13 = ENTRY_ADDRESS;
    expected.r13 = ENTRY_ADDRESS;
    outcome = EMULATE(&frame, target, OLD_ENTRY, 0x49, 0x89, 0x35, 0x00, 0x01, 0x00, 0x00);
    assert_emulated(&outcome, &expected, NEW_ENTRY);
}
END_TEST

/* Completion */

START_TEST(test_emulation_clears_resume_and_keeps_trap_and_interrupt)
{
    struct trap_frame frame = frame_at_entry();
    struct outcome outcome;

    frame.rflags |= FLAG_TRAP;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x89, 0x37);
    ck_assert_int_eq(outcome.status, 0);
    ck_assert_uint_eq(outcome.registers.rflags, FLAG_TRAP | FLAG_INTERRUPT | FLAG_FIXED);
}
END_TEST

START_TEST(test_bytes_after_the_instruction_are_ignored)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected = completed(frame, 3);
    struct outcome outcome;

    /* 20 bytes readable, the instruction takes 3. */
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x89, 0x37, 0x0f, 0x0b, 0x0f, 0x0b, 0x0f, 0x0b, 0x0f,
                      0x0b, 0x0f, 0x0b, 0x0f, 0x0b, 0x0f, 0x0b, 0x0f, 0x0b, 0xcc);
    assert_emulated(&outcome, &expected, NEW_ENTRY);
}
END_TEST

START_TEST(test_fourteen_byte_instruction_is_emulated)
{
    struct trap_frame frame = frame_at_entry();
    struct trap_frame expected;
    struct outcome outcome;

    /* lock orq $0x40,0x1000(%rdi,%rcx,8) with a redundant 66: three prefixes,
     * opcode, ModRM, SIB, disp32, imm32. */
    frame.rdi = TABLE_ADDRESS - 0x1000;
    frame.rcx = ENTRY_INDEX;
    expected = completed(frame, 14);
    expected.rflags |= FLAG_SIGN;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY & ~PTE_DIRTY, 0x66, 0xf0, 0x48, 0x81, 0x8c, 0xcf, 0x00, 0x10,
                      0x00, 0x00, 0x40, 0x00, 0x00, 0x00);
    assert_emulated(&outcome, &expected, OLD_ENTRY);
}
END_TEST

/* Refused */

START_TEST(test_access_to_the_next_entry_is_refused)
{
    struct trap_frame frame = frame_at_entry();
    struct outcome outcome;

    frame.rdi = ENTRY_ADDRESS + 8;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x89, 0x37);
    assert_refused(&outcome);
}
END_TEST

START_TEST(test_access_to_the_previous_entry_is_refused)
{
    struct trap_frame frame = frame_at_entry();
    struct outcome outcome;

    frame.rdi = ENTRY_ADDRESS - 1;
    outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0x80, 0x27, 0xfd);
    assert_refused(&outcome);
}
END_TEST

START_TEST(test_misaligned_quadword_is_refused)
{
    struct trap_frame frame = frame_at_entry();
    struct outcome outcome;

    frame.rdi = ENTRY_ADDRESS + 4;
    outcome = EMULATE(&frame, ENTRY_ADDRESS + 4, OLD_ENTRY, 0x48, 0x89, 0x37);
    assert_refused(&outcome);
}
END_TEST

START_TEST(test_misaligned_word_inside_the_entry_is_refused)
{
    struct trap_frame frame = frame_at_entry();
    struct outcome outcome;

    frame.rdi = ENTRY_ADDRESS + 1;
    outcome = EMULATE(&frame, ENTRY_ADDRESS + 1, OLD_ENTRY, 0x66, 0x89, 0x37);
    assert_refused(&outcome);
}
END_TEST

START_TEST(test_unknown_opcode_is_refused)
{
    struct trap_frame frame = frame_at_entry();
    /* add %rsi,(%rdi) */
    struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x01, 0x37);

    assert_refused(&outcome);
}
END_TEST

START_TEST(test_unknown_two_byte_opcode_is_refused)
{
    struct trap_frame frame = frame_at_entry();
    /* btc %rsi,(%rdi) */
    struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x0f, 0xbb, 0x37);

    assert_refused(&outcome);
}
END_TEST

START_TEST(test_group_members_other_than_or_and_are_refused)
{
    struct trap_frame frame = frame_at_entry();

    for (uint8_t reg_field = 0; reg_field < 8; reg_field++) {
        struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x80, (uint8_t)(0x07 | reg_field << 3),
                                         0x01);

        if (reg_field == 1 || reg_field == 4)
            ck_assert_int_eq(outcome.status, 0);
        else
            assert_refused(&outcome);
    }
}
END_TEST

START_TEST(test_mov_immediate_with_a_nonzero_reg_field_is_refused)
{
    struct trap_frame frame = frame_at_entry();
    struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0xc7, 0x0f, 0x00, 0x00, 0x00, 0x00);

    assert_refused(&outcome);
}
END_TEST

START_TEST(test_bit_group_members_other_than_bts_btr_are_refused)
{
    struct trap_frame frame = frame_at_entry();

    for (uint8_t reg_field = 0; reg_field < 8; reg_field++) {
        struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0x48, 0x0f, 0xba,
                                         (uint8_t)(0x07 | reg_field << 3), 0x05);

        if (reg_field == 5 || reg_field == 6)
            ck_assert_int_eq(outcome.status, 0);
        else
            assert_refused(&outcome);
    }
}
END_TEST

START_TEST(test_fs_and_gs_overrides_are_refused)
{
    static const uint8_t overrides[] = { 0x64, 0x65 };
    struct trap_frame frame = frame_at_entry();

    for (size_t index = 0; index < sizeof(overrides); index++) {
        struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, overrides[index], 0x48, 0x89, 0x37);

        assert_refused(&outcome);
    }
}
END_TEST

START_TEST(test_es_cs_ss_ds_overrides_change_nothing)
{
    static const uint8_t overrides[] = { 0x26, 0x2e, 0x36, 0x3e };

    for (size_t index = 0; index < sizeof(overrides); index++) {
        struct trap_frame frame = frame_at_entry();
        struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, overrides[index], 0x48, 0x89, 0x37);

        ck_assert_int_eq(outcome.status, 0);
        ck_assert_uint_eq(outcome.new_entry, NEW_ENTRY);
        ck_assert_uint_eq(outcome.registers.rip, CODE_ADDRESS + 4);
    }
}
END_TEST

/* Linux on one CPU: alternatives replace "lock" with "ds" in ptep_set_wrprotect. */
START_TEST(test_ds_andb_clears_the_writable_bit_as_linux_does_on_one_cpu)
{
    struct trap_frame frame = frame_at_entry();
    struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x3e, 0x80, 0x27, 0xfd);

    ck_assert_int_eq(outcome.status, 0);
    ck_assert_uint_eq(outcome.new_entry, OLD_ENTRY & ~UINT64_C(2));
}
END_TEST

START_TEST(test_a_second_null_segment_override_is_refused)
{
    struct trap_frame frame = frame_at_entry();
    struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x3e, 0x2e, 0x48, 0x89, 0x37);

    assert_refused(&outcome);
}
END_TEST

START_TEST(test_address_size_prefix_is_refused)
{
    struct trap_frame frame = frame_at_entry();
    struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x67, 0x48, 0x89, 0x37);

    assert_refused(&outcome);
}
END_TEST

START_TEST(test_repeat_prefixes_are_refused)
{
    struct trap_frame frame = frame_at_entry();
    struct outcome repeat = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf3, 0x48, 0x87, 0x07);
    struct outcome repeat_not_equal = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf2, 0x48, 0x87, 0x07);

    assert_refused(&repeat);
    assert_refused(&repeat_not_equal);
}
END_TEST

START_TEST(test_a_prefix_given_twice_is_refused)
{
    struct trap_frame frame = frame_at_entry();
    struct outcome two_locks = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0xf0, 0x80, 0x27, 0xfd);
    struct outcome two_operand_sizes = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x66, 0x66, 0x89, 0x37);
    struct outcome two_rex = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x40, 0x48, 0x89, 0x37);

    assert_refused(&two_locks);
    assert_refused(&two_operand_sizes);
    assert_refused(&two_rex);
}
END_TEST

START_TEST(test_legacy_prefix_after_rex_is_refused)
{
    struct trap_frame frame = frame_at_entry();
    struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0xf0, 0x87, 0x07);

    assert_refused(&outcome);
}
END_TEST

START_TEST(test_lock_mov_is_refused_as_the_processor_would_raise_invalid_opcode)
{
    struct trap_frame frame = frame_at_entry();
    struct outcome register_source = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0x48, 0x89, 0x37);
    struct outcome immediate_source =
        EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0x48, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x00);

    assert_refused(&register_source);
    assert_refused(&immediate_source);
}
END_TEST

START_TEST(test_register_destination_is_refused)
{
    struct trap_frame frame = frame_at_entry();
    /* mov %rsi,%rdi and lock btrq $5,%rdi */
    struct outcome move = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x89, 0xf7);
    struct outcome bit_reset = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0x48, 0x0f, 0xba, 0xf7, 0x05);

    assert_refused(&move);
    assert_refused(&bit_reset);
}
END_TEST

START_TEST(test_truncated_instruction_is_refused_at_every_length)
{
    /* movq $0,0x1000(%rdi,%rcx,8) */
    static const uint8_t instruction[] = { 0x48, 0xc7, 0x84, 0xcf, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
    struct trap_frame frame = frame_at_entry();
    struct outcome outcome;

    frame.rdi = TABLE_ADDRESS - 0x1000;
    frame.rcx = ENTRY_INDEX;
    for (size_t available = 0; available < sizeof(instruction); available++) {
        outcome = emulate_bytes(instruction, available, &frame, ENTRY_ADDRESS, OLD_ENTRY);
        assert_refused(&outcome);
    }
    outcome = emulate_bytes(instruction, sizeof(instruction), &frame, ENTRY_ADDRESS, OLD_ENTRY);
    ck_assert_int_eq(outcome.status, 0);
    ck_assert_uint_eq(outcome.new_entry, 0);
}
END_TEST

START_TEST(test_prefixes_alone_are_refused)
{
    struct trap_frame frame = frame_at_entry();
    struct outcome outcome = EMULATE(&frame, ENTRY_ADDRESS, OLD_ENTRY, 0xf0, 0x66, 0x48);

    assert_refused(&outcome);
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *page_table_write_suite(void)
{
    Suite *suite = suite_create("page_table_write");

    add_test_case(suite, test_xchg_rax_stores_rax_and_returns_the_old_entry_in_rax);
    add_test_case(suite, test_lock_andb_0xfd_clears_the_writable_bit_and_sets_flags_from_the_byte);
    add_test_case(suite, test_lock_andb_with_a_zero_result_sets_zero_and_parity);
    add_test_case(suite, test_lock_andb_with_the_byte_sign_bit_set_sets_sign_and_odd_parity_clears_parity);
    add_test_case(suite, test_lock_btrq_5_clears_the_accessed_bit_and_sets_carry);
    add_test_case(suite, test_lock_btrq_5_of_a_clear_bit_clears_carry_and_keeps_the_entry);
    add_test_case(suite, test_movq_zero_clears_the_entry_and_leaves_the_flags);
    add_test_case(suite, test_mov_rsi_stores_the_whole_register);
    add_test_case(suite, test_lock_cmpxchg_with_rax_equal_to_the_entry_stores_rsi_and_sets_zero);
    add_test_case(suite, test_lock_cmpxchg_with_rax_unlike_the_entry_loads_the_entry_into_rax_and_keeps_it);
    add_test_case(suite, test_lock_orb_sets_bits_in_the_byte_it_addresses);
    add_test_case(suite, test_lock_orb_0x40_sets_the_dirty_bit);
    add_test_case(suite, test_lock_btsq_sets_a_clear_bit_and_clears_carry);
    add_test_case(suite, test_lock_btsq_of_a_set_bit_sets_carry_and_keeps_the_entry);
    add_test_case(suite, test_lock_xchg_is_accepted_like_xchg);
    add_test_case(suite, test_xchg_of_32_bits_zero_extends_the_old_value_into_rax);
    add_test_case(suite, test_xchg_of_32_bits_at_the_upper_half_replaces_only_that_half);
    add_test_case(suite, test_xchg_of_16_bits_keeps_the_rest_of_rax);
    add_test_case(suite, test_byte_register_4_without_rex_is_ah);
    add_test_case(suite, test_byte_register_6_with_rex_is_sil);
    add_test_case(suite, test_mov_of_byte_register_7_without_rex_stores_bh);
    add_test_case(suite, test_mov_of_byte_register_7_with_rex_stores_dil);
    add_test_case(suite, test_mov_of_byte_immediate_writes_the_top_byte);
    add_test_case(suite, test_mov_of_16_bit_immediate_reads_two_immediate_bytes);
    add_test_case(suite, test_mov_of_16_bit_register_replaces_only_its_two_bytes);
    add_test_case(suite, test_mov_of_32_bit_immediate_keeps_the_upper_half_of_the_entry);
    add_test_case(suite, test_mov_of_64_bit_immediate_sign_extends_imm32);
    add_test_case(suite, test_rex_w_takes_precedence_over_the_operand_size_prefix);
    add_test_case(suite, test_or_with_imm8_sign_extends_it_to_64_bits);
    add_test_case(suite, test_and_with_imm32_sign_extends_it_to_64_bits);
    add_test_case(suite, test_lock_andq_with_imm8_clears_the_present_bit);
    add_test_case(suite, test_and_with_a_register_ands_the_whole_entry);
    add_test_case(suite, test_or_with_a_register_ors_the_whole_entry);
    add_test_case(suite, test_or_of_32_bits_takes_its_sign_from_bit_31);
    add_test_case(suite, test_and_and_or_leave_a_clear_auxiliary_carry_clear);
    add_test_case(suite, test_bts_with_a_register_offset_sets_that_bit);
    add_test_case(suite, test_btr_with_a_register_offset_clears_that_bit_and_sets_carry);
    add_test_case(suite, test_bts_with_a_register_offset_past_the_entry_is_refused);
    add_test_case(suite, test_bts_with_a_negative_register_offset_before_the_entry_is_refused);
    add_test_case(suite, test_bts_of_32_bits_with_offset_33_sets_bit_1_of_the_upper_half);
    add_test_case(suite, test_bts_of_32_bits_takes_a_signed_offset_from_esi_only);
    add_test_case(suite, test_bit_immediate_is_taken_modulo_64);
    add_test_case(suite, test_btrw_immediate_is_taken_modulo_16);
    add_test_case(suite, test_cmpxchg_of_32_bits_that_fails_zeroes_the_upper_half_of_rax);
    add_test_case(suite, test_cmpxchg_of_32_bits_that_succeeds_leaves_rax_and_writes_esi);
    add_test_case(suite, test_cmpxchg_of_a_byte_compares_al_and_stores_cl);
    add_test_case(suite, test_cmpxchg_of_a_byte_that_fails_replaces_only_al);
    add_test_case(suite, test_cmpxchg_sets_overflow_and_auxiliary_carry_as_cmp_does);
    add_test_case(suite, test_rex_r_selects_r8_as_the_source);
    add_test_case(suite, test_rex_r_selects_r10b_as_a_byte_source);
    add_test_case(suite, test_rex_b_selects_r8_as_the_base);
    add_test_case(suite, test_rex_r_and_rex_b_together_store_r11_at_r9);
    add_test_case(suite, test_xchg_with_rex_r_returns_the_old_entry_in_r14);
    add_test_case(suite, test_sib_adds_the_scaled_index_to_the_base);
    add_test_case(suite, test_sib_with_scale_4_and_disp32);
    add_test_case(suite, test_sib_with_rex_x_takes_r9_as_the_index);
    add_test_case(suite, test_sib_index_4_with_rex_x_is_r12_not_none);
    add_test_case(suite, test_sib_without_base_takes_disp32);
    add_test_case(suite, test_sib_without_index_addresses_rsp);
    add_test_case(suite, test_sib_with_rex_b_addresses_r12);
    add_test_case(suite, test_r13_base_with_disp8_zero);
    add_test_case(suite, test_negative_disp8_is_sign_extended);
    add_test_case(suite, test_disp32_is_added_to_the_base);
    add_test_case(suite, test_negative_disp32_is_sign_extended);
    add_test_case(suite, test_rip_relative_address_counts_from_the_end_of_the_instruction);
    add_test_case(suite, test_rip_relative_address_counts_the_immediate_as_part_of_the_instruction);
    add_test_case(suite, test_rip_relative_ignores_rex_b);
    add_test_case(suite, test_emulation_clears_resume_and_keeps_trap_and_interrupt);
    add_test_case(suite, test_bytes_after_the_instruction_are_ignored);
    add_test_case(suite, test_fourteen_byte_instruction_is_emulated);
    add_test_case(suite, test_access_to_the_next_entry_is_refused);
    add_test_case(suite, test_access_to_the_previous_entry_is_refused);
    add_test_case(suite, test_misaligned_quadword_is_refused);
    add_test_case(suite, test_misaligned_word_inside_the_entry_is_refused);
    add_test_case(suite, test_unknown_opcode_is_refused);
    add_test_case(suite, test_unknown_two_byte_opcode_is_refused);
    add_test_case(suite, test_group_members_other_than_or_and_are_refused);
    add_test_case(suite, test_mov_immediate_with_a_nonzero_reg_field_is_refused);
    add_test_case(suite, test_bit_group_members_other_than_bts_btr_are_refused);
    add_test_case(suite, test_fs_and_gs_overrides_are_refused);
    add_test_case(suite, test_es_cs_ss_ds_overrides_change_nothing);
    add_test_case(suite, test_ds_andb_clears_the_writable_bit_as_linux_does_on_one_cpu);
    add_test_case(suite, test_a_second_null_segment_override_is_refused);
    add_test_case(suite, test_address_size_prefix_is_refused);
    add_test_case(suite, test_repeat_prefixes_are_refused);
    add_test_case(suite, test_a_prefix_given_twice_is_refused);
    add_test_case(suite, test_legacy_prefix_after_rex_is_refused);
    add_test_case(suite, test_lock_mov_is_refused_as_the_processor_would_raise_invalid_opcode);
    add_test_case(suite, test_register_destination_is_refused);
    add_test_case(suite, test_truncated_instruction_is_refused_at_every_length);
    add_test_case(suite, test_prefixes_alone_are_refused);
    return suite;
}

REGISTER_SUITE(page_table_write_suite)
