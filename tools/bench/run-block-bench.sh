#!/usr/bin/env bash
# make bench, block part: the disk seen three ways, in one invocation, each
# running the same four passes (pv-guest/linux/initramfs/blockbench.c:
# sequential 64 KiB writes and reads, random 4 KiB writes and reads, one
# request at a time, O_DIRECT) over the first BLOCK_BENCH_MIB MiB of a
# scratch disk image:
#   domU     Debian's stock kernel as a PV domU of pvmon on /dev/xvda: its
#            xen-blkfront, dom0's blkback, dom0's virtio-blk driver, QEMU's
#            virtio-blk on virtio-mmio (tools/bench/block.domains)
#   dom0     dom0 itself on the same virtio disk, directly: its own
#            bench=virtio-blk (pv-guest/kernel/virtio_blk_bench.h), the same
#            four passes, whose "bench virtio-blk-NAME OPERATIONS NS" lines
#            are read here; the limit of the domU; measured only when dom0's
#            kernel has that role
#   native   the same stock kernel straight on QEMU (-M pc), its own
#            virtio_blk on virtio-blk-pci (Debian's virtio_mmio takes no
#            devices from the command line): the reference without pvmon
# each on plain TCG (MB/s and IOPS from wall-clock ns, comparable only
# within this run) and under -icount shift=0 (guest ns are instructions of
# the whole machine, plus the time it idles waiting for QEMU's disk:
# instructions per request), and, for the domU, the events per ring
# request: blkback's grant copies and notifications (its counters when the
# vbd goes) and the machine's hypercalls while the vbd was connected.  A
# benchmark, never a test: a figure that cannot be produced is "-" with the
# reason, never invented.
#
# Writes, in $BUILD/bench/: block-results.txt (what is printed),
# block-results.tsv, and each boot's serial log (block-RUN.log).
# Environment: BUILD (default build), BENCH_TIMEOUT (seconds per boot,
# default 900), BLOCK_BENCH_MIB (default 4) and BLOCK_BENCH_REQUESTS (random
# requests per pass, default 256): the sizes of dom0's bench=virtio-blk
# (BENCH_SEQUENTIAL_OPERATIONS 64 KiB units, BENCH_RANDOM_OPERATIONS), so
# that the three columns do the same work.  Exit status: 0 when every boot ended
# cleanly, 1 when something to boot is missing, 2 when a boot failed
# (figures still shown).
set -euo pipefail
cd "$(dirname "$0")/../.."

bench_name=block
source tools/bench/bench-lib.sh
initramfs=$build/linux/initramfs-stock.cpio
config=tools/bench/block.domains
mib=${BLOCK_BENCH_MIB:-4}
requests=${BLOCK_BENCH_REQUESTS:-256}
passes=(seq-write seq-read rand-write rand-read)
columns=(domU dom0 native)

bench_require "$hypervisor_image" "$pv_kernel" "$stock_kernel" "$initramfs"
mkdir -p "$output_dir"
# A column not run this time must not show an earlier run's figures.
rm -f "$output_dir"/block-*.log
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
declare -A missing_reason

# scratch_disk: a new sparse image, twice the region, holding nothing.
scratch_disk() {
    rm -f "$work/disk.img"
    truncate -s "$((mib * 2))M" "$work/disk.img"
}

# pvmon_boot RUN ARCHIVE DOM0-ARGUMENTS [--icount]: pvmon with the scratch disk.
pvmon_boot() {
    local run=$1 archive=$2 arguments=$3
    shift 3
    scratch_disk
    tools/run-qemu.sh --timeout "$timeout_seconds" --memory 1536 "$@" --disk "$work/disk.img" \
        --log "$output_dir/block-$run.log" pvh "$hypervisor_image" "$archive" \
        --append "idle_seconds=1 dom0_mem=384 -- $arguments"
}

# native_boot RUN [QEMU OPTIONS]: the stock kernel on QEMU's own machine
# (its ELF, loaded through its PVH note); /init's 'reboot -f'
# (pvmon.native=1) ends QEMU through -no-reboot.
native_boot() {
    local run=$1
    shift
    scratch_disk
    timeout --kill-after=10 "$timeout_seconds" qemu-system-x86_64 -accel tcg -cpu max -M pc -m 256 \
        -no-reboot -display none -monitor none "$@" -serial "file:$output_dir/block-$run.log" \
        -drive "file=$work/disk.img,if=none,id=disk,format=raw,cache=writeback" \
        -device virtio-blk-pci,drive=disk -kernel "$stock_kernel" -initrd "$initramfs" \
        -append "console=ttyS0 quiet pvmon.native=1 pvmon.test=block-bench pvmon.bench_device=/dev/vda pvmon.bench_mib=$mib pvmon.bench_requests=$requests"
}

sed -e "s/@MIB@/$mib/" -e "s/@REQUESTS@/$requests/" "$config" >"$work/domains"
bench_boot_archive "$work/domU-boot.cpio" "$work/domains" "$stock_kernel" "$initramfs"
dom0_has_role=no
if grep -aq "virtio-blk-sequential-write-64k" "$pv_kernel"; then
    dom0_has_role=yes
    # dom0 alone: a domains file with no scenario, so that the toolstack starts nothing.
    echo "# dom0 alone: bench=virtio-blk" >"$work/alone.domains"
    bench_boot_archive "$work/dom0-boot.cpio" "$work/alone.domains" "$initramfs"
fi

for mode in tcg icount; do
    icount=()
    qemu_icount=()
    if [ "$mode" = icount ]; then
        icount=(--icount)
        qemu_icount=(-icount shift=0)
    fi
    run_boot "domU-$mode" pvmon_boot "domU-$mode" "$work/domU-boot.cpio" "" "${icount[@]}"
    if [ "$dom0_has_role" = yes ]; then
        run_boot "dom0-$mode" pvmon_boot "dom0-$mode" "$work/dom0-boot.cpio" "bench=virtio-blk" "${icount[@]}"
    else
        missing_reason[dom0]="dom0's kernel ($pv_kernel) has no bench=virtio-blk role"
    fi
    run_boot "native-$mode" native_boot "native-$mode" "${qemu_icount[@]}"
done

# --- the figures ---------------------------------------------------------------
#
# $work/figures.tsv: mode, column, pass, requests, bytes, ns, from Linux's
# lines "block-bench pass=NAME size=S requests=N bytes=B ns=T" and dom0's
# "bench virtio-blk-sequential-write-64k OPERATIONS NS" (and -read-64k,
# random-write-4k, random-read-4k).

extract() {
    local mode=$1 column=$2 log=$3
    [ -f "$log" ] || return 0
    awk -v mode="$mode" -v column="$column" "$awk_value_of"'
        /block-bench pass=/ && !/FAIL/ {
            printf "%s\t%s\t%s\t%s\t%s\t%s\n", mode, column, value_of("pass"), value_of("requests"),
                value_of("bytes"), value_of("ns")
        }
        match($0, /bench virtio-blk-(sequential|random)-(write|read)-(64|4)k [0-9]+ [0-9]+$/) {
            count = split(substr($0, RSTART), field, " ")
            kind = field[2]
            pass = (kind ~ /sequential/ ? "seq-" : "rand-") (kind ~ /write/ ? "write" : "read")
            size = kind ~ /-64k$/ ? 65536 : 4096
            printf "%s\t%s\t%s\t%s\t%s\t%s\n", mode, column, pass, field[3], field[3] * size, field[4]
        }' "$log"
}

: >"$work/figures.tsv"
for mode in tcg icount; do
    for column in "${columns[@]}"; do
        log=$output_dir/block-$column-$mode.log
        extract "$mode" "$column" "$log" >>"$work/figures.tsv"
        if [ -f "$log" ] && ! grep -q -E "block-bench pass=|bench virtio-blk-" "$log"; then
            missing_reason[$column-$mode]="no figures in $log: $(grep -a -E 'FAIL|not understood|could not' "$log" |
                head -n 1 | sed -E 's/^.*\(d0\) //')"
        fi
    done
done

table=$work/table.txt
{
    echo "Block I/O: $mib MiB region, 64 KiB sequential and $requests random 4 KiB requests per pass,"
    echo "one request at a time, O_DIRECT (pv-guest/linux/initramfs/blockbench.c)"
    echo "  domU   = Debian's stock Linux as a PV domU on pvmon, /dev/xvda (blkfront -> dom0's blkback -> virtio-blk)"
    echo "  dom0   = dom0 on the same virtio disk directly"
    echo "  native = the same stock kernel on QEMU -M pc, virtio-blk-pci, no pvmon"
    echo "tcg: MB/s and IOPS from wall-clock time (this run only); icount: guest ns per request under"
    echo "-icount shift=0, one per instruction executed (time idle waiting for the disk counts as well)."
    echo
    printf '%-12s' "tcg"
    for column in "${columns[@]}"; do printf ' %22s' "$column MB/s (IOPS)"; done
    printf ' %12s\n' "domU/dom0"
    for pass in "${passes[@]}"; do
        printf '%-12s' "$pass"
        for column in "${columns[@]}"; do
            rate=$(blockbench_figure tcg "$column" "$pass" MB/s)
            iops=$(blockbench_figure tcg "$column" "$pass" IOPS)
            if [ -n "$rate" ]; then printf ' %22s' "$rate ($iops)"; else printf ' %22s' -; fi
        done
        domu=$(blockbench_figure tcg domU "$pass" MB/s)
        dom0=$(blockbench_figure tcg dom0 "$pass" MB/s)
        if [ -n "$domu" ] && [ -n "$dom0" ]; then
            printf ' %11s%%\n' "$(awk -v a="$domu" -v b="$dom0" 'BEGIN { printf "%.0f", 100 * a / b }')"
        else
            printf ' %12s\n' -
        fi
    done
    echo
    printf '%-12s' "icount"
    for column in "${columns[@]}"; do printf ' %22s' "$column insn/request"; done
    echo
    for pass in "${passes[@]}"; do
        printf '%-12s' "$pass"
        for column in "${columns[@]}"; do
            value=$(blockbench_figure icount "$column" "$pass" insn)
            printf ' %22s' "${value:--}"
        done
        echo
    done
    echo
    echo "domU events per ring request (blkback's counters over the domain's life, probe reads included;"
    echo "a 64 KiB unit is two ring requests), and the whole machine's hypercalls and page-table updates"
    echo "while the vbd was connected (dom0's and the domU's, from the ring's mapping to the vbd's end,"
    echo "so the domU's /init and the bench program's start count too):"
    for mode in tcg icount; do
        printf '  %-7s %s\n' "$mode" "$(vbd_events_per_request "$output_dir/block-domU-$mode.log")"
    done
    bench_not_measured
    bench_failed_boots
    echo
    echo "Logs: $output_dir/block-{domU,dom0,native}-{tcg,icount}.log"
} >"$table"

bench_publish "$table" mode column pass requests bytes ns
