/*
 * dom0's shell's word splitter (see command_words.h for the quoting).
 * Rules it keeps: the line is read once, left to right, within its
 * length; every byte written goes to the structure's storage, which holds
 * the longest line accepted, so no line can write beyond it; the word
 * table never exceeds COMMAND_WORDS_MAX.
 */
#include "command_words.h"

#include <stdbool.h>
#include <pvmon/errno.h>

struct splitter {
    struct command_words *words;
    const char *line;
    size_t length;
    size_t position;
    size_t stored;       /* bytes of storage used */
    bool in_word;
};

static bool is_blank(char character)
{
    return character == ' ' || character == '\t' || character == '\r' || character == '\n';
}

static int fail(struct splitter *splitter, int error, const char *message)
{
    struct command_words *words = splitter->words;

    words->count = 0;
    words->word[0] = NULL;
    words->error = message;
    return error;
}

/* Inside a word (begin_word came first). */
static void store(struct splitter *splitter, char character)
{
    splitter->words->storage[splitter->stored++] = character;
}

/* A word begins here even if nothing is stored in it (''). */
static int begin_word(struct splitter *splitter)
{
    if (splitter->in_word)
        return 0;
    if (splitter->words->count == COMMAND_WORDS_MAX)
        return fail(splitter, -XEN_E2BIG, "more than 32 words");
    splitter->words->word[splitter->words->count++] = &splitter->words->storage[splitter->stored];
    splitter->in_word = true;
    return 0;
}

static void end_word(struct splitter *splitter)
{
    if (!splitter->in_word)
        return;
    splitter->words->storage[splitter->stored++] = '\0';
    splitter->in_word = false;
}

static int single_quoted(struct splitter *splitter)
{
    for (; splitter->position < splitter->length; splitter->position++) {
        char character = splitter->line[splitter->position];

        if (character == '\'') {
            splitter->position++;
            return 0;
        }
        store(splitter, character);
    }
    return fail(splitter, -XEN_EINVAL, "unterminated single quote");
}

static int double_quoted(struct splitter *splitter)
{
    while (splitter->position < splitter->length) {
        char character = splitter->line[splitter->position++];

        if (character == '"')
            return 0;
        if (character == '\\' && splitter->position < splitter->length) {
            char next = splitter->line[splitter->position];

            if (next == '"' || next == '\\') {
                character = next;
                splitter->position++;
            }
        }
        store(splitter, character);
    }
    return fail(splitter, -XEN_EINVAL, "unterminated double quote");
}

/* One character outside quotes (the one at position, already known not to be NUL). */
static int unquoted(struct splitter *splitter)
{
    char character = splitter->line[splitter->position++];
    int result;

    if (is_blank(character)) {
        end_word(splitter);
        return 0;
    }
    if (character == '#' && !splitter->in_word) {
        splitter->position = splitter->length;
        return 0;
    }
    result = begin_word(splitter);
    if (result != 0)
        return result;
    if (character == '\'')
        return single_quoted(splitter);
    if (character == '"')
        return double_quoted(splitter);
    if (character == '\\') {
        if (splitter->position == splitter->length)
            return fail(splitter, -XEN_EINVAL, "backslash at the end of the line");
        character = splitter->line[splitter->position++];
    }
    store(splitter, character);
    return 0;
}

int command_words_split(struct command_words *words, const char *line, size_t length)
{
    struct splitter splitter = { .words = words, .line = line, .length = length };
    int result;

    words->count = 0;
    words->error = NULL;
    if (length > COMMAND_WORDS_LINE_MAX)
        return fail(&splitter, -XEN_E2BIG, "line longer than 255 characters");
    for (size_t index = 0; index < length; index++)
        if (line[index] == '\0')
            return fail(&splitter, -XEN_EINVAL, "NUL byte in the line");
    while (splitter.position < length) {
        result = unquoted(&splitter);
        if (result != 0)
            return result;
    }
    end_word(&splitter);
    words->word[words->count] = NULL;
    return 0;
}
