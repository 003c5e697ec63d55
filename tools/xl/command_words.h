/*
 * dom0's shell splits a command line into words with this: the shell's
 * quoting (POSIX sh's Shell Command Language, 2.2 Quoting and 2.3 token
 * recognition), without expansions, so that a word can hold spaces
 * (xl create guest.cfg 'extra="console=hvc0"').  Pure: compiled into
 * dom0's kernel and the host unit tests.
 *
 *   - words are separated by blanks (space, tab, CR, LF);
 *   - a backslash outside quotes takes the next character literally;
 *   - single quotes take everything up to the next single quote literally;
 *   - double quotes take everything up to the next unescaped double quote,
 *     where a backslash escapes only '"' and '\' (and stays otherwise);
 *   - quoted and unquoted parts next to each other make one word, and ""
 *     or '' alone is an empty word;
 *   - an unquoted '#' starting a word starts a comment to the end;
 *   - no $, `, globbing or ~: they are ordinary characters.
 * An unterminated quote, a backslash ending the line or a NUL byte in it
 * is -XEN_EINVAL; a line longer than COMMAND_WORDS_LINE_MAX or of more
 * than COMMAND_WORDS_MAX words is -XEN_E2BIG.  On failure `error` says
 * what was wrong (for the shell's message) and no words are given.
 * Every word is NUL-terminated in the structure's own storage: a line of
 * n bytes needs at most n + 1 (each word's NUL takes the place of the
 * blank or quote that ended it, or of the line's end).
 */
#ifndef PVMON_XL_COMMAND_WORDS_H
#define PVMON_XL_COMMAND_WORDS_H

#include <stddef.h>

#define COMMAND_WORDS_MAX 32
#define COMMAND_WORDS_LINE_MAX 255

struct command_words {
    unsigned int count;
    const char *word[COMMAND_WORDS_MAX + 1]; /* NULL after the last, as argv */
    const char *error;                       /* NULL on success */
    char storage[COMMAND_WORDS_LINE_MAX + 1];
};

/* Splits line[0, length) into words: 0, -XEN_EINVAL or -XEN_E2BIG. */
int command_words_split(struct command_words *words, const char *line, size_t length);

#endif
