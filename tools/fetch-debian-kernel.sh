#!/usr/bin/env bash
# Brings Debian's stock kernel as the ELF vmlinux a Xen PV domain builder
# loads, with the modules its disk needs: the package that a Debian
# metapackage depends on (linux-image-amd64, the default, depends on e.g.
# linux-image-6.1.0-57-amd64; linux-image-6.12-amd64 on e.g.
# linux-image-6.12.118+deb12-amd64; linux-image-cloud-amd64 and
# linux-image-6.12-cloud-amd64 bring the cloud flavours) is downloaded with
# apt-get, never installed; dpkg-deb takes its boot/vmlinuz-* and
# lib/modules/ out, tools/vmlinuz-to-elf.sh turns the first into ELF.
#
#   tools/fetch-debian-kernel.sh OUTDIR [METAPACKAGE [NAME]]
#
# Leaves OUTDIR/NAME-vmlinux, OUTDIR/NAME-vmlinuz (the bzImage itself, which
# 'make compare' boots natively and nested) and OUTDIR/NAME-modules/ (NAME
# defaults to debian), copies from the cache outside the work tree,
# ${PVMON_CACHE:-$HOME/.cache/pvmon}/debian-kernel/PACKAGE_VERSION/:
#   vmlinuz, vmlinux     the kernel
#   modules-KEY/NAME.ko  the modules that give this kernel /dev/xvda with ext4 on it and
#                        eth0 on Xen's virtual network (xen-netfront), xenfs (/proc/xen,
#                        for a person at the domU's shell under 'make run'), and, for the
#                        native references of 'make bench', /dev/vda and eth0 on
#                        virtio-pci (Debian's virtio_mmio takes no devices from the
#                        command line: VIRTIO_MMIO_CMDLINE_DEVICES is off): the closure
#                        under the package's dependencies
#                        (modules.dep, which the package does not ship: busybox's
#                        depmod makes it from the package's modules) of
#                        $module_roots below (a root the kernel has built in,
#                        as its modules.builtin says, is left out: the cloud
#                        flavours build some in); uncompressed (.ko.xz would be
#                        decompressed: busybox's insmod may not read xz)
#   modules-KEY/load-order
#                        their names, one a line, each after every module it needs:
#                        the order in which the initramfs's /init loads them with insmod
#   modules-KEY/modules.dep
#                        their dependencies as modules.dep had them, with bare names
#   modules-KEY/roots    $module_roots, the set it was made for
# KEY is the first 16 hex digits of the sha256 of $module_roots: a new set
# of roots gets a directory of its own, so that a tree with another set
# (another branch sharing the cache) keeps finding its own.  (The
# directory modules/, without KEY, is what this script kept before.)
# crc32c_generic is a root because ext4 and jbd2 name it only as a soft
# dependency ("pre: crypto-crc32c"), which insmod does not follow; the
# generic one works on any CPU.  A version already in the cache is used at
# once; only a new one is downloaded, and an entry without the
# modules-KEY/ of these roots gets it added the same way.  apt's package lists must know
# the metapackage: if they do not, it runs 'apt-get update' (as root) once.
# vmlinuz-extract is taken from $BUILD/tools (BUILD defaults to build).
set -u

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
    sed -n '2,/^set -u/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -u/d' >&2
    exit 1
fi
outdir=$1
metapackage=${2:-linux-image-amd64}
output_name=${3:-debian}
tools=$(dirname "$0")
cache_root=${PVMON_CACHE:-$HOME/.cache/pvmon}/debian-kernel
module_roots=(crc32c_generic xen-blkfront ext4 virtio_blk virtio_pci xen-netfront virtio_net xenfs)
roots_key=$(echo "${module_roots[*]}" | sha256sum | cut -c 1-16)

fail() {
    echo "fetch-debian-kernel.sh: $*" >&2
    exit 1
}

# Prints the kernel package the metapackage depends on, or nothing.
resolve_package() {
    apt-cache depends "$metapackage" 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}

package=$(resolve_package)
if [ -z "$package" ]; then
    [ "$(id -u)" -eq 0 ] || fail "apt does not know $metapackage: run 'apt-get update' as root"
    echo "fetch-debian-kernel.sh: apt does not know $metapackage yet: running apt-get update"
    update_log=$(mktemp)
    if ! apt-get update >"$update_log" 2>&1; then
        tail -n 20 "$update_log" >&2
        rm -f "$update_log"
        fail "apt-get update failed: check the network and the apt sources"
    fi
    rm -f "$update_log"
    package=$(resolve_package)
    [ -n "$package" ] || fail "no $metapackage in the apt sources (Debian's main archive)"
fi
version=$(apt-cache show --no-all-versions "$package" | awk '$1 == "Version:" { print $2; exit }')
[ -n "$version" ] || fail "apt knows no version of $package"
cache=$cache_root/${package}_$version
modules_entry=$cache/modules-$roots_key

# download WORK: the package's .deb into WORK; prints its path.
download() {
    local work=$1 debs
    echo "fetch-debian-kernel.sh: downloading $package $version" >&2
    # As root apt warns that its _apt user cannot write here; the download is fine.
    if ! (cd "$work" && apt-get download "$package=$version") >"$work/apt.log" 2>&1; then
        tail -n 20 "$work/apt.log" >&2
        fail "apt-get could not download $package $version"
    fi
    debs=("$work"/*.deb)
    if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
        fail "apt-get download left no single .deb in $work"
    fi
    echo "${debs[0]}"
}

# extract_kernel DEB WORK ENTRY: ENTRY/vmlinuz and ENTRY/vmlinux.
extract_kernel() {
    local deb=$1 work=$2 entry=$3 images
    mkdir -p "$work/root" || exit 1
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/root" --wildcards './boot/vmlinuz-*' ||
        fail "no boot/vmlinuz-* in ${deb##*/}"
    images=("$work"/root/boot/vmlinuz-*)
    [ ${#images[@]} -eq 1 ] || fail "${deb##*/} holds ${#images[@]} boot/vmlinuz-* files, not one"
    mv "${images[0]}" "$entry/vmlinuz" || exit 1
    "$tools/vmlinuz-to-elf.sh" "$entry/vmlinuz" "$entry/vmlinux" || exit 1
}

# module_name, read_dependencies and their arrays module_path, module_needs.
source "$tools/kernel-module-deps.sh" || exit 1
# Filled by read_builtin: the names the kernel has built in.
declare -A module_builtin

# read_builtin MODULES.BUILTIN: fills module_builtin (the file may be absent).
read_builtin() {
    local path
    [ -f "$1" ] || return 0
    while read -r path; do
        module_builtin[$(module_name "$path")]=1
    done <"$1"
}

# Filled by visit: the load order, and which modules it holds already.
load_order=()
declare -A visited

# visit NAME: appends NAME to load_order after everything it needs.
visit() {
    local name=$1 dependency
    [ -n "${visited[$name]:-}" ] && return
    if [ -z "${module_path[$name]:-}" ] && [ -n "${module_builtin[$name]:-}" ]; then
        return
    fi
    [ -n "${module_path[$name]:-}" ] || fail "$package has no module $name in its modules.dep"
    visited[$name]=1
    for dependency in ${module_needs[$name]}; do
        visit "$dependency"
    done
    load_order+=("$name")
}

# extract_modules DEB WORK ENTRY: ENTRY/modules/, the future modules-KEY/ (see the top of this file).
extract_modules() {
    local deb=$1 work=$2 entry=$3 directory release name source
    mkdir -p "$work/modules-root" "$entry/modules" || exit 1
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/modules-root" --wildcards './lib/modules/*' ||
        fail "no lib/modules/ in ${deb##*/}"
    directory=("$work"/modules-root/lib/modules/*)
    [ ${#directory[@]} -eq 1 ] || fail "${deb##*/} holds ${#directory[@]} lib/modules/ directories, not one"
    release=${directory[0]##*/}
    /bin/busybox depmod -b "$work/modules-root" "$release" ||
        fail "busybox depmod could not index the modules of ${deb##*/}"
    read_dependencies "${directory[0]}/modules.dep"
    read_builtin "${directory[0]}/modules.builtin"
    for name in "${module_roots[@]}"; do
        visit "${name//-/_}"
    done
    for name in "${load_order[@]}"; do
        source=${directory[0]}/${module_path[$name]}
        case $source in
        *.ko) cp "$source" "$entry/modules/$name.ko" ;;
        *.ko.xz) xz -dc "$source" >"$entry/modules/$name.ko" ;;
        *) fail "$source: a module compressed in a way this script does not read" ;;
        esac || fail "cannot copy $source"
        echo "$name:${module_needs[$name]}" >>"$entry/modules/modules.dep"
    done
    printf '%s\n' "${load_order[@]}" >"$entry/modules/load-order"
    echo "${module_roots[*]}" >"$entry/modules/roots"
}

# An entry, and its modules-KEY/, each appear whole (one rename) or not at all.
if [ ! -f "$cache/vmlinux" ] || [ ! -f "$modules_entry/load-order" ]; then
    mkdir -p "$cache_root" || exit 1
    work=$(mktemp -d "$cache_root/.download.XXXXXX") || exit 1
    trap 'rm -rf "$work"' EXIT
    set -o pipefail
    deb=$(download "$work") || exit 1
    mkdir -p "$work/entry" || exit 1
    if [ ! -f "$cache/vmlinux" ]; then
        extract_kernel "$deb" "$work" "$work/entry"
        extract_modules "$deb" "$work" "$work/entry"
        mv -T "$work/entry/modules" "$work/entry/${modules_entry##*/}" || exit 1
        if ! mv -T "$work/entry" "$cache" 2>/dev/null; then
            # Another run filled the entry meanwhile, or something else is in the way.
            [ -f "$cache/vmlinux" ] || fail "cannot create $cache: remove what is there"
        fi
    else
        extract_modules "$deb" "$work" "$work/entry"
        if ! mv -T "$work/entry/modules" "$modules_entry" 2>/dev/null; then
            [ -f "$modules_entry/load-order" ] || fail "cannot create $modules_entry: remove what is there"
        fi
    fi
fi

mkdir -p "$outdir" || exit 1
rm -rf "$outdir/$output_name-modules.partial" &&
    cp -R "$modules_entry" "$outdir/$output_name-modules.partial" &&
    rm -rf "$outdir/$output_name-modules" &&
    mv -T "$outdir/$output_name-modules.partial" "$outdir/$output_name-modules" || exit 1
cp "$cache/vmlinux" "$outdir/$output_name-vmlinux.partial" &&
    mv "$outdir/$output_name-vmlinux.partial" "$outdir/$output_name-vmlinux" || exit 1
cp "$cache/vmlinuz" "$outdir/$output_name-vmlinuz.partial" &&
    mv "$outdir/$output_name-vmlinuz.partial" "$outdir/$output_name-vmlinuz" || exit 1
echo "fetch-debian-kernel.sh: $outdir/$output_name-vmlinux: $package $version (cached in $cache)"
echo "fetch-debian-kernel.sh: $outdir/$output_name-modules: $(tr '\n' ' ' <"$outdir/$output_name-modules/load-order")"
