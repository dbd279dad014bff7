"""What the Compare page needs beyond the runner: a background job, curves and a summary table.

An experiment takes seconds to minutes, so it runs in a thread (its runs in worker processes)
while the page polls `progress`; `cancel()` stops it between runs and keeps what finished.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from al_core.experiments import Experiment, run_experiment
from al_core.figures import Curve, curve_color
from al_core.learner import Config
from al_core.strategies import STRATEGIES


@dataclass
class ExperimentJob:
    """One experiment in a background thread; safe to poll from the UI at any time."""

    config: Config
    strategies: Sequence[str]
    seeds: Sequence[int]
    budget: int
    jobs: int = 2
    target_share: float = 0.95
    done: int = 0
    total: int = 0
    result: Experiment | None = None
    error: str | None = None
    started: float = field(default_factory=time.perf_counter)
    _cancel: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> ExperimentJob:
        self._thread = threading.Thread(target=self._run, name="ask-next-experiment", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self.result = run_experiment(
                self.config,
                list(self.strategies),
                list(self.seeds),
                self.budget,
                jobs=self.jobs,
                progress=self._progress,
                cancel=self._cancel.is_set,
                target_share=self.target_share,
            )
        except Exception as exc:  # reported on the page; the thread must not die silently
            self.error = f"{type(exc).__name__}: {exc}"

    def _progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def elapsed_s(self) -> float:
        return time.perf_counter() - self.started


def experiment_curves(exp: Experiment, metric: str = "accuracy") -> list[Curve]:
    """Mean and 95% band per strategy; random last, grey and dashed."""
    table = exp.curves(metric)
    order = sorted(exp.strategies, key=lambda s: s == "random")
    curves = []
    for i, name in enumerate(order):
        rows = table[table.strategy == name]
        if rows.empty:
            continue
        curves.append(
            Curve(
                STRATEGIES[name].label,
                rows.n_labeled.to_numpy(),
                rows["mean"].to_numpy(),
                rows.lo.to_numpy(),
                rows.hi.to_numpy(),
                curve_color(i, name),
                "dash" if name == "random" else "solid",
            )
        )
    return curves


def summary_table(exp: Experiment) -> pd.DataFrame:
    """The summary with readable columns: AULC mean ± sd, labels to target, savings vs random."""
    s = exp.summary
    out = pd.DataFrame(
        {
            "Strategy": [STRATEGIES[n].label for n in s.strategy],
            "AULC": [f"{m:.3f} ± {sd:.3f}" for m, sd in zip(s.aulc_mean, s.aulc_std)],
            "Final accuracy": s.final_accuracy_mean.to_numpy(),
            "Labels to target": s.labels_to_target.to_numpy(),
            "Reached target": s.reached_target.to_numpy(),
            "Savings vs random": s.savings_vs_random.to_numpy(),
            "Runs": s.n_runs.to_numpy(),
        }
    )
    return out.sort_values("Savings vs random", ascending=False, na_position="last").reset_index(
        drop=True
    )


def target_note(exp: Experiment) -> str:
    acc = float(np.mean(list(exp.full_accuracy.values())))
    return (
        f"Target: {exp.target_share:.0%} of the accuracy the same model reaches with the whole "
        f"pool labeled ({acc:.1%} on average), so {exp.target_share * acc:.1%}. Labels to target "
        "is the median over seeds; a run that never reached it counts as beyond the budget."
    )
