"""You vs a strategy (al_core.race): the two runs, a pick and its answer, the target, the verdict."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from al_core.data import load_csv
from al_core.experiments import races as rc
from al_core.experiments.runner import full_pool_accuracy
from al_core.loop import Config, Learner
from al_core.present import labeling as lab

CORPUS = Path(__file__).parent / "bad_csv"
SMALL = Config(n_samples=120, initial=4, model="logreg", oracle_noise=0.3, random_mix=0.5)


@pytest.fixture
def run() -> Learner:
    return Learner(SMALL)


def test_both_sides_start_from_the_run_s_labels_with_an_exact_oracle(run):
    run.teach([int(run.candidates[0])], [0], "you")  # the run's own labels are not the race's
    race = rc.start_race(run, "entropy")
    assert race.you.labeled == race.them.labeled == run.labeled[: run.steps[0].n_labeled]
    assert race.start == 4 and race.picks == 0
    for side in (race.you, race.them):
        assert side.config.oracle_noise == 0.0 and side.config.random_mix == 0.0
        assert side.dataset is run.dataset
    assert race.you.config.strategy == run.config.strategy
    assert race.them.config.strategy == "entropy" and race.them.config.strategy_params == {}


def test_the_race_is_kept_until_the_configuration_or_the_opponent_changes(run):
    race = rc.current_race(run, "margin", None)
    assert rc.current_race(run, "margin", race) is race
    assert rc.current_race(run, "entropy", race) is not race
    other = Learner(replace(SMALL, seed=7))
    assert rc.current_race(other, "margin", race) is not race
    same_config_other_data = Learner(SMALL, load_csv((CORPUS / "good_2d_labeled.csv").read_bytes()))
    assert rc.current_race(same_config_other_data, "margin", race) is not race


def test_a_pick_is_answered_with_the_truth_and_the_strategy_asks_as_many(run):
    race = rc.start_race(run, "margin")
    y = run.dataset.y
    picks = [int(i) for i in race.you.candidates[:3]]
    truth, k = rc.reveal(race, picks)
    assert list(truth) == list(y[picks]) and k == 3
    assert race.you.steps[-1].queried == tuple(picks)
    assert race.you.steps[-1].labels == tuple(int(v) for v in y[picks])
    assert race.you.steps[-1].source == "you"
    assert race.them.n_labeled == race.you.n_labeled == 7 and race.picks == 3
    assert race.them.steps[-1].source == "oracle"
    message = lab.reveal_message(race, picks, truth, k)
    assert message == "3 points revealed. Margin asked 3 too."
    one = [int(race.you.candidates[0])]
    truth, k = rc.reveal(race, one)
    name = run.dataset.class_names[truth[0]]
    assert (
        lab.reveal_message(race, one, truth, k) == f"Point {one[0]} is {name}. Margin asked 1 too."
    )


def test_the_strategy_asks_fewer_when_its_pool_runs_out(run):
    race = rc.start_race(run, "margin")
    for i in race.them.candidates[1:]:
        race.them.skip(int(i))
    _, k = rc.reveal(race, [int(i) for i in race.you.candidates[:3]])
    assert k == 1 and race.them.n_labeled == 5
    _, k = rc.reveal(race, [int(race.you.candidates[0])])
    assert k == 0 and race.them.n_labeled == 5  # nothing left: no step, no error


def test_take_back_undoes_both_sides_and_stops_at_the_start(run):
    race = rc.start_race(run, "margin")
    assert not rc.take_back(race)
    rc.reveal(race, [int(race.you.candidates[0])])
    rc.reveal(race, [int(race.you.candidates[0])])
    assert rc.take_back(race)
    assert race.you.n_labeled == race.them.n_labeled == 5
    assert rc.take_back(race) and not rc.take_back(race)
    assert race.you.n_labeled == race.them.n_labeled == 4


def test_the_target_is_a_share_of_the_full_pool_accuracy_and_is_remembered(run, monkeypatch):
    memo: dict = {}
    target = rc.target_accuracy(run, memo)
    assert target == pytest.approx(rc.TARGET_SHARE * full_pool_accuracy(run.config))
    calls = []
    monkeypatch.setattr(rc, "full_pool_accuracy", lambda *a: calls.append(a) or 0.5)
    other_strategy = Learner(replace(SMALL, strategy="entropy"), run.dataset)
    assert rc.target_accuracy(other_strategy, memo) == target  # the strategy is not in the key
    assert calls == []
    assert rc.target_accuracy(Learner(replace(SMALL, model="knn")), memo) == 0.5 * rc.TARGET_SHARE
    assert len(calls) == 1 and calls[0][1] is None  # a built-in dataset is rebuilt from its config


def test_an_uploaded_dataset_is_handed_over_and_no_truth_means_no_target():
    labeled = load_csv((CORPUS / "good_2d_labeled.csv").read_bytes())
    run = Learner(Config(dataset="upload", initial=4), labeled)
    assert rc.target_accuracy(run) == pytest.approx(
        rc.TARGET_SHARE * full_pool_accuracy(run.config, labeled)
    )
    unlabeled = load_csv((CORPUS / "good_5d_unlabeled.csv").read_bytes())
    memo: dict = {}
    assert rc.target_accuracy(Learner(Config(dataset="upload", initial=0), unlabeled), memo) is None
    assert list(memo.values()) == [None]  # the failure is remembered too


def test_standing_counts_labels_to_target_for_each_side(run):
    race = rc.start_race(run, "margin")
    for _ in range(3):
        rc.reveal(race, [int(race.you.candidates[0])])
    yn, yacc = race.you.curve()
    tn, tacc = race.them.curve()
    target = float(max(yacc[1:].max(), tacc[1:].max()))  # reached by someone after the start
    s = rc.standing(race, target)
    assert list(s.you_n) == list(yn) and np.allclose(s.them_acc, tacc)
    assert s.start == 4 and s.picks == 3 and not s.reached_at_start
    for (n, acc), hit in (((yn, yacc), s.you_hit), ((tn, tacc), s.them_hit)):
        first = [k for k, a in zip(n, acc) if a >= target]
        assert (hit == first[0]) if first else np.isnan(hit)
    assert not (np.isnan(s.you_hit) and np.isnan(s.them_hit))
    nothing = rc.standing(race, None)
    assert np.isnan(nothing.you_hit) and np.isnan(nothing.them_hit)
    assert not nothing.reached_at_start
    easy = rc.standing(race, float(yacc[0]))  # the starting labels already get there
    assert easy.reached_at_start and np.isnan(easy.you_hit) and np.isnan(easy.them_hit)


def _standing(you: float, them: float, picks: int = 3, reached: bool = False) -> rc.Standing:
    n = np.array([4, 5, 6, 7])
    return rc.Standing(
        n, np.array([0.5, 0.6, 0.7, 0.812]), n, np.array([0.5, 0.6, 0.7, 0.756]),
        you, them, 4, picks, reached,
    )  # fmt: skip


NAN = float("nan")


@pytest.mark.parametrize(
    "standing, text",
    [
        (_standing(NAN, NAN, reached=True), "The 4 starting labels already reach the target"),
        (_standing(NAN, NAN, picks=0), "Pick a point to start."),
        (_standing(NAN, NAN), "Neither has reached the target yet: you 81.2%, Margin 75.6%."),
        (_standing(6, NAN), "**You reached the target first**, with 6 labels. Margin has not"),
        (_standing(NAN, 7), "**Margin reached the target first**, with 7 labels. Keep going."),
        (_standing(6, 7), "**You win**: 6 labels against Margin's 7."),
        (_standing(7, 6), "**Margin wins**: 6 labels against your 7."),
        (_standing(6, 6), "**A tie**: both needed 6 labels."),
    ],
)
def test_the_verdict_names_who_reached_the_target_with_fewer_labels(standing, text):
    assert rc.verdict(standing, "Margin").startswith(text)


def test_a_count_not_reached_is_a_dash():
    assert rc.count_text(NAN) == "—"
    assert rc.count_text(12.0) == "12"
