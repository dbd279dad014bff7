"""An Experiment as the Compare page shows it: curves with bands, a readable summary table, and
the sentence that says what the target is."""

from __future__ import annotations

import numpy as np
import pandas as pd

from al_core.data import DATASETS
from al_core.experiments.results import Experiment
from al_core.experiments.stop_summary import stop_rows
from al_core.loop.config import Config
from al_core.models import MODELS
from al_core.present.figures import Curve
from al_core.present.palette import strategy_color
from al_core.strategies import STRATEGIES


def experiment_curves(exp: Experiment, metric: str = "accuracy") -> list[Curve]:
    """Mean and 95% band per strategy; random last, grey and dashed."""
    table = exp.curves(metric)
    order = sorted(exp.strategies, key=lambda s: s == "random")
    curves = []
    for name in order:
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
                strategy_color(name),
                "dash" if name == "random" else "solid",
            )
        )
    return curves


def summary_table(exp: Experiment) -> pd.DataFrame:
    """The summary with readable columns: AULC mean ± sd, labels to target, savings vs random."""
    s = exp.summary
    s = s[s.n_runs > 0]  # a strategy with no finished run has no numbers: the caption says so
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


def stop_table(exp: Experiment, criterion: str, threshold: float | None = None) -> pd.DataFrame:
    """Per strategy, where a stopping criterion fires: the median step and labels (over the
    runs where it fired; "never" counts as beyond the budget), how often it fired, and the
    accuracy there against the accuracy at the budget. Read from the runs' signals."""
    rows = [
        r
        for r in stop_rows(exp.results, exp.strategies, criterion, threshold)
        if r["strategy"] in {run.strategy for run in exp.results}
    ]
    return pd.DataFrame(
        {
            "Strategy": [STRATEGIES[r["strategy"]].label for r in rows],
            "Stops at step": [r["stop_step"] for r in rows],
            "Labels there": [r["stop_labels"] for r in rows],
            "Fired in": [r["stop_fired"] for r in rows],
            "Accuracy there": [r["stop_accuracy"] for r in rows],
            "Accuracy at budget": [r["budget_accuracy"] for r in rows],
        }
    )


def seeds_caption(exp: Experiment) -> str:
    """What the means are over. Every strategy with every seed: "Mean over 40 seeds"; after a
    Cancel or failures, each strategy's own count, and a strategy with none says so in words."""
    total = len(exp.seeds)
    counts = {s: len({r.seed for r in exp.results if r.strategy == s}) for s in exp.strategies}
    band = "the band is a 95% confidence interval of the mean."
    if all(n == total for n in counts.values()):
        return f"Mean over {total} seeds; {band}"
    having = [f"{STRATEGIES[s].label} {n} of {total} seeds" for s, n in counts.items() if n]
    why = "before Cancel" if exp.cancelled else "(every run failed)"
    missing = [f"{STRATEGIES[s].label}: no run finished {why}." for s, n in counts.items() if not n]
    return " ".join(
        [f"Mean over the seeds each strategy finished: {', '.join(having)}; {band}", *missing]
    )


def scenario_text(config: Config, seeds: list[int]) -> str:
    """The comparison's scenario in one line, every setting that changes the result included
    (a lesson's oracle noise and random mix too), in the names the sidebar uses."""
    data = DATASETS.get(config.dataset)
    parts = [
        data.label if data else "Your CSV",
        f"{config.n_samples} points, noise {config.noise:g}" if data and data.tunable else "",
        MODELS[config.model].label,
        f"batch {config.batch_size}",
        f"from {config.initial} labels",
        f"oracle noise {config.oracle_noise:.0%}" if config.oracle_noise else "",
        f"random mix {config.random_mix:.0%}" if config.random_mix else "",
        f"seeds {seeds[0]}…{seeds[-1]}" if len(seeds) > 1 else f"seed {seeds[0]}",
    ]
    return " · ".join(p for p in parts if p)


def target_note(exp: Experiment) -> str:
    """The sentence under the table: what the target is and how labels-to-target is counted."""
    acc = float(np.mean(list(exp.full_accuracy.values())))
    return (
        f"Target: {exp.target_share:.0%} of the accuracy the same model reaches with the whole "
        f"pool labeled ({acc:.1%} on average), so {exp.target_share * acc:.1%}. Labels to target "
        "is the median over seeds; a run that never reached it counts as beyond the budget."
    )
