#!/usr/bin/env bash
# make bench, Linux part: Linux 6.1's workload (pv-guest/linux/initramfs)
# as a PV domU on pvmon, in every kernel variant of tools/bench/linux.domains
# (Debian's stock kernel; pvmon's patched kernel with its patches off, one
# at a time, and both), next to the same stock kernel booted natively
# (straight on QEMU's own machine, no hypervisor: the native baseline, not
# full virtualization, which 'make compare' measures), all in one invocation.
# Benchmarks are never tests: nothing here judges a figure, and a figure
# that cannot be produced is printed as "-" with the reason, never invented.
#
# It boots, each with a hard timeout (tools/run-qemu.sh for pvmon):
#   pv-tcg, pv-icount          pvmon with dom0 running the five scenarios
#   native-tcg, native-icount  the stock kernel booted by QEMU on -M pc
# on plain TCG (wall-clock ns, comparable only within this run) and with
# -icount shift=0, where guest time counts instructions: those "ns" are
# instructions executed by the whole machine, deterministic.
#
# Figures come from the workload's result lines ("pvmon-linux: PASS STEP
# key=value..."): ns per process (fork-exec), per first touch of a fresh
# anonymous page and per page unmapped (memory-fill, memory-unmap), per
# pipe round trip.  For each pvmon scenario dom0's toolstack prints
# pvmon's counters over the scenario ("toolstack: NAME: hypervisor
# counters: ..."), and the patched kernel its own ("pvmon-linux: counters
# ..."), shown from the icount run.
#
# Writes, in $BUILD/bench/: linux-results.txt (what is printed),
# linux-results.tsv, and each boot's serial log (linux-RUN.log).
# Environment: BUILD (default build), BENCH_TIMEOUT (seconds per boot,
# default 900).  Exit status: 0 when every boot ended cleanly, 1 when
# something to boot is missing, 2 when a boot failed (figures still shown).
set -euo pipefail
cd "$(dirname "$0")/../.."

bench_name=linux
source tools/bench/bench-lib.sh
patched_kernel=$build/linux/vmlinux
initramfs=$build/linux/initramfs.cpio
config=tools/bench/linux.domains
workload="pvmon.forks=500 pvmon.memory_mib=96 pvmon.unmap_rounds=50 pvmon.file_mib=4 pvmon.pingpongs=2000"
variants=(stock patched-off prezeroed batched patched)
native=native
memory_mebibytes=256

bench_require "$hypervisor_image" "$pv_kernel" "$patched_kernel" "$stock_kernel" "$initramfs"
mkdir -p "$output_dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sed "s/@WORKLOAD@/$workload/" "$config" >"$work/domains"
bench_boot_archive "$work/pv-boot.cpio" "$work/domains" "$patched_kernel" "$stock_kernel" "$initramfs"

# Native: QEMU loads the ELF through its PVH note, as it would a bzImage.
native_boot() {
    local run=$1
    shift
    timeout --kill-after=10 "$timeout_seconds" qemu-system-x86_64 -accel tcg -cpu max -M pc \
        -m "$memory_mebibytes" -no-reboot -display none -monitor none "$@" \
        -serial "file:$output_dir/linux-$run.log" -kernel "$stock_kernel" -initrd "$initramfs" \
        -append "console=ttyS0 pvmon.test=workload $workload"
}

for mode in tcg icount; do
    icount=()
    [ "$mode" = icount ] && icount=(--icount)
    run_boot "pv-$mode" tools/run-qemu.sh --timeout "$timeout_seconds" --memory 1536 "${icount[@]}" \
        --log "$output_dir/linux-pv-$mode.log" pvh "$hypervisor_image" "$work/pv-boot.cpio" \
        --append "idle_seconds=1 dom0_mem=384 --"
    qemu_icount=()
    [ "$mode" = icount ] && qemu_icount=(-icount shift=0)
    run_boot "$native-$mode" native_boot "$native-$mode" "${qemu_icount[@]}"
done

# --- the figures ---------------------------------------------------------------
#
# $work/figures.tsv: mode, variant, figure, value.  In pvmon's log a
# scenario's lines lie between "toolstack: scenario 'NAME'" and
# "toolstack: scenario 'NAME' done"; the native log is one run.

extract() {
    local mode=$1 log=$2 fixed_variant=$3
    awk -v mode="$mode" -v fixed="$fixed_variant" -v quote="'" "$awk_value_of"'
        function emit(figure, value) {
            if (value != "")
                printf "%s\t%s\t%s\t%s\n", mode, variant, figure, value
        }
        BEGIN { variant = fixed }
        fixed == "" && /toolstack: scenario .* done$/ { variant = ""; next }
        fixed == "" && index($0, "toolstack: scenario " quote) > 0 && /domains, deadline/ {
            variant = substr($0, index($0, "toolstack: scenario " quote) + 21)
            variant = substr(variant, 1, index(variant, quote) - 1)
            next
        }
        variant == "" { next }
        /pvmon-linux: PASS fork-exec / { emit("fork-exec ns/process", value_of("ns-per-process")) }
        /pvmon-linux: PASS memory-fill / { emit("first touch ns/page", value_of("first-touch-ns-per-page")) }
        /pvmon-linux: PASS memory-unmap / { emit("munmap ns/page", value_of("munmap-ns-per-page")) }
        /pvmon-linux: PASS pipe-pingpong / { emit("pipe round trip ns", value_of("ns-per-round-trip")) }
        /pvmon-linux: FAIL / { sub(/.*pvmon-linux: /, ""); printf "%s\t%s\tfailure\t%s\n", mode, variant, $0 }
        /toolstack: .*: hypervisor counters: / || /pvmon-linux: counters / {
            sub(/.*counters:? /, "")
            count = split($0, pair, " ")
            for (i = 1; i <= count; i++) {
                split(pair[i], kv, "=")
                emit("counter " kv[1], kv[2])
            }
        }' "$log"
}

: >"$work/figures.tsv"
for mode in tcg icount; do
    extract "$mode" "$output_dir/linux-pv-$mode.log" "" >>"$work/figures.tsv"
    extract "$mode" "$output_dir/linux-$native-$mode.log" "$native" >>"$work/figures.tsv"
done

columns=("${variants[@]}" "$native")
figure_of() {
    awk -F'\t' -v mode="$1" -v variant="$2" -v figure="$3" \
        '$1 == mode && $2 == variant && $3 == figure { value = $4 } END { print value }' "$work/figures.tsv"
}

table=$work/table.txt
{
    echo "Linux 6.1 workload on pvmon (PV domU, 256 MiB, one at a time) and natively, no hypervisor"
    echo "(QEMU -M pc, same kernel and initramfs as 'stock'); workload: $workload"
    echo "Per operation; tcg = wall-clock ns on TCG (this run only), icount = instructions (-icount shift=0)."
    echo "In brackets: the ratio to 'stock' in the same mode."
    for mode in tcg icount; do
        echo
        printf '%-26s' "$mode"
        for column in "${columns[@]}"; do printf ' %18s' "$column"; done
        echo
        for figure in "fork-exec ns/process" "first touch ns/page" "munmap ns/page" "pipe round trip ns"; do
            baseline=$(figure_of "$mode" stock "$figure")
            printf '%-26s' "$figure"
            for column in "${columns[@]}"; do
                value=$(figure_of "$mode" "$column" "$figure")
                cell=${value:--}
                if [ -n "$value" ] && [ -n "$baseline" ] && [ "$column" != stock ]; then
                    cell="$value ($(awk -v a="$value" -v b="$baseline" 'BEGIN { printf "%.2f", a / b }'))"
                fi
                printf ' %18s' "$cell"
            done
            echo
        done
    done
    echo
    echo "Counters over each scenario, icount run: pvmon's (PVMON_MEMORY_statistics deltas, machine-wide,"
    echo "dom0's watching included) and the patched kernel's own:"
    counters=$(awk -F'\t' '$1 == "icount" && $3 ~ /^counter / { print substr($3, 9) }' "$work/figures.tsv" | awk '!seen[$0]++')
    if [ -z "$counters" ]; then
        echo "  not measured: no counter lines in the icount log"
    else
        printf '%-34s' counter
        for column in "${variants[@]}"; do printf ' %13s' "$column"; done
        echo
        while read -r counter; do
            printf '%-34s' "$counter"
            for column in "${variants[@]}"; do
                value=$(figure_of icount "$column" "counter $counter")
                printf ' %13s' "${value:--}"
            done
            echo
        done <<<"$counters"
    fi
    failures=$(awk -F'\t' '$3 == "failure" { print "  " $1 " " $2 ": " $4 }' "$work/figures.tsv")
    if [ -n "$failures" ]; then
        echo
        echo "Workload steps that failed (their figures are missing):"
        echo "$failures"
    fi
    bench_failed_boots
    echo
    echo "Full virtualization (Xen PVH/HVM, KVM with nested and shadow paging) beside pvmon: make compare."
    echo "Logs: $output_dir/linux-{pv,$native}-{tcg,icount}.log"
} >"$table"

bench_publish "$table" mode variant figure value
