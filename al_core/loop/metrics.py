"""Test-set metrics after every step, and summaries of learning curves over seeds.

Computed in plain numpy because they run after every single step; the tests hold them equal to
scikit-learn's definitions.
"""

from __future__ import annotations

import numpy as np

METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "log_loss")


def evaluate(proba: np.ndarray, y_true: np.ndarray) -> dict[str, float]:
    """Accuracy, balanced accuracy, macro F1 and log loss of class probabilities on a test set.

    One confusion matrix from a single bincount serves the first three, so a step pays tens of
    microseconds for its metrics, not a loop per class.
    """
    k = proba.shape[1]
    y_true = np.asarray(y_true, dtype=np.intp)
    pred = proba.argmax(axis=1)
    confusion = np.bincount(y_true * k + pred, minlength=k * k).reshape(k, k)
    tp = np.diag(confusion).astype(float)
    actual, predicted = confusion.sum(axis=1), confusion.sum(axis=0)
    present = actual > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(actual + predicted > 0, 2 * tp / (actual + predicted), 0.0)
    eps = np.finfo(np.result_type(proba.dtype, np.float32)).eps  # as sklearn's log_loss clips
    p_true = np.clip(proba[np.arange(len(y_true)), y_true], eps, 1 - eps)
    return {
        "accuracy": float(tp.sum() / len(y_true)),
        "balanced_accuracy": float(np.mean(tp[present] / actual[present])),
        "f1_macro": float(f1.mean()),
        "log_loss": float(-np.mean(np.log(p_true))),
    }


def aulc(n_labeled: np.ndarray, accuracy: np.ndarray) -> float:
    """Area under the learning curve, divided by its width: the mean accuracy over the budget."""
    n, acc = np.asarray(n_labeled, float), np.asarray(accuracy, float)
    if len(n) < 2 or n[-1] == n[0]:
        return float(acc[-1]) if len(acc) else float("nan")
    return float(np.sum((acc[1:] + acc[:-1]) / 2 * np.diff(n)) / (n[-1] - n[0]))


def labels_to_target(n_labeled: np.ndarray, accuracy: np.ndarray, target: float) -> float:
    """The first number of labels at which accuracy reaches the target; NaN if it never does."""
    hits = np.flatnonzero(np.asarray(accuracy) >= target)
    return float(np.asarray(n_labeled)[hits[0]]) if len(hits) else float("nan")


def censored_median(values) -> float:
    """Median where NaN means "never reached": it counts as larger than any number, so if half
    the runs never reach the target, neither does the median (NaN). Ignoring those runs would
    flatter a strategy that mostly fails."""
    v = np.asarray(list(values), dtype=float)
    if len(v) == 0:
        return float("nan")
    m = float(np.median(np.where(np.isnan(v), np.inf, v)))
    return m if np.isfinite(m) else float("nan")
