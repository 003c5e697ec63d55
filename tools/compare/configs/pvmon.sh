# Sourced by make compare's pvmon configurations (pvmon-pv.sh, pvmon-patched.sh,
# pvmon-patched-off.sh), after common.sh and compare_parse_arguments:
#
#   pvmon_boot KERNEL-ELF EXTRA-WORDS
#
# boots pvmon (build/pvmon.elf, PVH on -M microvm, tools/run-qemu.sh) with
# dom0, our PV kernel, whose toolstack starts one scenario of one domU: the ELF
# KERNEL-ELF with COMPARE_GUEST_MIB MiB, its console on hvc0 (dom0's console
# backend, in pvmon's serial log with the prefix "(d1) "), the workload
# initramfs as its ramdisk, and the command line
# "console=hvc0 $(compare_guest_cmdline xsave) EXTRA-WORDS" (pvmon offers
# XSAVE and AVX to PV guests as Xen does).  dom0 gets 256 MiB,
# the machine 1536 MiB.  pvmon's toolstack also prints its machine-wide
# counters over the scenario ("toolstack: compare: hypervisor counters: ...");
# lmb prints the domain's own per test (README.md).  Then compare_finish.

pvmon_elf_of() {
    local vmlinuz=$1 cache key
    cache=$COMPARE_BUILD/compare/cache
    key=$(sha256sum "$vmlinuz" | cut -c 1-16)
    if [ ! -f "$cache/vmlinux-$key" ]; then
        mkdir -p "$cache" || exit 1
        BUILD=$COMPARE_BUILD "$COMPARE_ROOT/tools/vmlinuz-to-elf.sh" "$vmlinuz" "$cache/vmlinux-$key.partial" >&2 &&
            mv "$cache/vmlinux-$key.partial" "$cache/vmlinux-$key" || exit 1
    fi
    echo "$cache/vmlinux-$key"
}

pvmon_boot() {
    local elf=$1 extra=$2 work status icount=()
    local hypervisor=$COMPARE_BUILD/pvmon.elf pv_kernel=$COMPARE_BUILD/pv-kernel.elf
    for input in "$hypervisor" "$pv_kernel" "$elf"; do
        [ -f "$input" ] || { echo "$(basename "$0"): $input is missing: run 'make compare'" >&2; exit 1; }
    done
    work=$(mktemp -d)
    # shellcheck disable=SC2064 # expanded now, on purpose
    trap "rm -rf '$work'" EXIT
    cp "$elf" "$work/kernel.elf" && cp "$initramfs" "$work/workload.cpio" || exit 1
    {
        echo "scenario compare $timeout_seconds"
        echo "domain linux kernel.elf $COMPARE_GUEST_MIB 256 console=hvc0 $(compare_guest_cmdline xsave) $extra"
        echo "ramdisk workload.cpio"
    } >"$work/domains"
    "$COMPARE_ROOT/tools/make-dom0-ramdisk.sh" "$work/dom0-ramdisk.cpio" "$work/domains" \
        "$work/kernel.elf" "$work/workload.cpio" || exit 1
    cp "$pv_kernel" "$work/pv-kernel.elf" || exit 1
    (cd "$work" && printf '%s\n' pv-kernel.elf dom0-ramdisk.cpio | cpio -o -H newc --quiet) >"$work/boot.cpio" ||
        exit 1
    [ "$mode" = icount ] && icount=(--icount-exact)
    "$COMPARE_ROOT/tools/run-qemu.sh" --timeout "$timeout_seconds" --memory 1536 "${icount[@]}" --log "$log" \
        pvh "$hypervisor" "$work/boot.cpio" --append "idle_seconds=1 dom0_mem=256 --" </dev/null
    status=$?
    # run-qemu.sh: 2 is its timeout; 3 (a reset) is a failure here, not "not run".
    case $status in
    2) status=124 ;;
    3) status=1 ;;
    esac
    compare_finish "$status"
}
