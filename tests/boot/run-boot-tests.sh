#!/usr/bin/env bash
# Boot tests: pvmon booted in QEMU on both boot paths, with assertions on
# the serial log and on how QEMU ended.  Every boot has a hard timeout and
# ends in a distinct status (tools/run-qemu.sh); a failing case prints what
# it expected and the tail of the serial log.  Prints one line per case
# and "boot: N passed, N failed".
#
# Run from the top of the tree after 'make'.  BOOT_TEST_TIMEOUT (seconds,
# default 60) bounds each QEMU run; KEEP_LOGS=DIR keeps the serial logs;
# BOOT_TEST_ONLY=REGEX runs only the cases whose names match it.
set -u
cd "$(dirname "$0")/../.."

image=${BUILD:-build}/pvmon.elf
pv_kernel=${BUILD:-build}/pv-kernel.elf
checksum_tool=${BUILD:-build}/tools/module-checksum
pattern_tool=${BUILD:-build}/tools/disk-pattern-check
timeout_seconds=${BOOT_TEST_TIMEOUT:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
failures=()
log=""
status=""

fail() {
    failures+=("$*")
}

status_name() {
    case $1 in
    0) echo "clean shutdown" ;;
    1) echo "panic" ;;
    2) echo "timeout" ;;
    3) echo "reset (triple fault)" ;;
    *) echo "QEMU failure" ;;
    esac
}

# boot NAME run-qemu-arguments...: boots, leaving the log path in $log and
# run-qemu's exit status in $status.
boot() {
    local name=$1
    shift
    log="$work/$name.log"
    : >"$log"
    tools/run-qemu.sh --timeout "$timeout_seconds" --log "$log" "$@" 2>"$work/$name.run"
    status=$?
    sed -i 's/\r$//' "$log"
}

# boot_typed NAME ARCHIVE APPEND STEP...: boots pvh with dom0's ARCHIVE and
# the command line APPEND while tests/lib/serial_typist.py types the STEPs
# (wait:REGEX, send:TEXT, pause:SECONDS) into the serial line; leaves the
# log in $log, what the session showed (the typist's exact capture of the
# serial socket) in $screen, both with "\r\n" as "\n", and run-qemu's exit
# status in $status.  A step that fails is a failure of the case.
boot_typed() {
    local name=$1 archive=$2 append=$3 socket="$work/serial.sock" qemu
    shift 3
    log="$work/$name.log"
    screen="$work/$name.screen"
    : >"$log"
    rm -f "$socket" "$screen"
    tools/run-qemu.sh pvh "$image" "$archive" --timeout "$timeout_seconds" --log "$log" \
        --serial-socket "$socket" --append "$append" 2>"$work/$name.run" &
    qemu=$!
    TYPIST_WAIT_SECONDS=$timeout_seconds tests/lib/serial_typist.py "$socket" "$screen" "$@" \
        2>"$work/$name.typist" || fail "typing: $(cat "$work/$name.typist")"
    wait "$qemu"
    status=$?
    sed -i 's/\r$//' "$log" "$screen"
}

expect_status() {
    local want=$1
    if [ "$status" -ne "$want" ]; then
        fail "expected QEMU to end in '$(status_name "$want")', it ended in '$(status_name "$status")' ($(cat "$work"/*.run 2>/dev/null | tail -n 1))"
    fi
}

expect_log() {
    grep -Eq -- "$1" "$log" || fail "the serial log has no line matching: $1"
}

expect_screen() {
    grep -Eq -- "$1" "$screen" || fail "the session showed no line matching: $1"
}

expect_no_log() {
    if grep -Eq -- "$1" "$log"; then
        fail "the serial log has an unexpected line matching: $1"
    fi
}

# expect_module_reported FILE: the log lists FILE with its size and CRC-32
# (module_check=crc).
expect_module_reported() {
    local file=$1 crc size
    read -r crc size _ < <("$checksum_tool" "$file")
    expect_log "module [0-9]+: '$(basename "$file")' at 0x[0-9a-f]+, $size bytes, crc32 $crc"
}

# expect_module_listed FILE: the log lists FILE with its size and, as
# nothing asked for it, no CRC-32.
expect_module_listed() {
    local file=$1 size
    size=$(stat -c %s "$file")
    expect_log "module [0-9]+: '$(basename "$file")' at 0x[0-9a-f]+, $size bytes$"
}

run_case() {
    local name=$1
    failures=()
    screen=""
    rm -f "$work"/*.run
    "$name"
    if [ ${#failures[@]} -eq 0 ]; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name"
        for reason in "${failures[@]}"; do
            echo "     $reason"
        done
        echo "     --- last lines of the serial log ($log):"
        tail -n 25 "$log" | sed 's/^/     | /'
        failed=$((failed + 1))
    fi
    if [ -n "${KEEP_LOGS:-}" ]; then
        mkdir -p "$KEEP_LOGS"
        cp "$log" "$KEEP_LOGS/$name.log"
        if [ -n "$screen" ] && [ -f "$screen" ]; then
            cp "$screen" "$KEEP_LOGS/$name.screen"
        fi
    fi
}

make_modules() {
    mkdir -p "$work/modules"
    yes "pvmon test module A" | head -c 65536 >"$work/modules/module-a"
    yes "pvmon test module B, a larger one" | head -c 3000000 >"$work/modules/module-b"
    (cd "$work/modules" && printf '%s\n' module-a module-b | cpio -o -H newc --quiet) \
        >"$work/modules.cpio"
    mkdir -p "$work/dom0"
    cp "$pv_kernel" "$work/dom0/pv-kernel.elf"
    (cd "$work/dom0" && echo pv-kernel.elf | cpio -o -H newc --quiet) >"$work/dom0.cpio"
    mkdir -p "$work/demo"
    cp "$pv_kernel" "${BUILD:-build}/dom0-ramdisk.cpio" "$work/demo/"
    (cd "$work/demo" && printf '%s\n' pv-kernel.elf dom0-ramdisk.cpio | cpio -o -H newc --quiet) >"$work/demo.cpio"
}

# --- PVH on -M microvm: the fast path -----------------------------------

pvh_boot_prints_banner_memory_map_and_ticks() {
    boot pvh-banner pvh "$image" --append "idle_seconds=2"
    expect_status 0
    expect_log "pvmon [0-9.]+: a paravirtualizing hypervisor for x86-64"
    expect_log "booted by PVH \(PVH, hvm_start_info\)"
    expect_log "memory map \(firmware map merged with pvmon's claims\)"
    expect_log "^\(pvmon\) \[ *[0-9.]+\]   0000000000200000-[0-9a-f]+ hypervisor"
    expect_log "memory: total 511 MiB usable RAM, free [0-9]+ MiB"
    expect_log "timer: TSC [0-9]+\.[0-9]+ MHz, local APIC timer [0-9]+\.[0-9]+ MHz"
    expect_log "tick [0-9]+: 1 s since boot"
    expect_log "tick [0-9]+: 2 s since boot"
    expect_log "idle for 2 s with nothing to run: shutting down"
}

pvh_modules_travel_in_one_cpio_archive() {
    boot pvh-modules pvh "$image" "$work/modules.cpio" --append "idle_seconds=1 module_check=crc"
    expect_status 0
    expect_log "boot modules: 2$"
    expect_module_reported "$work/modules/module-a"
    expect_module_reported "$work/modules/module-b"
    expect_log "[0-9a-f]{16}-[0-9a-f]{16} boot module +[0-9]+ (KiB|MiB)"
}

pvh_breakpoint_and_recoverable_faults_are_reported() {
    boot pvh-exceptions pvh "$image" --append "selftest=exceptions idle_seconds=1"
    expect_status 0
    expect_log "caught #BP breakpoint at rip 0xffff8080[0-9a-f]+; continuing"
    expect_log "safe_copy of 8 bytes from unmapped 0xffff800000000000 returned -14; recovered #PF page fault at rip 0xffff8080[0-9a-f]+, address 0xffff800000000000"
    expect_log "safe_copy of 3 bytes from unmapped 0xffff800000000000 returned -14; recovered #PF page fault at rip 0xffff8080[0-9a-f]+, address 0xffff800000000000"
    expect_log "safe_copy of 8 bytes from non-canonical 0x8000000000000000 returned -14; recovered #GP general protection"
    expect_log "safe_copy of 3 bytes from non-canonical 0x8000000000000000 returned -14; recovered #GP general protection"
    expect_log "selftest exceptions: PASSED"
}

pvh_allocator_hands_out_only_usable_frames() {
    boot pvh-allocator pvh "$image" "$work/modules.cpio" --append "selftest=allocator idle_seconds=1"
    expect_status 0
    expect_log "selftest allocator: allocated [0-9]+ of [0-9]+ free frames"
    expect_log "selftest allocator: PASSED"
    expect_no_log "FAILED"
}

pvh_unexpected_page_fault_panics_with_registers_and_backtrace() {
    boot pvh-page-fault pvh "$image" --append "selftest=page-fault"
    expect_status 1
    expect_log "PANIC on CPU0: unexpected #PF page fault in the hypervisor, error code 0x2, rip 0xffff8080[0-9a-f]+, cr2 0xffff800000000000"
    expect_log "rip ffff8080[0-9a-f]+  cs e008  rflags"
    expect_log "rax [0-9a-f]{16}  rbx [0-9a-f]{16}  rcx [0-9a-f]{16}"
    expect_log "backtrace:"
    expect_log "pvmon stopped."
    expect_no_log "the write did not fault"
}

pvh_double_fault_is_reported_from_its_own_stack() {
    boot pvh-double-fault pvh "$image" --append "selftest=double-fault"
    expect_status 1
    expect_log "PANIC on CPU0: unexpected #DF double fault in the hypervisor, error code 0, rip 0xffff8080[0-9a-f]+, cr2 0xffff800000000ff8"
    expect_log "backtrace:"
}

pvh_timer_calibration_holds_under_icount() {
    # With -icount shift=0 one instruction is one nanosecond of guest time,
    # and QEMU's TSC then runs at exactly 1 GHz.
    boot pvh-icount --icount pvh "$image" --append "idle_seconds=2"
    expect_status 0
    expect_log "timer: TSC 99[5-9]\.[0-9]+ MHz|timer: TSC 100[0-4]\.[0-9]+ MHz"
    expect_log "tick (9[0-9]|10[0-9]|11[0-9]): 1 s since boot"
}

pvh_memory_above_4_gib_is_managed() {
    boot pvh-large-memory pvh "$image" --memory 5120 --append "selftest=allocator idle_seconds=1"
    expect_status 0
    expect_log "  0000000100000000-[0-9a-f]+ usable"
    expect_log "memory: total 51[0-9][0-9] MiB usable RAM"
    expect_log "selftest allocator: PASSED"
}

# --- dom0: pvmon's PV kernel in ring 3 ---------------------------------------

pvh_dom0_runs_in_ring3_and_shuts_down() {
    boot pvh-dom0 pvh "$image" "$work/dom0.cpio" --append "idle_seconds=1 -- hello"
    expect_status 0
    expect_log "domain 0: pvmon-pv-kernel kernel, entry 0xffffffff80000000, 16384 pages"
    expect_log "dom0: entering 'pv-kernel.elf' in ring 3"
    expect_log "\(d0\) pv-kernel: hello from ring 3; start_info at 0xffffffff8[0-9a-f]+"
    expect_log "\(d0\) pv-kernel: command line 'hello'"
    expect_log "domain 0 shut down \(poweroff\); tearing it down"
    expect_log "no domain to run; idling"
    expect_no_log "still running after shutdown"
}

pvh_dom0_hypercalls_validate_their_arguments() {
    boot pvh-hypercalls pvh "$image" "$work/dom0.cpio" --append "idle_seconds=1 -- test=hypercalls"
    expect_status 0
    expect_log "\(d0\) pv-kernel: PASS console_io_write_hypervisor_pointer_is_efault"
    expect_log "^pv-kernel: direct console output$" # its "\r\n" unchanged: no second "\r"
    expect_log "\(d0\) pv-kernel: hypercall checks: [1-9][0-9]* passed, 0 failed"
    expect_no_log "pv-kernel: FAIL"
}

# dom0's xl dmesg (test=xl-dmesg): the hypervisor's console history, shown raw,
# holds its first line; after xl dmesg -c nothing but dom0's own lines (which
# are never kept) comes out.
pvh_dom0_xl_dmesg_shows_the_hypervisor_s_messages_and_clears_them() {
    local first shown cleared after_clear
    boot pvh-xl-dmesg pvh "$image" "$work/dom0.cpio" --append "idle_seconds=1 -- test=xl-dmesg"
    expect_status 0
    expect_log "\(d0\) pv-kernel: xl-dmesg: results 0 0 0$"
    first=$(grep -m 1 '^(pvmon) \[' "$log")
    shown=$(sed -n '/pv-kernel: xl-dmesg: shown$/,/pv-kernel: xl-dmesg: cleared$/p' "$log")
    cleared=$(sed -n '/pv-kernel: xl-dmesg: cleared$/,/pv-kernel: xl-dmesg: after clear$/p' "$log")
    after_clear=$(sed -n '/pv-kernel: xl-dmesg: after clear$/,/pv-kernel: xl-dmesg: results/p' "$log")
    grep -Fxq -- "$first" <<<"$shown" || fail "xl dmesg did not show the hypervisor's first line: $first"
    grep -Fxq -- "$first" <<<"$cleared" || fail "xl dmesg -c did not show the hypervisor's first line: $first"
    if grep -v '(d0) pv-kernel: xl-dmesg: ' <<<"$after_clear" | grep -q .; then
        fail "xl dmesg after -c showed: $(grep -v '(d0) pv-kernel: xl-dmesg: ' <<<"$after_clear" | head -n 3)"
    fi
}

# xl dmesg typed at dom0's shell: the hypervisor's boot messages after the
# command, then xl dmesg -c, after which xl dmesg shows nothing (dom0's
# own lines are never kept); a bad option gets xl's message.
pvh_dom0_shell_xl_dmesg_shows_and_clears_the_hypervisor_s_messages() {
    boot_typed pvh-shell-xl-dmesg "$work/dom0.cpio" "idle_seconds=1 -- shell" \
        'wait:root@dom0:~# ' 'send:xl dmesg\r' 'pause:1' 'send:xl dmesg -c\r' 'pause:1' 'send:xl dmesg\r' \
        'pause:1' 'send:xl dmesg -x\r' 'pause:1' 'send:poweroff\r'
    expect_status 0
    [ "$(sed -n '/^root@dom0:~# xl dmesg$/,/^root@dom0:~# xl dmesg -c$/p' "$screen" | grep -c '^(pvmon) \[ *0\.0')" -ge 10 ] ||
        fail "xl dmesg did not show the hypervisor's boot messages"
    [ "$(sed -n '/^root@dom0:~# xl dmesg -c$/,/^root@dom0:~# xl dmesg$/p' "$screen" | grep -c '^(pvmon) \[ *0\.0')" -ge 10 ] ||
        fail "xl dmesg -c did not show the hypervisor's boot messages"
    grep -Pzq 'root@dom0:~# xl dmesg\n+root@dom0:~# xl dmesg -x\n' "$screen" ||
        fail "xl dmesg after xl dmesg -c showed something"
    expect_screen "^option \`x' not supported\.$"
    expect_log "\(d0\) xl-shell: ended"
}

# xl dmesg at dom0's shell holds a domU's lines ("(d1) ..."), started from
# /etc/xen/auto/ of dom0's ramdisk, and none of dom0's own.
pvh_dom0_shell_xl_dmesg_holds_a_domus_lines_but_not_dom0s() {
    local ramdisk="$work/dmesg-ramdisk" modules="$work/dmesg-modules" shown
    rm -rf "$ramdisk" "$modules"
    mkdir -p "$ramdisk/etc/xen/auto" "$modules"
    cp "$pv_kernel" "$ramdisk/pv-kernel.elf"
    printf 'name = "hello"\nmemory = 64\nkernel = "pv-kernel.elf"\nextra = "line-for-dmesg"\non_poweroff = "preserve"\n' \
        >"$ramdisk/etc/xen/auto/hello.cfg"
    (cd "$ramdisk" && printf '%s\n' etc etc/xen etc/xen/auto etc/xen/auto/hello.cfg pv-kernel.elf |
        cpio -o -H newc --quiet) >"$modules/ramdisk.cpio"
    cp "$pv_kernel" "$modules/pv-kernel.elf"
    (cd "$modules" && printf '%s\n' pv-kernel.elf ramdisk.cpio | cpio -o -H newc --quiet) >"$work/dmesg-dom0.cpio"
    boot_typed pvh-shell-xl-dmesg-domu "$work/dmesg-dom0.cpio" "idle_seconds=1 -- shell" \
        'wait:root@dom0:~# ' 'pause:2' 'send:xl dmesg\r' 'pause:1' 'send:poweroff\r'
    expect_status 0
    # The domU's log may come after the prompt.
    shown=$(sed -n '/^\(root@dom0:~# \)\?xl dmesg$/,/^root@dom0:~# poweroff$/p' "$screen")
    [ "$(grep -c '^(pvmon) \[.*(d1) pv-kernel: ' <<<"$shown")" -ge 4 ] || fail "xl dmesg did not show domain 1's lines"
    [ "$(grep -c '^(pvmon) \[' <<<"$shown")" -ge 20 ] || fail "xl dmesg did not show the hypervisor's messages"
    if grep -q '(d0)' <<<"$shown"; then
        fail "xl dmesg showed dom0's lines: $(grep '(d0)' <<<"$shown" | head -n 2)"
    fi
}

# QEMU (microvm, acpi=off) describes the disk's virtio-mmio transport on
# pvmon's command line; pvmon passes the word on to dom0.
pvh_dom0_is_told_of_the_virtio_mmio_devices_on_its_command_line() {
    truncate -s 1M "$work/disk.img"
    boot pvh-devices-command-line pvh "$image" "$work/dom0.cpio" --disk "$work/disk.img" \
        --append "idle_seconds=1 loglevel=3"
    expect_status 0
    expect_log "command line: idle_seconds=1 loglevel=3 virtio_mmio.device=512@0xfeb00e00:12$"
    expect_log "timer: TSC [0-9]+\.[0-9]+ MHz, local APIC timer [0-9]+\.[0-9]+ MHz"
    expect_log "\(d0\) pv-kernel: command line 'virtio_mmio.device=512@0xfeb00e00:12'"
    expect_log "domain 0 shut down \(poweroff\)"
}

# dom0 maps its disk's virtio-mmio transport through DOMID_IO and reads
# it (pv-guest/kernel/device_checks.c), on a legacy and a modern transport.
device_checks_case() {
    truncate -s 1M "$work/disk.img"
    printf 'pvmon!!!' | dd of="$work/disk.img" conv=notrunc status=none
    boot "pvh-device-checks$1" pvh "$image" "$work/dom0.cpio" --disk "$work/disk.img" $2 \
        --append "idle_seconds=1 -- test=devices"
    expect_status 0
    expect_log "\(d0\) pv-kernel: PASS transport_page_through_domid_io_is_mapped"
    expect_log "\(d0\) pv-kernel: PASS virtio_mmio_magic_value_reads_virt"
    expect_log "\(d0\) pv-kernel: virtio-mmio at 0xfeb00e00: version $3, device 2, vendor 0x554d4551"
    expect_log "\(d0\) pv-kernel: PASS local_apic_page_kept_by_the_hypervisor_is_eperm"
    expect_log "\(d0\) pv-kernel: device checks: [1-9][0-9]* passed, 0 failed"
    expect_no_log "pv-kernel: FAIL"
}

# ... and on the legacy transport takes the disk's interrupt as a pirq:
# map_pirq, setup_gsi, bind_pirq, a read of sector 0 (DMA at machine
# addresses), the event, the EOI.
pvh_dom0_maps_a_legacy_virtio_mmio_transport_and_takes_its_interrupt() {
    device_checks_case -legacy "" 1
    expect_log "\(d0\) pv-kernel: PASS bind_pirq_succeeds"
    expect_log "\(d0\) pv-kernel: PASS device_interrupt_arrives_on_the_pirq_port"
    expect_log "\(d0\) pv-kernel: virtio-blk sector 0 starts with 70 76 6d 6f 6e 21 21 21"
    expect_log "\(d0\) pv-kernel: PASS eoi_after_the_interrupt_succeeds"
    expect_log "\(d0\) pv-kernel: PASS no_second_interrupt_once_acknowledged"
}

pvh_dom0_maps_a_modern_virtio_mmio_transport_through_domid_io() {
    device_checks_case -modern --virtio-modern 2
}

# dom0's virtio-blk driver against a real disk (test=virtio-blk,
# pv-guest/kernel/virtio_blk_check.h): writes of four shapes in flight
# together, a flush, the same ranges read back, every completion through
# the device's interrupt; then, on the host, once QEMU has exited, the
# image file must hold the patterns (tools/disk_pattern_check.c): the data
# reached the file.  $1: name suffix, $2: run-qemu option, $3: transport.
virtio_blk_disk_case() {
    local disk="$work/vblk$1.img" # its base name is its serial: at most 20 bytes
    rm -f "$disk"
    truncate -s 4M "$disk"
    boot "pvh-virtio-blk$1" pvh "$image" "$work/dom0.cpio" --disk "$disk" $2 \
        --append "idle_seconds=1 -- test=virtio-blk"
    expect_status 0
    expect_log "\(d0\) virtio-blk: vda at 0xfeb00e00 \(gsi 12, pirq [0-9]+, port [0-9]+\), $3 transport: 8192 sectors \(4 MiB\), read-write, volatile cache \(flush\), serial 'vblk$1.img'$"
    expect_log "\(d0\) PASS virtio-blk vda: four writes in flight together complete"
    expect_log "\(d0\) PASS virtio-blk vda: a flush completes after them"
    expect_log "\(d0\) PASS virtio-blk vda: completions arrived through the device's interrupt"
    expect_log "\(d0\) virtio-blk check: [1-9][0-9]* passed, 0 failed"
    expect_no_log "FAIL virtio-blk"
    if ! "$pattern_tool" "$disk" 0x70766d6f6e 0+8 128+88 300+6 -8+8 >"$work/pattern$1.out"; then
        fail "the image file does not hold what dom0 wrote: $(grep -v '^MATCH' "$work/pattern$1.out" | head -n 1)"
    fi
}

pvh_dom0_virtio_blk_writes_reach_a_legacy_disk_image() {
    virtio_blk_disk_case -legacy "" legacy
}

pvh_dom0_virtio_blk_writes_reach_a_modern_disk_image() {
    virtio_blk_disk_case -modern --virtio-modern modern
}

# Two disks, the second read-only (readonly=on, VIRTIO_BLK_F_RO): each is
# a device of its own on its own GSI; the driver refuses the write to vdb,
# reads work there, vda's image gets the patterns and vdb's is unchanged.
pvh_dom0_virtio_blk_two_disks_the_second_read_only() {
    local writable="$work/virtio-blk-vda.img" read_only="$work/virtio-blk-vdb.img"
    rm -f "$writable" "$read_only"
    truncate -s 4M "$writable"
    truncate -s 8M "$read_only"
    boot pvh-virtio-blk-two-disks pvh "$image" "$work/dom0.cpio" --disk "$writable" --disk-read-only "$read_only" \
        --append "idle_seconds=1 -- test=virtio-blk"
    expect_status 0
    expect_log "\(d0\) virtio-blk: vda at 0xfeb00e00 \(gsi 12, .*, read-write,"
    expect_log "\(d0\) virtio-blk: vdb at 0xfeb00c00 \(gsi 11, pirq [0-9]+, port [0-9]+\), legacy transport: 16384 sectors \(8 MiB\), read-only,"
    expect_log "\(d0\) PASS virtio-blk vdb: a write to a read-only disk is refused \(-30\)"
    expect_log "\(d0\) PASS virtio-blk vdb: a read from a read-only disk completes"
    expect_log "\(d0\) PASS virtio-blk vdb: completions arrived through the device's interrupt"
    expect_log "\(d0\) virtio-blk check: [1-9][0-9]* passed, 0 failed"
    expect_no_log "FAIL virtio-blk"
    if ! "$pattern_tool" "$writable" 0x70766d6f6e 0+8 128+88 300+6 -8+8 >"$work/pattern-vda.out"; then
        fail "vda's image file does not hold what dom0 wrote: $(grep -v '^MATCH' "$work/pattern-vda.out" | head -n 1)"
    fi
    if ! cmp -s "$read_only" <(head -c 8388608 /dev/zero); then
        fail "the read-only image file was changed"
    fi
}

# A device that breaks: a READ into two pages no RAM backs, which QEMU
# cannot map at once (virtio_error: DEVICE_NEEDS_RESET and an interrupt on
# a modern transport).  dom0's driver resets the device, fails the request
# with -EIO and refuses what comes later; QEMU and pvmon carry on.
pvh_dom0_virtio_blk_device_needing_a_reset_is_reset_and_given_up() {
    local disk="$work/virtio-blk-failure.img"
    rm -f "$disk"
    truncate -s 4M "$disk"
    boot pvh-virtio-blk-failure pvh "$image" "$work/dom0.cpio" --disk "$disk" --virtio-modern \
        --append "idle_seconds=1 -- test=virtio-blk-failure"
    expect_status 0
    expect_log "\(d0\) virtio-blk: vda: the device needs a reset; resetting it and failing its requests"
    expect_log "\(d0\) PASS virtio-blk vda: a request the device cannot map fails once it asks for a reset \(-5\)"
    expect_log "\(d0\) PASS virtio-blk vda: the device given up refuses every later request \(-5\)"
    expect_log "\(d0\) virtio-blk check: 2 passed, 0 failed"
    expect_log "domain 0 shut down \(poweroff\)"
}

# dom0's virtio-net driver on QEMU's user network (test=virtio-net,
# pv-guest/kernel/virtio_net_check.h): frames it must refuse are refused,
# slirp's 10.0.2.2 answers an ARP request, an ICMP echo (payload and
# checksums intact) and a burst of 256 echoes 32 in flight (each once,
# intact, no receive pass beyond its budget of 8), the frames arrive
# through the device's interrupt.
# virtio_net_case NAME RUN-QEMU-OPTIONS EXPECTED-DEVICE-LINE
virtio_net_case() {
    boot "pvh-virtio-net$1" pvh "$image" "$work/dom0.cpio" $2 --append "idle_seconds=1 -- test=virtio-net"
    expect_status 0
    expect_log "$3"
    expect_log "\(d0\) PASS virtio-net eth0: a frame crossing a page is refused \(-22\)"
    expect_log "\(d0\) virtio-net eth0: 10.0.2.2 is at 52:55:0a:00:02:02"
    expect_log "\(d0\) PASS virtio-net eth0: slirp answers an ICMP echo request, payload and checksums intact"
    expect_log "\(d0\) virtio-net eth0: burst: 256 sent, 256 answered, 0 damaged, 0 duplicates"
    expect_log "\(d0\) PASS virtio-net eth0: no receive pass hands over more than its budget, and the budget was reached"
    expect_log "\(d0\) PASS virtio-net eth0: frames arrived through the device's interrupt"
    expect_log "\(d0\) virtio-net eth0: sent [2-9][0-9]* frames \([0-9]+ bytes\), received [2-9][0-9]* frames \([0-9]+ bytes\), 0 receive errors"
    expect_log "\(d0\) virtio-net check: 10 passed, 0 failed"
    expect_no_log "FAIL virtio-net"
}

# (With a forwarded port, which QEMU must accept.)
pvh_dom0_virtio_net_reaches_slirp_on_a_legacy_device() {
    virtio_net_case -legacy "--net-forward $((20000 + RANDOM % 20000)):10.0.2.21:80" \
        "\(d0\) virtio-net: eth0 at 0xfeb00e00 \(gsi 12, pirq [0-9]+, port [0-9]+\), legacy transport: 52:54:00:12:34:56, link up,"
}

# A disk and a network device on modern transports: each driver takes its
# own device from the same virtio_mmio.device= words.
pvh_dom0_virtio_net_beside_a_disk_on_modern_transports() {
    local disk="$work/virtio-net-disk.img"
    rm -f "$disk"
    truncate -s 1M "$disk"
    virtio_net_case -modern "--disk $disk --net --net-mac 52:54:00:ab:cd:ef --virtio-modern" \
        "\(d0\) virtio-net: eth0 at 0xfeb00c00 \(gsi 11, pirq [0-9]+, port [0-9]+\), modern transport: 52:54:00:ab:cd:ef, link up,"
    expect_log "\(d0\) virtio-blk: vda at 0xfeb00e00 \(gsi 12, pirq [0-9]+, port [0-9]+\), modern transport: 2048 sectors"
    expect_no_log "virtio-(blk|net): .*could not be started"
}

# dom0_memory_case MEBIBYTES: a dom0 larger than the machine is refused and
# everything it was given back; pvmon carries on.
dom0_memory_case() {
    boot "pvh-dom0-mem-$1" pvh "$image" "$work/dom0.cpio" --append "dom0_mem=$1 idle_seconds=1"
    expect_status 0
    expect_log "domain 0: not enough memory for [0-9]+ pages"
    expect_log "dom0: cannot create a domain of $1 MiB"
    expect_log "idle for 1 s with nothing to run: shutting down"
    expect_no_log "pv-kernel: hello"
}

pvh_dom0_larger_than_free_memory_is_refused() {
    dom0_memory_case 1024
}

pvh_dom0_whose_page_list_cannot_be_allocated_is_refused() {
    dom0_memory_case 10000000
}

# crash_case HOW EXPECTED: dom0 misbehaves; it alone is torn down.
crash_case() {
    boot "pvh-crash-$1" pvh "$image" "$work/dom0.cpio" --append "idle_seconds=1 -- crash=$1"
    expect_status 0
    expect_log "\(d0\) pv-kernel: crashing on purpose: $1"
    expect_log "WARNING: domain 0 crashed: $2"
    expect_log "no domain to run; idling"
    expect_log "idle for 1 s with nothing to run: shutting down"
    expect_no_log "still alive after crash"
}

pvh_dom0_page_fault_crashes_only_the_domain() {
    crash_case page-fault "unhandled #PF page fault at rip 0xffffffff8[0-9a-f]+, error code 0x2, cr2 0x10;"
}

pvh_dom0_write_to_hypervisor_crashes_only_the_domain() {
    crash_case hypervisor-write "unhandled #PF page fault .*cr2 0xffff808000200000;"
}

pvh_dom0_privileged_instruction_crashes_only_the_domain() {
    crash_case privileged-instruction "unhandled #GP general protection at rip 0xffffffff8[0-9a-f]+"
}

pvh_dom0_software_interrupt_crashes_only_the_domain() {
    crash_case software-interrupt "unhandled #GP general protection at rip 0xffffffff8[0-9a-f]+, error code 0x402"
    expect_no_log "unexpected interrupt vector 128"
}

pvh_dom0_iret_to_a_refused_selector_crashes_only_the_domain() {
    crash_case bad-iret "the return to the guest faulted \\(bad selector or RIP from iret\\)"
    expect_no_log "PANIC"
}

# The syscall fast path's guest-reachable failures (kernel/guest_entry.c,
# guest_callbacks.c): each crashes the domain alone, as Xen's do_iret and
# create_bounce_frame do.
pvh_dom0_iret_with_its_context_unmapped_crashes_only_the_domain() {
    crash_case iret-unmapped-stack "iret: cannot read the iret context on the guest stack"
    expect_no_log "PANIC"
}

# Hardware faults the return itself (iretq to a non-canonical RIP, or
# sysretq on Intel, which the sysret rule keeps it from); QEMU's TCG
# returns and faults on the first fetch, in the guest.  Either way the
# domain alone goes (the rule itself: tests/unit/test_bounce_frame.c).
pvh_dom0_iret_in_syscall_to_a_non_canonical_rip_crashes_only_the_domain() {
    crash_case iret-non-canonical \
        "(the return to the guest faulted \\(bad selector or RIP from iret\\)|unhandled #GP general protection at rip 0x800000000000,)"
    expect_no_log "PANIC"
}

pvh_dom0_user_syscall_onto_an_unmapped_kernel_stack_crashes_only_the_domain() {
    crash_case syscall-unmapped-kernel-stack "cannot write a bounce frame below 0x40000000 for handler 0xffffffff8[0-9a-f]+"
    expect_no_log "PANIC"
}

# Xen's switch_to_kernel: the syscall callback runs with DF clear, the
# user's DF kept in the saved RFLAGS.
pvh_dom0_user_syscall_with_df_set_enters_its_callback_with_df_clear() {
    boot pvh-syscall-direction-flag pvh "$image" "$work/dom0.cpio" --append "idle_seconds=1 -- crash=syscall-direction-flag"
    expect_status 0
    expect_log "\(d0\) pv-kernel: syscall callback entered with DF clear; saved RFLAGS.DF set"
    expect_log "domain 0 shut down \(poweroff\)"
    expect_no_log "PANIC"
}

# An NMI reports on the machine, not on the guest that happens to run: it
# is logged and ignored, and no domain is crashed for it.  The demo runs
# three domains; QEMU's monitor injects the NMI once a domU is running.
pvh_nmi_while_guests_run_is_ignored_and_crashes_no_domain() {
    local port=$((20000 + RANDOM % 20000))
    log="$work/pvh-nmi.log"
    : >"$log"
    tools/run-qemu.sh --timeout "$timeout_seconds" --log "$log" --monitor-port "$port" \
        pvh "$image" "$work/demo.cpio" --append "idle_seconds=1" 2>"$work/pvh-nmi.run" &
    local qemu=$!
    local waited=0
    while ! grep -Eq "\(d[1-9][0-9]*\)" "$log" && [ "$waited" -lt 300 ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'nmi\n' >&3 && sleep 0.5) 2>/dev/null; then
        fail "could not reach QEMU's monitor on port $port"
    fi
    wait "$qemu"
    status=$?
    sed -i 's/\r$//' "$log"
    expect_status 0
    expect_log "WARNING: NMI at rip 0x[0-9a-f]+ \(cs 0x[0-9a-f]+\); nothing claims it, continuing"
    expect_log "\(d0\) toolstack: summary end"
    expect_no_log "crashed|shut down \(crash\)"
    expect_no_log "PANIC"
}

# --- GRUB multiboot2 ISO on -M pc -----------------------------------------

iso_boot_finds_modules_and_passes_selftests() {
    if ! tools/make-iso.sh "$work/test.iso" "$image" \
        --append "selftest=exceptions,allocator idle_seconds=1" \
        "$work/modules/module-a" "$work/modules/module-b" 2>"$work/make-iso.err"; then
        log="$work/make-iso.err"
        fail "tools/make-iso.sh failed"
        return
    fi
    boot iso-boot iso "$work/test.iso"
    expect_status 0
    expect_log "booted by GRUB [0-9.~a-z+-]+ \(multiboot2\)"
    expect_log "command line: selftest=exceptions,allocator idle_seconds=1"
    expect_log "memory: total [0-9]+ MiB usable RAM"
    expect_log "boot modules: 2$"
    expect_module_listed "$work/modules/module-a"
    expect_module_listed "$work/modules/module-b"
    expect_no_log "crc32"
    expect_log "selftest exceptions: PASSED"
    expect_log "selftest allocator: PASSED"
    expect_log "tick [0-9]+: [1-9][0-9]* s since boot"
}

iso_dom0_runs_in_ring3() {
    if ! tools/make-iso.sh "$work/dom0.iso" "$image" --append "idle_seconds=1 -- from-grub" \
        "$work/dom0/pv-kernel.elf" 2>"$work/make-iso.err"; then
        log="$work/make-iso.err"
        fail "tools/make-iso.sh failed"
        return
    fi
    boot iso-dom0 iso "$work/dom0.iso"
    expect_status 0
    expect_log "\(d0\) pv-kernel: hello from ring 3"
    expect_log "\(d0\) pv-kernel: command line 'from-grub'"
    expect_log "domain 0 shut down \(poweroff\)"
}

iso_unexpected_page_fault_panics() {
    if ! tools/make-iso.sh "$work/panic.iso" "$image" --append "selftest=page-fault" \
        2>"$work/make-iso.err"; then
        log="$work/make-iso.err"
        fail "tools/make-iso.sh failed"
        return
    fi
    boot iso-panic iso "$work/panic.iso"
    expect_status 1
    expect_log "PANIC on CPU0: unexpected #PF page fault"
}

# Console input typed into QEMU's serial line (tools/run-qemu.sh
# --serial-socket, tests/lib/serial_typist.py): dom0 reads it with
# CONSOLEIO_read when VIRQ_CONSOLE comes and echoes each line; Ctrl-A
# three times gives the input to pvmon's debug keys, three more give it
# back, and what went to pvmon never reaches dom0; a single Ctrl-A does.
pvh_dom0_reads_typed_lines_and_ctrl_a_switches_the_input() {
    boot_typed pvh-console-input "$work/dom0.cpio" "idle_seconds=1 -- test=console-input lines=3" \
        'wait:console-input: waiting for 3 lines' 'send:hello pvmon\r' "wait:line 1: 'hello pvmon'" \
        'send:\x01\x01\x01' 'wait:\*\*\* Serial input to pvmon' 'send:h' 'wait:showing installed handlers' \
        'send:q' 'wait:VCPU0: ' 'send:r' 'wait:RUNQ:' 'send:\x01\x01\x01' 'wait:\*\*\* Serial input to DOM0' \
        'send:back to dom0\r' "wait:line 2: 'back to dom0'" 'send:\x01x\r'
    expect_status 0
    expect_screen "\*\*\* Serial input to DOM0 \(type 'CTRL-a' three times to switch input\)"
    expect_log "\(d0\) pv-kernel: PASS console_io_read_into_an_unmapped_buffer_is_efault"
    expect_log "\(d0\) pv-kernel: PASS console_io_read_after_efault_still_has_the_input"
    expect_screen "\(d0\) pv-kernel: console-input: line 1: 'hello pvmon'$"
    expect_screen "\*\*\* Serial input to pvmon \(type 'CTRL-a' three times to switch input\)"
    expect_screen "'h' pressed -> showing installed handlers"
    expect_screen " key 'q' \(ascii '71'\) => dump domain \(and guest debug\) info"
    expect_screen "'q' pressed -> dumping domain info"
    expect_screen "General information for domain 0:"
    expect_screen "    VCPU0: (running|runnable|blocked) "
    expect_screen "'r' pressed -> dumping run queues"
    expect_screen "    running: (idle|d0v0 weight=[0-9]+ credit=-?[0-9]+)"
    expect_screen "\(d0\) pv-kernel: console-input: line 2: 'back to dom0'$"
    expect_screen "\(d0\) pv-kernel: console-input: line 3: '\^Ax'$"
    expect_log "\(d0\) pv-kernel: console-input check: [1-9][0-9]* passed, 0 failed"
    expect_no_log "pv-kernel: FAIL"
}

# Xen's conswitch=<letter>x: another switch letter, and the input left
# with pvmon at the end of boot until it is switched to dom0.
pvh_conswitch_chooses_the_switch_letter_and_x_keeps_input_with_pvmon() {
    boot_typed pvh-conswitch "$work/dom0.cpio" "idle_seconds=1 conswitch=bx -- test=console-input lines=1" \
        'wait:console-input: waiting for 1 lines' 'send:h' 'wait:showing installed handlers' \
        'send:\x01\x01\x01\x02\x02\x02' 'wait:\*\*\* Serial input to DOM0' 'send:typed\r'
    expect_status 0
    expect_screen "\*\*\* Serial input to pvmon \(type 'CTRL-b' three times to switch input\)"
    expect_screen "'h' pressed -> showing installed handlers"
    expect_screen "\*\*\* Serial input to DOM0 \(type 'CTRL-b' three times to switch input\)"
    expect_screen "\(d0\) pv-kernel: console-input: line 1: 'typed'$"
    expect_log "\(d0\) pv-kernel: console-input check: [1-9][0-9]* passed, 0 failed"
    expect_no_log "pv-kernel: FAIL"
}

make_modules
for test_case in \
    pvh_boot_prints_banner_memory_map_and_ticks \
    pvh_modules_travel_in_one_cpio_archive \
    pvh_breakpoint_and_recoverable_faults_are_reported \
    pvh_allocator_hands_out_only_usable_frames \
    pvh_unexpected_page_fault_panics_with_registers_and_backtrace \
    pvh_double_fault_is_reported_from_its_own_stack \
    pvh_timer_calibration_holds_under_icount \
    pvh_memory_above_4_gib_is_managed \
    pvh_dom0_runs_in_ring3_and_shuts_down \
    pvh_dom0_hypercalls_validate_their_arguments \
    pvh_dom0_reads_typed_lines_and_ctrl_a_switches_the_input \
    pvh_conswitch_chooses_the_switch_letter_and_x_keeps_input_with_pvmon \
    pvh_dom0_xl_dmesg_shows_the_hypervisor_s_messages_and_clears_them \
    pvh_dom0_shell_xl_dmesg_shows_and_clears_the_hypervisor_s_messages \
    pvh_dom0_shell_xl_dmesg_holds_a_domus_lines_but_not_dom0s \
    pvh_dom0_is_told_of_the_virtio_mmio_devices_on_its_command_line \
    pvh_dom0_maps_a_legacy_virtio_mmio_transport_and_takes_its_interrupt \
    pvh_dom0_maps_a_modern_virtio_mmio_transport_through_domid_io \
    pvh_dom0_virtio_blk_writes_reach_a_legacy_disk_image \
    pvh_dom0_virtio_blk_writes_reach_a_modern_disk_image \
    pvh_dom0_virtio_blk_two_disks_the_second_read_only \
    pvh_dom0_virtio_blk_device_needing_a_reset_is_reset_and_given_up \
    pvh_dom0_virtio_net_reaches_slirp_on_a_legacy_device \
    pvh_dom0_virtio_net_beside_a_disk_on_modern_transports \
    pvh_dom0_larger_than_free_memory_is_refused \
    pvh_dom0_whose_page_list_cannot_be_allocated_is_refused \
    pvh_dom0_page_fault_crashes_only_the_domain \
    pvh_dom0_write_to_hypervisor_crashes_only_the_domain \
    pvh_dom0_privileged_instruction_crashes_only_the_domain \
    pvh_dom0_software_interrupt_crashes_only_the_domain \
    pvh_dom0_iret_to_a_refused_selector_crashes_only_the_domain \
    pvh_dom0_iret_with_its_context_unmapped_crashes_only_the_domain \
    pvh_dom0_iret_in_syscall_to_a_non_canonical_rip_crashes_only_the_domain \
    pvh_dom0_user_syscall_onto_an_unmapped_kernel_stack_crashes_only_the_domain \
    pvh_dom0_user_syscall_with_df_set_enters_its_callback_with_df_clear \
    pvh_nmi_while_guests_run_is_ignored_and_crashes_no_domain \
    iso_boot_finds_modules_and_passes_selftests \
    iso_dom0_runs_in_ring3 \
    iso_unexpected_page_fault_panics; do
    if [[ "$test_case" =~ ${BOOT_TEST_ONLY:-.} ]]; then
        run_case "$test_case"
    fi
done
echo "boot: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
