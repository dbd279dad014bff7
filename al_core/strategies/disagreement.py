"""Query by committee: ask where models that all fit the labels disagree (Seung et al. 1992).

The committee is C bootstrap copies of the chosen model, resampled within each class, so every
member sees every labeled class and none ever needs a retry or a fallback.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from al_core.models import class_proba
from al_core.strategies.base import QueryContext
from al_core.strategies.uncertainty import entropy_scores


def committee(ctx: QueryContext) -> list[Any]:
    """The context's committee, fitted once and shared by the pool and the plane's grid."""
    if "committee" not in ctx.cache:
        rng = ctx.rng if ctx.committee_rng is None else ctx.committee_rng
        by_class = [np.flatnonzero(ctx.y_labeled == c) for c in np.unique(ctx.y_labeled)]
        members = []
        for _ in range(int(ctx.params.get("committee_size", 5))):
            rows = np.concatenate(
                [rng.choice(idx, size=len(idx), replace=True) for idx in by_class]
            )
            members.append(ctx.fit(ctx.X_labeled[rows], ctx.y_labeled[rows]))
        ctx.cache["committee"] = members
    return ctx.cache["committee"]


def member_proba(ctx: QueryContext, X: np.ndarray) -> np.ndarray:
    """Every member's probabilities, shape (members, points, classes)."""
    return np.stack([class_proba(m, X, ctx.n_classes) for m in committee(ctx)])


def qbc_vote(ctx: QueryContext, X: np.ndarray) -> np.ndarray:
    """u(x) = −Σ_y (V(y)/C) log (V(y)/C), V(y) = members voting y: vote entropy."""
    votes = member_proba(ctx, X).argmax(axis=2)  # (members, n)
    counts = np.stack([(votes == c).sum(axis=0) for c in range(ctx.n_classes)], axis=1)
    return entropy_scores(counts / votes.shape[0])


def qbc_kl(ctx: QueryContext, X: np.ndarray) -> np.ndarray:
    """u(x) = (1/C) Σ_c KL(P_c(·|x) ‖ P̄(·|x)), P̄ the members' mean: how far beliefs differ."""
    p = np.clip(member_proba(ctx, X), 1e-12, 1.0)
    consensus = p.mean(axis=0)
    return (p * np.log(p / consensus)).sum(axis=2).mean(axis=0)
