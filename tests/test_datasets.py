"""Datasets: every name builds, test sets are held out, bounds hold, uploads fail with clear words."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets as skd
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from al_core.data import (
    CLASS_RANGE,
    DATASETS,
    MAX_COLUMNS,
    MAX_ROWS,
    Bounds,
    DataError,
    class_counts,
    from_dataframe,
    load_csv,
    make_dataset,
)
from al_core.data import (
    test_size as held_out_size,  # aliased: pytest would collect a name starting with test_
)

GENERATORS = [name for name, spec in DATASETS.items() if spec.tunable]
BUNDLED = [name for name, spec in DATASETS.items() if not spec.tunable]


def shares(y: np.ndarray, k: int) -> np.ndarray:
    return np.bincount(y, minlength=k) / len(y)


def assert_inside(bounds: Bounds, X: np.ndarray) -> None:
    assert (X[:, 0] >= bounds.x0).all() and (X[:, 0] <= bounds.x1).all()
    assert (X[:, 1] >= bounds.y0).all() and (X[:, 1] <= bounds.y1).all()


# ---------------------------------------------------------------- every dataset


def test_the_names_are_the_designed_ones():
    assert set(DATASETS) == {
        "moons",
        "circles",
        "blobs",
        "xor",
        "spirals",
        "linear",
        "gaussian_quantiles",
        "iris",
        "wine",
        "breast_cancer",
        "digits",
    }


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_dataset_builds_with_defaults(name):
    ds = make_dataset(name)
    spec = DATASETS[name]
    assert ds.name == name
    assert ds.X.ndim == 2 and ds.X.shape[1] == 2 and ds.X_test.shape[1] == 2
    assert len(ds.y) == len(ds.X) and len(ds.y_test) == len(ds.X_test)
    assert ds.has_truth
    assert ds.n_classes == spec.default_classes == len(ds.class_names)
    # every class occurs in the pool and in the test set
    assert set(np.unique(ds.y)) == set(range(ds.n_classes)) == set(np.unique(ds.y_test))
    assert np.isfinite(ds.X).all() and np.isfinite(ds.X_test).all()
    assert_inside(ds.bounds, ds.X)
    assert_inside(ds.bounds, ds.X_test)
    if spec.tunable:
        assert len(ds.X) == 600 and len(ds.X_test) == held_out_size(600)
        assert not ds.projected


@pytest.mark.parametrize("name", list(DATASETS))
def test_test_set_is_held_out_from_the_same_distribution(name):
    ds = make_dataset(name)
    # same distribution: class shares and feature means agree roughly
    np.testing.assert_allclose(
        shares(ds.y, ds.n_classes), shares(ds.y_test, ds.n_classes), atol=0.06
    )
    spread = ds.X.std(axis=0)
    assert (np.abs(ds.X.mean(axis=0) - ds.X_test.mean(axis=0)) < 0.35 * spread).all()
    if DATASETS[name].tunable:  # disjoint: drawn separately, so no point is shared
        pool_rows = {tuple(r) for r in ds.X}
        assert not any(tuple(r) in pool_rows for r in ds.X_test)


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_are_reproducible_and_seed_dependent(name):
    a = make_dataset(name, 200, 0.2, 7)
    b = make_dataset.__wrapped__(name, 200, 0.2, 7)  # bypass the cache: a true rebuild
    c = make_dataset(name, 200, 0.2, 8)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X, c.X)


def test_datasets_are_read_only():
    ds = make_dataset("moons")
    with pytest.raises(ValueError):
        ds.X[0, 0] = 1.0
    with pytest.raises(ValueError):
        ds.y[0] = 1


def test_default_moons_is_exactly_sklearns():
    X, y = skd.make_moons(600, noise=0.25, random_state=42)
    ds = make_dataset("moons")
    np.testing.assert_array_equal(ds.X, X)
    np.testing.assert_array_equal(ds.y, y)
    assert ds.class_names == ("Class A", "Class B")


@pytest.mark.parametrize(
    ("name", "default"), [("blobs", 3), ("spirals", 2), ("gaussian_quantiles", 3)]
)
def test_class_counts_are_tunable_where_documented(name, default):
    assert make_dataset(name).n_classes == default
    lo, hi = CLASS_RANGE[name]
    for k in range(lo, hi + 1):
        ds = make_dataset(name, 300, 0.2, 1, k)
        assert ds.n_classes == k == len(ds.class_names)
        assert set(np.unique(ds.y)) == set(range(k)) == set(np.unique(ds.y_test))
    with pytest.raises(DataError, match=f"{lo}–{hi} classes"):
        make_dataset(name, 300, 0.2, 1, hi + 1)


def test_fixed_class_datasets_reject_other_class_counts():
    with pytest.raises(DataError, match="classes"):
        make_dataset("moons", n_classes=3)


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("imbalance", [0.5, 0.8])
def test_imbalance_gives_the_documented_class_shares(name, imbalance):
    """Class c gets a share proportional to (1 - imbalance)^c, in the pool and in the test set."""
    k = DATASETS[name].default_classes
    ds = make_dataset(name, 400, 0.25, 3, None, imbalance)
    assert len(ds.X) == 400  # the pool keeps the requested size
    np.testing.assert_array_equal(np.bincount(ds.y, minlength=k), class_counts(400, k, imbalance))
    np.testing.assert_array_equal(
        np.bincount(ds.y_test, minlength=k), class_counts(held_out_size(400), k, imbalance)
    )
    weights = (1 - imbalance) ** np.arange(k)
    np.testing.assert_allclose(shares(ds.y, k), weights / weights.sum(), atol=0.01)


def test_class_counts_sum_to_n_and_keep_every_class():
    for n, k, imbalance in [(600, 2, 0.0), (20, 6, 0.95), (7, 3, 0.0), (1000, 4, 0.3)]:
        counts = class_counts(n, k, imbalance)
        assert counts.sum() == n and (counts >= 1).all()
        assert (np.diff(counts) <= 0).all()  # class 0 is the largest
    np.testing.assert_array_equal(class_counts(600, 2, 0.0), [300, 300])


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"name": "nope"}, "unknown dataset"),
        ({"name": "moons", "n_samples": 10}, "between 20"),
        ({"name": "moons", "n_samples": MAX_ROWS + 1}, "between 20"),
    ],
)
def test_bad_arguments_raise_data_errors(kwargs, words):
    with pytest.raises(DataError, match=words):
        make_dataset(**kwargs)


def test_grid_is_float32_and_spans_the_bounds():
    b = make_dataset("moons").bounds
    xs, ys, pts = b.grid(50)
    assert xs.dtype == ys.dtype == pts.dtype == np.float32
    assert xs.shape == ys.shape == (50,) and pts.shape == (2500, 2)
    assert np.isclose(xs[0], b.x0) and np.isclose(xs[-1], b.x1)
    assert np.isclose(ys[0], b.y0) and np.isclose(ys[-1], b.y1)
    # row-major: the first row of the grid runs along x at the lowest y
    np.testing.assert_array_equal(pts[:50, 0], xs)
    assert (pts[:50, 1] == ys[0]).all()


# ---------------------------------------------------------------- bundled datasets


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_datasets_are_pca_projections_with_a_stratified_30_percent_test(name):
    bunch = DATASETS[name].loader()
    y_all = np.asarray(bunch.target)
    ds = make_dataset(name)
    assert ds.projected and ds.feature_names == ("PC 1", "PC 2")
    assert len(ds.X) + len(ds.X_test) == len(y_all)
    for c in np.unique(y_all):
        members = int((y_all == c).sum())
        assert int((ds.y_test == c).sum()) == round(0.3 * members)
        assert int((ds.y == c).sum()) == members - round(0.3 * members)
    # The projection is standardise + PCA (up to the sign of each component): compare the rows
    # of pool ∪ test with scikit-learn's projection of the whole data, as sorted multisets.
    expected = PCA(2).fit_transform(StandardScaler().fit_transform(bunch.data))
    got = np.vstack([ds.X, ds.X_test])
    for j in range(2):
        a, b = np.sort(got[:, j]), np.sort(expected[:, j])
        if not np.allclose(a, b, atol=1e-8):
            b = np.sort(-expected[:, j])
        np.testing.assert_allclose(a, b, atol=1e-8)


def test_bundled_class_names_are_readable():
    assert make_dataset("iris").class_names == ("Setosa", "Versicolor", "Virginica")
    assert make_dataset("digits").n_classes == 10


# ---------------------------------------------------------------- uploads


def make_csv(header: list[str], rows, sep: str = ",") -> bytes:
    lines = [sep.join(header)] + [sep.join(str(v) for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def rows(n: int = 40, k: int = 2, features: int = 2, seed: int = 0) -> list[list]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, features)).round(4)
    return [[*x, i % k] for i, x in enumerate(X)]


GOOD = make_csv(["x1", "x2", "label"], rows())


def test_a_good_csv_loads_with_labels_and_a_test_split():
    ds = load_csv(GOOD, name="mine")
    assert ds.name == "mine" and ds.has_truth and not ds.projected
    assert ds.feature_names == ("x1", "x2")
    assert ds.class_names == ("0", "1")
    assert len(ds.X) + len(ds.X_test) == 40
    assert int((ds.y_test == 0).sum()) == int((ds.y_test == 1).sum()) == 6  # stratified 30%
    assert_inside(ds.bounds, ds.X)
    assert_inside(ds.bounds, ds.X_test)
    # row_ids point back at the rows of the file
    source = pd.read_csv(io.BytesIO(GOOD))
    np.testing.assert_array_equal(ds.X, source[["x1", "x2"]].to_numpy()[ds.row_ids])


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", ["empty"]),
        (b"   \n  \n", ["empty"]),
        (b"x1,x2,label\n", ["no rows"]),
        (
            make_csv(
                ["x1", "x2", "label"],
                [[a, "abc" if i == 3 else b, c] for i, (a, b, c) in enumerate(rows())],
            ),
            ["'x2'", "not numeric"],
        ),
        (
            make_csv(
                ["x1", "x2", "label"],
                [[a, "" if i == 4 else b, c] for i, (a, b, c) in enumerate(rows())],
            ),
            ["missing", "'x2'", "row 6"],
        ),
        (
            make_csv(["x1", "x2", "label"], [[a, b, 1] for a, b, _ in rows()]),
            ["single class", "two or more"],
        ),
        (make_csv(["x1", "label"], [[a, c] for a, _, c in rows()]), ["one feature", "two"]),
        (make_csv(["x1", "x1", "label"], rows()), ["'x1'", "more than once", "unique"]),
        (make_csv(["x1", "x2", "label"], rows(10)), ["10 rows", "at least 20"]),
        ("caf\xe9,x2,label\n".encode("latin-1") + GOOD, ["not utf-8", "save it"]),
        (GOOD.decode().encode("utf-16"), ["utf-16", "utf-8"]),
        (
            GOOD * 40 + "1,2,caf\xe9\n".encode("latin-1"),
            ["not utf-8", "line 1641"],
        ),  # bad byte at the end
        (
            make_csv(
                ["x1", "x2", "label"],
                [[a, b, 2 if i == 0 else c] for i, (a, b, c) in enumerate(rows())],
            ),
            ["'2'", "single row"],
        ),
        (b"x1,x2,label\n1,2,0\n1,2,3,4\n" + GOOD, ["line 3", "4 values"]),
    ],
    ids=[
        "empty",
        "blank",
        "header-only",
        "non-numeric",
        "missing-value",
        "one-class",
        "one-feature",
        "duplicate-header",
        "too-few-rows",
        "non-utf8",
        "utf16",
        "non-utf8-late",
        "class-with-one-row",
        "ragged",
    ],
)
def test_bad_csvs_raise_data_errors_that_say_what_to_fix(data, words):
    with pytest.raises(DataError) as info:
        load_csv(data)
    message = str(info.value)
    assert "Traceback" not in message and len(message) < 400
    for word in words:
        assert word.lower() in message.lower(), message


def test_too_many_rows_is_refused():
    data = make_csv(["a", "b"], [[1, 2]] * (MAX_ROWS + 1))
    with pytest.raises(DataError, match=f"more than {MAX_ROWS:,} rows"):
        load_csv(data)


@pytest.mark.parametrize("with_label", [True, False])
def test_too_many_columns_is_refused_with_or_without_a_label(with_label):
    header = [f"f{i}" for i in range(MAX_COLUMNS + 1)] + (["label"] if with_label else [])
    data = make_csv(
        header,
        rows(30, features=MAX_COLUMNS + 1)
        if with_label
        else [r[:-1] for r in rows(30, features=MAX_COLUMNS + 1)],
    )
    with pytest.raises(DataError, match=f"at most {MAX_COLUMNS}"):
        load_csv(data)


def test_the_column_limit_itself_is_accepted():
    header = [f"f{i}" for i in range(MAX_COLUMNS)] + ["label"]
    ds = load_csv(make_csv(header, rows(30, features=MAX_COLUMNS)))
    assert ds.projected


def test_a_semicolon_csv_works():
    ds = load_csv(make_csv(["x1", "x2", "label"], rows(), sep=";"))
    assert ds.feature_names == ("x1", "x2") and ds.n_classes == 2


def test_windows_line_endings_and_a_bom_work():
    ds = load_csv(b"\xef\xbb\xbf" + GOOD.replace(b"\n", b"\r\n"))
    assert ds.feature_names == ("x1", "x2") and ds.n_classes == 2


@pytest.mark.parametrize("label", ["label", "Class", "target", "y"])
def test_the_label_column_is_detected_by_name_anywhere(label):
    data = make_csv([label, "a", "b"], [[["cat", "dog", "eel"][c], a, b] for a, b, c in rows(k=3)])
    ds = load_csv(data)
    assert ds.class_names == ("cat", "dog", "eel")
    assert ds.feature_names == ("a", "b")


def test_an_explicit_label_column_and_none():
    data = make_csv(["a", "b", "kind"], rows())
    assert load_csv(data, label_column="kind").has_truth
    # without a label column every column is a feature: three features, projected, no truth
    ds = load_csv(data, label_column=None)
    assert not ds.has_truth and ds.y is None and ds.X_test is None
    assert ds.projected and len(ds.X) == 40
    with pytest.raises(DataError, match="no column named 'nope'"):
        load_csv(data, label_column="nope")


def test_no_label_column_gives_an_unlabeled_pool():
    data = make_csv(["a", "b"], [r[:2] for r in rows()])
    ds = load_csv(data)
    assert not ds.has_truth and len(ds.X) == 40 and ds.n_classes == 2
    np.testing.assert_array_equal(ds.row_ids, np.arange(40))


def test_more_than_two_features_are_projected_to_pc1_pc2():
    data = make_csv(["a", "b", "c", "d", "label"], rows(60, features=4))
    ds = load_csv(data)
    assert ds.projected and ds.feature_names == ("PC 1", "PC 2")
    assert ds.X.shape[1] == 2
    features = pd.read_csv(io.BytesIO(data))[["a", "b", "c", "d"]].to_numpy()
    expected = PCA(2).fit_transform(StandardScaler().fit_transform(features))[ds.row_ids]
    for j in range(2):  # equal up to the sign of each component
        sign = np.sign(expected[:, j] @ ds.X[:, j])
        np.testing.assert_allclose(ds.X[:, j], sign * expected[:, j], atol=1e-9)


def test_labels_sort_naturally():
    data = make_csv(["a", "b", "label"], [[a, b, [2, 10, 1][c]] for a, b, c in rows(45, k=3)])
    assert load_csv(data).class_names == ("1", "2", "10")


def test_from_dataframe_validates_directly():
    df = pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0) ** 2, "label": [0, 1] * 15})
    assert from_dataframe(df).n_classes == 2
    with pytest.raises(DataError, match="no rows"):
        from_dataframe(df.iloc[:0])
    with pytest.raises(DataError, match="share a name"):
        from_dataframe(pd.DataFrame(np.ones((30, 3)), columns=["a", "a", "label"]))
    with pytest.raises(DataError, match="empty in row"):
        from_dataframe(df.assign(label=[0, 1] * 14 + [None, 1]))
    with pytest.raises(DataError, match="not numeric"):
        from_dataframe(df.assign(b=[True, False] * 15))
    with pytest.raises(DataError, match="infinite"):
        from_dataframe(df.assign(a=[np.inf] + [1.0] * 29))
    many = pd.DataFrame({"a": np.arange(33.0), "b": np.ones(33), "label": np.arange(33) % 11})
    with pytest.raises(DataError, match="11 different values"):
        from_dataframe(many)
