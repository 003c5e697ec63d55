#!/usr/bin/env bash
# Brings the source of one version of a Debian source package, unpacked
# with its Debian patches applied, into the cache outside the work tree:
#
#   tools/fetch-debian-source.sh PACKAGE VERSION DSC_SHA256
#
# prints the directory of the unpacked tree,
# ${PVMON_CACHE:-$HOME/.cache/pvmon}/libs/PACKAGE-VERSION/source (VERSION
# without its epoch), and leaves PACKAGE-VERSION/unpacked beside it once the
# tree is whole.  A version already in the cache is used at once.
#
# Otherwise the package's .dsc is downloaded from Debian's pool
# (DEBIAN_MIRROR, default http://deb.debian.org/debian) and must have the
# sha256 DSC_SHA256 that the caller pins (tools/codec-libraries.mk): the
# .dsc is then the trust anchor for the files it lists, each downloaded
# from the same pool directory and checked against the .dsc's
# Checksums-Sha256 before dpkg-source -x unpacks them and applies the
# Debian patches.  Nothing of the host's apt configuration is used or
# changed.  Needs curl and dpkg-dev (dpkg-source), and the decompressor of
# the tarballs (xz-utils, bzip2).
set -u

if [ $# -ne 3 ]; then
    sed -n '2,/^set -u/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -u/d' >&2
    exit 1
fi
package=$1
version=$2
dsc_sha256=$3
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
plain_version=${version#*:}
entry=${PVMON_CACHE:-$HOME/.cache/pvmon}/libs/$package-$plain_version

fail() {
    echo "fetch-debian-source.sh: $*" >&2
    exit 1
}

# Debian's pool: pool/main/p/package, or pool/main/libp/libpackage.
pool_directory() {
    case $package in
    lib?*) echo "$mirror/pool/main/${package:0:4}/$package" ;;
    *) echo "$mirror/pool/main/${package:0:1}/$package" ;;
    esac
}

# download URL FILE
download() {
    curl --fail --silent --show-error --location --max-time 300 --output "$2" "$1" ||
        fail "cannot download $1"
}

# The "sha256 size name" lines of the .dsc's Checksums-Sha256 field.
listed_files() {
    awk '/^Checksums-Sha256:/ { inside = 1; next }
         inside && /^ / { print $1, $2, $3; next }
         { inside = 0 }' "$1"
}

if [ ! -f "$entry/unpacked" ]; then
    mkdir -p "${entry%/*}" || exit 1
    work=$(mktemp -d "${entry%/*}/.download.XXXXXX") || exit 1
    trap 'rm -rf "$work"' EXIT
    pool=$(pool_directory)
    dsc=${package}_$plain_version.dsc
    echo "fetch-debian-source.sh: downloading $package $version from $pool" >&2
    download "$pool/$dsc" "$work/$dsc"
    actual=$(sha256sum "$work/$dsc" | cut -d ' ' -f 1)
    [ "$actual" = "$dsc_sha256" ] || fail "$dsc has sha256 $actual, not the pinned $dsc_sha256"
    listing=$(listed_files "$work/$dsc")
    [ -n "$listing" ] || fail "$dsc lists no files under Checksums-Sha256"
    while read -r sha256 size name; do
        case $name in */* | .*) fail "$dsc names a file outside its directory: $name" ;; esac
        download "$pool/$name" "$work/$name"
        [ "$(stat -c %s "$work/$name")" = "$size" ] || fail "$name is not $size bytes long"
        echo "$sha256  $work/$name" | sha256sum --check --quiet - || fail "$name does not match its sha256 in $dsc"
    done <<<"$listing"
    # dpkg-source checks the sums again; the maintainer's signature needs debian-keyring,
    # which is not required: the pinned sha256 of the .dsc stands in for it.
    (cd "$work" && dpkg-source -x "$dsc" source) >"$work/dpkg-source.log" 2>&1 || {
        tail -n 20 "$work/dpkg-source.log" >&2
        fail "dpkg-source could not unpack $dsc"
    }
    mkdir -p "$work/entry" && mv "$work/source" "$work/entry/source" &&
        echo "$package $version" >"$work/entry/unpacked" || exit 1
    if ! mv -T "$work/entry" "$entry" 2>/dev/null; then
        # Another run filled the entry meanwhile, or something else is in the way.
        [ -f "$entry/unpacked" ] || fail "cannot create $entry: remove what is there"
    fi
fi
echo "$entry/source"
