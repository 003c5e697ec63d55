/*
 * Serial console input, the pure part: the switch between the hypervisor
 * and dom0, dom0's bounded ring and CONSOLEIO_read over it (see
 * pvmon/console_input.h for the rules, Xen's console.c).  Free of
 * hardware access: compiled into the hypervisor and the host unit tests.
 */
#include <pvmon/console_input.h>
#include <pvmon/errno.h>

#define READ_COUNT_LIMIT 0x7fffffffU /* INT_MAX */

#define CONTROL_CODE_OF(letter) ((char)((letter) - 'a' + 1))

void console_input_init(struct console_input *input, const struct console_input_actions *actions,
                        enum console_input_target target, char switch_letter)
{
    if (switch_letter < 'a' || switch_letter > 'z')
        switch_letter = CONSOLE_INPUT_DEFAULT_SWITCH_LETTER;
    *input = (struct console_input) {
        .actions = actions,
        .target = target,
        .switch_letter = switch_letter,
        .switch_code = CONTROL_CODE_OF(switch_letter),
    };
}

uint32_t console_input_pending(const struct console_input *input)
{
    return input->producer - input->consumer;
}

void console_input_switch(struct console_input *input)
{
    const struct console_input_actions *actions = input->actions;

    if (input->target == CONSOLE_INPUT_TO_HYPERVISOR && actions->dom0_exists(actions->context))
        input->target = CONSOLE_INPUT_TO_DOM0;
    else
        input->target = CONSOLE_INPUT_TO_HYPERVISOR;
    actions->switched(actions->context, input->target);
}

static void deliver_to_dom0(struct console_input *input, char byte)
{
    if (console_input_pending(input) != CONSOLE_INPUT_RING_SIZE)
        input->ring[input->producer++ % CONSOLE_INPUT_RING_SIZE] = byte;
    else
        input->dropped_bytes++;
    input->actions->notify_dom0(input->actions->context);
}

static void deliver(struct console_input *input, char byte)
{
    const struct console_input_actions *actions = input->actions;

    if (input->target == CONSOLE_INPUT_TO_HYPERVISOR)
        actions->debug_key(actions->context, byte);
    else if (actions->dom0_exists(actions->context))
        deliver_to_dom0(input, byte);
}

void console_input_receive(struct console_input *input, char byte)
{
    if (byte == input->switch_code) {
        if (++input->switch_presses == CONSOLE_INPUT_SWITCH_PRESSES) {
            input->switch_presses = 0;
            console_input_switch(input);
        }
        return;
    }
    for (; input->switch_presses != 0; input->switch_presses--)
        deliver(input, input->switch_code);
    deliver(input, byte);
}

long console_input_read(struct console_input *input, uint32_t count, console_input_copy copy, void *context)
{
    uint32_t copied = 0;

    if (count > READ_COUNT_LIMIT)
        return -XEN_E2BIG;
    while (input->consumer != input->producer && copied < count) {
        uint32_t index = input->consumer % CONSOLE_INPUT_RING_SIZE;
        uint32_t length = console_input_pending(input);

        if (index + length > CONSOLE_INPUT_RING_SIZE)
            length = CONSOLE_INPUT_RING_SIZE - index;
        if (length > count - copied)
            length = count - copied;
        if (copy(context, copied, &input->ring[index], length) != 0)
            return -XEN_EFAULT;
        copied += length;
        input->consumer += length;
    }
    return copied;
}
