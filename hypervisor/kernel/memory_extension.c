/*
 * pvmon's memory extension (hypercall/public/memory_extension.h): which
 * of a guest's frames are still known to be zero, the machine's memory
 * counters (the privileged domain's alone: -EPERM to a domU), each
 * domain's own counters, and free frames a guest gives back (free page
 * reporting: only frames nothing but their allocation references, Xen's
 * steal_page rule, so none stays reachable in the giver; at most
 * PVMON_GIVE_BACK_LIMIT per call, so the work is bounded).
 *
 * Rules kept here: the structure and lists come only through the
 * copy-from/to-guest helpers (-EFAULT); a query names at most
 * PVMON_KNOWN_ZERO_QUERY_LIMIT frames (-EINVAL); a frame the caller does
 * not own is answered "not known zero", so the query tells nothing about
 * other domains' memory.
 */
#include <pvmon/domain.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <pvmon/string.h>

#define QUERY_CHUNK 64

static bool is_known_zero_for(const struct domain *domain, uint64_t frame)
{
    return domain_owns_machine_frame(domain, frame) && page_is_known_zero(domain_page_memory(), frame);
}

/* Answers frames [first, first + count) of the list, count <= QUERY_CHUNK. */
static int answer_chunk(const struct domain *domain, const struct pvmon_known_zero_query *query, uint32_t first,
                        uint32_t count, uint32_t *known_zero)
{
    uint64_t frames[QUERY_CHUNK];
    uint8_t bits[QUERY_CHUNK / 8];

    if (copy_from_guest(frames, query->frames + first * sizeof(uint64_t), count * sizeof(uint64_t)) != 0)
        return -XEN_EFAULT;
    memset(bits, 0, sizeof(bits));
    for (uint32_t index = 0; index < count; index++) {
        if (is_known_zero_for(domain, frames[index])) {
            bits[index / 8] |= (uint8_t)(1 << (index % 8));
            (*known_zero)++;
        }
    }
    return copy_to_guest(query->bitmap + first / 8, bits, (count + 7) / 8) != 0 ? -XEN_EFAULT : 0;
}

static long query_known_zero(const struct domain *domain, uint64_t argument)
{
    struct pvmon_known_zero_query query;

    if (copy_from_guest(&query, argument, sizeof(query)) != 0)
        return -XEN_EFAULT;
    if (query.count > PVMON_KNOWN_ZERO_QUERY_LIMIT || query.known_zero != 0)
        return -XEN_EINVAL;
    for (uint32_t first = 0; first < query.count; first += QUERY_CHUNK) {
        uint32_t count = query.count - first < QUERY_CHUNK ? query.count - first : QUERY_CHUNK;
        int error = answer_chunk(domain, &query, first, count, &query.known_zero);

        if (error)
            return error;
    }
    return copy_to_guest(argument, &query, sizeof(query)) != 0 ? -XEN_EFAULT : 0;
}

/* Machine-wide: the privileged domain's alone (Xen's sysctl is -EPERM to
 * an unprivileged guest). */
static long statistics(const struct domain *domain, uint64_t argument)
{
    struct pvmon_memory_statistics counters;

    if (!domain->privileged)
        return -XEN_EPERM;
    domain_memory_statistics(&counters);
    return copy_to_guest(argument, &counters, sizeof(counters)) != 0 ? -XEN_EFAULT : 0;
}

/* Gives back frames [first, first + count) of the list, count <= QUERY_CHUNK. */
static int give_back_chunk(const struct domain *domain, const struct pvmon_free_frames *request, uint32_t first,
                           uint32_t count, uint32_t *given_back)
{
    uint64_t frames[QUERY_CHUNK];

    if (copy_from_guest(frames, request->frames + first * sizeof(uint64_t), count * sizeof(uint64_t)) != 0)
        return -XEN_EFAULT;
    for (uint32_t index = 0; index < count; index++) {
        int error = domain_memory_give_back_unreferenced(domain->id, frames[index]);

        if (error)
            return error;
        (*given_back)++;
    }
    return 0;
}

static long give_back_free(const struct domain *domain, uint64_t argument)
{
    struct pvmon_free_frames request;
    int error = 0;

    if (copy_from_guest(&request, argument, sizeof(request)) != 0)
        return -XEN_EFAULT;
    if (request.count > PVMON_GIVE_BACK_LIMIT || request.given_back != 0)
        return -XEN_EINVAL;
    for (uint32_t first = 0; first < request.count && error == 0; first += QUERY_CHUNK) {
        uint32_t count = request.count - first < QUERY_CHUNK ? request.count - first : QUERY_CHUNK;

        error = give_back_chunk(domain, &request, first, count, &request.given_back);
    }
    if (copy_to_guest(argument, &request, sizeof(request)) != 0)
        return -XEN_EFAULT;
    return error;
}

static long domain_statistics(const struct domain *domain, uint64_t argument)
{
    struct pvmon_domain_memory_statistics counters = domain->counters;

    counters.pages = domain->page_count;
    counters.maximum_pages = domain->maximum_pages;
    return copy_to_guest(argument, &counters, sizeof(counters)) != 0 ? -XEN_EFAULT : 0;
}

long do_memory_extension(struct vcpu *vcpu, uint64_t command, uint64_t argument)
{
    switch (command) {
    case PVMON_MEMORY_query_known_zero:
        return query_known_zero(vcpu->domain, argument);
    case PVMON_MEMORY_statistics:
        return statistics(vcpu->domain, argument);
    case PVMON_MEMORY_domain_statistics:
        return domain_statistics(vcpu->domain, argument);
    case PVMON_MEMORY_give_back_free:
        return give_back_free(vcpu->domain, argument);
    default:
        return -XEN_ENOSYS;
    }
}
