"""The wall screen under load: 20 browser sessions on the auto-refreshing stand-up (kiosk, refresh
every 5 s) against one real server for a minute: no session shows an exception or loses its tiles,
and the server's memory stays flat. bench/soak.py runs the same for longer (figures in SECURITY.md)."""

from __future__ import annotations

from bench.soak import soak


def test_twenty_wall_screens_refreshing_for_a_minute():
    errors, samples = soak(sessions=20, seconds=60, refresh=5, out=lambda *a: None)
    assert errors == 0
    assert len(samples) >= 5
    # After the first refreshes have warmed the caches, memory does not climb.
    assert max(samples[1:]) - samples[1] < 40, samples
