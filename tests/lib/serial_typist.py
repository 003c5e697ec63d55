#!/usr/bin/env python3
"""Types into QEMU's serial line as a person would, and reads the screen.

    serial_typist.py SOCKET CAPTURE STEP...

SOCKET is the unix socket of QEMU's serial chardev (tools/run-qemu.sh
--serial-socket, where QEMU waits for this connection before it starts
the machine).  Everything read from the socket, from the machine's first
byte to the end of the run, is saved to CAPTURE as it came: the screen.
It is exact, where the chardev's logfile (--log) may repeat a byte: QEMU
7.2 logs a byte it tried to write to the socket even when the write
failed with EAGAIN (chardev/char.c qemu_chr_write_buffer, "log what we
tried to write"), and the UART then sends it again.  Steps run in order:

    wait:REGEX    wait until the screen (its "\\r" left out), after the
                  previous wait's match, matches REGEX (Python syntax)
    send:TEXT     type TEXT; backslash escapes are decoded (\\r, \\x01)
    pause:SECONDS sleep

Each wait has TYPIST_WAIT_SECONDS (default 60) to succeed; after the last
step the screen is read until QEMU closes the socket (within as long).
Exit status 0 when every step ran, 1 with a message naming the step that
failed.
"""
import codecs
import collections
import os
import re
import socket
import sys
import threading
import time

WAIT_SECONDS = float(os.environ.get("TYPIST_WAIT_SECONDS", "60"))
CONNECT_SECONDS = 30
RECEIVE_BUFFER_BYTES = 4 << 20
POLL_SECONDS = 0.05


def connect(path):
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
        try:
            connection.connect(path)
            return connection
        except OSError:
            connection.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class Screen:
    """What QEMU sent.  A thread does nothing but read the socket into a
    queue, so that the socket never fills (QEMU writes its output there a
    byte at a time; a full socket stalls the guest's UART); the steps'
    thread saves the queued bytes to the capture and looks at them."""

    def __init__(self, connection, capture_path):
        self.connection = connection
        self.chunks = collections.deque()
        self.closed = threading.Event()
        self.capture = open(capture_path, "wb")
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.text = ""
        self.reader = threading.Thread(target=self.keep_reading, daemon=True)
        self.reader.start()

    def keep_reading(self):
        try:
            while True:
                chunk = self.connection.recv(1 << 20)
                if not chunk:
                    break
                self.chunks.append(chunk)
        except OSError:
            pass
        self.closed.set()

    def take(self):
        """Saves and decodes what the reader queued; the text without "\\r"."""
        while self.chunks:
            chunk = self.chunks.popleft()
            self.capture.write(chunk)
            self.text += self.decoder.decode(chunk).replace("\r", "")
        self.capture.flush()
        return self.text

    def wait_for(self, pattern, start):
        expression = re.compile(pattern, re.MULTILINE)
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            match = expression.search(self.take(), start)
            if match:
                return match.end()
            if time.monotonic() >= deadline or self.closed.is_set() and not self.chunks:
                return None
            time.sleep(POLL_SECONDS)

    def read_to_the_end(self):
        self.closed.wait(WAIT_SECONDS)
        self.take()

    def close(self):
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.connection.close()
        self.reader.join(timeout=1)
        self.take()
        self.capture.close()


def run_steps(screen, steps):
    position = 0
    for number, step in enumerate(steps, 1):
        kind, _, value = step.partition(":")
        if kind == "wait":
            end = screen.wait_for(value, position)
            if end is None:
                print(f"serial_typist: step {number}: no line matching {value!r} "
                      f"within {WAIT_SECONDS:.0f} s", file=sys.stderr)
                return 1
            position = end
        elif kind == "send":
            screen.connection.sendall(value.encode("latin-1").decode("unicode_escape").encode("latin-1"))
        elif kind == "pause":
            time.sleep(float(value))
        else:
            print(f"serial_typist: step {number}: unknown step {step!r}", file=sys.stderr)
            return 2
    screen.read_to_the_end()
    return 0


def main(arguments):
    if len(arguments) < 3:
        sys.stderr.write(__doc__)
        return 2
    socket_path, capture_path, steps = arguments[0], arguments[1], arguments[2:]
    screen = Screen(connect(socket_path), capture_path)
    try:
        return run_steps(screen, steps)
    finally:
        screen.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
