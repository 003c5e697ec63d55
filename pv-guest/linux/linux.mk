# pv-guest/linux/linux.mk: the make targets of the Linux 6.1 domU
# (pv-guest/linux/README.md), included from the top-level Makefile.
#
#   make linux                        $(BUILD)/linux/vmlinux, with bzImage, System.map,
#                                     config and info next to it: Debian's linux-source-6.1
#                                     with pv-guest/linux/series applied, configured with
#                                     pvmon.config; from the cache, or built on a miss
#   make linux-patch KERNEL_TREE=DIR  apply the series to a Linux 6.1 tree of your own
#
# build.sh decides between the cache and a build; make only asks it again
# when one of the files the kernel is made of is newer than the copy in
# $(BUILD)/linux (the package's tarball counts when it is installed).

LINUX_DIRECTORY := pv-guest/linux
LINUX_VMLINUX := $(BUILD)/linux/vmlinux
LINUX_INPUTS := $(addprefix $(LINUX_DIRECTORY)/, series pvmon.config build.sh apply-series.sh) \
    $(wildcard $(LINUX_DIRECTORY)/patches/*) $(wildcard /usr/src/linux-source-6.1.tar.xz)

.PHONY: linux linux-patch
linux: deps $(LINUX_VMLINUX)

$(LINUX_VMLINUX): $(LINUX_INPUTS)
	$(LINUX_DIRECTORY)/build.sh $(dir $@)

linux-patch: deps
	@test -n "$(KERNEL_TREE)" || { echo "Usage: make linux-patch KERNEL_TREE=DIR (a Linux 6.1 source tree)" >&2; exit 1; }
	$(LINUX_DIRECTORY)/apply-series.sh $(KERNEL_TREE)
