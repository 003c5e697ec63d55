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
#include <pvmon/calendar.h>
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

/* The CMOS real-time clock (MC146818): read once at boot for the wallclock. */
#define RTC_INDEX_PORT 0x70
#define RTC_DATA_PORT 0x71
#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS 0x04
#define RTC_DAY 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_CENTURY 0x32
#define RTC_UPDATE_IN_PROGRESS 0x80
#define RTC_BINARY_MODE 0x04
#define RTC_24_HOUR_MODE 0x02
#define RTC_HOUR_PM 0x80

static uint8_t rtc_read(uint8_t index)
{
    outb(RTC_INDEX_PORT, index);
    return inb(RTC_DATA_PORT);
}

static unsigned int from_bcd(uint8_t value, bool binary)
{
    return binary ? value : (value >> 4) * 10 + (value & 0x0f);
}

void platform_read_real_time_clock(struct calendar_time *time)
{
    uint8_t status;
    uint8_t hours;
    bool binary;

    while (rtc_read(RTC_STATUS_A) & RTC_UPDATE_IN_PROGRESS)
        ;
    status = rtc_read(RTC_STATUS_B);
    binary = status & RTC_BINARY_MODE;
    hours = rtc_read(RTC_HOURS);
    time->second = from_bcd(rtc_read(RTC_SECONDS), binary);
    time->minute = from_bcd(rtc_read(RTC_MINUTES), binary);
    time->hour = from_bcd(hours & ~RTC_HOUR_PM, binary);
    if (!(status & RTC_24_HOUR_MODE) && (hours & RTC_HOUR_PM))
        time->hour = (time->hour % 12) + 12;
    time->day = from_bcd(rtc_read(RTC_DAY), binary);
    time->month = from_bcd(rtc_read(RTC_MONTH), binary);
    time->year = from_bcd(rtc_read(RTC_CENTURY), binary) * 100 + from_bcd(rtc_read(RTC_YEAR), binary);
}
