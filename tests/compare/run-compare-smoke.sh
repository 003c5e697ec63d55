#!/usr/bin/env bash
# The smoke test of 'make compare' (tools/compare): the harness runs in a
# scratch directory (COMPARE_OUTPUT) over three configurations
# (COMPARE_CONFIGS): the real "native" one, which boots the stock kernel with
# the workload initramfs on QEMU under -icount shift=0,sleep=off with the
# workload's quick sizes (QUICK=1), and two made here without booting
# anything: "unavailable" exits 3 with "not run: REASON", "broken" exits 1.
# One harness run (one QEMU boot, about 30 s, hard timeout COMPARE_SMOKE_TIMEOUT
# seconds, default 240), then one case per behaviour:
#
#   harness_reports_a_failed_boot       run-compare.sh exits 2 (a boot failed)
#   native_reports_every_test           results.tsv holds a positive figure for each
#                                       of lmb's 10 tests, from the native boot
#   table_has_a_native_row_of_figures   results.md's icount table has a native row
#                                       of 10 figures
#   guest_sees_the_contract_cpu         native's guest kept XSAVE and AVX (kernel and
#                                       user space) and saw no SMAP (clearcpuid=smap)
#   unavailable_is_a_not_run_row        "unavailable" is a row "not run: REASON"
#                                       with no figure
#   broken_is_a_failed_row              "broken" is a row of "failed" cells
#   native_reports_its_boot_to_init     results.md's boot-to-init table has a native row
#                                       whose QEMU start -> /init figure is the stamp
#                                       /init printed (lmb --stamp), in seconds
#
# Run from the top of the tree after 'make compare-inputs'.  A case that fails
# prints the log's tail.  Ends with "compare: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."

build=${BUILD:-build}
timeout_seconds=${COMPARE_SMOKE_TIMEOUT:-240}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

pass() {
    echo "PASS $1"
    passed=$((passed + 1))
}

fail() {
    echo "FAIL $1: $2"
    failed=$((failed + 1))
}

mkdir -p "$work/configs" "$work/output"
ln -s "$PWD/tools/compare/configs/native.sh" "$work/configs/native.sh"
printf '#!/bin/sh\necho "not run: the smoke test has no such hypervisor"\nexit 3\n' >"$work/configs/unavailable.sh"
printf '#!/bin/sh\necho "broken on purpose" >&2\nexit 1\n' >"$work/configs/broken.sh"
chmod +x "$work/configs/unavailable.sh" "$work/configs/broken.sh"

BUILD=$build QUICK=1 COMPARE_OUTPUT=$work/output COMPARE_CONFIGS=$work/configs COMPARE_TIMEOUT=$timeout_seconds \
    timeout --kill-after=10 $((timeout_seconds + 60)) tools/compare/run-compare.sh >"$work/harness.out" 2>&1
status=$?
results=$work/output/results.tsv
table=$work/output/results.md
log=$work/output/logs/native-icount-1.log

show_tail() {
    echo "--- harness output (tail):"
    tail -n 15 "$work/harness.out"
    if [ -f "$log" ]; then
        echo "--- native's serial log (tail):"
        tail -n 15 "$log"
    fi
}

if [ "$status" -eq 2 ]; then
    pass harness_reports_a_failed_boot
else
    fail harness_reports_a_failed_boot "run-compare.sh exited $status, not 2"
    show_tail
fi

figures=$(awk -F'\t' '$1 == "native" && $2 == "icount" && $5 > 0 { print $4 }' "$results" 2>/dev/null | sort -u |
    wc -l)
if [ "$figures" -eq 10 ]; then
    pass native_reports_every_test
else
    fail native_reports_every_test "$figures of 10 tests have a positive figure in results.tsv"
    show_tail
fi

row=$(grep -m 1 '^| native | 1 |' "$table" 2>/dev/null)
numbers=$(echo "$row" | tr '|' '\n' | sed -n '4,$p' | grep -cE '^ [0-9]+(\.[0-9]+)? $')
if [ "$numbers" -eq 10 ]; then
    pass table_has_a_native_row_of_figures
else
    fail table_has_a_native_row_of_figures "the native row has $numbers figures: '${row:-no row}'"
    show_tail
fi

cpu=$(grep -a -m 1 'lmb: info cpu ' "$log" 2>/dev/null)
if [[ $cpu == *" xsave=1 "* && $cpu == *" avx=1 "* && $cpu == *" smap=0 "* && $cpu == *" user-osxsave=1"* ]]; then
    pass guest_sees_the_contract_cpu
else
    fail guest_sees_the_contract_cpu "the guest saw '${cpu:-no lmb: info cpu line}'"
fi

if grep -q '^| unavailable | - | not run: the smoke test has no such hypervisor |' "$table" 2>/dev/null &&
    ! awk -F'\t' '$1 == "unavailable"' "$results" 2>/dev/null | grep -q .; then
    pass unavailable_is_a_not_run_row
else
    fail unavailable_is_a_not_run_row "no 'not run' row for it, or figures for it"
    show_tail
fi

broken_row=$(grep -m 1 '^| broken | 0 |' "$table" 2>/dev/null)
if [ "$(echo "$broken_row" | grep -o 'failed' | wc -l)" -eq 10 ]; then
    pass broken_is_a_failed_row
else
    fail broken_is_a_failed_row "its row is '${broken_row:-missing}'"
    show_tail
fi

stamp=$(sed -n 's/.*lmb: stamp tsc=\([0-9]*\).*/\1/p' "$log" 2>/dev/null | head -n 1)
boot_row=$(sed -n '/^## Boot to init/,/^## /p' "$table" 2>/dev/null | grep -m 1 '^| native | ')
boot_figure=$(echo "$boot_row" | cut -d'|' -f3 | tr -d ' ')
if [ -n "$stamp" ] && [ "$stamp" -gt 0 ] &&
    [ "$boot_figure" = "$(awk -v tsc="$stamp" 'BEGIN { printf "%.3f", tsc / 1e9 }')" ]; then
    pass native_reports_its_boot_to_init
else
    fail native_reports_its_boot_to_init "stamp '${stamp:-none}', boot-to-init row '${boot_row:-missing}'"
    show_tail
fi

echo "compare: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
