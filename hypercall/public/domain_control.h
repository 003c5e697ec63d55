/*
 * pvmon's domain-control hypercall: how the privileged domain (dom0)
 * creates, fills, starts, lists and destroys other domains.
 *
 * This is pvmon's own extension, not part of the Xen ABI (Xen's domctl is
 * tied to libxc's builder and its interface version; pvmon's is small on
 * purpose).  It follows Xen's conventions: one hypercall number, a command
 * in a structure the caller passes by pointer, DOMID_SELF not accepted
 * where another domain is meant, Xen error numbers.  The split mirrors
 * xl's: create an empty paused domain, give it memory, load a kernel,
 * unpause it; so that the building policy can move into dom0's toolstack
 * later without changing the hypervisor.
 *
 * Only a privileged domain may call it: any other gets -EPERM for every
 * command.  Every field is validated: -EFAULT for an unreadable request,
 * -EACCES for an interface_version other than this header's, -EINVAL for
 * non-zero reserved fields, -ENOSYS for an unknown command.
 *
 *   PVMON_DOMAIN_CONTROL_create       in: weight (0 = default 256)
 *                                     out: domain (the new domain's id)
 *       The domain exists, paused, with no memory.  -ENOSPC when the
 *       domain table is full, -EINVAL for a weight above 65535.
 *   PVMON_DOMAIN_CONTROL_set_memory   in: domain, pages
 *       Gives the (not yet loaded) domain its pseudo-physical memory:
 *       pages zeroed frames.  -ENOMEM if the hypervisor has not enough,
 *       -EINVAL for 0 pages or more than PVMON_DOMAIN_CONTROL_MAX_PAGES,
 *       -EEXIST if the domain already has memory.  The frames are given
 *       in bounded steps; the hypervisor may re-issue the call between
 *       them (a continuation, invisible to the caller), and the same
 *       request issued again while it is under way goes on with it.
 *   PVMON_DOMAIN_CONTROL_load         in: domain, kernel_address,
 *                                     kernel_size, module_address,
 *                                     module_size, command_line_address,
 *                                     store_event_channel,
 *                                     console_event_channel
 *                                     out: store_frame, console_frame
 *       Builds the domain from a PV kernel ELF image in the caller's
 *       memory (and an optional module and NUL-terminated command line,
 *       address 0 for none) exactly as dom0 is built.  The two event
 *       channels are ports of the new domain that the caller allocated
 *       unbound for itself (EVTCHNOP_alloc_unbound, dom = the domain,
 *       remote_dom = the caller), or 0 for none: the domain's start_info
 *       names them with its xenstore and console ring pages (store_mfn,
 *       store_evtchn, console.domU), as Xen's toolstack does, and the
 *       machine frames of those pages come back in store_frame and
 *       console_frame, for the caller's backends to map (mmu_update with
 *       foreigndom).  -EFAULT for bad
 *       addresses, -EINVAL for a bad image, sizes above
 *       PVMON_DOMAIN_CONTROL_MAX_IMAGE_SIZE, or a port that is not such
 *       an unbound port or while set_memory is under way, -ENOMEM if the
 *       domain's
 *       memory is too small, -EEXIST if it was loaded already or a load
 *       failed after it had started writing the domain's memory (such a
 *       domain can only be destroyed).
 *   PVMON_DOMAIN_CONTROL_unpause      in: domain
 *       A loaded domain starts (or resumes) running.  -EINVAL if it has
 *       not been loaded.
 *   PVMON_DOMAIN_CONTROL_pause        in: domain
 *       The domain stops being scheduled until unpaused.
 *   PVMON_DOMAIN_CONTROL_destroy      in: domain
 *       The domain is torn down whatever its state; its memory is zeroed
 *       and returned, in bounded steps between which the call may be
 *       continued; it returns once every frame is back.  A domain may not
 *       destroy itself (-EINVAL).
 *   PVMON_DOMAIN_CONTROL_get_info     in: domain
 *                                     out: info for the first existing
 *                                     domain whose id is >= domain
 *       -ESRCH if there is none: listing all domains is a loop from 0
 *       with domain = info.domain + 1.
 *   PVMON_DOMAIN_CONTROL_read_console in: read_console.buffer, count,
 *                                     index, clear, incremental
 *                                     out: read_console.count, index
 *       Xen's XEN_SYSCTL_readconsole: copies the hypervisor's console
 *       history (its last PVMON_CONSOLE_HISTORY_BYTES of output: its own
 *       messages and domUs' lines, not dom0's) into buffer, at most count
 *       bytes, from the oldest byte kept, or from index when incremental
 *       is 1 and index lies in the unread part; count becomes the bytes
 *       copied and index the history's index after the last of them
 *       (pass it back with incremental = 1 to read on).  clear = 1 drops
 *       what was read from the history (`xl dmesg -c`).  domain must be 0;
 *       -EINVAL for clear or incremental other than 0 or 1 or non-zero
 *       reserved bytes, -EFAULT if buffer cannot be written (then nothing
 *       is cleared).
 *
 * Commands that name a domain return -ESRCH for an id that does not exist
 * and -EINVAL for DOMID_SELF, for a reserved id, or for domain 0 (which
 * the hypervisor built and only the hypervisor tears down).
 */
#ifndef PVMON_PUBLIC_DOMAIN_CONTROL_H
#define PVMON_PUBLIC_DOMAIN_CONTROL_H

#include <stdint.h>

/* Hypercall number: the first above Xen's arch-specific range (48-55). */
#define __PVMON_HYPERVISOR_domain_control 56

#define PVMON_DOMAIN_CONTROL_INTERFACE_VERSION 0x00000002

#define PVMON_DOMAIN_CONTROL_create 1
#define PVMON_DOMAIN_CONTROL_set_memory 2
#define PVMON_DOMAIN_CONTROL_load 3
#define PVMON_DOMAIN_CONTROL_unpause 4
#define PVMON_DOMAIN_CONTROL_pause 5
#define PVMON_DOMAIN_CONTROL_destroy 6
#define PVMON_DOMAIN_CONTROL_get_info 7
#define PVMON_DOMAIN_CONTROL_read_console 8

#define PVMON_DOMAIN_CONTROL_MAX_PAGES (UINT64_C(1) << 20)        /* 4 GiB */
#define PVMON_DOMAIN_CONTROL_MAX_IMAGE_SIZE (UINT64_C(128) << 20) /* kernel or module */
#define PVMON_CONSOLE_HISTORY_BYTES (32 * 1024)                   /* read_console's history */

/* pvmon_domain_info.state */
#define PVMON_DOMAIN_STATE_paused 1    /* created, or paused by the toolstack */
#define PVMON_DOMAIN_STATE_running 2   /* runnable, running or blocked */
#define PVMON_DOMAIN_STATE_shutdown 3  /* shut down; shutdown_reason says why */
#define PVMON_DOMAIN_STATE_crashed 4

struct pvmon_domain_info {
    uint16_t domain;
    uint16_t state;             /* PVMON_DOMAIN_STATE_* */
    uint32_t shutdown_reason;   /* SHUTDOWN_* from <xen/sched.h>, when shut down */
    uint32_t privileged;        /* 1 for dom0 */
    uint32_t weight;            /* scheduler weight */
    uint64_t pages;             /* pseudo-physical memory, in pages */
    uint64_t cpu_time_ns;       /* time its vCPU has spent running */
};

struct pvmon_domain_control {
    uint32_t command;           /* PVMON_DOMAIN_CONTROL_* */
    uint32_t interface_version; /* PVMON_DOMAIN_CONTROL_INTERFACE_VERSION */
    uint16_t domain;
    uint16_t reserved[3];       /* must be zero */
    union {
        struct {
            uint32_t weight;
            uint32_t reserved;
        } create;
        struct {
            uint64_t pages;
        } set_memory;
        struct {
            uint64_t kernel_address;
            uint64_t kernel_size;
            uint64_t module_address;
            uint64_t module_size;
            uint64_t command_line_address;
            uint32_t store_event_channel;
            uint32_t console_event_channel;
            uint64_t store_frame;
            uint64_t console_frame;
        } load;
        struct pvmon_domain_info info;
        struct {
            uint64_t buffer;    /* address in the caller's memory */
            uint32_t count;     /* in: buffer's size; out: bytes copied */
            uint32_t index;     /* in: where to start if incremental; out: where the read stopped */
            uint8_t clear;      /* 1: drop what was read */
            uint8_t incremental; /* 1: start at index */
            uint8_t reserved[6]; /* must be zero */
        } read_console;
        uint8_t pad[64];
    } u;
};

#endif
