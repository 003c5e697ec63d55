/*
 * The malicious frontends' PASS/FAIL/SUMMARY lines (see attack_verdicts.h).
 */
#include <runtime/console.h>
#include "attack_verdicts.h"

void attack_verdict(struct attack_verdicts *verdicts, const char *name, bool holds, const char *why)
{
    if (holds) {
        console_printf("PASS %s: %s\n", verdicts->family, name);
        verdicts->passed++;
    } else {
        console_printf("FAIL %s: %s: %s\n", verdicts->family, name, why);
        verdicts->failed++;
    }
}

void attack_verdicts_summary(const struct attack_verdicts *verdicts)
{
    console_printf("SUMMARY %s: %u passed, %u failed\n", verdicts->family, verdicts->passed, verdicts->failed);
}
