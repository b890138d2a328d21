"""Handle-time median and P90 worked out from the count of each distinct value
(metrics/handling.py ``_quantiles_sql``, the phase grain by channel or queue) equal DuckDB's
``quantile_cont`` over the rows, on 3,000 random contacts with ties, fractional seconds and queues."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from conftest import load

from metrics import Scope
from metrics.base import grouped, run
from metrics.handling import _QUANTILES, NONE_LABEL, handle_time
from store.db import connect

RECALL = Path(__file__).parent / "fixtures" / "metrics" / "recall.toml"  # R1, announced 2026-03-02
AS_OF = datetime(2026, 4, 30)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    rng = random.Random(19)
    rows = ["source,source_id,recall_id,channel,direction,created_at,status,handle_s,queue"]
    start = datetime(2026, 2, 20)
    for i in range(3000):
        at = start + timedelta(minutes=rng.randrange(60 * 24 * 60))
        handle = rng.choice([rng.randint(30, 900), round(rng.uniform(30, 900), 1), 300])  # ties at 300
        channel, queue = rng.choice(["phone", "chat", "email"]), rng.choice(["recall", "billing", ""])
        rows.append(f"five9,q{i},R1,{channel},inbound,{at:%Y-%m-%dT%H:%M:%SZ},closed,{handle},{queue}")
    csv = tmp_path_factory.mktemp("aht") / "calls.csv"
    csv.write_text("\n".join(rows) + "\n")
    c = connect(csv.parent / "store.duckdb")
    load(c, RECALL, csv)
    yield c
    c.close()


@pytest.mark.parametrize("breakdown", ["channel", "queue"])
def test_median_and_p90_equal_quantile_cont(con, breakdown):
    by, scope = "phase", Scope("R1", AS_OF)
    got = handle_time(con, scope, by, breakdown).filter(pl.col("n") > 0)
    select, group = grouped(by, breakdown)
    want = run(
        con,
        f""",
    h AS (SELECT phase, day, handle_s, coalesce({breakdown}, '{NONE_LABEL}') AS {breakdown} FROM c
          WHERE direction = 'inbound' AND NOT is_abandoned AND handle_s IS NOT NULL)
    SELECT {select}, {_QUANTILES} FROM h GROUP BY {group}""",
        scope,
    )
    both = want.join(got, on=[by, breakdown], how="full", suffix="_got", coalesce=True)
    assert both.height == want.height == got.height > 10
    for name in ("median_s", "p90_s"):
        for w, g in both.select(name, f"{name}_got").iter_rows():
            assert g == pytest.approx(w, rel=1e-14, abs=0), (name, w, g)  # the last bit at most
