"""Explore in a real Chromium: Step, Space, Play, deep links on a fresh server, screenshots."""

import pytest
from browser_helpers import screenshot, wait_idle

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
    press(page, "play")
    page.wait_for_timeout(3500)
    press(page, "play")
    wait_idle(page, settle_ms=1200)
    labeled = int(metric(page, "Labeled"))
    assert labeled >= 63, labeled  # Normal speed steps every 0.5 s
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
