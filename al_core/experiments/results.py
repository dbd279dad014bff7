"""What many seeds × strategies produce: one result per run, and the Experiment that holds them
as a tidy table, a per-strategy summary against random, curves with 95% bands, and JSON."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from al_core.experiments.stop_summary import stop_rows
from al_core.loop.config import Config
from al_core.loop.metrics import METRICS, aulc, censored_median, labels_to_target

if TYPE_CHECKING:  # pandas loads lazily: workers only run `run_one` and start faster without it
    import pandas as pd

BASELINE = "random"


@dataclass(frozen=True)
class RunResult:
    """One learner stepped through its budget: the learning curve and every test metric."""

    strategy: str
    seed: int
    n_labeled: list[int]
    accuracy: list[float]
    balanced_accuracy: list[float]
    f1_macro: list[float]
    log_loss: list[float]
    elapsed_s: float
    # The stopping criteria's signals after every step (`loop.stopping.StopTrace.signals`).
    stop: dict[str, list[float]] = field(default_factory=dict)

    def metric(self, name: str) -> list[float]:
        """One metric's values after every step."""
        if name not in METRICS:
            raise ValueError(f"unknown metric {name!r} (accepted: {', '.join(METRICS)})")
        return getattr(self, name)


@dataclass(frozen=True)
class Failure:
    """A run that raised: which one, the exact configuration to rerun it, and the message."""

    strategy: str
    seed: int
    config: dict[str, Any]
    error: str


@dataclass
class Experiment:
    """All runs of strategies × seeds, as a tidy table, a per-strategy summary and curves."""

    config: Config
    strategies: list[str]
    seeds: list[int]
    budget: int
    results: list[RunResult]
    targets: dict[int, float]  # per seed: target_share × full-pool accuracy
    full_accuracy: dict[int, float]  # per seed: the model trained on the whole pool
    target_share: float = 0.95
    failures: list[Failure] = field(default_factory=list)
    elapsed_s: float = 0.0
    cancelled: bool = False
    # A stopping criterion to report in the summary (`compare --stop`), and its threshold
    # (None: the criterion's default). Read from the runs' signals: changing it reruns nothing.
    stop_criterion: str | None = None
    stop_threshold: float | None = None

    @cached_property
    def runs(self) -> pd.DataFrame:
        """One row per run and step: strategy, seed, step, n_labeled and every test metric."""
        import pandas as pd

        rows = [
            (r.strategy, r.seed, step, n, *(r.metric(m)[step] for m in METRICS))
            for r in self._ordered()
            for step, n in enumerate(r.n_labeled)
        ]
        return pd.DataFrame(rows, columns=["strategy", "seed", "step", "n_labeled", *METRICS])

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Per strategy: AULC mean and sd, final accuracy, labels to target and savings."""
        import pandas as pd

        rows = []
        for s in self.strategies:
            runs = [r for r in self.results if r.strategy == s]
            areas = np.array([aulc(r.n_labeled, r.accuracy) for r in runs])
            to_target = np.array(
                [labels_to_target(r.n_labeled, r.accuracy, self.targets[r.seed]) for r in runs]
            )
            rows.append(
                {
                    "strategy": s,
                    "n_runs": len(runs),
                    "aulc_mean": _mean(areas),
                    "aulc_std": float(np.std(areas, ddof=1)) if len(runs) > 1 else 0.0,
                    "final_accuracy_mean": _mean([r.accuracy[-1] for r in runs]),
                    "labels_to_target": censored_median(to_target),
                    "reached_target": _mean(~np.isnan(to_target)),
                    "target": _mean([self.targets[r.seed] for r in runs]),
                    "full_pool_accuracy": _mean([self.full_accuracy[r.seed] for r in runs]),
                }
            )
        table = pd.DataFrame(rows)
        base = table.loc[table.strategy == BASELINE, "labels_to_target"]
        baseline = float(base.iloc[0]) if len(base) else math.nan
        table["savings_vs_random"] = baseline - table["labels_to_target"]
        if self.stop_criterion is not None:
            stops = stop_rows(
                self.results, self.strategies, self.stop_criterion, self.stop_threshold
            )
            table = table.merge(pd.DataFrame(stops), on="strategy", how="left")
        return table

    def curves(self, metric: str = "accuracy", band: str = "ci") -> pd.DataFrame:
        """Per strategy and label count: the mean over seeds and a 95% band.

        band="ci": mean ± 1.96·sd/√n (where the mean is likely to be); band="percentile": the
        2.5th–97.5th percentiles (where a single run is likely to land).
        """
        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r} (accepted: {', '.join(METRICS)})")
        if band not in ("ci", "percentile"):
            raise ValueError(f"unknown band {band!r} (accepted: ci, percentile)")
        import pandas as pd

        cols = ["strategy", "n_labeled", "mean", "lo", "hi", "n"]
        if self.runs.empty:
            return pd.DataFrame(columns=cols)
        g = self.runs.groupby(["strategy", "n_labeled"], sort=False)[metric]
        out = g.agg(mean="mean", sd="std", n="count").reset_index()
        if band == "ci":
            half = 1.96 * out["sd"].fillna(0.0) / np.sqrt(out["n"])
            out["lo"], out["hi"] = out["mean"] - half, out["mean"] + half
        else:
            out["lo"] = g.quantile(0.025).to_numpy()
            out["hi"] = g.quantile(0.975).to_numpy()
        return out[cols]

    def to_dict(self) -> dict[str, Any]:
        """The CLI's --json object (see the design page), NaN written as null."""
        runs = [
            {"strategy": r.strategy, "seed": r.seed, "n_labeled": r.n_labeled}
            | {m: r.metric(m) for m in METRICS}
            | {"elapsed_s": r.elapsed_s}
            | ({"stop": r.stop} if self.stop_criterion is not None else {})
            for r in self._ordered()
        ]
        return _clean(
            {
                "config": self.config.to_dict(compact=False),
                "strategies": self.strategies,
                "seeds": self.seeds,
                "budget": self.budget,
                "target_share": self.target_share,
                "runs": runs,
                "summary": self.summary.to_dict(orient="records"),
                "failures": [asdict(f) for f in self.failures],
                "cancelled": self.cancelled,
                "elapsed_s": self.elapsed_s,
            }
        )

    def to_json(self, indent: int | None = None) -> str:
        """`to_dict()` as JSON (never NaN: it is written as null)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def _ordered(self) -> list[RunResult]:
        rank = {s: i for i, s in enumerate(self.strategies)}
        return sorted(self.results, key=lambda r: (rank.get(r.strategy, len(rank)), r.seed))


def _mean(values: Any) -> float:
    v = np.asarray(values, dtype=float)
    return float(v.mean()) if len(v) else math.nan


def _clean(obj: Any) -> Any:
    """JSON-safe: numpy scalars to Python, NaN and infinities to None."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj
