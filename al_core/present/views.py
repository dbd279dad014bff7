"""What the pages show, computed from a Learner: the plane at any step, the "why this point?"
table, and the random baseline that runs beside the live curve."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pandas as pd

from al_core.loop import Learner
from al_core.loop.scoring import fit_and_score
from al_core.present.figures import PlaneView
from al_core.present.gridcost import RESOLUTIONS
from al_core.strategies import SCORES, STRATEGIES


def grid_resolution(model: str, n_classes: int = 2) -> int:
    """The plane's grid: as fine as the model's measured grid cost allows within ~30 ms of a
    step (see `gridcost`), never above 160 (the image is upsampled anyway) and at most 120 for
    many classes, whose grids are K times larger."""
    from al_core.present.gridcost import grid_resolution as affordable

    res = min(affordable(model, budget_s=0.03), 160)
    return res if n_classes <= 4 else min(res, 120)


TABLE_LABELS = 160  # the label count the grid-cost table was measured at (`gridcost`)
GRID_BUDGET_S = 0.15  # what the plane's grid may cost when a model has outgrown the table
PROBE_POINTS = 400


def affordable_resolution(learner: Learner, step: int, res: int) -> int:
    """`res`, or a coarser grid when this model at this step predicts slower than the table
    says: an RBF SVM or a GP with hundreds of labels (or labels crafted to make every point a
    support vector) costs seconds per grid. Timed on a small probe, only past the table's label
    count, so the default scenario's planes never change."""
    if not learner.exact_plane:  # in all features the grid is carried over, never predicted
        return res
    if learner.steps[step].n_labeled <= TABLE_LABELS or res <= RESOLUTIONS[-1]:
        return res
    probe = learner.bounds.grid(20)[2][:PROBE_POINTS]
    t0 = time.perf_counter()
    learner.proba(probe, step)
    per_point = (time.perf_counter() - t0) / len(probe)
    fits = [r for r in (res, *RESOLUTIONS) if r <= res and r * r * per_point <= GRID_BUDGET_S]
    return max(fits) if fits else RESOLUTIONS[-1]


def plane_view(
    learner: Learner,
    step: int | None = None,
    band: tuple[float, float] = (0.45, 0.55),
    utility: bool = False,
    ghost: bool = False,
    resolution: int | None = None,
    selected: int | None = None,
    title: str | None = None,
) -> PlaneView:
    """The plane as it was right after `step` (default: now), with the candidates it then chose."""
    latest = learner.step_number
    step = latest if step is None else int(np.clip(step, 0, latest))
    ds = learner.dataset
    res = resolution or affordable_resolution(
        learner, step, grid_resolution(learner.config.model, ds.n_classes)
    )
    n = learner.steps[step].n_labeled
    at_latest = step == latest
    candidates = (
        learner.suggest().indices if at_latest and len(learner.candidates) else np.array([], int)
    )
    if not at_latest:  # what was asked next from that state is what the following step queried
        candidates = np.array(learner.steps[step + 1].queried, int)
    labeled = np.array(learner.labeled[:n], int)
    labels = np.array(learner.labels[:n], int)
    wrong = labeled[ds.y[labeled] != labels] if ds.y is not None and n else np.array([], int)
    extra = {"title": title} if title is not None else {}
    if not learner.exact_plane and _trained(learner, step):
        p = learner.pool_proba(step=step)
        extra.update(predicted=p.argmax(axis=1), certainty=p.max(axis=1))
    return PlaneView(
        X=ds.X,
        bounds=ds.bounds,
        class_names=ds.class_names,
        proba=learner.proba_grid(res, step),
        labeled=labeled,
        labels=labels,
        candidates=candidates,
        last_queried=np.array(learner.steps[step].queried if step > 0 else (), int),
        wrong=wrong,
        trained=_trained(learner, step),
        marks_wrong=ds.y is not None
        and (learner.config.oracle_noise > 0 or any(st.source == "you" for st in learner.steps)),
        band=band,
        utility=learner.utility_grid(res) if utility and at_latest else None,
        ghost=learner.proba_grid(res, step - 1) if ghost and _trained(learner, step - 1) else None,
        selected=selected,
        feature_names=ds.feature_names,
        **extra,
    )


def _trained(learner: Learner, step: int) -> bool:
    """True when the model after `step` had two classes to learn from (it has a boundary)."""
    if step < 0:
        return False
    return len(set(learner.labels[: learner.steps[step].n_labeled])) >= 2


def why_table(learner: Learner, step: int | None = None, top: int = 5) -> pd.DataFrame:
    """For the points the strategy asked next from `step` (default: now), the rank each
    uncertainty measure gives them among all candidates then (1 = most wanted), so a student sees
    which measures agree with the choice. With two classes the three measures rank every point
    alike, so they share one column (its name says so)."""
    latest = learner.step_number
    step = latest if step is None else int(np.clip(step, 0, latest))
    ds = learner.dataset
    n = learner.steps[step].n_labeled
    if len(set(learner.labels[:n])) < 2:
        return pd.DataFrame()
    own = STRATEGIES[learner.config.strategy].label
    if step == latest:
        q = learner.suggest(max(top, learner.config.batch_size))
        candidates, picks, utility = q.candidates, q.indices[:top], q.utility
    else:  # what was asked next from that state is what the following step queried
        taken = np.zeros(len(ds), bool)
        taken[learner.labeled[:n]] = True
        candidates = np.flatnonzero(~taken)
        picks, utility = np.array(learner.steps[step + 1].queried[:top], int), None
    if len(picks) == 0:
        return pd.DataFrame()
    proba = learner.pool_proba(candidates, step)
    position = {int(c): i for i, c in enumerate(candidates)}
    if ds.n_classes == 2:
        ranks = {"Least confident = margin = entropy": _ranks(SCORES["margin"](proba))}
    else:
        ranks = {STRATEGIES[name].label: _ranks(fn(proba)) for name, fn in SCORES.items()}
    records = []
    for r, idx in enumerate(picks, start=1):
        i = position[int(idx)]
        rec = {"Rank": r, "Point": int(idx), "P(top class)": float(proba[i].max())}
        rec.update({name: int(rank[i]) for name, rank in ranks.items()})
        if utility is not None:
            rec[f"{own} score"] = float(utility[i])
        records.append(rec)
    return pd.DataFrame.from_records(records).set_index("Rank")


def _ranks(score: np.ndarray) -> np.ndarray:
    """1 = most wanted; ties share the best rank; NaN (unscored) ranks last."""
    neg = -np.where(np.isnan(score), -np.inf, score)
    return np.searchsorted(np.sort(neg), neg, side="left") + 1


def random_twin(learner: Learner) -> Learner:
    """The same pool, seed and start, queried at random: the baseline beside every curve.

    A start taught after construction (a lesson's own starting labels, source "initial") is
    replayed too, so both runs really begin from the same labels.
    """
    twin = Learner(
        replace(learner.config, strategy="random", strategy_params={}, random_mix=0.0),
        learner.dataset,
    )
    for step in learner.steps[1:]:
        if step.source != "initial":
            break
        twin.teach(step.queried, step.labels, "initial")
    return twin


def catch_up(twin: Learner, n_labeled: int, budget_s: float = 0.08) -> bool:
    """Step the twin towards `n_labeled` labels within a time budget; True when it got there.

    The page calls this after drawing, so a slow model never blocks a step: the baseline
    catches up over the next reruns instead.
    """
    twin.advance(n_labeled, deadline=time.perf_counter() + budget_s)
    while twin.n_labeled > n_labeled and twin.step_number > twin.start_step:
        twin.undo()
    return twin.n_labeled >= n_labeled


def value_at(learner: Learner, n_labeled: int, metric: str = "accuracy") -> float | None:
    """The metric when the run had exactly `n_labeled` labels (None if it never had)."""
    n, v = learner.curve(metric)
    hit = np.flatnonzero(n == n_labeled)
    return float(v[hit[-1]]) if len(hit) else None


def oracle_curve(
    learner: Learner, memo: dict[int, float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Test accuracy after every step had the exact oracle answered the same queries.

    Drawn beside the curve of the labels a person gave: the gap is what their mistakes cost.
    Where every label so far matches the truth the run's own value is reused, so only steps after
    a disagreement cost a fit; `memo` (keep it between calls) holds those, keyed by a hash of the
    queried prefix and the run's configuration, so labeling one more point costs one fit.
    """
    ds = learner.dataset
    if not ds.has_truth:
        raise ValueError("this dataset has no ground truth: there is no exact oracle to compare")
    memo = {} if memo is None else memo
    if len(memo) > 5000:
        memo.clear()
    c = learner.config
    chain = hash((repr(c), ds.key))
    n, acc, agree = [], [], True
    for s in learner.steps:
        chain = hash((chain, s.queried))
        idx = np.asarray(s.queried, int)
        agree = agree and bool(np.all(ds.y[idx] == np.asarray(s.labels, int)))
        n.append(s.n_labeled)
        if agree:
            acc.append(s.metrics["accuracy"])
            continue
        if chain not in memo:
            rows = np.asarray(learner.labeled[: s.n_labeled], int)
            memo[chain] = fit_and_score(c, ds, rows)[1]["accuracy"]
        acc.append(memo[chain])
    return np.array(n), np.array(acc, float)
