/*
 * pvmon's domain_control (hypercall/public/domain_control.h) from an
 * unprivileged domain: every command is -EPERM, whatever it names, even
 * when the request itself is valid (read_console with a writable buffer:
 * the hypervisor's console history is dom0's only, as Xen's
 * XEN_SYSCTL_readconsole is the privileged domain's).
 */
#include "check.h"

const char test_family[] = "domain_control";

static char history_buffer[256];

static long request(uint32_t command, uint16_t domain)
{
    struct pvmon_domain_control control = {
        .command = command,
        .interface_version = PVMON_DOMAIN_CONTROL_INTERFACE_VERSION,
        .domain = domain,
    };

    if (command == PVMON_DOMAIN_CONTROL_set_memory)
        control.u.set_memory.pages = 256;
    if (command == PVMON_DOMAIN_CONTROL_read_console) {
        control.u.read_console.buffer = (uint64_t)(unsigned long)history_buffer;
        control.u.read_console.count = sizeof(history_buffer);
    }
    return hypercall_domain_control(&control);
}

void run_tests(void)
{
    expect_result("create_from_domu_is_eperm", request(PVMON_DOMAIN_CONTROL_create, 0), -XEN_EPERM);
    expect_result("set_memory_from_domu_is_eperm", request(PVMON_DOMAIN_CONTROL_set_memory, 1), -XEN_EPERM);
    expect_result("load_from_domu_is_eperm", request(PVMON_DOMAIN_CONTROL_load, 1), -XEN_EPERM);
    expect_result("unpause_from_domu_is_eperm", request(PVMON_DOMAIN_CONTROL_unpause, 1), -XEN_EPERM);
    expect_result("pause_dom0_from_domu_is_eperm", request(PVMON_DOMAIN_CONTROL_pause, 0), -XEN_EPERM);
    expect_result("destroy_dom0_from_domu_is_eperm", request(PVMON_DOMAIN_CONTROL_destroy, 0), -XEN_EPERM);
    expect_result("destroy_self_from_domu_is_eperm", request(PVMON_DOMAIN_CONTROL_destroy, DOMID_SELF), -XEN_EPERM);
    expect_result("get_info_from_domu_is_eperm", request(PVMON_DOMAIN_CONTROL_get_info, 0), -XEN_EPERM);
    expect_result("read_console_from_domu_is_eperm", request(PVMON_DOMAIN_CONTROL_read_console, 0), -XEN_EPERM);
    expect_result("unknown_command_from_domu_is_eperm", request(99, 0), -XEN_EPERM);
}
