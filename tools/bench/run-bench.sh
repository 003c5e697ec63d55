#!/usr/bin/env bash
# make bench: pvmon's benchmarks, each figure next to a native baseline
# measured in the same invocation.  Benchmarks are never tests: nothing
# here judges a time, and a figure that cannot be produced is printed as
# "not measured" with the reason, never invented.
#
# It boots, each time with a hard timeout (tools/run-qemu.sh):
#   pv-tcg, pv-icount          pvmon with dom0 running the scenarios of
#                              pv-guest/config/bench.domains (the kernel's
#                              microbenchmarks, the user-process benchmarks)
#   native-tcg, native-icount  the native baseline kernel (tools/bench/native)
# on plain TCG (figures in wall-clock ns; BENCH_TCG_BOOTS boots each, whose
# runs are pooled, since a busy host disturbs wall-clock time) and once
# with -icount shift=0, where every virtual clock (the TSC, the PIT,
# pvmon's system time) advances exactly 1 ns per guest instruction: those
# "ns" are instructions executed by the whole machine, and deterministic.
#
# Each run prints "bench NAME OPERATIONS ELAPSED_NS" lines, several runs of
# each benchmark; the table gives, per operation, the median over those
# runs of ELAPSED_NS / OPERATIONS, and PV/native ratios taken within one
# mode (TCG with TCG, icount with icount).  The PV kernel's microbenchmarks
# also print "counter NAME.COUNTER VALUE" (pvmon's PVMON_MEMORY_domain_statistics,
# summed over the runs), shown per operation from the icount run.
#
# Writes, in $BUILD/bench/: results.txt (what is printed), results.tsv (one
# row per operation), runs.tsv (every bench line), and each boot's serial
# log (RUN-BOOT.log, e.g. pv-tcg-1.log).
#
# Run by 'make bench', or by hand (it then runs make for what it boots).
# Environment: BUILD (default build), BENCH_TIMEOUT (seconds per QEMU boot,
# default 900), BENCH_TCG_BOOTS (default 3).  Benchmarks run on TCG only
# (ACCEL is not used).
#
# Exit status: 0 when every QEMU boot ended cleanly (some rows may still be
# "not measured"); 1 when something to boot is missing or would not build,
# or an option is wrong; otherwise 20 + the sum of the runs with a boot
# that failed (timed out, panicked, reset, or QEMU failed): 1 pv-tcg,
# 2 pv-icount, 4 native-tcg, 8 native-icount.
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${BUILD:-build}
output_dir=$build/bench
timeout_seconds=${BENCH_TIMEOUT:-900}
tcg_boots=${BENCH_TCG_BOOTS:-3}
config=pv-guest/config/bench.domains
hypervisor_image=$build/pvmon.elf
pv_kernel=$build/pv-kernel.elf
native_kernel=$build/bench/native-bench.elf
programs_ramdisk=$build/programs.cpio # the user programs' ramdisk, once they exist
run_names=(pv-tcg pv-icount native-tcg native-icount)

if ! [[ $tcg_boots =~ ^[1-9][0-9]*$ ]]; then
    echo "run-bench: BENCH_TCG_BOOTS must be a positive number, not '$tcg_boots'" >&2
    exit 1
fi

# Run by hand rather than by 'make bench': build what it boots first.
if [ -z "${MAKELEVEL:-}" ]; then
    targets=("$hypervisor_image" "$pv_kernel" "$native_kernel")
    [ -d pv-guest/programs ] && targets+=("$programs_ramdisk")
    make --no-print-directory BUILD="$build" "${targets[@]}" ||
        { echo "run-bench: the build failed" >&2; exit 1; }
fi
for input in "$hypervisor_image" "$pv_kernel" "$native_kernel" "$config"; do
    if [ ! -f "$input" ]; then
        echo "run-bench: $input is missing; run 'make BUILD=$build bench'" >&2
        exit 1
    fi
done
mkdir -p "$output_dir"
rm -f "$output_dir"/*.log
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- the QEMU runs ----------------------------------------------------------

declare -A run_status run_seconds run_logs

describe_status() {
    case $1 in
    0) echo "ended cleanly" ;;
    1) echo "panicked" ;;
    2) echo "timed out after $timeout_seconds s" ;;
    3) echo "reset the machine (triple fault)" ;;
    *) echo "could not run QEMU (run-qemu status $1)" ;;
    esac
}

# boot RUN BOOT [run-qemu.sh options...]: the serial log goes to
# $output_dir/RUN-BOOT.log (listed in run_logs); run_status keeps the
# first failing boot's run-qemu status, 0 if none failed.
boot() {
    local name=$1 number=$2 started status
    shift 2
    local log=$output_dir/$name-$number.log
    echo "run-bench: booting $name, boot $number (hard timeout $timeout_seconds s)" >&2
    started=$(date +%s)
    set +e
    tools/run-qemu.sh --timeout "$timeout_seconds" --log "$log" "$@" 2>"$work/$name-$number.qemu"
    status=$?
    set -e
    touch "$log"
    sed -i 's/\r$//' "$log"
    if [ "${run_status[$name]:-0}" -eq 0 ]; then
        run_status[$name]=$status
    fi
    run_seconds[$name]=$((${run_seconds[$name]:-0} + $(date +%s) - started))
    run_logs[$name]="${run_logs[$name]:-} $log"
    echo "run-bench: $name, boot $number: $(describe_status "$status") in $(($(date +%s) - started)) s" >&2
}

ramdisk_files=("$pv_kernel")
[ -f "$programs_ramdisk" ] && ramdisk_files+=("$programs_ramdisk")
tools/make-dom0-ramdisk.sh "$work/dom0-ramdisk.cpio" "$config" "${ramdisk_files[@]}"
cp "$pv_kernel" "$work/pv-kernel.elf"
(cd "$work" && printf '%s\n' pv-kernel.elf dom0-ramdisk.cpio | cpio -o -H newc --quiet) >"$work/pv-boot.cpio"

for number in $(seq "$tcg_boots"); do
    boot pv-tcg "$number" pvh "$hypervisor_image" "$work/pv-boot.cpio" --append "idle_seconds=1"
    boot native-tcg "$number" pvh "$native_kernel"
done
boot pv-icount 1 --icount pvh "$hypervisor_image" "$work/pv-boot.cpio" --append "idle_seconds=1"
boot native-icount 1 --icount pvh "$native_kernel"

# --- what the runs printed ---------------------------------------------------
#
# $work/bench.tsv      run, source, benchmark, boot, run index, operations, elapsed ns
# $work/counter.tsv    run, source, benchmark, counter, value
# $work/unmeasured.tsv run, source, benchmark, reason (benchmark "*": the
#                      whole domain, "*counters": its counters)
# $work/domains.tsv    run, source, how its domain ended (dom0's summary)
# The source is the PV domain's name in bench.domains, or "native".

: >"$work/bench.tsv"
: >"$work/counter.tsv"
: >"$work/unmeasured.tsv"
: >"$work/domains.tsv"

# A PV log: "(dN) ..." lines are domain N's; dom0's toolstack says which
# name each id has ("toolstack: NAME is domain N: ...") before it starts it.
extract_pv() {
    local run=$1 boot=$2 log=$3
    awk -v run="$run" -v boot="$boot" -v work="$work" '
        function source_of(prefix,    id) {
            id = prefix
            gsub(/[^0-9]/, "", id)
            return (id in name_of) ? name_of[id] : "domain-" id
        }
        match($0, /\(d0\) toolstack: [^ ]+ is domain [0-9]+:/) {
            split(substr($0, RSTART, RLENGTH), field, " ")
            id = field[6]
            sub(/:$/, "", id)
            name_of[id] = field[3]
            started[field[3]] = 1
            next
        }
        match($0, /\(d0\) toolstack: [^ ]+ +[^ ]+ +[0-9]+ +(not-started|destroyed|shutdown|crashed|running|paused) /) {
            split(substr($0, RSTART, RLENGTH), field, " ")
            ended[field[4]] = field[6]
            next
        }
        match($0, /\(d0\) toolstack: [^ ]+: /) {
            line = substr($0, RSTART + RLENGTH)
            split(substr($0, RSTART, RLENGTH), field, " ")
            source = field[3]
            sub(/:$/, "", source)
            printf "%s\t%s\t*\tdom0 could not start it: %s\n", run, source, line >> (work "/unmeasured.tsv")
            next
        }
        match($0, /\(d[0-9]+\) bench: [^ ]+: /) {
            line = substr($0, RSTART)
            split(line, field, " ")
            name = field[3]
            sub(/:$/, "", name)
            reason = line
            sub(/^\(d[0-9]+\) bench: [^ ]+: /, "", reason)
            printf "%s\t%s\t%s\t%s\n", run, source_of(field[1]), name, reason >> (work "/unmeasured.tsv")
            next
        }
        match($0, /\(d[0-9]+\) (bench|counter|unmeasured|counters-unavailable)( |$)/) {
            line = substr($0, RSTART)
            count = split(line, field, " ")
            source = source_of(field[1])
            if (field[2] == "bench" && count == 5) {
                runs_seen[source SUBSEP field[3]]++
                printf "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", run, source, field[3], boot,
                       runs_seen[source SUBSEP field[3]], field[4], field[5] >> (work "/bench.tsv")
            } else if (field[2] == "counter" && count == 4) {
                dot = index(field[3], ".")
                printf "%s\t%s\t%s\t%s\t%s\n", run, source, substr(field[3], 1, dot - 1), substr(field[3], dot + 1),
                       field[4] >> (work "/counter.tsv")
            } else if (field[2] == "unmeasured") {
                reason = line
                sub(/^\(d[0-9]+\) unmeasured [^ ]+ /, "", reason)
                printf "%s\t%s\t%s\t%s\n", run, source, field[3], reason >> (work "/unmeasured.tsv")
            } else if (field[2] == "counters-unavailable") {
                reason = line
                sub(/^\(d[0-9]+\) counters-unavailable /, "", reason)
                printf "%s\t%s\t*counters\t%s\n", run, source, reason >> (work "/unmeasured.tsv")
            }
        }
        END {
            for (name in started)
                printf "%s\t%s\t%s\n", run, name, (name in ended) ? ended[name] : "unknown" >> (work "/domains.tsv")
        }' "$log"
}

extract_native() {
    local run=$1 boot=$2 log=$3
    awk -v run="$run" -v boot="$boot" '
        $1 == "bench" && NF == 4 && $2 ~ /^native-/ {
            runs_seen[$2]++
            printf "%s\tnative\t%s\t%d\t%d\t%s\t%s\n", run, $2, boot, runs_seen[$2], $3, $4
        }' "$log" >>"$work/bench.tsv"
}

for run in "${run_names[@]}"; do
    number=0
    for log in ${run_logs[$run]:-}; do
        number=$((number + 1))
        case $run in
        pv-*) extract_pv "$run" "$number" "$log" ;;
        *) extract_native "$run" "$number" "$log" ;;
        esac
    done
done

# Medians of elapsed / operations, per run and benchmark:
# $work/median.tsv     run, source:benchmark, median, number of runs
awk -F'\t' '$6 > 0 { printf "%s\t%s:%s\t%.6f\n", $1, $2, $3, $7 / $6 }' "$work/bench.tsv" |
    sort -t$'\t' -k1,1 -k2,2 -k3,3g |
    awk -F'\t' '
        function flush() {
            if (count == 0)
                return
            if (count % 2)
                median = values[(count + 1) / 2]
            else
                median = (values[count / 2] + values[count / 2 + 1]) / 2
            printf "%s\t%s\t%.6f\t%d\n", key_run, key_name, median, count
        }
        $1 != key_run || $2 != key_name { flush(); key_run = $1; key_name = $2; count = 0 }
        { values[++count] = $3 }
        END { flush() }' >"$work/median.tsv"

declare -A median median_runs operations_total counter_total unmeasured_reason domain_end
while IFS=$'\t' read -r run key value count; do
    median[$run|$key]=$value
    median_runs[$run|$key]=$count
done <"$work/median.tsv"
while IFS=$'\t' read -r run source name _ _ operations _; do
    operations_total[$run|$source:$name]=$((${operations_total[$run|$source:$name]:-0} + operations))
done <"$work/bench.tsv"
while IFS=$'\t' read -r run source name counter value; do
    counter_total[$run|$source:$name|$counter]=$((${counter_total[$run|$source:$name|$counter]:-0} + value))
done <"$work/counter.tsv"
while IFS=$'\t' read -r run source name reason; do
    unmeasured_reason[$run|$source:$name]=$reason
done <"$work/unmeasured.tsv"
while IFS=$'\t' read -r run source how; do
    domain_end[$run|$source]=$how
done <"$work/domains.tsv"

# --- the table ---------------------------------------------------------------
#
# Each row: a label, the PV figure (DOMAIN:BENCHMARK from bench.domains) and
# its native counterpart (native:BENCHMARK, or "-" with why there is none).

rows=(
    "null hypercall round trip [a]|micro:hypercall-null|native:native-function-call"
    "xen_version(XENVER_version) hypercall [a]|micro:hypercall-xen-version|native:native-function-call"
    "null syscall, user -> kernel -> user|processes-prezeroed-on:null-syscall|native:native-null-syscall"
    "page fault on fresh memory, pre-zeroed on|processes-prezeroed-on:page-fault-fresh|native:native-page-fault-prezeroed"
    "page fault on fresh memory, pre-zeroed off|processes-prezeroed-off:page-fault-fresh|native:native-page-fault-zeroing"
    "fresh page beside idle domUs, pre-zeroed on|fresh-on:page-fault-fresh|native:native-page-fault-prezeroed"
    "fresh page beside idle domUs, pre-zeroed off|fresh-off:page-fault-fresh|native:native-page-fault-zeroing"
    "free page given back to pvmon, per page [d]|fresh-on:give-back|-:the native baseline has no hypervisor"
    "fork + exit + wait|processes-prezeroed-on:fork-exit-wait|-:the native baseline has no processes"
    "fork + exec + wait|processes-prezeroed-on:fork-exec-wait|-:the native baseline has no processes"
    "exec|processes-prezeroed-on:exec|-:the native baseline has no processes"
    "mmu_update, 1 entry per hypercall [b]|micro:mmu-update-batch-1|native:native-pte-write"
    "mmu_update, batch of 8 [b]|micro:mmu-update-batch-8|native:native-pte-write"
    "mmu_update, batch of 64 [b]|micro:mmu-update-batch-64|native:native-pte-write"
    "mmu_update, batch of 512 [b]|micro:mmu-update-batch-512|native:native-pte-write"
    "multicall of 8 one-entry mmu_updates [b]|micro:mmu-update-multicall-8|native:native-pte-write"
    "multicall of 64 one-entry mmu_updates [b]|micro:mmu-update-multicall-64|native:native-pte-write"
    "multicall of 512 one-entry mmu_updates [b]|micro:mmu-update-multicall-512|native:native-pte-write"
    "update_va_mapping, no flush|micro:update-va-mapping-no-flush|native:native-pte-write"
    "update_va_mapping, UVMF_INVLPG|micro:update-va-mapping-invlpg|native:native-pte-write-invlpg"
    "update_va_mapping, UVMF_TLB_FLUSH|micro:update-va-mapping-tlb-flush|native:native-pte-write-tlb-flush"
    "direct PTE write, trapped and emulated [c]|micro:pte-write-trapped|native:native-pte-xchg"
    "TLB flush, MMUEXT_TLB_FLUSH_LOCAL|micro:mmuext-tlb-flush|native:native-tlb-flush"
)
counters=(hypercalls tlb_flushes page_table_updates page_table_writes_emulated page_faults_to_guests frames_zeroed
    entries_validated entries_devalidated references_taken iret_hypercalls exceptions_bounced tlb_flushes_requested
    tlb_flushes_type_change)
counter_headings=(hypercalls tlb-flushes pt-updates pt-emulated pf-to-guest zeroed validated devalidated refs irets
    exc-bounced flush-asked flush-type)

# figure RUN KEY: the median per operation, or nothing.
figure() {
    echo "${median[$1|$2]:-}"
}

format_figure() {
    if [ -z "$1" ]; then
        echo "-"
    else
        awk -v value="$1" 'BEGIN { format = value >= 100 ? "%.0f" : "%.1f"; printf format, value }'
    fi
}

format_ratio() {
    if [ -z "$1" ] || [ -z "$2" ]; then
        echo "-"
    else
        awk -v pv="$1" -v native="$2" 'BEGIN { if (native > 0) printf "%.1fx", pv / native; else print "-" }'
    fi
}

# Why RUN has no figure for KEY (SOURCE:BENCHMARK).
why_missing() {
    local run=$1 key=$2 source=${2%%:*} status=${run_status[$1]}
    if [ "$status" -ne 0 ] && [ -z "${median_runs[$run|$key]:-}" ]; then
        echo "the $run run $(describe_status "$status")"
    elif [ -n "${unmeasured_reason[$run|$key]:-}" ]; then
        echo "${unmeasured_reason[$run|$key]}"
    elif [ -n "${unmeasured_reason[$run|$source:*]:-}" ]; then
        echo "${unmeasured_reason[$run|$source:*]}"
    elif [ "$source" = native ]; then
        echo "the native kernel printed no '${key#*:}' line"
    elif [ -z "${domain_end[$run|$source]:-}" ]; then
        if ! grep -Eq "^domain +$source " "$config"; then
            if [ ! -d pv-guest/programs ]; then
                echo "no '$source' domain in $config: the user-process benchmarks (pv-guest/programs) have not landed"
            else
                echo "no '$source' domain in $config yet"
            fi
        else
            echo "dom0 never started the '$source' domain (see${run_logs[$run]})"
        fi
    elif [ "${domain_end[$run|$source]}" != shutdown ]; then
        echo "the '$source' domain ended ${domain_end[$run|$source]} before printing '${key#*:}'"
    else
        echo "the '$source' domain printed no '${key#*:}' line"
    fi
}

table=$work/results.txt
tsv=$output_dir/results.tsv
notes=()

# add_note TEXT: sets note_number to TEXT's number among the notes.
add_note() {
    local index
    for index in "${!notes[@]}"; do
        if [ "${notes[$index]}" = "$1" ]; then
            note_number=$((index + 1))
            return
        fi
    done
    notes+=("$1")
    note_number=${#notes[@]}
}

{
    echo "pvmon benchmarks ($(date -u '+%Y-%m-%d %H:%M UTC'), $(qemu-system-x86_64 --version | head -n 1))"
    echo "host: $(grep -m 1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs"
    for run in "${run_names[@]}"; do
        first_log=${run_logs[$run]# }
        first_log=${first_log%% *}
        clock=$(grep -m 1 -Eo 'TSC [0-9.]+ (MHz|Hz)' "$first_log" 2>/dev/null || true)
        boots=$(echo ${run_logs[$run]} | wc -w)
        printf '  %-14s %d boot(s), %s, %s s%s\n' "$run" "$boots" "$(describe_status "${run_status[$run]}")" \
            "${run_seconds[$run]}" "${clock:+, $clock}"
    done
    echo
    echo "Per operation: medians over each benchmark's runs.  ns = TCG wall-clock nanoseconds (host-dependent;"
    echo "TCG times are not hardware times: traps and TLB flushes cost far more than on hardware)."
    echo "insns = the same under -icount shift=0, where 1 ns of guest time is 1 instruction: everything the"
    echo "machine executed (guest, pvmon, dom0), deterministic, but blind to what is not an instruction"
    echo "(a TLB flush is a few instructions there).  Ratios compare PV and native within one mode."
    echo
    printf '%-44s %10s %10s %10s %10s %9s %9s\n' operation "PV ns" "PV insns" "native ns" "nat insns" \
        "PV/nat ns" "PV/nat in"
} >"$table"

printf 'operation\tpv_benchmark\tpv_tcg_ns\tpv_icount_insns\tnative_benchmark\tnative_tcg_ns\tnative_icount_insns\tratio_tcg\tratio_icount' >"$tsv"
for counter in "${counters[@]}"; do
    printf '\t%s_per_operation' "$counter" >>"$tsv"
done
printf '\tnot_measured\n' >>"$tsv"

counter_rows=()
for row in "${rows[@]}"; do
    IFS='|' read -r label pv_key native_spec <<<"$row"
    native_key=""
    native_absent=""
    if [ "${native_spec%%:*}" = native ]; then
        native_key=$native_spec
    else
        native_absent=${native_spec#-:}
    fi
    pv_tcg=$(figure pv-tcg "$pv_key")
    pv_icount=$(figure pv-icount "$pv_key")
    native_tcg=""
    native_icount=""
    if [ -n "$native_key" ]; then
        native_tcg=$(figure native-tcg "$native_key")
        native_icount=$(figure native-icount "$native_key")
    fi
    reasons=()
    if [ -z "$pv_tcg" ] && [ -z "$pv_icount" ]; then
        reason=$(why_missing pv-icount "$pv_key")
        printf '%-44s not measured: %s\n' "$label" "$reason" >>"$table"
        printf '%s\t%s\t\t\t%s\t\t\t\t' "${label% \[?\]}" "$pv_key" "${native_key#native:}" >>"$tsv"
        for counter in "${counters[@]}"; do printf '\t' >>"$tsv"; done
        printf '\tPV: %s\n' "$reason" >>"$tsv"
        continue
    fi
    marks=""
    for run in pv-tcg pv-icount native-tcg native-icount; do
        case $run in
        pv-*) key=$pv_key ;;
        *) key=$native_key ;;
        esac
        if [ -n "$key" ] && [ -z "$(figure "$run" "$key")" ]; then
            reasons+=("$run: $(why_missing "$run" "$key")")
        fi
    done
    if [ -n "$native_absent" ]; then
        reasons+=("native: $native_absent")
    fi
    for reason in "${reasons[@]}"; do
        add_note "$reason"
        marks+="[$note_number]"
    done
    printf '%-44s %10s %10s %10s %10s %9s %9s %s\n' "$label" "$(format_figure "$pv_tcg")" \
        "$(format_figure "$pv_icount")" "$(format_figure "$native_tcg")" "$(format_figure "$native_icount")" \
        "$(format_ratio "$pv_tcg" "$native_tcg")" "$(format_ratio "$pv_icount" "$native_icount")" "$marks" >>"$table"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "${label% \[?\]}" "$pv_key" "$pv_tcg" "$pv_icount" "${native_key#native:}" \
        "$native_tcg" "$native_icount" "$(format_ratio "$pv_tcg" "$native_tcg" | tr -d 'x-')" \
        "$(format_ratio "$pv_icount" "$native_icount" | tr -d 'x-')" >>"$tsv"
    # Counters: from the icount run (deterministic), else from the TCG run.
    counter_run=pv-icount
    [ -n "${counter_total[pv-icount|$pv_key|hypercalls]:-}" ] || counter_run=pv-tcg
    operations=${operations_total[$counter_run|$pv_key]:-0}
    counter_line=""
    for counter in "${counters[@]}"; do
        value=${counter_total[$counter_run|$pv_key|$counter]:-}
        per_operation=""
        if [ -n "$value" ] && [ "$operations" -gt 0 ]; then
            per_operation=$(awk -v value="$value" -v operations="$operations" 'BEGIN { printf "%.3f", value / operations }')
        fi
        printf '\t%s' "$per_operation" >>"$tsv"
        counter_line+=$(printf ' %11s' "${per_operation:--}")
    done
    printf '\t%s\n' "$(IFS='; '; echo "${reasons[*]}")" >>"$tsv"
    if [ -n "${counter_total[$counter_run|$pv_key|hypercalls]:-}" ]; then
        counter_rows+=("$(printf '%-44s%s' "$label" "$counter_line")")
    fi
done

{
    echo
    echo "[a] native: a call to an empty function that is not inlined (there is no hypervisor to call)."
    echo "    hypercall-null is hypercall 63, which no handler answers (-ENOSYS): the bare round trip."
    echo "[b] per page-table entry; native: one store to an L1 entry, no flush."
    echo "[c] xchg on an entry of a pinned L1 that the PV kernel maps read-only: a #PF that pvmon emulates;"
    echo "    native: the same xchg, which simply succeeds."
    echo "[d] the PV kernel's time in PVMON_MEMORY_give_back_free batches (unmapping, TLB flush, the call) per"
    echo "    page, after page-fault-fresh unmaps its memory (free page reporting, docs/memory-extension.md)."
    for index in "${!notes[@]}"; do
        echo "[$((index + 1))] ${notes[$index]}"
    done
    echo
    if [ ${#counter_rows[@]} -gt 0 ]; then
        echo "pvmon's counters per operation, from the icount run (or the TCG one where it has none), from"
        echo "PVMON_MEMORY_domain_statistics, the benchmarking domU's own (the machine's are dom0's alone):"
        echo "hypercalls (a multicall counts 1 + its entries), tlb-flushes (CR3 reloads for the guest),"
        echo "pt-updates (entries written by mmu_update and update_va_mapping), pt-emulated (trapped writes to"
        echo "L1 tables), pf-to-guest (#PF bounced to the guest kernel), zeroed (its frames pvmon zeroed at"
        echo "allocation), validated and devalidated (present entries a table referenced as it was validated,"
        echo "released as it was devalidated), refs (general references taken on frames), irets"
        echo "(HYPERVISOR_iret, not in hypercalls), exc-bounced (exceptions bounced to the guest kernel),"
        echo "flush-asked and flush-type (of tlb-flushes: asked for by the guest; a frame changing type)."
        printf '%-44s' operation
        for heading in "${counter_headings[@]}"; do printf ' %11s' "$heading"; done
        echo
        printf '%s\n' "${counter_rows[@]}"
    else
        counter_reason=$(awk -F'\t' '$3 == "*counters" { print $4; exit }' "$work/unmeasured.tsv")
        echo "pvmon's counters: not measured: ${counter_reason:-no counter lines in the PV logs}"
    fi
    echo
    echo "Pre-zeroed pages in steady state (page-fault-fresh after the domain idled; the domain's counters"
    echo "per fresh page, from the icount run or else the TCG one): prezeroed (frames pvmon handed over from"
    echo "its pool, zeroed while idle), zeroed (frames pvmon zeroed at allocation), cleared (pages the guest"
    echo "kernel cleared itself), known-zero (pages it handed out without clearing), taken-back (given-back"
    echo "pages it took back with populate_physmap)."
    printf '%-44s %11s %11s %11s %11s %11s\n' operation prezeroed zeroed cleared known-zero taken-back
    for row in "${rows[@]}"; do
        IFS='|' read -r label pv_key _ <<<"$row"
        [ "${pv_key#*:}" = page-fault-fresh ] || continue
        counter_run=pv-icount
        [ -n "${counter_total[pv-icount|$pv_key|prezeroed_frames_received]:-}" ] || counter_run=pv-tcg
        operations=${operations_total[$counter_run|$pv_key]:-0}
        line=$(printf '%-44s' "$label")
        for counter in prezeroed_frames_received frames_zeroed pages_cleared_by_guest known_zero_pages_used \
            pages_taken_back; do
            value=${counter_total[$counter_run|$pv_key|$counter]:-}
            if [ -n "$value" ] && [ "$operations" -gt 0 ]; then
                line+=$(awk -v value="$value" -v operations="$operations" 'BEGIN { printf " %11.3f", value / operations }')
            else
                line+=$(printf ' %11s' -)
            fi
        done
        echo "$line"
    done
    echo
    echo "Logs: $output_dir/{pv-tcg,pv-icount,native-tcg,native-icount}-N.log; every run: $output_dir/runs.tsv"
} >>"$table"

{
    printf 'run\tsource\tbenchmark\tboot\trun_index\toperations\telapsed_ns\n'
    cat "$work/bench.tsv"
} >"$output_dir/runs.tsv"
sed -i 's/ *$//' "$table"
cp "$table" "$output_dir/results.txt"
cat "$table"

failed=0
for index in "${!run_names[@]}"; do
    if [ "${run_status[${run_names[$index]}]}" -ne 0 ]; then
        failed=$((failed + (1 << index)))
    fi
done
if [ "$failed" -ne 0 ]; then
    exit $((20 + failed))
fi
exit 0
