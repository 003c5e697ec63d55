# Shared by the test stages that boot pvmon with dom0 and a ramdisk
# (tests/system, tests/linux): booting, assertions on the serial log and on
# dom0's summary table, and running one case.  Sourced, not run.
#
# The sourcing script sets: image (pvmon.elf), pv_kernel (dom0's kernel),
# work (a scratch directory), timeout_seconds (per QEMU run), and
# optionally qemu_memory_mebibytes, hypervisor_arguments,
# dom0_command_line and qemu_options (more tools/run-qemu.sh options, e.g.
# --icount).  It counts results in passed and failed.

passed=0
failed=0
failures=()
log=""
status=""

fail() {
    failures+=("$*")
}

# boot_archive NAME CONFIG FILE...: packs dom0's kernel and a ramdisk of
# CONFIG and FILEs into $work/NAME.cpio, the PVH boot module; sets $log
# (emptied) and, on a failure, $status and the reason.
boot_archive() {
    local name=$1 config=$2
    shift 2
    log="$work/$name.log"
    : >"$log"
    if ! tools/make-dom0-ramdisk.sh "$work/$name-ramdisk.cpio" "$config" "$@" 2>"$work/$name.run"; then
        status=4
        fail "tools/make-dom0-ramdisk.sh failed"
        return 1
    fi
    cp "$pv_kernel" "$work/pv-kernel.elf"
    cp "$work/$name-ramdisk.cpio" "$work/dom0-ramdisk.cpio"
    (cd "$work" && printf '%s\n' pv-kernel.elf dom0-ramdisk.cpio | cpio -o -H newc --quiet) >"$work/$name.cpio"
    rm -f "$work/$name-ramdisk.cpio" "$work/dom0-ramdisk.cpio"
}

# run_archive NAME: boots $work/NAME.cpio with tools/run-qemu.sh, the
# serial output in $log; returns run-qemu's exit status.
run_archive() {
    local name=$1
    # shellcheck disable=SC2086 # qemu_options is a list of words
    tools/run-qemu.sh --timeout "$timeout_seconds" --memory "${qemu_memory_mebibytes:-512}" --log "$log" ${qemu_options:-} \
        pvh "$image" "$work/$name.cpio" \
        --append "idle_seconds=1 ${hypervisor_arguments:-}-- ${dom0_command_line:-}" 2>>"$work/$name.run"
}

# finish_log NAME: the boot archive goes, and the log gets Unix line ends
# and a last newline (a boot killed mid-line leaves none).
finish_log() {
    rm -f "$work/$1.cpio"
    sed -i 's/\r$//' "$log"
    if [ -s "$log" ] && [ -n "$(tail -c 1 "$log")" ]; then
        echo >>"$log"
    fi
}

# boot NAME CONFIG FILE...: dom0 with a ramdisk of CONFIG and FILEs;
# leaves the log path in $log and run-qemu's exit status in $status.
boot() {
    local name=$1
    boot_archive "$@" || return
    run_archive "$name"
    status=$?
    finish_log "$name"
}

# boot_typing NAME CONFIG FILE...: as boot, with the serial line also on a
# unix socket through which tests/lib/serial_typist.py types the steps of
# the array $typing (wait:REGEX, send:TEXT, pause:SECONDS) while pvmon
# runs, each wait given typist_wait_seconds (default 60); a step that
# fails is a failure of the case.  What the session showed, the typist's
# exact capture of the socket, is left in $screen (finish_screen).
boot_typing() {
    local name=$1 socket qemu
    boot_archive "$@" || return
    socket="$work/$name.socket"
    screen="$work/$name.screen"
    qemu_options="${qemu_options:-} --serial-socket $socket" run_archive "$name" &
    qemu=$!
    if ! TYPIST_WAIT_SECONDS=${typist_wait_seconds:-60} tests/lib/serial_typist.py "$socket" "$screen" "${typing[@]}" \
        2>"$work/$name.typist"; then
        fail "typing: $(cat "$work/$name.typist")"
    fi
    wait "$qemu"
    status=$?
    finish_log "$name"
    finish_screen
}

# finish_screen: $screen with "\r\n" as "\n" (it may be missing if the typist never started).
finish_screen() {
    touch "$screen"
    sed -i 's/\r$//' "$screen"
}

expect_status() {
    if [ "$status" -ne 0 ]; then
        fail "expected pvmon to shut down cleanly; run-qemu said: $(tail -n 1 "$work"/*.run 2>/dev/null)"
    fi
}

expect_log() {
    grep -Eq -- "$1" "$log" || fail "the serial log has no line matching: $1"
}

expect_screen() {
    grep -Eq -- "$1" "$screen" || fail "the session showed no line matching: $1"
}

expect_no_screen() {
    if grep -Eq -- "$1" "$screen"; then
        fail "the session showed an unexpected line matching: $1"
    fi
}

expect_no_log() {
    if grep -Eq -- "$1" "$log"; then
        fail "the serial log has an unexpected line matching: $1"
    fi
}

# summary_row SCENARIO DOMAIN: the domain's row of dom0's final summary table.
summary_row() {
    sed -n '/toolstack: summary of/,/toolstack: summary end/p' "$log" |
        grep -E "toolstack: $1 +$2 " | head -n 1
}

# expect_end SCENARIO DOMAIN STATE-REGEX: the domain ended that way.
expect_end() {
    local row
    row=$(summary_row "$1" "$2")
    if [ -z "$row" ]; then
        fail "dom0's summary has no row for $2 in scenario $1"
    elif ! echo "$row" | grep -Eq -- "toolstack: $1 +$2 +[0-9]+ +($3) "; then
        fail "$2 in scenario $1 should have ended as '$3': $row"
    fi
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
