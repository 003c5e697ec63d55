/*
 * The ELF64 layout pvmon reads: byte offsets of the fields it uses in the
 * file header and in a program header, and the constants it checks.
 * Fields are read by offset (never by casting the image to a struct), so
 * that an untrusted image can be bounds-checked byte by byte.  Shared by
 * common/pv_kernel.c and the tests that build images.
 */
#ifndef PVMON_ELF_H
#define PVMON_ELF_H

/* ELF64 file header. */
#define ELF_HEADER_SIZE 64
#define ELF_IDENT_CLASS 4
#define ELF_IDENT_DATA 5
#define ELF_IDENT_VERSION 6
#define ELF_TYPE 16
#define ELF_MACHINE 18
#define ELF_ENTRY 24
#define ELF_PROGRAM_HEADER_OFFSET 32
#define ELF_PROGRAM_HEADER_ENTRY_SIZE 54
#define ELF_PROGRAM_HEADER_COUNT 56
#define ELF_CLASS_64 2
#define ELF_DATA_LITTLE_ENDIAN 1
#define ELF_VERSION_CURRENT 1
#define ELF_TYPE_EXECUTABLE 2
#define ELF_MACHINE_X86_64 62

/* ELF64 program header. */
#define PROGRAM_HEADER_SIZE 56
#define PROGRAM_HEADER_TYPE 0
#define PROGRAM_HEADER_FLAGS 4
#define PROGRAM_HEADER_OFFSET 8
#define PROGRAM_HEADER_PHYSICAL_ADDRESS 24
#define PROGRAM_HEADER_FILE_SIZE 32
#define PROGRAM_HEADER_MEMORY_SIZE 40
#define SEGMENT_LOAD 1
#define SEGMENT_NOTE 4

#endif
