/*
 * Vector numbers shared by the entry stubs (entry.S) and the C trap
 * handling (traps.c): the x86 exceptions the trap table covers, and the
 * pseudo-vectors an event upcall and a user-mode SYSCALL carry in struct
 * trap_frame.
 */
#ifndef PV_RUNTIME_TRAP_VECTORS_H
#define PV_RUNTIME_TRAP_VECTORS_H

#define TRAP_VECTOR_COUNT 20
#define EVENT_UPCALL_VECTOR 256
#define SYSCALL_CALLBACK_VECTOR 257

#endif
