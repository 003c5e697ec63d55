/*
 * A date and time of day (UTC, as the PC's real-time clock keeps it under
 * QEMU) turned into Unix seconds (common/calendar.c).
 */
#ifndef PVMON_CALENDAR_H
#define PVMON_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

struct calendar_time {
    unsigned int year;      /* e.g. 2026 */
    unsigned int month;     /* 1-12 */
    unsigned int day;       /* 1-31 */
    unsigned int hour;
    unsigned int minute;
    unsigned int second;
};

/* Fields in range, and not before 1970. */
bool calendar_time_is_valid(const struct calendar_time *time);
uint64_t calendar_to_unix_seconds(const struct calendar_time *time);

#endif
