"""Stopping a long-running command (``connectors watch``, ``connectors pull``, ``alerts run``) on
SIGINT or SIGTERM. Here, at the ground floor, because every layer's commands share it.

A Python signal handler runs in the main thread between two bytecodes — also while that thread is
inside ``stop.wait(…)`` holding the event's internal lock. A handler that calls ``stop.set()``
then waits for that same lock forever (``connectors watch`` hung on Ctrl-C about once in forty
tries on a busy machine: the main thread in ``Event.wait``, the handler in ``Event.set``). So the
handler takes no lock: it writes a byte to a pipe, and a helper thread that reads the pipe sets
the event.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Inside the block, SIGINT and SIGTERM set ``stop`` (through a pipe and a helper thread; module
    docstring); the previous handlers are restored after it."""
    read_fd, write_fd = os.pipe()

    def relay() -> None:
        if os.read(read_fd, 1) == b"s":  # b"" or b"q": the block ended without a signal
            stop.set()

    helper = threading.Thread(target=relay, name="stop-on-signal", daemon=True)
    helper.start()
    previous = {s: signal.signal(s, lambda *_: os.write(write_fd, b"s")) for s in SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        os.write(write_fd, b"q")
        helper.join()
        os.close(read_fd)
        os.close(write_fd)
