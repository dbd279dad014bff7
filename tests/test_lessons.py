"""The Learn page's content: every strategy has a card, and every lesson's claim holds in our numbers.

The claim tests run each lesson's own experiment (its seeds, its budget) and assert its check, so an
engine change that turns a sentence on the Learn page false fails here. Each check is also shown the
opposite situation (the strategies' results swapped) and must reject it: a check that cannot fail
proves nothing.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from al_core.experiments.cards import CARDS
from al_core.experiments.lesson_catalog import LESSONS, lesson
from al_core.experiments.lessons import PAGES, LessonResult, run_lesson, start_in_box
from al_core.loop import Config
from al_core.strategies import STRATEGIES

# ---------------------------------------------------------------- cards


def test_every_strategy_has_a_card_and_every_card_a_strategy():
    assert set(CARDS) == set(STRATEGIES)


@pytest.mark.parametrize("name", list(CARDS))
def test_card_is_complete(name):
    card = CARDS[name]
    for field in ("title", "idea", "formula", "works_when", "fails_when"):
        assert getattr(card, field).strip(), f"{name}: empty {field}"
    assert len(re.findall(r"[.!?](?:\s|$)", card.idea)) == 2, f"{name}: idea is not two sentences"
    # st.latex renders with KaTeX: unbalanced braces or \left/\right would break the whole card
    assert card.formula.count("{") == card.formula.count("}"), name
    assert card.formula.count(r"\left") == card.formula.count(r"\right"), name


def test_formulas_name_the_right_quantities():
    """The formulas match the code in strategies.py, term by term."""
    assert r"1 - \max_y P(y \mid x)" in CARDS["least_confident"].formula
    assert r"P(\hat y_1 \mid x) - P(\hat y_2 \mid x)" in CARDS["margin"].formula
    assert r"-\sum_{y} P(y \mid x) \log P(y \mid x)" in CARDS["entropy"].formula
    assert r"\frac{V(y)}{C} \log \frac{V(y)}{C}" in CARDS["qbc_vote"].formula
    assert r"\mathrm{KL}" in CARDS["qbc_kl"].formula and r"\frac{1}{C}" in CARDS["qbc_kl"].formula
    assert r"d(x)^{\beta}" in CARDS["density_weighted"].formula
    assert r"\min_{l \in \mathcal{L}}" in CARDS["coreset"].formula
    assert "k-means" in CARDS["cluster_margin"].formula
    assert r"\arg\min" in CARDS["expected_error_reduction"].formula


# ---------------------------------------------------------------- lesson definitions


def test_there_are_at_least_five_lessons_with_unique_slugs():
    slugs = [item.slug for item in LESSONS]
    assert len(slugs) >= 5 and len(set(slugs)) == len(slugs)
    assert all(re.fullmatch(r"[a-z][a-z-]*", s) for s in slugs)


@pytest.mark.parametrize("item", LESSONS, ids=lambda item: item.slug)
def test_lesson_preset_is_valid(item):
    assert item.config.validated() is not None  # raises ValueError naming a bad field
    assert Config.from_dict(item.config.to_dict()) == item.config.validated()  # URL round trip
    assert item.page in PAGES
    assert set(item.strategies) <= set(STRATEGIES) and item.config.strategy in STRATEGIES
    assert item.seeds >= 10, "a claim needs many seeds"
    assert item.budget >= 1 and callable(item.check)
    assert item.claim.count(". ") == 0 and item.claim.endswith("."), "the claim is one sentence"
    assert item.title and len(item.text) > 100


@pytest.mark.parametrize("item", LESSONS, ids=lambda item: item.slug)
def test_lesson_learner_opens_the_preset(item):
    learner = item.learner()
    assert learner.n_labeled == item.config.initial
    assert learner.config.seed == item.seed_list[0], "the preset shows the first checked run"
    if item.initial_box is not None:
        x0, x1, y0, y1 = item.initial_box
        X = learner.dataset.X[learner.labeled]
        assert np.all((X[:, 0] >= x0) & (X[:, 0] <= x1) & (X[:, 1] >= y0) & (X[:, 1] <= y1))
        assert learner.classes_seen == learner.dataset.n_classes


def test_start_in_box_refuses_a_box_that_is_too_small():
    learner = lesson("sampling-bias").learner()
    with pytest.raises(ValueError, match="holds 0 labeled pool points"):
        start_in_box(learner.dataset, 4, 0, (5.0, 6.0, 5.0, 6.0))


def test_unknown_lesson_names_the_accepted_slugs():
    with pytest.raises(ValueError, match="sampling-bias"):
        lesson("no-such-lesson")


@pytest.mark.parametrize("slug", ["savings", "sampling-bias", "batch-clumping"])
def test_run_lesson_small_and_reproducible(slug):
    """Both paths (the experiment runner and the lesson's own loop) on a tiny run."""
    small = replace(lesson(slug), seeds=2, budget=10)
    calls = []
    first = run_lesson(small, progress=lambda done, total: calls.append((done, total)))
    again = run_lesson(small)
    n_runs = len(set(small.strategies)) * 2
    assert len(first.table) == n_runs and calls[-1] == (n_runs, n_runs)
    assert first.table.equals(again.table)
    starts = first.runs.groupby(["strategy", "seed"]).n_labeled.agg(["min", "max"])
    assert (starts["min"] == small.config.initial).all()
    assert (starts["max"] == small.config.initial + small.budget).all()


@pytest.mark.parametrize("slug", ["savings", "sampling-bias"])
def test_a_cancelled_lesson_returns_nothing_to_judge(slug):
    """Both paths: half the seeds cannot judge a claim made over all of them."""
    small = replace(lesson(slug), seeds=3, budget=5)
    calls = []
    result = run_lesson(
        small,
        progress=lambda done, total: calls.append(done),
        cancel=lambda: max(calls, default=0) >= 1,
    )
    assert result is None and 1 <= max(calls) < len(set(small.strategies)) * 3


def test_a_lesson_on_two_workers_gives_the_one_process_table():
    small = replace(lesson("sampling-bias"), seeds=2, budget=5)
    assert run_lesson(small, jobs=2).table.equals(run_lesson(small).table)


# ---------------------------------------------------------------- the claims
# The full evidence: every lesson over all its seeds. Marked slow so `-m "not slow"` gives a quick
# loop while editing; CI runs the README's command, which runs everything, these included.


@pytest.fixture(scope="module", params=LESSONS, ids=lambda item: item.slug)
def evidence(request) -> LessonResult:
    return run_lesson(request.param, jobs=2)


@pytest.mark.slow
def test_lesson_claim_holds(evidence):
    ok, message = evidence.lesson.check(evidence)
    print(f"{evidence.lesson.slug}: {message}")
    assert ok, f"{evidence.lesson.slug}: the claim is false in our numbers: {message}"


def _swap(result: LessonResult, a: str, b: str) -> LessonResult:
    """The same result with strategies a and b trading places."""

    def swapped(df):
        out = df.copy()
        out["strategy"] = df["strategy"].replace({a: b, b: a})
        return out

    return replace(result, table=swapped(result.table), runs=swapped(result.runs))


@pytest.mark.slow
def test_lesson_check_rejects_the_opposite(evidence):
    slug = evidence.lesson.slug
    if slug == "nothing-to-gain":  # symmetric claim: spoil it with a big gain instead
        table = evidence.table.copy()
        table.loc[table.strategy == "least_confident", ["final_accuracy", "aulc"]] += 0.05
        spoiled = replace(evidence, table=table)
    elif slug == "batch-clumping":
        spoiled = _swap(evidence, "least_confident", "cluster_margin")
    else:
        spoiled = _swap(evidence, "least_confident", "random")
    ok, message = evidence.lesson.check(spoiled)
    assert not ok, f"{slug}: the check also accepts the opposite: {message}"
