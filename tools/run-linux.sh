#!/usr/bin/env bash
# Boots pvmon with dom0 starting two Linux domUs (pv-guest/config/linux.domains)
# on one bridge, the first with its root file system on a PV disk: the disk
# image is QEMU's virtio disk, dom0's /dev/vda, which dom0's blkback serves
# to the domU as /dev/xvda; the initramfs's /init mounts it (root=/dev/xvda)
# and switch_root's to it.  Each domU has a vif on dom0's xenbr0, whose port
# 0 is dom0's virtio-net on QEMU's user network; the host's port
# LINUX_HTTP_PORT (default 8080) is forwarded to the first's httpd,
# 10.0.2.21:80.  Linux's boot messages and the results
# appear on this terminal as "(d0) console dN: ..." lines, from dom0's
# console backend.
#
#   tools/run-linux.sh KERNEL [INITRAMFS [DISK]]
#
# KERNEL is an ELF vmlinux with Xen PV support (make linux builds pvmon's,
# make linux-stock fetches Debian's; a bzImage converts with
# tools/vmlinuz-to-elf.sh); INITRAMFS defaults to $BUILD/linux/initramfs.cpio
# (make linux-initramfs; Debian's kernel needs $BUILD/linux/initramfs-stock.cpio,
# which loads its xen-blkfront and ext4 modules).  DISK defaults to
# $BUILD/linux/run-linux.img, made from $BUILD/linux/root.img (make
# linux-disk) when it is missing and kept afterwards: what Linux writes
# there is still there at the next run ('rm' it to start afresh).  Run by
# 'make run-linux'.  ACCEL=kvm uses KVM; LINUX_HTTP_PORT=N forwards another host port.
set -u
cd "$(dirname "$0")/.."

if [ $# -lt 1 ]; then
    sed -n '2,/^set -u/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -u/d' >&2
    exit 1
fi
build=${BUILD:-build}
kernel=$1
initramfs=${2:-$build/linux/initramfs.cpio}
disk=${3:-$build/linux/run-linux.img}
for input in "$kernel" "$initramfs" "$build/pvmon.elf" "$build/pv-kernel.elf"; do
    [ -f "$input" ] || { echo "run-linux: $input is missing" >&2; exit 1; }
done
if [ ! -f "$disk" ]; then
    [ -f "$build/linux/root.img" ] || { echo "run-linux: $build/linux/root.img is missing (make linux-disk)" >&2; exit 1; }
    cp --sparse=always "$build/linux/root.img" "$disk" || exit 1
    echo "run-linux: $disk is a new copy of $build/linux/root.img"
fi

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp "$kernel" "$staging/vmlinux"
cp "$initramfs" "$staging/initramfs.cpio"
tools/make-dom0-ramdisk.sh "$staging/dom0-ramdisk.cpio" pv-guest/config/linux.domains \
    "$staging/vmlinux" "$staging/initramfs.cpio" || exit 1
cp "$build/pv-kernel.elf" "$staging/pv-kernel.elf"
(cd "$staging" && printf '%s\n' pv-kernel.elf dom0-ramdisk.cpio | cpio -o -H newc --quiet) >"$staging/boot.cpio"
http_port=${LINUX_HTTP_PORT:-8080}
echo "run-linux: two Linux domUs on xenbr0, 10.0.2.21 (root on /dev/xvda) and 10.0.2.22, ping each other and" \
    "move 16 MiB over TCP; then, while the first serves (300 s), 'curl http://127.0.0.1:$http_port/' on the host" \
    "reaches its httpd"
tools/run-qemu.sh --accel "${ACCEL:-tcg}" --memory 1536 --disk "$disk" --net-forward "$http_port:10.0.2.21:80" \
    pvh "$build/pvmon.elf" "$staging/boot.cpio" \
    --append "idle_seconds=1 dom0_mem=384 --"
