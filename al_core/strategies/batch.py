"""From utilities to a batch: diverse batches for core-set and cluster-margin, and `query`,
which mixes in random picks. The plain top k (`select_top`) lives in `base`, as every
strategy's default.
"""

from __future__ import annotations

import numpy as np

from al_core.strategies.base import Query, QueryContext, Strategy, top_k


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
    """Cluster the max(10k, 50) most uncertain candidates into k groups (k-means), then take the
    most uncertain point of each group (Citovsky et al. 2021)."""
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


def query(
    strategy: Strategy,
    ctx: QueryContext,
    candidates: np.ndarray,
    k: int,
    random_mix: float = 0.0,
    utility: np.ndarray | None = None,
    inputs: np.ndarray | None = None,
) -> Query:
    """Choose k candidates: a Binomial(k, random_mix) share at random, the rest by the strategy.

    `utility` may be given (aligned with `candidates`) when the caller already scored them, and
    `inputs` (`ctx.X_pool[candidates]`) when it already holds them: on a large pool the copy
    costs more than the selection.
    """
    k = min(int(k), len(candidates))
    n_random = int(ctx.rng.binomial(k, random_mix)) if random_mix > 0 else 0
    X = ctx.X_pool[candidates] if inputs is None else inputs
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
