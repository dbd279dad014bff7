"""Every named dataset, and `make_dataset`, which builds one from its Config fields.

Generators take samples, noise, classes and imbalance; bundled data (PCA projections of
scikit-learn's sets) is fixed, with a stratified 30% held out for testing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sklearn import datasets as skd

from al_core.data import generators as g
from al_core.data.dataset import (
    MAX_ROWS,
    Bounds,
    DataError,
    Dataset,
    Items,
    fixed_dataset,
    frozen,
    project,
    standardise,
)


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset's name, its friendly label and description, and how to build it."""

    name: str
    label: str
    description: str
    make: Callable[..., tuple[np.ndarray, np.ndarray]] | None = None
    default_classes: int = 2
    tunable: bool = True  # generators take n_samples and noise; bundled data does not
    loader: Callable[[], object] | None = None


DATASETS: dict[str, DatasetSpec] = {
    s.name: s
    for s in [
        DatasetSpec("moons", "Two moons", "Two interleaving half circles.", g._moons),
        DatasetSpec(
            "circles", "Circles", "A ring around a disc: no straight line splits them.", g._circles
        ),
        DatasetSpec(
            "blobs", "Blobs", "Gaussian clusters, one per class (3 by default).", g._blobs, 3
        ),
        DatasetSpec("xor", "XOR", "Four quadrants, opposite corners share a class.", g._xor),
        DatasetSpec("spirals", "Spirals", "Interleaved spiral arms, one per class.", g._spirals),
        DatasetSpec("linear", "Linear", "Two classes split by a tilted line.", g._linear),
        DatasetSpec(
            "gaussian_quantiles",
            "Gaussian quantiles",
            "Concentric shells of one Gaussian, 3 classes.",
            g._quantiles,
            3,
        ),
        DatasetSpec(
            "iris",
            "Iris (PCA)",
            "150 flowers, 3 species, 4 measurements.",
            None,
            3,
            False,
            skd.load_iris,
        ),
        DatasetSpec(
            "wine",
            "Wine (PCA)",
            "178 wines, 3 cultivars, 13 chemical measures.",
            None,
            3,
            False,
            skd.load_wine,
        ),
        DatasetSpec(
            "breast_cancer",
            "Breast cancer (PCA)",
            "569 tumours, benign or malignant, 30 features.",
            None,
            2,
            False,
            skd.load_breast_cancer,
        ),
        DatasetSpec(
            "digits",
            "Digits (PCA)",
            "1,797 handwritten digits 0–9, 64 pixels.",
            None,
            10,
            False,
            skd.load_digits,
        ),
    ]
}
CLASS_RANGE = {"blobs": (2, 6), "spirals": (2, 5), "gaussian_quantiles": (2, 5)}


def class_range(name: str) -> tuple[int, int]:
    """The classes a dataset can have: a range for the tunable ones, its fixed count otherwise."""
    spec = DATASETS[name]
    return CLASS_RANGE.get(name, (spec.default_classes, spec.default_classes))


def dataset_label(name: str) -> str:
    """What the UI calls a dataset ("Your CSV" for an upload)."""
    return DATASETS[name].label if name in DATASETS else "Your CSV"


def test_size(n_samples: int) -> int:
    """Large enough to measure accuracy steadily, small enough to keep each step cheap."""
    return int(np.clip(n_samples // 2, 200, 1000))


test_size.__test__ = False  # a helper, not a test, for pytest


@lru_cache(maxsize=32)
def make_dataset(
    name: str = "moons",
    n_samples: int = 600,
    noise: float = 0.25,
    seed: int = 42,
    n_classes: int | None = None,
    imbalance: float = 0.0,
) -> Dataset:
    """Build a named dataset; cached because it is a pure function of its arguments."""
    if name not in DATASETS:
        raise DataError(f"unknown dataset {name!r} (accepted: {', '.join(DATASETS)})")
    spec = DATASETS[name]
    if not spec.tunable:
        return _bundled(spec, seed)
    k = spec.default_classes if n_classes is None else int(n_classes)
    lo, hi = class_range(name)
    if not lo <= k <= hi:
        raise DataError(f"{spec.label} takes {lo}–{hi} classes, not {k}")
    if not 20 <= n_samples <= MAX_ROWS:
        raise DataError(f"Samples must be between 20 and {MAX_ROWS:,}, not {n_samples}")
    X, y = g.sample(spec, n_samples, noise, seed, k, imbalance)
    # Derived seed: the test set comes from the same distribution but never shares a point.
    test_seed = int(np.random.SeedSequence([seed, 1]).generate_state(1)[0])
    X_test, y_test = g.sample(spec, test_size(n_samples), noise, test_seed, k, imbalance)
    names = ("Class A", "Class B") if k == 2 else tuple(f"Class {chr(65 + c)}" for c in range(k))
    return frozen(Dataset(name, X, y, X_test, y_test, names, Bounds.around(X, X_test)))


def _bundled(spec: DatasetSpec, seed: int) -> Dataset:
    bunch = spec.loader()
    X = np.asarray(bunch.data, dtype=float)
    X2 = project(X)
    y = np.asarray(bunch.target, dtype=int)
    names = tuple(str(n).replace("_", " ").capitalize() for n in bunch.target_names)
    return fixed_dataset(
        spec.name,
        X2,
        y,
        names,
        seed,
        projected=True,
        feature_names=("PC 1", "PC 2"),
        features=standardise(X),
        items=_items(spec.name, bunch, X),
    )


def _items(name: str, bunch: object, X: np.ndarray) -> Items:
    """What a person recognises: a digit's 8×8 image (grey levels 0–16), else the measurements."""
    if name == "digits":
        return Items("image", X.astype(np.uint8), shape=(8, 8))
    return Items("table", X, names=tuple(str(n) for n in bunch.feature_names))
