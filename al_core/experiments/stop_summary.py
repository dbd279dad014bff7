"""When a stopping criterion would have stopped each run of an experiment, and what it cost.

Read from the signals every run records (`RunResult.stop`, see `loop.stopping`), so choosing
another criterion or threshold on the Compare page reruns nothing. A run whose criterion never
fires labels its whole budget: its accuracy "at the stop" is the budget's, and its stop step
counts as later than any (the median is NaN when half the runs never stop, as for
labels-to-target).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from al_core.loop.metrics import censored_median
from al_core.loop.stopping import criterion_named, stop_step

COLUMNS = (
    "stop_criterion",
    "stop_threshold",
    "stop_step",
    "stop_labels",
    "stop_fired",
    "stop_accuracy",
    "budget_accuracy",
)


def run_stop(run: Any, criterion: str, threshold: float | None = None) -> dict[str, float]:
    """One run: the step and labels at which the criterion first fires (NaN if never) and
    the accuracy there (the budget's if it never fires)."""
    step = stop_step(run.stop, criterion, threshold) if run.stop else None
    last = len(run.accuracy) - 1
    at = last if step is None else step
    return {
        "step": float("nan") if step is None else float(step),
        "labels": float("nan") if step is None else float(run.n_labeled[step]),
        "accuracy": float(run.accuracy[at]),
        "budget_accuracy": float(run.accuracy[last]),
    }


def stop_rows(
    runs: Iterable[Any], strategies: list[str], criterion: str, threshold: float | None = None
) -> list[dict[str, Any]]:
    """Per strategy: median stop step and labels, share of runs that stopped, mean accuracy at
    the stop and at the budget."""
    c = criterion_named(criterion)
    t = c.threshold if threshold is None else float(threshold)
    if not c.low <= t <= c.high:
        raise ValueError(
            f"stop threshold {t:g} is out of range for {c.name} ({c.low:g} to {c.high:g})"
        )
    runs = list(runs)
    rows = []
    for s in strategies:
        stops = [run_stop(r, criterion, t) for r in runs if r.strategy == s]
        steps = np.array([x["step"] for x in stops], float)
        rows.append(
            {
                "strategy": s,
                "stop_criterion": criterion,
                "stop_threshold": t,
                "stop_step": censored_median(steps),
                "stop_labels": censored_median([x["labels"] for x in stops]),
                "stop_fired": float(np.mean(~np.isnan(steps))) if stops else float("nan"),
                "stop_accuracy": _mean(x["accuracy"] for x in stops),
                "budget_accuracy": _mean(x["budget_accuracy"] for x in stops),
            }
        )
    return rows


def _mean(values: Iterable[float]) -> float:
    v = np.asarray(list(values), float)
    return float(v.mean()) if len(v) else float("nan")
