"""The sample recall's post-recall review as page images: docs/screenshots/review-N.png.

Usage: ``python scripts/review_pages.py [--out docs/screenshots] [--dpi 60]``. Loads the sample recall
into a fresh store, replays the alert rules over it (every 3 hours from the first contact to the
exports, as docs/alerts.md's sample section does, so the review lists what fired), runs
``python -m metrics review`` (PDF printed by headless chromium) and turns
each page into a PNG with poppler's ``pdftoppm``, so that what the PDF looks like can be seen
without opening it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="recall-ops-review-") as tmp:
        db, pdf = Path(tmp) / "sample.duckdb", Path(tmp) / "review.pdf"
        run = [sys.executable, "-m"]
        subprocess.run([*run, "connectors", "ingest", str(ROOT / "sample_data" / "car_seat"), "--db", str(db)],
                       cwd=ROOT, check=True, capture_output=True)  # fmt: skip
        subprocess.run([*run, "metrics", "alerts", "--db", str(db), "--replay-from", "2026-02-15T06:00:00Z",
                        "--as-of", "2026-06-16T06:00:00Z"], cwd=ROOT, check=True, capture_output=True)  # fmt: skip
        subprocess.run([*run, "metrics", "review", "--db", str(db), "--out", str(pdf)], cwd=ROOT, check=True)
        for old in args.out.glob("review-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-r", str(args.dpi), "-png", str(pdf), str(args.out / "review")], check=True)
    for page in sorted(args.out.glob("review-*.png")):
        print(page.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
