/*
 * The parser of dom0's "domains" file (format in domain_config.h).  The
 * text comes from the ramdisk and is untrusted: every field is bounded,
 * every number checked, and nothing is read past size.
 */
#include <stdbool.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include "domain_config.h"

#define MAX_LINE_SIZE 256
#define MAX_WEIGHT 65535
#define MAX_MEMORY_MEBIBYTES 4096
#define MAX_DEADLINE_SECONDS 3600
#define MAX_FLOOD_BYTES UINT64_C(0xffffffff) /* console_io's count is an unsigned int */
#define MAX_FLOOD_ROUNDS 1000
#define MAX_DISK_MEBIBYTES (UINT64_C(1) << 20)
#define MAX_WHOLE_DISKS 16 /* xvda..xvdp: the 202 << 8 | disk << 4 encoding */
#define XEN_VBD_MAJOR 202
#define DISK_LETTERS 26

struct line_reader {
    const char *text;
    uint64_t size;
    uint64_t offset;
};

struct cursor {
    const char *position;
};

/* Copies the next line (without its newline) into line; false at the end or for an overlong line. */
static bool next_line(struct line_reader *reader, char line[MAX_LINE_SIZE], bool *too_long)
{
    uint64_t length = 0;

    *too_long = false;
    if (reader->offset >= reader->size)
        return false;
    while (reader->offset < reader->size && reader->text[reader->offset] != '\n') {
        if (length < MAX_LINE_SIZE - 1)
            line[length++] = reader->text[reader->offset];
        else
            *too_long = true;
        reader->offset++;
    }
    reader->offset++;
    line[length] = '\0';
    return true;
}

static void skip_spaces(struct cursor *cursor)
{
    while (*cursor->position == ' ' || *cursor->position == '\t' || *cursor->position == '\r')
        cursor->position++;
}

/* The next space-separated field into field (size bytes); false if missing or too long. */
static bool next_field(struct cursor *cursor, char *field, size_t size)
{
    size_t length = 0;

    skip_spaces(cursor);
    while (*cursor->position != '\0' && *cursor->position != ' ' && *cursor->position != '\t' &&
           *cursor->position != '\r') {
        if (length + 1 >= size)
            return false;
        field[length++] = *cursor->position++;
    }
    field[length] = '\0';
    return length > 0;
}

static bool next_number(struct cursor *cursor, uint64_t minimum, uint64_t maximum, uint64_t *value)
{
    char field[24];

    if (!next_field(cursor, field, sizeof(field)))
        return false;
    *value = 0;
    for (const char *digit = field; *digit != '\0'; digit++) {
        if (*digit < '0' || *digit > '9' || *value > maximum)
            return false;
        *value = *value * 10 + (uint64_t)(*digit - '0');
    }
    return *value >= minimum && *value <= maximum;
}

/* The rest of the line, spaces at either end removed. */
static bool rest_of_line(struct cursor *cursor, char *text, size_t size)
{
    size_t length;

    skip_spaces(cursor);
    length = strlen(cursor->position);
    while (length > 0 && (cursor->position[length - 1] == ' ' || cursor->position[length - 1] == '\r'))
        length--;
    if (length + 1 > size)
        return false;
    memcpy(text, cursor->position, length);
    text[length] = '\0';
    return true;
}

static bool parse_scenario(struct cursor *cursor, struct domain_config *config)
{
    struct scenario_spec *scenario;

    if (config->scenario_count == CONFIG_MAX_SCENARIOS)
        return false;
    scenario = &config->scenarios[config->scenario_count];
    *scenario = (struct scenario_spec) { 0 };
    if (!next_field(cursor, scenario->name, sizeof(scenario->name)) ||
        !next_number(cursor, 1, MAX_DEADLINE_SECONDS, &scenario->deadline_seconds))
        return false;
    skip_spaces(cursor);
    if (*cursor->position != '\0')
        return false;
    config->scenario_count++;
    return true;
}

static bool parse_domain(struct cursor *cursor, struct domain_config *config)
{
    struct scenario_spec *scenario;
    struct domain_spec *domain;
    uint64_t weight;

    if (config->scenario_count == 0)
        return false;
    scenario = &config->scenarios[config->scenario_count - 1];
    if (scenario->domain_count == CONFIG_MAX_DOMAINS)
        return false;
    domain = &scenario->domains[scenario->domain_count];
    if (!next_field(cursor, domain->name, sizeof(domain->name)) ||
        !next_field(cursor, domain->kernel_file, sizeof(domain->kernel_file)) ||
        !next_number(cursor, 1, MAX_MEMORY_MEBIBYTES, &domain->memory_mebibytes) ||
        !next_number(cursor, 1, MAX_WEIGHT, &weight) ||
        !rest_of_line(cursor, domain->command_line, sizeof(domain->command_line)))
        return false;
    domain->weight = (uint32_t)weight;
    scenario->domain_count++;
    return true;
}

/* The domain of the line above, or NULL if there is none. */
static struct domain_spec *last_domain(struct domain_config *config)
{
    struct scenario_spec *scenario;

    if (config->scenario_count == 0)
        return NULL;
    scenario = &config->scenarios[config->scenario_count - 1];
    if (scenario->domain_count == 0)
        return NULL;
    return &scenario->domains[scenario->domain_count - 1];
}

static bool parse_ramdisk(struct cursor *cursor, struct domain_config *config)
{
    struct domain_spec *domain = last_domain(config);

    if (domain == NULL || domain->ramdisk_file[0] != '\0' ||
        !next_field(cursor, domain->ramdisk_file, sizeof(domain->ramdisk_file)))
        return false;
    skip_spaces(cursor);
    return *cursor->position == '\0';
}

static bool parse_memory_target(struct cursor *cursor, struct domain_config *config)
{
    struct domain_spec *domain = last_domain(config);
    struct memory_target_spec *target;

    if (domain == NULL || domain->memory_target_count == CONFIG_MAX_MEMORY_TARGETS)
        return false;
    target = &domain->memory_targets[domain->memory_target_count];
    if (!next_number(cursor, 0, MAX_DEADLINE_SECONDS, &target->seconds) ||
        !next_number(cursor, 1, MAX_MEMORY_MEBIBYTES, &target->mebibytes))
        return false;
    if (domain->memory_target_count > 0 && target->seconds < target[-1].seconds)
        return false;
    skip_spaces(cursor);
    if (*cursor->position != '\0')
        return false;
    domain->memory_target_count++;
    return true;
}

static bool parse_start_after(struct cursor *cursor, struct domain_config *config)
{
    struct domain_spec *domain = last_domain(config);

    if (domain == NULL || domain->start_after_milliseconds != 0 ||
        !next_number(cursor, 1, MAX_DEADLINE_SECONDS * 1000, &domain->start_after_milliseconds))
        return false;
    skip_spaces(cursor);
    return *cursor->position == '\0';
}

static bool parse_console_flood(struct cursor *cursor, struct domain_config *config)
{
    struct console_flood_spec *flood;

    if (config->scenario_count == 0)
        return false;
    flood = &config->scenarios[config->scenario_count - 1].console_flood;
    if (flood->rounds != 0 || !next_number(cursor, 0, MAX_DEADLINE_SECONDS * 1000, &flood->delay_milliseconds) ||
        !next_number(cursor, 1, MAX_FLOOD_BYTES, &flood->bytes) ||
        !next_number(cursor, 1, MAX_FLOOD_ROUNDS, &flood->rounds))
        return false;
    skip_spaces(cursor);
    return *cursor->position == '\0';
}

/* --- disk: xl.cfg's disk syntax ------------------------------------------------ */

/* "xvdX" -> X's number; false for anything else (partitions, xvdaa, hd*, sd*). */
static bool parse_vdev(const char *value, unsigned int *disk)
{
    if (strlen(value) != 4 || strncmp(value, "xvd", 3) != 0 || value[3] < 'a' ||
        value[3] >= 'a' + MAX_WHOLE_DISKS)
        return false;
    *disk = (unsigned int)(value[3] - 'a');
    return true;
}

static bool parse_access(const char *value, bool *read_only)
{
    if (strcmp(value, "r") == 0 || strcmp(value, "ro") == 0) {
        *read_only = true;
        return true;
    }
    if (strcmp(value, "w") == 0 || strcmp(value, "rw") == 0) {
        *read_only = false;
        return true;
    }
    return false;
}

/* Decimal digits from *text up to a character not a digit; at least one, at most maximum. */
static bool parse_decimal(const char **text, uint64_t maximum, uint64_t *value)
{
    const char *start = *text;

    *value = 0;
    while (**text >= '0' && **text <= '9') {
        *value = *value * 10 + (uint64_t)(**text - '0');
        if (*value > maximum)
            return false;
        (*text)++;
    }
    return *text != start;
}

/* "/dev/vdY", "/dev/vdY@START+SIZE" (MiB), or a disk's name. */
static bool parse_target(const char *value, struct disk_spec *disk)
{
    const char *rest = value + 8;

    if (strlen(value) + 1 > sizeof(disk->target))
        return false;
    if (domain_config_disk_name_valid(value, strlen(value))) {
        memcpy(disk->target, value, strlen(value) + 1);
        disk->target_is_name = true;
        return true;
    }
    if (strncmp(value, "/dev/vd", 7) != 0 || value[7] < 'a' || value[7] >= 'a' + DISK_LETTERS)
        return false;
    memcpy(disk->target, value, strlen(value) + 1);
    disk->target_index = (unsigned int)(value[7] - 'a');
    if (*rest == '\0')
        return true;
    if (*rest++ != '@' || !parse_decimal(&rest, MAX_DISK_MEBIBYTES, &disk->start_mebibytes) || *rest++ != '+' ||
        !parse_decimal(&rest, MAX_DISK_MEBIBYTES, &disk->size_mebibytes))
        return false;
    return *rest == '\0' && disk->size_mebibytes > 0;
}

static bool disk_name_character(char character)
{
    return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z') ||
           (character >= '0' && character <= '9') || character == '.' || character == '_' || character == '-' ||
           character == '+';
}

bool domain_config_disk_name_valid(const char *name, size_t length)
{
    if (length == 0 || length > CONFIG_DISK_NAME_MAX || name[0] == '.')
        return false;
    for (size_t index = 0; index < length; index++)
        if (!disk_name_character(name[index]))
            return false;
    return true;
}

/* An absolute path whose every part is a disk name: "/etc/xen/keys/NAME". */
static bool parse_keyfile(const char *value, struct disk_spec *disk)
{
    const char *part = value;

    if (strlen(value) + 1 > sizeof(disk->keyfile) || *part != '/')
        return false;
    while (*part == '/') {
        const char *end = part + 1;

        while (*end != '\0' && *end != '/')
            end++;
        if (!domain_config_disk_name_valid(part + 1, (size_t)(end - part - 1)))
            return false;
        part = end;
    }
    memcpy(disk->keyfile, value, strlen(value) + 1);
    return true;
}

static bool parse_format(const char *value, enum disk_format *format)
{
    if (*value == '\0' || strcmp(value, "raw") == 0) {
        *format = DISK_FORMAT_RAW;
        return true;
    }
    if (strcmp(value, "qcow2") == 0) {
        *format = DISK_FORMAT_QCOW2;
        return true;
    }
    return false;
}

static bool parse_switch(const char *value, bool *on)
{
    if (strcmp(value, "on") == 0 || strcmp(value, "off") == 0) {
        *on = strcmp(value, "on") == 0;
        return true;
    }
    return false;
}

/* The next comma-separated item of the spec, spaces around it removed; false at the end. */
static bool next_item(struct cursor *cursor, char *item, size_t size, bool *too_long)
{
    size_t length = 0;

    *too_long = false;
    skip_spaces(cursor);
    if (*cursor->position == '\0')
        return false;
    while (*cursor->position != '\0' && *cursor->position != ',') {
        if (length + 1 < size)
            item[length++] = *cursor->position;
        else
            *too_long = true;
        cursor->position++;
    }
    if (*cursor->position == ',')
        cursor->position++;
    while (length > 0 && (item[length - 1] == ' ' || item[length - 1] == '\t' || item[length - 1] == '\r'))
        length--;
    item[length] = '\0';
    return true;
}

/* xl-disk-configuration's positional parameters, in their order, then
 * pvmon's extensions (named only). */
enum disk_parameter {
    DISK_TARGET, DISK_FORMAT, DISK_VDEV, DISK_ACCESS, DISK_POSITIONAL,
    DISK_CIPHER = DISK_POSITIONAL, DISK_KEYFILE, DISK_COMPRESS, DISK_PARAMETERS
};

static const char *const disk_parameter_names[DISK_PARAMETERS] = {
    "target", "format", "vdev", "access", "cipher", "keyfile", "compress",
};

struct disk_parse {
    struct disk_spec *disk;
    bool given[DISK_PARAMETERS];
    bool named_target; /* target= was read: nothing may follow it */
};

/* One parameter, given once; an empty value leaves the default (format raw, access rw). */
static bool apply_disk_parameter(struct disk_parse *parse, enum disk_parameter parameter, const char *value)
{
    struct disk_spec *disk = parse->disk;
    unsigned int number;

    if (parse->given[parameter])
        return false;
    parse->given[parameter] = true;
    switch (parameter) {
    case DISK_FORMAT:
        return parse_format(value, &disk->format);
    case DISK_CIPHER:
        disk->encrypted = true;
        return strcmp(value, "aes-xts-plain64") == 0;
    case DISK_KEYFILE:
        return parse_keyfile(value, disk);
    case DISK_COMPRESS:
        return parse_switch(value, &disk->compress);
    case DISK_ACCESS:
        return *value == '\0' || parse_access(value, &disk->read_only);
    case DISK_VDEV:
        if (!parse_vdev(value, &number))
            return false;
        memcpy(disk->vdev, value, strlen(value) + 1);
        disk->virtual_device = XEN_VBD_MAJOR << 8 | number << 4;
        return true;
    case DISK_TARGET:
        return parse_target(value, disk);
    default:
        return false;
    }
}

/* KEY=VALUE, or a value without '=' for the first positional parameter not yet given. */
static bool parse_disk_item(char *item, struct disk_parse *parse)
{
    char *value = item;

    if (parse->named_target)
        return false;
    while (*value != '\0' && *value != '=')
        value++;
    if (*value == '\0') {
        for (unsigned int parameter = 0; parameter < DISK_POSITIONAL; parameter++)
            if (!parse->given[parameter])
                return apply_disk_parameter(parse, (enum disk_parameter)parameter, item);
        return false;
    }
    *value++ = '\0';
    for (unsigned int parameter = 0; parameter < DISK_PARAMETERS; parameter++)
        if (strcmp(item, disk_parameter_names[parameter]) == 0) {
            parse->named_target = parameter == DISK_TARGET;
            return apply_disk_parameter(parse, (enum disk_parameter)parameter, value);
        }
    return false;
}

static bool domain_has_vdev(const struct domain_spec *domain, const char *vdev)
{
    for (unsigned int index = 0; index < domain->disk_count; index++)
        if (strcmp(domain->disks[index].vdev, vdev) == 0)
            return true;
    return false;
}

/* A cipher needs its key file and a key file its cipher; a range is the
 * plain raw path's; compression is qcow2's, and encrypted data does not
 * compress. */
static bool features_agree(const struct disk_spec *disk)
{
    if (disk->encrypted != (disk->keyfile[0] != '\0'))
        return false;
    if (disk->size_mebibytes != 0 && (disk->format != DISK_FORMAT_RAW || disk->encrypted))
        return false;
    return !disk->compress || (disk->format == DISK_FORMAT_QCOW2 && !disk->encrypted);
}

int domain_config_parse_disk(const char *spec, struct disk_spec *disk)
{
    struct cursor cursor = { .position = spec };
    struct disk_parse parse = { .disk = disk };
    char item[MAX_LINE_SIZE];
    bool too_long;

    *disk = (struct disk_spec) { 0 };
    while (next_item(&cursor, item, sizeof(item), &too_long))
        if (too_long || !parse_disk_item(item, &parse))
            return -XEN_EINVAL;
    if (!parse.given[DISK_TARGET] || disk->vdev[0] == '\0' || !features_agree(disk))
        return -XEN_EINVAL;
    return 0;
}

bool disk_spec_needs_image(const struct disk_spec *disk)
{
    return disk->format != DISK_FORMAT_RAW || disk->encrypted || disk->compress;
}

static bool parse_disk(struct cursor *cursor, struct domain_config *config)
{
    struct domain_spec *domain = last_domain(config);
    struct disk_spec disk;

    if (domain == NULL || domain->disk_count == CONFIG_MAX_DISKS)
        return false;
    if (domain_config_parse_disk(cursor->position, &disk) != 0 || domain_has_vdev(domain, disk.vdev))
        return false;
    domain->disks[domain->disk_count++] = disk;
    return true;
}

/* --- vif: xl.cfg's vif syntax ---------------------------------------------------- */

/* One KEY=VALUE of the spec into vif. */
static bool parse_vif_item(char *item, struct vif_spec *vif)
{
    char *value = item;

    while (*value != '\0' && *value != '=')
        value++;
    if (*value == '\0')
        return false;
    *value++ = '\0';
    if (strcmp(item, "bridge") == 0)
        return strcmp(value, CONFIG_BRIDGE_NAME) == 0;
    if (strcmp(item, "mac") == 0) {
        if (vif->has_address || ethernet_address_parse(value, &vif->address) != 0)
            return false;
        vif->has_address = true;
        return !ethernet_address_is_multicast(&vif->address) && !ethernet_address_is_zero(&vif->address);
    }
    return false;
}

static bool domain_has_address(const struct domain_spec *domain, const struct ethernet_address *address)
{
    for (unsigned int index = 0; index < domain->vif_count; index++)
        if (domain->vifs[index].has_address && ethernet_address_equal(&domain->vifs[index].address, address))
            return true;
    return false;
}

int domain_config_parse_vif(const char *spec, struct vif_spec *vif)
{
    struct cursor cursor = { .position = spec };
    char item[MAX_LINE_SIZE];
    bool too_long;

    *vif = (struct vif_spec) { 0 };
    while (next_item(&cursor, item, sizeof(item), &too_long))
        if (too_long || !parse_vif_item(item, vif))
            return -XEN_EINVAL;
    return 0;
}

static bool parse_vif(struct cursor *cursor, struct domain_config *config)
{
    struct domain_spec *domain = last_domain(config);
    struct vif_spec vif;

    if (domain == NULL || domain->vif_count == CONFIG_MAX_VIFS)
        return false;
    if (domain_config_parse_vif(cursor->position, &vif) != 0)
        return false;
    if (vif.has_address && domain_has_address(domain, &vif.address))
        return false;
    vif.handle = domain->vif_count;
    domain->vifs[domain->vif_count++] = vif;
    return true;
}

static bool parse_line(const char *line, struct domain_config *config)
{
    struct cursor cursor = { .position = line };
    char keyword[16];

    skip_spaces(&cursor);
    if (*cursor.position == '\0' || *cursor.position == '#')
        return true;
    if (!next_field(&cursor, keyword, sizeof(keyword)))
        return false;
    if (strcmp(keyword, "scenario") == 0)
        return parse_scenario(&cursor, config);
    if (strcmp(keyword, "domain") == 0)
        return parse_domain(&cursor, config);
    if (strcmp(keyword, "ramdisk") == 0)
        return parse_ramdisk(&cursor, config);
    if (strcmp(keyword, "memory-target") == 0)
        return parse_memory_target(&cursor, config);
    if (strcmp(keyword, "start-after") == 0)
        return parse_start_after(&cursor, config);
    if (strcmp(keyword, "console-flood") == 0)
        return parse_console_flood(&cursor, config);
    if (strcmp(keyword, "disk") == 0)
        return parse_disk(&cursor, config);
    if (strcmp(keyword, "vif") == 0)
        return parse_vif(&cursor, config);
    return false;
}

int domain_config_parse(const char *text, uint64_t size, struct domain_config *config, unsigned int *error_line)
{
    struct line_reader reader = { .text = text, .size = size, .offset = 0 };
    char line[MAX_LINE_SIZE];
    unsigned int number = 0;
    bool too_long;

    config->scenario_count = 0;
    while (next_line(&reader, line, &too_long)) {
        number++;
        if (too_long || !parse_line(line, config)) {
            *error_line = number;
            return -XEN_EINVAL;
        }
    }
    return 0;
}
