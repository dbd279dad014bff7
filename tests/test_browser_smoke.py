"""Smoke test: the app starts under `streamlit run` and renders in a real Chromium."""

import pytest
from browser_helpers import screenshot, wait_idle

pytestmark = pytest.mark.browser


def test_app_renders_title(app_server, page):
    page.goto(app_server)
    wait_idle(page)

    # The document title carries the app's name (set by st.set_page_config; with multipage
    # navigation it may read "<Page> · Ask Next"); otherwise the main heading must show it.
    headings = page.locator("h1").all_inner_texts()
    assert "Ask Next" in page.title() or any("Ask Next" in h for h in headings), (
        page.title(),
        headings,
    )
    # The app must have rendered, not crashed: no exception box on the page.
    assert page.locator("[data-testid='stException']").count() == 0

    path = screenshot(page, "smoke")
    assert path.stat().st_size > 0
