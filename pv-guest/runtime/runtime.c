/*
 * Start-of-day set-up shared by every guest kernel (see runtime.h), and
 * the guest's view of its own memory: the kernel is mapped at VIRT_BASE +
 * pseudo-physical address (head.S), and start_info's p2m list gives the
 * machine frame behind each pseudo-physical one.
 *
 * shared_info is reached the way Xen PV guests reach it: its machine
 * address (start_info.shared_info) is mapped with update_va_mapping over a
 * page-aligned page of the kernel's own, whose L1 entry exists in the
 * initial mapping.  The PTE is present, writable and user (a 64-bit PV
 * kernel runs in ring 3).
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <guest/hypercall.h>
#include "clock.h"
#include "console.h"
#include "events.h"
#include "runtime.h"
#include "traps.h"

#define VIRT_BASE 0xffffffff80000000UL
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PTE_PRESENT 0x001UL
#define PTE_WRITABLE 0x002UL
#define PTE_USER 0x004UL
#define PTE_ACCESSED 0x020UL
#define PTE_DIRTY 0x040UL

const struct start_info *runtime_start_info;
static struct shared_info *shared_info;
static struct vcpu_info *vcpu_info;
static uint8_t shared_info_window[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

struct shared_info *runtime_shared_info(void)
{
    return shared_info;
}

struct vcpu_info *runtime_vcpu_info(void)
{
    return vcpu_info;
}

void runtime_move_vcpu_info(struct vcpu_info *moved)
{
    vcpu_info = moved;
}

uint64_t runtime_machine_frame(uint64_t physical_frame)
{
    const uint64_t *physical_to_machine = (const uint64_t *)runtime_start_info->mfn_list;

    return physical_to_machine[physical_frame];
}

void runtime_set_machine_frame(uint64_t physical_frame, uint64_t machine_frame)
{
    uint64_t *physical_to_machine = (uint64_t *)runtime_start_info->mfn_list;

    physical_to_machine[physical_frame] = machine_frame;
}

uint64_t runtime_machine_address(const void *pointer)
{
    uint64_t offset = (uint64_t)pointer - VIRT_BASE;

    return runtime_machine_frame(offset >> PAGE_SHIFT) << PAGE_SHIFT | (offset & (PAGE_SIZE - 1));
}

void *runtime_own_page(uint64_t machine_frame)
{
    const uint64_t *machine_to_physical = (const uint64_t *)MACH2PHYS_VIRT_START;
    uint64_t physical_frame = machine_to_physical[machine_frame];

    if (physical_frame >= runtime_start_info->nr_pages || runtime_machine_frame(physical_frame) != machine_frame)
        return NULL;
    return (void *)(VIRT_BASE + (physical_frame << PAGE_SHIFT));
}

void runtime_exit(unsigned int reason)
{
    for (;;)
        hypercall_shutdown(reason);
}

static long map_shared_info(void)
{
    uint64_t entry = (runtime_start_info->shared_info & ~(PAGE_SIZE - 1)) | PTE_PRESENT | PTE_WRITABLE |
                     PTE_USER | PTE_ACCESSED | PTE_DIRTY;
    long result = hypercall_update_va_mapping((unsigned long)shared_info_window, entry, UVMF_INVLPG);

    if (result == 0) {
        shared_info = (struct shared_info *)shared_info_window;
        vcpu_info = &shared_info->vcpu_info[0];
    }
    return result;
}

static long register_callbacks(void)
{
    long result = hypercall_register_callback(CALLBACKTYPE_event, (unsigned long)event_entry,
                                              CALLBACKF_mask_events);

    if (result != 0)
        return result;
    return hypercall_register_callback(CALLBACKTYPE_failsafe, (unsigned long)failsafe_entry,
                                       CALLBACKF_mask_events);
}

/* Runs one set-up step; on failure says which and passes the error on. */
static long step(const char *name, long result)
{
    if (result != 0)
        console_printf("runtime: %s failed: %ld\n", name, result);
    return result;
}

int runtime_init(const struct start_info *start_info)
{
    long result;

    runtime_start_info = start_info;
    if ((result = step("mapping shared_info (update_va_mapping)", map_shared_info())) != 0 ||
        (result = step("set_trap_table", traps_install())) != 0 ||
        (result = step("registering the event and failsafe callbacks", register_callbacks())) != 0)
        return (int)result;
    events_init();
    if ((result = step("binding VIRQ_TIMER", clock_init())) != 0)
        return (int)result;
    events_enable();
    return 0;
}
