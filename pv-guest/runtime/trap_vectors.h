/*
 * Vector numbers shared by the entry stubs (entry.S) and the C trap
 * handling (traps.c): the x86 exceptions the trap table covers, and the
 * pseudo-vector an event upcall carries in struct trap_frame.
 */
#ifndef PV_RUNTIME_TRAP_VECTORS_H
#define PV_RUNTIME_TRAP_VECTORS_H

#define TRAP_VECTOR_COUNT 20
#define EVENT_UPCALL_VECTOR 256

#endif
