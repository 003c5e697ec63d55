#!/usr/bin/env bash
# make bench, latency part (issue 11): the worst-case latency each hypercall
# family's attacker causes, as the largest gap between the liveness
# watchdog's 1 ms timer events (tests/liveness), in guest time under
# -icount shift=0,sleep=off, where 1 ns is one guest instruction and idle
# time passes at once: a count of work, the same on any host.  A benchmark
# is never a test: nothing here judges a figure;
# tests/liveness/run-liveness-tests.sh is the test that does.
#
# It runs that test script once (each family one boot with a hard timeout,
# LIVENESS_TEST_TIMEOUT, default 60 s) with LIVENESS_RESULTS, and prints
# one row per family: the figure now and, beside it, the "before" figure
# from a baseline file in the same format (LIVENESS_BASELINE, default
# tools/bench/liveness-before.tsv: the figures of pvmon before issue 11's
# preemption work, at 27c72a1 with these tests; a boot that never ended
# shows as "held >= N ms", N the guest time the machine had been held
# when the timeout killed it, with the largest gap measured before).  To record a new baseline, copy
# $BUILD/bench/liveness-results.tsv over it.
#
# Writes $BUILD/bench/liveness-results.txt (what is printed),
# liveness-results.tsv (FAMILY, OUTCOME, MAX_GAP_NS, HELD_NS, ATTACK_NS,
# as tests/liveness/run-liveness-tests.sh writes them) and the
# serial logs in $BUILD/bench/liveness-logs/.  Exit status: 0 when every
# family produced a figure, 1 when something is missing or would not build.
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${BUILD:-build}
output_dir=$build/bench
baseline=${LIVENESS_BASELINE:-tools/bench/liveness-before.tsv}
results=$output_dir/liveness-results.tsv
table=$output_dir/liveness-results.txt
inputs=("$build/pvmon.elf" "$build/pv-kernel.elf" "$build/tests/hypercall/liveness_watchdog.elf"
        "$build/tests/hypercall/liveness_attacker.elf")

if [ -z "${MAKELEVEL:-}" ]; then
    make --no-print-directory BUILD="$build" "${inputs[@]}" ||
        { echo "run-liveness-bench: the build failed" >&2; exit 1; }
fi
for input in "${inputs[@]}"; do
    [ -f "$input" ] || { echo "run-liveness-bench: $input is missing; run 'make BUILD=$build bench'" >&2; exit 1; }
done
mkdir -p "$output_dir"
rm -rf "$output_dir/liveness-logs"
: >"$results"

echo "run-liveness-bench: running tests/liveness/run-liveness-tests.sh under icount" >&2
started=$(date +%s)
BUILD=$build LIVENESS_RESULTS=$results KEEP_LOGS=$output_dir/liveness-logs \
    tests/liveness/run-liveness-tests.sh >"$output_dir/liveness-run.txt" 2>&1 || true
seconds=$(($(date +%s) - started))

# field FILE FAMILY COLUMN
field() {
    [ -f "$1" ] && awk -F'\t' -v family="$2" -v column="$3" '$1 == family { value = $column } END { print value }' "$1"
}

milliseconds() {
    awk -v ns="$1" 'BEGIN { printf "%.1f ms", ns / 1e6 }'
}

# figure FILE FAMILY: the family's gap in ms of guest time, or how its boot ended.
figure() {
    local outcome gap held
    outcome=$(field "$1" "$2" 2)
    gap=$(field "$1" "$2" 3)
    held=$(field "$1" "$2" 4)
    if [ -z "$outcome" ]; then
        echo "not measured"
    elif [ -n "$held" ]; then
        echo "held >= $(milliseconds "$held")${gap:+ (after $(milliseconds "$gap"))}"
    elif [ -z "$gap" ]; then
        echo "$outcome, no figure"
    else
        milliseconds "$gap"
    fi
}

families=(console-domu console-dom0 pin-tree batch l4-toggle reservation teardown grant-copy domain-build)
declare -A caused_by=([console-domu]=domU [console-dom0]=dom0 [pin-tree]=domU [batch]=domU [l4-toggle]=domU
                      [reservation]=domU [teardown]=domU [grant-copy]=domU [domain-build]=dom0)
missing=0
{
    echo "Worst-case latency per hypercall family: the largest gap between the liveness watchdog's 1 ms timer"
    echo "events while the family's attacker runs (tests/liveness), in guest time under -icount shift=0,sleep=off"
    echo "(1 ns = 1 guest instruction, the same on any host).  Before: $baseline"
    echo
    printf '%-13s %-5s %-36s %-36s %s\n' family from before now "attack took (now)"
    for family in "${families[@]}"; do
        attack=$(field "$results" "$family" 5)
        [ -n "$(field "$results" "$family" 2)" ] || missing=1
        printf '%-13s %-5s %-36s %-36s %s\n' "$family" "${caused_by[$family]}" "$(figure "$baseline" "$family")" \
            "$(figure "$results" "$family")" "$(if [ -n "$attack" ]; then milliseconds "$attack"; else echo -; fi)"
    done
    echo
    echo "held >= N: the boot never ended; the machine had been held for at least N of guest time when the"
    echo "hard timeout killed it (so N depends on the timeout and the host's speed); 'after' gives the largest"
    echo "gap the watchdog had measured before that."
    echo "$(grep -E '^liveness: [0-9]+ passed' "$output_dir/liveness-run.txt" || echo 'liveness: no summary')" \
         "(bound: 10 ms); $seconds s of wall-clock time."
    echo "Logs: $output_dir/liveness-logs/; the test's output: $output_dir/liveness-run.txt"
} >"$table"
cat "$table"
exit "$missing"
