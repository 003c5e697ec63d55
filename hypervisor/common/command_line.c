/*
 * Options on the hypervisor command line (see pvmon/command_line.h).
 *
 * Both lookups share find_last_value, which walks the words once and
 * remembers the value of the last one that names the option.  Values are
 * read in place, never copied to a fixed buffer, so a long value cannot be
 * silently cut short before it is parsed.
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
