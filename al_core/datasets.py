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
    counts = np.maximum(counts, 1)  # every class keeps at least one point ...
    counts[0] -= counts.sum() - n  # ... taken from the largest class, so the total stays n
    return counts


def _sample(spec: DatasetSpec, n: int, noise: float, seed: int, k: int, imbalance: float) -> tuple:
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
    names = tuple(str(n).replace("_", " ").capitalize() for n in bunch.target_names)
    return _held_out(spec.name, X2, y, names, seed, projected=True, feature_names=("PC 1", "PC 2"))


def _held_out(
    name: str,
    X2: np.ndarray,
    y: np.ndarray,
    names: tuple[str, ...],
    seed: int,
    projected: bool,
    feature_names: tuple[str, str],
    row_ids: np.ndarray | None = None,
) -> Dataset:
    """Fixed data with labels: a stratified 30% becomes the test set (the evaluation rule)."""
    pool, test = _stratified_split(y, TEST_SHARE, seed)
    rows = None if row_ids is None else row_ids[pool]
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
            feature_names,
            rows,
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

LABEL_COLUMNS = ("label", "class", "target", "y")  # in order of preference
MAX_ABS_VALUE = 1e12  # the plot grid is float32 and distances square the values
_SEPARATORS = (",", ";", "\t")  # on a tie the comma wins


def load_csv(data: bytes, name: str = "upload", label_column: str | None = "auto") -> Dataset:
    """Parse an uploaded CSV into a Dataset, or raise DataError saying how to fix the file.

    An upload is untrusted input and the page shows the message as it is, so DataError is the
    only exception that leaves this function, and no message quotes a Python exception.
    """
    import io

    import pandas as pd

    text = _csv_text(data)
    header = next((line for line in text.splitlines() if line.strip()), "")
    sep = max(_SEPARATORS, key=header.count)
    _check_header(_split_header(header, sep))
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, nrows=MAX_ROWS + 1)
    except pd.errors.EmptyDataError:
        raise DataError(_EMPTY) from None
    except Exception as exc:  # pandas raises many types on malformed text; none may escape
        raise DataError(_parse_problem(str(exc))) from None
    if _rows_longer_than_header(text, sep, df.shape[1]):
        # pandas took the first column as the row index: shift it back; the extra last value
        # may only be empty (a trailing separator on every row).
        shifted = pd.concat(
            [df.index.to_series().reset_index(drop=True), df.reset_index(drop=True)], axis=1
        )
        if shifted.iloc[:, -1].notna().any():
            raise DataError(
                "The rows have more values than the header has column names. Give every column "
                "a name in the header (or remove the extra values) and upload again."
            )
        df = shifted.iloc[:, :-1].set_axis(list(df.columns), axis=1)
    # Trailing separators (a common spreadsheet export) give unnamed, entirely empty columns.
    empty = [c for c in df.columns if str(c).startswith("Unnamed: ") and df[c].isna().all()]
    return from_dataframe(df.drop(columns=empty), name=name, label_column=label_column)


_EMPTY = "The file is empty. Upload a CSV with a header row and numeric columns."


def _csv_text(data: bytes) -> str:
    """The file as text, with a specific message for the usual wrong files (workbooks, images)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data or not data.strip():
        raise DataError(_EMPTY)
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # xlsx/ods (zip), legacy xls
        raise DataError(
            "This is a spreadsheet workbook, not a CSV. Save it with File › Save As › "
            "'CSV UTF-8 (comma delimited)' and upload that file."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(
            "The file is UTF-16 text. Save it as 'CSV UTF-8 (comma delimited)' and upload it again."
        )
    if b"\x00" in data[:8192]:
        raise DataError(
            "This is a binary file (an image or a program?), not CSV text. Upload a "
            "comma-separated text file with a header row."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(
            f"The file is not UTF-8 text (the first unreadable character is on line {line}). "
            "Save it as 'CSV UTF-8' and upload it again."
        ) from None


def _split_header(header: str, sep: str) -> list[str]:
    import csv

    try:
        return [h.strip() for h in next(csv.reader([header], delimiter=sep), [])]
    except csv.Error:
        return [h.strip().strip('"') for h in header.split(sep)]


def _rows_longer_than_header(text: str, sep: str, n_columns: int) -> bool:
    """True when the first data row has one value more than the header names (pandas then
    quietly uses the first column as the row index)."""
    import csv

    lines = (line for line in text.splitlines() if line.strip())
    next(lines, None)
    try:
        first = next(csv.reader([next(lines, "")], delimiter=sep), [])
    except csv.Error:
        return False
    return len(first) == n_columns + 1


def _check_header(names: list[str]) -> None:
    numbers = [n for n in names if _is_number(n)]
    # Column names like 0..63 (pixels) are fine; decimals, signs or repeats mean a data row.
    if len(numbers) >= max(2, len(names) - 1) and (
        len(set(numbers)) < len(numbers) or not all(n.isdigit() for n in numbers)
    ):
        raise DataError(
            "The first row holds numbers, not column names. Add a header row that names every "
            "column (for example x,y,label) and upload again."
        )
    named = [n for n in names if n]
    dupes = sorted({n for n in named if named.count(n) > 1})
    if dupes:
        raise DataError(
            f"The header names '{dupes[0]}' more than once. Give every column a unique name."
        )


def _parse_problem(message: str) -> str:
    """A pandas parser message rewritten for a person: where the problem is and what to do."""
    import re

    if m := re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message):
        want, line, got = m.groups()
        return (
            f"Line {line} has {got} values but the header names {want} "
            f"{'column' if want == '1' else 'columns'}. Give every row one value per column and "
            "upload again."
        )
    if m := re.search(r"EOF inside string starting at row (\d+)", message):
        return (
            f'A quote (") opened on line {int(m.group(1)) + 1} is never closed. Close or remove '
            "it and upload again."
        )
    if "EOF inside string" in message:
        return 'A quote (") is never closed. Close or remove it and upload again.'
    return (
        "This file cannot be read as a CSV. Check that it is plain text with one row per line "
        "and the same separator (comma or semicolon) everywhere."
    )


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
    df = df.set_axis(cols, axis=1)
    if len(df) > MAX_ROWS:
        raise DataError(
            f"The file has more than {MAX_ROWS:,} rows. Sample it down and upload again."
        )
    if df.shape[1] > MAX_COLUMNS + 1:
        raise DataError(
            f"The file has {df.shape[1]} columns; at most {MAX_COLUMNS} features are supported. "
            "Remove some columns and upload again."
        )
    if label_column == "auto":
        label_column = _guess_label_column(df)
    elif label_column is not None and label_column not in cols:
        raise DataError(
            f"There is no column named '{label_column}'. Pick one of: {', '.join(cols[:12])}."
        )
    features = [c for c in cols if c != label_column]
    if len(features) > MAX_COLUMNS:  # without a label column the check above lets one more in
        raise DataError(
            f"The file has {len(features)} feature columns; at most {MAX_COLUMNS} are supported. "
            "Remove some columns and upload again."
        )
    non_numeric = [c for c in features if not _is_numeric(df[c])]
    if non_numeric:
        raise DataError(_non_numeric_message(df, non_numeric))
    if len(features) < 2:
        found = f"Only one feature column ('{features[0]}')" if features else "No feature column"
        raise DataError(
            f"{found} was found. Ask Next needs at least two numeric feature columns besides "
            "the label."
        )
    X = df[features].to_numpy(dtype=float)
    missing = ~np.isfinite(X)
    if missing.any():
        row, col = np.argwhere(missing)[0]
        kind = "a missing" if np.isnan(X[row, col]) else "an infinite"
        n_rows = int(missing.any(axis=1).sum())
        raise DataError(
            f"Column '{features[col]}' has {kind} value in row {row + 2} of the file "
            f"({n_rows} {'row' if n_rows == 1 else 'rows'} affected). Fill in or drop those rows "
            "and upload again."
        )
    if len(X) < 20:
        rows_ = "row" if len(X) == 1 else "rows"
        raise DataError(
            f"The file has {len(X)} {rows_} of data; Ask Next needs at least 20. Add rows and "
            "upload again."
        )
    big = np.abs(X).max(axis=0)
    if big.max() > MAX_ABS_VALUE:
        col = int(big.argmax())
        raise DataError(
            f"Column '{features[col]}' holds values as large as {big[col]:.3g}; values must stay "
            f"within ±{MAX_ABS_VALUE:.0e}. Rescale the column (say, to thousands) and upload again."
        )
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
    values = df[label_column].astype(str).str.strip()
    empty = (df[label_column].isna() | (values == "")).to_numpy()
    if empty.any():
        row = int(np.flatnonzero(empty)[0])
        raise DataError(
            f"The label column '{label_column}' is empty in row {row + 2}. Every row needs a label."
        )
    names = tuple(sorted(values.unique(), key=_natural))
    if len(names) < 2:
        raise DataError(
            f"The label column '{label_column}' holds a single class. Active learning needs two or more."
        )
    if len(names) > 10:
        raise DataError(
            f"The label column '{label_column}' holds {len(names)} different values; at most 10 "
            "classes are supported. If it is a measurement, not a class, rename the column."
        )
    y = values.map({n: i for i, n in enumerate(names)}).to_numpy(dtype=int)
    small = [names[c] for c in range(len(names)) if (y == c).sum() < 2]
    if small:
        raise DataError(
            f"Class '{small[0]}' has a single row. Every class needs at least two rows."
        )
    return _held_out(name, X2, y, names, 0, projected, fnames, rows)


def _guess_label_column(df) -> str | None:
    """A column named like a label ('y' only when there is no 'x': then x,y are coordinates),
    else the only text column if most of its values are words rather than numbers."""
    import pandas as pd

    by_name: dict[str, str] = {}
    for c in df.columns:
        by_name.setdefault(c.strip().lower(), c)
    for want in LABEL_COLUMNS:
        if want in by_name and not (want == "y" and "x" in by_name):
            return by_name[want]
    text = [c for c in df.columns if not _is_numeric(df[c])]
    if len(text) == 1:
        col = df[text[0]].dropna()
        if pd.to_numeric(col, errors="coerce").isna().mean() > 0.5:
            return text[0]
    return None


def _non_numeric_message(df, columns: list[str]) -> str:
    import re

    import pandas as pd

    first = df[columns[0]]
    bad = first.notna() & pd.to_numeric(first, errors="coerce").isna()
    example = hint = ""
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        value = str(first.iloc[row]).strip()
        shown = value if len(value) <= 20 else value[:19] + "…"
        example = f"row {row + 2} holds '{shown}'"
        if re.fullmatch(r"[+-]?\d+,\d+", value):
            hint = " Write decimals with a dot (1.5, not 1,5)."
    if len(columns) == 1:
        what = f"Column '{columns[0]}' is not numeric" + (f": {example}." if example else ".")
    else:
        more = f" and {len(columns) - 3} more" if len(columns) > 3 else ""
        shown = ", ".join(f"'{c}'" for c in columns[:3])
        what = f"Columns {shown}{more} are not numeric" + (
            f" (in '{columns[0]}', {example})." if example else "."
        )
    return (
        f"{what}{hint} Features must be numbers; name the label column 'label' (or one of "
        f"{', '.join(LABEL_COLUMNS)}) if it holds the classes."
    )


def _is_numeric(col) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _natural(s: str):
    try:
        return (0, float(s), s)
    except ValueError:
        return (1, 0.0, s)
