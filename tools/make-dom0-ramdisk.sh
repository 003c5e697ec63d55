#!/usr/bin/env bash
# Writes dom0's ramdisk: a cpio "newc" archive holding a toolstack
# configuration as the file "domains" and the files it names: kernel
# images, and the ramdisks of domUs (e.g. build/programs.cpio).
#
#   tools/make-dom0-ramdisk.sh OUTPUT CONFIG FILE...
#
# Each FILE goes in under its base name, which is how CONFIG names it
# (format: pv-guest/kernel/domain_config.h); a FILE written
# PATH=SOURCE goes in as PATH (e.g. etc/xen/auto/linux.cfg=pv-guest/config/xen/linux.cfg:
# xl's configuration files), with its directories before it.
set -u

if [ $# -lt 3 ]; then
    sed -n '2,/^set -u/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -u/d' >&2
    exit 1
fi
output=$1
config=$2
shift 2

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT

cp "$config" "$staging/domains" || exit 1
names=(domains)
for file in "$@"; do
    if [[ $file == *=* ]]; then
        path=${file%%=*}
        source=${file#*=}
    else
        path=$(basename "$file")
        source=$file
    fi
    directory=
    for part in $(dirname "$path" | tr / ' '); do
        [ "$part" = . ] && continue
        directory=${directory:+$directory/}$part
        [ -d "$staging/$directory" ] && continue
        mkdir "$staging/$directory" || exit 1
        names+=("$directory")
    done
    cp "$source" "$staging/$path" || exit 1
    names+=("$path")
done
output_path=$(cd "$(dirname "$output")" && pwd)/$(basename "$output")
(cd "$staging" && printf '%s\n' "${names[@]}" | cpio -o -H newc --quiet) >"$output_path"
