/*
 * update_descriptor and set_gdt from a domU.  Expected values:
 * xen/arch/x86/pv/descriptor-tables.c: check_descriptor raises a code or
 * data segment's DPL to 3 (the guest kernel's RPL), accepts not-present
 * descriptors, rejects system segments, forces a call gate's DPL to 0 and
 * rejects one whose target is a hypervisor selector; do_update_descriptor
 * is -EINVAL for a misaligned address or a frame the domain cannot write
 * (not its own, or a page table); do_set_gdt is -EINVAL above 7168
 * entries or for a frame that cannot become a descriptor page (mapped
 * writable), -EFAULT for an unreadable frame list.
 */
#include "check.h"

const char test_family[] = "descriptor_tables";

#define PAGE_SIZE 4096
#define CODE64_DPL0 0x00209a0000000000UL
#define CODE64_DPL3 0x0020fa0000000000UL
#define DATA_DPL3 0x00cff3000000ffffUL
#define TSS64_PRESENT 0x0000890000000067UL
#define DESCRIPTOR_DPL(raw) (((raw) >> 45) & 3)
#define HYPERVISOR_CS 0xe008

static uint64_t descriptor_page[PAGE_SIZE / 8] __attribute__((aligned(PAGE_SIZE)));

/* A present 64-bit call gate of DPL 3 to selector:offset (low 32 bits of offset). */
static uint64_t call_gate(uint16_t selector, uint32_t offset)
{
    uint64_t low = (uint64_t)selector << 16 | (offset & 0xffff);
    uint64_t high = (offset & 0xffff0000) | 0x8000 | 3 << 13 | 0xc << 8;

    return high << 32 | low;
}

static void check_update_descriptor(void)
{
    uint64_t slot = runtime_machine_address(&descriptor_page[1]);

    expect_result("code_segment_with_dpl_0_is_accepted", hypercall_update_descriptor(slot, CODE64_DPL0), 0);
    expect_result("code_segment_with_dpl_0_is_stored_with_dpl_3", (long)DESCRIPTOR_DPL(descriptor_page[1]), 3);
    expect_true("code_segment_is_otherwise_stored_as_given", descriptor_page[1] == CODE64_DPL3,
                (long)descriptor_page[1], "0x0020fa0000000000");
    expect_result("data_segment_with_dpl_3_is_accepted", hypercall_update_descriptor(slot, DATA_DPL3), 0);
    expect_true("data_segment_is_stored_unchanged", descriptor_page[1] == DATA_DPL3, (long)descriptor_page[1],
                "0x00cff3000000ffff");
    expect_result("not_present_descriptor_is_accepted", hypercall_update_descriptor(slot, 0), 0);
    expect_result("system_segment_is_einval", hypercall_update_descriptor(slot, TSS64_PRESENT), -XEN_EINVAL);
    expect_result("call_gate_to_hypervisor_code_is_einval",
                  hypercall_update_descriptor(slot, call_gate(HYPERVISOR_CS, 0x1000)), -XEN_EINVAL);
    expect_result("call_gate_to_kernel_code_is_accepted",
                  hypercall_update_descriptor(slot, call_gate(FLAT_KERNEL_CS, 0x1000)), 0);
    expect_result("call_gate_is_stored_with_dpl_0", (long)DESCRIPTOR_DPL(descriptor_page[1]), 0);
    expect_result("misaligned_address_is_einval", hypercall_update_descriptor(slot + 4, DATA_DPL3), -XEN_EINVAL);
    expect_result("frame_of_the_hypervisor_is_einval",
                  hypercall_update_descriptor(HYPERVISOR_IMAGE_MACHINE_ADDRESS, DATA_DPL3), -XEN_EINVAL);
    expect_result("page_table_frame_is_einval",
                  hypercall_update_descriptor(runtime_machine_address((const void *)runtime_start_info->pt_base),
                                              DATA_DPL3),
                  -XEN_EINVAL);
}

static void check_set_gdt(void)
{
    xen_ulong_t frames[1] = { runtime_machine_address(descriptor_page) / PAGE_SIZE };
    xen_ulong_t hypervisor_frames[1] = { HYPERVISOR_IMAGE_MACHINE_ADDRESS / PAGE_SIZE };

    expect_result("set_gdt_above_7168_entries_is_einval", hypercall_set_gdt(frames, FIRST_RESERVED_GDT_ENTRY + 1),
                  -XEN_EINVAL);
    expect_result("set_gdt_frame_list_in_hypervisor_is_efault",
                  hypercall_set_gdt((const xen_ulong_t *)HYPERVISOR_IMAGE_ADDRESS, 512), -XEN_EFAULT);
    expect_result("set_gdt_frame_list_unmapped_is_efault",
                  hypercall_set_gdt((const xen_ulong_t *)UNMAPPED_ADDRESS, 512), -XEN_EFAULT);
    expect_result("set_gdt_writable_frame_is_einval", hypercall_set_gdt(frames, 512), -XEN_EINVAL);
    expect_result("set_gdt_hypervisor_frame_is_einval", hypercall_set_gdt(hypervisor_frames, 512), -XEN_EINVAL);
}

void run_tests(void)
{
    check_update_descriptor();
    check_set_gdt();
}
