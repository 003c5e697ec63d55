/*
 * Traps of a PV guest kernel: the trap table (set_trap_table) pointing at
 * the stubs in entry.S, and what happens when a vector fires.  A guest may
 * hook a vector; anything not hooked (or a hook that declines) is an
 * unexpected trap: the vector, RIP, error code and, for #PF, CR2 (from
 * vcpu_info.arch.cr2, where the hypervisor writes it before bouncing) are
 * printed and the domain shuts down with SHUTDOWN_crash.
 */
#ifndef PV_RUNTIME_TRAPS_H
#define PV_RUNTIME_TRAPS_H

#include <stdbool.h>
#include <stdint.h>
#include "trap_vectors.h"

/* Saved by entry.S; the bounce frame's RIP..SS are at the end, as iret wants them. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};

/* The event mask the hypervisor saved in bits 32-39 of the bounced CS. */
static inline unsigned int trap_frame_saved_event_mask(const struct trap_frame *frame)
{
    return (unsigned int)(frame->cs >> 32) & 0xff;
}

/* A frame the hypervisor bounced from guest user mode (RPL 3 in the saved
 * CS; from guest kernel mode the RPL reads 0). */
static inline bool trap_frame_from_user_mode(const struct trap_frame *frame)
{
    return (frame->cs & 3) == 3;
}

/* Returns true if it handled the trap (it may change the frame, e.g. RIP). */
typedef bool (*trap_hook)(struct trap_frame *frame);

/* Installs the trap table: every exception vector, events masked on entry. */
int traps_install(void);

void traps_set_hook(unsigned int vector, trap_hook hook);

/*
 * The kernel's handler for everything that arrives from guest user mode:
 * exceptions, SYSCALL (vector SYSCALL_CALLBACK_VECTOR, through
 * syscall_entry) and event upcalls (after the runtime has run the event
 * handlers).  It may rewrite the whole frame: the return goes to whatever
 * the frame then says.  Without one, such a trap is unexpected.
 */
typedef void (*user_mode_handler)(struct trap_frame *frame);
void traps_set_user_mode_handler(user_mode_handler handler);

/* Called by entry.S. */
void handle_trap(struct trap_frame *frame);
void handle_failsafe(const uint64_t *frame) __attribute__((noreturn));

/* The entry points the trap table names, by vector (0 for none); entry.S. */
extern const uint64_t trap_entry_points[TRAP_VECTOR_COUNT];
void event_entry(void);
void syscall_entry(void);

/* Enters the context frame describes, through the iret hypercall. */
void trap_return(const struct trap_frame *frame) __attribute__((noreturn));
void failsafe_entry(void);

#endif
