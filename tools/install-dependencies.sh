#!/usr/bin/env bash
# Installs the Debian packages pvmon needs to build, run and test, and says
# what it installs.  Run as root on Debian 12 (bookworm); does nothing when
# everything is present.  'make run' and 'make test' call it first.
#
#   gcc, make, binutils        build the hypervisor and the host tests
#   libxen-dev                 Xen's public headers: the PV ABI definitions
#   check, pkg-config          the unit-test framework
#   qemu-system-x86            the machine pvmon boots on
#   grub-pc-bin, grub-common,  the bootable ISO (multiboot2 path)
#   xorriso, mtools
#   cpio                       packs several boot modules into one PVH initrd
#   clang, libclang-rt-14-dev  'make fuzz': libFuzzer and the sanitizers' runtime for clang
#   busybox-static             the Linux domU's initramfs: its shell and tools
#                              (tools/make-linux-initramfs.sh)
#   xz-utils                   decompresses Debian's kernel (tools/vmlinuz-to-elf.sh), and
#                              unpacks Debian's Linux sources (/usr/src/linux-source-*.tar.xz)
#   linux-source-6.1           'make linux': Debian's Linux 6.1 source, the tree pvmon's domU
#                              kernel is built from (pv-guest/linux/6.1)
#   linux-source-6.12          'make linux LINUX_SERIES=6.12': Debian's Linux 6.12 source, the
#                              tree of pv-guest/linux/6.12's series (checked by tests/linux)
#   git                        keeps the unpacked tree, and checks that the series applies
#                              with git am (tests/linux)
#   patch                      applies pv-guest/linux/6.1/series and 6.12/series
#   bc, bison, flex            kbuild: timeconst.h, and Kconfig's parser
#   libelf-dev                 objtool, which the x86-64 kernel build runs on every object
#   libssl-dev                 kbuild's certificate tools (certs/, scripts/sign-file), which
#                              configurations with signed modules or trusted keys build
#   e2fsprogs                  the Linux domU's disk: mkfs.ext4 -d builds the ext4 image from a
#                              tree (tools/make-disk-image.sh); e2fsck and debugfs check it
#                              (tests/linux)
#   procps                     pgrep: the Linux crash test finds the QEMU it kills
#   python3-cryptography       the host's reader of encrypted disks: OpenSSL's AES-XTS checks pvmon's
#                              (tests/lib/xts_crosscheck.py, tests/lib/xts_image.py)
#   curl                       the Linux network test fetches a domU's file through a forwarded
#                              port (busybox-static's wget crashes on the host); downloads the
#                              sources of zlib and libzstd (tools/fetch-debian-source.sh)
#   dpkg-dev, bzip2            unpack those Debian source packages with their patches (dpkg-source;
#                              zlib's tarball is .tar.bz2, libzstd's .tar.xz)
#   zstd, python3              the cluster codec's unit tests check its streams against the zstd
#                              tool and python3's zlib module (tests/unit/test_cluster_codec.c)
set -eu

packages=(gcc make binutils libc6-dev libxen-dev check pkg-config qemu-system-x86
          grub-pc-bin grub-common xorriso mtools cpio clang libclang-rt-14-dev
          busybox-static xz-utils linux-source-6.1 linux-source-6.12 git patch bc bison flex libelf-dev libssl-dev
          e2fsprogs procps curl dpkg-dev bzip2 zstd python3 python3-cryptography)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "pvmon needs these Debian packages, which are not installed: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "Run 'make deps' as root, or: apt-get install ${missing[*]}" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null; then
    echo "No apt-get here: install ${missing[*]} with this system's package manager." >&2
    exit 1
fi
echo "Installing them with apt-get (this happens once)..."
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "apt-get could not install: ${missing[*]}. Check the network and the apt sources." >&2
    exit 1
fi
echo "Installed: ${missing[*]}"
