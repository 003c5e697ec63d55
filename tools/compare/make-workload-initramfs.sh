#!/usr/bin/env bash
# Writes the workload initramfs of 'make compare' (tools/compare/README.md):
# an uncompressed cpio "newc" archive, owned by root, that every
# configuration boots with the same kernel:
#
#   /init                  tools/compare/workload/init: mounts, runs lmb, powers off
#   /usr/bin/lmb           tools/compare/workload/lmb.c, static (host gcc, glibc)
#   /bin/busybox           the host's static /bin/busybox (Debian's busybox-static) and a
#                          symbolic link per applet, as tools/make-linux-initramfs.sh does
#   /lib/modules/xen_privcmd.ko
#                          with --privcmd FILE: the stock kernel's module, through which
#                          lmb reads pvmon's per-domain counters (a kernel without
#                          modules or not on Xen's ABI never loads it)
#   /proc /sys /dev /tmp   mount points
#
#   tools/compare/make-workload-initramfs.sh [--privcmd FILE] OUTPUT
set -u

privcmd=""
if [ $# -eq 3 ] && [ "$1" = --privcmd ]; then
    privcmd=$2
    shift 2
fi
if [ $# -ne 1 ]; then
    sed -n '2,/^set -u/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -u/d' >&2
    exit 1
fi
output=$1
sources=$(dirname "$0")/workload
busybox=/bin/busybox

fail() {
    echo "make-workload-initramfs.sh: $*" >&2
    exit 1
}

[ -x "$busybox" ] || fail "$busybox is missing: install Debian's busybox-static"
if LC_ALL=C readelf -l "$busybox" | grep -q 'program interpreter'; then
    fail "$busybox is dynamically linked: install Debian's busybox-static instead of busybox"
fi

staging=$(mktemp -d)
trap 'rm -rf "$staging" "$output.partial"' EXIT
mkdir -p "$staging"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,lib/modules} || exit 1
install -m 755 "$sources/init" "$staging/init" || exit 1
install -m 755 "$busybox" "$staging/bin/busybox" || exit 1
for applet in $("$busybox" --list-full); do
    [ "$applet" = bin/busybox ] && continue
    mkdir -p "$staging/$(dirname "$applet")" && ln -s /bin/busybox "$staging/$applet" ||
        fail "cannot link busybox's applet $applet"
done
gcc -std=c11 -Wall -Wextra -Werror -O2 -static -o "$staging/usr/bin/lmb" "$sources/lmb.c" ||
    fail "cannot compile $sources/lmb.c"
if [ -n "$privcmd" ]; then
    cp "$privcmd" "$staging/lib/modules/xen_privcmd.ko" || fail "cannot copy $privcmd"
fi

set -o pipefail
(cd "$staging" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
    cpio -o -H newc -R 0:0 --quiet) >"$output.partial" || fail "cpio could not write $output"
mv "$output.partial" "$output" || exit 1
