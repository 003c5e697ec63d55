#!/usr/bin/env bash
# make compare's configuration "native-pvh": the kernel straight on QEMU, no
# hypervisor, as "native" but entered the way pvmon is: QEMU's PVH entry
# (the ELF's Xen PVH note) on -M microvm, no firmware.  The same kernel: the
# ELF inside --kernel's bzImage (pvmon_elf_of, as pvmon's configurations load
# it).  "native" on -M pc runs SeaBIOS and its Linux boot ROM first, which
# under icount is seconds of guest time before the kernel's first
# instruction; this row is the like-for-like baseline of the boot-to-init
# figure (the time from QEMU's start to the guest's /init), since pvmon
# itself boots by PVH on -M microvm.  Its command line is native's
# (compare_guest_cmdline xsave: what native keeps of XSAVE, this keeps too).
# The contract: tools/compare/README.md.
source "$(dirname "$(realpath "$0")")/common.sh"
source "$(dirname "$(realpath "$0")")/pvmon.sh"
compare_parse_arguments "$@"

command -v qemu-system-x86_64 >/dev/null || compare_not_run "qemu-system-x86_64 is missing (Debian's qemu-system-x86)"
elf=$(pvmon_elf_of "$kernel")

# shellcheck disable=SC2046 # the icount options are words
timeout --kill-after=10 "$timeout_seconds" qemu-system-x86_64 -accel tcg,thread=single -cpu max -M microvm \
    -m "$COMPARE_GUEST_MIB" -smp "$COMPARE_GUEST_VCPUS" -nodefaults -no-user-config -display none \
    -monitor none -no-reboot $(compare_icount_options) -serial "file:$log" \
    -kernel "$elf" -initrd "$initramfs" -append "console=ttyS0 $(compare_guest_cmdline xsave)" </dev/null
compare_finish $?
