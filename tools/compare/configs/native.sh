#!/usr/bin/env bash
# make compare's configuration "native": the kernel straight on QEMU, no
# hypervisor (the baseline every ratio divides by).  QEMU's PC machine (-M pc,
# SeaBIOS and its Linux boot ROM load the bzImage) with -cpu max, the kernel's
# console on the first serial port, written to the log.  The contract,
# arguments and exit status: tools/compare/README.md.
source "$(dirname "$(realpath "$0")")/common.sh"
compare_parse_arguments "$@"

command -v qemu-system-x86_64 >/dev/null || compare_not_run "qemu-system-x86_64 is missing (Debian's qemu-system-x86)"

# shellcheck disable=SC2046 # the icount options are words
timeout --kill-after=10 "$timeout_seconds" qemu-system-x86_64 -accel tcg,thread=single -cpu max -M pc \
    -m "$COMPARE_GUEST_MIB" -smp "$COMPARE_GUEST_VCPUS" -nodefaults -no-user-config -display none \
    -monitor none -no-reboot $(compare_icount_options) -serial "file:$log" \
    -kernel "$kernel" -initrd "$initramfs" -append "console=ttyS0 $(compare_guest_cmdline xsave)" </dev/null
compare_finish $?
