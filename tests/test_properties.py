"""Invariants of the loop over random sequences of step / undo / teach / skip (hypothesis).

Never query a labeled point, no duplicates in a batch, labeled + candidates + skipped always
partition the pool, the same seed gives the same run, undo then redo restores the state exactly,
and the JSON rebuilds it. Pools are small and models fast so each example takes milliseconds.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_limits

from al_core.loop import Config, Learner
from al_core.loop.replay import replay_json
from al_core.strategies import STRATEGIES, top_k

FAST_MODELS = ["logreg", "knn", "tree", "naive_bayes", "svm_rbf", "svm_linear"]
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    with threadpool_limits(1):
        yield


@st.composite
def configs(draw) -> Config:
    strategy = draw(st.sampled_from(list(STRATEGIES)))
    return Config(
        dataset=draw(st.sampled_from(["moons", "blobs", "xor", "spirals"])),
        n_samples=draw(st.integers(60, 150)),
        noise=draw(st.sampled_from([0.1, 0.3])),
        seed=draw(st.integers(0, 2**32 - 1)),
        initial=draw(st.integers(0, 12)),
        model=draw(st.sampled_from(FAST_MODELS)),
        strategy=strategy,
        batch_size=draw(st.integers(1, 4)),
        random_mix=draw(st.sampled_from([0.0, 0.0, 0.5])),
        oracle_noise=draw(st.sampled_from([0.0, 0.2])),
        strategy_params={"subsample": 4} if strategy == "expected_error_reduction" else {},
    )


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("step"), st.integers(1, 5)),
        st.tuples(st.just("undo"), st.integers(0, 3)),
        st.tuples(st.just("teach"), st.integers(0, 2**31), st.integers(1, 3)),
        st.tuples(st.just("skip"), st.integers(0, 2**31)),
        st.tuples(st.just("suggest"), st.integers(1, 6)),
        st.tuples(st.just("grid"), st.integers(0, 3)),
    ),
    min_size=1,
    max_size=8,
)


def check_invariants(learner: Learner) -> None:
    n = len(learner.dataset)
    labeled, cand, skipped = learner.labeled, learner.candidates, learner.skipped
    assert len(set(labeled)) == len(labeled) == len(learner.labels) == learner.n_labeled
    assert learner.steps[-1].n_labeled == learner.n_labeled
    assert [s.number for s in learner.steps] == list(range(len(learner.steps)))
    assert learner.steps[0].source == "initial"
    for before, after in zip(learner.steps, learner.steps[1:]):
        assert after.n_labeled == before.n_labeled + len(after.queried)
    # labeled, candidates and (unlabeled) skipped points partition the pool
    set_l, set_c, set_s = set(labeled), set(cand.tolist()), skipped - set(labeled)
    assert not set_l & set_c and not set_c & set_s and not set_l & set_s
    assert set_l | set_c | set_s == set(range(n))
    assert sorted(labeled) == sorted(i for s in learner.steps for i in s.queried)
    assert all(0 <= v < learner.dataset.n_classes for v in learner.labels)


def check_query(learner: Learner, k: int) -> np.ndarray:
    q = learner.suggest(k)
    idx = q.indices.tolist()
    assert len(idx) == min(k, len(learner.candidates))
    assert len(set(idx)) == len(idx)  # no duplicates in a batch
    assert not set(idx) & set(learner.labeled)  # never a labeled point
    assert not set(idx) & learner.skipped
    assert set(idx) <= set(learner.candidates.tolist())
    assert len(q.random_picks) == len(idx) and len(q.utility) == len(q.candidates)
    return q.indices


def apply(learner: Learner, op: tuple) -> None:
    kind = op[0]
    cand = learner.candidates
    if kind == "step":
        if len(cand) == 0:
            with pytest.raises(ValueError, match="nothing left"):
                learner.step(op[1])
            return
        asked = check_query(learner, op[1])
        step = learner.step(op[1])
        assert list(step.queried) == asked.tolist()
    elif kind == "undo":
        before = learner.step_number
        undone = learner.undo(op[1])
        assert undone == min(op[1], before) and learner.step_number == before - undone
    elif kind == "teach" and len(cand):
        rng = np.random.default_rng(op[1])
        idx = rng.choice(cand, size=min(op[2], len(cand)), replace=False)
        labels = rng.integers(0, learner.dataset.n_classes, size=len(idx))
        learner.teach(idx, labels, source="you")
    elif kind == "skip" and len(cand):
        learner.skip(int(cand[op[1] % len(cand)]))
    elif kind == "suggest" and len(cand):
        check_query(learner, op[1])
    elif kind == "grid":  # what the UI draws between steps; must never change the run
        step = min(op[1], learner.step_number)
        assert learner.proba_grid(8, step=step).shape == (8, 8, learner.dataset.n_classes)
        surface = learner.utility_grid(8)
        assert surface is None or surface.shape == (8, 8)


def run(config: Config, ops: list[tuple]) -> Learner:
    learner = Learner(config)
    check_invariants(learner)
    for op in ops:
        apply(learner, op)
        check_invariants(learner)
    return learner


@SETTINGS
@given(config=configs(), ops=OPS)
def test_invariants_hold_over_random_operations(config, ops):
    run(config, ops)


@SETTINGS
@given(config=configs(), ops=OPS)
def test_the_same_seed_gives_the_same_run_and_the_json_rebuilds_it(config, ops):
    a = run(config, ops)
    b = run(config, [op for op in ops if op[0] != "grid"])  # a CLI run draws nothing
    assert a.steps == b.steps and a.labeled == b.labeled and a.skipped == b.skipped
    assert a.to_json() == b.to_json()
    again = replay_json(a.to_json())
    assert again.steps == a.steps and again.labels == a.labels and again.skipped == a.skipped
    if len(a.candidates):
        np.testing.assert_array_equal(again.suggest().indices, a.suggest().indices)


@SETTINGS
@given(config=configs(), ops=OPS, extra=st.integers(1, 3), back=st.integers(1, 4))
def test_undo_then_redo_restores_the_state_exactly(config, ops, extra, back):
    learner = run(config, ops)
    for _ in range(extra):
        if len(learner.candidates):
            learner.step()
    snapshot = (list(learner.labeled), list(learner.labels), list(learner.steps))
    skipped = set(learner.skipped)
    n = min(back, learner.step_number)
    removed = learner.steps[len(learner.steps) - n :]
    assert learner.undo(n) == n
    check_invariants(learner)
    for s in removed:
        learner.teach(list(s.queried), list(s.labels), s.source, s.note)
    assert (learner.labeled, learner.labels, learner.steps) == snapshot
    assert learner.skipped == skipped
    if len(learner.candidates):
        fresh = replay_json(learner.to_json())
        np.testing.assert_array_equal(learner.suggest().indices, fresh.suggest().indices)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.sampled_from([0.0, 0.25, 0.5, 1.0, float("nan"), -1.0, 2.0]), min_size=1, max_size=40
    ),
    k=st.integers(0, 45),
    seed=st.integers(0, 2**32 - 1),
)
def test_top_k_is_the_full_tie_broken_sort_cut_at_k(values, k, seed):
    """top_k only partially sorts for speed; it must still equal the plain definition."""
    u = np.array(values)
    got = top_k(u, k, np.random.default_rng(seed))
    tie = np.random.default_rng(seed).random(len(u))
    want = np.lexsort((tie, -np.where(np.isnan(u), -np.inf, u)))[:k]
    np.testing.assert_array_equal(got, want)
    assert len(set(got.tolist())) == len(got) == min(k, len(u))
