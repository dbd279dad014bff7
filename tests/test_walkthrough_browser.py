"""The browser walkthrough (issue 12): every page at 1280×720 and 1440×900, every button and toggle
pressed at least once. After each action: no exception, no control text cut off, the Labeled
metric (or a race plane's "with N labels") equal to the labeled points the plane draws, and a
screenshot of the viewport in tests/artifacts/walk_<page>_<size>_<nn>_<action>.png.

Buttons are found by role and visible text, so a restyled page keeps its walkthrough. Presenter
mode's layout at 1280×720 (nothing cut off, a way out) is checked in test_defects_browser.py.
"""

from __future__ import annotations

import re

import pytest
from browser_helpers import planes, screenshot, truncated_texts, wait_drawn
from test_explore_browser import assert_no_exception, metric

from al_core.experiments.lesson_catalog import LESSON_BY_SLUG

pytestmark = pytest.mark.browser

VIEWPORTS = {"1280x720": {"width": 1280, "height": 720}, "1440x900": {"width": 1440, "height": 900}}
RACE_LABELS = re.compile(r"with (\d+) labels")
CHEAP_LESSON = LESSON_BY_SLUG["batch-clumping"].title  # its claim checks in a few seconds


class Walk:
    """One visitor going through the app, checking the page after every action."""

    def __init__(self, page, url: str, size: str):
        self.page, self.url, self.size = page, url, size
        self.where, self.n = "explore", 0
        # The slow presses (downloads, experiments) once, at the projector's size; every page,
        # step and toggle at both sizes.
        self.full = size == "1280x720"

    # ------------------------------------------------------------ actions

    def open(self, path: str, where: str) -> None:
        self.where = where
        self.page.goto(f"{self.url}/{path}")
        self.check("open", graphs=1 if where in ("explore", "label") else 0)

    def button(self, text: str, action: str | None = None, check: bool = True) -> None:
        """Press the visible button whose text is `text` (its shortcut hint aside)."""
        name = re.compile(rf"^{re.escape(text)}( Shortcut .+)?$")
        self.page.get_by_role("button", name=name).filter(visible=True).first.click()
        if check:
            self.check(action or text)

    def switch(self, text: str) -> None:
        """Flip a toggle by clicking its label, as a person does."""
        self.page.locator("label").filter(
            has=self.page.get_by_role("switch", name=text, exact=True)
        ).filter(visible=True).first.click()
        self.check(f"toggle {text}")

    def option(self, group: str, text: str) -> None:
        """Pick `text` in a segmented control (a radio group)."""
        self.page.get_by_role("radiogroup", name=group).get_by_role(
            "radio", name=text, exact=True
        ).click()
        self.check(f"{group} {text}")

    def tab(self, text: str) -> None:
        self.page.get_by_role("tab", name=text, exact=True).click()
        self.check(f"tab {text}")

    def expander(self, text: str) -> None:
        self.page.locator("summary").filter(has_text=text).filter(visible=True).first.click()
        self.check(f"expander {text}")

    def download(self, text: str) -> None:
        with self.page.expect_download() as info:
            self.button(text, check=False)
        assert info.value.suggested_filename, text
        self.check(f"download {text}")

    def number(self, label: str, value: int) -> None:
        field = self.page.get_by_role("spinbutton", name=label, exact=True)
        field.fill(str(value))
        field.press("Enter")
        self.check(f"{label} {value}")

    def key(self, key: str, action: str) -> None:
        self.page.evaluate("document.activeElement.blur()")  # the key must reach the shortcut
        self.page.keyboard.press(key)
        self.check(action)

    # ------------------------------------------------------------ what is checked after each

    def check(self, action: str, graphs: int = 0) -> None:
        page = self.page
        wait_drawn(page, graphs)
        assert_no_exception(page)
        cut = truncated_texts(page)
        assert not cut, f"after {action!r} on {self.where} at {self.size}: truncated {cut}"
        self.agree(action)
        self.n += 1
        screenshot(page, f"walk_{self.where}_{self.size}_{self.n:02d}_{action}", full_page=False)

    def agree(self, action: str) -> None:
        """The numbers above a plane are the points drawn on it (the chart may draw a moment
        after the metrics, so it gets a few seconds to catch up)."""
        page = self.page
        has_labeled = page.get_by_test_id("stMetric").filter(has_text="Labeled").count() > 0
        for _ in range(40):
            drawn = planes(page)
            wanted = []
            if has_labeled and drawn:
                wanted.append((int(metric(page, "Labeled")), drawn[0]["labeled"]))
            for p in drawn:
                if m := RACE_LABELS.search(p["title"]):
                    wanted.append((int(m.group(1)), p["labeled"]))
            if all(a == b for a, b in wanted):
                return
            page.wait_for_timeout(250)
        raise AssertionError(f"after {action!r} on {self.where}: metric vs drawn {wanted}")


@pytest.fixture(params=list(VIEWPORTS))
def walk(browser, app_server, request):
    context = browser.new_context(viewport=VIEWPORTS[request.param])
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield Walk(page, app_server, request.param)
    finally:
        context.close()


def test_explore(walk):
    w = walk
    w.open("", "explore")
    assert metric(w.page, "Labeled") == "60"
    w.button("Step")
    assert metric(w.page, "Labeled") == "61"
    w.button("Step ×10")
    assert metric(w.page, "Labeled") == "71"
    w.button("Play")
    w.page.wait_for_timeout(1500)
    w.button("Pause")
    w.button("Undo")
    for speed in ("Slow", "Fast", "Normal") if w.full else ("Fast",):
        w.option("Speed", speed)
    history = w.page.get_by_role("slider", name=re.compile("History"))
    history.focus()
    history.press("Home")
    w.check("history at step 0")
    assert metric(w.page, "Step").startswith("0 /")
    history.press("End")
    w.check("history at the latest step")
    w.expander("Why this point?")
    w.expander("Why this point?")
    for toggle in ("Utility surface", "Previous boundary", "Band over 5 seeds"):
        w.switch(toggle)
    if w.full:
        w.download("Python script")
        w.download("History (CSV)")
    w.button("Reset")
    assert metric(w.page, "Labeled") == "60"
    for toggle in ("Utility surface", "Previous boundary", "Band over 5 seeds"):
        w.switch(toggle)  # and off again
    w.button("Start cold")
    assert int(metric(w.page, "Labeled")) < 60


def test_sidebar_and_presenter_mode(walk):
    w = walk
    w.open("", "sidebar")
    for name in ("More data options", "Model settings", "Strategy settings"):
        w.expander(name)
    w.button("Copy share link")
    w.switch("Presenter mode")
    w.button("Exit presenter mode")
    assert w.page.get_by_role("switch", name="Presenter mode").is_visible()


def test_label(walk):
    w = walk
    w.open("label", "label")
    assert metric(w.page, "Labeled") == "60"
    w.button("Class A")
    assert metric(w.page, "Labeled") == "61"
    w.key("2", "key 2")
    assert metric(w.page, "Labeled") == "62"
    w.button("Skip")
    w.button("Top pick")
    w.button("Undo")
    assert metric(w.page, "Labeled") == "61"
    if w.full:
        w.download("Labels (CSV)")
        w.download("Session (JSON)")
    w.option("Mode", "You vs the strategy")
    w.switch("Show where Margin asked")
    w.button("Start cold: 2 labels per class, RBF SVM", "race cold start")
    w.button("Restart")
    w.option("Mode", "Label")
    # the cold start replaced a run with labels by you: it was kept, with one way out each
    w.button("Bring it back" if w.full else "Forget it")
    assert metric(w.page, "By you") == ("1" if w.full else "0")


def test_compare(walk):
    w = walk
    w.open("compare", "compare")
    w.switch("Cold start")
    w.switch("Cold start")
    if w.full:
        w.number("Seeds", 2)
        w.number("Label budget", 5)
        w.button("Run comparison")
        w.page.get_by_role("button", name="Download results (CSV)").wait_for(timeout=60_000)
        w.check("comparison done")
        w.download("Download results (CSV)")
        w.number("Seeds", 30)
        w.number("Label budget", 200)
        w.button("Run comparison", check=False)
        w.button("Cancel")
    w.tab("Race")
    w.button("Step")
    w.button("Step ×10")
    w.button("Play")
    w.page.wait_for_timeout(1500)
    w.button("Pause")
    w.switch("Cold start")


def test_learn(walk):
    w = walk
    w.open("learn", "learn")
    w.tab("Strategies")
    w.tab("Lessons")
    if w.full:
        w.page.set_default_timeout(120_000)  # the claim runs its experiment while we wait
        card = w.page.get_by_test_id("stVerticalBlock").filter(
            has=w.page.get_by_role("heading", name=CHEAP_LESSON)
        )
        card.last.get_by_role("button", name="Check this claim").click()
        card.last.get_by_text(re.compile(r"^(Holds|Does not hold): ")).wait_for()  # background
        w.check("check a claim")
        w.page.set_default_timeout(30_000)
        assert w.page.get_by_text(re.compile(r"^(Holds|Does not hold): ")).count() == 1
    opened = w.page.get_by_role("button", name=re.compile(r"^Open in (Explore|Compare)$"))
    for target in ("Explore", "Compare"):
        w.open("learn", "learn")
        opened.filter(has_text=target).first.click()
        w.where = target.lower()
        w.check(f"lesson opened in {target}")
        landed = "Labeled" if target == "Explore" else "Compare strategies"
        assert w.page.get_by_text(landed, exact=True).first.is_visible(), target
