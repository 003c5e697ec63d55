/*
 * Options on the hypervisor command line (see pvmon/command_line.h).
 *
 * Both lookups share find_last_value, which walks the words once and
 * remembers the value of the last one that names the option.  Values are
 * read in place, never copied to a fixed buffer, so a long value cannot be
 * silently cut short before it is parsed.
 *
 * dom0's command line is composed here too: its own part (after " -- ")
 * and the device words it must see (the virtio-mmio transports QEMU
 * describes on the hypervisor's part), never cut in the middle of one.
 */
#include <pvmon/command_line.h>

struct value_text {
    const char *start;
    size_t length;
};

static bool is_separator(char character)
{
    return character == ' ' || character == '\t';
}

static size_t word_length(const char *word)
{
    size_t length = 0;

    while (word[length] != '\0' && !is_separator(word[length]))
        length++;
    return length;
}

/* If the word is `name` or `name=value`, stores where its value is and returns true. */
static bool word_names_option(const char *word, size_t length, const char *name, struct value_text *value)
{
    size_t name_length = 0;

    while (name[name_length] != '\0') {
        if (name_length == length || word[name_length] != name[name_length])
            return false;
        name_length++;
    }
    if (name_length == length) {
        *value = (struct value_text) { .start = word + length, .length = 0 };
        return true;
    }
    if (word[name_length] != '=')
        return false;
    *value = (struct value_text) { .start = word + name_length + 1, .length = length - name_length - 1 };
    return true;
}

static bool find_last_value(const char *command_line, const char *name, struct value_text *value)
{
    bool found = false;

    if (command_line == NULL || name[0] == '\0')
        return false;
    while (*command_line != '\0') {
        if (is_separator(*command_line)) {
            command_line++;
            continue;
        }

        size_t length = word_length(command_line);

        if (word_names_option(command_line, length, name, value))
            found = true;
        command_line += length;
    }
    return found;
}

bool command_line_find(const char *command_line, const char *name, char *value, size_t value_size)
{
    struct value_text text;

    if (!find_last_value(command_line, name, &text))
        return false;
    if (value_size == 0)
        return true;

    size_t copied = text.length < value_size - 1 ? text.length : value_size - 1;

    for (size_t index = 0; index < copied; index++)
        value[index] = text.start[index];
    value[copied] = '\0';
    return true;
}

static int digit_value(char character, unsigned int base)
{
    int value = -1;

    if (character >= '0' && character <= '9')
        value = character - '0';
    else if (character >= 'a' && character <= 'f')
        value = character - 'a' + 10;
    else if (character >= 'A' && character <= 'F')
        value = character - 'A' + 10;
    return value < (int) base ? value : -1;
}

bool command_line_parse_number(const char **text, const char *end, uint64_t *value)
{
    const char *cursor = *text;
    unsigned int base = 10;
    uint64_t result = 0;
    bool any = false;

    if (end - cursor > 2 && cursor[0] == '0' && (cursor[1] == 'x' || cursor[1] == 'X')) {
        base = 16;
        cursor += 2;
    }
    for (int digit; cursor < end && (digit = digit_value(*cursor, base)) >= 0; cursor++) {
        if (result > (UINT64_MAX - (uint64_t) digit) / base)
            return false;
        result = result * base + (uint64_t) digit;
        any = true;
    }
    if (!any)
        return false;
    *value = result;
    *text = cursor;
    return true;
}

/* At least one digit, nothing but digits, and no overflow. */
static bool parse_digits(const char *text, size_t length, unsigned int base, uint64_t *value)
{
    uint64_t result = 0;

    if (length == 0)
        return false;
    for (size_t index = 0; index < length; index++) {
        int digit = digit_value(text[index], base);

        if (digit < 0 || result > (UINT64_MAX - (uint64_t) digit) / base)
            return false;
        result = result * base + (uint64_t) digit;
    }
    *value = result;
    return true;
}

bool command_line_get_unsigned(const char *command_line, const char *name, uint64_t *value)
{
    struct value_text text;

    if (!find_last_value(command_line, name, &text))
        return false;
    if (text.length >= 2 && text.start[0] == '0' && (text.start[1] == 'x' || text.start[1] == 'X'))
        return parse_digits(text.start + 2, text.length - 2, 16, value);
    return parse_digits(text.start, text.length, 10, value);
}

/* Where " -- " starts in the command line, or its end. */
static const char *dom0_separator(const char *command_line)
{
    const char *separator = COMMAND_LINE_DOM0_SEPARATOR;

    for (const char *cursor = command_line; *cursor != '\0'; cursor++) {
        size_t index = 0;

        while (separator[index] != '\0' && cursor[index] == separator[index])
            index++;
        if (separator[index] == '\0')
            return cursor;
    }
    while (*command_line != '\0')
        command_line++;
    return command_line;
}

struct text_builder {
    char *buffer;
    size_t size;
    size_t length;
};

/* Appends length characters, after a space unless the text is empty;
 * false (nothing appended) if they do not fit. */
static bool append_word(struct text_builder *text, const char *word, size_t length)
{
    size_t space = text->length > 0 ? 1 : 0;

    if (text->length + space + length > text->size - 1)
        return false;
    if (space)
        text->buffer[text->length++] = ' ';
    for (size_t index = 0; index < length; index++)
        text->buffer[text->length++] = word[index];
    text->buffer[text->length] = '\0';
    return true;
}

static bool is_device_word(const char *word, size_t length)
{
    struct value_text value;

    return word_names_option(word, length, COMMAND_LINE_DOM0_DEVICE_OPTION, &value) && value.length > 0;
}

void command_line_compose_dom0(const char *command_line, char *buffer, size_t buffer_size,
                               unsigned int *left_out)
{
    struct text_builder text = { .buffer = buffer, .size = buffer_size, .length = 0 };
    const char *hypervisor_end;
    const char *dom0_part = "";
    size_t dom0_length;

    *left_out = 0;
    buffer[0] = '\0';
    if (command_line == NULL)
        return;
    hypervisor_end = dom0_separator(command_line);
    if (*hypervisor_end != '\0')
        dom0_part = hypervisor_end + sizeof(COMMAND_LINE_DOM0_SEPARATOR) - 1;
    dom0_length = 0;
    while (dom0_part[dom0_length] != '\0')
        dom0_length++;
    if (dom0_length > buffer_size - 1)
        dom0_length = buffer_size - 1;
    append_word(&text, dom0_part, dom0_length);
    for (const char *word = command_line; word < hypervisor_end;) {
        size_t length;

        if (is_separator(*word)) {
            word++;
            continue;
        }
        length = word_length(word);
        if (word + length > hypervisor_end)
            length = (size_t)(hypervisor_end - word);
        if (is_device_word(word, length) && !append_word(&text, word, length))
            (*left_out)++;
        word += length;
    }
}
