"""Stopping criteria: κ by hand and against scikit-learn, the edge cases, and a trace of a run."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from al_core import Config, Learner
from al_core.loop.replay import replay_json
from al_core.loop.stopping import (
    CRITERIA,
    StopTrace,
    cohen_kappa,
    normalised_entropy,
    stop_set,
    stop_step,
)


def test_kappa_by_hand():
    # 10 points, disagreeing at 5 and 6; each has six 0s and four 1s.
    a = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
    b = np.array([0, 0, 0, 0, 0, 1, 0, 1, 1, 1])
    # p_o = 0.8; p_e = (6·6 + 4·4) / 100 = 0.52; κ = 0.28 / 0.48 = 7/12
    assert cohen_kappa(a, b) == pytest.approx(7 / 12)
    c = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])  # five of each, disagreeing at 5 only
    # p_o = 0.9; p_e = (6·5 + 4·5) / 100 = 0.5; κ = 0.4 / 0.5 = 0.8
    assert cohen_kappa(a, c) == pytest.approx(0.8)
    assert cohen_kappa(a, a) == 1.0
    # total disagreement on two balanced classes: p_o = 0, p_e = 0.5, κ = -1
    assert cohen_kappa(np.array([0, 1]), np.array([1, 0])) == pytest.approx(-1.0)


@pytest.mark.parametrize("seed", range(30))
def test_kappa_equals_sklearn(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 5))
    n = int(rng.integers(5, 300))
    a = rng.integers(0, k, n)
    b = np.where(rng.random(n) < rng.random(), a, rng.integers(0, k, n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = cohen_kappa_score(a, b)
    if np.isnan(want):  # sklearn leaves it undefined; we define it (next test)
        assert cohen_kappa(a, b, k) == 1.0
    else:
        assert cohen_kappa(a, b, k) == pytest.approx(want, abs=1e-12)


def test_kappa_of_constant_predictions_is_defined():
    same = np.zeros(20, int)
    assert cohen_kappa(same, same, 2) == 1.0  # sklearn: NaN (0/0); total agreement here
    # one constant, the other not: p_e < 1, so κ is Cohen's own value (0 here)
    other = same.copy()
    other[:3] = 1
    assert cohen_kappa(same, other, 2) == pytest.approx(cohen_kappa_score(same, other))
    assert np.isnan(cohen_kappa(np.array([], int), np.array([], int)))
    with pytest.raises(ValueError, match="same points"):
        cohen_kappa(np.zeros(3, int), np.zeros(4, int))


def test_normalised_entropy():
    p = np.array([[0.5, 0.5], [1.0, 0.0], [0.9, 0.1]])
    h = normalised_entropy(p)
    assert h[0] == pytest.approx(1.0) and h[1] == 0.0
    assert h[2] == pytest.approx(-(0.9 * np.log(0.9) + 0.1 * np.log(0.1)) / np.log(2))
    assert normalised_entropy(np.full((2, 3), 1 / 3)) == pytest.approx([1.0, 1.0])


def test_kappa_rule_needs_three_defined_steps():
    kappa = CRITERIA["kappa"]
    assert kappa.first([np.nan, 1.0, 1.0]) is None  # fewer than 3 defined values
    assert kappa.first([np.nan, 1.0, 1.0, 1.0]) == 3
    # the mean of the last three, not each one: 0.98, 1, 1 → 0.9933 ≥ 0.99
    assert kappa.first([np.nan, 0.98, 1.0, 1.0]) == 3
    assert kappa.first([np.nan, 0.96, 1.0, 1.0]) is None  # mean 0.9867
    assert kappa.first([np.nan, 0.96, 1.0, 1.0], threshold=0.98) == 3
    assert kappa.first([]) is None


def test_uncertainty_and_change_rules():
    assert CRITERIA["uncertainty"].first([0.3, 0.06, 0.04]) == 2
    assert CRITERIA["uncertainty"].first([0.3, 0.06, 0.04], threshold=0.1) == 1
    assert CRITERIA["change"].first([np.nan, 0.1, 0.0]) == 2
    assert CRITERIA["change"].first([np.nan, 0.1, 0.02], threshold=0.05) == 2
    with pytest.raises(ValueError, match="accepted: kappa, uncertainty, change"):
        stop_step({}, "patience")


def test_stop_set_is_seeded_unlabeled_and_capped():
    unlabeled = np.arange(100, 5000)
    s = stop_set(5000, unlabeled, seed=7)
    assert len(s) == 1000 and len(np.unique(s)) == 1000
    assert np.isin(s, unlabeled).all()
    assert np.array_equal(s, stop_set(5000, unlabeled, seed=7))
    assert not np.array_equal(s, stop_set(5000, unlabeled, seed=8))
    assert np.array_equal(stop_set(50, np.arange(10, 50), seed=1), np.arange(10, 50))


def test_trace_of_a_cold_start():
    """No model until two classes are labeled: NaN, never a crash; then defined signals."""
    run = Learner(Config(initial=0, model="svm_rbf", seed=3))
    trace = StopTrace.attach(run)
    run.advance(25)
    assert len(trace.points) == len(run.steps)
    first_model = next(
        i for i, s in enumerate(run.steps) if len(set(run.labels[: s.n_labeled])) > 1
    )
    k = trace.series("kappa")
    assert np.isnan(k[: first_model + 1]).all()  # no model, or no previous model to agree with
    assert np.isfinite(k[first_model + 1 :]).all()
    u = trace.series("uncertainty")
    assert np.isnan(u[:first_model]).all() and np.isfinite(u[first_model:]).all()
    assert ((u[first_model:] >= 0) & (u[first_model:] <= 1)).all()


def test_trace_matches_a_direct_computation_and_follows_undo():
    run = Learner(Config(initial=4, model="knn", seed=11))
    trace = StopTrace.attach(run)
    run.advance(run.n_labeled + 12)
    X, rows = run.dataset.X, trace.rows

    def pred(step):
        return run.proba(X, step).argmax(axis=1)

    for t in (5, 12):
        want = cohen_kappa(pred(t - 1)[rows], pred(t)[rows], 2)
        assert trace.points[t].kappa == pytest.approx(want)
        mask = np.ones(len(X), bool)
        mask[run.labeled[: run.steps[t].n_labeled]] = False
        assert trace.points[t].changed == pytest.approx(np.mean(pred(t - 1)[mask] != pred(t)[mask]))
    run.undo(3)
    run.step()  # a different history from step 10 on
    trace.sync()
    assert len(trace.points) == len(run.steps) == 11
    want = cohen_kappa(pred(9)[rows], pred(10)[rows], 2)
    assert trace.points[10].kappa == pytest.approx(want)


def test_a_replayed_run_has_the_same_stop_set_and_signals():
    run = Learner(Config(initial=4, model="svm_rbf", seed=5))
    trace = StopTrace.attach(run)
    run.advance(run.n_labeled + 15)
    again = replay_json(run.to_json())
    other = StopTrace.attach(again)  # attached after the fact: fills in from refits
    assert np.array_equal(trace.rows, other.rows)
    assert json.dumps(trace.signals()) == json.dumps(other.signals())


def test_the_trace_reads_the_pool_in_the_space_the_model_learns_in():
    """Digits in all features: the stop set is predicted in 64 features, not the 2-D map."""
    from al_core.loop import Config, Learner
    from al_core.loop.stopping import StopTrace

    run = Learner(Config(dataset="digits", learn_in="all", initial=20))
    trace = StopTrace.attach(run)
    for _ in range(3):
        run.step()
    trace.sync()
    assert len(trace.points) == run.step_number + 1


def test_a_rebuilt_history_is_filled_in_within_its_budget(monkeypatch):
    """A long link's history costs a pool prediction per step: past the budget older steps get
    no signal, the latest two are still recorded."""
    from al_core.loop import Config, Learner, stopping

    run = Learner(Config(initial=20))
    for _ in range(8):
        run.step()
    monkeypatch.setattr(stopping, "BACKFILL_BUDGET_S", -1.0)  # already past the budget
    trace = stopping.StopTrace.attach(run)
    kappa = trace.series("kappa")
    assert len(kappa) == run.step_number + 1
    assert np.isnan(kappa[:-2]).all() and np.isfinite(kappa[-1])
