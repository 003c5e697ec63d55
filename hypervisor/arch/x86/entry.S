/*
 * Entry into the hypervisor from an exception, an interrupt or SYSCALL.
 *
 * Each of the 256 IDT vectors has a small stub that makes the stack look
 * the same for all of them: it pushes a zero error code where the CPU pushes
 * none, then the vector number, and jumps to trap_common.  trap_common saves
 * the general registers (struct trap_frame in pvmon/cpu.h), calls
 * handle_trap(frame) and returns with iretq.
 *
 * SYSCALL does not switch stacks and pvmon may not use swapgs (the PV
 * guests own the GS base), so each CPU has a stub that parks RAX, switches
 * to the CPU's stack by absolute address and builds the same frame as an
 * exception would, with vector SYSCALL_VECTOR (the shape of Xen's per-CPU
 * LSTAR stub).  It then calls guest_syscall (kernel/guest_entry.c)
 * directly, without handle_trap's dispatch (Xen's lstar_enter), and
 * returns by sysretq when guest_syscall allows it (Xen's
 * restore_all_guest), else through the same iretq path.  SFMASK clears DF
 * on SYSCALL (arch/x86/cpu.c), so the stub needs no cld.
 *
 * Until the stub has switched stacks, RSP is the guest's.  An exception
 * taken there must not use it, so everything that can arrive at the
 * stub's first instruction has a stack of its own (IST): NMI and #MC at
 * any time, and #DB, which a guest can hold back with mov ss (or pop ss)
 * over its syscall so that it is delivered in ring 0 (XSA-260).  #DF has
 * one too.  An IST exception from a guest (ring 3) moves its frame to
 * where any entry from ring 3 leaves it, the top of the CPU stack, and
 * continues there (Xen's handle_ist_exception), so the IST stack is free
 * again for a nested #DB, NMI or #MC while the guest's is handled; one in
 * the hypervisor stays on its IST stack (which lies in the CPU's stack
 * block, so struct cpu_info is found from RSP there too: layout.h).
 */
#include <pvmon/layout.h>

#define VECTOR_HAS_ERROR_CODE(vector) \
    ((vector) == 8 || ((vector) >= 10 && (vector) <= 14) || (vector) == 17 || \
     (vector) == 21 || (vector) == 29 || (vector) == 30)

/* #DB, NMI and #MC: IST vectors that may come from a guest and return to it. */
#define VECTOR_SHARES_IST_ENTRY(vector) ((vector) == 1 || (vector) == 2 || (vector) == 18)

/* The words an exception stub leaves: vector, error code, RIP, CS,
 * RFLAGS, RSP, SS. */
#define EXCEPTION_FRAME_WORDS 7
#define EXCEPTION_FRAME_CS_OFFSET 24

/* The same words as seen after RESTORE_REGISTERS on the sysret path. */
#define SYSRET_FRAME_RIP 16
#define SYSRET_FRAME_RFLAGS 32
#define SYSRET_FRAME_RSP 40
#define SYSCALL_VECTOR 0x100   /* as pvmon/trap_frame.h */
#define RFLAGS_IF 0x200
#define RFLAGS_IOPL 0x3000
#define RFLAGS_VM 0x20000

    .macro SAVE_REGISTERS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    .endm

    .macro RESTORE_REGISTERS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    .endm

    .text
    .balign 16
trap_common:
    SAVE_REGISTERS
    cld
    mov %rsp, %rdi
    call handle_trap
return_from_trap:
    RESTORE_REGISTERS
    add $16, %rsp
1:  iretq

/* A return to a guest can fault on what the guest chose through the iret
 * hypercall (a selector that does not load, a non-canonical RIP).  The
 * exception table sends such a fault here, on a stack whose contents no
 * longer matter: the guest is crashed, alone (guest_return_failed). */
    .pushsection .fixup, "ax"
2:  lea guest_return_failed(%rip), %rdi
    jmp reset_stack_and_call
    .popsection
    .pushsection .exception_table, "a"
    .balign 8
    .quad 1b, 2b
    .popsection

/* void enter_guest(const struct trap_frame *registers): copy the registers
 * to where an entry from ring 3 leaves its frame (just below the CPU's
 * struct cpu_info) and return through them.  The copy runs after RSP has
 * moved there, so it cannot overwrite a stack still in use. */
    .globl enter_guest
enter_guest:
    mov %rdi, %rsi
    mov %rsp, %rax
    or $(STACK_SIZE - 1), %rax
    sub $(CPU_INFO_SIZE + TRAP_FRAME_SIZE - 1), %rax
    mov %rax, %rsp
    mov %rax, %rdi
    mov $(TRAP_FRAME_SIZE / 8), %ecx
    rep movsq
    jmp return_from_trap

/* void reset_stack_and_call(void (*function)(void)): abandon everything on
 * this CPU's stack and call function on a fresh one; it must not return. */
    .globl reset_stack_and_call
reset_stack_and_call:
    mov %rsp, %rax
    or $(STACK_SIZE - 1), %rax
    sub $(CPU_INFO_SIZE - 1), %rax
    mov %rax, %rsp
    xor %ebp, %ebp
    call *%rdi
    ud2

/* An IST exception: from ring 3, its frame moves to the top of the CPU
 * stack (see the comment at the top); from the hypervisor, it stays. */
ist_entry_common:
    testb $3, EXCEPTION_FRAME_CS_OFFSET(%rsp)
    jz trap_common
    push %rax
    push %rcx
    push %rsi
    push %rdi
    cld
    lea 32(%rsp), %rsi
    movabs $(cpu0_stack + STACK_SIZE - CPU_INFO_SIZE - EXCEPTION_FRAME_WORDS * 8), %rdi
    mov $EXCEPTION_FRAME_WORDS, %ecx
    rep movsq
    pop %rdi
    pop %rsi
    pop %rcx
    pop %rax
    movabs $(cpu0_stack + STACK_SIZE - CPU_INFO_SIZE - EXCEPTION_FRAME_WORDS * 8), %rsp
    jmp trap_common

    .balign 16
    .globl trap_stubs
trap_stubs:
    .set vector, 0
    .rept 256
    .balign 16
    .if !VECTOR_HAS_ERROR_CODE(vector)
    push $0
    .endif
    push $vector
    .if VECTOR_SHARES_IST_ENTRY(vector)
    jmp ist_entry_common
    .else
    jmp trap_common
    .endif
    .set vector, vector + 1
    .endr

/* Each stub is 16 bytes: C finds vector N's stub at trap_stubs + 16 * N. */
    .globl TRAP_STUB_SIZE
    .set TRAP_STUB_SIZE, 16

    .balign 16
    .globl syscall_entry_cpu0
syscall_entry_cpu0:
    movabs %rax, cpu0_syscall_scratch
    mov %rsp, %rax
    movabs $(cpu0_stack + STACK_SIZE - CPU_INFO_SIZE), %rsp
    push $FLAT_RING3_DS32
    push %rax
    push %r11
    push $FLAT_RING3_CS64
    push %rcx
    push $0
    push $SYSCALL_VECTOR
    movabs cpu0_syscall_scratch, %rax
    SAVE_REGISTERS
    mov %rsp, %rdi
    call guest_syscall
    test %al, %al
    jz return_from_trap
/* Xen's restore_all_guest, sysret path: RCX and R11 are dead or saved
 * (guest_syscall said so), so sysretq takes RIP from RCX and RFLAGS from
 * R11, IOPL and VM cleared and IF set as on the iretq path; CS and SS
 * come from STAR (FLAT_RING3_CS64, FLAT_RING3_DS32).  RIP is canonical,
 * so sysretq cannot fault in ring 0.  Between loading the guest's RSP and
 * sysretq only an NMI or #MC can arrive, on its IST stack. */
    RESTORE_REGISTERS
    mov SYSRET_FRAME_RIP(%rsp), %rcx
    mov SYSRET_FRAME_RFLAGS(%rsp), %r11
    and $~(RFLAGS_IOPL | RFLAGS_VM), %r11
    or $RFLAGS_IF, %r11
    mov SYSRET_FRAME_RSP(%rsp), %rsp
    sysretq

    .bss
    .balign 8
cpu0_syscall_scratch:
    .quad 0

/* void capture_registers(struct trap_frame *frame): the caller's registers,
 * with RIP its return address and RSP its stack pointer after the return. */
    .text
    .globl capture_registers
capture_registers:
    mov %r15, 0x00(%rdi)
    mov %r14, 0x08(%rdi)
    mov %r13, 0x10(%rdi)
    mov %r12, 0x18(%rdi)
    mov %r11, 0x20(%rdi)
    mov %r10, 0x28(%rdi)
    mov %r9, 0x30(%rdi)
    mov %r8, 0x38(%rdi)
    mov %rbp, 0x40(%rdi)
    mov %rdi, 0x48(%rdi)
    mov %rsi, 0x50(%rdi)
    mov %rdx, 0x58(%rdi)
    mov %rcx, 0x60(%rdi)
    mov %rbx, 0x68(%rdi)
    mov %rax, 0x70(%rdi)
    movq $0, 0x78(%rdi)
    movq $0, 0x80(%rdi)
    mov (%rsp), %rax
    mov %rax, 0x88(%rdi)
    mov %cs, %eax
    mov %rax, 0x90(%rdi)
    pushf
    pop %rax
    mov %rax, 0x98(%rdi)
    lea 8(%rsp), %rax
    mov %rax, 0xa0(%rdi)
    mov %ss, %eax
    mov %rax, 0xa8(%rdi)
    mov 0x70(%rdi), %rax
    ret
