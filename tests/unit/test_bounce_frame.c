/*
 * Tests of common/bounce_frame.c: the frame a guest kernel's handler finds
 * (Xen's create_bounce_frame), what the iret hypercall restores (Xen's
 * do_iret), and when the way back may be sysretq (Xen's restore_all_guest:
 * the TRAP_syscall mark, a canonical RIP, the 64-bit user CS).
 */
#include <check.h>
#include <stdint.h>

#include <pvmon/bounce_frame.h>
#include <pvmon/errno.h>
#include <pvmon/layout.h>

#include "suites.h"

#define USER_RIP 0x401000UL
#define USER_RSP 0x7ffffffde000UL
#define KERNEL_STACK 0xffffc90000004000UL
#define HANDLER 0xffffffff81000000UL
#define RFLAGS_IF 0x200UL
#define RFLAGS_TF 0x100UL

/* A guest-user SYSCALL as the entry stub records it. */
static struct trap_frame user_syscall(void)
{
    return (struct trap_frame) {
        .rcx = USER_RIP, .r11 = RFLAGS_IF | RFLAGS_TF, .rax = 39,
        .vector = SYSCALL_VECTOR,
        .rip = USER_RIP, .cs = FLAT_RING3_CS64, .rflags = RFLAGS_IF | RFLAGS_TF,
        .rsp = USER_RSP, .ss = FLAT_RING3_DS32,
    };
}

static struct iret_context iret_to_user(uint64_t flags)
{
    return (struct iret_context) {
        .rax = 7, .r11 = 0x1111, .rcx = 0x2222, .flags = flags,
        .rip = USER_RIP, .cs = FLAT_RING3_CS64, .rflags = RFLAGS_IF, .rsp = USER_RSP, .ss = FLAT_RING3_DS32,
    };
}

START_TEST(test_syscall_bounce_frame_holds_rcx_r11_and_the_user_frame)
{
    struct trap_frame registers = user_syscall();
    struct bounce_request request = { .handler = HANDLER };
    struct bounce_frame frame;

    ck_assert_int_eq(bounce_frame_build(&registers, false, KERNEL_STACK, 0, &request, &frame), 0);
    ck_assert_uint_eq(frame.word_count, 7);
    ck_assert_uint_eq(frame.stack_pointer, KERNEL_STACK - 7 * 8);
    ck_assert_uint_eq(frame.words[0], USER_RIP);
    ck_assert_uint_eq(frame.words[1], RFLAGS_IF | RFLAGS_TF);
    ck_assert_uint_eq(frame.words[2], USER_RIP);
    ck_assert_uint_eq(frame.words[3], FLAT_RING3_CS64);
    ck_assert_uint_eq(frame.words[4], RFLAGS_IF | RFLAGS_TF);
    ck_assert_uint_eq(frame.words[5], USER_RSP);
    ck_assert_uint_eq(frame.words[6], FLAT_RING3_DS32);
}
END_TEST

START_TEST(test_bounce_frame_below_the_hypervisor_slots_end_is_efault)
{
    struct trap_frame registers = user_syscall();
    struct bounce_request request = { .handler = HANDLER };
    struct bounce_frame frame;

    ck_assert_int_eq(bounce_frame_build(&registers, false, HYPERVISOR_SLOTS_END + 8, 0, &request, &frame),
                     -XEN_EFAULT);
    ck_assert_int_eq(bounce_frame_build(&registers, false, 0x20, 0, &request, &frame), -XEN_EFAULT);
}
END_TEST

START_TEST(test_bounced_frame_may_return_by_sysret)
{
    struct trap_frame registers = user_syscall();
    struct bounce_request request = { .handler = HANDLER };
    struct bounce_frame frame;

    registers.vector = 14;
    ck_assert_int_eq(bounce_frame_build(&registers, false, KERNEL_STACK, 0, &request, &frame), 0);
    bounce_frame_enter_handler(&registers, &frame, HANDLER);
    ck_assert_uint_eq(registers.vector, SYSCALL_VECTOR);
    ck_assert_uint_eq(registers.rflags & RFLAGS_TF, 0);
    ck_assert(bounce_frame_returns_by_sysret(&registers));
}
END_TEST

START_TEST(test_hypercall_return_to_a_canonical_rip_is_by_sysret)
{
    struct trap_frame registers = user_syscall();

    ck_assert(bounce_frame_returns_by_sysret(&registers));
    registers.rip = 0xffffffff81234567UL;
    ck_assert(bounce_frame_returns_by_sysret(&registers));
}
END_TEST

START_TEST(test_non_canonical_rip_is_never_by_sysret)
{
    struct trap_frame registers = user_syscall();

    registers.rip = 0x0000800000000000UL;
    ck_assert(!bounce_frame_returns_by_sysret(&registers));
    registers.rip = 0xffff7fffffffffffUL;
    ck_assert(!bounce_frame_returns_by_sysret(&registers));
}
END_TEST

START_TEST(test_other_code_or_stack_selector_is_never_by_sysret)
{
    struct trap_frame registers = user_syscall();

    registers.cs = FLAT_RING3_CS32;
    ck_assert(!bounce_frame_returns_by_sysret(&registers));
    registers = user_syscall();
    registers.ss = 0x4003;
    ck_assert(!bounce_frame_returns_by_sysret(&registers));
}
END_TEST

START_TEST(test_exception_frame_is_never_by_sysret)
{
    struct trap_frame registers = user_syscall();

    registers.vector = 14;
    ck_assert(!bounce_frame_returns_by_sysret(&registers));
}
END_TEST

START_TEST(test_iret_without_in_syscall_restores_rcx_r11_and_returns_by_iretq)
{
    struct trap_frame registers = user_syscall();
    struct iret_context context = iret_to_user(0);
    struct iret_outcome outcome;

    bounce_frame_return(&registers, &context, &outcome);
    ck_assert_uint_eq(registers.rcx, 0x2222);
    ck_assert_uint_eq(registers.r11, 0x1111);
    ck_assert_uint_eq(registers.vector, IRET_RESTORED_VECTOR);
    ck_assert(!bounce_frame_returns_by_sysret(&registers));
}
END_TEST

START_TEST(test_iret_with_in_syscall_leaves_rcx_r11_and_returns_by_sysret)
{
    struct trap_frame registers = user_syscall();
    struct iret_context context = iret_to_user(VGCF_in_syscall);
    struct iret_outcome outcome;

    bounce_frame_return(&registers, &context, &outcome);
    ck_assert_uint_eq(registers.rcx, USER_RIP);
    ck_assert_uint_eq(registers.vector, SYSCALL_VECTOR);
    ck_assert_uint_eq(outcome.rax, 7);
    ck_assert(outcome.to_user_mode);
    ck_assert(bounce_frame_returns_by_sysret(&registers));
}
END_TEST

START_TEST(test_iret_forces_rpl_3_and_clears_iopl)
{
    struct trap_frame registers = user_syscall();
    struct iret_context context = iret_to_user(VGCF_in_syscall);
    struct iret_outcome outcome;

    context.cs = FLAT_RING3_CS64 & ~3UL;
    context.ss = FLAT_RING3_DS32 & ~3UL;
    context.rflags = 0x3000;
    bounce_frame_return(&registers, &context, &outcome);
    ck_assert_uint_eq(registers.cs, FLAT_RING3_CS64);
    ck_assert_uint_eq(registers.ss, FLAT_RING3_DS32);
    ck_assert_uint_eq(registers.rflags, RFLAGS_IF);
    ck_assert_uint_eq(outcome.event_mask, 1);
    ck_assert(!outcome.to_user_mode);
}
END_TEST

static Suite *bounce_frame_suite(void)
{
    Suite *suite = suite_create("bounce_frame");
    TCase *cases = tcase_create("bounce_frame");

    tcase_add_test(cases, test_syscall_bounce_frame_holds_rcx_r11_and_the_user_frame);
    tcase_add_test(cases, test_bounce_frame_below_the_hypervisor_slots_end_is_efault);
    tcase_add_test(cases, test_bounced_frame_may_return_by_sysret);
    tcase_add_test(cases, test_hypercall_return_to_a_canonical_rip_is_by_sysret);
    tcase_add_test(cases, test_non_canonical_rip_is_never_by_sysret);
    tcase_add_test(cases, test_other_code_or_stack_selector_is_never_by_sysret);
    tcase_add_test(cases, test_exception_frame_is_never_by_sysret);
    tcase_add_test(cases, test_iret_without_in_syscall_restores_rcx_r11_and_returns_by_iretq);
    tcase_add_test(cases, test_iret_with_in_syscall_leaves_rcx_r11_and_returns_by_sysret);
    tcase_add_test(cases, test_iret_forces_rpl_3_and_clears_iopl);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(bounce_frame_suite)
