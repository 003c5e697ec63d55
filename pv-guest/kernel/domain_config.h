/*
 * dom0's toolstack configuration: the file "domains" in dom0's ramdisk
 * says which domains to start, in scenarios that run one after another.
 * Text, one statement a line; blank lines and lines starting with '#' are
 * ignored; fields are separated by spaces:
 *
 *   scenario NAME DEADLINE-SECONDS
 *       starts a scenario: its domains start together, and any still
 *       running DEADLINE-SECONDS after they started is destroyed
 *   domain NAME KERNEL MEMORY-MiB WEIGHT [COMMAND LINE...]
 *       a domain of the current scenario, built from the ramdisk file
 *       KERNEL with MEMORY-MiB of memory and scheduler weight WEIGHT
 *       (1-65535); the rest of the line is its command line
 *   ramdisk FILE
 *       the domain of the line above gets the ramdisk file FILE as its
 *       initial module (start_info.mod_start/mod_len), e.g. the programs
 *       our PV kernel runs as processes
 *   memory-target SECONDS MiB
 *       SECONDS after the scenario's domains started, the toolstack sets
 *       the xenstore node memory/target of the domain of the line above
 *       to MiB (written in KiB, as Xen's toolstack does): the target its
 *       balloon driver watches.  Up to CONFIG_MAX_MEMORY_TARGETS per
 *       domain, in time order.
 *   start-after DELAY-MS
 *       the domain of the line above is built and started DELAY-MS after
 *       the scenario's other domains started, dom0 spinning until then
 *       (so that the scheduler has charged it) and serving nothing: the
 *       liveness test's domain_control attack, building a big domain
 *       while a watchdog runs (tests/liveness).  Once per domain.
 *   console-flood DELAY-MS BYTES ROUNDS
 *       DELAY-MS after the scenario's domains started (spinning until
 *       then, so that the scheduler has charged it), dom0 itself writes
 *       BYTES (1 to 4 GiB - 1) to its console with one console_io write,
 *       ROUNDS times, from a read-only range aliasing one page of text
 *       (console_flood.h): the liveness test's attack from dom0
 *       (tests/liveness).  At most one per scenario.
 *   disk format=raw|qcow2, vdev=xvdX, access=rw|w|ro|r, [cipher=aes-xts-plain64,
 *        keyfile=/PATH,] [compress=on|off,] target=/dev/vdY[@START+SIZE]|NAME
 *       a virtual block device of the domain of the line above, in
 *       xl.cfg's disk syntax (xl-disk-configuration): comma-separated
 *       KEY=VALUE, target= last (as xl requires), or values without a key
 *       for the positional parameters target, format, vdev, access not
 *       named yet, in that order ("/dev/vda,raw,xvda,rw", "/dev/vda,,xvdb");
 *       each parameter once, an empty one taking its default; target and
 *       vdev are needed.  format is raw (the default) or qcow2 (the
 *       target holds a qcow2 image, its backing files named in its
 *       header: backend/disk_image.h); vdev names the frontend's disk, xvda to
 *       xvdp, whole disks only (virtual-device 202 << 8 | X << 4, Xen's
 *       xen-vbd-interface); access defaults to rw.  target is one of
 *       dom0's virtio disks: /dev/vda for the first, or NAME, the disk
 *       whose serial is NAME (the host file's base name: 1 to 20 bytes of
 *       [A-Za-z0-9._+-], not starting with '.'; tools/run-qemu.sh), the
 *       whole disk; or, for format raw without a cipher only, with @START+SIZE after
 *       /dev/vdY, the SIZE MiB of it starting START MiB in (both whole
 *       MiB, SIZE at least 1; pvmon's extension, so that several domains
 *       can share one disk).  The toolstack checks the range against the
 *       disk when it connects the vbd.  pvmon's extensions, named only:
 *       cipher=aes-xts-plain64 encrypts the virtual disk's sectors as
 *       dm-crypt's plain aes-xts-plain64, with the 64-byte key in keyfile
 *       (an absolute path in dom0's ramdisk, each part a NAME as above;
 *       both or neither); compress=on writes qcow2 clusters compressed
 *       (format qcow2 only, not with a cipher: encrypted data does not
 *       compress).  Up to CONFIG_MAX_DISKS per domain, each vdev once.
 *   vif [mac=XX:XX:XX:XX:XX:XX][, bridge=xenbr0]
 *       a virtual network interface of the domain of the line above, in
 *       xl.cfg's vif syntax (xl-network-configuration): comma-separated
 *       KEY=VALUE, both optional.  mac is the vif's address, unicast and
 *       not zero (Xen's OUI 00:16:3e by custom); without it the toolstack
 *       derives one from the domain's id and the vif's number.  bridge
 *       names the bridge dom0 puts the vif on: xenbr0, the only one (and
 *       the default).  The vifs are numbered 0, 1, ... in line order (the
 *       xenstore's device/vif/N).  Up to CONFIG_MAX_VIFS per domain, each
 *       mac once.
 */
#ifndef PV_KERNEL_DOMAIN_CONFIG_H
#define PV_KERNEL_DOMAIN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <backend/ethernet.h>

#define CONFIG_MAX_SCENARIOS 8
#define CONFIG_MAX_DOMAINS 12
#define CONFIG_NAME_SIZE 32
#define CONFIG_FILE_SIZE 64
#define CONFIG_COMMAND_LINE_SIZE 256
#define CONFIG_MAX_MEMORY_TARGETS 4
#define CONFIG_MAX_DISKS 4
#define CONFIG_VDEV_SIZE 8
#define CONFIG_TARGET_SIZE 48
#define CONFIG_DISK_NAME_MAX 20 /* a virtio-blk serial */
#define CONFIG_KEYFILE_SIZE 64
#define CONFIG_MAX_VIFS 4
#define CONFIG_BRIDGE_NAME "xenbr0"

enum disk_format { DISK_FORMAT_RAW, DISK_FORMAT_QCOW2 };

/* A vbd: the virtual disk vdev of the domain, on dom0's disk target_index
 * (vda = 0), or on the disk named target when target_is_name. */
struct disk_spec {
    char vdev[CONFIG_VDEV_SIZE];      /* "xvda" */
    uint32_t virtual_device;          /* 202 << 8 | disk << 4 */
    bool read_only;
    enum disk_format format;
    char target[CONFIG_TARGET_SIZE];  /* as written: the backend's params */
    bool target_is_name;              /* target is a disk's name ("overlay1.qcow2") */
    unsigned int target_index;        /* /dev/vdX: X - 'a' */
    uint64_t start_mebibytes;         /* where the vbd starts on the disk */
    uint64_t size_mebibytes;          /* 0: the rest of the disk (no range given) */
    bool encrypted;                   /* cipher=aes-xts-plain64 */
    char keyfile[CONFIG_KEYFILE_SIZE];/* its key: "/etc/xen/keys/NAME" ("" without a cipher) */
    bool compress;                    /* compress=on: qcow2 clusters written compressed */
};

/* Whether a vbd of this spec needs a disk image (backend/disk_image.h):
 * any format but raw, or any feature.  false: the plain raw path. */
bool disk_spec_needs_image(const struct disk_spec *disk);

/* Whether name is a disk's name as target= and keyfile= take them (see above). */
bool domain_config_disk_name_valid(const char *name, size_t length);

/* A vif: number `handle` of the domain (its line's place among the domain's vif lines). */
struct vif_spec {
    unsigned int handle;
    bool has_address;                 /* false: the toolstack derives one */
    struct ethernet_address address;
};

struct memory_target_spec {
    uint64_t seconds;    /* after the scenario's start */
    uint64_t mebibytes;
};

struct domain_spec {
    char name[CONFIG_NAME_SIZE];
    char kernel_file[CONFIG_FILE_SIZE];
    char ramdisk_file[CONFIG_FILE_SIZE]; /* "": none */
    uint64_t memory_mebibytes;
    uint32_t weight;
    char command_line[CONFIG_COMMAND_LINE_SIZE];
    uint64_t start_after_milliseconds; /* 0: built and started with the others */
    unsigned int memory_target_count;
    struct memory_target_spec memory_targets[CONFIG_MAX_MEMORY_TARGETS];
    unsigned int disk_count;
    struct disk_spec disks[CONFIG_MAX_DISKS];
    unsigned int vif_count;
    struct vif_spec vifs[CONFIG_MAX_VIFS];
};

struct console_flood_spec {
    uint64_t delay_milliseconds;
    uint64_t bytes;
    uint64_t rounds; /* 0: no flood */
};

struct scenario_spec {
    char name[CONFIG_NAME_SIZE];
    uint64_t deadline_seconds;
    struct console_flood_spec console_flood;
    unsigned int domain_count;
    struct domain_spec domains[CONFIG_MAX_DOMAINS];
};

struct domain_config {
    unsigned int scenario_count;
    struct scenario_spec scenarios[CONFIG_MAX_SCENARIOS];
};

/*
 * Parses text (size bytes, not NUL-terminated).  Returns 0, or
 * -XEN_EINVAL with the offending line's number in *error_line: an unknown
 * statement, a missing or malformed field, a value out of range, a name
 * too long, a domain before any scenario, a ramdisk or memory target
 * before any domain, a second ramdisk for the same domain, memory targets
 * out of time order, a start-after before any domain or a second one for
 * the same domain, a console flood before any scenario or a second one in
 * the same scenario, a disk before any domain, a disk line that is not
 * as above or names a vdev the domain already has, a vif before any
 * domain, a vif line that is not as above or repeats a mac the domain
 * already has, or too many scenarios, domains, memory targets, disks or
 * vifs.
 */
int domain_config_parse(const char *text, uint64_t size, struct domain_config *config, unsigned int *error_line);

/*
 * One disk or vif specification as the lines above take it (the text after
 * the keyword, up to its NUL), for xl.cfg's disk and vif lists
 * (tools/xl/xl_config.c).  Returns 0 with *disk or *vif filled (a vif's
 * handle left 0: the caller numbers them), or -XEN_EINVAL for a spec that
 * is not as above.  Checks across specs (a vdev or mac twice, how many)
 * are the caller's.
 */
int domain_config_parse_disk(const char *spec, struct disk_spec *disk);
int domain_config_parse_vif(const char *spec, struct vif_spec *vif);

#endif
