#!/usr/bin/env bash
# The qcow2 stage of 'make test': images written by pvmon's own disk image
# code (backend/disk_image.c, qcow2*.c, driven on host files by
# $BUILD/tools/qcow2-tool) judged by the host's tools, and images the
# host's tools wrote read by it:
#   - qemu-img check: no errors and no leaks (exit 0) after every workload;
#   - qemu-img compare: the image holds what a raw reference file, written
#     with plain pwrite beside each acknowledged write, holds;
#   - qemu-img info --backing-chain: overlays name their backing file;
#   - compressed clusters that qemu-img convert -c wrote (zlib, zstd) read
#     back as the source; zstd clusters pvmon wrote read back in qemu-img;
#   - aes-xts-plain64 images decrypt with python3-cryptography;
#   - crash at every write: the image code's file writes stop after N
#     writes, for every N until the workload completes: qemu-img check
#     finds no corruption (at most leaks: exit 3), every acknowledged write
#     reads back through qemu-img, and after pvmon's next writable open
#     (which repairs leaks, as QEMU does for a dirty image) check is clean.
# Every qemu-img run has a timeout.  Prints "PASS name" or "FAIL name:
# why" per case and ends with "qcow2: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
tool=$build/tools/qcow2-tool
here=tests/qcow2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
qimg() { timeout 60 qemu-img "$@"; }

# check IMAGE: qemu-img check's exit status (0 clean, 2 corrupt, 3 leaks only).
check_status() { qimg check -q "$1" >/dev/null 2>&1; echo $?; }

# case NAME FUNCTION: runs FUNCTION in a fresh directory; it prints why it failed.
run_case() {
    local name=$1 why
    rm -rf "$work/case" && mkdir -p "$work/case"
    rm -f "$work/crash-summary"
    if why=$(cd "$work/case" && "$2" 2>&1); then pass "$name"; [ -f "$work/crash-summary" ] && cat "$work/crash-summary"; else fail "$name" "$(echo "$why" | tail -n 3 | tr '\n' ' ')"; fi
}

T=$(realpath "$tool")
H=$(realpath "$here")

# fresh IMAGE FILE_MB VIRTUAL_MB [CLUSTER_BITS]: a file of fixed size with a fresh image, and its reference.
fresh() {
    truncate -s "$2M" "$1" && "$T" create "$1" $(($3 << 20)) ${4:-} && truncate -s "$3M" "$1.ref"
}

# clean_and_equal IMAGE REFERENCE
clean_and_equal() {
    local status
    status=$(check_status "$1")
    [ "$status" = 0 ] || { echo "qemu-img check exit $status"; qimg check "$1"; return 1; }
    qimg compare -q "$1" "$2" || { echo "qemu-img compare: the image differs from the reference"; return 1; }
}

case_created_image_is_clean_for_qemu_img() {
    fresh disk.qcow2 16 8 || return 1
    clean_and_equal disk.qcow2 disk.qcow2.ref || return 1
    qimg info disk.qcow2 | grep -q "compat: 1.1" || { echo "not a v3 image"; return 1; }
}

case_random_workload_matches_the_reference() {
    fresh disk.qcow2 64 32 || return 1
    "$T" workload disk.qcow2 qcow2 disk.qcow2.ref 1 600 || return 1
    clean_and_equal disk.qcow2 disk.qcow2.ref
}

case_random_workload_with_4_kib_clusters_matches_the_reference() {
    fresh disk.qcow2 24 16 12 || return 1
    "$T" workload disk.qcow2 qcow2 disk.qcow2.ref 2 600 || return 1
    clean_and_equal disk.qcow2 disk.qcow2.ref
}

case_random_workload_with_512_byte_clusters_matches_the_reference() {
    fresh disk.qcow2 8 2 9 || return 1
    "$T" workload disk.qcow2 qcow2 disk.qcow2.ref 3 400 max-sectors=40 || return 1
    clean_and_equal disk.qcow2 disk.qcow2.ref
}

case_compressed_zlib_writes_read_back_in_qemu_img() {
    fresh disk.qcow2 64 32 || return 1
    "$T" workload disk.qcow2 qcow2 disk.qcow2.ref 4 600 compress || return 1
    clean_and_equal disk.qcow2 disk.qcow2.ref || return 1
    qimg check disk.qcow2 | grep -q "[1-9][0-9.]*% compressed clusters" || { echo "no compressed cluster"; return 1; }
}

case_compressed_zstd_writes_read_back_in_qemu_img() {
    qimg create -q -f qcow2 -o compression_type=zstd,cluster_size=4096 disk.qcow2 16M || return 1
    truncate -s 32M disk.qcow2 && truncate -s 16M disk.qcow2.ref
    "$T" workload disk.qcow2 qcow2 disk.qcow2.ref 5 600 compress || return 1
    clean_and_equal disk.qcow2 disk.qcow2.ref || return 1
    qimg check disk.qcow2 | grep -q "[1-9][0-9.]*% compressed clusters" || { echo "no compressed cluster"; return 1; }
}

# source.raw of 8 MiB: zeros, repeated bytes, text and noise, cluster by cluster.
make_source() {
    python3 - <<'PY'
import random
r = random.Random(14)
out = bytearray()
for index in range(128):
    kind = r.randrange(4)
    if kind == 0: out += bytes(65536)
    elif kind == 1: out += bytes([r.randrange(256)]) * 65536
    elif kind == 2: out += (b"qcow2 cluster %d of pvmon " % index * 4000)[:65536]
    else: out += r.randbytes(65536)
open("source.raw", "wb").write(out)
PY
}

case_qemu_compressed_zlib_image_reads_as_its_source() {
    make_source && qimg convert -c -O qcow2 -o compression_type=zlib source.raw disk.qcow2 || return 1
    "$T" read disk.qcow2 qcow2 out.raw || return 1
    cmp -s out.raw source.raw || { echo "the read differs from the source"; return 1; }
}

case_qemu_compressed_zstd_image_reads_as_its_source() {
    make_source && qimg convert -c -O qcow2 -o compression_type=zstd,cluster_size=16384 source.raw disk.qcow2 || return 1
    "$T" read disk.qcow2 qcow2 out.raw || return 1
    cmp -s out.raw source.raw || { echo "the read differs from the source"; return 1; }
}

case_overlay_on_a_compressed_qcow2_base_leaves_the_base_unchanged() {
    make_source && qimg convert -c -O qcow2 -o compression_type=zstd source.raw base.qcow2 || return 1
    local before
    before=$(sha256sum < base.qcow2)
    truncate -s 32M top.qcow2 && "$T" create top.qcow2 $((8 << 20)) base.qcow2 qcow2 || return 1
    qimg info --backing-chain top.qcow2 | grep -q "backing file: base.qcow2" || { echo "no chain in qemu-img info"; return 1; }
    cp source.raw top.qcow2.ref
    "$T" workload top.qcow2 qcow2 top.qcow2.ref 6 600 || return 1
    clean_and_equal top.qcow2 top.qcow2.ref || return 1
    [ "$(sha256sum < base.qcow2)" = "$before" ] || { echo "the base changed"; return 1; }
}

case_two_overlays_of_one_raw_base_see_only_their_own_writes() {
    make_source && cp source.raw base.raw || return 1
    for name in one two; do
        truncate -s 32M $name.qcow2 && "$T" create $name.qcow2 $((8 << 20)) base.raw raw || return 1
        cp source.raw $name.qcow2.ref
    done
    "$T" workload one.qcow2 qcow2 one.qcow2.ref 7 300 || return 1
    "$T" workload two.qcow2 qcow2 two.qcow2.ref 8 300 || return 1
    clean_and_equal one.qcow2 one.qcow2.ref && clean_and_equal two.qcow2 two.qcow2.ref || return 1
    cmp -s base.raw source.raw || { echo "the base changed"; return 1; }
    ! cmp -s one.qcow2.ref two.qcow2.ref || { echo "the two workloads wrote the same"; return 1; }
}

case_chain_of_three_reads_through_every_layer() {
    make_source && cp source.raw base.raw || return 1
    truncate -s 32M middle.qcow2 && "$T" create middle.qcow2 $((8 << 20)) base.raw raw || return 1
    cp source.raw middle.qcow2.ref
    "$T" workload middle.qcow2 qcow2 middle.qcow2.ref 9 200 || return 1
    truncate -s 32M top.qcow2 && "$T" create top.qcow2 $((8 << 20)) middle.qcow2 qcow2 16 || return 1
    cp middle.qcow2.ref top.qcow2.ref
    "$T" workload top.qcow2 qcow2 top.qcow2.ref 10 200 || return 1
    [ "$(qimg info --backing-chain top.qcow2 | grep -c '^image:')" = 3 ] || { echo "qemu-img sees no chain of 3"; return 1; }
    clean_and_equal top.qcow2 top.qcow2.ref && clean_and_equal middle.qcow2 middle.qcow2.ref
}

case_workload_on_a_qemu_img_image_matches_the_reference() {
    make_source && qimg convert -O qcow2 source.raw disk.qcow2 || return 1
    truncate -s 32M disk.qcow2 && cp source.raw disk.qcow2.ref
    "$T" workload disk.qcow2 qcow2 disk.qcow2.ref 11 600 || return 1
    clean_and_equal disk.qcow2 disk.qcow2.ref
}

case_full_file_leaves_a_clean_image() {
    fresh disk.qcow2 4 32 || return 1
    "$T" workload disk.qcow2 qcow2 disk.qcow2.ref 12 600 2>/dev/null
    [ $? = 3 ] || { echo "the workload did not run out of space"; return 1; }
    [ "$(check_status disk.qcow2)" = 0 ] || { echo "qemu-img check is not clean"; return 1; }
}

# The reference of an encrypted disk starts as what its unwritten sectors read as: each
# sector's bytes in the file (zeros) decrypted, by python3-cryptography.
case_encrypted_raw_image_decrypts_with_python_cryptography() {
    head -c 64 /dev/urandom > key && truncate -s 8M disk.raw || return 1
    python3 "$H/xts_decrypt.py" key disk.raw disk.raw.ref || return 1
    "$T" workload disk.raw raw disk.raw.ref 13 300 key=key || return 1
    python3 "$H/xts_decrypt.py" key disk.raw plain.raw || return 1
    cmp -s plain.raw disk.raw.ref || { echo "the decrypted disk differs from the reference"; return 1; }
}

case_encrypted_qcow2_image_decrypts_with_python_cryptography() {
    head -c 64 /dev/urandom > key && fresh disk.qcow2 32 8 || return 1
    python3 "$H/xts_decrypt.py" key disk.qcow2.ref plain.ref && mv plain.ref disk.qcow2.ref || return 1
    "$T" workload disk.qcow2 qcow2 disk.qcow2.ref 14 300 key=key || return 1
    [ "$(check_status disk.qcow2)" = 0 ] || { echo "qemu-img check is not clean"; return 1; }
    qimg convert -O raw disk.qcow2 cipher.raw && python3 "$H/xts_decrypt.py" key cipher.raw plain.raw || return 1
    cmp -s plain.raw disk.qcow2.ref || { echo "the decrypted disk differs from the reference"; return 1; }
}

# One crash point: the workload stopped after N file writes (or finished); prints its exit status.
crash_at() {
    local n=$1
    rm -f disk.qcow2 disk.qcow2.ref disk.qcow2.ref.pending out.raw
    fresh disk.qcow2 16 4 12 >/dev/null || return 1
    "$T" workload disk.qcow2 qcow2 disk.qcow2.ref 15 16 max-sectors=24 compress crash-after="$n"
}

case_crash_at_every_write_leaves_no_corruption_and_every_acknowledged_write() {
    local n=0 status leaks=0 points=0
    while :; do
        crash_at $n; status=$?
        [ $status = 0 ] || [ $status = 42 ] || { echo "write budget $n: the workload ended with $status"; return 1; }
        points=$((points + 1))
        local check
        check=$(check_status disk.qcow2)
        [ "$check" = 0 ] || [ "$check" = 3 ] || { echo "write budget $n: qemu-img check exit $check"; qimg check disk.qcow2; return 1; }
        [ "$check" = 3 ] && leaks=$((leaks + 1))
        qimg convert -O raw disk.qcow2 out.raw && python3 "$H/acknowledged_writes.py" out.raw disk.qcow2.ref ||
            { echo "write budget $n: acknowledged data lost"; return 1; }
        "$T" workload disk.qcow2 qcow2 disk.qcow2.ref 16 0 || { echo "write budget $n: reopening failed"; return 1; }
        check=$(check_status disk.qcow2)
        [ "$check" = 0 ] || { echo "write budget $n: after reopening, qemu-img check exit $check"; return 1; }
        [ $status = 0 ] && break
        n=$((n + 1))
    done
    echo "crash points: $points, leaks before reopening: $leaks" > ../crash-summary
}

for name in $(declare -F | awk '{print $3}' | grep "^case_${QCOW2_TEST_ONLY:-}"); do
    run_case "${name#case_}" "$name"
done
echo "qcow2: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
