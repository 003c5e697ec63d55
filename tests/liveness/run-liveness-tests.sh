#!/usr/bin/env bash
# Liveness tests (issue 11): no domain, however hostile, holds the machine.
# Each case boots pvmon under -icount shift=0,sleep=off (run-qemu.sh
# --icount-exact), where guest time counts guest instructions (1 ns each)
# and idle time passes at once, so every figure is a count of work and
# does not depend on the host.  dom0 runs one scenario of
# tests/liveness/FAMILY.domains: the watchdog domU
# (tests/hypercall/liveness_watchdog.c) asks for a timer event every 1 ms
# and records the largest gap between two of them, while an attacker runs
# the worst case of one hypercall family at the largest sizes it can build
# (tests/hypercall/liveness_attacker.c; for console-dom0, dom0 itself, by
# the domains file's console-flood line).  One case per family:
#   console-domu  console_io writes from a domU over an aliased 4 GiB range
#   console-dom0  a 2 MiB console_io write from dom0, over the same kind of range
#   pin-tree      pin/unpin of the largest page-table tree, in mmuext_op
#                 batches inside a multicall
#   batch         a multicall of the largest mmuext_op batches accepted
#   l4-toggle     mmu_update linking and unlinking that tree in an L4 slot
#   reservation   decrease/increase_reservation of every frame of a 256 MiB domU
#   teardown      a domU powering off with that tree pinned, table by table
#   grant-copy    grant_table_op: a 64-frame setup_table, then copy lists of
#                 16384 whole-page copies
#   domain-build  dom0 building a 256 MiB domU (domain_control set_memory and
#                 load), by the domains file's start-after line
# The watchdog counts gaps from 50 ms after its start, and every attack
# starts later, after the attacker (or dom0) has spun for 100 ms (200 ms):
# pvmon's scheduler gives a woken domain the CPU at once only when the
# running one has no credit left, so the attacker first spends its credit,
# and the gaps measure hypercalls, not the scheduler's slices.
# A case passes when pvmon shuts down cleanly, both domains power off, the
# attack finished while the watchdog was still watching, and the largest
# gap stays under 10 ms of guest time.  A machine that stalls for good
# hits the hard timeout: the case then fails saying so, with the largest
# gap the watchdog had reported before.  Ends with
# "liveness: N passed, N failed".
#
# Run from the top of the tree after 'make'.  LIVENESS_TEST_TIMEOUT
# (seconds, default 60) bounds each QEMU run; KEEP_LOGS=DIR keeps the
# serial logs; LIVENESS_RESULTS=FILE appends one line per family,
# "FAMILY<TAB>OUTCOME<TAB>MAX_GAP_NS<TAB>HELD_NS<TAB>ATTACK_NS" for make
# bench (OUTCOME: finished, or how run-qemu said the boot ended; for a
# boot that never ended, MAX_GAP_NS is the largest gap the watchdog had
# reported and HELD_NS the guest time the machine had been held when it
# was killed, at least; empty fields where there is no figure).
set -u
cd "$(dirname "$0")/../.."

image=${BUILD:-build}/pvmon.elf
pv_kernel=${BUILD:-build}/pv-kernel.elf
watchdog=${BUILD:-build}/tests/hypercall/liveness_watchdog.elf
attacker=${BUILD:-build}/tests/hypercall/liveness_attacker.elf
timeout_seconds=${LIVENESS_TEST_TIMEOUT:-60}
qemu_options=--icount-exact
maximum_gap_ns=10000000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

source tests/lib/dom0-cases.sh

# The watchdog's final figure, or the last one it reported if it never finished.
final_gap_ns() {
    grep -a -E 'LIVENESS watchdog: max_gap_ns=[0-9]+ ' "$log" | tail -n 1 | sed -E 's/.*max_gap_ns=([0-9]+) .*/\1/'
}

last_reported_gap_ns() {
    grep -a -E 'LIVENESS watchdog: new max_gap_ns=[0-9]+' "$log" | tail -n 1 | sed -E 's/.*new max_gap_ns=([0-9]+) .*/\1/'
}

attack_ns() {
    grep -a -E "LIVENESS attack $1: done rounds=[0-9]+ elapsed_ns=[0-9]+" "$log" | tail -n 1 |
        sed -E 's/.*elapsed_ns=([0-9]+).*/\1/'
}

# timestamp_ns_of < LINE: the hypervisor's timestamp at its start, in ns.
timestamp_ns_of() {
    sed -nE 's/^\(pvmon\) \[ *([0-9]+)\.([0-9]{6})\].*/\1 \2/p' | awk '{ printf "%d\n", $1 * 1000000000 + $2 * 1000 }'
}

# For a boot that never ended: how long the machine had been held when it
# was killed, at least: from the attacker's last line (it was then in the
# hypercall that never returned) to the log's last line.
held_at_least_ns() {
    local started ended
    started=$(grep -a -E '^\(pvmon\) \[.*LIVENESS attack ' "$log" | tail -n 1 | timestamp_ns_of)
    ended=$(grep -a -E '^\(pvmon\) \[ *[0-9]+\.[0-9]{6}\]' "$log" | tail -n 1 | timestamp_ns_of)
    [ -n "$started" ] && [ -n "$ended" ] && echo $((ended - started))
}

line_number_of() {
    grep -a -n -E -- "$1" "$log" | head -n 1 | cut -d: -f1
}

outcome_of_status() {
    case $1 in
    0) echo finished ;;
    1) echo panicked ;;
    2) echo "timed-out-after-${timeout_seconds}s" ;;
    3) echo reset ;;
    *) echo qemu-failed ;;
    esac
}

record_result() {
    local family=$1 outcome=$2 gap=$3 held=$4 attack=$5
    [ -n "${LIVENESS_RESULTS:-}" ] &&
        printf '%s\t%s\t%s\t%s\t%s\n' "$family" "$outcome" "$gap" "$held" "$attack" >>"$LIVENESS_RESULTS"
    return 0
}

# watchdog_stays_on_time FAMILY ATTACKER-DOMAIN: boots the family's
# scenario and checks the watchdog's largest gap and the attack's end.
watchdog_stays_on_time() {
    local family=$1 attacking_domain=$2 gap held attack done_line watchdog_line outcome
    boot "liveness-$family" "tests/liveness/$family.domains" "$watchdog" "$attacker"
    outcome=$(outcome_of_status "$status")
    if [ "$status" -ne 0 ]; then
        gap=$(last_reported_gap_ns)
        held=$(held_at_least_ns)
        fail "the boot did not end cleanly ($outcome; run-qemu: $(tail -n 1 "$work"/*.run 2>/dev/null)): the machine was held for at least ${held:-?} ns of guest time when it was killed; the largest gap the watchdog had reported before was ${gap:-none} ns"
        echo "     $family: $outcome; held for at least ${held:-?} ns; largest gap reported before: ${gap:-none} ns"
        grep -a -E 'LIVENESS' "$log" | tail -n 6 | sed 's/^/     > /'
        record_result "$family" "$outcome" "${gap:-}" "${held:-}" ""
        return
    fi
    gap=$(final_gap_ns)
    attack=$(attack_ns "$family")
    echo "     $family: largest gap ${gap:-none} ns of guest time; the attack took ${attack:-?} ns"
    record_result "$family" "$outcome" "${gap:-}" "" "${attack:-}"
    expect_end "liveness-$family" watchdog "shutdown +poweroff"
    [ -n "$attacking_domain" ] && expect_end "liveness-$family" "$attacking_domain" "shutdown +poweroff"
    expect_no_log "FAIL liveness_"
    expect_no_log "LIVENESS attack console-dom0: round [0-9]+: result -"
    expect_no_log "PANIC"
    if [ -z "$gap" ]; then
        fail "the watchdog never reported its largest gap"
        return
    fi
    [ "$gap" -lt "$maximum_gap_ns" ] ||
        fail "the watchdog's largest gap, $gap ns, is not under $maximum_gap_ns ns (10 ms) of guest time"
    done_line=$(line_number_of "LIVENESS attack $family: done ")
    watchdog_line=$(line_number_of "LIVENESS watchdog: max_gap_ns=")
    if [ -z "$done_line" ]; then
        fail "the attack never reported its end"
    elif [ "$done_line" -gt "$watchdog_line" ]; then
        fail "the attack outlasted the watchdog: part of it went unwatched (make the watchdog's seconds= longer)"
    fi
}

console_writes_from_a_domu_keep_the_watchdog_on_time() {
    watchdog_stays_on_time console-domu attacker
}

console_writes_from_dom0_keep_the_watchdog_on_time() {
    watchdog_stays_on_time console-dom0 ""
}

pinning_the_largest_tree_in_multicalls_keeps_the_watchdog_on_time() {
    watchdog_stays_on_time pin-tree attacker
}

the_largest_batches_keep_the_watchdog_on_time() {
    watchdog_stays_on_time batch attacker
}

toggling_an_l4_slot_keeps_the_watchdog_on_time() {
    watchdog_stays_on_time l4-toggle attacker
}

reservation_loops_keep_the_watchdog_on_time() {
    watchdog_stays_on_time reservation attacker
}

the_teardown_of_a_pinned_tree_keeps_the_watchdog_on_time() {
    watchdog_stays_on_time teardown attacker
}

grant_copy_lists_keep_the_watchdog_on_time() {
    watchdog_stays_on_time grant-copy attacker
}

building_a_big_domain_keeps_the_watchdog_on_time() {
    watchdog_stays_on_time domain-build attacker
}

for test_case in \
    console_writes_from_a_domu_keep_the_watchdog_on_time \
    console_writes_from_dom0_keep_the_watchdog_on_time \
    pinning_the_largest_tree_in_multicalls_keeps_the_watchdog_on_time \
    the_largest_batches_keep_the_watchdog_on_time \
    toggling_an_l4_slot_keeps_the_watchdog_on_time \
    reservation_loops_keep_the_watchdog_on_time \
    the_teardown_of_a_pinned_tree_keeps_the_watchdog_on_time \
    grant_copy_lists_keep_the_watchdog_on_time \
    building_a_big_domain_keeps_the_watchdog_on_time; do
    run_case "$test_case"
done
echo "liveness: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
