"""What the CLI prints: a progress bar on stderr and a comparison's table on stdout."""

from __future__ import annotations

import math
import time
from typing import Any

from al_core.data import DATASETS


class ProgressBar:
    """A one-line bar on stderr, redrawn in place; the CLI's answer to the progress callback."""

    def __init__(self, stream: Any, width: int = 30):
        self.stream, self.width, self.start = stream, width, time.perf_counter()
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        filled = round(self.width * done / max(total, 1))
        elapsed = time.perf_counter() - self.start
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} runs  {elapsed:5.1f} s")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        """End the bar's line, so the next output starts on its own."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def render_table(exp: Any, command: str, ran_on: str) -> str:
    """The human-readable report: the scenario in two lines, then one row per strategy.
    `ran_on` says where the runs went ("with 2 jobs", "on the Dask cluster at …")."""
    c = exp.config
    data = DATASETS[c.dataset]
    size = f"{c.n_samples} points, noise {c.noise:g}" if data.tunable else "fixed data"
    seeds = exp.seeds
    seed_text = (
        f"seeds {seeds[0]}–{seeds[-1]}"
        if seeds == list(range(seeds[0], seeds[0] + len(seeds)))
        else "seeds " + ",".join(map(str, seeds))
    )
    target = exp.summary["target"].mean() if len(exp.summary) else math.nan
    lines = [
        f"{command}: {c.dataset} ({size}) · {c.model} · {c.initial} initial labels · "
        f"budget {exp.budget} · batch {c.batch_size}"
        + (f" · oracle noise {c.oracle_noise:g}" if c.oracle_noise else "")
        + (f" · random mix {c.random_mix:g}" if c.random_mix else ""),
        f"{seed_text} ({len(seeds)}) · target {exp.target_share:.0%} of full-pool accuracy "
        f"(≈ {target:.3f}) · {exp.elapsed_s:.1f} s {ran_on}",
        "",
    ]
    head = ("strategy", "AULC mean ± sd", "final acc", "labels to target", "reached", "saved")
    rows = [head]
    for r in exp.summary.itertuples():
        name = f"{r.strategy} (baseline)" if r.strategy == "random" else r.strategy
        if not r.n_runs:
            rows.append((name, "no runs", "", "", "", ""))
            continue
        to_target = "not reached" if math.isnan(r.labels_to_target) else f"{r.labels_to_target:g}"
        saved = (
            "—"
            if r.strategy == "random" or math.isnan(r.savings_vs_random)
            else f"{r.savings_vs_random:+g}"
        )
        rows.append(
            (
                name,
                f"{r.aulc_mean:.3f} ± {r.aulc_std:.3f}",
                f"{r.final_accuracy_mean:.3f}",
                to_target,
                f"{round(r.reached_target * r.n_runs)}/{r.n_runs}",
                saved,
            )
        )
    if exp.stop_criterion is not None:
        rows = _with_stop_columns(exp, rows)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    lines.append("")
    lines.append(
        "labels to target: median labels (initial included) to reach the target; saved: "
        "random's median minus this one's."
    )
    if exp.stop_criterion is not None:
        s = exp.summary
        t = s["stop_threshold"].iloc[0] if len(s) else math.nan
        lines.append(
            f"stops at ({exp.stop_criterion}, threshold {t:g}): median step (labels) at which "
            "the criterion first fires; acc there vs at the budget (a run that never stops "
            "labels its whole budget)."
        )
    if exp.cancelled:
        lines.append("cancelled: only the finished runs are shown")
    return "\n".join(lines)


def _with_stop_columns(exp: Any, rows: list[tuple]) -> list[tuple]:
    """The table's rows with two more columns: where the criterion stops, and what it costs."""
    by = {r.strategy: r for r in exp.summary.itertuples()}
    out = [(*rows[0], "stops at", "acc there / budget")]
    for row, s in zip(rows[1:], exp.summary.strategy):
        r = by[s]
        if not r.n_runs:
            out.append((*row, "", ""))
            continue
        at = "never" if math.isnan(r.stop_step) else f"step {r.stop_step:g} ({r.stop_labels:g})"
        fired = f" {round(r.stop_fired * r.n_runs)}/{r.n_runs}"
        out.append((*row, at + fired, f"{r.stop_accuracy:.3f} / {r.budget_accuracy:.3f}"))
    return out
