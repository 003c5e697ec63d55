#!/usr/bin/env bash
# make run: boots pvmon with dom0's shell waiting and Debian's stock Linux
# 6.1 as a domU that dom0 starts at boot, as xendomains would, from
# /etc/xen/auto/linux.cfg (pv-guest/config/etc/xen/linux.cfg) in dom0's
# ramdisk, with a vif on dom0's bridge (QEMU's user network through
# --net) and its root file system on a PV disk: QEMU's virtio disk
# $BUILD/linux/run.img, a copy of $BUILD/linux/root.img (make linux-disk)
# made when it is missing and kept afterwards ('rm' it to start afresh).
# No kernel build: make linux-stock fetches Debian's kernel and builds
# the initramfs that loads its Xen modules.
#
#   tools/run.sh
#
# On a terminal: the serial line is this terminal (QEMU's -nographic);
# dom0's shell shows one line of hints before its first prompt
# (pv-guest/config/etc/motd, its /etc/motd); 'Ctrl-a x' leaves QEMU.  Otherwise (CI,
# a pipe): the same boot with the serial line on a log that this script
# shows as it grows; it waits for dom0's prompt, types 'xl list', then
# 'poweroff', and ends with pvmon's status (tools/run-qemu.sh's exit
# status; RUN_TIMEOUT seconds, default 300, bound the whole run).
# BUILD (default build) is where the images are; ACCEL=kvm uses KVM.
# OVERLAY=1 (make run OVERLAY=1): the domU's disk is instead
# $BUILD/linux/run.qcow2, a qcow2 overlay over root.img (read-only, its
# backing file), made when it is missing and kept, with two spare disks
# for checkpoints beside it (ckpt1.qcow2, ckpt2.qcow2: tools/run-qemu.sh
# --checkpoint-spares): xl block-checkpoint linux xvda, xl
# block-checkpoint-list run.qcow2, xl block-rollback run.qcow2 CHECKPOINT
# once the domain is destroyed (docs/ARCHITECTURE.md, "Checkpoints").
set -u
cd "$(dirname "$0")/.."

build=${BUILD:-build}
kernel=$build/linux/debian-vmlinux
initrd=$build/linux/initramfs-stock.cpio
disk=$build/linux/run.img
config=pv-guest/config/etc/xen/linux.cfg
prompt='root@dom0:~# '
for input in "$build/pvmon.elf" "$build/pv-kernel.elf" "$kernel" "$initrd" "$build/linux/root.img"; do
    [ -f "$input" ] || { echo "run: $input is missing (make all linux-stock linux-disk)" >&2; exit 1; }
done
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
motd=pv-guest/config/etc/motd
if [ -n "${OVERLAY:-}" ]; then
    overlay=$build/linux/run.qcow2
    if [ ! -f "$overlay" ]; then
        root_size=$(stat -c %s "$build/linux/root.img")
        qemu-img create -q -f qcow2 -b root.img -F raw "$overlay" "$root_size" &&
            truncate -s $((root_size + root_size / 64 + 16 * 1024 * 1024)) "$overlay" || exit 1
    fi
    sed 's|^disk = .*|disk = [ "format=qcow2, vdev=xvda, access=rw, target=run.qcow2" ]|' "$config" >"$staging/linux.cfg"
    config=$staging/linux.cfg
    { cat "$motd"; echo "Checkpoints of linux's disk (run.qcow2 over root.img, spares ckpt1-2):" \
        "'xl block-checkpoint linux xvda', 'xl block-checkpoint-list run.qcow2';" \
        "'xl destroy linux', then 'xl block-rollback run.qcow2 CHECKPOINT' and 'xl create /etc/xen/linux.cfg'."; } \
        >"$staging/motd"
    motd=$staging/motd
    disks=(--disk-read-only "$build/linux/root.img" --disk "$overlay" --checkpoint-spares 2)
else
    if [ ! -f "$disk" ]; then
        cp --sparse=always "$build/linux/root.img" "$disk" || exit 1
    fi
    disks=(--disk "$disk")
fi
tools/make-dom0-ramdisk.sh "$staging/dom0-ramdisk.cpio" /dev/null \
    "boot/vmlinux-debian=$kernel" "boot/initrd-debian.cpio=$initrd" \
    "etc/xen/linux.cfg=$config" "etc/xen/auto/linux.cfg=$config" "etc/motd=$motd" || exit 1
cp "$build/pv-kernel.elf" "$staging/pv-kernel.elf"
(cd "$staging" && printf '%s\n' pv-kernel.elf dom0-ramdisk.cpio | cpio -o -H newc --quiet) >"$staging/boot.cpio"
qemu=(tools/run-qemu.sh --accel "${ACCEL:-tcg}" --memory 1024 "${disks[@]}" --net
      pvh "$build/pvmon.elf" "$staging/boot.cpio" --append "idle_seconds=1 dom0_mem=384 -- shell")

if [ -t 0 ] && [ -t 1 ]; then
    exec "${qemu[@]}"
fi

log=$staging/serial.log
touch "$log"
tail -f "$log" &
tail_pid=$!
"${qemu[@]}" --log "$log" --serial-socket "$staging/serial.socket" --timeout "${RUN_TIMEOUT:-300}" &
qemu_pid=$!
TYPIST_WAIT_SECONDS=${RUN_TIMEOUT:-300} tests/lib/serial_typist.py "$staging/serial.socket" "$staging/serial.screen" \
    "wait:$prompt" 'wait:console d[0-9]+: pvmon-linux: shell reached' 'send:\r' "wait:$prompt" \
    'send:xl list\r' 'wait:linux +[0-9]+ +[0-9]+ +1 ' "wait:$prompt" 'send:poweroff\r' ||
    echo "run: typing into dom0's shell failed" >&2
wait "$qemu_pid"
status=$?
sleep 0.2
kill "$tail_pid" 2>/dev/null
wait "$tail_pid" 2>/dev/null
echo "run: pvmon's run ended with status $status (0: a clean shut down)"
exit "$status"
