"""The store handle and the one cached call through which pages read it.

Pages never write SQL: they call :func:`read` with a function of ``metrics`` or ``store`` (its
first parameter a connection) and its other arguments, usually a ``metrics.Scope``. The result is
``st.cache_data`` keyed on the ledger version (newest ingest, undo, setting and mapping) and the
arguments, so a new load invalidates every cached result on the next rerun, not on a timer.
"""

from __future__ import annotations

import importlib
import pickle
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import streamlit as st

from alerts.scheduler import after_load
from connectors.load import Failure, ingest_paths
from metrics import Scope
from metrics.catalog import targets as metric_targets
from store import ledger, settings, signout
from store.db import StoreError, StoreReadOnly, default_store, open_store, read_transaction, transient
from store.sample import SAMPLE_LOADER
from ui.text import md

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data" / "car_seat"
READABLE = ("metrics", "store")  # packages whose functions read() may call


_READ_ONLY: set[str] = set()  # store files this process can only read
READ_ONLY = (
    "The store file cannot be written (read-only file or file system): the dashboards show its data, but "
    "loading files, undo and saving settings are not possible until it is writable again."
)


@st.cache_resource
def _prepared(path: str) -> str:
    """Create the store once per server process, loading the sample recall into an empty one. A
    store that cannot be written is used read-only (:func:`read_only`)."""
    try:
        return _create(path)
    except StoreReadOnly:
        _READ_ONLY.add(path)
        return path


def _create(path: str) -> str:
    with open_store(path) as con:
        if ledger.recalls(con).height == 0 and SAMPLE_DIR.exists():
            results = ingest_paths(con, [SAMPLE_DIR], loaded_by=SAMPLE_LOADER)
            failed = [r.message for r in results if isinstance(r, Failure)]
            if failed:
                raise RuntimeError("the bundled sample data did not load: " + "; ".join(failed))
            after_load(con)
    return path


def db_path() -> str:
    """The store this server reads: ``$RECALL_OPS_DB`` as given when it is a PostgreSQL URL (every
    server of a deployment then shares one database: docs/deployment.md), else the DuckDB file's
    absolute path."""
    found = default_store()
    return found if isinstance(found, str) else str(found.resolve())


class StoreBusy(StoreError):
    """Another process holds the store (a long load): pages show their last good numbers meanwhile."""


_busy_since: dict[str, datetime] = {}  # store file → when this process first found it held (UTC)
_busy_found: dict[str, float] = {}  # store file → when (time.monotonic) it was last found held
BUSY_WAIT_S = 0.5  # how long a store known to be busy is waited for, at most once per BUSY_WINDOW_S
BUSY_WINDOW_S = 3.0  # after a failed wait, no read waits again for this long (shorter than a wall refresh)


@contextmanager
def store(wait_s: float | None = None, *, probe: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for one piece of work, closed after it (inside :func:`one_connection`, at the
    end of the run).

    The app holds the database file only while it reads or writes, so that another process
    (``python -m connectors watch`` or ``ingest``) can load files in between; a file locked by
    such a process is retried for ``wait_s`` seconds (10, or :data:`BUSY_WAIT_S` while the store
    is known to be busy), then :class:`StoreBusy` is raised.

    Once the store has been found held, every call for the next :data:`BUSY_WINDOW_S` seconds (in
    every session of this process) raises :class:`StoreBusy` at once without opening the file, so a
    page run that finds the store busy waits once and serves the last good values of all its other
    reads. A ``probe`` (:func:`ledger_version`, once at the start of a run) still tries the file
    once, without waiting, so a page is itself again on the first run after the load ends.
    """
    path = db_path()
    shared = _shared.get()
    if shared is not None and path in shared:
        with shared.piece(path) as con:
            yield con
        return
    found = _busy_found.get(path)
    if found is not None and time.monotonic() - found < BUSY_WINDOW_S:
        if not probe:
            raise StoreBusy(f"{path}: another process holds the store")
        wait = 0.0
    else:
        wait = wait_s if wait_s is not None else BUSY_WAIT_S if path in _busy_since else 10.0
    with ExitStack() as stack:
        try:
            prepared = _prepared(path)
            con = stack.enter_context(open_store(prepared, wait_s=wait, read_only=prepared in _READ_ONLY))
        except StoreError as e:
            if not transient(e):
                raise
            _busy_since.setdefault(path, datetime.now(UTC).replace(tzinfo=None))
            _busy_found[path] = time.monotonic()
            raise StoreBusy(f"{path}: another process holds the store") from e
        if shared is None or not isinstance(con, duckdb.DuckDBPyConnection):  # PostgreSQL: pooled, cheap
            yield con
            return
        shared[path] = con  # one_connection(): kept open for the rest of the run
        shared.closing.push(stack.pop_all())
    with shared.piece(path) as con:
        yield con


class _Shared(dict):
    """The DuckDB connection of each store file opened during one :func:`one_connection` block
    (a PostgreSQL store is not held: its connections come from a pool)."""

    def __init__(self) -> None:
        super().__init__()
        self.closing = ExitStack()

    @contextmanager
    def piece(self, path: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """One piece of work on the held store: on DuckDB a cursor of its own (a connection to
        the same open database: its own transaction and results, ~0.4 ms), closed after it."""
        cursor = self[path].cursor()
        try:
            yield cursor
        finally:
            cursor.close()


_shared: ContextVar[_Shared | None] = ContextVar("recall_ops_shared_store", default=None)


@contextmanager
def one_connection() -> Iterator[None]:
    """Every :func:`store` inside uses the DuckDB file the first one opened, closed when the
    block ends.

    A page run (app.py) or a fragment's rerun (the stand-up's screen) is one block: opening a
    DuckDB file costs 14–25 ms (a new database instance), and a cold run makes 8–11 reads; each read
    gets a cursor of that one database, as isolated as a connection of its own. The file is held
    from the run's first read to its end instead of read by read (a warm run: under 0.3 s; a cold
    page at 10M contacts: 1–6 s, docs/benchmarks.md); a loading process retries meanwhile
    (store.db.open_store). Blocks nest: an inner one uses the outer's file."""
    if _shared.get() is not None:
        yield
        return
    shared = _Shared()
    token = _shared.set(shared)
    try:
        yield
    finally:
        _shared.reset(token)
        shared.closing.close()


def read_only() -> bool:
    """The store can only be read (pages say so; Upload and Settings refuse to change it)."""
    try:
        return _prepared(db_path()) in _READ_ONLY
    except StoreError:  # damaged: ledger_version() says so
        return False


@contextmanager
def reading() -> Iterator[duckdb.DuckDBPyConnection]:
    """``store()`` inside one read transaction: what a cached result shows is the store before a
    concurrent load or after it, never a mix (store.db.read_transaction)."""
    with store() as con, read_transaction(con):
        yield con


def busy_since() -> datetime | None:
    """When this process found the store held by another one (naive UTC), or None when it is free."""
    return _busy_since.get(db_path())


def busy_notice(zone: str | None = None) -> None:
    """'Store busy since HH:MM' (in ``zone``, else UTC) while another process holds the store."""
    since = busy_since()
    if since is None:
        return
    at = since.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)) if zone else since.replace(tzinfo=UTC)
    st.warning(
        f"Store busy since {at:%H:%M} {at.tzname()}: another process is loading a file. Showing the last "
        "numbers read, from before that load; they update by themselves when it finishes.",
        icon="⏳",
    )


_last_version: dict[str, tuple] = {}


NOT_READ_YET = "Nothing was read from the store before it became busy: this view appears when the load finishes."


def has_read_store() -> bool:
    """This process has read the store's version at least once (so pages have numbers to keep)."""
    return db_path() in _last_version


def ledger_version() -> tuple:
    """The key of every cached result (store.ledger.version).

    While another process holds the store for a load, the last version seen is returned, so pages
    keep serving their cached numbers — from before the load, never part of it (each file is one
    transaction) — instead of waiting or failing (pages show :func:`busy_notice`). Raises
    :class:`StoreBusy` when this process has not read the store yet.
    """
    path = db_path()
    try:
        with store(wait_s=BUSY_WAIT_S if path in _busy_since else 1.0, probe=True) as con:
            version = ledger.version(con)
    except StoreBusy:
        if path not in _last_version:
            raise
        return _last_version[path]
    except StoreError as e:  # a damaged or missing store: say so, never a traceback
        st.error(f"The store cannot be opened: {md(e)}", icon="🚫")
        st.stop()
    _busy_since.pop(path, None)
    _busy_found.pop(path, None)
    _last_version[path] = version
    if read_only():
        st.warning(READ_ONLY, icon="🔒")
    return version


@st.cache_data(show_spinner=False)
def _call(key: bytes, _what: tuple) -> Any:
    """``key``: the pickled ``(path, version, module, name, args, kwargs)``, the whole cache key,
    which Streamlit hashes as one value; ``_what`` (not hashed: ``_``) is the same, unpickled.
    Streamlit's own hash of nested arguments, and its look-up of each argument's name, took about
    1 ms a call: 0.1 s of an Overview run that reads 124 cached results. The store file is part of
    the key: two stores can reach the same version."""
    _path, _version, module, name, args, kwargs = _what
    function = getattr(importlib.import_module(module), name)
    with reading() as con:
        return function(con, *args, **kwargs)


# The last result of each call, whatever its report time: what a page shows while the store is busy.
_last_good: OrderedDict[tuple, Any] = OrderedDict()
LAST_GOOD_ENTRIES = 512


def _timeless(value: Any) -> Any:
    """An argument without its report time (a scope's ``as_of``, a moment): the last-good key."""
    if isinstance(value, Scope):
        return ("scope", value.recall_id, value.options, value.filters)
    return None if isinstance(value, datetime) else value


def read(version: tuple, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``function(con, *args, **kwargs)`` in one read transaction, cached on ``version`` and the
    arguments; ``function`` is a module-level function of ``metrics`` or ``store``.

    While another process holds the store, a result not cached yet is the last one this process
    computed for the same call at any report time (the numbers from before the load); with none,
    :class:`StoreBusy` is raised (app.py shows the notice)."""
    module = function.__module__
    if module.split(".")[0] not in READABLE or "." in function.__qualname__:
        raise ValueError(f"read() calls module-level functions of {READABLE}, not {module}.{function.__qualname__}")
    key = (db_path(), module, function.__qualname__, tuple(map(_timeless, args)),
           tuple(sorted((k, _timeless(v)) for k, v in kwargs.items())))  # fmt: skip
    call = (key[0], version, module, function.__qualname__, args, kwargs)
    return _kept(_last_good, key, lambda: _call(pickle.dumps(call, protocol=pickle.HIGHEST_PROTOCOL), call))


def _kept(last: OrderedDict[tuple, Any], key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, remembered in ``last`` under ``key`` (the newest LAST_GOOD_ENTRIES); while the
    store is busy, the value remembered last, else :class:`StoreBusy`."""
    try:
        result = compute()
    except StoreBusy:
        if key not in last:
            raise
        return last[key]
    last[key] = result
    last.move_to_end(key)
    while len(last) > LAST_GOOD_ENTRIES:
        last.popitem(last=False)
    return result


def targets(version: tuple) -> dict:
    """Every metric's target (metrics/catalog.py: saved in Settings, else the default)."""
    return read(version, metric_targets)


def setting(version: tuple, key: str) -> Any:
    """A stored setting (store/settings.py), else its default."""
    return read(version, settings.get, key)


@st.cache_resource
def _signed_out(path: str) -> set[str]:
    """The signed-out cookie digests of the store at ``path``, loaded once per process and kept
    up to date by :func:`record_sign_out`."""
    try:
        with reading() as con:
            return signout.digests(con)
    except StoreError:
        return set()


def signed_out(digest: str) -> bool:
    """The sign-in cookie with this digest was signed out (on this or an earlier run of the server)."""
    return digest in _signed_out(db_path())


def record_sign_out(digest: str) -> None:
    """Remember a signed-out cookie (in memory at once; in the store unless it is read-only), and
    forget those older than the longest a cookie lives (store/signout.py)."""
    _signed_out(db_path()).add(digest)
    if read_only():
        return
    with store() as con:
        signout.record(con, digest)


def save_setting(key: str, value: Any, by: str | None = None) -> None:
    """Write one setting; the ledger version changes, so cached results refresh."""
    with store() as con:
        settings.put(con, key, value, by)


def save_recall_toml(text: str, recall_id: str, by: str | None = None) -> tuple[object | None, str | None]:
    """Load a recall definition through the same path as a TOML file (ledger, normalized match
    rules): (the IngestResult, None), or (None, the reader's message) with nothing written."""
    import re
    import tempfile

    from connectors.base import SourceFile, Unreadable
    from connectors.load import ingest_file

    name = re.sub(r"[^\w.-]+", "_", recall_id) or "recall"
    with tempfile.TemporaryDirectory(prefix="recall-ops-") as tmp:
        path = Path(tmp) / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        with store() as con:
            try:
                return ingest_file(con, SourceFile(f"settings/{name}.toml", path), loaded_by=by), None
            except Unreadable as e:
                return None, str(e)


# --- Alerts ---


def alert_states(as_of: datetime | None, recall_id: str | None) -> list[dict]:
    """Every alert instance at ``as_of`` (None: this very moment, not rounded to the minute, so an
    evaluation or acknowledgement seconds ago shows) (alerts/history.py). Read each run: evaluations
    by the scheduler change them without a load, so they are not cached on the ledger version."""
    from alerts.history import states_at

    key = (db_path(), as_of, recall_id)
    try:
        with reading() as con:
            _last_alerts[key] = states_at(con, as_of, recall_id)
    except StoreBusy:  # another process holds the store: the states last read, if any
        if key not in _last_alerts:
            raise
    return _last_alerts[key]


_last_alerts: dict[tuple, list[dict]] = {}


def fresh(function: Callable[..., Any], *args: Any) -> Any:
    """``function(con, *args)`` read on every run, not cached on the ledger version (alert rules,
    silences and history change without a load); ``function`` is a module-level function of
    ``alerts``, ``metrics`` or ``store``. While another process holds the store, the last value read
    for the same call (report times aside), as :func:`read` does; with none, :class:`StoreBusy`."""
    module = function.__module__
    if module.split(".")[0] not in (*READABLE, "alerts") or "." in function.__qualname__:
        raise ValueError(f"fresh() reads with module-level functions, not {module}.{function.__qualname__}")
    key = (db_path(), module, function.__qualname__, tuple(map(_timeless, args)))

    def compute() -> Any:
        with reading() as con:
            return function(con, *args)

    return _kept(_last_fresh, key, compute)


_last_fresh: OrderedDict[tuple, Any] = OrderedDict()


def alert_episodes(recall_id: str, until: datetime) -> list[dict]:
    """Every firing episode of the recall's alerts up to ``until`` (alerts/history.py), for the
    post-recall review; read each time (evaluations change them without a load)."""
    from alerts.history import episodes

    with reading() as con:
        return episodes(con, recall_id, until)
