/*
 * Device access refused to a domU: everything a PV dom0 uses to reach a
 * device (xen/arch/x86/physdev.c, irq.c, common/event_channel.c
 * evtchn_bind_pirq, mm.c get_page_from_l1e), each expecting Xen 4.17's
 * answer for a PV domU with no I/O memory and no interrupt mapped, and no
 * change of its page tables:
 *   - PHYSDEVOP_map_pirq, unmap_pirq: -EPERM (XSM dm_priv) after -EFAULT
 *     and -ESRCH; setup_gsi: -EINVAL beyond the IOAPIC, else -EPERM;
 *     eoi: -EINVAL (the domU has no pirq); irq_status_query: 0 with
 *     XENIRQSTAT_needs_eoi, -EINVAL beyond the pirqs;
 *   - EVTCHNOP_bind_pirq: -EPERM for a pirq in range (nothing mapped),
 *     -EINVAL beyond;
 *   - the virtio-mmio window 0xfeb00000 mapped through DOMID_IO (mmu_update
 *     and update_va_mapping_otherdomain) or through DOMID_SELF
 *     (mmu_update, update_va_mapping): -EPERM; with a cache attribute:
 *     -EINVAL (Xen's l1_disallow_mask comes first); the domU's own RAM
 *     through DOMID_IO: -EBUSY.
 */
#include "pv_memory.h"
#include <pvmon/format.h>
#include <xen/physdev.h>

const char test_family[] = "physdev";

#define VIRTIO_MMIO_FRAME UINT64_C(0xfeb00)
#define VIRTIO_GSI 12
#define GSI_BEYOND_THE_IOAPIC 24
#define PIRQ_BEYOND_THE_TABLE 56
#define DEVICE_PTE (PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED)
#define PTE_CACHE_DISABLE PTE_BIT(4)

static struct guest_memory memory;

static long physdev(int command, void *argument)
{
    return hypercall3(__HYPERVISOR_physdev_op, (unsigned long)command, (unsigned long)argument, 0);
}

static long map_pirq(domid_t domain, int gsi, int pirq)
{
    struct physdev_map_pirq map = { .domid = domain, .type = MAP_PIRQ_TYPE_GSI, .index = gsi, .pirq = pirq };

    return physdev(PHYSDEVOP_map_pirq, &map);
}

static long bind_pirq(uint32_t pirq)
{
    struct evtchn_bind_pirq bind = { .pirq = pirq };

    return hypercall_event_channel_op(EVTCHNOP_bind_pirq, &bind);
}

static void check_interrupts(void)
{
    struct physdev_unmap_pirq unmap = { .domid = DOMID_SELF, .pirq = VIRTIO_GSI };
    struct physdev_setup_gsi setup = { .gsi = VIRTIO_GSI, .triggering = 1, .polarity = 0 };
    struct physdev_setup_gsi setup_beyond = { .gsi = GSI_BEYOND_THE_IOAPIC, .triggering = 1 };
    struct physdev_eoi eoi = { .irq = VIRTIO_GSI };
    struct physdev_eoi eoi_beyond = { .irq = PIRQ_BEYOND_THE_TABLE };
    struct physdev_irq_status_query query = { .irq = VIRTIO_GSI };
    struct physdev_irq_status_query query_beyond = { .irq = 1000 };

    expect_result("map_pirq_of_a_gsi_is_eperm", map_pirq(DOMID_SELF, VIRTIO_GSI, VIRTIO_GSI), -XEN_EPERM);
    expect_result("map_pirq_allocating_a_pirq_is_eperm", map_pirq(DOMID_SELF, VIRTIO_GSI, -1), -XEN_EPERM);
    expect_result("map_pirq_into_dom0_is_eperm", map_pirq(0, VIRTIO_GSI, VIRTIO_GSI), -XEN_EPERM);
    expect_result("map_pirq_of_a_missing_domain_is_esrch", map_pirq(MISSING_DOMAIN, VIRTIO_GSI, VIRTIO_GSI),
                  -XEN_ESRCH);
    expect_result("map_pirq_from_an_unmapped_pointer_is_efault",
                  physdev(PHYSDEVOP_map_pirq, (void *)UNMAPPED_ADDRESS), -XEN_EFAULT);
    expect_result("unmap_pirq_is_eperm", physdev(PHYSDEVOP_unmap_pirq, &unmap), -XEN_EPERM);
    expect_result("setup_gsi_is_eperm", physdev(PHYSDEVOP_setup_gsi, &setup), -XEN_EPERM);
    expect_result("setup_gsi_beyond_the_ioapic_is_einval", physdev(PHYSDEVOP_setup_gsi, &setup_beyond),
                  -XEN_EINVAL);
    expect_result("eoi_of_a_pirq_it_does_not_have_is_einval", physdev(PHYSDEVOP_eoi, &eoi), -XEN_EINVAL);
    expect_result("eoi_beyond_the_pirqs_is_einval", physdev(PHYSDEVOP_eoi, &eoi_beyond), -XEN_EINVAL);
    expect_result("irq_status_query_succeeds", physdev(PHYSDEVOP_irq_status_query, &query), 0);
    expect_result("irq_status_query_asks_for_an_eoi", query.flags, XENIRQSTAT_needs_eoi);
    expect_result("irq_status_query_beyond_the_pirqs_is_einval",
                  physdev(PHYSDEVOP_irq_status_query, &query_beyond), -XEN_EINVAL);
    expect_result("bind_pirq_is_eperm", bind_pirq(VIRTIO_GSI), -XEN_EPERM);
    expect_result("bind_pirq_beyond_the_pirqs_is_einval", bind_pirq(PIRQ_BEYOND_THE_TABLE), -XEN_EINVAL);
}

/* One mapping refused with error, the L1 entry left as it was. */
static void expect_mapping_refused(const char *name, long result, long error, const volatile uint64_t *slot,
                                   uint64_t before)
{
    char unchanged[128];

    expect_result(name, result, error);
    format_string(unchanged, sizeof(unchanged), "%s_leaves_the_entry", name);
    expect_true(unchanged, *slot == before, (long)*slot, "the entry as it was");
}

static long mmu_update_foreign(uint64_t pointer, uint64_t value, domid_t domain)
{
    struct mmu_update request = { .ptr = pointer, .val = value };

    return call_mmu_update(&request, 1, NULL, domain);
}

static void check_device_memory(void)
{
    uint64_t page_frame;
    uint64_t page = take_slack_page(&memory, &page_frame);
    const volatile uint64_t *slot = bootstrap_l1_entry(&memory, page);
    uint64_t slot_address = bootstrap_l1_entry_machine_address(&memory, page);
    uint64_t before = *slot;
    uint64_t device = VIRTIO_MMIO_FRAME << PAGE_SHIFT | DEVICE_PTE;
    uint64_t own_frame = take_unmapped_frame(&memory);

    expect_mapping_refused("mmu_update_of_the_virtio_window_through_domid_io_is_eperm",
                           mmu_update_foreign(slot_address, device, DOMID_IO), -XEN_EPERM, slot, before);
    expect_mapping_refused("update_va_mapping_otherdomain_of_the_virtio_window_through_domid_io_is_eperm",
                           hypercall_update_va_mapping_otherdomain(page, device, UVMF_INVLPG, DOMID_IO), -XEN_EPERM,
                           slot, before);
    expect_mapping_refused("mmu_update_of_the_virtio_window_through_domid_self_is_eperm",
                           mmu_update_foreign(slot_address, device, DOMID_SELF), -XEN_EPERM, slot, before);
    expect_mapping_refused("update_va_mapping_of_the_virtio_window_is_eperm",
                           hypercall_update_va_mapping(page, device, UVMF_INVLPG), -XEN_EPERM, slot, before);
    expect_mapping_refused("uncached_mapping_of_the_virtio_window_is_einval",
                           mmu_update_foreign(slot_address, device | PTE_CACHE_DISABLE, DOMID_IO), -XEN_EINVAL,
                           slot, before);
    expect_mapping_refused("own_ram_through_domid_io_is_ebusy",
                           mmu_update_foreign(slot_address, own_frame << PAGE_SHIFT | DEVICE_PTE, DOMID_IO),
                           -XEN_EBUSY, slot, before);
}

void run_tests(void)
{
    bool ready = guest_memory_init(&memory);

    check_interrupts();
    expect_true("setup_finds_the_bootstrap_layout_and_free_frames_beyond_it", ready,
                (long)memory.bootstrap_end_pfn, "free frames beyond v_end");
    if (ready)
        check_device_memory();
}
