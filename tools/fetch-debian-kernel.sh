#!/usr/bin/env bash
# Brings Debian's stock kernel as the ELF vmlinux a Xen PV domain builder
# loads: the package that Debian's linux-image-amd64 metapackage depends on
# (e.g. linux-image-6.1.0-56-amd64) is downloaded with apt-get, never
# installed; dpkg-deb takes its boot/vmlinuz-* out, and
# tools/vmlinuz-to-elf.sh turns that into ELF.
#
#   tools/fetch-debian-kernel.sh OUTDIR
#
# Leaves OUTDIR/debian-vmlinux, a copy of the ELF from the cache outside
# the work tree: ${PVMON_CACHE:-$HOME/.cache/pvmon}/debian-kernel/PACKAGE_VERSION/
# holds vmlinuz and vmlinux.  A version already in the cache is used at
# once; only a new one is downloaded.  apt's package lists must know
# linux-image-amd64: if they do not, it runs 'apt-get update' (as root) once.
# vmlinuz-extract is taken from $BUILD/tools (BUILD defaults to build).
set -u

if [ $# -ne 1 ]; then
    sed -n '2,/^set -u/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -u/d' >&2
    exit 1
fi
outdir=$1
tools=$(dirname "$0")
cache_root=${PVMON_CACHE:-$HOME/.cache/pvmon}/debian-kernel

fail() {
    echo "fetch-debian-kernel.sh: $*" >&2
    exit 1
}

# Prints the kernel package linux-image-amd64 depends on, or nothing.
resolve_package() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}

package=$(resolve_package)
if [ -z "$package" ]; then
    [ "$(id -u)" -eq 0 ] || fail "apt does not know linux-image-amd64: run 'apt-get update' as root"
    echo "fetch-debian-kernel.sh: apt does not know linux-image-amd64 yet: running apt-get update"
    update_log=$(mktemp)
    if ! apt-get update >"$update_log" 2>&1; then
        tail -n 20 "$update_log" >&2
        rm -f "$update_log"
        fail "apt-get update failed: check the network and the apt sources"
    fi
    rm -f "$update_log"
    package=$(resolve_package)
    [ -n "$package" ] || fail "no linux-image-amd64 in the apt sources (Debian's main archive)"
fi
version=$(apt-cache show --no-all-versions "$package" | awk '$1 == "Version:" { print $2; exit }')
[ -n "$version" ] || fail "apt knows no version of $package"
cache=$cache_root/${package}_$version

# A cache entry appears whole (one rename) or not at all.
if [ ! -f "$cache/vmlinux" ]; then
    echo "fetch-debian-kernel.sh: downloading $package $version"
    mkdir -p "$cache_root" || exit 1
    work=$(mktemp -d "$cache_root/.download.XXXXXX") || exit 1
    trap 'rm -rf "$work"' EXIT

    # As root apt warns that its _apt user cannot write here; the download is fine.
    if ! (cd "$work" && apt-get download "$package=$version") >"$work/apt.log" 2>&1; then
        tail -n 20 "$work/apt.log" >&2
        fail "apt-get could not download $package $version"
    fi
    debs=("$work"/*.deb)
    if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
        fail "apt-get download left no single .deb in $work"
    fi

    mkdir -p "$work/root" "$work/entry" || exit 1
    set -o pipefail
    dpkg-deb --fsys-tarfile "${debs[0]}" | tar -x -C "$work/root" --wildcards './boot/vmlinuz-*' ||
        fail "no boot/vmlinuz-* in ${debs[0]##*/}"
    images=("$work"/root/boot/vmlinuz-*)
    [ ${#images[@]} -eq 1 ] || fail "${debs[0]##*/} holds ${#images[@]} boot/vmlinuz-* files, not one"
    mv "${images[0]}" "$work/entry/vmlinuz" || exit 1
    "$tools/vmlinuz-to-elf.sh" "$work/entry/vmlinuz" "$work/entry/vmlinux" || exit 1
    if ! mv -T "$work/entry" "$cache" 2>/dev/null; then
        # Another run filled the entry meanwhile, or something else is in the way.
        [ -f "$cache/vmlinux" ] || fail "cannot create $cache: remove what is there"
    fi
fi

mkdir -p "$outdir" || exit 1
cp "$cache/vmlinux" "$outdir/debian-vmlinux.partial" &&
    mv "$outdir/debian-vmlinux.partial" "$outdir/debian-vmlinux" || exit 1
echo "fetch-debian-kernel.sh: $outdir/debian-vmlinux: $package $version (cached in $cache)"
