# 'make compare' (issue 16, tools/compare/README.md), included by the top
# Makefile after tools/linux-images.mk, whose rules and variables it uses:
#
#   make compare            every configuration of tools/compare/configs in both modes
#                           (icount, then tcg with COMPARE_REPEATS boots each, interleaved);
#                           QUICK=1: icount only, one boot each, the workload's quick sizes;
#                           COMPARE_ONLY=REGEX: only the configurations whose name matches;
#                           COMPARE_TESTS=NAME,...: only those tests of lmb (the others'
#                           rows stay empty)
#   make compare-inputs     what the configurations boot: $(COMPARE_KERNEL) (the stock
#                           kernel's bzImage, with its ELF and modules beside it) and
#                           $(COMPARE_INITRAMFS) (busybox, lmb, /init)
#
# Writes build/compare/results.md, results.tsv, the plots and logs/.

COMPARE_KERNEL_DIR := $(BUILD)/compare/kernel
COMPARE_KERNEL := $(COMPARE_KERNEL_DIR)/debian-vmlinuz
COMPARE_PRIVCMD := $(COMPARE_KERNEL_DIR)/debian-modules/xen_privcmd.ko
COMPARE_INITRAMFS := $(BUILD)/compare/workload.cpio
COMPARE_REPEATS ?= 3

.PHONY: compare compare-inputs
compare-inputs: $(COMPARE_KERNEL) $(COMPARE_INITRAMFS)

# The configurations boot pvmon (pvmon-pv, pvmon-patched*) and the patched kernel (make linux).
compare: deps all $(VMLINUZ_EXTRACT) linux compare-inputs
	@BUILD=$(BUILD) QUICK=$(QUICK) COMPARE_REPEATS=$(COMPARE_REPEATS) COMPARE_ONLY='$(COMPARE_ONLY)' \
	    COMPARE_TESTS='$(COMPARE_TESTS)' \
	    tools/compare/run-compare.sh

# Its own copy of the stock kernel, beside build/linux's (two rules writing one file would race).
$(COMPARE_KERNEL) $(COMPARE_PRIVCMD) &: tools/fetch-debian-kernel.sh tools/vmlinuz-to-elf.sh $(VMLINUZ_EXTRACT)
	$(call say,FETCH,$(COMPARE_KERNEL))
	@mkdir -p $(COMPARE_KERNEL_DIR)
	$(QUIET)BUILD=$(BUILD) tools/fetch-debian-kernel.sh $(COMPARE_KERNEL_DIR) linux-image-amd64 debian >/dev/null

$(COMPARE_INITRAMFS): tools/compare/make-workload-initramfs.sh tools/compare/workload/lmb.c \
    tools/compare/workload/init $(wildcard /bin/busybox) $(COMPARE_PRIVCMD)
	$(call say,CPIO,$@)
	@mkdir -p $(dir $@)
	$(QUIET)tools/compare/make-workload-initramfs.sh --privcmd $(COMPARE_PRIVCMD) $@
