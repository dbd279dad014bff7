"""Labeling real things in a real Chromium: digits by their images (keys, the image changes, a
thumbnail on hover) and the shipped text example (one click, the text shown, a key labels it).
Screenshots go to tests/artifacts/."""

from __future__ import annotations

import pytest
from browser_helpers import screenshot, wait_idle
from test_label_browser import assert_no_exception, eventually, metric, wait_metric

pytestmark = pytest.mark.browser

PLANE_DRAWN = """() => { const gd = document.querySelector('.js-plotly-plot');
    return gd && gd._fullData && gd._fullData.some(t => t.name.startsWith('Unlabeled')); }"""
ITEM_IMAGE = ".asknext-items img"
ITEM_TEXT = ".asknext-text"


def open_page(page, url: str) -> None:
    page.goto(url)
    wait_idle(page, settle_ms=800)
    page.wait_for_function(PLANE_DRAWN, timeout=30_000)


def test_label_three_digits_by_keys_and_see_each_image(app_server, page):
    open_page(page, f"{app_server}/label?ds=digits&learn=all")
    assert page.locator("[data-testid='stRadio']").filter(has_text="Model learns in").count()
    seen = [page.locator(ITEM_IMAGE).first.get_attribute("src")]
    assert seen[0].startswith("data:image/png;base64,")
    assert page.locator(ITEM_IMAGE).first.bounding_box()["width"] >= 160
    labeled = int(metric(page, "Labeled"))
    for _ in range(3):
        page.evaluate("document.activeElement.blur()")  # keys must reach the shortcuts
        page.keyboard.press("1")
        labeled += 1
        wait_idle(page)
        wait_metric(page, "Labeled", str(labeled))
        eventually(
            page,
            lambda: page.locator(ITEM_IMAGE).first.get_attribute("src") != seen[-1],
            "the image did not change after a label",
        )
        seen.append(page.locator(ITEM_IMAGE).first.get_attribute("src"))
    assert len(set(seen)) == 4  # four different digits: the suggestion moved on each time
    # Hovering a point draws its image under the pointer.
    xy = page.evaluate(
        """() => { const gd = document.querySelector('.js-plotly-plot');
        const t = gd._fullData.find(t => t.name.startsWith('Unlabeled'));
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, r = gd.getBoundingClientRect();
        return [r.left + xa._offset + xa.l2p(t.x[0]), r.top + ya._offset + ya.l2p(t.y[0])]; }"""
    )
    thumb = page.locator("canvas.asknext-thumb")
    for dx in (0, 1, -1):  # plotly's hover can miss the first move
        page.mouse.move(xy[0] + dx, xy[1])
        page.wait_for_timeout(300)
        if thumb.count() and thumb.is_visible():
            break
    assert thumb.is_visible(), "no thumbnail on hover"
    screenshot(page, "items_digits_label", full_page=False)
    assert_no_exception(page)


def test_the_text_example_loads_in_one_click_and_shows_each_text(app_server, page):
    page.goto(f"{app_server}/label")
    wait_idle(page, settle_ms=800)
    page.locator(".st-key-load_text_example button").filter(visible=True).first.click()
    wait_idle(page, settle_ms=800)
    page.wait_for_function(PLANE_DRAWN, timeout=30_000)
    text = page.locator(ITEM_TEXT).first
    text.wait_for()
    first = text.inner_text()
    assert first.startswith("Row ") and len(first) > 20  # the CSV row, then its text
    labeled = int(metric(page, "Labeled"))
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("1")
    wait_idle(page)
    wait_metric(page, "Labeled", str(labeled + 1))
    eventually(page, lambda: text.inner_text() != first, "the text did not change after a label")
    assert page.locator("[data-testid='stRadio'] input[type=radio]:checked").count() == 1
    page.locator(ITEM_TEXT).first.scroll_into_view_if_needed()
    screenshot(page, "items_text_label", full_page=False)
    assert_no_exception(page)
