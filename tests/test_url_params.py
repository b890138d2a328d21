"""Every URL parameter is validated: a hostile or mistyped value falls back with a notice, never a
traceback (issue 13 item 17). AppTest on the hand-checked fixture store."""

from __future__ import annotations

import pytest
from conftest import ROOT, plain
from streamlit.testing.v1 import AppTest

PAGES = ["pages/overview.py", "pages/standup.py", "pages/channels.py", "pages/quality.py", "pages/coverage.py"]
WALL = ["pages/standup.py", "pages/overview.py"]  # only the stand-up reads refresh, every and rotate
# Every page reads the filters through one validation (ui/filters.py; the wall's own parameters in
# pages/standup.py): the first bad value of each parameter is followed across every page that reads
# it, the other values of that parameter on the default page alone, where the notice is said.
HOSTILE = [  # (query, notice, the pages visited in turn after the default page)
    ({"refresh": "nan"}, "?refresh=nan is not valid here", WALL),
    ({"refresh": "inf"}, "?refresh=inf is not valid here", WALL),
    ({"every": "nan", "rotate": "overview,volume"}, "?every=nan is not valid here", WALL),
    ({"rotate": "overview,bogus"}, "?rotate=bogus is not valid here", WALL),
    ({"as_of": "0001-01-01"}, "?as_of=0001-01-01 is not valid here", PAGES),
    ({"as_of": "9999-12-31T23:59:59"}, "?as_of=9999-12-31T23:59:59 is not valid here", []),
    ({"as_of": "nan"}, "is not an ISO 8601 time", []),
    ({"start": "9999-12-31", "end": "9999-12-31"}, "?start=9999-12-31 is not valid here", PAGES),
    ({"start": "2026-03-01", "end": "0001-01-01"}, "?end=0001-01-01 is not valid here", []),
    ({"start": "2026-03-10", "end": "2026-03-01"}, "?end=2026-03-01 is not valid here", PAGES),
    ({"recall": "NOPE"}, "?recall=NOPE is not valid here", PAGES),
    ({"phase": "x"}, "?phase=x is not valid here", PAGES),
    ({"channels": "phone,fax"}, "?channels=fax is not valid here", PAGES),
    ({"fcr_window": "nan"}, None, ["pages/quality.py", "pages/overview.py"]),  # only Quality reads it
]


@pytest.mark.parametrize(("query", "shown", "pages"), HOSTILE, ids=lambda v: str(v) if isinstance(v, dict) else "")
def test_a_bad_url_parameter_falls_back_with_a_notice(db, query, shown, pages):
    """The URL opened on the default page (Overview), then each page in turn in the same session, as
    a person following the sidebar would: every page draws, and the notice was said (once is enough:
    the filters are shared)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    notices = [plain(e.value) for e in [*at.warning, *at.error]]
    for page in pages:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        if page == "pages/standup.py":
            drawn = ('data-tile="contacts_today"', 'data-chart="volume"', 'data-chart="coverage"')
            assert any(d in m.value for m in at.markdown for d in drawn), page  # whichever view rotates in
        else:
            assert at.title, page
        notices += [plain(e.value) for e in [*at.warning, *at.error]]
    if shown:
        assert any(shown in n for n in notices), notices
