/*
 * The LDT of a 64-bit PV domU: MMUEXT_SET_LDT and what the CPU does with
 * LDT selectors.  Expected values (Xen 4.17):
 *   - xen/arch/x86/mm.c MMUEXT_SET_LDT: -EINVAL above 8192 entries, or
 *     with entries at an address that is not page-aligned or not the
 *     guest's; with no entries the address is ignored (the null LDT).
 *   - xen/arch/x86/pv/descriptor-tables.c check_descriptor: an LDT page's
 *     descriptors obey the GDT's rules (a call gate into the hypervisor's
 *     code, a TSS: refused); the page is a descriptor page while it is the
 *     LDT, so it cannot be mapped writable.  Xen finds a bad page at its
 *     first use (a #PF for the guest); pvmon maps the LDT at once and
 *     refuses it at SET_LDT with -EINVAL, the code set_gdt gives for the
 *     same frames (kernel/descriptor_tables.c).
 *   - The CPU: without an LDT, an LDT selector is #GP(selector), whatever
 *     the guest wrote at linear 0-0xffff (where a CPU's reset LDT lies: a
 *     hypervisor that never loads LDTR lets a call gate there reach ring
 *     0).  A call gate a guest installs gets DPL 0, so a far call through
 *     it is #GP with the gate's selector as error code, as the hardware
 *     reports it, from the guest's LDT and from its GDT alike (Xen's
 *     do_general_protection emulates gates for 32-bit guests only,
 *     pv/emul-gate-op.c; a 64-bit guest gets the hardware's #GP as is).
 * The guest kernel runs in ring 3, so it loads and uses the LDT's data
 * segments itself, as a user process would.
 */
#include "pv_memory.h"

const char test_family[] = "ldt";

#define GENERAL_PROTECTION_VECTOR 13
#define SEGMENT_NOT_PRESENT_VECTOR 11
#define DATA_PTE (PTE_PRESENT | PTE_USER | PTE_ACCESSED)
#define WRITABLE_PTE (PTE_PRESENT | PTE_WRITABLE | PTE_USER | PTE_ACCESSED | PTE_DIRTY)
#define TABLE_PTE (PTE_PRESENT | PTE_WRITABLE | PTE_USER | PTE_ACCESSED)
#define HYPERVISOR_CS 0xe008
#define M2P_START UINT64_C(0xffff800000000000)  /* hypervisor, not executable */
#define UNMAPPED_LOW_PAGE UINT64_C(0x0000400000000000)
#define LDT_PAGE_COUNT 16
#define LDT_ENTRY_LIMIT 8192
#define SEGMENT_BASE 0x1000u
#define OTHER_SEGMENT_BASE 0x2000u
#define MARKER UINT64_C(0x1d7a11ced5e65e70)

/* LDT selectors: index << 3 | table indicator | RPL. */
#define LDT_SELECTOR(index, rpl) ((uint16_t)((index) << 3 | 4 | (rpl)))
#define DATA_INDEX 1
#define GATE_INDEX 2    /* and 3, its upper half */
#define NOT_PRESENT_INDEX 4
#define LAST_INDEX (LDT_ENTRY_LIMIT - 1)

#define TSS64_PRESENT UINT64_C(0x0000890000000067)
#define NOT_PRESENT_DATA UINT64_C(0x00cf73000000ffff)

static struct guest_memory memory;

/* A present data segment of DPL 3, 4 GiB limit, at a 32-bit base. */
static uint64_t data_segment(uint32_t base)
{
    return UINT64_C(0x00cff3000000ffff) | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)(base >> 24) << 56;
}

/* A present 64-bit call gate of DPL 3 to selector:offset, both halves. */
static void call_gate(uint64_t descriptors[2], uint16_t selector, uint64_t offset)
{
    descriptors[0] = (offset & 0xffff) | (uint64_t)selector << 16 | UINT64_C(0xec00) << 32 |
                     (offset >> 16 & 0xffff) << 48;
    descriptors[1] = offset >> 32;
}

/* --- instructions whose fault the guest expects ----------------------------- */

struct expected_fault {
    bool seen;
    uint64_t vector;
    uint64_t error_code;
};

static struct expected_fault last_fault;

/* far_call(selector): lcall through selector:0; load_fs(selector) and
 * load_ds(selector) load the segment register.  A fault at any of them
 * is recorded and the function returns. */
void far_call(uint16_t selector);
void load_fs(uint16_t selector);
void load_ds(uint16_t selector);
uint64_t read_through_fs(uint64_t offset);
uint16_t fs_selector(void);
uint32_t segment_limit(uint16_t selector);
uint32_t access_rights(uint16_t selector);
extern const char far_call_instruction[], far_call_resume[];
extern const char load_fs_instruction[], load_fs_resume[];
extern const char load_ds_instruction[], load_ds_resume[];
__asm__(".text\n"
        ".globl far_call, far_call_instruction, far_call_resume\n"
        "far_call:\n"
        "    sub $16, %rsp\n"
        "    movl $0, (%rsp)\n"
        "    movw %di, 4(%rsp)\n"
        "far_call_instruction:\n"
        "    lcall *(%rsp)\n"
        "far_call_resume:\n"
        "    add $16, %rsp\n"
        "    ret\n"
        ".globl load_fs, load_fs_instruction, load_fs_resume\n"
        "load_fs:\n"
        "load_fs_instruction:\n"
        "    mov %di, %fs\n"
        "load_fs_resume:\n"
        "    ret\n"
        ".globl load_ds, load_ds_instruction, load_ds_resume\n"
        "load_ds:\n"
        "load_ds_instruction:\n"
        "    mov %di, %ds\n"
        "load_ds_resume:\n"
        "    ret\n"
        ".globl read_through_fs\n"
        "read_through_fs:\n"
        "    mov %fs:(%rdi), %rax\n"
        "    ret\n"
        ".globl fs_selector\n"
        "fs_selector:\n"
        "    mov %fs, %eax\n"
        "    ret\n"
        ".globl segment_limit\n"
        "segment_limit:\n"
        "    xor %eax, %eax\n"
        "    lsl %edi, %eax\n"
        "    ret\n"
        ".globl access_rights\n"
        "access_rights:\n"
        "    xor %eax, %eax\n"
        "    lar %edi, %eax\n"
        "    ret\n");

static bool recover_segment_fault(struct trap_frame *frame)
{
    static const struct recoverable_instruction instructions[] = {
        { far_call_instruction, far_call_resume },
        { load_fs_instruction, load_fs_resume },
        { load_ds_instruction, load_ds_resume },
    };

    for (unsigned int index = 0; index < sizeof(instructions) / sizeof(instructions[0]); index++) {
        if (frame->rip == (uint64_t)instructions[index].instruction) {
            last_fault = (struct expected_fault) { true, frame->vector, frame->error_code };
            frame->rip = (uint64_t)instructions[index].resume;
            return true;
        }
    }
    return false;
}

static void forget_fault(void)
{
    last_fault = (struct expected_fault) { 0 };
}

/* The fault the last far call or load raised: vector << 16 | error code,
 * or -1 for none. */
static long fault_seen(void)
{
    return last_fault.seen ? (long)(last_fault.vector << 16 | last_fault.error_code) : -1;
}

#define GENERAL_PROTECTION(error_code) ((long)GENERAL_PROTECTION_VECTOR << 16 | (error_code))
#define SEGMENT_NOT_PRESENT(error_code) ((long)SEGMENT_NOT_PRESENT_VECTOR << 16 | (error_code))

static long set_ldt(uint64_t address, unsigned int entries)
{
    struct mmuext_op operation = { .cmd = MMUEXT_SET_LDT, .arg1.linear_addr = address, .arg2.nr_ents = entries };

    return call_mmuext_op(&operation, 1, NULL, DOMID_SELF);
}

/* A slack page whose descriptors the caller fills, then maps read-only. */
static volatile uint64_t *descriptor_page(uint64_t *frame)
{
    volatile uint64_t *page = (volatile uint64_t *)take_slack_page(&memory, frame);

    if (page != NULL)
        for (unsigned int index = 0; index < ENTRIES_PER_TABLE; index++)
            page[index] = 0;
    return page;
}

static bool make_read_only(volatile uint64_t *page, uint64_t frame)
{
    return map_frame((uint64_t)page, frame, DATA_PTE) == 0;
}

/* --- the CPU's reset LDT must never be live ---------------------------------- */

/* Linear 0, where the compiler cannot see a null pointer. */
static volatile uint64_t linear_zero_address = 0;

/* Maps a writable page at linear 0 through fresh L3, L2 and L1 tables. */
static bool map_page_at_linear_zero(void)
{
    uint64_t l3 = take_unmapped_frame(&memory), l2 = take_unmapped_frame(&memory), l1 = take_unmapped_frame(&memory);
    uint64_t page_frame, page = take_slack_page(&memory, &page_frame);

    if (l3 == 0 || l2 == 0 || l1 == 0 || page == 0 ||
        mmu_update_one(entry_machine_address(memory.l4_frame, 0), l3 << PAGE_SHIFT | TABLE_PTE) != 0 ||
        mmu_update_one(entry_machine_address(l3, 0), l2 << PAGE_SHIFT | TABLE_PTE) != 0 ||
        mmu_update_one(entry_machine_address(l2, 0), l1 << PAGE_SHIFT | TABLE_PTE) != 0 ||
        mmu_update_one(entry_machine_address(l1, 0), page_frame << PAGE_SHIFT | WRITABLE_PTE) != 0)
        return false;
    return true;
}

static void check_reset_ldt_is_not_live(void)
{
    volatile uint64_t *linear_zero = (volatile uint64_t *)linear_zero_address;
    bool mapped = map_page_at_linear_zero();
    uint64_t gate[2];

    expect_true("page_at_linear_zero_is_mapped", mapped, 0, "a mapping at 0");
    if (!mapped)
        return;
    /* A DPL-3 call gate into the hypervisor's code, as LDT entries 0 and
     * 1, and a data segment as entry 2: live if the CPU kept its reset LDT. */
    call_gate(gate, HYPERVISOR_CS, M2P_START);
    linear_zero[0] = gate[0];
    linear_zero[1] = gate[1];
    linear_zero[2] = data_segment(0);
    forget_fault();
    far_call(LDT_SELECTOR(0, 3));
    expect_result("far_call_through_a_gate_at_linear_zero_rpl_3_is_gp_of_the_selector", fault_seen(),
                  GENERAL_PROTECTION(LDT_SELECTOR(0, 0)));
    forget_fault();
    far_call(LDT_SELECTOR(0, 0));
    expect_result("far_call_through_a_gate_at_linear_zero_rpl_0_is_gp_of_the_selector", fault_seen(),
                  GENERAL_PROTECTION(LDT_SELECTOR(0, 0)));
    forget_fault();
    load_fs(LDT_SELECTOR(2, 3));
    expect_result("data_segment_at_linear_zero_does_not_load", fault_seen(), GENERAL_PROTECTION(LDT_SELECTOR(2, 0)));
    load_fs(0);
}

/* --- SET_LDT's arguments ------------------------------------------------------ */

static void check_arguments(void)
{
    uint64_t frame;
    volatile uint64_t *page = descriptor_page(&frame);

    make_read_only(page, frame);
    expect_result("set_ldt_misaligned_is_einval", set_ldt((uint64_t)page + 8, 1), -XEN_EINVAL);
    expect_result("set_ldt_of_8193_entries_is_einval", set_ldt((uint64_t)page, LDT_ENTRY_LIMIT + 1), -XEN_EINVAL);
    expect_result("set_ldt_in_hypervisor_range_is_einval", set_ldt(HYPERVISOR_RANGE_START, 1), -XEN_EINVAL);
    expect_result("set_ldt_non_canonical_is_einval", set_ldt(NON_CANONICAL_ADDRESS, 1), -XEN_EINVAL);
    expect_result("set_ldt_of_no_entries_ignores_a_misaligned_address", set_ldt((uint64_t)page + 8, 0), 0);
    expect_result("set_ldt_of_no_entries_ignores_a_hypervisor_address", set_ldt(HYPERVISOR_RANGE_START, 0), 0);
}

/* --- LDTs that are refused ---------------------------------------------------- */

static void check_refused_ldts(void)
{
    uint64_t writable_frame, gate_frame, tss_frame;
    volatile uint64_t *writable = descriptor_page(&writable_frame);
    volatile uint64_t *gate_page = descriptor_page(&gate_frame);
    volatile uint64_t *tss_page = descriptor_page(&tss_frame);
    uint64_t gate[2];

    writable[1] = data_segment(SEGMENT_BASE);
    expect_result("set_ldt_of_a_page_mapped_writable_is_einval", set_ldt((uint64_t)writable, 2), -XEN_EINVAL);
    expect_result("set_ldt_of_an_unmapped_address_is_einval", set_ldt(UNMAPPED_LOW_PAGE, 1), -XEN_EINVAL);
    expect_result("set_ldt_of_a_page_table_is_einval", set_ldt(runtime_start_info->pt_base, 1), -XEN_EINVAL);
    call_gate(gate, HYPERVISOR_CS, M2P_START);
    gate_page[GATE_INDEX] = gate[0];
    gate_page[GATE_INDEX + 1] = gate[1];
    make_read_only(gate_page, gate_frame);
    expect_result("set_ldt_with_a_call_gate_into_the_hypervisor_is_einval", set_ldt((uint64_t)gate_page, 4),
                  -XEN_EINVAL);
    expect_result("set_ldt_checks_descriptors_beyond_its_entries_in_its_pages", set_ldt((uint64_t)gate_page, 1),
                  -XEN_EINVAL);
    tss_page[1] = TSS64_PRESENT;
    make_read_only(tss_page, tss_frame);
    expect_result("set_ldt_with_a_tss_descriptor_is_einval", set_ldt((uint64_t)tss_page, 2), -XEN_EINVAL);
    expect_result("refused_ldt_page_can_still_be_mapped_writable",
                  map_frame((uint64_t)gate_page, gate_frame, WRITABLE_PTE), 0);
    forget_fault();
    load_fs(LDT_SELECTOR(DATA_INDEX, 3));
    expect_result("after_refused_ldts_the_null_ldt_stays", fault_seen(),
                  GENERAL_PROTECTION(LDT_SELECTOR(DATA_INDEX, 0)));
}

/* --- a real LDT, used --------------------------------------------------------- */

static uint64_t marker_at_segment_base[2] __attribute__((aligned(16))) = { MARKER, ~MARKER };

static void check_real_ldt(void)
{
    uint64_t frame, gate[2], hypervisor_gate[2];
    volatile uint64_t *page = descriptor_page(&frame);
    uint64_t marker_address = (uint64_t)&marker_at_segment_base[0];
    uint64_t descriptor_address = runtime_machine_address((const void *)page) + DATA_INDEX * 8;

    page[DATA_INDEX] = data_segment(SEGMENT_BASE) & ~(UINT64_C(3) << 45);  /* DPL 0: raised to 3 */
    call_gate(gate, FLAT_KERNEL_CS, 0);
    call_gate(hypervisor_gate, HYPERVISOR_CS, 0);
    page[GATE_INDEX] = gate[0];
    page[GATE_INDEX + 1] = gate[1];
    page[NOT_PRESENT_INDEX] = NOT_PRESENT_DATA;
    expect_true("ldt_page_is_mapped_read_only", make_read_only(page, frame), 0, "update_va_mapping to succeed");
    expect_result("set_ldt_of_a_read_only_page_succeeds", set_ldt((uint64_t)page, 5), 0);

    forget_fault();
    load_fs(LDT_SELECTOR(DATA_INDEX, 3));
    expect_result("data_segment_of_the_ldt_loads", fault_seen(), -1);
    expect_result("fs_holds_the_ldt_selector", fs_selector(), LDT_SELECTOR(DATA_INDEX, 3));
    expect_result("ldt_segment_limit_is_the_descriptors", (long)segment_limit(LDT_SELECTOR(DATA_INDEX, 3)),
                  (long)UINT32_MAX);
    expect_result("ldt_segment_dpl_was_raised_to_3", (long)(access_rights(LDT_SELECTOR(DATA_INDEX, 3)) >> 13 & 3), 3);
    expect_result("fs_base_comes_from_the_ldt_descriptor", (long)read_through_fs(marker_address - SEGMENT_BASE),
                  (long)MARKER);
    forget_fault();
    load_ds(LDT_SELECTOR(DATA_INDEX, 3));
    expect_result("ds_loads_the_ldt_data_segment", fault_seen(), -1);
    load_ds(0);

    forget_fault();
    load_fs(LDT_SELECTOR(NOT_PRESENT_INDEX, 3));
    expect_result("not_present_ldt_segment_is_np_of_its_selector", fault_seen(),
                  SEGMENT_NOT_PRESENT(LDT_SELECTOR(NOT_PRESENT_INDEX, 0)));
    forget_fault();
    load_fs(LDT_SELECTOR(5, 3));
    expect_result("selector_beyond_the_ldt_entries_is_gp_of_the_selector", fault_seen(),
                  GENERAL_PROTECTION(LDT_SELECTOR(5, 0)));
    forget_fault();
    far_call(LDT_SELECTOR(GATE_INDEX, 3));
    expect_result("far_call_through_an_ldt_call_gate_is_gp_of_the_gate_selector", fault_seen(),
                  GENERAL_PROTECTION(LDT_SELECTOR(GATE_INDEX, 0)));

    expect_result("ldt_page_cannot_be_mapped_writable", map_frame((uint64_t)page, frame, WRITABLE_PTE),
                  -XEN_EINVAL);
    expect_result("ldt_page_cannot_be_written_by_mmu_update",
                  mmu_update_one(descriptor_address, data_segment(OTHER_SEGMENT_BASE)), -XEN_EINVAL);
    expect_result("ldt_page_cannot_be_pinned", mmuext_one(MMUEXT_PIN_L1_TABLE, frame), -XEN_EINVAL);
    expect_result("update_descriptor_in_the_ldt_succeeds",
                  hypercall_update_descriptor(descriptor_address, data_segment(OTHER_SEGMENT_BASE)), 0);
    load_fs(LDT_SELECTOR(DATA_INDEX, 3));
    expect_result("update_descriptor_reaches_the_live_ldt",
                  (long)read_through_fs(marker_address - OTHER_SEGMENT_BASE), (long)MARKER);
    expect_result("update_descriptor_of_a_call_gate_into_the_hypervisor_is_einval",
                  hypercall_update_descriptor(descriptor_address + 8, hypervisor_gate[0]),
                  -XEN_EINVAL);

    expect_result("refused_set_ldt_keeps_the_ldt", set_ldt(UNMAPPED_LOW_PAGE, 1), -XEN_EINVAL);
    forget_fault();
    load_fs(LDT_SELECTOR(DATA_INDEX, 3));
    expect_result("data_segment_loads_after_a_refused_set_ldt", fault_seen(), -1);

    load_fs(0);
    expect_result("set_ldt_of_no_entries_succeeds", set_ldt(0, 0), 0);
    forget_fault();
    load_fs(LDT_SELECTOR(DATA_INDEX, 3));
    expect_result("without_an_ldt_its_selector_is_gp", fault_seen(), GENERAL_PROTECTION(LDT_SELECTOR(DATA_INDEX, 0)));
    expect_result("released_ldt_page_can_be_mapped_writable", map_frame((uint64_t)page, frame, WRITABLE_PTE), 0);
    load_fs(0);
    hypercall_set_segment_base(SEGBASE_FS, 0);
}

/* A call gate in the guest's GDT faults like one in its LDT. */
static void check_gdt_call_gate(void)
{
    uint64_t frame, gate[2];
    volatile uint64_t *page = descriptor_page(&frame);
    xen_ulong_t frames[1] = { frame };
    const uint16_t gate_selector = GATE_INDEX << 3 | 3;

    call_gate(gate, FLAT_KERNEL_CS, 0);
    page[GATE_INDEX] = gate[0];
    page[GATE_INDEX + 1] = gate[1];
    make_read_only(page, frame);
    expect_result("set_gdt_with_a_call_gate_succeeds", hypercall_set_gdt(frames, 4), 0);
    forget_fault();
    far_call(gate_selector);
    expect_result("far_call_through_a_gdt_call_gate_is_gp_of_the_gate_selector", fault_seen(),
                  GENERAL_PROTECTION(gate_selector & ~3));
    expect_result("set_gdt_of_no_entries_succeeds", hypercall_set_gdt(frames, 0), 0);
}

/* 8192 entries in 16 pages; the last entry is a data segment. */
static void check_largest_ldt(void)
{
    uint64_t frames[LDT_PAGE_COUNT];
    volatile uint64_t *pages[LDT_PAGE_COUNT];
    bool ready = true;

    for (unsigned int index = 0; index < LDT_PAGE_COUNT; index++) {
        pages[index] = descriptor_page(&frames[index]);
        ready = ready && pages[index] != NULL && (index == 0 || pages[index] == pages[index - 1] + ENTRIES_PER_TABLE);
    }
    expect_true("sixteen_consecutive_pages_are_free", ready, 0, "16 slack pages in a row");
    if (!ready)
        return;
    pages[LDT_PAGE_COUNT - 1][ENTRIES_PER_TABLE - 1] = data_segment(SEGMENT_BASE);
    for (unsigned int index = 0; index < LDT_PAGE_COUNT; index++)
        make_read_only(pages[index], frames[index]);
    expect_result("set_ldt_of_8192_entries_succeeds", set_ldt((uint64_t)pages[0], LDT_ENTRY_LIMIT), 0);
    forget_fault();
    load_fs(LDT_SELECTOR(LAST_INDEX, 3));
    expect_result("last_of_8192_entries_loads", fault_seen(), -1);
    expect_result("last_of_8192_entries_is_used",
                  (long)read_through_fs((uint64_t)&marker_at_segment_base[0] - SEGMENT_BASE), (long)MARKER);
    load_fs(0);
    hypercall_set_segment_base(SEGBASE_FS, 0);
    expect_result("set_ldt_of_no_entries_after_the_largest_succeeds", set_ldt(0, 0), 0);
    expect_result("last_page_of_the_largest_ldt_is_released",
                  map_frame((uint64_t)pages[LDT_PAGE_COUNT - 1], frames[LDT_PAGE_COUNT - 1], WRITABLE_PTE), 0);
}

void run_tests(void)
{
    bool ready = guest_memory_init(&memory);

    expect_true("setup_finds_the_bootstrap_layout_and_free_frames_beyond_it", ready,
                (long)memory.bootstrap_end_pfn, "free frames beyond v_end");
    if (!ready)
        return;
    traps_set_hook(GENERAL_PROTECTION_VECTOR, recover_segment_fault);
    traps_set_hook(SEGMENT_NOT_PRESENT_VECTOR, recover_segment_fault);
    check_reset_ldt_is_not_live();
    check_arguments();
    check_refused_ldts();
    check_real_ldt();
    check_gdt_call_gate();
    check_largest_ldt();
}
