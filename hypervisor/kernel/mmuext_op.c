/*
 * mmuext_op: the extended MMU operations of a PV guest (xen/arch/x86/mm.c:
 * do_mmuext_op): pinning page tables, switching base pointers, TLB
 * maintenance, the LDT, and clearing or copying a frame.
 *
 * Rules kept here (batch rules as mmu_update's, kernel/mmu_update.c:
 * foreigndom, a 32-bit count below MMU_UPDATE_PREEMPTED, the remaining
 * list in guest space on every entry, stop at the first failure, the
 * count in *pdone across continuations, preemption between operations
 * and at an operation that answers -XEN_ERESTART, resumed from it):
 *   - PIN_L1..L4_TABLE validate the frame as that level and hold it
 *     (common/page_type.c: -EINVAL for a frame the caller does not hold,
 *     one already pinned, or one that fails validation); UNPIN_TABLE drops
 *     the pin (-EINVAL if not pinned).  A table in use elsewhere (as CR3,
 *     or by a parent) stays validated after its unpin.
 *   - NEW_BASEPTR takes an L4 type reference on the new root before the
 *     old one is dropped, and loads it at once if the vCPU is in kernel
 *     mode; NEW_USER_BASEPTR likewise for the user root, 0 meaning none.
 *   - TLB_FLUSH_* and INVLPG_* flush the whole TLB or one address; the
 *     _MULTI forms read a vCPU bitmap (-EFAULT if unreadable) and act if
 *     it names vCPU 0.
 *   - SET_LDT installs the vCPU's LDT under Xen's rules; they are kept in
 *     kernel/descriptor_tables.c with the GDT's.
 *   - CLEAR_PAGE and COPY_PAGE write a frame the owner holds that can take
 *     a writable type (no page table or descriptor page in use; -EINVAL),
 *     COPY_PAGE reads a frame the owner holds (-EINVAL).  A cleared frame
 *     nothing maps writable becomes known zero (memory extension).
 *   - foreigndom (Xen's pg_owner): pins, unpins, CLEAR_PAGE and COPY_PAGE
 *     act on its frames; another domain is for a privileged caller only
 *     (-EPERM, -ESRCH for none), as mmu_update's.  The operations on the
 *     calling vCPU itself (base pointers, TLB and cache flushes, SET_LDT)
 *     are -EPERM with another domain named, as Xen's currd != pg_owner
 *     checks answer.  A foreign unpin's devalidation, if preempted, waits
 *     on that domain's pending release (pvmon/page_type.h).
 *   - FLUSH_CACHE and FLUSH_CACHE_GLOBAL are -EACCES: no domain may flush
 *     caches.  Any other command is -ENOSYS.
 *   - As in mmu_update, a devalidation left pending on the vCPU (by an
 *     unpin, a replaced base pointer) is finished first, by this call or
 *     its continuation; a pin or base pointer may return -XEN_ERESTART
 *     (preempted part way: the operation runs again and continues).
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <pvmon/layout.h>
#include <xen/xen.h>

static const struct page_memory *memory(void)
{
    return domain_page_memory();
}

static int pin_table(uint16_t owner, uint64_t frame, enum page_type level)
{
    return page_pin(memory(), frame, owner, level);
}

/* Swaps the L4 reference held in *root for one on frame (0: none); the
 * new root is loaded before the old one can be devalidated. */
static int replace_root(const struct vcpu *vcpu, uint64_t *root, uint64_t frame, bool loaded_now)
{
    uint64_t old_root = *root;
    int error = frame == 0 ? 0 : page_get_reference_and_type(memory(), frame, vcpu->domain->id, PAGE_TYPE_L4);

    if (error)
        return error == -XEN_ERESTART ? error : -XEN_EINVAL;
    *root = frame * PAGE_SIZE;
    if (loaded_now && *root != 0)
        paging_load_root(*root);
    if (old_root != 0)
        page_put_reference_and_type(memory(), old_root / PAGE_SIZE);
    return 0;
}

static int new_kernel_root(struct vcpu *vcpu, uint64_t frame)
{
    if (frame == 0)
        return -XEN_EINVAL;
    return replace_root(vcpu, &vcpu->kernel_root_page_table, frame, vcpu->kernel_mode);
}

static int new_user_root(struct vcpu *vcpu, uint64_t frame)
{
    return replace_root(vcpu, &vcpu->user_root_page_table, frame, !vcpu->kernel_mode);
}

/* A vCPU bitmap for the _MULTI forms: whether it names vCPU 0. */
static int names_this_vcpu(uint64_t bitmap_address, bool *named)
{
    uint64_t bitmap;

    if (copy_from_guest(&bitmap, bitmap_address, sizeof(bitmap)) != 0)
        return -XEN_EFAULT;
    *named = bitmap & 1;
    return 0;
}

static int flush_multi(uint64_t bitmap_address, bool single_page, uint64_t virtual_address)
{
    bool named;
    int error = names_this_vcpu(bitmap_address, &named);

    if (error || !named)
        return error;
    if (single_page)
        paging_invalidate_page(virtual_address);
    else
        domain_memory_flush_tlb(TLB_FLUSH_REQUESTED);
    return 0;
}

static int write_frame(uint16_t owner, uint64_t destination, uint64_t source, bool copy)
{
    int error = page_get_reference_and_type(memory(), destination, owner, PAGE_TYPE_WRITABLE);

    if (error)
        return error;
    if (copy && page_get_reference(memory(), source, owner) != 0) {
        page_put_reference_and_type(memory(), destination);
        return -XEN_EINVAL;
    }
    if (copy) {
        page_copy(physical_to_virtual(destination * PAGE_SIZE), physical_to_virtual(source * PAGE_SIZE));
        page_put_reference(memory(), source);
    } else {
        page_zero(physical_to_virtual(destination * PAGE_SIZE));
    }
    page_put_reference_and_type(memory(), destination);
    if (!copy)
        page_mark_known_zero(memory(), destination);
    return 0;
}

/* The operations on frames, which act on foreigndom's (Xen's pg_owner). */
static bool is_frame_operation(unsigned int command)
{
    switch (command) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
    case MMUEXT_UNPIN_TABLE:
    case MMUEXT_CLEAR_PAGE:
    case MMUEXT_COPY_PAGE:
        return true;
    default:
        return false;
    }
}

static int run_frame_operation(uint16_t owner, const struct mmuext_op *operation)
{
    uint64_t frame = operation->arg1.mfn;

    switch (operation->cmd) {
    case MMUEXT_PIN_L1_TABLE:
        return pin_table(owner, frame, PAGE_TYPE_L1);
    case MMUEXT_PIN_L2_TABLE:
        return pin_table(owner, frame, PAGE_TYPE_L2);
    case MMUEXT_PIN_L3_TABLE:
        return pin_table(owner, frame, PAGE_TYPE_L3);
    case MMUEXT_PIN_L4_TABLE:
        return pin_table(owner, frame, PAGE_TYPE_L4);
    case MMUEXT_UNPIN_TABLE:
        return page_unpin(memory(), frame, owner);
    case MMUEXT_CLEAR_PAGE:
        return write_frame(owner, frame, 0, false);
    default:
        return write_frame(owner, frame, operation->arg2.src_mfn, true);
    }
}

/* The operations on the calling vCPU itself. */
static bool is_vcpu_operation(unsigned int command)
{
    switch (command) {
    case MMUEXT_NEW_BASEPTR:
    case MMUEXT_NEW_USER_BASEPTR:
    case MMUEXT_TLB_FLUSH_LOCAL:
    case MMUEXT_TLB_FLUSH_ALL:
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_INVLPG_LOCAL:
    case MMUEXT_INVLPG_ALL:
    case MMUEXT_INVLPG_MULTI:
    case MMUEXT_FLUSH_CACHE:
    case MMUEXT_FLUSH_CACHE_GLOBAL:
    case MMUEXT_SET_LDT:
        return true;
    default:
        return false;
    }
}

/* With another domain as foreigndom they are -EPERM (Xen's
 * currd != pg_owner checks); an unknown command is -ENOSYS either way. */
static int run_vcpu_operation(struct vcpu *vcpu, const struct mmuext_op *operation, bool foreign)
{
    if (foreign && is_vcpu_operation(operation->cmd))
        return -XEN_EPERM;
    switch (operation->cmd) {
    case MMUEXT_NEW_BASEPTR:
        return new_kernel_root(vcpu, operation->arg1.mfn);
    case MMUEXT_NEW_USER_BASEPTR:
        return new_user_root(vcpu, operation->arg1.mfn);
    case MMUEXT_TLB_FLUSH_LOCAL:
    case MMUEXT_TLB_FLUSH_ALL:
        domain_memory_flush_tlb(TLB_FLUSH_REQUESTED);
        return 0;
    case MMUEXT_INVLPG_LOCAL:
    case MMUEXT_INVLPG_ALL:
        paging_invalidate_page(operation->arg1.linear_addr);
        return 0;
    case MMUEXT_TLB_FLUSH_MULTI:
        return flush_multi((uint64_t)operation->arg2.vcpumask.p, false, 0);
    case MMUEXT_INVLPG_MULTI:
        return flush_multi((uint64_t)operation->arg2.vcpumask.p, true, operation->arg1.linear_addr);
    case MMUEXT_FLUSH_CACHE:
    case MMUEXT_FLUSH_CACHE_GLOBAL:
        return -XEN_EACCES;
    case MMUEXT_SET_LDT:
        return (int)descriptor_tables_set_ldt(vcpu, operation->arg1.linear_addr, operation->arg2.nr_ents);
    default:
        return -XEN_ENOSYS;
    }
}

/* foreigndom as mmu_update takes it: another domain for a privileged
 * caller only. */
static int find_owner(const struct vcpu *vcpu, uint64_t foreign_domain, uint16_t *frame_owner)
{
    return page_frame_owner_for_update(vcpu, foreign_domain, frame_owner);
}

static int apply_operation(struct vcpu *vcpu, uint64_t address, uint16_t frame_owner)
{
    struct mmuext_op operation;

    if (copy_from_guest(&operation, address, sizeof(operation)) != 0)
        return -XEN_EFAULT;
    if (is_frame_operation(operation.cmd))
        return run_frame_operation(frame_owner, &operation);
    return run_vcpu_operation(vcpu, &operation, frame_owner != vcpu->domain->id);
}

static const struct page_table_batch mmuext_op_batch = {
    .op = __HYPERVISOR_mmuext_op,
    .entry_size = sizeof(struct mmuext_op),
    .find_owner = find_owner,
    .apply_entry = apply_operation,
};

long do_mmuext_op(struct vcpu *vcpu, uint64_t operations, uint64_t count, uint64_t done_pointer,
                  uint64_t foreign_domain)
{
    return page_table_batch_run(vcpu, &mmuext_op_batch,
                                (const uint64_t[]){ operations, count, done_pointer, foreign_domain });
}
