# The images of the Linux PV domU (issue 5), included by the top Makefile
# after its own variables and rules, whose BUILD, HOST_CFLAGS,
# UNIT_TEST_BINARY, QUIET and say it uses.  It keeps its rules to files
# under $(BUILD) and to these targets:
#
#   $(VMLINUZ_EXTRACT)       host tool taking the compressed kernel out of a bzImage
#                            (tools/vmlinuz_extract.c, tools/bzimage.c), built like
#                            the other host tools, under the sanitizers
#   make linux-initramfs     $(LINUX_INITRAMFS): the guest's initramfs, busybox, /init
#                            and the workload programs (tools/make-linux-initramfs.sh)
#   make run-linux           boot pvmon with dom0 starting two Linux domUs on one bridge
#                            (xenbr0, with dom0's NIC), the first with its root on a
#                            PV disk (LINUX_KERNEL=ELF, default pvmon's patched kernel, make
#                            linux; LINUX_RUN_INITRAMFS=CPIO, default $(LINUX_INITRAMFS); the
#                            disk is $(BUILD)/linux/run-linux.img, a copy of $(LINUX_DISK)
#                            made once and kept)
#   make linux-stock         Debian's two stock kernels, as make test boots them:
#                            $(LINUX_STOCK_KERNEL), the ELF vmlinux of the kernel Debian's
#                            linux-image-amd64 depends on (6.1), with $(LINUX_STOCK_MODULES)
#                            (the modules its disk needs) and $(LINUX_STOCK_INITRAMFS),
#                            the initramfs that loads them; and the same for the 6.12 one
#                            linux-image-6.12-amd64 depends on: $(LINUX_STOCK_612_KERNEL),
#                            $(LINUX_STOCK_612_MODULES), $(LINUX_STOCK_612_INITRAMFS)
#                            (tools/fetch-debian-kernel.sh, cached outside the tree; run
#                            again after an apt-get update brings a newer one: 'rm' the
#                            vmlinux first)
#   make linux-stock-cloud   the cloud flavours of both (linux-image-cloud-amd64,
#                            linux-image-6.12-cloud-amd64): $(LINUX_STOCK_CLOUD_KERNELS)
#   make linux-stock-check   all four stock kernels (6.1 and 6.12, generic and cloud)
#                            each run the Linux workload beside another domain and power
#                            off (tests/linux/run-linux-tests.sh, its stock_ cases with
#                            LINUX_TEST_CLOUD=1); make test runs the generic two only
#   make linux-disk          $(LINUX_DISK): a raw ext4 image of LINUX_DISK_MIB MiB
#                            (default 256) holding the initramfs's tree, the root file
#                            system of a domU booted with root=/dev/xvda
#                            (tools/make-disk-image.sh); run-linux boots on a copy of it

VMLINUZ_EXTRACT := $(BUILD)/tools/vmlinuz-extract
LINUX_INITRAMFS := $(BUILD)/linux/initramfs.cpio
LINUX_INITRAMFS_SOURCES := $(wildcard pv-guest/linux/initramfs/*)
LINUX_STOCK_KERNEL := $(BUILD)/linux/debian-vmlinux
LINUX_STOCK_MODULES := $(BUILD)/linux/debian-modules/load-order
LINUX_STOCK_INITRAMFS := $(BUILD)/linux/initramfs-stock.cpio
LINUX_STOCK_612_KERNEL := $(BUILD)/linux/debian-6.12-vmlinux
LINUX_STOCK_612_MODULES := $(BUILD)/linux/debian-6.12-modules/load-order
LINUX_STOCK_612_INITRAMFS := $(BUILD)/linux/initramfs-stock-6.12.cpio
LINUX_STOCK_CLOUD_KERNELS := $(BUILD)/linux/debian-cloud-vmlinux $(BUILD)/linux/debian-6.12-cloud-vmlinux
LINUX_DISK := $(BUILD)/linux/root.img
LINUX_DISK_MIB ?= 256

# make run-linux [LINUX_KERNEL=ELF]: pvmon with dom0 starting two Linux domUs
# on one bridge (tools/run-linux.sh), by default pvmon's patched kernel (make linux).
LINUX_KERNEL ?= $(BUILD)/linux/vmlinux
LINUX_RUN_INITRAMFS ?= $(LINUX_INITRAMFS)

.PHONY: linux-initramfs linux-stock linux-stock-cloud linux-stock-check linux-disk run-linux
run-linux: deps $(HYPERVISOR_IMAGE) $(PV_KERNEL) $(LINUX_RUN_INITRAMFS) $(LINUX_KERNEL) $(LINUX_DISK)
	BUILD=$(BUILD) ACCEL=$(ACCEL) tools/run-linux.sh $(LINUX_KERNEL) $(LINUX_RUN_INITRAMFS)

# make run: dom0's shell with Debian's stock 6.1 auto-started (tools/run.sh); only 6.1 is fetched.
run: deps all $(LINUX_STOCK_KERNEL) $(LINUX_STOCK_MODULES) $(LINUX_STOCK_INITRAMFS) $(LINUX_DISK)
	BUILD=$(BUILD) ACCEL=$(ACCEL) tools/run.sh

linux-initramfs: $(LINUX_INITRAMFS)
linux-stock: $(LINUX_STOCK_KERNEL) $(LINUX_STOCK_MODULES) $(LINUX_STOCK_INITRAMFS) \
    $(LINUX_STOCK_612_KERNEL) $(LINUX_STOCK_612_MODULES) $(LINUX_STOCK_612_INITRAMFS)
linux-stock-cloud: $(LINUX_STOCK_CLOUD_KERNELS)
linux-stock-check: deps all linux linux-stock linux-stock-cloud linux-initramfs linux-disk
	BUILD=$(BUILD) LINUX_TEST_CLOUD=1 LINUX_TEST_CASES='^stock_' tests/linux/run-linux-tests.sh
linux-disk: $(LINUX_DISK)

$(VMLINUZ_EXTRACT): $(BUILD)/host/tools/vmlinuz_extract.o $(BUILD)/host/tools/bzimage.o
	$(call say,HOSTLD,$@)
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HOST_CFLAGS) $^ -o $@

# The unit tests' bzimage suite (tests/unit/test_bzimage.c) tests the parser.
$(UNIT_TEST_BINARY): $(BUILD)/host/tools/bzimage.o

# The script says which package to install when /bin/busybox is missing.
$(LINUX_INITRAMFS): tools/make-linux-initramfs.sh $(LINUX_INITRAMFS_SOURCES) $(wildcard /bin/busybox)
	$(call say,CPIO,$@)
	@mkdir -p $(dir $@)
	$(QUIET)tools/make-linux-initramfs.sh $@

# stock_kernel NAME METAPACKAGE: $(BUILD)/linux/NAME-vmlinux and NAME-modules/
# from the package METAPACKAGE depends on.  One run of the script brings
# both (GNU make's grouped targets, &:).
define stock_kernel
$(BUILD)/linux/$(1)-vmlinux $(BUILD)/linux/$(1)-modules/load-order &: tools/fetch-debian-kernel.sh \
    tools/vmlinuz-to-elf.sh $(VMLINUZ_EXTRACT)
	$$(call say,FETCH,$(BUILD)/linux/$(1)-vmlinux)
	@mkdir -p $(BUILD)/linux
	$$(QUIET)BUILD=$(BUILD) tools/fetch-debian-kernel.sh $(BUILD)/linux $(2) $(1)
endef
$(eval $(call stock_kernel,debian,linux-image-amd64))
$(eval $(call stock_kernel,debian-6.12,linux-image-6.12-amd64))
$(eval $(call stock_kernel,debian-cloud,linux-image-cloud-amd64))
$(eval $(call stock_kernel,debian-6.12-cloud,linux-image-6.12-cloud-amd64))

$(LINUX_STOCK_INITRAMFS): tools/make-linux-initramfs.sh $(LINUX_INITRAMFS_SOURCES) $(wildcard /bin/busybox) \
    $(LINUX_STOCK_MODULES)
	$(call say,CPIO,$@)
	@mkdir -p $(dir $@)
	$(QUIET)tools/make-linux-initramfs.sh --modules $(dir $(LINUX_STOCK_MODULES)) $@

$(LINUX_STOCK_612_INITRAMFS): tools/make-linux-initramfs.sh $(LINUX_INITRAMFS_SOURCES) $(wildcard /bin/busybox) \
    $(LINUX_STOCK_612_MODULES)
	$(call say,CPIO,$@)
	@mkdir -p $(dir $@)
	$(QUIET)tools/make-linux-initramfs.sh --modules $(dir $(LINUX_STOCK_612_MODULES)) $@

$(LINUX_DISK): tools/make-disk-image.sh $(LINUX_INITRAMFS)
	$(call say,MKFS,$@)
	$(QUIET)tools/make-disk-image.sh $@ $(LINUX_DISK_MIB) $(LINUX_INITRAMFS)
