/*
 * Device access for dom0: what of the machine the privileged domain may
 * reach, as Xen's dom0_setup_permissions grants a PV dom0 (see
 * docs/ARCHITECTURE.md, "Device access for dom0").
 *
 * I/O memory: built once at boot from the merged memory map, the CPU's
 * physical address width and the device pages the hypervisor keeps (the
 * local APIC, the IOAPIC, the HPET), by common/io_memory.c; the
 * page-type code asks for it through struct page_memory whenever an L1
 * entry names a frame that is not RAM.  Only the privileged domain has
 * any: a domU gets Xen's refusal (-EPERM) for every device frame.
 */
#include <pvmon/arch.h>
#include <pvmon/device_access.h>
#include <pvmon/domain.h>
#include <pvmon/memory.h>
#include <pvmon/panic.h>
#include <pvmon/printk.h>

static struct io_memory dom0_io_memory;

void device_access_init(void)
{
    const uint64_t kept_frames[] = {
        apic_base_address() / PAGE_SIZE,
        IO_APIC_BASE_ADDRESS / PAGE_SIZE,
        HPET_BASE_ADDRESS / PAGE_SIZE,
    };
    unsigned int address_bits = cpu_physical_address_bits();
    int error = io_memory_init_dom0(&dom0_io_memory, memory_map(), address_bits, kept_frames,
                                    sizeof(kept_frames) / sizeof(kept_frames[0]));

    if (error)
        printk(LOG_ERROR, "device access: dom0's I/O memory cannot be described (error %d): it gets none\n", error);
    else
        printk(LOG_INFO, "device access: dom0 may map I/O memory in %u ranges below %u-bit addresses "
               "(not RAM, not the local APIC, IOAPIC or HPET)\n", dom0_io_memory.count, address_bits);
}

const struct io_memory *device_access_io_memory(uint16_t domain)
{
    const struct domain *owner = domain_find(domain);

    if (owner == NULL || !owner->privileged || dom0_io_memory.count == 0)
        return NULL;
    return &dom0_io_memory;
}
