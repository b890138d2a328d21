"""The webhook spool: each accepted body is on disk, flushed and fsynced, before the vendor gets
its 2xx; the loader (connectors/live/hook_loader.py) takes bodies from here in micro-batches.

Layout, under the spool folder (``[recall_ops.hooks] spool_dir``, default ``<store>.spool`` beside
the store file)::

    <vendor>/<received ns, 20 digits>-<random>.body    one accepted body, oldest first by name
    <vendor>/.incoming/                                  bodies being written (never loaded)
    <vendor>/failed/<name>.body + <name>.reason.txt      bodies that could not be loaded, and why

A ``.body`` file is one JSON line of metadata (``received_at`` ISO 8601 UTC, ``url`` as the vendor
called it, ``content_type``), a newline, then the raw body bytes exactly as received. A body is
renamed into place only once written and fsynced, and the folder is fsynced after the rename, so
a body that was acknowledged survives a crash of the process or the machine.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

INCOMING = ".incoming"
FAILED = "failed"
SUFFIX = ".body"


@dataclass(frozen=True)
class Body:
    """One spooled body."""

    path: Path
    received_at: datetime  # naive UTC
    url: str
    content_type: str
    raw: bytes

    @property
    def name(self) -> str:
        return self.path.name


class Spool:
    """The spool folder of one server (or test)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def _vendor(self, vendor: str) -> Path:
        if not vendor.isidentifier():
            raise ValueError(f"not a vendor name: {vendor!r}")
        return self.folder / vendor

    def write(self, vendor: str, raw: bytes, url: str = "", content_type: str = "") -> str:
        """Store one body durably; returns its name. Raises OSError when the disk refuses it (the
        caller then answers 5xx and the vendor retries)."""
        folder = self._vendor(vendor)
        incoming = folder / INCOMING
        incoming.mkdir(parents=True, exist_ok=True)
        now = time.time_ns()
        name = f"{now:020d}-{secrets.token_hex(6)}{SUFFIX}"
        meta = {
            "received_at": datetime.fromtimestamp(now / 1e9, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "url": url,
            "content_type": content_type,
        }
        tmp = incoming / name
        with open(tmp, "wb") as out:
            out.write(json.dumps(meta).encode() + b"\n" + raw)
            out.flush()
            os.fsync(out.fileno())
        os.rename(tmp, folder / name)
        _fsync_dir(folder)
        return name

    def pending(self, vendor: str, limit: int | None = None) -> list[Path]:
        """Spooled bodies of ``vendor`` not yet loaded, oldest first."""
        folder = self._vendor(vendor)
        if not folder.is_dir():
            return []
        names = sorted(p.name for p in os.scandir(folder) if p.name.endswith(SUFFIX) and p.is_file())
        return [folder / n for n in names[:limit]]

    def backlog(self, vendor: str) -> tuple[int, datetime | None]:
        """(bodies waiting, received time of the oldest), read from the names alone."""
        paths = self.pending(vendor)
        if not paths:
            return 0, None
        first_ns = int(paths[0].name.split("-", 1)[0])
        return len(paths), datetime.fromtimestamp(first_ns / 1e9, UTC).replace(tzinfo=None)

    @staticmethod
    def read(path: Path) -> Body:
        """A spooled body; ValueError when the file is damaged."""
        data = path.read_bytes()
        head, sep, raw = data.partition(b"\n")
        try:
            meta = json.loads(head) if sep else None
            received = datetime.fromisoformat(meta["received_at"].replace("Z", "+00:00")).replace(tzinfo=None)
        except (ValueError, TypeError, KeyError) as e:
            raise ValueError(f"{path.name}: damaged spool file (no metadata line)") from e
        return Body(path, received, str(meta.get("url") or ""), str(meta.get("content_type") or ""), raw)

    @staticmethod
    def remove(paths: list[Path]) -> None:
        for p in paths:
            p.unlink(missing_ok=True)

    def fail(self, vendor: str, path: Path, reason: str) -> Path:
        """Move a body that cannot be loaded to ``failed/`` with its reason beside it."""
        folder = self._vendor(vendor) / FAILED
        folder.mkdir(parents=True, exist_ok=True)
        dest = folder / path.name
        shutil.move(path, dest)
        (folder / (path.name + ".reason.txt")).write_text(reason + "\n", encoding="utf-8")
        return dest

    def failed(self, vendor: str) -> int:
        folder = self._vendor(vendor) / FAILED
        return sum(1 for p in folder.glob("*" + SUFFIX)) if folder.is_dir() else 0


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
