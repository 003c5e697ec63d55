/*
 * netfront's bookkeeping and checks (netfront_shadow.h): tx ids on a free
 * stack (Linux xen-netfront.c get_id_from_list / add_id_to_list), rx
 * buffers by ring index (xennet_rxidx), and the rules of
 * xennet_tx_buf_gc, xennet_get_responses and xennet_get_extras.
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/errno.h>
#include "netfront_shadow.h"

#define PAGE_MASK ((uintptr_t)NETFRONT_PAGE_SIZE - 1)

static int hex_digit(char character)
{
    if (character >= '0' && character <= '9')
        return character - '0';
    if (character >= 'a' && character <= 'f')
        return character - 'a' + 10;
    if (character >= 'A' && character <= 'F')
        return character - 'A' + 10;
    return -1;
}

int netfront_parse_address(const char *text, uint8_t address[6])
{
    uint8_t parsed[6];

    for (unsigned int index = 0; index < 6; index++) {
        const char *pair = text + 3 * index;
        int high = hex_digit(pair[0]), low = high < 0 ? -1 : hex_digit(pair[1]);
        char separator = index < 5 ? ':' : '\0';

        if (high < 0 || low < 0 || pair[2] != separator)
            return -XEN_EINVAL;
        parsed[index] = (uint8_t)(high << 4 | low);
    }
    for (unsigned int index = 0; index < 6; index++)
        address[index] = parsed[index];
    return 0;
}

/* --- transmit -------------------------------------------------------------------- */

static uint32_t frame_length(const struct netfront_fragment *fragments, unsigned int fragment_count)
{
    uint32_t length = 0;

    for (unsigned int index = 0; index < fragment_count; index++) {
        if (fragments[index].length > NETFRONT_MAX_FRAME_BYTES)
            return UINT32_MAX;
        length += fragments[index].length;
        if (length > NETFRONT_MAX_FRAME_BYTES)
            return UINT32_MAX;
    }
    return length;
}

/* Appends the pieces of one fragment, each within a page; false if there are too many. */
static bool cut_fragment(const struct netfront_fragment *fragment, struct netfront_tx_piece *pieces,
                         unsigned int *piece_count)
{
    uintptr_t address = (uintptr_t)fragment->data;
    uint32_t left = fragment->length;

    while (left > 0) {
        uint32_t offset = (uint32_t)(address & PAGE_MASK);
        uint32_t size = NETFRONT_PAGE_SIZE - offset < left ? NETFRONT_PAGE_SIZE - offset : left;

        if (*piece_count == NETFRONT_MAX_TX_SLOTS)
            return false;
        pieces[(*piece_count)++] = (struct netfront_tx_piece){
            .page_address = address & ~PAGE_MASK, .offset = (uint16_t)offset, .size = (uint16_t)size };
        address += size;
        left -= size;
    }
    return true;
}

int netfront_plan_transmission(const struct netfront_fragment *fragments, unsigned int fragment_count,
                               struct netfront_tx_piece pieces[NETFRONT_MAX_TX_SLOTS], unsigned int *piece_count)
{
    uint32_t length = frame_length(fragments, fragment_count);

    *piece_count = 0;
    if (length < NETFRONT_MIN_FRAME_BYTES || length > NETFRONT_MAX_FRAME_BYTES)
        return -XEN_EINVAL;
    for (unsigned int index = 0; index < fragment_count; index++)
        if (!cut_fragment(&fragments[index], pieces, piece_count))
            return -XEN_EINVAL;
    if (pieces[0].size < NETFRONT_ETHERNET_HEADER_BYTES)
        return -XEN_EINVAL;
    return 0;
}

void netfront_tx_requests(const struct netfront_tx_piece *pieces, unsigned int piece_count,
                          struct netif_tx_request *requests)
{
    uint32_t length = 0;

    for (unsigned int index = 0; index < piece_count; index++) {
        length += pieces[index].size;
        requests[index] = (struct netif_tx_request){
            .offset = pieces[index].offset, .size = pieces[index].size,
            .flags = index + 1 < piece_count ? NETTXF_more_data : 0 };
    }
    if (piece_count > 0)
        requests[0].size = (uint16_t)length;
}

void netfront_tx_shadow_init(struct netfront_tx_shadow *shadow)
{
    shadow->free_count = 0;
    for (unsigned int id = NETFRONT_TX_RING_SIZE; id-- > 0;) {
        shadow->entries[id] = (struct netfront_tx_entry){ .pending = false };
        shadow->free_ids[shadow->free_count++] = (uint16_t)id;
    }
}

int netfront_tx_shadow_take(struct netfront_tx_shadow *shadow, void *owner, grant_ref_t gref, uint16_t *id)
{
    uint16_t taken;

    if (shadow->free_count == 0)
        return -XEN_EBUSY;
    taken = shadow->free_ids[--shadow->free_count];
    shadow->entries[taken] = (struct netfront_tx_entry){ .pending = true, .gref = gref, .owner = owner };
    *id = taken;
    return 0;
}

void netfront_tx_shadow_release(struct netfront_tx_shadow *shadow, uint16_t id)
{
    shadow->entries[id].pending = false;
    shadow->free_ids[shadow->free_count++] = id;
}

bool netfront_tx_response_is_null(const struct netif_tx_response *response)
{
    return response->status == NETIF_RSP_NULL;
}

const char *netfront_tx_response_problem(const struct netfront_tx_shadow *shadow,
                                         const struct netif_tx_response *response)
{
    if (netfront_tx_response_is_null(response))
        return NULL;
    if (response->id >= NETFRONT_TX_RING_SIZE)
        return "tx response id beyond the ring";
    if (!shadow->entries[response->id].pending)
        return "tx response for a slot not in flight";
    return NULL;
}

struct netfront_tx_entry netfront_tx_shadow_complete(struct netfront_tx_shadow *shadow, uint16_t id)
{
    struct netfront_tx_entry entry = shadow->entries[id];

    netfront_tx_shadow_release(shadow, id);
    return entry;
}

unsigned int netfront_tx_shadow_in_flight(const struct netfront_tx_shadow *shadow)
{
    return NETFRONT_TX_RING_SIZE - shadow->free_count;
}

/* --- receive --------------------------------------------------------------------- */

void netfront_rx_shadow_init(struct netfront_rx_shadow *shadow)
{
    for (unsigned int id = 0; id < NETFRONT_RX_RING_SIZE; id++)
        shadow->buffers[id] = (struct netfront_rx_buffer){ .posted = false };
    shadow->posted_count = 0;
}

uint16_t netfront_rx_id(RING_IDX index)
{
    return (uint16_t)(index & (NETFRONT_RX_RING_SIZE - 1));
}

int netfront_rx_shadow_post(struct netfront_rx_shadow *shadow, RING_IDX index, grant_ref_t gref)
{
    struct netfront_rx_buffer *buffer = &shadow->buffers[netfront_rx_id(index)];

    if (buffer->posted)
        return -XEN_EBUSY;
    *buffer = (struct netfront_rx_buffer){ .posted = true, .gref = gref };
    shadow->posted_count++;
    return 0;
}

struct netfront_rx_buffer netfront_rx_shadow_take(struct netfront_rx_shadow *shadow, RING_IDX index)
{
    struct netfront_rx_buffer *buffer = &shadow->buffers[netfront_rx_id(index)];
    struct netfront_rx_buffer taken = *buffer;

    if (buffer->posted)
        shadow->posted_count--;
    buffer->posted = false;
    return taken;
}

void netfront_rx_packet_start(struct netfront_rx_packet *packet, RING_IDX first_index)
{
    *packet = (struct netfront_rx_packet){ .first_index = first_index };
}

static void refuse(struct netfront_rx_packet *packet, const char *problem)
{
    if (packet->problem == NULL)
        packet->problem = problem;
}

static enum netfront_rx_verdict decide(struct netfront_rx_packet *packet)
{
    unsigned int most = packet->small_first ? NETFRONT_MAX_RX_SLOTS : XEN_NETIF_NR_SLOTS_MIN;

    if (packet->data_slots > most)
        refuse(packet, "packet of too many rx slots");
    return packet->problem == NULL ? NETFRONT_RX_COMPLETE : NETFRONT_RX_DROP;
}

static enum netfront_rx_verdict next_or_decide(struct netfront_rx_packet *packet)
{
    return packet->expect_extra || packet->expect_data ? NETFRONT_RX_NEED_MORE : decide(packet);
}

/* Linux xennet_get_extras: a valid type; MORE chains another extra. */
static enum netfront_rx_verdict add_extra(struct netfront_rx_packet *packet, const struct netif_extra_info *extra)
{
    if (extra->type == 0 || extra->type >= XEN_NETIF_EXTRA_TYPE_MAX)
        refuse(packet, "rx extra of an unknown type");
    packet->expect_extra = (extra->flags & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
    return next_or_decide(packet);
}

static void check_data_response(struct netfront_rx_packet *packet, const struct netif_rx_response *response,
                                RING_IDX index)
{
    if (response->status < 0)
        refuse(packet, "rx response with an error status");
    else if ((uint32_t)response->offset + (uint32_t)response->status > NETFRONT_PAGE_SIZE)
        refuse(packet, "rx response beyond its page");
    else if (response->id != netfront_rx_id(index))
        refuse(packet, "rx response id other than its request's");
}

/* Linux xennet_get_responses: the first response (its extras follow it
 * on the ring), then the data slots, while more_data. */
static enum netfront_rx_verdict add_data(struct netfront_rx_packet *packet, const struct netif_rx_response *response,
                                         RING_IDX index)
{
    check_data_response(packet, response, index);
    if (packet->data_slots == 0) {
        packet->first_flags = response->flags;
        packet->small_first = response->status >= 0 && response->status <= NETFRONT_RX_COPY_THRESHOLD;
        packet->expect_extra = (response->flags & NETRXF_extra_info) != 0;
    }
    packet->expect_data = (response->flags & NETRXF_more_data) != 0;
    packet->data_slots++;
    if (packet->problem == NULL && packet->segment_count < NETFRONT_MAX_RX_SLOTS) {
        packet->segments[packet->segment_count++] = (struct netfront_rx_segment){
            .index = index, .offset = response->offset, .length = (uint16_t)response->status };
        packet->length += (uint32_t)response->status;
    }
    return next_or_decide(packet);
}

enum netfront_rx_verdict netfront_rx_packet_add(struct netfront_rx_packet *packet,
                                                const struct netfront_rx_shadow *shadow,
                                                const union netfront_rx_slot *slot)
{
    RING_IDX index = packet->first_index + packet->slot_count;

    packet->slot_count++;
    if (!shadow->buffers[netfront_rx_id(index)].posted)
        refuse(packet, "rx response in a slot with no buffer posted");
    if (packet->expect_extra)
        return add_extra(packet, &slot->extra);
    return add_data(packet, &slot->response, index);
}

enum netfront_rx_verdict netfront_rx_packet_truncated(struct netfront_rx_packet *packet)
{
    refuse(packet, "rx packet needs more slots than the backend published");
    return NETFRONT_RX_DROP;
}
