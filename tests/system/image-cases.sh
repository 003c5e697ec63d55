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
    expect_log "\(d0\) virtio-blk: vda at .*, read-only, .*serial 'base.qcow2'$"
    expect_log "\(d0\) toolstack: d[0-9]+ vbd 51712: xvda on image overlay1.qcow2 \(qcow2 with backing files\), 32768 sectors, read-write$"
    expect_log "\(d0\) toolstack: d[0-9]+ vbd 51712: xvda on image packed.qcow2 \(qcow2, compressed writes\), 32768 sectors, read-write$"
    expect_log "\(d0\) toolstack: d[0-9]+ vbd 51712: xvda on image crypt.img \(raw, aes-xts-plain64\), 32768 sectors, read-write$"
    expect_log "\(d0\) toolstack: d[0-9]+ vbd 51712: xvda on plain.img|\(d0\) toolstack: d[0-9]+ vbd 51712: xvda on vd[a-z], sectors 0\+32768"
    expect_no_log "PANIC"
    count_guest_cases
    for image in overlay1.qcow2 overlay2.qcow2 packed.qcow2; do
        expect_image_check "$images/$image"
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
