"""Fit a model on labeled points and score it: the one place a run's model meets its data.

The loop after every step, the target (the model trained on the whole pool) and the exact-oracle
curve beside a person's labels all fit and score the same way, with one BLAS thread.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from al_core.data import Dataset
from al_core.loop.config import Config
from al_core.loop.metrics import evaluate
from al_core.models import class_proba, clean_input, fit_model
from al_core.threads import one_thread


def fit(config: Config, dataset: Dataset, rows: np.ndarray, labels: np.ndarray) -> Any:
    """A fresh model of the run's kind on `rows` of the pool with `labels`."""
    with one_thread(), clean_input():  # the dataset's own arrays: no need to check them again
        return fit_model(
            config.model,
            config.model_params,
            dataset.inputs(config.learn_in)[0][rows],
            labels,
            config.seed,
            dataset.n_classes,
        )


def score(model: Any, dataset: Dataset, learn_in: str = "view") -> dict[str, float]:
    """The held-out test metrics (one prediction serves all four); without ground truth, the
    model's mean confidence over the pool instead. `learn_in` is the space the model knows."""
    return score_and_predict(model, dataset, learn_in)[0]


def score_and_predict(
    model: Any, dataset: Dataset, learn_in: str = "view", X: np.ndarray | None = None
) -> tuple[dict[str, float], np.ndarray | None]:
    """`score`, and the probabilities for `X` from the same call of the model: the strategy's
    next query and the test metrics share one prediction (a k-NN step on 10,000 points spent
    5% of its time on the second call's fixed costs). None for `X` without a test set."""
    X_pool, X_test = dataset.inputs(learn_in)
    k = dataset.n_classes
    with one_thread(), clean_input():
        if X_test is not None and dataset.y_test is not None:
            if X is None or len(X) == 0:
                return evaluate(class_proba(model, X_test, k), dataset.y_test), None
            both = class_proba(model, np.concatenate([X, X_test]), k)
            return evaluate(both[len(X) :], dataset.y_test), both[: len(X)]
        proba = class_proba(model, X_pool, k)
    return {"confidence": float(proba.max(axis=1).mean())}, None


def fit_and_score(
    config: Config, dataset: Dataset, rows: np.ndarray, labels: np.ndarray | None = None
) -> tuple[Any, dict[str, float]]:
    """Fit on `rows` (with their true labels unless `labels` are given) and score."""
    rows = np.asarray(rows, int)
    y = dataset.y[rows] if labels is None else np.asarray(labels, int)
    model = fit(config, dataset, rows, y)
    return model, score(model, dataset, config.learn_in)
