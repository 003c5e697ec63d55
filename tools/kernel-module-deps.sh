# What the scripts that take a Debian kernel's modules out of its package
# share (tools/fetch-debian-kernel.sh, tools/compare/peers/fetch-packages.sh):
# reading the package's lib/modules/RELEASE/modules.dep, whose lines are
# "PATH: DEPENDENCY-PATH..." (kmod's format, depmod(8)).  Sourced, not run,
# at the top level of the script (its arrays are the script's globals).

# Filled by read_dependencies: module name -> its path, and -> the names it needs.
declare -A module_path module_needs

# module_name PATH: the module's name, as the kernel spells it (- becomes _).
module_name() {
    local name=${1##*/}
    name=${name%%.ko*}
    echo "${name//-/_}"
}

# read_dependencies MODULES.DEP: fills module_path and module_needs.
read_dependencies() {
    local path needs name dependency names
    while IFS=: read -r path needs; do
        name=$(module_name "$path")
        module_path[$name]=$path
        names=""
        for dependency in $needs; do
            names+=" $(module_name "$dependency")"
        done
        module_needs[$name]=$names
    done <"$1"
}
