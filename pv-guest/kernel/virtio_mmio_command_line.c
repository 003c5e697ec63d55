/*
 * Parsing `virtio_mmio.device=<size>@<base>:<irq>[:<id>]` words (see
 * virtio_mmio_command_line.h).  Pure: compiled into dom0's kernel and the
 * host unit tests.
 */
#include <stdbool.h>
#include <stddef.h>
#include <pvmon/command_line.h>
#include <pvmon/string.h>
#include "virtio_mmio_command_line.h"

#define PARAMETER_PREFIX "virtio_mmio.device="

static bool is_separator(char character)
{
    return character == ' ' || character == '\t';
}

/* An optional K, M or G after the size (Linux's memparse). */
static bool apply_size_suffix(const char **text, const char *end, uint64_t *size)
{
    unsigned int shift;

    if (*text == end)
        return true;
    switch (**text) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    default: return true;
    }
    if (*size > (UINT64_MAX >> shift))
        return false;
    *size <<= shift;
    (*text)++;
    return true;
}

static bool expect(const char **text, const char *end, char character)
{
    if (*text == end || **text != character)
        return false;
    (*text)++;
    return true;
}

/* The optional ":<id>": a decimal number, ignored. */
static bool skip_identifier(const char **text, const char *end)
{
    uint64_t identifier;

    if (*text == end)
        return true;
    return expect(text, end, ':') && command_line_parse_number(text, end, &identifier) && *text == end;
}

static bool within_one_page(uint64_t base, uint64_t size)
{
    uint64_t offset = base & (VIRTIO_MMIO_PAGE_SIZE - 1);

    return size >= VIRTIO_MMIO_MINIMUM_SIZE && size <= VIRTIO_MMIO_PAGE_SIZE - offset;
}

static bool parse_device(const char *text, const char *end, struct virtio_mmio_location *location)
{
    uint64_t gsi;

    if (!command_line_parse_number(&text, end, &location->size) ||
        !apply_size_suffix(&text, end, &location->size) || !expect(&text, end, '@') ||
        !command_line_parse_number(&text, end, &location->base) || !expect(&text, end, ':') ||
        !command_line_parse_number(&text, end, &gsi) || gsi > UINT32_MAX || !skip_identifier(&text, end))
        return false;
    location->gsi = (uint32_t)gsi;
    return within_one_page(location->base, location->size);
}

unsigned int virtio_mmio_find_devices(const char *command_line, struct virtio_mmio_location *locations,
                                      unsigned int capacity, unsigned int *skipped)
{
    size_t prefix_length = strlen(PARAMETER_PREFIX);
    unsigned int found = 0;
    const char *cursor = command_line;

    *skipped = 0;
    while (cursor != NULL && *cursor != '\0') {
        const char *word_end = cursor;

        while (*word_end != '\0' && !is_separator(*word_end))
            word_end++;
        if ((size_t)(word_end - cursor) >= prefix_length && strncmp(cursor, PARAMETER_PREFIX, prefix_length) == 0) {
            if (found < capacity && parse_device(cursor + prefix_length, word_end, &locations[found]))
                found++;
            else
                (*skipped)++;
        }
        cursor = word_end;
        while (is_separator(*cursor))
            cursor++;
    }
    return found;
}
