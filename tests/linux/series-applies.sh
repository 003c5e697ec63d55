#!/usr/bin/env bash
# Linux series tests: each of pvmon's patch series, for Linux 6.1
# (pv-guest/linux/6.1/series) and 6.12 (pv-guest/linux/6.12/series), on
# Debian's pristine linux-source-6.1 and linux-source-6.12, the trees
# 'make linux' builds from, and the script that applies them:
#   - every name in a series is a patch file, and every patch file is in
#     the series;
#   - the series applies with patch -p1 (pv-guest/linux/apply-series.sh,
#     as 'make linux' and 'make linux-patch' apply it, choosing the series
#     by the tree's version), and with git am in a git repository of the
#     pristine tree, and both give the same tree;
#   - apply-series.sh refuses, untouched, a tree there is no series for
#     and a tree another version's series is asked for, applies a series
#     whose patches build on each other, and names a patch that does not
#     apply while leaving the tree as it was (made-up trees and patches).
# The pristine trees are the git repositories that pv-guest/linux/build.sh
# keeps in its cache (made on first use, about a minute each); each run
# clones them into a temporary directory.  Prints one line per case (the
# series' version after the name of a case about one series) and
# "series: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1

apply_series=pv-guest/linux/apply-series.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A fixed identity for every commit and git am here.
export GIT_AUTHOR_NAME=pvmon GIT_AUTHOR_EMAIL=pvmon@localhost GIT_AUTHOR_DATE=2000-01-01T00:00:00Z
export GIT_COMMITTER_NAME=pvmon GIT_COMMITTER_EMAIL=pvmon@localhost
export GIT_COMMITTER_DATE=2000-01-01T00:00:00Z

passed=0
failed=0
reason=""
details=$work/details

# fail REASON [DETAILS FILE]: the case fails; its first reason is the one
# shown on its FAIL line, the output in DETAILS FILE below it.
fail() {
    [ -z "$reason" ] && reason=$1
    if [ $# -ge 2 ]; then
        cat "$2" >>"$details"
    fi
}

# run_case NAME [SERIES]: runs the case NAME, of the series SERIES if given.
run_case() {
    local name=$1 label=$1${2:+ ($2)}
    reason=""
    : >"$details"
    "$name"
    if [ -z "$reason" ]; then
        echo "PASS $label"
        passed=$((passed + 1))
    else
        echo "FAIL $label: $reason"
        tail -n 30 "$details" | sed 's/^/     /'
        failed=$((failed + 1))
    fi
}

# pvmon carries a series for Debian's two kernels, 6.1 and 6.12.
series_exist_for_linux_6_1_and_6_12() {
    local versions
    versions=$("$apply_series" --versions 2>&1 | paste -sd' ')
    [ "$versions" = "6.1 6.12" ] || fail "$apply_series --versions says '$versions', not '6.1 6.12'"
}

# The series under test (its version, e.g. 6.12), and its patches, set up
# by series_names_existing_patches.
series=""
patches=()

series_names_existing_patches() {
    local list
    patches=()
    if ! list=$("$apply_series" --list "$series" 2>"$work/list.err"); then
        fail "$apply_series --list $series failed" "$work/list.err"
        return
    fi
    if [ -n "$list" ]; then
        mapfile -t patches <<<"$list"
    fi
}

every_patch_file_is_in_the_series() {
    local file listed patch
    for file in "pv-guest/linux/$series/patches"/*; do
        [ -e "$file" ] || continue
        listed=no
        for patch in "${patches[@]}"; do
            [ "$(basename "$patch")" = "$(basename "$file")" ] && listed=yes
        done
        [ "$listed" = yes ] || fail "$file is not listed in pv-guest/linux/$series/series"
    done
}

# The series' pristine tree, cloned once per series; the tree ids that
# patch -p1 and git am make of it, for comparing them.
linux=""
pristine_ready=no
patched_tree=""
am_tree=""

clone_pristine() {
    local repository
    linux=$work/linux-$series
    pristine_ready=no
    patched_tree=""
    am_tree=""
    if ! repository=$(pv-guest/linux/build.sh --series "$series" --pristine 2>"$work/pristine.err"); then
        return
    fi
    git clone -q --shared "$repository" "$linux" 2>>"$work/pristine.err" && pristine_ready=yes
}

# Back to the pristine commit, nothing else in the tree.
reset_pristine() {
    git -C "$linux" reset -q --hard &&
        git -C "$linux" clean -q -f -d -x
}

series_applies_with_patch() {
    if [ "$pristine_ready" != yes ]; then
        fail "no pristine tree (pv-guest/linux/build.sh --series $series --pristine)" "$work/pristine.err"
        return
    fi
    if ! "$apply_series" "$linux" >"$work/apply.out" 2>&1; then
        fail "$apply_series refused it" "$work/apply.out"
        return
    fi
    git -C "$linux" add -A -f && patched_tree=$(git -C "$linux" write-tree)
}

series_applies_with_git_am() {
    if [ "$pristine_ready" != yes ]; then
        fail "no pristine tree (pv-guest/linux/build.sh --series $series --pristine)" "$work/pristine.err"
        return
    fi
    if ! reset_pristine; then
        fail "could not reset the clone $linux to the pristine commit"
        return
    fi
    if [ ${#patches[@]} -ne 0 ] && ! git -C "$linux" am --quiet "${patches[@]}" >"$work/am.out" 2>&1; then
        fail "git am stopped: $(grep -m 1 -E '^(Applying|Patch failed|error)' "$work/am.out")" "$work/am.out"
        git -C "$linux" am --abort >/dev/null 2>&1
        return
    fi
    am_tree=$(git -C "$linux" rev-parse 'HEAD^{tree}')
}

patch_and_git_am_give_the_same_tree() {
    if [ -z "$patched_tree" ] || [ -z "$am_tree" ]; then
        fail "nothing to compare: the series did not apply both ways"
    elif [ "$patched_tree" != "$am_tree" ]; then
        git -C "$linux" diff --stat "$patched_tree" "$am_tree" >"$work/diff.out" 2>&1
        fail "patch -p1 gives tree $patched_tree, git am $am_tree" "$work/diff.out"
    fi
}

# A made-up Linux 6.1 tree (fake/tree) and three patches of it from git
# format-patch: 0001 and 0002 change neighbouring lines of a.c, so that
# 0002 applies only on top of 0001; 0003 changes b.c, which fake/tree
# then has different, so that it does not apply.  fake/6.1/series-good
# lists 0001 and 0002, fake/6.1/series-bad all three (a series is for the
# version its directory is named after).
make_fake_series() {
    local repository=$work/fake/repository
    mkdir -p "$work/fake/6.1/patches"
    git -c init.defaultBranch=main init -q "$repository" || return 1
    printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\n' >"$repository/Makefile"
    seq 1 12 >"$repository/a.c"
    seq 101 112 >"$repository/b.c"
    git -C "$repository" add . && git -C "$repository" commit -q -m base || return 1
    cp -r "$repository" "$work/fake/tree" && rm -rf "$work/fake/tree/.git"
    sed -i 's/^5$/five/' "$repository/a.c" && git -C "$repository" commit -q -am "a.c: five"
    sed -i 's/^6$/six/' "$repository/a.c" && git -C "$repository" commit -q -am "a.c: six"
    sed -i 's/^105$/one hundred and five/' "$repository/b.c" && git -C "$repository" commit -q -am "b.c"
    git -C "$repository" format-patch -q -3 -o "$work/fake/6.1/patches" || return 1
    sed -i 's/^104$/something else/' "$work/fake/tree/b.c"
    (cd "$work/fake/6.1/patches" && ls 000[12]-*.patch) >"$work/fake/6.1/series-good"
    (cd "$work/fake/6.1/patches" && ls 000[123]-*.patch) >"$work/fake/6.1/series-bad"
}

# A snapshot of a directory's files and contents, to see that nothing changed.
snapshot() {
    (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

a_tree_there_is_no_series_for_is_refused_untouched() {
    local tree=$work/linux-6.2
    mkdir -p "$tree"
    printf 'VERSION = 6\nPATCHLEVEL = 2\nSUBLEVEL = 0\n' >"$tree/Makefile"
    snapshot "$tree" >"$work/before"
    if "$apply_series" "$tree" >"$work/refuse.out" 2>&1; then
        fail "$apply_series accepted a Linux 6.2 tree" "$work/refuse.out"
    elif ! grep -q "is Linux 6.2, and there is no series for it" "$work/refuse.out"; then
        fail "the refusal does not say which version the tree is" "$work/refuse.out"
    fi
    snapshot "$tree" >"$work/after"
    diff -u "$work/before" "$work/after" >"$work/changes" 2>&1 ||
        fail "the tree changed although it was refused" "$work/changes"
}

another_versions_series_is_refused_untouched() {
    local tree=$work/fake/tree-6.12
    if [ ! -f "$work/fake/6.1/series-good" ]; then
        fail "no made-up patches (see a_series_of_dependent_patches_applies)"
        return
    fi
    cp -r "$work/fake/tree" "$tree"
    sed -i 's/^PATCHLEVEL = 1$/PATCHLEVEL = 12/' "$tree/Makefile"
    snapshot "$tree" >"$work/before"
    if "$apply_series" --series "$work/fake/6.1/series-good" "$tree" >"$work/other.out" 2>&1; then
        fail "$apply_series applied a 6.1 series to a Linux 6.12 tree" "$work/other.out"
    elif ! grep -q "is Linux 6.12; the series .* is for Linux 6.1" "$work/other.out"; then
        fail "the refusal does not name both versions" "$work/other.out"
    fi
    snapshot "$tree" >"$work/after"
    diff -u "$work/before" "$work/after" >"$work/changes" 2>&1 ||
        fail "the tree changed although it was refused" "$work/changes"
}

a_series_of_dependent_patches_applies() {
    local tree=$work/fake/tree-good
    if ! make_fake_series >"$work/fake.out" 2>&1; then
        fail "could not make the made-up patches" "$work/fake.out"
        return
    fi
    cp -r "$work/fake/tree" "$tree"
    if ! "$apply_series" --series "$work/fake/6.1/series-good" "$tree" >"$work/good.out" 2>&1; then
        fail "$apply_series refused 0001 and 0002" "$work/good.out"
    elif ! grep -qx five "$tree/a.c" || ! grep -qx six "$tree/a.c"; then
        fail "a.c does not have both changes" "$tree/a.c"
    elif [ -n "$(find "$tree" -name '*.orig' -o -name '*.rej')" ]; then
        fail "patch left .orig or .rej files in the tree"
    fi
}

a_patch_that_does_not_apply_is_named_and_changes_nothing() {
    local tree=$work/fake/tree-bad
    if [ ! -f "$work/fake/6.1/series-bad" ]; then
        fail "no made-up patches (see a_series_of_dependent_patches_applies)"
        return
    fi
    cp -r "$work/fake/tree" "$tree"
    snapshot "$tree" >"$work/before"
    if "$apply_series" --series "$work/fake/6.1/series-bad" "$tree" >"$work/bad.out" 2>&1; then
        fail "$apply_series applied a patch that does not apply" "$work/bad.out"
    elif ! grep -q "^apply-series.sh: 0003-b.c.patch does not apply" "$work/bad.out"; then
        fail "the refusal does not name 0003-b.c.patch" "$work/bad.out"
    fi
    snapshot "$tree" >"$work/after"
    if ! diff -u "$work/before" "$work/after" >"$work/changes" 2>&1; then
        fail "the tree changed although the series was refused" "$work/changes"
    fi
}

run_case series_exist_for_linux_6_1_and_6_12
for series in $("$apply_series" --versions); do
    run_case series_names_existing_patches "$series"
    run_case every_patch_file_is_in_the_series "$series"
    clone_pristine
    run_case series_applies_with_patch "$series"
    run_case series_applies_with_git_am "$series"
    run_case patch_and_git_am_give_the_same_tree "$series"
    rm -rf "$linux"
done
run_case a_tree_there_is_no_series_for_is_refused_untouched
run_case a_series_of_dependent_patches_applies
run_case a_patch_that_does_not_apply_is_named_and_changes_nothing
run_case another_versions_series_is_refused_untouched
echo "series: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
