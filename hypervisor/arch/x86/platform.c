/*
 * The PC platform around the CPU: the legacy 8259 interrupt controllers,
 * which pvmon keeps masked (it uses the local APIC), and the way out of
 * the machine.  Under QEMU, pvmon leaves through the isa-debug-exit device
 * (I/O port 0xf4, present on -M pc and -M microvm when tools/run-qemu.sh
 * adds it): QEMU then exits with status (value << 1) | 1, so that tests can
 * tell a clean shutdown (33) from a panic (35), a hang (timeout) and a
 * triple fault (QEMU's own exit with -no-reboot).  Where the device is
 * missing, the CPU halts for good.
 */
#include <pvmon/arch.h>
#include <pvmon/x86.h>

#define PIC_MASTER_COMMAND 0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_COMMAND 0xa0
#define PIC_SLAVE_DATA 0xa1
#define PIC_INITIALISE 0x11
#define PIC_MODE_8086 0x01
#define PIC_MASTER_BASE_VECTOR 0x20
#define PIC_SLAVE_BASE_VECTOR 0x28
#define DEBUG_EXIT_PORT 0xf4

/* Remap the 8259s away from the exception vectors, then mask every line,
 * so that a stray legacy interrupt can never look like an exception. */
void platform_mask_legacy_interrupts(void)
{
    outb(PIC_MASTER_COMMAND, PIC_INITIALISE);
    outb(PIC_SLAVE_COMMAND, PIC_INITIALISE);
    outb(PIC_MASTER_DATA, PIC_MASTER_BASE_VECTOR);
    outb(PIC_SLAVE_DATA, PIC_SLAVE_BASE_VECTOR);
    outb(PIC_MASTER_DATA, 4);
    outb(PIC_SLAVE_DATA, 2);
    outb(PIC_MASTER_DATA, PIC_MODE_8086);
    outb(PIC_SLAVE_DATA, PIC_MODE_8086);
    outb(PIC_MASTER_DATA, 0xff);
    outb(PIC_SLAVE_DATA, 0xff);
}

_Noreturn void platform_exit(enum platform_exit_status status)
{
    disable_interrupts();
    serial_flush();
    outb(DEBUG_EXIT_PORT, (uint8_t)status);
    for (;;)
        __asm__ volatile("hlt");
}
