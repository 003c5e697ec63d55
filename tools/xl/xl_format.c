/*
 * xl's output formats (xl_format.h), written with the widths and words of
 * Xen's tools/xl/xl_info.c (list_domains, output_nodeinfo,
 * output_physinfo, output_xeninfo, print_info) and tools/xentop/xentop.c
 * (fields[], do_summary, do_header, do_domain and the print_* functions),
 * read for their formats, not copied.  Pure: figures in, text out, every
 * write bounded by the caller's buffer.
 */
#include <stdarg.h>
#include <stdint.h>
#include <xen/sched.h>
#include <public/domain_control.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include "xl_format.h"

struct output {
    char *buffer;
    size_t size;
    size_t length; /* of the whole output, which may exceed size */
};

static void append(struct output *output, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void append(struct output *output, const char *format, ...)
{
    size_t room = output->length < output->size ? output->size - output->length : 0;
    va_list arguments;
    int length;

    va_start(arguments, format);
    length = format_string_va(room > 0 ? output->buffer + output->length : NULL, room, format, arguments);
    va_end(arguments);
    if (length > 0)
        output->length += (size_t)length;
}

/* Terminates the text (also when nothing was written) and returns its whole length. */
static int finish(const struct output *output)
{
    if (output->size > 0)
        output->buffer[output->length < output->size ? output->length : output->size - 1] = '\0';
    return (int)output->length;
}

/* value / divisor in tenths, rounded to nearest (printf's %.1f of the quotient); 0 for divisor 0. */
static uint64_t tenths(uint64_t value, uint64_t divisor)
{
    if (divisor == 0)
        return 0;
    return (value / divisor) * 10 + ((value % divisor) * 10 + divisor / 2) / divisor;
}

/* A %WIDTH.1f of a figure in tenths. */
static void append_tenths(struct output *output, unsigned int width, uint64_t value_in_tenths)
{
    append(output, "%*lu.%lu", (int)width - 2, (unsigned long)(value_in_tenths / 10),
           (unsigned long)(value_in_tenths % 10));
}

/* --- xl list ------------------------------------------------------------------------ */

void xl_domain_state_from_pvmon(const struct pvmon_domain_info *info, struct xl_domain_state *state)
{
    *state = (struct xl_domain_state) { 0 };
    switch (info->state) {
    case PVMON_DOMAIN_STATE_paused:
        state->paused = true;
        break;
    case PVMON_DOMAIN_STATE_running:
        state->running = true;
        break;
    case PVMON_DOMAIN_STATE_shutdown:
        state->shutdown = true;
        state->shutdown_reason = info->shutdown_reason;
        break;
    case PVMON_DOMAIN_STATE_crashed:
        state->shutdown = true;
        state->shutdown_reason = SHUTDOWN_crash;
        break;
    default:
        break;
    }
}

void xl_list_state_letters(const struct xl_domain_state *state, char letters[7])
{
    static const char reason_letters[] = "-rscwS"; /* list_domains' shutdown_reason_letters */
    unsigned int reason = state->shutdown ? state->shutdown_reason : 0;

    letters[0] = state->running ? 'r' : '-';
    letters[1] = state->blocked ? 'b' : '-';
    letters[2] = state->paused ? 'p' : '-';
    letters[3] = state->shutdown ? 's' : '-';
    letters[4] = reason < sizeof(reason_letters) - 1 ? reason_letters[reason] : '?';
    letters[5] = state->dying ? 'd' : '-';
    letters[6] = '\0';
}

int xl_list_header(char *buffer, size_t size)
{
    return format_string(buffer, size, "%s\n", "Name                                        ID   Mem VCPUs\tState\tTime(s)");
}

/* list_domains' "%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f". */
int xl_list_line(char *buffer, size_t size, const struct xl_list_entry *entry)
{
    struct output output = { .buffer = buffer, .size = size };
    char letters[7];

    xl_list_state_letters(&entry->state, letters);
    append(&output, "%-40s %5u %5lu %5u     %s  ", entry->name, entry->domid,
           (unsigned long)(entry->memory_kib / 1024), entry->online_vcpus, letters);
    append_tenths(&output, 8, tenths(entry->cpu_time_ns, 1000000000));
    append(&output, "\n");
    return finish(&output);
}

/* --- xl info ------------------------------------------------------------------------ */

struct info_output {
    struct output output;
    const char *only;
};

#define INFO_LINE_SIZE 320

/* maybe_printf: the whole line, or with a prefix given, what follows ": " in the lines beginning with it. */
static void emit_info_line(struct info_output *info, const char *line)
{
    const char *colon;

    if (info->only == NULL) {
        append(&info->output, "%s", line);
        return;
    }
    for (colon = line; *colon != '\0' && *colon != ':'; colon++)
        continue;
    if (strncmp(line, info->only, strlen(info->only)) == 0 && *colon == ':' && colon[1] == ' ')
        append(&info->output, "%s", colon + 2);
}

/* "key                    : value" (the key padded to 23 columns, as every line of xl_info.c). */
static void info_line(struct info_output *info, const char *key, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void info_line(struct info_output *info, const char *key, const char *format, ...)
{
    char line[INFO_LINE_SIZE];
    va_list arguments;
    int length = format_string(line, sizeof(line), "%-23s: ", key);

    if (length < 0 || (size_t)length >= sizeof(line))
        return;
    va_start(arguments, format);
    format_string_va(line + length, sizeof(line) - (size_t)length - 1, format, arguments);
    va_end(arguments);
    length = (int)strlen(line);
    line[length] = '\n';
    line[length + 1] = '\0';
    emit_info_line(info, line);
}

static const char *text(const char *value)
{
    return value != NULL ? value : "";
}

static void info_node(struct info_output *out, const struct xl_host_info *info)
{
    info_line(out, "host", "%s", text(info->host));
    info_line(out, "release", "%s", text(info->release));
    info_line(out, "version", "%s", text(info->version));
    info_line(out, "machine", "%s", text(info->machine));
}

static void info_physical(struct info_output *out, const struct xl_host_info *info)
{
    uint64_t pages_per_mebibyte = info->page_size != 0 ? (UINT64_C(1) << 20) / info->page_size : 1;
    char line[INFO_LINE_SIZE];

    info_line(out, "nr_cpus", "%u", info->nr_cpus);
    info_line(out, "max_cpu_id", "%u", info->max_cpu_id);
    info_line(out, "nr_nodes", "%u", info->nr_nodes);
    info_line(out, "cores_per_socket", "%u", info->cores_per_socket);
    info_line(out, "threads_per_core", "%u", info->threads_per_core);
    info_line(out, "cpu_mhz", "%lu.%03lu", (unsigned long)(info->cpu_khz / 1000), (unsigned long)(info->cpu_khz % 1000));
    /* virt_caps has no blank after its colon: each word brings its own. */
    format_string(line, sizeof(line), "%-23s:%s%s%s\n", "virt_caps", info->cap_pv ? " pv" : "",
                  info->cap_gnttab_v1 ? " gnttab-v1" : "", info->cap_gnttab_v2 ? " gnttab-v2" : "");
    emit_info_line(out, line);
    if (pages_per_mebibyte == 0)
        pages_per_mebibyte = 1;
    info_line(out, "total_memory", "%lu", (unsigned long)(info->total_pages / pages_per_mebibyte));
    info_line(out, "free_memory", "%lu", (unsigned long)(info->free_pages / pages_per_mebibyte));
    info_line(out, "free_cpus", "%u", info->free_cpus);
}

static void info_xen(struct info_output *out, const struct xl_host_info *info)
{
    info_line(out, "xen_major", "%u", info->xen_major);
    info_line(out, "xen_minor", "%u", info->xen_minor);
    info_line(out, "xen_extra", "%s", text(info->xen_extra));
    info_line(out, "xen_version", "%u.%u%s", info->xen_major, info->xen_minor, text(info->xen_extra));
    info_line(out, "xen_caps", "%s", text(info->xen_caps));
    info_line(out, "xen_scheduler", "%s", text(info->xen_scheduler));
    info_line(out, "xen_pagesize", "%u", info->page_size);
    info_line(out, "platform_params", "virt_start=0x%lx", (unsigned long)info->virt_start);
    info_line(out, "xen_changeset", "%s", text(info->xen_changeset));
    info_line(out, "xen_commandline", "%s", text(info->xen_commandline));
    info_line(out, "cc_compiler", "%s", text(info->cc_compiler));
    info_line(out, "cc_compile_by", "%s", text(info->cc_compile_by));
    info_line(out, "cc_compile_domain", "%s", text(info->cc_compile_domain));
    info_line(out, "cc_compile_date", "%s", text(info->cc_compile_date));
}

int xl_info_format(char *buffer, size_t size, const struct xl_host_info *info, const char *only)
{
    struct info_output out = { .output = { .buffer = buffer, .size = size }, .only = only };

    info_node(&out, info);
    info_physical(&out, info);
    info_xen(&out, info);
    info_line(&out, "xend_config_format", "4");
    return finish(&out.output);
}

/* --- xl top (xentop) ------------------------------------------------------------------ */

/* xentop's fields[]: header and default width, in column order. */
static const struct {
    const char *header;
    unsigned int width;
} xentop_fields[] = {
    { "NAME", 10 }, { "STATE", 6 }, { "CPU(sec)", 10 }, { "CPU(%)", 6 }, { "MEM(k)", 10 },
    { "MEM(%)", 6 }, { "MAXMEM(k)", 10 }, { "MAXMEM(%)", 9 }, { "VCPUS", 5 }, { "NETS", 4 },
    { "NETTX(k)", 8 }, { "NETRX(k)", 8 }, { "VBDS", 4 }, { "VBD_OO", 8 }, { "VBD_RD", 8 },
    { "VBD_WR", 8 }, { "VBD_RSECT", 10 }, { "VBD_WSECT", 10 }, { "SSID", 4 },
};

enum xentop_column {
    COLUMN_NAME, COLUMN_STATE, COLUMN_CPU, COLUMN_CPU_PCT, COLUMN_MEM, COLUMN_MEM_PCT, COLUMN_MAXMEM,
    COLUMN_MAX_PCT, COLUMN_VCPUS, COLUMN_NETS, COLUMN_NET_TX, COLUMN_NET_RX, COLUMN_VBDS, COLUMN_VBD_OO,
    COLUMN_VBD_RD, COLUMN_VBD_WR, COLUMN_VBD_RSECT, COLUMN_VBD_WSECT, COLUMN_SSID,
};

static bool xentop_crashed(const struct xl_domain_state *state)
{
    return state->shutdown && state->shutdown_reason == SHUTDOWN_crash;
}

/* xenstat_domain_shutdown: shut down for any reason but a crash. */
static bool xentop_shut_down(const struct xl_domain_state *state)
{
    return state->shutdown && state->shutdown_reason != SHUTDOWN_crash;
}

int xentop_summary(char *buffer, size_t size, const struct xentop_node *node, const struct xentop_domain *domains,
                   unsigned int count)
{
    struct output output = { .buffer = buffer, .size = size };
    unsigned int running = 0, blocked = 0, paused = 0, crashed = 0, dying = 0, shut_down = 0;
    uint64_t used_kib = node->total_kib >= node->free_kib ? node->total_kib - node->free_kib : 0;

    for (unsigned int index = 0; index < count; index++) {
        const struct xl_domain_state *state = &domains[index].state;

        if (state->running)
            running++;
        else if (state->blocked)
            blocked++;
        else if (state->paused)
            paused++;
        else if (xentop_shut_down(state))
            shut_down++;
        else if (xentop_crashed(state))
            crashed++;
        else if (state->dying)
            dying++;
    }
    append(&output, "xentop - %02u:%02u:%02u   Xen %s\n", node->hours, node->minutes, node->seconds,
           text(node->xen_version));
    append(&output, "%u domains: %u running, %u blocked, %u paused, %u crashed, %u dying, %u shutdown \n", count,
           running, blocked, paused, crashed, dying, shut_down);
    append(&output, "Mem: %luk total, %luk used, %luk free    ", (unsigned long)node->total_kib,
           (unsigned long)used_kib, (unsigned long)node->free_kib);
    append(&output, "CPUs: %u @ %luMHz\n", node->cpus, (unsigned long)node->cpu_mhz);
    return finish(&output);
}

int xentop_header(char *buffer, size_t size)
{
    struct output output = { .buffer = buffer, .size = size };

    for (unsigned int index = 0; index < sizeof(xentop_fields) / sizeof(xentop_fields[0]); index++)
        append(&output, "%s%*s", index != 0 ? " " : "", (int)xentop_fields[index].width, xentop_fields[index].header);
    append(&output, "\n");
    return finish(&output);
}

/* print_state: the letters d s b c p r, in that order. */
static void xentop_state(struct output *output, const struct xl_domain_state *state)
{
    append(output, "%c%c%c%c%c%c", state->dying ? 'd' : '-', xentop_shut_down(state) ? 's' : '-',
           state->blocked ? 'b' : '-', xentop_crashed(state) ? 'c' : '-', state->paused ? 'p' : '-',
           state->running ? 'r' : '-');
}

static void xentop_number(struct output *output, enum xentop_column column, uint64_t value)
{
    append(output, " %*lu", (int)xentop_fields[column].width, (unsigned long)value);
}

static void xentop_percent(struct output *output, enum xentop_column column, uint64_t value_in_tenths)
{
    append(output, " ");
    append_tenths(output, xentop_fields[column].width, value_in_tenths);
}

/* get_cpu_pct: (cpu_ns - previous) / 10 / elapsed_us percent, i.e. (cpu_ns - previous) / elapsed_us tenths. */
static uint64_t cpu_percent_tenths(const struct xentop_domain *domain)
{
    if (domain->elapsed_us == 0 || domain->cpu_ns < domain->previous_cpu_ns)
        return 0;
    return tenths(domain->cpu_ns - domain->previous_cpu_ns, domain->elapsed_us * 10);
}

int xentop_line(char *buffer, size_t size, const struct xentop_domain *domain, uint64_t node_total_kib)
{
    struct output output = { .buffer = buffer, .size = size };

    append(&output, "%10.10s ", text(domain->name));
    xentop_state(&output, &domain->state);
    xentop_number(&output, COLUMN_CPU, domain->cpu_ns / 1000000000);
    xentop_percent(&output, COLUMN_CPU_PCT, cpu_percent_tenths(domain));
    xentop_number(&output, COLUMN_MEM, domain->memory_kib);
    xentop_percent(&output, COLUMN_MEM_PCT, tenths(domain->memory_kib * 100, node_total_kib));
    if (domain->max_memory_kib == XENTOP_NO_MEMORY_LIMIT) {
        append(&output, " %10s %9s", "no limit", "n/a");
    } else {
        xentop_number(&output, COLUMN_MAXMEM, domain->max_memory_kib);
        xentop_percent(&output, COLUMN_MAX_PCT, tenths(domain->max_memory_kib * 100, node_total_kib));
    }
    xentop_number(&output, COLUMN_VCPUS, domain->vcpus);
    xentop_number(&output, COLUMN_NETS, domain->nets);
    xentop_number(&output, COLUMN_NET_TX, domain->net_tx_bytes / 1024);
    xentop_number(&output, COLUMN_NET_RX, domain->net_rx_bytes / 1024);
    xentop_number(&output, COLUMN_VBDS, domain->vbds);
    xentop_number(&output, COLUMN_VBD_OO, domain->vbd_oo);
    xentop_number(&output, COLUMN_VBD_RD, domain->vbd_rd);
    xentop_number(&output, COLUMN_VBD_WR, domain->vbd_wr);
    xentop_number(&output, COLUMN_VBD_RSECT, domain->vbd_rsect);
    xentop_number(&output, COLUMN_VBD_WSECT, domain->vbd_wsect);
    xentop_number(&output, COLUMN_SSID, domain->ssid);
    append(&output, "\n");
    return finish(&output);
}
