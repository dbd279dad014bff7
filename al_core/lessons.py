"""The Learn page's content: a card per strategy, and lessons whose claims are checked in our numbers.

A lesson is a preset (a Config, the strategies to compare, how many seeds and labels) plus one
sentence that must be true over many seeds, not in one lucky run. `run_lesson` runs the lesson's
experiment and its `check` reads the result and says, with the numbers, whether the claim held.
The tests run every check, so an engine change that turns a claim false fails the build instead of
leaving a false sentence in front of a class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits

from al_core.experiments import Experiment, run_experiment
from al_core.learner import Config, Learner, initial_indices
from al_core.metrics import aulc, labels_to_target

if TYPE_CHECKING:
    import pandas as pd

    from al_core.datasets import Dataset

Box = tuple[float, float, float, float]  # x0, x1, y0, y1 in data coordinates
PAGES = ("explore", "compare")

# ---------------------------------------------------------------- strategy cards


@dataclass(frozen=True)
class Card:
    """What a student needs about one strategy: the idea, the formula, when to trust it."""

    title: str
    idea: str  # two sentences
    formula: str  # LaTeX for st.latex
    works_when: str
    fails_when: str


_MARGIN = r"1 - \big(P(\hat y_1 \mid x) - P(\hat y_2 \mid x)\big)"

CARDS: dict[str, Card] = {
    "random": Card(
        "Random",
        "Pick any unlabeled point, each one equally likely. It ignores the model completely, which "
        "is exactly why every other strategy is measured against it.",
        r"x^\star \sim \mathrm{Uniform}(\mathcal{U})",
        "It is the honest baseline and hard to beat when the model is too simple to use better "
        "labels (logistic regression on the moons), or when the start is so poor that the model's "
        "doubts point the wrong way (XOR from two labels).",
        "Most random picks land deep inside a class where the model was already sure, so when the "
        "boundary is a thin region many labels teach the model nothing new.",
    ),
    "least_confident": Card(
        "Least confident",
        "Ask about the point whose most likely class is least likely. Those points sit next to the "
        "current boundary, where one more label moves it the most.",
        r"x^\star = \arg\max_{x \in \mathcal{U}} \; 1 - \max_y P(y \mid x)",
        "The model is flexible and its probabilities mean something (RBF SVM, k-NN, Gaussian "
        "process), and the labels so far touch every region: it then refines the boundary with a "
        "fraction of the labels random sampling needs.",
        "The start misses a region (it never looks where the model is confidently wrong), batches "
        "of many points (they clump on one stretch of boundary), and models whose probabilities "
        "are all 0 or 1, like a decision tree with pure leaves (every point ties, so the pick is "
        "random).",
    ),
    "margin": Card(
        "Margin",
        "Ask where the two likeliest classes are closest to a tie. With two classes it ranks points "
        "exactly like least confident; with more, it ignores how the other classes share the rest.",
        r"x^\star = \arg\max_{x \in \mathcal{U}} \; " + _MARGIN,
        "Several classes where the hard question is 'A or B?': it goes straight to the border "
        "between the two classes the model confuses.",
        "The same blind spots as least confident: a start that misses a region, too few starting "
        "labels, and batches that clump.",
    ),
    "entropy": Card(
        "Entropy",
        "Ask where the whole predicted distribution is flattest, as measured by its entropy. With "
        "two classes it ranks points exactly like least confident; with more, it prefers points "
        "where several classes are still plausible.",
        r"x^\star = \arg\max_{x \in \mathcal{U}} \; -\sum_{y} P(y \mid x) \log P(y \mid x)",
        "Many classes, to find where three or more meet or where the model has no idea at all.",
        "It can chase points where many unlikely classes each hold a little probability, rather "
        "than the border that matters; and it shares least confident's blind spots.",
    ),
    "qbc_vote": Card(
        "QBC (vote entropy)",
        "Train a small committee, each member on a bootstrap resample of the labels, and ask where "
        "their votes split most evenly. Disagreement means the labels so far do not pin the answer "
        "down.",
        r"x^\star = \arg\max_{x \in \mathcal{U}} \; -\sum_{y} \frac{V(y)}{C} \log \frac{V(y)}{C}"
        r"\qquad V(y) = \text{members voting } y,\; C = \text{committee size}",
        "The model's own probabilities are poor (trees, boosting) but fitting several copies is "
        "cheap: members disagreeing is a better sign of doubt than one model's score.",
        "A small committee gives coarse votes (five members allow only a few different scores, so "
        "many points tie); every step costs C extra fits; and members trained on the same biased "
        "labels share the same blind spots.",
    ),
    "qbc_kl": Card(
        "QBC (KL divergence)",
        "The same committee, but it compares members' full probabilities instead of their votes: "
        "ask where members differ most from the committee's average belief. It notices "
        "disagreement even when every member votes the same class with different confidence.",
        r"x^\star = \arg\max_{x \in \mathcal{U}} \; \frac{1}{C} \sum_{c=1}^{C} "
        r"\mathrm{KL}\big(P_c(\cdot \mid x) \,\|\, P_{\mathcal{C}}(\cdot \mid x)\big),"
        r"\qquad P_{\mathcal{C}} = \frac{1}{C} \sum_{c=1}^{C} P_c",
        "Models with informative probabilities (Gaussian process, logistic regression, neural "
        "network): finer-grained than counting votes, so fewer ties.",
        "Members that are confidently wrong together look like agreement, so a region none of "
        "them has seen scores low; and it costs C extra fits per step.",
    ),
    "density_weighted": Card(
        "Density-weighted",
        "Multiply uncertainty by how crowded the point's neighbourhood is, so lonely outliers lose "
        "to uncertain points that many others resemble. A label on a typical point teaches the "
        "model about many points at once.",
        r"x^\star = \arg\max_{x \in \mathcal{U}} \; \frac{H(x)}{\log K} \, d(x)^{\beta},"
        r"\qquad d(x) \propto \sum_{u \in \mathcal{U}} e^{-\lVert x - u \rVert^2 / 2h^2}",
        "Data with outliers and stragglers, where plain uncertainty keeps asking about odd points "
        "that say little about the rest (d is scaled so the densest spot scores 1; β sets its "
        "weight, h the neighbourhood size).",
        "Batches: the top scores all sit in the same dense, uncertain spot, so a batch piles up "
        "there (the tightest batches in the batch lesson); a large β ignores thin but important "
        "parts of the boundary.",
    ),
    "coreset": Card(
        "Core-set",
        "Ignore the model and ask about the point farthest from every labeled point, so the labels "
        "cover the space like evenly spread pins. A batch is built one point at a time, each "
        "farthest from the labels and the earlier picks (greedy k-centre).",
        r"x^\star = \arg\max_{x \in \mathcal{U}} \; \min_{l \in \mathcal{L}} \lVert x - x_l \rVert",
        "Cold starts and big batches: it explores, so no region stays unseen, and a batch never "
        "clumps.",
        "Later on it keeps spending labels on empty corners and outliers instead of the boundary, "
        "because it never asks the model where it is unsure.",
    ),
    "cluster_margin": Card(
        "Cluster-margin",
        "Shortlist the points with the smallest margin, group the shortlist into k clusters, and "
        "take the most uncertain point of each cluster. The batch stays on the boundary but "
        "spreads out along it.",
        r"\mathcal{S} = \operatorname{top}_{\max(10k,\,50)} \big[" + _MARGIN + r"\big],"
        r"\quad \mathcal{S} = \mathcal{S}_1 \cup \dots \cup \mathcal{S}_k \ \text{(k-means)},"
        r"\quad x_j^\star = \arg\max_{x \in \mathcal{S}_j} \; " + _MARGIN,
        "Labeling in batches: it keeps margin's focus on the boundary without asking about "
        "near-duplicates.",
        "With batch size 1 it is plain margin, blind spots included; the shortlist holds only "
        "uncertain points, so it never explores a region the model is wrongly sure about.",
    ),
    "expected_error_reduction": Card(
        "Expected error reduction",
        "For a candidate, imagine each possible answer, retrain with it, and measure how unsure "
        "the retrained model is over the pool, weighting each answer by how likely it is. Ask "
        "about the point whose answer should leave the least error behind.",
        r"x^\star = \arg\min_{x \in \mathcal{U}} \; \sum_{y} P(y \mid x) \sum_{u \in \mathcal{U}} "
        r"\Big(1 - \max_{y'} P^{+(x,y)}(y' \mid u)\Big)",
        "Small pools and cheap models: it aims directly at future error (P⁺ is the model retrained "
        "with x labeled y) and is not fooled by outliers whose label would change nothing.",
        "Cost: it refits the model for every candidate and class, so the app scores only a random "
        "sample of candidates per step (16 by default), which also makes it partly random; and it "
        "judges error by the model's own confidence, so it is no cure for a bad start.",
    ),
}

# ---------------------------------------------------------------- lessons


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
) -> LessonResult:
    """Run every strategy of the lesson on every seed; `lesson.check(result)` then judges the claim.

    A plain compare lesson goes through `run_experiment`, so the Compare page and the check see
    the very same numbers; lessons with their own start or measures step learners here.
    """
    seeds = lesson.seed_list if seeds is None else [int(s) for s in seeds]
    if lesson.initial_box is None and lesson.measure is None:
        return _via_experiment(lesson, seeds, jobs, progress)
    tasks = [(s, seed) for s in lesson.strategies for seed in seeds]
    if jobs == 1:
        outcomes = []
        for i, (s, seed) in enumerate(tasks):
            outcomes.append(_run_learner(lesson, s, seed))
            if progress is not None:
                progress(i + 1, len(tasks))
    else:
        from joblib import Parallel, delayed

        outcomes = Parallel(n_jobs=jobs)(delayed(_run_learner)(lesson, s, d) for s, d in tasks)
    return _result(lesson, [o[0] for o in outcomes], [o[1] for o in outcomes])


def _via_experiment(
    lesson: Lesson, seeds: list[int], jobs: int, progress: Callable[[int, int], None] | None
) -> LessonResult:
    exp = run_experiment(
        lesson.config,
        list(lesson.strategies),
        seeds,
        lesson.budget,
        jobs=jobs,
        progress=progress,
        target_share=lesson.target_share,
    )
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
        )
    return _result(lesson, curves, rows, exp)


def _run_learner(lesson: Lesson, strategy: str, seed: int) -> tuple[tuple, dict[str, float]]:
    with threadpool_limits(1):
        learner = lesson.learner(seed, strategy)
        start = learner.n_labeled
        goal = start + lesson.budget
        while learner.n_labeled < goal and len(learner.candidates):
            learner.step(min(learner.config.batch_size, goal - learner.n_labeled))
        extra = lesson.measure(learner, start) if lesson.measure else {}
    n, acc = learner.curve()
    keep = n >= start  # a lesson's own start is taught after an empty step 0: drop that step
    curve = (strategy, int(seed), [int(v) for v in n[keep]], [float(v) for v in acc[keep]])
    return curve, extra


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


def _ms(v: np.ndarray, digits: int = 3) -> str:
    return f"{np.mean(v):.{digits}f} ± {np.std(v, ddof=1):.{digits}f}"


def _median(v: np.ndarray) -> float:
    """Median where NaN (never reached) counts as more than any number."""
    return float(np.median(np.where(np.isnan(v), np.inf, v)))


def check_savings(result: LessonResult) -> tuple[bool, str]:
    """Least confident reaches the target with far fewer labels, and its curve is higher."""
    lc, rnd = (
        result.values("least_confident", "labels_to_target"),
        result.values("random", "labels_to_target"),
    )
    ml, mr = _median(lc), _median(rnd)
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
    parts = [f"{s} {_ms(near[s])} (mean pair {_ms(pair[s], 2)})" for s in near]
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
    parts = "; ".join(f"{s} {_ms(v)}" for s, v in added.items())
    return ok, (
        f"full-data accuracy minus accuracy at the start ({n0} labels): {_ms(short)}; accuracy "
        f"added by {result.lesson.budget} more labels: {parts}; AULC, least confident minus "
        f"random: {_ms(gain)}"
    )


# ---------------------------------------------------------------- the lessons

LC_VS_RANDOM = ("random", "least_confident")

LESSONS: list[Lesson] = [
    Lesson(
        slug="savings",
        title="Why asking beats guessing",
        claim=(
            "From 4 labels on two moons, k-NN with least-confident sampling reaches 98% of its "
            "full-data accuracy with about half the labels random sampling needs."
        ),
        text=(
            "Both runs start from the same 4 labels. Random sampling spends most of its labels "
            "deep inside a moon, where the model was already right; least confident asks about "
            "the points next to the boundary, where each answer moves it. Watch the two learning "
            "curves: the gap opens in the first 20 labels and closes once both have learned the "
            "shape, because from then on there is little left to learn. The table's 'labels to "
            "target' column is the saving."
        ),
        page="compare",
        config=Config(initial=4, model="knn", seed=0),
        strategies=LC_VS_RANDOM,
        seeds=20,
        budget=60,
        check=check_savings,
        target_share=0.98,
    ),
    Lesson(
        slug="sampling-bias",
        title="Sampling bias: blind to what it never saw",
        claim=(
            "Started with labels from the top half of XOR only, least-confident sampling with an "
            "RBF SVM is still below random sampling after 30 more labels in most seeds, because "
            "it hardly ever asks about the bottom half."
        ),
        text=(
            "The 8 starting labels all come from the top two quadrants, so the model learns 'left "
            "is one class, right is the other' and extends that, confidently, to the bottom half, "
            "where it is wrong. Least confident only asks where the model is unsure, which is "
            "along the boundary it already knows, so the mistake in the bottom half is never "
            "questioned: watch the new labels pile up around the top. Random sampling stumbles "
            "into the bottom half within a few labels and fixes it. The usual cure is to mix in "
            "some random picks: a random mix of 0.2 closes most of the gap here."
        ),
        page="explore",
        config=Config(dataset="xor", initial=8, model="svm_rbf", seed=0),
        strategies=LC_VS_RANDOM,
        seeds=30,
        budget=30,
        check=check_blind_spot,
        initial_box=(-2.0, 2.0, 0.0, 2.0),
        measure=blind_spot,
    ),
    Lesson(
        slug="label-noise",
        title="A noisy oracle",
        claim=(
            "When 30% of the answers are wrong, both strategies lose accuracy, but on these data "
            "least-confident sampling still beats random in most seeds, on average and over the "
            "whole curve."
        ),
        text=(
            "Textbooks warn that uncertainty sampling chases noise, and in a single run you can "
            "see it fall behind random. Over many seeds it does not, here. Its wrong answers sit "
            "near the boundary, where the classes meet anyway; random sampling's are scattered "
            "inside the classes, and with k-NN each one makes a patch around it wrong. Watch the "
            "bands: both curves stay well below what the model reaches with all the true labels, "
            "and single runs swing widely. This oracle flips every answer with the same chance; "
            "real annotators often err most on borderline points, exactly the ones uncertainty "
            "sampling asks about, and that kind of noise is not simulated here."
        ),
        page="compare",
        config=Config(initial=10, model="knn", oracle_noise=0.3, seed=0),
        strategies=LC_VS_RANDOM,
        seeds=20,
        budget=80,
        check=check_noise,
    ),
    Lesson(
        slug="batch-clumping",
        title="Batches that clump",
        claim=(
            "Asking 10 labels at a time, least confident's top 10 are near-duplicates: each point's "
            "nearest batch-mate is about half as far away as with cluster-margin, and a quarter as "
            "far as with core-set."
        ),
        text=(
            "The ten most uncertain points all sit on the same short stretch of boundary, so ten "
            "labels teach the model little more than one would. Cluster-margin keeps to the "
            "boundary but takes one point per cluster of uncertain points; core-set ignores "
            "uncertainty and spreads the batch over the whole plane. Step once with each strategy "
            "and compare the ten highlighted points. Density-weighted sampling clumps even more: "
            "its top scores all sit in one dense, uncertain spot."
        ),
        page="explore",
        config=Config(initial=10, model="svm_rbf", batch_size=10, seed=0),
        strategies=("least_confident", "cluster_margin", "coreset", "density_weighted"),
        seeds=12,
        budget=60,
        check=check_clumping,
        measure=batch_spread,
    ),
    Lesson(
        slug="cold-start",
        title="The cold start",
        claim=(
            "On XOR from just 2 labels (one per class), least-confident sampling with an RBF SVM "
            "trails random sampling over the first 30 labels in most seeds."
        ),
        text=(
            "A model trained on two points draws one boundary between them and is sure about "
            "everything else, including the two quadrants it has never seen. Its doubt is only as "
            "good as the model, so least confident keeps asking along that first boundary while "
            "random sampling soon finds all four quadrants. On the moons the same cold start "
            "works (one boundary is the right shape); on XOR it does not. Explore before trusting "
            "the model's doubt: core-set, which ignores the model and spreads its questions out, "
            "beats least confident from the same two labels, and with 8 starting labels the gap "
            "to random is gone."
        ),
        page="compare",
        config=Config(dataset="xor", initial=2, model="svm_rbf", seed=0),
        strategies=("random", "least_confident", "coreset"),
        seeds=20,
        budget=30,
        check=check_cold_start,
    ),
    Lesson(
        slug="nothing-to-gain",
        title="When there is nothing to gain",
        claim=(
            "In the default scenario (60 labels, logistic regression on the moons) the model "
            "starts within about 2 points of its full-data accuracy, so 60 more labels add about "
            "1 point whichever strategy picks them."
        ),
        text=(
            "A straight line cannot bend around the moons, and 60 labels already place the best "
            "straight line there is. Every extra label, however cleverly chosen, has nothing left "
            "to teach, so the curves are flat and on top of each other. Active learning saves "
            "labels only while the model is still learning: start from 4 labels with a flexible "
            "model (see 'Why asking beats guessing') to see a gap."
        ),
        page="compare",
        config=Config(seed=0),
        strategies=LC_VS_RANDOM,
        seeds=20,
        budget=60,
        check=check_nothing_to_gain,
    ),
]

LESSON_BY_SLUG: dict[str, Lesson] = {lesson.slug: lesson for lesson in LESSONS}


def lesson(slug: str) -> Lesson:
    """Look a lesson up by its slug (as it appears in a URL)."""
    if slug not in LESSON_BY_SLUG:
        raise ValueError(f"unknown lesson {slug!r} (accepted: {', '.join(LESSON_BY_SLUG)})")
    return LESSON_BY_SLUG[slug]
