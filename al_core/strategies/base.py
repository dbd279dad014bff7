"""What every strategy shares: the context it reads, the Strategy record, the Query it yields.

One signature for all of them, as in scikit-activeml: `utility(ctx, X) -> scores`, higher means
"ask me". A utility is defined for any point, not only the pool, so the UI can draw it as a
surface over the plane; `select(ctx, X, utility, k)` then turns utilities into a batch, by default the top k. Ties are always broken at random from
the step's own seed, never by array order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from al_core.models import class_proba
from al_core.params import Param


@dataclass
class QueryContext:
    """Everything a strategy may look at for one query; built by the learner for each step."""

    model: Any
    X_labeled: np.ndarray
    y_labeled: np.ndarray
    X_pool: np.ndarray
    n_classes: int
    rng: np.random.Generator
    fit: Callable[[np.ndarray, np.ndarray], Any]  # fits a fresh model of the same kind
    params: Mapping[str, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)  # the committee, shared by pool and grid
    # The committee's own stream, so its members do not depend on whether the pool or the grid
    # asked first (falls back to `rng` when not given).
    committee_rng: np.random.Generator | None = None
    # (inputs, their probabilities) the learner already predicted in the call that scored the
    # test set; `proba` of that very array reuses them instead of asking the model again.
    known: tuple[np.ndarray, np.ndarray] | None = None

    def proba(self, X: np.ndarray) -> np.ndarray:
        """The current model's probabilities for every class of the dataset."""
        if self.known is not None and X is self.known[0]:
            return self.known[1]
        return class_proba(self.model, X, self.n_classes)


Utility = Callable[[QueryContext, np.ndarray], np.ndarray]
Select = Callable[[QueryContext, np.ndarray, np.ndarray, int], np.ndarray]


def top_k(utility: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Positions of the k highest utilities; NaN ranks last and ties fall in random order.

    Same answer as `np.lexsort((rng.random(n), -u))[:k]`, but only the points that can make the
    top k are sorted: a full sort of a 10,000-point pool cost more than the strategy itself.
    """
    u = np.where(np.isnan(utility), -np.inf, utility)
    tie = rng.random(len(u))
    k = max(0, min(int(k), len(u)))
    if k == 0:
        return np.array([], dtype=np.intp)
    kth = np.partition(u, len(u) - k)[len(u) - k]  # the k-th highest utility
    above = np.flatnonzero(u > kth)
    above = above[np.lexsort((tie[above], -u[above]))]
    at = np.flatnonzero(u == kth)  # the tied boundary: the lowest tie-break values go first
    need = k - len(above)
    if need < len(at):
        at = at[np.argpartition(tie[at], need - 1)[:need]] if need > 0 else at[:0]
    at = at[np.lexsort((at, tie[at]))][:need]
    return np.concatenate([above, at])


def select_top(ctx: QueryContext, X: np.ndarray, utility: np.ndarray, k: int) -> np.ndarray:
    """The k highest utilities (random among ties)."""
    return top_k(utility, k, ctx.rng)


@dataclass(frozen=True)
class Strategy:
    """A named strategy: its utility, how it picks a batch, and the knobs a student may turn."""

    name: str
    label: str
    idea: str
    utility: Utility
    select: Select = select_top
    params: tuple[Param, ...] = ()
    surface: bool = True  # can the utility be drawn over the whole plane at interactive speed?
    # Does the utility read the model's probabilities for every candidate? Then the learner
    # predicts them in the same call as the test set (one model call per step, not two).
    reads_proba: bool = False


@dataclass(frozen=True)
class Query:
    """A batch to label: pool indices in rank order, and each candidate's utility."""

    indices: np.ndarray
    candidates: np.ndarray
    utility: np.ndarray  # aligned with `candidates`
    random_picks: np.ndarray  # bool, aligned with `indices`: drawn by the random mix
    note: str = ""
