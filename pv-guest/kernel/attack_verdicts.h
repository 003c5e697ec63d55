/*
 * The verdicts of the malicious frontends (disk_attacks.c, net_attacks.c)
 * as the system tests count them: one "PASS <family>: <case>" or
 * "FAIL <family>: <case>: <why>" line per case, and a closing
 * "SUMMARY <family>: N passed, N failed" line.  A case passes when what
 * it checks of the backend holds.
 */
#ifndef PV_KERNEL_ATTACK_VERDICTS_H
#define PV_KERNEL_ATTACK_VERDICTS_H

#include <stdbool.h>

struct attack_verdicts {
    const char *family;   /* "disk_attack", "net_attack" */
    unsigned int passed;
    unsigned int failed;
};

/* Prints the case's PASS or FAIL line (why: what went wrong) and counts it. */
void attack_verdict(struct attack_verdicts *verdicts, const char *name, bool holds, const char *why);

/* Prints the SUMMARY line. */
void attack_verdicts_summary(const struct attack_verdicts *verdicts);

#endif
