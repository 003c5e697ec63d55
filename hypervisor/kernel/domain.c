/*
 * Creating and destroying domains, and the memory they own.
 *
 * Rules kept here:
 *   - Every frame a domain gets is zeroed before the domain can see it, and
 *     zeroed again before anyone else sees it after the domain gives it
 *     back (kernel/domain_memory.c), so no data ever passes from one
 *     domain to another through reused memory.
 *   - Frames given to a domain are marked FRAME_DOMAIN with its id and
 *     follow the page-type rules (common/page_type.c); shared_info is the
 *     domain's too but never part of its reservation; the
 *     physical-to-machine table the builder uses stays the hypervisor's.
 *   - A domain is torn down only after the CPU has left its page tables,
 *     and its event channels are closed (peers see their ports unbound)
 *     and the grants it maps released before its memory goes back; its
 *     grant table lives until it is destroyed (kernel/grant_table_op.c).
 *   - A domain that ends keeps its slot, state and reason until the
 *     toolstack destroys it, as in Xen; nothing it owned survives.
 *   - Long work on a domain's memory goes in steps of at most
 *     DOMAIN_FILL_STEP_FRAMES frames filled or DOMAIN_STEP_FRAMES
 *     frame-table entries given back, so that a
 *     hypercall can continue between them; its slot is freed only once
 *     every frame is back.
 *   - Domain ids increase and wrap, as Xen hands them out: an id comes back
 *     only after all the others (domain_free_id).
 *   - VIRQ_DOM_EXC, as in Xen 4.17 (common/domain.c): raised when a domain
 *     has finished shutting down, whatever the reason, crash included
 *     (__domain_finalise_shutdown; pvmon has no suspend event channel, so
 *     a suspend raises it too), and when a destroyed domain is completely
 *     gone, its slot free (complete_domain_destroy).  It is a global virq,
 *     raised on its handler (send_global_virq): Xen's is the hardware
 *     domain unless set_global_virq_handler named another; pvmon has no
 *     set_global_virq_handler, so the handler is the live domain with the
 *     lowest id that has bound it (common/event_channel.c).  Only a
 *     privileged domain can bind a global virq, and dom0 is pvmon's only
 *     one, so that is Xen's default, without a second table to keep
 *     consistent with the bindings.
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/hypercall_continuation.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/hypercalls.h>
#include <pvmon/machine_to_physical.h>
#include <pvmon/memory.h>
#include <pvmon/panic.h>
#include <pvmon/physical_irq.h>
#include <pvmon/printk.h>
#include <pvmon/runstate.h>
#include <pvmon/string.h>
#include <pvmon/time.h>
#include <xen/sched.h>

static struct domain domains[DOMAIN_LIMIT];
/* One past the highest slot ever used: the slots above it are all unused,
 * so the scheduler's walks over the slots (domain_slots) stop there. */
static unsigned int slots_used;

static unsigned int order_for_bytes(uint64_t bytes)
{
    unsigned int order = 0;

    while ((PAGE_SIZE << order) < bytes)
        order++;
    return order;
}

/*
 * The domain's memory as built: page_count zeroed frames from
 * kernel/domain_memory.c, recorded in a physical-to-machine table of the
 * hypervisor's that the builder uses.  Once the guest runs, its own p2m is
 * authoritative (a PV guest manages its pseudo-physical space) and the
 * hypervisor tracks frames only by owner in the frame table.  The table
 * is allocated first; the frames come DOMAIN_FILL_STEP_FRAMES at a time.
 */
static int allocate_physical_to_machine(struct domain *domain, uint64_t page_count)
{
    uint64_t table_bytes = page_count * sizeof(uint64_t);
    int error;

    domain->physical_to_machine_order = order_for_bytes(table_bytes);
    error = hypervisor_allocate_frames_step(domain->physical_to_machine_order,
                                            &domain->physical_to_machine_frame);
    if (error)
        return error;
    domain->physical_to_machine = physical_to_virtual(domain->physical_to_machine_frame * PAGE_SIZE);
    return 0;
}

static int allocate_some_frames(struct domain *domain)
{
    for (unsigned int done = 0; done < DOMAIN_FILL_STEP_FRAMES; done++) {
        uint64_t page = domain->page_count;
        uint64_t frame;

        if (page == domain->maximum_pages)
            return 0;
        if (domain_take_reservation_frame(domain, &frame) != 0)
            return -XEN_ENOMEM;
        domain->physical_to_machine[page] = frame;
        machine_to_physical_set(frame, page);
    }
    return domain->page_count == domain->maximum_pages ? 0 : -XEN_ERESTART;
}

/* Every path that grows a reservation comes here (Xen's assign_pages,
 * which refuses to go beyond max_pages): page_count counts every frame the
 * domain owns until that frame is really freed, so frames given back but
 * kept alive by a pin or a mapping still count. */
int domain_take_reservation_frame(struct domain *domain, uint64_t *frame)
{
    if (domain->page_count >= domain->maximum_pages)
        return -XEN_ENOMEM;
    if (domain_memory_take_frame(domain->id, frame) != 0)
        return -XEN_ENOMEM;
    domain->page_count++;
    domain->counters.frames_received++;
    return 0;
}

/* Xen's domain_adjust_tot_pages(d, -1) in free_domheap_pages: a frame of
 * the domain's reservation had its last reference dropped. */
void domain_reservation_frame_freed(uint16_t owner)
{
    struct domain *domain = domain_find(owner);

    if (domain == NULL)
        return;
    BUG_ON(domain->page_count == 0);
    domain->page_count--;
    domain->counters.frames_freed++;
}

/* The references the vCPU holds for the hardware: its page tables, GDT
 * and registered vcpu_info frame. */
static void release_vcpu_references(struct vcpu *vcpu)
{
    const struct page_memory *memory = domain_page_memory();

    descriptor_tables_release(vcpu);
    if (vcpu->kernel_root_page_table != 0)
        page_put_reference_and_type(memory, vcpu->kernel_root_page_table / PAGE_SIZE);
    if (vcpu->user_root_page_table != 0)
        page_put_reference_and_type(memory, vcpu->user_root_page_table / PAGE_SIZE);
    vcpu->kernel_root_page_table = 0;
    vcpu->user_root_page_table = 0;
    if (vcpu->vcpu_info_frame != 0)
        page_put_reference_and_type(memory, vcpu->vcpu_info_frame);
    vcpu->vcpu_info_frame = 0;
    vcpu->vcpu_info = &vcpu->domain->shared_info->vcpu_info[vcpu->id];
}

static bool is_reservation_frame(const struct frame *frame, uint16_t owner)
{
    return frame->state == FRAME_DOMAIN && frame->owner == owner &&
           !(frame->flags & FRAME_FLAG_HYPERVISOR_PAGE);
}

/* A frame of a dying domain that only another domain's mappings still
 * reference: given back, no type but writable, no pin.  It leaves the
 * domain's reservation here rather than when it is freed. */
static void orphan_foreign_mapped_frame(struct domain *domain, struct frame *frame)
{
    uint32_t type = frame->type_info & PAGE_TYPE_MASK;

    BUG_ON(frame->reference_count & PAGE_REFERENCE_ALLOCATED);
    BUG_ON(frame->type_info & PAGE_TYPE_PINNED);
    BUG_ON((frame->type_info & PAGE_TYPE_COUNT_MASK) != 0 &&
           type != (uint32_t)PAGE_TYPE_WRITABLE << PAGE_TYPE_SHIFT);
    frame->owner = DOMID_INVALID;
    BUG_ON(domain->page_count == 0);
    domain->page_count--;
}

static bool is_partial_table(const struct frame *frame)
{
    return frame->type_info & PAGE_TYPE_PARTIAL;
}

/*
 * Gives back everything the domain holds but shared_info (Xen's
 * domain_relinquish_resources, preemptible as Xen's is): first the
 * references its vCPU holds (at tear-down), then, a step of at most
 * DOMAIN_STEP_FRAMES frames at a time, every pin, which devalidates its
 * page tables down the tree, then the partial tables nothing continues,
 * then every frame's allocation, stopping early between two frames when
 * something else is due (hypercall_preempt_check: unpinning an L1
 * devalidates 512 entries, so a step's frame count alone bounds too
 * little).  A devalidation left on the domain's
 * pending release (pvmon/page_type.h: an unpin, a dropped root, a partial
 * table torn down) is finished before the next frame is looked at, in
 * preemptible steps of its own.  Every frame is then released to the
 * dirty list, except those a privileged domain still maps (mmu_update's
 * foreigndom, e.g. dom0's console and xenstore backends): those leave the
 * domain, owned by DOMID_INVALID, until the last foreign mapping goes, so
 * that a later domain with the same id never finds them in its
 * reservation.  Returns -XEN_ERESTART while steps remain, 0 once
 * everything is given back.
 */
static void release_frame(struct domain *domain, uint64_t frame)
{
    const struct page_memory *memory = domain_page_memory();
    struct frame *entry = &memory->frames[frame];

    if (!is_reservation_frame(entry, domain->id))
        return;
    switch (domain->release_phase) {
    case DOMAIN_RELEASE_UNPIN:
        if (entry->type_info & PAGE_TYPE_PINNED)
            BUG_ON(page_unpin(memory, frame, domain->id) != 0);
        return;
    case DOMAIN_RELEASE_PARTIAL:
        if (is_partial_table(entry))
            (void)page_release_partial(memory, frame, domain->id);
        return;
    case DOMAIN_RELEASE_GIVE_BACK:
        if (entry->reference_count & PAGE_REFERENCE_ALLOCATED)
            BUG_ON(page_give_back(memory, frame, domain->id) != 0);
        return;
    default:
        orphan_foreign_mapped_frame(domain, entry);
        return;
    }
}

static void finish_release(struct domain *domain)
{
    BUG_ON(domain->page_count != 0);
    if (domain->physical_to_machine != NULL)
        BUG_ON(frame_allocator_free(machine_frame_allocator(), domain->physical_to_machine_frame,
                                    domain->physical_to_machine_order) != 0);
    domain->physical_to_machine = NULL;
    domain->release_phase = DOMAIN_RELEASE_DONE;
}

static int release_step(struct domain *domain)
{
    uint64_t frame_count = domain_page_memory()->frame_count;

    for (unsigned int done = 0; done < DOMAIN_STEP_FRAMES; done++) {
        if (domain->release_phase == DOMAIN_RELEASE_NONE || domain->release_phase == DOMAIN_RELEASE_DONE)
            return 0;
        if (done != 0 && hypercall_preempt_check())
            return -XEN_ERESTART;
        if (page_finish_pending_release(domain_page_memory(), domain->id) == -XEN_ERESTART)
            return -XEN_ERESTART;
        if (domain->release_next_frame == frame_count) {
            domain->release_next_frame = 0;
            if (domain->release_phase == DOMAIN_RELEASE_ORPHAN)
                finish_release(domain);
            else
                domain->release_phase++;
            continue;
        }
        release_frame(domain, domain->release_next_frame);
        domain->release_next_frame++;
    }
    return domain->release_phase == DOMAIN_RELEASE_DONE ? 0 : -XEN_ERESTART;
}

static void start_release(struct domain *domain)
{
    release_vcpu_references(&domain->vcpu);
    domain->release_phase = DOMAIN_RELEASE_UNPIN;
    domain->release_next_frame = 0;
}

/* shared_info belongs to the domain, as in Xen (share_xen_page_with_guest):
 * the guest may map it, and a permanent writable type reference keeps it
 * from ever becoming a page table or descriptor page.  It is not part of
 * the domain's reservation, and lives until the domain is destroyed. */
static int allocate_shared_info(struct domain *domain)
{
    const struct page_memory *memory = domain_page_memory();
    uint64_t frame;

    if (domain_memory_take_frame(domain->id, &frame) != 0)
        return -XEN_ENOMEM;
    BUG_ON(page_get_reference_and_type(memory, frame, domain->id, PAGE_TYPE_WRITABLE) != 0);
    memory->frames[frame].flags |= FRAME_FLAG_HYPERVISOR_PAGE;
    domain->shared_info_frame = frame;
    domain->shared_info = physical_to_virtual(frame * PAGE_SIZE);
    return 0;
}

static void release_shared_info(struct domain *domain)
{
    const struct page_memory *memory = domain_page_memory();

    if (domain->shared_info_frame == 0)
        return;
    page_put_reference_and_type(memory, domain->shared_info_frame);
    if (memory->frames[domain->shared_info_frame].reference_count & PAGE_REFERENCE_ALLOCATED)
        BUG_ON(page_give_back(memory, domain->shared_info_frame, domain->id) != 0);
    domain->shared_info_frame = 0;
    domain->shared_info = NULL;
}

static struct domain *unused_slot(void)
{
    for (unsigned int index = 0; index < DOMAIN_LIMIT; index++) {
        if (domains[index].state == DOMAIN_UNUSED) {
            if (index >= slots_used)
                slots_used = index + 1;
            return &domains[index];
        }
    }
    return NULL;
}

/* The CR4 bits a PV guest sees set from the start (Xen's
 * PV_CR4_GUEST_VISIBLE_MASK, less what pvmon hides): PAE, MCE, OSFXSR and
 * OSXMMEXCPT, as the hypervisor has them. */
#define GUEST_VISIBLE_CONTROL_REGISTER4 ((1UL << 5) | (1UL << 6) | (1UL << 9) | (1UL << 10))

static void initialise_vcpu(struct domain *domain)
{
    struct vcpu *vcpu = &domain->vcpu;

    vcpu->domain = domain;
    vcpu->id = 0;
    vcpu->kernel_mode = true;
    vcpu->vcpu_info = &domain->shared_info->vcpu_info[0];
    vcpu->vcpu_info->evtchn_upcall_mask = 1;
    runstate_init(&vcpu->runstate, system_time_ns());
    vcpu->guest_control_register4 = cpu_read_control_register(4) & GUEST_VISIBLE_CONTROL_REGISTER4;
    trap_table_clear(&vcpu->trap_table);
    vcpu_context_init(&vcpu->context);
}

/* A new domain, paused, with a zeroed shared_info page and no memory. */
struct domain *domain_create(uint16_t id, bool privileged)
{
    struct domain *domain = unused_slot();

    if (domain == NULL)
        return NULL;
    memset(domain, 0, sizeof(*domain));
    domain->id = id;
    if (allocate_shared_info(domain) != 0)
        return NULL;
    if (grant_table_domain_create(domain) != 0) {
        release_shared_info(domain);
        memset(domain, 0, sizeof(*domain));
        return NULL;
    }
    domain->privileged = privileged;
    domain->paused = true;
    domain->state = DOMAIN_CREATED;
    time_publish_wallclock(domain->shared_info);
    BUG_ON(event_channel_domain_init(&domain->events, id, privileged, 1, domain->shared_info) != 0);
    initialise_vcpu(domain);
    return domain;
}

/* set_memory in steps: the table, then DOMAIN_FILL_STEP_FRAMES frames per
 * step.  Out of memory, everything given so far goes back, in steps too,
 * and the last step answers -ENOMEM. */
static void report_not_enough_memory(const struct domain *domain, uint64_t page_count)
{
    printk(LOG_ERROR, "domain %u: not enough memory for %lu pages\n", domain->id, page_count);
}

/* -XEN_ERESTART: the hypervisor is still gathering a block for the
 * table; nothing is recorded, and the same call goes on with it. */
int domain_set_memory_begin(struct domain *domain, uint64_t page_count)
{
    int error;

    if (domain->maximum_pages != 0)
        return -XEN_EEXIST;
    error = allocate_physical_to_machine(domain, page_count);
    if (error == -XEN_ERESTART)
        return error;
    if (error) {
        report_not_enough_memory(domain, page_count);
        domain->physical_to_machine = NULL;
        return -XEN_ENOMEM;
    }
    domain->maximum_pages = page_count;
    domain->memory_filling = true;
    return 0;
}

static bool undoing_set_memory(const struct domain *domain)
{
    return domain->release_phase != DOMAIN_RELEASE_NONE && domain->release_phase != DOMAIN_RELEASE_DONE;
}

static int undo_set_memory_step(struct domain *domain)
{
    if (release_step(domain) != 0)
        return -XEN_ERESTART;
    domain->release_phase = DOMAIN_RELEASE_NONE;
    domain->maximum_pages = 0;
    domain->memory_filling = false;
    return -XEN_ENOMEM;
}

int domain_set_memory_step(struct domain *domain)
{
    int error;

    if (undoing_set_memory(domain))
        return undo_set_memory_step(domain);
    error = allocate_some_frames(domain);
    if (error == -XEN_ERESTART)
        return error;
    if (error) {
        report_not_enough_memory(domain, domain->maximum_pages);
        start_release(domain);
        return -XEN_ERESTART;
    }
    domain->memory_filling = false;
    return 0;
}

int domain_set_memory(struct domain *domain, uint64_t page_count)
{
    int error;

    do
        error = domain_set_memory_begin(domain, page_count);
    while (error == -XEN_ERESTART);
    if (error)
        return error;
    do
        error = domain_set_memory_step(domain);
    while (error == -XEN_ERESTART);
    return error;
}

static void release_staged_copy(uint64_t *first_frame, unsigned int order)
{
    if (*first_frame == 0)
        return;
    for (uint64_t frame = *first_frame; frame < *first_frame + (UINT64_C(1) << order); frame++)
        page_zero(physical_to_virtual(frame * PAGE_SIZE));
    BUG_ON(frame_allocator_free(machine_frame_allocator(), *first_frame, order) != 0);
    *first_frame = 0;
}

void domain_release_load_staging(struct domain *domain)
{
    struct domain_load_staging *staging = &domain->load_staging;

    release_staged_copy(&staging->kernel_frame, staging->kernel_order);
    memset(staging, 0, sizeof(*staging));
}

static unsigned int releases_under_way;

/* send_global_virq(VIRQ_DOM_EXC): on its handler among the live domains, taken in id order. */
static void notify_domain_exception(void)
{
    struct event_channel_domain *live[DOMAIN_LIMIT];
    struct event_channel_kick kick = { 0 };
    unsigned int count = 0;

    for (struct domain *domain = domain_first_from(0); domain != NULL && count < DOMAIN_LIMIT;
         domain = domain_first_from((uint16_t)(domain->id + 1))) {
        if (domain_is_alive(domain))
            live[count++] = &domain->events;
    }
    event_channel_global_virq_raise(live, count, VIRQ_DOM_EXC, &kick);
    schedule_kick(&kick);
    schedule_check_pollers();
}

/* Leaves the domain's address space if the CPU is in it, stops its vCPU,
 * closes its event channels and drops its vCPU's references; its frames
 * go back in bounded steps afterwards (release_step): from dom0's
 * destroy, which continues until they are all back, and meanwhile from
 * the idle loop (domain_release_some).  Never on a return to another
 * guest: a step runs until the next timer deadline, and that guest's time
 * is not the dying domain's to spend (in Xen too the work is charged to
 * the toolstack's destroy). */
static void tear_down(struct domain *domain)
{
    struct vcpu *running = current_vcpu();

    if (running != NULL && running->domain == domain) {
        paging_load_hypervisor_root();
        current_cpu()->current_vcpu = NULL;
    }
    schedule_remove_vcpu(&domain->vcpu);
    event_channel_domain_close_all(&domain->events, &domain_event_directory);
    grant_table_domain_tear_down(domain);
    physical_irq_domain_closed(domain);
    domain->memory_filling = false;
    start_release(domain);
    releases_under_way++;
}

static void release_some_of(struct domain *domain)
{
    if (release_step(domain) == 0)
        releases_under_way--;
}

bool domain_release_some(void)
{
    if (releases_under_way == 0)
        return false;
    for (unsigned int index = 0; index < DOMAIN_LIMIT; index++) {
        if (domains[index].release_phase != DOMAIN_RELEASE_NONE &&
            domains[index].release_phase != DOMAIN_RELEASE_DONE) {
            release_some_of(&domains[index]);
            return true;
        }
    }
    return false;
}

/* Destroys a domain one step at a time: -XEN_ERESTART until its memory is
 * all back, then its slot is free. */
int domain_destroy_step(struct domain *domain)
{
    if (domain_is_alive(domain)) {
        tear_down(domain);
        domain->state = DOMAIN_DYING;
    }
    if (domain->release_phase != DOMAIN_RELEASE_NONE && domain->release_phase != DOMAIN_RELEASE_DONE) {
        release_some_of(domain);
        if (domain->release_phase != DOMAIN_RELEASE_DONE)
            return -XEN_ERESTART;
    }
    domain_release_load_staging(domain);
    grant_table_domain_destroy(domain);
    release_shared_info(domain);
    memset(domain, 0, sizeof(*domain));
    notify_domain_exception();
    return 0;
}

void domain_destroy(struct domain *domain)
{
    while (domain_destroy_step(domain) != 0)
        continue;
}

struct domain *domain_find(uint16_t id)
{
    for (unsigned int index = 0; index < DOMAIN_LIMIT; index++) {
        if (domains[index].state != DOMAIN_UNUSED && domains[index].id == id)
            return &domains[index];
    }
    return NULL;
}

/* The existing domain with the smallest id >= id, or NULL. */
struct domain *domain_first_from(uint16_t id)
{
    struct domain *found = NULL;

    for (unsigned int index = 0; index < DOMAIN_LIMIT; index++) {
        struct domain *domain = &domains[index];

        if (domain->state != DOMAIN_UNUSED && domain->id >= id && (found == NULL || domain->id < found->id))
            found = domain;
    }
    return found;
}

/* An id for a new domU, as Xen's XEN_DOMCTL_createdomain picks one when
 * the toolstack names none: the next unused id after the last one handed
 * out, wrapping from DOMID_FIRST_RESERVED - 1 to 1.  An id is therefore not
 * reused until every other one has been, so that a port or a grant left
 * for an old domain cannot reach a new one with the same id.  With at most
 * DOMAIN_LIMIT domains there is always one free. */
uint16_t domain_free_id(void)
{
    static uint16_t last_handed_out;
    uint16_t id = last_handed_out;

    do {
        id = (unsigned int)id + 1 >= DOMID_FIRST_RESERVED ? 1 : (uint16_t)(id + 1);
    } while (domain_find(id) != NULL);
    last_handed_out = id;
    return id;
}

/* The slots ever used; the ones after them are all unused. */
struct domain *domain_slots(unsigned int *count)
{
    *count = slots_used;
    return domains;
}

unsigned int domain_live_count(void)
{
    unsigned int count = 0;

    for (unsigned int index = 0; index < DOMAIN_LIMIT; index++)
        count += domain_is_alive(&domains[index]);
    return count;
}

/* The domain's shared_info and vcpu_info areas stay the hypervisor's and are
 * only reached through this table of live domains. */
static struct event_channel_domain *find_event_domain(void *context, uint16_t id)
{
    struct domain *domain = domain_find(id);

    (void)context;
    return domain != NULL && domain_is_alive(domain) ? &domain->events : NULL;
}

const struct event_channel_directory domain_event_directory = { .find = find_event_domain };

uint64_t domain_machine_frame(const struct domain *domain, uint64_t physical_frame)
{
    BUG_ON(physical_frame >= domain->page_count);
    return domain->physical_to_machine[physical_frame];
}

bool domain_owns_machine_frame(const struct domain *domain, uint64_t machine_frame)
{
    const struct frame_allocator *allocator = machine_frame_allocator();

    return machine_frame < allocator->frame_count && allocator->frames[machine_frame].state == FRAME_DOMAIN &&
           allocator->frames[machine_frame].owner == domain->id;
}

static const char *shutdown_reason_name(unsigned int reason)
{
    static const char *const names[] = { "poweroff", "reboot", "suspend", "crash", "watchdog",
                                         "soft reset" };

    return reason < sizeof(names) / sizeof(names[0]) ? names[reason] : "unknown reason";
}

void domain_shutdown(struct domain *domain, unsigned int reason)
{
    printk(LOG_INFO, "domain %u shut down (%s); tearing it down\n", domain->id,
           shutdown_reason_name(reason));
    tear_down(domain);
    domain->state = DOMAIN_SHUT_DOWN;
    domain->shutdown_reason = reason;
    notify_domain_exception();
}

void domain_crash(struct domain *domain, const char *why)
{
    printk(LOG_WARNING, "domain %u crashed: %s; tearing it down\n", domain->id, why);
    tear_down(domain);
    domain->state = DOMAIN_CRASHED;
    domain->shutdown_reason = SHUTDOWN_crash;
    notify_domain_exception();
}

/* Guest console output, one line at a time, prefixed with the domain id.
 * Control characters other than tab become '?', so that a guest cannot
 * send escape sequences to the operator's terminal. */
void domain_console_write(struct domain *domain, const char *text, size_t length)
{
    for (size_t index = 0; index < length; index++) {
        char character = text[index];

        if ((unsigned char)character < ' ' && character != '\n' && character != '\t')
            character = '?';
        if ((unsigned char)character == 0x7f)
            character = '?';
        bool line_full = domain->console_line_length == DOMAIN_CONSOLE_LINE_SIZE - 1;


        if (character != '\n' && !line_full) {
            domain->console_line[domain->console_line_length++] = character;
            continue;
        }
        domain->console_line[domain->console_line_length] = '\0';
        /* A domU's lines go into the console history (`xl dmesg`), as
         * Xen's guest_printk's do; dom0's do not (pvmon/printk.h). */
        if (domain->privileged)
            printk_unrecorded(LOG_INFO, "(d%u) %s\n", domain->id, domain->console_line);
        else
            printk(LOG_INFO, "(d%u) %s\n", domain->id, domain->console_line);
        domain->console_line_length = 0;
        if (character != '\n')
            domain->console_line[domain->console_line_length++] = character;
    }
}
