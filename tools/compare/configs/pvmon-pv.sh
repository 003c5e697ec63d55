#!/usr/bin/env bash
# make compare's configuration "pvmon-pv": the stock kernel, unmodified, as a
# PV domU of pvmon (configs/pvmon.sh), loaded as the ELF inside --kernel's
# bzImage.  The contract: tools/compare/README.md.
source "$(dirname "$(realpath "$0")")/common.sh"
source "$(dirname "$(realpath "$0")")/pvmon.sh"
compare_parse_arguments "$@"
pvmon_boot "$(pvmon_elf_of "$kernel")" ""
