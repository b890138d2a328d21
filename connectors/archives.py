"""Unpacking ``.zip`` and ``.gz`` files before they are read, within caps that stop archive bombs.

Every top-level file (a path given to ``ingest``, an inbox file, one upload) has its own budget
(:class:`ArchiveLimits`), spent by everything unpacked from it at every level together:

- **members**: at most ``max_members`` files (members of archives inside it included);
- **bytes**: at most ``max_total_bytes`` written while unpacking;
- **ratio**: no member may expand more than ``max_ratio`` times its packed size (plus 1 MiB);
- **depth**: at most ``max_depth`` archive inside the archive (a ``.zip`` or ``.gz`` in a zip, a
  zip in a ``.gz``): a zip in a zip in a zip is refused before its inner layer is opened.

Unpacking stops the moment a cap is passed, and the whole top-level file is refused with one
message naming it and the cap (nothing of it loads: a bomb does not half-load). A member whose
path would escape (``../x``, absolute) is refused on its own; the other members load.
"""

from __future__ import annotations

import gzip
import itertools
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from connectors.base import SourceFile

GiB = 1024**3


@dataclass(frozen=True)
class ArchiveLimits:
    """Caps for one top-level file and everything unpacked from it (module docstring)."""

    max_members: int = 10_000
    max_total_bytes: int = 4 * GiB
    max_ratio: int = 200
    max_depth: int = 1


CLI_LIMITS = ArchiveLimits()
_UNPACKED = itertools.count()  # tells two unpackings of one path apart
_NAMES = itertools.count()  # unique names for unpacked files (listing the folder each time was quadratic)


@dataclass
class Failure:
    file_name: str
    message: str


class Refused(Exception):
    """A cap was passed: the whole top-level file is refused with this message."""


@dataclass
class _Budget:
    top: str
    limits: ArchiveLimits
    members: int = 0
    written: int = 0

    def add_members(self, n: int, where: str) -> None:
        self.members += n
        if self.members > self.limits.max_members:
            raise Refused(
                f"{self.top}: more than {self.limits.max_members:,} files inside (at {where}); "
                f"an archive may hold at most {self.limits.max_members:,}, nested archives included. Refused whole."
            )

    def spend(self, n: int, label: str) -> None:
        self.written += n
        if self.written > self.limits.max_total_bytes:
            raise Refused(
                f"{self.top}: expands past {_size(self.limits.max_total_bytes)} (stopped at {label}); one file may "
                f"unpack to at most {_size(self.limits.max_total_bytes)} in all. Refused whole as a zip bomb."
            )


def _size(n: int) -> str:
    return f"{n / GiB:g} GiB" if n >= GiB else f"{n / 1024**2:g} MiB"


def unpack(path: Path, tmp: Path, limits: ArchiveLimits = CLI_LIMITS) -> list[SourceFile | Failure]:
    """The loadable files of one top-level ``path`` (itself, or what its archives hold), unpacked
    into ``tmp``; one :class:`Failure` for the whole file when a cap is passed."""
    budget = _Budget(path.name, limits)
    own = tmp / f"unpacked-{next(_UNPACKED)}" if is_archive(path) else tmp  # what a refusal deletes at once
    own.mkdir(parents=True, exist_ok=True)
    try:
        files = _unwrap(path, path.name, own, budget, depth=0)
    except Refused as e:
        shutil.rmtree(own, ignore_errors=True)  # not held until the batch ends: N bombs, N × the cap
        return [Failure(path.name, str(e))]
    if own != tmp and not any(isinstance(f, SourceFile) for f in files):
        shutil.rmtree(own, ignore_errors=True)  # nothing of it is read (a broken archive)
    if is_archive(path):  # its files are one upload: one ledger group, one undo
        key = f"{path}#{next(_UNPACKED)}"
        for f in files:
            if isinstance(f, SourceFile):
                f.archive = key
    return files


def is_archive(path: Path) -> bool:
    return path.suffix.lower() in (".gz", ".zip")


def _unwrap(path: Path, name: str, tmp: Path, budget: _Budget, depth: int) -> list[SourceFile | Failure]:
    _check_depth(path, name, budget, depth)
    if not path.exists():
        return [Failure(name, f"{name}: no such file")]
    if path.suffix.lower() == ".gz":
        budget.add_members(1, name)
        target = tmp / f"{next(_NAMES)}_{path.stem}"
        try:
            with gzip.open(path) as src, open(target, "wb") as dst:
                _copy_limited(src, dst, path.stat().st_size, name, budget)
        except (OSError, EOFError) as e:
            return [Failure(name, f"{name}: broken gzip ({e})")]
        return _unwrap(target, name[:-3], tmp, budget, depth + 1)
    if path.suffix.lower() == ".zip":
        return _unzip(path, name, tmp, budget, depth)
    return [SourceFile(name, path)]


def _unzip(path: Path, name: str, tmp: Path, budget: _Budget, depth: int) -> list[SourceFile | Failure]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        return [Failure(name, f"{name}: not a readable zip archive ({e})")]
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        budget.add_members(len(members), name)
        out: list[SourceFile | Failure] = []
        for i, m in enumerate(members):
            label = f"{name}/{m.filename}"
            pure = PurePosixPath(m.filename.replace("\\", "/"))
            if pure.is_absolute() or ".." in pure.parts:
                out.append(Failure(label, f"{label}: member path escapes the archive; refused"))
                continue
            if PurePosixPath(m.filename).name.startswith(("__MACOSX", "._")) or "__MACOSX" in pure.parts:
                continue
            _check_depth(Path(pure.name), label, budget, depth + 1)  # before a byte of it is unpacked
            target = tmp / f"z{i}_{next(_NAMES)}_{pure.name}"
            try:
                with archive.open(m) as src, open(target, "wb") as dst:
                    _copy_limited(src, dst, m.compress_size, label, budget)
            except (zipfile.BadZipFile, OSError, EOFError) as e:
                out.append(Failure(label, f"{label}: broken zip member ({e})"))
                continue
            out.extend(_unwrap(target, label, tmp, budget, depth + 1))
        return out


def _check_depth(path: Path, name: str, budget: _Budget, depth: int) -> None:
    """Refuse an archive ``depth`` levels inside the top-level file when that is more than allowed."""
    if is_archive(path) and depth > budget.limits.max_depth:
        raise Refused(
            f"{budget.top}: {name} is an archive inside an archive inside an archive; archives may nest "
            f"{budget.limits.max_depth} level deep (a .zip or .gz inside a .zip). Refused whole."
        )


def _copy_limited(src, dst, packed_size: int, label: str, budget: _Budget) -> None:
    """Copy in 1 MiB blocks, stopping at once when the member's ratio or the file's total is passed."""
    limit = max(packed_size, 1) * budget.limits.max_ratio + 1_048_576
    written = 0
    while chunk := src.read(1_048_576):
        written += len(chunk)
        if written > limit:
            raise Refused(
                f"{budget.top}: {label} expands more than {budget.limits.max_ratio}× its packed size; "
                "refused whole as a zip bomb"
            )
        budget.spend(len(chunk), label)
        dst.write(chunk)
