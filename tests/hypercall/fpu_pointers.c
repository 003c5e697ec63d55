/*
 * The x87 last-instruction pointer (FIP), last-operand pointer (FDP) and
 * last opcode (FOP) are a vCPU's own: two of these guests run side by
 * side, each leaves pointers of its own (a load at an instruction and an
 * operand that depend on its domain id), spins through many vCPU
 * switches and reads them back with fxsave after each: they must still
 * be its own, never the other domain's.  Xen 4.17 keeps this on every
 * CPU, resetting the pointers before fxrstor where that instruction
 * would leave the previous vCPU's (xen/arch/x86/i387.c fpu_fxrstor).
 * QEMU's TCG (7.2) records no FIP/FDP at all (fxsave stores 0), and its
 * fxrstor loads them, so no leak can show there; but its "-cpu max" is
 * an AMD CPU without RstrFpErrPtrs, so the hypervisor's reset runs before
 * every fxrstor.  What is checked is what can be seen: the whole x87
 * state the guest left (control, status and tag words, FOP, FIP, FDP,
 * the eight registers) is exactly its own after every switch, reset or
 * not, and the pointers, where the CPU records them, are the guest's own
 * load.  (common/fpu_pointers.c, when to reset, is host-tested.)
 */
#include "pv_memory.h"

const char test_family[] = "fpu_pointers";

#define SWITCH_ROUNDS 20
#define ROUND_NS 15000000ULL         /* longer than a 10 ms slice */
#define OPERANDS 16
#define FXSAVE_FOP_OFFSET 6
#define FXSAVE_FIP_OFFSET 8
#define FXSAVE_FDP_OFFSET 16
#define FOP_MASK 0x7ff
#define X87_STATE_BYTES 160          /* FCW .. FDP, MXCSR, ST0-ST7 */

struct fpu_pointers {
    uint64_t instruction;
    uint64_t operand;
    uint16_t opcode;
};

static int32_t operands[OPERANDS] __attribute__((aligned(64)));
static uint8_t image[512] __attribute__((aligned(16)));

/* load_at_site_a(operand) and load_at_site_b(operand): fninit, then a
 * fildl of operand at a site of their own. */
void load_at_site_a(const int32_t *operand);
void load_at_site_b(const int32_t *operand);
extern const char site_a[], site_b[];
__asm__(".text\n"
        ".globl load_at_site_a, load_at_site_b, site_a, site_b\n"
        "load_at_site_a:\n"
        "    fninit\n"
        "site_a:\n"
        "    fildl (%rdi)\n"
        "    ret\n"
        "load_at_site_b:\n"
        "    fninit\n"
        "    nop\n"
        "site_b:\n"
        "    fildl (%rdi)\n"
        "    ret\n");

static struct fpu_pointers read_pointers(void)
{
    struct fpu_pointers pointers;

    __asm__ volatile("fxsave64 %0" : "=m"(image));
    __builtin_memcpy(&pointers.instruction, &image[FXSAVE_FIP_OFFSET], sizeof(uint64_t));
    __builtin_memcpy(&pointers.operand, &image[FXSAVE_FDP_OFFSET], sizeof(uint64_t));
    __builtin_memcpy(&pointers.opcode, &image[FXSAVE_FOP_OFFSET], sizeof(uint16_t));
    pointers.opcode &= FOP_MASK;
    return pointers;
}

static uint8_t own_state[X87_STATE_BYTES];

static bool x87_state_is_own(void)
{
    read_pointers();
    for (unsigned int index = 0; index < X87_STATE_BYTES; index++)
        if (image[index] != own_state[index])
            return false;
    return true;
}

void run_tests(void)
{
    long id = own_domain_id();
    const int32_t *operand;
    uint64_t site;
    struct fpu_pointers own;
    unsigned int changed = 0;

    expect_true("setup_learns_its_own_domain_id", id > 0, id, "a domU id");
    if (id <= 0)
        return;
    operand = &operands[id % OPERANDS];
    site = id % 2 ? (uint64_t)site_a : (uint64_t)site_b;
    if (id % 2)
        load_at_site_a(operand);
    else
        load_at_site_b(operand);
    own = read_pointers();
    __builtin_memcpy(own_state, image, X87_STATE_BYTES);
    console_printf("fpu_pointers: this CPU records FIP/FDP: %s\n", own.instruction | own.operand ? "yes" : "no");
    expect_true("fip_where_recorded_is_the_guests_last_x87_instruction",
                own.instruction == 0 || own.instruction == site, (long)own.instruction, "the fildl or 0");
    expect_true("fdp_where_recorded_is_the_guests_operand", own.operand == 0 || own.operand == (uint64_t)operand,
                (long)own.operand, "its operand or 0");
    for (unsigned int round = 0; round < SWITCH_ROUNDS; round++) {
        spin_for(ROUND_NS);
        if (!x87_state_is_own())
            changed++;
    }
    expect_result("x87_state_and_pointers_stay_the_vcpus_own_across_switches", changed, 0);
}
