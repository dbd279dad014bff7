"""Metrics: held equal to scikit-learn's definitions, and the learning-curve summaries."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, log_loss

from al_core.loop.metrics import METRICS, aulc, evaluate, labels_to_target


def random_case(seed: int):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    n = int(rng.integers(k, 60))
    y = rng.integers(0, k, n)
    y[:k] = np.arange(k)  # every class occurs in the truth, as on every test set we build
    proba = rng.dirichlet(np.full(k, 0.7), n)
    if seed % 3 == 0:  # hard zeros, as trees and k-NN give: log loss must clip like sklearn
        proba[rng.random((n, k)) < 0.3] = 0.0
        proba[proba.sum(axis=1) == 0, 0] = 1.0
        proba /= proba.sum(axis=1, keepdims=True)
    if seed % 4 == 1:  # one class is never predicted
        proba[:, k - 1] *= 0.01
        proba /= proba.sum(axis=1, keepdims=True)
    return proba, y, k


def sklearn_metrics(proba, y, k) -> dict[str, float]:
    pred = proba.argmax(axis=1)
    labels = np.arange(k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero-division and absent-class warnings
        return {
            "accuracy": accuracy_score(y, pred),
            "balanced_accuracy": balanced_accuracy_score(y, pred),
            "f1_macro": f1_score(y, pred, average="macro", labels=labels, zero_division=0),
            "log_loss": log_loss(y, proba, labels=labels),
        }


@pytest.mark.parametrize("seed", range(60))
def test_evaluate_equals_sklearn_on_random_cases(seed):
    proba, y, k = random_case(seed)
    got = evaluate(proba, y)
    assert set(got) == set(METRICS)
    want = sklearn_metrics(proba, y, k)
    for name in METRICS:
        assert got[name] == pytest.approx(want[name], rel=1e-10, abs=1e-12), name


def test_a_class_absent_from_the_predictions():
    y = np.array([0, 0, 1, 1, 2, 2])
    proba = np.array([[0.9, 0.1, 0.0]] * 3 + [[0.2, 0.8, 0.0]] * 3)  # never predicts class 2
    got = evaluate(proba, y)
    want = sklearn_metrics(proba, y, 3)
    assert got == pytest.approx(want)
    # and without `labels`, sklearn's macro F1 over the classes in y ∪ pred is the same here
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert got["f1_macro"] == pytest.approx(f1_score(y, proba.argmax(axis=1), average="macro"))
    assert got["accuracy"] == pytest.approx(3 / 6)
    assert got["balanced_accuracy"] == pytest.approx((1 + 0.5 + 0) / 3)
    # a zero probability on the true class costs -log(eps), exactly as in sklearn
    assert got["log_loss"] == pytest.approx(log_loss(y, proba, labels=[0, 1, 2]))


def test_a_class_absent_from_the_truth_counts_zero_in_macro_f1():
    """Macro F1 averages over every class of the dataset (sklearn with labels=range(K))."""
    y = np.array([0, 0, 1, 1])
    proba = np.array([[0.8, 0.1, 0.1], [0.1, 0.1, 0.8], [0.1, 0.8, 0.1], [0.1, 0.8, 0.1]])
    got = evaluate(proba, y)
    assert got == pytest.approx(sklearn_metrics(proba, y, 3))
    assert got["balanced_accuracy"] == pytest.approx(0.75)  # over the classes in the truth


def test_perfect_and_float32_predictions():
    y = np.array([0, 1, 2, 1])
    perfect = np.eye(3)[y]
    got = evaluate(perfect, y)
    assert got["accuracy"] == got["balanced_accuracy"] == got["f1_macro"] == 1.0
    assert 0 <= got["log_loss"] < 1e-12
    p32 = np.array([[0.7, 0.2, 0.1], [0.0, 1.0, 0.0], [0.3, 0.3, 0.4], [0.5, 0.4, 0.1]], np.float32)
    assert evaluate(p32, y)["log_loss"] == pytest.approx(log_loss(y, p32, labels=[0, 1, 2]))


def test_aulc_on_hand_made_curves():
    assert aulc([10, 20, 30], [0.8, 0.8, 0.8]) == pytest.approx(0.8)
    assert aulc([10, 20], [0.5, 1.0]) == pytest.approx(0.75)
    # uneven spacing: trapezoids weighted by width: (0.6+0.8)/2*10 + (0.8+1.0)/2*30 = 34 over 40
    assert aulc([0, 10, 40], [0.6, 0.8, 1.0]) == pytest.approx(34 / 40)
    n, acc = np.array([4, 5, 9, 20, 33]), np.array([0.5, 0.55, 0.7, 0.9, 0.91])
    assert aulc(n, acc) == pytest.approx(np.trapezoid(acc, n) / (33 - 4))
    assert aulc([60], [0.9]) == 0.9  # a single point: its own value
    assert aulc([5, 5], [0.4, 0.6]) == 0.6
    assert np.isnan(aulc([], []))


def test_labels_to_target_on_hand_made_curves():
    n, acc = [10, 20, 30, 40], [0.5, 0.7, 0.9, 0.85]
    assert labels_to_target(n, acc, 0.7) == 20  # reaching it exactly counts
    assert labels_to_target(n, acc, 0.8) == 30
    assert labels_to_target(n, acc, 0.1) == 10
    assert np.isnan(labels_to_target(n, acc, 0.95))
    assert np.isnan(labels_to_target([], [], 0.5))
