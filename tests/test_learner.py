"""The learning loop: the default scenario, step/undo/reset, cold starts, the noisy oracle,
teaching and skipping, history views, and the JSON that share links stand on."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from al_core.data import load_csv, make_dataset
from al_core.loop import Config, Learner
from al_core.loop.metrics import evaluate
from al_core.loop.replay import replay_dict, replay_json
from al_core.models import MODELS, PriorModel, class_proba, fit_model
from al_core.strategies import STRATEGIES


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """Tiny fits are several times faster on one BLAS thread on a small machine."""
    with threadpool_limits(1):
        yield


def state(learner: Learner) -> tuple:
    return list(learner.labeled), list(learner.labels), list(learner.steps), set(learner.skipped)


# ---------------------------------------------------------------- the default scenario


def test_the_default_scenario_is_the_seed_notebooks_60_points():
    learner = Learner()
    ds = make_dataset("moons")
    picked, _ = train_test_split(np.arange(600), train_size=60, stratify=ds.y, random_state=42)
    assert learner.n_labeled == 60 and learner.step_number == 0
    assert learner.labeled == sorted(picked.tolist())
    assert learner.labels == ds.y[learner.labeled].tolist()
    first = learner.steps[0]
    assert first.number == 0 and first.source == "initial" and first.n_labeled == 60
    assert first.queried == tuple(learner.labeled)
    # the recorded metrics are those of a fresh logistic regression on the 60 points
    model = fit_model("logreg", {}, ds.X[learner.labeled], ds.y[learner.labeled], 42, 2)
    assert first.metrics == evaluate(class_proba(model, ds.X_test, 2), ds.y_test)
    assert 0.5 < first.metrics["accuracy"] <= 1.0
    c = learner.config
    assert (c.model, c.strategy, c.batch_size, c.initial) == ("logreg", "least_confident", 1, 60)


def test_a_step_adds_batch_size_oracle_labels():
    learner = Learner(Config(batch_size=3))
    q = learner.suggest()
    step = learner.step()
    assert step.number == 1 and learner.step_number == 1
    assert step.queried == tuple(q.indices.tolist()) and len(step.queried) == 3
    assert step.source == "oracle" and step.n_labeled == 63 == learner.n_labeled
    assert list(step.labels) == learner.dataset.y[list(step.queried)].tolist()
    assert learner.labeled[-3:] == list(step.queried)
    assert set(step.metrics) == {"accuracy", "balanced_accuracy", "f1_macro", "log_loss"}
    assert learner.step(k=5).n_labeled == 68  # an explicit k overrides the batch size


def test_suggest_is_cached_per_state_and_moves_on_after_a_change():
    learner = Learner()
    q = learner.suggest()
    assert learner.suggest() is q
    assert learner.suggest(4) is not q and len(learner.suggest(4).indices) == 4
    learner.teach(q.indices, [0])
    assert learner.suggest() is not q
    assert q.indices[0] not in learner.suggest().candidates


def test_the_least_confident_pick_is_the_most_uncertain_candidate():
    learner = Learner()
    q = learner.suggest()
    p = learner.proba(learner.dataset.X[learner.candidates])
    assert q.indices[0] == learner.candidates[np.argmin(p.max(axis=1))]


@pytest.mark.parametrize("name", ["qbc_vote", "qbc_kl"])
def test_a_run_does_not_depend_on_whether_the_grid_was_drawn_first(name):
    """The UI draws the utility surface before suggesting; the CLI never draws it."""
    cli = Learner(Config(strategy=name, batch_size=3, seed=5))
    ui = Learner(Config(strategy=name, batch_size=3, seed=5))
    for _ in range(3):
        ui.utility_grid(20)
        ui.step()
        cli.step()
    assert cli.steps == ui.steps


@pytest.mark.parametrize("model", [m for m, spec in MODELS.items() if spec.rowwise])
@pytest.mark.parametrize("dataset, strategy", [("moons", "margin"), ("blobs", "density_weighted")])
def test_the_probabilities_predicted_with_the_test_set_are_the_models_own(model, dataset, strategy):
    """A step predicts the next candidates in the call that scores the test set (for models
    whose rows are predicted independently); the utility from that shared call must be bit for
    bit what asking the model afresh gives, or a step after an undo could ask differently."""
    config = Config(dataset=dataset, model=model, strategy=strategy, seed=3)
    learner = Learner(config)
    learner.step()
    known = learner.context().known
    assert known is not None and known[0] is learner._candidate_inputs()
    fresh = class_proba(learner.model, learner.X[learner.candidates], learner.dataset.n_classes)
    assert np.array_equal(known[1], fresh)
    shared = learner.pool_utility().copy()
    learner._cache.clear()  # forget the shared prediction: the strategy asks the model itself
    assert learner.context().known is None
    assert np.array_equal(learner.pool_utility(), shared)


@pytest.mark.parametrize("model", [m for m, spec in MODELS.items() if spec.rowwise])
def test_the_pool_probabilities_and_stop_signals_reuse_the_steps_prediction(model):
    """After a Step the plane's pool probabilities (and so the stopping meter's) come from the
    Step's own prediction of the candidates plus the few other rows: bit for bit one call on
    the pool, while the model is asked only about the labeled rows."""
    from al_core.loop.stopping import StopTrace

    def run(share: bool) -> tuple[Learner, StopTrace, list[int]]:
        learner = Learner(Config(model=model, strategy="margin", initial=6, seed=4))
        learner._shares_prediction = share
        trace = StopTrace.attach(learner)
        for _ in range(3):
            learner.step()
            asked.clear()
            learner.skip(int(learner.candidates[0]))  # a set-aside point is in "the rest" too
            learner.step()
        return learner, trace, list(asked)

    asked: list[int] = []
    real = type(Learner(Config(model=model)).model).predict_proba

    def counting(self, X):
        asked.append(len(X))
        return real(self, X)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(type(Learner(Config(model=model)).model), "predict_proba", counting)
        shared, shared_trace, shared_asked = run(True)
        alone, alone_trace, alone_asked = run(False)
    assert shared.steps == alone.steps
    fresh = class_proba(shared.model, shared.X, shared.dataset.n_classes)
    assert np.array_equal(shared.pool_proba(), fresh)
    for signal, values in shared_trace.signals().items():  # NaN before the first model
        np.testing.assert_array_equal(values, alone_trace.signals()[signal])
    pool = len(shared.X)
    assert pool not in shared_asked and pool in alone_asked  # the whole pool: only unshared


@pytest.mark.parametrize(
    "model, strategy, dataset, learn_in",
    [
        ("knn", "random", "moons", "view"),  # the strategy reads no probabilities
        ("knn", "qbc_vote", "moons", "view"),  # its committee predicts, not the model
        ("gp", "margin", "moons", "view"),  # a GP's rows depend on the rows predicted with them
        ("knn", "margin", "digits", "all"),  # 64-D distances go through blocked GEMM
    ],
)
def test_no_shared_prediction_where_it_is_not_read_or_not_exact(model, strategy, dataset, learn_in):
    config = Config(dataset=dataset, model=model, strategy=strategy, learn_in=learn_in)
    learner = Learner(replace(config, n_samples=200) if dataset == "moons" else config)
    learner.step()
    assert learner.context().known is None


# ---------------------------------------------------------------- undo and reset


def test_undo_restores_the_state_exactly_and_never_removes_the_initial_step():
    learner = Learner(Config(batch_size=2, strategy="margin"))
    learner.step()
    learner.step()
    before = state(learner)
    next_query = learner.suggest().indices.copy()
    proba = learner.proba(learner.dataset.X_test)
    for _ in range(3):
        learner.step()
    assert learner.undo(3) == 3
    assert state(learner) == before
    np.testing.assert_array_equal(learner.suggest().indices, next_query)
    np.testing.assert_array_equal(learner.proba(learner.dataset.X_test), proba)
    assert learner.undo(0) == 0
    assert learner.undo(100) == 2  # only the two steps after the initial labels
    assert learner.step_number == 0 and learner.n_labeled == 60
    assert learner.steps[0].source == "initial"
    assert learner.undo() == 0 and learner.n_labeled == 60


def test_reset_goes_back_to_the_initial_labels():
    learner = Learner()
    start = state(learner)
    learner.step()
    learner.skip(int(learner.candidates[0]))
    learner.teach([int(learner.candidates[0])], [1])
    learner.reset()
    assert state(learner) == start and learner.step_number == 0


# ---------------------------------------------------------------- cold starts


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("initial", [0, 1])
def test_a_cold_start_asks_at_random_until_two_classes_are_labeled(model, initial):
    learner = Learner(Config(model=model, initial=initial, seed=3))
    assert learner.n_labeled == initial
    assert isinstance(learner.model, PriorModel)
    assert learner.utility_grid(10) is None
    for _ in range(60):
        if learner.classes_seen >= 2:
            break
        q = learner.suggest()
        assert "at random" in q.note and q.random_picks.all()
        step = learner.step()
        assert step.note == q.note
        assert np.isfinite(step.metrics["accuracy"])
    assert learner.classes_seen == 2
    assert not isinstance(learner.model, PriorModel)
    q = learner.suggest()
    assert q.note == "" and not q.random_picks.any()
    learner.step()
    assert learner.proba_grid(10).shape == (10, 10, 2)


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_every_strategy_takes_over_from_the_first_two_labels(strategy):
    learner = Learner(Config(strategy=strategy, model="svm_rbf", initial=0, batch_size=2))
    while learner.classes_seen < 2:
        learner.step()
    for _ in range(2):
        q = learner.suggest()
        assert q.note == "" and len(q.indices) == 2
        learner.step()


def test_initial_two_gives_one_label_per_class_and_three_classes_too():
    learner = Learner(Config(initial=2))
    assert sorted(learner.labels) == [0, 1]
    blobs = Learner(Config(dataset="blobs", initial=3))
    assert sorted(blobs.labels) == [0, 1, 2]
    partial = Learner(Config(dataset="blobs", initial=2))
    assert len(set(partial.labels)) == 2


def test_more_initial_labels_than_the_pool_leaves_points_to_ask():
    learner = Learner(Config(n_samples=40, initial=1000))
    assert len(learner.candidates) > 0 and learner.n_labeled < 40
    learner.step()


# ---------------------------------------------------------------- the noisy oracle


@pytest.mark.parametrize(("dataset", "noise"), [("moons", 0.3), ("blobs", 0.2)])
def test_the_noisy_oracle_flips_about_the_right_share_and_disagreements_finds_them(dataset, noise):
    learner = Learner(
        Config(dataset=dataset, oracle_noise=noise, batch_size=10, strategy="random", initial=30)
    )
    for _ in range(25):
        step = learner.step()
        assert step.source == "noisy oracle"
    truth = learner.dataset.y
    asked = np.array(learner.labeled[30:])
    given = np.array(learner.labels[30:])
    flipped = asked[given != truth[asked]]
    share = len(flipped) / len(asked)
    assert abs(share - noise) < 0.08  # 250 labels: ±0.08 is more than three standard errors
    np.testing.assert_array_equal(np.sort(learner.disagreements()), np.sort(flipped))
    assert not np.isin(learner.labeled[:30], learner.disagreements()).any()  # initial are exact
    if dataset == "blobs":  # a flip goes to any other class, not always the next one
        wrong = given[given != truth[asked]] - truth[flipped]
        assert len(np.unique(wrong % 3)) == 2


def test_an_exact_oracle_has_no_disagreements_but_a_person_can():
    learner = Learner()
    learner.step()
    assert len(learner.disagreements()) == 0
    i = int(learner.candidates[0])
    learner.teach([i], [1 - learner.dataset.y[i]])
    np.testing.assert_array_equal(learner.disagreements(), [i])


# ---------------------------------------------------------------- teach and skip


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda L: ([L.labeled[0]], [0]), "already labeled"),
        (lambda L: ([L.candidates[0]] * 2, [0, 0]), "twice"),
        (lambda L: ([-1], [0]), "out of range"),
        (lambda L: ([len(L.dataset)], [0]), "out of range"),
        (lambda L: ([L.candidates[0]], [2]), "class numbers 0 to 1"),
        (lambda L: ([L.candidates[0]], [-1]), "class numbers"),
        (lambda L: ([L.candidates[0], L.candidates[1]], [0]), "2 points but 1 labels"),
        (lambda L: ([], []), "nothing to teach"),
        (lambda L: ([1.5], [0]), "whole numbers"),
        (lambda L: ([L.candidates[0]], ["a"]), "whole numbers"),
        (lambda L: ([[1, 2]], [0]), "whole numbers"),
    ],
)
def test_teach_validates_its_input_and_leaves_the_state_alone(make, words):
    learner = Learner()
    before = state(learner)
    indices, labels = make(learner)
    with pytest.raises(ValueError, match=words):
        learner.teach(indices, labels)
    assert state(learner) == before


def test_teach_rejects_unknown_sources_and_records_known_ones():
    learner = Learner()
    i = int(learner.candidates[0])
    with pytest.raises(ValueError, match="unknown source 'robot'"):
        learner.teach([i], [0], source="robot")
    step = learner.teach(np.int64(i), np.int64(1), source="you", note="my call")
    assert (step.queried, step.labels, step.source, step.note) == ((i,), (1,), "you", "my call")


def test_skip_sets_points_aside_until_labeled_or_reset():
    learner = Learner(Config(batch_size=3))
    first = learner.suggest().indices
    for i in first:
        learner.skip(int(i))
    assert learner.skipped == set(first.tolist())
    assert not np.isin(first, learner.candidates).any()
    assert not np.isin(first, learner.suggest().indices).any()
    assert len(learner.candidates) + learner.n_labeled + 3 == len(learner.dataset)
    learner.teach([int(first[0])], [0])  # labeling a skipped point takes it back
    assert learner.skipped == set(first[1:].tolist())
    with pytest.raises(ValueError, match="out of range"):
        learner.skip(len(learner.dataset))
    with pytest.raises(ValueError, match="out of range"):
        learner.skip(-1)
    learner.reset()
    assert learner.skipped == set()


def test_when_every_point_is_labeled_or_skipped_there_is_nothing_to_ask():
    learner = Learner(Config(n_samples=20, initial=4, batch_size=100))
    rest = learner.candidates
    learner.skip(int(rest[0]))
    assert len(learner.suggest().indices) == len(rest) - 1
    learner.step()
    with pytest.raises(ValueError, match="nothing left to ask"):
        learner.step()


# ---------------------------------------------------------------- history views


def test_proba_grid_shapes_dtype_and_history():
    learner = Learner(Config(dataset="blobs", initial=9))
    learner.step()
    grid = learner.proba_grid(40)
    assert grid.shape == (40, 40, 3) and grid.dtype == np.float32
    np.testing.assert_allclose(grid.sum(axis=2), 1.0, atol=1e-5)
    assert learner.proba_grid(40) is grid  # cached for the state
    past = learner.proba_grid(40, step=0)
    _, _, pts = learner.bounds.grid(40)
    expected = class_proba(learner.model_at(0), pts, 3).astype(np.float32).reshape(40, 40, 3)
    np.testing.assert_array_equal(past, expected)
    assert not np.array_equal(past, grid)
    with pytest.raises(ValueError, match="step 2 does not exist"):
        learner.proba_grid(40, step=2)
    with pytest.raises(ValueError, match="does not exist"):
        learner.model_at(-1)


@pytest.mark.parametrize(
    ("model", "params"),
    [("logreg", {}), ("forest", {"n_estimators": 10}), ("mlp", {"hidden": 8}), ("knn", {})],
)
def test_model_at_a_past_step_equals_a_fresh_fit_on_that_prefix(model, params):
    learner = Learner(Config(model=model, model_params=params, batch_size=2, initial=10))
    for _ in range(10):
        learner.step()
    ds = learner.dataset
    for step in (0, 3, 7, 10):  # the early ones are refitted: only a few models are kept
        n = learner.steps[step].n_labeled
        X, y = ds.X[learner.labeled[:n]], np.array(learner.labels[:n])
        fresh = fit_model(model, params, X, y, 42, 2)
        np.testing.assert_array_equal(
            learner.proba(ds.X_test, step=step), class_proba(fresh, ds.X_test, 2)
        )
        # and the metrics recorded at that step are that model's
        assert learner.steps[step].metrics == evaluate(class_proba(fresh, ds.X_test, 2), ds.y_test)


def test_curve_follows_the_steps():
    learner = Learner(Config(batch_size=5))
    for _ in range(4):
        learner.step()
    n, acc = learner.curve()
    np.testing.assert_array_equal(n, [60, 65, 70, 75, 80])
    np.testing.assert_array_equal(acc, [s.metrics["accuracy"] for s in learner.steps])
    _, loss = learner.curve("log_loss")
    assert (loss > 0).all()
    assert np.isnan(learner.curve("no such metric")[1]).all()


# ---------------------------------------------------------------- JSON


def run_script(learner: Learner) -> None:
    """A mixed history: oracle steps, a person's label, a skip, an undo."""
    learner.step()
    learner.step()
    i = int(learner.candidates[-1])
    learner.teach([i], [0], source="you", note="looked like A")
    learner.skip(int(learner.candidates[0]))
    learner.step()
    learner.undo()
    learner.step()


@pytest.mark.parametrize(
    "config",
    [
        Config(),
        Config(strategy="qbc_vote", model="svm_rbf", batch_size=3, random_mix=0.3),
        Config(dataset="blobs", strategy="entropy", oracle_noise=0.2, initial=0),
        Config(
            dataset="spirals",
            n_classes=3,
            n_samples=200,
            noise=0.1,
            seed=7,
            imbalance=0.3,
            model="knn",
            model_params={"k": 3},
            strategy="density_weighted",
            strategy_params={"beta": 2.0},
        ),
        Config(
            strategy="cluster_margin",
            model="forest",
            model_params={"n_estimators": 10},
            batch_size=4,
        ),
    ],
)
def test_json_round_trip_rebuilds_the_run_bit_for_bit(config):
    learner = Learner(config)
    run_script(learner)
    text = learner.to_json()
    again = replay_json(text)
    assert again.config == learner.config
    assert state(again) == state(learner)  # includes every step's metrics, exactly
    assert again.to_json() == text
    np.testing.assert_array_equal(again.suggest().indices, learner.suggest().indices)
    np.testing.assert_array_equal(again.proba_grid(20), learner.proba_grid(20))
    assert replay_dict(json.loads(text)).steps == learner.steps


def test_step_notes_survive_the_round_trip_without_bloating_the_link():
    learner = Learner(Config(initial=0, seed=1))
    while learner.classes_seen < 2:
        learner.step()
    learner.step()
    i = int(learner.candidates[0])
    learner.teach([i], [0], note="a person's reason")
    text = learner.to_json()
    assert learner.steps[1].note and learner.steps[1].note not in text  # derived, not stored
    assert "a person's reason" in text
    again = replay_json(text)
    assert [s.note for s in again.steps] == [s.note for s in learner.steps]


def test_the_default_session_is_compact():
    learner = Learner()
    learner.step()
    data = json.loads(learner.to_json())
    assert data["config"] == {} and data["v"] == 1 and "skipped" not in data
    assert len(data["steps"]) == 1 and data["steps"][0][2] == "oracle"
    assert Config(noise=0.3).to_dict() == {"noise": 0.3}
    assert Config(model="svm_rbf", model_params={"C": 10.0, "gamma": 2}).validated().to_dict() == {
        "model": "svm_rbf",
        "model_params": {"gamma": 2.0},
    }


def test_a_session_on_an_uploaded_dataset_round_trips_with_the_dataset():
    rng = np.random.default_rng(0)
    rows = "\n".join(f"{a:.4f},{b:.4f}" for a, b in rng.normal(size=(30, 2)))
    ds = load_csv(("a,b\n" + rows).encode())
    learner = Learner(Config(dataset="upload", initial=0), dataset=ds)
    assert learner.n_labeled == 0 and "confidence" in learner.steps[0].metrics
    with pytest.raises(ValueError, match="no ground truth"):
        learner.step()
    learner.teach([0, 1], [0, 1])
    assert len(learner.disagreements()) == 0
    again = replay_json(learner.to_json(), dataset=ds)
    assert again.steps == learner.steps


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "not an Ask Next session"),
        ('{"config": {}}', "format version"),
        ('{"v": 2, "config": {}}', "format version"),
        ('{"v": 1, "config": []}', "field: value"),
        ('{"v": 1, "config": {"colour": "red"}}', "unknown config field 'colour'"),
        ('{"v": 1, "config": {"model": "nope"}}', "model"),
        ('{"v": 1, "config": {"n_samples": "600"}}', "n_samples"),
        ('{"v": 1, "config": {"noise": null}}', "noise"),
        ('{"v": 1, "config": {"model_params": [1]}}', "model_params"),
        ('{"v": 1, "config": {"model_params": {"C": "x"}}}', "C 'x' is not a number"),
        ('{"v": 1, "config": {}, "steps": 5}', "must be lists"),
        ('{"v": 1, "config": {}, "steps": [[1, 2]]}', "malformed"),
        ('{"v": 1, "config": {}, "steps": [[[1], [0], 3]]}', "malformed"),
        ('{"v": 1, "config": {}, "steps": [[[1], [0], "alien"]]}', "unknown source"),
        ('{"v": 1, "config": {}, "steps": [[["a"], [0], "you"]]}', "whole numbers"),
        ('{"v": 1, "config": {}, "steps": [[[9999], [0], "you"]]}', "out of range"),
        ('{"v": 1, "config": {}, "steps": [[[0], [0], "you"], [[0], [1], "you"]]}', "already"),
        ('{"v": 1, "config": {}, "skipped": [[1]]}', "whole numbers"),
        ('{"v": 1, "config": {}, "skipped": [100000]}', "out of range"),
    ],
)
def test_malformed_sessions_raise_value_errors(text, words):
    with pytest.raises(ValueError, match=words):
        replay_json(text)


# ---------------------------------------------------------------- Config


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("dataset", "nope"),
        ("dataset", 3),
        ("model", "nope"),
        ("strategy", "nope"),
        ("n_samples", 5),
        ("n_samples", 20_001),
        ("n_samples", "600"),
        ("noise", -0.1),
        ("noise", float("nan")),
        ("seed", -1),
        ("seed", 2**32),
        ("seed", 1.5),
        ("seed", True),
        ("initial", -1),
        ("batch_size", 0),
        ("batch_size", 101),
        ("imbalance", 0.99),
        ("random_mix", 1.5),
        ("oracle_noise", 0.6),
        ("n_classes", 9),
        ("n_classes", 2.5),
        ("model_params", [1]),
        ("strategy_params", "beta=2"),
    ],
)
def test_config_validation_errors_name_the_field(field, value):
    kwargs = {field: value}
    if field == "n_classes":
        kwargs["dataset"] = "blobs"
    with pytest.raises(ValueError, match=field):
        Config(**kwargs).validated()
    with pytest.raises(ValueError, match=field):
        Learner(Config(**kwargs))


def test_config_coerces_whole_floats_and_round_trips_through_dicts():
    c = Config(seed=7.0, n_samples=300.0, noise=1, dataset="blobs", n_classes=4.0).validated()
    assert (c.seed, c.n_samples, c.noise, c.n_classes) == (7, 300, 1.0, 4)
    assert isinstance(c.seed, int) and isinstance(c.noise, float)
    assert Config.from_dict(c.to_dict()) == c
    assert Config.from_dict(c.to_dict(compact=False)) == c
    assert set(Config().to_dict(compact=False)) == {f for f in Config.__dataclass_fields__}
    with pytest.raises(ValueError, match="unknown parameter 'depth'"):
        Config(model_params={"depth": 3}).validated()
    with pytest.raises(ValueError, match="committee_size"):
        Config(strategy="margin", strategy_params={"committee_size": 3}).validated()
