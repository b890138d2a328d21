"""Every page of the app, declared once: the router (app.py), the access rules (ui/access.py), the
browser tests and scripts/screenshots.py read this list. A page is ``pages/<name>.py`` served at
``/<name>``, except a role's default page (its first), served at ``/``.

``audience`` is the least role that may open it (viewer < analyst < admin); a wall-token session
opens only the pages marked ``wall``; with no sign-in configured (open mode) every page is open.
``ready`` is what a browser waits for before the page counts as drawn.

Adding a page: write ``pages/<name>.py`` and add one entry here (docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass

AUDIENCES = ("viewer", "analyst", "admin")


@dataclass(frozen=True)
class Page:
    name: str
    title: str
    icon: str
    section: str
    audience: str = "viewer"
    wall: bool = False
    ready: str = "[data-testid='stMain']"

    @property
    def script(self) -> str:
        return f"pages/{self.name}.py"

    @property
    def path(self) -> str:
        """Its URL path for a role that sees every dashboard: the first page is the default, at ``/``
        (Streamlit serves a default page there only)."""
        return "" if self is PAGES[0] else self.name


PAGES: tuple[Page, ...] = (
    # the tiles with their numbers: not their places held before the numbers are read (ui/tiles.py)
    Page(
        "overview",
        "Overview",
        "📊",
        "Recall",
        ready="[class*='st-key-tile_']:not([class*='_soon']) [data-testid='stMetric']",
    ),
    Page("standup", "Stand-up", "📺", "Recall", wall=True, ready="[data-value='contacts_today']"),
    Page("channels", "Channels & handling", "📞", "Recall", ready="[data-testid='stTabs']"),
    Page("quality", "Quality", "✅", "Recall", ready="[data-testid='stMetric']"),
    Page("coverage", "Coverage", "📬", "Recall", ready="[data-testid='stMetric']"),
    Page("alerts", "Alerts", "🚨", "Recall", ready="text=Firing:"),
    Page("reports", "Reports", "📄", "Data", audience="analyst", ready="text=Post-recall review"),
    Page("upload", "Upload", "📤", "Data", audience="analyst", ready="text=Choose files"),
    Page("settings", "Settings", "⚙️", "Data", audience="admin"),
)
BY_NAME = {p.name: p for p in PAGES}


def open_to(audience: str) -> list[Page]:
    """The pages a signed-in role of this audience may open, in menu order."""
    rank = AUDIENCES.index(audience)
    return [p for p in PAGES if AUDIENCES.index(p.audience) <= rank]


def wall_pages() -> list[Page]:
    return [p for p in PAGES if p.wall]
