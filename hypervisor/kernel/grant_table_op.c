/*
 * The grant_table_op hypercall (20) and each domain's grant table in the
 * hypervisor: the glue between guests and common/grant_table.c, where the
 * rules live (xen/common/grant_table.c: do_grant_table_op and the
 * gnttab_* handlers).
 *
 * Rules kept here:
 *   - Xen's hypercall results: a count that is negative as an int, or
 *     continuation bits in cmd, is -EINVAL; a list not wholly in guest
 *     space, or a request that cannot be read or its answer written, is
 *     -EFAULT; setup_table and query_size take exactly one request
 *     (-EINVAL); everything else is reported per request in its status
 *     field (GNTST_*) and the hypercall returns 0, since Linux BUG()s on a
 *     non-zero result of a batch.  Unknown or unoffered commands
 *     (transfer, dump_table, unmap_and_replace, get_status_frames,
 *     swap_grant_ref, cache_flush) are -ENOSYS.
 *   - map, unmap and copy lists are bounded like Xen's: before every
 *     request but the first, hypercall_preempt_check may stop the batch,
 *     which continues with the list advanced and the count reduced
 *     (Xen's encoding: cmd, list, remaining count); a re-issued call
 *     checks everything again.
 *   - A domain's own table is named by DOMID_SELF or its id; another
 *     domain's only by a privileged caller (Xen's XSM_TARGET default:
 *     GNTST_permission_denied, or -EPERM for get_version).  An unknown
 *     domain is GNTST_bad_domain (-ESRCH for get_version).
 *   - After a batch that wrote or removed a host mapping the TLB is
 *     flushed (Xen's gnttab_flush_tlb), before the guest runs again.
 *   - A domain's table frames are hypervisor pages it owns outside its
 *     reservation (as shared_info): allocated zeroed with a permanent
 *     writable type reference, given back only when it is destroyed.
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/frame_allocator.h>
#include <pvmon/grant_table.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercall_continuation.h>
#include <pvmon/hypercalls.h>
#include <pvmon/memory.h>
#include <pvmon/panic.h>

/* Xen's GNTTABOP_CMD_MASK: the low 12 bits of cmd name the command; the
 * others carry cache_flush's continuation, which pvmon does not offer. */
#define GRANT_COMMAND_MASK 0xfffu

static struct grant_table *find_table(const struct grant_environment *environment, uint16_t domain_id)
{
    struct domain *domain = domain_find(domain_id);

    (void)environment;
    return domain != NULL ? &domain->grants : NULL;
}

static int allocate_shared_frame(const struct grant_environment *environment, uint16_t owner, uint64_t *frame)
{
    const struct page_memory *memory = environment->memory;

    if (domain_memory_take_frame(owner, frame) != 0)
        return -XEN_ENOMEM;
    BUG_ON(page_get_reference_and_type(memory, *frame, owner, PAGE_TYPE_WRITABLE) != 0);
    memory->frames[*frame].flags |= FRAME_FLAG_HYPERVISOR_PAGE;
    return 0;
}

static void release_shared_frame(const struct grant_environment *environment, uint64_t frame)
{
    const struct page_memory *memory = environment->memory;

    page_put_reference_and_type(memory, frame);
    if (memory->frames[frame].reference_count & PAGE_REFERENCE_ALLOCATED)
        BUG_ON(page_give_back(memory, frame, memory->frames[frame].owner) != 0);
}

static void *allocate_private(const struct grant_environment *environment)
{
    uint64_t frame;
    void *page;

    (void)environment;
    if (hypervisor_allocate_frames(0, &frame) != 0)
        return NULL;
    page = physical_to_virtual(frame * PAGE_SIZE);
    page_zero(page);
    return page;
}

static void free_private(const struct grant_environment *environment, void *page)
{
    (void)environment;
    BUG_ON(frame_allocator_free(machine_frame_allocator(), virtual_to_physical(page) / PAGE_SIZE, 0) != 0);
}

static int find_l1_entry(const struct grant_environment *environment, uint16_t domain_id, uint64_t address,
                         uint64_t *table_frame, unsigned int *index)
{
    const struct domain *domain = domain_find(domain_id);

    (void)environment;
    if (domain == NULL)
        return -XEN_EINVAL;
    return guest_find_l1_entry(domain->vcpu.kernel_root_page_table, address, table_frame, index);
}

static uint32_t compare_exchange(const struct grant_environment *environment, uint32_t *word, uint32_t expected,
                                 uint32_t desired)
{
    (void)environment;
    __atomic_compare_exchange_n(word, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return expected;
}

static struct grant_environment environment;

static const struct grant_environment *grant_environment(void)
{
    if (environment.memory == NULL)
        environment = (struct grant_environment){
            .memory = domain_page_memory(),
            .find = find_table,
            .allocate_shared_frame = allocate_shared_frame,
            .release_shared_frame = release_shared_frame,
            .allocate_private = allocate_private,
            .free_private = free_private,
            .find_l1_entry = find_l1_entry,
            .compare_exchange = compare_exchange,
        };
    return &environment;
}

/* ---- a domain's life ---- */

int grant_table_domain_create(struct domain *domain)
{
    return grant_table_create(grant_environment(), &domain->grants, domain->id);
}

void grant_table_domain_tear_down(struct domain *domain)
{
    grant_table_release_mappings(grant_environment(), &domain->grants);
    domain->grants.dying = true;
}

/* Before the slot goes: others' mappings of its grants become orphans
 * that keep their frames (owned by DOMID_INVALID by then) until unmapped. */
void grant_table_domain_destroy(struct domain *domain)
{
    for (struct domain *other = domain_first_from(0); other != NULL;
         other = other->id == UINT16_MAX ? NULL : domain_first_from((uint16_t)(other->id + 1))) {
        if (other != domain)
            grant_table_orphan_mappings_of(&other->grants, domain->id);
    }
    grant_table_destroy(grant_environment(), &domain->grants);
}

/* ---- the single-request commands ---- */

/* The domain a request names: DOMID_SELF or the caller's id, or another
 * one for a privileged caller. */
static int16_t find_named_table(const struct vcpu *vcpu, domid_t named, struct grant_table **table)
{
    struct domain *domain = named == DOMID_SELF ? vcpu->domain : domain_find(named);

    if (domain == NULL)
        return GNTST_bad_domain;
    if (domain != vcpu->domain && !vcpu->domain->privileged)
        return GNTST_permission_denied;
    *table = &domain->grants;
    return GNTST_okay;
}

/* Xen's gnttab_setup_table. */
static long setup_table(struct vcpu *vcpu, uint64_t argument, uint32_t count)
{
    struct gnttab_setup_table op;
    struct grant_table *table = NULL;

    if (count != 1)
        return -XEN_EINVAL;
    if (copy_from_guest(&op, argument, sizeof(op)) != 0)
        return -XEN_EFAULT;
    if (!guest_range_is_valid((uint64_t)op.frame_list.p, (uint64_t)op.nr_frames * sizeof(xen_pfn_t)))
        return -XEN_EFAULT;
    op.status = find_named_table(vcpu, op.dom, &table);
    if (op.status == GNTST_okay)
        op.status = grant_table_grow(grant_environment(), table, op.nr_frames);
    for (uint32_t index = 0; op.status == GNTST_okay && index < op.nr_frames; index++) {
        xen_pfn_t frame = table->frames[index];

        if (copy_to_guest((uint64_t)op.frame_list.p + index * sizeof(frame), &frame, sizeof(frame)) != 0)
            op.status = GNTST_bad_virt_addr;
    }
    if (copy_to_guest(argument + offsetof(struct gnttab_setup_table, status), &op.status, sizeof(op.status)) != 0)
        return -XEN_EFAULT;
    return 0;
}

/* Xen's gnttab_query_size. */
static long query_size(struct vcpu *vcpu, uint64_t argument, uint32_t count)
{
    struct gnttab_query_size op;
    struct grant_table *table = NULL;

    if (count != 1)
        return -XEN_EINVAL;
    if (copy_from_guest(&op, argument, sizeof(op)) != 0)
        return -XEN_EFAULT;
    op.status = find_named_table(vcpu, op.dom, &table);
    if (op.status == GNTST_okay) {
        op.nr_frames = table->frame_count;
        op.max_nr_frames = GRANT_TABLE_MAX_FRAMES;
    }
    return copy_to_guest(argument, &op, sizeof(op)) != 0 ? -XEN_EFAULT : 0;
}

/* Xen's gnttab_set_version, for the caller's own table. */
static long set_version(struct vcpu *vcpu, uint64_t argument)
{
    struct gnttab_set_version op;
    int result;

    if (copy_from_guest(&op, argument, sizeof(op)) != 0)
        return -XEN_EFAULT;
    result = grant_table_set_version(&vcpu->domain->grants, &op.version);
    if (copy_to_guest(argument, &op, sizeof(op)) != 0)
        return -XEN_EFAULT;
    return result;
}

/* Xen's gnttab_get_version. */
static long get_version(struct vcpu *vcpu, uint64_t argument)
{
    struct gnttab_get_version op;
    struct grant_table *table = NULL;
    int16_t status;

    if (copy_from_guest(&op, argument, sizeof(op)) != 0)
        return -XEN_EFAULT;
    status = find_named_table(vcpu, op.dom, &table);
    if (status == GNTST_bad_domain)
        return -XEN_ESRCH;
    if (status != GNTST_okay)
        return -XEN_EPERM;
    op.version = 1;
    if (copy_to_guest(argument + offsetof(struct gnttab_get_version, version), &op.version, sizeof(op.version)) != 0)
        return -XEN_EFAULT;
    return 0;
}

/* ---- the lists: map, unmap, copy ---- */

struct grant_batch {
    size_t request_size;
    size_t answer_offset; /* what is written back: from here to the end */
    /* Runs one request in place; true if it wrote or removed a host mapping. */
    bool (*run)(struct vcpu *vcpu, void *request);
};

static bool run_map(struct vcpu *vcpu, void *request)
{
    struct gnttab_map_grant_ref *op = request;

    grant_table_map(grant_environment(), &vcpu->domain->grants, op);
    return op->status == GNTST_okay && (op->flags & GNTMAP_host_map);
}

static bool run_unmap(struct vcpu *vcpu, void *request)
{
    struct gnttab_unmap_grant_ref *op = request;

    grant_table_unmap(grant_environment(), &vcpu->domain->grants, op);
    return op->status == GNTST_okay && op->host_addr != 0;
}

static bool run_copy(struct vcpu *vcpu, void *request)
{
    grant_table_copy(grant_environment(), vcpu->domain->id, request);
    return false;
}

static const struct grant_batch map_batch = {
    .request_size = sizeof(struct gnttab_map_grant_ref),
    .answer_offset = 0, /* Xen writes the whole request back */
    .run = run_map,
};

static const struct grant_batch unmap_batch = {
    .request_size = sizeof(struct gnttab_unmap_grant_ref),
    .answer_offset = offsetof(struct gnttab_unmap_grant_ref, status),
    .run = run_unmap,
};

static const struct grant_batch copy_batch = {
    .request_size = sizeof(struct gnttab_copy),
    .answer_offset = offsetof(struct gnttab_copy, status),
    .run = run_copy,
};

union grant_request {
    struct gnttab_map_grant_ref map;
    struct gnttab_unmap_grant_ref unmap;
    struct gnttab_copy copy;
};

/* Xen's gnttab_map_grant_ref, gnttab_unmap_grant_ref and gnttab_copy
 * loops, with do_grant_table_op's continuation. */
static long run_batch(struct vcpu *vcpu, const struct grant_batch *batch, uint32_t command, uint64_t list,
                      uint32_t count)
{
    bool host_mappings_changed = false;
    long result = 0;
    uint32_t done;

    if (!guest_range_is_valid(list, (uint64_t)count * batch->request_size))
        return -XEN_EFAULT;
    for (done = 0; done < count; done++) {
        uint64_t address = list + (uint64_t)done * batch->request_size;
        union grant_request request;

        if (done != 0 && hypercall_preempt_check()) {
            result = hypercall_create_continuation(vcpu, __HYPERVISOR_grant_table_op, 3,
                                                   (const uint64_t[]){ command, address, count - done });
            break;
        }
        if (copy_from_guest(&request, address, batch->request_size) != 0) {
            result = -XEN_EFAULT;
            break;
        }
        host_mappings_changed |= batch->run(vcpu, &request);
        if (copy_to_guest(address + batch->answer_offset, (uint8_t *)&request + batch->answer_offset,
                          batch->request_size - batch->answer_offset) != 0) {
            result = -XEN_EFAULT;
            break;
        }
    }
    if (host_mappings_changed)
        domain_memory_flush_tlb(TLB_FLUSH_GRANT_UNMAP);
    return result;
}

long do_grant_table_op(struct vcpu *vcpu, uint64_t command_argument, uint64_t argument, uint64_t count_argument)
{
    uint32_t command = (uint32_t)command_argument;
    uint32_t count = (uint32_t)count_argument;

    if ((int32_t)count < 0)
        return -XEN_EINVAL;
    if ((command & ~GRANT_COMMAND_MASK) && (command & GRANT_COMMAND_MASK) != GNTTABOP_cache_flush)
        return -XEN_EINVAL;
    switch (command) {
    case GNTTABOP_map_grant_ref:
        return run_batch(vcpu, &map_batch, command, argument, count);
    case GNTTABOP_unmap_grant_ref:
        return run_batch(vcpu, &unmap_batch, command, argument, count);
    case GNTTABOP_copy:
        return run_batch(vcpu, &copy_batch, command, argument, count);
    case GNTTABOP_setup_table:
        return setup_table(vcpu, argument, count);
    case GNTTABOP_query_size:
        return query_size(vcpu, argument, count);
    case GNTTABOP_set_version:
        return set_version(vcpu, argument);
    case GNTTABOP_get_version:
        return get_version(vcpu, argument);
    default:
        return -XEN_ENOSYS;
    }
}
