#!/usr/bin/env bash
# Linux tests: Linux 6.1 and 6.12 as PV domUs on pvmon, started by dom0's
# toolstack from a ramdisk (tests/linux/*.domains, format in
# pv-guest/kernel/domain_config.h), its console on hvc0 served by dom0's
# console backend (lines "console dN: ..."), xenbus by dom0's xenstore:
#   - pvmon's patched kernel (make linux) and Debian's two stock kernels,
#     6.1 and 6.12 (make linux-stock, unmodified; with LINUX_TEST_CLOUD=1
#     also their cloud flavours, make linux-stock-cloud) each boot beside
#     one of our own PV kernels, run the initramfs's workload (pv-guest/linux/initramfs:
#     fork/exec, anonymous memory checked page by page, a tmpfs file
#     checksum, a pipe ping-pong) under busybox's shell, and power off
#     with SCHEDOP_shutdown; the neighbour finishes its own work, and dom0
#     carries on after both (its summary, then its own shutdown); the
#     patched kernel skipped clearing pages pvmon knew to be zero, and every
#     one was (it checks them: pvmon.verify_zero=1), and batched its
#     page-table clears;
#   - ballooning: dom0 moves the stock kernel's memory/target down and up,
#     Linux's balloon driver follows, pvmon sees the domain's pages go and
#     come back, and the frames given back as free;
#   - free page reporting: two patched 6.1 domUs free 64 MiB four times and
#     idle; the one with it gives free pages back to pvmon and takes them
#     back from pvmon's pre-zeroed pool, skipping their clearing, the one
#     with pvmon.free_page_reporting=off gives nothing back, and every page
#     of both reads back what was written;
#   - a PV disk (QEMU's virtio disk, dom0's blkback, Linux's xen-blkfront):
#     the patched kernel boots with its root on /dev/xvda (a copy of
#     build/linux/root.img, ext4), writes 128 MiB of checksummed blocks,
#     fsyncs and powers off, and the stock kernel, booted next on the same
#     disk, reads every byte back; on the host, e2fsck -fn finds the file
#     system clean and pvmon-disk (disk.c, built for the host) finds every
#     byte in the image too;
#   - durability under a crash: Linux appends fsync'd records, "acked N"
#     after each; QEMU is killed with SIGKILL at a random point after
#     some acks (LINUX_CRASH_SEED seeds the point); the host replays the
#     journal of a copy with e2fsck and finds every acked record intact,
#     and so does Linux booted again on the disk, after which e2fsck -fn
#     is clean;
#   - disk images (tests/linux/image-cases.sh): Linux on a qcow2 overlay
#     over a base, two domUs on overlays of one base, on zstd and zlib
#     compressed images, on an aes-xts-plain64 encrypted image, each
#     writing a file and scattering writes over a known region of its
#     disk; on the host qemu-img check is clean, qemu-img compare (or a
#     decryption, tests/lib/xts_image.py) finds what the guest wrote and
#     the base unchanged; and the crash test below, on a qcow2 overlay;
#   - two Linux domUs at once (the patched and the stock kernel), each on
#     a disk of its own, a half of dom0's one virtio disk (the disk line's
#     range), each verifying what it wrote; on the host each half is a
#     clean file system holding its domain's data;
#   - the network (xen-netfront in both kernels, dom0's netback and
#     bridge): the patched and the stock kernel, each with a vif on
#     xenbr0, ping each other and move 16 MiB over TCP each way with busybox
#     nc, every sender's sha256 equal to its receiver's; and, with dom0's
#     virtio-net on QEMU's user network as the bridge's port 0, the host
#     fetches a file from each one's busybox httpd through a forwarded port
#     (tools/run-qemu.sh --net-forward) and compares its sha256 with the one
#     the domU printed;
#   - dom0's shell (make run's boot: the stock kernel auto-started from
#     /etc/xen/auto/linux.cfg), typed through the serial line: xl console
#     reaches Linux's shell on hvc0, uname -a, /proc/xen/capabilities and a
#     ping to the host answer, Ctrl-] returns to dom0's prompt, and a reboot
#     inside the domU brings it back under on_reboot=restart, its root file
#     system on the PV disk still holding what it wrote before.
# Each boot has a hard timeout (tools/run-qemu.sh); a failing case prints
# why and the tail of the serial log.  Ends with "linux: N passed, N failed";
# the exit status is 0 if all passed, 1 if a case failed, 2 if an input is
# missing (nothing ran).
#
# Run from the top of the tree after 'make all linux linux-stock
# linux-initramfs linux-disk' (and 'make linux-stock-cloud' for
# LINUX_TEST_CLOUD=1, which 'make linux-stock-check' sets).  LINUX_TEST_TIMEOUT (seconds, default 600)
# bounds each QEMU run; LINUX_TEST_CASES=REGEX runs only the cases whose
# names match; KEEP_LOGS=DIR keeps the serial logs, KEEP_IMAGES=DIR the disk
# image cases' files.  LINUX_PATCHED_KERNEL
# and LINUX_PATCHED_VERSION choose another patched kernel than make
# linux's 6.1 (make test-linux-6.12 runs the first case with 6.12's).
set -u
cd "$(dirname "$0")/../.."

build=${BUILD:-build}
image=$build/pvmon.elf
pv_kernel=$build/pv-kernel.elf
programs=$build/programs.cpio
# The patched kernel's image and version: make linux's 6.1 unless told
# (make test-linux-6.12: build/linux/6.12/vmlinux and 6.12).
patched_kernel=${LINUX_PATCHED_KERNEL:-$build/linux/vmlinux}
patched_version=${LINUX_PATCHED_VERSION:-6.1}
stock_kernel=$build/linux/debian-vmlinux
stock_612_kernel=$build/linux/debian-6.12-vmlinux
stock_cloud_kernel=$build/linux/debian-cloud-vmlinux
stock_612_cloud_kernel=$build/linux/debian-6.12-cloud-vmlinux
initramfs=$build/linux/initramfs.cpio
stock_initramfs=$build/linux/initramfs-stock.cpio
disk_image=$build/linux/root.img
disk_mib=128 # pvmon.disk_mib in disk-integrity.domains
timeout_seconds=${LINUX_TEST_TIMEOUT:-600}
qemu_memory_mebibytes=1536
hypervisor_arguments="dom0_mem=384 "
workload_steps=6
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

source tests/lib/dom0-cases.sh
source tests/linux/image-cases.sh
# Debian keeps e2fsck and debugfs in /sbin, outside a user's PATH.
PATH=$PATH:/usr/sbin:/sbin
disk_tool=$work/pvmon-disk

# linux_says REGEX: the lines Linux's init and workload printed on hvc0 matching REGEX.
linux_says() {
    grep -E "\(d0\) console d[0-9]+: pvmon-linux: $1" "$log"
}

# expect_linux_workload SCENARIO DOMAIN [RELEASE-REGEX]: Linux (by default
# 6.1) ran every step of the workload, none failed, and it powered off.
expect_linux_workload() {
    local summary
    expect_log "\(d0\) console d[0-9]+: pvmon-linux: init on Linux ${3:-6\.1\.}"
    summary=$(linux_says "workload [0-9]+ passed, [0-9]+ failed" | tail -n 1)
    if [ -z "$summary" ]; then
        fail "Linux never reported the end of its workload"
    elif ! echo "$summary" | grep -Eq "workload $workload_steps passed, 0 failed$"; then
        fail "Linux's workload: $summary"
    fi
    if linux_says "FAIL" >/dev/null; then
        fail "Linux reported failures: $(linux_says FAIL | head -n 3 | tr '\n' ' ')"
    fi
    linux_says "PASS " | sed -E 's/.*pvmon-linux: /     /'
    expect_end "$1" "$2" "shutdown +poweroff"
    expect_no_log "Kernel panic|PANIC|BUG:|Oops"
}

# expect_neighbour_and_dom0 SCENARIO: our PV kernel beside Linux finished
# its own processes, and dom0 outlived both.
expect_neighbour_and_dom0() {
    expect_log "\(d[0-9]+\) init: forkloop exited with status 0"
    expect_log "\(d[0-9]+\) init: memstress exited with status 0"
    expect_end "$1" neighbour "shutdown +poweroff"
    expect_log "\(d0\) toolstack: summary end"
    expect_log "\(d0\) pv-kernel: shutting down"
    expect_log "domain 0 shut down \(poweroff\)"
}

# patch_counter NAME: a counter of the patched kernel's "counters" line.
patch_counter() {
    linux_says "counters " | tail -n 1 | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# expect_patches_at_work: pvmon's patches did their work, and correctly:
# pages whose clearing was skipped were all zero (verify_zero), and
# zap_pte_range's clears went through batches instead of traps.
expect_patches_at_work() {
    local skipped violations batched
    skipped=$(patch_counter pages_skipped)
    violations=$(patch_counter violations)
    batched=$(patch_counter batched_clears)
    echo "     patched kernel: $skipped page clears skipped, $violations not zero, $batched page-table clears batched"
    if [ -z "$skipped" ] || [ -z "$violations" ] || [ -z "$batched" ]; then
        fail "the patched kernel did not report its counters"
        return
    fi
    [ "$skipped" -gt 0 ] || fail "the patched kernel skipped clearing no page"
    [ "$violations" -eq 0 ] || fail "$violations pages assumed zero were not"
    [ "$batched" -gt 0 ] || fail "the patched kernel batched no page-table clear"
}

patched_linux_runs_its_workload_beside_another_domain() {
    boot linux-patched tests/linux/patched.domains "$patched_kernel" "$initramfs" "$pv_kernel" "$programs"
    expect_status
    expect_linux_workload linux-patched patched "${patched_version//./\\.}\\."
    expect_log "\(d0\) console d[0-9]+: (\[ *[0-9.]+\] )?Linux version ${patched_version//./\\.}\.[0-9]+-pvmon "
    expect_patches_at_work
    expect_neighbour_and_dom0 linux-patched
}

# stock_kernel_runs_its_workload NAME KERNEL RELEASE-REGEX: Debian's
# KERNEL, unmodified, runs the workload beside our PV kernel and powers off
# (tests/linux/stock.domains, with KERNEL's file name for debian-vmlinux);
# its banner names RELEASE-REGEX, a release Debian built.
stock_kernel_runs_its_workload() {
    local name=$1 kernel=$2 release=$3 config=$work/$1.domains
    sed "s/ debian-vmlinux / ${kernel##*/} /" tests/linux/stock.domains >"$config"
    boot "$name" "$config" "$kernel" "$initramfs" "$pv_kernel" "$programs"
    expect_status
    expect_log "\(d0\) console d[0-9]+: \[ *[0-9.]+\] Linux version $release \(debian-kernel@lists\.debian\.org\)"
    expect_linux_workload linux-stock stock "$release"
    expect_no_log "console d[0-9]+: pvmon-linux: counters "
    expect_neighbour_and_dom0 linux-stock
    grep -E "toolstack: linux-stock +stock " "$log" | head -n 1 | sed -E 's/.*toolstack: /     /'
}

# Debian's releases: 6.1.0-57-amd64 (linux-image-amd64), 6.12.118+deb12-amd64
# (linux-image-6.12-amd64), and their -cloud-amd64 flavours.
stock_debian_linux_runs_its_workload_unmodified() {
    stock_kernel_runs_its_workload linux-stock "$stock_kernel" "6\.1\.[0-9]+-[0-9]+-amd64"
}

stock_debian_6_12_runs_its_workload_unmodified() {
    stock_kernel_runs_its_workload linux-stock-6.12 "$stock_612_kernel" "6\.12\.[0-9]+\+deb[0-9]+-amd64"
}

stock_debian_6_1_cloud_runs_its_workload_unmodified() {
    stock_kernel_runs_its_workload linux-stock-cloud "$stock_cloud_kernel" "6\.1\.[0-9]+-[0-9]+-cloud-amd64"
}

stock_debian_6_12_cloud_runs_its_workload_unmodified() {
    stock_kernel_runs_its_workload linux-stock-6.12-cloud "$stock_612_cloud_kernel" \
        "6\.12\.[0-9]+\+deb[0-9]+-cloud-amd64"
}

# pages_reported NAME: the page counts the toolstack logged for the domain, in order.
pages_reported() {
    sed -nE "s/.*\(d0\) toolstack: $1 \(domain [0-9]+\) has ([0-9]+) pages.*/\1/p" "$log"
}

# free_frames_when NAME PAGES: the machine's free frames the toolstack
# logged when the domain had PAGES pages.
free_frames_when() {
    sed -nE "s/.*\(d0\) toolstack: $1 \(domain [0-9]+\) has $2 pages; the machine has ([0-9]+) frames free$/\1/p" \
        "$log" | head -n 1
}

# expect_frames_freed_by_ballooning FIRST-PAGES LOWEST-PAGES: what the
# domain gave back shows in the machine's free frames (at least 90% of it:
# dom0 and the scrubber move a few frames meanwhile).
expect_frames_freed_by_ballooning() {
    local free_first free_lowest given_back
    free_first=$(free_frames_when ballooned "$1")
    free_lowest=$(free_frames_when ballooned "$2")
    given_back=$(($1 - $2))
    echo "     free frames: $free_first at $1 pages, $free_lowest at $2 pages"
    if [ -z "$free_first" ] || [ -z "$free_lowest" ]; then
        fail "the toolstack did not log the machine's free frames"
    elif [ $((free_lowest - free_first)) -lt $((given_back * 9 / 10)) ]; then
        fail "the domain gave back $given_back pages but pvmon's free frames grew by $((free_lowest - free_first))"
    fi
}

linux_balloons_down_and_up_through_xenstore() {
    local low_kib=$((160 * 1024)) high_kib=$((256 * 1024)) pages lowest last
    boot linux-balloon tests/linux/balloon.domains "$stock_kernel" "$initramfs"
    expect_status
    expect_log "\(d0\) console d[0-9]+: pvmon-linux: balloon target_kb=$low_kib current_kb=$low_kib$"
    expect_log "\(d0\) console d[0-9]+: pvmon-linux: balloon target_kb=$high_kib current_kb=$high_kib$"
    linux_says "balloon " | sed -E 's/.*pvmon-linux: /     /'
    pages=$(pages_reported ballooned | tr '\n' ' ')
    echo "     pages of the domain as pvmon counted them: $pages"
    lowest=$(pages_reported ballooned | sort -n | head -n 1)
    last=$(pages_reported ballooned | tail -n 1)
    if [ -z "$lowest" ]; then
        fail "the toolstack never reported the domain's pages changing"
    else
        [ "$lowest" -le $((low_kib / 4)) ] ||
            fail "pvmon never saw the domain at or below $((low_kib / 4)) pages (lowest: $lowest)"
        [ "$last" -ge $((high_kib / 4)) ] ||
            fail "pvmon never saw the domain back at $((high_kib / 4)) pages (last: $last)"
        expect_frames_freed_by_ballooning "$(pages_reported ballooned | head -n 1)" "$lowest"
    fi
    expect_end linux-balloon ballooned "shutdown +poweroff"
    expect_no_log "Kernel panic|PANIC|BUG:|Oops"
}

# console_of_command_line REGEX [EXCLUDED]: the console (dN) of the domU
# whose kernel command line matches REGEX (and not EXCLUDED).
console_of_command_line() {
    sed -nE "s/.*\(d0\) console (d[0-9]+): .*Kernel command line: (.*)/\1 \2/p" "$log" |
        grep -E -- "$1" | grep -Ev -- "${2:-^$}" | head -n 1 | cut -d' ' -f1
}

# reporting_value CONSOLE before|after NAME: a free page reporting counter
# the domU on CONSOLE printed (pvmon.test=free-pages).
reporting_value() {
    sed -nE "s/.*\(d0\) console $1: pvmon-linux: reporting $2 $3=([0-9]+)$/\1/p" "$log" | tail -n 1
}

# prezeroed_value CONSOLE NAME: a pre-zeroed pages counter it printed at the end.
prezeroed_value() {
    sed -nE "s/.*\(d0\) console $1: pvmon-linux: prezeroed $2=([0-9]+)$/\1/p" "$log" | tail -n 1
}

# expect_free_pages_rounds CONSOLE: every round touched, checked and freed
# its memory, and no page assumed zero was not.
expect_free_pages_rounds() {
    expect_log "\(d0\) console $1: pvmon-linux: PASS free-pages rounds=4 failed=0"
    [ "$(prezeroed_value "$1" violations)" = 0 ] ||
        fail "$1: pages assumed zero were not, or no counters: violations=$(prezeroed_value "$1" violations)"
}

# Two domUs of the patched kernel (tests/linux/free-pages.domains) free
# 64 MiB four times and idle: the one with free page reporting gives free
# pages back, pvmon zeroes them while idle, and it takes them back from
# pvmon's pre-zeroed pool, known zero (it skips more clears than the
# other); the one with pvmon.free_page_reporting=off gives nothing back
# and receives no frame.  Every page reads back what was written.
linux_gives_free_pages_back_and_gets_them_back_zeroed_unless_switched_off() {
    local given kept name value
    boot linux-free-pages tests/linux/free-pages.domains "$patched_kernel" "$initramfs"
    expect_status
    given=$(console_of_command_line "pvmon.test=free-pages" "free_page_reporting=off")
    kept=$(console_of_command_line "pvmon.free_page_reporting=off")
    if [ -z "$given" ] || [ -z "$kept" ]; then
        fail "the two domUs' command lines are not in the log"
        return
    fi
    for name in pages_given_back pages_refused pages_taken_back take_back_calls domain_prezeroed_frames_received; do
        value="$(reporting_value "$given" after $name)"
        echo "     reporting on: $name=$value (before: $(reporting_value "$given" before $name))"
    done
    echo "     pages skipped: $(prezeroed_value "$given" pages_skipped) with reporting," \
        "$(prezeroed_value "$kept" pages_skipped) without"
    expect_free_pages_rounds "$given"
    expect_free_pages_rounds "$kept"
    [ "$(reporting_value "$given" after pages_given_back)" -gt 0 ] 2>/dev/null ||
        fail "the domU with free page reporting gave no page back"
    [ "$(reporting_value "$given" after pages_taken_back)" -gt "$(reporting_value "$given" before pages_taken_back)" ] \
        2>/dev/null || fail "the domU with free page reporting took no page back while it ran"
    [ "$(reporting_value "$given" after domain_prezeroed_frames_received)" -gt \
        "$(reporting_value "$given" before domain_prezeroed_frames_received)" ] 2>/dev/null ||
        fail "the domU with free page reporting received no frame from pvmon's pre-zeroed pool"
    [ "$(prezeroed_value "$given" pages_skipped)" -gt "$(prezeroed_value "$kept" pages_skipped)" ] 2>/dev/null ||
        fail "the domU with free page reporting skipped no more clears than the one without"
    [ "$(reporting_value "$kept" after enabled)" = 0 ] || fail "pvmon.free_page_reporting=off left it enabled"
    [ "$(reporting_value "$kept" after pages_given_back)" = 0 ] ||
        fail "the domU with free page reporting off gave pages back"
    [ "$(reporting_value "$kept" after domain_frames_received)" = "$(reporting_value "$kept" before domain_frames_received)" ] ||
        fail "the domU with free page reporting off received frames while it ran"
    expect_end linux-free-pages given "shutdown +poweroff"
    expect_end linux-free-pages kept "shutdown +poweroff"
    expect_no_log "Kernel panic|PANIC|BUG:|Oops"
}

# fresh_disk NAME: a copy of the root image for one case; prints its path.
fresh_disk() {
    cp --sparse=always "$disk_image" "$work/$1.img" && echo "$work/$1.img"
}

# expect_clean_file_system IMAGE WHAT: e2fsck -fn finds nothing to fix.
expect_clean_file_system() {
    if ! e2fsck -f -n "$1" >"$work/e2fsck.log" 2>&1; then
        fail "e2fsck -fn finds the file system $2 damaged: $(grep -v '^Pass\|^e2fsck' "$work/e2fsck.log" |
            head -n 4 | tr '\n' ' ')"
    fi
}

# host_copy_of IMAGE PATH OUTPUT: the file PATH of the image's file system,
# taken out with debugfs (no mount, no root).
host_copy_of() {
    rm -f "$3"
    debugfs -R "dump -p $2 $3" "$1" >"$work/debugfs.log" 2>&1 && [ -f "$3" ]
}

# expect_host_finds_the_data IMAGE SEED MIB: /data/integrity.bin of the
# image holds every byte Linux wrote, checked on the host.
expect_host_finds_the_data() {
    local result
    if ! host_copy_of "$1" /data/integrity.bin "$work/integrity.bin"; then
        fail "debugfs cannot take /data/integrity.bin out of the image: $(tail -n 2 "$work/debugfs.log")"
        return
    fi
    result=$("$disk_tool" verify "$work/integrity.bin" "$3" "$2" 2>&1 | tail -n 1)
    rm -f "$work/integrity.bin"
    echo "     on the host: ${result#pvmon-linux: }"
    echo "$result" | grep -q "PASS disk-verify" || fail "the host's check of the image: $result"
}

# report_disk_rate STEP: the MB/s Linux saw for its disk-write or disk-verify.
report_disk_rate() {
    local line bytes nanoseconds
    line=$(linux_says "PASS $1 " | tail -n 1)
    bytes=$(echo "$line" | sed -nE 's/.* bytes=([0-9]+).*/\1/p')
    nanoseconds=$(echo "$line" | sed -nE 's/.* (write|read)-ns=([0-9]+).*/\2/p')
    if [ -n "$bytes" ] && [ -n "$nanoseconds" ] && [ "$nanoseconds" -gt 0 ]; then
        echo "     $1: $((bytes / 1048576)) MiB in $((nanoseconds / 1000000)) ms," \
            "$((bytes * 1000 / nanoseconds)) MB/s (TCG)"
    fi
}

linux_on_xvda_keeps_every_byte_across_boots_and_kernels() {
    local name=linux-disk seed=12 disk # seed: pvmon.disk_seed in disk-integrity.domains
    disk=$(fresh_disk "$name") || { fail "cannot copy $disk_image"; return; }
    local qemu_options="--disk $disk"
    boot "$name" tests/linux/disk-integrity.domains "$patched_kernel" "$initramfs" \
        "$stock_kernel" "$stock_initramfs"
    expect_status
    expect_log "\(d0\) console d[0-9]+: pvmon-linux: modules loaded: crc32c_generic xen_blkfront jbd2 mbcache crc16 ext4 xen_netfront xen_privcmd xenfs$"
    expect_log "\(d0\) console d[0-9]+: pvmon-linux: root on /dev/xvda "
    expect_log "\(d0\) console d[0-9]+: pvmon-linux: PASS disk-write bytes=$((disk_mib * 1048576)) "
    expect_log "\(d0\) console d[0-9]+: pvmon-linux: PASS disk-verify bytes=$((disk_mib * 1048576)) "
    report_disk_rate disk-write
    report_disk_rate disk-verify
    # Linux's fsync reached dom0 as FLUSH_DISKCACHE requests (blkback's counters when the vbd goes).
    expect_log "\(d0\) toolstack: d[0-9]+ vbd 51712: [0-9]+ reads \([0-9]+ sectors\), [1-9][0-9]* writes \([0-9]+ sectors\), [1-9][0-9]* flushes,"
    grep -E "toolstack: d[0-9]+ vbd 51712: [0-9]+ reads" "$log" | head -n 1 | sed -E 's/.*toolstack: /     writer: /'
    expect_no_log "pvmon-linux: FAIL"
    expect_end linux-disk-write writer "shutdown +poweroff"
    expect_end linux-disk-verify verifier "shutdown +poweroff"
    expect_no_log "Kernel panic|PANIC|BUG:|Oops"
    expect_clean_file_system "$disk" "after both boots"
    expect_host_finds_the_data "$disk" "$seed" "$disk_mib"
    rm -f "$disk"
}

# acked_count: the last "acked N" Linux printed in $log (0 if none), read
# while QEMU may still be writing the log: its lines end in CR LF until
# finish_log, and the last may be cut (then N is too small, never too big).
acked_count() {
    tr -d '\r' <"$log" |
        sed -nE 's/.*\(d0\) console d[0-9]+: pvmon-linux: acked ([0-9]+)$/\1/p' | tail -n 1 | grep . || echo 0
}

# qemu_under PID: the QEMU process run-qemu.sh (PID) started, through timeout.
qemu_under() {
    local parent=$1 child depth
    for depth in 1 2 3; do
        child=$(pgrep -P "$parent" | head -n 1)
        [ -n "$child" ] || return 1
        case $(cat "/proc/$child/comm" 2>/dev/null) in
        qemu-system*) echo "$child"; return 0 ;;
        esac
        parent=$child
    done
    return 1
}

# boot_and_kill NAME CONFIG ACKS FILE...: boots like boot(), and once Linux
# has printed "acked ACKS" (or more) waits a random 0-999 ms more and kills
# QEMU with SIGKILL.  Sets $status to run-qemu's.
boot_and_kill() {
    local name=$1 config=$2 acks=$3 runner waited=0 qemu started
    shift 3
    boot_archive "$name" "$config" "$@" || return
    run_archive "$name" &
    runner=$!
    started=$(date +%s)
    while [ "$(acked_count)" -lt "$acks" ] && kill -0 "$runner" 2>/dev/null; do
        if [ "$waited" -ge $((timeout_seconds * 5)) ]; then
            break
        fi
        sleep 0.2
        waited=$((waited + 1))
    done
    sleep "0.$(printf '%03d' $((RANDOM % 1000)))"
    if qemu=$(qemu_under "$runner"); then
        kill -KILL "$qemu"
        echo "     QEMU (pid $qemu) killed with SIGKILL $(($(date +%s) - started)) s after it started," \
            "Linux having printed acked $(acked_count)"
    else
        fail "QEMU had ended before the kill, after $(acked_count) acks"
    fi
    wait "$runner"
    status=$?
    finish_log "$name"
}

acked_records_survive_a_sigkill_of_the_machine() {
    local disk acks acked replay intact seed=${LINUX_CRASH_SEED:-$$}
    local records_seed=56 # pvmon.disk_seed in crash-records.domains
    RANDOM=$seed
    acks=$((10 + RANDOM % 40))
    echo "     crash seed $seed: killing after at least $acks acks"
    disk=$(fresh_disk linux-crash) || { fail "cannot copy $disk_image"; return; }
    local qemu_options="--disk $disk"
    boot_and_kill linux-crash tests/linux/crash-records.domains "$acks" "$patched_kernel" "$initramfs"
    acked=$(acked_count)
    expect_log "\(d0\) console d[0-9]+: pvmon-linux: root on /dev/xvda "
    expect_no_log "pvmon-linux: FAIL"
    [ "$acked" -ge "$acks" ] || fail "Linux acked only $acked records before the kill (wanted $acks)"

    # The host's view: the journal of a copy replayed by e2fsck, then the records.
    cp --sparse=always "$disk" "$work/replayed.img"
    e2fsck -f -y "$work/replayed.img" >"$work/e2fsck.log" 2>&1
    replay=$?
    [ "$replay" -le 1 ] || fail "e2fsck -fy of the crashed image's copy exits with $replay: $(tail -n 3 "$work/e2fsck.log" | tr '\n' ' ')"
    expect_clean_file_system "$work/replayed.img" "after the crash and e2fsck's journal replay"
    if host_copy_of "$work/replayed.img" /data/records.bin "$work/records.bin"; then
        intact=$("$disk_tool" check-records "$work/records.bin" "$records_seed" 2>/dev/null |
            sed -nE 's/.*PASS disk-check-records intact=([0-9]+) file-records=([0-9]+)$/\1/p')
        echo "     on the host: $acked acked, ${intact:-none} intact of $(($(stat -c %s "$work/records.bin") / 4096)) in the file"
        [ -n "$intact" ] && [ "$intact" -ge "$acked" ] ||
            fail "the host finds ${intact:-no} records intact, but Linux acked $acked"
    else
        fail "debugfs cannot take /data/records.bin out of the replayed copy: $(tail -n 2 "$work/debugfs.log")"
    fi
    rm -f "$work/replayed.img" "$work/records.bin"

    # Linux's view: booted again on the crashed disk, it replays the journal itself.
    boot linux-crash-check tests/linux/crash-check.domains "$patched_kernel" "$initramfs"
    expect_status
    intact=$(linux_says "PASS disk-check-records intact=[0-9]+ " | sed -nE 's/.* intact=([0-9]+) .*/\1/p' | tail -n 1)
    echo "     Linux booted again: ${intact:-no} records intact"
    [ -n "$intact" ] && [ "$intact" -ge "$acked" ] ||
        fail "Linux booted again finds ${intact:-no} records intact, but it had acked $acked"
    expect_end linux-crash-check checker "shutdown +poweroff"
    expect_no_log "Kernel panic|PANIC|BUG:|Oops"
    expect_clean_file_system "$disk" "after the crash and a boot of Linux on it"
    rm -f "$disk"
}

# halves_of IMAGE: IMAGE.first and IMAGE.second, its two halves as images.
halves_of() {
    local mib=$(($(stat -c %s "$1") / 1048576 / 2))
    dd if="$1" of="$1.first" bs=1M count="$mib" conv=sparse status=none &&
        dd if="$1" of="$1.second" bs=1M skip="$mib" count="$mib" conv=sparse status=none
}

two_linux_domains_each_on_a_disk_of_their_own() {
    local disk verified mib
    mib=$(($(stat -c %s "$disk_image") / 1048576))
    disk=$(fresh_disk linux-two-domains) &&
        dd if="$disk_image" of="$disk" bs=1M seek="$mib" conv=sparse,notrunc status=none ||
        { fail "cannot make the two-root disk from $disk_image"; return; }
    if [ "$mib" -ne 256 ]; then
        fail "two-domains.domains splits the disk at 256 MiB, but $disk_image has $mib MiB"
        return
    fi
    local qemu_options="--disk $disk"
    boot linux-two-domains tests/linux/two-domains.domains "$patched_kernel" "$initramfs" \
        "$stock_kernel" "$stock_initramfs"
    expect_status
    expect_log "\(d0\) toolstack: d[0-9]+ vbd 51712: xvda on vda, sectors 0\+524288, "
    expect_log "\(d0\) toolstack: d[0-9]+ vbd 51712: xvda on vda, sectors 524288\+524288, "
    verified=$(linux_says "PASS disk-verify bytes=$((32 * 1048576)) " | wc -l)
    [ "$verified" -eq 2 ] || fail "$verified of the 2 domains verified their data"
    expect_no_log "pvmon-linux: FAIL"
    expect_end linux-two-domains first "shutdown +poweroff"
    expect_end linux-two-domains second "shutdown +poweroff"
    expect_no_log "Kernel panic|PANIC|BUG:|Oops"
    if halves_of "$disk"; then
        expect_clean_file_system "$disk.first" "of the first domain (the disk's first half)"
        expect_clean_file_system "$disk.second" "of the second domain (the disk's second half)"
        expect_host_finds_the_data "$disk.first" 78 32
        expect_host_finds_the_data "$disk.second" 90 32
    else
        fail "cannot split $disk into its halves"
    fi
    rm -f "$disk" "$disk.first" "$disk.second"
}

# console_of ADDRESS: the console (dN) of the Linux domU that brought eth0 up with ADDRESS.
console_of() {
    sed -nE "s/.*\(d0\) console (d[0-9]+): pvmon-linux: eth0 up address=${1//./\\.}\/.*/\1/p" "$log" | head -n 1
}

# step_value CONSOLE STEP KEY: KEY's value on the domU's last PASS line of STEP.
step_value() {
    sed -nE "s/.*\(d0\) console $1: pvmon-linux: PASS $2 .*[ ]$3=([^ ]+).*/\1/p" "$log" | tail -n 1
}

# expect_tcp_transfer FROM TO: the domU at address FROM sent its random
# bytes with nc, the one at TO received them, and both saw the same sha256.
expect_tcp_transfer() {
    local sender receiver sent received milliseconds bytes
    sender=$(console_of "$1")
    receiver=$(console_of "$2")
    if [ -z "$sender" ] || [ -z "$receiver" ]; then
        fail "no Linux brought eth0 up as $1 or as $2"
        return
    fi
    sent=$(step_value "$sender" net-tcp-send sha256)
    received=$(step_value "$receiver" net-tcp-receive sha256)
    bytes=$(step_value "$receiver" net-tcp-receive bytes)
    milliseconds=$(step_value "$sender" net-tcp-send ms)
    if [ -z "$sent" ] || [ -z "$received" ]; then
        fail "$1 -> $2: the sender or the receiver did not pass (sent ${sent:-nothing}, received ${received:-nothing})"
    elif [ "$sent" != "$received" ]; then
        fail "$1 -> $2: sent sha256 $sent but received $received"
    else
        echo "     $1 -> $2: $bytes bytes over TCP in ${milliseconds:-?} ms, sha256 ${sent:0:16}... on both sides"
    fi
}

# expect_vif_counters DOMAIN-NAME: dom0's netback counters of the domain's
# vif show frames moved both ways.
expect_vif_counters() {
    local domain line
    domain=$(sed -nE "s/.*\(d0\) toolstack: $1 is domain ([0-9]+): .*/\1/p" "$log" | head -n 1)
    line=$(grep -E "\(d0\) toolstack: d${domain:-X} vif 0: tx [0-9]+ packets" "$log" | tail -n 1)
    if [ -z "$line" ]; then
        fail "dom0 reported no counters of $1's vif"
    elif ! echo "$line" | grep -Eq "tx [1-9][0-9]* packets .* rx [1-9][0-9]* packets"; then
        fail "$1's vif moved no frames one way: ${line#*toolstack: }"
    else
        echo "     $1: ${line#*toolstack: }"
    fi
}

linux_domains_ping_each_other_and_move_data_over_tcp() {
    boot linux-network tests/linux/network.domains "$patched_kernel" "$initramfs" \
        "$stock_kernel" "$stock_initramfs"
    expect_status
    expect_log "\(d0\) console d[0-9]+: pvmon-linux: modules loaded: .*xen_netfront"
    expect_log "\(d0\) console d[0-9]+: pvmon-linux: PASS net-ping peer=10\.0\.2\.22 sent=10 received=10 "
    expect_log "\(d0\) console d[0-9]+: pvmon-linux: PASS net-ping peer=10\.0\.2\.21 sent=10 received=10 "
    linux_says "PASS net-ping " | sed -E 's/.*pvmon-linux: PASS /     /'
    expect_tcp_transfer 10.0.2.21 10.0.2.22
    expect_tcp_transfer 10.0.2.22 10.0.2.21
    expect_no_log "pvmon-linux: FAIL"
    expect_end linux-network patched "shutdown +poweroff"
    expect_end linux-network stock "shutdown +poweroff"
    expect_vif_counters patched
    expect_vif_counters stock
    expect_no_log "Kernel panic|PANIC|BUG:|Oops"
}

# free_port: a TCP port on the host's loopback that nothing listens on now.
free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
}

# serving_count: how many domUs have printed that their httpd serves (the
# log is still being written: CR LF line ends).
serving_count() {
    tr -d '\r' <"$log" | grep -cE "\(d0\) console d[0-9]+: pvmon-linux: net-httpd serving "
}

# fetch_and_compare ADDRESS PORT: on the host, fetches /data.bin from the
# domU at ADDRESS through the forwarded PORT, compares its sha256 with the
# one the domU printed, then asks the server to stop.
fetch_and_compare() {
    local console served fetched
    console=$(tr -d '\r' <"$log" | sed -nE "s/.*\(d0\) console (d[0-9]+): pvmon-linux: eth0 up address=${1//./\\.}\/.*/\1/p" | head -n 1)
    served=$(tr -d '\r' <"$log" |
        sed -nE "s/.*\(d0\) console ${console:-X}: pvmon-linux: net-httpd serving \/data\.bin bytes=[0-9]+ sha256=([0-9a-f]+)$/\1/p" |
        head -n 1)
    rm -f "$work/fetched.bin"
    if ! curl -sf -m 300 -o "$work/fetched.bin" "http://127.0.0.1:$2/data.bin"; then
        fail "the host could not fetch http://127.0.0.1:$2/data.bin ($1:80)"
    else
        fetched=$(sha256sum "$work/fetched.bin" | cut -d ' ' -f 1)
        if [ -z "$served" ] || [ "$fetched" != "$served" ]; then
            fail "$1 served sha256 ${served:-(not printed)} but the host fetched $fetched"
        else
            echo "     $1:80 through 127.0.0.1:$2: $(stat -c %s "$work/fetched.bin") bytes, sha256 ${fetched:0:16}... as served"
        fi
    fi
    curl -sf -m 120 -o /dev/null "http://127.0.0.1:$2/cgi-bin/stop" ||
        fail "the host could not ask $1's httpd to stop"
    rm -f "$work/fetched.bin"
}

linux_domains_serve_the_host_through_dom0s_nic() {
    local patched_port stock_port runner waited=0
    patched_port=$(free_port)
    stock_port=$(free_port)
    while [ "$stock_port" = "$patched_port" ]; do stock_port=$(free_port); done
    local qemu_options="--net-forward $patched_port:10.0.2.21:80 --net-forward $stock_port:10.0.2.22:80"
    boot_archive linux-httpd tests/linux/httpd.domains "$patched_kernel" "$initramfs" \
        "$stock_kernel" "$stock_initramfs" || return
    run_archive linux-httpd &
    runner=$!
    while [ "$(serving_count)" -lt 2 ] && kill -0 "$runner" 2>/dev/null &&
        [ "$waited" -lt $((timeout_seconds * 5)) ]; do
        sleep 0.2
        waited=$((waited + 1))
    done
    if [ "$(serving_count)" -lt 2 ]; then
        fail "only $(serving_count) of the 2 domUs started serving"
    else
        fetch_and_compare 10.0.2.21 "$patched_port"
        fetch_and_compare 10.0.2.22 "$stock_port"
    fi
    wait "$runner"
    status=$?
    finish_log linux-httpd
    expect_status
    expect_log "\(d0\) toolstack: xenbr0: [^ ]+ is port 0"
    [ "$(linux_says "PASS net-httpd stopped by a client " | wc -l)" -eq 2 ] ||
        fail "not both httpd were stopped by the host's request"
    expect_no_log "pvmon-linux: FAIL"
    expect_end linux-httpd patched "shutdown +poweroff"
    expect_end linux-httpd stock "shutdown +poweroff"
    expect_vif_counters patched
    expect_vif_counters stock
    expect_no_log "Kernel panic|PANIC|BUG:|Oops"
}

cloud_kernels=()
if [ -n "${LINUX_TEST_CLOUD:-}" ]; then
    cloud_kernels=("$stock_cloud_kernel" "$stock_612_cloud_kernel")
fi
for required in "$image" "$pv_kernel" "$programs" "$patched_kernel" "$stock_kernel" "$stock_612_kernel" \
    "$initramfs" "$stock_initramfs" "$disk_image" "${cloud_kernels[@]}"; do
    if ! [ -f "$required" ]; then
        echo "FAIL linux_images_are_built"
        echo "     $required is missing: run 'make all linux linux-stock linux-initramfs linux-disk'" \
            "(and linux-stock-cloud for LINUX_TEST_CLOUD)"
        echo "linux: 0 passed, 1 failed"
        exit 2
    fi
done
for tool in e2fsck debugfs gcc pgrep curl qemu-img python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "FAIL linux_host_tools_are_there"
        echo "     $tool is missing: run 'make deps' (e2fsprogs, gcc, procps, curl, qemu-utils, python3)"
        echo "linux: 0 passed, 1 failed"
        exit 2
    fi
done
if ! gcc -std=c11 -Wall -Wextra -Werror -O2 -o "$disk_tool" pv-guest/linux/initramfs/disk.c \
    pv-guest/linux/initramfs/common.c; then
    echo "FAIL linux_host_tools_are_there"
    echo "     pv-guest/linux/initramfs/disk.c does not build for the host"
    echo "linux: 0 passed, 1 failed"
    exit 2
fi
if ! gcc -std=c11 -Wall -Wextra -Werror -O2 -o "$scatter_tool" pv-guest/linux/initramfs/scatter.c \
    pv-guest/linux/initramfs/common.c; then
    echo "FAIL linux_host_tools_are_there"
    echo "     pv-guest/linux/initramfs/scatter.c does not build for the host"
    echo "linux: 0 passed, 1 failed"
    exit 2
fi
cloud_cases=()
if [ -n "${LINUX_TEST_CLOUD:-}" ]; then
    cloud_cases=(stock_debian_6_1_cloud_runs_its_workload_unmodified
                 stock_debian_6_12_cloud_runs_its_workload_unmodified)
fi
# --- dom0's shell: xl console into Debian's stock Linux (tools/run.sh's domU,
# pv-guest/config/etc/xen/linux.cfg, auto-started), typed through the serial
# line (tests/lib/serial_typist.py); Ctrl-] comes back to dom0's prompt, and a
# reboot inside the domU brings it back under on_reboot=restart, with what
# it wrote on its root file system (the PV disk) still there.  The domU's
# vif reaches the host (slirp's 10.0.2.2) through dom0's bridge and NIC.

linux_console_shell() {
    local config=pv-guest/config/etc/xen/linux.cfg
    dom0_command_line="shell" boot_typing "$1" /dev/null "boot/vmlinux-debian=$stock_kernel" \
        "boot/initrd-debian.cpio=$stock_initramfs" "etc/xen/linux.cfg=$config" "etc/xen/auto/linux.cfg=$config"
}

xl_console_reaches_linuxs_shell_and_comes_back() {
    local dom0_prompt='root@dom0:~# '
    typing=("wait:$dom0_prompt" 'wait:pvmon-linux: shell reached' 'send:xl console linux\r' 'pause:1'
            'send:\r' 'wait:# ' 'send:uname -a\r' 'wait:Linux [^ ]+ 6\.1\.[^ ]+ .*x86_64'
            'send:cat /proc/xen/capabilities; echo "capabilities-read=$?"\r' 'wait:capabilities-read=0'
            'send:ping -c 1 10.0.2.2\r' 'wait:1 packets transmitted, 1 packets received'
            'send:echo kept-across-reboot > /mark; sync\r' 'wait:# '
            'send:\x1d' "wait:$dom0_prompt" 'send:xl console linux\r' 'pause:1' 'send:\r' 'wait:# '
            'send:reboot -f\r' "wait:$dom0_prompt" 'wait:pvmon-linux: shell reached' 'send:xl list\r'
            'wait:linux +[0-9]+ +256 ' "wait:$dom0_prompt" 'send:xl console linux\r' 'pause:1' 'send:\r'
            'wait:# ' 'send:cat /mark\r' 'wait:^kept-across-reboot' 'send:\x1d' "wait:$dom0_prompt"
            'send:poweroff\r')
    local disk
    disk=$(fresh_disk xl-console-linux) || { fail "cannot copy $disk_image"; return; }
    qemu_options="--net --disk $disk" typist_wait_seconds=240 linux_console_shell xl-console-linux
    expect_status
    expect_log "\(d0\) console d[0-9]+: pvmon-linux: root on /dev/xvda "
    expect_screen "^Linux [^ ]+ 6\.1\.[^ ]+ .*x86_64"
    expect_screen "^capabilities-read=0"
    expect_screen "^1 packets transmitted, 1 packets received"
    expect_log "toolstack: linux \(domain [0-9]+\) ended \(reboot\): action restart"
    expect_log "toolstack: linux restarted as domain [0-9]+"
    expect_screen "^kept-across-reboot"
}

for test_case in \
    patched_linux_runs_its_workload_beside_another_domain \
    stock_debian_linux_runs_its_workload_unmodified \
    stock_debian_6_12_runs_its_workload_unmodified \
    "${cloud_cases[@]}" \
    linux_balloons_down_and_up_through_xenstore \
    linux_gives_free_pages_back_and_gets_them_back_zeroed_unless_switched_off \
    linux_on_xvda_keeps_every_byte_across_boots_and_kernels \
    acked_records_survive_a_sigkill_of_the_machine \
    two_linux_domains_each_on_a_disk_of_their_own \
    "${image_cases[@]}" \
    linux_domains_ping_each_other_and_move_data_over_tcp \
    linux_domains_serve_the_host_through_dom0s_nic \
    xl_console_reaches_linuxs_shell_and_comes_back; do
    if [[ $test_case =~ ${LINUX_TEST_CASES:-.} ]]; then
        run_case "$test_case"
    fi
done
echo "linux: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
