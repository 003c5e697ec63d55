/*
 * The virtqueue fuzzer: LLVMFuzzerTestOneInput reads its input as the
 * set-up of one split virtqueue (pv-guest/kernel/virtqueue.c: size 1 to
 * 256, used-ring alignment 4 to 4096) and then a sequence of operations by
 * the driver and by a HOSTILE device on it: the driver adds chains (of any
 * length, empty buffers included), takes used entries, and after a reset
 * takes every abandoned chain back; the device completes a chain honestly,
 * or writes any used entry (ids beyond the queue, of chains not in flight,
 * of descriptors inside a chain, the same chain twice) with any used index,
 * scribbles over the descriptor table, or sets its "no notify" flag.
 *
 * Beside the code under test the harness keeps its own model: which heads
 * are in flight with which token and chain. After every step:
 *   - a returned token is one in flight, returned exactly once, with its
 *     chain's descriptors free again; an error is what the model expects
 *     (-EBUSY beyond the free descriptors, -EINVAL for a bad chain, -EIO
 *     once the device has broken the protocol and from then on);
 *   - a chain just added is in the available ring at the next index, its
 *     descriptors linked in order with its buffers' addresses, lengths and
 *     flags;
 *   - the driver's private free list holds exactly the descriptors of no
 *     chain in flight, each once, and free + in flight = size;
 *   - the step's work (basic blocks of virtqueue.c, work_meter.h) is within
 *     a bound linear in the queue size, whatever earlier steps did.
 * Any violation aborts with a message naming the step.
 *
 * Operation bytes: 0 kind, then what the kind needs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/errno.h>
#include <kernel/virtqueue.h>

#include "fuzz_report.h"
#include "fuzz_input.h"
#include "work_meter.h"

#define MAX_STEPS 400
#define MEMORY_BYTES 16384
#define WORK_PER_ENTRY 8
#define WORK_CONSTANT 64

enum operation_kind {
    OPERATION_ADD,
    OPERATION_TAKE,
    OPERATION_DEVICE_COMPLETES,
    OPERATION_DEVICE_WRITES_ANY_USED,
    OPERATION_DEVICE_SCRIBBLES,
    OPERATION_DEVICE_SETS_FLAGS,
    OPERATION_RESET,
    OPERATION_KINDS,
};

static const char *const operation_names[OPERATION_KINDS] = {
    "add", "take", "device completes", "device writes any used entry", "device scribbles on descriptors",
    "device sets flags", "reset",
};

struct model_chain {
    bool in_flight;
    unsigned int token;    /* index into tokens[] */
    unsigned int length;
    uint16_t descriptors[VIRTQUEUE_MAX_SIZE];
};

struct world {
    uint8_t memory[MEMORY_BYTES] __attribute__((aligned(4096)));
    struct virtqueue queue;
    struct virtqueue_layout layout;
    struct model_chain chains[VIRTQUEUE_MAX_SIZE]; /* by head */
    unsigned int in_flight;
    unsigned int descriptors_in_flight;
    bool broken;
    uint16_t offered;       /* heads the model saw published */
    unsigned int next_token;
    unsigned int step;
    const char *operation;
};

static struct world world;
/* Tokens are addresses in here; whether each is in flight. */
static char tokens[1 << 16];
static bool token_in_flight[1 << 16];

#define violation(...) fuzz_report_violation("virtqueue", world.step, world.operation, __VA_ARGS__)

static void expect_result(int got, int expected)
{
    if (got != expected)
        violation("returned %d, the model expects %d", got, expected);
}

/* The chain the driver just published: at the next available index, linked as given. */
static void check_published(const struct virtqueue_buffer *buffers, unsigned int count, struct model_chain *chain,
                            uint16_t *head_out)
{
    uint16_t index = world.offered++;
    uint16_t head, current;

    if (world.queue.available->idx != world.offered)
        violation("available index %u, expected %u", world.queue.available->idx, world.offered);
    head = world.queue.available->ring[index % world.queue.size];
    if (head >= world.queue.size)
        violation("published head %u beyond the queue", head);
    if (world.chains[head].in_flight)
        violation("published head %u is already in flight", head);
    current = head;
    for (unsigned int position = 0; position < count; position++) {
        const struct virtq_desc *descriptor = &world.queue.descriptors[current];
        uint16_t flags = (uint16_t)((position + 1 < count ? VIRTQ_DESC_F_NEXT : 0) |
                                    (buffers[position].device_writes ? VIRTQ_DESC_F_WRITE : 0));

        if (descriptor->addr != buffers[position].address || descriptor->len != buffers[position].length ||
            descriptor->flags != flags)
            violation("descriptor %u (buffer %u of the chain) does not describe the buffer", current, position);
        chain->descriptors[position] = current;
        if (position + 1 < count) {
            current = descriptor->next;
            if (current >= world.queue.size)
                violation("descriptor %u links to %u, beyond the queue", chain->descriptors[position], current);
        }
    }
    *head_out = head;
}

static void do_add(struct fuzz_input *input)
{
    struct virtqueue_buffer buffers[VIRTQUEUE_MAX_SIZE + 1];
    uint8_t choice = fuzz_input_byte(input);
    /* Mostly the short chains of a block request, sometimes any length (beyond the size included). */
    unsigned int count = (choice & 3) == 0 ? fuzz_input_byte(input) % (world.queue.size + 2u) : 1u + choice % 3;
    bool has_empty = false;
    unsigned int token = world.next_token % sizeof(tokens);
    int expected, result;
    uint16_t head;

    for (unsigned int index = 0; index < count; index++) {
        uint8_t shape = fuzz_input_byte(input);

        buffers[index] = (struct virtqueue_buffer) {
            .address = (uint64_t)shape << 12 | index, .length = shape == 0 ? 0 : 512u * (shape % 9 + 1),
            .device_writes = (shape & 1) != 0,
        };
        has_empty |= buffers[index].length == 0;
    }
    if (world.broken)
        expected = -XEN_EIO;
    else if (count == 0 || count > world.queue.size || has_empty)
        expected = -XEN_EINVAL;
    else if (count > world.queue.size - world.descriptors_in_flight)
        expected = -XEN_EBUSY;
    else
        expected = 0;
    work_meter_reset();
    result = virtqueue_add(&world.queue, buffers, count, &tokens[token]);
    if (work_meter_blocks() > WORK_CONSTANT + WORK_PER_ENTRY * (uint64_t)world.queue.size)
        violation("adding took %lu basic blocks", (unsigned long)work_meter_blocks());
    expect_result(result, expected);
    if (result != 0)
        return;
    {
        struct model_chain chain = { .in_flight = true, .token = token, .length = count };

        check_published(buffers, count, &chain, &head);
        world.chains[head] = chain;
    }
    token_in_flight[token] = true;
    world.next_token++;
    world.in_flight++;
    world.descriptors_in_flight += count;
}

static void release(uint16_t head)
{
    token_in_flight[world.chains[head].token] = false;
    world.descriptors_in_flight -= world.chains[head].length;
    world.in_flight--;
    world.chains[head].in_flight = false;
}

/* The model's verdict on the next used entry: 1 (a head in flight), 0 (none), -EIO. */
static int expected_take(uint16_t *head)
{
    uint16_t pending = (uint16_t)(world.queue.used->idx - world.queue.last_used);
    const struct virtq_used_elem *element;

    if (world.broken)
        return -XEN_EIO;
    if (pending == 0)
        return 0;
    if (pending > world.in_flight)
        return -XEN_EIO;
    element = &world.queue.used->ring[world.queue.last_used % world.queue.size];
    if (element->id >= world.queue.size || !world.chains[element->id].in_flight)
        return -XEN_EIO;
    *head = (uint16_t)element->id;
    return 1;
}

static void do_take(void)
{
    uint16_t head = 0;
    int expected = expected_take(&head), result;
    uint32_t expected_length = world.queue.used->ring[world.queue.last_used % world.queue.size].len;
    uint32_t written = 0;
    void *token = NULL;

    work_meter_reset();
    result = virtqueue_take_used(&world.queue, &token, &written);
    if (work_meter_blocks() > WORK_CONSTANT + WORK_PER_ENTRY * (uint64_t)world.queue.size)
        violation("taking took %lu basic blocks", (unsigned long)work_meter_blocks());
    expect_result(result, expected);
    if (result == -XEN_EIO)
        world.broken = true;
    if (result != 1)
        return;
    if (token != &tokens[world.chains[head].token])
        violation("took back a token that is not head %u's", head);
    if (!token_in_flight[world.chains[head].token])
        violation("took back a token that is not in flight");
    if (written != expected_length)
        violation("written length %u, the device said %u", written, expected_length);
    release(head);
}

static void device_writes_used(uint32_t id, uint32_t length, uint16_t advance)
{
    uint16_t index = world.queue.used->idx;

    world.queue.used->ring[index % world.queue.size] = (struct virtq_used_elem) { .id = id, .len = length };
    world.queue.used->idx = (uint16_t)(index + advance);
}

/* An honest device: completes the n-th chain in flight (if the used ring holds nothing unread). */
static void do_device_completes(struct fuzz_input *input)
{
    unsigned int pick = fuzz_input_byte(input), seen = 0;

    if (world.in_flight == 0 || world.queue.used->idx != world.queue.last_used)
        return;
    pick %= world.in_flight;
    for (uint16_t head = 0; head < world.queue.size; head++)
        if (world.chains[head].in_flight && seen++ == pick) {
            device_writes_used(head, fuzz_input_byte(input), 1);
            return;
        }
}

static void do_device_writes_any_used(struct fuzz_input *input)
{
    /* Mostly an id near the queue (a non-head, a chain taken already, one past the end), sometimes any. */
    uint32_t id = fuzz_input_byte(input) % (world.queue.size + 2u);
    uint16_t advance = (uint16_t)(fuzz_input_byte(input) % 3);

    if (fuzz_input_byte(input) == 0xff)
        advance = (uint16_t)fuzz_input_bytes(input, 2);
    if ((fuzz_input_byte(input) & 7) == 0)
        id = (uint32_t)fuzz_input_bytes(input, 4);
    device_writes_used(id, (uint32_t)fuzz_input_bytes(input, 4), advance);
}

static void do_device_scribbles(struct fuzz_input *input)
{
    unsigned int count = fuzz_input_byte(input) % 8;

    for (unsigned int index = 0; index < count; index++) {
        struct virtq_desc *descriptor = &world.queue.descriptors[fuzz_input_byte(input) % world.queue.size];

        descriptor->next = (uint16_t)fuzz_input_bytes(input, 2);
        descriptor->flags = (uint16_t)fuzz_input_bytes(input, 2);
        descriptor->addr = fuzz_input_bytes(input, 8);
    }
}

static void do_device_sets_flags(struct fuzz_input *input)
{
    uint16_t flags = (uint16_t)fuzz_input_bytes(input, 2);

    world.queue.used->flags = flags;
    if (virtqueue_should_notify(&world.queue) != ((flags & VIRTQ_USED_F_NO_NOTIFY) == 0))
        violation("should_notify disagrees with the used ring's flags %#x", flags);
}

/* The driver resets the device: every chain in flight comes back once, then the queue is new. */
static void do_reset(void)
{
    unsigned int handed_back = 0;
    void *token;

    work_meter_reset();
    while (virtqueue_next_abandoned(&world.queue, &token)) {
        size_t index = (size_t)((char *)token - tokens);

        if ((char *)token < tokens || index >= sizeof(tokens) || !token_in_flight[index])
            violation("an abandoned chain's token is not one in flight");
        for (uint16_t head = 0; head < world.queue.size; head++)
            if (world.chains[head].in_flight && world.chains[head].token == index) {
                release(head);
                break;
            }
        handed_back++;
    }
    virtqueue_reset(&world.queue);
    /* Each abandoned chain is found by a scan of the heads: quadratic in the size, never more. */
    if (work_meter_blocks() > WORK_CONSTANT + (uint64_t)WORK_PER_ENTRY * 4 * world.queue.size * world.queue.size)
        violation("the reset took %lu basic blocks", (unsigned long)work_meter_blocks());
    if (world.in_flight != 0)
        violation("%u chains in flight were not handed back (%u were)", world.in_flight, handed_back);
    world.broken = false;
    world.offered = 0;
}

/* The private free list holds exactly the descriptors of no chain in flight. */
static void check_invariants(void)
{
    bool used[VIRTQUEUE_MAX_SIZE] = { false };
    uint16_t current = world.queue.free_head;

    if (virtqueue_broken(&world.queue) != world.broken)
        violation("broken is %d, the model says %d", virtqueue_broken(&world.queue), world.broken);
    if (virtqueue_chains_in_flight(&world.queue) != world.in_flight)
        violation("%u chains in flight, the model has %u", virtqueue_chains_in_flight(&world.queue), world.in_flight);
    if (virtqueue_free_descriptors(&world.queue) + world.descriptors_in_flight != world.queue.size)
        violation("%u free and %u in flight do not add up to %u", virtqueue_free_descriptors(&world.queue),
                  world.descriptors_in_flight, world.queue.size);
    for (uint16_t head = 0; head < world.queue.size; head++)
        for (unsigned int position = 0; world.chains[head].in_flight && position < world.chains[head].length;
             position++)
            used[world.chains[head].descriptors[position]] = true;
    for (unsigned int index = 0; index < virtqueue_free_descriptors(&world.queue); index++) {
        if (current >= world.queue.size)
            violation("the free list reaches descriptor %u, beyond the queue", current);
        if (used[current])
            violation("descriptor %u is on the free list twice or while in flight", current);
        used[current] = true;
        current = world.queue.next_free[current];
    }
}

static void run_operation(enum operation_kind kind, struct fuzz_input *input)
{
    switch (kind) {
    case OPERATION_ADD: do_add(input); break;
    case OPERATION_TAKE: do_take(); break;
    case OPERATION_DEVICE_COMPLETES: do_device_completes(input); break;
    case OPERATION_DEVICE_WRITES_ANY_USED: do_device_writes_any_used(input); break;
    case OPERATION_DEVICE_SCRIBBLES: do_device_scribbles(input); break;
    case OPERATION_DEVICE_SETS_FLAGS: do_device_sets_flags(input); break;
    case OPERATION_RESET: do_reset(); break;
    default: break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input input = { data, size, 0 };
    unsigned int queue_size = 1u << (fuzz_input_byte(&input) % 9);
    size_t alignment = (size_t)4 << (fuzz_input_byte(&input) % 11);

    memset(&world, 0, sizeof(world));
    memset(token_in_flight, 0, sizeof(token_in_flight));
    world.operation = "layout";
    expect_result(virtqueue_layout(queue_size, alignment, &world.layout), 0);
    if (world.layout.total_bytes > MEMORY_BYTES)
        violation("a queue of %u entries aligned to %zu takes %zu bytes", queue_size, alignment,
                  world.layout.total_bytes);
    virtqueue_init(&world.queue, queue_size, world.memory, &world.layout);
    for (world.step = 0; world.step < MAX_STEPS && !fuzz_input_exhausted(&input); world.step++) {
        enum operation_kind kind = (enum operation_kind)(fuzz_input_byte(&input) % OPERATION_KINDS);

        world.operation = operation_names[kind];
        run_operation(kind, &input);
        check_invariants();
    }
    return 0;
}
