/*
 * `xl console NAME`: attaches dom0's console to a domU's console (xl
 * console(1): "Attach to the console of a domain ... Ctrl-] detaches").
 * xl's verb (xl_commands.h) finds the domain by name or id in the
 * toolstack's registry (kernel/domain_registry.h) and hands over that
 * domain's backends; the attachment itself (bytes typed go into the `in`
 * half of its console ring, its output shown raw, Ctrl-] returns, every
 * other backend kept served) is xl_console_dom0.c's, and what typed bytes
 * mean while attached is xl_console.c's (pure, host-tested).
 *
 * Typed bytes (xenconsole's console_loop, tools/console/client/main.c):
 * every byte goes to the domU as it is, Ctrl-C and escape sequences
 * included, except the escape character Ctrl-] (0x1d,
 * DEFAULT_ESCAPE_CHARACTER), which detaches.  xenconsole detaches only
 * when one read returns that byte alone; dom0 reads whatever arrived
 * during a pass, so here Ctrl-] detaches wherever it is in the batch: the
 * bytes before it still go to the domU, the bytes after it are dropped.
 * Bytes the domU's in ring has no room for wait in a queue of
 * XL_CONSOLE_QUEUE_BYTES (xenconsoled's buffer); beyond it they are
 * dropped, and counted, so a domU that never reads cannot make dom0 hold
 * more.
 */
#ifndef TOOLS_XL_XL_CONSOLE_H
#define TOOLS_XL_XL_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#define XL_CONSOLE_ESCAPE_CHARACTER 0x1d
#define XL_CONSOLE_QUEUE_BYTES 1024

struct domain_backends;

/* Typed bytes waiting for room in the domU's in ring. */
struct xl_console_input {
    char queue[XL_CONSOLE_QUEUE_BYTES];
    uint32_t length;
    uint64_t dropped; /* bytes that found the queue full */
    bool detach;      /* Ctrl-] was typed */
};

/* An empty queue, attached. */
void xl_console_input_init(struct xl_console_input *input);

/*
 * Takes a batch of typed bytes: up to Ctrl-] (which sets detach; the rest
 * of the batch is dropped, not counted) they join the queue, as many as
 * it has room for.  Nothing is taken once detach is set.
 */
void xl_console_input_take(struct xl_console_input *input, const char *bytes, uint32_t length);

/* Removes the first count queued bytes (written into the ring); count <= length. */
void xl_console_input_consume(struct xl_console_input *input, uint32_t count);

/*
 * Attached until the user types Ctrl-] (0x1d) or the domain's console
 * goes away; returns 0 then, or a negative Xen error number if it could
 * not attach (the backends' console is not connected).
 */
int xl_console_attach(struct domain_backends *backends);

#endif
