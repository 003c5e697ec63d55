/*
 * Stopping the machine when the hypervisor itself is broken.  A panic is
 * for pvmon's own inconsistencies only: a misbehaving guest is crashed
 * alone and never reaches here.  Both functions print the reason, the
 * registers and a frame-pointer backtrace, then leave QEMU with
 * PLATFORM_EXIT_PANIC.
 */
#ifndef PVMON_PANIC_H
#define PVMON_PANIC_H

#include <pvmon/cpu.h>

_Noreturn void panic(const char *format, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void panic_with_frame(const struct trap_frame *frame, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Fill frame with the caller's registers (defined in entry.S). */
void capture_registers(struct trap_frame *frame);

#define BUG_ON(condition)                                                        \
    do {                                                                         \
        if (condition)                                                           \
            panic("BUG at %s:%d: %s", __FILE__, __LINE__, #condition);           \
    } while (0)

#endif
