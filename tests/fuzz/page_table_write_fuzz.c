/*
 * The writable-page-table fuzzer: LLVMFuzzerTestOneInput reads its input
 * as a sequence of emulations, each one a fault address, an old entry,
 * the guest's registers and the instruction bytes (either raw, or built
 * from an accepted opcode with prefixes, ModRM and the rest taken from
 * the input, so that random inputs reach past the decoder), and runs
 * page_table_write_emulate on them.  Every step checks:
 *   - the emulator reads nothing beyond the bytes it is given: they end
 *     at a page the process may not touch;
 *   - it accepts exactly what the independent model
 *     (page_table_write_reference.c) accepts: the instructions of the
 *     accepted set, naturally aligned inside the faulting entry; anything
 *     else is refused and leaves *result and *new_entry untouched;
 *   - where it accepts, the new entry and the whole register frame
 *     (registers, RIP, RFLAGS) are the model's;
 *   - its input registers are unchanged, and its work (basic blocks,
 *     work_meter.h) stays under a fixed bound.
 * Any violation aborts with a message naming the step and the bytes.
 *
 * Step bytes: 0 instruction shape (raw or built, and the prefixes), 1-8 fault
 * address, 9-16 old entry, then one byte per register (a kind, and for
 * full values 8 more bytes), the instruction's bytes, and last a byte
 * that may aim the access at the faulting entry.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pvmon/errno.h>
#include <pvmon/page_table_write.h>

#include "fuzz_input.h"
#include "page_table_write_reference.h"
#include "work_meter.h"

#define MAX_STEPS 512
/* A raw instruction may be longer than the 15 bytes the emulator looks at. */
#define MAX_RAW_BYTES 20
#define REGISTER_COUNT 18 /* 16 general registers, RIP, RFLAGS */
/* Decoding at most 15 bytes and one operation: far below this. */
#define WORK_BOUND 4000
#define FRAME_CANARY 0x5a

/* The opcodes of the accepted set (0x0f: the two-byte ones follow). */
static const uint8_t accepted_opcodes[][2] = {
    {0x08}, {0x09}, {0x20}, {0x21}, {0x80}, {0x81}, {0x83}, {0x86}, {0x87}, {0x88}, {0x89}, {0xc6}, {0xc7},
    {0x0f, 0xab}, {0x0f, 0xb3}, {0x0f, 0xb0}, {0x0f, 0xb1}, {0x0f, 0xba},
};
static const uint8_t prefix_bytes[] = {0xf0, 0x66, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x67, 0xf2, 0xf3};

/* The instruction's bytes, ending where a guard page begins. */
struct guarded_bytes {
    uint8_t *page;  /* two pages: the first holds the bytes at its end, the second is inaccessible */
    size_t page_size;
};

struct step {
    unsigned int number;
    uint64_t fault_address;
    uint64_t old_entry;
    struct trap_frame registers;
    uint8_t bytes[MAX_RAW_BYTES];
    size_t length;
};

static struct guarded_bytes guard;

static void set_up_guard(void)
{
    if (guard.page != NULL)
        return;
    guard.page_size = (size_t) sysconf(_SC_PAGESIZE);
    guard.page = mmap(NULL, 2 * guard.page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (guard.page == MAP_FAILED || mprotect(guard.page + guard.page_size, guard.page_size, PROT_NONE) != 0) {
        perror("page-table-write fuzz: guard page");
        abort();
    }
}

static const uint8_t *place_before_guard(const uint8_t *bytes, size_t length)
{
    uint8_t *start = guard.page + guard.page_size - length;

    if (length > 0)
        memcpy(start, bytes, length);
    return start;
}

static void describe_bytes(const struct step *step, char *text, size_t size)
{
    size_t used = 0;

    text[0] = '\0';
    for (size_t index = 0; index < step->length && used + 4 < size; index++)
        used += (size_t) snprintf(text + used, size - used, "%02x ", step->bytes[index]);
}

static void violation(const struct step *step, const char *what, uint64_t got, uint64_t expected)
{
    char bytes[3 * MAX_RAW_BYTES + 1];

    describe_bytes(step, bytes, sizeof(bytes));
    fprintf(stderr,
            "page-table-write fuzz: step %u (bytes [%s], %zu available, fault address %#llx, old entry %#llx): "
            "%s: got %#llx, expected %#llx\n",
            step->number, bytes, step->length, (unsigned long long) step->fault_address,
            (unsigned long long) step->old_entry, what, (unsigned long long) got, (unsigned long long) expected);
    abort();
}

/* Register values that make aligned addresses and small bit offsets likely. */
static uint64_t read_register_value(struct fuzz_input *input, uint64_t fault_address)
{
    uint8_t kind = fuzz_input_byte(input);

    switch (kind >> 6) {
    case 0:
        return (uint64_t) ((int64_t) (kind & 0x3f) - 0x20);
    case 1:
        return (fault_address & ~UINT64_C(7)) - 8 * (uint64_t) (kind & 0x7);
    case 2:
        return (uint64_t) (kind & 0x3f) << 3;
    default:
        return fuzz_input_bytes(input, 8);
    }
}

static void read_registers(struct fuzz_input *input, struct step *step)
{
    uint64_t values[REGISTER_COUNT];

    for (unsigned int index = 0; index < REGISTER_COUNT; index++)
        values[index] = read_register_value(input, step->fault_address);
    step->registers = (struct trap_frame) {
        .rax = values[0], .rcx = values[1], .rdx = values[2], .rbx = values[3], .rsp = values[4],
        .rbp = values[5], .rsi = values[6], .rdi = values[7], .r8 = values[8], .r9 = values[9],
        .r10 = values[10], .r11 = values[11], .r12 = values[12], .r13 = values[13], .r14 = values[14],
        .r15 = values[15], .rip = values[16], .rflags = values[17],
        .vector = 14, .error_code = 3, .cs = 0xe033, .ss = 0xe02b,
    };
}

/* Prefixes (bits of the shape byte pick lock, 66, a segment, REX and,
 * rarely, any prefix byte), an accepted opcode, then input bytes for the
 * rest: up to 15 bytes in all, or sometimes fewer. */
static void build_instruction(struct fuzz_input *input, uint8_t shape, struct step *step)
{
    uint8_t choice = fuzz_input_byte(input);
    size_t length = 0;

    if (shape & 0x02)
        step->bytes[length++] = 0xf0;
    if (shape & 0x04)
        step->bytes[length++] = 0x66;
    if (shape & 0x08)
        step->bytes[length++] = prefix_bytes[2 + (choice >> 4) % 4];
    if ((shape & 0x70) == 0x70)
        step->bytes[length++] = prefix_bytes[choice % sizeof(prefix_bytes)];
    if (shape & 0x40)
        step->bytes[length++] = (uint8_t) (0x40 | (fuzz_input_byte(input) & 0x0f));
    const uint8_t *opcode = accepted_opcodes[choice % (sizeof(accepted_opcodes) / sizeof(accepted_opcodes[0]))];
    step->bytes[length++] = opcode[0];
    if (opcode[0] == 0x0f)
        step->bytes[length++] = opcode[1];
    uint8_t modrm = fuzz_input_byte(input);
    if ((modrm >> 6) == 3 && !(shape & 0x80))
        modrm &= 0x7f; /* a register destination is refused: rarely worth trying */
    step->bytes[length++] = modrm;
    uint8_t truncation = fuzz_input_byte(input);
    size_t rest = truncation < 0x20 ? truncation % 10 : PAGE_TABLE_WRITE_MAXIMUM_INSTRUCTION_LENGTH - length;
    for (size_t index = 0; index < rest && length < MAX_RAW_BYTES; index++)
        step->bytes[length++] = fuzz_input_byte(input);
    step->length = length;
}

static void read_raw_instruction(struct fuzz_input *input, struct step *step)
{
    step->length = fuzz_input_byte(input) % (MAX_RAW_BYTES + 1);
    for (size_t index = 0; index < step->length; index++)
        step->bytes[index] = fuzz_input_byte(input);
}

/* The general register number (0 RAX ... 15 R15) in the frame. */
static uint64_t *register_in(struct trap_frame *frame, unsigned int number)
{
    uint64_t *const registers[] = {
        &frame->rax, &frame->rcx, &frame->rdx, &frame->rbx, &frame->rsp, &frame->rbp, &frame->rsi, &frame->rdi,
        &frame->r8,  &frame->r9,  &frame->r10, &frame->r11, &frame->r12, &frame->r13, &frame->r14, &frame->r15,
    };

    return registers[number];
}

/* Lowers the base register to make the access naturally aligned, unless
 * the base is also an operand of the instruction. */
static void align_access(struct step *step, const struct reference_instruction *instruction)
{
    unsigned int bit;
    uint64_t address = reference_access_address(instruction, &step->registers, &bit);
    int base = instruction->base;

    if (base < 0 || base == instruction->index || (instruction->source_is_register &&
        (unsigned int) base == instruction->register_number) || base == 0)
        return;
    *register_in(&step->registers, (unsigned int) base) -= address % instruction->size;
}

/* With aim, the fault address is moved into the entry the model says the
 * instruction touches (any byte of it), and the access often aligned, so
 * that accepted instructions reach the execution most of the time. */
static void aim_at_access(struct step *step, uint8_t aim)
{
    struct reference_instruction instruction;
    unsigned int bit;

    if (!reference_decode(step->bytes, step->length, &instruction))
        return;
    if (aim & 0x20)
        align_access(step, &instruction);
    step->fault_address = reference_access_address(&instruction, &step->registers, &bit) + (aim & 7);
}

static void check_frame(const struct step *step, const struct trap_frame *got, const struct trap_frame *expected)
{
    static const char *const names[] = {
        "r15", "r14", "r13", "r12", "r11", "r10", "r9", "r8", "rbp", "rdi", "rsi",
        "rdx", "rcx", "rbx", "rax", "vector", "error_code", "rip", "cs", "rflags", "rsp", "ss",
    };
    const uint64_t *got_words = (const uint64_t *) got;
    const uint64_t *expected_words = (const uint64_t *) expected;

    _Static_assert(sizeof(names) / sizeof(names[0]) == sizeof(struct trap_frame) / sizeof(uint64_t),
                   "a name for every word of the frame");
    for (size_t index = 0; index < sizeof(struct trap_frame) / sizeof(uint64_t); index++) {
        if (got_words[index] != expected_words[index])
            violation(step, names[index], got_words[index], expected_words[index]);
    }
}

static void run_step(const struct step *step)
{
    struct reference_instruction instruction;
    struct trap_frame registers = step->registers;
    struct trap_frame result;
    struct trap_frame expected_result;
    struct trap_frame untouched;
    uint64_t new_entry = UINT64_C(0xa5a5a5a5a5a5a5a5);
    uint64_t expected_entry = 0;
    const uint8_t *bytes = place_before_guard(step->bytes, step->length);

    memset(&result, FRAME_CANARY, sizeof(result));
    untouched = result;
    bool model_accepts = reference_decode(step->bytes, step->length, &instruction) &&
                         reference_execute(&instruction, &step->registers, step->fault_address, step->old_entry,
                                           &expected_result, &expected_entry);
    work_meter_reset();
    int error = page_table_write_emulate(bytes, step->length, &registers, step->fault_address, step->old_entry,
                                         &result, &new_entry);
    uint64_t work = work_meter_blocks();

    if (work > WORK_BOUND)
        violation(step, "work (basic blocks) beyond the bound", work, WORK_BOUND);
    if (memcmp(&registers, &step->registers, sizeof(registers)) != 0)
        violation(step, "the input registers changed", 1, 0);
    if (error != 0 && error != -XEN_EINVAL)
        violation(step, "error code", (uint64_t) error, (uint64_t) -XEN_EINVAL);
    if ((error == 0) != model_accepts)
        violation(step, model_accepts ? "refused what the model accepts" : "accepted what the model refuses",
                  (uint64_t) error, model_accepts ? 0 : (uint64_t) -XEN_EINVAL);
    if (error != 0) {
        if (new_entry != UINT64_C(0xa5a5a5a5a5a5a5a5))
            violation(step, "a refusal wrote the new entry", new_entry, UINT64_C(0xa5a5a5a5a5a5a5a5));
        if (memcmp(&result, &untouched, sizeof(result)) != 0)
            violation(step, "a refusal wrote the result frame", 1, 0);
        return;
    }
    if (new_entry != expected_entry)
        violation(step, "new entry", new_entry, expected_entry);
    check_frame(step, &result, &expected_result);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input input = {data, size, 0};

    set_up_guard();
    for (unsigned int number = 0; number < MAX_STEPS && !fuzz_input_exhausted(&input); number++) {
        struct step step = {.number = number};
        uint8_t shape = fuzz_input_byte(&input);

        step.fault_address = fuzz_input_bytes(&input, 8);
        step.old_entry = fuzz_input_bytes(&input, 8);
        read_registers(&input, &step);
        if (shape & 0x03)
            build_instruction(&input, shape, &step);
        else
            read_raw_instruction(&input, &step);
        uint8_t aim = fuzz_input_byte(&input);
        if (aim & 0x18)
            aim_at_access(&step, aim);
        run_step(&step);
    }
    return 0;
}
