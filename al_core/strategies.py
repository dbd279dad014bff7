"""Query strategies with one signature: `utility(ctx, X) -> scores`, higher means "ask me".

A utility is defined for any point, not only the pool, so the UI can draw it as a surface over the
plane. Selection then turns utilities into a batch: the top k for most strategies, a diverse batch
for `coreset` and `cluster_margin`. Ties are always broken at random from the step's seed, never by
array order, and nothing here retries or swallows an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from al_core.models import class_proba
from al_core.params import Param, resolve

# ---------------------------------------------------------------- context


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
    cache: dict[str, Any] = field(
        default_factory=dict
    )  # e.g. the committee, shared by pool and grid
    # The committee's own stream, so its members do not depend on whether the pool or the grid
    # asked first (falls back to `rng` when not given).
    committee_rng: np.random.Generator | None = None

    def proba(self, X: np.ndarray) -> np.ndarray:
        return class_proba(self.model, X, self.n_classes)


# ---------------------------------------------------------------- uncertainty family


def least_confident(ctx: QueryContext, X: np.ndarray) -> np.ndarray:
    return least_confident_scores(ctx.proba(X))


def margin(ctx: QueryContext, X: np.ndarray) -> np.ndarray:
    return margin_scores(ctx.proba(X))


def entropy(ctx: QueryContext, X: np.ndarray) -> np.ndarray:
    return _entropy(ctx.proba(X))


# The same three measures on a probability matrix, so one prediction can serve all of them.


def least_confident_scores(p: np.ndarray) -> np.ndarray:
    return 1.0 - p.max(axis=1)


def margin_scores(p: np.ndarray) -> np.ndarray:
    top2 = np.sort(p, axis=1)[:, -2:]
    return 1.0 - (top2[:, 1] - top2[:, 0])


def entropy_scores(p: np.ndarray) -> np.ndarray:
    return _entropy(p)


def _entropy(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.nansum(np.where(p > 0, p * np.log(p), 0.0), axis=1)


def random(ctx: QueryContext, X: np.ndarray) -> np.ndarray:
    """All points tie, so the random tie-break is the whole strategy."""
    return np.zeros(len(X))


# ---------------------------------------------------------------- committees


def committee(ctx: QueryContext) -> list[Any]:
    """Bootstrap members of the chosen model, resampled within each class.

    Resampling per class guarantees every member sees every labeled class, so no member ever
    needs a retry or a fallback.
    """
    if "committee" not in ctx.cache:
        rng = ctx.rng if ctx.committee_rng is None else ctx.committee_rng
        members = []
        by_class = [np.flatnonzero(ctx.y_labeled == c) for c in np.unique(ctx.y_labeled)]
        for _ in range(int(ctx.params.get("committee_size", 5))):
            rows = np.concatenate(
                [rng.choice(idx, size=len(idx), replace=True) for idx in by_class]
            )
            members.append(ctx.fit(ctx.X_labeled[rows], ctx.y_labeled[rows]))
        ctx.cache["committee"] = members
    return ctx.cache["committee"]


def _member_proba(ctx: QueryContext, X: np.ndarray) -> np.ndarray:
    return np.stack([class_proba(m, X, ctx.n_classes) for m in committee(ctx)])  # (members, n, K)


def qbc_vote(ctx: QueryContext, X: np.ndarray) -> np.ndarray:
    votes = _member_proba(ctx, X).argmax(axis=2)  # (members, n)
    counts = np.stack([(votes == c).sum(axis=0) for c in range(ctx.n_classes)], axis=1)
    return _entropy(counts / votes.shape[0])


def qbc_kl(ctx: QueryContext, X: np.ndarray) -> np.ndarray:
    """Mean KL divergence of each member from the consensus: how much the committee disagrees."""
    p = np.clip(_member_proba(ctx, X), 1e-12, 1.0)
    consensus = p.mean(axis=0)
    return (p * np.log(p / consensus)).sum(axis=2).mean(axis=0)


# ---------------------------------------------------------------- representativeness


def _density(ctx: QueryContext, X: np.ndarray) -> np.ndarray:
    """Gaussian-kernel density against a fixed sample of the pool, scaled so the pool peaks at 1."""
    if "density" not in ctx.cache:
        pool = ctx.X_pool
        ref = pool[np.random.default_rng(0).permutation(len(pool))[:500]]
        h = float(ctx.params.get("bandwidth", 0.15)) * float(np.ptp(pool, axis=0).mean())
        ctx.cache["density"] = (ref, h, float(_kernel_density(pool, ref, h).max()) or 1.0)
    ref, h, peak = ctx.cache["density"]
    return np.minimum(_kernel_density(X, ref, h) / peak, 1.0)


def _kernel_density(X: np.ndarray, ref: np.ndarray, h: float) -> np.ndarray:
    out = np.empty(len(X))
    for start in range(0, len(X), 4096):  # chunks keep memory flat on 40k-point grids
        d2 = ((X[start : start + 4096, None, :] - ref[None, :, :]) ** 2).sum(axis=2)
        out[start : start + 4096] = np.exp(-d2 / (2 * h * h)).mean(axis=1)
    return out


def density_weighted(ctx: QueryContext, X: np.ndarray) -> np.ndarray:
    """Entropy times density^beta: uncertain points in crowded regions, not lonely outliers."""
    beta = float(ctx.params.get("beta", 1.0))
    return entropy(ctx, X) / np.log(max(ctx.n_classes, 2)) * _density(ctx, X) ** beta


def coreset_distance(ctx: QueryContext, X: np.ndarray) -> np.ndarray:
    """Distance to the nearest labeled point: how unexplored a region is."""
    if len(ctx.X_labeled) == 0:
        return np.ones(len(X))
    return _nearest_distance(X, ctx.X_labeled)


def _nearest_distance(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    out = np.empty(len(X))
    for start in range(0, len(X), 4096):
        d2 = ((X[start : start + 4096, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
        out[start : start + 4096] = np.sqrt(d2.min(axis=1))
    return out


# ---------------------------------------------------------------- expected error reduction


def expected_error_reduction(ctx: QueryContext, X: np.ndarray) -> np.ndarray:
    """Negative expected error on the pool after adding each point with each possible label.

    Refits per candidate and class, so only a random subsample is scored (the rest are NaN and
    never chosen ahead of a scored point); the error is estimated on a fixed pool sample.
    """
    n_score = int(ctx.params.get("subsample", 16))
    scored = ctx.rng.permutation(len(X))[:n_score]
    ref = ctx.X_pool[np.random.default_rng(1).permutation(len(ctx.X_pool))[:200]]
    p_now = ctx.proba(X[scored])
    out = np.full(len(X), np.nan)
    for i, p_x in zip(scored, p_now, strict=True):
        risk = 0.0
        for c in np.flatnonzero(p_x > 1e-3):
            model = ctx.fit(np.vstack([ctx.X_labeled, X[i]]), np.append(ctx.y_labeled, c))
            risk += p_x[c] * (1.0 - class_proba(model, ref, ctx.n_classes).max(axis=1)).mean()
        out[i] = -risk
    return out


# ---------------------------------------------------------------- selection


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
    return top_k(utility, k, ctx.rng)


def select_coreset(ctx: QueryContext, X: np.ndarray, utility: np.ndarray, k: int) -> np.ndarray:
    """Greedy k-centre: each pick is the point farthest from every labeled or already-picked one."""
    dist = utility.copy()
    picks: list[int] = []
    for _ in range(min(k, len(X))):
        i = int(top_k(dist, 1, ctx.rng)[0])
        picks.append(i)
        dist = np.minimum(dist, np.sqrt(((X - X[i]) ** 2).sum(axis=1)))
        dist[picks] = -np.inf
    return np.array(picks, dtype=int)


def select_cluster_margin(
    ctx: QueryContext, X: np.ndarray, utility: np.ndarray, k: int
) -> np.ndarray:
    """Cluster the most uncertain candidates, then take the most uncertain point of each cluster."""
    if k <= 1:
        return top_k(utility, k, ctx.rng)
    from sklearn.cluster import KMeans

    shortlist = top_k(utility, min(len(X), max(10 * k, 50)), ctx.rng)
    # Duplicate points (common in uploads) can leave a cluster empty: never ask for more
    # clusters than distinct points, and skip any that still come back empty.
    n_clusters = min(k, len(np.unique(X[shortlist], axis=0)))
    labels = KMeans(
        n_clusters, n_init=3, random_state=int(ctx.rng.integers(2**31 - 1))
    ).fit_predict(X[shortlist])
    # shortlist is utility-ordered, so the first member of a cluster is its most uncertain point
    picks = [shortlist[labels == c][0] for c in range(n_clusters) if (labels == c).any()]
    if len(picks) < k:
        rest = shortlist[~np.isin(shortlist, picks)]
        picks.extend(rest[: k - len(picks)])
    return np.array(picks[:k], dtype=int)


# ---------------------------------------------------------------- registry


@dataclass(frozen=True)
class Strategy:
    name: str
    label: str
    idea: str
    utility: Callable[[QueryContext, np.ndarray], np.ndarray]
    select: Callable[[QueryContext, np.ndarray, np.ndarray, int], np.ndarray] = select_top
    params: tuple[Param, ...] = ()
    surface: bool = True  # can the utility be drawn over the whole plane at interactive speed?


COMMITTEE = Param("committee_size", "Committee size", 5, 2, 15)
STRATEGIES: dict[str, Strategy] = {
    s.name: s
    for s in [
        Strategy("random", "Random", "Ask about any point; the honest baseline.", random),
        Strategy(
            "least_confident",
            "Least confident",
            "Ask where the top class is least likely.",
            least_confident,
        ),
        Strategy("margin", "Margin", "Ask where the two likeliest classes are closest.", margin),
        Strategy(
            "entropy", "Entropy", "Ask where the whole class distribution is flattest.", entropy
        ),
        Strategy(
            "qbc_vote",
            "QBC (vote entropy)",
            "Ask where a committee's votes split.",
            qbc_vote,
            params=(COMMITTEE,),
        ),
        Strategy(
            "qbc_kl",
            "QBC (KL divergence)",
            "Ask where members' beliefs differ most.",
            qbc_kl,
            params=(COMMITTEE,),
        ),
        Strategy(
            "density_weighted",
            "Density-weighted",
            "Uncertain and typical: entropy times local density.",
            density_weighted,
            params=(
                Param("beta", "Density weight β", 1.0, 0.0, 5.0),
                Param("bandwidth", "Density bandwidth", 0.15, 0.02, 1.0, log=True),
            ),
        ),
        Strategy(
            "coreset",
            "Core-set",
            "Cover the space: ask about the point farthest from every label.",
            coreset_distance,
            select_coreset,
        ),
        Strategy(
            "cluster_margin",
            "Cluster-margin",
            "Margin, but a batch spreads over clusters of uncertain points.",
            margin,
            select_cluster_margin,
        ),
        Strategy(
            "expected_error_reduction",
            "Expected error reduction",
            "Ask about the point whose label should cut future error most.",
            expected_error_reduction,
            params=(Param("subsample", "Candidates scored", 16, 4, 200),),
            surface=False,
        ),
    ]
}


def strategy_params(name: str, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy {name!r} (accepted: {', '.join(STRATEGIES)})")
    return resolve(STRATEGIES[name].params, given)


@dataclass(frozen=True)
class Query:
    """A batch to label: pool indices in rank order, and each candidate's utility."""

    indices: np.ndarray
    candidates: np.ndarray
    utility: np.ndarray  # aligned with `candidates`
    random_picks: np.ndarray  # bool, aligned with `indices`: drawn by the random mix
    note: str = ""


def query(
    strategy: Strategy,
    ctx: QueryContext,
    candidates: np.ndarray,
    k: int,
    random_mix: float = 0.0,
    utility: np.ndarray | None = None,
) -> Query:
    """Choose k candidates: a Binomial(k, random_mix) share at random, the rest by the strategy.

    `utility` may be given (aligned with `candidates`) when the caller already scored them.
    """
    k = min(int(k), len(candidates))
    n_random = int(ctx.rng.binomial(k, random_mix)) if random_mix > 0 else 0
    X = ctx.X_pool[candidates]
    if utility is None:
        utility = strategy.utility(ctx, X)
    utility = np.asarray(utility, dtype=float)
    chosen = list(strategy.select(ctx, X, utility, k - n_random))
    extra: list[int] = []
    if n_random:  # only then: a set difference over a large pool is not free
        rest = np.setdiff1d(np.arange(len(candidates)), chosen)
        extra = ctx.rng.choice(rest, size=min(n_random, len(rest)), replace=False)
    positions = np.array([*chosen, *extra], dtype=int)
    flags = np.array([False] * len(chosen) + [True] * len(extra), dtype=bool)
    return Query(candidates[positions], candidates, utility, flags)
