/*
 * What typed bytes mean while `xl console` is attached (see
 * xl_console.h): forwarded into a bounded queue, up to the escape
 * character.  Pure: compiled into dom0's kernel and the host unit tests.
 */
#include <pvmon/string.h>
#include "xl_console.h"

void xl_console_input_init(struct xl_console_input *input)
{
    input->length = 0;
    input->dropped = 0;
    input->detach = false;
}

void xl_console_input_take(struct xl_console_input *input, const char *bytes, uint32_t length)
{
    for (uint32_t index = 0; index < length && !input->detach; index++) {
        if (bytes[index] == XL_CONSOLE_ESCAPE_CHARACTER)
            input->detach = true;
        else if (input->length < XL_CONSOLE_QUEUE_BYTES)
            input->queue[input->length++] = bytes[index];
        else
            input->dropped++;
    }
}

void xl_console_input_consume(struct xl_console_input *input, uint32_t count)
{
    if (count > input->length)
        count = input->length;
    memmove(input->queue, input->queue + count, input->length - count);
    input->length -= count;
}
