#!/usr/bin/env bash
# Boots pvmon in QEMU and reports how it ended.
#
#   tools/run-qemu.sh pvh IMAGE [MODULE] [options]   direct PVH boot on -M microvm (fast path)
#   tools/run-qemu.sh iso ISO [options]              GRUB multiboot2 from a CD on -M pc
#
# Options:
#   --accel tcg|kvm     accelerator (default tcg; kvm is for real hardware)
#   --append "ARGS"     hypervisor command line (PVH only; an ISO carries its own)
#   --memory MB         guest RAM (default 512)
#   --timeout SECONDS   hard limit, after which QEMU is killed (default: none)
#   --icount            -icount shift=0: guest time counts instructions
#   --icount-exact      -icount shift=0,sleep=off: the same, and idle time passes at once
#                       instead of with the host's clock, so that every guest-time figure is
#                       exact whatever else the host is doing
#   --log FILE          serial output to FILE instead of this terminal, no input
#   --monitor-port N    with --log: QEMU's monitor on TCP 127.0.0.1:N (tests send it commands such as "nmi")
#   --serial-socket PATH
#                       with --log: the serial line is also a unix socket at PATH (QEMU listens
#                       and waits for one connection before it starts), through which a test types
#                       and reads; the log still gets the output
#   --disk FILE         a raw disk image as a virtio-blk device on a virtio-mmio transport
#                       (repeatable; PVH only; cache=writeback, so a guest flush reaches
#                       the file with fdatasync).  It switches the machine to
#                       -M microvm,acpi=off, on which QEMU appends
#                       " virtio_mmio.device=512@0xfeb00e00:12" (size@base:gsi) per device to
#                       the command line: the first disk is at 0xfeb00e00 (GSI 12), the next
#                       at 0xfeb00c00 (GSI 11), and so on down
#   --disk-read-only FILE
#                       the same, read-only (readonly=on: the device offers VIRTIO_BLK_F_RO);
#                       --disk and --disk-read-only devices keep their order.
#                       Each device's serial (virtio-blk's serial=, which dom0 reads with
#                       VIRTIO_BLK_T_GET_ID) is FILE's base name, by which dom0 knows the disk
#                       (a domain's target=base.qcow2, a qcow2 overlay's backing file name):
#                       a name of 1 to 20 bytes of [A-Za-z0-9._+-], not starting with '.'; a
#                       longer or other name leaves the disk without a serial (named only
#                       /dev/vdX in dom0), with a warning.  The file is passed to the device
#                       as it is (format=raw): dom0 reads a qcow2 file's own format
#   --checkpoint-spares N
#                       N spare disks for checkpoints (backend/vbd_checkpoint.h, xl
#                       block-checkpoint): ckpt1.qcow2 .. ckptN.qcow2 beside the last --disk
#                       FILE, each created, if missing, as an empty sparse file of FILE's size,
#                       and attached after the other disks.  dom0 writes a checkpoint's new
#                       overlay on a free one (one that does not start with the qcow2 magic)
#   --virtio-modern     the virtio-mmio transports are modern (Version 2) instead of QEMU's
#                       default legacy (Version 1)
#   --net               a virtio-net device on a virtio-mmio transport (PVH only; switches to
#                       -M microvm,acpi=off as --disk does), after the disks (with no disk at
#                       0xfeb00e00, GSI 12), on QEMU's user network (slirp: 10.0.2.0/24, the
#                       host/gateway 10.0.2.2 answers ARP and ICMP echo, DNS 10.0.2.3); dom0
#                       sees it as eth0
#   --net-forward HOSTPORT:GUESTIP:GUESTPORT
#                       implies --net: TCP connections to 127.0.0.1:HOSTPORT on the host reach
#                       GUESTIP:GUESTPORT on that network (slirp's hostfwd); repeatable
#   --net-mac MAC       implies --net: the device's MAC address (default 52:54:00:12:34:56)
#
# Exit status: 0 pvmon shut down cleanly, 1 pvmon panicked, 2 timed out,
# 3 the machine reset (a triple fault, with -no-reboot), 4 QEMU failed.
# pvmon leaves through isa-debug-exit at port 0xf4: QEMU's status is then
# (value << 1) | 1, so 0x10 gives 33 (clean) and 0x11 gives 35 (panic).
set -u

accel=tcg
append=""
memory=512
timeout_seconds=""
icount=()
log=""
monitor_port=""
serial_socket=""
disks=()
disk_options=()
checkpoint_spares=0
virtio_modern=()
net=""
net_forwards=()
net_mac=52:54:00:12:34:56
positional=()
while [ $# -gt 0 ]; do
    case "$1" in
    --accel) accel=$2; shift 2 ;;
    --append) append=$2; shift 2 ;;
    --memory) memory=$2; shift 2 ;;
    --timeout) timeout_seconds=$2; shift 2 ;;
    --icount) icount=(-icount shift=0); shift ;;
    --icount-exact) icount=(-icount shift=0,sleep=off); shift ;;
    --log) log=$2; shift 2 ;;
    --monitor-port) monitor_port=$2; shift 2 ;;
    --serial-socket) serial_socket=$2; shift 2 ;;
    --disk) disks+=("$2"); disk_options+=(""); shift 2 ;;
    --disk-read-only) disks+=("$2"); disk_options+=(",readonly=on"); shift 2 ;;
    --checkpoint-spares) checkpoint_spares=$2; shift 2 ;;
    --virtio-modern) virtio_modern=(-global virtio-mmio.force-legacy=false); shift ;;
    --net) net=yes; shift ;;
    --net-forward) net=yes; net_forwards+=("$2"); shift 2 ;;
    --net-mac) net=yes; net_mac=$2; shift 2 ;;
    *) positional+=("$1"); shift ;;
    esac
done
if [ ${#positional[@]} -lt 2 ]; then
    sed -n '2,/^set -u/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -u/d' >&2
    exit 4
fi
mode=${positional[0]}
image=${positional[1]}
module=${positional[2]:-}

common=(-accel "$accel" -cpu max -m "$memory" -no-reboot
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 "${icount[@]}")
if [ -n "$monitor_port" ]; then
    monitor=(-monitor "tcp:127.0.0.1:$monitor_port,server,nowait")
else
    monitor=(-monitor none)
fi
if [ -n "$log" ] && [ -n "$serial_socket" ]; then
    common+=(-display none "${monitor[@]}"
             -chardev "socket,id=serial0,path=$serial_socket,server=on,wait=on,logfile=$log"
             -serial chardev:serial0)
elif [ -n "$log" ]; then
    common+=(-display none "${monitor[@]}" -serial "file:$log")
else
    common+=(-nographic)
fi

# disk_serial FILE: ",serial=NAME" with FILE's base name if it can be a
# virtio-blk serial that names a disk in dom0 (see --disk), else nothing.
disk_serial() {
    local name
    name=$(basename "$1")
    if [[ ${#name} -le 20 && $name =~ ^[A-Za-z0-9_+-][A-Za-z0-9._+-]*$ ]]; then
        echo ",serial=$name"
    else
        echo "run-qemu.sh: '$name' cannot be a virtio-blk serial (1 to 20 bytes of [A-Za-z0-9._+-]): the disk has no name in dom0" >&2
    fi
}

# One virtio-blk device per --disk, in order: QEMU gives the first the
# highest transport (0xfeb00e00, GSI 12).
# The checkpoint spares: empty sparse files of the last disk's size, beside it.
if [ "$checkpoint_spares" -gt 0 ]; then
    if [ ${#disks[@]} -eq 0 ]; then
        echo "run-qemu.sh: --checkpoint-spares needs a --disk to put them beside" >&2
        exit 4
    fi
    last_disk=${disks[${#disks[@]} - 1]}
    for spare in $(seq 1 "$checkpoint_spares"); do
        spare_file="$(dirname "$last_disk")/ckpt$spare.qcow2"
        [ -f "$spare_file" ] || truncate -s "$(stat -c %s "$last_disk")" "$spare_file" || exit 4
        disks+=("$spare_file")
        disk_options+=("")
    done
fi

disk_devices=()
for index in "${!disks[@]}"; do
    if [ ! -f "${disks[$index]}" ]; then
        echo "run-qemu.sh: no disk image '${disks[$index]}'" >&2
        exit 4
    fi
    disk_devices+=(-drive "file=${disks[$index]},if=none,id=disk$index,format=raw,cache=writeback${disk_options[$index]}"
                   -device "virtio-blk-device,drive=disk$index$(disk_serial "${disks[$index]}")")
done

# The network device, after the disks: slirp with each forwarded port.
net_devices=()
if [ -n "$net" ]; then
    netdev="user,id=net0"
    for forward in "${net_forwards[@]}"; do
        if ! [[ "$forward" =~ ^([0-9]+):([0-9.]+):([0-9]+)$ ]]; then
            echo "run-qemu.sh: --net-forward wants HOSTPORT:GUESTIP:GUESTPORT, not '$forward'" >&2
            exit 4
        fi
        netdev+=",hostfwd=tcp:127.0.0.1:${BASH_REMATCH[1]}-${BASH_REMATCH[2]}:${BASH_REMATCH[3]}"
    done
    net_devices=(-netdev "$netdev" -device "virtio-net-device,netdev=net0,mac=$net_mac")
fi

case "$mode" in
pvh)
    if [ ${#disks[@]} -gt 0 ] || [ -n "$net" ]; then
        machine=(-M microvm,acpi=off)
    else
        machine=(-M microvm)
    fi
    machine+=(-kernel "$image" -append "$append" "${disk_devices[@]}" "${net_devices[@]}" "${virtio_modern[@]}")
    [ -n "$module" ] && machine+=(-initrd "$module")
    ;;
iso)
    if [ ${#disks[@]} -gt 0 ] || [ -n "$net" ]; then
        echo "run-qemu.sh: --disk and --net need the PVH boot (virtio-mmio on microvm)" >&2
        exit 4
    fi
    machine=(-M pc -cdrom "$image" -boot d)
    ;;
*)
    echo "run-qemu.sh: unknown boot mode '$mode' (pvh or iso)" >&2
    exit 4
    ;;
esac

command=(qemu-system-x86_64 "${machine[@]}" "${common[@]}")
if [ -n "$timeout_seconds" ]; then
    if [ -n "$log" ]; then
        timeout -k 5 "$timeout_seconds" "${command[@]}" </dev/null
    else
        timeout --foreground -k 5 "$timeout_seconds" "${command[@]}"
    fi
else
    "${command[@]}"
fi
status=$?

case $status in
33) echo "run-qemu: pvmon shut down cleanly" >&2; exit 0 ;;
35) echo "run-qemu: pvmon panicked" >&2; exit 1 ;;
124|137) echo "run-qemu: timed out after ${timeout_seconds} s; QEMU was killed" >&2; exit 2 ;;
0) echo "run-qemu: the machine reset (triple fault?) and QEMU stopped (-no-reboot)" >&2; exit 3 ;;
*) echo "run-qemu: QEMU failed with status $status" >&2; exit 4 ;;
esac
