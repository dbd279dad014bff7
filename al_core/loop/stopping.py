"""When to stop: three stopping criteria read from a run's per-step predictions on its pool.

- Stabilizing predictions (Bloodgood & Vijay-Shanker 2009): Cohen's κ between the predictions of
  successive models on a fixed *stop set* of unlabeled points; fires when the mean κ of the last
  three steps is at least 0.99.
- Overall uncertainty (Zhu, Wang & Hovy 2008): the mean normalised entropy of the unlabeled
  pool; fires when it is at most a threshold (0.05, small-text's default).
- Classification change: the share of the unlabeled pool whose predicted class changed since
  the previous model; fires when it is at most a threshold (0: no prediction changed).

A `StopTrace` watches a Learner (`Learner.observers`) and records each step's three signals
while that step's model is still held, so recording never refits. The stop set is drawn from
the points unlabeled at step 0 with the run's seed: the same run, replayed from a link or a
session file, has the same stop set and the same signals.

Edge cases, defined here once: a model trained on fewer than two classes is no model (its
signals are NaN and a window holding one never fires); κ between two constant predictions of
the same class, which Cohen's formula leaves undefined (0/0), is 1 (they agree on every point);
fewer than `window` defined κ values never fire.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from al_core.models import PriorModel, class_proba
from al_core.threads import one_thread

STOP_SET_SIZE = 1000
_STOP_SET_TAG = 5  # the stop set's own random stream, beside the learner's tags 1-4


def cohen_kappa(a: np.ndarray, b: np.ndarray, n_classes: int | None = None) -> float:
    """Cohen's κ between two label vectors: (p_o − p_e) / (1 − p_e).

    Equal to `sklearn.metrics.cohen_kappa_score` where that is defined; where it is not (both
    vectors constant and the same class, p_e = 1), 1.0. NaN for empty input.
    """
    a, b = np.asarray(a, np.intp), np.asarray(b, np.intp)
    if len(a) != len(b):
        raise ValueError(f"κ needs two predictions of the same points ({len(a)} vs {len(b)})")
    if len(a) == 0:
        return float("nan")
    k = int(n_classes or max(a.max(), b.max()) + 1)
    observed = float(np.mean(a == b))
    expected = float(np.dot(np.bincount(a, minlength=k), np.bincount(b, minlength=k))) / len(a) ** 2
    if expected >= 1.0:  # both constant, same class: total agreement
        return 1.0
    return (observed - expected) / (1.0 - expected)


def normalised_entropy(proba: np.ndarray) -> np.ndarray:
    """Entropy of each row divided by log K: 0 is certain, 1 is a uniform guess."""
    k = proba.shape[1]
    if k < 2:
        return np.zeros(len(proba))
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.sum(np.where(proba > 0, proba * np.log(proba), 0.0), axis=1)
    return h / np.log(k)


def stop_set(
    n_pool: int, unlabeled: np.ndarray, seed: int, size: int = STOP_SET_SIZE
) -> np.ndarray:
    """Up to `size` pool rows drawn (seeded) from the points unlabeled at the start, sorted."""
    unlabeled = np.asarray(unlabeled, int)
    if len(unlabeled) <= size:
        return np.sort(unlabeled)
    rng = np.random.default_rng([int(seed), 0, _STOP_SET_TAG])
    return np.sort(rng.choice(unlabeled, size, replace=False))


@dataclass(frozen=True)
class Criterion:
    """A stopping rule: the signal it reads, the rule on the signal's series, its default."""

    name: str
    label: str
    signal: str  # a StopPoint field
    threshold: float
    low: float
    high: float
    step: float
    at_least: bool  # fires when the (windowed) signal is at least the threshold, else at most
    window: int
    idea: str

    def fired(self, values: Sequence[float], threshold: float | None = None) -> np.ndarray:
        """One bool per step: does the rule fire with the series up to that step?

        The one signature every criterion shares: the series of its signal, and a threshold.
        """
        t = self.threshold if threshold is None else float(threshold)
        v = np.asarray(values, float)
        out = np.zeros(len(v), bool)
        w = self.window
        for i in range(w - 1, len(v)):
            tail = v[i - w + 1 : i + 1]
            if np.all(np.isfinite(tail)):
                m = float(tail.mean())
                out[i] = m >= t if self.at_least else m <= t
        return out

    def first(self, values: Sequence[float], threshold: float | None = None) -> int | None:
        """The first step (an index into the series) at which the rule fires; None if never."""
        hits = np.flatnonzero(self.fired(values, threshold))
        return int(hits[0]) if len(hits) else None


CRITERIA: dict[str, Criterion] = {
    c.name: c
    for c in (
        Criterion(
            "kappa",
            "Stabilizing predictions",
            "kappa",
            0.99,
            0.5,
            1.0,
            0.005,
            True,
            3,
            "Stop when successive models agree on a fixed stop set: mean Cohen's κ of the last "
            "3 steps at least the threshold (Bloodgood & Vijay-Shanker 2009).",
        ),
        Criterion(
            "uncertainty",
            "Overall uncertainty",
            "uncertainty",
            0.05,
            0.0,
            1.0,
            0.01,
            False,
            1,
            "Stop when the model is sure of the unlabeled pool: mean normalised entropy at most "
            "the threshold (Zhu, Wang & Hovy 2008).",
        ),
        Criterion(
            "change",
            "Classification change",
            "changed",
            0.0,
            0.0,
            0.2,
            0.005,
            False,
            1,
            "Stop when the last label changed no prediction on the unlabeled pool (at most the "
            "threshold's share of it).",
        ),
    )
}


@dataclass(frozen=True)
class StopPoint:
    """One step's signals: κ with the previous model on the stop set, the pool's mean
    normalised entropy, and the share of the unlabeled pool whose prediction changed."""

    kappa: float
    uncertainty: float
    changed: float


BACKFILL_BUDGET_S = 2.0  # seconds to fill in a rebuilt history's signals


class StopTrace:
    """The stopping signals of one run, step by step (aligned with `learner.steps`).

    `attach` registers it with the learner, so every later step is recorded while its model is
    held; `sync` follows undo (and fills in steps taken before it was attached, refitting those
    models once). Only the last step's pool prediction is kept, not one per step.
    """

    def __init__(self, learner, size: int = STOP_SET_SIZE):
        self.learner = learner
        first = learner.steps[0].n_labeled
        unlabeled = np.setdiff1d(np.arange(len(learner.dataset)), learner.labeled[:first])
        self.rows = stop_set(len(learner.dataset), unlabeled, learner.config.seed, size)
        self.points: list[StopPoint] = []
        self._steps: list = []  # the Step objects recorded, to notice undo
        self._last: np.ndarray | None = None  # pool prediction after the last recorded step

    @classmethod
    def attach(cls, learner, size: int = STOP_SET_SIZE) -> StopTrace:
        """A trace of `learner` that records every step from now on (and the ones before)."""
        trace = cls(learner, size)
        trace.sync()
        learner.observers.append(trace._observe)
        return trace

    def _observe(self, learner) -> None:
        self.sync()

    def sync(self) -> None:
        """Bring the trace level with the learner's history (after steps or undo)."""
        steps = self.learner.steps
        same = 0
        while same < min(len(steps), len(self._steps)) and steps[same] is self._steps[same]:
            same += 1
        if same < len(self._steps):  # undone (or replaced): drop the steps that are gone
            del self.points[same:], self._steps[same:]
            self._last = self._prediction(same - 1) if same else None
        # A history rebuilt from a link or a session is filled in within a budget: each past
        # step costs a prediction of the pool, seconds for a big RBF SVM. Past it, older steps
        # get no signal; the last two are always recorded, so the meter reads the latest kappa.
        deadline = time.perf_counter() + BACKFILL_BUDGET_S
        for i in range(same, len(steps)):
            if i < len(steps) - 2 and time.perf_counter() > deadline:
                self._blank(i)
            else:
                self._record(i)

    def _blank(self, step: int) -> None:
        """A past step the budget left without signals (NaN, as before a model is trained)."""
        nan = float("nan")
        self.points.append(StopPoint(nan, nan, nan))
        self._steps.append(self.learner.steps[step])
        self._last = None

    def _proba(self, step: int) -> np.ndarray | None:
        """The pool's class probabilities after `step`; None where no model was trained. The
        latest step's come from the learner's cache, shared with the plane (and with the Step's
        own prediction where it has one); a past step's are predicted and not kept."""
        model = self.learner.model_at(step)
        if isinstance(model, PriorModel):
            return None
        with one_thread():  # the pool as the model sees it: the 2-D view or all features
            if step == self.learner.step_number:
                return self.learner.pool_proba()
            return class_proba(model, self.learner.X, self.learner.dataset.n_classes)

    def _prediction(self, step: int) -> np.ndarray | None:
        proba = self._proba(step)
        return None if proba is None else proba.argmax(axis=1)

    def _record(self, step: int) -> None:
        proba = self._proba(step)
        pred = None if proba is None else proba.argmax(axis=1)
        prev = self._last
        unlabeled = np.ones(len(self.learner.dataset), bool)
        unlabeled[self.learner.labeled[: self.learner.steps[step].n_labeled]] = False
        nan = float("nan")
        if pred is None:
            point = StopPoint(nan, nan, nan)
        else:
            k = self.learner.dataset.n_classes
            uncertainty = (
                float(normalised_entropy(proba[unlabeled]).mean()) if unlabeled.any() else 0.0
            )
            if prev is None:
                point = StopPoint(nan, uncertainty, nan)
            else:
                kappa = cohen_kappa(prev[self.rows], pred[self.rows], k)
                changed = (
                    float(np.mean(prev[unlabeled] != pred[unlabeled])) if unlabeled.any() else 0.0
                )
                point = StopPoint(kappa, uncertainty, changed)
        self.points.append(point)
        self._steps.append(self.learner.steps[step])
        self._last = pred

    def series(self, signal: str) -> np.ndarray:
        """One signal after every step ("kappa", "uncertainty" or "changed")."""
        return np.array([getattr(p, signal) for p in self.points], float)

    def signals(self) -> dict[str, list[float]]:
        """Every signal after every step, as plain lists (a run result carries these)."""
        return {s: [float(v) for v in self.series(s)] for s in ("kappa", "uncertainty", "changed")}


def stop_step(
    signals: dict[str, Sequence[float]], criterion: str, threshold: float | None = None
) -> int | None:
    """The first step at which `criterion` fires on a run's recorded signals; None if never."""
    c = criterion_named(criterion)
    return c.first(signals[c.signal], threshold)


def criterion_named(name: str) -> Criterion:
    """The criterion by its name, or a ValueError listing the accepted ones."""
    if name not in CRITERIA:
        raise ValueError(f"unknown stopping criterion {name!r} (accepted: {', '.join(CRITERIA)})")
    return CRITERIA[name]
