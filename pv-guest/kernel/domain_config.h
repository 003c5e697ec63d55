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
 */
#ifndef PV_KERNEL_DOMAIN_CONFIG_H
#define PV_KERNEL_DOMAIN_CONFIG_H

#include <stdint.h>

#define CONFIG_MAX_SCENARIOS 8
#define CONFIG_MAX_DOMAINS 12
#define CONFIG_NAME_SIZE 32
#define CONFIG_FILE_SIZE 64
#define CONFIG_COMMAND_LINE_SIZE 160

struct domain_spec {
    char name[CONFIG_NAME_SIZE];
    char kernel_file[CONFIG_FILE_SIZE];
    char ramdisk_file[CONFIG_FILE_SIZE]; /* "": none */
    uint64_t memory_mebibytes;
    uint32_t weight;
    char command_line[CONFIG_COMMAND_LINE_SIZE];
};

struct scenario_spec {
    char name[CONFIG_NAME_SIZE];
    uint64_t deadline_seconds;
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
 * too long, a domain before any scenario, a ramdisk before any domain or a
 * second one for the same domain, or too many scenarios or domains.
 */
int domain_config_parse(const char *text, uint64_t size, struct domain_config *config, unsigned int *error_line);

#endif
