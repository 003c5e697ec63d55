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
if [ ! -f "$disk" ]; then
    cp --sparse=always "$build/linux/root.img" "$disk" || exit 1
fi

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
tools/make-dom0-ramdisk.sh "$staging/dom0-ramdisk.cpio" /dev/null \
    "boot/vmlinux-debian=$kernel" "boot/initrd-debian.cpio=$initrd" \
    "etc/xen/linux.cfg=$config" "etc/xen/auto/linux.cfg=$config" etc/motd=pv-guest/config/etc/motd || exit 1
cp "$build/pv-kernel.elf" "$staging/pv-kernel.elf"
(cd "$staging" && printf '%s\n' pv-kernel.elf dom0-ramdisk.cpio | cpio -o -H newc --quiet) >"$staging/boot.cpio"
qemu=(tools/run-qemu.sh --accel "${ACCEL:-tcg}" --memory 1024 --disk "$disk" --net
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
