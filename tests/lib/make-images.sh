# Disk images for the tests of dom0's image vbds (issue 14), made with the
# host's own tools (qemu-img, tests/lib/xts_image.py), each file then one
# of dom0's virtio disks (tools/run-qemu.sh --disk: its base name is the
# disk's name in dom0).  Sourced, not run; each function prints nothing
# and returns non-zero on failure.
#
# dom0's disks are fixed-size files (the virtio disk's size is the file's
# when QEMU starts), so a qcow2 image grows only within its file
# (backend/qcow2.h): every image written gets room with truncate.

# text_image FILE MIB: a raw file of compressible text ("pvmon-base ..."), MIB long.
text_image() {
    yes "pvmon-base $(basename "$1")" | head -c "$(($2 * 1048576))" >"$1"
}

# qcow2_of RAW QCOW2 [OPTIONS...]: RAW converted to qcow2 (qemu-img convert OPTIONS, e.g. -c).
qcow2_of() {
    local raw=$1 qcow2=$2
    shift 2
    qemu-img convert -q -f raw -O qcow2 "$@" "$raw" "$qcow2"
}

# room_to_grow IMAGE MIB: IMAGE's file made MIB longer (sparse).
room_to_grow() {
    truncate -s "+${2}M" "$1"
}

# overlay_of BASE OVERLAY ROOM-MIB: a qcow2 overlay beside BASE backed by it,
# named by its base name (as dom0 finds it among its disks), with room.
overlay_of() {
    local directory format=${1##*.}
    directory=$(dirname "$1")
    (cd "$directory" && qemu-img create -q -f qcow2 -b "$(basename "$1")" -F "$format" "$(basename "$2")") &&
        room_to_grow "$2" "$3"
}

# encrypted_image KEY IMAGE MIB: a fresh 64-byte key and a raw image of MIB
# whose plaintext is zeros, encrypted as dm-crypt's plain aes-xts-plain64.
encrypted_image() {
    python3 tests/lib/xts_image.py make-key "$1" >/dev/null &&
        truncate -s "${3}M" "$2.plain" &&
        python3 tests/lib/xts_image.py encrypt "$1" "$2.plain" "$2" >/dev/null &&
        rm -f "$2.plain"
}

# compressed_clusters_percent IMAGE: qemu-img check's share of compressed clusters.
compressed_clusters_percent() {
    qemu-img check "$1" 2>/dev/null | sed -nE 's/.* ([0-9.]+)% compressed clusters.*/\1/p'
}
