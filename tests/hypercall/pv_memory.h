/*
 * What the PV memory test guests share (page_tables.c, page_table_writes.c,
 * reservation.c, memory_leak_fill.c, memory_leak_scan.c): the hypercalls
 * of PV memory (mmu_update, mmuext_op, memory_op, pvmon's memory
 * extension), a map of the guest's own memory, and page-fault recovery.
 * Header only, because each test guest is one file plus check.c.
 *
 * The guest's memory, as the domain builder lays it out (Xen's start of
 * day, xen.h): pseudo-physical frame N is mapped at VIRT_BASE + N * 4096
 * from the kernel up to v_end, which is the end of the boot stack rounded
 * up to 4 MiB with at least 512 KiB of slack; the page tables (L4, L3, L2,
 * then the L1s) are part of that region and mapped read-only; the boot
 * stack is the page after them.  So:
 *   - slack pages (from the page after the boot stack up to v_end) are
 *     free, and mapped writable at their bootstrap address;
 *   - frames from v_end up to nr_pages are free and mapped nowhere, which
 *     makes them ready to become page tables;
 *   - the bootstrap L2 maps VIRT_BASE's 1 GiB and has free slots after
 *     the ones for [VIRT_BASE, v_end).
 * The guest reads its page tables through their read-only bootstrap
 * mapping to check what the hypervisor stored; frames without a mapping
 * are read through a window page remapped with update_va_mapping.
 */
#ifndef TESTS_HYPERCALL_PV_MEMORY_H
#define TESTS_HYPERCALL_PV_MEMORY_H

#include <stddef.h>
#include "check.h"
#include <xen/memory.h>
#include <public/memory_extension.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (UINT64_C(1) << PAGE_SHIFT)
#define ENTRIES_PER_TABLE 512
#define KERNEL_VIRT_BASE UINT64_C(0xffffffff80000000)
#define L2_SPAN (UINT64_C(1) << 21)

#define PTE_PRESENT UINT64_C(0x001)
#define PTE_WRITABLE UINT64_C(0x002)
#define PTE_USER UINT64_C(0x004)
#define PTE_ACCESSED UINT64_C(0x020)
#define PTE_DIRTY UINT64_C(0x040)
#define PTE_LARGE UINT64_C(0x080)
#define PTE_GLOBAL UINT64_C(0x100)
#define PTE_BIT(n) (UINT64_C(1) << (n))
#define PTE_ADDRESS_MASK UINT64_C(0x000ffffffffff000)

#define FIRST_HYPERVISOR_L4_SLOT 256
#define LAST_HYPERVISOR_L4_SLOT 271
/* The cap pvmon had on a batch before it had continuations. */
#define FORMER_BATCH_CAP 1024
#define MMU_UPDATE_PREEMPTED 0x80000000u
#define MEMOP_EXTENT_SHIFT 6
#define MMU_UNKNOWN_COMMAND 7
#define MMUEXT_UNKNOWN_COMMAND 99
#define INVALID_M2P_ENTRY UINT64_MAX
#define PAGE_FAULT_VECTOR 14
#define PAGE_FAULT_PRESENT UINT64_C(0x1)
#define PAGE_FAULT_WRITE UINT64_C(0x2)

/* The leak test's secret (memory_leak_fill.c writes it, memory_leak_scan.c
 * looks for it): a frame holds a trace of it if any aligned 4-byte half of
 * any 8-byte word equals either half of the secret. */
#define LEAK_SECRET UINT64_C(0xc0deface5ec2e75a)

/* --- the hypercalls ------------------------------------------------------- */

static inline long call_mmu_update(const struct mmu_update *requests, unsigned long count, unsigned int *done,
                                   unsigned long foreign_domain)
{
    return hypercall5(__HYPERVISOR_mmu_update, (unsigned long)requests, count, (unsigned long)done,
                      foreign_domain, 0);
}

static inline long call_mmuext_op(const struct mmuext_op *operations, unsigned long count, unsigned int *done,
                                  unsigned long foreign_domain)
{
    return hypercall5(__HYPERVISOR_mmuext_op, (unsigned long)operations, count, (unsigned long)done,
                      foreign_domain, 0);
}

static inline long call_memory_op(unsigned long command, void *argument)
{
    return hypercall3(__HYPERVISOR_memory_op, command, (unsigned long)argument, 0);
}

static inline long call_memory_extension(unsigned long command, void *argument)
{
    return hypercall3(__PVMON_HYPERVISOR_memory_extension, command, (unsigned long)argument, 0);
}

/* One request of each kind. */
static inline long mmu_update_one(uint64_t pointer, uint64_t value)
{
    struct mmu_update request = { .ptr = pointer, .val = value };

    return call_mmu_update(&request, 1, NULL, DOMID_SELF);
}

static inline long mmuext_one(unsigned int command, uint64_t frame)
{
    struct mmuext_op operation = { .cmd = command, .arg1.mfn = frame };

    return call_mmuext_op(&operation, 1, NULL, DOMID_SELF);
}

static inline long mmuext_copy_page(uint64_t destination, uint64_t source)
{
    struct mmuext_op operation = { .cmd = MMUEXT_COPY_PAGE, .arg1.mfn = destination, .arg2.src_mfn = source };

    return call_mmuext_op(&operation, 1, NULL, DOMID_SELF);
}

static inline long invalidate_page(uint64_t address)
{
    struct mmuext_op operation = { .cmd = MMUEXT_INVLPG_LOCAL, .arg1.linear_addr = address };

    return call_mmuext_op(&operation, 1, NULL, DOMID_SELF);
}

static inline long reservation_op(unsigned int command, uint64_t *extents, uint64_t count, unsigned int order,
                                  domid_t domain)
{
    struct xen_memory_reservation reservation = {
        .nr_extents = count,
        .extent_order = order,
        .domid = domain,
    };

    set_xen_guest_handle(reservation.extent_start, extents);
    return call_memory_op(command, &reservation);
}

/* XENMEM_decrease_reservation of one frame: the extents done (0 or 1). */
static inline long give_back_frame(uint64_t frame)
{
    return reservation_op(XENMEM_decrease_reservation, &frame, 1, 0, DOMID_SELF);
}

static inline long current_reservation(void)
{
    domid_t self = DOMID_SELF;

    return call_memory_op(XENMEM_current_reservation, &self);
}

static inline long maximum_reservation(void)
{
    domid_t self = DOMID_SELF;

    return call_memory_op(XENMEM_maximum_reservation, &self);
}

/* The domain's own counters (a domU may not read the machine's). */
static inline bool own_statistics(struct pvmon_domain_memory_statistics *statistics)
{
    return call_memory_extension(PVMON_MEMORY_domain_statistics, statistics) == 0;
}

/* Frames of this domain freed minus frames it received, since it was
 * created: it rises by one for each of its frames that really goes back
 * to the hypervisor and falls by one for each it gets.  UINT64_MAX if it
 * cannot be read. */
static inline uint64_t own_frames_freed_minus_received(void)
{
    struct pvmon_domain_memory_statistics statistics = { 0 };

    if (!own_statistics(&statistics))
        return UINT64_MAX;
    return statistics.frames_freed - statistics.frames_received;
}

/* Whether the extension reports frame as known zero (false if it fails). */
static inline bool frame_is_known_zero(uint64_t frame)
{
    uint64_t frames[1] = { frame };
    uint8_t bitmap[1] = { 0 };
    struct pvmon_known_zero_query query = {
        .frames = (uint64_t)frames,
        .bitmap = (uint64_t)bitmap,
        .count = 1,
    };

    return call_memory_extension(PVMON_MEMORY_query_known_zero, &query) == 0 && (bitmap[0] & 1) != 0 &&
           query.known_zero == 1;
}

/* The CR3 the hypervisor shows the guest kernel (mov from CR3 is emulated). */
static inline uint64_t read_cr3(void)
{
    uint64_t value;

    __asm__ volatile("mov %%cr3, %0" : "=r"(value));
    return value;
}

/* The domain's own id: the remote end of an unbound port allocated for
 * DOMID_SELF, as EVTCHNOP_status reports it.  -1 if that fails. */
static inline long own_domain_id(void)
{
    struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    struct evtchn_status status = { .dom = DOMID_SELF };
    long result;

    if (hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &alloc) != 0)
        return -1;
    status.port = alloc.port;
    result = hypercall_event_channel_op(EVTCHNOP_status, &status);
    hypercall_event_close(alloc.port);
    if (result != 0 || status.status != EVTCHNSTAT_unbound)
        return -1;
    return status.u.unbound.dom;
}

/* --- the guest's memory ----------------------------------------------------- */

struct guest_memory {
    uint64_t nr_pages;
    uint64_t image_end_pfn;       /* the p2m list follows the kernel image */
    uint64_t first_free_pfn;      /* after the boot stack */
    uint64_t bootstrap_end_pfn;   /* v_end */
    uint64_t next_slack_pfn;      /* slack pages handed out so far */
    uint64_t next_unmapped_pfn;   /* frames beyond v_end handed out so far */
    uint64_t l4_frame, l3_frame, l2_frame;
    const volatile uint64_t *l4, *l3, *l2; /* their read-only bootstrap mappings */
    uint64_t first_free_l2_slot;  /* bootstrap L2 slots from here on are empty */
    uint64_t window;              /* a slack address for peeking at frames */
    const uint64_t *m2p;          /* XENMEM_machphys_mapping */
    uint64_t m2p_entries;
};

static inline void *bootstrap_address(uint64_t pfn)
{
    return (void *)(KERNEL_VIRT_BASE + (pfn << PAGE_SHIFT));
}

static inline uint64_t pfn_of_address(const void *address)
{
    return ((uint64_t)address - KERNEL_VIRT_BASE) >> PAGE_SHIFT;
}

static inline uint64_t frame_of_pfn(uint64_t pfn)
{
    return runtime_machine_frame(pfn);
}

static inline uint64_t frame_of_address(const void *address)
{
    return runtime_machine_address(address) >> PAGE_SHIFT;
}

/* The pseudo-physical frame of one of the guest's machine frames, from
 * start_info's p2m list (not the M2P, which some tests change); UINT64_MAX
 * if the guest does not have it. */
static inline uint64_t pfn_of_frame(uint64_t frame)
{
    const uint64_t *p2m = (const uint64_t *)runtime_start_info->mfn_list;

    for (uint64_t pfn = 0; pfn < runtime_start_info->nr_pages; pfn++)
        if (p2m[pfn] == frame)
            return pfn;
    return UINT64_MAX;
}

static inline uint64_t table_index(uint64_t address, unsigned int level)
{
    return (address >> (PAGE_SHIFT + 9 * (level - 1))) & (ENTRIES_PER_TABLE - 1);
}

static inline uint64_t entry_frame(uint64_t entry)
{
    return (entry & PTE_ADDRESS_MASK) >> PAGE_SHIFT;
}

static inline uint64_t entry_machine_address(uint64_t table_frame, uint64_t index)
{
    return (table_frame << PAGE_SHIFT) + index * sizeof(uint64_t);
}

/* A page table of the bootstrap region, through its read-only mapping. */
static inline const volatile uint64_t *bootstrap_table(uint64_t frame)
{
    uint64_t pfn = pfn_of_frame(frame);

    return pfn == UINT64_MAX ? NULL : (const volatile uint64_t *)bootstrap_address(pfn);
}

/* The bootstrap L1 entry mapping an address of [VIRT_BASE, v_end). */
static inline const volatile uint64_t *bootstrap_l1_entry(const struct guest_memory *memory, uint64_t address)
{
    uint64_t l2_entry = memory->l2[table_index(address, 2)];
    const volatile uint64_t *l1;

    if (!(l2_entry & PTE_PRESENT) || (l2_entry & PTE_LARGE))
        return NULL;
    l1 = bootstrap_table(entry_frame(l2_entry));
    return l1 == NULL ? NULL : &l1[table_index(address, 1)];
}

static inline uint64_t bootstrap_l1_entry_machine_address(const struct guest_memory *memory, uint64_t address)
{
    return entry_machine_address(entry_frame(memory->l2[table_index(address, 2)]), table_index(address, 1));
}

/* Fills in *memory from start_info and the bootstrap tables; false if the
 * layout is not the documented one or there are no free frames beyond v_end. */
static inline bool guest_memory_init(struct guest_memory *memory)
{
    const struct start_info *info = runtime_start_info;
    struct xen_machphys_mapping m2p = { 0 };
    uint64_t pt_base_pfn = pfn_of_address((const void *)info->pt_base);
    uint64_t pfn;

    *memory = (struct guest_memory) {
        .nr_pages = info->nr_pages,
        .image_end_pfn = pfn_of_address((const void *)info->mfn_list),
        .first_free_pfn = pt_base_pfn + info->nr_pt_frames + 1,
        .l4 = (const volatile uint64_t *)info->pt_base,
    };
    memory->l4_frame = frame_of_pfn(pt_base_pfn);
    if ((memory->l4[table_index(KERNEL_VIRT_BASE, 4)] & PTE_PRESENT) == 0)
        return false;
    memory->l3_frame = entry_frame(memory->l4[table_index(KERNEL_VIRT_BASE, 4)]);
    memory->l3 = bootstrap_table(memory->l3_frame);
    if (memory->l3 == NULL || (memory->l3[table_index(KERNEL_VIRT_BASE, 3)] & PTE_PRESENT) == 0)
        return false;
    memory->l2_frame = entry_frame(memory->l3[table_index(KERNEL_VIRT_BASE, 3)]);
    memory->l2 = bootstrap_table(memory->l2_frame);
    if (memory->l2 == NULL)
        return false;
    for (pfn = memory->first_free_pfn; pfn < memory->nr_pages; pfn++) {
        const volatile uint64_t *entry = bootstrap_l1_entry(memory, (uint64_t)bootstrap_address(pfn));

        if (entry == NULL || !(*entry & PTE_PRESENT))
            break;
    }
    memory->bootstrap_end_pfn = pfn;
    memory->first_free_l2_slot = (pfn + ENTRIES_PER_TABLE - 1) / ENTRIES_PER_TABLE;
    memory->next_slack_pfn = memory->first_free_pfn;
    memory->next_unmapped_pfn = memory->bootstrap_end_pfn;
    if (call_memory_op(XENMEM_machphys_mapping, &m2p) == 0) {
        memory->m2p = (const uint64_t *)m2p.v_start;
        memory->m2p_entries = m2p.max_mfn + 1;
    }
    if (memory->first_free_pfn + 8 > memory->bootstrap_end_pfn || memory->bootstrap_end_pfn >= memory->nr_pages)
        return false;
    memory->window = (uint64_t)bootstrap_address(memory->next_slack_pfn++);
    return true;
}

/* A free slack page: mapped writable at the address returned, *frame its frame. */
static inline uint64_t take_slack_page(struct guest_memory *memory, uint64_t *frame)
{
    uint64_t pfn = memory->next_slack_pfn;

    *frame = 0;
    if (pfn >= memory->bootstrap_end_pfn)
        return 0;
    memory->next_slack_pfn++;
    *frame = frame_of_pfn(pfn);
    return (uint64_t)bootstrap_address(pfn);
}

/* A free frame that nothing maps (0 when none are left).  The domain's
 * memory comes zeroed; MMUEXT_CLEAR_PAGE makes sure of it. */
static inline uint64_t take_unmapped_frame(struct guest_memory *memory)
{
    uint64_t frame;

    if (memory->next_unmapped_pfn >= memory->nr_pages)
        return 0;
    frame = frame_of_pfn(memory->next_unmapped_pfn++);
    mmuext_one(MMUEXT_CLEAR_PAGE, frame);
    return frame;
}

/* The M2P entry of frame (INVALID_M2P_ENTRY if it cannot be read). */
static inline uint64_t m2p_entry(const struct guest_memory *memory, uint64_t frame)
{
    if (memory->m2p == NULL || frame >= memory->m2p_entries)
        return INVALID_M2P_ENTRY;
    return ((const volatile uint64_t *)memory->m2p)[frame];
}

/* A frame that belongs to another domain: of the frames the M2P names
 * that are not ours, the one with the highest pseudo-physical number
 * (most likely a free page of dom0's, which lives as long as the machine,
 * so that a hypervisor that wrongly lets us write it does the least
 * harm).  0 if there is none. */
static inline uint64_t find_foreign_frame(const struct guest_memory *memory)
{
    uint64_t best = 0, best_pfn = 0;

    for (uint64_t frame = 0x100; frame < memory->m2p_entries; frame++) {
        uint64_t pfn = m2p_entry(memory, frame);

        if (pfn != INVALID_M2P_ENTRY && (best == 0 || pfn > best_pfn) && pfn_of_frame(frame) == UINT64_MAX) {
            best = frame;
            best_pfn = pfn;
        }
    }
    return best;
}

/* Maps frame read-only at the window and reads entry index (the window is
 * unmapped again).  UINT64_MAX with *ok false if the mapping fails. */
static inline uint64_t peek(const struct guest_memory *memory, uint64_t frame, unsigned int index, bool *ok)
{
    uint64_t value;

    *ok = hypercall_update_va_mapping(memory->window, (frame << PAGE_SHIFT) | PTE_PRESENT | PTE_ACCESSED,
                                      UVMF_INVLPG) == 0;
    if (!*ok)
        return UINT64_MAX;
    value = ((const volatile uint64_t *)memory->window)[index];
    hypercall_update_va_mapping(memory->window, 0, UVMF_INVLPG);
    return value;
}

/* Maps frame at address with the flags given; the result of update_va_mapping. */
static inline long map_frame(uint64_t address, uint64_t frame, uint64_t flags)
{
    return hypercall_update_va_mapping(address, (frame << PAGE_SHIFT) | flags, UVMF_INVLPG);
}

/* --- page faults the guest expects ------------------------------------------ */

/*
 * probe_read(address) loads 8 bytes, probe_write(address, value) stores
 * them.  A #PF at either is recorded in last_page_fault and the function
 * returns (probe_read then returns PROBE_FAULTED).  A test file may add
 * instructions of its own with recoverable_instructions_extra.
 */
#define PROBE_FAULTED UINT64_C(0xfa017fa017fa017f)

uint64_t probe_read(uint64_t address);
void probe_write(uint64_t address, uint64_t value);
extern const char probe_read_instruction[], probe_read_resume[];
extern const char probe_write_instruction[], probe_write_resume[];
__asm__(".text\n"
        ".globl probe_read, probe_read_instruction, probe_read_resume\n"
        "probe_read:\n"
        "probe_read_instruction:\n"
        "    movq (%rdi), %rax\n"
        "probe_read_resume:\n"
        "    ret\n"
        ".globl probe_write, probe_write_instruction, probe_write_resume\n"
        "probe_write:\n"
        "probe_write_instruction:\n"
        "    movq %rsi, (%rdi)\n"
        "probe_write_resume:\n"
        "    ret\n");

struct recoverable_instruction {
    const char *instruction;
    const char *resume;
};

struct page_fault_record {
    bool seen;
    uint64_t rip;
    uint64_t error_code;
    uint64_t address;
};

static struct page_fault_record last_page_fault __attribute__((unused));
static const struct recoverable_instruction *recoverable_instructions_extra __attribute__((unused));
static unsigned int recoverable_instructions_extra_count __attribute__((unused));

static inline bool recover_page_fault(struct trap_frame *frame)
{
    static const struct recoverable_instruction probes[] = {
        { probe_read_instruction, probe_read_resume },
        { probe_write_instruction, probe_write_resume },
    };
    const char *resume = NULL;

    for (unsigned int index = 0; index < sizeof(probes) / sizeof(probes[0]); index++)
        if (frame->rip == (uint64_t)probes[index].instruction)
            resume = probes[index].resume;
    for (unsigned int index = 0; index < recoverable_instructions_extra_count; index++)
        if (frame->rip == (uint64_t)recoverable_instructions_extra[index].instruction)
            resume = recoverable_instructions_extra[index].resume;
    if (resume == NULL)
        return false;
    last_page_fault = (struct page_fault_record) {
        .seen = true,
        .rip = frame->rip,
        .error_code = frame->error_code,
        .address = runtime_vcpu_info()->arch.cr2,
    };
    if (frame->rip == (uint64_t)probe_read_instruction)
        frame->rax = PROBE_FAULTED;
    frame->rip = (uint64_t)resume;
    return true;
}

static inline void expect_page_faults(void)
{
    last_page_fault = (struct page_fault_record) { 0 };
    traps_set_hook(PAGE_FAULT_VECTOR, recover_page_fault);
}

/* Whether a store to address faults (a #PF of a present page, for a write). */
static inline bool write_faults(uint64_t address, uint64_t value)
{
    last_page_fault = (struct page_fault_record) { 0 };
    probe_write(address, value);
    return last_page_fault.seen;
}

static inline bool read_faults(uint64_t address)
{
    last_page_fault = (struct page_fault_record) { 0 };
    probe_read(address);
    return last_page_fault.seen;
}

#endif
