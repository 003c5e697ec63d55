/*
 * panic: the last words of a broken hypervisor.  Prints the reason, the
 * registers, and a backtrace that follows the saved frame pointers (pvmon
 * is built with -fno-omit-frame-pointer), reading each frame with
 * safe_copy so that a corrupt frame pointer ends the backtrace instead of
 * faulting again.  Then QEMU exits with PLATFORM_EXIT_PANIC.  A panic
 * inside a panic exits at once.  tools/symbolize.sh turns the addresses
 * into function names and source lines.
 */
#include <stdarg.h>
#include <pvmon/arch.h>
#include <pvmon/panic.h>
#include <pvmon/printk.h>

#define BACKTRACE_MAX_FRAMES 16

static void print_registers(const struct trap_frame *frame)
{
    printk(LOG_ERROR, "rip %016lx  cs %04lx  rflags %016lx\n", frame->rip, frame->cs, frame->rflags);
    printk(LOG_ERROR, "rsp %016lx  ss %04lx\n", frame->rsp, frame->ss);
    printk(LOG_ERROR, "rax %016lx  rbx %016lx  rcx %016lx\n", frame->rax, frame->rbx, frame->rcx);
    printk(LOG_ERROR, "rdx %016lx  rsi %016lx  rdi %016lx\n", frame->rdx, frame->rsi, frame->rdi);
    printk(LOG_ERROR, "rbp %016lx  r8  %016lx  r9  %016lx\n", frame->rbp, frame->r8, frame->r9);
    printk(LOG_ERROR, "r10 %016lx  r11 %016lx  r12 %016lx\n", frame->r10, frame->r11, frame->r12);
    printk(LOG_ERROR, "r13 %016lx  r14 %016lx  r15 %016lx\n", frame->r13, frame->r14, frame->r15);
}

static void print_backtrace(uint64_t rip, uint64_t frame_pointer)
{
    printk(LOG_ERROR, "backtrace:\n");
    printk(LOG_ERROR, "  [%016lx]\n", rip);
    for (int depth = 0; depth < BACKTRACE_MAX_FRAMES && frame_pointer != 0; depth++) {
        uint64_t saved[2];

        if (frame_pointer % 8 != 0 || safe_copy(saved, (const void *)frame_pointer, sizeof(saved)) != 0)
            break;
        if (saved[1] == 0)
            break;
        printk(LOG_ERROR, "  [%016lx]\n", saved[1]);
        if (saved[0] <= frame_pointer)
            break;
        frame_pointer = saved[0];
    }
}

static _Noreturn void panic_va(const struct trap_frame *frame, const char *format, va_list arguments)
{
    struct cpu_info *cpu = current_cpu();

    interrupts_disable();
    if (cpu->in_panic) {
        printk(LOG_ERROR, "panic while panicking; stopping\n");
        platform_exit(PLATFORM_EXIT_PANIC);
    }
    cpu->in_panic = 1;
    printk(LOG_ERROR, "PANIC on CPU%u: ", cpu->cpu_number);
    printk_va(LOG_ERROR, format, arguments);
    printk(LOG_ERROR, "\n");
    print_registers(frame);
    print_backtrace(frame->rip, frame->rbp);
    printk(LOG_ERROR, "pvmon stopped.\n");
    platform_exit(PLATFORM_EXIT_PANIC);
}

_Noreturn void panic(const char *format, ...)
{
    struct trap_frame frame;
    va_list arguments;

    capture_registers(&frame);
    va_start(arguments, format);
    panic_va(&frame, format, arguments);
}

_Noreturn void panic_with_frame(const struct trap_frame *frame, const char *format, ...)
{
    va_list arguments;

    va_start(arguments, format);
    panic_va(frame, format, arguments);
}
