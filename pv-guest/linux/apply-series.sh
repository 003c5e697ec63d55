#!/usr/bin/env bash
# pv-guest/linux/apply-series.sh: owns pvmon's Linux patch series and
# applying them with patch -p1.  There is one series per Linux version
# (VERSION.PATCHLEVEL): the directory of that name beside this script,
# e.g. 6.1/ and 6.12/, holds the file "series" and the patches it lists in
# "patches".  'make linux-patch KERNEL_TREE=DIR' and build.sh run it.
#
#   apply-series.sh [--series FILE] TREE     apply to TREE the series of its version
#                                            (or FILE)
#   apply-series.sh --list VERSION           print the patch files of VERSION's series,
#   apply-series.sh --series FILE --list     or of FILE's, in order, one path a line
#   apply-series.sh --versions               print the versions there is a series for
#
# A series file has quilt's format: one file name a line, of a patch in
# the directory "patches" next to it; '#' starts a comment.  The name of
# the directory holding a series file is the version it is for, and TREE
# (VERSION and PATCHLEVEL of its top-level Makefile) must be that
# version: a tree there is no series for is refused, untouched.  Nothing
# in TREE changes until every patch has passed 'patch --dry-run', in
# order, on a scratch copy of the files the series touches, where the
# patches before it are already applied; the first one that fails is
# named with patch's own reasons, and TREE is left as it was.  Patches
# must apply exactly: line offsets are fine, fuzz is not (--fuzz=0), and
# a patch that is already applied is refused (--forward).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
series=""
scratch=""

usage() {
    sed -n '2,/^set -eu/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -eu/d' >&2
    exit 1
}

die() {
    echo "apply-series.sh: $*" >&2
    exit 1
}

# patch, never interactive: a question it would ask is a failure.
patch_options=(-p1 --batch --forward --fuzz=0 --no-backup-if-mismatch)

# Prints the path of every patch the series lists, in order.
list_patches() {
    local patches_dir line_number=0 line words
    patches_dir=$(dirname "$series")/patches
    [ -f "$series" ] || die "no series file $series"
    while IFS= read -r line || [ -n "$line" ]; do
        line_number=$((line_number + 1))
        read -r -a words <<<"${line%%#*}"
        [ ${#words[@]} -eq 0 ] && continue
        if [ ${#words[@]} -ne 1 ]; then
            die "$series line $line_number: one patch file name a line, without options: '$line'"
        fi
        case ${words[0]} in
        */*) die "$series line $line_number: '${words[0]}' must be a file name in $patches_dir, not a path" ;;
        esac
        [ -f "$patches_dir/${words[0]}" ] || die "$series line $line_number: no such patch $patches_dir/${words[0]}"
        echo "$patches_dir/${words[0]}"
    done <"$series"
}

# Prints the versions there is a series for, one a line, in version order.
list_versions() {
    local file
    for file in "$here"/*/series; do
        [ -f "$file" ] && basename "$(dirname "$file")"
    done | sort -V
}

# Prints TREE's version, VERSION.PATCHLEVEL of its top-level Makefile.
tree_version() {
    local tree=$1 version patchlevel
    [ -f "$tree/Makefile" ] || die "$tree is not a Linux source tree: it has no top-level Makefile"
    version=$(sed -n 's/^VERSION = //p' "$tree/Makefile" | head -n 1)
    patchlevel=$(sed -n 's/^PATCHLEVEL = //p' "$tree/Makefile" | head -n 1)
    if [ -z "$version" ] || [ -z "$patchlevel" ]; then
        die "$tree is not a Linux source tree: its Makefile has no VERSION and PATCHLEVEL"
    fi
    echo "$version.$patchlevel"
}

# Sets $series to TREE's series unless --series chose one, and refuses
# TREE unless it is the version the series is for.
choose_series() {
    local tree=$1 version wanted
    version=$(tree_version "$tree")
    if [ -z "$series" ]; then
        if [ ! -f "$here/$version/series" ]; then
            die "$tree is Linux $version, and there is no series for it (there are for: $(list_versions | paste -sd' ')), so nothing was applied"
        fi
        series=$here/$version/series
    fi
    wanted=$(basename "$(dirname "$series")")
    if [ "$version" != "$wanted" ]; then
        die "$tree is Linux $version; the series $series is for Linux $wanted, so nothing was applied"
    fi
}

# copy_touched_files TREE DESTINATION PATCH...: copies into DESTINATION
# the files of TREE that the patches touch, as patch itself names them:
# "checking file NAME", with "(renamed from OLD)" or "(copied from OLD)"
# after it for git's renames and copies.
copy_touched_files() {
    local tree=$1 destination=$2 patch entry name
    shift 2
    for patch in "$@"; do
        patch -p1 --dry-run --batch --force -d "$tree" -i "$patch" 2>&1 | sed -n 's/^checking file //p'
    done | while IFS= read -r entry; do
        name=${entry%% (*}
        printf '%s\n' "$name"
        case $entry in
        *" from "*) name=${entry##* from }; printf '%s\n' "${name%)}" ;;
        esac
    done | sort -u | while IFS= read -r name; do
        if [ -e "$tree/$name" ] || [ -L "$tree/$name" ]; then
            (cd "$tree" && cp -a --parents -- "$name" "$destination")
        fi
    done
}

apply_series() {
    local tree=$1 list patch output applied=0
    local patches=()
    choose_series "$tree"
    list=$(list_patches)
    [ -n "$list" ] && mapfile -t patches <<<"$list"
    if [ ${#patches[@]} -eq 0 ]; then
        echo "The series ($series) is empty: nothing to apply to $tree."
        return
    fi

    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    copy_touched_files "$tree" "$scratch" "${patches[@]}"
    for patch in "${patches[@]}"; do
        if ! output=$(patch "${patch_options[@]}" --dry-run -d "$scratch" -i "$patch" 2>&1); then
            echo "apply-series.sh: $(basename "$patch") does not apply to $tree" >&2
            if [ "$patch" != "${patches[0]}" ]; then
                echo "(checked on top of the patches before it in $series)" >&2
            fi
            printf '%s\n' "$output" | sed 's/^/    /' >&2
            echo "Nothing was changed in $tree." >&2
            exit 1
        fi
        patch "${patch_options[@]}" --silent -d "$scratch" -i "$patch"
    done

    for patch in "${patches[@]}"; do
        if ! output=$(patch "${patch_options[@]}" -d "$tree" -i "$patch" 2>&1); then
            printf '%s\n' "$output" | sed 's/^/    /' >&2
            die "$(basename "$patch") passed the dry run but failed on $tree itself; $applied patches of the series before it are applied there"
        fi
        applied=$((applied + 1))
        echo "Applied $(basename "$patch")"
    done
    echo "The series ($series) is applied to $tree."
}

if [ $# -ge 2 ] && [ "$1" = --series ]; then
    series=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
    shift 2
fi
case $#:${1:-} in
1:--versions) list_versions ;;
1:--list)
    [ -n "$series" ] || usage
    list_patches
    ;;
2:--list)
    [ -z "$series" ] || usage
    series=$here/$2/series
    [ -f "$series" ] || die "there is no series for Linux $2 (there are for: $(list_versions | paste -sd' '))"
    list_patches
    ;;
1:-*) usage ;;
1:*) apply_series "$1" ;;
*) usage ;;
esac
