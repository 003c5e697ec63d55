/*
 * xl's output formats, pure: the caller gathers the figures (from pvmon's
 * domain_control get_info, dom0's own counters) and prints the text.
 *
 *   xl list   the table of tools/xl/xl_info.c's list_domains: the header
 *             "Name  ID  Mem VCPUs<TAB>State<TAB>Time(s)" and one line a
 *             domain, the state six letters r b p s, the shutdown reason
 *             (- r s c w S for poweroff, reboot, suspend, crash, watchdog,
 *             soft reset), d
 *   xl info   "key                    : value" lines in the order of
 *             xl_info.c's print_info (output_nodeinfo, output_physinfo,
 *             output_xeninfo, xend_config_format), for the keys pvmon knows;
 *             with a key given, only the values of the keys it begins (xl
 *             info's maybe_printf)
 *   xl top    xentop's batch output (tools/xentop/xentop.c): its summary
 *             lines, the header of its nineteen fields and one line a
 *             domain, at their default widths
 *
 * Every function writes into buffer as format_string does (at most size - 1
 * characters and a NUL when size > 0) and returns the length of the whole
 * output, so that a caller can tell it was cut.  There is no floating
 * point in dom0: the %.1f figures are computed in tenths, rounded to
 * nearest.
 */
#ifndef TOOLS_XL_XL_FORMAT_H
#define TOOLS_XL_XL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pvmon_domain_info;

/* libxl_dominfo's state flags (and xenstat's, which derive from the same XEN_DOMINF_* flags). */
struct xl_domain_state {
    bool running;
    bool blocked;
    bool paused;
    bool shutdown;
    bool dying;
    unsigned int shutdown_reason; /* SHUTDOWN_* of <xen/sched.h>, when shutdown */
};

/* One row of xl list. */
struct xl_list_entry {
    const char *name;
    uint32_t domid;
    uint64_t memory_kib;        /* current memory */
    unsigned int online_vcpus;
    struct xl_domain_state state;
    uint64_t cpu_time_ns;
};

/*
 * The state pvmon's domain_control get_info reports, in xl's flags: paused,
 * shut down with its reason, crashed as shut down for SHUTDOWN_crash (as
 * Xen's domain_crash does), and "running" (runnable, running or blocked:
 * pvmon does not tell them apart) as running.
 */
void xl_domain_state_from_pvmon(const struct pvmon_domain_info *info, struct xl_domain_state *state);

/* The six letters of xl list's State column into letters[0..5], a NUL at letters[6]. */
void xl_list_state_letters(const struct xl_domain_state *state, char letters[7]);

int xl_list_header(char *buffer, size_t size);
int xl_list_line(char *buffer, size_t size, const struct xl_list_entry *entry);

/* What xl info prints, for the keys pvmon knows (NULL strings print as empty). */
struct xl_host_info {
    const char *host;             /* output_nodeinfo: uname's fields of dom0 */
    const char *release;
    const char *version;
    const char *machine;
    unsigned int nr_cpus;         /* output_physinfo */
    unsigned int max_cpu_id;
    unsigned int nr_nodes;
    unsigned int cores_per_socket;
    unsigned int threads_per_core;
    uint64_t cpu_khz;
    bool cap_pv;                  /* virt_caps words */
    bool cap_gnttab_v1;
    bool cap_gnttab_v2;
    uint64_t total_pages;         /* printed in MiB, as xl does */
    uint64_t free_pages;
    unsigned int free_cpus;
    unsigned int xen_major;       /* output_xeninfo */
    unsigned int xen_minor;
    const char *xen_extra;        /* ".0", as XENVER_extraversion */
    const char *xen_caps;
    const char *xen_scheduler;
    unsigned int page_size;
    uint64_t virt_start;
    const char *xen_changeset;
    const char *xen_commandline;
    const char *cc_compiler;
    const char *cc_compile_by;
    const char *cc_compile_domain;
    const char *cc_compile_date;
};

/* The whole of xl info, or with only != NULL the values of the keys beginning with it. */
int xl_info_format(char *buffer, size_t size, const struct xl_host_info *info, const char *only);

#define XENTOP_NO_MEMORY_LIMIT UINT64_MAX

/* One domain as xentop shows it (xenstat_domain's figures). */
struct xentop_domain {
    const char *name;
    struct xl_domain_state state;
    uint64_t cpu_ns;
    uint64_t previous_cpu_ns;     /* at the previous sample */
    uint64_t elapsed_us;          /* since it; 0: no previous sample (CPU(%) 0.0) */
    uint64_t memory_kib;
    uint64_t max_memory_kib;      /* XENTOP_NO_MEMORY_LIMIT: "no limit" */
    unsigned int vcpus;
    unsigned int nets;
    uint64_t net_tx_bytes;
    uint64_t net_rx_bytes;
    unsigned int vbds;
    uint64_t vbd_oo;
    uint64_t vbd_rd;
    uint64_t vbd_wr;
    uint64_t vbd_rsect;
    uint64_t vbd_wsect;
    uint32_t ssid;
};

/* The host's figures of xentop's summary lines. */
struct xentop_node {
    unsigned int hours, minutes, seconds; /* the time of the sample */
    const char *xen_version;              /* "4.14.0" */
    uint64_t total_kib;
    uint64_t free_kib;
    unsigned int cpus;
    uint64_t cpu_mhz;
};

/* do_summary's three lines: the time and version, the domains by state, memory and CPUs. */
int xentop_summary(char *buffer, size_t size, const struct xentop_node *node, const struct xentop_domain *domains,
                   unsigned int count);
/* do_header's line of field names. */
int xentop_header(char *buffer, size_t size);
/* do_domain's line; node_total_kib for MEM(%) and MAXMEM(%). */
int xentop_line(char *buffer, size_t size, const struct xentop_domain *domain, uint64_t node_total_kib);

#endif
