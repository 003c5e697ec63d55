/*
 * The fuzzer's own model of the writable-page-table emulator (see
 * page_table_write_reference.h).  Sources: Intel SDM volume 2, sections
 * 2.1 (prefixes), 2.2.1 (REX), 2.1.5 (ModRM and SIB, RIP-relative),
 * and the instruction pages of MOV, XCHG, AND, OR, BTS, BTR and CMPXCHG;
 * the accepted set and its refusals are those listed at the top of
 * hypervisor/common/page_table_write.c.
 */
#include "page_table_write_reference.h"

#define LONGEST_INSTRUCTION 15

/* One bit per kind of prefix, so that a repeated kind is seen at once. */
#define SEEN_LOCK 0x1u
#define SEEN_OPERAND_SIZE 0x2u
#define SEEN_SEGMENT 0x4u
#define SEEN_REX 0x8u
#define NOT_A_PREFIX 0x0u
#define REFUSED_PREFIX 0x100u

#define REX_W 0x8u
#define REX_R 0x4u
#define REX_X 0x2u
#define REX_B 0x1u

#define FLAG_CF (UINT64_C(1) << 0)
#define FLAG_PF (UINT64_C(1) << 2)
#define FLAG_AF (UINT64_C(1) << 4)
#define FLAG_ZF (UINT64_C(1) << 6)
#define FLAG_SF (UINT64_C(1) << 7)
#define FLAG_OF (UINT64_C(1) << 11)
#define FLAG_RF (UINT64_C(1) << 16)

static unsigned int prefix_kind(uint8_t byte)
{
    switch (byte) {
    case 0xf0:
        return SEEN_LOCK;
    case 0x66:
        return SEEN_OPERAND_SIZE;
    case 0x26: case 0x2e: case 0x36: case 0x3e:
        return SEEN_SEGMENT;
    case 0x64: case 0x65: case 0x67: case 0xf2: case 0xf3:
        return REFUSED_PREFIX;
    default:
        return (byte & 0xf0) == 0x40 ? SEEN_REX : NOT_A_PREFIX;
    }
}

/* Reads through the instruction, never beyond limit. */
struct cursor {
    const uint8_t *bytes;
    size_t limit;
    size_t at;
};

static bool next(struct cursor *cursor, uint8_t *byte)
{
    if (cursor->at == cursor->limit)
        return false;
    *byte = cursor->bytes[cursor->at];
    cursor->at++;
    return true;
}

static bool next_signed(struct cursor *cursor, unsigned int size, uint64_t *value)
{
    uint8_t byte = 0;
    int64_t collected = 0;

    for (unsigned int index = 0; index < size; index++) {
        if (!next(cursor, &byte))
            return false;
        collected |= (int64_t) byte << (8 * index);
    }
    /* Sign-extend by shifting the top byte up and back down. */
    unsigned int unused_bits = 64 - 8 * size;
    *value = (uint64_t) ((int64_t) ((uint64_t) collected << unused_bits) >> unused_bits);
    return true;
}

/* Opcode shapes of the accepted set. */
enum shape {
    SHAPE_NONE,
    SHAPE_REGISTER,       /* r/m, r */
    SHAPE_IMMEDIATE,      /* r/m, imm of the operand size (at most 4 bytes) */
    SHAPE_IMMEDIATE_BYTE, /* r/m, imm8 */
};

/* What the opcode (and for groups, ModRM reg) is: false if not accepted. */
static bool classify(bool two_byte, uint8_t opcode, unsigned int reg, enum reference_operation *operation,
                     enum shape *shape, bool *byte_form)
{
    *byte_form = false;
    *shape = SHAPE_REGISTER;
    if (two_byte) {
        switch (opcode) {
        case 0xab: *operation = REFERENCE_BTS; return true;
        case 0xb3: *operation = REFERENCE_BTR; return true;
        case 0xb0: *byte_form = true; *operation = REFERENCE_CMPXCHG; return true;
        case 0xb1: *operation = REFERENCE_CMPXCHG; return true;
        case 0xba:
            *shape = SHAPE_IMMEDIATE_BYTE;
            if (reg == 5) { *operation = REFERENCE_BTS; return true; }
            if (reg == 6) { *operation = REFERENCE_BTR; return true; }
            return false;
        default:
            return false;
        }
    }
    switch (opcode) {
    case 0x08: *byte_form = true; *operation = REFERENCE_OR; return true;
    case 0x09: *operation = REFERENCE_OR; return true;
    case 0x20: *byte_form = true; *operation = REFERENCE_AND; return true;
    case 0x21: *operation = REFERENCE_AND; return true;
    case 0x86: *byte_form = true; *operation = REFERENCE_XCHG; return true;
    case 0x87: *operation = REFERENCE_XCHG; return true;
    case 0x88: *byte_form = true; *operation = REFERENCE_MOV; return true;
    case 0x89: *operation = REFERENCE_MOV; return true;
    case 0x80: case 0x81: case 0x83:
        *byte_form = opcode == 0x80;
        *shape = opcode == 0x81 ? SHAPE_IMMEDIATE : SHAPE_IMMEDIATE_BYTE;
        if (reg == 1) { *operation = REFERENCE_OR; return true; }
        if (reg == 4) { *operation = REFERENCE_AND; return true; }
        return false;
    case 0xc6: case 0xc7:
        *byte_form = opcode == 0xc6;
        *shape = opcode == 0xc7 ? SHAPE_IMMEDIATE : SHAPE_IMMEDIATE_BYTE;
        *operation = REFERENCE_MOV;
        return reg == 0;
    default:
        return false;
    }
}

static bool decode_address(struct cursor *cursor, unsigned int mod, unsigned int rm, unsigned int rex,
                           struct reference_instruction *instruction)
{
    uint8_t sib;

    instruction->base = -1;
    instruction->index = -1;
    instruction->scale = 1;
    instruction->displacement = 0;
    if (mod == 0 && rm == 5) {
        instruction->rip_relative = true;
        return next_signed(cursor, 4, &instruction->displacement);
    }
    if (rm != 4) {
        instruction->base = (int) (rm | (rex & REX_B ? 8 : 0));
    } else {
        if (!next(cursor, &sib))
            return false;
        unsigned int index = ((sib >> 3) & 7) | (rex & REX_X ? 8 : 0);
        instruction->index = index == 4 ? -1 : (int) index;
        instruction->scale = 1u << (sib >> 6);
        if ((sib & 7) == 5 && mod == 0)
            return next_signed(cursor, 4, &instruction->displacement);
        instruction->base = (int) ((sib & 7) | (rex & REX_B ? 8 : 0));
    }
    if (mod == 1)
        return next_signed(cursor, 1, &instruction->displacement);
    if (mod == 2)
        return next_signed(cursor, 4, &instruction->displacement);
    return true;
}

bool reference_decode(const uint8_t *bytes, size_t available, struct reference_instruction *instruction)
{
    struct cursor cursor = {bytes, available < LONGEST_INSTRUCTION ? available : LONGEST_INSTRUCTION, 0};
    unsigned int seen = 0;
    unsigned int rex = 0;
    uint8_t byte;

    for (;;) {
        if (!next(&cursor, &byte))
            return false;
        unsigned int kind = prefix_kind(byte);
        if (kind == NOT_A_PREFIX)
            break;
        if (kind == REFUSED_PREFIX || (seen & SEEN_REX) || (seen & kind))
            return false;
        seen |= kind;
        if (kind == SEEN_REX)
            rex = byte & 0xfu;
    }
    bool two_byte = byte == 0x0f;
    uint8_t opcode = byte;
    uint8_t modrm;
    if (two_byte && !next(&cursor, &opcode))
        return false;
    if (!next(&cursor, &modrm))
        return false;
    unsigned int mod = modrm >> 6;
    unsigned int reg = (modrm >> 3) & 7;
    enum shape shape;
    bool byte_form;

    if (mod == 3 || !classify(two_byte, opcode, reg, &instruction->operation, &shape, &byte_form))
        return false;
    if (instruction->operation == REFERENCE_MOV && (seen & SEEN_LOCK))
        return false;
    instruction->rip_relative = false;
    if (!decode_address(&cursor, mod, modrm & 7, rex, instruction))
        return false;
    instruction->has_rex = (seen & SEEN_REX) != 0;
    instruction->size = byte_form ? 1 : (rex & REX_W) ? 8 : (seen & SEEN_OPERAND_SIZE) ? 2 : 4;
    instruction->register_number = reg | (rex & REX_R ? 8 : 0);
    instruction->source_is_register = shape == SHAPE_REGISTER;
    instruction->immediate = 0;
    if (shape == SHAPE_IMMEDIATE_BYTE && !next_signed(&cursor, 1, &instruction->immediate))
        return false;
    if (shape == SHAPE_IMMEDIATE &&
        !next_signed(&cursor, instruction->size > 4 ? 4 : instruction->size, &instruction->immediate))
        return false;
    instruction->length = (unsigned int) cursor.at;
    return true;
}

/* General register n (0 RAX ... 15 R15) of the frame. */
static uint64_t *general_register(struct trap_frame *frame, unsigned int number)
{
    switch (number) {
    case 0: return &frame->rax;
    case 1: return &frame->rcx;
    case 2: return &frame->rdx;
    case 3: return &frame->rbx;
    case 4: return &frame->rsp;
    case 5: return &frame->rbp;
    case 6: return &frame->rsi;
    case 7: return &frame->rdi;
    case 8: return &frame->r8;
    case 9: return &frame->r9;
    case 10: return &frame->r10;
    case 11: return &frame->r11;
    case 12: return &frame->r12;
    case 13: return &frame->r13;
    case 14: return &frame->r14;
    default: return &frame->r15;
    }
}

static uint64_t register_value(const struct trap_frame *frame, unsigned int number)
{
    return *general_register((struct trap_frame *) frame, number);
}

static uint64_t low_bits(uint64_t value, unsigned int size)
{
    return size >= 8 ? value : value & ((UINT64_C(1) << (8 * size)) - 1);
}

static int64_t as_signed(uint64_t value, unsigned int size)
{
    unsigned int unused_bits = 64 - 8 * size;

    return (int64_t) (value << unused_bits) >> unused_bits;
}

/* AH, CH, DH, BH: byte registers 4-7 of an instruction without REX. */
static bool names_high_byte(const struct reference_instruction *instruction, unsigned int number)
{
    return instruction->size == 1 && !instruction->has_rex && number >= 4 && number < 8;
}

static uint64_t read_operand_register(const struct reference_instruction *instruction,
                                      const struct trap_frame *frame, unsigned int number)
{
    if (names_high_byte(instruction, number))
        return (register_value(frame, number - 4) >> 8) & 0xff;
    return low_bits(register_value(frame, number), instruction->size);
}

/* SDM 3.4.1.1: a 32-bit result is zero-extended; 8- and 16-bit results leave the rest alone. */
static void write_operand_register(const struct reference_instruction *instruction, struct trap_frame *frame,
                                   unsigned int number, uint64_t value)
{
    if (names_high_byte(instruction, number)) {
        uint64_t *whole = general_register(frame, number - 4);
        *whole = (*whole & ~UINT64_C(0xff00)) | ((value & 0xff) << 8);
        return;
    }
    uint64_t *whole = general_register(frame, number);
    switch (instruction->size) {
    case 1: *whole = (*whole & ~UINT64_C(0xff)) | (value & 0xff); break;
    case 2: *whole = (*whole & ~UINT64_C(0xffff)) | (value & 0xffff); break;
    case 4: *whole = value & UINT64_C(0xffffffff); break;
    default: *whole = value; break;
    }
}

static unsigned int log2_of_bits(unsigned int size)
{
    return size == 1 ? 3 : size == 2 ? 4 : size == 4 ? 5 : 6;
}

uint64_t reference_access_address(const struct reference_instruction *instruction,
                                  const struct trap_frame *registers, unsigned int *bit)
{
    uint64_t address = instruction->displacement;
    unsigned int shift = log2_of_bits(instruction->size);

    if (instruction->rip_relative)
        address += registers->rip + instruction->length;
    if (instruction->base >= 0)
        address += register_value(registers, (unsigned int) instruction->base);
    if (instruction->index >= 0)
        address += register_value(registers, (unsigned int) instruction->index) * instruction->scale;
    *bit = 0;
    if (instruction->operation != REFERENCE_BTS && instruction->operation != REFERENCE_BTR)
        return address;
    if (!instruction->source_is_register) {
        *bit = (unsigned int) (instruction->immediate & ((1u << shift) - 1));
        return address;
    }
    /* SDM BT: the register's bit offset is signed, and selects the operand
     * floor(offset / operand bits) operands away. */
    int64_t offset = as_signed(register_value(registers, instruction->register_number), instruction->size);
    *bit = (unsigned int) ((uint64_t) offset & ((1u << shift) - 1));
    return address + (uint64_t) (offset >> shift) * instruction->size;
}

static bool parity_even(uint64_t value)
{
    return __builtin_parity((unsigned int) (value & 0xff)) == 0;
}

static uint64_t sign_zero_parity(uint64_t value, unsigned int size)
{
    uint64_t flags = 0;

    if (low_bits(value, size) == 0)
        flags |= FLAG_ZF;
    if (as_signed(value, size) < 0)
        flags |= FLAG_SF;
    if (parity_even(value))
        flags |= FLAG_PF;
    return flags;
}

/* CMP left, right: the flags of left - right, from wide arithmetic. */
static uint64_t compare(uint64_t rflags, uint64_t left, uint64_t right, unsigned int size)
{
    uint64_t difference = low_bits(left - right, size);
    uint64_t flags = sign_zero_parity(difference, size);
    __int128 exact = (__int128) as_signed(left, size) - (__int128) as_signed(right, size);

    if (left < right)
        flags |= FLAG_CF;
    if (exact != (__int128) as_signed(difference, size))
        flags |= FLAG_OF;
    if ((left & 0xf) < (right & 0xf))
        flags |= FLAG_AF;
    return (rflags & ~(FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_OF)) | flags;
}

bool reference_execute(const struct reference_instruction *instruction, const struct trap_frame *registers,
                       uint64_t fault_address, uint64_t old_entry, struct trap_frame *result,
                       uint64_t *new_entry)
{
    unsigned int bit;
    uint64_t address = reference_access_address(instruction, registers, &bit);
    unsigned int size = instruction->size;

    if (address % size != 0 || address / 8 != fault_address / 8)
        return false;
    unsigned int shift = (unsigned int) (address % 8) * 8;
    uint64_t destination = low_bits(old_entry >> shift, size);
    uint64_t source = instruction->source_is_register
                          ? read_operand_register(instruction, registers, instruction->register_number)
                          : low_bits(instruction->immediate, size);
    uint64_t written = destination;

    *result = *registers;
    switch (instruction->operation) {
    case REFERENCE_MOV:
        written = source;
        break;
    case REFERENCE_XCHG:
        written = source;
        write_operand_register(instruction, result, instruction->register_number, destination);
        break;
    case REFERENCE_AND:
    case REFERENCE_OR:
        written = instruction->operation == REFERENCE_AND ? destination & source : destination | source;
        result->rflags = (result->rflags & ~(FLAG_CF | FLAG_OF | FLAG_ZF | FLAG_SF | FLAG_PF)) |
                         sign_zero_parity(written, size);
        break;
    case REFERENCE_BTS:
    case REFERENCE_BTR:
        result->rflags &= ~FLAG_CF;
        if ((destination >> bit) & 1)
            result->rflags |= FLAG_CF;
        written = instruction->operation == REFERENCE_BTS ? destination | (UINT64_C(1) << bit)
                                                          : destination & ~(UINT64_C(1) << bit);
        break;
    case REFERENCE_CMPXCHG: {
        uint64_t accumulator = read_operand_register(instruction, registers, 0);
        result->rflags = compare(result->rflags, accumulator, destination, size);
        if (accumulator == destination)
            written = source;
        else
            write_operand_register(instruction, result, 0, destination);
        break;
    }
    }
    uint64_t field = low_bits(~UINT64_C(0), size) << shift;
    *new_entry = (old_entry & ~field) | ((written << shift) & field);
    result->rip += instruction->length;
    result->rflags &= ~FLAG_RF;
    return true;
}
