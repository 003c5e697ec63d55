#!/usr/bin/env bash
# Writes a bootable CD image (GRUB, BIOS) that boots pvmon with multiboot2.
#
#   tools/make-iso.sh OUTPUT.iso IMAGE [--append "ARGS"] [MODULE...]
#
# Each MODULE becomes a multiboot2 module, named by its file name; the
# first one is, once domains exist, dom0's kernel.  GRUB itself draws on
# the (invisible) VGA console, so the serial line carries only pvmon's log.
set -eu

if [ $# -lt 2 ]; then
    sed -n '2,/^set -eu/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -eu/d' >&2
    exit 2
fi
output=$1
image=$2
shift 2
append=""
if [ "${1:-}" = "--append" ]; then
    append=$2
    shift 2
fi

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/boot/grub" "$staging/boot/modules"
cp "$image" "$staging/boot/pvmon.elf"

{
    echo "set timeout=0"
    echo "set default=0"
    echo "menuentry \"pvmon\" {"
    echo "    multiboot2 /boot/pvmon.elf $append"
    for module in "$@"; do
        name=$(basename "$module")
        cp "$module" "$staging/boot/modules/$name"
        echo "    module2 /boot/modules/$name $name"
    done
    echo "    boot"
    echo "}"
} > "$staging/boot/grub/grub.cfg"

mkdir -p "$(dirname "$output")"
grub-mkrescue --quiet -o "$output" "$staging" 2>"$staging/grub-mkrescue.log" || {
    cat "$staging/grub-mkrescue.log" >&2
    echo "make-iso.sh: grub-mkrescue failed (are grub-pc-bin, xorriso and mtools installed? 'make deps')" >&2
    exit 1
}
