/*
 * Serial console input, the pure part (xen/drivers/char/console.c:
 * serial_rx, __serial_rx, console_switch_input, and do_console_io's
 * CONSOLEIO_read).  The kernel (kernel/serial_input.c) feeds it the bytes
 * the UART received and gives it the actions below; the host unit tests
 * give it their own.
 *
 * Rules kept here, Xen's:
 *   - The switch code is Ctrl-A (Xen's default conswitch=a; any other
 *     letter's control code may be chosen, as with Xen's conswitch=).  Pressed
 *     three times in a row it switches the input between the hypervisor
 *     and dom0, and those three bytes are eaten; one or two of them
 *     followed by another byte are delivered as themselves, before it.
 *     Switching to dom0 skips it when there is no dom0 (input stays with
 *     the hypervisor).
 *   - Input for the hypervisor goes to its debug-key handler.
 *   - Input for dom0 goes into a ring of CONSOLE_INPUT_RING_SIZE bytes
 *     (Xen's SERIAL_RX_SIZE) with free-running 32-bit indexes; a byte that
 *     finds the ring full is dropped (and counted).  dom0 is notified
 *     (VIRQ_CONSOLE) after every byte, dropped or not, so that a reader
 *     that missed an event is woken again.
 *   - CONSOLEIO_read: a count above INT_MAX is -E2BIG (the result must
 *     not overlap the negative errors); otherwise it copies up to count
 *     bytes, in at most two contiguous pieces (the ring wraps), through
 *     the caller's copy function, and answers how many it copied.  A
 *     piece that cannot be copied makes the whole call -EFAULT and stays
 *     in the ring; pieces copied before it are consumed, as in Xen.
 */
#ifndef PVMON_CONSOLE_INPUT_H
#define PVMON_CONSOLE_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#define CONSOLE_INPUT_RING_SIZE 128
#define CONSOLE_INPUT_DEFAULT_SWITCH_LETTER 'a' /* Ctrl-A */
#define CONSOLE_INPUT_SWITCH_PRESSES 3

enum console_input_target {
    CONSOLE_INPUT_TO_HYPERVISOR,
    CONSOLE_INPUT_TO_DOM0,
};

struct console_input_actions {
    void (*debug_key)(void *context, char key);
    void (*notify_dom0)(void *context);
    bool (*dom0_exists)(void *context);
    /* After every switch, with the new target (Xen's "*** Serial input to" line). */
    void (*switched)(void *context, enum console_input_target target);
    void *context;
};

struct console_input {
    const struct console_input_actions *actions;
    enum console_input_target target;
    char switch_letter;
    char switch_code;
    unsigned int switch_presses;
    uint32_t consumer;
    uint32_t producer;
    uint64_t dropped_bytes;
    char ring[CONSOLE_INPUT_RING_SIZE];
};

/* Copies length bytes to the reader's buffer at offset; 0 or -XEN_EFAULT. */
typedef int (*console_input_copy)(void *context, uint32_t offset, const char *bytes, uint32_t length);

/* switch_letter: 'a' to 'z' (Ctrl-A to Ctrl-Z); any other byte means the default. */
void console_input_init(struct console_input *input, const struct console_input_actions *actions,
                        enum console_input_target target, char switch_letter);

/* One byte from the serial line. */
void console_input_receive(struct console_input *input, char byte);

/* Moves the input to the next target (hypervisor -> dom0 -> hypervisor). */
void console_input_switch(struct console_input *input);

/* CONSOLEIO_read: bytes copied, -XEN_E2BIG or -XEN_EFAULT. */
long console_input_read(struct console_input *input, uint32_t count, console_input_copy copy, void *context);

/* Bytes waiting in dom0's ring. */
uint32_t console_input_pending(const struct console_input *input);

#endif
