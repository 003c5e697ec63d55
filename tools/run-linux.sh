#!/usr/bin/env bash
# Boots pvmon with dom0 starting one Linux domU (pv-guest/config/linux.domains):
# its boot messages and the workload's results appear on this terminal as
# "(d0) console d1: ..." lines, from dom0's console backend.
#
#   tools/run-linux.sh KERNEL [INITRAMFS]
#
# KERNEL is an ELF vmlinux with Xen PV support (make linux builds pvmon's,
# make linux-stock fetches Debian's; a bzImage converts with
# tools/vmlinuz-to-elf.sh); INITRAMFS defaults to $BUILD/linux/initramfs.cpio
# (make linux-initramfs).  Run by 'make run-linux'.  ACCEL=kvm uses KVM.
set -u
cd "$(dirname "$0")/.."

if [ $# -lt 1 ]; then
    sed -n '2,/^set -u/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -u/d' >&2
    exit 1
fi
build=${BUILD:-build}
kernel=$1
initramfs=${2:-$build/linux/initramfs.cpio}
for input in "$kernel" "$initramfs" "$build/pvmon.elf" "$build/pv-kernel.elf"; do
    [ -f "$input" ] || { echo "run-linux: $input is missing" >&2; exit 1; }
done

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp "$kernel" "$staging/vmlinux"
cp "$initramfs" "$staging/initramfs.cpio"
tools/make-dom0-ramdisk.sh "$staging/dom0-ramdisk.cpio" pv-guest/config/linux.domains \
    "$staging/vmlinux" "$staging/initramfs.cpio" || exit 1
cp "$build/pv-kernel.elf" "$staging/pv-kernel.elf"
(cd "$staging" && printf '%s\n' pv-kernel.elf dom0-ramdisk.cpio | cpio -o -H newc --quiet) >"$staging/boot.cpio"
tools/run-qemu.sh --accel "${ACCEL:-tcg}" --memory 1536 pvh "$build/pvmon.elf" "$staging/boot.cpio" \
    --append "idle_seconds=1 dom0_mem=384 --"
