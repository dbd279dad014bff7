"""The Dataset every run learns from: a pool, the truth behind it, a held-out test set, bounds.

Accuracy is always measured on the test set (never the pool), and the bounds never move while a
run goes on, so a chart does not jump between steps. Datasets are shared between sessions through
caches, so they are frozen, and each carries a content key that a cache can trust (an `id()` can
be reused by a new object once the old one is gone).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

TEST_SHARE = 0.3  # fixed datasets hold out a stratified 30%
MAX_ROWS = 20_000


class DataError(ValueError):
    """A dataset cannot be built; the message says what is wrong and how to fix it."""


@dataclass(frozen=True)
class Bounds:
    """The plot's fixed extent in data coordinates."""

    x0: float
    x1: float
    y0: float
    y1: float

    @classmethod
    def around(cls, *arrays: np.ndarray, pad: float = 0.08) -> Bounds:
        """The box around every given point set, padded by a share of its span."""
        pts = np.vstack([a for a in arrays if a is not None and len(a)])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        span = np.maximum(hi - lo, 1e-9)
        lo, hi = lo - pad * span, hi + pad * span
        return cls(float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))

    def grid(self, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Axis ticks and the (resolution², 2) points between them, as float32 for small payloads."""
        xs = np.linspace(self.x0, self.x1, resolution, dtype=np.float32)
        ys = np.linspace(self.y0, self.y1, resolution, dtype=np.float32)
        xx, yy = np.meshgrid(xs, ys)
        return xs, ys, np.column_stack([xx.ravel(), yy.ravel()])


@dataclass(frozen=True)
class Items:
    """What a person sees of each pool point: the thing behind it, aligned with the pool.

    `kind` is "image" (`values` holds the pixels, `shape` their rows and columns), "text" (`texts`)
    or "table" (`values` holds the original feature values, `names` their names).
    """

    kind: str
    values: np.ndarray | None = None
    names: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    shape: tuple[int, int] = (0, 0)

    def take(self, rows: np.ndarray) -> Items:
        """The items of `rows`, in that order (a pool is a subset of the file)."""
        values = None if self.values is None else self.values[rows]
        texts = tuple(self.texts[int(i)] for i in rows) if self.texts else ()
        return Items(self.kind, values, self.names, texts, self.shape)


@dataclass(frozen=True)
class Dataset:
    """A pool to query, the truth behind it (if known), and a held-out test set."""

    name: str
    X: np.ndarray
    y: np.ndarray | None
    X_test: np.ndarray | None
    y_test: np.ndarray | None
    class_names: tuple[str, ...]
    bounds: Bounds
    projected: bool = False
    feature_names: tuple[str, str] = ("Feature 1", "Feature 2")
    row_ids: np.ndarray | None = field(default=None, repr=False)
    # All features (standardised) beside the 2-D view, for models that learn in all of them;
    # None when the view is all there is.
    features: np.ndarray | None = field(default=None, repr=False)
    features_test: np.ndarray | None = field(default=None, repr=False)
    items: Items | None = field(default=None, repr=False)
    key: str = field(default="", compare=False)  # content hash, set by `frozen`

    @property
    def n_classes(self) -> int:
        """Classes a label can take (all of them, seen or not)."""
        return len(self.class_names)

    @property
    def has_truth(self) -> bool:
        """True when the pool's labels and a test set are known, so accuracy can be measured."""
        return self.y is not None and self.y_test is not None

    @property
    def n_features(self) -> int:
        """Features a model can learn from (2 when the view is all there is)."""
        return 2 if self.features is None else self.features.shape[1]

    def inputs(self, learn_in: str = "view") -> tuple[np.ndarray, np.ndarray | None]:
        """(pool, test set) as the model sees them: the 2-D view, or "all" features."""
        if learn_in == "all" and self.features is not None:
            return self.features, self.features_test
        return self.X, self.X_test

    def __len__(self) -> int:
        return len(self.X)

    def point_name(self, i: int) -> str:
        """ "row 12" for a CSV (the row a person can find in their file), "point 12" otherwise."""
        return f"row {int(self.row_ids[i])}" if self.row_ids is not None else f"point {i}"


def frozen(ds: Dataset) -> Dataset:
    """Make accidental writes impossible and stamp the content key caches use."""
    digest = hashlib.sha1(ds.name.encode())
    for arr in (ds.X, ds.y, ds.X_test, ds.y_test, ds.row_ids, ds.features, ds.features_test):
        if arr is not None:
            arr.flags.writeable = False
            digest.update(np.ascontiguousarray(arr).tobytes())
        digest.update(b"|")
    digest.update("\x1f".join(ds.class_names).encode())
    object.__setattr__(ds, "key", digest.hexdigest()[:16])
    return ds


def standardise(X: np.ndarray) -> np.ndarray:
    """Zero mean, unit variance per column (a constant column stays 0): the features a model
    learns from in "all features", and what the projection starts from."""
    X = X - X.mean(axis=0)
    std = X.std(axis=0)
    return X / np.where(std > 0, std, 1.0)


def project(X: np.ndarray) -> np.ndarray:
    """Standardise, then the first two principal components (deterministic sign).

    scikit-learn's PCA gives the same plane but not the same last bits (1e-14 apart), which would
    change the coordinates, and so the runs, behind every saved link on bundled data.
    """
    X = X - X.mean(axis=0)
    std = X.std(axis=0)
    X = X / np.where(std > 0, std, 1.0)  # as `standardise`, inline: the exported script copies
    _, _, vt = np.linalg.svd(X, full_matrices=False)
    comps = vt[:2]
    comps *= np.sign(comps[np.arange(2), np.abs(comps).argmax(axis=1)])[:, None]
    return X @ comps.T


def stratified_split(y: np.ndarray, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Pool and test indices, `share` of every class in the test set.

    `train_test_split(stratify=y)` would draw other points, so every saved link and session on a
    bundled or uploaded dataset would open on another pool: this split stays.
    """
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))
        test.extend(members[: round(share * len(members))])
    test_mask = np.zeros(len(y), bool)
    test_mask[test] = True
    return np.flatnonzero(~test_mask), np.flatnonzero(test_mask)


# Until a person has labeled, an unlabeled upload's classes have only these placeholder names.
UNLABELED_CLASSES = ("Class A", "Class B")


def fixed_dataset(
    name: str,
    X2: np.ndarray,
    y: np.ndarray | None,
    names: tuple[str, ...],
    seed: int,
    projected: bool,
    feature_names: tuple[str, str],
    row_ids: np.ndarray | None = None,
    features: np.ndarray | None = None,
    items: Items | None = None,
) -> Dataset:
    """Fixed data (a file, a bundled set). With labels, a stratified 30% becomes the test set
    (the evaluation rule), and `features` (all of them, one row per row of `X2`) and `items` are
    split the same way. Without (`y` None), every row is in the pool and there is no test set:
    a person labels, and no accuracy is claimed."""
    if y is None:
        return frozen(
            Dataset(
                name,
                X2,
                None,
                None,
                None,
                UNLABELED_CLASSES,
                Bounds.around(X2),
                projected,
                feature_names,
                row_ids,
                features,
                None,
                items,
            )
        )
    pool, test = stratified_split(y, TEST_SHARE, seed)
    rows = None if row_ids is None else row_ids[pool]
    full = (None, None) if features is None else (features[pool], features[test])
    return frozen(
        Dataset(
            name,
            X2[pool],
            y[pool],
            X2[test],
            y[test],
            names,
            Bounds.around(X2),
            projected,
            feature_names,
            rows,
            *full,
            None if items is None else items.take(pool),
        )
    )
