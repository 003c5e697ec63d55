#!/usr/bin/env bash
# pv-guest/linux/build.sh: owns building the Linux domU that runs on
# pvmon (Debian's linux-source-SERIES, the patch series of apply-series.sh
# for that version, the configuration pvmon.config) and the cache of
# built kernels.  SERIES is a version there is a series for: 6.1 (the
# default) or 6.12.  'make linux' runs it.
#
#   build.sh [--series SERIES] OUTPUT_DIR  the kernel, from the cache or built on a miss
#   build.sh --tree TREE OUTPUT_DIR        configure and build TREE, a Linux tree of
#                                          your own with its series already applied
#                                          ('make linux-patch'); kbuild's output goes to
#                                          OUTPUT_DIR/objects and nothing is cached
#   build.sh [--series SERIES] --pristine  print the path of the pristine tree's git
#                                          repository, making it first if needed
#
# OUTPUT_DIR receives vmlinux (the ELF image pvmon boots), bzImage,
# System.map, config (the final .config) and info (what went in).
#
# The cache is ${PVMON_CACHE:-$HOME/.cache/pvmon}/linux:
#   pristine-VERSION.git  a bare git repository holding Debian's tarball as
#                         one commit by a fixed author at a fixed date;
#                         VERSION is linux-source-SERIES's package version
#                         (6.1.192-3, 6.12.118-1~deb12u1)
#   work-VERSION/         source/, a clone of it with the series applied,
#                         and objects/, kbuild's output, both kept between
#                         builds so that a new series or configuration
#                         recompiles only what it changes; build.log, the
#                         last build's output
#   KEY/                  one finished kernel: the five files above
# KEY is the sha256 of what the kernel is made of: the package and its
# version, the series, every patch it lists, pvmon.config, build.sh and
# apply-series.sh (info lists them with their own sha256).  A hit copies
# the kernel out in a second.  A miss builds in work-VERSION, 3 to 10
# minutes on 2 cores from scratch, and the kernel enters the cache, as a
# directory renamed into place, only once it is built and checked.  Builds
# of one package version wait for each other.  Deleting the cache while no
# build runs costs nothing but a rebuild.
set -eu
shopt -s inherit_errexit

here=$(cd "$(dirname "$0")" && pwd)
series=6.1
cache=${PVMON_CACHE:-$HOME/.cache/pvmon}/linux
# LOCALVERSION set, even empty, keeps kbuild from adding "+" to the
# release of a tree that is a git clone: the release is 6.1.N-pvmon or
# 6.12.N-pvmon (CONFIG_LOCALVERSION) wherever it is built.
kbuild_variables=(ARCH=x86_64 LOCALVERSION=)
# The kernel must not depend on how make was called ('make V=1 linux',
# 'make CC=clang linux'): the cache key does not cover it.
unset MAKEFLAGS MFLAGS MAKELEVEL
kernel_files=(bzImage System.map config info vmlinux)

temporaries=()
trap 'rm -rf "${temporaries[@]}"' EXIT

usage() {
    sed -n '2,/^set -eu/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -eu/d' >&2
    exit 1
}

die() {
    echo "build.sh: $*" >&2
    exit 1
}

# choose_series SERIES: the series to build, and Debian's package and
# tarball of that version.
choose_series() {
    series=$1
    if ! "$here/apply-series.sh" --list "$series" >/dev/null 2>&1; then
        die "no series for Linux $series: there are for $("$here/apply-series.sh" --versions | paste -sd' ')"
    fi
    package=linux-source-$series
    tarball=/usr/src/$package.tar.xz
}

# Prints the package's version, or fails if it is missing.
package_version() {
    local status
    status=$(dpkg-query -W -f='${Status} ${Version}' "$package" 2>/dev/null || true)
    case $status in
    "install ok installed "*) ;;
    *) die "Debian's $package is not installed: run 'make deps'" ;;
    esac
    [ -f "$tarball" ] || die "$package is installed but $tarball is missing: reinstall it"
    echo "${status#install ok installed }"
}

# Makes the cache directory if needed and its path absolute.
open_cache() {
    mkdir -p "$cache"
    cache=$(cd "$cache" && pwd)
}

# lock FILE: takes an exclusive lock on FILE, waiting for whoever holds it;
# leaves the descriptor in $lock_descriptor (closing it lets go).
lock() {
    exec {lock_descriptor}>"$1"
    if ! flock -n "$lock_descriptor"; then
        echo "Waiting for $1, which another build or test holds..."
        flock "$lock_descriptor"
    fi
}

# pristine_repository VERSION: leaves the pristine repository's path in
# $repository, making it first if needed.
pristine_repository() {
    local version=$1 staging
    repository=$cache/pristine-$version.git
    [ -d "$repository" ] && return
    lock "$cache/pristine-$version.lock"
    if [ ! -d "$repository" ]; then
        echo "Unpacking $tarball ($version) into $repository, once per package version..."
        staging=$(mktemp -d "$cache/.pristine-XXXXXX")
        temporaries+=("$staging")
        mkdir "$staging/tree"
        tar -xJf "$tarball" -C "$staging/tree" --strip-components=1
        git init -q --bare "$staging/repository.git"
        git --git-dir="$staging/repository.git" --work-tree="$staging/tree" add -A -f
        GIT_AUTHOR_NAME=pvmon GIT_AUTHOR_EMAIL=pvmon@localhost GIT_AUTHOR_DATE=2000-01-01T00:00:00Z \
            GIT_COMMITTER_NAME=pvmon GIT_COMMITTER_EMAIL=pvmon@localhost \
            GIT_COMMITTER_DATE=2000-01-01T00:00:00Z \
            git --git-dir="$staging/repository.git" --work-tree="$staging/tree" commit -q \
            -m "$package $version, as Debian ships it in $tarball"
        mv -T "$staging/repository.git" "$repository"
        rm -rf "$staging"
    fi
    exec {lock_descriptor}>&-
}

# configure SOURCE OBJECTS: pvmon.config on top of allnoconfig, then a
# check that every option the fragment sets or unsets is so in the final
# .config (Kconfig drops an option silently when its dependencies are off).
configure() {
    local source=$1 objects=$2 line name
    local dropped=()
    mkdir -p "$objects"
    make -s -C "$source" O="$objects" "${kbuild_variables[@]}" \
        KCONFIG_ALLCONFIG="$here/pvmon.config" allnoconfig
    make -s -C "$source" O="$objects" "${kbuild_variables[@]}" olddefconfig
    while IFS= read -r line; do
        case $line in
        CONFIG_*=*)
            grep -qxF -- "$line" "$objects/.config" || dropped+=("$line")
            ;;
        "# CONFIG_"*" is not set")
            name=${line#\# }
            name=${name%% *}
            if grep -q "^$name=" "$objects/.config"; then
                dropped+=("$line")
            fi
            ;;
        esac
    done <"$here/pvmon.config"
    if [ ${#dropped[@]} -ne 0 ]; then
        echo "build.sh: these lines of pvmon.config are not in the final $objects/.config:" >&2
        printf '    %s\n' "${dropped[@]}" >&2
        die "Kconfig decided otherwise: an option they depend on is off, they are hidden unless EXPERT is set, or they do not exist in this tree"
    fi
}

# compile SOURCE OBJECTS: builds vmlinux and bzImage, with kbuild's output
# in OBJECTS/../build.log, and checks that vmlinux is a Xen PV kernel.
compile() {
    local source=$1 objects=$2 log
    log=$(dirname "$objects")/build.log
    echo "Building vmlinux and bzImage with $(nproc) jobs (follow it with: tail -f $log)..."
    if ! make -C "$source" O="$objects" "${kbuild_variables[@]}" -j"$(nproc)" vmlinux bzImage \
        >"$log" 2>&1; then
        tail -n 40 "$log" | sed 's/^/    /' >&2
        die "the kernel build failed; its whole output is in $log"
    fi
    if ! readelf -n "$objects/vmlinux" | grep -Eq '^ +Xen +0x'; then
        die "$objects/vmlinux has no Xen ELF notes: it is not a Xen PV kernel"
    fi
}

# collect OBJECTS DESTINATION: copies the built kernel's files out of
# kbuild's output, all but info.
collect() {
    local objects=$1 destination=$2
    cp "$objects/arch/x86/boot/bzImage" "$objects/System.map" "$destination/"
    cp "$objects/.config" "$destination/config"
    cp "$objects/vmlinux" "$destination/"
}

# copy_kernel FROM TO: copies the five files; each appears under its name
# only once complete, vmlinux last.
copy_kernel() {
    local from=$1 to=$2 file
    mkdir -p "$to"
    for file in "${kernel_files[@]}"; do
        cp "$from/$file" "$to/.$file.partial"
        mv -f "$to/.$file.partial" "$to/$file"
    done
}

# describe_inputs VERSION: the lines the cache key is the sha256 of.
describe_inputs() {
    local version=$1 list file
    list=$("$here/apply-series.sh" --list "$series")
    echo "$package $version"
    for file in "$series/series" pvmon.config build.sh apply-series.sh; do
        echo "$(sha256sum <"$here/$file" | cut -d' ' -f1)  $file"
    done
    if [ -n "$list" ]; then
        while IFS= read -r file; do
            echo "$(sha256sum <"$file" | cut -d' ' -f1)  $series/patches/$(basename "$file")"
        done <<<"$list"
    fi
}

# build_into_cache WORK KEY INPUTS: applies the series to WORK/source,
# builds in WORK/objects and renames the result into the cache as KEY.
build_into_cache() {
    local work=$1 key=$2 inputs=$3 started how staging
    started=$(date +%s)
    if [ -d "$work/objects" ]; then
        how="reusing the objects of the build before it"
    else
        how="from scratch"
    fi
    if [ ! -d "$work/source" ]; then
        rm -rf "$work/source.partial"
        git clone -q "$repository" "$work/source.partial"
        mv -T "$work/source.partial" "$work/source"
    fi
    # Back to the pristine tree: a file the last series changed is written
    # anew, so that it is newer than its objects, and one it added goes;
    # every other file keeps its time, and its objects stay valid.
    git -C "$work/source" reset -q --hard
    git -C "$work/source" clean -q -f -d -x
    "$here/apply-series.sh" "$work/source"
    configure "$work/source" "$work/objects"
    compile "$work/source" "$work/objects"

    staging=$(mktemp -d "$cache/.new-XXXXXX")
    temporaries+=("$staging")
    collect "$work/objects" "$staging"
    {
        echo "Linux $(cat "$work/objects/include/config/kernel.release"), built for pvmon by pv-guest/linux/build.sh"
        echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $(($(date +%s) - started)) s, $how,"
        echo "with $(gcc --version | head -n 1)"
        echo "cache key $key, the sha256 of:"
        echo "$inputs"
    } >"$staging/info"
    mv -T "$staging" "$cache/$key"
}

# build_cached OUTPUT: the kernel into OUTPUT, from the cache or built.
build_cached() {
    local output=${1%/} version inputs key work
    version=$(package_version)
    inputs=$(describe_inputs "$version")
    key=$(echo "$inputs" | sha256sum | cut -d' ' -f1)
    open_cache
    if [ -f "$cache/$key/vmlinux" ]; then
        echo "Linux for pvmon: cache hit, $cache/$key"
    else
        pristine_repository "$version"
        work=$cache/work-$version
        mkdir -p "$work"
        lock "$work.lock"
        if [ -f "$cache/$key/vmlinux" ]; then
            echo "Linux for pvmon: built meanwhile by another build, $cache/$key"
        else
            echo "Linux for pvmon: not in the cache, building it in $work"
            build_into_cache "$work" "$key" "$inputs"
            echo "Linux for pvmon: built and cached in $cache/$key"
        fi
    fi
    copy_kernel "$cache/$key" "$output"
    echo "$output/vmlinux: $(head -n 1 "$output/info")"
}

# build_tree TREE OUTPUT: builds a tree of one's own, outside the cache.
build_tree() {
    local tree output started
    [ -f "$1/Makefile" ] || die "$1 is not a Linux source tree: it has no top-level Makefile"
    tree=$(cd "$1" && pwd)
    mkdir -p "$2"
    output=$(cd "$2" && pwd)
    started=$(date +%s)
    configure "$tree" "$output/objects"
    compile "$tree" "$output/objects"
    collect "$output/objects" "$output"
    {
        echo "Linux $(cat "$output/objects/include/config/kernel.release"), built for pvmon by pv-guest/linux/build.sh"
        echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $(($(date +%s) - started)) s from $tree"
        echo "with $(gcc --version | head -n 1) and pvmon.config $(sha256sum <"$here/pvmon.config" | cut -d' ' -f1)"
    } >"$output/info"
    echo "$output/vmlinux: $(head -n 1 "$output/info")"
}

if [ $# -ge 2 ] && [ "$1" = --series ]; then
    choose_series "$2"
    shift 2
else
    choose_series "$series"
fi
case $#:${1:-} in
1:--pristine)
    version=$(package_version)
    open_cache
    pristine_repository "$version" >&2
    echo "$repository"
    ;;
1:-*) usage ;;
1:*) build_cached "$1" ;;
3:--tree) build_tree "$2" "$3" ;;
*) usage ;;
esac
