/*
 * A guest's GDT and LDT: the set_gdt and update_descriptor hypercalls,
 * MMUEXT_SET_LDT (called from kernel/mmuext_op.c), and loading them when
 * a vCPU runs.
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
 *     a checked descriptor both to the guest's frame and to the copies
 *     (GDT and LDT).
 *     (Xen maps the frames themselves; the copies mean that even a mistake
 *     in the frame typing could not put an unchecked descriptor in use.)
 *   - MMUEXT_SET_LDT (xen/arch/x86/mm.c; pv/mm.c pv_map_ldt_shadow_page)
 *     takes at most 8192 entries at a page-aligned address in guest space
 *     (-EINVAL, common/descriptor.c); no entries is the null LDT, whatever
 *     the address; the same address and count as now changes nothing.
 *     Xen maps an LDT page lazily, on the #PF of its first use, and a page
 *     that is not mapped, or cannot become a descriptor page, or holds a
 *     bad descriptor, then faults in the guest.  pvmon maps the whole LDT
 *     at once (at most 16 pages), so it refuses such an LDT at SET_LDT
 *     with -EINVAL, the code Xen gives set_gdt for the same frames, and
 *     keeps the old one.  Each page is found through the vCPU's kernel
 *     page tables, as Xen's guest_get_eff_kern_l1e does; the frame takes
 *     the descriptor type for as long as it is the vCPU's LDT (so it
 *     cannot be mapped writable meanwhile); every descriptor of the page
 *     is checked into a copy, as for the GDT.  The frames are those the
 *     address mapped at SET_LDT: a later change of that mapping, or of
 *     the page tables (NEW_BASEPTR), does not move the LDT, where Xen
 *     would fault the new mapping in.  The LDT is released by the next
 *     SET_LDT and at teardown.
 *   - A vCPU runs with its GDT copies in GDT pages 0-13 and its LDT copy
 *     loaded in LDTR, or with the null LDT if it has none: never with an
 *     LDT the CPU held before (arch/x86/descriptors.c).
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
#include <pvmon/page_table_entry.h>
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

static void release_gdt(struct vcpu *vcpu)
{
    if (current_vcpu() == vcpu)
        paging_map_guest_gdt(NULL, 0);
    put_descriptor_types(vcpu->gdt_guest_frames, vcpu->gdt_frame_count);
    free_copies(vcpu->gdt_shadow_frames, vcpu->gdt_frame_count);
    vcpu->gdt_frame_count = 0;
}

/* Back to the null LDT; the CPU stops using the copies before they go. */
static void release_ldt(struct vcpu *vcpu)
{
    if (current_vcpu() == vcpu) {
        cpu_load_local_descriptor_table(0);
        paging_map_guest_ldt(NULL, 0);
    }
    put_descriptor_types(vcpu->ldt_guest_frames, vcpu->ldt_frame_count);
    free_copies(vcpu->ldt_shadow_frames, vcpu->ldt_frame_count);
    vcpu->ldt_frame_count = 0;
    vcpu->ldt_entries = 0;
    vcpu->ldt_base = 0;
}

void descriptor_tables_release(struct vcpu *vcpu)
{
    release_gdt(vcpu);
    release_ldt(vcpu);
}

void descriptor_tables_load(const struct vcpu *vcpu)
{
    paging_map_guest_gdt(vcpu->gdt_shadow_frames, vcpu->gdt_frame_count);
    paging_map_guest_ldt(vcpu->ldt_shadow_frames, vcpu->ldt_frame_count);
    cpu_load_local_descriptor_table(vcpu->ldt_entries);
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

/* The guest's descriptor frames take the segment-descriptor type and are
 * checked into hypervisor copies; on a refusal nothing is held. */
static int take_and_check(const struct domain *domain, const uint64_t *guest_frames, unsigned int count,
                          uint64_t *copies)
{
    int error = take_descriptor_types(domain, guest_frames, count);

    if (error)
        return error;
    error = make_checked_copies(guest_frames, count, copies);
    if (error)
        put_descriptor_types(guest_frames, count);
    return error;
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
    error = take_and_check(vcpu->domain, guest_frames, count, copies);
    if (error)
        return error;
    release_gdt(vcpu);
    memcpy(vcpu->gdt_guest_frames, guest_frames, count * sizeof(uint64_t));
    memcpy(vcpu->gdt_shadow_frames, copies, count * sizeof(uint64_t));
    vcpu->gdt_frame_count = count;
    paging_map_guest_gdt(vcpu->gdt_shadow_frames, count);
    return 0;
}

/* The frame each page of the LDT at base maps in the kernel page tables
 * (Xen's guest_get_eff_kern_l1e): present, or -EINVAL. */
static int find_ldt_frames(const struct vcpu *vcpu, uint64_t base, unsigned int count, uint64_t *frames)
{
    const struct page_memory *memory = domain_page_memory();

    for (unsigned int page = 0; page < count; page++) {
        uint64_t table, entry;
        unsigned int index;

        if (guest_find_l1_entry(vcpu->kernel_root_page_table, base + page * PAGE_SIZE, &table, &index) != 0)
            return -XEN_EINVAL;
        entry = memory->table(memory, table)[index];
        if (!(entry & PAGE_TABLE_ENTRY_PRESENT))
            return -XEN_EINVAL;
        frames[page] = page_table_entry_frame(entry);
    }
    return 0;
}

long descriptor_tables_set_ldt(struct vcpu *vcpu, uint64_t linear_address, uint64_t entries)
{
    uint64_t guest_frames[GUEST_LDT_FRAME_LIMIT];
    uint64_t copies[GUEST_LDT_FRAME_LIMIT];
    uint64_t base = entries != 0 ? linear_address : 0;
    unsigned int count;
    int error;

    if (!descriptor_ldt_arguments_are_valid(base, entries))
        return -XEN_EINVAL;
    if (entries == vcpu->ldt_entries && base == vcpu->ldt_base)
        return 0;
    count = descriptor_ldt_frame_count((unsigned int)entries);
    error = find_ldt_frames(vcpu, base, count, guest_frames);
    if (error == 0)
        error = take_and_check(vcpu->domain, guest_frames, count, copies);
    if (error)
        return error;
    release_ldt(vcpu);
    memcpy(vcpu->ldt_guest_frames, guest_frames, count * sizeof(uint64_t));
    memcpy(vcpu->ldt_shadow_frames, copies, count * sizeof(uint64_t));
    vcpu->ldt_frame_count = count;
    vcpu->ldt_entries = (unsigned int)entries;
    vcpu->ldt_base = base;
    if (current_vcpu() == vcpu)
        descriptor_tables_load(vcpu);
    return 0;
}

static void update_copies(const uint64_t *guest_frames, const uint64_t *copies, unsigned int count, uint64_t frame,
                          unsigned int index, uint64_t descriptor)
{
    for (unsigned int page = 0; page < count; page++) {
        if (guest_frames[page] == frame)
            frame_contents(copies[page])[index] = descriptor;
    }
}

static void update_copy(const struct vcpu *vcpu, uint64_t frame, unsigned int index, uint64_t descriptor)
{
    update_copies(vcpu->gdt_guest_frames, vcpu->gdt_shadow_frames, vcpu->gdt_frame_count, frame, index, descriptor);
    update_copies(vcpu->ldt_guest_frames, vcpu->ldt_shadow_frames, vcpu->ldt_frame_count, frame, index, descriptor);
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
