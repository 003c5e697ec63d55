/*
 * dom0's console backend for one domU: the other end of its PV console
 * ring (xen/io/console.h, struct xencons_interface; Linux's hvc0), which
 * the domain builder gives every domU and names in start_info.console.domU.
 * The domU writes its output into the 2048-byte out ring; the backend
 * drains it and hands it on line by line.  It also writes the domU's
 * input (keyboard bytes) into the 1024-byte in ring, as xenconsoled's
 * handle_tty_read does (tools/console/daemon/io.c).
 *
 * Lines: bytes are gathered until a newline, which ends the line (a
 * carriage return is dropped, any other control character or non-ASCII
 * byte becomes '?', so the log stays plain text); a line that reaches
 * CONSOLE_BACKEND_LINE_MAX characters is handed on as it is and the rest
 * continues on the next one.  What is left without a newline when the
 * domain ends is handed on by console_backend_flush.
 *
 * The ring page is shared with the domU: indexes are read once, a
 * producer more than a ring ahead of the consumer marks the ring broken
 * (reported once, never read again), bytes are read through the masked
 * index only, and the consumer index is published after a full barrier.
 * Notifying the domU afterwards is the caller's (the toolstack's).
 *
 * Raw output: while a terminal is attached (`xl console`), the bytes go
 * to a raw sink as the domU wrote them, escape sequences and carriage
 * returns included (xenconsoled's handle_ring_read hands the tty the
 * buffer as it is); a partial line is handed on when raw output starts,
 * and lines start afresh when it stops.  Each drain reads at most one
 * ring's worth (what was there when it looked), so a flooding domU costs
 * the caller a bounded amount per pass.
 *
 * Input: the backend is the in ring's only producer, so it keeps its own
 * producer index (taken from the ring when it connects) and never reads
 * in_prod back; in_cons is read once per call, and a consumer that claims
 * more than a ring of unread bytes marks the input broken (reported once,
 * never written again; output goes on).  Bytes that do not fit are left
 * to the caller (xenconsoled's ring_free_bytes); the bytes are written
 * through the masked index, then a full barrier, then in_prod.
 */
#ifndef PV_KERNEL_CONSOLE_BACKEND_H
#define PV_KERNEL_CONSOLE_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/io/console.h>

#define CONSOLE_BACKEND_LINE_MAX 200

/* Where lines go: NUL-terminated, without the newline. */
typedef void (*console_line_sink)(const char *line, void *context);

/* Where raw output goes: length bytes as the domU wrote them. */
typedef void (*console_bytes_sink)(const char *bytes, uint32_t length, void *context);

struct console_backend {
    struct xencons_interface *ring;
    console_line_sink sink;
    void *context;
    console_bytes_sink raw_sink; /* NULL: lines */
    void *raw_context;
    bool broken;
    bool input_broken;
    XENCONS_RING_IDX input_producer;
    uint32_t line_length;
    char line[CONSOLE_BACKEND_LINE_MAX + 1];
};

void console_backend_connect(struct console_backend *backend, struct xencons_interface *ring,
                             console_line_sink sink, void *context);

/*
 * Drains the out ring into lines: true if it consumed anything (then the
 * domU should be notified).  A broken ring sends the line "[console ring
 * broken: output stops]" to the sink once.
 */
bool console_backend_drain(struct console_backend *backend);

/*
 * Writes as many of the length input bytes as the in ring has room for:
 * how many it wrote (then the domU should be notified).  A broken ring
 * takes none and sends "[console ring broken: input stops]" to the sink
 * once.
 */
uint32_t console_backend_write_input(struct console_backend *backend, const char *bytes, uint32_t length);

/*
 * Sends the output to raw_sink from now on (the partial line, if any, is
 * handed on to the line sink first); NULL goes back to lines.
 */
void console_backend_set_raw(struct console_backend *backend, console_bytes_sink raw_sink, void *context);

/* Hands on a partial line, if any. */
void console_backend_flush(struct console_backend *backend);

#endif
