#!/usr/bin/env bash
# Writes a raw disk image holding an ext4 file system made from a
# directory tree or a cpio archive, with Debian's e2fsprogs: 'mkfs.ext4 -d'
# copies the tree into the new file system itself, so that neither root
# nor a loop device is needed.  Run by 'make linux-disk' and by the Linux
# tests, whose domUs have their root file system on it (root=/dev/xvda).
#
#   tools/make-disk-image.sh OUTPUT SIZE_MIB SOURCE
#
# SOURCE is a directory, or a cpio "newc" archive (e.g. the Linux
# initramfs, build/linux/initramfs.cpio), which is unpacked first.
# OUTPUT is a sparse file of SIZE_MIB MiB, one ext4 file system over all
# of it (no partition table: the guest mounts /dev/xvda itself), with
# mke2fs.conf's ext4 features (Debian 12: has_journal, extent, flex_bg,
# metadata_csum, 64bit...; Linux 6.1 reads them all), 4 KiB blocks, the
# label "pvmon-root", and every file owned by root when run as root (by
# the caller otherwise: mkfs.ext4 -d keeps the owners it finds).  The new
# file system passes 'e2fsck -fn' before OUTPUT appears.
set -u

if [ $# -ne 3 ]; then
    sed -n '2,/^set -u/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -u/d' >&2
    exit 1
fi
output=$1
size_mib=$2
source=$3

fail() {
    echo "make-disk-image.sh: $*" >&2
    exit 1
}

case $size_mib in
'' | *[!0-9]*) fail "SIZE_MIB must be a number of MiB, not '$size_mib'" ;;
esac
[ "$size_mib" -ge 8 ] || fail "SIZE_MIB must be at least 8 (ext4 with a journal)"
# Debian keeps mkfs.ext4 and e2fsck in /sbin, outside a user's PATH.
PATH=$PATH:/usr/sbin:/sbin
command -v mkfs.ext4 >/dev/null || fail "mkfs.ext4 is missing: install Debian's e2fsprogs"

staging=$(mktemp -d)
trap 'rm -rf "$staging" "$output.partial"' EXIT

if [ -d "$source" ]; then
    tree=$source
elif [ -f "$source" ]; then
    tree=$staging/tree
    mkdir "$tree" || exit 1
    (cd "$tree" && cpio -i -d -m --quiet --no-absolute-filenames) <"$source" ||
        fail "cannot unpack $source as a cpio archive"
else
    fail "$source is neither a directory nor a cpio archive"
fi

rm -f "$output.partial"
truncate -s "${size_mib}M" "$output.partial" || fail "cannot create $output.partial"
if ! mkfs.ext4 -q -F -t ext4 -b 4096 -L pvmon-root -d "$tree" "$output.partial" >"$staging/mkfs.log" 2>&1; then
    cat "$staging/mkfs.log" >&2
    fail "mkfs.ext4 could not make the file system (is $size_mib MiB enough for $source?)"
fi
if ! e2fsck -f -n "$output.partial" >"$staging/e2fsck.log" 2>&1; then
    cat "$staging/e2fsck.log" >&2
    fail "e2fsck finds the new file system damaged"
fi
mv -f "$output.partial" "$output" || exit 1
