"""Learn page headless: every lesson preset opens its page with its configuration set."""

import pytest
from streamlit.testing.v1 import AppTest

from al_core.experiments.lesson_catalog import LESSONS


def open_learn() -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60).run()
    at.switch_page("app_pages/learn.py").run()
    assert not at.exception, at.exception
    return at


def test_every_strategy_has_a_card_with_a_formula():
    at = open_learn()
    assert len(at.latex) == 10
    assert not at.exception


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.slug)
def test_lesson_preset_opens_its_page_configured(lesson):
    at = open_learn()
    at.button(key=f"open_{lesson.slug}").click().run()
    assert not at.exception, at.exception
    run = at.session_state["learner"]
    assert run.config.dataset == lesson.config.dataset
    assert run.config.model == lesson.config.model
    assert run.config.seed == lesson.config.seed
    if lesson.page == "explore":
        expected = lesson.learner()
        assert run.labeled == expected.labeled  # the lesson's own start, exactly
        assert any(m.label == "Labeled" for m in at.metric)
    else:
        assert at.session_state["cmp_seeds"] == lesson.seeds
        assert at.session_state["cmp_budget"] == lesson.budget
        assert set(at.session_state["cmp_strategies"]) <= set(lesson.strategies)
        assert any(b.key == "cmp_run" for b in at.button)


def test_the_random_twin_starts_from_a_lessons_own_start():
    from al_core.experiments.lesson_catalog import lesson
    from al_core.present.views import random_twin

    run = lesson("sampling-bias").learner()
    twin = random_twin(run)
    assert twin.labeled == run.labeled and twin.config.strategy == "random"


def _check_job(at: AppTest, slug: str):
    job = at.session_state[f"lesson_job_{slug}"]
    assert job.join(timeout=120)
    at.run()
    assert not at.exception, at.exception
    return job


def test_a_claim_is_checked_in_the_background_and_its_verdict_shown():
    at = open_learn()
    at.button(key="check_batch-clumping").click().run()
    job = _check_job(at, "batch-clumping")
    assert job.state == "done" and job.error is None
    shown = [e.value for e in [*at.success, *at.error]]
    assert len(shown) == 1 and shown[0].startswith(("Holds: ", "Does not hold: "))
    assert shown[0].endswith(job.result[1])


def test_a_cancelled_check_says_there_is_no_verdict():
    from al_core.experiments.jobs import LessonCheck

    at = open_learn()
    at.button(key="check_savings").click().run()
    job: LessonCheck = at.session_state["lesson_job_savings"]
    job.cancel()  # what its Cancel button does (the button is in a polled fragment)
    _check_job(at, "savings")
    assert job.result is None and job.state == "cancelled"
    assert any("Cancelled" in i.value for i in at.info)
    assert not at.success and not at.error
