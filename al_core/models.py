"""The ten classifiers, each built fresh for every fit so no state leaks between steps.

Every model yields class probabilities (or a calibrated-looking score) over *all* classes of the
dataset, works from two labels, and is built with only the knobs a student would touch.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessClassifier
from sklearn.gaussian_process.kernels import RBF, ConstantKernel
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from al_core.logreg import fit_logreg, logreg_proba
from al_core.params import Param, resolve


class ScoredSVC(ClassifierMixin, BaseEstimator):
    """An SVC whose decision values are squashed into probabilities.

    `SVC(probability=True)` is deprecated and its internal cross-validation cannot run on two
    labels. A logistic squash of the margin is monotone in the SVM's own confidence, so every
    uncertainty strategy ranks points exactly as the SVM would; `scale` sets how sharp it is.
    """

    def __init__(self, kernel: str = "rbf", C: float = 1.0, gamma: float = 1.0, scale: float = 2.0):
        self.kernel = kernel
        self.C = C
        self.gamma = gamma
        self.scale = scale

    def fit(self, X: np.ndarray, y: np.ndarray) -> ScoredSVC:
        """Fit the SVC itself (no internal cross-validation, so two labels are enough)."""
        self.svc_ = SVC(
            kernel=self.kernel, C=self.C, gamma=self.gamma, decision_function_shape="ovr"
        )
        self.svc_.fit(X, y)
        self.classes_ = self.svc_.classes_
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """The SVM's margin, as scikit-learn gives it."""
        return self.svc_.decision_function(X)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """The margin squashed into probabilities (logistic, or softmax over classes)."""
        d = self.scale * self.svc_.decision_function(X)
        if d.ndim == 1:
            p1 = 1.0 / (1.0 + np.exp(-d))
            return np.column_stack([1.0 - p1, p1])
        e = np.exp(d - d.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The likeliest class, consistent with `predict_proba`."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


@dataclass(frozen=True)
class ModelSpec:
    """A model's name, label, one line for students, its builder and its knobs."""

    name: str
    label: str
    description: str
    build: Callable[[dict[str, Any], int, int], BaseEstimator]
    params: tuple[Param, ...] = ()
    grid_cost: float = 1.0  # relative cost of a 200² probability grid; the UI lowers resolution
    # Is each row's prediction in the plane's two features independent of the rows predicted
    # with it, bit for bit? Then one call serves the next query and the test set. (libsvm and
    # the trees predict row by row; a GP's solves do not, nor k-NN in 64 features, whose
    # distances go through blocked GEMM, nor the BLAS products of logreg and the MLP.)
    rowwise: bool = False


MODELS: dict[str, ModelSpec] = {
    m.name: m
    for m in [
        ModelSpec(
            "logreg",
            "Logistic regression",
            "A straight boundary; probabilities fall off smoothly with distance from it.",
            lambda p, seed, n: LogisticRegression(C=p["C"], max_iter=1000),
            (Param("C", "Inverse regularisation C", 1.0, 0.01, 100.0, log=True),),
        ),
        ModelSpec(
            "svm_rbf",
            "SVM (RBF kernel)",
            "A curved maximum-margin boundary; confidence grows with the margin.",
            lambda p, seed, n: ScoredSVC("rbf", C=p["C"], gamma=p["gamma"]),
            (
                Param("C", "C", 10.0, 0.01, 1000.0, log=True),
                Param("gamma", "Gamma", 1.0, 0.01, 100.0, log=True),
            ),
            rowwise=True,
        ),
        ModelSpec(
            "svm_linear",
            "SVM (linear)",
            "A straight maximum-margin boundary.",
            lambda p, seed, n: ScoredSVC("linear", C=p["C"], gamma="scale"),
            (Param("C", "C", 1.0, 0.01, 100.0, log=True),),
            rowwise=True,
        ),
        ModelSpec(
            "knn",
            "k nearest neighbours",
            "Votes of the k closest labeled points, weighted by distance.",
            lambda p, seed, n: KNeighborsClassifier(min(p["k"], n), weights="distance"),
            (Param("k", "Neighbours k", 7, 1, 50),),
            rowwise=True,
        ),
        ModelSpec(
            "tree",
            "Decision tree",
            "Axis-aligned boxes; confident everywhere, often wrongly.",
            lambda p, seed, n: DecisionTreeClassifier(max_depth=p["max_depth"], random_state=seed),
            (Param("max_depth", "Maximum depth", 5, 1, 20),),
            rowwise=True,
        ),
        ModelSpec(
            "forest",
            "Random forest",
            "Many randomised trees; their vote share is the probability.",
            lambda p, seed, n: RandomForestClassifier(
                p["n_estimators"], max_depth=p["max_depth"], n_jobs=1, random_state=seed
            ),
            (
                Param("n_estimators", "Trees", 50, 5, 300),
                Param("max_depth", "Maximum depth", 8, 1, 20),
            ),
            grid_cost=3.0,
            rowwise=True,
        ),
        ModelSpec(
            "gboost",
            "Gradient boosting",
            "Shallow trees added one after another, each fixing the last one's errors.",
            lambda p, seed, n: GradientBoostingClassifier(
                n_estimators=p["n_estimators"], max_depth=p["max_depth"], random_state=seed
            ),
            (
                Param("n_estimators", "Trees", 50, 5, 300),
                Param("max_depth", "Maximum depth", 2, 1, 8),
            ),
            rowwise=True,
        ),
        ModelSpec(
            "mlp",
            "Neural network",
            "One hidden layer of ReLU units, trained with L-BFGS.",
            lambda p, seed, n: MLPClassifier(
                (p["hidden"],), solver="lbfgs", alpha=1e-3, max_iter=400, random_state=seed
            ),
            (Param("hidden", "Hidden units", 16, 2, 128),),
        ),
        ModelSpec(
            "gp",
            "Gaussian process",
            "A kernel smoother that stays unsure far from any label.",
            lambda p, seed, n: GaussianProcessClassifier(
                ConstantKernel(1.0, "fixed") * RBF(p["length_scale"], "fixed"),
                optimizer=None,
                random_state=seed,
            ),
            (Param("length_scale", "Kernel length scale", 0.5, 0.05, 5.0, log=True),),
            grid_cost=10.0,
        ),
        ModelSpec(
            "naive_bayes",
            "Naive Bayes",
            "One Gaussian per class and feature; quadratic boundaries.",
            lambda p, seed, n: GaussianNB(),
        ),
    ]
}


def model_params(name: str, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A model's hyperparameters: its defaults overlaid with `given` (checked, see `resolve`)."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r} (accepted: {', '.join(MODELS)})")
    return resolve(MODELS[name].params, given)


class PriorModel:
    """Stands in while fewer than two classes are labeled: predicts the label shares seen so far."""

    def __init__(self, y: np.ndarray, n_classes: int):
        counts = np.bincount(np.asarray(y, dtype=int), minlength=n_classes).astype(float)
        self.prior = counts / counts.sum() if counts.sum() else np.full(n_classes, 1.0 / n_classes)
        self.classes_ = np.arange(n_classes)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """The label shares, the same for every point."""
        return np.tile(self.prior, (len(X), 1))


def fit_model(
    name: str, params: Mapping[str, Any], X: np.ndarray, y: np.ndarray, seed: int, n_classes: int
) -> BaseEstimator | PriorModel:
    """Fit a fresh model; with fewer than two classes labeled, a PriorModel stands in.

    Fit errors propagate: a model that cannot fit must say so, never silently fall back.
    """
    if len(np.unique(y)) < 2:
        return PriorModel(y, n_classes)
    model = MODELS[name].build(model_params(name, params), seed, len(y))
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", ConvergenceWarning
        )  # tiny sets rarely converge fully; fine here
        return fit_logreg(model, X, y) if type(model) is LogisticRegression else model.fit(X, y)


def clean_input():
    """Context manager for fits and predictions on arrays the engine built itself (a dataset, a
    grid): scikit-learn skips its finiteness and parameter checks, which cost a tiny step more
    than the model's own work. Never around a stranger's raw input."""
    return config_context(assume_finite=True, skip_parameter_validation=True)


def class_proba(model: BaseEstimator | PriorModel, X: np.ndarray, n_classes: int) -> np.ndarray:
    """Probabilities for every class of the dataset, zero for classes the model never saw."""
    proba = logreg_proba(model, X) if type(model) is LogisticRegression else None
    if proba is None:
        proba = model.predict_proba(X)
    if proba.shape[1] == n_classes:
        return proba
    full = np.zeros((len(X), n_classes))
    full[:, model.classes_] = proba
    return full
