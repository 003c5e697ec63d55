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

/*
 * A decimal or 0x-prefixed hexadecimal number at the start of
 * [*text, end): true, with *value set and *text moved past its digits, if
 * there is at least one digit and the number fits in 64 bits; false
 * otherwise.  For options with a syntax of their own (dom0's
 * virtio_mmio.device=SIZE@BASE:GSI).
 */
bool command_line_parse_number(const char **text, const char *end, uint64_t *value);

/*
 * dom0's command line, from the hypervisor's: the part after the first
 * " -- " (none: empty), followed by every word of the hypervisor's own
 * part (before " -- ") that names one of the devices dom0 is given:
 * `virtio_mmio.device=SIZE@BASE:GSI`, as QEMU's microvm appends them
 * (exactly the syntax of Linux's virtio_mmio module parameter).  Words are
 * joined by one space.  A device word that would not fit whole in
 * buffer_size - 1 characters is left out and counted in *left_out; dom0's
 * own part is cut to fit first.  The result is always NUL-terminated
 * (buffer_size must be at least 1).
 */
#define COMMAND_LINE_DOM0_SEPARATOR " -- "
#define COMMAND_LINE_DOM0_DEVICE_OPTION "virtio_mmio.device"
void command_line_compose_dom0(const char *command_line, char *buffer, size_t buffer_size,
                               unsigned int *left_out);

#endif
