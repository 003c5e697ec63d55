/*
 * Writable page tables from a domU: the guest kernel writes the entries
 * of its own L1 tables, which are mapped read-only to it, with the plain
 * instructions Linux uses (xchg, lock andb, lock btrq, lock cmpxchg,
 * lock orb, movq), and the hypervisor emulates each write (Xen's
 * xen/arch/x86/pv/ro-page-fault.c, ptwr_emulated_update; security
 * anchors 1, 5, 6 and 8).
 *
 * Rules, by group:
 *   - A write to an entry of a pinned L1 (or of one in use in the
 *     bootstrap tables) takes effect as an mmu_update of that entry would:
 *     validated, U forced on, the instruction's register and flag results
 *     as on hardware (xchg returns the old entry, btr sets CF to the old
 *     bit, cmpxchg compares with RAX and sets ZF), and RIP past the
 *     instruction.  The TLB is the guest's business (it invalidates the
 *     address before using a changed mapping, as Linux does).
 *   - A write that would install an entry mmu_update refuses (another
 *     domain's frame, the hypervisor's, one beyond RAM, bit 62, a
 *     writable mapping of a page table in use, RW set alone on a
 *     read-only mapping of one: XSA-182) does not take effect: the guest
 *     gets the page fault, with CR2 the entry's address and error code
 *     "present, write" (no user bit from the guest kernel), and the entry
 *     stays as it was; so does a write that straddles two entries.
 *   - Writes to a page table that is not an L1 (a pinned L2 mapped
 *     read-only) are never emulated: plain page faults.
 *   - A write single-stepped (RFLAGS.TF) gets its #DB right after the
 *     emulated instruction, as on hardware (Xen's
 *     pv_emul_instruction_done).
 *   - pvmon's memory extension counts the emulated writes.
 */
#include "pv_memory.h"
#include <pvmon/format.h>

const char test_family[] = "page_table_writes";

#define KNOWN_VALUE UINT64_C(0x7ab1e5ea1ed0c0de)
#define SECOND_VALUE UINT64_C(0x0ddf00d5ca1ab1e5)
#define DATA_PTE (PTE_PRESENT | PTE_ACCESSED)
#define WRITABLE_PTE (PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED)
#define TABLE_PTE (PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED)
#define PROTECTION_FAULT_ON_WRITE (PAGE_FAULT_PRESENT | PAGE_FAULT_WRITE)
#define DEBUG_VECTOR 1
#define RFLAGS_TRAP UINT64_C(0x100)

/*
 * The writes, one instruction each, with Linux's encodings:
 *   pte_store        movq %rsi, (%rdi)           REX.W 89 /r
 *   pte_store_zero   movq $0, (%rdi)             REX.W C7 /0
 *   pte_exchange     xchgq %rax, (%rdi)          REX.W 87 /r (ptep_get_and_clear)
 *   pte_clear_rw     lock andb $0xfd, (%rdi)     F0 80 /4 ib (ptep_set_wrprotect)
 *   pte_set_rw       lock orb $2, (%rdi)         F0 80 /1 ib
 *   pte_clear_young  lock btrq $5, (%rdi)        F0 REX.W 0F BA /6 ib (ptep_test_and_clear_young)
 *   pte_compare_exchange  lock cmpxchgq %rdx, (%rdi)  F0 REX.W 0F B1 /r
 *   pte_store_misaligned  movq %rsi, 4(%rdi)
 *   pte_store_half   movl %esi, (%rdi)           89 /r, 4 bytes of the entry
 *   pte_store_single_stepped  movq %rsi, (%rdi) with RFLAGS.TF set by popfq
 * Each has a NAME_instruction and a NAME_resume label, where a page fault
 * on the instruction resumes.
 */
void pte_store(volatile uint64_t *entry, uint64_t value);
void pte_store_zero(volatile uint64_t *entry);
uint64_t pte_exchange(volatile uint64_t *entry, uint64_t value);
void pte_clear_rw(volatile uint64_t *entry);
void pte_set_rw(volatile uint64_t *entry);
uint64_t pte_clear_young(volatile uint64_t *entry);
uint64_t pte_compare_exchange(volatile uint64_t *entry, uint64_t expected, uint64_t replacement, uint8_t *swapped);
void pte_store_misaligned(volatile uint64_t *entry, uint64_t value);
void pte_store_half(volatile uint32_t *half, uint32_t value);
void pte_store_single_stepped(volatile uint64_t *entry, uint64_t value);

__asm__(".text\n"
        ".globl pte_store, pte_store_instruction, pte_store_resume\n"
        "pte_store:\n"
        "pte_store_instruction:\n"
        "    movq %rsi, (%rdi)\n"
        "pte_store_resume:\n"
        "    ret\n"
        ".globl pte_store_zero, pte_store_zero_instruction, pte_store_zero_resume\n"
        "pte_store_zero:\n"
        "pte_store_zero_instruction:\n"
        "    movq $0, (%rdi)\n"
        "pte_store_zero_resume:\n"
        "    ret\n"
        ".globl pte_exchange, pte_exchange_instruction, pte_exchange_resume\n"
        "pte_exchange:\n"
        "    movq %rsi, %rax\n"
        "pte_exchange_instruction:\n"
        "    xchgq %rax, (%rdi)\n"
        "pte_exchange_resume:\n"
        "    ret\n"
        ".globl pte_clear_rw, pte_clear_rw_instruction, pte_clear_rw_resume\n"
        "pte_clear_rw:\n"
        "pte_clear_rw_instruction:\n"
        "    lock andb $0xfd, (%rdi)\n"
        "pte_clear_rw_resume:\n"
        "    ret\n"
        ".globl pte_set_rw, pte_set_rw_instruction, pte_set_rw_resume\n"
        "pte_set_rw:\n"
        "pte_set_rw_instruction:\n"
        "    lock orb $2, (%rdi)\n"
        "pte_set_rw_resume:\n"
        "    ret\n"
        ".globl pte_clear_young, pte_clear_young_instruction, pte_clear_young_resume\n"
        "pte_clear_young:\n"
        "    xorl %eax, %eax\n"
        "pte_clear_young_instruction:\n"
        "    lock btrq $5, (%rdi)\n"
        "pte_clear_young_resume:\n"
        "    setc %al\n"
        "    ret\n"
        ".globl pte_compare_exchange, pte_compare_exchange_instruction, pte_compare_exchange_resume\n"
        "pte_compare_exchange:\n"
        "    movq %rsi, %rax\n"
        "pte_compare_exchange_instruction:\n"
        "    lock cmpxchgq %rdx, (%rdi)\n"
        "pte_compare_exchange_resume:\n"
        "    sete (%rcx)\n"
        "    ret\n"
        ".globl pte_store_misaligned, pte_store_misaligned_instruction, pte_store_misaligned_resume\n"
        "pte_store_misaligned:\n"
        "pte_store_misaligned_instruction:\n"
        "    movq %rsi, 4(%rdi)\n"
        "pte_store_misaligned_resume:\n"
        "    ret\n"
        ".globl pte_store_half, pte_store_half_instruction, pte_store_half_resume\n"
        "pte_store_half:\n"
        "pte_store_half_instruction:\n"
        "    movl %esi, (%rdi)\n"
        "pte_store_half_resume:\n"
        "    ret\n"
        ".globl pte_store_single_stepped, pte_store_single_stepped_instruction, pte_store_single_stepped_resume\n"
        "pte_store_single_stepped:\n"
        "    pushfq\n"
        "    orq $0x100, (%rsp)\n"
        "    popfq\n"
        "pte_store_single_stepped_instruction:\n"
        "    movq %rsi, (%rdi)\n"
        "pte_store_single_stepped_resume:\n"
        "    nop\n"
        "    ret\n");

extern const char pte_store_instruction[], pte_store_resume[];
extern const char pte_store_zero_instruction[], pte_store_zero_resume[];
extern const char pte_exchange_instruction[], pte_exchange_resume[];
extern const char pte_clear_rw_instruction[], pte_clear_rw_resume[];
extern const char pte_set_rw_instruction[], pte_set_rw_resume[];
extern const char pte_clear_young_instruction[], pte_clear_young_resume[];
extern const char pte_compare_exchange_instruction[], pte_compare_exchange_resume[];
extern const char pte_store_misaligned_instruction[], pte_store_misaligned_resume[];
extern const char pte_store_half_instruction[], pte_store_half_resume[];
extern const char pte_store_single_stepped_instruction[], pte_store_single_stepped_resume[];

static const struct recoverable_instruction write_instructions[] = {
    { pte_store_instruction, pte_store_resume },
    { pte_store_zero_instruction, pte_store_zero_resume },
    { pte_exchange_instruction, pte_exchange_resume },
    { pte_clear_rw_instruction, pte_clear_rw_resume },
    { pte_set_rw_instruction, pte_set_rw_resume },
    { pte_clear_young_instruction, pte_clear_young_resume },
    { pte_compare_exchange_instruction, pte_compare_exchange_resume },
    { pte_store_misaligned_instruction, pte_store_misaligned_resume },
    { pte_store_half_instruction, pte_store_half_resume },
    { pte_store_single_stepped_instruction, pte_store_single_stepped_resume },
};

static struct guest_memory memory;
static uint64_t table_frame;       /* the pinned L1 */
static volatile uint64_t *table;   /* its read-only mapping */
static uint64_t mapped_region;     /* what its entries map, through a free bootstrap L2 slot */
static uint64_t l2_slot;
static uint64_t data_frame;        /* a data page, also mapped writable at data_page */
static volatile uint64_t *data_page;
static uint64_t foreign_frame;
static uint64_t beyond_ram_frame;

static uint64_t emulated_writes(void)
{
    struct pvmon_domain_memory_statistics statistics = { 0 };

    own_statistics(&statistics);
    return statistics.page_table_writes_emulated;
}

static uint64_t mapped_address(unsigned int index)
{
    return mapped_region + index * PAGE_SIZE;
}

static bool set_up_pinned_l1(void)
{
    uint64_t table_page = take_slack_page(&memory, &table_frame);
    uint64_t data_address = take_slack_page(&memory, &data_frame);

    table = (volatile uint64_t *)table_page;
    data_page = (volatile uint64_t *)data_address;
    for (unsigned int index = 0; index < ENTRIES_PER_TABLE; index++)
        table[index] = 0;
    data_page[0] = KNOWN_VALUE;
    l2_slot = memory.first_free_l2_slot + 2;
    mapped_region = KERNEL_VIRT_BASE + l2_slot * L2_SPAN;
    expect_result("setup_maps_the_table_frame_read_only", map_frame(table_page, table_frame, DATA_PTE), 0);
    expect_result("setup_pins_the_l1", mmuext_one(MMUEXT_PIN_L1_TABLE, table_frame), 0);
    expect_result("setup_links_the_l1_into_the_bootstrap_l2",
                  mmu_update_one(entry_machine_address(memory.l2_frame, l2_slot),
                                 table_frame << PAGE_SHIFT | TABLE_PTE),
                  0);
    return !write_faults(data_address, KNOWN_VALUE) && table[0] == 0 &&
           (memory.l2[l2_slot] & PTE_PRESENT) != 0;
}

/* --- writes that take effect ----------------------------------------------- */

static void check_emulated_writes(void)
{
    uint64_t data_entry = data_frame << PAGE_SHIFT;
    uint64_t before = emulated_writes(), old;
    uint8_t swapped = 0;

    last_page_fault.seen = false;
    pte_store(&table[0], data_entry | DATA_PTE);
    expect_true("mov_store_to_a_pinned_l1_is_emulated", !last_page_fault.seen, (long)last_page_fault.address,
                "no page fault");
    expect_true("mov_store_is_validated_with_the_user_bit", table[0] == (data_entry | DATA_PTE | PTE_USER),
                (long)table[0], "the data frame, P, A and U");
    invalidate_page(mapped_address(0));
    expect_result("mov_store_mapping_takes_effect", (long)probe_read(mapped_address(0)), (long)KNOWN_VALUE);

    /* Linux 6.6 and later write-protect a dirty entry by moving D into
     * software bit 58 (_PAGE_SAVED_DIRTY): kept, as Xen keeps it. */
    last_page_fault.seen = false;
    pte_store(&table[0], data_entry | DATA_PTE | PTE_BIT(58));
    expect_true("mov_store_of_an_entry_with_bit_58_is_emulated", !last_page_fault.seen,
                (long)last_page_fault.address, "no page fault");
    expect_true("mov_store_keeps_bit_58", table[0] == (data_entry | DATA_PTE | PTE_USER | PTE_BIT(58)),
                (long)table[0], "the entry with bit 58");
    pte_store(&table[0], data_entry | DATA_PTE);

    last_page_fault.seen = false;
    old = pte_exchange(&table[0], data_entry | WRITABLE_PTE);
    expect_true("xchg_with_a_pinned_l1_is_emulated", !last_page_fault.seen, (long)last_page_fault.address,
                "no page fault");
    expect_true("xchg_returns_the_old_entry", old == (data_entry | DATA_PTE | PTE_USER), (long)old,
                "the read-only entry");
    expect_true("xchg_stores_the_new_entry", table[0] == (data_entry | WRITABLE_PTE | PTE_USER), (long)table[0],
                "the writable entry");
    invalidate_page(mapped_address(0));
    expect_true("xchg_mapping_is_writable", !write_faults(mapped_address(0), SECOND_VALUE), 0, "no page fault");
    expect_result("write_through_the_emulated_mapping_reaches_the_frame", (long)data_page[0], (long)SECOND_VALUE);

    last_page_fault.seen = false;
    pte_clear_rw(&table[0]);
    expect_true("lock_andb_on_a_pinned_l1_is_emulated", !last_page_fault.seen, (long)last_page_fault.address,
                "no page fault");
    /* The write through the mapping made the processor set D: ignore it here, then start again without it. */
    expect_true("lock_andb_clears_the_writable_bit",
                (table[0] & ~PTE_DIRTY) == (data_entry | DATA_PTE | PTE_USER), (long)table[0], "the read-only entry");
    invalidate_page(mapped_address(0));
    expect_true("write_after_lock_andb_faults", write_faults(mapped_address(0), 1), 0, "a page fault");
    expect_result("write_after_lock_andb_faults_as_a_protection_fault", (long)last_page_fault.error_code,
                  PROTECTION_FAULT_ON_WRITE);
    expect_result("read_after_lock_andb_still_works", (long)probe_read(mapped_address(0)), (long)SECOND_VALUE);
    pte_store(&table[0], data_entry | DATA_PTE);
    invalidate_page(mapped_address(0));

    last_page_fault.seen = false;
    expect_result("lock_btrq_reports_the_accessed_bit_set", (long)pte_clear_young(&table[0]), 1);
    expect_true("lock_btrq_on_a_pinned_l1_is_emulated", !last_page_fault.seen, (long)last_page_fault.address,
                "no page fault");
    expect_true("lock_btrq_clears_the_accessed_bit", table[0] == (data_entry | PTE_PRESENT | PTE_USER),
                (long)table[0], "the entry without A");
    expect_result("second_lock_btrq_reports_the_accessed_bit_clear", (long)pte_clear_young(&table[0]), 0);

    old = pte_compare_exchange(&table[0], data_entry | PTE_PRESENT | PTE_USER, data_entry | DATA_PTE, &swapped);
    expect_true("lock_cmpxchg_with_the_current_entry_swaps",
                swapped == 1 && old == (data_entry | PTE_PRESENT | PTE_USER), (long)old,
                "ZF set and RAX the old entry");
    expect_true("lock_cmpxchg_stores_the_replacement", table[0] == (data_entry | DATA_PTE | PTE_USER), (long)table[0],
                "the replacement with U");
    old = pte_compare_exchange(&table[0], data_entry | PTE_PRESENT, 0, &swapped);
    expect_true("lock_cmpxchg_with_a_stale_entry_does_not_swap",
                swapped == 0 && old == (data_entry | DATA_PTE | PTE_USER), (long)old,
                "ZF clear and RAX the current entry");
    expect_true("lock_cmpxchg_with_a_stale_entry_leaves_it", table[0] == (data_entry | DATA_PTE | PTE_USER),
                (long)table[0], "the entry as it was");

    last_page_fault.seen = false;
    pte_set_rw(&table[0]);
    expect_true("lock_orb_setting_rw_on_a_data_mapping_is_emulated",
                !last_page_fault.seen && table[0] == (data_entry | WRITABLE_PTE | PTE_USER), (long)table[0],
                "the writable entry");

    last_page_fault.seen = false;
    pte_store_half((volatile uint32_t *)&table[0], (uint32_t)(data_entry | DATA_PTE));
    expect_true("movl_store_of_the_low_half_is_merged_into_the_entry",
                !last_page_fault.seen && table[0] == (data_entry | DATA_PTE | PTE_USER), (long)table[0],
                "the read-only entry");

    last_page_fault.seen = false;
    pte_store_zero(&table[0]);
    expect_true("movq_zero_on_a_pinned_l1_is_emulated", !last_page_fault.seen && table[0] == 0, (long)table[0],
                "an empty entry");
    invalidate_page(mapped_address(0));
    expect_true("address_of_a_cleared_entry_faults", read_faults(mapped_address(0)), 0, "a page fault");
    expect_result("address_of_a_cleared_entry_faults_as_not_present", (long)last_page_fault.error_code, 0);

    uint64_t slack_frame, slack_page = take_slack_page(&memory, &slack_frame);
    volatile uint64_t *bootstrap_entry = (volatile uint64_t *)bootstrap_l1_entry(&memory, slack_page);
    uint64_t bootstrap_before = *bootstrap_entry;

    last_page_fault.seen = false;
    pte_clear_rw(bootstrap_entry);
    expect_true("lock_andb_on_a_bootstrap_l1_is_emulated",
                !last_page_fault.seen && *bootstrap_entry == (bootstrap_before & ~PTE_WRITABLE), (long)*bootstrap_entry,
                "the entry without RW");
    invalidate_page(slack_page);
    expect_true("write_after_lock_andb_on_a_bootstrap_l1_faults", write_faults(slack_page, 1), 0, "a page fault");
    mmu_update_one(bootstrap_l1_entry_machine_address(&memory, slack_page), bootstrap_before);
    invalidate_page(slack_page);

    expect_true("emulated_writes_are_counted", emulated_writes() >= before + 11, (long)(emulated_writes() - before),
                "at least 11 more");
}

/* An instruction whose bytes lie on two pages, its opcode at the end of
 * one and its ModRM byte and the ret after it on the next: the hypervisor
 * must read the bytes from both pages to emulate it (a decode of the first
 * page's bytes alone fails, and the guest would get the #PF). */
static void check_write_straddling_two_pages(void)
{
    static const uint8_t store_and_return[] = { 0x48, 0x89, 0x37, 0xc3 }; /* movq %rsi, (%rdi); ret */
    static struct recoverable_instruction straddling[1];
    const struct recoverable_instruction *instructions = recoverable_instructions_extra;
    unsigned int instruction_count = recoverable_instructions_extra_count;
    uint64_t data_entry = data_frame << PAGE_SHIFT;
    uint64_t first_frame, second_frame;
    uint64_t first = take_slack_page(&memory, &first_frame);
    uint64_t second = take_slack_page(&memory, &second_frame);
    volatile uint8_t *code = (volatile uint8_t *)(second - 2);
    void (*store)(volatile uint64_t *entry, uint64_t value);

    expect_true("setup_finds_two_adjacent_slack_pages", first != 0 && second == first + PAGE_SIZE, (long)second,
                "the page after the first");
    if (first == 0 || second != first + PAGE_SIZE)
        return;
    for (unsigned int index = 0; index < sizeof(store_and_return); index++)
        code[index] = store_and_return[index];
    straddling[0] = (struct recoverable_instruction) { (const char *)code, (const char *)code + 3 };
    recoverable_instructions_extra = straddling;
    recoverable_instructions_extra_count = 1;
    store = (void (*)(volatile uint64_t *, uint64_t))(uintptr_t)code;
    last_page_fault.seen = false;
    store(&table[1], data_entry | DATA_PTE);
    recoverable_instructions_extra = instructions;
    recoverable_instructions_extra_count = instruction_count;
    expect_true("mov_store_whose_bytes_straddle_two_pages_is_emulated", !last_page_fault.seen,
                (long)last_page_fault.address, "no page fault");
    expect_true("mov_store_whose_bytes_straddle_two_pages_is_validated",
                table[1] == (data_entry | DATA_PTE | PTE_USER), (long)table[1], "the data frame, P, A and U");
    pte_store(&table[1], 0);
}

/* --- writes that must not take effect ---------------------------------------- */

/* The write at entry faulted at address with "present, write" and left the entry. */
static void expect_faulted(const char *stem, const volatile uint64_t *entry, uint64_t fault_address, uint64_t before)
{
    char name[128];

    format_string(name, sizeof(name), "%s_faults", stem);
    expect_true(name, last_page_fault.seen, 0, "a page fault");
    format_string(name, sizeof(name), "%s_faults_at_the_entry", stem);
    expect_true(name, last_page_fault.address == fault_address &&
                          last_page_fault.error_code == PROTECTION_FAULT_ON_WRITE,
                (long)last_page_fault.error_code, "CR2 the entry and error code 3");
    format_string(name, sizeof(name), "%s_leaves_the_entry", stem);
    expect_true(name, *entry == before, (long)*entry, "the entry as it was");
}

static void store_expecting_a_fault(const char *stem, unsigned int index, uint64_t value)
{
    uint64_t before = table[index];

    last_page_fault.seen = false;
    pte_store(&table[index], value);
    expect_faulted(stem, &table[index], (uint64_t)&table[index], before);
}

static void check_refused_writes(void)
{
    uint64_t pinned_l2 = take_unmapped_frame(&memory);
    uint64_t before, returned;
    uint8_t swapped = 0;

    store_expecting_a_fault("store_of_an_entry_for_hypervisor_frame", 1,
                            (HYPERVISOR_IMAGE_MACHINE_ADDRESS & PTE_ADDRESS_MASK) | DATA_PTE);
    store_expecting_a_fault("store_of_an_entry_beyond_ram", 1, beyond_ram_frame << PAGE_SHIFT | DATA_PTE);
    if (foreign_frame != 0)
        store_expecting_a_fault("store_of_an_entry_for_another_domains_frame", 1,
                                foreign_frame << PAGE_SHIFT | DATA_PTE);
    store_expecting_a_fault("store_of_an_entry_with_bit_62", 1, data_frame << PAGE_SHIFT | DATA_PTE | PTE_BIT(62));
    store_expecting_a_fault("store_of_a_writable_entry_for_the_l1_itself", 1, table_frame << PAGE_SHIFT | WRITABLE_PTE);
    store_expecting_a_fault("store_of_a_writable_entry_for_the_cr3_l4", 1,
                            memory.l4_frame << PAGE_SHIFT | WRITABLE_PTE);
    expect_result("setup_pins_an_l2", mmuext_one(MMUEXT_PIN_L2_TABLE, pinned_l2), 0);
    store_expecting_a_fault("store_of_a_writable_entry_for_a_pinned_l2", 1, pinned_l2 << PAGE_SHIFT | WRITABLE_PTE);
    expect_true("refused_stores_map_nothing", read_faults(mapped_address(1)), 0, "a page fault");

    before = table[1];
    last_page_fault.seen = false;
    returned = pte_exchange(&table[1], table_frame << PAGE_SHIFT | WRITABLE_PTE);
    expect_faulted("xchg_of_a_writable_entry_for_the_l1_itself", &table[1], (uint64_t)&table[1], before);
    expect_true("refused_xchg_leaves_the_register", returned == (table_frame << PAGE_SHIFT | WRITABLE_PTE),
                (long)returned, "the value it was given");

    last_page_fault.seen = false;
    pte_compare_exchange(&table[1], before, (HYPERVISOR_IMAGE_MACHINE_ADDRESS & PTE_ADDRESS_MASK) | DATA_PTE,
                         &swapped);
    expect_faulted("lock_cmpxchg_of_an_entry_for_hypervisor_frame", &table[1], (uint64_t)&table[1], before);

    /* XSA-182 through emulation: RW set alone on a read-only mapping of the L1 itself. */
    last_page_fault.seen = false;
    pte_store(&table[2], table_frame << PAGE_SHIFT | DATA_PTE);
    expect_true("store_of_a_read_only_entry_for_the_l1_itself_is_emulated",
                !last_page_fault.seen && table[2] == (table_frame << PAGE_SHIFT | DATA_PTE | PTE_USER), (long)table[2],
                "the read-only entry");
    invalidate_page(mapped_address(2));
    expect_result("the_l1_reads_itself_through_its_entry", (long)probe_read(mapped_address(2) + 2 * sizeof(uint64_t)),
                  (long)table[2]);
    before = table[2];
    last_page_fault.seen = false;
    pte_set_rw(&table[2]);
    expect_faulted("lock_orb_setting_rw_on_a_read_only_mapping_of_the_l1", &table[2], (uint64_t)&table[2], before);

    /* The same L1 reached through that second, read-only mapping: still emulated, still validated. */
    invalidate_page(mapped_address(2));
    expect_true("store_through_a_second_mapping_of_the_l1_is_emulated",
                !write_faults(mapped_address(2) + 7 * sizeof(uint64_t), data_frame << PAGE_SHIFT | DATA_PTE) &&
                    table[7] == (data_frame << PAGE_SHIFT | DATA_PTE | PTE_USER),
                (long)table[7], "the data entry with U");
    before = table[6];
    last_page_fault.seen = false;
    probe_write(mapped_address(2) + 6 * sizeof(uint64_t),
                (HYPERVISOR_IMAGE_MACHINE_ADDRESS & PTE_ADDRESS_MASK) | DATA_PTE);
    expect_faulted("store_of_an_entry_for_hypervisor_frame_through_a_second_mapping", &table[6],
                   mapped_address(2) + 6 * sizeof(uint64_t), before);

    before = table[3];
    uint64_t next_before = table[4];

    last_page_fault.seen = false;
    pte_store_misaligned(&table[3], data_frame << PAGE_SHIFT | DATA_PTE);
    expect_faulted("store_straddling_two_entries", &table[3], (uint64_t)&table[3] + 4, before);
    expect_true("store_straddling_two_entries_leaves_the_next_entry", table[4] == next_before, (long)table[4],
                "the entry as it was");

    pte_store(&table[0], data_frame << PAGE_SHIFT | DATA_PTE);
    before = table[0];
    last_page_fault.seen = false;
    pte_store_half((volatile uint32_t *)&table[0] + 1, (uint32_t)(before >> 32) | (uint32_t)(PTE_BIT(62) >> 32));
    expect_faulted("movl_store_setting_bit_62_in_the_high_half", &table[0], (uint64_t)&table[0] + 4, before);
    pte_store_zero(&table[0]);

    /* A pinned L2 mapped read-only: never emulated. */
    pte_store(&table[5], pinned_l2 << PAGE_SHIFT | DATA_PTE);
    invalidate_page(mapped_address(5));
    expect_true("write_to_a_pinned_l2_mapped_read_only_faults", write_faults(mapped_address(5), 0), 0,
                "a page fault");
    expect_result("write_to_a_pinned_l2_mapped_read_only_faults_as_a_protection_fault",
                  (long)last_page_fault.error_code, PROTECTION_FAULT_ON_WRITE);
    expect_result("the_pinned_l2_is_still_empty", (long)probe_read(mapped_address(5)), 0);

    pte_store_zero(&table[2]);
    pte_store_zero(&table[5]);
    pte_store_zero(&table[7]);
    mmuext_one(MMUEXT_UNPIN_TABLE, pinned_l2);
}

static uint64_t debug_trap_rip;

static bool record_debug_trap(struct trap_frame *frame)
{
    if (debug_trap_rip == 0)
        debug_trap_rip = frame->rip;
    frame->rflags &= ~RFLAGS_TRAP;
    return true;
}

/* TF set over an emulated write: the single-step #DB comes after it. */
static void check_single_step(void)
{
    uint64_t entry = data_frame << PAGE_SHIFT | DATA_PTE;

    debug_trap_rip = 0;
    traps_set_hook(DEBUG_VECTOR, record_debug_trap);
    events_disable();
    last_page_fault.seen = false;
    pte_store_single_stepped(&table[8], entry);
    events_enable();
    traps_set_hook(DEBUG_VECTOR, 0);
    expect_true("single_stepped_write_is_emulated", !last_page_fault.seen && table[8] == (entry | PTE_USER),
                (long)table[8], "the entry with U");
    expect_result("single_stepped_write_gets_its_debug_trap_right_after_it", (long)debug_trap_rip,
                  (long)pte_store_single_stepped_resume);
    pte_store_zero(&table[8]);
}

static void check_release(void)
{
    expect_result("unlinking_the_l1_succeeds", mmu_update_one(entry_machine_address(memory.l2_frame, l2_slot), 0), 0);
    expect_result("unpin_of_the_l1_succeeds", mmuext_one(MMUEXT_UNPIN_TABLE, table_frame), 0);
    expect_result("released_l1_can_be_mapped_writable",
                  map_frame((uint64_t)table, table_frame, WRITABLE_PTE | PTE_DIRTY), 0);
    expect_true("released_l1_is_written_directly", !write_faults((uint64_t)table, 0), 0, "no page fault");
}

void run_tests(void)
{
    bool ready = guest_memory_init(&memory);
    long maximum_ram_page = call_memory_op(XENMEM_maximum_ram_page, NULL);

    expect_true("setup_finds_the_bootstrap_layout_and_free_frames_beyond_it", ready,
                (long)memory.bootstrap_end_pfn, "free frames beyond v_end");
    if (!ready || maximum_ram_page <= 0)
        return;
    beyond_ram_frame = (uint64_t)maximum_ram_page + 16;
    foreign_frame = find_foreign_frame(&memory);
    expect_true("setup_finds_a_frame_of_another_domain", foreign_frame != 0, 0, "a frame in the M2P not ours");
    recoverable_instructions_extra = write_instructions;
    recoverable_instructions_extra_count = sizeof(write_instructions) / sizeof(write_instructions[0]);
    expect_page_faults();
    if (!set_up_pinned_l1()) {
        expect_true("setup_pinned_l1_is_ready", false, 0, "a pinned, linked, empty L1");
        return;
    }
    check_emulated_writes();
    check_write_straddling_two_pages();
    check_refused_writes();
    check_single_step();
    check_release();
}
