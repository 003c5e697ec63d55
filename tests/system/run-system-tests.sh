#!/usr/bin/env bash
# System tests: pvmon booted with dom0 and a ramdisk whose "domains" file
# (tests/system/*.domains, format in pv-guest/kernel/domain_config.h)
# makes dom0's toolstack start domUs:
#   - the hypercall test guests (tests/hypercall): every "PASS family:
#     case" line counts as one passed case and every "FAIL ..." line as
#     one failure; a guest that never prints its SUMMARY line counts as a
#     failure too, and so do dom0's own checks (test=hypercalls); a
#     domU's console flood must be cut at its rate limit, dom0's not;
#   - the demonstration (pv-guest/config/demo.domains): a computing domU's
#     CPU share next to a blocking neighbour must be clearly above its
#     share next to a spinning one (a ratio, not a timing);
#   - crashes: domUs that fault, write into the hypervisor or run away are
#     killed alone while another domU and dom0 finish their work, one
#     that takes its last vCPU down (VCPUOP_down) ends powered off, and
#     one stuck in a loop of failing hypercalls is destroyed at the
#     deadline, pvmon's log naming its hypercall and error at most once a
#     second meanwhile;
#   - dom0 is told of each domU's end (tests/system/domain-exceptions.domains):
#     pvmon raises VIRQ_DOM_EXC when a domU shuts down, crashes and is
#     destroyed, dom0's toolstack notices each end through it alone, and
#     its watch loop sleeps while a domU only computes;
#   - no leak between domains (tests/system/leak.domains): a domU fills
#     all the memory it can get with a secret and gives it back; a later
#     one scans more frames than that and must find no trace of it;
#   - user processes in our PV kernel (pv-guest/config/processes.domains):
#     fork/exit/wait and fork/exec/wait loops, memory stress, time slices,
#     misbehaving processes killed alone, a process's own LDT segment used
#     in ring 3, and one run of each benchmark
#     complete with the counts they must have, every page
#     comes back to the kernel's pool or to pvmon, and the kernel's own
#     counts show prezeroed pages used, free pages given back to pvmon (none
#     refused) and taken back, and steady-state fresh pages that came from
#     pvmon's pre-zeroed pool; none of that with prezeroed=off;
#   - the runstate area stays current (tests/system/runstate.domains, under
#     -icount shift=0,sleep=off): our kernel's registered area, read at the
#     kernel entry that ends each round of computing in user mode beside a
#     busy domain, holds the hypervisor's last switch, though every switch
#     came while the process's page tables (which do not map the area) were
#     loaded; SYS_runstate refuses buffers outside the process;
#   - no frame lost (tests/system/teardown.domains): domUs that end with
#     tangled page tables, by shutdown and by crash, give every frame back
#     (dom0's count of free frames as each scenario starts);
#   - no domU outgrows its memory (tests/system/memory-attack.domains): a
#     domU pinning and giving back frames in a loop takes none beyond its
#     maximum, and a neighbour that ballooned down gets every frame back;
#   - dom0's backends (tests/system/xenbus.domains): a domU's line in its
#     console ring reaches dom0's log, its xenstore requests get Xen's
#     answers (every PASS/FAIL line of the guest counts, as for the
#     hypercall guests) under Xen's per-node permissions, against a peer
#     domU that lets it read one node and not another, a malformed
#     message breaks its connection, and it balloons down to the memory
#     target the toolstack sets;
#   - the frontends' libraries (tests/system/frontend.domains): frontend/'s
#     xenstore client against dom0's xenstore and its grant table client
#     against the hypervisor's grant tables (every PASS/FAIL line counts);
#   - the split block device from our PV kernel (tests/system/block.domains,
#     a 128 MiB disk image through --disk): healthy disk-test domUs write,
#     flush and read back their vbds beside malicious frontends (producer
#     beyond the ring, bad and foreign grants, bad segments, too many or no
#     segments, sectors beyond the disk, unknown operations, grants
#     revoked under queued requests, a request storm, a crash with
#     requests in flight, a silent frontend, an ungranted ring), each
#     costing only its own vbd; later domains, and a
#     second boot on the same image (block-verify.domains), read the
#     healthy data back;
#   - vbds on disk images (tests/system/image-cases.sh, images made by
#     qemu-img and tests/lib/xts_image.py at test time): disk-test domUs
#     on two qcow2 overlays of one read-only base, a zstd-compressed image
#     with compress=on, an aes-xts-plain64 image and the plain raw path,
#     read back by new domains, then qemu-img check, convert and
#     python3-cryptography on the host (the base unchanged, clusters still
#     compressed); a second writer of an overlay refused; malformed images
#     (L1, L2, refcount table, a cluster beyond the file, a backing loop, a
#     bad zstd stream) failing their devices alone beside a healthy domU;
#   - the split network device from our PV kernel
#     (tests/system/network.domains, dom0's NIC on QEMU's user network
#     through --net): in each scenario two healthy net-test domUs ping
#     each other with numbered, checksummed echoes of one and several
#     slots, every reply intact, beside malicious frontends (bad grants,
#     slots that do not add up or were never published, oversized,
#     undersized and too many slots, producers beyond the tx and rx
#     rings, a slot crossing its page, bad extras, a flood, an rx ring
#     never refilled, a death with the tx ring full, ungranted rings, no
#     rx-copy), each costing only
#     its own vif: dom0's log names every vif netback disabled, and
#     nothing else;
#   - dom0's shell and xl console, typed through the serial line
#     (tests/lib/serial_typist.py) against our PV kernel's console-echo
#     domU (tests/system/xl/echo.cfg, started from /etc/xen/auto/): what is
#     typed reaches the domU and its answer shows raw, Ctrl-] returns to
#     the prompt; a domU flooding its console does not starve the prompt;
#     a reboot typed into it brings it back (on_reboot=restart) and xl
#     console reaches the new domain; bad commands and a bad config get
#     xl's messages and dom0 keeps running.
#   - checkpoints typed at dom0's shell (xl block-checkpoint, -list,
#     -rollback) on a qcow2 overlay over a raw base with two spare disks: a
#     disk-test domU checkpointed while it writes loses no answered write,
#     a rollback is refused while it runs, and after it a rollback gives a
#     verifier exactly the checkpointed seed; qemu-img checks the images.
# Each boot has a hard timeout (tools/run-qemu.sh); a failing case prints
# why and the tail of the serial log.  Ends with "system: N passed, N failed".
#
# Run from the top of the tree after 'make'.  SYSTEM_TEST_TIMEOUT (seconds,
# default 100) bounds each QEMU run; KEEP_LOGS=DIR keeps the serial logs;
# SYSTEM_TEST_ONLY=REGEX runs only the cases whose names match it.
set -u
cd "$(dirname "$0")/../.."

image=${BUILD:-build}/pvmon.elf
pv_kernel=${BUILD:-build}/pv-kernel.elf
test_guests=(event_channel vcpu_op sched_op traps descriptor_tables cpu_state
             xen_version vm_assist multicall domain_control dispatch console_io fpu_pointers
             page_tables page_table_writes preemption ldt exceptions physdev reservation grant_table xstate)
timeout_seconds=${SYSTEM_TEST_TIMEOUT:-100}
pattern_tool=${BUILD:-build}/tools/disk-pattern-check
minimum_share_ratio_percent=150
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

source tests/lib/dom0-cases.sh

# share_permille SCENARIO DOMAIN: its CPU share in the summary, in tenths of a percent.
share_permille() {
    summary_row "$1" "$2" | sed -nE 's/.* ([0-9]+)\.([0-9])%$/\1\2/p' | sed 's/^0*\([0-9]\)/\1/'
}

# --- the hypercall test guests: one count per case they report -------------

count_guest_cases() {
    local guest_passed guest_failed
    guest_passed=$(grep -Ec '\(d[0-9]+\) PASS [a-z_]+: ' "$log")
    guest_failed=$(grep -Ec '\(d[0-9]+\) FAIL [a-z_]+: ' "$log")
    grep -E '\(d[0-9]+\) FAIL [a-z_]+: ' "$log" | sed 's/^/     /'
    echo "hypercall guests: $guest_passed cases passed, $guest_failed failed"
    passed=$((passed + guest_passed))
    failed=$((failed + guest_failed))
}

hypercall_guests_report_every_case() {
    local guests=() guest
    for guest in "${test_guests[@]}"; do
        guests+=("${BUILD:-build}/tests/hypercall/$guest.elf")
    done
    dom0_command_line="test=hypercalls" boot hypercalls tests/system/hypercalls.domains "${guests[@]}"
    expect_status
    for guest in "${test_guests[@]}"; do
        expect_log "\(d[0-9]+\) SUMMARY $guest: [0-9]+ passed, [0-9]+ failed$"
    done
    expect_log "\(d0\) pv-kernel: hypercall checks: [0-9]+ passed, 0 failed"
    # A domU's console flood is cut at its rate limit; dom0's is not.
    expect_log "console: domain [0-9]+ over its output rate limit: suppressed [0-9]+ bytes"
    expect_no_log "console_io: the flood's last line"
    expect_log "\(d0\) pv-kernel: console flood: last line"
    expect_no_log "console: domain 0 over its output rate limit"
    expect_log "\(d0\) toolstack: summary end"
    expect_log "domain 0 shut down \(poweroff\)"
    count_guest_cases
}

# --- the demonstration ---------------------------------------------------------

demo_busy_share_drops_next_to_a_spinning_neighbour() {
    local blocking spinning
    boot demo pv-guest/config/demo.domains "$pv_kernel"
    expect_status
    for scenario in blocking-neighbour spinning-neighbour; do
        expect_end "$scenario" busy "shutdown +poweroff"
        expect_end "$scenario" idle "shutdown +poweroff"
    done
    expect_log "\(d[0-9]+\) workload busy: ran [0-9]+ ms of [0-9]+ ms: CPU share"
    expect_log "\(d[0-9]+\) workload idle: woke [0-9]+ times"
    expect_log "\(d[0-9]+\) workload idle-spinning: ran [0-9]+ ms of [0-9]+ ms: CPU share"
    blocking=$(share_permille blocking-neighbour busy)
    spinning=$(share_permille spinning-neighbour busy)
    if [ -z "$blocking" ] || [ -z "$spinning" ]; then
        fail "dom0's summary gives no CPU share for busy (blocking '$blocking', spinning '$spinning')"
    elif [ $((spinning * minimum_share_ratio_percent)) -gt $((blocking * 100)) ]; then
        fail "busy's share next to a blocking neighbour (${blocking}‰) is not ${minimum_share_ratio_percent}% of the one next to a spinning neighbour (${spinning}‰)"
    fi
}

# --- crashes -----------------------------------------------------------------

# expect_at_most_one_failure_warning_a_second: the looping domain's
# warnings are at least a second apart in pvmon's log (its time stamps).
expect_at_most_one_failure_warning_a_second() {
    local too_close
    too_close=$(sed -nE 's/^\(pvmon\) \[ *([0-9]+)\.([0-9]{6})\] WARNING: hypercalls: domain ([0-9]+): .*/\3 \1\2/p' "$log" |
        awk '{ if ($1 in last && $2 - last[$1] < 1000000) n++; last[$1] = $2 } END { print n + 0 }')
    [ "$too_close" -eq 0 ] || fail "$too_close failing-hypercall warnings came less than a second after the last"
}

misbehaving_domus_are_killed_alone() {
    boot crashes tests/system/crashes.domains "$pv_kernel"
    expect_status
    expect_end crashes worker "shutdown +poweroff"
    expect_end crashes faulty "crashed +-"
    expect_end crashes wild "crashed +-"
    expect_end crashes handled "crashed +-|shutdown +crash"
    expect_end crashes runaway "destroyed"
    expect_end crashes down "shutdown +poweroff"
    expect_log "\(d[0-9]+\) pv-kernel: taking its last vCPU down"
    expect_no_log "still running after VCPUOP_down"
    expect_end crashes looping "destroyed"
    expect_log "\(d[0-9]+\) pv-kernel: making a failing hypercall in a loop"
    expect_log "hypercalls: domain [0-9]+: vcpu_op failed [0-9]+ times with -38 in the last 1[0-9]{3} ms, [0-9]+ other failures"
    grep -E "hypercalls: domain [0-9]+: vcpu_op failed" "$log" | head -n 1 | sed -E 's/.*hypercalls: /     /'
    expect_at_most_one_failure_warning_a_second
    expect_log "\(d[0-9]+\) runtime: unexpected trap 14 \(#PF page fault\) at rip 0xffffffff8[0-9a-f]+, error code 0x2, cr2 0x10; crashing"
    expect_log "\(d[0-9]+\) workload busy: ran [0-9]+ ms"
    expect_log "domain 0 shut down \(poweroff\)"
    expect_no_log "still alive after"
    expect_no_log "PANIC"
}

# --- dom0 told of each domain's end: VIRQ_DOM_EXC -------------------------------

# domain_exception_events SCENARIO: the VIRQ_DOM_EXC events dom0 took over it.
domain_exception_events() {
    sed -nE "s/.*\(d0\) toolstack: $1: dom0's watch loop woke [0-9]+ times; VIRQ_DOM_EXC events: ([0-9]+)$/\1/p" "$log"
}

# watch_loop_wakes SCENARIO: how often dom0's watch loop woke over it.
watch_loop_wakes() {
    sed -nE "s/.*\(d0\) toolstack: $1: dom0's watch loop woke ([0-9]+) times; .*/\1/p" "$log"
}

expect_domain_exception_events() {
    local events
    events=$(domain_exception_events "$1")
    echo "     $1: $events VIRQ_DOM_EXC events, dom0's watch loop woke $(watch_loop_wakes "$1") times"
    [ "$events" = "$2" ] || fail "scenario $1: expected $2 VIRQ_DOM_EXC events, dom0 took '$events'"
}

dom0_hears_of_shutdown_crash_and_destroy_through_virq_dom_exc() {
    local wakes
    boot domain-exceptions tests/system/domain-exceptions.domains "$pv_kernel"
    expect_status
    expect_end exc-shutdown ends "shutdown +poweroff"
    expect_end exc-crash crashes "crashed +-"
    expect_end exc-destroy computes "destroyed"
    expect_domain_exception_events exc-shutdown 2
    expect_domain_exception_events exc-crash 2
    expect_domain_exception_events exc-destroy 1
    wakes=$(watch_loop_wakes exc-destroy)
    [ -n "$wakes" ] && [ "$wakes" -le 10 ] ||
        fail "dom0's watch loop woke '$wakes' times while its only domU computed: at 20 ms a poll would wake about 150 times, the deadline once"
    expect_no_log "PANIC"
}

# --- no memory leaks between domains ------------------------------------------

memory_given_back_by_a_domain_never_reaches_the_next() {
    local filled scanned traces
    boot leak tests/system/leak.domains "${BUILD:-build}/tests/hypercall/memory_leak_fill.elf" \
        "${BUILD:-build}/tests/hypercall/memory_leak_scan.elf"
    expect_status
    expect_end leak-fill filler "shutdown +poweroff"
    expect_end leak-scan scanner "shutdown +poweroff"
    expect_log "\(d[0-9]+\) SUMMARY memory_leak_fill: [0-9]+ passed, 0 failed$"
    expect_log "\(d[0-9]+\) SUMMARY memory_leak_scan: [0-9]+ passed, 0 failed$"
    filled=$(sed -nE 's/.*\(d[0-9]+\) memory_leak_fill: filled [0-9]+ frames \(([0-9]+) distinct\) with the secret$/\1/p' "$log" | tail -n 1)
    scanned=$(sed -nE 's/.*\(d[0-9]+\) memory_leak_scan: scanned [0-9]+ frames \(([0-9]+) distinct\), [0-9]+ with a trace of the secret$/\1/p' "$log" | tail -n 1)
    traces=$(sed -nE 's/.*\(d[0-9]+\) memory_leak_scan: scanned [0-9]+ frames \([0-9]+ distinct\), ([0-9]+) with a trace of the secret$/\1/p' "$log" | tail -n 1)
    if [ -z "$filled" ] || [ -z "$scanned" ] || [ -z "$traces" ]; then
        fail "the leak guests did not report their counts (filled '$filled', scanned '$scanned', traces '$traces')"
        return
    fi
    echo "     filler: $filled frames filled; scanner: $scanned frames scanned, $traces with a trace"
    [ "$traces" -eq 0 ] || fail "the scanner found a trace of the filler's secret in $traces frames"
    [ "$scanned" -gt "$filled" ] || fail "the scanner saw $scanned frames, not more than the $filled the filler filled"
    expect_no_log "PANIC"
}

# --- user processes in our PV kernel -------------------------------------------

# The kernel's registered runstate area, read at the kernel entry that ends
# each round of computing in user mode, holds the hypervisor's last switch,
# though every switch of the round came while the process's page tables,
# which do not map the area, were loaded.  Under -icount shift=0,sleep=off
# the switches fall at the same instructions in every run.
runstate_area_is_current_at_kernel_entry_after_preemption_in_user_mode() {
    qemu_options="--icount-exact" boot runstate tests/system/runstate.domains \
        "$pv_kernel" "${BUILD:-build}/programs.cpio"
    expect_status
    expect_end runstate runstate "shutdown +poweroff"
    expect_end runstate busy "shutdown +poweroff"
    scenario_lines runstate | grep -E "\(d[0-9]+\) runstate: " | sed 's/^/     /'
    expect_in_scenario runstate "runstate: 6 rounds of 60 ms in user mode, 6 preempted, 0 stale areas at kernel entry: "
    expect_in_scenario runstate "init: 1 programs run, 0 failed$"
}

# SYS_runstate, new to the kernel for the case above, writes only where the
# process may: its kernel image, null page, read-only text and a range
# wrapping around the address space are refused with -EFAULT.
sys_runstate_refuses_buffers_outside_the_process() {
    qemu_options="--icount-exact" boot runstate tests/system/runstate.domains \
        "$pv_kernel" "${BUILD:-build}/programs.cpio"
    expect_status
    expect_in_scenario runstate "runstate: 4 buffers outside the process refused with -EFAULT, 0 accepted$"
    expect_no_log "runstate: SYS_runstate into "
}

# scenario_lines SCENARIO: the serial log from that scenario's start to its end
# (domain ids are reused from one scenario to the next).
scenario_lines() {
    sed -n "/(d0) toolstack: scenario '$1':/,/(d0) toolstack: scenario '$1' done/p" "$log"
}

# program_memory SCENARIO PROGRAM: "faults known-zero cleared" from init's line for PROGRAM.
program_memory() {
    scenario_lines "$1" |
        sed -nE "s/.*\(d[0-9]+\) init: $2 exited with status 0; memory: ([0-9]+) demand-zero faults, ([0-9]+) known-zero pages, ([0-9]+) cleared by the kernel, .*/\1 \2 \3/p" |
        head -n 1
}

# fresh_page_counter SCENARIO COUNTER: the counter page-fault-fresh printed,
# summed over its runs (empty if none).
fresh_page_counter() {
    scenario_lines "$1" | sed -nE "s/.*\(d[0-9]+\) counter page-fault-fresh\.$2 ([0-9]+)$/\1/p" |
        awk '{ total += $1; seen = 1 } END { if (seen) print total }'
}

# expect_in_scenario SCENARIO REGEX: a line of the scenario's domU matches.
expect_in_scenario() {
    scenario_lines "$1" | grep -Eq -- "\(d[1-9][0-9]*\) $2" ||
        fail "scenario $1 has no domU line matching: $2"
}

processes_run_to_completion() {
    local name memory faults known cleared reporting given refused taken prezeroed mapped_later
    boot processes pv-guest/config/processes.domains "$pv_kernel" "${BUILD:-build}/programs.cpio"
    expect_status
    expect_end processes processes "shutdown +poweroff"
    expect_end processes-cleared cleared "shutdown +poweroff"
    expect_in_scenario processes "forkloop: 2000 forks, 2000 exits, 0 errors$"
    expect_in_scenario processes "execloop: 200 execs, 200 exits, 0 errors$"
    expect_in_scenario processes "memstress: 16 MiB x 4 rounds, 16384 pages written and verified, 0 errors$"
    expect_in_scenario processes "timeshare: 3 children, 0 errors: "
    expect_in_scenario processes "faults: 11 misdeeds, 11 killed, 0 errors$"
    expect_in_scenario processes "ldt: 4 reads through an LDT segment, limit 7, dpl 3, child without an LDT killed, 0 errors$"
    expect_in_scenario processes "pv-kernel: processes: [0-9]+ forks, [0-9]+ execs, [0-9]+ exits, 12 killed, "
    expect_in_scenario processes "init: 7 programs run, 0 failed$"
    for name in null-syscall page-fault-fresh fork-exit-wait fork-exec-wait exec; do
        expect_in_scenario processes "bench $name [1-9][0-9]* [1-9][0-9]*$"
    done
    expect_in_scenario processes-cleared "memstress: 16 MiB x 2 rounds, 8192 pages written and verified, 0 errors$"
    expect_in_scenario processes-cleared "init: 2 programs run, 0 failed$"
    for name in processes processes-cleared; do
        expect_in_scenario "$name" "pv-kernel: every page came back: ([0-9]+) of \1 pages free or given back after init$"
    done
    # Prezeroed pages, from the kernel's own counts: memstress's faults took
    # known-zero pages, more than the domain had at boot, so the kernel
    # refilled them from the hypervisor; with prezeroed=off it cleared
    # every page itself.
    memory=$(program_memory processes memstress)
    read -r faults known cleared <<<"$memory"
    echo "     memstress, prezeroed pages used: ${faults:-?} faults, ${known:-?} known-zero, ${cleared:-?} cleared"
    if [ -z "$memory" ]; then
        fail "init did not report memstress's memory in scenario processes"
    elif [ "$faults" -ne 16384 ] || [ $((known + cleared)) -ne "$faults" ] || [ "$known" -le 0 ]; then
        fail "memstress should have taken known-zero pages for its 16384 faults: $memory"
    fi
    # Free page reporting: the kernel gave free pages back to pvmon and
    # took given-back pages back (none refused: it unmaps them first); in
    # steady state (after the domain idled) the fresh pages of
    # page-fault-fresh came from pvmon's pre-zeroed pool.  With
    # prezeroed=off nothing is given back and nothing comes pre-zeroed.
    reporting=$(scenario_lines processes |
        sed -nE 's/.*\(d[0-9]+\) pv-kernel: free page reporting: given back: ([0-9]+) pages in [0-9]+ batches \(([0-9]+) refused\) .* taken back: ([0-9]+) pages .*/\1 \2 \3/p')
    echo "     free page reporting: ${reporting:-none reported} (given back, refused, taken back)"
    read -r given refused taken <<<"${reporting:-0 0 0}"
    [ "$given" -gt 0 ] && [ "$taken" -gt 0 ] && [ "$refused" -eq 0 ] ||
        fail "the kernel should have given pages back and taken them back, none refused: '$reporting'"
    # memstress's children verify fork's copies of pages taken back from
    # pvmon, which the kernel maps for itself only then.
    mapped_later=$(scenario_lines processes |
        sed -nE 's/.*\(d[0-9]+\) pv-kernel: free page reporting: .* ([0-9]+) mapped in the kernel later$/\1/p')
    echo "     taken-back pages the kernel mapped for itself later: ${mapped_later:-none reported}"
    [ -n "$mapped_later" ] && [ "$mapped_later" -gt 0 ] ||
        fail "fork should have copied taken-back pages through the kernel's mapping: '$mapped_later'"
    prezeroed=$(fresh_page_counter processes prezeroed_frames_received)
    echo "     page-fault-fresh, pre-zeroed frames received: ${prezeroed:-none reported}"
    [ -n "$prezeroed" ] && [ "$prezeroed" -gt 0 ] ||
        fail "steady-state fresh pages should come pre-zeroed from pvmon: '$prezeroed'"
    prezeroed=$(fresh_page_counter processes-cleared prezeroed_frames_received)
    echo "     page-fault-fresh with prezeroed=off, pre-zeroed frames received: ${prezeroed:-none reported}"
    [ "$prezeroed" = 0 ] || fail "with prezeroed=off no fresh page should come pre-zeroed: '$prezeroed'"
    expect_in_scenario processes-cleared "pv-kernel: free page reporting: given back: 0 pages in 0 batches "
    memory=$(program_memory processes-cleared memstress)
    read -r faults known cleared <<<"$memory"
    echo "     memstress, prezeroed=off: ${faults:-?} faults, ${known:-?} known-zero, ${cleared:-?} cleared"
    if [ -z "$memory" ] || [ "$faults" -ne 8192 ] || [ "$known" -ne 0 ] || [ "$cleared" -ne 8192 ]; then
        fail "with prezeroed=off the kernel should have cleared all 8192 pages: '$memory'"
    fi
    scenario_lines processes-cleared | grep -q "killed:" && fail "a process of scenario processes-cleared was killed"
    expect_no_log "\(d[0-9]+\) mmu: "
    expect_no_log "PAGES LEAKED"
    expect_no_log "PANIC"
}

# --- no frame lost when a domain ends --------------------------------------------

frames_of_a_messy_domain_all_come_back() {
    local counts
    boot teardown tests/system/teardown.domains "${BUILD:-build}/tests/hypercall/memory_teardown.elf"
    expect_status
    expect_end teardown-shutdown messy "shutdown +poweroff"
    expect_end teardown-crash crashing "crashed +-"
    expect_end teardown-check measuring "shutdown +poweroff"
    expect_no_log "\(d[0-9]+\) FAIL memory_teardown: "
    counts=$(sed -nE "s/.*\(d0\) toolstack: scenario 'teardown-[a-z]+': .*; the machine has ([0-9]+) frames free$/\1/p" \
        "$log" | tr '\n' ' ')
    echo "     free frames when each of the three scenarios started: $counts"
    if [ "$(echo "$counts" | wc -w)" -ne 3 ]; then
        fail "expected three free-frame counts, got '$counts'"
    elif [ "$(echo "$counts" | tr ' ' '\n' | sed '/^$/d' | sort -u | wc -l)" -ne 1 ]; then
        fail "the hypervisor's free frames changed across the messy domains' ends: $counts"
    fi
    expect_no_log "PANIC"
}

# --- a domU cannot outgrow its memory --------------------------------------------

memory_attacker_stays_within_its_maximum_and_its_neighbour_gets_its_memory_back() {
    boot memory-attack tests/system/memory-attack.domains "${BUILD:-build}/tests/hypercall/memory_attacker.elf"
    expect_status
    expect_end memory-attack neighbour "shutdown +poweroff"
    expect_end memory-attack attacker "shutdown +poweroff"
    expect_log "\(d[0-9]+\) SUMMARY memory_attacker: [0-9]+ passed, [0-9]+ failed$"
    expect_log "\(d[0-9]+\) memory_attacker: took 0 frames beyond a maximum of 2048 pages$"
    expect_log "\(d[0-9]+\) memory_attacker: neighbour got 1024 of 1024 frames back$"
    expect_no_log "PANIC"
    count_guest_cases
}

# --- dom0's xenstore and console backends ----------------------------------------

xenbus_client_is_served_by_dom0s_backends() {
    boot xenbus tests/system/xenbus.domains "${BUILD:-build}/tests/hypercall/xenbus_client.elf"
    expect_status
    expect_end xenbus xenbus "shutdown +poweroff"
    expect_end xenbus peer "shutdown +poweroff"
    expect_log "\(d[0-9]+\) SUMMARY xenbus_client: [0-9]+ passed, [0-9]+ failed$"
    expect_log "\(d0\) console d[0-9]+: xenbus_client: hello through the console ring$"
    expect_log "\(d0\) toolstack: xenbus \(domain [0-9]+\): xenstore: request longer than XENSTORE_PAYLOAD_MAX$"
    expect_log "\(d0\) toolstack: xenbus \(domain [0-9]+\): memory/target set to 6144 KiB \(1536 pages\); it has 2048 pages$"
    expect_log "\(d[0-9]+\) xenbus_client: ballooned down to 1536 pages$"
    expect_log "\(d0\) toolstack: xenbus \(domain [0-9]+\) has 1536 pages; the machine has [0-9]+ frames free$"
    expect_no_log "\(d0\) toolstack: .*(failed|vanished)"
    expect_no_log "PANIC"
    count_guest_cases
}

# --- the frontends' libraries (frontend/) ----------------------------------------

frontend_libraries_work_against_dom0_and_the_hypervisor() {
    boot frontend tests/system/frontend.domains "${BUILD:-build}/tests/hypercall/xenbus_library.elf" \
        "${BUILD:-build}/tests/hypercall/grant_client.elf"
    expect_status
    expect_end frontend xenbus2 "shutdown +poweroff"
    expect_end frontend grants "shutdown +poweroff"
    expect_log "\(d[0-9]+\) SUMMARY xenbus_library: [0-9]+ passed, [0-9]+ failed$"
    expect_log "\(d[0-9]+\) SUMMARY grant_client: [0-9]+ passed, [0-9]+ failed$"
    expect_no_log "PANIC"
    count_guest_cases
}

# --- the split block device from our PV kernel (frontend/, tests/system/block.domains) --

# healthy_domain_passes SCENARIO DOMAIN FAMILY: it ended powered off, and
# its own SUMMARY (found through its domain id) shows no failure.
healthy_domain_passes() {
    local id
    expect_end "$1" "$2" "shutdown +poweroff"
    id=$(summary_row "$1" "$2" | sed -nE "s/.*toolstack: $1 +$2 +([0-9]+) .*/\1/p")
    if ! grep -Eq "\(d${id:-none}\) SUMMARY $3: [1-9][0-9]* passed, 0 failed$" "$log"; then
        fail "no clean SUMMARY $3 line from $2 (domain ${id:-unknown}) in scenario $1"
    fi
}

# first_vbd_holds_its_pattern SEED SECTORS: on the host, the image holds
# what a filling disk test of that seed wrote on a vbd of SECTORS starting
# at the image's first sector (the pattern numbers the vbd's sectors, the
# tool the image's): every sector of it.
first_vbd_holds_its_pattern() {
    local output
    if ! output=$("$pattern_tool" "$work/disk.img" "$1" "0+$2" 2>&1); then
        fail "the image does not hold seed $1's pattern: $output"
    fi
}

disk_io_survives_malicious_frontends_and_outlives_its_domains() {
    local timeout_seconds=$((timeout_seconds * 4)) attacker first_log
    truncate -s 128M "$work/disk.img"
    qemu_options="--disk $work/disk.img" boot block tests/system/block.domains "$pv_kernel"
    expect_status
    healthy_domain_passes requests healthy disk_test
    healthy_domain_passes storms healthy2 disk_test
    for attacker in beyond badref foreign backwards lastsect noseg; do
        expect_end requests "$attacker" "shutdown +poweroff"
    done
    for attacker in manyseg outside unknownop storm silent; do
        expect_end storms "$attacker" "shutdown +poweroff"
    done
    expect_end verify badring "shutdown +poweroff"
    expect_end verify revoke "shutdown +poweroff"
    expect_end storms crasher "shutdown +crash"
    expect_log "\(d[0-9]+\) disk_attack: crashing with 32 requests in flight$"
    expect_log "\(d[0-9]+\) disk_attack: storm: [0-9]+ requests sent, [1-9][0-9]* answered \(0 errors\)"
    expect_log "\(d0\) toolstack: d[0-9]+ vbd 51712: the frontend's request producer ran beyond the ring$"
    # Fourteen malicious frontends; the crasher never gets to its SUMMARY.
    if [ "$(grep -Ec "\(d[0-9]+\) SUMMARY disk_attack: [1-9][0-9]* passed, 0 failed$" "$log")" -ne 13 ]; then
        fail "not every malicious frontend reported a clean SUMMARY disk_attack (13 expected)"
    fi
    if [ "$(grep -Ec "\(d[0-9]+\) SUMMARY disk_verify: [1-9][0-9]* passed, 0 failed$" "$log")" -ne 2 ]; then
        fail "the verify scenario did not read both healthy ranges back cleanly"
    fi
    healthy_domain_passes verify aftercrash disk_test
    healthy_domain_passes verify seconddisk disk_test
    expect_log "\(d[0-9]+\) blkfront device/vbd/51728: connected to /local/domain/0/backend/vbd/[0-9]+/51728 "
    expect_no_log "PANIC"
    count_guest_cases
    first_vbd_holds_its_pattern 7 32768
    first_log=$log
    qemu_options="--disk $work/disk.img" boot block-verify tests/system/block-verify.domains "$pv_kernel"
    expect_status
    if [ "$(grep -Ec "\(d[0-9]+\) SUMMARY disk_verify: [1-9][0-9]* passed, 0 failed$" "$log")" -ne 2 ]; then
        fail "after a new boot, the healthy ranges did not read back cleanly"
    fi
    count_guest_cases
    cat "$first_log" >>"$log"
    rm -f "$work/disk.img"
}

# --- the split network device from our PV kernel (frontend/, tests/system/network.domains) --

# domain_id SCENARIO DOMAIN: its domain id, from dom0's summary.
domain_id() {
    summary_row "$1" "$2" | sed -nE "s/.*toolstack: $1 +$2 +([0-9]+) .*/\1/p"
}

# vif_disabled_alone SCENARIO DOMAIN REASON: dom0 disabled that domain's vif for REASON.
vif_disabled_alone() {
    local id
    id=$(domain_id "$1" "$2")
    expect_log "\(d0\) toolstack: d${id:-none} vif 0: $3"
}

network_survives_malicious_frontends() {
    local timeout_seconds=$((timeout_seconds * 5)) scenario attacker disabled
    qemu_options="--net" boot network tests/system/network.domains "$pv_kernel"
    expect_status
    healthy_domain_passes refused-packets healthy1 net_test
    healthy_domain_passes refused-packets healthy2 net_test
    healthy_domain_passes disabled-vifs healthy3 net_test
    healthy_domain_passes disabled-vifs healthy4 net_test
    healthy_domain_passes floods healthy5 net_test
    healthy_domain_passes floods healthy6 net_test
    for attacker in badgrant moreslots oversized undersized manyslots; do
        expect_end refused-packets "$attacker" "shutdown +poweroff"
    done
    for attacker in beyond rxbeyond crossing badextra badring; do
        expect_end disabled-vifs "$attacker" "shutdown +poweroff"
    done
    for attacker in flood starved norxcopy; do
        expect_end floods "$attacker" "shutdown +poweroff"
    done
    expect_end floods dying "shutdown +crash"
    expect_log "\(d[0-9]+\) net_attack: crashing with [1-9][0-9]* tx slots in flight"
    expect_log "\(d[0-9]+\) net_attack: flood: [1-9][0-9]* broadcast frames sent in [0-9]+ ms, [1-9][0-9]* answered, 0 with errors$"
    vif_disabled_alone disabled-vifs beyond "the frontend's tx request producer ran beyond the ring"
    vif_disabled_alone disabled-vifs rxbeyond "the frontend's rx request producer ran beyond the ring"
    vif_disabled_alone disabled-vifs crossing "the frontend sent a malformed packet"
    vif_disabled_alone disabled-vifs badextra "the frontend sent a malformed packet"
    vif_disabled_alone refused-packets moreslots "the frontend sent a malformed packet"
    vif_disabled_alone refused-packets manyslots "the frontend sent a malformed packet"
    vif_disabled_alone disabled-vifs badring "mapping a ring failed"
    vif_disabled_alone floods norxcopy "the frontend does not request rx-copy"
    # Six vifs disabled, one per scenario's fatal attacker, no other.
    disabled=$(grep -Ec "\(d0\) toolstack: d[0-9]+ vif 0: the frontend('s (tx|rx) request producer ran beyond the ring| sent a malformed packet)" "$log")
    [ "$disabled" -eq 6 ] || fail "dom0 disabled $disabled vifs, not the 6 of the fatal attacks"
    # Fourteen malicious frontends; the dying one never gets to its SUMMARY.
    if [ "$(grep -Ec "\(d[0-9]+\) SUMMARY net_attack: [1-9][0-9]* passed, 0 failed$" "$log")" -ne 13 ]; then
        fail "not every malicious frontend reported a clean SUMMARY net_attack (13 expected)"
    fi
    grep -E "\(d[0-9]+\) net_test: echoes: " "$log" | sed -E 's/.*net_test: /     /'
    expect_no_log "PANIC"
    count_guest_cases
}

# --- xl console: dom0's shell typed into through the serial line ----------------
# (tests/lib/serial_typist.py), the domU our PV kernel's console-echo role
# (tests/system/xl/echo.cfg, auto-started as /etc/xen/auto/echo.cfg).

dom0_prompt='root@dom0:~# '

# boot_dom0_shell NAME: dom0's shell with echo.cfg auto-started and
# bad.cfg beside it, typing $typing.
boot_dom0_shell() {
    dom0_command_line="shell" boot_typing "$1" /dev/null "boot/pv-kernel.elf=$pv_kernel" \
        etc/xen/echo.cfg=tests/system/xl/echo.cfg etc/xen/auto/echo.cfg=tests/system/xl/echo.cfg \
        etc/xen/bad.cfg=tests/system/xl/bad.cfg
}

# An idle shell sleeps until something happens (typing, a backend event,
# VIRQ_DOM_EXC): with a domU computing and nothing typed for two seconds,
# dom0's shell loop wakes at most once per typed byte (25 here) plus the
# domU's few console and xenstore events, where a periodic 20 ms wake would
# add 50 a second.  The shell reports its wakes in the log when it ends.
xl_shell_sleeps_until_typing_while_a_domu_computes() {
    local report wakes
    typing=("wait:$dom0_prompt" 'send:xl list\r' 'wait:busy +[0-9]+ +16 ' "wait:$dom0_prompt" 'pause:2'
            'send:xl list\r' 'wait:busy +[0-9]+ +16 ' "wait:$dom0_prompt" 'send:poweroff\r')
    dom0_command_line="shell" boot_typing xl-idle /dev/null "boot/pv-kernel.elf=$pv_kernel" \
        etc/xen/auto/busy.cfg=tests/system/xl/busy.cfg
    expect_status
    report=$(grep -Eo 'xl-shell: its loop woke [0-9]+ times in [0-9]+ ms' "$log")
    [ -n "$report" ] || { fail "dom0's shell reported no wakes"; return; }
    wakes=$(awk '{print $5}' <<<"$report")
    [ "$wakes" -le 50 ] || fail "the idle shell woke more often than typing explains: $report"
}

xl_console_reaches_a_domu_and_ctrl_close_bracket_comes_back() {
    typing=("wait:$dom0_prompt" 'wait:console-echo: ready' 'send:xl console echo\r' 'pause:1' 'send:\r'
            'wait:echo> ' 'send:hello pvmon\r' 'wait:echo: hello pvmon' 'send:\x1d' "wait:$dom0_prompt"
            'send:xl list\r' 'wait:echo +[0-9]+ +16 ' "wait:$dom0_prompt" 'send:poweroff\r')
    boot_dom0_shell xl-console
    expect_status
    expect_log "\(d[0-9]+\) console-echo: read 'hello pvmon'"
    # Raw while attached: the domU's answer reached the terminal itself, not as a log line.
    expect_screen "^echo: hello pvmon$"
    expect_no_screen "console d[0-9]+: echo: hello pvmon"
}

xl_console_flood_does_not_starve_dom0s_prompt() {
    typing=("wait:$dom0_prompt" 'wait:console-echo: ready' 'send:xl console echo\r' 'pause:1' 'send:\r'
            'wait:echo> ' 'send:flood 200000\r' 'wait:flood line [0-9]+ of 200000' 'send:\x1d'
            "wait:$dom0_prompt" 'send:xl list\r' 'wait:echo +[0-9]+ +16 ' "wait:$dom0_prompt"
            'send:poweroff\r')
    typist_wait_seconds=30 boot_dom0_shell xl-console-flood
    expect_status
    expect_log "console-echo: flooding 200000 lines"
    # The flood was still going when dom0 answered xl list and powered off:
    # the prompt did not wait for it.
    if ! sed -n '/^Name  *ID  *Mem VCPUs/,$p' "$screen" | grep -Eq "console d[0-9]+: flood line [0-9]+ of 200000"; then
        fail "no flood line after xl list's answer: the flood had ended before the prompt answered"
    fi
    expect_no_log "console-echo: flood done"
}

xl_console_follows_a_reboot_under_on_reboot_restart() {
    typing=("wait:$dom0_prompt" 'wait:console-echo: ready' 'send:xl console echo\r' 'pause:1' 'send:\r'
            'wait:echo> ' 'send:reboot\r' "wait:$dom0_prompt" 'wait:console-echo: ready'
            'send:xl console echo\r' 'pause:1' 'send:\r' 'wait:echo> ' 'send:again\r' 'wait:echo: again'
            'send:\x1d' "wait:$dom0_prompt" 'send:poweroff\r')
    boot_dom0_shell xl-console-reboot
    expect_status
    expect_log "\(d[0-9]+\) console-echo: reboot"
    expect_log "\(d[0-9]+\) console-echo: read 'again'"
}

xl_bad_commands_and_configs_get_errors_and_dom0_keeps_running() {
    typing=("wait:$dom0_prompt" 'send:xl console nosuch\r' "wait:$dom0_prompt" 'send:xl frobnicate\r'
            "wait:$dom0_prompt" 'send:xl create /etc/xen/bad.cfg\r' 'wait:bad.cfg:4: '
            "wait:$dom0_prompt" 'send:xl create /etc/xen/missing.cfg\r' "wait:$dom0_prompt"
            'send:xl console\r' "wait:$dom0_prompt" 'send:xl list\r' 'wait:Domain-0 +0 ' "wait:$dom0_prompt"
            'send:poweroff\r')
    boot_dom0_shell xl-errors
    expect_status
    expect_screen "^nosuch is an invalid domain identifier"
    expect_screen "^command not implemented"
    expect_screen "^/etc/xen/bad.cfg:4: config parsing error near \`lots': syntax error, expecting a value"
    expect_screen "^Failed to read config file: /etc/xen/missing.cfg: No such file or directory"
    expect_screen "^'xl console' requires at least 1 argument."
}

# --- checkpoints: xl block-checkpoint, -list and -rollback typed at dom0's shell ----
# (backend/vbd_checkpoint.h), on a qcow2 overlay (guest.qcow2) over a raw
# base with two spare disks (tools/run-qemu.sh --checkpoint-spares 2).

# every_image_checks_clean DIR FILE...: qemu-img check is clean on each.
every_image_checks_clean() {
    local directory=$1 file
    shift
    for file in "$@"; do
        qemu-img check -q "$directory/$file" >"$work/check.out" 2>&1 ||
            fail "qemu-img check $file: exit $?: $(cat "$work/check.out")"
    done
}

# A writer domU writes seed 7 over its whole disk while a checkpoint is
# taken (no write it was answered may be lost: it reads everything back),
# a second checkpoint freezes the complete seed 7, a rollback is refused
# while it runs; then, typed into its console, it writes seed 8.  After it
# ends, a verifier reads seed 8; the disk is rolled back to the second
# checkpoint and a verifier reads seed 7 in every sector.  On the host,
# every image checks clean, qemu-img info --backing-chain shows the chain
# dom0 listed, the chain's contents are seed 7's pattern, and the base is
# untouched.
xl_checkpoint_rollback_gives_a_domu_back_its_disk_as_it_was() {
    local disks="$work/ckpt-disks" timeout_seconds=$((timeout_seconds * 6)) output
    rm -rf "$disks" && mkdir -p "$disks"
    truncate -s 40M "$disks/base.raw"
    qemu-img create -q -f qcow2 -b base.raw -F raw "$disks/guest.qcow2" 40M
    truncate -s 48M "$disks/guest.qcow2"
    typing=("wait:$dom0_prompt" 'send:xl create /etc/xen/ckpt-writer.cfg\r'
            'wait:PASS disk_test: vbd_connects' 'send:xl block-checkpoint writer xvda\r'
            'wait:checkpoint taken: ckpt1.qcow2 takes the writes from now on'
            'wait:disk_test: seed 7 written and read back; waiting for a line on the console'
            'send:xl block-checkpoint writer xvda\r' 'wait:checkpoint taken: ckpt2.qcow2 takes the writes'
            "wait:$dom0_prompt" 'send:xl block-rollback guest.qcow2 ckpt1.qcow2\r'
            'wait:a domain is using the disk' "wait:$dom0_prompt"
            'send:xl block-checkpoint-list writer xvda\r' 'wait:\nfree spares: none' "wait:$dom0_prompt"
            'send:xl console writer\r' 'pause:1' 'send:go\r' 'wait:disk_test: seed 8 written and read back'
            'wait:SUMMARY disk_test: ' "wait:$dom0_prompt"
            'send:xl create /etc/xen/ckpt-verify8.cfg\r' 'wait:SUMMARY disk_verify: '
            'wait:domain [0-9]+ destroyed by domain 0' 'send:\r' "wait:$dom0_prompt"
            'send:xl block-rollback guest.qcow2 ckpt1.qcow2\r' 'wait:rolled back to checkpoint ckpt1.qcow2'
            "wait:$dom0_prompt" 'send:xl create /etc/xen/ckpt-verify7.cfg\r' 'wait:SUMMARY disk_verify: '
            'wait:domain [0-9]+ destroyed by domain 0' 'send:\r' "wait:$dom0_prompt"
            'send:xl block-checkpoint-list guest.qcow2\r' 'wait:\nckpt2.qcow2 +qcow2 +top: takes the writes'
            "wait:$dom0_prompt" 'send:poweroff\r')
    typist_wait_seconds=200 qemu_options="--disk-read-only $disks/base.raw --disk $disks/guest.qcow2 --checkpoint-spares 2" \
        dom0_command_line="shell" boot_typing xl-checkpoint /dev/null "boot/pv-kernel.elf=$pv_kernel" \
        etc/xen/ckpt-writer.cfg=tests/system/xl/ckpt-writer.cfg \
        etc/xen/ckpt-verify7.cfg=tests/system/xl/ckpt-verify7.cfg \
        etc/xen/ckpt-verify8.cfg=tests/system/xl/ckpt-verify8.cfg
    expect_status
    if [ "$(grep -Ec "\(d[0-9]+\) SUMMARY disk_test: [1-9][0-9]* passed, 0 failed$" "$log")" -ne 1 ]; then
        fail "the writer did not read back both seeds cleanly across two checkpoints"
    fi
    if [ "$(grep -Ec "\(d[0-9]+\) SUMMARY disk_verify: [1-9][0-9]* passed, 0 failed$" "$log")" -ne 2 ]; then
        fail "a verifier did not read its seed back (seed 8 before the rollback, seed 7 after)"
    fi
    # The first checkpoint came while the writer was writing seed 7: after it
    # connected, before it had finished writing.
    if ! sed -n '/PASS disk_test: vbd_connects/,/PASS disk_test: write_/p' "$log" |
        grep -q "toolstack: checkpoint: guest.qcow2 frozen, ckpt1.qcow2 takes its writes"; then
        fail "the first checkpoint did not come while the writer was writing"
    fi
    expect_screen "^ckpt2.qcow2 +qcow2 +top: takes the writes$"
    expect_screen "^ckpt1.qcow2 +qcow2 +checkpoint$"
    expect_screen "^guest.qcow2 +qcow2 +checkpoint$"
    expect_screen "^base.raw +raw +backing$"
    expect_no_log "PANIC"
    every_image_checks_clean "$disks" guest.qcow2 ckpt1.qcow2 ckpt2.qcow2
    output=$(qemu-img info --backing-chain "$disks/ckpt2.qcow2" | sed -n 's/^image: .*\///p' | tr '\n' ' ')
    [ "$output" = "ckpt2.qcow2 ckpt1.qcow2 guest.qcow2 base.raw " ] ||
        fail "qemu-img info --backing-chain ckpt2.qcow2 shows '$output'"
    qemu-img convert -O raw "$disks/ckpt2.qcow2" "$work/ckpt-contents.raw" || fail "qemu-img convert failed"
    if ! output=$("$pattern_tool" "$work/ckpt-contents.raw" 7 "0+81920" 2>&1); then
        fail "the rolled-back chain does not hold seed 7's pattern: $output"
    fi
    cmp -s "$disks/base.raw" <(head -c 40M /dev/zero) || fail "the base image changed"
    count_guest_cases
    rm -rf "$disks" "$work/ckpt-contents.raw"
}

# --- dom0's shell and xl --------------------------------------------------------

# xl_ramdisk NAME: $work/NAME.cpio, dom0's kernel and a ramdisk laid out as
# a dom0's root: /boot/pv-kernel (the domUs' kernel), /boot/xenbus_client
# (tests/hypercall/xenbus_client.c, which balloons), /etc/xen/*.cfg from
# tests/system/xl/ and /etc/xen/auto/autostarted.cfg.
xl_ramdisk() {
    local staging="$work/$1-root"
    rm -rf "$staging"
    mkdir -p "$staging/boot" "$staging/etc/xen/auto"
    cp "$pv_kernel" "$staging/boot/pv-kernel"
    cp "${BUILD:-build}/tests/hypercall/xenbus_client.elf" "$staging/boot/xenbus_client"
    cp tests/system/xl/guest.cfg tests/system/xl/broken.cfg tests/system/xl/rebooter.cfg \
        tests/system/xl/crasher.cfg tests/system/xl/balloon.cfg "$staging/etc/xen/"
    cp tests/system/xl/autostarted.cfg "$staging/etc/xen/auto/"
    (cd "$staging" && find . -type f | sed 's|^\./||' | sort | cpio -o -H newc --quiet) >"$work/dom0-ramdisk.cpio"
    cp "$pv_kernel" "$work/pv-kernel.elf"
    (cd "$work" && printf '%s\n' pv-kernel.elf dom0-ramdisk.cpio | cpio -o -H newc --quiet) >"$work/$1.cpio"
    rm -rf "$staging" "$work/dom0-ramdisk.cpio"
}

# list_time DOMAIN N: the Time(s) column of DOMAIN's Nth line in xl list's output.
list_time() {
    grep -E "^$1 +[0-9]+ +[0-9]+ +1 +[-a-zA-Z]{6} +[0-9.]+$" "$screen" | sed -n "$2p" | awk '{print $NF}'
}

# free_memory N: the Nth free_memory figure xl info printed.
free_memory() {
    grep -E '^free_memory +: [0-9]+$' "$screen" | sed -n "$1p" | awk '{print $NF}'
}

# dom0 with 'shell': xl's verbs typed on the serial line
# (tests/lib/serial_typist.py) as a person would, the screen read back:
# xendomains' autostart, xl list before and after xl create, xl pause
# stops a computing domU's CPU time and xl unpause lets it run, xl mem-set
# has a domU balloon down to its new target, xl info's
# free memory falls with a domain and comes back after xl destroy,
# xl.cfg's on_poweroff=restart brings a domU back under its name and
# on_crash=preserve keeps a crashed one listed until destroyed, and wrong
# commands and configs get xl's messages while dom0 keeps going; poweroff
# ends the shell and pvmon shuts down cleanly.
xl_shell_runs_xls_verbs_typed_on_the_serial_line() {
    local name=xl-shell socket="$work/xl-shell.sock" qemu prompt='wait:root@dom0:~# '
    local paused_first paused_second running_first running_second
    log="$work/$name.log"
    screen="$work/$name.screen"
    : >"$log"
    rm -f "$socket" "$screen"
    xl_ramdisk "$name"
    tools/run-qemu.sh pvh "$image" "$work/$name.cpio" --timeout $((timeout_seconds * 3)) --log "$log" \
        --serial-socket "$socket" --append "idle_seconds=1 -- shell" 2>"$work/$name.run" &
    qemu=$!
    TYPIST_WAIT_SECONDS=$timeout_seconds tests/lib/serial_typist.py "$socket" "$screen" \
        'wait:xl-shell: ready' "$prompt" 'send:xl list\r' 'wait:\nautostarted +1 ' "$prompt" \
        'send:xl info\r' 'wait:\nfree_memory +: ' "$prompt" \
        'send:xl create /etc/xen/guest.cfg\r' 'wait:Parsing config from /etc/xen/guest.cfg' \
        'wait:toolstack: guest is domain 2: ' "$prompt" 'send:xl list\r' 'wait:\nguest +2 +16 +1 +r-----' "$prompt" \
        'send:xl info\r' 'wait:\nfree_memory +: ' "$prompt" \
        'send:xl pause autostarted\r' "$prompt" 'send:xl list 1\r' 'wait:\nautostarted .*--p---' "$prompt" \
        'pause:1' 'send:xl list autostarted\r' 'wait:\nautostarted .*--p---' "$prompt" \
        'send:xl unpause 1\r' "$prompt" 'send:xl list autostarted\r' 'wait:\nautostarted .*r-----' "$prompt" \
        'pause:1' 'send:xl list autostarted\r' 'wait:\nautostarted .*r-----' "$prompt" \
        'send:xl mem-set guest 12m\r' "$prompt" 'send:xl mem-set guest 1g\r' \
        'wait:memory_dynamic_max must be less than or equal to memory_static_max' "$prompt" \
        'send:xl destroy guest\r' "$prompt" 'send:xl list guest\r' \
        'wait:guest is an invalid domain identifier \(rc=-6\)' "$prompt" \
        'send:xl info\r' 'wait:\nfree_memory +: ' "$prompt" \
        'send:xl frobnicate\r' 'wait:command not implemented' "$prompt" \
        'send:xl pause nobody\r' 'wait:nobody is an invalid domain identifier \(rc=-6\)' "$prompt" \
        'send:xl pause\r' "wait:'xl pause' requires at least 1 argument\." "$prompt" \
        'send:xl mem-set 1 12q\r' 'wait:invalid memory size: 12q' "$prompt" \
        'send:xl create /etc/xen/missing.cfg\r' 'wait:Failed to read config file: /etc/xen/missing.cfg' "$prompt" \
        'send:xl create /etc/xen/broken.cfg\r' "wait:/etc/xen/broken.cfg:2: config parsing error near \`-64'" \
        "$prompt" 'send:ls -l\r' 'wait:-sh: ls: not found' "$prompt" \
        'send:xl create /etc/xen/rebooter.cfg\r' "$prompt" \
        'wait:toolstack: rebooter \(domain [0-9]+\) ended \(poweroff\): action restart' \
        'wait:toolstack: rebooter restarted as domain [0-9]+' 'send:xl destroy rebooter\r' "$prompt" \
        'send:xl create /etc/xen/crasher.cfg\r' "$prompt" \
        'wait:toolstack: crasher \(domain [0-9]+\) ended \(crash\): action preserve' \
        'send:xl list crasher\r' 'wait:\ncrasher .* ---sc-' "$prompt" 'send:xl destroy crasher\r' "$prompt" \
        'send:xl create /etc/xen/balloon.cfg\r' "$prompt" 'send:xl mem-set balloon 6m\r' "$prompt" \
        'wait:ballooned down to 1536 pages' \
        'send:xl top\r' 'wait:NAME +STATE +CPU\(sec\) CPU\(%\)' 'wait:\nautostarte -----r ' "$prompt" \
        'send:xl help\r' 'wait:\n mem-set +Set the current memory usage for a domain' "$prompt" \
        'send:xl list\r' 'wait:\nautostarted +1 ' "$prompt" 'send:poweroff\r' 'wait:xl-shell: ended' \
        2>"$work/$name.typist" || fail "typing: $(cat "$work/$name.typist")"
    wait "$qemu"
    status=$?
    finish_log "$name"
    finish_screen
    expect_status
    expect_screen "^Name +ID +Mem VCPUs"$'\t'"State"$'\t'"Time\(s\)$"
    expect_screen "^Domain-0 +0 +[0-9]+ +1 +r----- +[0-9.]+$"
    expect_log "toolstack: autostarted is domain 1: boot/pv-kernel, 16 MiB"
    paused_first=$(list_time autostarted 3)
    paused_second=$(list_time autostarted 4)
    running_first=$(list_time autostarted 5)
    running_second=$(list_time autostarted 6)
    [ -n "$paused_first" ] && [ "$paused_first" = "$paused_second" ] ||
        fail "a paused domain's CPU time moved: $paused_first then $paused_second"
    awk -v a="$running_first" -v b="$running_second" 'BEGIN { exit !(b > a) }' ||
        fail "an unpaused domain's CPU time did not move: $running_first then $running_second"
    awk -v before="$(free_memory 1)" -v with="$(free_memory 2)" -v after="$(free_memory 3)" \
        'BEGIN { exit !(with < before && after > with) }' ||
        fail "free memory with the guest and after xl destroy: $(free_memory 1) $(free_memory 2) $(free_memory 3)"
    expect_log "domain 2 destroyed by domain 0"
    expect_log "\(d0\) xl-shell: ended"
    expect_log "domain 0 shut down \(poweroff\)"
}

source tests/system/image-cases.sh

for test_case in \
    hypercall_guests_report_every_case \
    demo_busy_share_drops_next_to_a_spinning_neighbour \
    misbehaving_domus_are_killed_alone \
    dom0_hears_of_shutdown_crash_and_destroy_through_virq_dom_exc \
    memory_given_back_by_a_domain_never_reaches_the_next \
    processes_run_to_completion \
    runstate_area_is_current_at_kernel_entry_after_preemption_in_user_mode \
    sys_runstate_refuses_buffers_outside_the_process \
    frames_of_a_messy_domain_all_come_back \
    memory_attacker_stays_within_its_maximum_and_its_neighbour_gets_its_memory_back \
    xenbus_client_is_served_by_dom0s_backends \
    frontend_libraries_work_against_dom0_and_the_hypervisor \
    disk_io_survives_malicious_frontends_and_outlives_its_domains \
    vbds_on_qcow2_compressed_and_encrypted_images_keep_their_data \
    malformed_images_fail_their_devices_alone \
    network_survives_malicious_frontends \
    xl_shell_sleeps_until_typing_while_a_domu_computes \
    xl_console_reaches_a_domu_and_ctrl_close_bracket_comes_back \
    xl_console_flood_does_not_starve_dom0s_prompt \
    xl_console_follows_a_reboot_under_on_reboot_restart \
    xl_bad_commands_and_configs_get_errors_and_dom0_keeps_running \
    xl_shell_runs_xls_verbs_typed_on_the_serial_line \
    xl_checkpoint_rollback_gives_a_domu_back_its_disk_as_it_was; do
    if [[ "$test_case" =~ ${SYSTEM_TEST_ONLY:-.} ]]; then
        run_case "$test_case"
    fi
done
echo "system: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
