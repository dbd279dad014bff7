"""Regression tests, in Chromium, for the defects of issue 12 that only a browser shows (the
numbers are the issue's; the headless ones are in test_defects_app.py). Each drives the page as
the issue's steps do and measures what is drawn: metrics, chart traces, screen boxes."""

from __future__ import annotations

import re

import pytest
from browser_helpers import (
    graph_parts,
    inside,
    overlap,
    planes,
    screenshot,
    truncated_texts,
    wait_drawn,
)
from test_explore_browser import assert_no_exception, metric
from test_label_browser import click_point, eventually, trace, wait_metric

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1280, "height": 720}
PAGES = {"explore": "", "label": "label", "compare": "compare", "learn": "learn"}


@pytest.fixture
def projector(browser):
    """A page at 1280×720, the projector the issue was found on."""
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


def button(page, text: str):
    """The visible button whose text is `text` (a shortcut hint beside it aside)."""
    name = re.compile(rf"^{re.escape(text)}( Shortcut .+)?$")
    return page.get_by_role("button", name=name).filter(visible=True).first


# ---------------------------------------------------------------- 1. Start cold


def model(sidebar) -> str:
    """The model the sidebar's Model select box shows."""
    field = sidebar.get_by_role("combobox", name="Model", exact=True)
    return field.aria_snapshot()  # - combobox "Model": SVM (RBF kernel)


def test_1_start_cold_starts_cold_after_a_step_and_a_page_change(app_server, page):
    page.goto(app_server)
    wait_drawn(page, graphs=2)
    assert metric(page, "Labeled") == "60"
    button(page, "Start cold").click()
    wait_drawn(page, graphs=2)
    wait_metric(page, "Labeled", "4")  # 2 labels per class of the two moons
    sidebar = page.get_by_test_id("stSidebar")
    assert "SVM (RBF kernel)" in model(sidebar)
    assert sidebar.get_by_role("spinbutton", name="Initial labels").input_value() == "4"
    eventually(page, lambda: planes(page)[0]["labeled"] == 4, "the plane does not draw 4 labels")
    button(page, "Step").click()
    wait_drawn(page, graphs=2)
    wait_metric(page, "Labeled", "5")
    page.get_by_role("link", name="Label").click()
    wait_drawn(page, graphs=1)
    wait_metric(page, "Labeled", "5")  # the same cold run on the Label page
    page.get_by_role("link", name="Explore").click()
    wait_drawn(page, graphs=2)
    wait_metric(page, "Labeled", "5")
    assert "SVM (RBF kernel)" in model(sidebar)
    assert sidebar.get_by_role("spinbutton", name="Initial labels").input_value() == "4"
    assert_no_exception(page)
    screenshot(page, "defect_1_start_cold")


# ---------------------------------------------------------------- 2. presenter mode


def assert_way_out(page) -> None:
    """Every page and the way back to normal mode are on screen, whatever the sidebar does."""
    screen = {"left": 0, "top": 0, "right": PROJECTOR["width"], "bottom": PROJECTOR["height"]}
    for name in ("Explore", "Label", "Compare", "Learn"):
        link = page.get_by_role("link", name=name, exact=True).filter(visible=True).first
        assert inside(box(link), screen), f"no visible link to {name}"
    leave = button(page, "Exit presenter mode")
    assert leave.is_visible() and inside(box(leave), screen)


def box(locator) -> dict:
    b = locator.bounding_box()
    assert b is not None, locator
    return {
        "left": b["x"],
        "top": b["y"],
        "right": b["x"] + b["width"],
        "bottom": b["y"] + b["height"],
    }


def assert_whole(page, index: int, on_screen: bool, what: str) -> None:
    """A graph's legend, axis titles and tick labels lie within the graph (nothing clipped),
    and with `on_screen` within the viewport too (nothing below the fold)."""
    parts = graph_parts(page, index, [".legend", ".g-xtitle", ".g-ytitle", ".xtick text"])
    assert parts[".g-xtitle"], f"{what}: no x-axis title drawn"
    for name in (".legend", ".g-xtitle", ".g-ytitle", ".xtick text"):
        for b in parts[name]:
            assert inside(b, parts["graph"]), (
                f"{what}: {name} {b} outside its graph {parts['graph']}"
            )
            if on_screen:
                assert inside(b, parts["viewport"]), f"{what}: {name} {b} off screen at 1280×720"


@pytest.mark.parametrize("name", list(PAGES))
def test_2_presenter_mode_keeps_a_way_out_and_the_whole_chart(app_server, projector, name):
    page = projector
    page.goto(f"{app_server}/{PAGES[name]}?present=1")
    wait_drawn(page, graphs=1 if name in ("explore", "label") else 0)
    assert_way_out(page)
    if name in ("explore", "label"):
        assert_whole(page, planes(page)[0]["index"], on_screen=True, what=f"{name} plane")
    if name == "label":
        page.evaluate("document.activeElement.blur()")
        page.keyboard.press("1")  # the curve starts with the first label
        wait_metric(page, "Labeled", "61")
        wait_drawn(page, graphs=2)
        curve = next(i for i in range(2) if i not in [p["index"] for p in planes(page)])
        assert_whole(page, curve, on_screen=False, what="the Label page's curve")
    if name == "compare":
        page.get_by_role("tab", name="Race").click()
        wait_drawn(page, graphs=3)
        for i in range(3):
            assert_whole(page, i, on_screen=False, what=f"Compare graph {i}")
    assert not truncated_texts(page)
    assert_no_exception(page)
    screenshot(page, f"defect_2_presenter_{name}_1280x720", full_page=False)
    button(page, "Exit presenter mode").click()
    wait_drawn(page)
    assert page.get_by_role("switch", name="Presenter mode").is_visible()  # the sidebar is back
    assert not button(page, "Exit presenter mode").is_visible()


def test_2_the_sidebar_toggle_leaves_a_way_back(app_server, projector):
    page = projector
    page.goto(app_server)
    wait_drawn(page, graphs=2)
    page.locator("label").filter(has=page.get_by_role("switch", name="Presenter mode")).click()
    wait_drawn(page, graphs=2)
    assert_way_out(page)
    page.get_by_role("link", name="Label", exact=True).filter(visible=True).first.click()
    wait_drawn(page, graphs=1)
    assert_way_out(page)  # still presenting on the next page, still a way out
    assert_no_exception(page)
    screenshot(page, "defect_2_presenter_toggle_label", full_page=False)


# ---------------------------------------------------------------- 3. truncated controls


def test_3_controls_keep_their_whole_labels_at_1280x720(app_server, projector):
    page = projector
    page.goto(app_server)
    wait_drawn(page, graphs=2)
    assert not truncated_texts(page)
    main = page.get_by_test_id("stMain")
    for text in ("Step", "Step ×10", "Undo", "Reset"):
        assert button(page, text).is_visible(), text
    for text in ("Utility surface", "Previous boundary", "Uncertainty band", "Speed"):
        label = main.get_by_text(text, exact=True).first
        label.scroll_into_view_if_needed()
        assert label.is_visible(), f"{text} has no visible label"
    assert not truncated_texts(page)
    screenshot(page, "defect_3_explore_1280x720")


# ---------------------------------------------------------------- 4. the random baseline


def curve_ends(page) -> dict[str, float]:
    """The last label count of every learning curve drawn on the page, by trace name."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.asknext-graph')]
             .filter(g => !(g._fullData || []).some(t => t.name === 'Unlabeled pool'))
             .flatMap(g => (g._fullData || []).filter(t => t.mode && t.mode.includes('lines'))
             .map(t => [t.name, Math.max(...Array.from(t.x))])))"""
    )


@pytest.mark.parametrize(
    "query", ["ds=blobs&classes=3&model=knn&strat=coreset", "ds=xor&model=mlp"]
)
def test_4_the_random_baseline_catches_up(app_server, page, query):
    page.goto(f"{app_server}/?{query}")
    wait_drawn(page, graphs=2)
    for _ in range(3):
        button(page, "Step ×10").click()
        wait_drawn(page, graphs=2)
    wait_metric(page, "Labeled", str(int(metric(page, "Labeled"))))
    labeled = int(metric(page, "Labeled"))

    def caught_up() -> bool:
        ends = curve_ends(page)
        return (
            metric(page, "vs random") != "—"
            and page.get_by_text("The random baseline is catching up").count() == 0
            and ends.get("Random") == labeled
        )

    eventually(page, caught_up, f"random has not caught up: {curve_ends(page)}", 45_000)
    assert len(set(curve_ends(page).values())) == 1  # every curve ends at the same label count
    assert_no_exception(page)
    screenshot(page, f"defect_4_random_caught_up_{query.split('&')[0]}")


# ---------------------------------------------------------------- 11. charts do not jump

SAMPLE_FRAMES_JS = """() => {
  window.__frames = [];
  const look = () => {
    const graphs = [...document.querySelectorAll('.asknext-graph')];
    const plane = graphs[0];
    const drawn = graphs.filter(g => g.querySelector('.main-svg .scatterlayer .trace'));
    window.__frames.push({top: plane ? plane.getBoundingClientRect().top + scrollY : null,
                          drawn: drawn.length, graphs: graphs.length});
    if (window.__sampling) requestAnimationFrame(look);
  };
  window.__sampling = true;
  requestAnimationFrame(look);
}"""


def test_11_during_play_the_plane_stays_put_and_never_blank(app_server, page):
    page.goto(app_server)
    wait_drawn(page, graphs=2)
    page.evaluate(SAMPLE_FRAMES_JS)
    button(page, "Play").click()
    page.wait_for_timeout(5000)
    button(page, "Pause").click()
    wait_drawn(page, graphs=2)
    frames = page.evaluate("() => { window.__sampling = false; return window.__frames; }")
    assert int(metric(page, "Labeled")) >= 63  # it did play
    tops = [f["top"] for f in frames if f["top"] is not None]
    assert len(tops) > 30 and max(tops) - min(tops) <= 2, (min(tops), max(tops))
    assert all(f["drawn"] >= 1 for f in frames), "a frame with both charts blank"
    assert all(f["graphs"] == 2 for f in frames)  # never unmounted
    assert_no_exception(page)
    screenshot(page, "defect_11_after_play")


# ---------------------------------------------------------------- 12. overlapping text


def test_12_race_planes_keep_the_axis_title_clear_of_the_legend(app_server, page):
    page.goto(f"{app_server}/compare")
    wait_drawn(page)
    page.get_by_role("tab", name="Race").click()
    wait_drawn(page, graphs=3)
    button(page, "Step ×10").click()  # "Just labeled" joins the legend
    wait_drawn(page, graphs=3)
    race = [p["index"] for p in planes(page)]
    assert len(race) == 2
    for i in race:
        parts = graph_parts(page, i, [".g-xtitle", ".legend .traces"])
        assert parts[".g-xtitle"] and parts[".legend .traces"]
        for entry in parts[".legend .traces"]:
            assert not overlap(parts[".g-xtitle"][0], entry), (parts[".g-xtitle"], entry)
    assert_no_exception(page)
    screenshot(page, "defect_12_race_planes")


TARGET_VS_LINE_JS = """() => {
  for (const gd of document.querySelectorAll('.asknext-graph')) {
    const note = [...gd.querySelectorAll('.annotation-text')].find(t => t.textContent.startsWith('target'));
    if (!note) continue;
    const r = note.getBoundingClientRect();
    const hits = [];
    for (const trace of gd.querySelectorAll('.scatterlayer .trace')) {
      const d = trace.__data__ && trace.__data__[0] && trace.__data__[0].trace;
      if (!d || d.name !== 'You') continue;
      for (const path of trace.querySelectorAll('path.js-line, path.point')) {
        const m = path.getScreenCTM(), n = path.getTotalLength();
        for (let s = 0; s <= n; s += 2) {
          const p = path.getPointAtLength(s);
          const x = m.a * p.x + m.c * p.y + m.e, y = m.b * p.x + m.d * p.y + m.f;
          if (x > r.left && x < r.right && y > r.top && y < r.bottom) hits.push([x, y]);
        }
      }
    }
    return {box: [r.left, r.top, r.right, r.bottom], hits: hits.length};
  }
  return null;
}"""


def test_12_the_target_label_stays_off_the_you_line(app_server, page):
    page.goto(f"{app_server}/label")
    wait_drawn(page, graphs=1)
    page.get_by_role("radio", name="You vs the strategy").click()
    wait_drawn(page, graphs=2)
    button(page, "Start cold: 2 labels per class, RBF SVM").click()
    wait_drawn(page, graphs=2)
    for n in (1, 2, 3):
        pool = trace(page, "Unlabeled pool")
        k = 37 * n
        click_point(
            page, pool["x"][k], pool["y"][k], lambda n=n: metric(page, "Your picks") == str(n)
        )
    wait_drawn(page, graphs=2)
    found = page.evaluate(TARGET_VS_LINE_JS)
    assert found is not None, "no target label on the race curve"
    assert found["hits"] == 0, found
    assert_no_exception(page)
    screenshot(page, "defect_12_target_label")


# ---------------------------------------------------------------- 13. Space on a hidden tab


def test_13_space_on_many_seeds_does_not_step_the_hidden_race(app_server, page):
    page.goto(f"{app_server}/compare")
    wait_drawn(page)
    page.get_by_role("tab", name="Race").click()
    wait_drawn(page, graphs=3)
    before = [p["title"] for p in planes(page)]
    assert all("with 4 labels" in t for t in before), before
    page.get_by_role("tab", name="Many seeds").click()
    wait_drawn(page)
    page.evaluate("document.activeElement.blur()")
    for _ in range(3):
        page.keyboard.press("Space")
        wait_drawn(page)
    page.get_by_role("tab", name="Race").click()
    wait_drawn(page, graphs=3)
    assert [p["title"] for p in planes(page)] == before
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Space")  # on the race's own tab, Space does step it
    wait_drawn(page, graphs=3)
    eventually(
        page,
        lambda: all("with 5 labels" in p["title"] for p in planes(page)),
        f"Space on the Race tab did not step: {[p['title'] for p in planes(page)]}",
    )
    assert_no_exception(page)
    screenshot(page, "defect_13_space_on_tabs")
