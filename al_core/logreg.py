"""Logistic regression without scikit-learn's per-call machinery: the same operations, so the
same bits.

A comparison fits thousands of logistic regressions on a hundred points (a committee alone fits
six per step). At that size scikit-learn's `fit` spends half its time on input checks, label
encoding, array-API dispatch and callback plumbing around the L-BFGS call that does the work;
its `predict_proba` spends 100× the arithmetic on validation. Here both call what scikit-learn
itself calls, in the same order, on arrays the engine built (inside `clean_input`). A test
holds them to bit-for-bit equality with scikit-learn, so a version that changes its internals
fails loudly instead of drifting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import optimize
from scipy.special import expit
from sklearn import get_config
from sklearn._loss.loss import HalfBinomialLoss, HalfMultinomialLoss
from sklearn.linear_model import LogisticRegression
from sklearn.utils.extmath import softmax, squared_norm

# The estimator's settings the direct path reproduces; any other setting goes to scikit-learn.
_DIRECT = {
    "class_weight": None,
    "dual": False,
    "fit_intercept": True,
    "l1_ratio": 0.0,
    "penalty": "deprecated",
    "solver": "lbfgs",
    "warm_start": False,
}


def fit_logreg(model: LogisticRegression, X: Any, y: Any) -> LogisticRegression:
    """`model.fit(X, y)`: L2-penalised L-BFGS as scikit-learn runs it, minus its checks.

    Taken only inside `clean_input` (finite inputs promised), for a float64 matrix, integer
    labels of at least two classes and the default settings above; anything else, including
    every error message, is scikit-learn's own.
    """
    classes = np.unique(y) if _direct(model, X, y) else ()
    if len(classes) < 2:
        return model.fit(X, y)
    X = np.ascontiguousarray(X)
    n, d = X.shape
    if len(classes) == 2:
        target = np.ones(n)
        target[y != classes[1]] = 0.0
        base, w0 = HalfBinomialLoss(), np.zeros(d + 1)
    else:
        target = np.searchsorted(classes, y).astype(np.float64)
        base = HalfMultinomialLoss(n_classes=len(classes))
        w0 = np.zeros((len(classes), d + 1), order="F").ravel(order="F")
    result = optimize.minimize(
        _loss_gradient(base, X, target, l2=1.0 / (model.C * n)),
        w0,
        method="L-BFGS-B",
        jac=True,
        options={
            "maxiter": model.max_iter,
            "maxls": 50,
            "gtol": model.tol,
            "ftol": 64 * np.finfo(float).eps,
        },
    )
    w = result.x
    if len(classes) == 2:
        model.coef_, model.intercept_ = w[:-1][None, :], w[-1:]
    else:
        w = np.reshape(w, (len(classes), -1), order="F")
        model.coef_, model.intercept_ = w[:, :-1], w[:, -1]
    model.classes_ = classes
    model.n_features_in_ = d
    model.n_iter_ = np.asarray([min(result.nit, model.max_iter)], dtype=np.int32)
    return model


def _loss_gradient(
    base: HalfBinomialLoss | HalfMultinomialLoss, X: np.ndarray, y: np.ndarray, l2: float
) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """`LinearModelLoss.loss_gradient` for an intercept and no sample weights, as plain numpy:
    its array-API dispatch cost 4× the arithmetic on a hundred rows."""
    n, d = X.shape
    k = base.n_classes

    def loss_gradient(coef: np.ndarray) -> tuple[float, np.ndarray]:
        if not base.is_multiclass:
            weights, intercept = coef[:-1], coef[-1]
            raw = X @ weights + intercept
        else:
            w = coef.reshape((k, -1), order="F")
            weights, intercept = w[:, :-1], w[:, -1]
            raw = X @ weights.T + intercept
        loss, pointwise = base.loss_gradient(y_true=y, raw_prediction=raw, n_threads=1)
        loss = float(np.sum(loss) / n)
        loss += float(
            0.5 * l2 * (weights @ weights if weights.ndim == 1 else squared_norm(weights))
        )
        pointwise /= n
        if not base.is_multiclass:
            grad = np.empty_like(coef)
            grad[:d] = X.T @ pointwise + l2 * weights
            grad[-1] = np.sum(pointwise)
            return loss, grad
        grad = np.empty((k, d + 1), order="F")
        grad[:, :d] = pointwise.T @ X + l2 * weights
        grad[:, -1] = np.sum(pointwise, axis=0)
        return loss, grad.ravel(order="F")

    return loss_gradient


def _direct(model: LogisticRegression, X: Any, y: Any) -> bool:
    return (
        get_config()["assume_finite"]
        and type(model) is LogisticRegression
        and all(getattr(model, k) == v for k, v in _DIRECT.items())
        and 0 < model.C < np.inf
        and isinstance(X, np.ndarray)
        and X.dtype == np.float64
        and X.ndim == 2
        and isinstance(y, np.ndarray)
        and y.dtype.kind in "iu"
        and y.shape == (len(X),)
    )


def logreg_proba(model: LogisticRegression, X: np.ndarray) -> np.ndarray | None:
    """`LogisticRegression.predict_proba` without its input validation (about 0.5 ms a call,
    100× the arithmetic at this size): the same operations in the same order, so the same bits.
    None when X is not a plain float64 matrix of the model's width (then sklearn decides)."""
    coef = getattr(model, "coef_", None)
    if (
        coef is None
        or not isinstance(X, np.ndarray)
        or X.dtype != np.float64
        or X.ndim != 2
        or X.shape[1] != coef.shape[1]
    ):
        return None
    scores = X @ coef.T + model.intercept_
    if len(model.classes_) <= 2:
        prob = expit(scores.reshape(-1), out=scores.reshape(-1))
        return np.stack([1 - prob, prob], axis=1)
    return softmax(scores, copy=False)
