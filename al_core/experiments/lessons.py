"""Lessons whose claims are checked in our own numbers: the engine that runs and judges them.

A lesson (see `lesson_catalog`) is a preset (a Config, the strategies to compare, how many seeds
and labels) plus one sentence that must be true over many seeds, not in one lucky run.
`run_lesson` runs the lesson's experiment and its `check` reads the result and says, with the
numbers, whether the claim held. The tests run every check, so an engine change that turns a
claim false fails the build instead of leaving a false sentence in front of a class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from al_core.experiments.executors import executor, until_cancelled
from al_core.experiments.results import Experiment
from al_core.experiments.runner import run_experiment
from al_core.experiments.stop_summary import run_stop
from al_core.loop.config import Config
from al_core.loop.learner import Learner
from al_core.loop.metrics import aulc, censored_median, labels_to_target
from al_core.loop.steps import initial_indices
from al_core.loop.stopping import CRITERIA
from al_core.strategies import STRATEGIES
from al_core.threads import one_thread

if TYPE_CHECKING:
    import pandas as pd

    from al_core.data import Dataset

Box = tuple[float, float, float, float]  # x0, x1, y0, y1 in data coordinates
PAGES = ("explore", "compare")


@dataclass(frozen=True)
class LessonResult:
    """A lesson's experiment: every curve, one row of numbers per run, and the Experiment if any."""

    lesson: Lesson
    runs: pd.DataFrame  # per step: strategy, seed, step, n_labeled, accuracy
    table: pd.DataFrame  # per run: strategy, seed, aulc, final_accuracy, and the lesson's measures
    experiment: Experiment | None = None

    def values(self, strategy: str, column: str) -> np.ndarray:
        """One number per seed for a strategy, in seed order."""
        rows = self.table[self.table.strategy == strategy].sort_values("seed")
        return rows[column].to_numpy(dtype=float)

    def paired(self, a: str, b: str, column: str) -> np.ndarray:
        """Per seed, strategy a minus strategy b: the fair comparison (same data, same start)."""
        return self.values(a, column) - self.values(b, column)

    def accuracy_at(self, strategy: str, n_labeled: int) -> np.ndarray:
        """Per seed, the accuracy once the run held `n_labeled` labels (the last step at or below)."""
        out = []
        for _, run in self.runs[self.runs.strategy == strategy].groupby("seed", sort=True):
            below = run[run.n_labeled <= n_labeled]
            out.append(float(below.accuracy.iloc[-1]) if len(below) else np.nan)
        return np.array(out)


Check = Callable[[LessonResult], tuple[bool, str]]
Measure = Callable[[Learner, int], dict[str, float]]


@dataclass(frozen=True)
class Lesson:
    """A preset plus a claim, and the experiment that checks the claim.

    `seeds` runs are made per strategy, with seeds config.seed, config.seed + 1, ...; so the run
    the preset opens is the first run the claim was checked on. `budget` counts labels added after
    the start. `initial_box` draws the starting labels only from a rectangle (see `start_in_box`);
    `measure` adds numbers about a finished learner (where it asked, how spread its batches were).
    """

    slug: str
    title: str
    claim: str  # one sentence, true over the lesson's seeds
    text: str  # what to watch for
    page: str  # "explore" or "compare"
    config: Config
    strategies: tuple[str, ...]
    seeds: int
    budget: int
    check: Check
    initial_box: Box | None = None
    measure: Measure | None = None
    target_share: float = 0.95

    @property
    def seed_list(self) -> list[int]:
        """The seeds the claim is checked on, the preset's own first."""
        return list(range(self.config.seed, self.config.seed + self.seeds))

    def learner(self, seed: int | None = None, strategy: str | None = None) -> Learner:
        """The preset ready to step: the config, and the lesson's starting labels if it has its own."""
        config = replace(
            self.config,
            seed=self.config.seed if seed is None else int(seed),
            strategy=strategy or self.config.strategy,
        )
        if self.initial_box is None:
            return Learner(config)
        learner = Learner(replace(config, initial=0))
        start = start_in_box(learner.dataset, config.initial, config.seed, self.initial_box)
        learner.teach(start, learner.dataset.y[start], "initial")
        return learner


def start_in_box(dataset: Dataset, n: int, seed: int, box: Box) -> np.ndarray:
    """A stratified starting set drawn only from pool points inside the box.

    The stand-in for a Config field (say `initial_box`) until the learner has one: a lesson about
    sampling bias needs a start that leaves a region unseen.
    """
    x0, x1, y0, y1 = box
    X = dataset.X
    inside = np.flatnonzero((X[:, 0] >= x0) & (X[:, 0] <= x1) & (X[:, 1] >= y0) & (X[:, 1] <= y1))
    if dataset.y is None or len(inside) <= n:
        raise ValueError(f"the box {box} holds {len(inside)} labeled pool points; {n} are needed")
    return inside[initial_indices(dataset.y[inside], n, seed, dataset.n_classes)]


def run_lesson(
    lesson: Lesson,
    jobs: int = 1,
    seeds: list[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    nice: int = 0,
) -> LessonResult | None:
    """Run every strategy of the lesson on every seed; `lesson.check(result)` then judges the claim.

    A plain compare lesson goes through `run_experiment`, so the Compare page and the check see
    the very same numbers; lessons with their own start or measures step learners here, on the
    same executor. `progress`, `cancel` and `nice` work as for `run_experiment`; a cancelled
    lesson returns None (half the seeds cannot judge a claim made over all of them).
    """
    seeds = lesson.seed_list if seeds is None else [int(s) for s in seeds]
    if lesson.initial_box is None and lesson.measure is None:
        return _via_experiment(lesson, seeds, jobs, progress, cancel, nice)
    pairs = [(s, seed) for s in lesson.strategies for seed in seeds]
    tasks = [(lesson, i, s, seed) for i, (s, seed) in enumerate(pairs)]
    if progress is not None:
        progress(0, len(tasks))  # no targets to fit first: the runs begin
    outcomes: list[tuple[int, tuple, dict[str, float]]] = []
    with executor(jobs, nice=nice) as execute:
        for outcome in until_cancelled(cancel, execute(_run_learner, tasks), len(tasks)):
            outcomes.append(outcome)
            if progress is not None:
                progress(len(outcomes), len(tasks))
    if len(outcomes) < len(tasks):
        return None
    outcomes.sort()  # as asked, whichever worker finished first
    return _result(lesson, [o[1] for o in outcomes], [o[2] for o in outcomes])


def _via_experiment(
    lesson: Lesson,
    seeds: list[int],
    jobs: int,
    progress: Callable[[int, int], None] | None,
    cancel: Callable[[], bool] | None,
    nice: int,
) -> LessonResult | None:
    exp = run_experiment(
        lesson.config,
        list(lesson.strategies),
        seeds,
        lesson.budget,
        jobs=jobs,
        progress=progress,
        target_share=lesson.target_share,
        cancel=cancel,
        nice=nice,
    )
    if exp.cancelled:
        return None
    if exp.failures:
        f = exp.failures[0]
        raise RuntimeError(
            f"lesson {lesson.slug}: run {f.strategy} seed {f.seed} failed: {f.error}"
        )
    curves, rows = [], []
    for r in exp.results:
        curves.append((r.strategy, r.seed, r.n_labeled, r.accuracy))
        target = exp.targets[r.seed]
        rows.append(
            {
                "labels_to_target": labels_to_target(r.n_labeled, r.accuracy, target),
                "full_accuracy": exp.full_accuracy[r.seed],
            }
            | _stops(r)
        )
    return _result(lesson, curves, rows, exp)


def _stops(run) -> dict[str, float]:
    """Per stopping criterion (default threshold): the step it fires at (NaN if never) and
    the accuracy there (the budget's if never)."""
    out = {}
    for name in CRITERIA:
        stop = run_stop(run, name)
        out[f"stop_{name}"], out[f"stop_{name}_accuracy"] = stop["step"], stop["accuracy"]
    return out


def _run_learner(
    lesson: Lesson, index: int, strategy: str, seed: int
) -> tuple[int, tuple, dict[str, float]]:
    """Task `index` of a lesson: one learner's curve and the lesson's measures of it."""
    with one_thread():
        learner = lesson.learner(seed, strategy)
        start = learner.n_labeled
        learner.advance(start + lesson.budget)
        extra = lesson.measure(learner, start) if lesson.measure else {}
    n, acc = learner.curve()
    keep = n >= start  # a lesson's own start is taught after an empty step 0: drop that step
    curve = (strategy, int(seed), [int(v) for v in n[keep]], [float(v) for v in acc[keep]])
    return index, curve, extra


def _result(
    lesson: Lesson,
    curves: list[tuple],
    extras: list[dict[str, float]],
    exp: Experiment | None = None,
) -> LessonResult:
    import pandas as pd

    steps, rows = [], []
    for (strategy, seed, n, acc), extra in zip(curves, extras):
        steps.extend((strategy, seed, i, k, a) for i, (k, a) in enumerate(zip(n, acc)))
        rows.append(
            {"strategy": strategy, "seed": seed, "aulc": aulc(n, acc), "final_accuracy": acc[-1]}
            | extra
        )
    runs = pd.DataFrame(steps, columns=["strategy", "seed", "step", "n_labeled", "accuracy"])
    return LessonResult(lesson, runs, pd.DataFrame(rows), exp)


# ---------------------------------------------------------------- measures


BOTTOM = -0.25  # XOR: below this height is "the bottom half", clear of the middle line


def blind_spot(learner: Learner, start: int) -> dict[str, float]:
    """Where the queries went, and how well the final model does on the bottom half of XOR."""
    X = learner.dataset.X[learner.labeled[start:]]
    ds = learner.dataset
    below = ds.X_test[:, 1] < 0
    pred = learner.proba(ds.X_test[below]).argmax(axis=1)
    return {
        "share_bottom": float(np.mean(X[:, 1] < BOTTOM)),
        "bottom_accuracy": float(np.mean(pred == ds.y_test[below])),
    }


def batch_spread(learner: Learner, start: int) -> dict[str, float]:
    """How far apart the points of each batch are: the nearest batch-mate and the mean pair."""
    near, pairs = [], []
    for step in learner.steps:
        P = learner.dataset.X[list(step.queried)]
        if step.source == "initial" or len(P) < 2:  # the start is not a batch anyone chose
            continue
        d = np.sqrt(((P[:, None, :] - P[None, :, :]) ** 2).sum(axis=2))
        pairs.append(d[np.triu_indices(len(P), 1)].mean())
        np.fill_diagonal(d, np.inf)
        near.append(d.min(axis=1).mean())
    return {"nearest_in_batch": float(np.mean(near)), "pairwise_in_batch": float(np.mean(pairs))}


# ---------------------------------------------------------------- checks


def _reached(median: float) -> float:
    """A censored median for a comparison: never reached (NaN) is beyond any count."""
    return np.inf if np.isnan(median) else median


def _ms(v: np.ndarray, digits: int = 3) -> str:
    return f"{np.mean(v):.{digits}f} ± {np.std(v, ddof=1):.{digits}f}"


def _label(strategy: str) -> str:
    """A strategy as the pages name it ("Core-set"), not its key ("coreset")."""
    return STRATEGIES[strategy].label


def check_savings(result: LessonResult) -> tuple[bool, str]:
    """Least confident reaches the target with far fewer labels, and its curve is higher."""
    lc, rnd = (
        result.values("least_confident", "labels_to_target"),
        result.values("random", "labels_to_target"),
    )
    ml, mr = (_reached(censored_median(v)) for v in (lc, rnd))
    gain = result.paired("least_confident", "random", "aulc")
    first = np.mean(np.where(np.isnan(rnd), np.inf, rnd) > np.where(np.isnan(lc), np.inf, lc))
    ok = ml <= 0.65 * mr and gain.mean() >= 0.01 and np.mean(gain > 0) >= 0.7
    share = result.lesson.target_share
    return ok, (
        f"labels to reach {share:.0%} of full-data accuracy, median over {len(lc)} seeds: "
        f"least confident {ml:g}, random {mr:g} (least confident first in {first:.0%} of seeds); "
        f"AULC gain {_ms(gain)}, ahead in {np.mean(gain > 0):.0%} of seeds"
    )


def check_blind_spot(result: LessonResult) -> tuple[bool, str]:
    """From a top-half start, least confident ends below random and rarely asks below."""
    gap = result.paired("least_confident", "random", "final_accuracy")
    lc_b, rnd_b = (result.values(s, "share_bottom") for s in ("least_confident", "random"))
    acc_b = result.values("least_confident", "bottom_accuracy")
    ok = gap.mean() <= -0.05 and np.mean(gap < 0) >= 2 / 3 and lc_b.mean() <= 0.5 * rnd_b.mean()
    return ok, (
        f"final accuracy, least confident minus random: {_ms(gap)} (below in "
        f"{np.mean(gap < 0):.0%} of {len(gap)} seeds); share of queries in the bottom half: "
        f"least confident {_ms(lc_b, 2)}, random {_ms(rnd_b, 2)}; least confident's accuracy on "
        f"the bottom half: {_ms(acc_b, 2)}"
    )


def check_noise(result: LessonResult) -> tuple[bool, str]:
    """Noise costs both, but least confident stays ahead on average and in most seeds."""
    gain = result.paired("least_confident", "random", "aulc")
    final = result.paired("least_confident", "random", "final_accuracy")
    full = result.values("random", "full_accuracy")
    lost = {s: full - result.values(s, "final_accuracy") for s in ("random", "least_confident")}
    ok = (
        gain.mean() > 0
        and np.mean(gain > 0) >= 0.7
        and min(lost["random"].mean(), lost["least_confident"].mean()) >= 0.02
    )
    return ok, (
        f"AULC, least confident minus random: {_ms(gain)} (ahead in {np.mean(gain > 0):.0%} of "
        f"{len(gain)} seeds, behind in {np.mean(gain < 0):.0%}); final accuracy gap {_ms(final)}; "
        f"below clean full-data accuracy by: random {_ms(lost['random'])}, least confident "
        f"{_ms(lost['least_confident'])}"
    )


def check_clumping(result: LessonResult) -> tuple[bool, str]:
    """Top-k least confident batches are tight; cluster-margin and core-set batches spread out."""
    near = {s: result.values(s, "nearest_in_batch") for s in result.lesson.strategies}
    pair = {s: result.values(s, "pairwise_in_batch") for s in result.lesson.strategies}
    lc = near["least_confident"]
    factor = {"cluster_margin": 1.6, "coreset": 3.0}  # "about half", "a quarter"
    ok = all(near[s].mean() >= f * lc.mean() and np.all(near[s] > lc) for s, f in factor.items())
    if "density_weighted" in near:  # "clumps even more"
        ok = ok and near["density_weighted"].mean() < lc.mean()
    parts = [f"{_label(s)} {_ms(near[s])} (mean pair {_ms(pair[s], 2)})" for s in near]
    return ok, "distance to the nearest point of the same batch: " + "; ".join(parts)


def check_cold_start(result: LessonResult) -> tuple[bool, str]:
    """From two labels on XOR, least confident trails random over the first labels."""
    gap = result.paired("least_confident", "random", "aulc")
    n_mid = result.lesson.config.initial + result.lesson.budget // 3
    mid = result.accuracy_at("least_confident", n_mid) - result.accuracy_at("random", n_mid)
    ok = gap.mean() <= -0.02 and np.mean(gap < 0) >= 0.7
    msg = (
        f"AULC, least confident minus random: {_ms(gap)} (behind in {np.mean(gap < 0):.0%} of "
        f"{len(gap)} seeds); accuracy gap at {n_mid} labels: {_ms(mid)}"
    )
    if "coreset" in result.lesson.strategies:  # "core-set beats least confident"
        explore = result.paired("coreset", "least_confident", "aulc")
        ok = ok and explore.mean() > 0 and np.mean(explore > 0) >= 0.6
        msg += f"; AULC, core-set minus least confident: {_ms(explore)}"
    return ok, msg


def check_nothing_to_gain(result: LessonResult) -> tuple[bool, str]:
    """With 60 labels, logistic regression is already at its ceiling: no strategy can help."""
    n0 = result.lesson.config.initial
    gain = result.paired("least_confident", "random", "aulc")
    start = result.accuracy_at("random", n0)  # the same start for every strategy
    short = result.values("random", "full_accuracy") - start
    added = {s: result.values(s, "final_accuracy") - start for s in result.lesson.strategies}
    ok = short.mean() <= 0.025 and all(abs(v.mean()) <= 0.025 for v in added.values())
    ok = ok and abs(gain.mean()) <= 0.015
    parts = "; ".join(f"{_label(s)} {_ms(v)}" for s, v in added.items())
    return ok, (
        f"full-data accuracy minus accuracy at the start ({n0} labels): {_ms(short)}; accuracy "
        f"added by {result.lesson.budget} more labels: {parts}; AULC, least confident minus "
        f"random: {_ms(gain)}"
    )


def check_when_to_stop(result: LessonResult) -> tuple[bool, str]:
    """Stabilizing predictions stops least confident late but safely, random early and short."""
    lc_step, rnd_step = (result.values(s, "stop_kappa") for s in ("least_confident", "random"))
    lc_med, rnd_med = (_reached(censored_median(v)) for v in (lc_step, rnd_step))
    cost = {
        s: result.values(s, "stop_kappa_accuracy") - result.values(s, "final_accuracy")
        for s in ("least_confident", "random")
    }
    lc_share = result.values("least_confident", "stop_kappa_accuracy") / result.values(
        "least_confident", "full_accuracy"
    )
    ok = (
        35 <= lc_med <= 47  # "about 40 more labels" (one label per step)
        and cost["least_confident"].mean() >= -0.01
        and np.mean(lc_share >= 0.95) >= 0.9
        and 8 <= rnd_med <= 16  # "about 12"
        and rnd_med <= 0.5 * lc_med
        and cost["random"].mean() <= -0.03
    )
    return ok, (
        f"median step at which mean κ of the last 3 reaches 0.99, over {len(lc_step)} seeds: "
        f"least confident {lc_med:g}, random {rnd_med:g}; accuracy there minus accuracy at the "
        f"budget: least confident {_ms(cost['least_confident'])}, random {_ms(cost['random'])}; "
        f"least confident at ≥ 95% of full-data accuracy when it stops in "
        f"{np.mean(lc_share >= 0.95):.0%} of seeds"
    )
