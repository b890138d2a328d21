"""store/signals.py: SIGINT and SIGTERM stop a long-running command even when they arrive while its
main thread is inside ``stop.wait`` (the case that hung ``connectors watch`` on Ctrl-C)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT

# The main thread holds the event's internal lock (as Event.wait does while it checks the flag) when
# the signal's handler runs: a handler calling stop.set() would wait for that lock forever.
HELD_WHILE_SIGNALLED = """
import os, signal, sys, threading
from store.signals import stop_on_signals
stop = threading.Event()
with stop_on_signals(stop):
    with stop._cond:
        os.kill(os.getpid(), signal.{name})
        for _ in range(1000):  # the handler runs between two of these bytecodes
            pass
    print("stopped" if stop.wait(10) else "not stopped", flush=True)
print("restored" if signal.getsignal(signal.SIGINT) is signal.default_int_handler else "not restored")
"""


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_a_signal_while_the_main_thread_holds_the_events_lock_stops(name):
    code = HELD_WHILE_SIGNALLED.format(name=name)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert out.stdout.split() == ["stopped", "restored"], out.stdout + out.stderr


def test_without_a_signal_the_event_stays_unset():
    code = (
        "import threading\nfrom store.signals import stop_on_signals\nstop = threading.Event()\n"
        "with stop_on_signals(stop):\n    pass\nprint(stop.is_set(), threading.active_count())"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert out.stdout.split() == ["False", "1"], out.stdout + out.stderr
