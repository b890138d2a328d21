"""``python -m metrics alerts``: the JSON every rule instance at a moment, replay, errors."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from alerts_support import Store, call
from test_alert_engine import NINE

from metrics.__main__ import main


def replay_0900_0940(db: str) -> list[str]:
    """Replay every 5 minutes from 09:00 to 09:40 CDT (14:00-14:40Z), as JSON."""
    return ["alerts", "--db", db, "--as-of", "2026-03-10T14:40:00Z", "--replay-from", "2026-03-10T14:00:00Z",
            "--every", "5", "--json"]  # fmt: skip


def test_alerts_json_at_a_moment_and_replayed(tmp_path, capsys):
    s = Store(tmp_path)
    s.add([call(f"c{i}", NINE + timedelta(minutes=i), 60) for i in range(25)])  # one a minute, answered in 60 s
    s.con.close()
    db = str(tmp_path / "alerts.duckdb")
    # Replayed every 5 minutes from 09:00 to 09:40: at 09:20, 21 calls offered (≥ 20), none within 20 s:
    # SL 0 → pending; firing at 09:25. ASA 60 s: above the 30 s target, not above the 60 s amber edge → warning.
    assert main(replay_0900_0940(db)) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["as_of"] == "2026-03-10T14:40:00Z"
    assert [(a["rule"], a["state"], a["severity"]) for a in out["alerts"][:2]] == [
        ("service_level-target", "firing", "critical"),
        ("asa_s-target", "firing", "warning"),
    ]
    sl = out["alerts"][0]
    assert (sl["subject_type"], sl["subject"], sl["value"], sl["threshold"], sl["n"], sl["since"]) == (
        "metric",
        "service_level",
        0.0,
        0.7,
        25,
        "2026-03-10T14:25:00Z",
    )
    assert next(a for a in out["alerts"] if a["rule"] == "csat-target")["state"] == "normal"
    # An earlier moment, read back from the history without evaluating.
    assert main(["alerts", "--db", db, "--as-of", "2026-03-10T14:22:00Z", "--no-evaluate", "--json"]) == 0
    earlier = json.loads(capsys.readouterr().out)
    assert next(a for a in earlier["alerts"] if a["rule"] == "service_level-target")["state"] == "pending"
    assert main(["alerts", "--db", db, "--as-of", "2026-03-10T14:40:00Z", "--no-evaluate"]) == 0
    assert "firing     critical Service level (today) · 0.0% · n = 25 (below 70.0%) since" in capsys.readouterr().out


def test_replay_replaces_what_a_later_evaluation_stored(tmp_path, capsys):
    """Exports loaded after the fact were evaluated at the time of the load (here a day later);
    a replay from the morning gives them a past, and marks what it replays as notified."""
    s = Store(tmp_path)
    s.add([call(f"c{i}", NINE + timedelta(minutes=i), 60) for i in range(25)])
    from alerts.engine import evaluate

    evaluate(s.con, NINE + timedelta(days=1))  # what a load the next day does
    s.con.close()
    db = str(tmp_path / "alerts.duckdb")
    main(["alerts", "--db", db, "--as-of", "2026-03-10T14:40:00Z", "--no-evaluate", "--json"])
    assert [a for a in json.loads(capsys.readouterr().out)["alerts"]] == []  # nothing was evaluated then
    main(replay_0900_0940(db))
    sl = next(a for a in json.loads(capsys.readouterr().out)["alerts"] if a["rule"] == "service_level-target")
    assert (sl["state"], sl["since"]) == ("firing", "2026-03-10T14:25:00Z")
    from store.db import connect

    con = connect(db)
    assert con.execute(
        "SELECT notified_at, resolve_notified FROM alert_state WHERE rule_id = 'service_level-target'"
    ).fetchall() == [(datetime(2026, 3, 10, 14, 25), True)]
    con.close()


def test_alerts_errors(tmp_path, capsys):
    Store(tmp_path).con.close()
    db = str(tmp_path / "alerts.duckdb")
    assert main(["alerts", "--db", db, "--recall", "R9"]) == 2
    assert "no recall 'R9'" in capsys.readouterr().err
    assert main(["alerts", "--db", db, "--as-of", "yesterday"]) == 2
    assert "not an ISO 8601 time" in capsys.readouterr().err
    assert main(["alerts", "--db", db, "--as-of", "2026-03-10T00:00:00Z", "--replay-from", "2026-03-11T00:00:00Z"]) == 2
