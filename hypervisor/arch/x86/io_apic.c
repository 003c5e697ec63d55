/*
 * The IOAPIC at 0xfec00000 (Intel 82093AA datasheet: IOREGSEL at 0x00,
 * IOWIN at 0x10; redirection entry n at registers 0x10 + 2n and
 * 0x11 + 2n).  Its pins are the machine's GSIs 0..pins-1, which pvmon
 * hands to the privileged domain as pirqs (kernel/physical_irq.c).
 *
 * The rules kept here:
 *   - every pin is programmed masked at boot (fixed delivery, physical
 *     destination: this CPU's local APIC, vector IO_APIC_FIRST_VECTOR +
 *     pin, edge, active high: the ISA default) and stays masked until a
 *     pirq is bound to it;
 *   - a pin's trigger mode and polarity are written with the pin masked,
 *     and its mask is left as it was;
 *   - a machine without an IOAPIC (all ones at the version register) has
 *     no pins, and every call on a pin it does not have does nothing.
 */
#include <pvmon/arch.h>
#include <pvmon/printk.h>

#define IO_APIC_REGISTER_SELECT 0x00
#define IO_APIC_WINDOW 0x10
#define IO_APIC_VERSION 0x01
#define IO_APIC_REDIRECTION_TABLE 0x10

#define REDIRECTION_ACTIVE_LOW (1U << 13)
#define REDIRECTION_LEVEL (1U << 15)
#define REDIRECTION_MASKED (1U << 16)
#define REDIRECTION_DESTINATION_SHIFT 24

static volatile uint32_t *io_apic_registers;
static unsigned int pin_count;

static uint32_t io_apic_read(uint32_t index)
{
    io_apic_registers[IO_APIC_REGISTER_SELECT / 4] = index;
    return io_apic_registers[IO_APIC_WINDOW / 4];
}

static void io_apic_write(uint32_t index, uint32_t value)
{
    io_apic_registers[IO_APIC_REGISTER_SELECT / 4] = index;
    io_apic_registers[IO_APIC_WINDOW / 4] = value;
}

static uint32_t low_register(unsigned int pin)
{
    return IO_APIC_REDIRECTION_TABLE + 2 * pin;
}

void io_apic_init(void)
{
    uint32_t version;

    io_apic_registers = map_mmio(IO_APIC_BASE_ADDRESS, PAGE_SIZE);
    version = io_apic_read(IO_APIC_VERSION);
    if (version == UINT32_MAX) {
        printk(LOG_INFO, "ioapic: none at %#lx\n", IO_APIC_BASE_ADDRESS);
        return;
    }
    pin_count = ((version >> 16) & 0xff) + 1;
    if (pin_count > IO_APIC_MAX_PINS)
        pin_count = IO_APIC_MAX_PINS;
    for (unsigned int pin = 0; pin < pin_count; pin++) {
        io_apic_write(low_register(pin), REDIRECTION_MASKED | (IO_APIC_FIRST_VECTOR + pin));
        io_apic_write(low_register(pin) + 1, apic_id() << REDIRECTION_DESTINATION_SHIFT);
    }
    printk(LOG_INFO, "ioapic: version %#x at %#lx, %u pins, all masked (vectors %#x-%#x)\n", version & 0xff,
           IO_APIC_BASE_ADDRESS, pin_count, IO_APIC_FIRST_VECTOR, IO_APIC_FIRST_VECTOR + pin_count - 1);
}

unsigned int io_apic_pin_count(void)
{
    return pin_count;
}

void io_apic_configure(unsigned int pin, bool level, bool active_low)
{
    uint32_t entry;

    if (pin >= pin_count)
        return;
    entry = io_apic_read(low_register(pin));
    io_apic_write(low_register(pin), entry | REDIRECTION_MASKED);
    entry &= ~(REDIRECTION_LEVEL | REDIRECTION_ACTIVE_LOW);
    entry |= (level ? REDIRECTION_LEVEL : 0) | (active_low ? REDIRECTION_ACTIVE_LOW : 0);
    io_apic_write(low_register(pin), entry);
}

void io_apic_set_masked(unsigned int pin, bool masked)
{
    uint32_t entry;

    if (pin >= pin_count)
        return;
    entry = io_apic_read(low_register(pin));
    io_apic_write(low_register(pin), masked ? entry | REDIRECTION_MASKED : entry & ~REDIRECTION_MASKED);
}
