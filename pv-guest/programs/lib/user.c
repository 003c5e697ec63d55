/*
 * The user programs' library (see user.h).  System calls follow the
 * convention of kernel/user_abi.h: number in RAX, arguments in RDI, RSI,
 * RDX, R10, R8; SYSCALL clobbers RCX and R11.
 */
#include <stdarg.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include "user.h"

#define PRINT_BUFFER_SIZE 256
#define STANDARD_OUTPUT 1

static long system_call(long number, uint64_t first, uint64_t second, uint64_t third)
{
    long result;

    __asm__ volatile("syscall"
                     : "=a"(result), "+D"(first), "+S"(second), "+d"(third)
                     : "a"(number)
                     : "rcx", "r11", "r8", "r9", "r10", "memory");
    return result;
}

void exit(int status)
{
    for (;;)
        system_call(SYS_exit, (uint64_t)status, 0, 0);
}

long write(int fd, const void *buffer, size_t length)
{
    return system_call(SYS_write, (uint64_t)fd, (uint64_t)buffer, length);
}

int fork(void)
{
    return (int)system_call(SYS_fork, 0, 0, 0);
}

int exec(const char *path, const char *const argv[])
{
    return (int)system_call(SYS_exec, (uint64_t)path, (uint64_t)argv, 0);
}

int wait_child(int pid, int *status, struct process_usage *usage)
{
    return (int)system_call(SYS_wait, (uint64_t)(int64_t)pid, (uint64_t)status, (uint64_t)usage);
}

int getpid(void)
{
    return (int)system_call(SYS_getpid, 0, 0, 0);
}

long map_memory(size_t length)
{
    return system_call(SYS_map_memory, length, 0, 0);
}

int unmap_memory(uint64_t address, size_t length)
{
    return (int)system_call(SYS_unmap_memory, address, length, 0);
}

int yield(void)
{
    return (int)system_call(SYS_yield, 0, 0, 0);
}

int set_ldt_entry(unsigned int index, uint32_t base, uint64_t limit)
{
    return (int)system_call(SYS_set_ldt_entry, index, base, limit);
}

int sleep_ns(uint64_t duration_ns)
{
    return (int)system_call(SYS_sleep, duration_ns, 0, 0);
}

int memory_counters(struct memory_counters *counters)
{
    return (int)system_call(SYS_memory_counters, (uint64_t)counters, 0, 0);
}

int runstate(struct runstate_views *views)
{
    return (int)system_call(SYS_runstate, (uint64_t)views, 0, 0);
}

uint64_t clock_ns(void)
{
    return (uint64_t)system_call(SYS_clock, 0, 0, 0);
}

void print(const char *format, ...)
{
    char buffer[PRINT_BUFFER_SIZE];
    va_list arguments;
    int length;

    va_start(arguments, format);
    length = format_string_va(buffer, sizeof(buffer), format, arguments);
    va_end(arguments);
    if (length > (int)sizeof(buffer) - 1)
        length = sizeof(buffer) - 1;
    write(STANDARD_OUTPUT, buffer, (size_t)length);
}

bool parse_unsigned(const char *text, uint64_t *value)
{
    uint64_t result = 0;

    if (text == NULL || *text == '\0')
        return false;
    for (; *text != '\0'; text++) {
        if (*text < '0' || *text > '9' || result > (UINT64_MAX - 9) / 10)
            return false;
        result = result * 10 + (uint64_t)(*text - '0');
    }
    *value = result;
    return true;
}

unsigned int split(char *text, char separator, char *pieces[], unsigned int limit)
{
    unsigned int count = 0;

    while (count < limit) {
        pieces[count++] = text;
        while (*text != '\0' && *text != separator)
            text++;
        if (*text == '\0')
            break;
        *text++ = '\0';
    }
    return count;
}
