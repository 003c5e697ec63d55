#!/usr/bin/env python3
"""Types into QEMU's serial line as a person would, and reads the screen.

    serial_typist.py SOCKET LOG STEP...

SOCKET is the unix socket of QEMU's serial chardev (tools/run-qemu.sh
--serial-socket), LOG the chardev's logfile (--log).  Steps run in order:

    wait:REGEX    wait until the log, after the previous wait's match,
                  matches REGEX (Python syntax)
    send:TEXT     type TEXT; backslash escapes are decoded (\\r, \\x01)
    pause:SECONDS sleep

Each wait has TYPIST_WAIT_SECONDS (default 60) to succeed.  Exit status 0
when every step ran, 1 with a message naming the step that failed.
"""
import os
import re
import socket
import sys
import threading
import time

WAIT_SECONDS = float(os.environ.get("TYPIST_WAIT_SECONDS", "60"))
CONNECT_SECONDS = 30


def connect(path):
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.connect(path)
            return connection
        except OSError:
            connection.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def read_log(path):
    try:
        with open(path, "rb") as log:
            return log.read().decode("utf-8", "replace").replace("\r", "")
    except FileNotFoundError:
        return ""


def wait_for(log_path, pattern, start):
    expression = re.compile(pattern, re.MULTILINE)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        match = expression.search(read_log(log_path), start)
        if match:
            return match.end()
        time.sleep(0.1)
    return None


def keep_reading(connection):
    """QEMU also writes the output to the socket, a byte at a time: unread, it
    fills the socket within a few hundred bytes, and then the guest's UART
    stalls (and QEMU's logfile may get bytes twice).  So a thread reads it
    all the time; the log is what the steps look at."""
    try:
        while connection.recv(65536):
            pass
    except OSError:
        pass


def main(arguments):
    if len(arguments) < 3:
        sys.stderr.write(__doc__)
        return 2
    socket_path, log_path, steps = arguments[0], arguments[1], arguments[2:]
    connection = connect(socket_path)
    reader = threading.Thread(target=keep_reading, args=(connection,), daemon=True)
    reader.start()
    position = 0
    for number, step in enumerate(steps, 1):
        kind, _, value = step.partition(":")
        if kind == "wait":
            end = wait_for(log_path, value, position)
            if end is None:
                print(f"serial_typist: step {number}: no line matching {value!r} "
                      f"within {WAIT_SECONDS:.0f} s", file=sys.stderr)
                return 1
            position = end
        elif kind == "send":
            connection.sendall(value.encode("latin-1").decode("unicode_escape").encode("latin-1"))
        elif kind == "pause":
            time.sleep(float(value))
        else:
            print(f"serial_typist: step {number}: unknown step {step!r}", file=sys.stderr)
            return 2
    connection.shutdown(socket.SHUT_WR)
    reader.join(timeout=1)
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
