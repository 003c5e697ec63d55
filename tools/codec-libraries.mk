# The compression libraries behind qcow2's compressed clusters (issue 14),
# included by the top Makefile after its own variables and rules, whose
# BUILD, PV_GUEST_CFLAGS, HOST_CFLAGS, FUZZ_CFLAGS, WARNINGS, QUIET and say it
# uses.  backend/cluster_codec.c is their only caller (backend/README.md,
# "Compression libraries", says which and why).
#
# Each is Debian bookworm's source package, never a copy in this tree:
# tools/fetch-debian-source.sh downloads it once by its .dsc (whose sha256 is
# pinned here), checks every file against it, unpacks it with its Debian
# patches into ${PVMON_CACHE:-~/.cache/pvmon}/libs/PACKAGE-VERSION/ and keeps
# it there, keyed on the version, like the Linux build.  Only the .c files
# cluster_codec.c needs are compiled, three times over the same sources:
#
#   $(BUILD)/libs/guest/lib{z,zstd}.a   freestanding, for dom0 (the flags of
#                                       our PV kernel, PV_GUEST_CFLAGS), linked
#                                       into $(PV_KERNEL)
#   $(BUILD)/libs/host/lib{z,zstd}.a    the host unit tests and seeded fuzz
#                                       passes (HOST_CFLAGS: ASan, UBSan)
#   $(BUILD)/libs/fuzz/lib{z,zstd}.a    libFuzzer's build (clang, with coverage)
#
# In all three the configuration is the freestanding one:
#   - zlib 1.2.13 with Z_SOLO (no gz* file functions, no malloc: the caller
#     gives zalloc/zfree), Z_PREFIX (its symbols are z_*, so that its crc32
#     never meets hypervisor/common/crc32.c's) and ZLIB_CONST (the input is
#     const);
#   - zstd 1.5.4's lib/common, compress and decompress, copied into
#     $(BUILD)/libs/zstd-source with backend/libraries/zstd_deps.h in place
#     of lib/common/zstd_deps.h (zstd's own hook for building without a C
#     library), no assembly, no SIMD intrinsics (dom0 runs with
#     -mgeneral-regs-only), no legacy formats, no tracing, no threads.
# The libraries are compiled with their authors' code as it is: without
# our -Wall -Wextra -Werror (their warnings are theirs), and none of our
# include directories.  Our code that includes zlib.h or zstd.h gets their
# directories as system include directories, so it stays under -Werror.

CODEC_CACHE := $(or $(PVMON_CACHE),$(HOME)/.cache/pvmon)/libs

ZLIB_DEBIAN_VERSION := 1:1.2.13.dfsg-1
ZLIB_DSC_SHA256 := 3fa1e6b2fc525062aa88207dda52fed8e045373c809d362fe8a2bfbf7cf515a8
ZLIB_ENTRY := $(CODEC_CACHE)/zlib-$(lastword $(subst :, ,$(ZLIB_DEBIAN_VERSION)))
ZLIB_SOURCE := $(ZLIB_ENTRY)/source
ZLIB_FILES := adler32 crc32 deflate inffast inflate inftrees trees zutil
ZLIB_DEFINES := -DZ_SOLO -DZ_PREFIX -DZLIB_CONST

ZSTD_DEBIAN_VERSION := 1.5.4+dfsg2-5
ZSTD_DSC_SHA256 := 8f602f92b575aa8b5e979196fb6ee82d78f233521dc9636526d3ecba1f63c1b1
ZSTD_ENTRY := $(CODEC_CACHE)/libzstd-$(lastword $(subst :, ,$(ZSTD_DEBIAN_VERSION)))
ZSTD_SOURCE := $(BUILD)/libs/zstd-source
ZSTD_FILES := $(addprefix common/, entropy_common error_private fse_decompress xxhash zstd_common) \
    $(addprefix decompress/, huf_decompress zstd_ddict zstd_decompress zstd_decompress_block) \
    $(addprefix compress/, fse_compress hist huf_compress zstd_compress zstd_compress_literals \
        zstd_compress_sequences zstd_compress_superblock zstd_double_fast zstd_fast zstd_lazy \
        zstd_ldm zstd_opt)
ZSTD_DEFINES := -DZSTD_DISABLE_ASM -DDYNAMIC_BMI2=0 -DZSTD_NO_INTRINSICS -DZSTD_LEGACY_SUPPORT=0 \
    -DZSTD_TRACE=0 -DXXH_NAMESPACE=ZSTD_

# GCC's <limits.h> goes on to the C library's unless told there is none
# (-nostdinc leaves it nowhere to go): it then defines every limit itself.
CODEC_FREESTANDING_LIMITS := -D_LIBC_LIMITS_H_

# The flags of each build, without our warnings and include directories.
CODEC_OWN_FLAGS = $(WARNINGS) -I% -D__XEN_INTERFACE_VERSION__=%
CODEC_GUEST_CFLAGS = $(filter-out $(CODEC_OWN_FLAGS),$(PV_GUEST_CFLAGS)) $(CODEC_FREESTANDING_LIMITS)
CODEC_HOST_CFLAGS = $(filter-out $(CODEC_OWN_FLAGS),$(HOST_CFLAGS))
CODEC_FUZZ_CFLAGS = $(filter-out $(CODEC_OWN_FLAGS),$(FUZZ_CFLAGS)) -fsanitize=fuzzer-no-link

# What our code needs to include <zlib.h> and <zstd.h> as the libraries were built.
CODEC_INCLUDE_FLAGS = -isystem $(ZLIB_SOURCE) -isystem $(ZSTD_SOURCE) $(ZLIB_DEFINES)
CODEC_HEADERS := $(ZLIB_ENTRY)/unpacked $(ZSTD_SOURCE)/prepared

$(ZLIB_ENTRY)/unpacked:
	$(call say,FETCH,zlib $(ZLIB_DEBIAN_VERSION))
	$(QUIET)tools/fetch-debian-source.sh zlib $(ZLIB_DEBIAN_VERSION) $(ZLIB_DSC_SHA256) >/dev/null

$(ZSTD_ENTRY)/unpacked:
	$(call say,FETCH,libzstd $(ZSTD_DEBIAN_VERSION))
	$(QUIET)tools/fetch-debian-source.sh libzstd $(ZSTD_DEBIAN_VERSION) $(ZSTD_DSC_SHA256) >/dev/null

$(ZSTD_SOURCE)/prepared: $(ZSTD_ENTRY)/unpacked backend/libraries/zstd_deps.h
	$(call say,PREPARE,$(ZSTD_SOURCE))
	$(QUIET)rm -rf $(ZSTD_SOURCE) && mkdir -p $(ZSTD_SOURCE) && \
	    cp -R $(addprefix $(ZSTD_ENTRY)/source/lib/, common compress decompress zstd.h zstd_errors.h) \
	        $(ZSTD_SOURCE)/ && \
	    cp backend/libraries/zstd_deps.h $(ZSTD_SOURCE)/common/zstd_deps.h && \
	    echo "libzstd $(ZSTD_DEBIAN_VERSION) with backend/libraries/zstd_deps.h" >$@

# codec_library FLAVOUR LIBRARY NAME SOURCE STAMP DEFINES COMPILER: the rules of
# $(BUILD)/libs/FLAVOUR/libNAME.a, the objects of LIBRARY_FILES compiled
# from SOURCE (ready once STAMP exists) with CODEC_FLAVOUR_CFLAGS.
define codec_library
$(1)_$(2)_OBJECTS := $$(patsubst %,$(BUILD)/libs/$(1)/$(3)/%.o,$$($(2)_FILES))
$$($(1)_$(2)_OBJECTS): $(BUILD)/libs/$(1)/$(3)/%.o: $(5)
	$$(call say,$(8),$(4)/$$*.c [$(1)])
	@mkdir -p $$(dir $$@)
	$$(QUIET)$(7) $$(CODEC_$(6)_CFLAGS) $$($(2)_DEFINES) -c $(4)/$$*.c -o $$@
$(BUILD)/libs/$(1)/lib$(3).a: $$($(1)_$(2)_OBJECTS)
	$$(call say,AR,$$@)
	$$(QUIET)rm -f $$@ && ar rcs $$@ $$^
endef
$(eval $(call codec_library,guest,ZLIB,z,$(ZLIB_SOURCE),$(ZLIB_ENTRY)/unpacked,GUEST,gcc,CC))
$(eval $(call codec_library,guest,ZSTD,zstd,$(ZSTD_SOURCE),$(ZSTD_SOURCE)/prepared,GUEST,gcc,CC))
$(eval $(call codec_library,host,ZLIB,z,$(ZLIB_SOURCE),$(ZLIB_ENTRY)/unpacked,HOST,gcc,HOSTCC))
$(eval $(call codec_library,host,ZSTD,zstd,$(ZSTD_SOURCE),$(ZSTD_SOURCE)/prepared,HOST,gcc,HOSTCC))
$(eval $(call codec_library,fuzz,ZLIB,z,$(ZLIB_SOURCE),$(ZLIB_ENTRY)/unpacked,FUZZ,clang,FUZZCC))
$(eval $(call codec_library,fuzz,ZSTD,zstd,$(ZSTD_SOURCE),$(ZSTD_SOURCE)/prepared,FUZZ,clang,FUZZCC))
CODEC_GUEST_LIBRARIES := $(BUILD)/libs/guest/libzstd.a $(BUILD)/libs/guest/libz.a
CODEC_HOST_LIBRARIES := $(BUILD)/libs/host/libzstd.a $(BUILD)/libs/host/libz.a
CODEC_FUZZ_LIBRARIES := $(BUILD)/libs/fuzz/libzstd.a $(BUILD)/libs/fuzz/libz.a

# backend/cluster_codec.c in each build: the libraries' headers, and the libraries after it on the link.
$(BUILD)/guest/backend/cluster_codec.c.o: PV_GUEST_CFLAGS += $(CODEC_INCLUDE_FLAGS) $(CODEC_FREESTANDING_LIMITS)
$(BUILD)/host/backend/cluster_codec.o $(BUILD)/host/metered/backend/cluster_codec.o: \
    HOST_CFLAGS += $(CODEC_INCLUDE_FLAGS)
$(BUILD)/fuzz/metered/backend/cluster_codec.o: FUZZ_CFLAGS += $(CODEC_INCLUDE_FLAGS)
$(BUILD)/guest/backend/cluster_codec.c.o $(BUILD)/host/backend/cluster_codec.o \
    $(BUILD)/host/metered/backend/cluster_codec.o $(BUILD)/fuzz/metered/backend/cluster_codec.o: | $(CODEC_HEADERS)
PV_KERNEL_OBJECTS += $(CODEC_GUEST_LIBRARIES)
$(PV_KERNEL): $(CODEC_GUEST_LIBRARIES)
$(UNIT_TEST_BINARY): $(CODEC_HOST_LIBRARIES)
$(BUILD)/tests/cluster-codec-fuzz: $(CODEC_HOST_LIBRARIES)
$(BUILD)/fuzz/cluster-codec-fuzz: $(CODEC_FUZZ_LIBRARIES)
$(QCOW2_TOOL) $(BUILD)/tests/qcow2-fuzz: $(CODEC_HOST_LIBRARIES)
$(BUILD)/fuzz/qcow2-fuzz: $(CODEC_FUZZ_LIBRARIES)
$(BUILD)/fuzz/backend/cluster_codec.o: FUZZ_CFLAGS += $(CODEC_INCLUDE_FLAGS)
$(BUILD)/fuzz/backend/cluster_codec.o: | $(CODEC_HEADERS)
