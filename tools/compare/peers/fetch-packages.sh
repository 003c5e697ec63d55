#!/usr/bin/env bash
# The Debian packages the peer configurations (KVM and Xen, issue 16) boot
# with, fetched with 'apt-get download', unpacked with 'dpkg-deb -x' outside
# the tree and never installed: cached under
# ${PVMON_CACHE:-$HOME/.cache/pvmon}/compare/, one directory per set of
# package versions, so that a new Debian update gets a new entry and an old
# entry is never mixed with it.  Each entry appears whole (one rename) or
# not at all.
#
#   fetch-packages.sh xen                 Xen 4.17: prints the entry's directory, which holds
#                                         root/ (the packages unpacked: boot/xen-4.17-amd64.gz,
#                                         usr/lib/xen-4.17/bin/xl, the libxen* libraries,
#                                         usr/lib/xen-4.17/boot/hvmloader, ...) and versions
#   fetch-packages.sh qemu-xen            qemu-system-xen, Xen HVM's device model, and seabios
#                                         (usr/libexec/xen-qemu-system-i386): the same
#   fetch-packages.sh modules VMLINUZ     the modules of the kernel VMLINUZ is (its version
#                                         string names its linux-image package): prints the
#                                         entry's directory, which holds kvm/ (kvm_amd and what it
#                                         needs) and xen-dom0/ (what a Xen dom0's toolstack
#                                         needs: xen-evtchn, xen-privcmd, xenfs, xen-gntdev,
#                                         xen-gntalloc), each NAME.ko uncompressed and a
#                                         load-order (each after what it needs), and versions
#
# "versions" lists "PACKAGE VERSION", one a line, for the logs.  Exit status:
# 0 with the entry's directory printed; 2 when VMLINUZ is not a kernel; 1
# when a package cannot be had (apt does not know it, the download failed).  apt's
# package lists must know the packages (run 'apt-get update' once if not).
set -u

cache_root=${PVMON_CACHE:-$HOME/.cache/pvmon}/compare
work=""
trap '[ -z "$work" ] || rm -rf "$work"' EXIT
xen_packages=(xen-hypervisor-4.17-amd64 xen-utils-4.17 xen-utils-common xenstore-utils
    libxenmisc4.17 libxencall1 libxendevicemodel1 libxenevtchn1 libxenforeignmemory1
    libxengnttab1 libxenhypfs1 libxenstore4 libxentoolcore1 libxentoollog1 libyajl2 libgcc-s1)
qemu_xen_packages=(qemu-system-xen seabios)
kvm_module_roots=(kvm_amd)
xen_dom0_module_roots=(xen_evtchn xen_privcmd xenfs xen_gntdev xen_gntalloc)

fail() {
    echo "fetch-packages.sh: $*" >&2
    exit 1
}

# bad_input MESSAGE: the caller's mistake (exit status 2), not a package that cannot be had.
bad_input() {
    echo "fetch-packages.sh: $*" >&2
    exit 2
}

# candidate PACKAGE: the version apt would download.
candidate() {
    apt-cache show --no-all-versions "$1" 2>/dev/null | awk '$1 == "Version:" { print $2; exit }'
}

# versions_of PACKAGE...: "PACKAGE VERSION" lines; fails on a package apt does not know.
versions_of() {
    local package version
    for package in "$@"; do
        version=$(candidate "$package")
        [ -n "$version" ] || fail "apt knows no $package: run 'apt-get update' (as root) once"
        echo "$package $version"
    done
}

# download_into WORK VERSIONS: every package of VERSIONS (a file) as a .deb in WORK/debs.
download_into() {
    local work=$1 versions=$2 package version
    mkdir -p "$work/debs" || exit 1
    while read -r package version; do
        echo "fetch-packages.sh: downloading $package $version" >&2
        # As root apt warns that its _apt user cannot write here; the download is fine.
        (cd "$work/debs" && apt-get download "$package=$version") >>"$work/apt.log" 2>&1 || {
            tail -n 20 "$work/apt.log" >&2
            fail "apt-get could not download $package $version"
        }
    done <"$versions"
}

# entry_key VERSIONS: a short key of the set of versions.
entry_key() {
    sha256sum <"$1" | cut -c 1-16
}

# publish WORK ENTRY: WORK/entry becomes ENTRY in one rename (or another run made it first).
publish() {
    local work=$1 entry=$2
    mkdir -p "${entry%/*}" || exit 1
    if ! mv -T "$work/entry" "$entry" 2>/dev/null; then
        [ -f "$entry/versions" ] || fail "cannot create $entry: remove what is there"
    fi
}

# fetch_unpacked NAME PACKAGE...: the entry with the packages unpacked into root/.
fetch_unpacked() {
    local name=$1 entry deb
    shift
    work=$(mktemp -d "${TMPDIR:-/tmp}/fetch-packages.XXXXXX") || exit 1
    versions_of "$@" >"$work/versions" || exit 1
    entry=$cache_root/$name-$(entry_key "$work/versions")
    if [ ! -f "$entry/versions" ]; then
        download_into "$work" "$work/versions"
        mkdir -p "$work/entry/root" || exit 1
        for deb in "$work"/debs/*.deb; do
            dpkg-deb -x "$deb" "$work/entry/root" || fail "cannot unpack ${deb##*/}"
        done
        cp "$work/versions" "$work/entry/versions" || exit 1
        publish "$work" "$entry"
    fi
    echo "$entry"
}

# kernel_release VMLINUZ: the release its version string names (6.1.0-57-amd64).
kernel_release() {
    file -b "$1" | sed -n 's/.*, version \([^ ]*\) .*/\1/p'
}

# module_name, read_dependencies and their arrays module_path, module_needs.
source "$(dirname "$0")/../../kernel-module-deps.sh" || exit 1

# collect_modules DIRECTORY OUTPUT ROOT...: OUTPUT/NAME.ko and OUTPUT/load-order.
collect_modules() {
    local directory=$1 output=$2 name source
    shift 2
    local -A visited=()
    local order=()
    visit() {
        local name=$1 dependency
        [ -n "${visited[$name]:-}" ] && return
        [ -n "${module_path[$name]:-}" ] || fail "no module $name in the package's modules.dep"
        visited[$name]=1
        for dependency in ${module_needs[$name]}; do
            visit "$dependency"
        done
        order+=("$name")
    }
    for name in "$@"; do
        visit "$name"
    done
    mkdir -p "$output" || exit 1
    for name in "${order[@]}"; do
        source=$directory/${module_path[$name]}
        case $source in
        *.ko) cp "$source" "$output/$name.ko" ;;
        *.ko.xz) xz -dc "$source" >"$output/$name.ko" ;;
        *) fail "$source: compressed in a way this script does not read" ;;
        esac || fail "cannot copy $source"
    done
    printf '%s\n' "${order[@]}" >"$output/load-order"
}

fetch_modules() {
    local vmlinuz=$1 release package entry directory
    [ -f "$vmlinuz" ] || bad_input "$vmlinuz: no such kernel"
    release=$(kernel_release "$vmlinuz")
    [ -n "$release" ] || bad_input "$vmlinuz: no version string (not a bzImage?)"
    package=linux-image-$release
    work=$(mktemp -d "${TMPDIR:-/tmp}/fetch-packages.XXXXXX") || exit 1
    versions_of "$package" >"$work/versions" || exit 1
    entry=$cache_root/modules-${package}_$(awk '{ print $2 }' "$work/versions")
    if [ ! -f "$entry/versions" ]; then
        download_into "$work" "$work/versions"
        mkdir -p "$work/root" "$work/entry" || exit 1
        dpkg-deb --fsys-tarfile "$work"/debs/*.deb | tar -x -C "$work/root" --wildcards './lib/modules/*' ||
            fail "no lib/modules/ in $package"
        directory=$work/root/lib/modules/$release
        [ -d "$directory" ] || fail "$package has no lib/modules/$release"
        /bin/busybox depmod -b "$work/root" "$release" || fail "busybox depmod failed on $package"
        read_dependencies "$directory/modules.dep"
        collect_modules "$directory" "$work/entry/kvm" "${kvm_module_roots[@]}"
        collect_modules "$directory" "$work/entry/xen-dom0" "${xen_dom0_module_roots[@]}"
        cp "$work/versions" "$work/entry/versions" || exit 1
        publish "$work" "$entry"
    fi
    echo "$entry"
}

case ${1:-} in
xen) [ $# -eq 1 ] || fail "usage: fetch-packages.sh xen"; fetch_unpacked xen "${xen_packages[@]}" ;;
qemu-xen) [ $# -eq 1 ] || fail "usage: fetch-packages.sh qemu-xen"; fetch_unpacked qemu-xen "${qemu_xen_packages[@]}" ;;
modules) [ $# -eq 2 ] || fail "usage: fetch-packages.sh modules VMLINUZ"; fetch_modules "$2" ;;
*)
    sed -n '2,/^set -u/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -u/d' >&2
    exit 1
    ;;
esac
