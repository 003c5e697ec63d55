/*
 * The hypercall handlers, one per hypercall number that pvmon implements,
 * as kernel/hypercall_dispatch.c calls them: the calling vCPU and the raw
 * argument registers (RDI, RSI, RDX, R10, R8).  Each handler validates
 * everything it is handed and returns 0 or a result, or a negative Xen
 * error number.  The file that defines each is named beside it.
 */
#ifndef PVMON_HYPERCALLS_H
#define PVMON_HYPERCALLS_H

#include <stdbool.h>
#include <stdint.h>
#include <pvmon/domain.h>

/* kernel/hypercall_dispatch.c: the handler for a hypercall number
 * (-ENOSYS for none), with its six argument registers. */
#define HYPERCALL_ARGUMENTS 6
long hypercall_call(struct vcpu *vcpu, uint64_t number, const uint64_t arguments[HYPERCALL_ARGUMENTS]);

/* kernel/multicall.c */
long do_multicall(struct vcpu *vcpu, uint64_t list, uint64_t count);

/* kernel/console_io.c */
long do_console_io(struct vcpu *vcpu, uint64_t command, uint64_t count, uint64_t buffer);

/* kernel/schedule.c */
long do_sched_op(struct vcpu *vcpu, uint64_t command, uint64_t argument);

/* kernel/guest_callbacks.c */
long do_set_trap_table(struct vcpu *vcpu, uint64_t list);
long do_set_callbacks(struct vcpu *vcpu, uint64_t event_address, uint64_t failsafe_address,
                      uint64_t syscall_address);
long do_callback_op(struct vcpu *vcpu, uint64_t command, uint64_t argument);
long do_stack_switch(struct vcpu *vcpu, uint64_t stack_segment, uint64_t stack_pointer);
long do_iret(struct vcpu *vcpu, struct trap_frame *frame);
_Noreturn void guest_return_failed(void);

/* kernel/vcpu_registers.c */
long do_fpu_taskswitch(struct vcpu *vcpu, uint64_t set);
long do_set_debugreg(struct vcpu *vcpu, uint64_t reg, uint64_t value);
long do_get_debugreg(struct vcpu *vcpu, uint64_t reg);
long do_set_segment_base(uint64_t which, uint64_t base);

/* kernel/event_channel_op.c */
long do_event_channel_op(struct vcpu *vcpu, uint64_t command, uint64_t argument);

/* kernel/grant_table_op.c: the hypercall, and each domain's table
 * (created with the domain; its mappings released at teardown; gone, with
 * others' mappings of its grants orphaned, when it is destroyed). */
long do_grant_table_op(struct vcpu *vcpu, uint64_t command, uint64_t argument, uint64_t count);
int grant_table_domain_create(struct domain *domain);
void grant_table_domain_tear_down(struct domain *domain);
void grant_table_domain_destroy(struct domain *domain);

/* kernel/vcpu_op.c */
long do_vcpu_op(struct vcpu *vcpu, uint64_t command, uint64_t vcpu_id, uint64_t argument);
long do_set_timer_op(struct vcpu *vcpu, uint64_t timeout_ns);

/* kernel/version_op.c */
void version_set_command_line(const char *command_line);
long do_xen_version(struct vcpu *vcpu, uint64_t command, uint64_t argument);
long do_vm_assist(struct vcpu *vcpu, uint64_t command, uint64_t type);

/* kernel/memory_op.c and kernel/physdev_op.c */
long do_memory_op(struct vcpu *vcpu, uint64_t command, uint64_t argument);
long do_physdev_op(struct vcpu *vcpu, uint64_t command, uint64_t argument);

/* kernel/descriptor_tables.c: set_gdt, update_descriptor, MMUEXT_SET_LDT;
 * loading a vCPU's GDT and LDT when it runs, releasing them at teardown. */
long do_set_gdt(struct vcpu *vcpu, uint64_t frame_list, uint64_t entries);
long do_update_descriptor(struct vcpu *vcpu, uint64_t machine_address, uint64_t descriptor);
long descriptor_tables_set_ldt(struct vcpu *vcpu, uint64_t linear_address, uint64_t entries);
void descriptor_tables_load(const struct vcpu *vcpu);
void descriptor_tables_release(struct vcpu *vcpu);

/* kernel/update_va_mapping.c: the hypercall, and the walk from a root L4
 * to the validated L1 entry that maps an address (-EINVAL if none). */
long do_update_va_mapping(struct vcpu *vcpu, uint64_t virtual_address, uint64_t entry, uint64_t flags);
long do_update_va_mapping_otherdomain(struct vcpu *vcpu, uint64_t virtual_address, uint64_t entry,
                                      uint64_t flags, uint64_t foreign_domain);
int guest_find_l1_entry(uint64_t root_page_table, uint64_t virtual_address, uint64_t *l1_frame,
                        unsigned int *index);

/* kernel/mmu_update.c and kernel/mmuext_op.c: batched page-table work. */
long do_mmu_update(struct vcpu *vcpu, uint64_t requests, uint64_t count, uint64_t done_pointer,
                   uint64_t foreign_domain);
long do_mmuext_op(struct vcpu *vcpu, uint64_t operations, uint64_t count, uint64_t done_pointer,
                  uint64_t foreign_domain);
/* mmu_update's foreigndom: whose frames new L1 entries may name. */
int page_frame_owner_for_update(const struct vcpu *vcpu, uint64_t foreign_domain, uint16_t *frame_owner);
/* The batch protocol both share (kernel/mmu_update.c): the arguments
 * (list, count, pdone, foreigndom) of hypercall op, entries of entry_size
 * bytes; find_owner checks foreigndom once the list is known to be guest
 * memory, and apply_entry does one entry (its guest address;
 * -XEN_ERESTART: preempted inside it, resume from it). */
struct page_table_batch {
    unsigned int op;
    uint64_t entry_size;
    int (*find_owner)(const struct vcpu *vcpu, uint64_t foreign_domain, uint16_t *frame_owner);
    int (*apply_entry)(struct vcpu *vcpu, uint64_t entry_address, uint16_t frame_owner);
};
long page_table_batch_run(struct vcpu *vcpu, const struct page_table_batch *batch, const uint64_t arguments[4]);
/* Finishes the page-table devalidation an earlier request left on the
 * vCPU (Xen's put_old_guest_table): 0 once none is left, -XEN_ERESTART
 * if preempted first.  mmu_update and mmuext_op call it before their
 * first request, between requests and at the end. */
int page_finish_vcpu_release(const struct vcpu *vcpu);

/* kernel/page_table_write_fault.c: true when a #PF was a kernel write to
 * its own L1 table that was emulated (or answered with a #DB). */
bool guest_emulate_page_table_write(struct vcpu *vcpu, struct trap_frame *frame, uint64_t fault_address);

/* kernel/memory_extension.c: pvmon's own (hypercall/public/memory_extension.h) */
long do_memory_extension(struct vcpu *vcpu, uint64_t command, uint64_t argument);

/* kernel/domain_control.c: pvmon's own (hypercall/public/domain_control.h) */
long do_domain_control(struct vcpu *caller, uint64_t argument);

/* kernel/guest_emulation.c: what a guest's #GP or #UD may stand for; true
 * when the instruction was emulated (or a fault bounced in its place). */
bool guest_emulate_privileged(struct vcpu *vcpu, struct trap_frame *frame);
bool guest_emulate_forced_cpuid(struct vcpu *vcpu, struct trap_frame *frame);

#endif
