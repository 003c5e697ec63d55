#!/usr/bin/env bash
# The xen-pv, xen-pvh and xen-hvm configurations of 'make compare' (issue
# 16): Debian's Xen 4.17 on QEMU TCG -cpu max (AMD SVM with nested paging:
# Xen reports HAP), dom0 the stock kernel with Debian's toolstack in its
# initramfs (tools/compare/peers/xen-dom0-init), which starts one domU of
# the given type with the stock kernel and the workload initramfs and shows
# its console, so that the workload's lines reach the serial log.
#
#   run-xen.sh --type pv|pvh|hvm CONTRACT-ARGUMENTS     (tools/compare/README.md)
#
# QEMU boots Xen with multiboot (-kernel: xen-4.17-amd64.gz decompressed,
# a 32-bit ELF), dom0's kernel and initramfs as its two modules.  The domU
# gets COMPARE_GUEST_MIB MiB, 1 vCPU, the guest command line every
# configuration gets, and tsc_mode="native": QEMU 7.2's SVM raises the RDTSC
# intercept for RDTSCP, which Xen's emulated TSC then fails to emulate
# ("SVM Insn len emulation failed"); with the TSC native nothing intercepts
# it.  A PV or PVH domU needs no device model; an HVM domU needs Debian's
# qemu-system-xen (xen-qemu-system-i386), hvmloader (xen-utils-4.17) and
# SeaBIOS (seabios), and boots the kernel through QEMU's linuxboot ROM
# (qemu-system-data, from the host, as is the en-us keymap the device model
# reads even with "-vnc none"), its console on the emulated UART.
# Debian builds Xen without shadow paging (CONFIG_SHADOW_PAGING unset), so
# there is no xen-hvm-shadow.  Xen runs with smap=0: with SMAP on under TCG,
# Xen's first exception bounce onto a PV dom0's kernel stack faults and dom0
# crashes at once; smap=0 also hides SMAP from the domUs, which every guest's
# clearcpuid=smap does anyway.  The log starts with the versions of what runs.
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../configs/common.sh"
source "$here/initramfs.sh"

[ "${1:-}" = --type ] && [[ ${2:-} =~ ^(pv|pvh|hvm)$ ]] || compare_usage
domain_type=$2
shift 2
compare_parse_arguments "$@"

machine_memory_mib=2048
dom0_memory_mib=512
host_qemu=/usr/bin/qemu-system-x86_64
xen_bin=usr/lib/xen-4.17/bin
xen_programs=(xenstored xen-init-dom0 xenconsoled xenconsole xl)
xen_command_line="console=com1 com1=115200,8n1 dom0_mem=${dom0_memory_mib}M,max:${dom0_memory_mib}M dom0_max_vcpus=1 smap=0 loglvl=all guest_loglvl=all"
linuxboot_roms=(/usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/linuxboot.bin)
keymap=/usr/share/qemu/keymaps/en-us

[ -x "$host_qemu" ] || compare_not_run "no $host_qemu on the host (Debian's qemu-system-x86)"
xen=$("$here/fetch-packages.sh" xen) || compare_not_run "Debian's Xen 4.17 packages could not be fetched"
modules=$("$here/fetch-packages.sh" modules "$kernel")
case $? in
0) ;;
2) exit 1 ;;
*) compare_not_run "the kernel's xen modules could not be fetched" ;;
esac
qemu_xen=""
if [ "$domain_type" = hvm ]; then
    qemu_xen=$("$here/fetch-packages.sh" qemu-xen) || compare_not_run "Debian's qemu-system-xen could not be fetched"
    [ -f "$xen/root/usr/lib/xen-4.17/boot/hvmloader" ] || compare_not_run "xen-utils-4.17 has no hvmloader"
    [ -f "$qemu_xen/root/usr/share/seabios/bios-256k.bin" ] || compare_not_run "seabios has no bios-256k.bin"
    for rom in "${linuxboot_roms[@]}" "$keymap"; do
        [ -f "$rom" ] || compare_not_run "no $rom on the host (qemu-system-data), for the HVM domU's device model"
    done
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/compare-xen.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
root=$work/root
libraries=("$xen/root/usr/lib/x86_64-linux-gnu" "$xen/root/lib/x86_64-linux-gnu")

host_package_version() {
    local package
    package=$(dpkg-query -S "$1" 2>/dev/null | head -n 1 | cut -d: -f1)
    [ -n "$package" ] && echo "$package $(dpkg-query -W -f '${Version}' "$package")"
}

write_domu_config() {
    local console=hvc0 xsave=""
    [ "$domain_type" = hvm ] && console=ttyS0
    # A PV domU runs without SVM: Xen offers it XSAVE (common.sh).
    [ "$domain_type" = pv ] && xsave=xsave
    {
        echo "name = \"compare-$domain_type\""
        echo "type = \"$domain_type\""
        echo "kernel = \"/domu/vmlinuz\""
        echo "ramdisk = \"/domu/initrd.cpio\""
        echo "extra = \"console=$console $(compare_guest_cmdline "$xsave")\""
        echo "memory = $COMPARE_GUEST_MIB"
        echo "maxmem = $COMPARE_GUEST_MIB"
        echo "vcpus = $COMPARE_GUEST_VCPUS"
        echo "tsc_mode = \"native\""
        echo "on_poweroff = \"destroy\""
        echo "on_reboot = \"destroy\""
        echo "on_crash = \"destroy\""
        if [ "$domain_type" = hvm ]; then
            echo "vnc = 0"
            echo "sdl = 0"
            echo "vga = \"none\""
            echo "serial = \"pty\""
        fi
    } >"$root/etc/xen/domu.cfg"
}

build_dom0_initramfs() {
    local program module rom
    peers_stage_busybox "$root" || return 1
    install -m 755 "$here/xen-dom0-init" "$root/init" || return 1
    mkdir -p "$root/lib/modules" "$root/domu" "$root/etc/xen" || return 1
    for module in $(cat "$modules/xen-dom0/load-order"); do
        cp "$modules/xen-dom0/$module.ko" "$root/lib/modules/" || return 1
    done
    cp "$modules/xen-dom0/load-order" "$root/lib/modules/" || return 1
    for program in "${xen_programs[@]}"; do
        peers_stage_elf "$root" "$xen/root/$xen_bin/$program" "$xen_bin/$program" "${libraries[@]}" || return 1
    done
    peers_stage_elf "$root" "$xen/root/usr/bin/xenstore" usr/bin/xenstore "${libraries[@]}" || return 1
    ln -sf xenstore "$root/usr/bin/xenstore-read" || return 1
    peers_stage_library "$root" "$xen/root/lib/x86_64-linux-gnu/libgcc_s.so.1" || return 1
    if [ "$domain_type" = hvm ]; then
        peers_stage_elf "$root" "$qemu_xen/root/usr/libexec/xen-qemu-system-i386" \
            usr/libexec/xen-qemu-system-i386 "${libraries[@]}" || return 1
        mkdir -p "$root/usr/lib/xen-4.17/boot" "$root/usr/share/seabios" "$root/usr/share/qemu" || return 1
        cp "$xen/root/usr/lib/xen-4.17/boot/hvmloader" "$root/usr/lib/xen-4.17/boot/" || return 1
        cp "$qemu_xen/root/usr/share/seabios/bios-256k.bin" "$root/usr/share/seabios/" || return 1
        for rom in "${linuxboot_roms[@]}"; do
            cp -L "$rom" "$root/usr/share/qemu/" || return 1
        done
        # libxl gives the device model "-vnc none", which still reads a keymap.
        mkdir -p "$root/usr/share/qemu/keymaps" && cp -L "$keymap" "$root/usr/share/qemu/keymaps/" || return 1
    fi
    cp "$kernel" "$root/domu/vmlinuz" && cp "$initramfs" "$root/domu/initrd.cpio" || return 1
    write_domu_config
    cp "$xen/root/etc/xen/xl.conf" "$root/etc/xen/" || return 1
    {
        echo "kernel+xen-modules $(cat "$modules/versions")"
        cat "$xen/versions"
        [ -z "$qemu_xen" ] || cat "$qemu_xen/versions"
        [ "$domain_type" != hvm ] || host_package_version /usr/share/qemu/linuxboot_dma.bin
    } >"$root/versions"
    peers_write_cpio "$root" "$work/dom0.cpio"
}

build_dom0_initramfs || compare_not_run "dom0's initramfs could not be built"
gzip -dc "$xen/root/boot/xen-4.17-amd64.gz" >"$work/xen" || compare_not_run "cannot decompress Xen"
cp "$kernel" "$work/vmlinuz" || exit 1
{
    echo "compare-peer: configuration xen-$domain_type mode $mode"
    echo "compare-peer: outer-vmm $(host_package_version "$host_qemu") -accel tcg -cpu max $(compare_icount_options)"
    sed 's/^/compare-peer: version /' "$root/versions"
    echo "compare-peer: xen command line: $xen_command_line"
    echo "compare-peer: domU config: $(tr '\n' ' ' <"$root/etc/xen/domu.cfg")"
} >>"$log"

# shellcheck disable=SC2046 # compare_icount_options prints separate words
timeout --kill-after=10 "$timeout_seconds" "$host_qemu" -accel tcg,thread=single -cpu max -M pc \
    -m "$machine_memory_mib" -smp 1 -nodefaults -no-user-config -display none -no-reboot \
    $(compare_icount_options) \
    -chardev "file,id=console,path=$log,append=on" -serial chardev:console \
    -kernel "$work/xen" -append "$xen_command_line" \
    -initrd "$work/vmlinuz console=hvc0 $(compare_guest_cmdline),$work/dom0.cpio" \
    </dev/null >>"$work/qemu.out" 2>&1
status=$?
[ -s "$work/qemu.out" ] && sed 's/^/compare-peer: outer qemu: /' "$work/qemu.out" >>"$log"
compare_finish "$status"
