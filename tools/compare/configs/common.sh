# Sourced by every configuration of 'make compare' (tools/compare/configs/NAME.sh,
# executable; a file here that is not executable, like this one, is a library):
# the contract's command line, the guest settings every configuration shares,
# and the way a configuration ends.  tools/compare/README.md is the contract.
#
#   compare_parse_arguments "$@"     sets mode, kernel, initramfs, log (absolute paths),
#                                    timeout_seconds, quick (0 or 1); exits 1 on a bad
#                                    command line
#   compare_guest_cmdline [xsave]    the kernel command line words every guest gets
#                                    (after its console=): CPU features and the workload's size;
#                                    with "xsave" the guest keeps XSAVE (no noxsave)
#   compare_not_run REASON           prints "not run: REASON" and exits 3
#   compare_finish STATUS            exits 0 if the log holds the workload's last line
#                                    ("lmb: done"), 2 for a timeout (STATUS 124 or 137 from
#                                    timeout(1)), 1 otherwise, saying why on stderr
#   compare_icount_options           QEMU's -icount options for $mode (none for tcg)
#
# Every guest: 1 vCPU, COMPARE_GUEST_MIB MiB, no SMAP (clearcpuid=smap: Xen's
# smap=0 hides it from its domUs; a PV kernel runs in ring 3, where SMAP means
# nothing).  XSAVE (and so AVX) is kept where the guest can have it: native,
# pvmon's PV domUs and Xen's PV domU, which run without SVM (compare_guest_cmdline
# xsave).  The SVM-nested guests (kvm-*, xen-pvh, xen-hvm) get noxsave: QEMU
# 7.2's SVM does not intercept XSETBV, so they would lose XSAVE behind their
# hypervisor's back.
set -u

COMPARE_GUEST_MIB=512
COMPARE_GUEST_VCPUS=1
COMPARE_ROOT=$(cd "$(dirname "$(realpath "${BASH_SOURCE[0]}")")/../../.." && pwd)
# The build directory (the harness exports BUILD), absolute.
COMPARE_BUILD=$(cd "$COMPARE_ROOT" && realpath -m "${BUILD:-build}")

compare_usage() {
    echo "usage: $(basename "$0") --mode icount|tcg --kernel VMLINUZ --initramfs WORKLOAD.cpio" \
        "--log FILE --timeout SECONDS [--quick]" >&2
    exit 1
}

compare_parse_arguments() {
    mode="" kernel="" initramfs="" log="" timeout_seconds="" quick=0
    while [ $# -gt 0 ]; do
        case $1 in
        --mode) mode=${2:-}; shift 2 || compare_usage ;;
        --kernel) kernel=${2:-}; shift 2 || compare_usage ;;
        --initramfs) initramfs=${2:-}; shift 2 || compare_usage ;;
        --log) log=${2:-}; shift 2 || compare_usage ;;
        --timeout) timeout_seconds=${2:-}; shift 2 || compare_usage ;;
        --quick) quick=1; shift ;;
        *) compare_usage ;;
        esac
    done
    case $mode in icount | tcg) ;; *) compare_usage ;; esac
    [ -n "$kernel" ] && [ -n "$initramfs" ] && [ -n "$log" ] || compare_usage
    [[ $timeout_seconds =~ ^[0-9]+$ ]] || compare_usage
    [ -f "$kernel" ] || { echo "$(basename "$0"): no kernel $kernel" >&2; exit 1; }
    [ -f "$initramfs" ] || { echo "$(basename "$0"): no initramfs $initramfs" >&2; exit 1; }
    kernel=$(realpath "$kernel") initramfs=$(realpath "$initramfs") log=$(realpath -m "$log")
    mkdir -p "$(dirname "$log")" || exit 1
    : >"$log" || exit 1
}

compare_guest_cmdline() {
    local words="noxsave clearcpuid=smap panic=-1 lmb.size=full"
    [ "${1:-}" = xsave ] && words=${words#noxsave }
    [ "$quick" = 1 ] && words=${words/lmb.size=full/lmb.size=quick}
    [ -n "${COMPARE_TESTS:-}" ] && words="$words lmb.tests=${COMPARE_TESTS//,/:}"
    echo "$words"
}

compare_icount_options() {
    [ "$mode" = icount ] && echo "-icount shift=0,sleep=off"
    return 0
}

compare_not_run() {
    echo "not run: $*"
    exit 3
}

compare_finish() {
    local status=$1
    sed -i 's/\r$//' "$log"
    if grep -q 'lmb: done' "$log"; then
        exit 0
    fi
    case $status in
    124 | 137)
        echo "$(basename "$0"): timed out after $timeout_seconds s; the log's tail:" >&2
        tail -n 15 "$log" >&2
        exit 2
        ;;
    esac
    echo "$(basename "$0"): the workload did not finish (status $status); the log's tail:" >&2
    tail -n 15 "$log" >&2
    exit 1
}
