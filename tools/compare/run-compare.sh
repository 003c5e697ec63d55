#!/usr/bin/env bash
# make compare (issue 16): the same stock kernel and workload (lmb, in the
# workload initramfs) under every configuration of tools/compare/configs,
# one boot at a time, and the table and plots of what they measured.
# tools/compare/README.md is the contract a configuration keeps.
#
# Modes, in this order:
#   icount   -icount shift=0,sleep=off: one boot per configuration (deterministic:
#            guest time counts the instructions of the whole machine)
#   tcg      plain TCG, wall-clock: COMPARE_REPEATS boots per configuration,
#            interleaved (all configurations once, then again), the median shown
# QUICK=1: icount only, one boot each, the workload's quick sizes (lmb.size=quick).
#
# Configurations: every executable tools/compare/configs/*.sh (a file there
# that is not executable is a library), in the order of $preferred_order, then
# the others by name; COMPARE_ONLY=REGEX keeps those whose name matches.  One
# that exits 3 ("not run: REASON") is not booted again; its reason is a row of
# the table.
#
# Writes in $BUILD/compare/: results.md (the tables, the caveats, the
# counters), results.tsv (config, mode, boot, test, us_per_op), boots.tsv
# (each boot's status), logs/NAME-MODE-BOOT.log (each boot's serial log) and,
# with gnuplot, one plot per test family and mode (plot-MODE-FAMILY.svg).
# Environment: BUILD (default build), QUICK, COMPARE_REPEATS (default 3),
# COMPARE_ONLY, COMPARE_TESTS (NAME,...: only those of lmb's tests, on the guests'
# command line as lmb.tests=; the other rows stay empty), COMPARE_TIMEOUT (seconds per boot; default 1800, QUICK 900:
# generous, for a loaded host; a boot that hangs is killed then);
# for the smoke test (tests/compare): COMPARE_OUTPUT (instead of $BUILD/compare,
# where the inputs stay) and COMPARE_CONFIGS (instead of tools/compare/configs);
# COMPARE_MODES="icount tcg" (the default) or either alone, without QUICK;
# COMPARE_REPORT_ONLY=1 boots nothing and writes the table and plots again from
# the boots.tsv and logs of the last run (with the same QUICK and COMPARE_ONLY).
# Exit status: 0 when every configuration ran or was "not run", 1 when an
# input is missing, 2 when a boot failed (the table still shows the rest).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# The awk function value_of (make bench's); what else it sets, this script sets again below.
source tools/bench/bench-lib.sh || exit 1

build=${BUILD:-build}
quick=${QUICK:-}
[ "$quick" = 0 ] && quick=""
repeats=${COMPARE_REPEATS:-3}
only=${COMPARE_ONLY:-}
output=${COMPARE_OUTPUT:-$build/compare}
logs=$output/logs
kernel=$build/compare/kernel/debian-vmlinuz
initramfs=$build/compare/workload.cpio
config_dir=${COMPARE_CONFIGS:-tools/compare/configs}
report_only=${COMPARE_REPORT_ONLY:-}
[ "$report_only" = 0 ] && report_only=""
preferred_order=(native native-pvh pvmon-pv pvmon-patched pvmon-patched-off xen-pv xen-pvh xen-hvm kvm-npt kvm-shadow)
# Configurations that boot another kernel than --kernel (their own columns).
other_kernel_configs=" pvmon-patched pvmon-patched-off "
tests=(null_syscall open_close fork_exit fork_exec ctxsw_pipe pagefault mmap_4M bcopy_64M macro_tar_gzip macro_shell)
families=("syscalls:null_syscall open_close" "processes:fork_exit fork_exec ctxsw_pipe"
          "memory:pagefault mmap_4M bcopy_64M" "macro:macro_tar_gzip macro_shell")
if [ -n "$quick" ]; then
    modes=(icount)
    repeats=1
    timeout_seconds=${COMPARE_TIMEOUT:-900}
    size_option=(--quick)
else
    read -r -a modes <<<"${COMPARE_MODES:-icount tcg}"
    timeout_seconds=${COMPARE_TIMEOUT:-1800}
    size_option=()
fi

for mode in "${modes[@]}"; do
    case $mode in
    icount | tcg) ;;
    *) echo "run-compare: COMPARE_MODES: '$mode' is neither icount nor tcg" >&2; exit 1 ;;
    esac
done
for input in "$kernel" "$initramfs"; do
    if [ ! -f "$input" ]; then
        echo "run-compare: $input is missing; run 'make BUILD=$build compare'" >&2
        exit 1
    fi
done

# The configurations, in order.
configs=()
for name in "${preferred_order[@]}"; do
    [ -x "$config_dir/$name.sh" ] && configs+=("$name")
done
for path in "$config_dir"/*.sh; do
    name=$(basename "$path" .sh)
    [ -x "$path" ] || continue
    [[ " ${configs[*]} " == *" $name "* ]] || configs+=("$name")
done
if [ -n "$only" ]; then
    kept=()
    for name in "${configs[@]}"; do
        [[ $name =~ $only ]] && kept+=("$name")
    done
    configs=("${kept[@]}")
fi
if [ ${#configs[@]} -eq 0 ]; then
    echo "run-compare: no configuration to run (COMPARE_ONLY='$only')" >&2
    exit 1
fi

mkdir -p "$logs"
boots=$output/boots.tsv
results=$output/results.tsv
if [ -z "$report_only" ]; then
    rm -f "$logs"/*.log "$output"/plot-*.svg
    printf 'config\tmode\tboot\tstatus\tseconds\tnote\n' >"$boots"
elif [ ! -f "$boots" ]; then
    echo "run-compare: COMPARE_REPORT_ONLY: no $boots to report on" >&2
    exit 1
fi
declare -A not_run
failed_boots=()

# boot CONFIG MODE BOOT: one boot; its results appended to results.tsv.
boot() {
    local config=$1 mode=$2 number=$3 log=$logs/$1-$2-$3.log started status out note
    if [ -n "${not_run[$config]:-}" ]; then
        return
    fi
    echo "run-compare: $config, $mode, boot $number (timeout $timeout_seconds s)" >&2
    started=$(date +%s)
    out=$(BUILD=$build "$config_dir/$config.sh" --mode "$mode" --kernel "$kernel" \
        --initramfs "$initramfs" --log "$log" --timeout "$timeout_seconds" "${size_option[@]}" 2>&1)
    status=$?
    note=""
    case $status in
    0) ;;
    3)
        note=$(echo "$out" | sed -n 's/^not run: //p' | head -n 1)
        note=${note:-the configuration gave no reason}
        not_run[$config]=$note
        echo "run-compare: $config: not run: $note" >&2
        ;;
    *)
        note="failed with status $status"
        failed_boots+=("$config $mode boot $number (status $status)")
        echo "run-compare: $config $mode boot $number FAILED (status $status):" >&2
        echo "$out" | tail -n 25 | sed 's/^/    /' >&2
        ;;
    esac
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$config" "$mode" "$number" "$status" "$(($(date +%s) - started))" \
        "$note" >>"$boots"
}

# parse CONFIG MODE BOOT: the boot's figures, appended to results.tsv.
parse() {
    local config=$1 mode=$2 number=$3 log=$logs/$1-$2-$3.log
    sed 's/\r$//' "$log" | awk -v config="$config" -v mode="$mode" -v boot="$number" "$awk_value_of"'
        /lmb: result / { printf "%s\t%s\t%s\t%s\t%s\n", config, mode, boot, value_of("test"), value_of("us_per_op") }
    ' >>"$results"
}

if [ -z "$report_only" ]; then
    for mode in "${modes[@]}"; do
        count=1
        [ "$mode" = tcg ] && count=$repeats
        for number in $(seq 1 "$count"); do
            for config in "${configs[@]}"; do
                boot "$config" "$mode" "$number"
            done
        done
    done
else
    while IFS=$'\t' read -r config mode number status _ note; do
        [ "$status" = 3 ] && not_run[$config]=$note
        [ "$status" = 0 ] || [ "$status" = 3 ] || failed_boots+=("$config $mode boot $number (status $status)")
    done < <(tail -n +2 "$boots")
fi
printf 'config\tmode\tboot\ttest\tus_per_op\n' >"$results"
while IFS=$'\t' read -r config mode number status _; do
    [ "$status" = 0 ] && parse "$config" "$mode" "$number"
done < <(tail -n +2 "$boots")

# --- the tables ----------------------------------------------------------------

# median CONFIG MODE TEST: the median of its boots' values, or nothing.
median() {
    awk -F'\t' -v config="$1" -v mode="$2" -v test="$3" \
        '$1 == config && $2 == mode && $4 == test { print $5 }' "$results" | sort -g |
        awk '{ value[NR] = $1 } END {
            if (NR == 0) exit
            if (NR % 2) print value[(NR + 1) / 2]; else print (value[NR / 2] + value[NR / 2 + 1]) / 2 }'
}

# boots_with_results CONFIG MODE: how many boots gave figures.
boots_with_results() {
    awk -F'\t' -v config="$1" -v mode="$2" '$1 == config && $2 == mode && !seen[$3]++ { count++ }
        END { print count + 0 }' "$results"
}

# format VALUE: three significant figures, or four below 1.
format() {
    awk -v value="$1" 'BEGIN {
        if (value >= 100) printf "%.0f", value; else if (value >= 10) printf "%.1f", value;
        else if (value >= 1) printf "%.2f", value; else printf "%.3f", value }'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b }'
}

config_label() {
    if [[ $other_kernel_configs == *" $1 "* ]]; then
        echo "$1 (patched kernel)"
    else
        echo "$1"
    fi
}

# True if COMPARE_TESTS (NAME,...) is empty or names TEST.
is_selected_test() {
    [ -z "${COMPARE_TESTS:-}" ] || [[ ",$COMPARE_TESTS," == *",$1,"* ]]
}

# Prints the table of one mode: a row per configuration, a column per test.
print_mode_table() {
    local mode=$1 config test value baseline cell row failed_note
    printf '| configuration | boots |'
    for test in "${tests[@]}"; do printf ' %s |' "$test"; done
    printf '\n|---|---|'
    for test in "${tests[@]}"; do printf -- '---|'; done
    printf '\n'
    for config in "${configs[@]}"; do
        if [ -n "${not_run[$config]:-}" ]; then
            printf '| %s | - | not run: %s |' "$(config_label "$config")" "${not_run[$config]}"
            for test in "${tests[@]:1}"; do printf ' |'; done
            printf '\n'
            continue
        fi
        row="| $(config_label "$config") | $(boots_with_results "$config" "$mode") |"
        for test in "${tests[@]}"; do
            value=$(median "$config" "$mode" "$test")
            baseline=$(median native "$mode" "$test")
            if [ -z "$value" ] && ! is_selected_test "$test"; then
                cell="-"
            elif [ -z "$value" ]; then
                cell="failed"
            elif [ "$config" = native ] || [ -z "$baseline" ]; then
                cell=$(format "$value")
            else
                cell="$(format "$value") (×$(ratio "$value" "$baseline"))"
            fi
            row+=" $cell |"
        done
        echo "$row"
    done
    failed_note=$(awk -F'\t' -v mode="$mode" '$2 == mode && $4 != 0 && $4 != 3 {
        printf "%s%s boot %s: %s", (n++ ? "; " : ""), $1, $3, $6 }' "$boots")
    if [ -n "$failed_note" ]; then
        echo
        echo "Boots that failed (their figures are missing; logs in $logs): $failed_note."
    fi
}

# Prints each configuration's "lmb: info cpu" line (its icount boot): the CPU
# features its kernel and user space saw (xsave, avx, ...).
print_cpu_lines() {
    local config line
    for config in "${configs[@]}"; do
        line=$(grep -a -m 1 'lmb: info cpu ' "$logs/$config-icount-1.log" 2>/dev/null |
            sed 's/\r$//; s/.*lmb: info cpu //')
        [ -n "$line" ] && echo "- $(config_label "$config"): $line"
    done
    return 0
}

# Prints the per-operation counters from the icount logs: one table per configuration and source.
print_counters() {
    local config log lines source keys
    for config in "${configs[@]}"; do
        log=$logs/$config-icount-1.log
        [ -f "$log" ] || continue
        lines=$(sed 's/\r$//' "$log" | grep -a 'lmb: counters ' | sed 's/.*lmb: counters //')
        [ -n "$lines" ] || continue
        for source in $(echo "$lines" | sed -n 's/.*source=\([^ ]*\).*/\1/p' | sort -u); do
            keys=$(echo "$lines" | grep " source=$source " | head -n 1 |
                tr ' ' '\n' | grep -F '=' | grep -v '^test=\|^source=' | cut -d= -f1)
            echo
            echo "**$(config_label "$config")**, source \`$source\` (per operation, icount boot):"
            echo
            printf '| test |'
            for key in $keys; do printf ' %s |' "$key"; done
            printf '\n|---|'
            for key in $keys; do printf -- '---|'; done
            printf '\n'
            echo "$lines" | grep " source=$source " | while read -r line; do
                printf '| %s |' "$(echo "$line" | sed -n 's/^test=\([^ ]*\).*/\1/p')"
                for key in $keys; do
                    printf ' %s |' "$(echo " $line " | sed -n "s/.* $key=\([^ ]*\) .*/\1/p")"
                done
                printf '\n'
            done
        done
    done
    print_pvmon_machine_counters
}

# pvmon's toolstack prints the machine-wide counters over its scenario (on
# several lines, joined here): the
# whole boot of the domU, not per operation, but they cover the kernels that
# have no privcmd (the patched kernel).
print_pvmon_machine_counters() {
    local config line
    for config in "${configs[@]}"; do
        line=$(grep -a 'toolstack: compare: hypervisor counters: ' "$logs/$config-icount-1.log" 2>/dev/null |
            sed 's/\r$//; s/.*hypervisor counters: //' | paste -sd ' ')
        [ -n "$line" ] || continue
        echo
        echo "**$(config_label "$config")**, pvmon's machine-wide counters over the domU's whole life (boot,"
        echo "workload, poweroff; dom0's share included): $line"
    done
}

# Configurations whose guest reads the machine's own TSC (no offset by a
# hypervisor): their stamp at /init is the guest time since QEMU started.
# KVM's guests and Xen's HVM/PVH guests get a TSC offset from their hypervisor.
machine_tsc_configs=" native native-pvh pvmon-pv pvmon-patched pvmon-patched-off xen-pv "

# boot_figures CONFIG: "STAMP_S KERNEL_S CREATED_S" from the icount log, each
# "-" if missing: the TSC of lmb's stamp at /init in seconds (1 GHz under
# icount: QEMU's TSC is its virtual clock in ns); the guest kernel's own clock
# at its last "Run /init as init process" (the workload's kernel boots last in
# a nested log); and, on pvmon, the TSC in seconds at which pvmon created the
# first domain after dom0 (its log's system time of "domain N created" plus
# the TSC of system time 0, which pvmon prints).
boot_figures() {
    sed 's/\r$//' "$logs/$1-icount-1.log" 2>/dev/null | awk '
        function seconds_in(text) { sub(/^[^[]*\[ */, "", text); sub(/\].*/, "", text); return text + 0 }
        /lmb: stamp tsc=/ { value = $0; sub(/.*lmb: stamp tsc=/, "", value); stamp = sprintf("%.3f", value / 1e9) }
        /Run \/init as init process/ {
            text = $0; sub(/\] Run \/init as init process.*/, "", text); sub(/.*\[ */, "", text)
            kernel = sprintf("%.3f", text + 0) }
        /system time 0 is TSC / { value = $0; sub(/.*system time 0 is TSC /, "", value); boot_tsc = value + 0 }
        /^\(pvmon\) \[ *[0-9.]+\] domain [1-9][0-9]* created/ && created == "" {
            created = sprintf("%.3f", seconds_in($0) + boot_tsc / 1e9) }
        END { printf "%s %s %s\n", stamp == "" ? "-" : stamp, kernel == "" ? "-" : kernel, created == "" ? "-" : created }'
}

# The boot to init, from the icount boots: one row per configuration.
print_boot_to_init() {
    local config stamp kernel created native_stamp native_pvh_stamp from_qemu from_domain
    read -r native_stamp _ _ < <(boot_figures native)
    read -r native_pvh_stamp _ _ < <(boot_figures native-pvh)
    echo "| configuration | QEMU start → /init (s) | ×native | ×native-pvh | guest kernel's clock at \"Run /init\" (s) | domain created → /init (s) |"
    echo "|---|---|---|---|---|---|"
    for config in "${configs[@]}"; do
        [ -f "$logs/$config-icount-1.log" ] && [ -z "${not_run[$config]:-}" ] || continue
        read -r stamp kernel created < <(boot_figures "$config")
        from_qemu=$stamp from_domain="-"
        if [[ $machine_tsc_configs != *" $config "* ]]; then
            from_qemu="- (TSC offset by its hypervisor)"
        elif [ "$stamp" != - ] && [ "$created" != - ]; then
            from_domain=$(awk -v a="$stamp" -v b="$created" 'BEGIN { printf "%.3f", a - b }')
        fi
        local to_native="" to_native_pvh=""
        if [[ $from_qemu =~ ^[0-9.]+$ ]]; then
            [ "$native_stamp" != - ] && to_native=$(ratio "$stamp" "$native_stamp")
            [ "$native_pvh_stamp" != - ] && to_native_pvh=$(ratio "$stamp" "$native_pvh_stamp")
        fi
        echo "| $(config_label "$config") | $from_qemu | ${to_native:--} | ${to_native_pvh:--} | $kernel | $from_domain |"
    done
}

qemu_version=$(qemu-system-x86_64 --version 2>/dev/null | head -n 1)
{
    echo "# make compare: PV against full virtualization"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $qemu_version; host: $(nproc) CPUs, $(uname -r);"
    echo "kernel: $(basename "$(readlink -f "$kernel")") ($(sed -n 's/.*lmb: info kernel=\([^ ]*\).*/\1/p' \
        "$logs"/native-icount-1.log 2>/dev/null | head -n 1)), Debian's stock 6.1 everywhere except the"
    echo "patched-kernel rows; workload: lmb ($([ -n "$quick" ] && echo "quick sizes, QUICK=1" || echo "full sizes"))."
    echo "Every guest: 1 vCPU, 512 MiB, \`clearcpuid=smap\`; \`noxsave\` only for the SVM-nested ones (kvm-*,"
    echo "xen-pvh, xen-hvm: QEMU 7.2's SVM does not intercept XSETBV); README.md of tools/compare."
    echo "What each guest's kernel used (lmb's \`info cpu\` line, icount boot):"
    print_cpu_lines
    echo
    echo "Cells: µs per operation (pagefault: per page; bcopy_64M: per 64 MiB copy; macro_*: per run),"
    echo "in brackets the ratio to native in the same mode. Lower is better."
    for mode in "${modes[@]}"; do
        echo
        if [ "$mode" = icount ]; then
            echo "## icount (\`-icount shift=0,sleep=off\`): 1 µs = 1000 instructions of the whole machine"
        else
            echo "## tcg (plain TCG, wall clock): median of $repeats boots, configurations interleaved"
        fi
        echo
        print_mode_table "$mode"
    done
    echo
    echo "## Boot to init (icount boot)"
    echo
    echo "The guest time at which the workload's \`/init\` runs (\`lmb --stamp\`, its first command: the TSC,"
    echo "which under icount is QEMU's virtual clock: 1 s is 10⁹ instructions of the whole machine since QEMU"
    echo "started, or idle time, which sleep=off lets pass at once; firmware, hypervisor, dom0, domain build"
    echo "and the guest kernel all count). \`native\` boots through"
    echo "SeaBIOS and its Linux boot ROM on \`-M pc\`; \`native-pvh\` enters the same kernel as pvmon is entered,"
    echo "by PVH on \`-M microvm\`, no firmware. The guest kernel's clock starts with that kernel. On pvmon,"
    echo "\"domain created → /init\" starts when pvmon creates the domU (before its memory is built)."
    echo
    print_boot_to_init
    echo
    cat <<'EOF'
## How to read it (caveats)

- **icount counts work, not time.** Every instruction costs 1 ns, the same for a
  `mov` as for a VMRUN, a #VMEXIT, a SYSCALL into the hypervisor or a CR3 write.
  So the icount table shows how many instructions a hypervisor adds (its exit
  handlers, its page-table validation, its shadow page tables). It does **not**
  show what those transitions cost in hardware. A VM exit round trip costs about
  1.3 k cycles on a recent AMD CPU, and a PV hypercall costs a few hundred.
  It also does not show TLB and cache effects: the 2-D page walk of nested
  paging, or the TLB refills after a CR3 switch. KVM with NPT (and Xen
  PVH/HVM, HAP) therefore come out at about native here. That is correct for
  "extra work", but NPT is not free in time. To model time, multiply the
  counters below by a per-event cost and add them.
- **TCG wall time exaggerates CR3 switches and exits.** QEMU 7.2's TCG has no
  PCID and no ASIDs. Every CR3 load flushes its whole soft TLB (and every
  VMRUN/#VMEXIT reloads CR3), and each later miss costs hundreds of host
  instructions. A 64-bit PV guest switches CR3 on every system call (user and
  kernel have separate page tables), and shadow paging exits on every guest
  page fault, CR3 write and INVLPG. So plain-TCG ratios for PV and shadow
  paging are far larger than on hardware. Compare configurations only within
  one run, and read this table as "does it run, and how long does it take
  here". The icount table is the measure of work.
- **Nested configurations** (KVM inside an L1 Linux on TCG `-cpu max`) count the
  L1 kernel and the L1 QEMU's instructions too. TCG's SVM lacks NRIPS and
  DecodeAssists, so L1 KVM decodes instructions on CR3/INVLPG/MSR exits.
  This inflates the shadow-paging figures somewhat against real hardware.
- **The patched-kernel rows** run pvmon's own Linux build (a different, much
  smaller configuration). Compare them with each other and with pvmon-pv,
  not directly with native.
- A configuration that cannot run here is shown as `not run` with its reason,
  never as a number.
EOF
    echo
    echo "## Counters per operation (icount boot)"
    counters=$(print_counters)
    if [ -n "$counters" ]; then
        echo "$counters"
        echo
        echo "pvmon: the domU's own counters (PVMON_MEMORY_domain_statistics, read by lmb through"
        echo "/dev/xen/privcmd around each timed loop), divided by its iterations."
    else
        echo
        echo "None: no configuration's icount log holds \`lmb: counters\` lines."
    fi
    echo
    echo "Logs: \`$logs/CONFIG-MODE-BOOT.log\`; each boot's status and duration: \`$boots\`."
} >"$output/results.md"

# --- the plots -------------------------------------------------------------------

# plot MODE FAMILY TESTS: a clustered bar chart of the ratio to native, a cluster per test,
# a bar per configuration that has figures in MODE.
plot() {
    local mode=$1 family=$2 family_tests=$3 data=$output/.plot-$1-$2.dat config test value baseline columns=0
    local plotted=()
    for config in "${configs[@]}"; do
        [ "$(boots_with_results "$config" "$mode")" -gt 0 ] && plotted+=("$config")
    done
    {
        printf 'test'
        for config in "${plotted[@]}"; do
            printf '\t"%s"' "$config"
        done
        printf '\n'
        for test in $family_tests; do
            printf '%s' "$test"
            baseline=$(median native "$mode" "$test")
            for config in "${plotted[@]}"; do
                value=$(median "$config" "$mode" "$test")
                if [ -n "$value" ] && [ -n "$baseline" ]; then
                    printf '\t%s' "$(ratio "$value" "$baseline")"
                else
                    printf '\t-'
                fi
            done
            printf '\n'
        done
    } >"$data"
    columns=$(head -n 1 "$data" | awk -F'\t' '{ print NF - 1 }')
    gnuplot <<EOF
set terminal svg size 900,480 dynamic noenhanced font "sans,12"
set output "$output/plot-$mode-$family.svg"
set title "$family ($mode): time per operation, ratio to native (lower is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set datafile missing "-"
set datafile separator "\t"
set key outside right top
set ylabel "ratio to native"
set yrange [0:*]
set grid ytics
plot for [column=2:$((columns + 1))] "$data" using column:xtic(1) title columnheader(column)
EOF
    rm -f "$data"
}

plots_note=""
if ! command -v gnuplot >/dev/null; then
    plots_note="no plots: gnuplot is missing (Debian's gnuplot-nox; make deps installs it)"
else
    for mode in "${modes[@]}"; do
        for entry in "${families[@]}"; do
            plot "$mode" "${entry%%:*}" "${entry#*:}" || plots_note="gnuplot failed on $mode ${entry%%:*}"
        done
    done
fi
[ -n "$plots_note" ] && echo "$plots_note" >>"$output/results.md"

cat "$output/results.md"
echo
echo "run-compare: wrote $output/results.md, $results, $boots$(ls "$output"/plot-*.svg >/dev/null 2>&1 &&
    echo ", $(ls "$output"/plot-*.svg | tr '\n' ' ')")"
[ ${#failed_boots[@]} -eq 0 ] || exit 2
