/*
 * Exceptions a 64-bit PV domU's kernel raises at the edges of its address
 * space and of the hypervisor's entry paths, and what it must see.
 * Expected values (Xen 4.17):
 *   - xen/arch/x86/traps.c do_general_protection: a #GP with error code 0
 *     from the guest kernel is offered to the privileged-instruction
 *     emulator; its instruction fetch (pv/emul-priv-op.c insn_fetch,
 *     pv/emulate.c pv_emul_virt_to_linear) at an address outside guest
 *     space (__addr_ok: non-canonical) is #GP(0), not a #PF.  So an
 *     instruction whose bytes run from the last canonical byte into the
 *     non-canonical hole, and a jump into the hole, both give #GP(0).
 *   - XSA-260 (x86_64/entry.S, traps.c do_debug): a data breakpoint on the
 *     selector that mov ss loads, followed at once by syscall, holds the
 *     #DB back until after the syscall on hardware, where it arrives in
 *     the hypervisor on the guest's stack; Xen takes #DB on a stack of its
 *     own and ignores it there.  Under TCG the #DB arrives before the
 *     syscall instead, in the guest, and its bounce frame then hits a
 *     second data breakpoint on the guest's stack, in the hypervisor.
 *     Either way the hypervisor carries on, the hypercall completes, and
 *     the guest sees at most that one #DB, at the syscall.
 */
#include "pv_memory.h"

const char test_family[] = "exceptions";

#define GENERAL_PROTECTION_VECTOR 13
#define TABLE_PTE (PTE_PRESENT | PTE_WRITABLE | PTE_USER | PTE_ACCESSED)
#define WRITABLE_PTE (PTE_PRESENT | PTE_WRITABLE | PTE_USER | PTE_ACCESSED | PTE_DIRTY)
#define LOWER_HALF_LAST_L4_SLOT 255
#define TOP_OF_LOWER_HALF UINT64_C(0x00007ffffffff000)
#define LAST_CANONICAL_BYTE UINT64_C(0x00007fffffffffff)
#define FIRST_NON_CANONICAL_BYTE UINT64_C(0x0000800000000000)
#define OPCODE_TWO_BYTE_ESCAPE 0x0f

#define DEBUG_VECTOR 1
#define DR7_L0 UINT64_C(0x1)
#define DR7_RW0_READ_WRITE (UINT64_C(3) << 16)
#define DR7_LEN0_TWO_BYTES (UINT64_C(1) << 18)
#define DR7_L1 UINT64_C(0x4)
#define DR7_RW1_WRITE (UINT64_C(1) << 20)
#define DR7_LEN1_EIGHT_BYTES (UINT64_C(2) << 26)
#define BOUNCE_FRAME_PROBE_DEPTH 16    /* the saved RSP of a bounce frame at the stack top */

static struct guest_memory memory;

struct fault_record {
    bool seen;
    uint64_t vector;
    uint64_t error_code;
    uint64_t rip;
    uint64_t cr2;
};

static struct fault_record last_fault;

/* jump_to(address): jumps there; a #GP or #PF at the target (or at the
 * jump) is recorded and jump_to returns. */
void jump_to(uint64_t address);
extern const char jump_instruction[], jump_resume[];
__asm__(".text\n"
        ".globl jump_to, jump_instruction, jump_resume\n"
        "jump_to:\n"
        "jump_instruction:\n"
        "    jmp *%rdi\n"
        "jump_resume:\n"
        "    ret\n");

static uint64_t jump_target;

/* A fault at the jump or at its target resumes after the jump. */
static bool recover_jump(struct trap_frame *frame)
{
    if (frame->rip != (uint64_t)jump_instruction && frame->rip != jump_target)
        return false;
    last_fault = (struct fault_record) {
        .seen = true,
        .vector = frame->vector,
        .error_code = frame->error_code,
        .rip = frame->rip,
        .cr2 = runtime_vcpu_info()->arch.cr2,
    };
    frame->rip = (uint64_t)jump_resume;
    return true;
}

static void jump_and_record(uint64_t address)
{
    last_fault = (struct fault_record) { 0 };
    jump_target = address;
    jump_to(address);
}

/* The vector and error code of the recorded fault, vector << 16 | code. */
static long fault_seen(void)
{
    return last_fault.seen ? (long)(last_fault.vector << 16 | last_fault.error_code) : -1;
}

#define GENERAL_PROTECTION_0 ((long)GENERAL_PROTECTION_VECTOR << 16)

/* Maps a writable page at the top of the lower half; its address, or 0. */
static volatile uint8_t *map_top_of_lower_half(void)
{
    uint64_t l3 = take_unmapped_frame(&memory), l2 = take_unmapped_frame(&memory), l1 = take_unmapped_frame(&memory);
    uint64_t page_frame, page = take_slack_page(&memory, &page_frame);

    if (l3 == 0 || l2 == 0 || l1 == 0 || page == 0 ||
        mmu_update_one(entry_machine_address(memory.l4_frame, LOWER_HALF_LAST_L4_SLOT),
                       l3 << PAGE_SHIFT | TABLE_PTE) != 0 ||
        mmu_update_one(entry_machine_address(l3, ENTRIES_PER_TABLE - 1), l2 << PAGE_SHIFT | TABLE_PTE) != 0 ||
        mmu_update_one(entry_machine_address(l2, ENTRIES_PER_TABLE - 1), l1 << PAGE_SHIFT | TABLE_PTE) != 0 ||
        mmu_update_one(entry_machine_address(l1, ENTRIES_PER_TABLE - 1), page_frame << PAGE_SHIFT | WRITABLE_PTE) != 0)
        return 0;
    return (volatile uint8_t *)TOP_OF_LOWER_HALF;
}

static void check_non_canonical_fetches(void)
{
    volatile uint8_t *top = map_top_of_lower_half();

    jump_and_record(FIRST_NON_CANONICAL_BYTE);
    expect_result("jump_into_the_non_canonical_hole_is_gp_0", fault_seen(), GENERAL_PROTECTION_0);
    expect_true("jump_into_the_non_canonical_hole_is_no_page_fault", last_fault.cr2 != FIRST_NON_CANONICAL_BYTE,
                (long)last_fault.cr2, "no #PF at the hole");
    expect_true("top_of_the_lower_half_is_mapped", top != 0, 0, "a mapping below the hole");
    if (top == 0)
        return;
    /* The first byte of a two-byte opcode on the last canonical byte. */
    top[LAST_CANONICAL_BYTE - TOP_OF_LOWER_HALF] = OPCODE_TWO_BYTE_ESCAPE;
    jump_and_record(LAST_CANONICAL_BYTE);
    expect_result("instruction_running_into_the_non_canonical_hole_is_gp_0", fault_seen(), GENERAL_PROTECTION_0);
    expect_result("instruction_running_into_the_hole_faults_at_its_start", (long)last_fault.rip,
                  (long)LAST_CANONICAL_BYTE);
}

/* --- #DB held back by mov ss until after syscall (XSA-260) ---------------- */

/* movss_then_syscall(selector_address, number, argument, stack_top):
 * moves to stack_top, loads SS from selector_address, then makes
 * hypercall number at once (in the mov ss shadow), and moves back; the
 * hypercall's result. */
long movss_then_syscall(const uint16_t *selector_address, unsigned long number, unsigned long argument,
                        uint64_t stack_top);
extern const char movss_instruction[], syscall_instruction[], after_syscall[];
__asm__(".text\n"
        ".globl movss_then_syscall, movss_instruction, syscall_instruction, after_syscall\n"
        "movss_then_syscall:\n"
        "    mov %rsp, movss_saved_stack_pointer(%rip)\n"
        "    mov %rcx, %rsp\n"
        "    mov %rsi, %rax\n"
        "    mov %rdi, %r8\n"
        "    mov %rdx, %rdi\n"
        "movss_instruction:\n"
        "    mov (%r8), %ss\n"
        "syscall_instruction:\n"
        "    syscall\n"
        "after_syscall:\n"
        "    mov movss_saved_stack_pointer(%rip), %rsp\n"
        "    ret\n"
        ".data\n"
        ".balign 8\n"
        "movss_saved_stack_pointer: .quad 0\n"
        ".text\n");

#define PRIVATE_STACK_SIZE 16384
static uint8_t private_stack[PRIVATE_STACK_SIZE] __attribute__((aligned(16)));

static uint16_t stack_selector __attribute__((aligned(8))) = FLAT_KERNEL_SS;
static struct fault_record last_debug;
static unsigned int debug_count;

static bool record_debug(struct trap_frame *frame)
{
    debug_count++;
    last_debug = (struct fault_record) { .seen = true, .vector = frame->vector, .rip = frame->rip };
    return true;
}

static void check_movss_syscall_with_a_data_breakpoint(void)
{
    long expected_version = hypercall_xen_version(XENVER_version, NULL);
    uint64_t stack_top = (uint64_t)&private_stack[PRIVATE_STACK_SIZE];
    uint64_t bounce_frame_word = stack_top - BOUNCE_FRAME_PROBE_DEPTH;
    long version;

    debug_count = 0;
    last_debug = (struct fault_record) { 0 };
    traps_set_hook(DEBUG_VECTOR, record_debug);
    expect_result("breakpoint_on_the_stack_selector_is_accepted",
                  hypercall_set_debugreg(0, (unsigned long)&stack_selector), 0);
    expect_result("breakpoint_on_the_guest_stack_is_accepted", hypercall_set_debugreg(1, bounce_frame_word), 0);
    expect_result("breakpoints_are_enabled",
                  hypercall_set_debugreg(7, DR7_L0 | DR7_RW0_READ_WRITE | DR7_LEN0_TWO_BYTES | DR7_L1 |
                                                DR7_RW1_WRITE | DR7_LEN1_EIGHT_BYTES),
                  0);
    version = movss_then_syscall(&stack_selector, __HYPERVISOR_xen_version, XENVER_version, stack_top);
    hypercall_set_debugreg(7, 0);
    traps_set_hook(DEBUG_VECTOR, 0);
    expect_result("hypercall_in_the_movss_shadow_completes", version, expected_version);
    expect_true("guest_sees_at_most_one_debug_exception", debug_count <= 1, debug_count, "0 or 1");
    expect_true("a_debug_exception_the_guest_sees_is_at_the_syscall",
                debug_count == 0 || last_debug.rip == (uint64_t)syscall_instruction, (long)last_debug.rip,
                "the syscall instruction");
    expect_result("guest_runs_on_after_the_debug_exceptions", hypercall_xen_version(XENVER_version, NULL),
                  expected_version);
}

void run_tests(void)
{
    bool ready = guest_memory_init(&memory);

    expect_true("setup_finds_the_bootstrap_layout_and_free_frames_beyond_it", ready,
                (long)memory.bootstrap_end_pfn, "free frames beyond v_end");
    if (!ready)
        return;
    traps_set_hook(GENERAL_PROTECTION_VECTOR, recover_jump);
    traps_set_hook(PAGE_FAULT_VECTOR, recover_jump);
    check_non_canonical_fetches();
    check_movss_syscall_with_a_data_breakpoint();
}
