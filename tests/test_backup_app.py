"""Labels a person gave survive on every page (ui.backup): a sidebar change or Explore's Reset
keeps the run, and "Bring it back" restores it exactly; runs without labels by you are not kept."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from al_core.present.labeling import labels_by_you


def label_two_points() -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    at.switch_page("app_pages/label.py").run()
    at.button(key="label_0").click().run()
    at.button(key="label_1").click().run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def notice(at: AppTest) -> str:
    return " | ".join(m.value for m in at.markdown if "was kept" in m.value)


def test_reset_on_explore_keeps_your_labels_to_bring_back():
    at = label_two_points()
    labeled = at.session_state["learner"].to_json()
    at.switch_page("app_pages/explore.py").run()
    assert at.session_state["learner"].n_labeled == 62 and not notice(at)
    at.button(key="reset").click().run()
    assert metric(at, "Labeled") == "60"
    assert "**2 labels by you**" in notice(at) and "(you pressed Reset)" in notice(at)
    reset = at.session_state["learner"]
    at.button(key="lb_restore_0").click().run()
    assert not at.exception, at.exception
    back = at.session_state["learner"]
    assert back is not reset and back.to_json() == labeled
    assert metric(at, "Labeled") == "62" and not notice(at)
    assert reset.n_labeled == 60  # the backup was a copy: Reset did not empty it
    at.button(key="step").click().run()  # and the restored run carries on
    assert metric(at, "Labeled") == "63" and labels_by_you(back) == 2


def test_a_sidebar_change_on_explore_keeps_the_run_and_forget_drops_it():
    at = label_two_points()
    old = at.session_state["learner"]
    at.switch_page("app_pages/explore.py").run()
    at.selectbox(key="cfg_model").set_value("knn").run()
    assert at.session_state["learner"] is not old
    assert "(the configuration changed)" in notice(at)
    at.button(key="lb_dismiss_0").click().run()
    assert not at.session_state["lb_kept"] and not notice(at)
    assert at.session_state["learner"].config.model == "knn"


def test_runs_without_your_labels_are_not_kept():
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    at.button(key="step").click().run()  # the simulated oracle's labels can be rebuilt
    at.button(key="reset").click().run()
    at.selectbox(key="cfg_model").set_value("knn").run()
    assert not at.session_state["lb_kept"] and not notice(at)
    assert not at.exception, at.exception
