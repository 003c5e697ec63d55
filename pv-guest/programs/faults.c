/*
 * faults: the kernel must end a process that does something it may not,
 * and nothing else.  For each misdeed a child is forked to commit it; the
 * parent checks that the child was killed (EXIT_STATUS_KILLED) and that
 * it can still fork, map memory and exit normally afterwards.  Prints:
 *     faults: 11 misdeeds, 11 killed, 0 errors
 */
#include "lib/user.h"

#define KERNEL_ADDRESS UINT64_C(0xffffffff80000000)
#define HYPERVISOR_ADDRESS UINT64_C(0xffff808000200000)
#define UNMAPPED_ADDRESS UINT64_C(0x10)
#define BEYOND_STACK_ADDRESS (USER_STACK_TOP - USER_STACK_SIZE - 4096)

static void store(uint64_t address)
{
    __asm__ volatile("movq $1, (%0)" : : "r"(address) : "memory");
}

static void load(uint64_t address)
{
    uint64_t value;

    __asm__ volatile("movq (%1), %0" : "=r"(value) : "r"(address) : "memory");
}

static void read_null(void) { load(UNMAPPED_ADDRESS); }
static void write_null(void) { store(UNMAPPED_ADDRESS); }
static void write_own_code(void) { store((uint64_t)write_own_code); }
static void read_kernel(void) { load(KERNEL_ADDRESS); }
static void write_hypervisor(void) { store(HYPERVISOR_ADDRESS); }
static void beyond_stack(void) { store(BEYOND_STACK_ADDRESS); }
static void privileged(void) { __asm__ volatile("cli"); }
static void breakpoint(void) { __asm__ volatile("int3"); }
static void undefined(void) { __asm__ volatile("ud2"); }
static void software_interrupt(void) { __asm__ volatile("int $0x80"); }

static void execute_data(void)
{
    static uint8_t code[16] = { 0xc3 }; /* ret, in a data page mapped NX */

    ((void (*)(void))(uintptr_t)code)();
}

struct misdeed {
    const char *name;
    void (*commit)(void);
};

static const struct misdeed misdeeds[] = {
    { "read-null", read_null },
    { "write-null", write_null },
    { "write-own-code", write_own_code },
    { "read-kernel", read_kernel },
    { "write-hypervisor", write_hypervisor },
    { "beyond-stack", beyond_stack },
    { "execute-data", execute_data },
    { "privileged-instruction", privileged },
    { "breakpoint", breakpoint },
    { "undefined-instruction", undefined },
    { "software-interrupt", software_interrupt },
};

#define MISDEED_COUNT (sizeof(misdeeds) / sizeof(misdeeds[0]))

/* Forks a child that runs `commit` and returns its exit status (or -1). */
static int child_status(void (*commit)(void))
{
    int status = -1, pid = fork();

    if (pid == 0) {
        commit();
        exit(0);
    }
    if (pid < 0 || wait_child(pid, &status, NULL) != pid)
        return -1;
    return status;
}

static void behave(void)
{
    long address = map_memory(4096);

    if (address < 0)
        exit(1);
    *(volatile uint64_t *)address = 42;
    exit(*(volatile uint64_t *)address == 42 ? 0 : 1);
}

int main(void)
{
    uint64_t killed = 0, errors = 0;

    for (unsigned int index = 0; index < MISDEED_COUNT; index++) {
        int status = child_status(misdeeds[index].commit);

        if (status == EXIT_STATUS_KILLED) {
            killed++;
        } else {
            print("faults: %s: the child ended with status %d, not killed\n", misdeeds[index].name, status);
            errors++;
        }
    }
    if (child_status(behave) != 0) {
        print("faults: a well-behaved child failed after the misdeeds\n");
        errors++;
    }
    print("faults: %lu misdeeds, %lu killed, %lu errors\n", (uint64_t)MISDEED_COUNT, killed, errors);
    return errors == 0 ? 0 : 1;
}
