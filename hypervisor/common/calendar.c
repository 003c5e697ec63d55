/*
 * Calendar dates to Unix time, for the wallclock pvmon publishes in every
 * shared_info (Xen's wc_sec: seconds since 1970-01-01 00:00 UTC at system
 * time 0).  Proleptic Gregorian calendar, the days counted from a March
 * year so that the leap day comes last.
 */
#include <pvmon/calendar.h>

#define DAYS_PER_400_YEARS 146097
#define DAYS_FROM_YEAR_0_MARCH_TO_1970 719468
#define SECONDS_PER_DAY 86400

static uint64_t days_since_epoch(const struct calendar_time *time)
{
    uint64_t year = time->year - (time->month <= 2);
    uint64_t era = year / 400;
    uint64_t year_of_era = year - era * 400;
    uint64_t month_from_march = time->month > 2 ? time->month - 3 : time->month + 9;
    uint64_t day_of_year = (153 * month_from_march + 2) / 5 + time->day - 1;
    uint64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;

    return era * DAYS_PER_400_YEARS + day_of_era - DAYS_FROM_YEAR_0_MARCH_TO_1970;
}

bool calendar_time_is_valid(const struct calendar_time *time)
{
    return time->year >= 1970 && time->month >= 1 && time->month <= 12 && time->day >= 1 &&
           time->day <= 31 && time->hour < 24 && time->minute < 60 && time->second < 60;
}

uint64_t calendar_to_unix_seconds(const struct calendar_time *time)
{
    return days_since_epoch(time) * SECONDS_PER_DAY + time->hour * 3600 + time->minute * 60 + time->second;
}
