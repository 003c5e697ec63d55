/*
 * The PV domain builder (see pvmon/domain_build.h), following Xen's
 * dom0_construct and libxenguest's x86 builder:
 *
 *   1. parse and validate the kernel (common/pv_kernel.c) and lay out the
 *      bootstrap region (common/pv_layout.c);
 *   2. copy the kernel's segments to their pfns (segments are placed by
 *      physical address; memory past p_filesz stays zero, since every
 *      domain frame was zeroed when it was allocated), and the module
 *      (unless the caller already put it where the layout says:
 *      domain_build_module_offset, domain_build_page);
 *      fill the hypercall page if the kernel asked for one;
 *   3. write the p2m list (pfn -> machine frame) and start_info, naming
 *      the xenstore and console ring pages (zero, for dom0's backends to
 *      map) and their event channels when the toolstack gave some;
 *   4. build the page tables L4, L3, L2, L1 at the pfns the layout gives:
 *      every bootstrap page mapped present, writable, user (the guest
 *      kernel runs in ring 3) and accessed/dirty, except the page-table
 *      pages themselves, which are mapped read-only; then pin the L4 and
 *      make it the vCPU's base pointer, which validates the whole tree
 *      (common/page_type.c) and fills in pvmon's L4 slots 256-271;
 *   5. set the vCPU as Xen does: RIP = entry, RSP = top of the boot stack,
 *      RSI = start_info, CS/SS = FLAT_KERNEL_CS/SS, interrupts on, events
 *      masked in vcpu_info.
 */
#include <pvmon/arch.h>
#include <pvmon/domain_build.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/memory.h>
#include <pvmon/panic.h>
#include <pvmon/printk.h>
#include <pvmon/pv_kernel.h>
#include <pvmon/pv_layout.h>
#include <pvmon/string.h>
#include <xen/xen.h>

#define GUEST_PAGE_PRESENT (1UL << 0)
#define GUEST_PAGE_WRITABLE (1UL << 1)
#define GUEST_PAGE_USER (1UL << 2)
#define GUEST_PAGE_ACCESSED (1UL << 5)
#define GUEST_PAGE_DIRTY (1UL << 6)
#define GUEST_TABLE_ENTRY (GUEST_PAGE_PRESENT | GUEST_PAGE_WRITABLE | GUEST_PAGE_USER | GUEST_PAGE_ACCESSED)
#define GUEST_DATA_PAGE (GUEST_TABLE_ENTRY | GUEST_PAGE_DIRTY)
#define GUEST_READ_ONLY_PAGE (GUEST_PAGE_PRESENT | GUEST_PAGE_USER | GUEST_PAGE_ACCESSED)
#define ENTRIES_PER_TABLE 512
#define RFLAGS_RESERVED_ONE (1UL << 1)
#define RFLAGS_INTERRUPTS_ENABLED (1UL << 9)

struct table_cursor {
    uint64_t next_pfn[5];   /* by level: the next unused table pfn */
    uint64_t end_pfn[5];    /* by level: one past the last table pfn */
};

/* A page the builder writes: it is no longer known to be zero. */
static uint8_t *guest_page(const struct domain *domain, uint64_t pfn)
{
    uint64_t frame = domain_machine_frame(domain, pfn);

    domain_page_memory()->frames[frame].flags &= ~FRAME_FLAG_KNOWN_ZERO;
    return physical_to_virtual(frame * PAGE_SIZE);
}

uint8_t *domain_build_page(const struct domain *domain, uint64_t pfn)
{
    return guest_page(domain, pfn);
}

/* Copies bytes to guest pseudo-physical memory starting at byte `offset`. */
static void copy_to_guest_physical(const struct domain *domain, uint64_t offset, const uint8_t *source,
                                   uint64_t length)
{
    while (length > 0) {
        uint64_t in_page = offset % PAGE_SIZE;
        uint64_t chunk = PAGE_SIZE - in_page < length ? PAGE_SIZE - in_page : length;

        memcpy(guest_page(domain, offset / PAGE_SIZE) + in_page, source, chunk);
        offset += chunk;
        source += chunk;
        length -= chunk;
    }
}

static void load_segments(const struct domain *domain, const struct pv_kernel *kernel, const uint8_t *image)
{
    for (unsigned int index = 0; index < kernel->segment_count; index++) {
        const struct pv_kernel_segment *segment = &kernel->segments[index];

        copy_to_guest_physical(domain, segment->virtual_address - kernel->virtual_base,
                               image + segment->file_offset, segment->file_size);
    }
}

static void write_physical_to_machine_list(const struct domain *domain, const struct pv_layout *layout)
{
    copy_to_guest_physical(domain, layout->p2m.first_pfn * PAGE_SIZE,
                           (const uint8_t *)domain->physical_to_machine,
                           domain->page_count * sizeof(uint64_t));
}

static void write_start_info(const struct domain *domain, const struct pv_layout *layout,
                             const struct domain_build_request *request)
{
    struct start_info *info = (struct start_info *)guest_page(domain, layout->start_info.first_pfn);
    size_t command_line_length = strlen(request->command_line);

    memcpy(info->magic, "xen-3.0-x86_64", sizeof("xen-3.0-x86_64"));
    info->nr_pages = domain->page_count;
    info->shared_info = domain->shared_info_frame * PAGE_SIZE;
    info->flags = domain->privileged ? SIF_PRIVILEGED | SIF_INITDOMAIN : 0;
    info->pt_base = layout->page_tables.virtual_address;
    info->nr_pt_frames = layout->page_tables.pages;
    info->mfn_list = layout->p2m.virtual_address;
    if (layout->module.pages > 0) {
        bool by_pfn = layout->module.virtual_address == 0;

        info->flags |= by_pfn ? SIF_MOD_START_PFN : 0;
        info->mod_start = by_pfn ? layout->module.first_pfn : layout->module.virtual_address;
        info->mod_len = request->module_size;
    }
    if (request->store_event_channel != 0) {
        info->store_mfn = domain_machine_frame(domain, layout->xenstore.first_pfn);
        info->store_evtchn = request->store_event_channel;
    }
    if (request->console_event_channel != 0) {
        info->console.domU.mfn = domain_machine_frame(domain, layout->console.first_pfn);
        info->console.domU.evtchn = request->console_event_channel;
    }
    if (command_line_length >= MAX_GUEST_CMDLINE)
        command_line_length = MAX_GUEST_CMDLINE - 1;
    memcpy(info->cmd_line, request->command_line, command_line_length);
}

/*
 * The hypercall page, for kernels whose HYPERCALL_PAGE note asks for one
 * (Xen's hypercall_page_initialise_ring3_kernel): 128 slots of 32 bytes,
 * the rest int3.  Slot n is "push %rcx; push %r11; mov $n, %eax; syscall;
 * pop %r11; pop %rcx; ret".  The iret slot pushes RAX too and does not
 * return: the guest jumps to it with the rest of struct iret_context on
 * its stack.
 */
#define HYPERCALL_PAGE_SLOT_SIZE 32
#define HYPERCALL_PAGE_SLOTS (PAGE_SIZE / HYPERCALL_PAGE_SLOT_SIZE)
#define INT3_OPCODE 0xcc

static void write_hypercall_slot(uint8_t *slot, unsigned int number)
{
    static const uint8_t prologue[] = { 0x51, 0x41, 0x53 };              /* push %rcx; push %r11 */
    static const uint8_t epilogue[] = { 0x0f, 0x05, 0x41, 0x5b, 0x59, 0xc3 }; /* syscall; pop %r11; pop %rcx; ret */
    static const uint8_t iret_tail[] = { 0x0f, 0x05 };                   /* syscall */
    size_t length = 0;

    memcpy(slot, prologue, sizeof(prologue));
    length += sizeof(prologue);
    if (number == __HYPERVISOR_iret)
        slot[length++] = 0x50;                                          /* push %rax */
    slot[length++] = 0xb8;                                              /* mov $number, %eax */
    memcpy(slot + length, &number, sizeof(uint32_t));
    length += sizeof(uint32_t);
    if (number == __HYPERVISOR_iret)
        memcpy(slot + length, iret_tail, sizeof(iret_tail));
    else
        memcpy(slot + length, epilogue, sizeof(epilogue));
}

static void write_hypercall_page(const struct domain *domain, const struct pv_kernel *kernel)
{
    uint8_t *page = guest_page(domain, (kernel->hypercall_page - kernel->virtual_base) / PAGE_SIZE);

    memset(page, INT3_OPCODE, PAGE_SIZE);
    for (unsigned int number = 0; number < HYPERCALL_PAGE_SLOTS; number++)
        write_hypercall_slot(page + number * HYPERCALL_PAGE_SLOT_SIZE, number);
}

static unsigned int table_index(uint64_t virtual_address, unsigned int level)
{
    return (virtual_address >> (PAGE_SHIFT + 9 * (level - 1))) & (ENTRIES_PER_TABLE - 1);
}

static void start_table_cursor(struct table_cursor *cursor, const struct pv_layout *layout)
{
    uint64_t counts[5] = { 0, layout->level1_tables, layout->level2_tables, layout->level3_tables,
                           layout->level4_tables };
    uint64_t pfn = layout->page_tables.first_pfn;

    for (unsigned int level = 4; level >= 1; level--) {
        cursor->next_pfn[level] = pfn;
        pfn += counts[level];
        cursor->end_pfn[level] = pfn;
    }
}

static int take_table(const struct domain *domain, struct table_cursor *cursor, unsigned int level,
                      uint64_t *pfn)
{
    if (cursor->next_pfn[level] == cursor->end_pfn[level])
        return -XEN_ENOMEM;
    *pfn = cursor->next_pfn[level]++;
    memset(guest_page(domain, *pfn), 0, PAGE_SIZE);
    return 0;
}

static int map_bootstrap_page(const struct domain *domain, struct table_cursor *cursor,
                              uint64_t root_pfn, uint64_t virtual_address, uint64_t entry)
{
    uint64_t *table = (uint64_t *)guest_page(domain, root_pfn);

    for (unsigned int level = 4; level > 1; level--) {
        uint64_t *slot = &table[table_index(virtual_address, level)];

        if (!(*slot & GUEST_PAGE_PRESENT)) {
            uint64_t pfn;
            int error = take_table(domain, cursor, level - 1, &pfn);

            if (error)
                return error;
            *slot = domain_machine_frame(domain, pfn) * PAGE_SIZE | GUEST_TABLE_ENTRY;
        }
        table = physical_to_virtual(*slot & ~(PAGE_SIZE - 1) & ~(1UL << 63));
    }
    table[table_index(virtual_address, 1)] = entry;
    return 0;
}

static bool is_page_table_pfn(const struct pv_layout *layout, uint64_t pfn)
{
    return pfn >= layout->page_tables.first_pfn &&
           pfn < layout->page_tables.first_pfn + layout->page_tables.pages;
}

/* The tables are validated as Xen's builder leaves them (libxenguest's
 * arch_setup_bootlate pins the L4): pinned, so that the guest can unpin
 * and reclaim them once it has its own, and referenced as the vCPU's
 * kernel base pointer.  Validation fills in the hypervisor's L4 slots.
 * The builder is not preemptible yet: a pin that stops part way
 * (-XEN_ERESTART, pvmon/page_type.h) is continued here until it ends;
 * continuations for domain_control's load replace this loop. */
static int install_page_tables(struct domain *domain, uint64_t root_frame)
{
    const struct page_memory *memory = domain_page_memory();
    int error;

    do
        error = page_pin(memory, root_frame, domain->id, PAGE_TYPE_L4);
    while (error == -XEN_ERESTART);
    if (error)
        return error;
    error = page_get_reference_and_type(memory, root_frame, domain->id, PAGE_TYPE_L4);
    if (error) {
        BUG_ON(page_unpin(memory, root_frame, domain->id) != 0);
        return error;
    }
    domain->vcpu.kernel_root_page_table = root_frame * PAGE_SIZE;
    return 0;
}

static int build_page_tables(struct domain *domain, const struct pv_kernel *kernel,
                             const struct pv_layout *layout)
{
    struct table_cursor cursor;
    uint64_t root_pfn;
    int error;

    start_table_cursor(&cursor, layout);
    error = take_table(domain, &cursor, 4, &root_pfn);
    if (error)
        return error;
    for (uint64_t pfn = 0; pfn < layout->bootstrap_pages && error == 0; pfn++) {
        uint64_t flags = is_page_table_pfn(layout, pfn) ? GUEST_READ_ONLY_PAGE : GUEST_DATA_PAGE;

        error = map_bootstrap_page(domain, &cursor, root_pfn, kernel->virtual_base + pfn * PAGE_SIZE,
                                   domain_machine_frame(domain, pfn) * PAGE_SIZE | flags);
    }
    if (error)
        return error;
    return install_page_tables(domain, domain_machine_frame(domain, root_pfn));
}

static void set_initial_registers(struct domain *domain, const struct pv_kernel *kernel,
                                  const struct pv_layout *layout)
{
    struct trap_frame *registers = &domain->vcpu.registers;
    struct shared_info *shared = physical_to_virtual(domain->shared_info_frame * PAGE_SIZE);

    memset(registers, 0, sizeof(*registers));
    registers->rip = kernel->entry;
    registers->rsp = layout->stack_top_virtual;
    registers->rsi = layout->start_info_virtual;
    registers->cs = FLAT_KERNEL_CS;
    registers->ss = FLAT_KERNEL_SS;
    registers->rflags = RFLAGS_INTERRUPTS_ENABLED | RFLAGS_RESERVED_ONE;
    shared->vcpu_info[0].evtchn_upcall_mask = 1;
}

static int parse_and_lay_out(const struct domain *domain, const void *image, uint64_t image_size,
                             uint64_t module_size, struct pv_kernel *kernel, struct pv_layout *layout)
{
    int error = pv_kernel_parse(image, image_size, kernel);

    if (error)
        return error;
    return pv_layout_compute(kernel, domain->page_count, module_size, kernel->mod_start_pfn, layout);
}

int domain_build_module_offset(const struct domain *domain, const void *kernel, uint64_t kernel_size,
                               uint64_t module_size, uint64_t *offset)
{
    struct pv_kernel parsed;
    struct pv_layout layout;
    int error = parse_and_lay_out(domain, kernel, kernel_size, module_size, &parsed, &layout);

    if (error == 0)
        *offset = layout.module.first_pfn * PAGE_SIZE;
    return error;
}

int domain_build_copy_segments(const struct domain *domain, const void *kernel, uint64_t kernel_size,
                               uint64_t *cursor, uint64_t budget)
{
    const uint8_t *image = kernel;
    struct pv_kernel parsed;
    uint64_t start = 0;
    int error = pv_kernel_parse(kernel, kernel_size, &parsed);

    if (error)
        return error;
    for (unsigned int index = 0; index < parsed.segment_count && budget > 0; index++) {
        const struct pv_kernel_segment *segment = &parsed.segments[index];
        uint64_t end = start + segment->file_size;

        if (*cursor < end) {
            uint64_t offset = *cursor - start;
            uint64_t length = end - *cursor < budget ? end - *cursor : budget;

            copy_to_guest_physical(domain, segment->virtual_address - parsed.virtual_base + offset,
                                   image + segment->file_offset + offset, length);
            *cursor += length;
            budget -= length;
        }
        start = end;
    }
    return *cursor == start && budget > 0 ? 0 : -XEN_ERESTART;
}

int domain_build_pv(struct domain *domain, const struct domain_build_request *request,
                    struct domain_build_result *result)
{
    struct pv_kernel kernel;
    struct pv_layout layout;
    int error = parse_and_lay_out(domain, request->kernel, request->kernel_size, request->module_size, &kernel,
                                  &layout);

    if (error)
        return error;
    domain->build_attempted = true;
    if (!request->segments_in_place)
        load_segments(domain, &kernel, request->kernel);
    if (kernel.hypercall_page != 0)
        write_hypercall_page(domain, &kernel);
    if (request->module != NULL)
        copy_to_guest_physical(domain, layout.module.first_pfn * PAGE_SIZE, request->module,
                               request->module_size);
    write_physical_to_machine_list(domain, &layout);
    write_start_info(domain, &layout, request);
    error = build_page_tables(domain, &kernel, &layout);
    if (error)
        return error;
    set_initial_registers(domain, &kernel, &layout);
    result->store_frame = domain_machine_frame(domain, layout.xenstore.first_pfn);
    result->console_frame = domain_machine_frame(domain, layout.console.first_pfn);
    printk(LOG_INFO, "domain %u: %s kernel, entry %#lx, %lu pages, bootstrap region %#lx-%#lx, %lu page-table frames\n",
           domain->id, kernel.guest_os, kernel.entry, domain->page_count, kernel.virtual_base,
           layout.bootstrap_end_virtual, layout.page_tables.pages);
    domain->state = DOMAIN_LOADED;
    return 0;
}
