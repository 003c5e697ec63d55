#!/usr/bin/env bash
# The kvm-npt and kvm-shadow configurations of 'make compare' (issue 16):
# the stock kernel and the workload as the L2 guest of Debian's KVM, nested
# in an L1 Linux (the same stock kernel) on QEMU TCG -cpu max, whose AMD SVM
# offers nested paging.  L1 loads kvm_amd with npt=1 (nested paging) or
# npt=0 (shadow paging) and runs the host's own qemu-system-x86_64
# -accel kvm as the inner VMM (tools/compare/peers/kvm-l1-init).
#
#   run-kvm.sh --npt 1|0 CONTRACT-ARGUMENTS     (tools/compare/README.md)
#
# The L1 initramfs, built for each run in a temporary directory, holds
# busybox-static, kvm_amd and the modules it needs (from the kernel's own
# linux-image package: fetch-packages.sh modules), the host's
# qemu-system-x86_64 with the shared libraries ldd finds and the ROMs a
# -kernel boot on -M pc reads (SeaBIOS bios-256k.bin, linuxboot_dma.bin,
# kvmvapic.bin), the kernel and the workload initramfs as /l2/.  L2 gets
# COMPARE_GUEST_MIB MiB, 1 vCPU, and the guest command line every
# configuration gets; L1 gets the same CPU words (noxsave: then KVM offers
# L2 no XSAVE either, instead of one whose XSETBV QEMU 7.2's SVM does not
# intercept).  The log starts with the versions of what runs.
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../configs/common.sh"
source "$here/initramfs.sh"

[ "${1:-}" = --npt ] && [[ ${2:-} =~ ^[01]$ ]] || compare_usage
npt=$2
shift 2
compare_parse_arguments "$@"

l1_memory_mib=2048
host_qemu=/usr/bin/qemu-system-x86_64
roms=(/usr/share/seabios/bios-256k.bin /usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/kvmvapic.bin)

[ -x "$host_qemu" ] || compare_not_run "no $host_qemu on the host (Debian's qemu-system-x86)"
for rom in "${roms[@]}"; do
    [ -f "$rom" ] || compare_not_run "no $rom on the host (seabios, qemu-system-data)"
done
modules=$("$here/fetch-packages.sh" modules "$kernel")
case $? in
0) ;;
2) exit 1 ;;
*) compare_not_run "the kernel's kvm modules could not be fetched" ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/compare-kvm.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
root=$work/root

# host_package_version FILE: "PACKAGE VERSION" of the host package that owns FILE.
host_package_version() {
    local package
    package=$(dpkg-query -S "$1" 2>/dev/null | head -n 1 | cut -d: -f1)
    [ -n "$package" ] && echo "$package $(dpkg-query -W -f '${Version}' "$package")"
}

build_l1_initramfs() {
    local rom module
    peers_stage_busybox "$root" || return 1
    install -m 755 "$here/kvm-l1-init" "$root/init" || return 1
    mkdir -p "$root/lib/modules" "$root/l2" "$root/usr/share/qemu" || return 1
    for module in $(cat "$modules/kvm/load-order"); do
        cp "$modules/kvm/$module.ko" "$root/lib/modules/" || return 1
    done
    cp "$modules/kvm/load-order" "$root/lib/modules/" || return 1
    peers_stage_elf "$root" "$host_qemu" usr/bin/qemu-system-x86_64 || return 1
    for rom in "${roms[@]}"; do
        cp -L "$rom" "$root/usr/share/qemu/" || return 1
    done
    cp "$kernel" "$root/l2/vmlinuz" && cp "$initramfs" "$root/l2/initrd.cpio" || return 1
    echo "console=ttyS0 $(compare_guest_cmdline)" >"$root/l2/cmdline"
    echo "$COMPARE_GUEST_MIB" >"$root/l2/memory-mib"
    echo "npt=$npt" >"$root/l2/kvm-amd-options"
    {
        echo "kernel+kvm-modules $(cat "$modules/versions")"
        echo "inner-vmm $(host_package_version "$host_qemu")"
        echo "bios $(host_package_version /usr/share/seabios/bios-256k.bin)"
    } >"$root/versions"
    peers_write_cpio "$root" "$work/l1.cpio"
}

build_l1_initramfs || compare_not_run "the L1 initramfs could not be built"

# L1's command line.  In --mode tcg L1's TSC is the host's (TCG reads it with
# RDTSC), and on a loaded host L1's own PIT calibration was seen to be wrong
# a hundredfold ("PIT calibration deviates from HPET: 22352 2594400"), and
# its clocksource watchdog to mark the TSC unstable; L2's kvm-clock takes
# L1's TSC rate, so L2's clock would be wrong too.  So L1 gets the host's TSC
# rate, measured (host_tsc_khz.c), and tsc=reliable.  Under icount the TSC
# counts instructions and calibration is exact: nothing is added.
l1_cmdline="console=ttyS0 $(compare_guest_cmdline)"
if [ "$mode" = tcg ]; then
    gcc -std=c11 -Wall -Wextra -Werror -O2 "$here/host_tsc_khz.c" -o "$work/host-tsc-khz" ||
        compare_not_run "cannot build host_tsc_khz.c with the host's gcc"
    tsc_khz=$("$work/host-tsc-khz") || compare_not_run "cannot measure the host's TSC rate"
    l1_cmdline="$l1_cmdline tsc_early_khz=$tsc_khz tsc=reliable"
fi
{
    echo "compare-peer: configuration kvm-$([ "$npt" = 1 ] && echo npt || echo shadow) mode $mode"
    echo "compare-peer: outer-vmm $(host_package_version "$host_qemu") -accel tcg -cpu max $(compare_icount_options)"
    sed 's/^/compare-peer: version /' "$root/versions"
    echo "compare-peer: L1 command line: $l1_cmdline"
    echo "compare-peer: L2 command line: $(cat "$root/l2/cmdline")"
} >>"$log"

# shellcheck disable=SC2046 # compare_icount_options prints separate words
timeout --kill-after=10 "$timeout_seconds" "$host_qemu" -accel tcg,thread=single -cpu max -M pc \
    -m "$l1_memory_mib" -smp 1 -nodefaults -no-user-config -display none -no-reboot \
    $(compare_icount_options) \
    -chardev "file,id=console,path=$log,append=on" -serial chardev:console \
    -kernel "$kernel" -initrd "$work/l1.cpio" \
    -append "$l1_cmdline" </dev/null >>"$work/qemu.out" 2>&1
status=$?
[ -s "$work/qemu.out" ] && sed 's/^/compare-peer: outer qemu: /' "$work/qemu.out" >>"$log"
compare_finish "$status"
