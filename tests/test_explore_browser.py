"""Explore in a real Chromium: Step, Space, Play, deep links on a fresh server, screenshots."""

import pytest
from browser_helpers import screenshot, wait_drawn, wait_idle

pytestmark = pytest.mark.browser


def metric(page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return box.locator("[data-testid='stMetricValue']").inner_text().strip()


def press(page, key: str) -> None:
    """Click the button with that widget key (Streamlit marks it with class st-key-KEY)."""
    page.locator(f".st-key-{key} button").filter(visible=True).first.click()


def assert_no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0


def test_step_button_and_space_key(app_server, page):
    page.goto(app_server)
    wait_idle(page)
    assert metric(page, "Labeled") == "60"
    screenshot(page, "explore_default")
    press(page, "step")
    wait_idle(page)
    assert metric(page, "Labeled") == "61"
    page.evaluate("document.activeElement.blur()")  # Space must reach the shortcut, not a button
    page.keyboard.press("Space")
    wait_idle(page)
    assert metric(page, "Labeled") == "62"
    assert page.locator(".js-plotly-plot").count() >= 2
    assert_no_exception(page)
    screenshot(page, "explore_after_steps")


def test_play_runs_until_paused(app_server, page):
    page.goto(app_server)
    wait_idle(page)
    wait_drawn(page)  # Play is paced by the chart: it asks for a step once it has drawn one
    press(page, "play")
    # Normal speed steps every 0.5 s; a loaded machine may be slower, never stuck.
    for _ in range(80):
        page.wait_for_timeout(250)
        if int(metric(page, "Labeled")) >= 63:
            break
    press(page, "play")
    wait_idle(page, settle_ms=1200)
    labeled = int(metric(page, "Labeled"))
    assert labeled >= 63, labeled
    page.wait_for_timeout(1500)
    assert int(metric(page, "Labeled")) == labeled  # paused means paused
    assert_no_exception(page)
    screenshot(page, "explore_after_play")


def test_three_class_dataset(app_server, page):
    page.goto(app_server)
    wait_idle(page)
    page.get_by_test_id("stSelectbox").filter(has_text="Dataset").click()
    page.get_by_role("option", name="Blobs").click()
    wait_idle(page)
    for _ in range(3):
        press(page, "step")
        wait_idle(page)
    assert metric(page, "Labeled") == "63"
    assert_no_exception(page)
    screenshot(page, "explore_blobs")


@pytest.mark.parametrize("path", ["", "label", "compare", "learn"])
def test_deep_link_on_a_fresh_server(fresh_server, page, path):
    """A fresh server routes a first deep link the legacy way; the page must still work."""
    url = fresh_server()
    page.goto(f"{url}/{path}")
    wait_idle(page, settle_ms=800)
    assert_no_exception(page)
    sidebar = page.get_by_test_id("stSidebar")
    assert "Configuration" in sidebar.inner_text()
    nav = page.get_by_test_id("stSidebarNav").inner_text()
    assert all(name in nav for name in ("Explore", "Label", "Compare", "Learn")), nav
    screenshot(page, f"deep_link_{path or 'explore'}")


def test_a_step_redraws_the_same_chart_node_in_place(app_server, page):
    """The live chart stays mounted: no remount, no new WebGL context, zoom kept."""
    page.goto(app_server)
    page.wait_for_selector(".asknext-graph .main-svg")
    wait_idle(page)
    page.evaluate("document.querySelector('.asknext-graph').__sameNode = true")
    drawn = int(page.evaluate("document.querySelector('.asknext-graph').dataset.drawn"))
    for expected in ("61", "62"):
        press(page, "step")
        wait_idle(page)
        assert metric(page, "Labeled") == expected
    graph = page.locator(".asknext-graph").first
    page.wait_for_function(
        "d => +document.querySelector('.asknext-graph').dataset.drawn > d", arg=drawn
    )
    assert graph.evaluate("g => g.__sameNode === true")  # the very node from before the Steps
    assert graph.evaluate("g => g.dataset.step") == "2"
    labeled = graph.evaluate(
        "g => g._fullData.filter(t => t.name.startsWith('Class')).reduce((n, t) => n + t._length, 0)"
    )
    assert labeled == 62  # the chart shows what the Labeled metric says
    assert_no_exception(page)


def test_a_chart_that_cannot_draw_says_so_in_words(app_server, page):
    page.route("**/app/static/plotly.min.js*", lambda route: route.abort())
    page.goto(app_server)
    note = page.locator(".asknext-chart-note").first
    note.wait_for(timeout=30_000)
    assert "could not be drawn" in note.inner_text()
    assert "plotly.js could not be loaded" in note.inner_text()
    screenshot(page, "chart_cannot_draw")
