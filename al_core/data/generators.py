"""The synthetic 2-D datasets: each draws `n` points for `k` classes from `seed`.

Moons with the defaults is exactly `make_moons(600, noise=0.25, random_state=42)`, the seed
notebook's data. The exported script copies these functions' source, so what a student runs is
what the app ran.
"""

from __future__ import annotations

import numpy as np
from sklearn import datasets as skd


def _moons(n: int, noise: float, seed: int, k: int) -> tuple:
    return skd.make_moons(n, noise=noise, random_state=seed)


def _circles(n: int, noise: float, seed: int, k: int) -> tuple:
    return skd.make_circles(n, noise=0.4 * noise, factor=0.5, random_state=seed)


def _blobs(n: int, noise: float, seed: int, k: int) -> tuple:
    angles = 2 * np.pi * np.arange(k) / k + np.pi / 2
    centers = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    return skd.make_blobs(n, centers=centers, cluster_std=0.3 + 2.4 * noise, random_state=seed)


def _xor(n: int, noise: float, seed: int, k: int) -> tuple:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)
    return X + rng.normal(scale=0.5 * noise, size=X.shape), y


def _spirals(n: int, noise: float, seed: int, k: int) -> tuple:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % k
    t = np.sqrt(rng.uniform(0.02, 1, size=n)) * 3 * np.pi
    angle = t + 2 * np.pi * y / k
    X = np.column_stack([t * np.cos(angle), t * np.sin(angle)]) / (3 * np.pi)
    return X + rng.normal(scale=0.25 * noise, size=X.shape), y


def _linear(n: int, noise: float, seed: int, k: int) -> tuple:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    y = (X[:, 1] > 0.6 * X[:, 0] - 0.1).astype(int)
    return X + rng.normal(scale=0.5 * noise, size=X.shape), y


def _quantiles(n: int, noise: float, seed: int, k: int) -> tuple:
    X, y = skd.make_gaussian_quantiles(n_samples=n, n_classes=k, random_state=seed)
    return X + np.random.default_rng(seed).normal(scale=noise, size=X.shape), y


def class_counts(n: int, k: int, imbalance: float) -> np.ndarray:
    """Counts per class summing to n; class c gets a share proportional to (1 - imbalance)^c."""
    weights = (1.0 - float(np.clip(imbalance, 0.0, 0.95))) ** np.arange(k)
    counts = np.floor(n * weights / weights.sum()).astype(int)
    counts[: n - counts.sum()] += 1
    counts = np.maximum(counts, 1)  # every class keeps at least one point ...
    counts[0] -= counts.sum() - n  # ... taken from the largest class, so the total stays n
    return counts


def _sample(spec, n: int, noise: float, seed: int, k: int, imbalance: float) -> tuple:
    if imbalance <= 0:
        X, y = spec.make(n, noise, seed, k)
        return np.asarray(X, dtype=float), np.asarray(y, dtype=int)
    # Imbalanced: draw enough of every class, then keep the wanted count of each.
    rng = np.random.default_rng(seed)
    counts = class_counts(n, k, imbalance)
    draw = int(counts.max()) * k + k
    X, y = spec.make(draw, noise, seed, k)
    # Generators whose classes are not equal-sized (xor, linear) can fall short: draw more.
    while any((y == c).sum() < m for c, m in enumerate(counts)) and draw < 64 * n:
        draw *= 2
        X, y = spec.make(draw, noise, seed, k)
    keep = np.concatenate(
        [rng.permutation(np.flatnonzero(y == c))[:m] for c, m in enumerate(counts)]
    )
    keep = rng.permutation(keep)
    return np.asarray(X[keep], dtype=float), np.asarray(y[keep], dtype=int)


sample = _sample  # the public name; the exported script copies `_sample` under its own name
