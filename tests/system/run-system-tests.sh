#!/usr/bin/env bash
# System tests: pvmon booted with dom0 and a ramdisk whose "domains" file
# (tests/system/*.domains, format in pv-guest/kernel/domain_config.h)
# makes dom0's toolstack start domUs:
#   - the hypercall test guests (tests/hypercall): every "PASS family:
#     case" line counts as one passed case and every "FAIL ..." line as
#     one failure; a guest that never prints its SUMMARY line counts as a
#     failure too, and so do dom0's own checks (test=hypercalls);
#   - the demonstration (pv-guest/config/demo.domains): a computing domU's
#     CPU share next to a blocking neighbour must be clearly above its
#     share next to a spinning one (a ratio, not a timing);
#   - crashes: domUs that fault, write into the hypervisor or run away are
#     killed alone while another domU and dom0 finish their work.
# Each boot has a hard timeout (tools/run-qemu.sh); a failing case prints
# why and the tail of the serial log.  Ends with "system: N passed, N failed".
#
# Run from the top of the tree after 'make'.  SYSTEM_TEST_TIMEOUT (seconds,
# default 100) bounds each QEMU run; KEEP_LOGS=DIR keeps the serial logs.
set -u
cd "$(dirname "$0")/../.."

image=${BUILD:-build}/pvmon.elf
pv_kernel=${BUILD:-build}/pv-kernel.elf
test_guests=(event_channel vcpu_op sched_op traps descriptor_tables cpu_state
             xen_version vm_assist multicall domain_control dispatch)
timeout_seconds=${SYSTEM_TEST_TIMEOUT:-100}
minimum_share_ratio_percent=150
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
failures=()
log=""
status=""

fail() {
    failures+=("$*")
}

# boot NAME CONFIG KERNEL...: dom0 with a ramdisk of CONFIG and KERNELs;
# leaves the log path in $log and run-qemu's exit status in $status.
boot() {
    local name=$1 config=$2
    shift 2
    log="$work/$name.log"
    : >"$log"
    if ! tools/make-dom0-ramdisk.sh "$work/$name-ramdisk.cpio" "$config" "$@" 2>"$work/$name.run"; then
        status=4
        fail "tools/make-dom0-ramdisk.sh failed"
        return
    fi
    cp "$pv_kernel" "$work/pv-kernel.elf"
    cp "$work/$name-ramdisk.cpio" "$work/dom0-ramdisk.cpio"
    (cd "$work" && printf '%s\n' pv-kernel.elf dom0-ramdisk.cpio | cpio -o -H newc --quiet) >"$work/$name.cpio"
    tools/run-qemu.sh --timeout "$timeout_seconds" --log "$log" pvh "$image" "$work/$name.cpio" \
        --append "idle_seconds=1 -- ${dom0_command_line:-}" 2>>"$work/$name.run"
    status=$?
    sed -i 's/\r$//' "$log"
}

expect_status() {
    if [ "$status" -ne 0 ]; then
        fail "expected pvmon to shut down cleanly; run-qemu said: $(tail -n 1 "$work"/*.run 2>/dev/null)"
    fi
}

expect_log() {
    grep -Eq -- "$1" "$log" || fail "the serial log has no line matching: $1"
}

expect_no_log() {
    if grep -Eq -- "$1" "$log"; then
        fail "the serial log has an unexpected line matching: $1"
    fi
}

# summary_row SCENARIO DOMAIN: the domain's row of dom0's final summary table.
summary_row() {
    sed -n '/toolstack: summary of/,/toolstack: summary end/p' "$log" |
        grep -E "toolstack: $1 +$2 " | head -n 1
}

# share_permille SCENARIO DOMAIN: its CPU share in the summary, in tenths of a percent.
share_permille() {
    summary_row "$1" "$2" | sed -nE 's/.* ([0-9]+)\.([0-9])%$/\1\2/p' | sed 's/^0*\([0-9]\)/\1/'
}

# expect_end SCENARIO DOMAIN STATE-REGEX: the domain ended that way.
expect_end() {
    local row
    row=$(summary_row "$1" "$2")
    if [ -z "$row" ]; then
        fail "dom0's summary has no row for $2 in scenario $1"
    elif ! echo "$row" | grep -Eq -- "toolstack: $1 +$2 +[0-9]+ +($3) "; then
        fail "$2 in scenario $1 should have ended as '$3': $row"
    fi
}

run_case() {
    local name=$1
    failures=()
    rm -f "$work"/*.run
    "$name"
    if [ ${#failures[@]} -eq 0 ]; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name"
        for reason in "${failures[@]}"; do
            echo "     $reason"
        done
        echo "     --- last lines of the serial log ($log):"
        tail -n 25 "$log" | sed 's/^/     | /'
        failed=$((failed + 1))
    fi
    if [ -n "${KEEP_LOGS:-}" ]; then
        mkdir -p "$KEEP_LOGS"
        cp "$log" "$KEEP_LOGS/$name.log"
    fi
}

# --- the hypercall test guests: one count per case they report -------------

count_guest_cases() {
    local guest_passed guest_failed
    guest_passed=$(grep -Ec '\(d[0-9]+\) PASS [a-z_]+: ' "$log")
    guest_failed=$(grep -Ec '\(d[0-9]+\) FAIL [a-z_]+: ' "$log")
    grep -E '\(d[0-9]+\) FAIL [a-z_]+: ' "$log" | sed 's/^/     /'
    echo "hypercall guests: $guest_passed cases passed, $guest_failed failed"
    passed=$((passed + guest_passed))
    failed=$((failed + guest_failed))
}

hypercall_guests_report_every_case() {
    local guests=() guest
    for guest in "${test_guests[@]}"; do
        guests+=("${BUILD:-build}/tests/hypercall/$guest.elf")
    done
    dom0_command_line="test=hypercalls" boot hypercalls tests/system/hypercalls.domains "${guests[@]}"
    expect_status
    for guest in "${test_guests[@]}"; do
        expect_log "\(d[0-9]+\) SUMMARY $guest: [0-9]+ passed, [0-9]+ failed$"
    done
    expect_log "\(d0\) pv-kernel: hypercall checks: [0-9]+ passed, 0 failed"
    expect_log "\(d0\) toolstack: summary end"
    expect_log "domain 0 shut down \(poweroff\)"
    count_guest_cases
}

# --- the demonstration ---------------------------------------------------------

demo_busy_share_drops_next_to_a_spinning_neighbour() {
    local blocking spinning
    boot demo pv-guest/config/demo.domains "$pv_kernel"
    expect_status
    for scenario in blocking-neighbour spinning-neighbour; do
        expect_end "$scenario" busy "shutdown +poweroff"
        expect_end "$scenario" idle "shutdown +poweroff"
    done
    expect_log "\(d[0-9]+\) workload busy: ran [0-9]+ ms of [0-9]+ ms: CPU share"
    expect_log "\(d[0-9]+\) workload idle: woke [0-9]+ times"
    expect_log "\(d[0-9]+\) workload idle-spinning: ran [0-9]+ ms of [0-9]+ ms: CPU share"
    blocking=$(share_permille blocking-neighbour busy)
    spinning=$(share_permille spinning-neighbour busy)
    if [ -z "$blocking" ] || [ -z "$spinning" ]; then
        fail "dom0's summary gives no CPU share for busy (blocking '$blocking', spinning '$spinning')"
    elif [ $((spinning * minimum_share_ratio_percent)) -gt $((blocking * 100)) ]; then
        fail "busy's share next to a blocking neighbour (${blocking}‰) is not ${minimum_share_ratio_percent}% of the one next to a spinning neighbour (${spinning}‰)"
    fi
}

# --- crashes -----------------------------------------------------------------

misbehaving_domus_are_killed_alone() {
    boot crashes tests/system/crashes.domains "$pv_kernel"
    expect_status
    expect_end crashes worker "shutdown +poweroff"
    expect_end crashes faulty "crashed +-"
    expect_end crashes wild "crashed +-"
    expect_end crashes handled "crashed +-|shutdown +crash"
    expect_end crashes runaway "destroyed"
    expect_log "\(d[0-9]+\) runtime: unexpected trap 14 \(#PF page fault\) at rip 0xffffffff8[0-9a-f]+, error code 0x2, cr2 0x10; crashing"
    expect_log "\(d[0-9]+\) workload busy: ran [0-9]+ ms"
    expect_log "domain 0 shut down \(poweroff\)"
    expect_no_log "still alive after"
    expect_no_log "PANIC"
}

for test_case in \
    hypercall_guests_report_every_case \
    demo_busy_share_drops_next_to_a_spinning_neighbour \
    misbehaving_domus_are_killed_alone; do
    run_case "$test_case"
done
echo "system: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
