/*
 * The hypervisor's log on the serial console.  Every line starts with
 * "(pvmon) [seconds.microseconds]" since boot; errors and warnings are
 * marked.  Messages above the current level (default LOG_INFO, set with
 * loglevel= on the command line) are dropped.  What printk writes is kept
 * in the hypervisor's console history as well (pvmon/console_history.h),
 * which dom0 reads with domain_control's read_console; printk_unrecorded
 * writes to the serial line only (dom0's own lines: Xen keeps them out of
 * its conring unless console_to_ring is set).
 */
#ifndef PVMON_PRINTK_H
#define PVMON_PRINTK_H

#include <stdarg.h>
#include <stddef.h>

enum log_level {
    LOG_ERROR = 0,
    LOG_WARNING = 1,
    LOG_INFO = 2,
    LOG_DEBUG = 3,
};

void printk_unrecorded(enum log_level level, const char *format, ...) __attribute__((format(printf, 2, 3)));
void printk(enum log_level level, const char *format, ...) __attribute__((format(printf, 2, 3)));
void printk_va(enum log_level level, const char *format, va_list arguments);
void printk_set_level(enum log_level level);
/* Writes text to the serial line unchanged, without a prefix (dom0's direct console output). */
void printk_direct(const char *text, size_t length);

#endif
