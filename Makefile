# pvmon: top-level build.
#
#   make            build the hypervisor, our PV kernel, the hypercall test guests, dom0's ramdisk
#                   and the host unit tests
#   make run        boot pvmon on the fast path (PVH on -M microvm), serial on this terminal: dom0's
#                   shell (xl) with Debian's stock Linux started from /etc/xen/auto/linux.cfg
#                   (tools/run.sh; without a terminal it types 'xl list' and powers off)
#   make run-demo   the same boot, dom0 running the demonstration of pv-guest/config/demo.domains
#                   (two domUs sharing the CPU)
#   make iso        write build/pvmon.iso (GRUB, multiboot2)
#   make run-iso    boot that ISO on -M pc
#   make test       unit tests, a short fuzzing pass, boot tests on both paths, system tests
#                   (dom0 starting domUs), liveness (a timer watchdog beside an attacker per
#                   hypercall family, under icount), the Linux series applying, then Linux domUs (the
#                   patched and Debian's stock 6.1 and 6.12 kernels, also with their root on a PV
#                   disk, a crash test: make linux, linux-stock, linux-initramfs, linux-disk first),
#                   and make compare's smoke test (tests/compare);
#                   ends with "N passed, N failed"
#   make deps       install the Debian packages the build needs (tools/install-dependencies.sh)
#   make fuzz       run every fuzzer of tests/fuzz under libFuzzer for FUZZ_SECONDS each (default 60):
#                   page types, the writable-page-table emulator, event channels, foreign mappings,
#                   grant tables, dom0's virtqueue against a hostile device, dom0's network path
#                   (frames and checksums, the bridge, tx packets, the packet pool), xl.cfg files;
#                   make fuzz-NAME runs one (page-type, page-table-write, event-channel,
#                   foreign-mapping, grant-table, virtqueue, net-packet, netback, xl-config,
#                   cluster-codec: hostile compressed qcow2 clusters through zlib and zstd,
#                   privileged-instruction: a PV kernel's #GP and forced-CPUID bytes emulated)
#   make linux-initramfs, make linux-stock, make linux-disk
#                   the Linux domU's initramfs (busybox and the workload), Debian's stock
#                   kernels (6.1 and 6.12) as ELFs with the modules their disk needs and their
#                   initramfs, and the ext4 root image, build/linux/root.img (tools/linux-images.mk)
#   make linux-stock-check
#                   Debian's 6.1 and 6.12 kernels, generic and cloud flavours, each run the
#                   Linux workload beside another domain (the cloud ones are not in make test)
#   make run-linux  boot pvmon with dom0 starting two Linux domUs on one bridge: they ping each
#                   other and move data over TCP, then the first, its root file system on a PV
#                   disk (root=/dev/xvda, build/linux/run-linux.img), runs the workload and
#                   serves a file to the host (127.0.0.1:8080, LINUX_HTTP_PORT)
#                   (LINUX_KERNEL=ELF, default pvmon's patched kernel)
#   make bench      PV benchmarks under pvmon next to a native baseline, on TCG and -icount shift=0,
#                   the worst-case latency each hypercall family's attacker causes (the
#                   liveness watchdog's largest gap, under icount, beside the figures before
#                   issue 11), then the Linux workload in every kernel variant next to the same
#                   kernel booted natively (no hypervisor), then block I/O in a Linux domU on its PV
#                   disk, in dom0 on the virtio disk and natively, then TCP throughput and round trips domU to domU,
#                   domU to the host through dom0's NIC and natively with virtio-net, beside the
#                   memcpy-bound limit, then block I/O in a Linux domU on each disk image format
#                   (raw, qcow2 overlay, zstd and zlib compressed, encrypted) as ratios to raw;
#                   prints tables and writes $(BUILD)/bench/results.txt,
#                   results.tsv, liveness-results.txt and .tsv, linux-results.txt and .tsv,
#                   block-results.txt and .tsv, net-results.txt and .tsv, image-results.txt and .tsv
#   make bench-xts  the host's speed of pvmon's XTS-AES-256 disk encryption (MB/s per direction)
#   make compare    PV against full virtualization: the same stock kernel and workload (lmb) natively,
#                   as a pvmon domU, and as Xen and KVM guests, under icount and plain TCG; a table,
#                   plots and logs in $(BUILD)/compare/ (QUICK=1: icount only, one boot each;
#                   tools/compare/compare.mk, tools/compare/README.md)
#   make linux      the Linux 6.1 domU, $(BUILD)/linux/vmlinux: Debian's linux-source-6.1 with
#                   pv-guest/linux/6.1/series applied, from ~/.cache/pvmon/linux or built
#                   (3 to 10 minutes); LINUX_SERIES=6.12: Debian's linux-source-6.12 with
#                   pv-guest/linux/6.12/series, in $(BUILD)/linux/6.12/
#   make linux-patch KERNEL_TREE=DIR
#                   apply to a Linux tree of your own the series of its version (6.1, 6.12)
#   make test-linux-6.12
#                   build the patched 6.12 kernel and run the Linux tests' workload case with it
#
# ACCEL=kvm boots with KVM instead of TCG (for real hardware; see README.md).

.DEFAULT_GOAL := all
BUILD := build
ACCEL ?= tcg

XEN_INTERFACE_VERSION := 0x00040e00
WARNINGS := -Wall -Wextra -Werror
GCC_INCLUDE := $(shell gcc -print-file-name=include)

# Ring 0: freestanding, no SSE (guest FPU state stays untouched), no red
# zone (interrupts arrive on the same stack), frame pointers for backtraces,
# position-independent code so that the image runs at its high link address
# with RIP-relative addressing.  The only headers are the compiler's own
# freestanding ones, ours, and Xen's public ABI (build/include/xen).
HYPERVISOR_CFLAGS := -std=c11 $(WARNINGS) -O2 -g -ffreestanding -nostdinc \
    -isystem $(GCC_INCLUDE) -I$(BUILD)/include -Ihypervisor/include -Ihypercall \
    -D__XEN_INTERFACE_VERSION__=$(XEN_INTERFACE_VERSION) \
    -mno-red-zone -mgeneral-regs-only -fno-stack-protector \
    -fno-omit-frame-pointer -fpie -fno-plt -fcf-protection=none \
    -fno-tree-loop-distribute-patterns \
    -fno-asynchronous-unwind-tables -MMD -MP
HYPERVISOR_ASFLAGS := -D__ASSEMBLY__ -Ihypervisor/include -I$(BUILD)/include \
    -D__XEN_INTERFACE_VERSION__=$(XEN_INTERFACE_VERSION) -MMD -MP
HYPERVISOR_LDFLAGS := -nostdlib -static -no-pie -Wl,--no-dynamic-linker \
    -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack -Wl,--build-id=none \
    -Wl,-T,hypervisor/arch/x86/linker.ld

HYPERVISOR_SOURCES := $(wildcard hypervisor/arch/x86/*.S hypervisor/arch/x86/*.c \
    hypervisor/kernel/*.c hypervisor/common/*.c)
HYPERVISOR_OBJECTS := $(patsubst %,$(BUILD)/%.o,$(HYPERVISOR_SOURCES))
HYPERVISOR_IMAGE := $(BUILD)/pvmon.elf

# pvmon's PV kernel (dom0 and test guests): ring-3 code linked in the top
# 2 GiB (-mcmodel=kernel), sharing the hypervisor's pure formatter and
# string functions.  Every guest kernel links the runtime (head.S,
# pv-guest/runtime: entry stubs, traps, events, clock, console).
PV_GUEST_CFLAGS := -std=c11 $(WARNINGS) -O2 -g -ffreestanding -nostdinc \
    -isystem $(GCC_INCLUDE) -I$(BUILD)/include -Ihypervisor/include -Ihypercall -Ipv-guest -I. \
    -D__XEN_INTERFACE_VERSION__=$(XEN_INTERFACE_VERSION) \
    -mno-red-zone -mgeneral-regs-only -mcmodel=kernel -fno-pie -fno-stack-protector \
    -fno-omit-frame-pointer -fcf-protection=none -fno-tree-loop-distribute-patterns \
    -fno-asynchronous-unwind-tables -MMD -MP
PV_GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 \
    -Wl,-T,pv-guest/linker.ld
PV_RUNTIME_SOURCES := pv-guest/head.S $(wildcard pv-guest/runtime/*.S pv-guest/runtime/*.c) \
    $(addprefix hypervisor/common/, format.c string.c command_line.c)
PV_RUNTIME_OBJECTS := $(patsubst %,$(BUILD)/guest/%.o,$(PV_RUNTIME_SOURCES))
PV_KERNEL_SOURCES := $(wildcard pv-guest/kernel/*.c backend/*.c ring/*.c) hypervisor/common/boot_archive.c
# The frontends our kernel runs as a domU (frontend/: grant table, xenbus, blkfront).
PV_KERNEL_SOURCES += $(wildcard frontend/*.c)
# dom0's shell and xl (tools/xl): all of it in dom0; all but its *_dom0.c glue in the host unit tests too.
PV_KERNEL_SOURCES += $(wildcard tools/xl/*.c)
# dom0's xenstore server (tools/xenstored): pure, also compiled into the host unit tests.
PV_KERNEL_SOURCES += $(wildcard tools/xenstored/*.c)
PV_KERNEL_OBJECTS := $(PV_RUNTIME_OBJECTS) $(patsubst %,$(BUILD)/guest/%.o,$(PV_KERNEL_SOURCES))
PV_KERNEL := $(BUILD)/pv-kernel.elf

# The hypercall test guests: one kernel per hypercall family, each the
# runtime plus tests/hypercall/check.c plus its own file.
HYPERCALL_TEST_SOURCES := $(filter-out tests/hypercall/check.c, $(wildcard tests/hypercall/*.c))
HYPERCALL_TEST_GUESTS := $(patsubst tests/hypercall/%.c,$(BUILD)/tests/hypercall/%.elf,$(HYPERCALL_TEST_SOURCES))

# User programs of our PV kernel (pv-guest/programs): static ELF executables
# at 0x400000 running as its processes in ring 3, with the hypervisor's pure
# formatter and string functions.  No SSE: the kernel switches only general
# registers between processes.  A domU gets them in its own ramdisk,
# programs.cpio, each under its name without extension.
USER_CFLAGS := -std=c11 $(WARNINGS) -O2 -g -ffreestanding -nostdinc \
    -isystem $(GCC_INCLUDE) -I$(BUILD)/include -Ihypervisor/include -Ipv-guest \
    -D__XEN_INTERFACE_VERSION__=$(XEN_INTERFACE_VERSION) \
    -mgeneral-regs-only -fno-pie -fno-stack-protector -fcf-protection=none \
    -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables -MMD -MP
USER_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 \
    -Wl,-z,noexecstack -Wl,-T,pv-guest/programs/user.ld
USER_LIBRARY_SOURCES := $(wildcard pv-guest/programs/lib/*.S pv-guest/programs/lib/*.c) \
    $(addprefix hypervisor/common/, format.c string.c)
USER_LIBRARY_OBJECTS := $(patsubst %,$(BUILD)/user/%.o,$(USER_LIBRARY_SOURCES))
USER_PROGRAM_NAMES := $(patsubst pv-guest/programs/%.c,%,$(wildcard pv-guest/programs/*.c))
USER_PROGRAMS := $(addprefix $(BUILD)/programs/,$(USER_PROGRAM_NAMES))
PROGRAMS_RAMDISK := $(BUILD)/programs.cpio

# dom0's ramdisk for 'make run': the demonstration's "domains" file and
# the kernel its domUs run (tools/make-dom0-ramdisk.sh).
DEMO_CONFIG := pv-guest/config/demo.domains
DOM0_RAMDISK := $(BUILD)/dom0-ramdisk.cpio

# Host unit tests: the pure parts of the hypervisor (all of hypervisor/common
# but string.c, for which the host C library stands in; it is compiled
# apart, renamed: STRING_UNDER_TEST) compiled for the
# host and linked with the check framework, under AddressSanitizer and UBSan.
HOST_TESTABLE_SOURCES := $(filter-out hypervisor/common/string.c, \
    $(wildcard hypervisor/common/*.c))
# dom0's xenstore and domains-file parser are pure as well.
HOST_TESTABLE_SOURCES += $(wildcard tools/xenstored/*.c) pv-guest/kernel/domain_config.c
# The guest's side of the console ring's input (the PV runtime).
HOST_TESTABLE_SOURCES += pv-guest/runtime/console_ring.c
# The shared-ring library is pure, and so are the backends' cores (backend/README.md): the console
# backend, blkback's request validation, vbd service and xenbus handshake.
HOST_TESTABLE_SOURCES += $(wildcard ring/*.c) $(filter-out backend/%_dom0.c, $(wildcard backend/*.c))
# dom0's xl (tools/xl): all but its dom0 glue (*_dom0.c).
HOST_TESTABLE_SOURCES += $(filter-out tools/xl/%_dom0.c, $(wildcard tools/xl/*.c))
# dom0's virtio driver: the split virtqueue and the pure parts of virtio-mmio and virtio-blk.
HOST_TESTABLE_SOURCES += pv-guest/kernel/virtqueue.c pv-guest/kernel/virtio_mmio_command_line.c \
    pv-guest/kernel/virtio_blk_protocol.c pv-guest/kernel/disk_pattern.c
# ... and of virtio-net.
HOST_TESTABLE_SOURCES += pv-guest/kernel/virtio_net_protocol.c pv-guest/kernel/virtio_net_receiver.c
# The frontends' pure parts: grant references, blkfront's request bookkeeping, the disk
# test's plan and patterns.
HOST_TESTABLE_SOURCES += frontend/grant_refs.c frontend/blkfront_shadow.c frontend/netfront_shadow.c pv-guest/kernel/disk_plan.c \
    pv-guest/kernel/net_frames.c
# The toolstack's registry of live domains (xl's lookups).
HOST_TESTABLE_SOURCES += pv-guest/kernel/domain_registry.c
UNIT_TEST_SOURCES := $(wildcard tests/unit/*.c)
HOST_CFLAGS := -std=c11 $(WARNINGS) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer -I$(BUILD)/include -Ihypervisor/include -Ihypercall -Ipv-guest -I. \
    -D__XEN_INTERFACE_VERSION__=$(XEN_INTERFACE_VERSION) -MMD -MP
UNIT_TEST_BINARY := $(BUILD)/tests/unit-tests
# string.c itself, checked by tests/unit/test_string.c under other names
# (string_under_test_memcpy, ...) so that it does not replace the host's.
STRING_UNDER_TEST := $(BUILD)/host/string_under_test.o
STRING_UNDER_TEST_NAMES := memcpy memmove memset memcmp strlen strcmp strncmp
CHECK_LIBS = $(shell pkg-config --libs check)

# The page-type fuzzer (tests/fuzz): one harness over common/page_type.c,
# built twice.  'make fuzz' links it with libFuzzer under clang and fuzzes
# for FUZZ_SECONDS, keeping its corpus in $(BUILD)/fuzz/corpus and any
# crashing input in $(BUILD)/fuzz/crashes.  Only the code under test and
# the operation decoder get libFuzzer's coverage instrumentation: in the
# invariant checker's loops it would cost more than the fuzzing itself.
# 'make test' runs the gcc build, whose seeded driver runs a fixed set of
# pseudo-random inputs in seconds (tests/fuzz/run-seeded-passes.sh runs the
# seeded pass of every harness).
FUZZ_SECONDS ?= 60
FUZZ_GUIDED_SOURCES := tests/fuzz/page_type_fuzz.c \
    $(addprefix hypervisor/common/, page_type.c page_table_entry.c io_memory.c)
FUZZ_CHECKER_SOURCES := tests/fuzz/page_type_invariants.c tests/unit/simulated_memory.c
FUZZ_CFLAGS := -std=c11 $(WARNINGS) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer -I$(BUILD)/include -Ihypervisor/include -Ihypercall -Ipv-guest -I. \
    -D__XEN_INTERFACE_VERSION__=$(XEN_INTERFACE_VERSION) -MMD -MP
FUZZ_GUIDED_OBJECTS := $(patsubst %.c,$(BUILD)/fuzz/%.o,$(FUZZ_GUIDED_SOURCES))
FUZZ_BINARY := $(BUILD)/fuzz/page-type-fuzz
FUZZ_PASS_BINARY := $(BUILD)/tests/page-type-fuzz

# The other harnesses of tests/fuzz, built the same way: NAME becomes
# $(BUILD)/tests/NAME-fuzz (gcc and the seeded driver, for 'make test') and
# $(BUILD)/fuzz/NAME-fuzz (libFuzzer, 'make fuzz' or 'make fuzz-NAME', with
# its corpus and crashes in $(BUILD)/fuzz/NAME/).  FUZZ_HARNESS_NAME is the
# harness, FUZZ_METERED_NAME the code under test, FUZZ_CHECKER_NAME what
# checks it.  The code under test is compiled with
# -fsanitize-coverage=trace-pc and its hook renamed to work_meter_tick
# (tests/fuzz/work_meter.h), so that a harness counts the basic blocks each
# step executes and refuses a step whose work is not bounded.
FUZZ_HARNESSES := page-table-write event-channel foreign-mapping grant-table virtqueue net-packet netback
FUZZ_HARNESS_page-table-write := tests/fuzz/page_table_write_fuzz.c
FUZZ_METERED_page-table-write := hypervisor/common/page_table_write.c
FUZZ_CHECKER_page-table-write := tests/fuzz/page_table_write_reference.c
FUZZ_HARNESS_event-channel := tests/fuzz/event_channel_fuzz.c
FUZZ_METERED_event-channel := hypervisor/common/event_channel.c
FUZZ_CHECKER_event-channel :=
FUZZ_HARNESS_foreign-mapping := tests/fuzz/foreign_mapping_fuzz.c
FUZZ_METERED_foreign-mapping := $(addprefix hypervisor/common/, page_type.c page_table_entry.c io_memory.c)
FUZZ_CHECKER_foreign-mapping := tests/unit/simulated_memory.c
FUZZ_HARNESS_grant-table := tests/fuzz/grant_table_fuzz.c
FUZZ_METERED_grant-table := $(addprefix hypervisor/common/, grant_table.c page_type.c page_table_entry.c io_memory.c)
FUZZ_CHECKER_grant-table := tests/unit/simulated_memory.c tests/unit/simulated_grants.c
FUZZ_HARNESS_virtqueue := tests/fuzz/virtqueue_fuzz.c
FUZZ_METERED_virtqueue := pv-guest/kernel/virtqueue.c
FUZZ_CHECKER_virtqueue :=
FUZZ_HARNESS_net-packet := tests/fuzz/net_packet_fuzz.c
FUZZ_METERED_net-packet := $(addprefix backend/, ethernet.c bridge.c netif_packet.c packet_buffer.c)
FUZZ_CHECKER_net-packet :=
FUZZ_HARNESS_netback := tests/fuzz/netback_fuzz.c
FUZZ_METERED_netback := $(addprefix backend/, netback.c netif_packet.c ethernet.c packet_buffer.c) ring/ring.c
FUZZ_CHECKER_netback := tests/unit/simulated_memory.c tests/unit/simulated_grants.c \
    $(addprefix hypervisor/common/, grant_table.c page_type.c page_table_entry.c io_memory.c)
# The xl.cfg parser (tools/xl/xl_config.c) against any file.
FUZZ_HARNESSES += xl-config
FUZZ_HARNESS_xl-config := tests/fuzz/xl_config_fuzz.c
FUZZ_METERED_xl-config := tools/xl/xl_config.c pv-guest/kernel/domain_config.c
FUZZ_CHECKER_xl-config := backend/ethernet.c hypervisor/common/format.c
FUZZ_SHARED_CHECKER_SOURCES := tests/fuzz/work_meter.c tests/fuzz/fuzz_report.c
# dom0's line editor and word splitter (tools/xl) against a model and a simulated VT100 screen.
FUZZ_HARNESSES += line-editor
FUZZ_HARNESS_line-editor := tests/fuzz/line_editor_fuzz.c
FUZZ_METERED_line-editor := tools/xl/line_editor.c tools/xl/command_words.c
FUZZ_CHECKER_line-editor := tests/unit/simulated_terminal.c
# One qcow2 cluster's compressed bytes, hostile, through zlib and zstd (backend/cluster_codec.c;
# the libraries themselves are linked in by tools/codec-libraries.mk).
FUZZ_HARNESSES += cluster-codec
FUZZ_HARNESS_cluster-codec := tests/fuzz/cluster_codec_fuzz.c
FUZZ_METERED_cluster-codec := backend/cluster_codec.c
FUZZ_CHECKER_cluster-codec :=
# Hostile qcow2 images and backing chains opened, read and written (backend/qcow2*.c, disk_image.c).
FUZZ_HARNESSES += qcow2
FUZZ_HARNESS_qcow2 := tests/fuzz/qcow2_fuzz.c
FUZZ_METERED_qcow2 := $(addprefix backend/, disk_image.c qcow2.c qcow2_header.c qcow2_cache.c \
    qcow2_refcount.c qcow2_repair.c)
FUZZ_CHECKER_qcow2 := $(addprefix backend/, cluster_codec.c xts.c aes.c)
FUZZ_HARNESSES += privileged-instruction
FUZZ_HARNESS_privileged-instruction := tests/fuzz/privileged_instruction_fuzz.c
FUZZ_METERED_privileged-instruction := hypervisor/common/privileged_instruction.c
FUZZ_CHECKER_privileged-instruction := $(addprefix hypervisor/common/, xstate.c guest_address.c)
FUZZ_HARNESS_PASS_BINARIES := $(patsubst %,$(BUILD)/tests/%-fuzz,$(FUZZ_HARNESSES))
FUZZ_HARNESS_BINARIES := $(patsubst %,$(BUILD)/fuzz/%-fuzz,$(FUZZ_HARNESSES))
METER_COVERAGE := -fsanitize-coverage=trace-pc
METER_RENAME := objcopy --redefine-sym __sanitizer_cov_trace_pc=work_meter_tick

# Host tools used by the boot tests.
MODULE_CHECKSUM := $(BUILD)/tools/module-checksum
DISK_PATTERN_CHECK := $(BUILD)/tools/disk-pattern-check
# pvmon's checkpoint code on host files, judged by qemu-img (tests/qcow2/checkpoint-chain.sh).
VBD_CHECKPOINT_TOOL := $(BUILD)/tools/vbd-checkpoint-tool
# pvmon's XTS-AES (backend/xts.c) on the host (tools/xts_sectors.c): under the sanitizers for
# the cross-check against python3-cryptography ('make test', tests/lib/xts_crosscheck.py), and
# at -O2 without them for its speed ('make bench-xts').
XTS_SECTORS := $(BUILD)/tools/xts-sectors
XTS_BENCH := $(BUILD)/bench/xts-sectors
XTS_SECTORS_SOURCES := tools/xts_sectors.c backend/xts.c backend/aes.c
HOST_BENCH_CFLAGS := -std=c11 $(WARNINGS) -O2 -g -I$(BUILD)/include -Ihypervisor/include -I. \
    -D__XEN_INTERFACE_VERSION__=$(XEN_INTERFACE_VERSION) -MMD -MP
# pvmon's disk image code on host files, judged by qemu-img (tests/qcow2).
QCOW2_TOOL := $(BUILD)/tools/qcow2-tool
QCOW2_TOOL_SOURCES := tools/qcow2_tool.c $(addprefix backend/, disk_image.c qcow2.c qcow2_header.c \
    qcow2_cache.c qcow2_refcount.c qcow2_repair.c cluster_codec.c xts.c aes.c)

# Keep every intermediate file (guest objects built through pattern rules),
# so that make neither rebuilds nor deletes them after 'make test'.
.SECONDARY:

.PHONY: all deps run run-demo iso run-iso test unit-test boot-test bench bench-xts bench-page-type fuzz fuzz-page-type clean
all: $(HYPERVISOR_IMAGE) $(PV_KERNEL) $(HYPERCALL_TEST_GUESTS) $(DOM0_RAMDISK) $(PROGRAMS_RAMDISK) \
    $(UNIT_TEST_BINARY) $(FUZZ_PASS_BINARY) $(FUZZ_HARNESS_PASS_BINARIES) $(MODULE_CHECKSUM) \
    $(DISK_PATTERN_CHECK) $(VBD_CHECKPOINT_TOOL) $(XTS_SECTORS) $(QCOW2_TOOL)

deps:
	@tools/install-dependencies.sh

# The Xen public headers come from Debian's libxen-dev; the build sees them
# through build/include/xen and nothing else of /usr/include.
$(BUILD)/include/xen:
	@test -f /usr/include/xen/xen.h || { echo "Xen public headers missing: run 'make deps' (libxen-dev)"; exit 1; }
	mkdir -p $(BUILD)/include
	ln -sfn /usr/include/xen $@

# V=1 shows the full compiler command lines.
ifeq ($(V),1)
QUIET :=
say = @true
else
QUIET := @
say = @echo "  $(1)	$(2)"
endif

$(BUILD)/%.S.o: %.S | $(BUILD)/include/xen
	$(call say,AS,$<)
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HYPERVISOR_ASFLAGS) -c $< -o $@

$(BUILD)/%.c.o: %.c | $(BUILD)/include/xen
	$(call say,CC,$<)
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HYPERVISOR_CFLAGS) -c $< -o $@

$(HYPERVISOR_IMAGE): $(HYPERVISOR_OBJECTS) hypervisor/arch/x86/linker.ld
	$(call say,LD,$@)
	$(QUIET)gcc $(HYPERVISOR_LDFLAGS) $(HYPERVISOR_OBJECTS) -o $@

$(BUILD)/guest/%.S.o: %.S | $(BUILD)/include/xen
	$(call say,AS,$<)
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HYPERVISOR_ASFLAGS) -c $< -o $@

$(BUILD)/guest/%.c.o: %.c | $(BUILD)/include/xen
	$(call say,CC,$< [guest])
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(PV_GUEST_CFLAGS) -c $< -o $@

$(PV_KERNEL): $(PV_KERNEL_OBJECTS) pv-guest/linker.ld
	$(call say,LD,$@)
	$(QUIET)gcc $(PV_GUEST_LDFLAGS) $(PV_KERNEL_OBJECTS) -o $@

$(BUILD)/tests/hypercall/%.elf: $(BUILD)/guest/tests/hypercall/%.c.o $(BUILD)/guest/tests/hypercall/check.c.o \
    $(PV_RUNTIME_OBJECTS) pv-guest/linker.ld
	$(call say,LD,$@)
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(PV_GUEST_LDFLAGS) $(filter %.o,$^) -o $@

# The test guests of frontend/ link the files they test.
$(BUILD)/tests/hypercall/xenbus_library.elf: $(BUILD)/guest/frontend/xenbus.c.o
$(BUILD)/tests/hypercall/grant_client.elf: $(BUILD)/guest/frontend/grant_table.c.o \
    $(BUILD)/guest/frontend/grant_refs.c.o $(BUILD)/guest/frontend/xenbus.c.o

$(BUILD)/user/%.S.o: %.S
	$(call say,AS,$< [user])
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HYPERVISOR_ASFLAGS) -c $< -o $@

$(BUILD)/user/%.c.o: %.c | $(BUILD)/include/xen
	$(call say,CC,$< [user])
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(USER_CFLAGS) -c $< -o $@

$(BUILD)/programs/%: $(BUILD)/user/pv-guest/programs/%.c.o $(USER_LIBRARY_OBJECTS) pv-guest/programs/user.ld
	$(call say,LD,$@)
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(USER_LDFLAGS) $(filter %.o,$^) -o $@

$(PROGRAMS_RAMDISK): $(USER_PROGRAMS)
	$(call say,CPIO,$@)
	$(QUIET)cd $(BUILD)/programs && printf '%s\n' $(USER_PROGRAM_NAMES) | cpio -o -H newc --quiet > $(abspath $@)

$(DOM0_RAMDISK): $(PV_KERNEL) $(DEMO_CONFIG) tools/make-dom0-ramdisk.sh
	$(call say,CPIO,$@)
	$(QUIET)tools/make-dom0-ramdisk.sh $@ $(DEMO_CONFIG) $(PV_KERNEL)

$(BUILD)/host/%.o: %.c | $(BUILD)/include/xen
	$(call say,HOSTCC,$<)
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HOST_CFLAGS) -c $< -o $@

$(STRING_UNDER_TEST): hypervisor/common/string.c | $(BUILD)/include/xen
	$(call say,HOSTCC,$< [under test])
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HOST_CFLAGS) -ffreestanding -fno-builtin \
	    $(foreach name,$(STRING_UNDER_TEST_NAMES),-D$(name)=string_under_test_$(name)) -c $< -o $@

$(UNIT_TEST_BINARY): $(patsubst %.c,$(BUILD)/host/%.o,$(UNIT_TEST_SOURCES) $(HOST_TESTABLE_SOURCES)) \
    $(STRING_UNDER_TEST)
	$(call say,HOSTLD,$@)
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HOST_CFLAGS) $^ $(CHECK_LIBS) -o $@

$(MODULE_CHECKSUM): $(BUILD)/host/tools/module_checksum.o $(BUILD)/host/hypervisor/common/crc32.o
	$(call say,HOSTLD,$@)
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HOST_CFLAGS) $^ -o $@

$(QCOW2_TOOL): $(patsubst %.c,$(BUILD)/host/%.o,$(QCOW2_TOOL_SOURCES))
	$(call say,HOSTLD,$@)
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HOST_CFLAGS) $^ -o $@

$(DISK_PATTERN_CHECK): $(BUILD)/host/tools/disk_pattern_check.o $(BUILD)/host/pv-guest/kernel/disk_pattern.o
	$(call say,HOSTLD,$@)
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HOST_CFLAGS) $^ -o $@

$(VBD_CHECKPOINT_TOOL): $(patsubst %.c,$(BUILD)/host/%.o,tools/vbd_checkpoint_tool.c $(HOST_TESTABLE_SOURCES))
	$(call say,HOSTLD,$@)
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HOST_CFLAGS) $^ -o $@

$(XTS_SECTORS): $(patsubst %.c,$(BUILD)/host/%.o,$(XTS_SECTORS_SOURCES))
	$(call say,HOSTLD,$@)
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HOST_CFLAGS) $^ -o $@

$(BUILD)/host-bench/%.o: %.c | $(BUILD)/include/xen
	$(call say,HOSTCC,$< (-O2))
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HOST_BENCH_CFLAGS) -c $< -o $@

$(XTS_BENCH): $(patsubst %.c,$(BUILD)/host-bench/%.o,$(XTS_SECTORS_SOURCES))
	$(call say,HOSTLD,$@)
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HOST_BENCH_CFLAGS) $^ -o $@

# common/page_type.c on one Linux fork+exit's page-table work, at -O2
# (tools/bench/page_type_bench.c; 'make bench-page-type').
PAGE_TYPE_BENCH := $(BUILD)/bench/page-type
PAGE_TYPE_BENCH_SOURCES := tools/bench/page_type_bench.c \
    $(addprefix hypervisor/common/, page_type.c page_table_entry.c io_memory.c)
$(PAGE_TYPE_BENCH): $(patsubst %.c,$(BUILD)/host-bench/%.o,$(PAGE_TYPE_BENCH_SOURCES))
	$(call say,HOSTLD,$@)
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HOST_BENCH_CFLAGS) $^ -o $@

unit-test: $(UNIT_TEST_BINARY)
	$(UNIT_TEST_BINARY)

$(FUZZ_PASS_BINARY): $(patsubst %.c,$(BUILD)/host/%.o,$(FUZZ_GUIDED_SOURCES) $(FUZZ_CHECKER_SOURCES) \
    tests/fuzz/seeded_driver.c)
	$(call say,HOSTLD,$@)
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HOST_CFLAGS) $^ -o $@

$(FUZZ_GUIDED_OBJECTS): FUZZ_COVERAGE := -fsanitize=fuzzer-no-link

$(BUILD)/fuzz/%.o: %.c | $(BUILD)/include/xen
	$(call say,FUZZCC,$<)
	@mkdir -p $(dir $@)
	$(QUIET)clang $(FUZZ_CFLAGS) $(FUZZ_COVERAGE) -c $< -o $@

$(FUZZ_BINARY): $(patsubst %.c,$(BUILD)/fuzz/%.o,$(FUZZ_GUIDED_SOURCES) $(FUZZ_CHECKER_SOURCES))
	$(call say,FUZZLD,$@)
	$(QUIET)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -o $@

$(BUILD)/host/metered/%.o: %.c | $(BUILD)/include/xen
	$(call say,HOSTCC,$< (metered))
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HOST_CFLAGS) $(METER_COVERAGE) -c $< -o $@ && $(METER_RENAME) $@

$(BUILD)/fuzz/metered/%.o: %.c | $(BUILD)/include/xen
	$(call say,FUZZCC,$< (metered))
	@mkdir -p $(dir $@)
	$(QUIET)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(METER_COVERAGE) -c $< -o $@ && $(METER_RENAME) $@

define fuzz_harness_rules
$(BUILD)/tests/$(1)-fuzz: $$(patsubst %.c,$(BUILD)/host/%.o,$$(FUZZ_HARNESS_$(1)) $$(FUZZ_CHECKER_$(1)) \
    $$(FUZZ_SHARED_CHECKER_SOURCES) tests/fuzz/seeded_driver.c) $$(patsubst %.c,$(BUILD)/host/metered/%.o,$$(FUZZ_METERED_$(1)))
	$$(call say,HOSTLD,$$@)
	@mkdir -p $$(dir $$@)
	$$(QUIET)gcc $$(HOST_CFLAGS) $$^ -o $$@

$(BUILD)/fuzz/$(1)-fuzz: $$(patsubst %.c,$(BUILD)/fuzz/%.o,$$(FUZZ_HARNESS_$(1)) $$(FUZZ_CHECKER_$(1)) \
    $$(FUZZ_SHARED_CHECKER_SOURCES)) $$(patsubst %.c,$(BUILD)/fuzz/metered/%.o,$$(FUZZ_METERED_$(1)))
	$$(call say,FUZZLD,$$@)
	$$(QUIET)clang $$(FUZZ_CFLAGS) -fsanitize=fuzzer $$^ -o $$@

$$(patsubst %.c,$(BUILD)/fuzz/%.o,$$(FUZZ_HARNESS_$(1))): FUZZ_COVERAGE := -fsanitize=fuzzer-no-link
endef
$(foreach harness,$(FUZZ_HARNESSES),$(eval $(call fuzz_harness_rules,$(harness))))

# Every harness for FUZZ_SECONDS each.
fuzz: fuzz-page-type $(addprefix fuzz-,$(FUZZ_HARNESSES))

# Fuzzes one of FUZZ_HARNESSES for FUZZ_SECONDS; a crashing input is saved
# in $(BUILD)/fuzz/NAME/crashes and replays with '$(BUILD)/fuzz/NAME-fuzz
# FILE' or '$(BUILD)/tests/NAME-fuzz --inputs 0 FILE'.
fuzz-%: deps $(BUILD)/fuzz/%-fuzz
	@mkdir -p $(BUILD)/fuzz/$*/corpus $(BUILD)/fuzz/$*/crashes
	$(BUILD)/fuzz/$*-fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=2048 -print_final_stats=1 \
	    -artifact_prefix=$(BUILD)/fuzz/$*/crashes/ $(BUILD)/fuzz/$*/corpus

# Fuzzes for FUZZ_SECONDS; a crashing input is saved in $(BUILD)/fuzz/crashes
# and replays with '$(FUZZ_BINARY) FILE' or '$(FUZZ_PASS_BINARY) --inputs 0 FILE'.
fuzz-page-type: deps $(FUZZ_BINARY)
	@mkdir -p $(BUILD)/fuzz/corpus $(BUILD)/fuzz/crashes
	$(FUZZ_BINARY) -max_total_time=$(FUZZ_SECONDS) -max_len=2048 -print_final_stats=1 \
	    -artifact_prefix=$(BUILD)/fuzz/crashes/ $(BUILD)/fuzz/corpus

iso: $(BUILD)/pvmon.iso
$(BUILD)/pvmon.iso: $(HYPERVISOR_IMAGE) $(PV_KERNEL) tools/make-iso.sh
	tools/make-iso.sh $@ $(HYPERVISOR_IMAGE) $(PV_KERNEL)

# The PVH boot archive: dom0's kernel, then its ramdisk (modules 0 and 1).
$(BUILD)/boot-modules.cpio: $(PV_KERNEL) $(DOM0_RAMDISK)
	$(call say,CPIO,$@)
	$(QUIET)cd $(BUILD) && printf '%s\n' $(notdir $(PV_KERNEL)) $(notdir $(DOM0_RAMDISK)) | \
	    cpio -o -H newc --quiet > $(abspath $@)

# run (dom0's shell with Debian's stock Linux 6.1): in tools/linux-images.mk, beside run-linux.
run-demo: deps all $(BUILD)/boot-modules.cpio
	tools/run-qemu.sh --accel $(ACCEL) pvh $(HYPERVISOR_IMAGE) $(BUILD)/boot-modules.cpio

run-iso: deps all $(BUILD)/pvmon.iso
	tools/run-qemu.sh --accel $(ACCEL) iso $(BUILD)/pvmon.iso

test: deps all linux linux-stock linux-initramfs linux-disk compare-inputs
	@BUILD=$(BUILD) tests/run-all.sh

# The native baseline of 'make bench' (tools/bench/native): a tiny kernel
# that QEMU boots directly (PVH on -M microvm), linked and identity-mapped
# at 2 MiB, timing natively in ring 0 and ring 3 what the PV benchmarks
# time under pvmon.  tools/bench/run-bench.sh runs both and makes the table.
NATIVE_BENCH_CFLAGS := -std=c11 $(WARNINGS) -O2 -g -ffreestanding -nostdinc \
    -isystem $(GCC_INCLUDE) -I$(BUILD)/include -Ihypervisor/include \
    -D__XEN_INTERFACE_VERSION__=$(XEN_INTERFACE_VERSION) \
    -mno-red-zone -mgeneral-regs-only -fno-pie -fno-stack-protector \
    -fno-omit-frame-pointer -fcf-protection=none -fno-tree-loop-distribute-patterns \
    -fno-asynchronous-unwind-tables -MMD -MP
NATIVE_BENCH_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 \
    -Wl,-z,noexecstack -Wl,-T,tools/bench/native/linker.ld
NATIVE_BENCH_SOURCES := $(wildcard tools/bench/native/*.S tools/bench/native/*.c) \
    $(addprefix hypervisor/common/, format.c string.c)
NATIVE_BENCH_OBJECTS := $(patsubst %,$(BUILD)/bench/native/%.o,$(NATIVE_BENCH_SOURCES))
NATIVE_BENCH_KERNEL := $(BUILD)/bench/native-bench.elf

$(BUILD)/bench/native/%.S.o: %.S | $(BUILD)/include/xen
	$(call say,AS,$< [native])
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(HYPERVISOR_ASFLAGS) -c $< -o $@

$(BUILD)/bench/native/%.c.o: %.c | $(BUILD)/include/xen
	$(call say,CC,$< [native])
	@mkdir -p $(dir $@)
	$(QUIET)gcc $(NATIVE_BENCH_CFLAGS) -c $< -o $@

$(NATIVE_BENCH_KERNEL): $(NATIVE_BENCH_OBJECTS) tools/bench/native/linker.ld
	$(call say,LD,$@)
	$(QUIET)gcc $(NATIVE_BENCH_LDFLAGS) $(NATIVE_BENCH_OBJECTS) -o $@

# Benchmarks are never tests: nothing here asserts on a time.
# The host's speed of pvmon's XTS-AES-256 (MB/s encrypting and decrypting 512-byte sectors).
bench-xts: $(XTS_BENCH)
	@$(XTS_BENCH) bench

# The host's cost of one Linux fork+exit's page-table validation (ns, and
# the page-type counters); run it under valgrind --tool=callgrind for
# instructions per function.
bench-page-type: $(PAGE_TYPE_BENCH)
	@$(PAGE_TYPE_BENCH)

bench: deps $(HYPERVISOR_IMAGE) $(PV_KERNEL) $(PROGRAMS_RAMDISK) $(NATIVE_BENCH_KERNEL) linux linux-stock \
    linux-initramfs $(BUILD)/tests/hypercall/liveness_watchdog.elf $(BUILD)/tests/hypercall/liveness_attacker.elf
	@BUILD=$(BUILD) tools/bench/run-bench.sh
	@BUILD=$(BUILD) tools/bench/run-liveness-bench.sh
	@BUILD=$(BUILD) tools/bench/run-linux-bench.sh
	@BUILD=$(BUILD) tools/bench/run-block-bench.sh
	@BUILD=$(BUILD) tools/bench/run-net-bench.sh
	@BUILD=$(BUILD) tools/bench/run-image-bench.sh

clean:
	rm -rf $(BUILD)

include pv-guest/linux/linux.mk
include tools/linux-images.mk
include tools/codec-libraries.mk
include tools/compare/compare.mk
# The checkpoint tool links the qcow2 code, so the codecs' host libraries too.
$(VBD_CHECKPOINT_TOOL): $(CODEC_HOST_LIBRARIES)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
