/*
 * A guest's GDT: the set_gdt and update_descriptor hypercalls.
 *
 * Rules kept here (xen/arch/x86/pv/descriptor-tables.c: do_set_gdt,
 * pv_set_gdt, do_update_descriptor; the descriptor checks themselves are
 * common/descriptor.c's):
 *   - set_gdt takes at most FIRST_RESERVED_GDT_ENTRY entries (-EINVAL) in
 *     frames the domain owns that can take the segment-descriptor type,
 *     i.e. are neither page tables in use nor mapped writable anywhere
 *     (-EINVAL); every descriptor of every frame must pass the checks
 *     (-EINVAL), or the old GDT stays.  While they are its GDT, the vCPU
 *     holds a descriptor type reference on each frame, so no writable
 *     mapping of them can be made (common/page_type.c).
 *   - The CPU never uses the guest's frames directly: their checked
 *     contents are copied into frames of the hypervisor's, which are what
 *     GDT pages 0-13 map while the vCPU runs, and update_descriptor writes
 *     a checked descriptor both to the guest's frame and to the copy.
 *     (Xen maps the frames themselves; the copies mean that even a mistake
 *     in the frame typing could not put an unchecked descriptor in use.)
 *   - update_descriptor takes an 8-byte aligned machine address in a frame
 *     the domain owns, and a descriptor that passes the checks (-EINVAL
 *     otherwise).  The write is made under the frame's descriptor type if
 *     it is a descriptor page in use, under a writable type otherwise, so
 *     it is refused for page tables in use (Xen's do_update_descriptor).
 */
#include <pvmon/arch.h>
#include <pvmon/descriptor.h>
#include <pvmon/domain.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <pvmon/memory.h>
#include <pvmon/panic.h>
#include <pvmon/string.h>
#include <xen/xen.h>

#define IS_64BIT_GUEST true

static uint64_t *frame_contents(uint64_t frame)
{
    return physical_to_virtual(frame * PAGE_SIZE);
}

static void free_copies(uint64_t *frames, unsigned int count)
{
    for (unsigned int index = 0; index < count; index++) {
        memset(frame_contents(frames[index]), 0, PAGE_SIZE);
        BUG_ON(frame_allocator_free(machine_frame_allocator(), frames[index], 0) != 0);
    }
}

static void put_descriptor_types(const uint64_t *frames, unsigned int count)
{
    for (unsigned int index = 0; index < count; index++)
        page_put_reference_and_type(domain_page_memory(), frames[index]);
}

void descriptor_tables_release(struct vcpu *vcpu)
{
    if (current_vcpu() == vcpu)
        paging_map_guest_gdt(NULL, 0);
    put_descriptor_types(vcpu->gdt_guest_frames, vcpu->gdt_frame_count);
    free_copies(vcpu->gdt_shadow_frames, vcpu->gdt_frame_count);
    vcpu->gdt_frame_count = 0;
}

/* Xen's get_page_and_type(PGT_seg_desc_page) on every frame of the new GDT. */
static int take_descriptor_types(const struct domain *domain, const uint64_t *frames, unsigned int count)
{
    for (unsigned int index = 0; index < count; index++) {
        int error = page_get_reference_and_type(domain_page_memory(), frames[index], domain->id,
                                                PAGE_TYPE_SEGMENT_DESCRIPTOR);

        if (error) {
            put_descriptor_types(frames, index);
            return error;
        }
    }
    return 0;
}

/* Checked copies of the guest's frames in new hypervisor frames. */
static int make_checked_copies(const uint64_t *guest_frames, unsigned int count, uint64_t *copies)
{
    for (unsigned int index = 0; index < count; index++) {
        int error;

        if (hypervisor_allocate_frames(0, &copies[index]) != 0) {
            free_copies(copies, index);
            return -XEN_ENOMEM;
        }
        memcpy(frame_contents(copies[index]), frame_contents(guest_frames[index]), PAGE_SIZE);
        error = descriptor_check_table(frame_contents(copies[index]), DESCRIPTORS_PER_PAGE, IS_64BIT_GUEST);
        if (error) {
            free_copies(copies, index + 1);
            return error;
        }
    }
    return 0;
}

long do_set_gdt(struct vcpu *vcpu, uint64_t frame_list, uint64_t entries)
{
    uint64_t guest_frames[GUEST_GDT_FRAME_LIMIT];
    uint64_t copies[GUEST_GDT_FRAME_LIMIT];
    unsigned int count;
    int error;

    if (entries > UINT32_MAX || !descriptor_gdt_entry_count_is_valid((unsigned int)entries))
        return -XEN_EINVAL;
    count = descriptor_gdt_frame_count((unsigned int)entries);
    if (copy_from_guest(guest_frames, frame_list, count * sizeof(uint64_t)) != 0)
        return -XEN_EFAULT;
    error = take_descriptor_types(vcpu->domain, guest_frames, count);
    if (error)
        return error;
    error = make_checked_copies(guest_frames, count, copies);
    if (error) {
        put_descriptor_types(guest_frames, count);
        return error;
    }
    descriptor_tables_release(vcpu);
    memcpy(vcpu->gdt_guest_frames, guest_frames, count * sizeof(uint64_t));
    memcpy(vcpu->gdt_shadow_frames, copies, count * sizeof(uint64_t));
    vcpu->gdt_frame_count = count;
    paging_map_guest_gdt(vcpu->gdt_shadow_frames, count);
    return 0;
}

static void update_copy(const struct vcpu *vcpu, uint64_t frame, unsigned int index, uint64_t descriptor)
{
    for (unsigned int page = 0; page < vcpu->gdt_frame_count; page++) {
        if (vcpu->gdt_guest_frames[page] == frame)
            frame_contents(vcpu->gdt_shadow_frames[page])[index] = descriptor;
    }
}

long do_update_descriptor(struct vcpu *vcpu, uint64_t machine_address, uint64_t descriptor)
{
    const struct page_memory *memory = domain_page_memory();
    uint64_t frame = machine_address / PAGE_SIZE;
    unsigned int index = (machine_address % PAGE_SIZE) / sizeof(uint64_t);
    enum page_type write_type;

    if (!descriptor_update_address_is_valid(machine_address) || !descriptor_check(&descriptor, IS_64BIT_GUEST))
        return -XEN_EINVAL;
    if (page_get_reference(memory, frame, vcpu->domain->id) != 0)
        return -XEN_EINVAL;
    write_type = page_type_of(memory, frame) == PAGE_TYPE_SEGMENT_DESCRIPTOR && page_type_count(memory, frame) > 0
                     ? PAGE_TYPE_SEGMENT_DESCRIPTOR
                     : PAGE_TYPE_WRITABLE;
    if (page_get_type(memory, frame, vcpu->domain->id, write_type) != 0) {
        page_put_reference(memory, frame);
        return -XEN_EINVAL;
    }
    __atomic_store_n(&frame_contents(frame)[index], descriptor, __ATOMIC_SEQ_CST);
    update_copy(vcpu, frame, index, descriptor);
    page_put_reference_and_type(memory, frame);
    return 0;
}
