#!/usr/bin/env bash
# Checkpoint chains as the host's own tools see them: pvmon's checkpoint
# code (backend/vbd_checkpoint.c with the real qcow2 code, driven on host
# files by build/tools/vbd-checkpoint-tool, as dom0 drives it on its
# disks) takes checkpoints and rolls back a disk, base.raw under
# guest.qcow2, with three spares (ckpt1..3.qcow2: empty sparse files, as
# tools/run-qemu.sh --checkpoint-spares makes them); QEMU's qemu-io
# writes the data in between, as a guest would.  After every step
# `qemu-img check` is clean on every qcow2 file, `qemu-img info
# --backing-chain` shows the chain pvmon says, and a rollback gives back,
# byte for byte (`qemu-img compare`), what the disk held when the
# checkpoint was taken.
#
# Run from the top of the tree after 'make'.  Ends with
# "checkpoints: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."

tool=${BUILD:-build}/tools/vbd-checkpoint-tool
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
case_failures=()

fail() {
    case_failures+=("$*")
}

run_case() {
    case_failures=()
    "$1"
    if [ ${#case_failures[@]} -eq 0 ]; then
        echo "PASS $1"
        passed=$((passed + 1))
    else
        echo "FAIL $1"
        printf '     %s\n' "${case_failures[@]}"
        failed=$((failed + 1))
    fi
}

# A fresh disk: base.raw (4 MiB of random bytes) under guest.qcow2, each
# qcow2 file and spare an 8 MiB file (a whole disk of dom0's).
fresh_disk() {
    rm -rf "$work/disk" && mkdir "$work/disk"
    head -c 4M /dev/urandom >"$work/disk/base.raw"
    qemu-img create -q -f qcow2 -b base.raw -F raw "$work/disk/guest.qcow2" 4M
    truncate -s 8M "$work/disk/guest.qcow2" "$work/disk/ckpt1.qcow2" "$work/disk/ckpt2.qcow2" \
        "$work/disk/ckpt3.qcow2"
}

tool_says() {
    "$tool" "$work/disk" "$@" >"$work/out" 2>&1
}

# write IMAGE PATTERN OFFSET LENGTH: QEMU writes through the chain's top.
write() {
    qemu-io -f qcow2 -c "write -P $2 $3 $4" "$work/disk/$1" >/dev/null || fail "qemu-io could not write $1"
}

# remember IMAGE NAME: the whole virtual disk as IMAGE's chain shows it, in $work/NAME.raw.
remember() {
    qemu-img convert -O raw "$work/disk/$1" "$work/$2.raw" || fail "qemu-img could not read $1"
}

checkpoint() {
    tool_says checkpoint guest.qcow2 || fail "checkpoint refused: $(cat "$work/out")"
}

rollback() {
    tool_says rollback guest.qcow2 "$1" || fail "rollback to $1 refused: $(cat "$work/out")"
}

every_qcow2_checks_clean() {
    local file
    for file in "$work"/disk/*.qcow2; do
        if [ "$(head -c 4 "$file" | od -An -tx1 | tr -d ' ')" = "514649fb" ]; then
            qemu-img check -q "$file" >"$work/check" 2>&1 ||
                fail "qemu-img check $(basename "$file"): exit $?: $(cat "$work/check")"
        fi
    done
}

# chain_is TOP NAME...: qemu-img info --backing-chain from TOP names exactly these images.
chain_is() {
    local top=$1 shown
    shift
    shown=$(qemu-img info --backing-chain "$work/disk/$top" | sed -n 's/^image: .*\///p' | tr '\n' ' ')
    [ "$shown" = "$* " ] || fail "qemu-img info --backing-chain $top shows '$shown', not '$* '"
}

same_contents() {
    qemu-img compare -q -f raw -F qcow2 "$work/$1.raw" "$work/disk/$2" ||
        fail "$2's chain does not hold what the disk held at $1"
}

is_free() {
    [ "$(head -c 4 "$work/disk/$1" | od -An -tx1 | tr -d ' ')" != "514649fb" ] || fail "$1 is not free"
}

# --- the cases ------------------------------------------------------------------

a_checkpoint_puts_an_overlay_qemu_reads_over_the_disk() {
    fresh_disk
    write guest.qcow2 0xa1 0 1M
    checkpoint
    every_qcow2_checks_clean
    chain_is ckpt1.qcow2 ckpt1.qcow2 guest.qcow2 base.raw
    grep -Eq '^ckpt1.qcow2 +qcow2 +top: takes the writes$' "$work/out" || fail "the list: $(cat "$work/out")"
    grep -Eq '^guest.qcow2 +qcow2 +checkpoint$' "$work/out" || fail "the list: $(cat "$work/out")"
    grep -Eq '^base.raw +raw +backing$' "$work/out" || fail "the list: $(cat "$work/out")"
}

writes_after_a_checkpoint_go_to_the_overlay_and_check_clean() {
    fresh_disk
    write guest.qcow2 0xa1 0 1M
    checkpoint
    remember guest.qcow2 at-checkpoint
    write ckpt1.qcow2 0xb2 512K 1M
    every_qcow2_checks_clean
    same_contents at-checkpoint guest.qcow2
}

the_chain_is_listed_again_from_the_images() {
    fresh_disk
    checkpoint
    checkpoint
    tool_says list guest.qcow2 || fail "list refused: $(cat "$work/out")"
    grep -Eq '^ckpt2.qcow2 +qcow2 +top: takes the writes$' "$work/out" || fail "the list: $(cat "$work/out")"
    grep -Eq '^ckpt1.qcow2 +qcow2 +checkpoint$' "$work/out" || fail "the list: $(cat "$work/out")"
    grep -Eq '^free spares: ckpt3.qcow2$' "$work/out" || fail "the list: $(cat "$work/out")"
    chain_is ckpt2.qcow2 ckpt2.qcow2 ckpt1.qcow2 guest.qcow2 base.raw
}

rollback_gives_back_exactly_each_checkpoint() {
    fresh_disk
    write guest.qcow2 0xa1 0 1M
    remember guest.qcow2 first
    checkpoint
    write ckpt1.qcow2 0xb2 512K 1M
    remember ckpt1.qcow2 second
    checkpoint
    write ckpt2.qcow2 0xc3 0 3M
    rollback ckpt1.qcow2
    every_qcow2_checks_clean
    chain_is ckpt2.qcow2 ckpt2.qcow2 ckpt1.qcow2 guest.qcow2 base.raw
    same_contents second ckpt2.qcow2
    write ckpt2.qcow2 0xd4 0 2M
    rollback guest.qcow2
    every_qcow2_checks_clean
    chain_is ckpt1.qcow2 ckpt1.qcow2 guest.qcow2 base.raw
    same_contents first ckpt1.qcow2
    is_free ckpt2.qcow2
}

rollback_to_the_top_or_the_base_is_refused_and_changes_nothing() {
    fresh_disk
    checkpoint
    cp -a "$work/disk" "$work/before"
    if tool_says rollback guest.qcow2 ckpt1.qcow2; then
        fail "a rollback to the top was done"
    fi
    grep -q "not a checkpoint" "$work/out" || fail "the message: $(cat "$work/out")"
    if tool_says rollback guest.qcow2 base.raw; then
        fail "a rollback to the base under the disk's own image was done"
    fi
    diff -r "$work/before" "$work/disk" >/dev/null || fail "a refused rollback changed the files"
    rm -rf "$work/before"
}

a_checkpoint_without_a_free_spare_is_refused() {
    fresh_disk
    checkpoint
    checkpoint
    checkpoint
    if tool_says checkpoint guest.qcow2; then
        fail "a fourth checkpoint was taken with three spares"
    fi
    grep -q "no free spare disk" "$work/out" || fail "the message: $(cat "$work/out")"
    every_qcow2_checks_clean
}

if [ ! -x "$tool" ]; then
    echo "checkpoint-chain: $tool is not built (make)"
    echo "checkpoints: 0 passed, 1 failed"
    exit 1
fi
for test_case in \
    a_checkpoint_puts_an_overlay_qemu_reads_over_the_disk \
    writes_after_a_checkpoint_go_to_the_overlay_and_check_clean \
    the_chain_is_listed_again_from_the_images \
    rollback_gives_back_exactly_each_checkpoint \
    rollback_to_the_top_or_the_base_is_refused_and_changes_nothing \
    a_checkpoint_without_a_free_spare_is_refused; do
    run_case "$test_case"
done
echo "checkpoints: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
