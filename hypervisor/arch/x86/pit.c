/*
 * The 8254 programmable interval timer, used once at boot as the reference
 * clock (1.193182 MHz) against which the TSC and the local APIC timer are
 * calibrated.  Channel 0 counts down in mode 0 ("interrupt on terminal
 * count", with the interrupt line masked at the 8259); its OUT pin, read
 * back with the read-back command, says when the countdown has finished.
 * Reading the pin rather than the count works without port 0x61 (absent on
 * -M microvm) and whatever the poll interval, TCG's or icount's.
 */
#include <pvmon/arch.h>
#include <pvmon/x86.h>

#define PIT_CHANNEL0 0x40
#define PIT_COMMAND 0x43
#define PIT_CHANNEL0_MODE0_BINARY_LOW_HIGH 0x30
#define PIT_READ_BACK_STATUS_CHANNEL0 0xe2
#define PIT_STATUS_OUTPUT_HIGH 0x80

void pit_start_countdown(uint16_t ticks)
{
    outb(PIT_COMMAND, PIT_CHANNEL0_MODE0_BINARY_LOW_HIGH);
    outb(PIT_CHANNEL0, ticks & 0xff);
    outb(PIT_CHANNEL0, ticks >> 8);
}

bool pit_countdown_expired(void)
{
    outb(PIT_COMMAND, PIT_READ_BACK_STATUS_CHANNEL0);
    return inb(PIT_CHANNEL0) & PIT_STATUS_OUTPUT_HIGH;
}
