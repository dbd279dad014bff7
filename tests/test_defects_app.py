"""Regression tests, headless, for the defects of the issue "In a real browser, every control does
what it says and every number is true" that a page run can show (the numbers are the issue's).
The ones only a browser shows are in test_defects_browser.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from al_core.data import load_csv
from al_core.present.views import plane_view, why_table

CORPUS = Path(__file__).parent / "bad_csv"


def open_page(page: str = "", query: dict | None = None) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=90)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_4_the_random_baseline_catches_up_on_a_slow_model_run_by_run():
    at = open_page(query={"ds": "spirals", "model": "forest", "strat": "coreset"})
    for _ in range(3):
        at.button(key="step10").click().run()
    run, twin = at.session_state["learner"], at.session_state["twin"]
    for _ in range(40):  # each run is what the chart's "refresh" asks for once it has drawn
        if twin.n_labeled == run.n_labeled:
            break
        at.run()
    assert twin.n_labeled == run.n_labeled == 90
    at.run()
    assert metric(at, "vs random") != "—"
    assert not any("catching up" in c.value for c in at.caption)


def test_5_why_this_point_follows_the_history_slider():
    at = open_page()
    for _ in range(12):
        at.button(key="step").click().run()
    at.slider(key="history").set_value(0).run()
    run = at.session_state["learner"]
    ring = plane_view(run, step=0).candidates
    table = why_table(run, 0)
    assert int(table.iloc[0]["Point"]) == int(ring[0]) == run.steps[1].queried[0]
    assert any(str(ring[0]) in m.value for m in at.markdown)  # the table on the page says so


def test_8_many_classes_keep_their_names_on_the_label_buttons():
    at = open_page("label", {"ds": "blobs", "classes": "5"})
    names = [at.button(key=f"label_{c}").label for c in range(5)]
    assert names == ["Class A", "Class B", "Class C", "Class D", "Class E"]


def test_9_two_classes_say_why_three_measures_draw_one_curve():
    at = open_page("compare")
    at.multiselect(key="cmp_strategies").set_value(["least_confident", "margin"]).run()
    assert any("rank every point the same way" in i.value for i in at.info)
    at.selectbox(key="cfg_dataset").set_value("blobs").run()
    assert not any("rank every point the same way" in i.value for i in at.info)


def test_10_the_race_never_says_not_yet_when_the_start_already_reaches_the_target():
    at = open_page("label")
    at.segmented_control(key="label_mode").set_value("You vs the strategy").run()
    verdict = " ".join(m.value for m in at.markdown)
    if "already reach the target" in verdict:  # the default start: 60 labels
        assert metric(at, "Labels to target") == "reached at start"


def test_14_reset_in_a_lesson_goes_back_to_the_lessons_own_start():
    at = open_page("learn")
    at.button(key="open_sampling-bias").click().run()
    at.switch_page("app_pages/explore.py").run()  # where the browser now is
    run = at.session_state["learner"]
    start = run.n_labeled
    assert start == 8 and run.start_step == 1
    at.button(key="step10").click().run()
    at.button(key="reset").click().run()
    run = at.session_state["learner"]
    assert run.n_labeled == start and metric(at, "Labeled") == "8"
    assert plane_view(run).trained  # a model, not a blank (or black) plane
    at.button(key="undo").click().run()  # the start is not undone either
    assert at.session_state["learner"].n_labeled == start


def test_15_explore_on_an_unlabeled_csv_offers_no_step_that_would_fail():
    at = open_page("label")
    data = (CORPUS / "good_5d_unlabeled.csv").read_bytes()
    at.file_uploader(key="csv_file").set_value(("u.csv", data, "text/csv")).run()
    at.switch_page("app_pages/explore.py").run()
    assert not at.exception and not at.error
    assert at.button(key="step").disabled and at.button(key="step10").disabled
    assert any("label the points yourself" in c.value for c in at.caption)


def test_16_the_label_noise_lesson_says_its_noise_and_uploads_say_what_is_held_out():
    at = open_page("learn")
    at.button(key="open_label-noise").click().run()
    assert any("oracle noise 30%" in c.value for c in at.caption)
    at = open_page("label")
    data = (CORPUS / "good_2d_labeled.csv").read_bytes()
    at.file_uploader(key="csv_file").set_value(("l.csv", data, "text/csv")).run()
    ds = load_csv(data)
    said = " ".join(c.value for c in at.caption)
    assert f"{len(ds)} are the pool to label" in said and "held out" in said
    assert not [w for w in at.number_input if w.key in ("cfg_n_samples",)]
    assert not [w for w in at.slider if w.key == "cfg_noise"]


def test_16_set_aside_points_are_counted_in_words():
    at = open_page("label")
    at.button(key="label_skip").click().run()
    assert any("1 point set aside: it stays" in c.value for c in at.caption)


def test_17_the_sidebar_offers_the_share_link_the_readme_promises():
    at = open_page()
    assert any("The link holds the whole run" in c.value for c in at.sidebar.caption)
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert "Copy share link" in readme


def test_7_a_plane_without_two_classes_is_light_not_black():
    at = open_page(query={"init": "0"})
    view = plane_view(at.session_state["learner"])
    assert not view.trained
    from al_core.present.figures import plane_spec

    source = plane_spec(view)["layout"]["images"][0]["source"]
    import base64
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("RGB")
    assert np.asarray(image).mean() > 200  # near-white, not a field of boundary lines
