/*
 * The xl.cfg fuzzer: LLVMFuzzerTestOneInput turns its input into a
 * configuration file and parses it with tools/xl/xl_config.c, in a buffer
 * of exactly the file's size (so that AddressSanitizer catches a read
 * past it).  The first byte chooses how the file is made: the bytes as
 * they are; fragments of xl.cfg picked by the bytes (keys, operators,
 * values good and bad, lists, comments, newlines, a NUL, a carriage
 * return, an over-long string, a raw byte); settings of a known key with
 * one of its usual values, alone or with one fragment in four; the last
 * two after a valid name and kernel, so that many files parse through.
 *
 * After the parse:
 *   - the result is 0 or -EINVAL; a refusal came with at least one
 *     message, and every message is one line, NUL-terminated within
 *     XL_CONFIG_MESSAGE_SIZE, without control characters, naming the file;
 *   - an accepted configuration keeps xl_config.h's promises: a name of
 *     1 to 31 printable characters without blank or quote, a kernel,
 *     1 <= memory <= maxmem <= 4096, one vcpu, at most CONFIG_MAX_DISKS
 *     disks with distinct vdevs, at most CONFIG_MAX_VIFS vifs numbered by
 *     their index, known actions, every string terminated in its field;
 *   - an accepted configuration written back as xl.cfg text (every string
 *     escaped) parses to the same configuration;
 *   - parsing the same file again gives the same result and configuration;
 *   - the parse's work (basic blocks of xl_config.c and domain_config.c,
 *     work_meter.h) is within a bound linear in the file's size.
 * Any violation aborts with a message naming the check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/errno.h>
#include <tools/xl/xl_config.h>

#include "fuzz_report.h"
#include "fuzz_input.h"
#include "work_meter.h"

#define MAX_TEXT 8192
#define WORK_PER_BYTE 64
#define WORK_CONSTANT 4096
#define FILE_NAME "fuzz.cfg"
#define MAX_STATEMENTS 12

static const char *check = "parse";

#define violation(...) fuzz_report_violation("xl-config", 0, check, __VA_ARGS__)

struct messages {
    unsigned int count;
    bool malformed;
};

static void collect(void *context, const char *message)
{
    struct messages *messages = context;

    messages->count++;
    if (memchr(message, '\0', XL_CONFIG_MESSAGE_SIZE) == NULL ||
        strncmp(message, FILE_NAME ":", strlen(FILE_NAME ":")) != 0) {
        messages->malformed = true;
        return;
    }
    for (const char *c = message; *c != '\0'; c++)
        if ((unsigned char)*c < ' ' || *c == 0x7f)
            messages->malformed = true;
}

/* --- making the file ------------------------------------------------------------------- */

static const char *const fragments[] = {
    "name", "memory", "maxmem", "vcpus", "kernel", "ramdisk", "cmdline", "root", "extra", "disk", "vif",
    "on_poweroff", "on_reboot", "on_crash", "type", "builder", "Name",
    " = ", "=", " += ", "\n", ";", "[", "]", ", ", ",", "# a comment\n", "#", " ", "\t", "\r\n",
    "\"guest\"", "'k'", "'linux-6.1'", "64", "0x80", "0200", "089", "4096", "4097", "0", "1", "2", "12abc",
    "18446744073709551616", "\"pv\"", "\"hvm\"", "\"destroy\"", "'restart'", "'preserve'", "'coredump-restart'",
    "\"explode\"", "'vdev=xvda, target=/dev/vda'", "'format=raw, vdev=xvdb, access=ro, target=/dev/vdb@1+2'",
    "'vdev=xvda, target=/dev/vdb'", "'/dev/vda,raw,xvda,rw'", "'mac=00:16:3e:00:00:01'",
    "'mac=00:16:3e:00:00:02, bridge=xenbr0'", "'bridge=br1'", "''", "\"a\\\"b\\tc\\\\\"", "'\\x41'", "'\\q'",
    "\"unterminated", "-", "\"my guest\"", "'console=hvc0 root=/dev/xvda'",
};

#define FRAGMENT_RAW_BYTE (sizeof(fragments) / sizeof(fragments[0]))
#define FRAGMENT_NUL (FRAGMENT_RAW_BYTE + 1)
#define FRAGMENT_LONG_STRING (FRAGMENT_RAW_BYTE + 2)
#define FRAGMENT_KINDS (FRAGMENT_RAW_BYTE + 3)

struct text {
    char bytes[MAX_TEXT];
    size_t size;
};

static void add_bytes(struct text *text, const char *bytes, size_t size)
{
    if (size > MAX_TEXT - text->size)
        size = MAX_TEXT - text->size;
    memcpy(text->bytes + text->size, bytes, size);
    text->size += size;
}

static void add_string(struct text *text, const char *string)
{
    add_bytes(text, string, strlen(string));
}

/* Values of the longest length their field holds (then one more in the table below). */
#define NAME_31 "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
#define FILE_63 NAME_31 NAME_31 "k"
#define LINE_255 FILE_63 FILE_63 FILE_63 FILE_63 "ccc"

/* A key with values it takes, for statements that mostly parse. */
struct key_values {
    const char *key;
    bool appends;          /* a string or a list, which += extends */
    const char *values[4];
};

static const struct key_values statements[] = {
    { "name", true, { "'g'", "\"guest-2\"", "'" NAME_31 "'", "'" NAME_31 "n'" } },
    { "memory", false, { "64", "128", "0x40", "0100" } },
    { "maxmem", false, { "64", "256", "\"32\"", "4096" } },
    { "vcpus", false, { "1", "1", "\"1\"", "0x1" } },
    { "kernel", true, { "'k'", "\"vmlinux\"", "'" FILE_63 "'", "'" FILE_63 "k'" } },
    { "ramdisk", true, { "'r'", "''", "\"initramfs.cpio\"", "'r'" } },
    { "cmdline", true, { "'console=hvc0'", "\"a\\tb \\\"q\\\"\"", "'" LINE_255 "'", "'" LINE_255 "c'" } },
    { "root", true, { "'/dev/xvda'", "'/dev/xvdb1'", "''", "'x'" } },
    { "extra", true, { "'console=hvc0'", "'quiet'", "''", "'e'" } },
    { "disk", true, { "[ 'vdev=xvda, target=/dev/vda' ]",
                "[ 'format=raw, vdev=xvdb, access=ro, target=/dev/vdb@1+2',\n 'vdev=xvdc, target=/dev/vda', ]",
                "[ 'format=qcow2, vdev=xvda, cipher=aes-xts-plain64, keyfile=/etc/xen/keys/k, target=top.qcow2' ]",
                "[ '/dev/vdc,raw,xvdd,r', 'format=qcow2, compress=on, vdev=xvde, target=/dev/vda' ]" } },
    { "vif", true, { "[ '' ]", "[ 'mac=00:16:3e:00:00:01', 'mac=00:16:3e:00:00:02, bridge=xenbr0' ]",
               "['mac=00:16:3e:12:34:56']", "[]" } },
    { "on_poweroff", false, { "'destroy'", "'restart'", "'preserve'", "'coredump-destroy'" } },
    { "on_reboot", false, { "'restart'", "'rename-restart'", "'destroy'", "'soft-reset'" } },
    { "on_crash", false, { "'preserve'", "'coredump-restart'", "'destroy'", "'restart'" } },
    { "type", false, { "'pv'", "\"pv\"", "'pv'", "'pv'" } },
};

/* KEY = VALUE or KEY += VALUE, and its end: mostly a setting that parses. */
static void add_statement(struct fuzz_input *input, struct text *text)
{
    uint8_t choice = fuzz_input_byte(input);
    const struct key_values *statement = &statements[choice % (sizeof(statements) / sizeof(statements[0]))];

    add_string(text, statement->key);
    add_string(text, (choice & 0x80) != 0 && statement->appends ? " += " : " = ");
    add_string(text, statement->values[fuzz_input_byte(input) % 4]);
    add_string(text, (choice & 0x40) != 0 ? "; " : "\n");
}

enum mixture { STATEMENTS_ONLY, ONE_FRAGMENT_IN_FOUR, FRAGMENTS_ONLY };

/*
 * Statements and fragments as mixed, after a valid name and kernel if
 * valid_start; statements alone stop after MAX_STATEMENTS, beyond which
 * few files would still parse (lists grown past their maximum).
 */
static void make_from_fragments(struct fuzz_input *input, struct text *text, bool valid_start, enum mixture mixture)
{
    unsigned int steps = 0;

    if (valid_start)
        add_string(text, "name = 'g'\nkernel = 'k'\n");
    for (; !fuzz_input_exhausted(input) && text->size < MAX_TEXT; steps++) {
        uint8_t byte = fuzz_input_byte(input);
        unsigned int kind = (byte >> 2) % FRAGMENT_KINDS;
        char raw;

        if (mixture == STATEMENTS_ONLY && steps == MAX_STATEMENTS)
            break;
        if (mixture == STATEMENTS_ONLY || (mixture == ONE_FRAGMENT_IN_FOUR && byte % 4 != 0)) {
            add_statement(input, text);
        } else if (kind < FRAGMENT_RAW_BYTE) {
            add_string(text, fragments[kind]);
        } else if (kind == FRAGMENT_RAW_BYTE) {
            raw = (char)fuzz_input_byte(input);
            add_bytes(text, &raw, 1);
        } else if (kind == FRAGMENT_NUL) {
            add_bytes(text, "", 1);
        } else {
            add_string(text, "'");
            for (unsigned int count = 0; count < 300; count++)
                add_string(text, "x");
            add_string(text, "'");
        }
    }
}

/* --- checking the result ---------------------------------------------------------------- */

static bool terminated(const char *field, size_t size)
{
    return memchr(field, '\0', size) != NULL;
}

static void check_name(const struct xl_domain_config *config)
{
    if (!terminated(config->name, sizeof(config->name)) || config->name[0] == '\0')
        violation("accepted a name that is empty or not terminated");
    for (const char *c = config->name; *c != '\0'; c++)
        if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f || *c == '"' || *c == '\'')
            violation("accepted the name \"%s\"", config->name);
}

/* An accepted disk's features agree (domain_config.h): a cipher with its
 * key file, a range raw's, compression qcow2's without a cipher, a named
 * target a plain name. */
static void check_disk(const struct disk_spec *disk)
{
    if (!terminated(disk->target, sizeof(disk->target)) || !terminated(disk->keyfile, sizeof(disk->keyfile)))
        violation("a disk's target or key file is not terminated");
    if (disk->encrypted != (disk->keyfile[0] != '\0'))
        violation("cipher %d with key file '%s'", disk->encrypted, disk->keyfile);
    if (disk->size_mebibytes != 0 && (disk->format != DISK_FORMAT_RAW || disk->encrypted))
        violation("a range on format %d, cipher %d", disk->format, disk->encrypted);
    if (disk->compress && (disk->format != DISK_FORMAT_QCOW2 || disk->encrypted))
        violation("compress on format %d, cipher %d", disk->format, disk->encrypted);
    if (disk->target_is_name && !domain_config_disk_name_valid(disk->target, strlen(disk->target)))
        violation("the target name '%s'", disk->target);
    if (disk->keyfile[0] != '\0' && (disk->keyfile[0] != '/' || strstr(disk->keyfile, "/.") != NULL ||
                                     strstr(disk->keyfile, "//") != NULL))
        violation("the key file '%s'", disk->keyfile);
}

static void check_accepted(const struct xl_domain_config *config)
{
    check = "accepted configuration";
    check_name(config);
    if (!terminated(config->kernel_file, sizeof(config->kernel_file)) || config->kernel_file[0] == '\0' ||
        !terminated(config->ramdisk_file, sizeof(config->ramdisk_file)) ||
        !terminated(config->command_line, sizeof(config->command_line)))
        violation("a file name or the command line is empty or not terminated");
    if (config->memory_mebibytes < 1 || config->memory_mebibytes > config->maxmem_mebibytes ||
        config->maxmem_mebibytes > XL_CONFIG_MAX_MEMORY_MEBIBYTES)
        violation("memory %lu, maxmem %lu", (unsigned long)config->memory_mebibytes,
                  (unsigned long)config->maxmem_mebibytes);
    if (config->vcpus != 1)
        violation("%u vcpus", config->vcpus);
    if (config->disk_count > CONFIG_MAX_DISKS || config->vif_count > CONFIG_MAX_VIFS)
        violation("%u disks, %u vifs", config->disk_count, config->vif_count);
    for (unsigned int disk = 0; disk < config->disk_count; disk++)
        for (unsigned int other = 0; other < disk; other++)
            if (strcmp(config->disks[disk].vdev, config->disks[other].vdev) == 0)
                violation("vdev %s twice", config->disks[disk].vdev);
    for (unsigned int disk = 0; disk < config->disk_count; disk++)
        check_disk(&config->disks[disk]);
    for (unsigned int vif = 0; vif < config->vif_count; vif++)
        if (config->vifs[vif].handle != vif)
            violation("vif %u has handle %u", vif, config->vifs[vif].handle);
    if (xl_action_on_shutdown_name(config->on_poweroff) == NULL ||
        xl_action_on_shutdown_name(config->on_reboot) == NULL || xl_action_on_shutdown_name(config->on_crash) == NULL)
        violation("an action out of the enum");
}

/* A string as an xl.cfg double-quoted string: quotes, backslashes and the escaped controls escaped. */
static void add_quoted(struct text *text, const char *value)
{
    static const char controls[] = "\a\b\f\n\r\t\v";
    static const char letters[] = "abfnrtv";

    add_string(text, "\"");
    for (const char *c = value; *c != '\0'; c++) {
        const char *control = memchr(controls, *c, sizeof(controls) - 1);
        char escaped[2] = { '\\', *c };

        if (control != NULL) {
            escaped[1] = letters[control - controls];
            add_bytes(text, escaped, 2);
        } else if (*c == '"' || *c == '\\') {
            add_bytes(text, escaped, 2);
        } else {
            add_bytes(text, c, 1);
        }
    }
    add_string(text, "\"");
}

static void add_setting(struct text *text, const char *key, const char *value)
{
    add_string(text, key);
    add_string(text, " = ");
    add_quoted(text, value);
    add_string(text, "\n");
}

static void write_back(const struct xl_domain_config *config, struct text *text)
{
    char line[160];

    add_setting(text, "name", config->name);
    snprintf(line, sizeof(line), "memory = %lu\nmaxmem = %lu\nvcpus = %u\n", (unsigned long)config->memory_mebibytes,
             (unsigned long)config->maxmem_mebibytes, config->vcpus);
    add_string(text, line);
    add_setting(text, "kernel", config->kernel_file);
    add_setting(text, "ramdisk", config->ramdisk_file);
    add_setting(text, "cmdline", config->command_line);
    add_string(text, "disk = [\n");
    for (unsigned int index = 0; index < config->disk_count; index++) {
        const struct disk_spec *disk = &config->disks[index];

        snprintf(line, sizeof(line), "format=raw, vdev=%s, access=%s, target=%s", disk->vdev,
                 disk->read_only ? "ro" : "rw", disk->target);
        add_quoted(text, line);
        add_string(text, ",\n");
    }
    add_string(text, "]\nvif = [");
    for (unsigned int index = 0; index < config->vif_count; index++) {
        const uint8_t *mac = config->vifs[index].address.bytes;

        if (config->vifs[index].has_address)
            snprintf(line, sizeof(line), "mac=%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
                     mac[5]);
        else
            line[0] = '\0';
        add_quoted(text, line);
        add_string(text, index + 1 < config->vif_count ? ", " : "");
    }
    add_string(text, "]\n");
    add_setting(text, "on_poweroff", xl_action_on_shutdown_name(config->on_poweroff));
    add_setting(text, "on_reboot", xl_action_on_shutdown_name(config->on_reboot));
    add_setting(text, "on_crash", xl_action_on_shutdown_name(config->on_crash));
}

static bool same_disk(const struct disk_spec *one, const struct disk_spec *other)
{
    return strcmp(one->vdev, other->vdev) == 0 && one->virtual_device == other->virtual_device &&
           one->read_only == other->read_only && strcmp(one->target, other->target) == 0 &&
           one->target_index == other->target_index && one->start_mebibytes == other->start_mebibytes &&
           one->size_mebibytes == other->size_mebibytes;
}

static bool same_vif(const struct vif_spec *one, const struct vif_spec *other)
{
    return one->handle == other->handle && one->has_address == other->has_address &&
           (!one->has_address || memcmp(&one->address, &other->address, sizeof(one->address)) == 0);
}

/* Field by field: the bytes after a string's NUL are not part of the configuration. */
static bool same_config(const struct xl_domain_config *one, const struct xl_domain_config *other)
{
    if (strcmp(one->name, other->name) != 0 || one->memory_mebibytes != other->memory_mebibytes ||
        one->maxmem_mebibytes != other->maxmem_mebibytes || one->vcpus != other->vcpus ||
        strcmp(one->kernel_file, other->kernel_file) != 0 || strcmp(one->ramdisk_file, other->ramdisk_file) != 0 ||
        strcmp(one->command_line, other->command_line) != 0 || one->disk_count != other->disk_count ||
        one->vif_count != other->vif_count || one->on_poweroff != other->on_poweroff ||
        one->on_reboot != other->on_reboot || one->on_crash != other->on_crash)
        return false;
    for (unsigned int index = 0; index < one->disk_count; index++)
        if (!same_disk(&one->disks[index], &other->disks[index]))
            return false;
    for (unsigned int index = 0; index < one->vif_count; index++)
        if (!same_vif(&one->vifs[index], &other->vifs[index]))
            return false;
    return true;
}

static int parse_exactly(const char *bytes, size_t size, struct xl_domain_config *config, struct messages *messages)
{
    char *file = malloc(size > 0 ? size : 1);
    int result;

    if (file == NULL)
        abort();
    memcpy(file, bytes, size);
    *messages = (struct messages) { 0 };
    work_meter_reset();
    result = xl_config_parse(FILE_NAME, file, size, config, collect, messages);
    if (work_meter_blocks() > WORK_CONSTANT + WORK_PER_BYTE * (uint64_t)size)
        violation("a file of %zu bytes took %lu basic blocks", size, (unsigned long)work_meter_blocks());
    free(file);
    return result;
}

static struct text text, written;
static struct xl_domain_config config, again;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input input = { data, size, 0 };
    unsigned int mode = fuzz_input_byte(&input) % 5;
    struct messages messages, messages_again;
    int result;

    check = "parse";
    text.size = 0;
    if (mode == 0)
        add_bytes(&text, (const char *)data + input.offset, size - input.offset);
    else if (mode == 1)
        make_from_fragments(&input, &text, false, FRAGMENTS_ONLY);
    else if (mode == 2)
        make_from_fragments(&input, &text, false, ONE_FRAGMENT_IN_FOUR);
    else
        make_from_fragments(&input, &text, true, mode == 3 ? ONE_FRAGMENT_IN_FOUR : STATEMENTS_ONLY);
    result = parse_exactly(text.bytes, text.size, &config, &messages);
    if (result != 0 && result != -XEN_EINVAL)
        violation("returned %d", result);
    if (messages.malformed)
        violation("a message not naming the file, not terminated or with a control character");
    if (result != 0 && messages.count == 0)
        violation("refused the file without a message");

    check = "the same file again";
    if (parse_exactly(text.bytes, text.size, &again, &messages_again) != result ||
        messages_again.count != messages.count || (result == 0 && !same_config(&config, &again)))
        violation("a second parse differs");
    if (result != 0)
        return 0;

    check_accepted(&config);
    check = "written back";
    written.size = 0;
    write_back(&config, &written);
    if (parse_exactly(written.bytes, written.size, &again, &messages_again) != 0)
        violation("the configuration written back is refused");
    if (!same_config(&config, &again))
        violation("the configuration written back parses differently");
    return 0;
}
