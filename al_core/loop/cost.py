"""What a request will cost, estimated before it runs, so no link, file or setting can hold the
server for minutes.

Seconds come from fits and predictions timed on this project's 2-core machine (one thread,
two-moons data; `python -m al_core bench` prints the grid figures): each model's fit time as a
power of the labels it learns from, its prediction time per 10,000 points, and what a strategy
adds (a committee's fits, expected error reduction's refits). They are estimates, kept on the
generous side: their job is to tell a 50 ms Step from a 5-minute one, not 50 from 60 ms.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from al_core.models import model_params
from al_core.strategies import strategy_params

STEP_BUDGET_S = 3.0  # one Step, or opening a run: beyond this a setting is refused
# Rebuilding a link or a session file: beyond this the rest is cut. With the clock's slack and
# the page drawn afterwards, the 2,000-step link settled in 10.0 s at 4 s: 3 s keeps
# it well inside 10 s on a loaded 2-core machine.
REPLAY_BUDGET_S = 3.0
MEMORY_BUDGET_B = 1.0e9  # a Gaussian process's kernel matrices
GRID_POINTS = 160 * 160  # the plane's grid at its finest
TEST_POINTS = 1000


@dataclass(frozen=True)
class Estimate:
    """Seconds and bytes a piece of work is expected to take, and why (for the message)."""

    seconds: float
    bytes: float = 0.0

    def __add__(self, other: Estimate) -> Estimate:
        return Estimate(self.seconds + other.seconds, max(self.bytes, other.bytes))


def _k(n: float) -> float:
    return max(n, 1.0) / 1000.0


def dims_factor(dims: int, per: float) -> float:
    """How much more a fit (per=8) or a prediction (per=6) costs in `dims` features than in the
    2-D view. Measured on digits (64 features, one thread): fits took 1–6× and predictions
    2–10× their 2-D time, depending on the model; the factor stays above both."""
    return 1.0 + max(int(dims) - 2, 0) / per


def fit_seconds(
    model: str, params: Mapping[str, Any], n: int, n_classes: int, dims: int = 2
) -> float:
    """A fresh model's fit on `n` labels in `dims` features (measured shapes, generous
    constants)."""
    return _fit_2d(model, params, n, n_classes) * dims_factor(dims, 8)


def _fit_2d(model: str, params: Mapping[str, Any], n: int, n_classes: int) -> float:
    p = model_params(model, params)
    classes = max(1, n_classes if n_classes > 2 else 1)
    if model == "logreg":
        return 0.004 + 0.001 * _k(n) * classes
    if model == "svm_rbf":  # labels that contradict each other make every point a support
        hard = 1 + 3 * max(0.0, math.log10(p["C"] * p["gamma"] / 10))  # vector; large C and
        return 0.002 + 0.014 * _k(n) ** 2 * hard * classes  # gamma keep the solver iterating
    if model == "svm_linear":
        return 0.002 + 0.01 * _k(n) ** 1.8 * (1 + max(0.0, math.log10(p["C"]))) * classes
    if model in ("knn", "naive_bayes"):
        return 0.002
    if model == "tree":
        return 0.002 + 0.0015 * _k(n) * (p["max_depth"] / 5)
    if model == "forest":
        return (0.03 + 0.02 * _k(n)) * (p["n_estimators"] / 50) * (p["max_depth"] / 8)
    if model == "gboost":
        depth = 2 ** ((p["max_depth"] - 2) / 3)
        return (0.015 + 0.02 * _k(n)) * (p["n_estimators"] / 50) * depth * classes
    if model == "mlp":
        return 0.02 + 0.03 * min(_k(n), 4.0) * (p["hidden"] / 16)
    if model == "gp":
        return 0.01 + 0.25 * _k(n) ** 3 * classes
    raise ValueError(f"unknown model {model!r}")


def predict_seconds(
    model: str, params: Mapping[str, Any], n_query: int, n: int, dims: int = 2
) -> float:
    """Class probabilities for `n_query` points (in `dims` features) from a model fitted on `n`
    labels."""
    p = model_params(model, params)
    q = n_query / 10_000
    per = {
        "svm_rbf": 0.14 * _k(n),  # every label a support vector (contradictory labels)
        "svm_linear": 0.04 * math.sqrt(_k(n)),
        "knn": 0.015 * (1 + n / 10_000),
        "forest": 0.02 * p.get("n_estimators", 50) / 50,
        "gboost": 0.005 * p.get("n_estimators", 50) / 50,
        "gp": 1.2 * _k(n),
    }.get(model, 0.002)
    return q * per * dims_factor(dims, 6)


def gp_bytes(n: int, n_classes: int) -> float:
    """A Gaussian process classifier's kernel matrices (one per class beyond two)."""
    return 8.0 * n * n * (n_classes if n_classes > 2 else 1) * 3  # K, its factor, a copy


def step(config: Any, n_labeled: int, n_pool: int, n_classes: int, dims: int = 2) -> Estimate:
    """One Step (or opening a run): the fit, the strategy's scoring of the pool, the plane's
    grid and the test metrics, at `n_labeled` labels, learning in `dims` features (in all
    features the grid is carried over from the pool, not predicted)."""
    m, mp = config.model, config.model_params
    fit = fit_seconds(m, mp, n_labeled, n_classes, dims)
    grid = GRID_POINTS if dims <= 2 else 0
    predict = predict_seconds(m, mp, n_pool + grid + TEST_POINTS, n_labeled, dims)
    sp = strategy_params(config.strategy, config.strategy_params)
    extra = 0.0
    if config.strategy in ("qbc_vote", "qbc_kl"):
        size = sp["committee_size"]
        extra = size * (fit + predict_seconds(m, mp, n_pool + grid, n_labeled, dims))
    elif config.strategy == "expected_error_reduction":
        extra = sp["subsample"] * n_classes * (fit + predict_seconds(m, mp, 200, n_labeled, dims))
    memory = gp_bytes(n_labeled, n_classes) if m == "gp" else 0.0
    return Estimate(fit + predict + extra, memory)


def replay(
    config: Any, batches: Iterable[int], start: int, n_classes: int, dims: int = 2
) -> list[float]:
    """Cumulative seconds to rebuild a run: a fit and the test metrics after every step."""
    m, mp = config.model, config.model_params
    n, total, out = start, fit_seconds(m, mp, start, n_classes, dims), []
    for b in batches:
        n += b
        total += fit_seconds(m, mp, n, n_classes, dims)
        total += predict_seconds(m, mp, TEST_POINTS, n, dims)
        out.append(total)
    return out


def duration(seconds: float) -> str:
    """ "about 9 minutes", "about 40 seconds": what a person reads in a refusal."""
    if seconds >= 5400:
        return f"about {seconds / 3600:.0f} hours"
    if seconds >= 90:
        return f"about {seconds / 60:.0f} minutes"
    return f"about {max(1, round(seconds))} seconds"


def too_costly(config: Any, n_labeled: int, n_pool: int, n_classes: int, dims: int = 2) -> str:
    """Why this configuration cannot run here ("" when it can): a Step or its memory is beyond
    the budget. The words say what it would take and what to change."""
    e = step(config, n_labeled, n_pool, n_classes, dims)
    if e.bytes > MEMORY_BUDGET_B:
        return (
            f"a Gaussian process on {n_labeled:,} labels needs about {e.bytes / 1e9:.1f} GB; "
            f"start from fewer labels (at most about {_gp_cap(n_classes):,}) or pick another model"
        )
    if e.seconds > STEP_BUDGET_S:
        return (
            f"each step would take {duration(e.seconds)} with {n_labeled:,} labels (this server "
            f"allows {STEP_BUDGET_S:g} s); use fewer labels, a smaller pool, lighter model "
            "settings or a smaller committee"
        )
    return ""


def _gp_cap(n_classes: int) -> int:
    return int(math.sqrt(MEMORY_BUDGET_B / (24.0 * (n_classes if n_classes > 2 else 1))))


def opening_problem(config: Any, dataset: Any = None) -> str:
    """Why a run on `config` cannot even open here ("" when it can): its first fit, scoring
    and grid are beyond the budget. Building the data itself is cheap and cached."""
    from al_core.data import make_dataset

    c = config
    ds = dataset or make_dataset(c.dataset, c.n_samples, c.noise, c.seed, c.n_classes, c.imbalance)
    n_start = min(c.initial, max(len(ds) - ds.n_classes, 0))
    return too_costly(config, n_start, len(ds), ds.n_classes, learned_dims(c, ds))


def learned_dims(config: Any, dataset: Any) -> int:
    """Features the model learns from under `config` (2 in the view)."""
    return dataset.inputs(config.learn_in)[0].shape[1]


def next_step_problem(learner: Any, steps: int = 1) -> str:
    """Why the next `steps` Steps cannot run here ("" when they can)."""
    c, ds = learner.config, learner.dataset
    n = min(len(ds), learner.n_labeled + steps * c.batch_size)
    return too_costly(c, n, len(ds), ds.n_classes, learned_dims(c, ds))
