"""The Label page in a real Chromium: click a suggestion and label it, label with keys, undo with
Backspace, box- and lasso-select a group, race a strategy, and upload bad and good CSVs.
Every test checks the Labeled count (or the error) and saves a screenshot in tests/artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import click_data_point, screenshot, wait_idle

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).parent / "bad_csv"
PLANE = 0  # the plane is the first Plotly chart on the page

TRACE_JS = """([i, name]) => {
    const gd = document.querySelectorAll('.js-plotly-plot')[i];
    const t = gd._fullData.find(t => t.name === name);
    if (!t) return null;
    return {x: Array.from(t.x), y: Array.from(t.y), c: Array.from(t.customdata)};
}"""
TO_PIXELS_JS = """([i, pts]) => {
    const gd = document.querySelectorAll('.js-plotly-plot')[i];
    const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, r = gd.getBoundingClientRect();
    return pts.map(([x, y]) => [r.left + xa._offset + xa.l2p(x), r.top + ya._offset + ya.l2p(y)]);
}"""


def metric(page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return box.locator("[data-testid='stMetricValue']").inner_text().strip()


def wait_metric(page, label: str, value: str, timeout_ms: int = 20_000) -> None:
    """Wait until a metric shows `value` (a rerun may start a moment after the key or click)."""
    waited = 0
    while metric(page, label) != value and waited < timeout_ms:
        page.wait_for_timeout(250)
        waited += 250
    assert metric(page, label) == value, f"{label} is {metric(page, label)}, expected {value}"


def eventually(page, check, what: str, timeout_ms: int = 20_000) -> None:
    """Poll a condition on the page (the chart redraws a moment after the metrics)."""
    waited = 0
    while not check() and waited < timeout_ms:
        page.wait_for_timeout(250)
        waited += 250
    assert check(), what


def press(page, key: str) -> None:
    """Click the button with that widget key (Streamlit marks it with class st-key-KEY)."""
    page.locator(f".st-key-{key} button").filter(visible=True).first.click()


def assert_no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0


def open_label(page, url: str) -> None:
    page.goto(f"{url}/label")
    wait_idle(page, settle_ms=800)
    page.locator(".js-plotly-plot").first.wait_for()
    page.wait_for_function(  # the plane has drawn its points
        """() => { const gd = document.querySelector('.js-plotly-plot');
                   return gd && gd._fullData && gd._fullData.some(t => t.name === 'Unlabeled pool'); }"""
    )


def trace(page, name: str, chart: int = PLANE) -> dict:
    data = page.evaluate(TRACE_JS, [chart, name])
    assert data is not None, f"no trace named {name!r} on the chart"
    return data


def selected_text(page) -> str:
    return page.locator("[data-testid='stMarkdown']").filter(has_text="The model says").inner_text()


def click_point(page, x: float, y: float, expect, chart: int = PLANE) -> None:
    """Hover, click, wait; Plotly occasionally misses a click, so retry once before failing."""
    for _ in range(2):
        click_data_point(page, x, y, chart)
        wait_idle(page)
        if expect():
            return
    assert expect(), "the click on the chart did not select the point"


def drag(page, points: list[tuple[float, float]], chart: int = PLANE) -> None:
    """Press at the first data point, move through the others, release (a box or lasso)."""
    pixels = page.evaluate(TO_PIXELS_JS, [chart, points])
    page.mouse.move(*pixels[0])
    page.mouse.down()
    for px, py in pixels[1:]:
        page.mouse.move(px, py, steps=6)
    page.mouse.up()
    wait_idle(page, settle_ms=800)


def modebar(page, title: str) -> None:
    page.locator(".js-plotly-plot").first.hover()
    page.locator(f".modebar-btn[data-title='{title}']").first.click()


# ---------------------------------------------------------------- labeling


def test_click_a_suggested_point_and_label_it(app_server, page):
    open_label(page, app_server)
    assert metric(page, "Labeled") == "60"
    assert "top suggestion" in selected_text(page)
    ranked = trace(page, "Next to ask (rank)")
    point = ranked["c"][1]  # the second suggestion
    click_point(
        page,
        ranked["x"][1],
        ranked["y"][1],
        lambda: f"Point {point}, suggestion 2" in selected_text(page),
    )
    assert trace(page, "Selected")["c"] == [point]  # the red square moved there
    screenshot(page, "label_clicked_suggestion")
    press(page, "label_1")
    wait_idle(page)
    wait_metric(page, "Labeled", "61")
    assert metric(page, "By you") == "1"
    eventually(page, lambda: point in trace(page, "Class B")["c"], "not drawn as Class B")
    assert "top suggestion" in selected_text(page)  # the next one is ready for a key
    assert_no_exception(page)
    screenshot(page, "label_after_click_and_button")


def test_label_with_keys_and_undo_with_backspace(app_server, page):
    open_label(page, app_server)
    first = trace(page, "Selected")["c"][0]
    page.evaluate("document.activeElement.blur()")  # keys must reach the shortcuts
    page.keyboard.press("2")
    wait_idle(page)
    wait_metric(page, "Labeled", "61")
    eventually(page, lambda: first in trace(page, "Class B")["c"], "not drawn as Class B")
    page.keyboard.press("1")
    wait_idle(page)
    wait_metric(page, "Labeled", "62")
    screenshot(page, "label_keys")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Backspace")
    wait_idle(page)
    wait_metric(page, "Labeled", "61")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Backspace")
    wait_idle(page)
    wait_metric(page, "Labeled", "60")
    eventually(page, lambda: trace(page, "Selected")["c"] == [first], "not selected again")
    assert (
        "is unlabeled again"
        in page.locator("[data-testid='stCaptionContainer']").filter(has_text="Undone").inner_text()
    )
    assert_no_exception(page)
    screenshot(page, "label_after_undo")


def test_box_select_labels_a_group(app_server, page):
    open_label(page, app_server)
    modebar(page, "Box Select")
    drag(page, [(1.4, -0.15), (2.1, -0.65)])  # the lower moon's right arm
    text = (
        page.locator("[data-testid='stMarkdown']").filter(has_text="points selected").inner_text()
    )
    n = int(text.split()[0])
    assert n >= 5, text
    group = next(
        t
        for t in page.evaluate(
            """() => document.querySelector('.js-plotly-plot')
                ._fullData.map(t => t.name)"""
        )
        if t.startswith("Selected (")
    )
    assert group == f"Selected ({n})"
    screenshot(page, "label_box_selected")
    press(page, "label_1")
    wait_idle(page)
    wait_metric(page, "Labeled", str(60 + n))
    assert metric(page, "By you") == str(n)
    assert_no_exception(page)
    screenshot(page, "label_box_labeled")


def test_lasso_labels_a_group(app_server, page):
    open_label(page, app_server)
    modebar(page, "Lasso Select")
    drag(page, [(-1.2, 0.6), (-0.2, 1.3), (0.3, 1.0), (-0.6, 0.3), (-1.2, 0.6)])  # upper moon
    text = (
        page.locator("[data-testid='stMarkdown']").filter(has_text="points selected").inner_text()
    )
    n = int(text.split()[0])
    assert n >= 5, text
    screenshot(page, "label_lasso_selected")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("1")
    wait_idle(page)
    wait_metric(page, "Labeled", str(60 + n))
    assert_no_exception(page)
    screenshot(page, "label_lasso_labeled")


def test_race_a_strategy_by_clicking(app_server, page):
    open_label(page, app_server)
    page.locator(".st-key-label_mode button").filter(has_text="You vs the strategy").click()
    wait_idle(page)
    page.get_by_text("Can you beat Margin sampling?").wait_for()
    page.wait_for_function(
        """() => { const gd = document.querySelector('.js-plotly-plot');
                   return gd && gd.layout.title.text.includes('Your picks'); }"""
    )
    assert metric(page, "Your picks") == "0"
    press(page, "race_fair")  # from a cold start the race means something
    wait_idle(page)
    page.get_by_text("Both start from the same 4 labels").wait_for()
    pool = trace(page, "Unlabeled pool")
    click_point(page, pool["x"][3], pool["y"][3], lambda: metric(page, "Your picks") == "1")
    assert (
        "Margin asked 1 too"
        in page.locator("[data-testid='stCaptionContainer']").filter(has_text="asked").inner_text()
    )
    pool = trace(page, "Unlabeled pool")
    click_point(page, pool["x"][40], pool["y"][40], lambda: metric(page, "Your picks") == "2")
    assert_no_exception(page)
    screenshot(page, "label_race")


# ---------------------------------------------------------------- your own data


def test_upload_a_bad_then_a_good_csv(app_server, page):
    open_label(page, app_server)
    press(page, "label_0")
    wait_idle(page)
    wait_metric(page, "By you", "1")
    uploader = page.locator(".st-key-csv_file input[type=file]")
    uploader.set_input_files(str(CORPUS / "decimal_comma.csv"))
    wait_idle(page, settle_ms=800)
    alert = page.locator("[data-testid='stAlert']").filter(has_text="was not loaded")
    alert.wait_for()
    assert "decimals with a dot" in alert.inner_text()
    assert "Your current session is kept" in alert.inner_text()
    assert metric(page, "By you") == "1"
    alert.scroll_into_view_if_needed()
    screenshot(page, "label_upload_bad_csv")
    uploader.set_input_files(str(CORPUS / "good_5d_unlabeled.csv"))
    wait_idle(page, settle_ms=800)
    page.get_by_text("Labeling good_5d_unlabeled.csv").wait_for()
    assert metric(page, "Labeled") == "0"
    assert page.get_by_text("principal components").first.is_visible()
    page.locator("[data-testid='stMetric']").filter(has_text="Confidence").wait_for()
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("1")
    wait_idle(page)
    wait_metric(page, "Labeled", "1")
    assert_no_exception(page)
    page.get_by_text("was kept").first.scroll_into_view_if_needed()
    screenshot(page, "label_upload_good_csv")


def test_download_the_session_and_upload_it_again(app_server, page, tmp_path):
    open_label(page, app_server)
    for key in "2121":
        page.evaluate("document.activeElement.blur()")
        page.keyboard.press(key)
        wait_idle(page)
    wait_metric(page, "Labeled", "64")
    with page.expect_download() as info:
        press(page, "dl_labels")
    info.value.save_as(tmp_path / "labels.csv")
    labels = (tmp_path / "labels.csv").read_text()
    assert labels.splitlines()[0] == "row_index,Feature 1,Feature 2,label,labeled_by,step"
    assert len(labels.splitlines()) == 1 + 64 and labels.count(",you,") == 4
    with page.expect_download() as info:
        press(page, "dl_session")
    saved = tmp_path / "session.json"
    info.value.save_as(saved)
    # a fresh visitor continues where this one stopped
    other = page.context.browser.new_context(viewport={"width": 1400, "height": 900})
    fresh = other.new_page()
    try:
        open_label(fresh, app_server)
        assert metric(fresh, "Labeled") == "60"
        fresh.locator(".st-key-session_file input[type=file]").set_input_files(str(saved))
        wait_idle(fresh)
        wait_metric(fresh, "Labeled", "64")
        assert metric(fresh, "By you") == "4"
        assert_no_exception(fresh)
        screenshot(fresh, "label_session_restored")
    finally:
        other.close()
