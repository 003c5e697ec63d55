# What the Linux benchmarks of 'make bench' share (run-linux-bench.sh,
# run-block-bench.sh, run-net-bench.sh, run-image-bench.sh): their common
# inputs, checking them, packing dom0's boot archive, running one boot with
# its hard timeout, reading figures out of the serial logs, and writing the
# results.  Sourced, not run, from the top of the tree.  A benchmark is
# never a test: nothing here judges a figure.
#
# Sourcing sets build (BUILD, default build), output_dir, timeout_seconds
# (BENCH_TIMEOUT seconds per boot, default 900), hypervisor_image,
# pv_kernel (dom0's kernel), stock_kernel (Debian's) and an empty array
# failed_boots.  The sourcing script sets bench_name (its logs are
# $output_dir/$bench_name-RUN.log, its results $bench_name-results.*, its
# messages "run-$bench_name-bench") and work (a scratch directory).
# tools/compare/run-compare.sh sources it too, for awk_value_of.

build=${BUILD:-build}
output_dir=$build/bench
timeout_seconds=${BENCH_TIMEOUT:-900}
hypervisor_image=$build/pvmon.elf
pv_kernel=$build/pv-kernel.elf
stock_kernel=$build/linux/debian-vmlinux
failed_boots=()

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

# blockbench_figure MODE COLUMN PASS KIND: from $work/figures.tsv (mode,
# column, pass, requests, bytes, ns), MB/s, IOPS or instructions per
# request (ns / requests, under icount).
blockbench_figure() {
    awk -F'\t' -v mode="$1" -v column="$2" -v pass="$3" -v kind="$4" '
        $1 == mode && $2 == column && $3 == pass && $6 > 0 {
            if (kind == "MB/s") printf "%.1f", $5 * 1000 / $6
            else if (kind == "IOPS") printf "%.0f", $4 * 1e9 / $6
            else printf "%.0f", $6 / $4
        }' "$work/figures.tsv"
}

# bench_not_measured: a paragraph for each entry of the script's
# associative array missing_reason (what was not measured: why).
bench_not_measured() {
    local column
    for column in "${!missing_reason[@]}"; do
        echo
        echo "$column: not measured: ${missing_reason[$column]}"
    done
}

# bench_failed_boots: a paragraph naming the boots that did not end cleanly, if any.
bench_failed_boots() {
    if [ ${#failed_boots[@]} -gt 0 ]; then
        echo
        echo "Boots that did not end cleanly: ${failed_boots[*]}"
    fi
}

# bench_publish TABLE COLUMN...: writes $output_dir/$bench_name-results.tsv
# (the COLUMNs' names, then $work/figures.tsv) and $bench_name-results.txt
# (a copy of the file TABLE), prints TABLE, and ends the script: status 2
# when a boot failed, 0 otherwise.
bench_publish() {
    local table=$1
    shift
    {
        (IFS=$'\t'; printf '%s\n' "$*")
        cat "$work/figures.tsv"
    } >"$output_dir/$bench_name-results.tsv"
    cp "$table" "$output_dir/$bench_name-results.txt"
    cat "$table"
    [ ${#failed_boots[@]} -eq 0 ] || exit 2
    exit 0
}
