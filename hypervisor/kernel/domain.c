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
 *     before its memory goes back.
 *   - A domain that ends keeps its slot, state and reason until the
 *     toolstack destroys it, as in Xen; nothing it owned survives.
 *   - Domain ids increase and wrap, as Xen hands them out: an id comes back
 *     only after all the others (domain_free_id).
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/hypercalls.h>
#include <pvmon/machine_to_physical.h>
#include <pvmon/memory.h>
#include <pvmon/panic.h>
#include <pvmon/printk.h>
#include <pvmon/runstate.h>
#include <pvmon/string.h>
#include <pvmon/time.h>
#include <xen/sched.h>

static struct domain domains[DOMAIN_LIMIT];

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
 * hypervisor tracks frames only by owner in the frame table.
 */
static int allocate_domain_memory(struct domain *domain, uint64_t page_count)
{
    uint64_t table_bytes = page_count * sizeof(uint64_t);

    domain->physical_to_machine_order = order_for_bytes(table_bytes);
    if (hypervisor_allocate_frames(domain->physical_to_machine_order, &domain->physical_to_machine_frame) != 0)
        return -XEN_ENOMEM;
    domain->physical_to_machine = physical_to_virtual(domain->physical_to_machine_frame * PAGE_SIZE);
    for (uint64_t page = 0; page < page_count; page++) {
        uint64_t frame;

        if (domain_take_reservation_frame(domain, &frame) != 0)
            return -XEN_ENOMEM;
        domain->physical_to_machine[page] = frame;
        machine_to_physical_set(frame, page);
    }
    return 0;
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

/* The teardown is not preemptible yet: a devalidation it starts or finds
 * pending (pvmon/page_type.h) runs to its end here, one bounded step after
 * another.  Continuations for the teardown replace this loop. */
static void finish_page_release(const struct domain *domain)
{
    while (page_finish_pending_release(domain_page_memory(), domain->id) == -XEN_ERESTART)
        continue;
}

static bool is_partial_table(const struct frame *frame)
{
    return frame->type_info & PAGE_TYPE_PARTIAL;
}

/*
 * Gives back everything the domain holds but shared_info (Xen's
 * domain_relinquish_resources): first the references its vCPU holds, then
 * every pin, which devalidates its page tables down the tree, then the
 * partial tables nothing continues, then every frame's allocation.  Every frame is then released to the dirty list,
 * except those a privileged domain still maps (mmu_update's foreigndom,
 * e.g. dom0's console and xenstore backends): those leave the domain,
 * owned by DOMID_INVALID, until the last foreign mapping goes, so that a
 * later domain with the same id never finds them in its reservation.
 */
static void release_domain_memory(struct domain *domain)
{
    const struct page_memory *memory = domain_page_memory();

    finish_page_release(domain);
    release_vcpu_references(&domain->vcpu);
    finish_page_release(domain);
    for (uint64_t frame = 0; frame < memory->frame_count; frame++) {
        if (is_reservation_frame(&memory->frames[frame], domain->id) &&
            (memory->frames[frame].type_info & PAGE_TYPE_PINNED)) {
            BUG_ON(page_unpin(memory, frame, domain->id) != 0);
            finish_page_release(domain);
        }
    }
    for (uint64_t frame = 0; frame < memory->frame_count; frame++) {
        if (is_reservation_frame(&memory->frames[frame], domain->id) && is_partial_table(&memory->frames[frame]) &&
            page_release_partial(memory, frame, domain->id) != 0)
            finish_page_release(domain);
    }
    for (uint64_t frame = 0; frame < memory->frame_count; frame++) {
        if (is_reservation_frame(&memory->frames[frame], domain->id) &&
            (memory->frames[frame].reference_count & PAGE_REFERENCE_ALLOCATED))
            BUG_ON(page_give_back(memory, frame, domain->id) != 0);
    }
    for (uint64_t frame = 0; frame < memory->frame_count; frame++) {
        if (is_reservation_frame(&memory->frames[frame], domain->id))
            orphan_foreign_mapped_frame(domain, &memory->frames[frame]);
    }
    BUG_ON(domain->page_count != 0);
    if (domain->physical_to_machine != NULL)
        BUG_ON(frame_allocator_free(machine_frame_allocator(), domain->physical_to_machine_frame,
                                    domain->physical_to_machine_order) != 0);
    domain->physical_to_machine = NULL;
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
        if (domains[index].state == DOMAIN_UNUSED)
            return &domains[index];
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
    domain->privileged = privileged;
    domain->paused = true;
    domain->state = DOMAIN_CREATED;
    time_publish_wallclock(domain->shared_info);
    BUG_ON(event_channel_domain_init(&domain->events, id, privileged, 1, domain->shared_info) != 0);
    initialise_vcpu(domain);
    return domain;
}

int domain_set_memory(struct domain *domain, uint64_t page_count)
{
    int error;

    if (domain->maximum_pages != 0)
        return -XEN_EEXIST;
    domain->maximum_pages = page_count;
    error = allocate_domain_memory(domain, page_count);
    if (error) {
        printk(LOG_ERROR, "domain %u: not enough memory for %lu pages\n", domain->id, page_count);
        release_domain_memory(domain);
        domain->maximum_pages = 0;
    }
    return error;
}

/* Leaves the domain's address space if the CPU is in it, then frees
 * everything the domain holds but its slot. */
static void tear_down(struct domain *domain)
{
    struct vcpu *running = current_vcpu();

    if (running != NULL && running->domain == domain) {
        paging_load_hypervisor_root();
        current_cpu()->current_vcpu = NULL;
    }
    schedule_remove_vcpu(&domain->vcpu);
    event_channel_domain_close_all(&domain->events, &domain_event_directory);
    release_domain_memory(domain);
}

void domain_destroy(struct domain *domain)
{
    if (domain_is_alive(domain))
        tear_down(domain);
    release_shared_info(domain);
    memset(domain, 0, sizeof(*domain));
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

/* Created or loaded: holding memory and not yet torn down. */
bool domain_is_alive(const struct domain *domain)
{
    return domain->state == DOMAIN_CREATED || domain->state == DOMAIN_LOADED;
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
}

void domain_crash(struct domain *domain, const char *why)
{
    printk(LOG_WARNING, "domain %u crashed: %s; tearing it down\n", domain->id, why);
    tear_down(domain);
    domain->state = DOMAIN_CRASHED;
    domain->shutdown_reason = SHUTDOWN_crash;
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
        printk(LOG_INFO, "(d%u) %s\n", domain->id, domain->console_line);
        domain->console_line_length = 0;
        if (character != '\n')
            domain->console_line[domain->console_line_length++] = character;
    }
}
