#!/usr/bin/env bash
# Compiles some .c files of a library's source tree into a static archive,
# or copies that archive from the cache when the same sources were already
# compiled the same way.  tools/codec-libraries.mk runs it for zlib and
# libzstd, whose sources tools/fetch-debian-source.sh brought.
#
#   tools/build-debian-library.sh ENTRY SOURCE OUTPUT COMPILER FILES -- CFLAGS...
#
# ENTRY     the package's cache entry, PVMON_CACHE/libs/PACKAGE-VERSION
# SOURCE    the tree to compile (the entry's source/, or a copy of it)
# OUTPUT    the archive to leave, e.g. build/libs/guest/libzstd.a
# COMPILER  gcc or clang
# FILES     the .c files to compile, relative to SOURCE, without .c, in one word
#           separated by spaces
# CFLAGS    every flag of the compiler
#
# The archive is cached as ENTRY/build-KEY/library.a, where KEY is the
# sha256 of everything it is made of: the compiler's version, CFLAGS, FILES,
# and every .c and .h file under SOURCE with its contents.  A miss compiles
# the files, two at a time (LIBRARY_JOBS), in a directory of the entry that
# is renamed into place only once the archive is whole; the compiler's
# messages are shown only when it fails (the libraries' warnings are theirs).
set -u

if [ $# -lt 6 ] || [ "$6" != -- ]; then
    sed -n '2,/^set -u/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -u/d' >&2
    exit 1
fi
entry=$1
source=$2
output=$3
compiler=$4
read -r -a files <<<"$5"
shift 6
cflags=("$@")
jobs=${LIBRARY_JOBS:-2}

fail() {
    echo "build-debian-library.sh: $*" >&2
    exit 1
}

# What the archive is made of, one line each.
ingredients() {
    "$compiler" --version | head -n 1
    printf 'flag %s\n' "${cflags[@]}"
    printf 'file %s\n' "${files[@]}"
    (cd "$source" && find . -name '*.[ch]' -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}

[ -d "$source" ] || fail "no source tree at $source"
key=$(ingredients | sha256sum | cut -c 1-32) || fail "cannot read $source"
cached=$entry/build-$key/library.a

if [ ! -f "$cached" ]; then
    work=$(mktemp -d "$entry/.build.XXXXXX") || exit 1
    trap 'rm -rf "$work"' EXIT
    failed=0
    objects=()
    for file in "${files[@]}"; do
        objects+=("$work/objects/$file.o")
        mkdir -p "$work/objects/$(dirname "$file")" || exit 1
        "$compiler" "${cflags[@]}" -c "$source/$file.c" -o "$work/objects/$file.o" \
            >"$work/objects/$file.log" 2>&1 || { cat "$work/objects/$file.log" >&2; exit 1; } &
        while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
            wait -n || failed=1
        done
    done
    while [ -n "$(jobs -rp)" ]; do
        wait -n || failed=1
    done
    [ "$failed" -eq 0 ] || fail "$compiler could not compile $source (messages above)"
    mkdir -p "$work/entry" && ingredients >"$work/entry/ingredients" &&
        ar rcs "$work/entry/library.a" "${objects[@]}" 
    [ -f "$work/entry/library.a" ] || fail "ar could not make the archive"
    if ! mv -T "$work/entry" "${cached%/*}" 2>/dev/null; then
        # Another build filled the entry meanwhile, or something else is in the way.
        [ -f "$cached" ] || fail "cannot create ${cached%/*}: remove what is there"
    fi
fi
mkdir -p "$(dirname "$output")" && cp "$cached" "$output.partial" && mv "$output.partial" "$output"
