"""The plane of a model that learns in all features: the 2-D map is only a view, so each grid
cell takes the inverse-distance mean of its nearest pool points' predictions (an approximation
the page labels as one)."""

from __future__ import annotations

import numpy as np

from al_core.data import Bounds


def carry_weights(
    X: np.ndarray, bounds: Bounds, resolution: int, k: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    """Each grid cell's k nearest pool points on the map and their inverse-distance weights
    (fixed per dataset and resolution: compute once and keep)."""
    from sklearn.neighbors import KDTree

    _, _, pts = bounds.grid(resolution)
    dist, near = KDTree(X).query(pts.astype(float), k=min(k, len(X)))
    weight = 1.0 / (dist + 1e-3 * max(bounds.x1 - bounds.x0, 1e-9))
    weight /= weight.sum(axis=1, keepdims=True)
    return near, weight.astype(np.float32)


def carried(near: np.ndarray, weight: np.ndarray, pool_proba: np.ndarray) -> np.ndarray:
    """The pool's class probabilities carried over the grid cells (cells × classes)."""
    return np.einsum("gk,gkc->gc", weight, pool_proba.astype(np.float32)[near])
