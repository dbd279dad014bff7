"""Text that came from outside the app, made safe to show: one helper for every such string.

Values from a link, class and column names from a CSV, file names, texts and anything read from a
session file reach the page as text. Streamlit renders labels, captions and messages as Markdown
(links, images that fetch, autolinked URLs, `:icons:`, `$math$`) and Plotly renders a subset of
HTML in names and hovers (`<a href>`), so a stranger's string could make every viewer's browser
fetch or link something. `plain` escapes it for the place it is shown.
"""

from __future__ import annotations

import html
import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping all of them
# also breaks autolinks (http\:, www\.), emoji and icon codes (\:) and math (\$).
_MARKDOWN = re.compile(r"([!-/:-@\[-`{-~])")
_SPACE = re.compile(r"[\s\u2028\u2029]+")
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def plain(text: object, markup: str = "markdown", limit: int | None = 200) -> str:
    """`text` as literal characters in `markup` ("markdown" for Streamlit, "html" for Plotly and
    components): on one line, control and direction characters removed, cut at `limit`."""
    s = _INVISIBLE.sub("", str(text))
    s = _SPACE.sub(" ", s).strip()
    if limit is not None and len(s) > limit:
        s = s[: limit - 1] + "…"
    if markup == "html":
        return html.escape(s, quote=True)
    if markup != "markdown":
        raise ValueError(f"unknown markup {markup!r} (accepted: markdown, html)")
    return _MARKDOWN.sub(r"\\\1", s)


def markdown_table(rows: list[dict], digits: int = 3) -> str:
    """Rows of the same keys as a Markdown table, every cell escaped; floats to `digits`.

    Lighter than a dataframe for a five-row table that changes with every Step, and it wraps
    to the column instead of scrolling sideways.
    """
    if not rows:
        return ""
    keys = list(rows[0])

    def cell(v: object) -> str:
        text = f"{v:.{digits}f}" if isinstance(v, float) else str(v)
        return plain(text).replace("|", "\\|")

    lines = ["| " + " | ".join(cell(k) for k in keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(cell(r[k]) for k in keys) + " |" for r in rows]
    return "\n".join(lines)
