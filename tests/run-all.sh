#!/usr/bin/env bash
# 'make test': runs every test stage in order and adds up their results.
#   unit   host unit tests of the pure hypervisor code (check framework)
#   xts    pvmon's XTS-AES-256 disk encryption (backend/xts.c) against
#          python3-cryptography on pseudo-random keys, sectors and data, both
#          ways (tests/lib/xts_crosscheck.py)
#   fuzz   a short deterministic pass of every fuzzer in tests/fuzz (page
#          types, the writable-page-table emulator, event channels, foreign
#          mappings): seeded pseudo-random inputs, failing ones saved for replay
#   qcow2  images written by pvmon's disk image code (qcow2-tool) judged by
#          qemu-img check/compare/info, qemu-img's compressed images read by it,
#          XTS images decrypted by python3-cryptography, a crash at every write
#          (tests/qcow2)
#   checkpoints pvmon's checkpoint code on host files: qemu-img check, info
#          --backing-chain and compare judge its chains (tests/qcow2/checkpoint-chain.sh)
#   boot   pvmon booted in QEMU on both boot paths (tests/boot)
#   system dom0's toolstack starting domUs: hypercall test guests, the
#          demonstration, crashing domUs, dom0's xenstore and console (tests/system)
#   liveness no domain holds the machine: a timer watchdog beside an attacker
#          per hypercall family, under -icount shift=0 (tests/liveness)
#   series pvmon's Linux patch series on Debian's linux-source-6.1 and 6.12: each
#          applies with patch -p1 and git am to the same tree; apply-series.sh
#          refuses what it must (tests/linux/series-applies.sh)
#   linux  Linux as a PV domU: pvmon's patched 6.1 and Debian's stock 6.1 and
#          6.12 run the workload beside another domain, ballooning, and with their
#          root on a PV disk: data integrity across boots, acked writes surviving
#          a SIGKILL of QEMU, two domUs on their own disks; on the network, two
#          domUs pinging each other and moving data over TCP, and the host
#          fetching a file from each one's httpd (tests/linux)
#   compare make compare's smoke test: its harness over the native configuration
#          (one short icount boot) and two that do not boot, one "not run" and one
#          failing: the rows it must print (tests/compare)
# Each stage ends its output with "STAGE: N passed, N failed"; a stage that
# dies before printing that line counts as one failure.  The last line is
# the total, "N passed, N failed", and the exit status is 1 if any failed.
set -u
cd "$(dirname "$0")/.."

total_passed=0
total_failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run_stage() {
    local stage=$1
    shift
    local output="$work/$stage.out"

    echo "=== $stage tests"
    "$@" 2>&1 | tee "$output"
    local summary
    summary=$(grep -E "^$stage: [0-9]+ passed, [0-9]+ failed$" "$output" | tail -n 1)
    if [ -z "$summary" ]; then
        echo "$stage: the stage ended without a summary line; counted as 1 failure"
        total_failed=$((total_failed + 1))
        return
    fi
    local passed failed
    passed=$(echo "$summary" | sed -E 's/^[a-z0-9]+: ([0-9]+) passed, ([0-9]+) failed$/\1/')
    failed=$(echo "$summary" | sed -E 's/^[a-z0-9]+: ([0-9]+) passed, ([0-9]+) failed$/\2/')
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
}

run_stage unit "${BUILD:-build}/tests/unit-tests"
run_stage xts tests/lib/xts_crosscheck.py "${BUILD:-build}/tools/xts-sectors"
run_stage fuzz tests/fuzz/run-seeded-passes.sh
run_stage qcow2 tests/qcow2/run-qcow2-tests.sh
run_stage checkpoints tests/qcow2/checkpoint-chain.sh
run_stage boot tests/boot/run-boot-tests.sh
run_stage system tests/system/run-system-tests.sh
run_stage liveness tests/liveness/run-liveness-tests.sh
run_stage series tests/linux/series-applies.sh
run_stage linux tests/linux/run-linux-tests.sh
run_stage compare tests/compare/run-compare-smoke.sh

echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
