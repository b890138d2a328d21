"""The bundled sample recall: deterministic, committed as generated, and loadable without rejects."""

from __future__ import annotations

from pathlib import Path

from connectors.load import Failure, ingest_paths
from sample_data.generate import generate
from store.db import connect

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "car_seat"
FILES = ("recall.toml", "registry.csv", "contacts.csv", "csat.csv", "notifications.csv")


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    generate(tmp_path / "a", seed=7, units=200)
    generate(tmp_path / "b", seed=7, units=200)
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_other_seed_gives_other_data(tmp_path: Path) -> None:
    generate(tmp_path / "a", seed=7, units=200)
    generate(tmp_path / "b", seed=8, units=200)
    assert (tmp_path / "a" / "contacts.csv").read_bytes() != (tmp_path / "b" / "contacts.csv").read_bytes()


def test_committed_sample_equals_fresh_generation(tmp_path: Path) -> None:
    generate(tmp_path, seed=42, units=2000)
    assert sorted(p.name for p in SAMPLE.iterdir()) == sorted(FILES)
    for name in FILES:
        assert (SAMPLE / name).read_bytes() == (tmp_path / name).read_bytes(), (
            f"sample_data/car_seat/{name} differs from the generator's output; "
            "regenerate with `python -m sample_data.generate --out sample_data/car_seat`"
        )


def test_committed_sample_is_small() -> None:
    assert sum(p.stat().st_size for p in SAMPLE.iterdir()) < 5 * 1024**2


def test_sample_loads_without_quarantine(tmp_path: Path) -> None:
    con = connect(tmp_path / "s.duckdb")
    results = ingest_paths(con, [SAMPLE])
    assert not [r for r in results if isinstance(r, Failure)]
    assert sorted(r.file_name for r in results) == sorted(FILES)
    assert all(r.quarantined == 0 for r in results), [(r.file_name, r.quarantined) for r in results]
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("affected", "contacts", "csat")}
    assert 6000 <= counts["contacts"] <= 9000
    assert counts["csat"] > 0
    # 2,000 owners' units plus the supply chain's stock (no owner) and 12 units whose level is not
    # recorded (sample_data/generate.py STOCK): 140 + 260 + 480 + 12 = 892.
    levels = dict(con.execute("SELECT supply_chain_level, count(*) FROM affected GROUP BY ALL").fetchall())
    assert levels == {"consumer": 2000, "manufacturer": 140, "distributor": 260, "retailer": 480, None: 12}
    assert counts["affected"] == 2892
    owned = "customer_ref IS NOT NULL OR customer_email IS NOT NULL OR customer_phone IS NOT NULL"
    assert con.execute(f"SELECT count(*) FROM affected WHERE {owned}").fetchone()[0] == 2000
    # Every disposition appears, each dated, on a consumer unit without a completed remedy.
    dispositions = con.execute(
        "SELECT disposition, count(*), count(disposition_at), count(remedy_completed_at), "
        "count(*) FILTER (supply_chain_level = 'consumer') FROM affected WHERE disposition IS NOT NULL GROUP BY ALL"
    ).fetchall()
    assert sorted(d[0] for d in dispositions) == sorted(
        ("exported", "stolen", "scrapped", "not_notified", "no_remedy_needed", "other")
    )
    assert all(n == dated == consumer and not remedied for _, n, dated, remedied, consumer in dispositions)
    channels = {r[0] for r in con.execute("SELECT DISTINCT channel FROM notifications").fetchall()}
    assert channels == {"email", "sms", "letter"}
