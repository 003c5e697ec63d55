#!/usr/bin/env bash
# Writes the Linux guest's initramfs: an uncompressed cpio "newc" archive,
# all of it owned by root, that the kernel unpacks as its root file system:
#
#   /init                  pv-guest/linux/initramfs/init: mounts, then the workload
#                          or a shell as pvmon.test= says, then poweroff
#   /workload.sh           the workload's steps (pv-guest/linux/initramfs/workload.sh)
#   /usr/bin/pvmon-NAME    each pv-guest/linux/initramfs/NAME.c but common.c, linked
#                          with common.c: static executables built by the host's gcc
#                          against glibc (libc6-dev)
#   /bin/busybox           the host's /bin/busybox, from Debian's busybox-static (a
#                          static executable: the guest needs no libraries), and a
#                          symbolic link to it for each of its applets, where
#                          'busybox --list-full' puts it (/bin/sh, /sbin/poweroff, ...)
#   /proc /sys /dev /tmp /root    empty: mount points and the shell's home
#   /lib/modules/          with --modules DIR only: DIR's NAME.ko files and its
#                          load-order, which /init loads with insmod in that order
#                          (Debian's stock kernel: tools/fetch-debian-kernel.sh's
#                          debian-modules, the modules its disk needs)
#
#   tools/make-linux-initramfs.sh [--modules DIR] OUTPUT
#
# The same tree, unpacked into an ext4 image by tools/make-disk-image.sh,
# is the root file system on the domU's disk.
# The kernel's own built-in initramfs provides /dev/console.
set -u

modules=""
if [ $# -eq 3 ] && [ "$1" = --modules ]; then
    modules=$2
    shift 2
fi
if [ $# -ne 1 ]; then
    sed -n '2,/^set -u/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -u/d' >&2
    exit 1
fi
output=$1
sources=$(dirname "$0")/../pv-guest/linux/initramfs
busybox=/bin/busybox
program_cflags=(-std=c11 -Wall -Wextra -Werror -O2 -static)

fail() {
    echo "make-linux-initramfs.sh: $*" >&2
    exit 1
}

[ -x "$busybox" ] || fail "$busybox is missing: install Debian's busybox-static"
# Debian's other busybox package is linked dynamically and would need the host's libraries.
if LC_ALL=C readelf -l "$busybox" | grep -q 'program interpreter'; then
    fail "$busybox is dynamically linked: install Debian's busybox-static instead of busybox"
fi
echo "make-linux-initramfs.sh: busybox is the host's $busybox: $("$busybox" | head -n 1)"

staging=$(mktemp -d)
trap 'rm -rf "$staging" "$output.partial"' EXIT

mkdir -p "$staging"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root} || exit 1
install -m 755 "$sources/init" "$staging/init" || exit 1
install -m 755 "$sources/workload.sh" "$staging/workload.sh" || exit 1
install -m 755 "$busybox" "$staging/bin/busybox" || exit 1
applets=$("$busybox" --list-full) || fail "$busybox --list-full failed"
for applet in $applets; do
    [ "$applet" = bin/busybox ] && continue
    if ! mkdir -p "$staging/$(dirname "$applet")" || ! ln -s /bin/busybox "$staging/$applet"; then
        fail "cannot link busybox's applet $applet"
    fi
done

if [ -n "$modules" ]; then
    [ -f "$modules/load-order" ] || fail "$modules/load-order is missing: run 'make linux-stock'"
    mkdir -p "$staging/lib/modules" || exit 1
    cp "$modules/load-order" "$staging/lib/modules/" || exit 1
    for name in $(cat "$modules/load-order"); do
        cp "$modules/$name.ko" "$staging/lib/modules/" || fail "$modules/$name.ko is missing"
    done
fi

for source in "$sources"/*.c; do
    name=$(basename "$source" .c)
    [ "$name" = common ] && continue
    gcc "${program_cflags[@]}" -o "$staging/usr/bin/pvmon-$name" "$source" "$sources/common.c" ||
        fail "cannot compile $source"
done

set -o pipefail
(cd "$staging" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
    cpio -o -H newc -R 0:0 --quiet) >"$output.partial" || fail "cpio could not write $output"
mv "$output.partial" "$output" || exit 1
