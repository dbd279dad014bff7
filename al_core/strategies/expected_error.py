"""Expected error reduction (Roy & McCallum 2001): ask about the point whose answer should
leave the least error behind, judged by retraining with every possible answer."""

from __future__ import annotations

import numpy as np

from al_core.models import class_proba
from al_core.strategies.base import QueryContext


def expected_error_reduction(ctx: QueryContext, X: np.ndarray) -> np.ndarray:
    """u(x) = −Σ_y P(y | x) · mean_u (1 − max_y' P⁺(y' | u)), P⁺ retrained with (x, y).

    It refits per candidate and class, so only a random subsample is scored (the rest are NaN
    and never chosen ahead of a scored point); the error is estimated on a fixed pool sample.
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
