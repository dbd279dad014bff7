"""Classroom features in Chromium: a share link reopened elsewhere, presenter mode at 1280×720."""

import pytest
from browser_helpers import screenshot, wait_idle
from test_explore_browser import metric, press

pytestmark = pytest.mark.browser


def test_share_link_reproduces_the_run_in_a_fresh_browser(app_server, browser, page):
    page.goto(app_server)
    wait_idle(page)
    for _ in range(3):
        press(page, "step")
        wait_idle(page)
    wait_idle(page, settle_ms=800)
    link = page.url
    assert "q=" in link
    labeled, accuracy = metric(page, "Labeled"), metric(page, "Accuracy")
    other = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        fresh = other.new_page()
        fresh.goto(link)
        wait_idle(fresh, settle_ms=800)
        assert (metric(fresh, "Labeled"), metric(fresh, "Accuracy")) == (labeled, accuracy)
        screenshot(fresh, "share_link_reopened")
        fresh.reload()  # a refresh loses nothing
        wait_idle(fresh, settle_ms=800)
        assert metric(fresh, "Labeled") == labeled
    finally:
        other.close()


def test_presenter_mode_at_projector_size(app_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        pg = context.new_page()
        pg.goto(f"{app_server}/?present=1")
        wait_idle(pg, settle_ms=1000)
        press(pg, "step")
        wait_idle(pg, settle_ms=1000)
        assert metric(pg, "Labeled") == "61"
        value = pg.locator("[data-testid='stMetricValue']").filter(visible=True).first
        size = value.evaluate(
            "el => parseFloat(getComputedStyle(el.querySelector('div') || el).fontSize)"
        )
        assert size >= 40, size  # readable from the back of a room
        assert (
            not pg.get_by_test_id("stSidebar").is_visible()
            or pg.get_by_test_id("stSidebar").get_attribute("aria-expanded") == "false"
        )
        screenshot(pg, "presenter_1280x720", full_page=False)
    finally:
        context.close()
