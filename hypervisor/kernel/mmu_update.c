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
 *     DOMID_IO is accepted from any caller, as Xen's get_pg_owner and
 *     xsm_mmu_update accept it: its L1 entries may name device memory
 *     only, under the caller's I/O memory (pvmon/page_type.h invariant 6:
 *     a domU's are -EPERM, RAM -EBUSY).
 *   - The count is 32 bits (Xen's unsigned int) and below
 *     MMU_UPDATE_PREEMPTED; a count with that bit set is a continuation
 *     (below).  The whole remaining request list must lie in guest space
 *     (-EFAULT before any work, and before foreigndom is looked at, as in
 *     Xen), checked again on every re-entry, so a list moved or unmapped
 *     between continuations is -EFAULT (XSA-212).
 *   - Preemption (Xen's do_mmu_update, shared with mmuext_op by
 *     page_table_batch_run): before every request but the first of this
 *     entry, hypercall_preempt_check; a request may also answer
 *     -XEN_ERESTART (preempted inside it).  Either way the call continues
 *     with the list advanced to that request, the count of what remains
 *     | MMU_UPDATE_PREEMPTED, pdone and foreigndom unchanged.
 *   - Each request is {ptr, val}; the low three bits of ptr are the
 *     command.  MMU_NORMAL_PT_UPDATE and MMU_PT_UPDATE_PRESERVE_AD write
 *     the 8-byte entry at machine address ptr through common/page_type.c:
 *     a table in use gets a validated update, a plain frame of the
 *     caller's a raw store, anything else -EINVAL.  MMU_MACHPHYS_UPDATE
 *     sets the M2P entry of a frame the caller holds (-EINVAL otherwise).
 *     Other commands are -ENOSYS.
 *   - The batch stops at the first failure; *pdone (if pdone is not NULL)
 *     receives how many requests were applied, on success, failure and
 *     continuation; a continuation reads it back and adds to it, so it
 *     counts across the whole call.  An unwritable pdone is ignored, as
 *     in Xen.
 *   - A page-table devalidation an earlier request left on the vCPU (a
 *     replaced L2-L4 entry, an unpin, a validation refused part way:
 *     pvmon/page_type.h; Xen's old_guest_table) is finished first, on
 *     entry (continued as this same call while it is preempted); a
 *     request that leaves one ends the loop with a continuation, and one
 *     left by the last request is finished by a continuation that carries
 *     the batch's result in place of foreigndom (list NULL, count exactly
 *     MMU_UPDATE_PREEMPTED), as Xen's do_mmu_update and do_mmuext_op.
 */
#include <pvmon/domain.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercall_continuation.h>
#include <pvmon/hypercalls.h>
#include <pvmon/layout.h>
#include <pvmon/machine_to_physical.h>
#include <xen/xen.h>

#define COMMAND_MASK 7UL

int page_frame_owner_for_update(const struct vcpu *vcpu, uint64_t foreign_domain, uint16_t *frame_owner)
{
    const struct domain *target;

    *frame_owner = vcpu->domain->id;
    if (foreign_domain == DOMID_SELF || foreign_domain == vcpu->domain->id)
        return 0;
    if (foreign_domain == DOMID_IO) {
        *frame_owner = DOMID_IO;
        return 0;
    }
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

static int apply_request(struct vcpu *vcpu, uint64_t address, uint16_t frame_owner)
{
    struct mmu_update request;
    uint64_t command;
    uint64_t frame;
    unsigned int index;
    int error;

    if (copy_from_guest(&request, address, sizeof(request)) != 0)
        return -XEN_EFAULT;
    command = request.ptr & COMMAND_MASK;
    frame = request.ptr >> PAGE_SHIFT;
    index = (request.ptr & (PAGE_SIZE - 1)) / sizeof(uint64_t);
    switch (command) {
    case MMU_NORMAL_PT_UPDATE:
    case MMU_PT_UPDATE_PRESERVE_AD:
        error = page_update_entry_foreign(domain_page_memory(), vcpu->domain->id, frame_owner, frame, index,
                                          request.val, command == MMU_PT_UPDATE_PRESERVE_AD, NULL);
        if (error == 0)
            domain_memory_count(DOMAIN_MEMORY_PAGE_TABLE_UPDATE);
        return error;
    case MMU_MACHPHYS_UPDATE:
        return update_machine_to_physical(vcpu, frame, request.val);
    default:
        return -XEN_ENOSYS;
    }
}

/* Where a batch resumes: the count without its continuation mark, and
 * the entries done before, from *pdone (0 if unreadable, as Xen). */
static uint32_t resumed_count(uint64_t count_argument, uint64_t done_pointer, unsigned int *done_before)
{
    uint32_t count = (uint32_t)count_argument;

    *done_before = 0;
    if (!(count & MMU_UPDATE_PREEMPTED))
        return count;
    if (done_pointer != 0)
        (void)copy_from_guest(done_before, done_pointer, sizeof(*done_before));
    return count & ~MMU_UPDATE_PREEMPTED;
}

static bool release_pending(const struct vcpu *vcpu)
{
    return vcpu->pending_page_release.pending;
}

/* A continuation whose only work is to finish the pending release, then
 * answer result (Xen passes it in place of foreigndom). */
static bool is_result_carrier(const uint64_t arguments[4])
{
    return arguments[0] == 0 && (uint32_t)arguments[1] == MMU_UPDATE_PREEMPTED;
}

static long carry_result_past_release(struct vcpu *vcpu, const struct page_table_batch *batch, long result)
{
    return hypercall_create_continuation(vcpu, batch->op, 4,
                                         (const uint64_t[]){ 0, MMU_UPDATE_PREEMPTED, 0, (uint64_t)result });
}

/* Xen's order: the pending release, the result carrier, the continuation
 * mark, the list's range (-EFAULT), then foreigndom. */
long page_table_batch_run(struct vcpu *vcpu, const struct page_table_batch *batch, const uint64_t arguments[4])
{
    uint64_t list = arguments[0];
    uint64_t done_pointer = arguments[2];
    unsigned int done;
    uint32_t count;
    uint16_t frame_owner;
    uint32_t index;
    long result = release_pending(vcpu) ? page_finish_vcpu_release(vcpu) : 0;

    if (result == -XEN_ERESTART)
        return hypercall_create_continuation(vcpu, batch->op, 4, arguments);
    if (result)
        return result;
    if (is_result_carrier(arguments))
        return (int)arguments[3];
    count = resumed_count(arguments[1], done_pointer, &done);
    if (count > 0 && !guest_range_is_valid(list, count * batch->entry_size))
        return -XEN_EFAULT;
    result = batch->find_owner(vcpu, arguments[3], &frame_owner);
    if (result)
        return result;
    for (index = 0; index < count; index++) {
        if (release_pending(vcpu) || (index != 0 && hypercall_preempt_check())) {
            result = -XEN_ERESTART;
            break;
        }
        result = batch->apply_entry(vcpu, list + index * batch->entry_size, frame_owner);
        if (result)
            break;
    }
    if (result == -XEN_ERESTART)
        result = hypercall_create_continuation(
            vcpu, batch->op, 4,
            (const uint64_t[]){ list + index * batch->entry_size, (count - index) | MMU_UPDATE_PREEMPTED,
                                done_pointer, arguments[3] });
    else if (release_pending(vcpu))
        result = carry_result_past_release(vcpu, batch, result);
    done += index;
    if (done_pointer != 0)
        (void)copy_to_guest(done_pointer, &done, sizeof(done));
    return result;
}

static const struct page_table_batch mmu_update_batch = {
    .op = __HYPERVISOR_mmu_update,
    .entry_size = sizeof(struct mmu_update),
    .find_owner = page_frame_owner_for_update,
    .apply_entry = apply_request,
};

long do_mmu_update(struct vcpu *vcpu, uint64_t requests, uint64_t count, uint64_t done_pointer,
                   uint64_t foreign_domain)
{
    return page_table_batch_run(vcpu, &mmu_update_batch,
                                (const uint64_t[]){ requests, count, done_pointer, foreign_domain });
}
