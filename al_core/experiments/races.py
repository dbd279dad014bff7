"""Races: a person against a strategy (the Label page), and a strategy against a strategy
(the Compare page), each side on the same pool, seed and start.

You vs a strategy: the person's picks are answered by the exact oracle at once, and the strategy
then asks as many points of its own, so after every pick both runs hold the same number of labels
and their learning curves can be compared point for point. The winner is whoever first reaches a
share (95%) of the accuracy the model gets with the whole pool labeled, counted in labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from al_core.experiments.runner import full_pool_accuracy
from al_core.loop.config import Config
from al_core.loop.learner import Learner
from al_core.loop.metrics import labels_to_target

OPPONENT = "margin"  # the default opponent: a classic uncertainty strategy, and a cheap one
TARGET_SHARE = 0.95


@dataclass
class Race:
    """You and a strategy from the same start; `key` says which configuration it was built for."""

    you: Learner
    them: Learner
    key: tuple

    @property
    def start(self) -> int:
        """Labels both runs started from (the run's initial labels)."""
        return self.you.steps[0].n_labeled

    @property
    def picks(self) -> int:
        """Points the person has picked so far."""
        return self.you.n_labeled - self.start


def race_key(run: Learner, opponent: str) -> tuple:
    """What a race depends on: a different configuration, dataset or opponent is a new race."""
    return (repr(run.config), run.dataset.key, opponent)


def start_race(run: Learner, opponent: str) -> Race:
    """Two fresh runs on `run`'s configuration, both answered by the exact oracle.

    Oracle noise and random mix are turned off: the race compares choices of points, so neither
    side may be helped or hurt by luck in the answers. The strategy side drops the run's strategy
    parameters, which belong to a different strategy.
    """
    exact = replace(run.config, oracle_noise=0.0, random_mix=0.0)
    you = Learner(exact, run.dataset)
    them = Learner(replace(exact, strategy=opponent, strategy_params={}), run.dataset)
    return Race(you, them, race_key(run, opponent))


def current_race(run: Learner, opponent: str, race: Race | None) -> Race:
    """`race` if it was built for this run and opponent; otherwise a new one, so a changed
    configuration never leaves a stale race on the page."""
    if race is not None and race.key == race_key(run, opponent):
        return race
    return start_race(run, opponent)


def reveal(race: Race, indices: Sequence[int]) -> tuple[np.ndarray, int]:
    """Teach the person's picks with their true labels, then let the strategy ask as many.

    Returns the true labels and how many points the strategy asked (fewer when its pool runs
    out), so the page can say what happened.
    """
    idx = [int(i) for i in indices]
    truth = race.you.dataset.y[idx]
    race.you.teach(idx, truth, "you")
    k = min(len(idx), len(race.them.candidates))
    if k:
        race.them.step(k)
    return truth, k


def take_back(race: Race) -> bool:
    """Undo the last pick and the strategy's answer to it; False when the race is at its start."""
    if race.you.step_number == 0:
        return False
    race.you.undo()
    race.them.undo()
    return True


def target_accuracy(run: Learner, memo: dict | None = None) -> float | None:
    """TARGET_SHARE of the accuracy `run`'s model reaches with every pool point labeled.

    None when it cannot be known (no ground truth, or the model cannot fit the pool). The full
    fit can take seconds, so `memo` (kept by the caller between reruns) remembers it per
    configuration and dataset; the strategy does not change it, so it is left out of the key.
    """
    config = run.config
    memo = {} if memo is None else memo
    key = (repr(replace(config, strategy="random", strategy_params={})), run.dataset.key)
    if key not in memo:
        # an uploaded dataset cannot be rebuilt from the configuration: hand it over
        uploaded = run.dataset if config.dataset == "upload" else None
        try:
            memo[key] = full_pool_accuracy(config, uploaded)
        except ValueError:
            memo[key] = None
    full = memo[key]
    return None if full is None else TARGET_SHARE * full


@dataclass(frozen=True)
class Standing:
    """Where the race stands: both curves, and the labels each side needed to reach the target
    (NaN: not yet, or no target). `reached_at_start` means the starting labels already reach it,
    so the count cannot separate the two sides."""

    you_n: np.ndarray
    you_acc: np.ndarray
    them_n: np.ndarray
    them_acc: np.ndarray
    you_hit: float
    them_hit: float
    start: int
    picks: int
    reached_at_start: bool


def standing(race: Race, target: float | None) -> Standing:
    """Both learning curves and the labels-to-target of each side."""
    yn, yacc = race.you.curve()
    tn, tacc = race.them.curve()
    reached_at_start = target is not None and bool(yacc[0] >= target)
    if target is None or reached_at_start:
        you_hit = them_hit = float("nan")
    else:
        you_hit = labels_to_target(yn, yacc, target)
        them_hit = labels_to_target(tn, tacc, target)
    return Standing(yn, yacc, tn, tacc, you_hit, them_hit, race.start, race.picks, reached_at_start)


def count_text(n: float) -> str:
    """A labels-to-target count for a metric: a dash while the target is not reached."""
    return "—" if np.isnan(n) else f"{n:.0f}"


def verdict(s: Standing, name: str) -> str:
    """Who reached the target with fewer labels, in one Markdown sentence; `name` is the
    strategy's display name."""
    you, them = s.you_hit, s.them_hit
    if s.reached_at_start:
        return (
            f"The {s.start} starting labels already reach the target, so only the curves "
            "can tell you apart."
        )
    if s.picks == 0:
        return "Pick a point to start."
    if np.isnan(you) and np.isnan(them):
        acc, their = s.you_acc[-1], s.them_acc[-1]
        return f"Neither has reached the target yet: you {acc:.1%}, {name} {their:.1%}."
    if np.isnan(them):
        return f"**You reached the target first**, with {you:.0f} labels. {name} has not yet."
    if np.isnan(you):
        return f"**{name} reached the target first**, with {them:.0f} labels. Keep going."
    if you < them:
        return f"**You win**: {you:.0f} labels against {name}'s {them:.0f}."
    if you > them:
        return f"**{name} wins**: {them:.0f} labels against your {you:.0f}."
    return f"**A tie**: both needed {you:.0f} labels."


# ---------------------------------------------------------------- strategy against strategy


@dataclass
class StrategyRace:
    """Two strategies on the same pool, seed and start, stepped together."""

    runs: tuple[Learner, Learner]

    @property
    def configs(self) -> tuple[Config, Config]:
        """What the race was built for: a different pair or start is a new race."""
        return self.runs[0].config, self.runs[1].config


def strategy_race(
    config: Config, left: str, right: str, race: StrategyRace | None = None
) -> StrategyRace:
    """`race` if it was built for these two strategies on `config`; else a fresh race (each side
    drops the config's strategy parameters, which belong to another strategy)."""
    wanted = tuple(
        replace(config, strategy=s, strategy_params={}).validated() for s in (left, right)
    )
    if race is not None and race.configs == wanted:
        return race
    return StrategyRace((Learner(wanted[0]), Learner(wanted[1])))


def step_race(race: StrategyRace, times: int = 1) -> bool:
    """Both sides take `times` steps; False when neither had anything left to ask."""
    moved = False
    for run in race.runs:
        before = run.n_labeled
        run.advance(run.n_labeled + times * run.config.batch_size)
        moved = moved or run.n_labeled > before
    return moved
