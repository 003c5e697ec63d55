#!/usr/bin/env bash
# make compare's configuration "pvmon-patched-off": the kernel of
# pvmon-patched.sh (pvmon's patched Linux 6.1, a different kernel from
# --kernel, which it ignores) with its extensions switched off on its command
# line (pvmon.prezeroed=off pvmon.batch_clears=off
# pvmon.free_page_reporting=off), as a PV domU of pvmon.
# The contract: tools/compare/README.md.
source "$(dirname "$(realpath "$0")")/common.sh"
source "$(dirname "$(realpath "$0")")/pvmon.sh"
compare_parse_arguments "$@"
pvmon_boot "$COMPARE_BUILD/linux/vmlinux" "pvmon.prezeroed=off pvmon.batch_clears=off pvmon.free_page_reporting=off"
