#!/usr/bin/env bash
# Linux series tests: pvmon's patch series for Linux 6.1
# (pv-guest/linux/series) on Debian's pristine linux-source-6.1, the tree
# 'make linux' builds from, and the script that applies it:
#   - every name in the series is a patch file, and every patch file is in
#     the series;
#   - the series applies with patch -p1 (pv-guest/linux/apply-series.sh,
#     as 'make linux' and 'make linux-patch' apply it), and with git am in
#     a git repository of the pristine tree, and both give the same tree;
#   - apply-series.sh refuses a tree that is not Linux 6.1, applies a
#     series whose patches build on each other, and names a patch that
#     does not apply while leaving the tree as it was (made-up trees and
#     patches).
# The pristine tree is the git repository that pv-guest/linux/build.sh
# keeps in its cache (made on first use, about a minute); each run clones
# it into a temporary directory.  Prints one line per case and
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

run_case() {
    local name=$1
    reason=""
    : >"$details"
    "$name"
    if [ -z "$reason" ]; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name: $reason"
        tail -n 30 "$details" | sed 's/^/     /'
        failed=$((failed + 1))
    fi
}

# The series' patches, set up by series_names_existing_patches.
patches=()

series_names_existing_patches() {
    local list
    if ! list=$("$apply_series" --list 2>"$work/list.err"); then
        fail "$apply_series --list failed" "$work/list.err"
        return
    fi
    if [ -n "$list" ]; then
        mapfile -t patches <<<"$list"
    fi
}

every_patch_file_is_in_the_series() {
    local file listed patch
    for file in pv-guest/linux/patches/*; do
        [ -e "$file" ] || continue
        listed=no
        for patch in "${patches[@]}"; do
            [ "$(basename "$patch")" = "$(basename "$file")" ] && listed=yes
        done
        [ "$listed" = yes ] || fail "$file is not listed in pv-guest/linux/series"
    done
}

# The pristine tree, cloned once; the tree ids that patch -p1 and git am
# make of it, for comparing them.
linux=$work/linux
pristine_ready=no
patched_tree=""
am_tree=""

clone_pristine() {
    local repository
    if ! repository=$(pv-guest/linux/build.sh --pristine 2>"$work/pristine.err"); then
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
        fail "no pristine tree (pv-guest/linux/build.sh --pristine)" "$work/pristine.err"
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
        fail "no pristine tree (pv-guest/linux/build.sh --pristine)" "$work/pristine.err"
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
# then has different, so that it does not apply.  fake/series-good lists
# 0001 and 0002, fake/series-bad all three.
make_fake_series() {
    local repository=$work/fake/repository
    mkdir -p "$work/fake/patches"
    git -c init.defaultBranch=main init -q "$repository" || return 1
    printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\n' >"$repository/Makefile"
    seq 1 12 >"$repository/a.c"
    seq 101 112 >"$repository/b.c"
    git -C "$repository" add . && git -C "$repository" commit -q -m base || return 1
    cp -r "$repository" "$work/fake/tree" && rm -rf "$work/fake/tree/.git"
    sed -i 's/^5$/five/' "$repository/a.c" && git -C "$repository" commit -q -am "a.c: five"
    sed -i 's/^6$/six/' "$repository/a.c" && git -C "$repository" commit -q -am "a.c: six"
    sed -i 's/^105$/one hundred and five/' "$repository/b.c" && git -C "$repository" commit -q -am "b.c"
    git -C "$repository" format-patch -q -3 -o "$work/fake/patches" || return 1
    sed -i 's/^104$/something else/' "$work/fake/tree/b.c"
    (cd "$work/fake/patches" && ls 000[12]-*.patch) >"$work/fake/series-good"
    (cd "$work/fake/patches" && ls 000[123]-*.patch) >"$work/fake/series-bad"
}

# A snapshot of a directory's files and contents, to see that nothing changed.
snapshot() {
    (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

a_tree_that_is_not_linux_6_1_is_refused() {
    local tree=$work/linux-6.2
    mkdir -p "$tree"
    printf 'VERSION = 6\nPATCHLEVEL = 2\nSUBLEVEL = 0\n' >"$tree/Makefile"
    if "$apply_series" "$tree" >"$work/refuse.out" 2>&1; then
        fail "$apply_series accepted a Linux 6.2 tree" "$work/refuse.out"
    elif ! grep -q "is Linux 6.2" "$work/refuse.out"; then
        fail "the refusal does not say which version the tree is" "$work/refuse.out"
    fi
}

a_series_of_dependent_patches_applies() {
    local tree=$work/fake/tree-good
    if ! make_fake_series >"$work/fake.out" 2>&1; then
        fail "could not make the made-up patches" "$work/fake.out"
        return
    fi
    cp -r "$work/fake/tree" "$tree"
    if ! "$apply_series" --series "$work/fake/series-good" "$tree" >"$work/good.out" 2>&1; then
        fail "$apply_series refused 0001 and 0002" "$work/good.out"
    elif ! grep -qx five "$tree/a.c" || ! grep -qx six "$tree/a.c"; then
        fail "a.c does not have both changes" "$tree/a.c"
    elif [ -n "$(find "$tree" -name '*.orig' -o -name '*.rej')" ]; then
        fail "patch left .orig or .rej files in the tree"
    fi
}

a_patch_that_does_not_apply_is_named_and_changes_nothing() {
    local tree=$work/fake/tree-bad
    if [ ! -f "$work/fake/series-bad" ]; then
        fail "no made-up patches (see a_series_of_dependent_patches_applies)"
        return
    fi
    cp -r "$work/fake/tree" "$tree"
    snapshot "$tree" >"$work/before"
    if "$apply_series" --series "$work/fake/series-bad" "$tree" >"$work/bad.out" 2>&1; then
        fail "$apply_series applied a patch that does not apply" "$work/bad.out"
    elif ! grep -q "^apply-series.sh: 0003-b.c.patch does not apply" "$work/bad.out"; then
        fail "the refusal does not name 0003-b.c.patch" "$work/bad.out"
    fi
    snapshot "$tree" >"$work/after"
    if ! diff -u "$work/before" "$work/after" >"$work/changes" 2>&1; then
        fail "the tree changed although the series was refused" "$work/changes"
    fi
}

run_case series_names_existing_patches
run_case every_patch_file_is_in_the_series
clone_pristine
run_case series_applies_with_patch
run_case series_applies_with_git_am
run_case patch_and_git_am_give_the_same_tree
run_case a_tree_that_is_not_linux_6_1_is_refused
run_case a_series_of_dependent_patches_applies
run_case a_patch_that_does_not_apply_is_named_and_changes_nothing
echo "series: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
