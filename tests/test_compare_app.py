"""Compare page headless: a small many-seeds run end to end, and the race."""

from streamlit.testing.v1 import AppTest

from al_core.loop.stopping import CRITERIA


def open_compare() -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60).run()
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception, at.exception
    return at


def test_a_small_comparison_runs_and_reports():
    at = open_compare()
    at.multiselect(key="cmp_strategies").set_value(["margin"])
    at.number_input(key="cmp_seeds").set_value(3)
    at.number_input(key="cmp_budget").set_value(10).run()
    at.button(key="cmp_run").click().run()
    job = at.session_state["cmp_job"]
    assert job.join(timeout=120) and job.error is None
    at.run()
    assert not at.exception, at.exception
    exp = job.result
    assert set(exp.strategies) == {"margin", "random"}  # random always runs as the baseline
    assert len(exp.results) == 2 * 3
    table = at.dataframe[0].value
    assert set(table["Strategy"]) == {"Margin", "Random"}
    assert any("Target:" in c.value for c in at.caption)
    stops = at.dataframe[1].value  # where each strategy could have stopped, from its signals
    assert set(stops["Strategy"]) == {"Margin", "Random"}
    assert ((stops["Fired in"] >= 0) & (stops["Fired in"] <= 1)).all()
    at.selectbox(key="stop_criterion").set_value("change").run()  # rereads, reruns nothing
    assert not at.exception, at.exception
    assert at.session_state["cmp_job"] is job
    assert any(c.value.startswith(CRITERIA["change"].idea) for c in at.caption)


def open_race() -> AppTest:
    at = open_compare()
    at.session_state["cmp_tab"] = "Race"  # only the open tab runs
    at.run()
    return at


def test_race_steps_both_strategies_together():
    at = open_race()
    at.button(key="race_step").click().run()
    at.button(key="race_step10").click().run()
    left, right = at.session_state["cmp_race"].runs
    assert left.step_number == right.step_number == 11
    assert left.config.strategy == "random" and right.config.strategy == "margin"
    assert left.steps[0].queried == right.steps[0].queried  # the same start
    assert not at.exception


def test_the_hidden_race_has_no_step_button_so_space_cannot_step_it():
    at = open_compare()  # Many seeds is open
    assert not [b for b in at.button if b.key in ("race_step", "race_step10")]
    assert "cmp_race" not in at.session_state
