"""Models: all ten fit from one label per class and give probabilities over every class."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from al_core.data import make_dataset
from al_core.models import MODELS, PriorModel, ScoredSVC, class_proba, fit_model, model_params
from al_core.params import Param, resolve


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """Tiny fits are several times faster on one BLAS thread on a small machine."""
    with threadpool_limits(1):
        yield


def one_per_class(y: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array([rng.choice(np.flatnonzero(y == c)) for c in range(k)])


def test_the_names_are_the_designed_ones():
    assert set(MODELS) == {
        "logreg",
        "svm_rbf",
        "svm_linear",
        "knn",
        "tree",
        "forest",
        "gboost",
        "mlp",
        "gp",
        "naive_bayes",
    }


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize(("dataset", "k"), [("moons", 2), ("blobs", 3)])
def test_every_model_fits_from_one_label_per_class(name, dataset, k):
    ds = make_dataset(dataset)
    assert ds.n_classes == k
    idx = one_per_class(ds.y, k)
    model = fit_model(name, {}, ds.X[idx], ds.y[idx], seed=0, n_classes=k)
    assert not isinstance(model, PriorModel)
    p = class_proba(model, ds.X_test, k)
    assert p.shape == (len(ds.X_test), k)
    assert np.isfinite(p).all() and (p >= 0).all() and (p <= 1 + 1e-12).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)
    # the model is not a constant: it tells the labeled points apart somewhere in the plane
    assert len(np.unique(p.argmax(axis=1))) >= 2


@pytest.mark.parametrize("name", list(MODELS))
def test_every_model_is_deterministic_for_a_seed(name):
    ds = make_dataset("moons")
    idx = np.arange(0, 600, 15)
    a = fit_model(name, {}, ds.X[idx], ds.y[idx], seed=3, n_classes=2)
    b = fit_model(name, {}, ds.X[idx], ds.y[idx], seed=3, n_classes=2)
    np.testing.assert_array_equal(class_proba(a, ds.X_test, 2), class_proba(b, ds.X_test, 2))


@pytest.mark.parametrize("name", list(MODELS))
def test_a_model_that_saw_two_of_three_classes_gives_zero_to_the_third(name):
    ds = make_dataset("blobs")
    idx = np.concatenate([np.flatnonzero(ds.y == 0)[:3], np.flatnonzero(ds.y == 2)[:3]])
    model = fit_model(name, {}, ds.X[idx], ds.y[idx], seed=0, n_classes=3)
    p = class_proba(model, ds.X_test, 3)
    assert p.shape == (len(ds.X_test), 3)
    assert (p[:, 1] == 0).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)


@pytest.mark.parametrize("name", list(MODELS))
def test_a_single_class_labeled_set_gives_a_prior_model(name):
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]])
    model = fit_model(name, {}, X, np.array([1, 1, 1]), seed=0, n_classes=3)
    assert isinstance(model, PriorModel)
    np.testing.assert_array_equal(class_proba(model, X, 3), [[0, 1, 0]] * 3)


def test_the_prior_model_predicts_label_shares_or_uniform_when_empty():
    empty = PriorModel(np.array([], int), 4)
    np.testing.assert_allclose(empty.predict_proba(np.zeros((2, 2))), np.full((2, 4), 0.25))
    assert isinstance(
        fit_model("logreg", {}, np.zeros((0, 2)), np.array([], int), 0, 2), PriorModel
    )
    shares = PriorModel(np.array([0, 0, 0, 2]), 3).predict_proba(np.zeros((1, 2)))
    np.testing.assert_allclose(shares, [[0.75, 0.0, 0.25]])


@pytest.mark.parametrize("kernel", ["rbf", "linear"])
def test_scored_svc_probabilities_are_monotone_in_its_decision_function(kernel):
    ds = make_dataset("moons")
    idx = np.arange(0, 600, 10)
    model = ScoredSVC(kernel, C=10.0, gamma=1.0).fit(ds.X[idx], ds.y[idx])
    d = model.decision_function(ds.X_test)
    p = model.predict_proba(ds.X_test)
    order = np.argsort(d)
    assert (np.diff(p[order, 1]) >= 0).all()
    assert (np.diff(p[order, 0]) <= 0).all()
    np.testing.assert_array_equal(model.predict(ds.X_test), (d > 0).astype(int))
    assert ((p[:, 1] > 0.5) == (d > 0)).all()


def test_scored_svc_multiclass_rows_follow_the_largest_decision_value():
    ds = make_dataset("blobs")
    idx = np.arange(0, 600, 10)
    model = ScoredSVC("rbf", C=1.0, gamma=1.0).fit(ds.X[idx], ds.y[idx])
    d = model.decision_function(ds.X_test)
    p = model.predict_proba(ds.X_test)
    assert d.shape == p.shape == (len(ds.X_test), 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_array_equal(p.argmax(axis=1), d.argmax(axis=1))


def test_scored_svc_scale_sharpens_without_reordering():
    ds = make_dataset("moons")
    idx = np.arange(0, 600, 10)
    soft = ScoredSVC(scale=0.5).fit(ds.X[idx], ds.y[idx]).predict_proba(ds.X_test)[:, 1]
    sharp = ScoredSVC(scale=5.0).fit(ds.X[idx], ds.y[idx]).predict_proba(ds.X_test)[:, 1]
    np.testing.assert_array_equal(np.argsort(soft, kind="stable"), np.argsort(sharp, kind="stable"))
    assert np.abs(sharp - 0.5).mean() > np.abs(soft - 0.5).mean()


# ---------------------------------------------------------------- hyperparameters


def test_defaults_are_resolved_for_every_model():
    for name, spec in MODELS.items():
        params = model_params(name)
        assert params == {p.name: p.default for p in spec.params}
        for p in spec.params:
            assert p.low <= p.default <= p.high


def test_hyperparameters_out_of_range_or_not_whole_are_refused_and_links_clamp_them():
    # Refused in code and session files (a silent clamp hid typos: issue "hostile input" 5) ...
    for name, given in [("svm_rbf", {"C": 1e9}), ("knn", {"k": 0}), ("knn", {"k": 1.5})]:
        with pytest.raises(ValueError, match=next(iter(given))):
            model_params(name, given)
    assert model_params("knn", {"k": 8.0}) == {"k": 8}  # a whole float is a whole number
    assert isinstance(model_params("forest", {"n_estimators": 12.0})["n_estimators"], int)
    # ... and clamped, with a warning, where a link brings them
    k = MODELS["knn"].params[0]
    assert k.clamp("7.6") == (8, "Neighbours k 7.6 is not a whole number; using 8.")
    assert k.clamp("0")[0] == 1 and MODELS["svm_rbf"].params[0].clamp(1e9)[0] == 1000.0


def test_knn_with_more_neighbours_than_labels_still_fits():
    ds = make_dataset("moons")
    idx = one_per_class(ds.y, 2)
    model = fit_model("knn", {"k": 50}, ds.X[idx], ds.y[idx], 0, 2)
    assert class_proba(model, ds.X_test, 2).shape == (len(ds.X_test), 2)


@pytest.mark.parametrize(
    ("name", "given", "words"),
    [
        ("logreg", {"gamma": 1.0}, ["unknown parameter 'gamma'", "accepted: C"]),
        ("naive_bayes", {"C": 1.0}, ["unknown parameter 'C'", "accepted: none"]),
        ("svm_rbf", {"C": "lots"}, ["C 'lots' is not a number", "accepted: 0.01 to 1000"]),
        ("svm_rbf", {"C": float("nan")}, ["C nan is not a number"]),
        ("knn", {"k": None}, ["k None is not a whole number"]),
        ("nope", {}, ["unknown model 'nope'", "logreg"]),
    ],
)
def test_bad_hyperparameters_raise_value_errors_naming_them(name, given, words):
    with pytest.raises(ValueError) as info:
        model_params(name, given)
    for word in words:
        assert word in str(info.value)


def test_param_clamp_and_resolve_directly():
    p = Param("depth", "Depth", 5, 1, 20)
    assert p.is_int and p.clamp(100)[0] == 20 and p.clamp(-3)[0] == 1 and p.clamp(2.4)[0] == 2
    assert p.clamp(100)[1] == "Depth 100 is out of range (1 to 20); using 20."
    q = Param("scale", "Scale", 1.0, 0.1, 10.0, log=True)
    assert not q.is_int and q.clamp(float("inf"))[0] == 1.0 and q.clamp(0.5) == (0.5, "")
    assert resolve((p, q), None) == {"depth": 5, "scale": 1.0}
    assert resolve((p, q), {"scale": 3}) == {"depth": 5, "scale": 3.0}
    with pytest.raises(ValueError, match="name: value pairs"):
        resolve((p,), [("depth", 3)])


@pytest.mark.parametrize("n_classes", [2, 3])
def test_logistic_fast_path_gives_sklearns_exact_bits(n_classes):
    """The engine skips predict_proba's validation for logistic regression: the probabilities must
    be scikit-learn's to the last bit, or saved links would replay other picks."""
    ds = make_dataset("blobs" if n_classes == 3 else "moons", 400, 0.3, 3, n_classes, 0)
    model = fit_model("logreg", {}, ds.X[:60], ds.y[:60], 3, n_classes)
    for X in (ds.X_test, ds.X[::3], ds.X[5:6]):
        np.testing.assert_array_equal(class_proba(model, X, n_classes), model.predict_proba(X))
    # A matrix that is not plain float64 goes to scikit-learn itself.
    np.testing.assert_array_equal(
        class_proba(model, ds.X_test.astype(np.float32), n_classes),
        model.predict_proba(ds.X_test.astype(np.float32)),
    )
