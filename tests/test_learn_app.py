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
