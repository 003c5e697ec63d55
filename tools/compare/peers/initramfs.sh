# Sourced by the peer configurations' initramfs builders (issue 16): staging
# a root file system and writing it as the uncompressed cpio "newc" archive
# a Linux kernel unpacks as its root (all files owned by root).
#
#   peers_stage_busybox DIR          DIR/bin/busybox (the host's busybox-static) and a
#                                    link for each applet where 'busybox --list-full' puts it
#   peers_stage_elf DIR FILE DEST [LIBDIR...]
#                                    FILE as DIR/DEST with every shared library ldd finds for
#                                    it (LIBDIRs searched first: unpacked packages), in
#                                    DIR/lib/x86_64-linux-gnu, and the dynamic loader where
#                                    the program asks for it
#   peers_stage_library DIR FILE     FILE (and what it needs) in DIR/lib/x86_64-linux-gnu: a
#                                    library loaded with dlopen, which ldd cannot see
#   peers_write_cpio DIR OUTPUT      the archive
# Each fails (returns 1, saying why on stderr) rather than leave a partial tree.

peers_library_dir=lib/x86_64-linux-gnu

peers_stage_busybox() {
    local dir=$1 busybox=/bin/busybox applet
    if [ ! -x "$busybox" ] || LC_ALL=C readelf -l "$busybox" | grep -q 'program interpreter'; then
        echo "initramfs.sh: $busybox must be Debian's busybox-static" >&2
        return 1
    fi
    mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,var,etc} || return 1
    install -m 755 "$busybox" "$dir/bin/busybox" || return 1
    for applet in $("$busybox" --list-full); do
        [ -e "$dir/$applet" ] || ln -s /bin/busybox "$dir/$applet" || return 1
    done
}

# peers_stage_libraries_of DIR FILE [LIBDIR...]: FILE's libraries into DIR.
peers_stage_libraries_of() {
    local dir=$1 file=$2 search library
    shift 2
    search=$(IFS=:; echo "$*")
    mkdir -p "$dir/$peers_library_dir" "$dir/lib64" || return 1
    if LD_LIBRARY_PATH=$search ldd "$file" 2>&1 | grep -q 'not found'; then
        echo "initramfs.sh: $file needs libraries that are not here:" >&2
        LD_LIBRARY_PATH=$search ldd "$file" | grep 'not found' >&2
        return 1
    fi
    for library in $(LD_LIBRARY_PATH=$search ldd "$file" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do
        [ -e "$dir/$peers_library_dir/${library##*/}" ] ||
            cp -L "$library" "$dir/$peers_library_dir/${library##*/}" || return 1
    done
    for library in $(LD_LIBRARY_PATH=$search ldd "$file" | awk '$1 ~ /^\// { print $1 }'); do
        mkdir -p "$dir/${library%/*}" && cp -L "$library" "$dir/$library" || return 1
    done
}

peers_stage_elf() {
    local dir=$1 file=$2 dest=$3
    shift 3
    [ -f "$file" ] || { echo "initramfs.sh: no $file" >&2; return 1; }
    mkdir -p "$dir/${dest%/*}" && install -m 755 "$file" "$dir/$dest" || return 1
    peers_stage_libraries_of "$dir" "$file" "$@"
}

peers_stage_library() {
    local dir=$1 file=$2
    [ -f "$file" ] || { echo "initramfs.sh: no $file" >&2; return 1; }
    mkdir -p "$dir/$peers_library_dir" && cp -L "$file" "$dir/$peers_library_dir/${file##*/}" || return 1
    peers_stage_libraries_of "$dir" "$file"
}

peers_write_cpio() {
    local dir=$1 output=$2
    (cd "$dir" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$output.partial" &&
        mv "$output.partial" "$output"
}
