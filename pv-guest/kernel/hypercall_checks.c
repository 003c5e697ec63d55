/*
 * Hypercall checks from inside a guest, in the spirit of the Xen Test
 * Framework: each case makes one hypercall, valid or not, and compares
 * the result with Xen's.  One line per case, "pv-kernel: PASS name" or
 * "pv-kernel: FAIL name: got X, expected Y", then a summary line that the
 * boot test reads.  Covered here: console_io, sched_op, the dispatch of
 * unknown numbers, and pvmon's domain_control as the privileged domain
 * sees it (hypercall/public/domain_control.h); every other hypercall
 * family has a test guest of its own under tests/hypercall/.
 */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/sched.h>
#include <public/domain_control.h>
#include <public/memory_extension.h>
#include <guest/hypercall.h>
#include <runtime/console.h>
#include "hypercall_checks.h"

#define HYPERVISOR_ADDRESS 0xffff808000200000UL
#define NON_CANONICAL_ADDRESS 0x0000800000000000UL
#define UNMAPPED_GUEST_ADDRESS 0x10UL

static unsigned int passed;
static unsigned int failed;

static void expect(const char *name, long got, long expected)
{
    if (got == expected) {
        passed++;
        console_printf("pv-kernel: PASS %s\n", name);
    } else {
        failed++;
        console_printf("pv-kernel: FAIL %s: got %ld, expected %ld\n", name, got, expected);
    }
}

static void check_console_io(void)
{
    static const char text[] = "pv-kernel: console_io write from a valid buffer\n";

    expect("console_io_write_valid_buffer",
           hypercall_console_write(text, sizeof(text) - 1), 0);
    expect("console_io_write_zero_length", hypercall_console_write(text, 0), 0);
    expect("console_io_write_hypervisor_pointer_is_efault",
           hypercall_console_write((const char *)HYPERVISOR_ADDRESS, 16), -XEN_EFAULT);
    expect("console_io_write_non_canonical_pointer_is_efault",
           hypercall_console_write((const char *)NON_CANONICAL_ADDRESS, 16), -XEN_EFAULT);
    expect("console_io_write_unmapped_pointer_is_efault",
           hypercall_console_write((const char *)UNMAPPED_GUEST_ADDRESS, 16), -XEN_EFAULT);
    expect("console_io_write_range_into_hypervisor_is_efault",
           hypercall_console_write((const char *)(0xffff800000000000UL - 8), 16), -XEN_EFAULT);
    expect("console_io_write_huge_count_is_einval",
           hypercall5(__HYPERVISOR_console_io, CONSOLEIO_write, 1UL << 33, (unsigned long)text, 0, 0),
           -XEN_EINVAL);
    expect("console_io_unknown_command_is_enosys",
           hypercall5(__HYPERVISOR_console_io, 99, 0, 0, 0, 0), -XEN_ENOSYS);
}

static void check_sched_op(void)
{
    expect("sched_op_unknown_command_is_enosys", hypercall_sched_op(99, 0), -XEN_ENOSYS);
    expect("sched_op_shutdown_hypervisor_pointer_is_efault",
           hypercall_sched_op(SCHEDOP_shutdown, (void *)HYPERVISOR_ADDRESS), -XEN_EFAULT);
    expect("sched_op_shutdown_unmapped_pointer_is_efault",
           hypercall_sched_op(SCHEDOP_shutdown, (void *)UNMAPPED_GUEST_ADDRESS), -XEN_EFAULT);
}

static void check_dispatch(void)
{
    expect("unknown_hypercall_number_is_enosys", hypercall5(63, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    expect("hypercall_number_beyond_table_is_enosys", hypercall5(64, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    expect("huge_hypercall_number_is_enosys", hypercall5(~0UL, 0, 0, 0, 0, 0), -XEN_ENOSYS);
}

static struct pvmon_domain_control control_request(uint32_t command, uint16_t domain)
{
    return (struct pvmon_domain_control) {
        .command = command,
        .interface_version = PVMON_DOMAIN_CONTROL_INTERFACE_VERSION,
        .domain = domain,
    };
}

static long control(uint32_t command, uint16_t domain)
{
    struct pvmon_domain_control request = control_request(command, domain);

    return hypercall_domain_control(&request);
}

static void check_domain_control_request_validation(void)
{
    struct pvmon_domain_control request = control_request(PVMON_DOMAIN_CONTROL_get_info, 0);

    request.interface_version = PVMON_DOMAIN_CONTROL_INTERFACE_VERSION + 1;
    expect("domain_control_other_interface_version_is_eacces", hypercall_domain_control(&request), -XEN_EACCES);
    request = control_request(PVMON_DOMAIN_CONTROL_get_info, 0);
    request.reserved[1] = 1;
    expect("domain_control_nonzero_reserved_field_is_einval", hypercall_domain_control(&request), -XEN_EINVAL);
    expect("domain_control_unknown_command_is_enosys", control(99, 0), -XEN_ENOSYS);
    expect("domain_control_hypervisor_pointer_is_efault",
           hypercall_domain_control((struct pvmon_domain_control *)HYPERVISOR_ADDRESS), -XEN_EFAULT);
    expect("domain_control_unmapped_pointer_is_efault",
           hypercall_domain_control((struct pvmon_domain_control *)UNMAPPED_GUEST_ADDRESS), -XEN_EFAULT);
    request = control_request(PVMON_DOMAIN_CONTROL_create, 0);
    request.u.create.weight = 65536;
    expect("domain_control_create_weight_above_65535_is_einval", hypercall_domain_control(&request), -XEN_EINVAL);
}

static void check_domain_control_domain_ids(void)
{
    struct pvmon_domain_control request = control_request(PVMON_DOMAIN_CONTROL_get_info, 0);

    expect("domain_control_get_info_from_0_finds_dom0", hypercall_domain_control(&request), 0);
    expect("domain_control_get_info_dom0_is_privileged", request.u.info.domain == 0 && request.u.info.privileged == 1,
           1);
    expect("domain_control_get_info_past_the_last_domain_is_esrch",
           control(PVMON_DOMAIN_CONTROL_get_info, DOMID_FIRST_RESERVED - 1), -XEN_ESRCH);
    expect("domain_control_destroy_dom0_is_einval", control(PVMON_DOMAIN_CONTROL_destroy, 0), -XEN_EINVAL);
    expect("domain_control_unpause_domid_self_is_einval", control(PVMON_DOMAIN_CONTROL_unpause, DOMID_SELF),
           -XEN_EINVAL);
    expect("domain_control_pause_reserved_id_is_einval", control(PVMON_DOMAIN_CONTROL_pause, DOMID_IDLE),
           -XEN_EINVAL);
    expect("domain_control_pause_missing_domain_is_esrch", control(PVMON_DOMAIN_CONTROL_pause, 1000), -XEN_ESRCH);
}

static void check_domain_control_life_cycle(void)
{
    static const char not_an_elf_image[] = "not an ELF image";
    struct pvmon_domain_control request = control_request(PVMON_DOMAIN_CONTROL_create, 0);
    uint16_t domain;

    expect("domain_control_create_succeeds", hypercall_domain_control(&request), 0);
    domain = request.domain;
    expect("domain_control_create_gives_a_new_domain_id", domain != 0 && domain < DOMID_FIRST_RESERVED, 1);
    request = control_request(PVMON_DOMAIN_CONTROL_get_info, domain);
    hypercall_domain_control(&request);
    expect("domain_control_created_domain_is_paused_without_memory",
           request.u.info.domain == domain && request.u.info.state == PVMON_DOMAIN_STATE_paused &&
               request.u.info.pages == 0 && request.u.info.weight == 256,
           1);
    expect("domain_control_unpause_before_load_is_einval", control(PVMON_DOMAIN_CONTROL_unpause, domain),
           -XEN_EINVAL);
    request = control_request(PVMON_DOMAIN_CONTROL_set_memory, domain);
    expect("domain_control_set_memory_zero_pages_is_einval", hypercall_domain_control(&request), -XEN_EINVAL);
    request.u.set_memory.pages = PVMON_DOMAIN_CONTROL_MAX_PAGES + 1;
    expect("domain_control_set_memory_above_maximum_is_einval", hypercall_domain_control(&request), -XEN_EINVAL);
    request.u.set_memory.pages = PVMON_DOMAIN_CONTROL_MAX_PAGES;
    expect("domain_control_set_memory_beyond_free_memory_is_enomem", hypercall_domain_control(&request),
           -XEN_ENOMEM);
    request.u.set_memory.pages = 1024;
    expect("domain_control_set_memory_succeeds", hypercall_domain_control(&request), 0);
    expect("domain_control_set_memory_twice_is_eexist", hypercall_domain_control(&request), -XEN_EEXIST);
    request = control_request(PVMON_DOMAIN_CONTROL_load, domain);
    request.u.load.kernel_address = (uint64_t)not_an_elf_image;
    request.u.load.kernel_size = sizeof(not_an_elf_image);
    expect("domain_control_load_bad_image_is_einval", hypercall_domain_control(&request), -XEN_EINVAL);
    request.u.load.kernel_size = PVMON_DOMAIN_CONTROL_MAX_IMAGE_SIZE + 1;
    expect("domain_control_load_oversized_image_is_einval", hypercall_domain_control(&request), -XEN_EINVAL);
    request.u.load.kernel_address = HYPERVISOR_ADDRESS;
    request.u.load.kernel_size = 4096;
    expect("domain_control_load_from_hypervisor_is_efault", hypercall_domain_control(&request), -XEN_EFAULT);
    expect("domain_control_destroy_succeeds", control(PVMON_DOMAIN_CONTROL_destroy, domain), 0);
    expect("domain_control_destroyed_domain_is_gone", control(PVMON_DOMAIN_CONTROL_pause, domain), -XEN_ESRCH);
    request = control_request(PVMON_DOMAIN_CONTROL_create, 0);
    expect("domain_control_create_after_destroy_succeeds", hypercall_domain_control(&request), 0);
    expect("domain_control_destroyed_id_is_not_reused_at_once", request.domain > domain, 1);
    expect("domain_control_destroy_of_the_second_domain_succeeds",
           control(PVMON_DOMAIN_CONTROL_destroy, request.domain), 0);
}

/* dom0 reads the machine's memory counters; a domU is refused them
 * (tests/hypercall/reservation.c). */
static void check_memory_extension(void)
{
    struct pvmon_memory_statistics statistics = { 0 };

    expect("memory_extension_machine_statistics_succeed_for_dom0",
           hypercall3(__PVMON_HYPERVISOR_memory_extension, PVMON_MEMORY_statistics, (unsigned long)&statistics, 0), 0);
    expect("memory_extension_machine_statistics_count_free_frames", statistics.free_frames > 0, 1);
}

void run_hypercall_checks(const struct start_info *start_info)
{
    (void)start_info;
    check_console_io();
    check_sched_op();
    check_dispatch();
    check_domain_control_request_validation();
    check_domain_control_domain_ids();
    check_domain_control_life_cycle();
    check_memory_extension();
    console_printf("pv-kernel: hypercall checks: %u passed, %u failed\n", passed, failed);
}
