"""The baseline: the metrics of docs/metrics.md computed the straightforward way, as an analyst's notebook would.

Reads the canonical CSVs (recall definition from the TOML) into pandas, assigns contacts and
notifications to the recall with its match rules, resolves identity through the registry,
buckets contacts into phases, then per phase (and ``all``): contacts by channel, handled, AHT,
service level / abandon rate / ASA, repeat-contact FCR (7-day window, next contact of the same
customer found with a sort + groupby-shift over distinct creation instants), CSAT; and the
coverage funnel. The output has the shape of ``metrics.build_report``'s ``phases`` /
``coverage`` so that :func:`compare` can check the two agree.

Timed end to end by bench/measure.py (reading the CSVs included, as the notebook must).
"""

from __future__ import annotations

import math
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

PHASES = ("pre_announcement", "day_one", "during", "ongoing", "after")


def _utc(s: str) -> pd.Timestamp:
    return pd.Timestamp(datetime.fromisoformat(s)).tz_convert("UTC").tz_localize(None)


def _times(frame: pd.DataFrame) -> pd.DataFrame:
    for col in [c for c in frame.columns if c.endswith("_at")]:
        frame[col] = pd.to_datetime(frame[col], format="%Y-%m-%dT%H:%M:%SZ")
    return frame


def _identity(frame: pd.DataFrame, by_email: pd.Series, by_phone: pd.Series) -> pd.Series:
    """Registry id by email, else by phone, else ``email:…``, else ``phone:…``, else NaN."""
    ident = frame["customer_email"].map(by_email)
    ident = ident.fillna(frame["customer_phone"].map(by_phone))
    ident = ident.fillna("email:" + frame["customer_email"])
    return ident.fillna("phone:" + frame["customer_phone"])


def _none(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _rate(k: float, n: float) -> float | None:
    return k / n if n else None


def compute(folder: Path, as_of: datetime) -> dict[str, Any]:
    """The report's ``phases`` and ``coverage`` for the recall in ``folder`` at ``as_of`` (naive UTC)."""
    spec = tomllib.loads((folder / "recall.toml").read_text())
    rec, match = spec["recall"], spec.get("match", {})
    announced = _utc(rec["announced_at"])
    ongoing = _utc(rec["ongoing_from"]) if "ongoing_from" in rec else announced + pd.Timedelta(hours=168)
    closed = _utc(rec["closed_at"]) if "closed_at" in rec else None
    as_of = pd.Timestamp(as_of)
    text = {"customer_phone": str, "customer_ref": str, "source_id": str, "contact_source_id": str}

    reg = pd.read_csv(folder / "registry.csv", dtype=text)
    reg = _times(reg[reg["recall_id"] == rec["id"]].copy())
    contacts = _times(pd.read_csv(folder / "contacts.csv", dtype=text))
    notes = _times(pd.read_csv(folder / "notifications.csv", dtype=text))
    csat = _times(pd.read_csv(folder / "csat.csv", dtype=text))

    # Identity: registry customer id, looked up by email or phone (smallest id on ties).
    reg["customer_id"] = reg["customer_ref"].fillna("email:" + reg["customer_email"])
    reg["customer_id"] = reg["customer_id"].fillna("phone:" + reg["customer_phone"])
    by_email = reg.dropna(subset=["customer_email", "customer_id"]).groupby("customer_email")["customer_id"].min()
    by_phone = reg.dropna(subset=["customer_phone", "customer_id"]).groupby("customer_phone")["customer_id"].min()

    # The recall's contacts: named, or matching a tag, a queue (case-insensitive) or a dialled number.
    tags = set(match.get("tags", []))
    queues = {q.lower() for q in match.get("queues", [])}
    numbers = set(match.get("numbers", []))
    has_tag = contacts["tags"].fillna("").str.split().map(lambda ts: bool(tags.intersection(ts)))
    rule = has_tag | contacts["queue"].str.lower().isin(queues) | contacts["dialled_number"].isin(numbers)
    named = contacts["recall_id"] == rec["id"] if "recall_id" in contacts else False
    unnamed = contacts["recall_id"].isna() if "recall_id" in contacts else True
    c = contacts[(named | (unnamed & rule)) & (contacts["created_at"] <= as_of)].copy()
    c["customer_id"] = _identity(c, by_email, by_phone)
    for col in ("is_abandoned", "is_transferred"):
        c[col] = c[col].astype(str).str.lower() == "true"
    phase = pd.Series("ongoing", index=c.index)
    if closed is not None:
        phase[c["created_at"] >= closed] = "after"
    phase[c["created_at"] < ongoing] = "during"
    phase[c["created_at"] < announced + pd.Timedelta(hours=24)] = "day_one"
    phase[c["created_at"] < announced] = "pre_announcement"
    c["phase"] = phase

    # FCR: the same customer's next inbound contact strictly after this one (any channel).
    window = pd.Timedelta(days=7)
    k = c[(c["direction"] == "inbound") & c["customer_id"].notna()]
    distinct = k[["customer_id", "created_at"]].drop_duplicates().sort_values(["customer_id", "created_at"])
    distinct["next_at"] = distinct.groupby("customer_id")["created_at"].shift(-1)
    k = k.merge(distinct, on=["customer_id", "created_at"], how="left")
    k = k[~k["is_abandoned"]]
    closed_window = k["created_at"] + window <= as_of
    k["eligible"] = closed_window
    k["resolved"] = (
        closed_window & ~k["is_transferred"] & (k["next_at"].isna() | (k["next_at"] > k["created_at"] + window))
    )
    k["pending"] = ~closed_window

    # CSAT responses linked to the recall's contacts.
    s = csat[csat["responded_at"] <= as_of].copy()
    s["contact_source"] = s["contact_source"].fillna(s["source"])
    score = pd.to_numeric(s["score"])
    s["satisfied"] = pd.NA
    s.loc[s["scale"] == "1-5", "satisfied"] = score >= 4
    s.loc[s["scale"] == "good_bad", "satisfied"] = score == 1
    s = s.dropna(subset=["satisfied"]).merge(
        c[["source", "source_id", "phase"]],
        left_on=["contact_source", "contact_source_id"],
        right_on=["source", "source_id"],
    )

    inbound = c[c["direction"] == "inbound"]
    channels = sorted(inbound["channel"].unique())
    phases: dict[str, Any] = {}
    for p in (*PHASES, "all"):
        sel = (lambda f: f) if p == "all" else (lambda f, p=p: f[f["phase"] == p])  # noqa: E731
        ib, kk, ss = sel(inbound), sel(k), sel(s)
        handled = ib[~ib["is_abandoned"]]
        timed = handled.dropna(subset=["handle_s"])
        calls = ib[ib["channel"] == "phone"]
        answered = calls[~calls["is_abandoned"]]
        abandoned = calls[calls["is_abandoned"] & (calls["wait_s"] >= 5)]
        offered = len(answered) + len(abandoned)
        by_channel = ib["channel"].value_counts()
        aht = timed.groupby("channel")["handle_s"].mean()
        eligible = int(kk["eligible"].sum())
        phases[p] = {
            "contacts": len(ib),
            "by_channel": {ch: int(by_channel.get(ch, 0)) for ch in channels},
            "channel_mix": {ch: _rate(int(by_channel.get(ch, 0)), len(ib)) for ch in channels},
            "handled": len(handled),
            "fcr": {
                "rate": _rate(int(kk["resolved"].sum()), eligible),
                "n": eligible,
                "pending": int(kk["pending"].sum()),
            },
            "aht_s": {"all": _none(timed["handle_s"].mean()), **{ch: _none(aht.get(ch)) for ch in channels}},
            "service_level": {"rate": _rate(int((answered["wait_s"] <= 20).sum()), offered), "n": offered},
            "abandon_rate": {"rate": _rate(len(abandoned), offered), "n": offered},
            "asa_s": _none(answered["wait_s"].mean()),
            "csat": {"rate": _rate(int(ss["satisfied"].sum()), len(ss)), "n": len(ss)},
        }

    # Coverage funnel over the registry's customers.
    tags_c = set(match.get("campaigns", []))
    n = notes[(notes["status_at"] <= as_of) & notes["campaign"].str.lower().isin({t.lower() for t in tags_c})].copy()
    n["customer_id"] = _identity(n, by_email, by_phone)
    people = reg.dropna(subset=["customer_id"]).copy()
    people["unit_done"] = people["remedy_completed_at"] <= as_of
    remedied = people.groupby("customer_id")["unit_done"].all()
    outbound_answered = c[
        (c["direction"] == "outbound") & (c["channel"] == "phone") & (c["answered_at"].notna() | (c["talk_s"] > 0))
    ]
    notified = set(n["customer_id"])
    reached = set(n.loc[n["status"].isin(["delivered", "read", "opened", "clicked"]), "customer_id"])
    reached |= set(outbound_answered["customer_id"])
    engaged = set(n.loc[n["status"].isin(["read", "clicked", "replied"]), "customer_id"]) | set(inbound["customer_id"])
    ids = remedied.index
    coverage = {
        "affected_customers": len(ids),
        "notified": int(ids.isin(notified).sum()),
        "reached": int(ids.isin(reached).sum()),
        "engaged": int(ids.isin(engaged).sum()),
        "remedied": int(remedied.sum()),
        "affected_units": len(reg),
        "remedied_units": int((reg["remedy_completed_at"] <= as_of).sum()),
    }
    return {"phases": phases, "coverage": coverage}


def compare(ours: dict[str, Any], theirs: dict[str, Any], phase: str = "all", tol: float = 1e-9) -> list[str]:
    """Differences between ``metrics.build_report`` (``ours``) and :func:`compute` (``theirs``) for
    ``phase`` and the coverage funnel, as ``path: ours != theirs`` lines (empty when equal)."""
    out: list[str] = []

    def walk(a: Any, b: Any, path: str) -> None:
        if isinstance(b, dict):
            for key, value in b.items():
                walk(a.get(key) if isinstance(a, dict) else None, value, f"{path}.{key}")
        elif isinstance(b, float) or isinstance(a, float):
            if a is None or b is None or abs(a - b) > tol * max(1.0, abs(b)):
                out.append(f"{path}: {a!r} != {b!r}")
        elif a != b:
            out.append(f"{path}: {a!r} != {b!r}")

    walk(ours["phases"][phase], theirs["phases"][phase], f"phases.{phase}")
    walk(ours["coverage"], theirs["coverage"], "coverage")
    return out
