/*
 * The local APIC and its timer.  pvmon uses the xAPIC through its MMIO page
 * (mapped uncached), enables it with spurious vector 0xff, and drives the
 * timer in one-shot mode: each expiry is re-armed by kernel/time.c, which
 * keeps deadlines in nanoseconds.  The timer's frequency, and the TSC's,
 * are measured against the PIT over 50 ms; both are virtual-time clocks in
 * QEMU, so the calibration also holds under -icount.
 */
#include <pvmon/arch.h>
#include <pvmon/printk.h>
#include <pvmon/x86.h>

#define APIC_BASE_ENABLE (1UL << 11)
#define APIC_BASE_ADDRESS_MASK 0xffffff000UL

#define APIC_ID 0x020
#define APIC_END_OF_INTERRUPT 0x0b0
#define APIC_SPURIOUS_VECTOR_REGISTER 0x0f0
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INITIAL_COUNT 0x380
#define APIC_TIMER_CURRENT_COUNT 0x390
#define APIC_TIMER_DIVIDE 0x3e0

#define APIC_SOFTWARE_ENABLE (1U << 8)
#define APIC_LVT_MASKED (1U << 16)
#define APIC_LVT_LINT1 0x360
#define APIC_DELIVERY_MODE_NMI (4U << 8)
#define APIC_TIMER_DIVIDE_BY_16 0x3

#define CALIBRATION_PIT_TICKS (PIT_FREQUENCY_HZ / 20)

static volatile uint32_t *apic_registers;
static uint64_t apic_physical_base;
static uint64_t apic_timer_hz;

static uint32_t apic_read(uint32_t offset)
{
    return apic_registers[offset / 4];
}

static void apic_write(uint32_t offset, uint32_t value)
{
    apic_registers[offset / 4] = value;
}

void apic_init(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);

    wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
    apic_physical_base = base & APIC_BASE_ADDRESS_MASK;
    apic_registers = map_mmio(apic_physical_base, PAGE_SIZE);
    apic_write(APIC_SPURIOUS_VECTOR_REGISTER, APIC_SOFTWARE_ENABLE | APIC_SPURIOUS_VECTOR);
    apic_write(APIC_TIMER_DIVIDE, APIC_TIMER_DIVIDE_BY_16);
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_TIMER_VECTOR);
    /* LINT1 delivers the platform's NMI, as firmware sets it up on a PC
     * (and as it is not on PVH, where no firmware runs). */
    apic_write(APIC_LVT_LINT1, APIC_DELIVERY_MODE_NMI);
}

uint64_t apic_base_address(void)
{
    return apic_physical_base;
}

uint32_t apic_id(void)
{
    return apic_read(APIC_ID) >> 24;
}

void apic_calibrate(struct timer_calibration *calibration)
{
    uint64_t tsc_start, tsc_end;
    uint32_t count_start, count_end;

    apic_write(APIC_TIMER_INITIAL_COUNT, UINT32_MAX);
    pit_start_countdown(CALIBRATION_PIT_TICKS);
    tsc_start = rdtsc();
    count_start = apic_read(APIC_TIMER_CURRENT_COUNT);
    while (!pit_countdown_expired())
        cpu_relax();
    tsc_end = rdtsc();
    count_end = apic_read(APIC_TIMER_CURRENT_COUNT);
    apic_write(APIC_TIMER_INITIAL_COUNT, 0);

    calibration->tsc_hz = (tsc_end - tsc_start) * PIT_FREQUENCY_HZ / CALIBRATION_PIT_TICKS;
    calibration->apic_timer_hz =
        (uint64_t)(count_start - count_end) * PIT_FREQUENCY_HZ / CALIBRATION_PIT_TICKS;
    apic_timer_hz = calibration->apic_timer_hz;
}

/* Arm a one-shot expiry after `nanoseconds`, at least one timer tick and at
 * most about 4 s (the caller re-arms until its deadline has passed).  The
 * cap keeps nanoseconds * frequency within 64 bits. */
void apic_timer_arm(uint64_t nanoseconds)
{
    uint64_t count;

    if (nanoseconds > UINT32_MAX)
        nanoseconds = UINT32_MAX;
    count = nanoseconds * apic_timer_hz / 1000000000;

    if (count == 0)
        count = 1;
    if (count > UINT32_MAX)
        count = UINT32_MAX;
    apic_write(APIC_LVT_TIMER, APIC_TIMER_VECTOR);
    apic_write(APIC_TIMER_INITIAL_COUNT, (uint32_t)count);
}

void apic_end_of_interrupt(void)
{
    apic_write(APIC_END_OF_INTERRUPT, 0);
}
