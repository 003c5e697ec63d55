/*
 * Options on the hypervisor command line.
 *
 * The command line is a list of words separated by spaces or tabs; each
 * word is either `name` or `name=value`.  There is no quoting.  A word
 * matches `name` only as a whole: "foo" matches "foo" and "foo=1" but
 * neither "foobar=1" nor "xfoo".  When an option appears more than once,
 * the last occurrence wins.  A NULL command line holds no options.
 */
#ifndef PVMON_COMMAND_LINE_H
#define PVMON_COMMAND_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * True if the option is present.  Its value ("" for a bare name) is then
 * copied into value, truncated to value_size - 1 characters and always
 * NUL-terminated; with value_size 0 nothing is written and value may be
 * NULL.
 */
bool command_line_find(const char *command_line, const char *name, char *value, size_t value_size);

/*
 * True if the option is present with a value that is a decimal number or
 * a 0x-prefixed hexadecimal number fitting in 64 bits; *value is then set.
 * False, leaving *value untouched, if it is absent, malformed or too big.
 */
bool command_line_get_unsigned(const char *command_line, const char *name, uint64_t *value);

#endif
