#!/usr/bin/env bash
# Linux tests: Linux 6.1 as a PV domU on pvmon, started by dom0's
# toolstack from a ramdisk (tests/linux/*.domains, format in
# pv-guest/kernel/domain_config.h), its console on hvc0 served by dom0's
# console backend (lines "console dN: ..."), xenbus by dom0's xenstore:
#   - pvmon's patched kernel (make linux) and Debian's stock kernel
#     (make linux-stock, unmodified) each boot beside one of our own PV
#     kernels, run the initramfs's workload (pv-guest/linux/initramfs:
#     fork/exec, anonymous memory checked page by page, a tmpfs file
#     checksum, a pipe ping-pong) under busybox's shell, and power off
#     with SCHEDOP_shutdown; the neighbour finishes its own work, and dom0
#     carries on after both (its summary, then its own shutdown); the
#     patched kernel skipped clearing pages pvmon knew to be zero, and every
#     one was (it checks them: pvmon.verify_zero=1), and batched its
#     page-table clears;
#   - ballooning: dom0 moves the stock kernel's memory/target down and up,
#     Linux's balloon driver follows, pvmon sees the domain's pages go and
#     come back, and the frames given back as free.
# Each boot has a hard timeout (tools/run-qemu.sh); a failing case prints
# why and the tail of the serial log.  Ends with "linux: N passed, N failed".
#
# Run from the top of the tree after 'make all linux linux-stock
# linux-initramfs'.  LINUX_TEST_TIMEOUT (seconds, default 600) bounds each
# QEMU run; KEEP_LOGS=DIR keeps the serial logs.
set -u
cd "$(dirname "$0")/../.."

build=${BUILD:-build}
image=$build/pvmon.elf
pv_kernel=$build/pv-kernel.elf
programs=$build/programs.cpio
patched_kernel=$build/linux/vmlinux
stock_kernel=$build/linux/debian-vmlinux
initramfs=$build/linux/initramfs.cpio
timeout_seconds=${LINUX_TEST_TIMEOUT:-600}
qemu_memory_mebibytes=1536
hypervisor_arguments="dom0_mem=384 "
workload_steps=6
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

source tests/lib/dom0-cases.sh

# linux_says REGEX: the lines Linux's init and workload printed on hvc0 matching REGEX.
linux_says() {
    grep -E "\(d0\) console d[0-9]+: pvmon-linux: $1" "$log"
}

# expect_linux_workload SCENARIO DOMAIN: Linux ran every step of the
# workload, none failed, and it powered off.
expect_linux_workload() {
    local summary
    expect_log "\(d0\) console d[0-9]+: pvmon-linux: init on Linux 6\.1\."
    summary=$(linux_says "workload [0-9]+ passed, [0-9]+ failed" | tail -n 1)
    if [ -z "$summary" ]; then
        fail "Linux never reported the end of its workload"
    elif ! echo "$summary" | grep -Eq "workload $workload_steps passed, 0 failed$"; then
        fail "Linux's workload: $summary"
    fi
    if linux_says "FAIL" >/dev/null; then
        fail "Linux reported failures: $(linux_says FAIL | head -n 3 | tr '\n' ' ')"
    fi
    linux_says "PASS " | sed -E 's/.*pvmon-linux: /     /'
    expect_end "$1" "$2" "shutdown +poweroff"
    expect_no_log "Kernel panic|PANIC|BUG:|Oops"
}

# expect_neighbour_and_dom0 SCENARIO: our PV kernel beside Linux finished
# its own processes, and dom0 outlived both.
expect_neighbour_and_dom0() {
    expect_log "\(d[0-9]+\) init: forkloop exited with status 0"
    expect_log "\(d[0-9]+\) init: memstress exited with status 0"
    expect_end "$1" neighbour "shutdown +poweroff"
    expect_log "\(d0\) toolstack: summary end"
    expect_log "\(d0\) pv-kernel: shutting down"
    expect_log "domain 0 shut down \(poweroff\)"
}

# patch_counter NAME: a counter of the patched kernel's "counters" line.
patch_counter() {
    linux_says "counters " | tail -n 1 | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# expect_patches_at_work: pvmon's patches did their work, and correctly:
# pages whose clearing was skipped were all zero (verify_zero), and
# zap_pte_range's clears went through batches instead of traps.
expect_patches_at_work() {
    local skipped violations batched
    skipped=$(patch_counter pages_skipped)
    violations=$(patch_counter violations)
    batched=$(patch_counter batched_clears)
    echo "     patched kernel: $skipped page clears skipped, $violations not zero, $batched page-table clears batched"
    if [ -z "$skipped" ] || [ -z "$violations" ] || [ -z "$batched" ]; then
        fail "the patched kernel did not report its counters"
        return
    fi
    [ "$skipped" -gt 0 ] || fail "the patched kernel skipped clearing no page"
    [ "$violations" -eq 0 ] || fail "$violations pages assumed zero were not"
    [ "$batched" -gt 0 ] || fail "the patched kernel batched no page-table clear"
}

patched_linux_runs_its_workload_beside_another_domain() {
    boot linux-patched tests/linux/patched.domains "$patched_kernel" "$initramfs" "$pv_kernel" "$programs"
    expect_status
    expect_linux_workload linux-patched patched
    expect_log "\(d0\) console d[0-9]+: (\[ *[0-9.]+\] )?Linux version 6\.1\.[0-9]+-pvmon "
    expect_patches_at_work
    expect_neighbour_and_dom0 linux-patched
}

stock_debian_linux_runs_its_workload_unmodified() {
    boot linux-stock tests/linux/stock.domains "$stock_kernel" "$initramfs" "$pv_kernel" "$programs"
    expect_status
    expect_log "\(d0\) console d[0-9]+: \[ *[0-9.]+\] Linux version 6\.1\.[0-9]+-[0-9]+-amd64 \(debian-kernel@lists\.debian\.org\)"
    expect_linux_workload linux-stock stock
    expect_no_log "console d[0-9]+: pvmon-linux: counters "
    expect_neighbour_and_dom0 linux-stock
}

# pages_reported NAME: the page counts the toolstack logged for the domain, in order.
pages_reported() {
    sed -nE "s/.*\(d0\) toolstack: $1 \(domain [0-9]+\) has ([0-9]+) pages.*/\1/p" "$log"
}

# free_frames_when NAME PAGES: the machine's free frames the toolstack
# logged when the domain had PAGES pages.
free_frames_when() {
    sed -nE "s/.*\(d0\) toolstack: $1 \(domain [0-9]+\) has $2 pages; the machine has ([0-9]+) frames free$/\1/p" \
        "$log" | head -n 1
}

# expect_frames_freed_by_ballooning FIRST-PAGES LOWEST-PAGES: what the
# domain gave back shows in the machine's free frames (at least 90% of it:
# dom0 and the scrubber move a few frames meanwhile).
expect_frames_freed_by_ballooning() {
    local free_first free_lowest given_back
    free_first=$(free_frames_when ballooned "$1")
    free_lowest=$(free_frames_when ballooned "$2")
    given_back=$(($1 - $2))
    echo "     free frames: $free_first at $1 pages, $free_lowest at $2 pages"
    if [ -z "$free_first" ] || [ -z "$free_lowest" ]; then
        fail "the toolstack did not log the machine's free frames"
    elif [ $((free_lowest - free_first)) -lt $((given_back * 9 / 10)) ]; then
        fail "the domain gave back $given_back pages but pvmon's free frames grew by $((free_lowest - free_first))"
    fi
}

linux_balloons_down_and_up_through_xenstore() {
    local low_kib=$((160 * 1024)) high_kib=$((256 * 1024)) pages lowest last
    boot linux-balloon tests/linux/balloon.domains "$stock_kernel" "$initramfs"
    expect_status
    expect_log "\(d0\) console d[0-9]+: pvmon-linux: balloon target_kb=$low_kib current_kb=$low_kib$"
    expect_log "\(d0\) console d[0-9]+: pvmon-linux: balloon target_kb=$high_kib current_kb=$high_kib$"
    linux_says "balloon " | sed -E 's/.*pvmon-linux: /     /'
    pages=$(pages_reported ballooned | tr '\n' ' ')
    echo "     pages of the domain as pvmon counted them: $pages"
    lowest=$(pages_reported ballooned | sort -n | head -n 1)
    last=$(pages_reported ballooned | tail -n 1)
    if [ -z "$lowest" ]; then
        fail "the toolstack never reported the domain's pages changing"
    else
        [ "$lowest" -le $((low_kib / 4)) ] ||
            fail "pvmon never saw the domain at or below $((low_kib / 4)) pages (lowest: $lowest)"
        [ "$last" -ge $((high_kib / 4)) ] ||
            fail "pvmon never saw the domain back at $((high_kib / 4)) pages (last: $last)"
        expect_frames_freed_by_ballooning "$(pages_reported ballooned | head -n 1)" "$lowest"
    fi
    expect_end linux-balloon ballooned "shutdown +poweroff"
    expect_no_log "Kernel panic|PANIC|BUG:|Oops"
}

for required in "$image" "$pv_kernel" "$programs" "$patched_kernel" "$stock_kernel" "$initramfs"; do
    if ! [ -f "$required" ]; then
        echo "FAIL linux_images_are_built"
        echo "     $required is missing: run 'make all linux linux-stock linux-initramfs'"
        echo "linux: 0 passed, 1 failed"
        exit 1
    fi
done
for test_case in \
    patched_linux_runs_its_workload_beside_another_domain \
    stock_debian_linux_runs_its_workload_unmodified \
    linux_balloons_down_and_up_through_xenstore; do
    run_case "$test_case"
done
echo "linux: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
