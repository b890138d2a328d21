"""Every URL parameter is validated: a hostile or mistyped value falls back with a notice, never a
traceback (issue 13 item 17). AppTest on the hand-checked fixture store."""

from __future__ import annotations

import pytest
from conftest import ROOT, plain
from streamlit.testing.v1 import AppTest

PAGES = ["pages/overview.py", "pages/standup.py", "pages/channels.py", "pages/quality.py", "pages/coverage.py"]
HOSTILE = [
    ({"refresh": "nan"}, "?refresh=nan is not valid here"),
    ({"refresh": "inf"}, "?refresh=inf is not valid here"),
    ({"every": "nan", "rotate": "overview,volume"}, "?every=nan is not valid here"),
    ({"rotate": "overview,bogus"}, "?rotate=bogus is not valid here"),
    ({"as_of": "0001-01-01"}, "?as_of=0001-01-01 is not valid here"),
    ({"as_of": "9999-12-31T23:59:59"}, "?as_of=9999-12-31T23:59:59 is not valid here"),
    ({"as_of": "nan"}, "is not an ISO 8601 time"),
    ({"start": "9999-12-31", "end": "9999-12-31"}, "?start=9999-12-31 is not valid here"),
    ({"start": "2026-03-01", "end": "0001-01-01"}, "?end=0001-01-01 is not valid here"),
    ({"start": "2026-03-10", "end": "2026-03-01"}, "?end=2026-03-01 is not valid here"),
    ({"recall": "NOPE"}, "?recall=NOPE is not valid here"),
    ({"phase": "x"}, "?phase=x is not valid here"),
    ({"channels": "phone,fax"}, "?channels=fax is not valid here"),
    ({"fcr_window": "nan"}, None),  # only the Quality page reads it
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("query", "shown"), HOSTILE, ids=lambda v: str(v) if isinstance(v, dict) else "")
def test_a_bad_url_parameter_falls_back_with_a_notice(db, page, query, shown):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()  # the default page (Overview) first, as a browser opening the URL would
    first = [plain(e.value) for e in [*at.warning, *at.error]]
    at.switch_page(page).run()
    assert not at.exception, at.exception
    if page == "pages/standup.py":
        drawn = ('data-tile="contacts_today"', 'data-chart="volume"', 'data-chart="coverage"')
        assert any(d in m.value for m in at.markdown for d in drawn)  # the wall draws, whichever view rotates in
    else:
        assert at.title
    if shown and (page == "pages/standup.py" or not set(query) & {"refresh", "every", "rotate"}):
        notices = first + [plain(e.value) for e in [*at.warning, *at.error]]  # shared filters: said once
        assert any(shown in n for n in notices), notices
