/*
 * mmu_update: a batch of page-table entry writes and machine-to-physical
 * updates (xen/arch/x86/mm.c: do_mmu_update), the way a PV guest builds
 * and changes its page tables.
 *
 * Rules kept here:
 *   - foreigndom is DOMID_SELF or the caller's own id, or, for a
 *     privileged caller, another existing domain: the L1 entries of the
 *     batch may then name that domain's frames instead of the caller's
 *     (Xen's pg_owner; how dom0's console and xenstore backends map a
 *     domU's rings, like xenconsoled's foreign mappings).  Another domain
 *     is -EPERM for an unprivileged caller, an unknown one -ESRCH.
 *   - At most PAGE_TABLE_BATCH_LIMIT requests (-EINVAL): pvmon has no
 *     hypercall continuations, so a batch must stay short.  The whole
 *     request list must lie in guest space (-EFAULT before any work).
 *   - Each request is {ptr, val}; the low three bits of ptr are the
 *     command.  MMU_NORMAL_PT_UPDATE and MMU_PT_UPDATE_PRESERVE_AD write
 *     the 8-byte entry at machine address ptr through common/page_type.c:
 *     a table in use gets a validated update, a plain frame of the
 *     caller's a raw store, anything else -EINVAL.  MMU_MACHPHYS_UPDATE
 *     sets the M2P entry of a frame the caller holds (-EINVAL otherwise).
 *     Other commands are -ENOSYS.
 *   - The batch stops at the first failure; *pdone (if pdone is not NULL)
 *     receives how many requests were applied, on success and failure.
 *   - A page-table devalidation an earlier request left on the vCPU (a
 *     replaced L2-L4 entry, an unpin, a validation refused part way:
 *     pvmon/page_type.h) is finished before the first request, between
 *     requests and at the end, as Xen's put_old_guest_table; -ERESTART
 *     from it or from a request means "preempted, call again".
 */
#include <pvmon/domain.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <pvmon/layout.h>
#include <pvmon/machine_to_physical.h>
#include <xen/xen.h>

#define COMMAND_MASK 7UL

int page_owner_domain_check(const struct vcpu *vcpu, uint64_t foreign_domain)
{
    const struct domain *target;

    if (foreign_domain == DOMID_SELF || foreign_domain == vcpu->domain->id)
        return 0;
    target = foreign_domain <= UINT16_MAX ? domain_find((uint16_t)foreign_domain) : NULL;
    return target == NULL ? -XEN_ESRCH : -XEN_EPERM;
}

int page_table_batch_check(uint64_t list, uint64_t count, uint64_t entry_size)
{
    if (count > PAGE_TABLE_BATCH_LIMIT)
        return -XEN_EINVAL;
    if (count > 0 && !guest_range_is_valid(list, count * entry_size))
        return -XEN_EFAULT;
    return 0;
}

int page_frame_owner_for_update(const struct vcpu *vcpu, uint64_t foreign_domain, uint16_t *frame_owner)
{
    const struct domain *target;

    *frame_owner = vcpu->domain->id;
    if (foreign_domain == DOMID_SELF || foreign_domain == vcpu->domain->id)
        return 0;
    target = foreign_domain <= UINT16_MAX ? domain_find((uint16_t)foreign_domain) : NULL;
    if (target == NULL)
        return -XEN_ESRCH;
    if (!vcpu->domain->privileged)
        return -XEN_EPERM;
    *frame_owner = target->id;
    return 0;
}

int page_finish_vcpu_release(const struct vcpu *vcpu)
{
    return page_finish_pending_release(domain_page_memory(), vcpu->domain->id);
}

static int update_machine_to_physical(const struct vcpu *vcpu, uint64_t frame, uint64_t physical_frame)
{
    const struct page_memory *memory = domain_page_memory();

    if (page_get_reference(memory, frame, vcpu->domain->id) != 0)
        return -XEN_EINVAL;
    machine_to_physical_set(frame, physical_frame);
    page_put_reference(memory, frame);
    return 0;
}

static int apply_request(const struct vcpu *vcpu, uint16_t frame_owner, const struct mmu_update *request)
{
    uint64_t command = request->ptr & COMMAND_MASK;
    uint64_t frame = request->ptr >> PAGE_SHIFT;
    unsigned int index = (request->ptr & (PAGE_SIZE - 1)) / sizeof(uint64_t);
    int error;

    switch (command) {
    case MMU_NORMAL_PT_UPDATE:
    case MMU_PT_UPDATE_PRESERVE_AD:
        error = page_update_entry_foreign(domain_page_memory(), vcpu->domain->id, frame_owner, frame, index,
                                          request->val, command == MMU_PT_UPDATE_PRESERVE_AD, NULL);
        if (error == 0)
            domain_memory_count(DOMAIN_MEMORY_PAGE_TABLE_UPDATE);
        return error;
    case MMU_MACHPHYS_UPDATE:
        return update_machine_to_physical(vcpu, frame, request->val);
    default:
        return -XEN_ENOSYS;
    }
}

long do_mmu_update(struct vcpu *vcpu, uint64_t requests, uint64_t count, uint64_t done_pointer,
                   uint64_t foreign_domain)
{
    unsigned int done = 0;
    uint16_t frame_owner;
    int release_error;
    int error = page_finish_vcpu_release(vcpu);

    if (error == 0)
        error = page_frame_owner_for_update(vcpu, foreign_domain, &frame_owner);
    if (error == 0)
        error = page_table_batch_check(requests, count, sizeof(struct mmu_update));
    if (error)
        return error;
    for (; done < count; done++) {
        struct mmu_update request;

        error = page_finish_vcpu_release(vcpu);
        if (error == 0 && copy_from_guest(&request, requests + done * sizeof(request), sizeof(request)) != 0)
            error = -XEN_EFAULT;
        else if (error == 0)
            error = apply_request(vcpu, frame_owner, &request);
        if (error)
            break;
    }
    release_error = page_finish_vcpu_release(vcpu);
    if (error == 0)
        error = release_error;
    if (done_pointer != 0 && copy_to_guest(done_pointer, &done, sizeof(done)) != 0)
        return -XEN_EFAULT;
    return error;
}
