/*
 * System calls (see syscalls.h).  Arguments come in RDI, RSI, RDX, R10
 * and R8; every pointer is a user address, reached only through
 * user_memory.c; every length is bounded before anything is copied.
 */
#include <stdint.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include <guest/hypercall.h>
#include <public/memory_extension.h>
#include <runtime/clock.h>
#include "frame_pool.h"
#include "program_loader.h"
#include "runstate_area.h"
#include "syscalls.h"
#include "user_memory.h"

#define STANDARD_OUTPUT 1
#define STANDARD_ERROR 2
#define WRITE_CHUNK 256
#define MAX_WRITE (UINT64_C(1) << 20)

static long sys_write(struct process *process, uint64_t fd, uint64_t buffer, uint64_t length)
{
    char chunk[WRITE_CHUNK];
    int error;

    if (fd != STANDARD_OUTPUT && fd != STANDARD_ERROR)
        return -XEN_EBADF;
    if (length > MAX_WRITE)
        return -XEN_EINVAL;
    for (uint64_t done = 0; done < length;) {
        uint64_t size = length - done < WRITE_CHUNK ? length - done : WRITE_CHUNK;

        if ((error = copy_from_user(process, chunk, buffer + done, size)) != 0)
            return error;
        hypercall_console_write(chunk, size);
        done += size;
    }
    return (long)length;
}

/* argv: user pointers to strings, up to a NULL. */
static int copy_arguments(struct process *process, uint64_t vector, struct program_arguments *arguments)
{
    char text[USER_MAX_ARGUMENT_BYTES];
    uint64_t pointer;
    int error;

    for (unsigned int index = 0; vector != 0; index++) {
        if ((error = copy_from_user(process, &pointer, vector + index * sizeof(pointer), sizeof(pointer))) != 0)
            return error;
        if (pointer == 0)
            return 0;
        if ((error = copy_string_from_user(process, text, pointer, sizeof(text))) != 0)
            return error == -XEN_ENAMETOOLONG ? -XEN_E2BIG : error;
        if ((error = program_arguments_add(arguments, text, strlen(text))) != 0)
            return error;
    }
    return 0;
}

static long sys_exec(struct process *process, struct trap_frame *frame, uint64_t path_address, uint64_t vector)
{
    static struct program_arguments arguments;
    char path[USER_MAX_PATH];
    int error;

    arguments = (struct program_arguments) { 0 };
    if ((error = copy_string_from_user(process, path, path_address, sizeof(path))) != 0 ||
        (error = copy_arguments(process, vector, &arguments)) != 0)
        return error;
    return process_exec(process, frame, path, &arguments);
}

static long sys_unmap_memory(struct process *process, uint64_t address, uint64_t length)
{
    long result = user_memory_unmap(process, address, length);

    frame_pool_give_back_free();
    return result;
}

/* Idle time for the whole domain: free pages go back first (the kernel's
 * deferred context, frame_pool.h), so that pvmon can zero them meanwhile. */
static long sys_sleep(uint64_t duration_ns)
{
    if (duration_ns > SYS_SLEEP_MAX_NS)
        return -XEN_EINVAL;
    frame_pool_give_back_free();
    sleep_ns(duration_ns);
    return 0;
}

static long sys_memory_counters(struct process *process, uint64_t address)
{
    struct pvmon_domain_memory_statistics own;
    struct frame_pool_statistics pool;
    struct memory_counters counters;
    long result = hypercall3(__PVMON_HYPERVISOR_memory_extension, PVMON_MEMORY_domain_statistics,
                             (unsigned long)&own, 0);

    if (result != 0)
        return result;
    frame_pool_get_statistics(&pool);
    counters = (struct memory_counters) {
        .prezeroed_frames_received = own.prezeroed_frames_received,
        .frames_zeroed_on_demand = own.frames_zeroed_on_demand,
        .pages = own.pages,
        .known_zero_handed_out = pool.known_zero_handed_out,
        .cleared = pool.cleared,
        .pages_given_back = pool.pages_given_back,
        .give_back_ns = pool.give_back_ns,
        .pages_populated = pool.pages_populated,
        .populate_ns = pool.populate_ns,
    };
    return copy_to_user(process, address, &counters, sizeof(counters));
}

/* The area is read before anything else the call does (runstate_area.h). */
static long sys_runstate(struct process *process, uint64_t address)
{
    struct runstate_views views;
    int error = runstate_area_read(&views);

    return error != 0 ? error : copy_to_user(process, address, &views, sizeof(views));
}

void syscall_dispatch(struct process *process, struct trap_frame *frame)
{
    uint64_t first = frame->rdi, second = frame->rsi, third = frame->rdx;
    long result;

    switch (frame->rax) {
    case SYS_exit:
        process_exit(process, (int)first);
        return;
    case SYS_write:
        result = sys_write(process, first, second, third);
        break;
    case SYS_fork:
        result = process_fork(process, frame);
        break;
    case SYS_exec:
        result = sys_exec(process, frame, first, second);
        if (result == 0)
            return;
        break;
    case SYS_wait:
        result = process_wait(process, (int)first, second, third);
        if (process->state == PROCESS_WAITING)
            return;
        break;
    case SYS_getpid:
        result = process->pid;
        break;
    case SYS_map_memory:
        result = user_memory_map(process, first);
        break;
    case SYS_unmap_memory:
        result = sys_unmap_memory(process, first, second);
        break;
    case SYS_yield:
        process_yield();
        result = 0;
        break;
    case SYS_clock:
        result = (long)system_time_ns();
        break;
    case SYS_sleep:
        result = sys_sleep(first);
        break;
    case SYS_memory_counters:
        result = sys_memory_counters(process, first);
        break;
    case SYS_runstate:
        result = sys_runstate(process, first);
        break;
    case SYS_set_ldt_entry:
        result = process_ldt_set_data_segment(&process->ldt, first, second, third);
        break;
    default:
        result = -XEN_ENOSYS;
        break;
    }
    frame->rax = (uint64_t)result;
}
