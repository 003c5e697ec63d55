/*
 * Creating and destroying domains, and the memory they own.
 *
 * Rules kept here:
 *   - Every frame a domain gets is zeroed before the domain can see it, and
 *     zeroed again when the domain gives it back, so no data ever passes
 *     from one domain to another through reused memory.
 *   - Frames given to a domain are marked FRAME_DOMAIN with its id; the
 *     physical-to-machine table and shared_info stay the hypervisor's.
 *   - A domain is destroyed only after the CPU has left its page tables.
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/errno.h>
#include <pvmon/memory.h>
#include <pvmon/panic.h>
#include <pvmon/printk.h>
#include <pvmon/string.h>

static struct domain domains[DOMAIN_LIMIT];

static void zero_frame(uint64_t frame)
{
    memset(physical_to_virtual(frame * PAGE_SIZE), 0, PAGE_SIZE);
}

static unsigned int order_for_bytes(uint64_t bytes)
{
    unsigned int order = 0;

    while ((PAGE_SIZE << order) < bytes)
        order++;
    return order;
}

static int allocate_zeroed(uint64_t *frame)
{
    int error = frame_allocator_allocate(machine_frame_allocator(), 0, frame);

    if (error == 0)
        zero_frame(*frame);
    return error;
}

static void give_back(uint64_t frame)
{
    zero_frame(frame);
    BUG_ON(frame_allocator_free(machine_frame_allocator(), frame, 0) != 0);
}

static int allocate_domain_memory(struct domain *domain)
{
    struct frame *frames = machine_frame_allocator()->frames;
    uint64_t table_bytes = domain->page_count * sizeof(uint64_t);

    domain->physical_to_machine_order = order_for_bytes(table_bytes);
    if (frame_allocator_allocate(machine_frame_allocator(), domain->physical_to_machine_order,
                                 &domain->physical_to_machine_frame) != 0) {
        domain->page_count = 0;
        return -XEN_ENOMEM;
    }
    domain->physical_to_machine = physical_to_virtual(domain->physical_to_machine_frame * PAGE_SIZE);
    for (uint64_t page = 0; page < domain->page_count; page++) {
        uint64_t frame;

        if (allocate_zeroed(&frame) != 0) {
            domain->page_count = page;
            return -XEN_ENOMEM;
        }
        frames[frame].state = FRAME_DOMAIN;
        frames[frame].owner = domain->id;
        domain->physical_to_machine[page] = frame;
    }
    return allocate_zeroed(&domain->shared_info_frame) == 0 ? 0 : -XEN_ENOMEM;
}

static void release_domain_memory(struct domain *domain)
{
    struct frame *frames = machine_frame_allocator()->frames;

    for (uint64_t page = 0; page < domain->page_count; page++) {
        uint64_t frame = domain->physical_to_machine[page];

        frames[frame].state = FRAME_HYPERVISOR;
        give_back(frame);
    }
    if (domain->shared_info_frame != 0)
        give_back(domain->shared_info_frame);
    if (domain->physical_to_machine != NULL)
        BUG_ON(frame_allocator_free(machine_frame_allocator(), domain->physical_to_machine_frame,
                                    domain->physical_to_machine_order) != 0);
}

struct domain *domain_create(uint16_t id, bool privileged, uint64_t page_count)
{
    struct domain *domain = NULL;

    for (unsigned int index = 0; index < DOMAIN_LIMIT && domain == NULL; index++) {
        if (domains[index].state == DOMAIN_UNUSED)
            domain = &domains[index];
    }
    if (domain == NULL || page_count == 0)
        return NULL;
    memset(domain, 0, sizeof(*domain));
    domain->id = id;
    domain->privileged = privileged;
    domain->state = DOMAIN_BUILDING;
    domain->page_count = page_count;
    domain->vcpu.domain = domain;
    if (allocate_domain_memory(domain) != 0) {
        printk(LOG_ERROR, "domain %u: not enough memory for %lu pages\n", id, page_count);
        domain_destroy(domain);
        return NULL;
    }
    return domain;
}

void domain_destroy(struct domain *domain)
{
    struct vcpu *running = current_vcpu();

    if (running != NULL && running->domain == domain) {
        paging_load_hypervisor_root();
        current_cpu()->current_vcpu = NULL;
    }
    release_domain_memory(domain);
    memset(domain, 0, sizeof(*domain));
}

uint64_t domain_machine_frame(const struct domain *domain, uint64_t physical_frame)
{
    BUG_ON(physical_frame >= domain->page_count);
    return domain->physical_to_machine[physical_frame];
}

static const char *shutdown_reason_name(unsigned int reason)
{
    static const char *const names[] = { "poweroff", "reboot", "suspend", "crash", "watchdog",
                                         "soft reset" };

    return reason < sizeof(names) / sizeof(names[0]) ? names[reason] : "unknown reason";
}

void domain_shutdown(struct domain *domain, unsigned int reason)
{
    printk(LOG_INFO, "domain %u shut down (%s); tearing it down\n", domain->id,
           shutdown_reason_name(reason));
    domain->state = DOMAIN_SHUT_DOWN;
    domain->shutdown_reason = reason;
    domain_destroy(domain);
}

void domain_crash(struct domain *domain, const char *why)
{
    printk(LOG_WARNING, "domain %u crashed: %s; tearing it down\n", domain->id, why);
    domain->state = DOMAIN_CRASHED;
    domain_destroy(domain);
}

/* Guest console output, one line at a time, prefixed with the domain id.
 * Control characters other than tab become '?', so that a guest cannot
 * send escape sequences to the operator's terminal. */
void domain_console_write(struct domain *domain, const char *text, size_t length)
{
    for (size_t index = 0; index < length; index++) {
        char character = text[index];

        if ((unsigned char)character < ' ' && character != '\n' && character != '\t')
            character = '?';
        if ((unsigned char)character == 0x7f)
            character = '?';
        bool line_full = domain->console_line_length == DOMAIN_CONSOLE_LINE_SIZE - 1;


        if (character != '\n' && !line_full) {
            domain->console_line[domain->console_line_length++] = character;
            continue;
        }
        domain->console_line[domain->console_line_length] = '\0';
        printk(LOG_INFO, "(d%u) %s\n", domain->id, domain->console_line);
        domain->console_line_length = 0;
        if (character != '\n')
            domain->console_line[domain->console_line_length++] = character;
    }
}
