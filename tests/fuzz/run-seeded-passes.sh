#!/usr/bin/env bash
# The fuzz stage of 'make test': the seeded deterministic pass of every
# harness in tests/fuzz (each built by the Makefile as $BUILD/tests/NAME-fuzz
# with seeded_driver.c), one after the other.  Each harness's own summary
# line is shown as "NAME: N passed, N failed"; the stage ends with the sum,
# "fuzz: N passed, N failed", the only line of that form.  A harness that
# dies before its summary counts as one failure.  Failing random inputs are
# saved in $BUILD/fuzz/crashes (page-type) or $BUILD/fuzz/NAME/crashes.
#
#   run-seeded-passes.sh        every harness with its number of inputs
set -u
cd "$(dirname "$0")/../.."
build=${BUILD:-build}

# NAME INPUTS CRASH_DIRECTORY: inputs are up to 2 KiB each; the counts
# keep every pass to a few seconds.
harnesses=(
    "line-editor 1000 $build/fuzz/line-editor/crashes"
    "page-type 300 $build/fuzz/crashes"
    "page-table-write 1000 $build/fuzz/page-table-write/crashes"
    "event-channel 200 $build/fuzz/event-channel/crashes"
    "foreign-mapping 1000 $build/fuzz/foreign-mapping/crashes"
    "grant-table 300 $build/fuzz/grant-table/crashes"
    "virtqueue 1000 $build/fuzz/virtqueue/crashes"
    "net-packet 1000 $build/fuzz/net-packet/crashes"
    "netback 1000 $build/fuzz/netback/crashes"
    "xl-config 1000 $build/fuzz/xl-config/crashes"
    "qcow2 1000 $build/fuzz/qcow2/crashes"
    "cluster-codec 1000 $build/fuzz/cluster-codec/crashes"
    "privileged-instruction 40000 $build/fuzz/privileged-instruction/crashes"
)

passed=0
failed=0
for harness in "${harnesses[@]}"; do
    read -r name inputs crashes <<<"$harness"
    output=$("$build/tests/$name-fuzz" --inputs "$inputs" --crash-directory "$crashes" 2>&1)
    summary=$(grep -E '^fuzz: [0-9]+ passed, [0-9]+ failed$' <<<"$output" | tail -n 1)
    grep -v -E '^fuzz: [0-9]+ passed, [0-9]+ failed$' <<<"$output"
    if [ -z "$summary" ]; then
        echo "$name: the harness ended without a summary line; counted as 1 failure"
        failed=$((failed + 1))
        continue
    fi
    echo "${summary/#fuzz:/$name:}"
    passed=$((passed + $(sed -E 's/^fuzz: ([0-9]+) passed.*/\1/' <<<"$summary")))
    failed=$((failed + $(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$summary")))
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
