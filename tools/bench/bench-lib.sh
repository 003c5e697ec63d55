# What the Linux benchmarks of 'make bench' share (run-linux-bench.sh,
# run-block-bench.sh, run-net-bench.sh, run-image-bench.sh): checking
# their inputs, packing dom0's boot archive, running one boot with its
# hard timeout, and reading figures out of the serial logs.  Sourced, not
# run.  A benchmark is never a test: nothing here judges a figure.
#
# The sourcing script sets: bench_name (its logs are
# $output_dir/$bench_name-RUN.log, its messages "run-$bench_name-bench"),
# build, output_dir, work (a scratch directory), timeout_seconds (per
# boot), pv_kernel (dom0's kernel), and an array failed_boots=().

# bench_require FILE...: every FILE is there, or the script ends with status 1.
bench_require() {
    local input
    for input in "$@"; do
        if [ ! -f "$input" ]; then
            echo "run-$bench_name-bench: $input is missing; run 'make BUILD=$build bench'" >&2
            exit 1
        fi
    done
}

# bench_boot_archive OUTPUT CONFIG FILE...: the PVH boot module of a pvmon
# boot: dom0's kernel and its ramdisk, CONFIG as its domains file and the FILEs.
bench_boot_archive() {
    local output=$1
    shift
    tools/make-dom0-ramdisk.sh "$work/dom0-ramdisk.cpio" "$@"
    cp "$pv_kernel" "$work/pv-kernel.elf"
    (cd "$work" && printf '%s\n' pv-kernel.elf dom0-ramdisk.cpio | cpio -o -H newc --quiet) >"$output"
}

# run_boot RUN COMMAND...: runs COMMAND (a boot with its own hard timeout,
# writing the serial log $output_dir/$bench_name-RUN.log); a boot that fails
# is added to failed_boots, with the tail of what it printed.
run_boot() {
    local run=$1 status started log=$output_dir/$bench_name-$1.log
    shift
    echo "run-$bench_name-bench: booting $run (hard timeout $timeout_seconds s)" >&2
    started=$(date +%s)
    set +e
    "$@" >"$work/$run.out" 2>&1
    status=$?
    set -e
    if [ "$status" -ne 0 ]; then
        failed_boots+=("$run (status $status)")
        tail -n 3 "$work/$run.out" | sed 's/^/    /' >&2
    fi
    if [ -f "$log" ]; then
        sed -i 's/\r$//' "$log"
    fi
    echo "run-$bench_name-bench: $run ended with status $status in $(($(date +%s) - started)) s" >&2
}

# The awk function value_of(KEY): the value of KEY=VALUE among the words of
# the current line ("" if none); prepended to the awk programs that read
# "pvmon-linux: PASS STEP key=value..." lines.
awk_value_of='
function value_of(key,    count, index_, pair) {
    count = split($0, pair, " ")
    for (index_ = 1; index_ <= count; index_++)
        if (index(pair[index_], key "=") == 1)
            return substr(pair[index_], length(key) + 2)
    return ""
}'

# vbd_counters: an awk program that reads blkback's counters (the lines
# dom0's toolstack prints when a vbd goes: "dN vbd V: R reads (S sectors),
# W writes (S sectors), F flushes, ..., C GNTTABOP_copy calls (G segments),
# N notifications", then "... while connected, the machine made H
# hypercalls and U page-table updates") into reads, writes, flushes,
# copies, segments, notifications, hypercalls and updates; with SCENARIO
# set (-v scenario=NAME), only those between dom0's "scenario 'NAME'" and
# "scenario 'NAME' done" lines.
vbd_counters='
BEGIN { inside = (scenario == "") }
scenario != "" && index($0, "toolstack: scenario " q scenario q) > 0 { inside = !/ done$/; next }
!inside { next }
/toolstack: d[0-9]+ vbd [0-9]+: [0-9]+ reads / {
    for (i = 1; i <= NF; i++) {
        if ($(i + 1) == "reads") reads += $i
        if ($(i + 1) == "writes") writes += $i
        if ($(i + 1) == "flushes,") flushes += $i
        if ($(i + 1) == "GNTTABOP_copy") copies += $i
        if ($(i + 1) == "segments),") { segment_count = $i; sub(/^\(/, "", segment_count); segments += segment_count }
        if ($(i + 1) == "notifications") notifications += $i
    }
}
/toolstack: d[0-9]+ vbd [0-9]+: while connected, the machine made / {
    for (i = 1; i <= NF; i++) {
        if ($(i + 1) == "hypercalls") hypercalls += $i
        if ($(i + 1) == "page-table") updates += $i
    }
}'

# vbd_events_per_request LOG [SCENARIO]: blkback's grant copies, segments and
# notifications, and the machine's hypercalls, per ring request of the vbds
# of LOG (of SCENARIO only, if given).
vbd_events_per_request() {
    [ -f "$1" ] || { echo "-"; return; }
    tr -d '\r' <"$1" | awk -v scenario="${2:-}" -v q="'" "$vbd_counters"'
        END {
            requests = reads + writes + flushes
            if (requests == 0) { print "- (no vbd counters in the log)"; exit }
            printf "%d requests: %.2f GNTTABOP_copy calls, %.2f segments copied, %.2f notifications to the frontend",
                requests, copies / requests, segments / requests, notifications / requests
            if (hypercalls != "")
                printf ", %.1f hypercalls and %.1f page-table updates (the machine)", hypercalls / requests,
                    updates / requests
            printf "\n"
        }'
}

# vbd_requests LOG SCENARIO: the ring requests (reads, writes and flushes)
# blkback served in SCENARIO, or nothing if it printed no counters.
vbd_requests() {
    [ -f "$1" ] || return 0
    awk -v scenario="$2" -v q="'" "$vbd_counters"'
        END { if (reads + writes + flushes > 0) print reads + writes + flushes }' "$1"
}
