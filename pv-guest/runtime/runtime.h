/*
 * The runtime every guest kernel of pvmon links (our PV kernel and the
 * hypercall test guests): start-of-day set-up and the pieces of the Xen PV
 * ABI that every guest needs.  runtime_init, in order:
 *   1. maps shared_info (start_info.shared_info is a machine address) over
 *      a page of the kernel's own with update_va_mapping, as Xen guests do;
 *   2. installs the trap table (set_trap_table);
 *   3. registers the event and failsafe callbacks (CALLBACKOP_register,
 *      CALLBACKF_mask_events);
 *   4. masks every port, binds VIRQ_TIMER, and unmasks events.
 * Each step's failure is returned, and printed, naming the step.
 */
#ifndef PV_RUNTIME_RUNTIME_H
#define PV_RUNTIME_RUNTIME_H

#include <stdint.h>
#include <xen/xen.h>

extern const struct start_info *runtime_start_info;

int runtime_init(const struct start_info *start_info);

struct shared_info *runtime_shared_info(void);

/* vCPU 0's vcpu_info: in shared_info until runtime_move_vcpu_info moves it. */
struct vcpu_info *runtime_vcpu_info(void);

/* After a successful VCPUOP_register_vcpu_info: vcpu_info lives there now. */
void runtime_move_vcpu_info(struct vcpu_info *vcpu_info);

/* The machine frame behind a pseudo-physical frame (start_info's p2m list). */
uint64_t runtime_machine_frame(uint64_t physical_frame);

/* Records a new machine frame behind a pseudo-physical frame (after
 * XENMEM_populate_physmap), in the p2m list the builder made. */
void runtime_set_machine_frame(uint64_t physical_frame, uint64_t machine_frame);

/* The machine address of a byte of the kernel's initial mapping. */
uint64_t runtime_machine_address(const void *pointer);

/* Where the initial mapping shows a machine frame of this domain's own
 * (the machine-to-physical table, checked against the p2m list), as the
 * builder's console and xenstore pages are; NULL for any other frame. */
void *runtime_own_page(uint64_t machine_frame);

/* SCHEDOP_shutdown; never returns. */
void runtime_exit(unsigned int reason) __attribute__((noreturn));

#endif
