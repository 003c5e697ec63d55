#!/usr/bin/env bash
# make bench, network part: TCP between Linux and its peer seen three ways,
# in one invocation, each the same two passes of pvmon-netbench
# (pv-guest/linux/initramfs/netbench.c): a stream of NET_BENCH_MIB MiB
# (throughput) and NET_BENCH_ROUNDS one-byte round trips (latency):
#   domU-domU  two PV domUs of Debian's stock kernel on dom0's xenbr0: the
#              client's xen-netfront, dom0's netback and bridge, the server's
#              xen-netfront (tools/bench/net.domains, net-domu-domu)
#   domU-host  one such domU and the host, which runs pvmon-netbench's server
#              on its loopback: xen-netfront, netback, the bridge, dom0's
#              virtio-net driver, QEMU's virtio-net and user network
#              (net-domu-host; 10.0.2.2 is the host)
#   native     the same stock kernel straight on QEMU (-M pc), its own
#              virtio_net on virtio-net-pci and the same user network, to
#              the host's server: the reference without pvmon
# and the memcpy-bound limit measured in the same run: pvmon-netbench's
# memcpy pass in the domU-domU client and in the native guest (the rate at
# which that machine copies bytes; a copying network path moves each byte
# at least three times: the sender's copy from user space, netback's grant
# copy, the receiver's copy to user space).
# Each on plain TCG (MB/s and microseconds from wall-clock ns, comparable
# only within this run; ratios against the native reference and the memcpy
# limit) and under -icount shift=0 (guest ns are instructions of the whole
# machine, plus its idle time: instructions per packet, the packets being
# the client's eth0 counters over the pass), and, for the domUs, the events
# per packet from dom0's netback counters, printed when each vif goes
# (grant copies, grant-copy segments, notifications to the frontend, and
# the machine's hypercalls while the vif was connected, every domain's;
# the packets are the vifs' own, both directions).  A benchmark, never a test:
# a figure that cannot be produced is "-" with the reason, never invented.
#
# Writes, in $BUILD/bench/: net-results.txt (what is printed),
# net-results.tsv, and each boot's serial log (net-RUN.log).
# Environment: BUILD (default build), BENCH_TIMEOUT (seconds per boot,
# default 900), NET_BENCH_MIB (default 32), NET_BENCH_ROUNDS (default 1000),
# NET_BENCH_MEMCPY_MIB (the memcpy pass, default 256).
# Exit status: 0 when every boot ended cleanly, 1 when something to boot is
# missing, 2 when a boot failed (figures still shown).
set -euo pipefail
cd "$(dirname "$0")/../.."

bench_name=net
source tools/bench/bench-lib.sh
initramfs=$build/linux/initramfs-stock.cpio
config=tools/bench/net.domains
mib=${NET_BENCH_MIB:-32}
rounds=${NET_BENCH_ROUNDS:-1000}
memcpy_mib=${NET_BENCH_MEMCPY_MIB:-256}
columns=(domU-domU domU-host native)
host_peer=10.0.2.2

bench_require "$hypervisor_image" "$pv_kernel" "$stock_kernel" "$initramfs"
mkdir -p "$output_dir"
# A column not run this time must not show an earlier run's figures.
rm -f "$output_dir"/net-*.log
work=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
declare -A missing_reason

# The host's server: the same program, built for the host.
gcc -std=c11 -Wall -Wextra -Werror -O2 -o "$work/pvmon-netbench" pv-guest/linux/initramfs/netbench.c \
    pv-guest/linux/initramfs/common.c

# free_port: a TCP port on the host's loopback that nothing listens on now.
free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
}

# start_host_server PORT: the host's pvmon-netbench server for one client's two passes.
start_host_server() {
    "$work/pvmon-netbench" server "$1" 2 >"$work/host-server.out" 2>&1 &
    server_pid=$!
}

# stop_host_server: the server is gone (it ends by itself after its two connections).
stop_host_server() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

# scenario_file NAME PORT: the scenario NAME of net.domains, its @...@ filled in.
scenario_file() {
    awk -v name="$1" '
        /^scenario / { keep = ($2 == name) }
        keep' "$config" |
        sed -e "s/@MIB@/$mib/g" -e "s/@ROUNDS@/$rounds/g" -e "s/@MEMCPY_MIB@/$memcpy_mib/g" -e "s/@PORT@/$2/g" -e "s/@PEER@/$host_peer/g"
}

# pvmon_archive NAME PORT: the boot archive of dom0 starting scenario NAME.
pvmon_archive() {
    scenario_file "$1" "$2" >"$work/$1.domains"
    bench_boot_archive "$work/$1.cpio" "$work/$1.domains" "$stock_kernel" "$initramfs"
}

# pvmon_boot RUN ARCHIVE [QEMU OPTIONS]: pvmon on microvm with dom0's NIC.
pvmon_boot() {
    local run=$1 archive=$2
    shift 2
    tools/run-qemu.sh --timeout "$timeout_seconds" --memory 1536 --net "$@" \
        --log "$output_dir/net-$run.log" pvh "$hypervisor_image" "$archive" \
        --append "idle_seconds=1 dom0_mem=384 --"
}

# native_boot RUN PORT [QEMU OPTIONS]: the stock kernel on QEMU's own machine
# with virtio-net-pci; /init's 'reboot -f' (pvmon.native=1) ends QEMU.
native_boot() {
    local run=$1 port=$2
    shift 2
    timeout --kill-after=10 "$timeout_seconds" qemu-system-x86_64 -accel tcg -cpu max -M pc -m 256 \
        -no-reboot -display none -monitor none "$@" -serial "file:$output_dir/net-$run.log" \
        -netdev user,id=net0 -device virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56 \
        -kernel "$stock_kernel" -initrd "$initramfs" \
        -append "console=ttyS0 quiet pvmon.native=1 pvmon.ip=10.0.2.21/24 pvmon.peer=$host_peer pvmon.tcp_port=$port pvmon.net_wait=300 pvmon.bench_mib=$mib pvmon.bench_rounds=$rounds pvmon.memcpy_mib=$memcpy_mib pvmon.test=net-bench-client,net-bench-memcpy"
}

for mode in tcg icount; do
    icount=()
    qemu_icount=()
    if [ "$mode" = icount ]; then
        icount=(--icount)
        qemu_icount=(-icount shift=0)
    fi
    port=$(free_port)
    pvmon_archive net-domu-domu "$port"
    run_boot "domU-domU-$mode" pvmon_boot "domU-domU-$mode" "$work/net-domu-domu.cpio" "${icount[@]}"

    port=$(free_port)
    pvmon_archive net-domu-host "$port"
    start_host_server "$port"
    run_boot "domU-host-$mode" pvmon_boot "domU-host-$mode" "$work/net-domu-host.cpio" "${icount[@]}"
    stop_host_server

    port=$(free_port)
    start_host_server "$port"
    run_boot "native-$mode" native_boot "native-$mode" "$port" "${qemu_icount[@]}"
    stop_host_server
done

# --- the figures ---------------------------------------------------------------
#
# $work/figures.tsv: mode, column, pass, bytes, rounds, ns, tx-packets,
# rx-packets, from the lines "net-bench pass=NAME bytes=B rounds=R ns=T
# [tx-packets=N rx-packets=N]".

extract() {
    local mode=$1 column=$2 log=$3
    [ -f "$log" ] || return 0
    awk -v mode="$mode" -v column="$column" "$awk_value_of"'
        /pvmon-linux: PASS net-bench pass=/ {
            printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", mode, column, value_of("pass"), value_of("bytes"),
                value_of("rounds"), value_of("ns"), value_of("tx-packets"), value_of("rx-packets")
        }' "$log"
}

: >"$work/figures.tsv"
for mode in tcg icount; do
    for column in "${columns[@]}"; do
        log=$output_dir/net-$column-$mode.log
        extract "$mode" "$column" "$log" >>"$work/figures.tsv"
        if [ -f "$log" ] && ! grep -q "PASS net-bench pass=stream" "$log"; then
            missing_reason[$column-$mode]="no figures in $log: $(grep -a -E 'FAIL|could not|failed' "$log" |
                head -n 1 | sed -E 's/^.*\(d0\) //')"
        fi
    done
done

# figure MODE COLUMN PASS KIND: MB/s, us (per round trip), insn/packet or insn/round.
figure() {
    awk -F'\t' -v mode="$1" -v column="$2" -v pass="$3" -v kind="$4" '
        $1 == mode && $2 == column && $3 == pass && $6 > 0 {
            if (kind == "MB/s") printf "%.1f", $4 * 1000 / $6
            else if (kind == "us") printf "%.0f", $6 / $5 / 1000
            else if (kind == "packets") printf "%d", $7 + $8
            else if (kind == "insn/packet" && $7 + $8 > 0) printf "%.0f", $6 / ($7 + $8)
            else if (kind == "insn/round") printf "%.0f", $6 / $5
        }' "$work/figures.tsv"
}

# percent A B: A as a percentage of B, or "-".
percent() {
    if [ -n "$1" ] && [ -n "$2" ]; then
        awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else printf "-" }'
    else
        printf -- "-"
    fi
}

# events_per_packet LOG: dom0's netback counters over every vif of the boot,
# per packet the vifs moved (each vif's tx and rx: a frame from one domU to
# another counts twice, as it costs each vif its copy), and the machine's
# hypercalls while the vifs were connected (the longest such window: the
# vifs of one boot overlap).
events_per_packet() {
    [ -f "$1" ] || { echo "-"; return; }
    awk '
        /toolstack: d[0-9]+ vif [0-9]+: tx [0-9]+ packets/ {
            for (i = 1; i <= NF; i++) {
                if ($(i + 1) == "packets" && ($(i - 1) == "tx" || $(i - 1) == "rx")) packets += $i
                if ($(i + 1) == "GNTTABOP_copy") copies += $i
                if ($(i + 1) == "segments),") { segments = $i; sub(/^\(/, "", segments); copied += segments }
                if ($(i + 1) == "notifications") notifications += $i
            }
        }
        /toolstack: d[0-9]+ vif [0-9]+: while connected, the machine made / {
            for (i = 1; i <= NF; i++)
                if ($(i + 1) == "hypercalls" && $i > hypercalls) hypercalls = $i
        }
        END {
            if (packets == 0) { print "- (no vif counters in the log)"; exit }
            printf "%d vif packets: %.3f GNTTABOP_copy calls, %.2f segments copied, %.3f notifications",
                packets, copies / packets, copied / packets, notifications / packets
            if (hypercalls != "")
                printf ", %.1f hypercalls (the machine)", hypercalls / packets
            printf " per packet\n"
        }' "$1"
}

table=$work/table.txt
{
    echo "Network: TCP, a $mib MiB stream and $rounds one-byte round trips (pv-guest/linux/initramfs/netbench.c)"
    echo "  domU-domU = two PV domUs of Debian's stock Linux on xenbr0 (netfront -> dom0's netback and bridge -> netfront)"
    echo "  domU-host = a PV domU to the host (netfront -> netback -> bridge -> dom0's virtio-net -> QEMU's user network)"
    echo "  native    = the same stock kernel on QEMU -M pc, virtio-net-pci, QEMU's user network, no pvmon"
    echo "  memcpy    = pvmon-netbench's memcpy pass, $memcpy_mib MiB in 64 KiB copies, in the domU-domU client and"
    echo "              natively: the memcpy-bound limit (a copying path moves each byte at least 3 times)"
    echo "tcg: MB/s and microseconds per round trip from wall-clock time (this run only); icount: guest ns"
    echo "under -icount shift=0, one per instruction executed (idle time counts as well), per packet of"
    echo "the client's eth0 (both directions) and per round trip."
    echo
    printf '%-10s %14s %14s %14s %14s\n' "tcg" "stream MB/s" "rr us" "vs native" "vs memcpy"
    memcpy_domu=$(figure tcg domU-domU memcpy MB/s)
    memcpy_native=$(figure tcg native memcpy MB/s)
    native_rate=$(figure tcg native stream MB/s)
    for column in "${columns[@]}"; do
        rate=$(figure tcg "$column" stream MB/s)
        latency=$(figure tcg "$column" rr us)
        if [ "$column" = native ]; then limit=$memcpy_native; else limit=$memcpy_domu; fi
        printf '%-10s %14s %14s %14s %14s\n' "$column" "${rate:--}" "${latency:--}" \
            "$(percent "$rate" "$native_rate")" "$(percent "$rate" "$limit")"
    done
    printf '%-10s %14s\n' "memcpy" "${memcpy_domu:--} (domU), ${memcpy_native:--} (native) MB/s"
    echo
    printf '%-10s %16s %16s %16s\n' "icount" "stream insn/pkt" "packets" "rr insn/round"
    for column in "${columns[@]}"; do
        printf '%-10s %16s %16s %16s\n' "$column" "$(figure icount "$column" stream insn/packet)" \
            "$(figure icount "$column" stream packets)" "$(figure icount "$column" rr insn/round)"
    done
    for column in domU-domU native; do
        value=$(figure icount "$column" memcpy MB/s)
        [ -n "$value" ] && echo "memcpy under icount in $column: $value bytes per thousand instructions"
    done
    echo
    echo "Events per packet in the domUs (dom0's netback counters when each vif goes, over the vifs' life):"
    for mode in tcg icount; do
        for column in domU-domU domU-host; do
            printf '  %-7s %-10s %s\n' "$mode" "$column" "$(events_per_packet "$output_dir/net-$column-$mode.log")"
        done
    done
    bench_not_measured
    bench_failed_boots
    echo
    echo "Logs: $output_dir/net-{domU-domU,domU-host,native}-{tcg,icount}.log"
} >"$table"

bench_publish "$table" mode column pass bytes rounds ns tx_packets rx_packets
