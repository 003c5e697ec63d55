/*
 * One transmitted packet gathered from a vif's tx ring (see
 * netif_packet.h): the verdict on its slots, taken one private copy at a
 * time, in the order of Linux 6.1's netback (drivers/net/xen-netback/
 * netback.c).
 *
 * Owns: the packet's slots, its segments and its responses.
 *
 * Rules kept, with the Linux check each follows:
 *   - Extras (xenvif_get_extras): a type of 0 or >= XEN_NETIF_EXTRA_TYPE_MAX
 *     is fatal.  A type seen twice is fatal too: Linux overwrites the
 *     earlier one, which would let a frontend chain extras without bound;
 *     refusing it keeps a packet within NETIF_PACKET_MAX_SLOTS.
 *   - Follow-on data slots (xenvif_count_requests), checked as each one
 *     comes, with Linux's count `slots` = the follow-on slots taken before
 *     it: one more slot claimed once NETIF_PACKET_FATAL_SLOTS (20) have
 *     been taken is fatal; a slot taken once NETIF_PACKET_DROP_SLOTS (18)
 *     were taken drops the packet (so 18 follow-on slots pass, 19 or 20
 *     drop, 21 are fatal); a slot bigger than what is left of the first
 *     size drops it; a slot crossing its page is fatal, even in a packet
 *     already refused.  A refused packet's slots are still taken, so that
 *     each is answered.
 *   - The first slot (xenvif_tx_build_gops, after xenvif_count_requests
 *     took the later sizes off the first size): its own data below
 *     ETHERNET_HEADER_BYTES drops the packet; its own data crossing its
 *     page is fatal.
 *   - This backend's own refusals, last (it advertises neither GSO nor
 *     multicast control nor hashing, so nothing needs them): any valid
 *     extra, and a packet longer than ETHERNET_MAX_FRAME_BYTES, drop the
 *     packet.
 *   - Responses (_make_tx_response): the first slot's, then a
 *     NETIF_RSP_NULL per extra, then one per follow-on slot, each data
 *     slot's with its own id.
 */
#include "netif_packet.h"

#define TX_PAGE_BYTES 4096u

void netif_packet_start(struct netif_packet *packet)
{
    *packet = (struct netif_packet) { 0 };
}

static bool packet_decided(const struct netif_packet *packet)
{
    return packet->slot_count > 0 && !packet->expect_extra && !packet->expect_data;
}

static enum netif_packet_verdict fatal(struct netif_packet *packet)
{
    packet->expect_extra = false;
    packet->expect_data = false;
    return NETIF_PACKET_FATAL;
}

static void take_data_slot(struct netif_packet *packet, const struct netif_tx_request *request)
{
    packet->response_id[packet->slot_count] = request->id;
    packet->response_is_extra[packet->slot_count] = false;
    packet->slot_count++;
    packet->segments[packet->segment_count++] = (struct netif_packet_segment) {
        .gref = request->gref,
        .offset = request->offset,
        .length = request->size,
    };
}

static bool crosses_page(uint32_t offset, uint32_t length)
{
    return offset + length > TX_PAGE_BYTES;
}

/* The whole packet is taken: the first slot's own data is what the later slots left of the first size. */
static enum netif_packet_verdict decide(struct netif_packet *packet)
{
    struct netif_packet_segment *first = &packet->segments[0];

    if (packet->refused)
        return NETIF_PACKET_DROP;
    first->length = (uint16_t)(packet->length - packet->later_bytes);
    if (first->length < ETHERNET_HEADER_BYTES)
        return NETIF_PACKET_DROP;
    if (crosses_page(first->offset, first->length))
        return fatal(packet);
    if (packet->extra_types_seen != 0 || packet->length > ETHERNET_MAX_FRAME_BYTES)
        return NETIF_PACKET_DROP;
    return NETIF_PACKET_COMPLETE;
}

static enum netif_packet_verdict next_or_decide(struct netif_packet *packet)
{
    if (packet->expect_extra || packet->expect_data)
        return NETIF_PACKET_NEED_MORE;
    return decide(packet);
}

static enum netif_packet_verdict add_first(struct netif_packet *packet, const struct netif_tx_request *request)
{
    take_data_slot(packet, request);
    packet->length = request->size;
    packet->first_flags = request->flags;
    packet->checksum_blank = (request->flags & NETTXF_csum_blank) != 0;
    packet->expect_extra = (request->flags & NETTXF_extra_info) != 0;
    packet->expect_data = (request->flags & NETTXF_more_data) != 0;
    return next_or_decide(packet);
}

/* xenvif_get_extras. */
static enum netif_packet_verdict add_extra(struct netif_packet *packet, const struct netif_extra_info *extra)
{
    uint32_t type_bit = 1u << (extra->type & 31);

    packet->response_id[packet->slot_count] = 0;
    packet->response_is_extra[packet->slot_count] = true;
    packet->slot_count++;
    if (extra->type == XEN_NETIF_EXTRA_TYPE_NONE || extra->type >= XEN_NETIF_EXTRA_TYPE_MAX ||
        (packet->extra_types_seen & type_bit) != 0)
        return fatal(packet);
    packet->extra_types_seen |= type_bit;
    packet->expect_extra = (extra->flags & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
    return next_or_decide(packet);
}

/* One iteration of xenvif_count_requests. */
static enum netif_packet_verdict add_follow_on(struct netif_packet *packet, const struct netif_tx_request *request)
{
    unsigned int taken_before = packet->segment_count - 1;

    if (taken_before >= NETIF_PACKET_DROP_SLOTS)
        packet->refused = true;
    if (!packet->refused && request->size > packet->length - packet->later_bytes)
        packet->refused = true;
    take_data_slot(packet, request);
    packet->later_bytes += request->size;
    if (crosses_page(request->offset, request->size))
        return fatal(packet);
    packet->expect_data = (request->flags & NETTXF_more_data) != 0;
    if (packet->expect_data && taken_before + 1 >= NETIF_PACKET_FATAL_SLOTS)
        return fatal(packet);
    return next_or_decide(packet);
}

enum netif_packet_verdict netif_packet_add(struct netif_packet *packet, const union netif_tx_slot *slot)
{
    if (packet_decided(packet))
        return NETIF_PACKET_FATAL;
    if (packet->slot_count == 0)
        return add_first(packet, &slot->request);
    if (packet->expect_extra)
        return add_extra(packet, &slot->extra);
    return add_follow_on(packet, &slot->request);
}

struct netif_tx_response netif_packet_response(const struct netif_packet *packet, unsigned int i, int16_t status)
{
    if (i >= packet->slot_count)
        return (struct netif_tx_response) { .status = NETIF_RSP_NULL };
    if (packet->response_is_extra[i])
        status = NETIF_RSP_NULL;
    return (struct netif_tx_response) { .id = packet->response_id[i], .status = status };
}
