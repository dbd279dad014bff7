"""Two-dimensional datasets, each with a held-out test set and fixed plot bounds.

Accuracy is always measured on the test set (never the pool), and the bounds never move while a
run goes on, so a chart does not jump between steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from sklearn import datasets as skd

TEST_SHARE = 0.3  # fixed datasets hold out a stratified 30%
MAX_ROWS = 20_000
MAX_COLUMNS = 50


class DataError(ValueError):
    """A dataset cannot be built; the message says what is wrong and how to fix it."""


@dataclass(frozen=True)
class Bounds:
    x0: float
    x1: float
    y0: float
    y1: float

    @classmethod
    def around(cls, *arrays: np.ndarray, pad: float = 0.08) -> Bounds:
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

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def has_truth(self) -> bool:
        return self.y is not None and self.y_test is not None

    def __len__(self) -> int:
        return len(self.X)


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    label: str
    description: str
    make: Callable[..., tuple[np.ndarray, np.ndarray]] | None = None
    default_classes: int = 2
    tunable: bool = True  # generators take n_samples and noise; bundled data does not
    loader: Callable[[], object] | None = None


# ---------------------------------------------------------------- generators
# Each draws `n` points for `k` classes from `seed`; moons with the defaults is exactly
# `make_moons(600, noise=0.25, random_state=42)`, the seed notebook's data.


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
    return np.maximum(counts, 1)


def _sample(spec: DatasetSpec, n: int, noise: float, seed: int, k: int, imbalance: float) -> tuple:
    if imbalance <= 0:
        X, y = spec.make(n, noise, seed, k)
        return np.asarray(X, dtype=float), np.asarray(y, dtype=int)
    # Imbalanced: draw enough of every class, then keep the wanted count of each.
    rng = np.random.default_rng(seed)
    counts = class_counts(n, k, imbalance)
    X, y = spec.make(int(counts.max()) * k + k, noise, seed, k)
    keep = np.concatenate(
        [rng.permutation(np.flatnonzero(y == c))[:m] for c, m in enumerate(counts)]
    )
    keep = rng.permutation(keep)
    return np.asarray(X[keep], dtype=float), np.asarray(y[keep], dtype=int)


# ---------------------------------------------------------------- registry

DATASETS: dict[str, DatasetSpec] = {
    s.name: s
    for s in [
        DatasetSpec("moons", "Two moons", "Two interleaving half circles.", _moons),
        DatasetSpec(
            "circles", "Circles", "A ring around a disc: no straight line splits them.", _circles
        ),
        DatasetSpec(
            "blobs", "Blobs", "Gaussian clusters, one per class (3 by default).", _blobs, 3
        ),
        DatasetSpec("xor", "XOR", "Four quadrants, opposite corners share a class.", _xor),
        DatasetSpec("spirals", "Spirals", "Interleaved spiral arms, one per class.", _spirals),
        DatasetSpec("linear", "Linear", "Two classes split by a tilted line.", _linear),
        DatasetSpec(
            "gaussian_quantiles",
            "Gaussian quantiles",
            "Concentric shells of one Gaussian, 3 classes.",
            _quantiles,
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


def test_size(n_samples: int) -> int:
    """Large enough to measure accuracy steadily, small enough to keep each step cheap."""
    return int(np.clip(n_samples // 2, 200, 1000))


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
    lo, hi = CLASS_RANGE.get(name, (spec.default_classes, spec.default_classes))
    if not lo <= k <= hi:
        raise DataError(f"{spec.label} takes {lo}–{hi} classes, not {k}")
    if not 20 <= n_samples <= MAX_ROWS:
        raise DataError(f"Samples must be between 20 and {MAX_ROWS:,}, not {n_samples}")
    X, y = _sample(spec, n_samples, noise, seed, k, imbalance)
    # Derived seed: the test set comes from the same distribution but never shares a point.
    test_seed = int(np.random.SeedSequence([seed, 1]).generate_state(1)[0])
    X_test, y_test = _sample(spec, test_size(n_samples), noise, test_seed, k, imbalance)
    names = ("Class A", "Class B") if k == 2 else tuple(f"Class {chr(65 + c)}" for c in range(k))
    return _frozen(Dataset(name, X, y, X_test, y_test, names, Bounds.around(X, X_test)))


def _bundled(spec: DatasetSpec, seed: int) -> Dataset:
    bunch = spec.loader()
    X2 = _project(np.asarray(bunch.data, dtype=float))
    y = np.asarray(bunch.target, dtype=int)
    pool, test = _stratified_split(y, TEST_SHARE, seed)
    names = tuple(str(n).replace("_", " ").capitalize() for n in bunch.target_names)
    return _frozen(
        Dataset(
            spec.name,
            X2[pool],
            y[pool],
            X2[test],
            y[test],
            names,
            Bounds.around(X2),
            projected=True,
            feature_names=("PC 1", "PC 2"),
        )
    )


def _project(X: np.ndarray) -> np.ndarray:
    """Standardise, then the first two principal components (deterministic sign)."""
    X = X - X.mean(axis=0)
    std = X.std(axis=0)
    X = X / np.where(std > 0, std, 1.0)
    _, _, vt = np.linalg.svd(X, full_matrices=False)
    comps = vt[:2]
    comps *= np.sign(comps[np.arange(2), np.abs(comps).argmax(axis=1)])[:, None]
    return X @ comps.T


def _stratified_split(y: np.ndarray, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))
        test.extend(members[: round(share * len(members))])
    test_mask = np.zeros(len(y), bool)
    test_mask[test] = True
    return np.flatnonzero(~test_mask), np.flatnonzero(test_mask)


def _frozen(ds: Dataset) -> Dataset:
    """Datasets are shared between sessions through caches: make accidental writes impossible."""
    for arr in (ds.X, ds.y, ds.X_test, ds.y_test, ds.row_ids):
        if arr is not None:
            arr.flags.writeable = False
    return ds


# ---------------------------------------------------------------- user data

LABEL_COLUMNS = ("label", "class", "target", "y")


def load_csv(data: bytes, name: str = "upload", label_column: str | None = "auto") -> Dataset:
    """Parse an uploaded CSV into a Dataset, or raise DataError saying how to fix the file."""
    import io

    import pandas as pd

    if not data or not data.strip():
        raise DataError("The file is empty. Upload a CSV with a header row and numeric columns.")
    try:
        head = data[:4096].decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            "The file is not UTF-8 text. Save it as a UTF-8 CSV and upload it again."
        ) from exc
    header = next(iter(head.splitlines()), "")
    sep = ";" if header.count(";") > header.count(",") else ","
    names = [h.strip().strip('"') for h in header.split(sep)]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DataError(
            f"The header names {dupes[0]!r} more than once. Give every column a unique name."
        )
    try:
        df = pd.read_csv(io.BytesIO(data), sep=sep, encoding="utf-8-sig", nrows=MAX_ROWS + 1)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"This is not a readable CSV ({str(exc).splitlines()[0]}).") from exc
    return from_dataframe(df, name=name, label_column=label_column)


def from_dataframe(df, name: str = "upload", label_column: str | None = "auto") -> Dataset:
    """Numeric feature columns plus an optional label column, validated with clear messages.

    More than two features are projected to 2-D with PCA; the model then learns in that
    projection, so the boundary drawn is exactly the one it uses.
    """
    if df is None or df.shape[0] == 0:
        raise DataError("The file has a header but no rows. Add at least 20 rows of data.")
    cols = [str(c) for c in df.columns]
    if len(set(cols)) != len(cols):
        raise DataError("Two columns share a name. Give every column a unique name.")
    if len(df) > MAX_ROWS:
        raise DataError(
            f"The file has more than {MAX_ROWS:,} rows. Sample it down and upload again."
        )
    if df.shape[1] > MAX_COLUMNS + 1:
        raise DataError(
            f"The file has {df.shape[1]} columns; at most {MAX_COLUMNS} features are supported."
        )
    if label_column == "auto":
        label_column = next((c for c in cols if c.strip().lower() in LABEL_COLUMNS), None)
    elif label_column is not None and label_column not in cols:
        raise DataError(f"There is no column named {label_column!r}.")
    features = [c for c in cols if c != label_column]
    non_numeric = [c for c in features if not _is_numeric(df[c])]
    if non_numeric:
        shown = ", ".join(repr(c) for c in non_numeric[:3])
        raise DataError(
            f"Column {shown} is not numeric. Features must be numbers; name the label column "
            f"'label' (or one of {', '.join(LABEL_COLUMNS)}) if it holds the classes."
        )
    if len(features) < 2:
        raise DataError(
            "Only one feature column was found. Ask Next needs at least two numeric features."
        )
    X = df[features].to_numpy(dtype=float)
    missing = ~np.isfinite(X)
    if missing.any():
        row, col = np.argwhere(missing)[0]
        raise DataError(
            f"Missing or non-finite value in column {features[col]!r}, row {row + 2} of the file "
            f"({int(missing.any(axis=1).sum())} rows affected). Fill or drop them and upload again."
        )
    if len(X) < 20:
        raise DataError(f"The file has {len(X)} rows; Ask Next needs at least 20.")
    projected = len(features) > 2
    X2 = _project(X) if projected else X
    fnames = ("PC 1", "PC 2") if projected else (features[0], features[1])
    rows = np.arange(len(X2))
    if label_column is None:
        return _frozen(
            Dataset(
                name,
                X2,
                None,
                None,
                None,
                ("Class A", "Class B"),
                Bounds.around(X2),
                projected,
                fnames,
                rows,
            )
        )
    raw = df[label_column]
    if raw.isna().any():
        row = int(np.flatnonzero(raw.isna().to_numpy())[0])
        raise DataError(
            f"The label column {label_column!r} is empty in row {row + 2}. Every row needs a label."
        )
    values = raw.astype(str).str.strip()
    names = tuple(sorted(values.unique(), key=_natural))
    if len(names) < 2:
        raise DataError(
            f"The label column {label_column!r} holds a single class. Active learning needs two or more."
        )
    if len(names) > 10:
        raise DataError(
            f"The label column {label_column!r} holds {len(names)} classes; at most 10 are supported."
        )
    y = values.map({n: i for i, n in enumerate(names)}).to_numpy(dtype=int)
    small = [names[c] for c in range(len(names)) if (y == c).sum() < 2]
    if small:
        raise DataError(
            f"Class {small[0]!r} has a single row. Every class needs at least two rows."
        )
    pool, test = _stratified_split(y, TEST_SHARE, seed=0)
    return _frozen(
        Dataset(
            name,
            X2[pool],
            y[pool],
            X2[test],
            y[test],
            names,
            Bounds.around(X2),
            projected,
            fnames,
            rows[pool],
        )
    )


def _is_numeric(col) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)


def _natural(s: str):
    try:
        return (0, float(s), s)
    except ValueError:
        return (1, 0.0, s)
