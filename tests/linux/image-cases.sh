# The Linux tests of disk images (issue 14), sourced by
# tests/linux/run-linux-tests.sh, whose helpers they use: a Linux domU's
# PV disk is a qcow2 overlay over a base, a compressed qcow2 image (zstd,
# zlib) or an aes-xts-plain64 encrypted image, each file one of dom0's
# virtio disks, served by dom0's blkback through backend/disk_image.c.
#
# Every image starts from one base, base.raw: build/linux/root.img (the
# ext4 root file system, 256 MiB) followed by a 32 MiB region filled with
# the pattern of pvmon-scatter (pv-guest/linux/initramfs/scatter.c).  The
# domU boots with its root on /dev/xvda, writes 16 MiB of checksummed
# blocks to a file, fsyncs, drops its page cache and reads them back
# (disk-write-verify), then makes 256 writes of 512 bytes to 128 KiB, and
# whole 64 KiB units, over the pattern region of the device itself and
# reads every sector back (disk-scatter), and powers off.  On the host:
#   - qemu-img check finds no error and no leak (exit status 0);
#   - the image as qemu-img reads it (or as tests/lib/xts_image.py's cipher
#     decrypts it: tests/lib/xts_extents.py) is a clean ext4 (e2fsck -fn)
#     holding every byte of the guest's file (debugfs and pvmon-disk verify);
#   - qemu-img compare finds the image equal to the expected disk: the
#     file system as checked above, and the pattern region exactly as the
#     host's own pvmon-scatter, run with the guest's seed on a copy of
#     the base, leaves it (every write at its place, every sector the
#     guest did not write still the base's, through the backing file);
#   - a base is unchanged byte for byte (sha256 before and after);
#   - a compressed image holds clusters written compressed during the run.
# The crash case repeats the block crash test (SIGKILL of QEMU after N
# acked records) on a qcow2 overlay: no error right after the kill (a
# leaked cluster is allowed there: dom0 repairs it on its next open), none
# and no leak after Linux's next boot on it, every acked record there.  Each boot has the hard timeout of
# run-linux-tests.sh and a failing case prints the tail of its serial log.

scatter_tool=$work/pvmon-scatter
base_seed=7               # pvmon.scatter_base_seed in tests/linux/image-*.domains
region_offset_mib=256     # pvmon.scatter_offset_mib's default: root.img's end
region_mib=32             # pvmon.scatter_mib's default
scatter_writes=256        # pvmon.scatter_writes's default
image_data_mib=16         # pvmon.disk_mib in tests/linux/image-*.domains
image_room_mib=160        # what a qcow2 file may grow by: the file, the region, ext4's journal and metadata

# base_image: $work/base.raw (made once): root.img, then the pattern region.
base_image() {
    if ! [ -f "$work/base.raw" ]; then
        if [ "$(stat -c %s "$disk_image")" -ne $((region_offset_mib * 1048576)) ]; then
            echo "$disk_image is not $region_offset_mib MiB: the pattern region would overlap its file system" >&2
            return 1
        fi
        cp --sparse=always "$disk_image" "$work/base.raw.partial" &&
            "$scatter_tool" pattern "$work/base.raw.partial" "$region_offset_mib" "$region_mib" "$base_seed" \
                >/dev/null && mv "$work/base.raw.partial" "$work/base.raw" || return 1
    fi
    echo "$work/base.raw"
}

# image_directory NAME: a new directory for the case's image files; prints its path.
image_directory() {
    rm -rf "$work/$1" && mkdir "$work/$1" && echo "$work/$1"
}

# copy_of_base DIRECTORY FORMAT: the base in DIRECTORY as base.FORMAT
# (raw: a sparse copy; qcow2: qemu-img convert); prints its path.
copy_of_base() {
    local base
    base=$(base_image) || return 1
    if [ "$2" = raw ]; then
        cp --sparse=always "$base" "$1/base.raw" || return 1
    else
        qemu-img convert -q -f raw -O qcow2 "$base" "$1/base.qcow2" || return 1
    fi
    echo "$1/base.$2"
}

# room_to_grow IMAGE: IMAGE's file made image_room_mib MiB longer (sparse):
# a file is one of dom0's virtio disks, whose size is fixed when QEMU
# starts, so a qcow2 image grows only within its file (backend/qcow2.h).
room_to_grow() {
    truncate -s "+${image_room_mib}M" "$1"
}

# overlay_of BASE NAME: a qcow2 overlay NAME beside BASE, backed by it
# (named by its base name: dom0 finds the backing file among its disks by
# their names, tools/run-qemu.sh's serials), with room to grow.
overlay_of() {
    local directory=${1%/*} format=${1##*.}
    (cd "$directory" && qemu-img create -q -f qcow2 -b "${1##*/}" -F "$format" "$2") &&
        room_to_grow "$directory/$2" && echo "$directory/$2"
}

sha256_of() {
    sha256sum "$1" | cut -d ' ' -f 1
}

# expect_unchanged FILE SHA256 WHAT: FILE's bytes are those it had.
expect_unchanged() {
    local now
    now=$(sha256_of "$1")
    if [ "$now" = "$2" ]; then
        echo "     $3 unchanged: sha256 ${now:0:16}..."
    else
        fail "$3 changed: sha256 $2 before the run, $now after"
    fi
}

# expect_qemu_img_check IMAGE WHAT: qemu-img check finds neither errors nor leaks (exit 0).
expect_qemu_img_check() {
    local result
    qemu-img check "$1" >"$work/check.log" 2>&1
    result=$?
    if [ "$result" -ne 0 ]; then
        fail "qemu-img check of $2 exits with $result: $(grep -v '^$' "$work/check.log" | head -n 6 | tr '\n' ' ')"
    else
        echo "     qemu-img check of $2: $(grep -E 'allocated' "$work/check.log" | head -n 1)"
    fi
}

# expect_no_corruption IMAGE WHAT: qemu-img check finds no error (exit 0),
# or only leaked clusters (exit 3: a stop between a refcount's increment
# and the entry naming the cluster, which backend/qcow2.h allows and dom0
# repairs when it next opens the image for writing).
expect_no_corruption() {
    local result
    qemu-img check "$1" >"$work/check.log" 2>&1
    result=$?
    case $result in
    0) echo "     qemu-img check of $2: no errors, no leaks" ;;
    3) echo "     qemu-img check of $2: no errors; $(grep -E 'leaked clusters' "$work/check.log" | head -n 1)" ;;
    *) fail "qemu-img check of $2 exits with $result: $(grep -v '^$' "$work/check.log" | head -n 6 | tr '\n' ' ')" ;;
    esac
}

# raw_of IMAGE: qemu-img's reading of IMAGE, with its backing chain, as IMAGE.raw.
raw_of() {
    qemu-img convert -q -O raw "$1" "$1.raw" && echo "$1.raw"
}

# expected_disk RAW SCATTER-SEED: what the guest's disk must hold, as
# RAW.expected: RAW's file system (checked by e2fsck and pvmon-disk), then
# the base's pattern region as the host's pvmon-scatter leaves it for the seed.
expected_disk() {
    local base result
    base=$(base_image) || return 1
    cp --sparse=always "$1" "$1.expected" &&
        dd if="$base" of="$1.expected" bs=1M skip="$region_offset_mib" seek="$region_offset_mib" \
            count="$region_mib" conv=notrunc status=none || return 1
    result=$("$scatter_tool" write "$1.expected" "$region_offset_mib" "$region_mib" "$scatter_writes" "$2" \
        "$base_seed" 2>&1 | tail -n 1)
    echo "$result" | grep -q "PASS disk-scatter" || { echo "the host's pvmon-scatter: $result" >&2; return 1; }
    echo "$1.expected"
}

# expect_guest_data DISK FORMAT RAW SEED SCATTER-SEED WHAT: RAW (DISK as
# qemu-img reads it, or decrypted) holds a clean file system with the
# guest's file of SEED, and qemu-img compare finds DISK (of FORMAT) equal
# to the expected disk for SCATTER-SEED.
expect_guest_data() {
    local disk=$1 format=$2 raw=$3 seed=$4 scatter_seed=$5 what=$6 expected
    expect_clean_file_system "$raw" "of $what"
    expect_host_finds_the_data "$raw" "$seed" "$image_data_mib"
    if ! expected=$(expected_disk "$raw" "$scatter_seed" 2>"$work/expected.log"); then
        fail "cannot make the expected disk of $what: $(tail -n 2 "$work/expected.log" | tr '\n' ' ')"
        return
    fi
    if qemu-img compare -f "$format" -F raw "$disk" "$expected" >"$work/compare.log" 2>&1; then
        echo "     qemu-img compare: $what equals the expected disk (its pattern region as the guest's" \
            "$scatter_writes writes left it)"
    else
        fail "qemu-img compare of $what with the expected disk: $(head -n 2 "$work/compare.log" | tr '\n' ' ')"
    fi
    rm -f "$expected"
}

# expect_image_workload SCENARIO DOMAIN: the domU ran both disk
# steps on its root disk and powered off.
expect_image_workload() {
    local console
    console=$(sed -nE "s/.*\(d0\) toolstack: $2 is domain ([0-9]+): .*/d\1/p" "$log" | head -n 1)
    expect_log "\(d0\) console ${console:-d[0-9]+}: pvmon-linux: root on /dev/xvda "
    expect_log "\(d0\) console ${console:-d[0-9]+}: pvmon-linux: PASS disk-write bytes=$((image_data_mib * 1048576)) "
    expect_log "\(d0\) console ${console:-d[0-9]+}: pvmon-linux: PASS disk-verify bytes=$((image_data_mib * 1048576)) "
    expect_log "\(d0\) console ${console:-d[0-9]+}: pvmon-linux: PASS disk-scatter writes=$scatter_writes "
    linux_says "PASS disk-(verify|scatter) " | grep -E "console ${console:-d[0-9]+}:" |
        sed -E "s/.*pvmon-linux: PASS /     $2: /"
    expect_end "$1" "$2" "shutdown +poweroff"
}

# expect_clean_run: nothing failed or crashed in the boot.
expect_clean_run() {
    expect_status
    expect_no_log "pvmon-linux: FAIL"
    expect_no_log "Kernel panic|PANIC|BUG:|Oops"
}

linux_on_a_qcow2_overlay_writes_only_its_overlay() {
    local directory base overlay base_sha raw
    directory=$(image_directory linux-image-overlay) &&
        base=$(copy_of_base "$directory" qcow2) && overlay=$(overlay_of "$base" overlay.qcow2) ||
        { fail "cannot make the base and its overlay"; return; }
    base_sha=$(sha256_of "$base")
    local qemu_options="--disk-read-only $base --disk $overlay"
    boot linux-image-overlay tests/linux/image-overlay.domains "$patched_kernel" "$initramfs"
    expect_clean_run
    expect_image_workload linux-image-overlay writer
    expect_qemu_img_check "$overlay" "the overlay"
    expect_qemu_img_check "$base" "the base"
    expect_unchanged "$base" "$base_sha" "the base (qcow2)"
    if raw=$(raw_of "$overlay"); then
        expect_guest_data "$overlay" qcow2 "$raw" 21 22 "the overlay"
    else
        fail "qemu-img cannot read the overlay with its backing chain"
    fi
    [ -n "${KEEP_IMAGES:-}" ] && cp -r "$directory" "$KEEP_IMAGES/"
    rm -rf "$directory"
}

two_linux_domains_on_overlays_of_one_base_see_only_their_own() {
    local directory base first second base_sha raw
    directory=$(image_directory linux-image-two-overlays) &&
        base=$(copy_of_base "$directory" raw) && first=$(overlay_of "$base" first.qcow2) &&
        second=$(overlay_of "$base" second.qcow2) || { fail "cannot make the base and its overlays"; return; }
    base_sha=$(sha256_of "$base")
    local qemu_options="--disk-read-only $base --disk $first --disk $second"
    boot linux-image-two-overlays tests/linux/image-two-overlays.domains "$patched_kernel" "$initramfs" \
        "$stock_kernel" "$stock_initramfs"
    expect_clean_run
    # Each verified its own seed's data and scatter writes: what the other wrote is not on its disk.
    expect_image_workload linux-image-two-overlays first
    expect_image_workload linux-image-two-overlays second
    expect_unchanged "$base" "$base_sha" "the shared base (raw)"
    for overlay in first:78:79 second:90:91; do
        local name=${overlay%%:*} seeds=${overlay#*:}
        expect_qemu_img_check "$directory/$name.qcow2" "the $name domain's overlay"
        if raw=$(raw_of "$directory/$name.qcow2"); then
            expect_guest_data "$directory/$name.qcow2" qcow2 "$raw" "${seeds%%:*}" "${seeds#*:}" \
                "the $name domain's overlay"
            rm -f "$raw"
        else
            fail "qemu-img cannot read the $name domain's overlay"
        fi
    done
    [ -n "${KEEP_IMAGES:-}" ] && cp -r "$directory" "$KEEP_IMAGES/"
    rm -rf "$directory"
}

# clusters_written_compressed IMAGE MAP: the guest clusters of IMAGE now
# compressed whose place differs from the one MAP (qcow2_clusters.py's
# output before the run) gave them: written compressed during the run.
clusters_written_compressed() {
    tests/lib/qcow2_clusters.py "$1" | awk 'NR == FNR { before[$1] = $2 " " $3; next }
        $2 == "compressed" && before[$1] != $2 " " $3 { count++ }
        END { print count + 0 }' "$2" -
}

# linux_on_a_compressed_image CODEC SEED: the base converted by qemu-img
# into a compressed qcow2 (compression_type=CODEC), served with compressed
# writes (compress=on); the guest's writes of compressible data (the
# scatter region's) come back compressed.  16 KiB clusters: compress=on
# compresses a write that covers a whole cluster (backend/disk_image.h),
# and Linux's blkfront sends at most 44 KiB a request (11 segments, no
# indirect descriptors), which never covers one of qemu-img's default
# 64 KiB clusters but always a 16 KiB one when it is 44 KiB long.
linux_on_a_compressed_image() {
    local codec=$1 seed=$2 directory disk written raw config
    directory=$(image_directory "linux-image-$codec") &&
        disk="$directory/$codec.qcow2" &&
        qemu-img convert -q -c -f raw -O qcow2 -o "compression_type=$codec,cluster_size=16384" "$(base_image)" "$disk" &&
        room_to_grow "$disk" ||
        { fail "cannot make the $codec-compressed image"; return; }
    tests/lib/qcow2_clusters.py "$disk" >"$directory/before.map" ||
        { fail "cannot read the $codec image's L2 tables"; return; }
    echo "     $codec image: $(qemu-img check --output=json "$disk" | tr -d ' \n' |
        sed -nE 's/.*"compressed-clusters":([0-9]+).*"allocated-clusters":([0-9]+).*/\1 of its \2 clusters compressed by qemu-img/p')"
    config=$work/image-$codec.domains
    sed -e "s/@CODEC@/$codec/g" -e "s/@SEED@/$seed/g" -e "s/@SCATTER_SEED@/$((seed + 1))/g" \
        tests/linux/image-compressed.domains >"$config"
    local qemu_options="--disk $disk"
    boot "linux-image-$codec" "$config" "$patched_kernel" "$initramfs"
    expect_clean_run
    expect_image_workload "linux-image-$codec" writer
    expect_qemu_img_check "$disk" "the $codec image"
    written=$(clusters_written_compressed "$disk" "$directory/before.map")
    echo "     clusters the backend wrote compressed during the run: $written"
    [ "$written" -gt 0 ] || fail "no cluster written during the run is compressed"
    if raw=$(raw_of "$disk"); then
        expect_guest_data "$disk" qcow2 "$raw" "$seed" $((seed + 1)) "the $codec image"
    else
        fail "qemu-img cannot read the $codec image"
    fi
    [ -n "${KEEP_IMAGES:-}" ] && cp -r "$directory" "$KEEP_IMAGES/"
    rm -rf "$directory"
}

linux_on_a_zstd_compressed_image_writes_compressed_clusters() {
    linux_on_a_compressed_image zstd 31
}

linux_on_a_zlib_compressed_image_writes_compressed_clusters() {
    linux_on_a_compressed_image zlib 41
}

linux_on_an_encrypted_image_decrypts_on_the_host() {
    local directory disk key decrypted
    directory=$(image_directory linux-image-encrypted) && key=$directory/disk.key &&
        tests/lib/xts_image.py make-key "$key" && disk=$directory/encrypted.img &&
        tests/lib/xts_extents.py encrypt "$key" "$(base_image)" "$disk" ||
        { fail "cannot make the encrypted image with tests/lib/xts_image.py's key and cipher"; return; }
    local qemu_options="--disk $disk"
    boot linux-image-encrypted tests/linux/image-encrypted.domains "$patched_kernel" "$initramfs" "$key"
    expect_clean_run
    expect_image_workload linux-image-encrypted writer
    decrypted=$directory/decrypted.raw
    if tests/lib/xts_extents.py decrypt "$key" "$disk" "$decrypted" 2>"$work/xts.log"; then
        if cmp -s <(head -c 1048576 "$disk") <(head -c 1048576 "$decrypted"); then
            fail "the image's first MiB is plaintext: the backend did not encrypt"
        fi
        expect_guest_data "$decrypted" raw "$decrypted" 51 52 "the decrypted image"
    else
        fail "tests/lib/xts_extents.py cannot decrypt the image: $(tail -n 2 "$work/xts.log")"
    fi
    [ -n "${KEEP_IMAGES:-}" ] && cp -r "$directory" "$KEEP_IMAGES/"
    rm -rf "$directory"
}

# The crash test of the block issue on a qcow2 overlay: Linux appends
# fsync'd records and prints "acked N"; QEMU is killed with SIGKILL after
# at least ACKS of them (LINUX_CRASH_SEED); then qemu-img check finds no
# error (a cluster leaked by the kill is no error: dom0 repairs it on the
# next open), the overlay's file system replays its journal (e2fsck on
# qemu-img's reading) and holds every acked record, Linux booted again on
# the overlay finds them too, after which qemu-img check is clean, leaks
# included, and the base has not changed.
acked_records_on_a_qcow2_overlay_survive_a_sigkill() {
    local directory base overlay base_sha acks acked replay intact raw seed=${LINUX_CRASH_SEED:-$$}
    local records_seed=57 # pvmon.disk_seed in image-crash-*.domains
    RANDOM=$seed
    acks=$((10 + RANDOM % 40))
    echo "     crash seed $seed: killing after at least $acks acks"
    directory=$(image_directory linux-image-crash) &&
        base=$(copy_of_base "$directory" raw) && overlay=$(overlay_of "$base" overlay.qcow2) ||
        { fail "cannot make the base and its overlay"; return; }
    base_sha=$(sha256_of "$base")
    local qemu_options="--disk-read-only $base --disk $overlay"
    boot_and_kill linux-image-crash tests/linux/image-crash-records.domains "$acks" "$patched_kernel" "$initramfs"
    acked=$(acked_count)
    expect_log "\(d0\) console d[0-9]+: pvmon-linux: root on /dev/xvda "
    expect_no_log "pvmon-linux: FAIL"
    [ "$acked" -ge "$acks" ] || fail "Linux acked only $acked records before the kill (wanted $acks)"
    expect_no_corruption "$overlay" "the overlay after the SIGKILL"

    if raw=$(raw_of "$overlay"); then
        e2fsck -f -y "$raw" >"$work/e2fsck.log" 2>&1
        replay=$?
        [ "$replay" -le 1 ] ||
            fail "e2fsck -fy of the crashed overlay's reading exits with $replay: $(tail -n 3 "$work/e2fsck.log" | tr '\n' ' ')"
        expect_clean_file_system "$raw" "after the crash and e2fsck's journal replay"
        if host_copy_of "$raw" /data/records.bin "$work/records.bin"; then
            intact=$("$disk_tool" check-records "$work/records.bin" "$records_seed" 2>/dev/null |
                sed -nE 's/.*PASS disk-check-records intact=([0-9]+) file-records=([0-9]+)$/\1/p')
            echo "     on the host: $acked acked, ${intact:-none} intact"
            [ -n "$intact" ] && [ "$intact" -ge "$acked" ] ||
                fail "the host finds ${intact:-no} records intact, but Linux acked $acked"
        else
            fail "debugfs cannot take /data/records.bin out of the overlay: $(tail -n 2 "$work/debugfs.log")"
        fi
        rm -f "$raw" "$work/records.bin"
    else
        fail "qemu-img cannot read the crashed overlay"
    fi

    boot linux-image-crash-check tests/linux/image-crash-check.domains "$patched_kernel" "$initramfs"
    expect_status
    intact=$(linux_says "PASS disk-check-records intact=[0-9]+ " | sed -nE 's/.* intact=([0-9]+) .*/\1/p' | tail -n 1)
    echo "     Linux booted again on the overlay: ${intact:-no} records intact"
    [ -n "$intact" ] && [ "$intact" -ge "$acked" ] ||
        fail "Linux booted again finds ${intact:-no} records intact, but it had acked $acked"
    expect_end linux-image-crash-check checker "shutdown +poweroff"
    expect_no_log "Kernel panic|PANIC|BUG:|Oops"
    expect_qemu_img_check "$overlay" "the overlay after Linux's second boot (dom0 repaired any leak)"
    expect_unchanged "$base" "$base_sha" "the base (raw)"
    [ -n "${KEEP_IMAGES:-}" ] && cp -r "$directory" "$KEEP_IMAGES/"
    rm -rf "$directory"
}

image_cases=(linux_on_a_qcow2_overlay_writes_only_its_overlay
             two_linux_domains_on_overlays_of_one_base_see_only_their_own
             linux_on_a_zstd_compressed_image_writes_compressed_clusters
             linux_on_a_zlib_compressed_image_writes_compressed_clusters
             linux_on_an_encrypted_image_decrypts_on_the_host
             acked_records_on_a_qcow2_overlay_survive_a_sigkill)
