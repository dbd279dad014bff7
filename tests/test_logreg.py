"""The direct logistic-regression fit: scikit-learn's own bits, or scikit-learn itself."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from al_core.data import make_dataset
from al_core.logreg import fit_logreg
from al_core.models import clean_input


def _cases():
    moons = make_dataset("moons", 600, 0.25, 42, 2, 0)
    blobs = make_dataset("blobs", 400, 0.3, 3, 4, 0)
    digits = load_digits()
    rng = np.random.default_rng(0)
    for ds in (moons, blobs):
        one_each = [np.flatnonzero(ds.y == c)[0] for c in np.unique(ds.y)]
        for n in (0, 5, 40, 300):  # rows may repeat, as in a committee's bootstrap
            rows = np.r_[one_each, rng.choice(len(ds.y), n, replace=False)]
            yield ds.X[rows], ds.y[rows]
    rows = rng.choice(len(digits.target), 80, replace=False)
    yield digits.data[rows], digits.target[rows]  # 64 features, ten classes
    y = blobs.y[:50]
    yield blobs.X[:50][y != 1], y[y != 1]  # a class not seen yet: labels 0, 2, 3


@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
def test_direct_fit_is_sklearns_fit_bit_for_bit(C):
    """Saved links replay a run's picks: every fit must be scikit-learn's to the last bit."""
    with threadpool_limits(1), clean_input():
        for X, y in _cases():
            ours = fit_logreg(LogisticRegression(C=C, max_iter=1000), X, y)
            theirs = LogisticRegression(C=C, max_iter=1000).fit(X, y)
            for name in ("coef_", "intercept_", "classes_", "n_iter_", "n_features_in_"):
                np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name))
            np.testing.assert_array_equal(ours.predict_proba(X), theirs.predict_proba(X))


def test_outside_clean_input_scikit_learn_checks_the_input():
    """Without the promise of finite input, a NaN gets scikit-learn's own message."""
    X = np.array([[0.0, 1.0], [np.nan, 2.0], [3.0, 1.0]])
    with pytest.raises(ValueError, match="NaN"):
        fit_logreg(LogisticRegression(), X, np.array([0, 1, 0]))


@pytest.mark.parametrize(
    "model, y",
    [
        (LogisticRegression(class_weight="balanced"), np.array([0, 1, 1, 1])),
        (LogisticRegression(fit_intercept=False), np.array([0, 1, 1, 0])),
        (LogisticRegression(solver="newton-cholesky"), np.array([0, 1, 1, 0])),
        (LogisticRegression(), np.array(["a", "b", "b", "a"])),
    ],
)
def test_other_settings_are_fitted_by_scikit_learn(model, y):
    X = np.array([[0.0, 1.0], [1.0, 2.0], [3.0, 1.0], [2.0, 0.5]])
    with clean_input():
        ours = fit_logreg(model, X, y)
    theirs = LogisticRegression(**model.get_params()).fit(X, y)
    np.testing.assert_array_equal(ours.coef_, theirs.coef_)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)


def test_one_class_gets_scikit_learns_error():
    with clean_input(), pytest.raises(ValueError, match="at least 2 classes"):
        fit_logreg(LogisticRegression(), np.zeros((3, 2)), np.array([1, 1, 1]))
