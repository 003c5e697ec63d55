#!/usr/bin/env bash
# make compare's configuration "pvmon-patched": pvmon's own build of Linux 6.1
# with its patch series (make linux: build/linux/vmlinux, pv-guest/linux/), its
# extensions on (pre-zeroed pages, batched page-table clears), as a PV domU of
# pvmon (configs/pvmon.sh).  A DIFFERENT KERNEL from --kernel (its own, much
# smaller configuration: no modules, no SMP, no ACPI), which it ignores; the
# harness reports it in its own columns.  The contract: tools/compare/README.md.
source "$(dirname "$(realpath "$0")")/common.sh"
source "$(dirname "$(realpath "$0")")/pvmon.sh"
compare_parse_arguments "$@"
pvmon_boot "$COMPARE_BUILD/linux/vmlinux" ""
