#!/usr/bin/env bash
# Turns a Linux bzImage (vmlinuz) back into the ELF vmlinux compressed
# inside it, which is what a Xen PV domain builder loads.  vmlinuz-extract
# takes the compressed stream out and names its format, the host's
# decompressor for that format undoes it (gzip, bzip2, xz, lzma, lzo, lz4
# or zstd, each from its Debian package), and the result must be an x86-64
# ELF with Xen's ELF notes, of the size the bzImage declares.
#
#   tools/vmlinuz-to-elf.sh VMLINUZ OUTPUT
#
# OUTPUT appears only once every check has passed.  vmlinuz-extract is
# taken from $BUILD/tools (BUILD defaults to build; 'make' builds it).
set -u

if [ $# -ne 2 ]; then
    sed -n '2,/^set -u/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -u/d' >&2
    exit 1
fi
input=$1
output=$2
extract=${BUILD:-build}/tools/vmlinuz-extract

fail() {
    echo "vmlinuz-to-elf.sh: $*" >&2
    exit 1
}

[ -x "$extract" ] || fail "$extract is missing: build it with 'make $extract'"

# "FORMAT SIZE DECOMPRESSOR ARGUMENTS...", e.g. "xz 65906612 xz -dc".
description=$("$extract" --describe "$input") || exit 1
read -r -a fields <<<"$description"
format=${fields[0]}
expected_size=${fields[1]}
decompressor=("${fields[@]:2}")
command -v "${decompressor[0]}" >/dev/null ||
    fail "$input is compressed with $format, and '${decompressor[0]}' is not installed"

partial=$output.partial
trap 'rm -f "$partial"' EXIT
set -o pipefail
"$extract" "$input" | "${decompressor[@]}" >"$partial" ||
    fail "could not decompress the $format stream of $input with '${decompressor[*]}'"

# The bzImage declares the size modulo 2^32; a vmlinux is far smaller.
size=$(stat -c %s "$partial") || exit 1
[ "$size" -eq "$expected_size" ] ||
    fail "$input: decompressed to $size bytes, but the bzImage declares $expected_size"

header=$(LC_ALL=C readelf -h "$partial" 2>/dev/null) || fail "$input: the decompressed kernel is not ELF"
grep -Eq '^ *Class: +ELF64$' <<<"$header" || fail "$input: the decompressed kernel is not a 64-bit ELF"
grep -Eq '^ *Machine: +Advanced Micro Devices X86-64$' <<<"$header" ||
    fail "$input: the decompressed kernel is not for x86-64"
xen_notes=$(LC_ALL=C readelf -n "$partial" | awk '$1 == "Xen" { count++ } END { print count + 0 }')
[ "$xen_notes" -gt 0 ] || fail "$input: the kernel has no Xen ELF notes: it cannot run as a Xen PV guest"

mv "$partial" "$output" || exit 1
echo "vmlinuz-to-elf.sh: $output: x86-64 ELF vmlinux, $size bytes, $xen_notes Xen notes (from $format)"
