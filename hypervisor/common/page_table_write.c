/*
 * Decoding and emulating a guest kernel's write to a read-only page-table
 * entry (see pvmon/page_table_write.h).  This file owns which instructions
 * are accepted and what each computes.  The semantics are those of the
 * Intel SDM, volume 2, in 64-bit mode with 64-bit addressing.
 *
 * Instructions (the destination is always memory, never a register):
 * - MOV r/m, r (88, 89) and MOV r/m, imm (C6 /0, C7 /0).
 * - XCHG r/m, r (86, 87): the register receives the old value.
 * - AND and OR r/m, imm (80, 81, 83 with /4 and /1; 83 takes an imm8
 *   sign-extended) and r/m, r (20, 21, 08, 09): OF = CF = 0, SF, ZF and PF
 *   from the result; AF, which the SDM leaves undefined, is unchanged.
 * - BTS and BTR r/m, imm8 (0F BA /5, /6), the bit offset taken modulo the
 *   operand size, and r/m, r (0F AB, 0F B3), where the register holds a
 *   signed bit offset that may reach outside the addressed operand: the
 *   operand actually accessed is the one holding that bit.  CF = the old
 *   bit; the other flags are unchanged (the SDM leaves OF, SF, AF and PF
 *   undefined).
 * - CMPXCHG r/m, r (0F B0, 0F B1): the accumulator (AL, AX, EAX, RAX) is
 *   compared with the destination and the flags set as CMP accumulator,
 *   destination.  Equal: the destination takes the register.  Not equal:
 *   the destination is unchanged and the accumulator takes its value.
 *
 * Operands: byte opcodes are 1 byte; otherwise REX.W makes 8 bytes, else
 * 66 makes 2, else 4.  Immediates are at most 4 bytes, sign-extended to the
 * operand size.  A register result of 4 bytes zero-extends into the 64-bit
 * register; 1- and 2-byte results keep the register's other bits.  Byte
 * registers 4-7 are AH, CH, DH, BH without REX and SPL, BPL, SIL, DIL with
 * any REX.
 *
 * Addressing: ModRM mod 00, 01 and 10 with SIB, disp8, disp32 and
 * RIP-relative (relative to the end of the instruction), REX.X and REX.B
 * extending index and base.  No segment base applies: segment overrides
 * are refused, and in 64-bit mode DS, ES and SS have base 0.
 *
 * The access: it must be naturally aligned and lie inside the naturally
 * aligned 8-byte entry that holds the fault address (as Xen's ptwr_emulated
 * update requires); the bytes of the entry it does not touch keep their
 * value.
 *
 * Prefixes: one lock (F0), one operand size (66), one ES, CS, SS or DS
 * segment override (ignored in 64-bit mode: Linux's alternatives turn its
 * lock prefixes into DS, 3E, on a one-CPU system) and one REX, which must
 * come last, directly before the opcode.  Refused, so that the guest gets
 * its page fault: FS and GS overrides, address size (67), rep and repne
 * (F2, F3), any prefix given twice, a legacy prefix after REX, and lock on MOV
 * (the processor raises #UD for it, so it can only be seen here if the
 * bytes changed after the fault).
 *
 * On success RIP moves past the instruction and RFLAGS.RF is cleared, as
 * on completion of an instruction (Xen's pv_emul_instruction_done).
 */
#include <stdbool.h>
#include <pvmon/errno.h>
#include <pvmon/page_table_write.h>

#define PREFIX_LOCK 0xf0
#define PREFIX_OPERAND_SIZE 0x66
#define PREFIX_ADDRESS_SIZE 0x67
#define PREFIX_REPEAT_NOT_EQUAL 0xf2
#define PREFIX_REPEAT 0xf3
#define PREFIX_SEGMENT_ES 0x26
#define PREFIX_SEGMENT_CS 0x2e
#define PREFIX_SEGMENT_SS 0x36
#define PREFIX_SEGMENT_DS 0x3e
#define PREFIX_SEGMENT_FS 0x64
#define PREFIX_SEGMENT_GS 0x65
#define REX_FIRST 0x40
#define REX_LAST 0x4f
#define REX_OPERAND_64_BIT 0x08 /* REX.W */
#define REX_MODRM_REG_HIGH 0x04 /* REX.R */
#define REX_SIB_INDEX_HIGH 0x02 /* REX.X */
#define REX_BASE_HIGH 0x01      /* REX.B: ModRM rm or SIB base */
#define REGISTER_HIGH_BANK 8

#define OPCODE_TWO_BYTE_ESCAPE 0x0f
#define OPCODES 256

#define MODRM_MOD_SHIFT 6
#define MODRM_REG_SHIFT 3
#define MODRM_FIELD_MASK 7
#define MODRM_MOD_NO_DISPLACEMENT 0
#define MODRM_MOD_DISPLACEMENT_8 1
#define MODRM_MOD_DISPLACEMENT_32 2
#define MODRM_MOD_REGISTER 3
#define MODRM_RM_SIB_FOLLOWS 4
#define MODRM_RM_RIP_RELATIVE 5 /* with mod 00 */
#define SIB_SCALE_SHIFT 6
#define SIB_INDEX_SHIFT 3
#define SIB_NO_INDEX 4 /* without REX.X */
#define SIB_NO_BASE 5  /* with mod 00 */

#define REGISTER_ACCUMULATOR 0
#define HIGH_BYTE_REGISTER_FIRST 4 /* AH without REX */
#define HIGH_BYTE_REGISTER_LAST 7  /* BH without REX */
#define HIGH_BYTE_SHIFT 8

#define RFLAGS_CARRY (UINT64_C(1) << 0)
#define RFLAGS_PARITY (UINT64_C(1) << 2)
#define RFLAGS_AUXILIARY_CARRY (UINT64_C(1) << 4)
#define RFLAGS_ZERO (UINT64_C(1) << 6)
#define RFLAGS_SIGN (UINT64_C(1) << 7)
#define RFLAGS_OVERFLOW (UINT64_C(1) << 11)
#define RFLAGS_RESUME (UINT64_C(1) << 16)
#define RFLAGS_ARITHMETIC                                                                            \
    (RFLAGS_CARRY | RFLAGS_PARITY | RFLAGS_AUXILIARY_CARRY | RFLAGS_ZERO | RFLAGS_SIGN | RFLAGS_OVERFLOW)
#define AUXILIARY_CARRY_BIT 4 /* the carry out of bit 3 shows in bit 4 of a ^ b ^ result */

#define BITS_PER_BYTE 8
#define ENTRY_SIZE 8
#define MAXIMUM_IMMEDIATE_SIZE 4
#define BYTE_OPERAND_SIZE 1
#define WORD_OPERAND_SIZE 2
#define DOUBLEWORD_OPERAND_SIZE 4
#define QUADWORD_OPERAND_SIZE 8

enum operation {
    OPERATION_MOVE,
    OPERATION_EXCHANGE,
    OPERATION_AND,
    OPERATION_OR,
    OPERATION_BIT_SET,
    OPERATION_BIT_RESET,
    OPERATION_COMPARE_EXCHANGE,
};

/* Opcodes whose ModRM reg field chooses the operation. */
enum opcode_group {
    GROUP_NONE,
    GROUP_LOGIC_IMMEDIATE, /* 80, 81, 83: /1 OR, /4 AND (other /n not emulated) */
    GROUP_MOVE_IMMEDIATE,  /* C6, C7: /0 MOV */
    GROUP_BIT_IMMEDIATE,   /* 0F BA: /5 BTS, /6 BTR */
};

#define GROUP_OR 1
#define GROUP_AND 4
#define GROUP_MOVE 0
#define GROUP_BIT_SET 5
#define GROUP_BIT_RESET 6

enum source_operand {
    SOURCE_REGISTER,       /* the general register named by ModRM reg */
    SOURCE_IMMEDIATE,      /* an immediate of the operand size, at most 4 bytes */
    SOURCE_IMMEDIATE_BYTE, /* one immediate byte whatever the operand size */
};

/* What an opcode byte means; emulated is false for every opcode not listed. */
struct opcode_form {
    bool emulated;
    bool byte_operand;
    enum opcode_group group;
    enum operation operation; /* when group is GROUP_NONE */
    enum source_operand source;
};

#define REGISTER_FORM(operation_name, is_byte)                                                       \
    { .emulated = true, .byte_operand = (is_byte), .group = GROUP_NONE, .operation = (operation_name), \
      .source = SOURCE_REGISTER }
#define GROUP_FORM(group_name, is_byte, source_kind)                                                 \
    { .emulated = true, .byte_operand = (is_byte), .group = (group_name), .source = (source_kind) }

static const struct opcode_form one_byte_forms[OPCODES] = {
    [0x08] = REGISTER_FORM(OPERATION_OR, true),
    [0x09] = REGISTER_FORM(OPERATION_OR, false),
    [0x20] = REGISTER_FORM(OPERATION_AND, true),
    [0x21] = REGISTER_FORM(OPERATION_AND, false),
    [0x80] = GROUP_FORM(GROUP_LOGIC_IMMEDIATE, true, SOURCE_IMMEDIATE),
    [0x81] = GROUP_FORM(GROUP_LOGIC_IMMEDIATE, false, SOURCE_IMMEDIATE),
    [0x83] = GROUP_FORM(GROUP_LOGIC_IMMEDIATE, false, SOURCE_IMMEDIATE_BYTE),
    [0x86] = REGISTER_FORM(OPERATION_EXCHANGE, true),
    [0x87] = REGISTER_FORM(OPERATION_EXCHANGE, false),
    [0x88] = REGISTER_FORM(OPERATION_MOVE, true),
    [0x89] = REGISTER_FORM(OPERATION_MOVE, false),
    [0xc6] = GROUP_FORM(GROUP_MOVE_IMMEDIATE, true, SOURCE_IMMEDIATE),
    [0xc7] = GROUP_FORM(GROUP_MOVE_IMMEDIATE, false, SOURCE_IMMEDIATE),
};

/* The second byte after 0F. */
static const struct opcode_form two_byte_forms[OPCODES] = {
    [0xab] = REGISTER_FORM(OPERATION_BIT_SET, false),
    [0xb0] = REGISTER_FORM(OPERATION_COMPARE_EXCHANGE, true),
    [0xb1] = REGISTER_FORM(OPERATION_COMPARE_EXCHANGE, false),
    [0xb3] = REGISTER_FORM(OPERATION_BIT_RESET, false),
    [0xba] = GROUP_FORM(GROUP_BIT_IMMEDIATE, false, SOURCE_IMMEDIATE_BYTE),
};

/* The instruction bytes not yet consumed. */
struct byte_reader {
    const uint8_t *bytes;
    size_t available;
    unsigned int length; /* bytes consumed so far */
};

struct prefixes {
    bool lock;
    bool operand_size_override;
    bool null_segment_override;
    bool has_rex;
    uint8_t rex;
};

/* The memory operand named by ModRM (and SIB). */
struct memory_operand {
    bool rip_relative;
    bool has_base;
    unsigned int base;
    bool has_index;
    unsigned int index;
    unsigned int scale;
    uint64_t displacement; /* sign-extended */
};

struct decoded_instruction {
    struct prefixes prefixes;
    struct opcode_form form;
    enum operation operation;
    unsigned int operand_size;
    unsigned int register_number; /* ModRM reg with REX.R, for SOURCE_REGISTER */
    struct memory_operand memory;
    uint64_t immediate; /* sign-extended to 64 bits */
    unsigned int length;
};

/* The part of the entry the instruction reads and writes. */
struct entry_access {
    uint64_t address;
    unsigned int size;
    unsigned int bit; /* for BTS and BTR: the bit inside the operand */
};

static bool take_byte(struct byte_reader *reader, uint8_t *byte)
{
    if (reader->length >= reader->available)
        return false;
    *byte = reader->bytes[reader->length++];
    return true;
}

static uint64_t operand_mask(unsigned int size)
{
    return size == QUADWORD_OPERAND_SIZE ? UINT64_MAX : (UINT64_C(1) << (size * BITS_PER_BYTE)) - 1;
}

static uint64_t sign_bit(unsigned int size)
{
    return UINT64_C(1) << (size * BITS_PER_BYTE - 1);
}

/* The low size bytes of value, sign-extended to 64 bits. */
static uint64_t sign_extend(uint64_t value, unsigned int size)
{
    value &= operand_mask(size);
    if (value & sign_bit(size))
        value |= ~operand_mask(size);
    return value;
}

/* Reads a little-endian value of size bytes and sign-extends it. */
static bool take_signed(struct byte_reader *reader, unsigned int size, uint64_t *value)
{
    uint64_t collected = 0;

    for (unsigned int index = 0; index < size; index++) {
        uint8_t byte;

        if (!take_byte(reader, &byte))
            return false;
        collected |= (uint64_t)byte << (index * BITS_PER_BYTE);
    }
    *value = sign_extend(collected, size);
    return true;
}

static bool is_rex(uint8_t byte)
{
    return byte >= REX_FIRST && byte <= REX_LAST;
}

static bool is_refused_prefix(uint8_t byte)
{
    switch (byte) {
    case PREFIX_SEGMENT_FS:
    case PREFIX_SEGMENT_GS:
    case PREFIX_ADDRESS_SIZE:
    case PREFIX_REPEAT_NOT_EQUAL:
    case PREFIX_REPEAT:
        return true;
    default:
        return false;
    }
}

/* ES, CS, SS and DS have base 0 in 64-bit mode: overriding them changes nothing. */
static bool is_null_segment_override(uint8_t byte)
{
    return byte == PREFIX_SEGMENT_ES || byte == PREFIX_SEGMENT_CS || byte == PREFIX_SEGMENT_SS ||
           byte == PREFIX_SEGMENT_DS;
}

/* Records one prefix: false for a prefix given twice or refused. */
static bool record_prefix(struct prefixes *prefixes, uint8_t byte)
{
    if (is_refused_prefix(byte) || prefixes->has_rex)
        return false;
    if (is_rex(byte)) {
        prefixes->has_rex = true;
        prefixes->rex = byte;
        return true;
    }
    if (byte == PREFIX_LOCK) {
        if (prefixes->lock)
            return false;
        prefixes->lock = true;
        return true;
    }
    if (is_null_segment_override(byte)) {
        if (prefixes->null_segment_override)
            return false;
        prefixes->null_segment_override = true;
        return true;
    }
    if (prefixes->operand_size_override)
        return false;
    prefixes->operand_size_override = true;
    return true;
}

static bool is_prefix(uint8_t byte)
{
    return byte == PREFIX_LOCK || byte == PREFIX_OPERAND_SIZE || is_null_segment_override(byte) || is_rex(byte) ||
           is_refused_prefix(byte);
}

/* Reads the prefixes and the opcode (one byte, or 0F and one more). */
static bool take_opcode(struct byte_reader *reader, struct decoded_instruction *instruction)
{
    uint8_t byte;

    for (;;) {
        if (!take_byte(reader, &byte))
            return false;
        if (!is_prefix(byte))
            break;
        if (!record_prefix(&instruction->prefixes, byte))
            return false;
    }
    if (byte != OPCODE_TWO_BYTE_ESCAPE) {
        instruction->form = one_byte_forms[byte];
        return instruction->form.emulated;
    }
    if (!take_byte(reader, &byte))
        return false;
    instruction->form = two_byte_forms[byte];
    return instruction->form.emulated;
}

/* The operation of a group opcode from its ModRM reg field (REX.R does not
 * take part); false for a member not emulated. */
static bool group_operation(enum opcode_group group, unsigned int reg_field, enum operation *operation)
{
    switch (group) {
    case GROUP_LOGIC_IMMEDIATE:
        if (reg_field == GROUP_OR)
            *operation = OPERATION_OR;
        else if (reg_field == GROUP_AND)
            *operation = OPERATION_AND;
        else
            return false;
        return true;
    case GROUP_MOVE_IMMEDIATE:
        *operation = OPERATION_MOVE;
        return reg_field == GROUP_MOVE;
    case GROUP_BIT_IMMEDIATE:
        if (reg_field == GROUP_BIT_SET)
            *operation = OPERATION_BIT_SET;
        else if (reg_field == GROUP_BIT_RESET)
            *operation = OPERATION_BIT_RESET;
        else
            return false;
        return true;
    default:
        return false;
    }
}

static unsigned int rex_extension(const struct prefixes *prefixes, uint8_t rex_bit)
{
    return (prefixes->rex & rex_bit) ? REGISTER_HIGH_BANK : 0;
}

/* Reads a SIB byte: base (unless mod 00 with base 101, which takes a
 * disp32 instead), index (unless 100 without REX.X) and scale. */
static bool take_sib(struct byte_reader *reader, unsigned int mod, const struct prefixes *prefixes,
                     struct memory_operand *memory)
{
    uint8_t sib;
    unsigned int index_field;
    unsigned int base_field;

    if (!take_byte(reader, &sib))
        return false;
    index_field = ((sib >> SIB_INDEX_SHIFT) & MODRM_FIELD_MASK) + rex_extension(prefixes, REX_SIB_INDEX_HIGH);
    base_field = sib & MODRM_FIELD_MASK;
    memory->scale = 1u << (sib >> SIB_SCALE_SHIFT);
    memory->has_index = index_field != SIB_NO_INDEX;
    memory->index = index_field;
    if (mod == MODRM_MOD_NO_DISPLACEMENT && base_field == SIB_NO_BASE)
        return take_signed(reader, DOUBLEWORD_OPERAND_SIZE, &memory->displacement);
    memory->has_base = true;
    memory->base = base_field + rex_extension(prefixes, REX_BASE_HIGH);
    return true;
}

/* Reads the ModRM byte and the SIB and displacement that follow it.  A
 * register destination (mod 11) is refused. */
static bool take_memory_operand(struct byte_reader *reader, struct decoded_instruction *instruction)
{
    struct memory_operand *memory = &instruction->memory;
    uint8_t modrm;
    unsigned int mod;
    unsigned int reg_field;
    unsigned int rm;

    if (!take_byte(reader, &modrm))
        return false;
    mod = modrm >> MODRM_MOD_SHIFT;
    reg_field = (modrm >> MODRM_REG_SHIFT) & MODRM_FIELD_MASK;
    rm = modrm & MODRM_FIELD_MASK;
    if (mod == MODRM_MOD_REGISTER)
        return false;
    instruction->register_number = reg_field + rex_extension(&instruction->prefixes, REX_MODRM_REG_HIGH);
    if (instruction->form.group == GROUP_NONE)
        instruction->operation = instruction->form.operation;
    else if (!group_operation(instruction->form.group, reg_field, &instruction->operation))
        return false;

    if (rm == MODRM_RM_SIB_FOLLOWS) {
        if (!take_sib(reader, mod, &instruction->prefixes, memory))
            return false;
    } else if (mod == MODRM_MOD_NO_DISPLACEMENT && rm == MODRM_RM_RIP_RELATIVE) {
        memory->rip_relative = true;
        return take_signed(reader, DOUBLEWORD_OPERAND_SIZE, &memory->displacement);
    } else {
        memory->has_base = true;
        memory->base = rm + rex_extension(&instruction->prefixes, REX_BASE_HIGH);
    }
    if (mod == MODRM_MOD_DISPLACEMENT_8)
        return take_signed(reader, BYTE_OPERAND_SIZE, &memory->displacement);
    if (mod == MODRM_MOD_DISPLACEMENT_32)
        return take_signed(reader, DOUBLEWORD_OPERAND_SIZE, &memory->displacement);
    return true;
}

static unsigned int operand_size_of(const struct decoded_instruction *instruction)
{
    if (instruction->form.byte_operand)
        return BYTE_OPERAND_SIZE;
    if (instruction->prefixes.rex & REX_OPERAND_64_BIT)
        return QUADWORD_OPERAND_SIZE;
    if (instruction->prefixes.operand_size_override)
        return WORD_OPERAND_SIZE;
    return DOUBLEWORD_OPERAND_SIZE;
}

static bool take_immediate(struct byte_reader *reader, struct decoded_instruction *instruction)
{
    unsigned int size;

    switch (instruction->form.source) {
    case SOURCE_IMMEDIATE_BYTE:
        size = BYTE_OPERAND_SIZE;
        break;
    case SOURCE_IMMEDIATE:
        size = instruction->operand_size < MAXIMUM_IMMEDIATE_SIZE ? instruction->operand_size
                                                                  : MAXIMUM_IMMEDIATE_SIZE;
        break;
    default:
        return true;
    }
    return take_signed(reader, size, &instruction->immediate);
}

/* Decodes the whole instruction; false if it is not one emulated here. */
static bool decode(const uint8_t *bytes, size_t available, struct decoded_instruction *instruction)
{
    struct byte_reader reader = { .bytes = bytes, .available = available };

    if (reader.available > PAGE_TABLE_WRITE_MAXIMUM_INSTRUCTION_LENGTH)
        reader.available = PAGE_TABLE_WRITE_MAXIMUM_INSTRUCTION_LENGTH;
    if (!take_opcode(&reader, instruction) || !take_memory_operand(&reader, instruction))
        return false;
    if (instruction->prefixes.lock && instruction->operation == OPERATION_MOVE)
        return false;
    instruction->operand_size = operand_size_of(instruction);
    if (!take_immediate(&reader, instruction))
        return false;
    instruction->length = reader.length;
    return true;
}

/* Where general register number (0 RAX, 1 RCX, ... 15 R15) is in the frame. */
static size_t general_register_offset(unsigned int number)
{
    static const size_t offsets[] = {
        offsetof(struct trap_frame, rax), offsetof(struct trap_frame, rcx), offsetof(struct trap_frame, rdx),
        offsetof(struct trap_frame, rbx), offsetof(struct trap_frame, rsp), offsetof(struct trap_frame, rbp),
        offsetof(struct trap_frame, rsi), offsetof(struct trap_frame, rdi), offsetof(struct trap_frame, r8),
        offsetof(struct trap_frame, r9),  offsetof(struct trap_frame, r10), offsetof(struct trap_frame, r11),
        offsetof(struct trap_frame, r12), offsetof(struct trap_frame, r13), offsetof(struct trap_frame, r14),
        offsetof(struct trap_frame, r15),
    };

    return offsets[number];
}

static uint64_t read_general_register(const struct trap_frame *registers, unsigned int number)
{
    return *(const uint64_t *)((const char *)registers + general_register_offset(number));
}

static void write_general_register(struct trap_frame *registers, unsigned int number, uint64_t value)
{
    *(uint64_t *)((char *)registers + general_register_offset(number)) = value;
}

/* AH, CH, DH, BH: byte registers 4-7 when the instruction has no REX. */
static bool is_high_byte_register(unsigned int number, unsigned int size, const struct prefixes *prefixes)
{
    return size == BYTE_OPERAND_SIZE && !prefixes->has_rex && number >= HIGH_BYTE_REGISTER_FIRST &&
           number <= HIGH_BYTE_REGISTER_LAST;
}

/* The size-byte register operand number, zero-extended. */
static uint64_t read_register_operand(const struct trap_frame *registers, unsigned int number, unsigned int size,
                                      const struct prefixes *prefixes)
{
    if (is_high_byte_register(number, size, prefixes)) {
        uint64_t whole = read_general_register(registers, number - HIGH_BYTE_REGISTER_FIRST);

        return (whole >> HIGH_BYTE_SHIFT) & operand_mask(BYTE_OPERAND_SIZE);
    }
    return read_general_register(registers, number) & operand_mask(size);
}

/* Writes a size-byte register result: 4 bytes zero-extend, 1 and 2 keep
 * the register's other bits. */
static void write_register_operand(struct trap_frame *registers, unsigned int number, unsigned int size,
                                   const struct prefixes *prefixes, uint64_t value)
{
    uint64_t mask = operand_mask(size);

    value &= mask;
    if (is_high_byte_register(number, size, prefixes)) {
        unsigned int whole_number = number - HIGH_BYTE_REGISTER_FIRST;
        uint64_t whole = read_general_register(registers, whole_number);

        whole &= ~(mask << HIGH_BYTE_SHIFT);
        write_general_register(registers, whole_number, whole | (value << HIGH_BYTE_SHIFT));
        return;
    }
    if (size == DOUBLEWORD_OPERAND_SIZE || size == QUADWORD_OPERAND_SIZE) {
        write_general_register(registers, number, value);
        return;
    }
    write_general_register(registers, number, (read_general_register(registers, number) & ~mask) | value);
}

static uint64_t effective_address(const struct decoded_instruction *instruction, const struct trap_frame *registers)
{
    const struct memory_operand *memory = &instruction->memory;
    uint64_t address = memory->displacement;

    if (memory->rip_relative)
        return registers->rip + instruction->length + address;
    if (memory->has_base)
        address += read_general_register(registers, memory->base);
    if (memory->has_index)
        address += read_general_register(registers, memory->index) * memory->scale;
    return address;
}

static bool is_bit_operation(enum operation operation)
{
    return operation == OPERATION_BIT_SET || operation == OPERATION_BIT_RESET;
}

/* BTS and BTR with a register: the register's signed bit offset selects
 * the operand-sized unit floor(offset / bits) away from the address and
 * the bit inside it. */
static void locate_register_bit(struct entry_access *access, int64_t bit_offset)
{
    int64_t bits_per_operand = (int64_t)access->size * BITS_PER_BYTE;
    int64_t units = bit_offset / bits_per_operand;
    int64_t bit = bit_offset % bits_per_operand;

    if (bit < 0) {
        bit += bits_per_operand;
        units--;
    }
    access->address += (uint64_t)(units * (int64_t)access->size);
    access->bit = (unsigned int)bit;
}

static struct entry_access entry_access_of(const struct decoded_instruction *instruction,
                                           const struct trap_frame *registers)
{
    struct entry_access access = {
        .address = effective_address(instruction, registers),
        .size = instruction->operand_size,
    };

    if (!is_bit_operation(instruction->operation))
        return access;
    if (instruction->form.source == SOURCE_REGISTER) {
        uint64_t offset = read_general_register(registers, instruction->register_number);

        locate_register_bit(&access, (int64_t)sign_extend(offset, access.size));
    } else {
        access.bit = (unsigned int)(instruction->immediate & (access.size * BITS_PER_BYTE - 1));
    }
    return access;
}

/* Naturally aligned and inside the 8-byte entry that holds fault_address. */
static bool is_inside_entry(const struct entry_access *access, uint64_t fault_address)
{
    uint64_t entry_address = fault_address & ~(uint64_t)(ENTRY_SIZE - 1);

    return access->address % access->size == 0 &&
           (access->address & ~(uint64_t)(ENTRY_SIZE - 1)) == entry_address;
}

static unsigned int shift_in_entry(const struct entry_access *access)
{
    return (unsigned int)(access->address % ENTRY_SIZE) * BITS_PER_BYTE;
}

static uint64_t read_entry_part(uint64_t entry, const struct entry_access *access)
{
    return (entry >> shift_in_entry(access)) & operand_mask(access->size);
}

static uint64_t replace_entry_part(uint64_t entry, const struct entry_access *access, uint64_t value)
{
    uint64_t mask = operand_mask(access->size) << shift_in_entry(access);

    return (entry & ~mask) | ((value << shift_in_entry(access)) & mask);
}

/* Even parity of the low byte of result, as PF reports it. */
static bool has_even_parity(uint64_t result)
{
    unsigned int ones = 0;

    for (unsigned int bit = 0; bit < BITS_PER_BYTE; bit++)
        ones += (result >> bit) & 1;
    return ones % 2 == 0;
}

static uint64_t flag_if(bool condition, uint64_t flag)
{
    return condition ? flag : 0;
}

/* SF, ZF and PF of a size-byte result. */
static uint64_t result_flags(uint64_t result, unsigned int size)
{
    result &= operand_mask(size);
    return flag_if((result & sign_bit(size)) != 0, RFLAGS_SIGN) | flag_if(result == 0, RFLAGS_ZERO) |
           flag_if(has_even_parity(result), RFLAGS_PARITY);
}

/* AND and OR: OF = CF = 0, SF, ZF, PF from the result, AF unchanged. */
static uint64_t logic_flags(uint64_t rflags, uint64_t result, unsigned int size)
{
    uint64_t changed = RFLAGS_ARITHMETIC & ~RFLAGS_AUXILIARY_CARRY;

    return (rflags & ~changed) | result_flags(result, size);
}

/* All six arithmetic flags of CMP left, right (left - right). */
static uint64_t compare_flags(uint64_t rflags, uint64_t left, uint64_t right, unsigned int size)
{
    uint64_t difference = (left - right) & operand_mask(size);
    bool signs_differ = ((left ^ right) & sign_bit(size)) != 0;
    bool sign_changed = ((left ^ difference) & sign_bit(size)) != 0;
    uint64_t flags = result_flags(difference, size);

    flags |= flag_if(left < right, RFLAGS_CARRY);
    flags |= flag_if(signs_differ && sign_changed, RFLAGS_OVERFLOW);
    flags |= flag_if(((left ^ right ^ difference) >> AUXILIARY_CARRY_BIT) & 1, RFLAGS_AUXILIARY_CARRY);
    return (rflags & ~RFLAGS_ARITHMETIC) | flags;
}

/* BTS and BTR: CF = the old bit, the other flags unchanged. */
static uint64_t bit_operation(const struct decoded_instruction *instruction, const struct entry_access *access,
                              uint64_t old_value, struct trap_frame *result)
{
    uint64_t bit = UINT64_C(1) << access->bit;

    result->rflags = (result->rflags & ~RFLAGS_CARRY) | flag_if((old_value & bit) != 0, RFLAGS_CARRY);
    return instruction->operation == OPERATION_BIT_SET ? old_value | bit : old_value & ~bit;
}

static uint64_t compare_exchange(const struct decoded_instruction *instruction, uint64_t old_value,
                                 uint64_t source, struct trap_frame *result)
{
    unsigned int size = instruction->operand_size;
    uint64_t accumulator = read_register_operand(result, REGISTER_ACCUMULATOR, size, &instruction->prefixes);

    result->rflags = compare_flags(result->rflags, accumulator, old_value, size);
    if (accumulator == old_value)
        return source;
    write_register_operand(result, REGISTER_ACCUMULATOR, size, &instruction->prefixes, old_value);
    return old_value;
}

static uint64_t source_value(const struct decoded_instruction *instruction, const struct trap_frame *registers)
{
    if (instruction->form.source == SOURCE_REGISTER)
        return read_register_operand(registers, instruction->register_number, instruction->operand_size,
                                     &instruction->prefixes);
    return instruction->immediate & operand_mask(instruction->operand_size);
}

/* The destination's new value; registers and flags change in *result. */
static uint64_t execute(const struct decoded_instruction *instruction, const struct entry_access *access,
                        uint64_t old_value, struct trap_frame *result)
{
    uint64_t source = source_value(instruction, result);
    uint64_t new_value;

    switch (instruction->operation) {
    case OPERATION_MOVE:
        return source;
    case OPERATION_EXCHANGE:
        write_register_operand(result, instruction->register_number, access->size, &instruction->prefixes,
                               old_value);
        return source;
    case OPERATION_AND:
        new_value = old_value & source;
        result->rflags = logic_flags(result->rflags, new_value, access->size);
        return new_value;
    case OPERATION_OR:
        new_value = old_value | source;
        result->rflags = logic_flags(result->rflags, new_value, access->size);
        return new_value;
    case OPERATION_BIT_SET:
    case OPERATION_BIT_RESET:
        return bit_operation(instruction, access, old_value, result);
    case OPERATION_COMPARE_EXCHANGE:
    default:
        return compare_exchange(instruction, old_value, source, result);
    }
}

int page_table_write_emulate(const uint8_t *bytes, size_t available, const struct trap_frame *registers,
                             uint64_t fault_address, uint64_t old_entry, struct trap_frame *result,
                             uint64_t *new_entry)
{
    struct decoded_instruction instruction = { 0 };
    struct trap_frame updated = *registers;
    struct entry_access access;
    uint64_t new_value;

    if (!decode(bytes, available, &instruction))
        return -XEN_EINVAL;
    access = entry_access_of(&instruction, registers);
    if (!is_inside_entry(&access, fault_address))
        return -XEN_EINVAL;
    new_value = execute(&instruction, &access, read_entry_part(old_entry, &access), &updated);
    updated.rip += instruction.length;
    updated.rflags &= ~RFLAGS_RESUME;
    *new_entry = replace_entry_part(old_entry, &access, new_value);
    *result = updated;
    return 0;
}
