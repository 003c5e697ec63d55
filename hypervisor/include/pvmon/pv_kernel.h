/*
 * The parsed form of a 64-bit Xen PV guest kernel: an ELF64 executable
 * that announces itself to the domain builder with "Xen" ELF notes
 * (xen/elfnote.h).  pv_kernel_parse reads an untrusted image held in
 * memory and either fills in a struct pv_kernel the builder can act on
 * without further checks, or refuses the image.
 *
 * Placement, as Xen's libelf does it (libelf-dominfo.c:
 * elf_xen_addr_calc_check, libelf-loader.c: elf_parse_binary): a PT_LOAD
 * segment is placed by its physical address and never by p_vaddr (Linux's
 * .data..percpu segment has p_vaddr 0):
 *
 *     virtual address = VIRT_BASE + (p_paddr - PADDR_OFFSET)
 *     guest pfn       = (p_paddr - PADDR_OFFSET) >> PAGE_SHIFT
 *
 * so guest pfn 0 is mapped at VIRT_BASE.  An absent VIRT_BASE is 0; an
 * absent PADDR_OFFSET is 0 (libelf's default when the parameters come from
 * ELF notes, the only source pvmon reads); an absent ENTRY is e_entry.
 */
#ifndef PVMON_PV_KERNEL_H
#define PVMON_PV_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#define PV_KERNEL_MAX_SEGMENTS 16
#define PV_KERNEL_GUEST_OS_SIZE 32
#define PV_KERNEL_XEN_VERSION_SIZE 16
#define PV_KERNEL_LOADER_SIZE 16

/* ELF program header permission flags (p_flags), as in the ELF specification. */
#define PV_KERNEL_SEGMENT_EXECUTABLE 0x1
#define PV_KERNEL_SEGMENT_WRITABLE 0x2
#define PV_KERNEL_SEGMENT_READABLE 0x4

/* One loadable segment: copy file_size bytes from image + file_offset to
 * virtual_address, then zero up to memory_size. */
struct pv_kernel_segment {
    uint64_t file_offset;
    uint64_t file_size;
    uint64_t memory_size;
    uint64_t virtual_address;
    uint32_t flags;             /* PV_KERNEL_SEGMENT_* */
};

struct pv_kernel {
    uint64_t entry;              /* initial RIP */
    uint64_t virtual_base;       /* VIRT_BASE: where guest pfn 0 is mapped */
    uint64_t physical_offset;    /* PADDR_OFFSET */
    uint64_t hypercall_page;     /* virtual address of the page to fill; 0: none */
    uint64_t init_p2m;           /* INIT_P2M: where the kernel would take the p2m list; 0: none */
    uint64_t virtual_start;      /* page-rounded extent of all segments: */
    uint64_t virtual_end;        /*   [virtual_start, virtual_end) */
    bool mod_start_pfn;          /* the kernel accepts an unmapped module (SIF_MOD_START_PFN) */
    uint32_t features_required;  /* XENFEAT_* bits of submap 0 marked "!" in FEATURES */
    uint32_t features_supported; /* FEATURES names (required ones too), SUPPORTED_FEATURES */
    char guest_os[PV_KERNEL_GUEST_OS_SIZE];       /* NUL-terminated, truncated to fit */
    char xen_version[PV_KERNEL_XEN_VERSION_SIZE]; /* "" when absent */
    char loader[PV_KERNEL_LOADER_SIZE];           /* "" when absent */
    unsigned int segment_count;
    struct pv_kernel_segment segments[PV_KERNEL_MAX_SEGMENTS];
};

/*
 * Parses image[0, image_size).  Returns 0 with *kernel filled in, or:
 *   -XEN_EINVAL      the image is malformed, is not a 64-bit x86 Xen PV
 *                    kernel (no GUEST_OS note), or asks for a placement the
 *                    ABI forbids (see pv_kernel.c for every rule);
 *   -XEN_EOPNOTSUPP  the kernel requires a feature pvmon cannot provide.
 * Never reads outside the image.  *kernel is unspecified after an error.
 */
int pv_kernel_parse(const void *image, uint64_t image_size, struct pv_kernel *kernel);

#endif
