/*
 * Boot-time self-tests (see pvmon/selftest.h).  Each prints
 * "selftest NAME: PASSED" or "selftest NAME: FAILED: reason"; the fatal
 * ones end in a panic, which is their expected outcome.
 *
 *   exceptions    int3 is reported and execution continues; safe_copy from
 *                 an unmapped and from a non-canonical address returns
 *                 -XEN_EFAULT, with the #PF and #GP recovered and recorded,
 *                 for a whole word (its rep movsq) and for 3 bytes (its
 *                 rep movsb tail); a copy of 8 words and 3 bytes is whole
 *   allocator     allocate every free frame; each lies in usable RAM, none
 *                 overlaps the image, a module or the frame table; write
 *                 into every one of them, check the modules are unchanged,
 *                 free them all and check the allocator is whole again
 *   page-fault    write to an unmapped hypervisor address: must panic
 *   double-fault  switch to an unmapped stack and push: #DF on its IST
 *                 stack, must panic
 */
#include <pvmon/arch.h>
#include <pvmon/command_line.h>
#include <pvmon/crc32.h>
#include <pvmon/errno.h>
#include <pvmon/memory.h>
#include <pvmon/panic.h>
#include <pvmon/printk.h>
#include <pvmon/selftest.h>
#include <pvmon/string.h>

#define UNMAPPED_HYPERVISOR_ADDRESS HYPERVISOR_SLOTS_START
#define NON_CANONICAL_ADDRESS 0x8000000000000000UL
#define VECTOR_GENERAL_PROTECTION 13
#define VECTOR_PAGE_FAULT 14
#define SCRIBBLE_MARKER 0xa5a5a5a5a5a5a5a5UL

static bool expect_recovered_fault(const char *what, uint64_t address, size_t length, uint64_t vector)
{
    const struct recovered_fault *fault = &current_cpu()->last_recovered_fault;
    uint64_t value;
    int result;

    memset(&current_cpu()->last_recovered_fault, 0, sizeof(*fault));
    result = safe_copy(&value, (const void *)address, length);
    printk(LOG_INFO, "selftest exceptions: safe_copy of %lu bytes from %s %#lx returned %d; recovered %s at rip %#lx, address %#lx, error code %#lx\n",
           (unsigned long)length, what, address, result, exception_name(fault->vector), fault->rip, fault->address,
           fault->error_code);
    if (result != -XEN_EFAULT || fault->vector != vector) {
        printk(LOG_ERROR, "selftest exceptions: FAILED: expected %d and %s\n", -XEN_EFAULT,
               exception_name(vector));
        return false;
    }
    return true;
}

/* 8 words and 3 bytes, copied whole: the word copy and its byte tail. */
static bool copies_words_and_tail(void)
{
    uint8_t source[67], destination[67];

    for (unsigned int index = 0; index < sizeof(source); index++)
        source[index] = (uint8_t)(index * 7 + 1);
    memset(destination, 0, sizeof(destination));
    return safe_copy(destination, source, sizeof(source)) == 0 &&
           memcmp(destination, source, sizeof(source)) == 0;
}

static void selftest_exceptions(void)
{
    uint64_t source = 0x1234, destination = 0;

    cpu_breakpoint();
    if (safe_copy(&destination, &source, sizeof(source)) != 0 || destination != source || !copies_words_and_tail()) {
        printk(LOG_ERROR, "selftest exceptions: FAILED: safe_copy of valid memory\n");
        return;
    }
    if (!expect_recovered_fault("unmapped", UNMAPPED_HYPERVISOR_ADDRESS, sizeof(uint64_t), VECTOR_PAGE_FAULT))
        return;
    if (!expect_recovered_fault("unmapped", UNMAPPED_HYPERVISOR_ADDRESS, 3, VECTOR_PAGE_FAULT))
        return;
    if (!expect_recovered_fault("non-canonical", NON_CANONICAL_ADDRESS, sizeof(uint64_t), VECTOR_GENERAL_PROTECTION))
        return;
    if (!expect_recovered_fault("non-canonical", NON_CANONICAL_ADDRESS, 3, VECTOR_GENERAL_PROTECTION))
        return;
    printk(LOG_INFO, "selftest exceptions: PASSED\n");
}

static uint32_t modules_checksum(const struct boot_info *info)
{
    uint32_t combined = 0;

    for (unsigned int index = 0; index < info->module_count; index++)
        combined ^= crc32(physical_to_virtual(info->modules[index].start), info->modules[index].size);
    return combined;
}

static bool frame_is_usable_ram(uint64_t frame)
{
    const struct memory_map *map = memory_map();
    uint64_t address = frame * PAGE_SIZE;

    for (unsigned int index = 0; index < map->count; index++) {
        const struct memory_region *region = &map->regions[index];

        if (address >= region->start && address + PAGE_SIZE <= region->end)
            return region->type == MEMORY_USABLE;
    }
    return false;
}

/* Allocates every free frame, chaining them through their first word. */
static bool allocate_everything(struct frame_allocator *allocator, uint64_t *chain, uint64_t *count)
{
    uint64_t frame;

    *chain = UINT64_MAX;
    *count = 0;
    while (frame_allocator_allocate(allocator, 0, &frame) == 0) {
        uint64_t *contents = physical_to_virtual(frame * PAGE_SIZE);

        if (!frame_is_usable_ram(frame)) {
            printk(LOG_ERROR, "selftest allocator: FAILED: frame %#lx is not usable RAM\n", frame);
            return false;
        }
        contents[0] = *chain;
        contents[1] = SCRIBBLE_MARKER;
        *chain = frame;
        (*count)++;
    }
    return true;
}

static uint64_t free_chain(struct frame_allocator *allocator, uint64_t chain)
{
    uint64_t freed = 0;

    while (chain != UINT64_MAX) {
        uint64_t next = *(uint64_t *)physical_to_virtual(chain * PAGE_SIZE);

        BUG_ON(frame_allocator_free(allocator, chain, 0) != 0);
        chain = next;
        freed++;
    }
    return freed;
}

static void selftest_allocator(const struct boot_info *info)
{
    struct frame_allocator *allocator = machine_frame_allocator();
    uint64_t free_before = frame_allocator_free_count(allocator);
    uint32_t checksum_before = modules_checksum(info);
    uint64_t chain, allocated;
    bool all_usable = allocate_everything(allocator, &chain, &allocated);
    uint64_t freed = free_chain(allocator, chain);

    printk(LOG_INFO, "selftest allocator: allocated %lu of %lu free frames (%lu MiB), freed %lu\n",
           allocated, free_before, allocated * PAGE_SIZE >> 20, freed);
    if (!all_usable)
        return;
    if (allocated != free_before || freed != allocated) {
        printk(LOG_ERROR, "selftest allocator: FAILED: counts differ\n");
        return;
    }
    if (modules_checksum(info) != checksum_before) {
        printk(LOG_ERROR, "selftest allocator: FAILED: a boot module changed\n");
        return;
    }
    if (frame_allocator_free_count(allocator) != free_before ||
        !frame_allocator_invariants_hold(allocator)) {
        printk(LOG_ERROR, "selftest allocator: FAILED: allocator not whole after freeing\n");
        return;
    }
    printk(LOG_INFO, "selftest allocator: PASSED\n");
}

static void selftest_page_fault(void)
{
    printk(LOG_INFO, "selftest page-fault: writing to unmapped %#lx; a panic must follow\n",
           UNMAPPED_HYPERVISOR_ADDRESS);
    *(volatile uint64_t *)UNMAPPED_HYPERVISOR_ADDRESS = 1;
    printk(LOG_ERROR, "selftest page-fault: FAILED: the write did not fault\n");
}

static void selftest_double_fault(void)
{
    printk(LOG_INFO, "selftest double-fault: pushing onto an unmapped stack; a panic must follow\n");
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "push $0"
                     :
                     : "r"(UNMAPPED_HYPERVISOR_ADDRESS + PAGE_SIZE)
                     : "memory");
    printk(LOG_ERROR, "selftest double-fault: FAILED: the push did not fault\n");
}

static void run_selftest(const char *name, const struct boot_info *info)
{
    if (strcmp(name, "exceptions") == 0)
        selftest_exceptions();
    else if (strcmp(name, "allocator") == 0)
        selftest_allocator(info);
    else if (strcmp(name, "page-fault") == 0)
        selftest_page_fault();
    else if (strcmp(name, "double-fault") == 0)
        selftest_double_fault();
    else
        printk(LOG_ERROR, "selftest %s: FAILED: no such self-test\n", name);
}

void selftests_run(const char *command_line, const struct boot_info *info)
{
    char list[128];
    char *name = list;

    if (!command_line_find(command_line, "selftest", list, sizeof(list)))
        return;
    while (*name != '\0') {
        char *end = name;

        while (*end != '\0' && *end != ',')
            end++;
        if (*end == ',')
            *end++ = '\0';
        run_selftest(name, info);
        name = end;
    }
}
