"""No value from a link, a CSV or a session file can make the page fetch or link anything: every
such string reaches the page escaped (al_core.present.safe_text.plain), wherever it is shown.

The hostile strings all name the host evil.example; escaped Markdown writes its dot as `\\.`, so
any page text holding "evil.example" as such would render as a live link, image or autolink.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from al_core.formats.session import session_json
from al_core.loop import Learner
from al_core.present.safe_text import markdown_table, plain

HOSTILE = [
    "![](http://evil.example/x.png)",
    "[Session expired: log in](http://evil.example/login)",
    "<img src=http://evil.example/y>",
    "__import__ **bold** :material/home: $x^2$",
    "https://evil.example/auto and www.evil.example",
    "a\nb | c <script>alert(1)</script>",
]
# What would render live: a link, an image, an autolink, emphasis, a tag (unescaped `<`).
UNSAFE = re.compile(r"evil\.example|__import__|\]\(|(?<!\\)<")


def rendered_text(at: AppTest) -> list[str]:
    """Everything the page renders as Markdown: texts, messages, labels."""
    out = []
    for kind in ("markdown", "caption", "warning", "error", "info", "success", "toast"):
        out += [e.value for e in getattr(at, kind)]
    out += [b.label for b in at.button]
    out += [m.label for m in at.metric] + [str(m.value) for m in at.metric]
    return [str(t) for t in out]


def assert_safe(at: AppTest) -> None:
    assert not at.exception, at.exception
    for text in rendered_text(at):
        assert not UNSAFE.search(text), text


@pytest.mark.parametrize("text", HOSTILE)
def test_the_helper_escapes_markdown_and_html(text):
    md, html = plain(text), plain(text, "html")
    assert not UNSAFE.search(md)
    assert "<" not in html and ">" not in html and "\n" not in md
    table = markdown_table([{"name": text, "n": 1.5}])
    assert not UNSAFE.search(table) and table.count("\n") == 2


def test_link_values_are_shown_as_text_on_every_page():
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.query_params.update(
        {"model": HOSTILE[0], "strat": HOSTILE[1], "ds": HOSTILE[2], "m.C": HOSTILE[3]}
    )
    at.query_params[HOSTILE[4]] = "1"  # an unknown key, quoted in the warning
    at.run()
    warnings = " ".join(w.value for w in at.warning)
    assert "Unknown model" in warnings and "Unknown strategy" in warnings
    assert_safe(at)


def hostile_csv() -> bytes:
    rows = ["x1,<img src=http://evil.example/y>,label"]
    for i in range(40):
        rows.append(f'{i % 7},{(i * 3) % 5},"{HOSTILE[i % 2]}"')
    return "\n".join(rows).encode()


def test_csv_class_names_column_names_and_file_names_are_shown_as_text():
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    at.switch_page("app_pages/label.py").run()
    name = "[click](http://evil.example/f).csv"
    at.file_uploader(key="csv_file").set_value((name, hostile_csv(), "text/csv")).run()
    run = at.session_state["learner"]
    assert run.config.dataset == "upload" and set(run.dataset.class_names) == set(HOSTILE[:2])
    assert_safe(at)
    at.button(key="label_0").click().run()  # the status line names the class
    assert_safe(at)
    at.switch_page("app_pages/explore.py").run()
    assert_safe(at)
    bad = io.BytesIO(b"a,b\n1,2\n")  # a refused file quotes its name in the error
    at.switch_page("app_pages/label.py").run()
    at.file_uploader(key="csv_file").set_value((name, bad.getvalue(), "text/csv")).run()
    assert at.error and "was not loaded" in at.error[0].value
    assert_safe(at)


def test_a_session_file_quoting_hostile_text_is_refused_as_text():
    body = json.loads(session_json(Learner()))
    body["learner"]["config"]["model"] = HOSTILE[1]
    text = json.dumps(body).encode()
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    at.switch_page("app_pages/label.py").run()
    at.file_uploader(key="session_file").set_value(
        ("[s](http://evil.example).json", text, "application/json")
    ).run()
    assert at.error and "not loaded" in at.error[0].value
    assert_safe(at)
