"""Generate the bundled sample recall: synthetic, seeded, deterministic.

    python -m sample_data.generate --out sample_data/car_seat [--seed 42] [--units 2000]

The story: recall CS-2026-014, a buckle on the Harbor Convertible Car Seat that can look latched
when it is not. A few parents complain from mid-February; from 2026-02-23 the phone menu quietly
routes buckle calls to a new "Recall Hotline". The recall is announced on 2026-03-02 at 09:00
Chicago time with an email + SMS wave to registered owners; contacts spike on day one (queues blow
up, tickets back up), decay through the first week, settle to an ongoing level (with a bump after
the reminder wave three weeks later and a callback campaign) and trickle on after the recall
closes on 2026-06-01. The exports were taken on 2026-06-15 at noon (``EXPORT_AT``): nothing
happens after that.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, so one seed gives
byte-identical files. Volumes scale with ``--units`` (2,000 units ≈ 7,000 contacts). Output, in
the canonical layouts of store/schema.py (docs/canonical-format.md): ``recall.toml``,
``registry.csv``, ``contacts.csv``, ``csat.csv``, ``notifications.csv``. Timestamps are UTC
(``...Z``), durations whole seconds, booleans ``true``/``false``, tags space-separated.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

# ---------------------------------------------------------------------------------------------
# The recall and its calendar
# ---------------------------------------------------------------------------------------------

RECALL_ID = "CS-2026-014"
ZONE = ZoneInfo("America/Chicago")
START = datetime(2026, 2, 15, 6, tzinfo=UTC)  # 2026-02-15 00:00 local: first contact in the exports
HOTLINE_OPEN = datetime(2026, 2, 23, 14, tzinfo=UTC)  # 08:00 local: buckle calls routed to the hotline
ANNOUNCED_AT = datetime(2026, 3, 2, 15, tzinfo=UTC)  # 09:00 CST
ONGOING_FROM = ANNOUNCED_AT + timedelta(hours=168)
REMINDER_AT = datetime(2026, 3, 23, 15, tzinfo=UTC)  # 10:00 CDT, three weeks in
CALLBACKS = (datetime(2026, 3, 10, 15, tzinfo=UTC), datetime(2026, 4, 17, 23, tzinfo=UTC))
CLOSED_AT = datetime(2026, 6, 1, 5, tzinfo=UTC)  # 00:00 CDT
EXPORT_AT = datetime(2026, 6, 15, 17, tzinfo=UTC)  # 12:00 CDT: the exports were taken

HOTLINE_NUMBER = "+18005550199"
MAIN_NUMBER = "+18005550100"
RECALL_TAG = "recall_cs2026014"
CAMPAIGN = "cs2026014-notice"
HOTLINE, GENERAL, RECALL_TEAM, SAFETY = "Recall Hotline", "General Support", "Recall Team", "Product Safety"

RECALL_TOML = f"""[recall]
id = "{RECALL_ID}"
name = "Harbor car seat buckle"
product = "Harbor Convertible Car Seat"
timezone = "America/Chicago"
country = "US"
announced_at = "2026-03-02T09:00:00-06:00"
closed_at = "2026-06-01T00:00:00-05:00"

[match]
tags = ["{RECALL_TAG}"]
queues = ["{HOTLINE}"]
numbers = ["{HOTLINE_NUMBER}"]
campaigns = ["{CAMPAIGN}"]
"""

# ---------------------------------------------------------------------------------------------
# Reference lists
# ---------------------------------------------------------------------------------------------

FIRST_NAMES = (
    "olivia emma ava sophia mia amelia harper evelyn abigail emily ella elizabeth sofia avery scarlett "
    "grace chloe victoria riley aria lily zoey hannah nora layla maya jasmine priya aisha mei "
    "liam noah oliver elijah james william benjamin lucas henry alexander mason michael ethan daniel "
    "jacob logan jackson levi sebastian mateo jack owen theodore aiden samuel carlos diego omar wei raj"
).split()
LAST_NAMES = (
    "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez "
    "wilson anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark "
    "ramirez lewis robinson walker young allen king wright scott torres nguyen hill flores green adams "
    "nelson baker hall rivera campbell mitchell carter roberts patel kim chen okafor singh murphy"
).split()

# (state, weight ≈ share of US births, area codes)
STATES: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("CA", 12.0, ("213", "310", "415", "619", "714", "818", "916")),
    ("TX", 10.5, ("214", "512", "713", "210", "817")),
    ("FL", 6.0, ("305", "407", "813", "904")),
    ("NY", 5.8, ("212", "516", "585", "718")),
    ("IL", 3.8, ("312", "630", "773", "847")),
    ("PA", 3.6, ("215", "412", "717")),
    ("OH", 3.5, ("216", "513", "614")),
    ("GA", 3.4, ("404", "678", "912")),
    ("NC", 3.2, ("704", "919")),
    ("MI", 2.9, ("313", "616", "734")),
    ("NJ", 2.7, ("201", "609", "973")),
    ("VA", 2.6, ("703", "757", "804")),
    ("WA", 2.3, ("206", "425", "509")),
    ("AZ", 2.2, ("480", "602", "520")),
    ("TN", 2.2, ("615", "901")),
    ("IN", 2.2, ("317", "219")),
    ("MA", 1.9, ("617", "508")),
    ("MO", 1.9, ("314", "816")),
    ("MD", 1.8, ("301", "410")),
    ("CO", 1.7, ("303", "720")),
    ("WI", 1.7, ("414", "608")),
    ("MN", 1.8, ("612", "651")),
    ("SC", 1.6, ("803", "843")),
    ("AL", 1.5, ("205", "256")),
    ("LA", 1.5, ("504", "225")),
    ("KY", 1.4, ("502", "859")),
    ("OK", 1.3, ("405", "918")),
    ("UT", 1.3, ("801", "385")),
    ("OR", 1.1, ("503", "541")),
    ("IA", 1.0, ("515", "319")),
    ("NV", 0.9, ("702", "775")),
    ("KS", 0.9, ("316", "785")),
    ("AR", 0.9, ("501", "479")),
)
LOTS = tuple(f"L{ym}{x}" for ym in ("2309", "2310", "2311", "2312", "2401", "2402", "2403") for x in "ABC")

HOTLINE_AGENTS = tuple(
    "Ana Ruiz|Ben Okafor|Carla Jensen|Dev Patel|Erin Walsh|Femi Adeyemi|Grace Liu|Hugo Marin|Isla Grant|"
    "Jamal Reed|Kira Novak|Luis Ortega".split("|")
)
OVERFLOW_AGENTS = tuple(f"BPO Agent {i:02d}" for i in range(1, 11))  # outsourcer, day one → ongoing
TIER2_AGENTS = ("Maya Holt", "Nate Brooks", "Omar Haddad")
TICKET_AGENTS = tuple(
    "Paula Stein|Quinn Avery|Rosa Delgado|Sam Whitaker|Tara Moss|Uma Rao|Victor Chan|Wendy Park".split("|")
)
GENERAL_AGENTS = ("Yara Cole", "Zoe Hart", "Adam Fry", "Beth Lowe", "Cody Nash")

RECALL_REASONS = (  # (reason, tag, weight)
    ("Is my seat affected", "affected_check", 30),
    ("Remedy request", "remedy_request", 22),
    ("Remedy status", "remedy_status", 14),
    ("Buckle safety question", "buckle_safety", 14),
    ("Registration update", "registration", 8),
    ("Refund status", "refund_status", 7),
    ("Not an affected model", "not_affected", 5),
)
GENERAL_REASONS = (
    ("Order status", "order_status", 30),
    ("Billing", "billing", 20),
    ("Returns", "returns", 20),
    ("Product question", "product_question", 20),
    ("Warranty", "warranty", 10),
)
CHANNEL_MIX = {  # inbound channel shares by topic
    "recall": {"phone": 42, "email": 20, "web": 13, "chat": 12, "social": 6, "whatsapp": 4, "sms": 3},
    "early": {"phone": 45, "email": 30, "web": 15, "social": 10},
    "general": {"phone": 35, "email": 30, "chat": 18, "web": 12, "social": 2, "whatsapp": 2, "sms": 1},
}
# Diurnal arrival profile by local hour (relative; normalised to mean 1 below).
_DIURNAL = (0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.45, 0.9, 1.4, 1.75, 1.9, 1.95, 1.9, 1.85, 1.8, 1.7, 1.55)
_DIURNAL += (1.4, 1.25, 1.1, 0.95, 0.7, 0.45, 0.25)
DIURNAL = tuple(24 * w / sum(_DIURNAL) for w in _DIURNAL)

# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def local(t: datetime) -> datetime:
    return t.astimezone(ZONE)


def iso(t: datetime | None) -> str:
    """UTC ISO 8601 with ``Z``, whole seconds; empty for None."""
    return "" if t is None else t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def secs(x: float | None) -> str:
    return "" if x is None else str(int(round(x)))


def after(t: datetime, seconds: float) -> datetime:
    """``t`` plus ``seconds``, rounded to the second."""
    return (t + timedelta(seconds=seconds)).replace(microsecond=0)


def days_since_announcement(t: datetime) -> float:
    return (t - ANNOUNCED_AT).total_seconds() / 86_400


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def poisson(rng: random.Random, lam: float) -> int:
    """Poisson draw (Knuth; normal approximation above 60)."""
    if lam <= 0:
        return 0
    if lam > 60:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def hex_id(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


# ---------------------------------------------------------------------------------------------
# People and the registry
# ---------------------------------------------------------------------------------------------


@dataclass
class Unit:
    unit_id: str
    lot: str
    remedy: str | None = None
    remedy_completed_at: datetime | None = None
    level: str | None = "consumer"  # supply-chain level; None = not recorded
    disposition: str | None = None
    disposition_at: datetime | None = None
    region: str = ""  # stock units only (an owner's units are in the owner's state)


@dataclass
class Person:
    """Someone who may contact us. ``ref`` is set for registered owners; ``in_registry_email`` /
    ``in_registry_phone`` say whether the registry knows that identifier (it may not)."""

    first: str
    last: str
    email: str
    phone: str  # 10-digit US national number, e.g. 3125550142
    state: str
    ref: str | None = None
    in_registry_email: bool = False
    in_registry_phone: bool = False
    phone_style: int = 0
    zendesk_id: str = ""
    units: list[Unit] = field(default_factory=list)
    remedied_at: datetime | None = None  # first remedy completed (owners only)


class PeopleFactory:
    """Unique names → emails and unique 555-01XX numbers (the fictional range) per area code."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.next_zendesk = 380_000_000

    def person(self) -> Person:
        rng = self.rng
        state, _w, areas = rng.choices(STATES, weights=[s[1] for s in STATES])[0]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        domain = rng.choices(("example.com", "example.net", "example.org"), weights=(80, 12, 8))[0]
        email, n = f"{first}.{last}@{domain}", 1
        while email in self.emails:
            n += 1
            email = f"{first}.{last}{n}@{domain}"
        self.emails.add(email)
        phone = ""
        while not phone or phone in self.phones:
            phone = f"{rng.choice(areas)}5550{rng.randrange(100, 200)}"
        self.phones.add(phone)
        self.next_zendesk += rng.randrange(3, 400)
        return Person(first, last, email, phone, state, phone_style=rng.randrange(4), zendesk_id=str(self.next_zendesk))


def registry_phone(p: Person) -> str:
    """The owner's phone as the registration form stored it: one of four US styles."""
    a, b, c = p.phone[:3], p.phone[3:6], p.phone[6:]
    return (f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"+1 {a} {b} {c}", f"{a}.{b}.{c}")[p.phone_style]


def make_owners(rng: random.Random, people: PeopleFactory, n_units: int) -> list[Person]:
    """Registered owners holding ``n_units`` units: 1 unit (82 %), 2 (14 %) or 3 (4 %); ~5 % with no
    email and ~10 % with no phone in the registry. Serials ``HCS-<yy>-<nnnnnn>`` rise with the lot."""
    owners: list[Person] = []
    counts: list[int] = []
    while sum(counts) < n_units:
        counts.append(min(rng.choices((1, 2, 3), weights=(82, 14, 4))[0], n_units - sum(counts)))
    lots = sorted(rng.choices(LOTS, k=n_units))
    serial, serials = 100, []
    for lot in lots:
        serial += rng.randrange(1, 12)
        serials.append((f"HCS-{lot[1:3]}-{serial:06d}", lot))
    order = list(range(n_units))
    rng.shuffle(order)
    cursor = 0
    for i, k in enumerate(counts):
        p = people.person()
        p.ref = f"REG-{100_000 + i * 7 + rng.randrange(7):06d}"
        p.in_registry_email = rng.random() > 0.05
        p.in_registry_phone = rng.random() > 0.10
        for j in order[cursor : cursor + k]:
            p.units.append(Unit(*serials[j]))
        cursor += k
        owners.append(p)
    return owners


def assign_remedies(rng: random.Random, owners: list[Person]) -> None:
    """Remedies: ~68 % of owners choose one (refund 30 %, replace 55 %, repair kit 15 %); completion
    starts two days after the announcement (repair kits fastest, replacements slowest) and reaches
    ~60 % of units by EXPORT_AT. A quarter of multi-unit owners have only some units remedied."""
    speed = {"refund": 22.0, "replace": 34.0, "repair": 12.0}  # median days to completion
    for p in owners:
        if rng.random() > 0.68:
            continue
        remedy = rng.choices(("refund", "replace", "repair"), weights=(30, 55, 15))[0]
        done = ANNOUNCED_AT + timedelta(days=2 + lognormal(rng, speed[remedy], 0.8))
        partial = len(p.units) > 1 and rng.random() < 0.25
        for i, u in enumerate(p.units):
            u.remedy = remedy
            t = done + timedelta(hours=rng.uniform(0, 96) * i)
            if t <= EXPORT_AT and not (partial and i == len(p.units) - 1):
                u.remedy_completed_at = t.replace(microsecond=0)
        completed = [u.remedy_completed_at for u in p.units if u.remedy_completed_at]
        p.remedied_at = min(completed) if completed else None


# ---------------------------------------------------------------------------------------------
# Contact arrivals
# ---------------------------------------------------------------------------------------------


@dataclass
class Draft:
    """A contact before the channel-specific fields are drawn."""

    created_at: datetime
    channel: str
    topic: str  # recall | early (buckle complaint before the announcement) | general
    person: Person | None
    reason: tuple[str, str, int]
    is_repeat: bool = False


def recall_level(t: datetime) -> float:
    """Expected first recall contacts per day at 2,000 units: the announcement burst (news and the
    notice email land; peaks about three hours after 09:00 and fades within the day), a first-week
    wave, a slow tail, a floor, the reminder bump, and a trickle after closing."""
    d = days_since_announcement(t)
    if d < 0:  # early buckle complaints, growing from 2 to 8 a day
        return 2.0 + 6.0 * (t - START) / (ANNOUNCED_AT - START)
    burst = 400 * (math.exp(-d / 0.3) - math.exp(-d / 0.06))
    level = burst + 170 * math.exp(-d / 2.2) + 36 * math.exp(-d / 30) + 18
    r = (t - REMINDER_AT).total_seconds() / 86_400
    if r >= 0:
        level += 22 * math.exp(-r / 2.5)
    if t >= CLOSED_AT:
        level *= 0.3
    return level


def general_level(t: datetime) -> float:
    """Expected general-support (not recall) contacts per day at 2,000 units."""
    return 22.0


def weekday_factor(t: datetime, topic: str) -> float:
    if local(t).weekday() < 5:
        return 1.0
    return 0.75 if topic == "recall" else 0.55


def arrivals(rng: random.Random, scale: float) -> list[tuple[datetime, str]]:
    """(created_at, topic) of first contacts, hour by hour: Poisson(level / 24 × diurnal × weekday)."""
    out: list[tuple[datetime, str]] = []
    hour = START
    while hour < EXPORT_AT:
        mid = hour + timedelta(minutes=30)
        shape = DIURNAL[local(mid).hour] / 24 * scale
        topics = [("general", general_level(mid))]
        if hour < ANNOUNCED_AT:
            topics.append(("early", recall_level(mid)))
        elif hour >= ANNOUNCED_AT:
            topics.append(("recall", recall_level(mid)))
        for topic, level in topics:
            for _ in range(poisson(rng, level * shape * weekday_factor(mid, topic))):
                out.append((after(hour, rng.uniform(0, 3599)), topic))
        hour += timedelta(hours=1)
    return out


def choose_person(
    rng: random.Random, topic: str, owners: list[Person], owner_weights: list[float], others: list[Person]
) -> Person | None:
    """Who writes: recall contacts come from owners (68 %, remedy-seekers more often), worried
    non-owners (22 %) or nobody identifiable (10 %); early complaints mostly from owners; general
    contacts from the wider customer base."""
    share = {"recall": (68, 22, 10), "early": (85, 12, 3), "general": (10, 85, 5)}[topic]
    kind = rng.choices(("owner", "other", "none"), weights=share)[0]
    if kind == "owner":
        return rng.choices(owners, weights=owner_weights)[0]
    if kind == "other":
        return rng.choice(others)
    return None


def choose_reason(rng: random.Random, topic: str) -> tuple[str, str, int]:
    if topic == "general":
        return rng.choices(GENERAL_REASONS, weights=[r[2] for r in GENERAL_REASONS])[0]
    if topic == "early":
        return ("Product issue - buckle", "buckle", 1)
    return rng.choices(RECALL_REASONS, weights=[r[2] for r in RECALL_REASONS])[0]


def make_drafts(rng: random.Random, scale: float, owners: list[Person], others: list[Person]) -> list[Draft]:
    """First contacts plus repeats: ~25 % of identified recall contacts are followed within 7 days
    by another (55 % on a different channel), a few by a third; general contacts repeat less."""
    owner_weights = [3.0 if p.units[0].remedy else 1.0 for p in owners]
    drafts: list[Draft] = []
    for created, topic in arrivals(rng, scale):
        person = choose_person(rng, topic, owners, owner_weights, others)
        drafts.append(Draft(created, pick(rng, CHANNEL_MIX[topic]), topic, person, choose_reason(rng, topic)))
    repeats: list[Draft] = []
    for d in drafts:
        p_repeat = 0.12 if d.topic == "general" else (0.32 if d.created_at < ANNOUNCED_AT + timedelta(days=1) else 0.25)
        prev, chance = d, p_repeat
        while prev.person is not None and rng.random() < chance:
            gap_h = min(lognormal(rng, 26.0, 1.0), 167.0)
            t = after(prev.created_at, gap_h * 3600)
            if t >= EXPORT_AT:
                break
            channel = (
                prev.channel
                if rng.random() < 0.45
                else pick(rng, CHANNEL_MIX["recall" if d.topic != "general" else "general"])
            )
            topic = "recall" if d.topic == "early" and t >= ANNOUNCED_AT else d.topic
            prev = Draft(t, channel, topic, prev.person, prev.reason, is_repeat=True)
            repeats.append(prev)
            chance = 0.3
    drafts += repeats
    drafts.sort(key=lambda x: x.created_at)
    return drafts


# ---------------------------------------------------------------------------------------------
# Contacts by channel
# ---------------------------------------------------------------------------------------------

CONTACT_COLUMNS = (
    "source source_id channel direction created_at answered_at first_reply_at resolved_at updated_at status "
    "is_abandoned is_transferred wait_s talk_s hold_s wrap_s handle_s agent queue reason tags dialled_number "
    "agent_replies customer_email customer_phone customer_ref"
).split()


def strain(t: datetime) -> float:
    """How overloaded the ticket teams are at ``t`` (1 = normal): ×7 at the announcement,
    easing over about a week, a small bump after the reminder wave."""
    d = days_since_announcement(t)
    if d < 0:
        return 1.0
    s = 1.0 + 6.0 * math.exp(-d / 2.0)
    r = (t - REMINDER_AT).total_seconds() / 86_400
    if r >= 0:
        s += 0.8 * math.exp(-r / 2.0)
    return s


def email_as_written(rng: random.Random, p: Person) -> str:
    """The customer's email as a helpdesk export shows it: mostly as is, sometimes capitalised,
    upper-cased or padded with spaces (the store trims and lower-cases)."""
    style = rng.choices(range(4), weights=(65, 20, 5, 10))[0]
    if style == 1:
        local_part, domain = p.email.split("@")
        return ".".join(w.capitalize() for w in local_part.split(".")) + "@" + domain.capitalize()
    if style == 2:
        return p.email.upper()
    if style == 3:
        return f" {p.email} "
    return p.email


def hotline_capacity(t: datetime) -> float:
    """Recall Hotline calls the staff can answer per hour: a small team before the announcement,
    badly under-staffed in the first hours of day one until the outsourcer joins, a surge team
    through the first two weeks, then a smaller standing team."""
    h, d = local(t).hour, days_since_announcement(t)
    night = h < 7 or h >= 21
    if d < 0:
        return 2.0 if night else 4.0
    if d < 1:
        return (5.0 if night else 9.0) if d < 0.2 else (5.0 if night else 13.0)
    if d < 3:
        return 4.0 if night else 11.0
    if d < 14:
        return 3.0 if night else 9.0
    return 2.0 if night else 6.0


def general_capacity(t: datetime) -> float:
    h = local(t).hour
    return 2.0 if (h < 7 or h >= 21) else 6.0


def queue_delays(calls: list[Draft], capacity: Callable[[datetime], float]) -> dict[datetime, float]:
    """Expected queue wait (seconds) per hour from a fluid queue: calls beyond an hour's capacity
    carry over to the next (a third of them give up), and a call waits for the backlog ahead of it."""
    per_hour = Counter(c.created_at.replace(minute=0, second=0) for c in calls)
    out: dict[datetime, float] = {}
    if not calls:
        return out
    hour, backlog = calls[0].created_at.replace(minute=0, second=0), 0.0
    while hour <= calls[-1].created_at:
        cap, n = capacity(hour), per_hour.get(hour, 0)
        out[hour] = 3600 * (backlog + max(0.0, n - cap) / 2) / cap
        backlog = max(0.0, backlog + n - cap) * 0.67
        hour += timedelta(hours=1)
    return out


def phone_queue(d: Draft) -> tuple[str, str]:
    """(queue, dialled number): recall calls reach the hotline (15 % via the main number's menu);
    buckle complaints reach it from HOTLINE_OPEN, before that they sit in General Support."""
    if d.topic == "general" or (d.topic == "early" and d.created_at < HOTLINE_OPEN):
        return GENERAL, MAIN_NUMBER
    return HOTLINE, MAIN_NUMBER if d.topic == "early" else HOTLINE_NUMBER


def caller_id(rng: random.Random, p: Person | None) -> str:
    """The caller's number as the phone system logs it (10 digits or E.164); 6 % withheld."""
    if p is None or rng.random() < 0.06:
        return ""
    return p.phone if rng.random() < 0.7 else f"+1{p.phone}"


def agent_for(rng: random.Random, queue: str, t: datetime) -> str:
    if queue == GENERAL:
        return rng.choice(GENERAL_AGENTS)
    d = days_since_announcement(t)
    if 0.25 <= d < 14 and rng.random() < 0.45:
        return rng.choice(OVERFLOW_AGENTS)
    return rng.choice(HOTLINE_AGENTS)


def phone_rows(rng: random.Random, calls: list[Draft]) -> list[dict[str, str]]:
    """Inbound calls (five9). Rules: wait is log-normal around the hour's queue delay (heavy tail);
    ~2 % hang up within 5 s; a caller abandons when the wait exceeds their patience (far more patient
    on day one and in the first week); answered_at = created_at + wait; talk/hold/wrap log-normal (recall calls longer,
    day one longest); ~8 % transferred to tier 2 (agent = the last one); handle = talk + hold + wrap."""
    delays = {
        HOTLINE: queue_delays([c for c in calls if phone_queue(c)[0] == HOTLINE], hotline_capacity),
        GENERAL: queue_delays([c for c in calls if phone_queue(c)[0] == GENERAL], general_capacity),
    }
    rows = []
    for d in calls:
        queue, dialled = phone_queue(d)
        hour = d.created_at.replace(minute=0, second=0)
        base = delays[queue].get(hour, 0.0)
        wait = lognormal(rng, 9.0 + base, 1.1)
        wait = min(wait, rng.uniform(2700.0, 5400.0))  # the line drops callers after 45–90 min
        since = days_since_announcement(d.created_at)
        day_one = 0 <= since < 1
        patience = lognormal(rng, 1200.0 if day_one else (300.0 if 0 <= since < 7 else 100.0), 0.9)
        row = {"channel": "phone", "queue": queue, "dialled_number": dialled, "reason": d.reason[0]}
        if rng.random() < 0.02:
            wait = rng.uniform(0.5, 4.9)
            row |= {"status": "abandoned", "is_abandoned": "true", "wait_s": secs(max(wait, 1))}
            row["updated_at"] = iso(after(d.created_at, wait))
        elif wait > patience:
            row |= {"status": "abandoned", "is_abandoned": "true", "wait_s": secs(patience)}
            row["updated_at"] = iso(after(d.created_at, patience))
        else:
            recall = queue == HOTLINE
            talk = lognormal(rng, (600 if day_one else 450) if recall else 300, 0.5)
            hold = lognormal(rng, 80, 0.7) if rng.random() < 0.45 else 0.0
            wrap = lognormal(rng, 70, 0.5)
            transferred = rng.random() < 0.08
            if transferred:
                talk *= 1.5
            talk, hold, wrap = round(talk), round(hold), round(wrap)
            answered = after(d.created_at, round(wait))
            row |= {
                "status": "answered",
                "is_abandoned": "false",
                "is_transferred": "true" if transferred else "false",
                "answered_at": iso(answered),
                "wait_s": secs(round(wait)),
                "talk_s": secs(talk),
                "hold_s": secs(hold),
                "wrap_s": secs(wrap),
                "handle_s": secs(talk + hold + wrap),
                "agent": rng.choice(TIER2_AGENTS) if transferred else agent_for(rng, queue, d.created_at),
                "updated_at": iso(after(answered, talk + hold + wrap)),
            }
        row.setdefault("is_transferred", "false")
        row["customer_phone"] = caller_id(rng, d.person)
        rows.append(row)
    return rows


def ticket_tags(rng: random.Random, d: Draft) -> tuple[str, list[str]]:
    """(group, tags): recall tickets carry RECALL_TAG (3 % forgotten by the agent) and a reason
    tag; early buckle complaints were back-tagged for about half; general tickets have their own."""
    if d.topic == "general":
        return GENERAL, [d.reason[1]]
    if d.topic == "early":
        tags = ["product_issue", "buckle"] + ([RECALL_TAG] if rng.random() < 0.5 else [])
        return SAFETY, sorted(tags)
    tags = [d.reason[1]] + ([] if rng.random() < 0.03 else [RECALL_TAG])
    return RECALL_TEAM, sorted(tags)


def ticket_identity(rng: random.Random, d: Draft) -> dict[str, str]:
    """Email for email/web/chat (chat: 85 % give one), phone for whatsapp/sms, mostly nothing for
    social; ``customer_ref`` is the helpdesk's own requester id (not the registry's)."""
    p = d.person
    if p is None:
        return {}
    out = {"customer_ref": f"zd-{p.zendesk_id}"}
    ch = d.channel
    if ch in ("email", "web") or (ch == "chat" and rng.random() < 0.85) or (ch == "social" and rng.random() < 0.2):
        out["customer_email"] = email_as_written(rng, p)
    if ch in ("whatsapp", "sms") or (ch == "web" and rng.random() < 0.3):
        a, b, c = p.phone[:3], p.phone[3:6], p.phone[6:]
        out["customer_phone"] = rng.choice((f"+1{p.phone}", f"+1 ({a}) {b}-{c}", f"1{p.phone}"))
    return out


FIRST_REPLY_HOURS = {"email": 3.0, "web": 3.0, "social": 1.0, "whatsapp": 0.5, "sms": 0.7}


def ticket_row(rng: random.Random, d: Draft) -> dict[str, str]:
    """One zendesk ticket. Rules: first reply after a log-normal delay scaled by ``strain`` (chat:
    answered after a short queue, reply within a minute); 1–4 agent replies; one reply = solved on
    it, more = solved later; a ticket whose solve (or first reply) falls after EXPORT_AT is still
    pending/open (a backlog that builds on day one and drains), ~1 % of ongoing tickets stall;
    solved tickets close 4 days later; tracked handle time on ~70 %; ~6 % escalated."""
    group, tags = ticket_tags(rng, d)
    s, created = strain(d.created_at), d.created_at
    row = {"channel": d.channel, "queue": group, "reason": d.reason[0]}
    replies = rng.choices((1, 2, 3, 4), weights=(52, 30, 12, 6))[0]
    if d.channel == "chat":
        wait = lognormal(rng, 35.0 * s, 0.8)
        answered = after(created, wait)
        first_reply = after(answered, rng.uniform(10, 60))
        row |= {"answered_at": iso(answered), "wait_s": secs(wait)}
        replies = min(replies, 2)
    else:
        first_reply = after(created, lognormal(rng, FIRST_REPLY_HOURS[d.channel] * s, 0.9) * 3600)
    if replies == 1:
        resolved = after(first_reply, rng.uniform(60, 2400))
    else:
        resolved = first_reply
        for _ in range(replies - 1):
            resolved = after(resolved, lognormal(rng, 14.0 * math.sqrt(s), 0.8) * 3600)
    stalled = d.created_at >= ONGOING_FROM and rng.random() < 0.01
    escalated = rng.random() < 0.06
    if escalated:
        tags = sorted(tags + ["escalated"])
    agents = TIER2_AGENTS if escalated else (GENERAL_AGENTS if group == GENERAL else TICKET_AGENTS)
    row |= {"tags": " ".join(tags), "is_transferred": "true" if escalated else "false", "is_abandoned": "false"}
    if first_reply > EXPORT_AT:
        status = "new" if rng.random() < 0.6 else "open"
        row |= {"status": status, "agent_replies": "0", "updated_at": iso(created)}
        row.pop("answered_at", None)  # a chat still waiting when the export was taken
        row.pop("wait_s", None)
        return row
    row |= {"first_reply_at": iso(first_reply), "agent": rng.choice(agents)}
    if rng.random() < 0.7:
        median = 540.0 if d.channel == "chat" else 240.0 * replies**0.7
        row["handle_s"] = secs(min(lognormal(rng, median, 0.6), 14_400))
    if resolved > EXPORT_AT or stalled:
        done = max(1, replies - 1) if not stalled else replies
        row |= {
            "status": rng.choices(("pending", "open", "hold"), weights=(60, 30, 10))[0],
            "agent_replies": str(done),
            "updated_at": iso(first_reply),
        }
        return row
    closed = resolved + timedelta(days=4)
    row |= {
        "resolved_at": iso(resolved),
        "agent_replies": str(replies),
        "status": "closed" if closed <= EXPORT_AT else "solved",
        "updated_at": iso(closed if closed <= EXPORT_AT else resolved),
    }
    return row


def outbound_calls(rng: random.Random, owners: list[Person], scale: float) -> list[tuple[datetime, dict[str, str]]]:
    """Callback campaign: weekday afternoons between CALLBACKS, to owners with a registry phone and
    no remedy yet; 55 % answered ("completed", answered_at after a few rings), the rest "no-answer"."""
    targets = [p for p in owners if p.in_registry_phone and not p.units[0].remedy]
    out = []
    for _ in range(round(160 * scale)):
        p = rng.choice(targets)
        while True:
            t = CALLBACKS[0] + timedelta(seconds=rng.uniform(0, (CALLBACKS[1] - CALLBACKS[0]).total_seconds()))
            if local(t).weekday() < 5 and 10 <= local(t).hour < 18:
                break
        t = t.replace(microsecond=0)
        row = {
            "channel": "phone",
            "direction": "outbound",
            "queue": HOTLINE,
            "reason": "Outbound callback",
            "is_abandoned": "false",
            "is_transferred": "false",
            "agent": rng.choice(HOTLINE_AGENTS),
            "customer_phone": f"+1{p.phone}",
            "customer_ref": "",
        }
        if rng.random() < 0.55:
            answered = after(t, rng.uniform(6, 25))
            talk, wrap = round(lognormal(rng, 240, 0.5)), round(lognormal(rng, 45, 0.4))
            row |= {
                "status": "completed",
                "answered_at": iso(answered),
                "talk_s": secs(talk),
                "hold_s": "0",
                "wrap_s": secs(wrap),
                "handle_s": secs(talk + wrap),
                "updated_at": iso(after(answered, talk + wrap)),
            }
        else:
            row |= {"status": "no-answer", "updated_at": iso(after(t, 30))}
        out.append((t, row))
    return out


def make_contacts(
    rng: random.Random, drafts: list[Draft], owners: list[Person], scale: float
) -> tuple[list[dict[str, str]], list[tuple[Draft | None, dict[str, str]]]]:
    """All contact rows, ordered by creation, with ids: five9 call ids and zendesk ticket numbers
    rising with time. Returns (rows, [(draft or None for outbound, row)]) for the CSAT step."""
    calls = [d for d in drafts if d.channel == "phone"]
    call_rows = iter(phone_rows(rng, calls))
    paired: list[tuple[datetime, Draft | None, dict[str, str]]] = []
    for d in drafts:
        if d.channel == "phone":
            row = next(call_rows) | {"source": "five9", "direction": "inbound"}
        else:
            row = ticket_row(rng, d) | ticket_identity(rng, d) | {"source": "zendesk", "direction": "inbound"}
        paired.append((d.created_at, d, row))
    paired += [(t, None, row | {"source": "five9"}) for t, row in outbound_calls(rng, owners, scale)]
    paired.sort(key=lambda x: (x[0], x[2]["source"]))
    call_id, ticket_id = 300_000_000_112_000, 51_870
    out: list[tuple[Draft | None, dict[str, str]]] = []
    for t, d, row in paired:
        if row["source"] == "five9":
            call_id += rng.randrange(7, 90)
            row["source_id"] = str(call_id)
        else:
            ticket_id += rng.randrange(1, 4)
            row["source_id"] = str(ticket_id)
        row["created_at"] = iso(t)
        out.append((d, row))
    return [r for _, r in out], out


# ---------------------------------------------------------------------------------------------
# The seeded reason cluster: a new failure mode on day 9
# ---------------------------------------------------------------------------------------------

CLUSTER_DAY = datetime(2026, 3, 10, 5, tzinfo=UTC)  # 2026-03-10 00:00 CDT: day 9 (day one is 03-02)
CLUSTER_REASON = ("Buckle won't release after repair", "buckle_stuck_after_repair", 1)
# (local hours after midnight, channel) of the three reports, one customer each.
CLUSTER_REPORTS = ((10.2, "email"), (13.7, "phone"), (16.1, "web"))


def cluster_contacts(seed: int, owners: list[Person], contacts: list[dict[str, str]]) -> list[dict[str, str]]:
    """Three owners whose repair kit was fitted before day 9 write in on day 9 (2026-03-10) that the
    buckle no longer releases: a reason nobody reported before (docs/alerts.md#sample-recall). Drawn
    from their own ``random.Random(seed + 9)`` after everything else, so every other record is as it
    was; ids continue above the highest call and ticket ids. Owners whose registry entry has both an
    email and a phone, so each report is tied to one customer (with few units, any such owners)."""
    rng = random.Random(seed + 9)
    fitted = [
        p
        for p in owners
        if p.units[0].remedy == "repair"
        and p.remedied_at is not None
        and p.remedied_at < CLUSTER_DAY
        and p.in_registry_email
        and p.in_registry_phone
    ]
    if len(fitted) < len(CLUSTER_REPORTS):  # a small --units run: any owners the registry can reach
        fitted = [p for p in owners if p.in_registry_email and p.in_registry_phone]
    people = rng.sample(fitted, len(CLUSTER_REPORTS))
    call_id = max(int(c["source_id"]) for c in contacts if c["source"] == "five9")
    ticket_id = max(int(c["source_id"]) for c in contacts if c["source"] == "zendesk")
    rows = []
    for (hours, channel), person in zip(CLUSTER_REPORTS, people, strict=True):
        created = after(CLUSTER_DAY, hours * 3600 + rng.uniform(0, 300))
        draft = Draft(created, channel, "recall", person, CLUSTER_REASON)
        if channel == "phone":
            call_id += rng.randrange(7, 90)
            wait, talk, wrap = (
                round(rng.uniform(8, 40)),
                round(lognormal(rng, 720, 0.3)),
                round(lognormal(rng, 90, 0.3)),
            )
            answered = after(created, wait)
            row = {
                "source": "five9",
                "source_id": str(call_id),
                "direction": "inbound",
                "channel": "phone",
                "queue": HOTLINE,
                "dialled_number": HOTLINE_NUMBER,
                "reason": CLUSTER_REASON[0],
                "status": "answered",
                "is_abandoned": "false",
                "is_transferred": "true",
                "answered_at": iso(answered),
                "wait_s": secs(wait),
                "talk_s": secs(talk),
                "hold_s": "0",
                "wrap_s": secs(wrap),
                "handle_s": secs(talk + wrap),
                "agent": TIER2_AGENTS[0],
                "updated_at": iso(after(answered, talk + wrap)),
                "customer_phone": f"+1{person.phone}",
            }
        else:
            ticket_id += rng.randrange(1, 4)
            row = ticket_row(rng, draft) | ticket_identity(rng, draft)
            row |= {"source": "zendesk", "source_id": str(ticket_id), "direction": "inbound"}
            row["tags"] = " ".join(sorted({*row["tags"].split(), "escalated", RECALL_TAG}))
            row["is_transferred"] = "true"  # sent to tier 2
            if row.get("agent"):
                row["agent"] = TIER2_AGENTS[1]
        row["created_at"] = iso(created)
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------
# CSAT
# ---------------------------------------------------------------------------------------------

CSAT_COLUMNS = "source source_id contact_source contact_source_id responded_at score scale".split()


def parse_iso(s: str) -> datetime:
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def good_odds(t: datetime) -> float:
    """Chance of a satisfied answer by when the contact was created: ~80 % normally, ~60 % on day
    one, recovering through the first week; early (pre-announcement) complainants are cooler."""
    d = days_since_announcement(t)
    if d < 0:
        return 0.74
    if d < 1:
        return 0.60
    if d < 7:
        return 0.73
    return 0.83


def make_csat(
    rng: random.Random, contacts: list[tuple[Draft | None, dict[str, str]]], scale: float
) -> list[dict[str, str]]:
    """Responses: ~18 % of solved/closed tickets (zendesk good/bad, a little worse with more
    replies), ~14 % of answered inbound calls (five9 post-call 1–5, worse with a long wait), and a
    few 0–10 NPS answers (delighted, linked to zendesk tickets; not CSAT). Nothing after EXPORT_AT."""
    rows: list[dict[str, str]] = []
    rating_id, survey_id = 24_150_000, 880_000
    solved: list[dict[str, str]] = []
    for d, c in contacts:
        if d is None:
            continue
        created = parse_iso(c["created_at"])
        if c["source"] == "zendesk" and c.get("resolved_at"):
            solved.append(c)
            if rng.random() < 0.18:
                at = after(parse_iso(c["resolved_at"]), lognormal(rng, 5.0, 1.0) * 3600)
                p_good = good_odds(created) - 0.05 * (int(c["agent_replies"]) - 1)
                rating_id += rng.randrange(1, 60)
                if at <= EXPORT_AT:
                    rows.append(
                        csat_row("zendesk", str(rating_id), c, at, 1 if rng.random() < p_good else 0, "good_bad")
                    )
        elif c["source"] == "five9" and c.get("answered_at") and rng.random() < 0.14:
            at = after(parse_iso(c["updated_at"]), rng.uniform(20, 90))
            p_good = good_odds(created) + 0.05 - 0.25 * min(1.0, float(c["wait_s"]) / 900)
            if rng.random() < p_good:
                score = rng.choices((5, 4), weights=(65, 35))[0]
            else:
                score = rng.choices((3, 2, 1), weights=(45, 25, 30))[0]
            survey_id += rng.randrange(1, 9)
            if at <= EXPORT_AT:
                rows.append(csat_row("five9", f"svy-{survey_id}", c, at, score, "1-5"))
    for _ in range(round(60 * scale)):
        c = rng.choice(solved)
        at = after(parse_iso(c["resolved_at"]), lognormal(rng, 48.0, 0.6) * 3600)
        if at <= EXPORT_AT:
            nps = rng.choices(range(11), weights=(3, 1, 2, 3, 3, 6, 6, 12, 20, 22, 22))[0]
            rows.append(csat_row("delighted", f"nps-{hex_id(rng, 10)}", c, at, nps, "0-10"))
    rows.sort(key=lambda r: (r["responded_at"], r["source"], r["source_id"]))
    return rows


def csat_row(source: str, sid: str, contact: dict[str, str], at: datetime, score: int, scale: str) -> dict[str, str]:
    return {
        "source": source,
        "source_id": sid,
        "contact_source": contact["source"],
        "contact_source_id": contact["source_id"],
        "responded_at": iso(at),
        "score": str(score),
        "scale": scale,
    }


# ---------------------------------------------------------------------------------------------
# Notifications
# ---------------------------------------------------------------------------------------------

NOTIFICATION_COLUMNS = "source source_id channel customer_email customer_phone status status_at campaign".split()


def email_events(rng: random.Random, p: Person, sent: datetime, campaign: str) -> list[dict[str, str]]:
    """sendgrid: sent → delivered (90 %) or bounced (6 %) or nothing more (4 %, deferred);
    opened by 45 % of delivered (hours later), clicked by a third of openers (15 % of delivered)."""
    msg = f"sg.{hex_id(rng, 20)}"
    events = [("sent", sent)]
    u = rng.random()
    if u < 0.90:
        delivered = after(sent, rng.uniform(2, 120))
        events.append(("delivered", delivered))
        if rng.random() < 0.45:
            opened = after(delivered, lognormal(rng, 3.0, 1.2) * 3600)
            events.append(("opened", opened))
            if rng.random() < 0.33:
                events.append(("clicked", after(opened, rng.uniform(10, 1200))))
    elif u < 0.96:
        events.append(("bounced", after(sent, rng.uniform(2, 60))))
    base = {"source": "sendgrid", "channel": "email", "customer_email": p.email, "campaign": campaign}
    return [base | {"source_id": f"{msg}:{s}", "status": s, "status_at": iso(t)} for s, t in events if t <= EXPORT_AT]


def sms_events(rng: random.Random, p: Person, sent: datetime, campaign: str) -> list[dict[str, str]]:
    """twilio: sent → delivered (93 %) or failed; 4 % of delivered reply within the hour or so."""
    msg = f"SM{hex_id(rng, 32)}"
    events = [("sent", sent)]
    if rng.random() < 0.93:
        delivered = after(sent, rng.uniform(1, 30))
        events.append(("delivered", delivered))
        if rng.random() < 0.04:
            events.append(("replied", after(delivered, lognormal(rng, 20.0, 1.0) * 60)))
    else:
        events.append(("failed", after(sent, rng.uniform(1, 30))))
    base = {"source": "twilio", "channel": "sms", "customer_phone": f"+1{p.phone}", "campaign": campaign}
    return [base | {"source_id": f"{msg}:{s}", "status": s, "status_at": iso(t)} for s, t in events if t <= EXPORT_AT]


def make_notifications(rng: random.Random, owners: list[Person]) -> list[dict[str, str]]:
    """Wave 1 at the announcement (emails over 3 h to every owner with a registry email; SMS to the
    ~75 % of owners with a registry phone who opted in) and a reminder at REMINDER_AT to owners
    not remedied by then whose first email did not bounce. Twilio logs the campaign as
    "CS2026014-Notice" (match rules compare case-insensitively); owners the registry cannot
    reach get nothing."""
    rows: list[dict[str, str]] = []
    for p in owners:
        sms_ok = p.in_registry_phone and rng.random() < 0.75
        first: list[dict[str, str]] = []
        if p.in_registry_email:
            first = email_events(rng, p, after(ANNOUNCED_AT, rng.uniform(0, 3 * 3600)), CAMPAIGN)
            rows += first
        if sms_ok:
            rows += sms_events(rng, p, after(ANNOUNCED_AT, rng.uniform(600, 7200)), "CS2026014-Notice")
        if p.remedied_at is not None and p.remedied_at <= REMINDER_AT:
            continue
        if p.in_registry_email and not any(e["status"] == "bounced" for e in first):
            rows += email_events(rng, p, after(REMINDER_AT, rng.uniform(0, 2 * 3600)), CAMPAIGN)
        if sms_ok:
            rows += sms_events(rng, p, after(REMINDER_AT, rng.uniform(600, 5400)), "CS2026014-Notice")
    rows.sort(key=lambda r: (r["status_at"], r["source"], r["source_id"]))
    return rows


# ---------------------------------------------------------------------------------------------
# Regulator data: supply-chain stock, dispositions, letters (docs/regulator-reports.md)
# ---------------------------------------------------------------------------------------------
# Drawn from a second generator after everything above, so that the contacts, ratings and e-mail
# and SMS events (and every dashboard figure built on them) are what they were before these were added.

# (level, units at 2,000 owner units, region weights, remedy weights, median days to completion, share completed)
STOCK = (
    ("manufacturer", 140, {"OH": 1}, {"destroy": 1}, 6.0, 1.0),
    ("distributor", 260, {"TX": 3, "IL": 3, "GA": 2, "NJ": 2, "CA": 3}, {"refund": 1}, 14.0, 0.93),
    ("retailer", 480, {s[0]: s[1] for s in STATES}, {"refund": 7, "destroy": 3}, 20.0, 0.86),
    (None, 12, {"IL": 1}, {"refund": 1}, 20.0, 0.0),  # an old distributor list that records no level
)
# Disposition of consumer units left without a completed remedy: (disposition, share of them).
DISPOSITION_SHARES = (
    ("scrapped", 0.05),
    ("exported", 0.015),
    ("stolen", 0.01),
    ("no_remedy_needed", 0.03),
    ("other", 0.01),
)
LETTERSHOP = "lettershop"


def stock_units(rng: random.Random, scale: float) -> list[Unit]:
    """Units still in the supply chain at the announcement (no owner: the unit ledger only), from
    the newest lots; manufacturer stock destroyed within days, distributor and retail stock
    returned for credit ("refund") or destroyed over the following weeks."""
    units: list[Unit] = []
    serial = 50_000
    for level, count, regions, remedies, median_days, share_done in STOCK:
        for _ in range(round(count * scale)):
            lot = rng.choice(LOTS[-9:])
            serial += rng.randrange(1, 9)
            remedy = pick(rng, remedies)
            done = ANNOUNCED_AT + timedelta(days=1 + lognormal(rng, median_days, 0.6))
            finished = rng.random() < share_done and done <= EXPORT_AT
            units.append(
                Unit(
                    f"HCS-{lot[1:3]}-{serial:06d}",
                    lot,
                    remedy=remedy if level else None,
                    remedy_completed_at=done.replace(microsecond=0) if finished and level else None,
                    level=level,
                    region=pick(rng, regions),
                )
            )
    return units


def assign_dispositions(rng: random.Random, owners: list[Person]) -> None:
    """Consumer units without a completed remedy: owners the registry has no email or phone for are
    "not notified" (noted 30 days after the announcement); of the others, a few are scrapped by
    their owner, exported, stolen, inspected and found not to need the remedy, or other, dated
    when the firm learnt it."""
    for p in owners:
        for u in p.units:
            if u.remedy_completed_at is not None:
                continue
            if not p.in_registry_email and not p.in_registry_phone:
                u.disposition, u.disposition_at = "not_notified", ANNOUNCED_AT + timedelta(days=30)
                continue
            x = rng.random()
            for disposition, share in DISPOSITION_SHARES:
                if x < share:
                    at = ANNOUNCED_AT + timedelta(
                        seconds=rng.uniform(3 * 86_400, (EXPORT_AT - ANNOUNCED_AT).total_seconds())
                    )
                    u.disposition, u.disposition_at = disposition, at.replace(microsecond=0)
                    break
                x -= share


def make_letters(rng: random.Random, owners: list[Person], events: list[dict[str, str]]) -> list[dict[str, str]]:
    """First-class letters two weeks after the announcement to owners whose notice e-mail bounced,
    or who have no registry e-mail and were sent an SMS: ``sent`` on the mailing day, 7 % come back
    ``bounced`` (return to sender) 6–15 days later. The lettershop's file names each recipient by the
    registration's e-mail or phone. Every recipient was notified on day one, and a letter is never
    "delivered", so coverage is unchanged."""
    bounced = {e["customer_email"] for e in events if e["status"] == "bounced"}
    texted = {e["customer_phone"] for e in events if e["channel"] == "sms"}
    mailed_at = ANNOUNCED_AT + timedelta(days=14)
    rows: list[dict[str, str]] = []
    for p in owners:
        by_email = p.in_registry_email and p.email in bounced
        by_phone = not p.in_registry_email and f"+1{p.phone}" in texted
        if not (by_email or by_phone):
            continue
        letter = f"LTR-{hex_id(rng, 12)}"
        sent = after(mailed_at, rng.uniform(0, 8 * 3600))
        who = {"customer_email": p.email} if by_email else {"customer_phone": f"+1{p.phone}"}
        base = {"source": LETTERSHOP, "channel": "letter", "campaign": CAMPAIGN} | who
        rows.append(base | {"source_id": f"{letter}:sent", "status": "sent", "status_at": iso(sent)})
        if rng.random() < 0.07:
            back = after(sent, rng.uniform(6, 15) * 86_400)
            rows.append(base | {"source_id": f"{letter}:bounced", "status": "bounced", "status_at": iso(back)})
    return rows


# ---------------------------------------------------------------------------------------------
# Writers and entry point
# ---------------------------------------------------------------------------------------------

REGISTRY_COLUMNS = (
    "recall_id unit_id lot customer_ref customer_email customer_phone region supply_chain_level remedy "
    "remedy_completed_at disposition disposition_at"
).split()


def unit_row(u: Unit, p: Person | None) -> dict[str, str]:
    return {
        "recall_id": RECALL_ID,
        "unit_id": u.unit_id,
        "lot": u.lot,
        "customer_ref": (p.ref or "") if p else "",
        "customer_email": p.email if p and p.in_registry_email else "",
        "customer_phone": registry_phone(p) if p and p.in_registry_phone else "",
        "region": p.state if p else u.region,
        "supply_chain_level": u.level or "",
        "remedy": u.remedy or "",
        "remedy_completed_at": iso(u.remedy_completed_at),
        "disposition": u.disposition or "",
        "disposition_at": iso(u.disposition_at),
    }


def registry_rows(owners: list[Person], stock: list[Unit]) -> list[dict[str, str]]:
    rows = [unit_row(u, p) for p in owners for u in p.units] + [unit_row(u, None) for u in stock]
    return sorted(rows, key=lambda r: r["unit_id"])


def write_csv(path: Path, columns: list[str], rows: Iterable[dict[str, str]]) -> int:
    """Write ``rows`` (missing keys blank) with exactly ``columns`` as the header; returns the count."""
    n = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", restval="", lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow(row)
            n += 1
    return n


@dataclass
class Records:
    """The sample recall in memory: canonical rows (text values, as written to the CSVs) plus the
    people behind them (owners and other customers, for renderers that need names)."""

    registry: list[dict[str, str]]
    contacts: list[dict[str, str]]
    csat: list[dict[str, str]]
    notifications: list[dict[str, str]]
    owners: list[Person]
    others: list[Person]


def build(seed: int = 42, units: int = 2000) -> Records:
    """Draw the whole sample recall from ``random.Random(seed)``, in a fixed order, without writing."""
    rng = random.Random(seed)
    scale = units / 2000
    people = PeopleFactory(rng)
    owners = make_owners(rng, people, units)
    assign_remedies(rng, owners)
    others = [people.person() for _ in range(max(20, round(1400 * scale)))]
    drafts = make_drafts(rng, scale, owners, others)
    contacts, paired = make_contacts(rng, drafts, owners, scale)
    csat = make_csat(rng, paired, scale)
    notifications = make_notifications(rng, owners)
    contacts = sorted(contacts + cluster_contacts(seed, owners, contacts), key=lambda c: (c["created_at"], c["source"]))
    regulator = random.Random(seed * 7919 + 18)
    stock = stock_units(regulator, scale)
    assign_dispositions(regulator, owners)
    notifications += make_letters(regulator, owners, notifications)
    notifications.sort(key=lambda r: (r["status_at"], r["source"], r["source_id"]))
    return Records(registry_rows(owners, stock), contacts, csat, notifications, owners, others)


def generate(out: Path, seed: int = 42, units: int = 2000) -> dict[str, int]:
    """Write the sample recall into ``out``; returns rows written per file."""
    records = build(seed, units)
    out.mkdir(parents=True, exist_ok=True)
    (out / "recall.toml").write_text(RECALL_TOML, encoding="utf-8")
    return {
        "registry.csv": write_csv(out / "registry.csv", REGISTRY_COLUMNS, records.registry),
        "contacts.csv": write_csv(out / "contacts.csv", CONTACT_COLUMNS, records.contacts),
        "csat.csv": write_csv(out / "csat.csv", CSAT_COLUMNS, records.csat),
        "notifications.csv": write_csv(out / "notifications.csv", NOTIFICATION_COLUMNS, records.notifications),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_data.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "car_seat", help="output folder")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--units", type=int, default=2000, help="affected units (volumes scale with it)")
    args = parser.parse_args(argv)
    for name, n in generate(args.out, args.seed, args.units).items():
        print(f"{args.out / name}: {n} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
