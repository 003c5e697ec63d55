#!/bin/sh
# The Linux guest's workload: /init runs it with busybox sh for
# pvmon.test=workload, then powers off.  Each step is one of the static
# programs in /usr/bin (sources beside this file), which prints one result
# line, "pvmon-linux: PASS STEP key=value..." or "pvmon-linux: FAIL STEP
# ...", and exits 0 or 1; a program that could not print its own (it did
# not run, or a signal killed it: the OOM killer's SIGKILL is 137) gets a
# FAIL line from here.  Then, on pvmon's patched kernel, "pvmon-linux:
# counters NAME=VALUE..." (its pre-zeroed pages and batched clears), and
# last "pvmon-linux: workload N passed, N failed"; it exits 0 only if
# every step passed.
#
# Sizes come from the kernel command line, defaults in brackets:
#   pvmon.forks=N            fork-exec: processes created [2000]
#   pvmon.memory_percent=P   memory-fill: percent of MemAvailable mapped [80]
#   pvmon.memory_mib=M       memory-fill: MiB mapped, instead of a percentage
#   pvmon.unmap_rounds=N     memory-unmap: rounds of 16 regions of 64 pages [100]
#   pvmon.file_mib=M         tmpfs-checksum: MiB written to /tmp and checked [8]
#   pvmon.pingpongs=N        pipe-pingpong: round trips over two pipes [10000]
# A value a program refuses fails its step, saying why.
set -u

# Prints the value of the last pvmon.NAME=VALUE on the kernel command line, or DEFAULT.
parameter() {
    value=$2
    for word in $(cat /proc/cmdline); do
        case $word in
        "pvmon.$1="*) value=${word#"pvmon.$1="} ;;
        esac
    done
    echo "$value"
}

passed=0
failed=0

# step NAME COMMAND...: runs one step and counts it.
step() {
    name=$1
    shift
    "$@"
    status=$?
    if [ "$status" -eq 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        if [ "$status" -gt 1 ]; then
            echo "pvmon-linux: FAIL $name exit-status=$status"
        fi
    fi
}

forks=$(parameter forks 2000)
memory_percent=$(parameter memory_percent 80)
memory_mib=$(parameter memory_mib "")
unmap_rounds=$(parameter unmap_rounds 100)
file_mib=$(parameter file_mib 8)
pingpongs=$(parameter pingpongs 10000)

echo "pvmon-linux: workload on Linux $(uname -r): forks=$forks memory_percent=$memory_percent" \
    "memory_mib=${memory_mib:-none} unmap_rounds=$unmap_rounds file_mib=$file_mib" \
    "pingpongs=$pingpongs"

step fork-exec pvmon-forkexec "$forks"
if [ -n "$memory_mib" ]; then
    step memory-fill pvmon-memory fill-mib "$memory_mib"
else
    step memory-fill pvmon-memory fill-percent "$memory_percent"
fi
step memory-unmap pvmon-memory unmap "$unmap_rounds" 16 64
step tmpfs-checksum pvmon-checksum /tmp/pvmon-checksum.bin "$file_mib" 1
step pipe-pingpong pvmon-pingpong "$pingpongs"
step modify-ldt pvmon-ldt

# report_patch_counters: the counters of pvmon's patched kernel
# (pv-guest/linux/patches: /sys/kernel/pvmon/prezeroed's "NAME VALUE"
# lines and batched_clears), as one line of NAME=VALUE pairs; nothing on a
# kernel without them.
report_patch_counters() {
    directory=/sys/kernel/pvmon
    [ -r "$directory/prezeroed" ] || return 0
    pairs=$(awk '{ printf "%s%s=%s", (NR > 1 ? " " : ""), $1, $2 }' "$directory/prezeroed")
    echo "pvmon-linux: counters $pairs batched_clears=$(cat "$directory/batched_clears")"
}

report_patch_counters
echo "pvmon-linux: workload $passed passed, $failed failed"
[ "$failed" -eq 0 ]
