# pv-guest/linux/linux.mk: the make targets of pvmon's Linux domU
# (pv-guest/linux/README.md), included from the top-level Makefile.
#
#   make linux                        $(BUILD)/linux/vmlinux, with bzImage, System.map,
#                                     config and info next to it: Debian's linux-source-6.1
#                                     with pv-guest/linux/6.1/series applied, configured with
#                                     pvmon.config; from the cache, or built on a miss
#   make linux LINUX_SERIES=6.12      the same of Debian's linux-source-6.12 with
#                                     pv-guest/linux/6.12/series, in $(BUILD)/linux/6.12/
#   make linux-patch KERNEL_TREE=DIR  apply to a Linux tree of your own the series of its
#                                     version (its Makefile's VERSION.PATCHLEVEL); a tree
#                                     there is no series for is refused, untouched
#   make test-linux-6.12              build the patched 6.12 kernel and run the Linux tests'
#                                     workload case with it (tests/linux/run-linux-tests.sh)
#
# build.sh decides between the cache and a build; make only asks it again
# when one of the files the kernel is made of is newer than the copy in
# the output directory (the package's tarball counts when it is installed).

LINUX_DIRECTORY := pv-guest/linux
LINUX_SERIES ?= 6.1
# 6.1, the default kernel, in $(BUILD)/linux; any other series in a
# directory of its own under it.
LINUX_OUTPUT := $(BUILD)/linux$(if $(filter-out 6.1,$(LINUX_SERIES)),/$(LINUX_SERIES))
LINUX_VMLINUX := $(LINUX_OUTPUT)/vmlinux
LINUX_INPUTS := $(addprefix $(LINUX_DIRECTORY)/, $(LINUX_SERIES)/series pvmon.config build.sh \
    apply-series.sh) $(wildcard $(LINUX_DIRECTORY)/$(LINUX_SERIES)/patches/*) \
    $(wildcard /usr/src/linux-source-$(LINUX_SERIES).tar.xz)

.PHONY: linux linux-patch
linux: deps $(LINUX_VMLINUX)

$(LINUX_VMLINUX): $(LINUX_INPUTS)
	$(LINUX_DIRECTORY)/build.sh --series $(LINUX_SERIES) $(dir $@)

linux-patch: deps
	@test -n "$(KERNEL_TREE)" || { echo "Usage: make linux-patch KERNEL_TREE=DIR (a Linux source tree: $$($(LINUX_DIRECTORY)/apply-series.sh --versions | paste -sd' '))" >&2; exit 1; }
	$(LINUX_DIRECTORY)/apply-series.sh $(KERNEL_TREE)

# The patched 6.12 kernel's boot test, outside 'make test' (its cold
# build would add minutes to it): the Linux tests' first case, the
# workload beside another domain, with build/linux/6.12/vmlinux.
.PHONY: test-linux-6.12
test-linux-6.12: deps all linux-stock linux-initramfs linux-disk
	$(MAKE) linux LINUX_SERIES=6.12
	@BUILD=$(BUILD) LINUX_PATCHED_KERNEL=$(BUILD)/linux/6.12/vmlinux LINUX_PATCHED_VERSION=6.12 \
	    LINUX_TEST_CASES='^patched_linux_runs' tests/linux/run-linux-tests.sh
