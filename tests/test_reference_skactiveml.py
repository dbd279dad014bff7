"""Cross-check with scikit-activeml 1.0.1 (a test dependency only): given the SAME fitted model,
our least_confident, margin and entropy pick what its UncertaintySampling picks, and given the
SAME fitted committee, our qbc_vote (and qbc_kl) rank candidates as its QueryByCommittee does."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from skactiveml.classifier import SklearnClassifier  # a dev requirement: fail, never skip
from skactiveml.pool import QueryByCommittee, UncertaintySampling, vote_entropy
from threadpoolctl import threadpool_limits

from al_core.loop import Config, Learner
from al_core.models import MODELS, class_proba, model_params
from al_core.strategies import STRATEGIES, committee, query

MISSING = -1
METHODS = {"least_confident": "least_confident", "margin": "margin_sampling", "entropy": "entropy"}
SCENARIOS = {
    "default": Config(),
    "blobs-logreg": Config(dataset="blobs", initial=12, seed=3),
    "blobs-svm": Config(dataset="blobs", initial=12, seed=3, model="svm_rbf"),
    "blobs-knn": Config(dataset="blobs", initial=30, seed=4, model="knn"),
    "quantiles-mlp": Config(dataset="gaussian_quantiles", initial=30, model="mlp"),
}


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    with threadpool_limits(1):
        yield


def wrapped(learner: Learner, X: np.ndarray, y: np.ndarray) -> SklearnClassifier:
    """Our model (same builder, same hyperparameters, same seed) fitted by skactiveml's wrapper."""
    c = learner.config
    estimator = MODELS[c.model].build(
        model_params(c.model, c.model_params), c.seed, int((y != MISSING).sum())
    )
    classes = list(range(learner.dataset.n_classes))
    return SklearnClassifier(estimator, classes=classes, missing_label=MISSING).fit(X, y)


def partial_labels(learner: Learner) -> np.ndarray:
    y = np.full(len(learner.dataset), MISSING)
    y[learner.labeled] = learner.labels
    return y


def top_set(utility: np.ndarray, k: int) -> set[int]:
    """Positions whose utility reaches the k-th highest value (the set any tie-break picks from)."""
    u = np.where(np.isnan(utility), -np.inf, utility)
    return set(np.flatnonzero(u >= np.sort(u)[-k]).tolist())


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("name", list(METHODS))
def test_uncertainty_sampling_matches_skactiveml_for_the_same_fitted_model(scenario, name):
    learner = Learner(replace(SCENARIOS[scenario], strategy=name))
    X, y = learner.dataset.X, partial_labels(learner)
    clf = wrapped(learner, X, y)
    # The wrapper fits exactly our model: same probabilities as the learner's own fit.
    np.testing.assert_allclose(
        clf.predict_proba(X), class_proba(learner.model, X, learner.dataset.n_classes), atol=1e-9
    )
    cand = learner.candidates
    theirs, their_util = UncertaintySampling(
        method=METHODS[name], missing_label=MISSING, random_state=0
    ).query(X, y, clf=clf, fit_clf=False, candidates=cand, batch_size=5, return_utilities=True)
    ctx = replace(learner.context(), model=clf.estimator_, rng=np.random.default_rng(0))
    ours = query(STRATEGIES[name], ctx, cand, 5)
    # utilities agree candidate by candidate (theirs are indexed by pool position)
    np.testing.assert_allclose(ours.utility, their_util[0][cand], rtol=1e-9, atol=1e-12)
    # and so do the picks: top-1 and the top-5 set (no ties among continuous utilities)
    u = ours.utility
    assert len(top_set(u, 5)) == 5, "tied utilities: the comparison would depend on tie-breaks"
    assert ours.indices[0] == theirs[0]
    assert set(ours.indices.tolist()) == set(theirs.tolist())
    # the learner's own suggestion (its own fit) is the same point
    assert learner.suggest(5).indices.tolist() == ours.indices.tolist()


def committee_of(learner: Learner, size: int, seed: int) -> list[SklearnClassifier]:
    """Bootstrap members (resampled within each class, as ours are), fitted by the wrapper."""
    rng = np.random.default_rng(seed)
    X_l = learner.dataset.X[learner.labeled]
    y_l = np.array(learner.labels)
    members = []
    for _ in range(size):
        rows = np.concatenate(
            [rng.choice(np.flatnonzero(y_l == c), size=(y_l == c).sum()) for c in np.unique(y_l)]
        )
        members.append(wrapped(learner, X_l[rows], y_l[rows]))
    return members


@pytest.mark.parametrize(
    ("scenario", "size"),
    [("default", 5), ("blobs-logreg", 7), ("blobs-svm", 5), ("quantiles-mlp", 9)],
)
def test_qbc_vote_entropy_matches_skactiveml_for_the_same_committee(scenario, size):
    learner = Learner(replace(SCENARIOS[scenario], strategy="qbc_vote"))
    X, y = learner.dataset.X, partial_labels(learner)
    members = committee_of(learner, size, seed=1)
    cand = learner.candidates
    theirs, their_util = QueryByCommittee(
        method="vote_entropy", missing_label=MISSING, random_state=0
    ).query(
        X,
        y,
        ensemble=members,
        fit_ensemble=False,
        candidates=cand,
        batch_size=5,
        return_utilities=True,
    )
    ctx = replace(learner.context(), cache={"committee": [m.estimator_ for m in members]})
    ours = query(STRATEGIES["qbc_vote"], replace(ctx, rng=np.random.default_rng(0)), cand, 5)
    their_cand = their_util[0][cand]
    # Vote entropy is discrete, so ties are common: compare the utilities (identical up to a
    # monotone transform; here they are the same numbers), the rankings, and the top sets.
    assert np.isfinite(ours.utility).all()
    np.testing.assert_allclose(ours.utility, their_cand, atol=1e-12)
    assert (
        np.argsort(np.argsort(ours.utility, kind="stable"), kind="stable")
        == np.argsort(np.argsort(their_cand, kind="stable"), kind="stable")
    ).all()
    assert their_cand.max() > 0, "a unanimous committee would make this test vacuous"
    top_theirs = top_set(their_cand, 5)
    positions = np.searchsorted(cand, ours.indices)
    assert set(positions.tolist()) <= top_theirs
    assert set(np.searchsorted(cand, theirs).tolist()) <= top_set(ours.utility, 5)
    assert their_cand[positions[0]] == their_cand.max()


@pytest.mark.parametrize(("scenario", "size"), [("default", 5), ("blobs-logreg", 7)])
def test_qbc_kl_ranks_like_skactivemls_kl_divergence_for_the_same_committee(scenario, size):
    learner = Learner(replace(SCENARIOS[scenario], strategy="qbc_kl"))
    X, y = learner.dataset.X, partial_labels(learner)
    members = committee_of(learner, size, seed=2)
    cand = learner.candidates
    theirs, their_util = QueryByCommittee(
        method="KL_divergence", missing_label=MISSING, random_state=0
    ).query(
        X,
        y,
        ensemble=members,
        fit_ensemble=False,
        candidates=cand,
        batch_size=5,
        return_utilities=True,
    )
    ctx = replace(learner.context(), cache={"committee": [m.estimator_ for m in members]})
    ours = query(STRATEGIES["qbc_kl"], replace(ctx, rng=np.random.default_rng(0)), cand, 5)
    # They clip probabilities at 1e-7 and we at 1e-12; logistic members never get that close.
    np.testing.assert_allclose(ours.utility, their_util[0][cand], rtol=1e-6, atol=1e-12)
    assert ours.indices[0] == theirs[0]
    assert set(ours.indices.tolist()) == set(theirs.tolist())


@pytest.mark.parametrize("scenario", ["default", "blobs-svm", "quantiles-mlp"])
def test_the_learners_own_committee_scores_as_skactivemls_vote_entropy(scenario):
    """The committee the learner builds itself, scored by skactiveml's public vote_entropy."""
    learner = Learner(replace(SCENARIOS[scenario], strategy="qbc_vote"))
    q = learner.suggest(5)
    members = committee(learner.context())
    X = learner.dataset.X[q.candidates]
    votes = np.column_stack([m.predict(X) for m in members])  # (n, members), as they expect
    theirs = vote_entropy(votes, classes=np.arange(learner.dataset.n_classes))
    np.testing.assert_allclose(q.utility, theirs, atol=1e-12)
    assert set(np.searchsorted(q.candidates, q.indices).tolist()) <= top_set(theirs, 5)
