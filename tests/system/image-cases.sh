# The system tests of dom0's vbds on disk images (issue 14), sourced by
# tests/system/run-system-tests.sh, whose helpers they use
# (tests/lib/dom0-cases.sh, healthy_domain_passes, count_guest_cases).
# The images are made at test time by the host's own tools
# (tests/lib/make-images.sh), and judged by them after the run.

source tests/lib/make-images.sh

image_mib=16                # each image's virtual disk
image_room_mib=24           # what a qcow2 file may grow by: 16 MiB of data and its metadata
image_sectors=$((image_mib * 2048))

# images_directory: a fresh $work/images.
images_directory() {
    rm -rf "$work/images" && mkdir "$work/images"
}

# make_healthy_images: base.qcow2 (text, read-only), two overlays of it,
# packed.qcow2 (the text compressed with zstd), crypt.img and its key,
# plain.img.
make_healthy_images() {
    local images=$work/images
    images_directory &&
        text_image "$images/base.raw" "$image_mib" &&
        qcow2_of "$images/base.raw" "$images/base.qcow2" &&
        overlay_of "$images/base.qcow2" "$images/overlay1.qcow2" "$image_room_mib" &&
        overlay_of "$images/base.qcow2" "$images/overlay2.qcow2" "$image_room_mib" &&
        qcow2_of "$images/base.raw" "$images/packed.qcow2" -c -o compression_type=zstd &&
        room_to_grow "$images/packed.qcow2" "$image_room_mib" &&
        encrypted_image "$images/crypt.key" "$images/crypt.img" "$image_mib" &&
        truncate -s "${image_mib}M" "$images/plain.img"
}

# expect_image_check IMAGE: qemu-img check finds neither errors nor leaks.
expect_image_check() {
    local result
    qemu-img check "$1" >"$work/check.log" 2>&1
    result=$?
    [ "$result" -eq 0 ] ||
        fail "qemu-img check of $(basename "$1") exits with $result: $(grep -v '^$' "$work/check.log" | head -n 4 | tr '\n' ' ')"
}

# expect_pattern RAW SEED WHAT: every sector of RAW's first image_mib holds SEED's pattern.
expect_pattern() {
    local output
    output=$("$pattern_tool" "$1" "$2" "0+$image_sectors" 2>&1) ||
        fail "$3 does not hold seed $2's pattern: $(grep -v '^MATCH' <<<"$output" | head -n 1)"
}

vbds_on_qcow2_compressed_and_encrypted_images_keep_their_data() {
    local images=$work/images base_sum timeout_seconds=$((timeout_seconds * 3)) compressed_before compressed_after
    local domain file
    if ! make_healthy_images; then
        fail "making the images failed"
        return
    fi
    base_sum=$(sha256sum <"$images/base.qcow2")
    compressed_before=$(compressed_clusters_percent "$images/packed.qcow2")
    qemu_options="--disk-read-only $images/base.qcow2 --disk $images/overlay1.qcow2 --disk $images/overlay2.qcow2
                  --disk $images/packed.qcow2 --disk $images/crypt.img --disk $images/plain.img" \
        boot images tests/system/images.domains "$pv_kernel" "etc/xen/keys/crypt.key=$images/crypt.key"
    expect_status
    for domain in overlay1 overlay2 packed crypt plain; do
        healthy_domain_passes images "$domain" disk_test
    done
    for domain in overlay1 overlay2 packed crypt; do
        healthy_domain_passes verify "$domain" disk_verify
    done
    healthy_domain_passes images rawbase disk_broken
    healthy_domain_passes images second disk_broken
    expect_log "\(d0\) toolstack: d[0-9]+ vbd 51712: opening image overlay1.qcow2 failed: in use: "
    expect_log "\(d[0-9]+\) PASS disk_broken: every_request_is_answered_okay: [1-9][0-9]* requests answered OKAY, 0 ERROR, 0 unanswered$"
    expect_log "\(d0\) virtio-blk: vda at .*, read-only, .*serial 'base.qcow2'$"
    expect_log "\(d0\) toolstack: d[0-9]+ vbd 51712: xvda on image overlay1.qcow2 \(qcow2 with backing files\), 32768 sectors, read-write$"
    expect_log "\(d0\) toolstack: d[0-9]+ vbd 51712: xvda on image packed.qcow2 \(qcow2, compressed writes\), 32768 sectors, read-write$"
    expect_log "\(d0\) toolstack: d[0-9]+ vbd 51712: xvda on image crypt.img \(raw, aes-xts-plain64\), 32768 sectors, read-write$"
    expect_log "\(d0\) toolstack: d[0-9]+ vbd 51712: xvda on plain.img|\(d0\) toolstack: d[0-9]+ vbd 51712: xvda on vd[a-z], sectors 0\+32768"
    expect_no_log "PANIC"
    count_guest_cases
    for file in overlay1.qcow2 overlay2.qcow2 packed.qcow2; do
        expect_image_check "$images/$file"
    done
    [ "$(sha256sum <"$images/base.qcow2")" = "$base_sum" ] || fail "base.qcow2 changed under its overlays"
    if qemu-img convert -q -O raw "$images/overlay1.qcow2" "$images/overlay1.raw"; then
        expect_pattern "$images/overlay1.raw" 41 "overlay1.qcow2 as qemu-img reads it"
    else
        fail "qemu-img convert of overlay1.qcow2 failed"
    fi
    if python3 tests/lib/xts_image.py decrypt "$images/crypt.key" "$images/crypt.img" "$images/crypt.plain" >/dev/null; then
        expect_pattern "$images/crypt.plain" 44 "crypt.img as python3-cryptography decrypts it"
    else
        fail "decrypting crypt.img on the host failed"
    fi
    expect_pattern "$images/plain.img" 45 "plain.img"
    compressed_after=$(compressed_clusters_percent "$images/packed.qcow2")
    echo "     packed.qcow2: ${compressed_before}% compressed clusters before, ${compressed_after}% after"
    awk -v after="$compressed_after" 'BEGIN { exit !(after > 0) }' ||
        fail "packed.qcow2 has no compressed cluster left after the run"
    rm -rf "$images"
}

# broken_image NAME DAMAGE [OPTIONS...]: NAME, 4 MiB of text then 4 MiB of
# zeros (left unallocated: a write there allocates), converted with
# OPTIONS, given room, then damaged.
broken_image() {
    local images=$work/images name=$1 damage=$2
    shift 2
    { text_image "$images/half.raw" 4 && truncate -s 8M "$images/half.raw"; } &&
        qcow2_of "$images/half.raw" "$images/$name" "$@" &&
        room_to_grow "$images/$name" 8 &&
        tests/lib/qcow2_corrupt.py "$images/$name" "$damage"
}

# make_malformed_images: healthy.qcow2 and the broken images of malformed-images.domains.
make_malformed_images() {
    local images=$work/images
    images_directory &&
        qemu-img create -q -f qcow2 "$images/healthy.qcow2" "${image_mib}M" &&
        room_to_grow "$images/healthy.qcow2" "$image_room_mib" &&
        broken_image l1.qcow2 l1-beyond-end &&
        broken_image l2.qcow2 l2-unaligned &&
        broken_image beyond.qcow2 l2-beyond-end &&
        broken_image refcount.qcow2 refcount-table &&
        broken_image zstd.qcow2 compressed-stream -c -o compression_type=zstd &&
        qemu-img create -q -f qcow2 "$images/loop-b.qcow2" 8M &&
        (cd "$images" && qemu-img create -q -f qcow2 -b loop-b.qcow2 -F qcow2 loop-a.qcow2 &&
            qemu-img rebase -q -u -b loop-a.qcow2 -F qcow2 loop-b.qcow2)
}

malformed_images_fail_their_devices_alone() {
    local images=$work/images disks=() name domain timeout_seconds=$((timeout_seconds * 2))
    if ! make_malformed_images; then
        fail "making the images failed"
        return
    fi
    for name in healthy.qcow2 l1.qcow2 l2.qcow2 beyond.qcow2 refcount.qcow2 loop-a.qcow2 loop-b.qcow2 zstd.qcow2; do
        disks+=(--disk "$images/$name")
    done
    qemu_options="${disks[*]}" boot malformed tests/system/malformed-images.domains "$pv_kernel"
    expect_status
    healthy_domain_passes malformed healthy disk_test
    for domain in badl1 badl2 beyond badref loop badzstd; do
        healthy_domain_passes malformed "$domain" disk_broken
    done
    # The loop is refused where the chain is first walked: the checkpoint chain through the
    # disk (vbd_checkpoint_dom0_top) before disk_image_open's own loop check.
    expect_log "\(d0\) toolstack: d[0-9]+ vbd 51712: the chain of checkpoints through loop-a.qcow2 does not check \(-22\)"
    expect_log "\(d0\) toolstack: summary end"
    expect_no_log "PANIC"
    count_guest_cases
    expect_image_check "$images/healthy.qcow2"
    qemu-img convert -q -O raw "$images/healthy.qcow2" "$images/healthy.raw" &&
        expect_pattern "$images/healthy.raw" 61 "healthy.qcow2 as qemu-img reads it"
    rm -rf "$images"
}
