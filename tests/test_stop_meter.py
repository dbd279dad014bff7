"""The stopping meter: what it says (al_core.present.stop_meter) and on the pages (AppTest)."""

from __future__ import annotations

import numpy as np
from streamlit.testing.v1 import AppTest

from al_core import Config, Learner
from al_core.experiments.runner import full_pool_accuracy
from al_core.loop.stopping import StopTrace
from al_core.present.stop_meter import meter, sparkline_svg


def _stepped(config: Config, n: int) -> tuple[Learner, StopTrace]:
    run = Learner(config)
    trace = StopTrace.attach(run)
    run.advance(run.n_labeled + n)
    return run, trace


def test_meter_fires_on_the_default_scenario_and_shows_the_targets():
    run, trace = _stepped(Config(), 20)
    full = full_pool_accuracy(run.config)
    acc = run.curve()[1]
    fired = trace.series("kappa")
    first = next(i for i in range(3, len(fired)) if np.mean(fired[i - 2 : i + 1]) >= 0.99)
    m = meter(trace, "kappa", None, run.step_number, acc, full)
    assert m.fired_now and m.status == "You could stop here" and m.fired_at == first
    assert m.value == f"κ {fired[-1]:.3f}"
    # 60 labels already give 95% of the full-data accuracy: reached at step 0
    assert m.reached[0] == 0
    before = meter(trace, "kappa", None, first - 1, acc, full)  # the meter as it was then
    assert not before.fired_now and before.fired_at is None and before.status == "Not yet"
    strict = meter(trace, "kappa", 1.0, run.step_number, acc, full)
    assert strict.fired_at is None or strict.fired_at > first


def test_meter_on_a_cold_start_and_without_truth():
    run, trace = _stepped(Config(initial=0, model="svm_rbf", seed=1), 1)
    m = meter(trace, "kappa", None, 0)
    assert m.status == "No model yet" and m.value == "κ —" and m.reached is None
    u = meter(trace, "uncertainty", 0.5, run.step_number)
    assert u.value.startswith("H ")


def test_sparkline_draws_the_threshold_gaps_and_the_firing():
    svg = sparkline_svg(np.array([np.nan, 0.9, 0.95, 1.0, 1.0]), 0.99, 4, True)
    assert svg.startswith("<svg") and svg.count("<polyline") == 1
    assert 'stroke-dasharray="3 2"' in svg  # the threshold
    assert svg.count("<circle") == 1  # the first firing
    none = sparkline_svg(np.array([np.nan, np.nan]), 0.99, None, True)
    assert "<polyline" not in none and "<circle" not in none


def _open(page: str | None = None) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60).run()
    assert not at.exception, at.exception
    if page:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def _meter_html(at: AppTest) -> str:
    return next(h.proto.body for h in at.get("html") if "asknext-stop" in h.proto.body)


def test_explore_meter_steps_undoes_and_switches_criterion():
    at = _open()
    assert "No model yet" not in _meter_html(at) and "Not yet" in _meter_html(at)
    for _ in range(2):
        at.button(key="step10").click().run()
    html = _meter_html(at)
    assert "You could stop here" in html and "95% of full data: step 0" in html
    at.button(key="undo").click().run()  # the trace follows undo
    assert len(at.session_state["stop_trace"].points) == 20
    at.selectbox(key="stop_criterion").set_value("uncertainty").run()
    assert "Overall uncertainty" in _meter_html(at) and "You could stop here" not in _meter_html(at)
    at.slider(key="stop_threshold_uncertainty").set_value(1.0).run()
    assert "You could stop here" in _meter_html(at)
    assert not at.exception


def test_label_meter_follows_your_labels():
    at = _open("app_pages/label.py")
    assert "Stop? Stabilizing predictions" in _meter_html(at)
    at.button(key="label_0").click().run()
    assert not at.exception, at.exception
    assert len(at.session_state["stop_trace"].points) == 2
