#!/usr/bin/env bash
# make bench, disk images: what each image format of dom0's blkback costs
# (backend/disk_image.c), in one invocation.  Debian's stock Linux, a PV
# domU, runs the four passes of pv-guest/linux/initramfs/blockbench.c
# (sequential 64 KiB writes and reads, random 4 KiB writes and reads, one
# request at a time, O_DIRECT) over the first IMAGE_BENCH_MIB MiB of its
# /dev/xvda, which is in turn (tools/bench/image.domains, one scenario
# each, all in one boot):
#   raw        a raw image: the reference every other column is a ratio to
#   qcow2      a qcow2 overlay (64 KiB clusters) over a raw base of random
#              bytes: the sequential writes allocate its clusters, copying
#              from the base what a request does not cover
#   zstd, zlib a qcow2 image with compressed writes, of that codec, with
#              16 KiB clusters (compress=on compresses whole-cluster writes,
#              and Linux sends at most 44 KiB a request)
#   encrypted  a raw image encrypted as aes-xts-plain64
# on plain TCG (MB/s and IOPS from wall-clock ns, comparable only within
# this run) and under -icount shift=0 (guest ns are instructions of the
# whole machine, plus the time it idles waiting for QEMU's disk):
# instructions per blockbench request, and per ring request as blkback
# counted them (its counters when the vbd goes: reads, writes and flushes,
# the domU's probes at boot included), with grant copies and
# notifications per ring request, and dom0's own instructions per ring
# request (its running time over the scenario, which dom0's toolstack
# prints: the format's cost in the backend).  blockbench writes one constant byte,
# so the compressed columns are the codecs' best case.  A benchmark, never
# a test: a figure that cannot be produced is "-" with the reason, never
# invented.
#
# Writes, in $BUILD/bench/: image-results.txt (what is printed),
# image-results.tsv, and each boot's serial log (image-tcg.log,
# image-icount.log).  Environment: BUILD (default build), BENCH_TIMEOUT
# (seconds per boot, default 900), IMAGE_BENCH_MIB (default 8) and
# IMAGE_BENCH_REQUESTS (random requests per pass, default 512).  Exit
# status: 0 when every boot ended cleanly, 1 when something to boot is
# missing, 2 when a boot failed (figures still shown).
set -euo pipefail
cd "$(dirname "$0")/../.."

bench_name=image
source tools/bench/bench-lib.sh
initramfs=$build/linux/initramfs-stock.cpio
config=tools/bench/image.domains
mib=${IMAGE_BENCH_MIB:-8}
requests=${IMAGE_BENCH_REQUESTS:-512}
passes=(seq-write seq-read rand-write rand-read)
images=(raw qcow2 zstd zlib encrypted)

bench_require "$hypervisor_image" "$pv_kernel" "$stock_kernel" "$initramfs"
command -v qemu-img >/dev/null || { echo "run-image-bench: qemu-img is missing: run 'make deps'" >&2; exit 1; }
mkdir -p "$output_dir"
rm -f "$output_dir"/image-*.log
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
declare -A missing_reason

# fresh_images: the six files of dom0's disks, in $work/images, as image.domains lists them.
fresh_images() {
    local size=$((mib * 2))M directory=$work/images
    rm -rf "$directory"
    mkdir "$directory"
    truncate -s "$size" "$directory/raw.img"
    head -c "$((mib * 2 * 1048576))" /dev/urandom >"$directory/base.raw"
    (cd "$directory" && qemu-img create -q -f qcow2 -b base.raw -F raw overlay.qcow2)
    for codec in zstd zlib; do
        qemu-img create -q -f qcow2 -o "compression_type=$codec,cluster_size=16384" "$directory/$codec.qcow2" "$size"
    done
    # Room for the clusters the passes allocate: a qcow2 image grows only within its file,
    # one of dom0's virtio disks, whose size is fixed when QEMU starts.
    for image in overlay zstd zlib; do
        truncate -s "+$((mib * 3))M" "$directory/$image.qcow2"
    done
    truncate -s "$size" "$directory/encrypted.img"
}

# pvmon_boot RUN [--icount]: one boot running every scenario of image.domains.
pvmon_boot() {
    local run=$1 directory=$work/images
    shift
    fresh_images
    tools/run-qemu.sh --timeout "$timeout_seconds" --memory 1536 "$@" --disk "$directory/raw.img" \
        --disk-read-only "$directory/base.raw" --disk "$directory/overlay.qcow2" --disk "$directory/zstd.qcow2" \
        --disk "$directory/zlib.qcow2" --disk "$directory/encrypted.img" --log "$output_dir/image-$run.log" \
        pvh "$hypervisor_image" "$work/boot.cpio" --append "idle_seconds=1 dom0_mem=384 --"
}

head -c 64 /dev/urandom >"$work/disk.key"
sed -e "s/@MIB@/$mib/g" -e "s/@REQUESTS@/$requests/g" "$config" >"$work/domains"
bench_boot_archive "$work/boot.cpio" "$work/domains" "$stock_kernel" "$initramfs" "$work/disk.key"
run_boot tcg pvmon_boot tcg
run_boot icount pvmon_boot icount --icount

# --- the figures ---------------------------------------------------------------
#
# $work/figures.tsv: mode, image, pass, requests, bytes, ns, from each
# scenario's lines "block-bench pass=NAME size=S requests=N bytes=B ns=T"
# (a scenario's lines lie between dom0's "scenario 'NAME'" and "scenario
# 'NAME' done").

extract() {
    local mode=$1 log=$2
    [ -f "$log" ] || return 0
    awk -v mode="$mode" -v q="'" "$awk_value_of"'
        index($0, "toolstack: scenario " q) > 0 {
            image = substr($0, index($0, "toolstack: scenario " q) + 21)
            image = substr(image, 1, index(image, q) - 1)
            if (/ done$/) image = ""
            next
        }
        image != "" && /pvmon-linux: PASS block-bench pass=/ {
            printf "%s\t%s\t%s\t%s\t%s\t%s\n", mode, image, value_of("pass"), value_of("requests"),
                value_of("bytes"), value_of("ns")
        }' "$log"
}

# scenario_reason LOG IMAGE: the first line of the image's scenario saying what went wrong.
scenario_reason() {
    awk -v image="$2" -v q="'" '
        index($0, "toolstack: scenario " q image q) > 0 { inside = !/ done$/; next }
        inside && /not understood|FAIL|refused|could not|error|ERROR/ { sub(/^.*\(d0\) /, ""); print; exit }' "$1" |
        grep . || echo "no figures and no error in its scenario of $1"
}

: >"$work/figures.tsv"
for mode in tcg icount; do
    log=$output_dir/image-$mode.log
    extract "$mode" "$log" >>"$work/figures.tsv"
    [ -f "$log" ] || continue
    reason="no figures in $log: $(grep -a -E "not understood|FAIL|refused|could not|error" "$log" |
        head -n 1 | sed -E 's/^.*\(d0\) //')"
    measured=()
    for image in "${images[@]}"; do
        if awk -F'\t' -v m="$mode" -v i="$image" '$1 == m && $2 == i { found = 1 } END { exit !found }' \
            "$work/figures.tsv"; then
            measured+=("$image")
        fi
    done
    if [ ${#measured[@]} -eq 0 ]; then
        missing_reason[every image, $mode]=$reason
    elif [ ${#measured[@]} -lt ${#images[@]} ]; then
        for image in "${images[@]}"; do
            [[ " ${measured[*]} " == *" $image "* ]] || missing_reason[$image, $mode]=$(scenario_reason "$log" "$image")
        done
    fi
done

# dom0_ns IMAGE: under icount, dom0's instructions over the image's scenario
# ("toolstack: IMAGE: dom0 ran for N ns").
dom0_ns() {
    [ -f "$output_dir/image-icount.log" ] || return 0
    sed -nE "s/.*\(d0\) toolstack: $1: dom0 ran for ([0-9]+) ns$/\1/p" "$output_dir/image-icount.log" | head -n 1
}

# dom0_per_request IMAGE: dom0_ns per ring request blkback served the domain.
dom0_per_request() {
    local ns ring_requests
    ns=$(dom0_ns "$1")
    ring_requests=$(vbd_requests "$output_dir/image-icount.log" "$1")
    if [ -n "$ns" ] && [ -n "$ring_requests" ]; then
        echo $((ns / ring_requests))
    fi
}

# ratio A B: A / B to two places, or "-".
ratio() {
    if [ -n "$1" ] && [ -n "$2" ]; then
        awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'
    else
        printf -- "-"
    fi
}

# cell VALUE RAW-VALUE IMAGE: the value and, but for raw, its ratio to raw's.
cell() {
    if [ -z "$1" ]; then
        printf -- "-"
    elif [ "$3" = raw ]; then
        printf '%s' "$1"
    else
        printf '%s (%sx)' "$1" "$(ratio "$1" "$2")"
    fi
}

table=$work/table.txt
{
    echo "Disk images: $mib MiB region, 64 KiB sequential and $requests random 4 KiB requests per pass, one request"
    echo "at a time, O_DIRECT (pv-guest/linux/initramfs/blockbench.c), Debian's stock Linux as a PV domU on each"
    echo "image in turn, one boot per mode (tools/bench/image.domains):"
    echo "  raw = raw image; qcow2 = overlay over a raw base (its clusters allocated by the first writes);"
    echo "  zstd, zlib = qcow2, 16 KiB clusters, compressed writes (one constant byte: the codecs' best case);"
    echo "  encrypted = raw, aes-xts-plain64.  In brackets: the ratio to raw in the same mode."
    echo "tcg: MB/s from wall-clock time (this run only); icount: guest ns per blockbench request under"
    echo "-icount shift=0, one per instruction executed (time idle waiting for the disk counts as well)."
    echo
    printf '%-11s' "tcg MB/s"
    for image in "${images[@]}"; do printf ' %17s' "$image"; done
    echo
    for pass in "${passes[@]}"; do
        printf '%-11s' "$pass"
        reference=$(blockbench_figure tcg raw "$pass" MB/s)
        for image in "${images[@]}"; do
            printf ' %17s' "$(cell "$(blockbench_figure tcg "$image" "$pass" MB/s)" "$reference" "$image")"
        done
        echo
    done
    echo
    printf '%-11s' "insn/req"
    for image in "${images[@]}"; do printf ' %17s' "$image"; done
    echo
    for pass in "${passes[@]}"; do
        printf '%-11s' "$pass"
        reference=$(blockbench_figure icount raw "$pass" insn)
        for image in "${images[@]}"; do
            printf ' %17s' "$(cell "$(blockbench_figure icount "$image" "$pass" insn)" "$reference" "$image")"
        done
        echo
    done
    echo
    printf '%-11s' "per ring"
    for image in "${images[@]}"; do printf ' %17s' "$image"; done
    echo
    printf '%-11s' "requests"
    for image in "${images[@]}"; do
        printf ' %17s' "$(vbd_requests "$output_dir/image-icount.log" "$image" | grep . || echo -)"
    done
    echo
    printf '%-11s' "dom0 insn"
    reference=$(dom0_per_request raw)
    for image in "${images[@]}"; do
        printf ' %17s' "$(cell "$(dom0_per_request "$image")" "$reference" "$image")"
    done
    echo
    printf '%-11s' "dom0 extra"
    raw_ns=$(dom0_ns raw)
    for image in "${images[@]}"; do
        ns=$(dom0_ns "$image")
        ring_requests=$(vbd_requests "$output_dir/image-icount.log" "$image")
        if [ "$image" != raw ] && [ -n "$ns" ] && [ -n "$raw_ns" ] && [ -n "$ring_requests" ]; then
            printf ' %17s' $(((ns - raw_ns) / ring_requests))
        else
            printf ' %17s' -
        fi
    done
    echo
    echo "(dom0 insn: dom0's running time over the image's scenario under icount (its backends' work, the"
    echo "domU's boot included) over the ring requests blkback served the domain; dom0 extra: what dom0 ran"
    echo "beyond raw's scenario, per ring request: the image format's cost per request)"
    echo
    echo "Events per ring request (blkback's counters over the domain's life, its probes at boot included):"
    for image in "${images[@]}"; do
        printf '  %-10s %s\n' "$image" "$(vbd_events_per_request "$output_dir/image-icount.log" "$image")"
    done
    bench_not_measured
    bench_failed_boots
    echo
    echo "Logs: $output_dir/image-{tcg,icount}.log"
} >"$table"

bench_publish "$table" mode image pass requests bytes ns
