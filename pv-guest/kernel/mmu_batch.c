/*
 * The page-table batch (see mmu_batch.h).  Three arrays fill up side by
 * side: the multicall list, the mmu_update entries and the mmuext_op
 * operations.  A new entry joins the last call of the list when that call
 * is of the same kind (so a run of page-table writes is one mmu_update
 * carrying them all), and opens a new call otherwise.  When any array is
 * full, what is queued is submitted first.
 *
 * Each mmu_update or mmuext_op call gets its own success counter
 * (success_count in Xen's interface): on failure it says which entry of
 * the run the hypervisor refused, and that entry is reported.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <pvmon/errno.h>
#include <xen/xen.h>
#include <guest/hypercall.h>
#include <runtime/console.h>
#include "mmu_batch.h"

#define BATCH_CALLS 64
#define BATCH_UPDATES 1024
#define BATCH_OPERATIONS 256
#define ENTRIES_PER_CALL 512

struct batch {
    struct multicall_entry calls[BATCH_CALLS];
    long *results[BATCH_CALLS];          /* where the caller wants the result; NULL: must be 0 */
    unsigned int successes[BATCH_CALLS]; /* success_count of mmu_update and mmuext_op calls */
    unsigned int call_count;
    struct mmu_update updates[BATCH_UPDATES];
    unsigned int update_count;
    struct mmuext_op operations[BATCH_OPERATIONS];
    unsigned int operation_count;
    int error;                           /* the first failure since the last submission */
    uint64_t generation;
};

static struct batch batch;
static struct mmu_batch_statistics statistics;

static const char *call_name(unsigned long number)
{
    switch (number) {
    case __HYPERVISOR_mmu_update:
        return "mmu_update";
    case __HYPERVISOR_mmuext_op:
        return "mmuext_op";
    case __HYPERVISOR_update_va_mapping:
        return "update_va_mapping";
    case __HYPERVISOR_memory_op:
        return "memory_op";
    default:
        return "hypercall";
    }
}

static void report_failure(unsigned int index, long result)
{
    const struct multicall_entry *call = &batch.calls[index];
    unsigned int done = batch.successes[index];

    if (call->op == __HYPERVISOR_mmu_update && done < call->args[1]) {
        const struct mmu_update *update = (const struct mmu_update *)call->args[0] + done;

        console_printf("mmu: mmu_update entry %u of %lu refused (%ld): ptr %#lx val %#lx\n", done,
                       (unsigned long)call->args[1], result, (unsigned long)update->ptr,
                       (unsigned long)update->val);
    } else if (call->op == __HYPERVISOR_mmuext_op && done < call->args[1]) {
        const struct mmuext_op *operation = (const struct mmuext_op *)call->args[0] + done;

        console_printf("mmu: mmuext_op %u of %lu refused (%ld): cmd %u arg1 %#lx\n", done,
                       (unsigned long)call->args[1], result, operation->cmd, (unsigned long)operation->arg1.mfn);
    } else {
        console_printf("mmu: %s(%#lx, %#lx, %#lx) failed: %ld\n", call_name(call->op),
                       (unsigned long)call->args[0], (unsigned long)call->args[1], (unsigned long)call->args[2],
                       result);
    }
}

static void record_error(int error)
{
    if (batch.error == 0)
        batch.error = error;
}

static void check_results(void)
{
    for (unsigned int index = 0; index < batch.call_count; index++) {
        long result = (long)batch.calls[index].result;

        if (batch.results[index] != NULL) {
            *batch.results[index] = result;
        } else if (result != 0) {
            if (batch.error == 0)
                report_failure(index, result);
            record_error((int)result);
        }
    }
}

static void send_queued(void)
{
    long result;

    if (batch.call_count == 0)
        return;
    result = hypercall_multicall(batch.calls, batch.call_count);
    statistics.multicalls++;
    if (result != 0) {
        console_printf("mmu: multicall of %u calls failed: %ld\n", batch.call_count, result);
        record_error((int)result);
    } else {
        check_results();
    }
    batch.call_count = 0;
    batch.update_count = 0;
    batch.operation_count = 0;
    batch.generation++;
}

int mmu_batch_submit(void)
{
    int error;

    send_queued();
    error = batch.error;
    batch.error = 0;
    return error;
}

uint64_t mmu_batch_generation(void)
{
    return batch.generation;
}

/* Submits what is queued if any array is full, so that one more entry of any kind fits. */
static void make_room(void)
{
    if (batch.call_count == BATCH_CALLS || batch.update_count == BATCH_UPDATES ||
        batch.operation_count == BATCH_OPERATIONS)
        send_queued();
}

static struct multicall_entry *new_call(unsigned long number, long *result)
{
    struct multicall_entry *call = &batch.calls[batch.call_count];

    *call = (struct multicall_entry) { .op = number };
    batch.results[batch.call_count] = result;
    batch.successes[batch.call_count] = 0;
    batch.call_count++;
    return call;
}

/* The call a new entry of this kind joins: the last one if it is of the kind and not full. */
static struct multicall_entry *run_of(unsigned long number, void *first_entry)
{
    struct multicall_entry *last = batch.call_count > 0 ? &batch.calls[batch.call_count - 1] : NULL;
    struct multicall_entry *call;

    if (last != NULL && last->op == number && last->args[1] < ENTRIES_PER_CALL)
        return last;
    call = new_call(number, NULL);
    call->args[0] = (unsigned long)first_entry;
    call->args[1] = 0;
    call->args[2] = (unsigned long)&batch.successes[batch.call_count - 1];
    call->args[3] = DOMID_SELF;
    return call;
}

void mmu_batch_update(uint64_t entry_machine_address, uint64_t value)
{
    struct multicall_entry *call;

    make_room();
    call = run_of(__HYPERVISOR_mmu_update, &batch.updates[batch.update_count]);
    batch.updates[batch.update_count++] = (struct mmu_update) {
        .ptr = entry_machine_address | MMU_NORMAL_PT_UPDATE,
        .val = value,
    };
    call->args[1]++;
    statistics.page_table_updates++;
}

static void queue_operation(struct mmuext_op operation)
{
    struct multicall_entry *call;

    make_room();
    call = run_of(__HYPERVISOR_mmuext_op, &batch.operations[batch.operation_count]);
    batch.operations[batch.operation_count++] = operation;
    call->args[1]++;
    statistics.extended_operations++;
}

void mmu_batch_pin(unsigned int command, uint64_t machine_frame)
{
    queue_operation((struct mmuext_op) { .cmd = command, .arg1.mfn = machine_frame });
}

void mmu_batch_unpin(uint64_t machine_frame)
{
    queue_operation((struct mmuext_op) { .cmd = MMUEXT_UNPIN_TABLE, .arg1.mfn = machine_frame });
}

void mmu_batch_new_user_base(uint64_t machine_frame)
{
    queue_operation((struct mmuext_op) { .cmd = MMUEXT_NEW_USER_BASEPTR, .arg1.mfn = machine_frame });
}

void mmu_batch_flush_tlb(void)
{
    queue_operation((struct mmuext_op) { .cmd = MMUEXT_TLB_FLUSH_LOCAL });
}

void mmu_batch_set_ldt(uint64_t linear_address, unsigned int entries)
{
    queue_operation((struct mmuext_op) { .cmd = MMUEXT_SET_LDT, .arg1.linear_addr = linear_address,
                                         .arg2.nr_ents = entries });
}

void mmu_batch_remap_kernel_page(uint64_t virtual_address, uint64_t entry)
{
    struct multicall_entry *call;

    make_room();
    call = new_call(__HYPERVISOR_update_va_mapping, NULL);
    call->args[0] = virtual_address;
    call->args[1] = entry;
    call->args[2] = UVMF_INVLPG;
    statistics.page_table_updates++;
}

void mmu_batch_call(unsigned long number, unsigned long first, unsigned long second, unsigned long third,
                    long *result)
{
    struct multicall_entry *call;

    make_room();
    call = new_call(number, result);
    call->args[0] = first;
    call->args[1] = second;
    call->args[2] = third;
    statistics.other_calls++;
}

void mmu_batch_get_statistics(struct mmu_batch_statistics *copy)
{
    *copy = statistics;
}
