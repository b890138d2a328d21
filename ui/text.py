"""Text from data, files, the URL or a sign-in, shown safely.

Streamlit renders titles, captions, alerts, expander labels and ``st.markdown`` as Markdown: a recall
named ``[Click here](https://…)`` would become a live link, ``![](https://…)`` a remote image,
``:red[…]`` coloured text, ``$…$`` a formula. :func:`md` makes such text literal; every place that
puts data-derived text into Markdown goes through it. Plotly renders a few HTML tags in chart text
(``<a href>`` among them): :func:`plot` makes a category label literal there.
"""

from __future__ import annotations

import html
import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&=\"'@%^])")
# GitHub's autolinks (``https://…``, ``www.…``) are found even in escaped text: a word joiner
# (U+2060, invisible) after the scheme's colon and after "www" breaks them.
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(\\:)(?=//)|(?i:(www))(?=\\\.)")


def md(value: object) -> str:
    """``value`` as literal Markdown text: every ASCII punctuation character that Markdown, GitHub
    extensions (autolinks, tables, strikethrough) or Streamlit's directives (``:color[…]``, emoji and
    icon shortcodes, ``$`` formulas) read is backslash-escaped, line breaks become spaces, and web
    addresses get an invisible word joiner so that they are not turned into links."""
    text = " ".join(str(value).splitlines())
    return _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, _MARKDOWN.sub(r"\\\1", text))


def plot(value: object) -> str:
    """``value`` as literal text in a Plotly label (its HTML subset escaped)."""
    return html.escape(str(value), quote=False)
