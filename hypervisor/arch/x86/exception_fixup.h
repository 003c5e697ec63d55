/*
 * How arch code marks an instruction that may fault on purpose (a copy
 * through a guest pointer, a guest's selector, an MSR that may not exist):
 * in inline assembly, the instruction carries label 1 and the code after
 * it label 2; EXCEPTION_FIXUP(code) places `code` out of line at label 3,
 * jumping back to 2, and lists (1, 3) in the exception table that
 * traps.c searches on a #PF, #GP or #NP in the hypervisor.
 */
#ifndef PVMON_ARCH_X86_EXCEPTION_FIXUP_H
#define PVMON_ARCH_X86_EXCEPTION_FIXUP_H

#define EXCEPTION_FIXUP(code)                        \
    ".pushsection .fixup, \"ax\"\n"                  \
    "3: " code "\n"                                  \
    "   jmp 2b\n"                                    \
    ".popsection\n"                                  \
    ".pushsection .exception_table, \"a\"\n"         \
    ".balign 8\n"                                    \
    ".quad 1b, 3b\n"                                 \
    ".popsection"

#endif
