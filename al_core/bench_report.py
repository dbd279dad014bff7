"""`python -m al_core bench`'s report: the figures as a person reads them, or one JSON object."""

from __future__ import annotations

import json
import sys
from typing import Any

from al_core.bench import COMPARE_STRATEGIES, run_bench
from al_core.present.gridcost import GRID_SECONDS_200, RESOLUTIONS


def render(r: dict[str, Any]) -> str:
    """The report a person reads: every figure with its baseline, ratio and target."""
    m = r["machine"]
    lines = [
        f"Ask Next benchmark{' (--quick: sizes too small to mean anything)' if r['quick'] else ''}",
        f"machine: {m['cores']} cores ({m['usable_cores']} usable), python {m['python']}, "
        f"numpy {m['numpy']}, scikit-learn {m['scikit_learn']}; load average "
        f"{m['load_before']} before, {m['load_after']} after; two processes get "
        f"{m['parallel_capacity']:.2f} cores' worth of CPU (2.00 on an idle 2-core machine)",
        "",
        "1. step overhead: engine Learner.step() / baseline (fit, predict_proba on the pool, "
        "argmax), target <= 1.15",
    ]
    for key, v in r["step_overhead"].items():
        scored, like = v["baseline_with_test_metrics_ms"], v["ratio_vs_baseline_with_test_metrics"]
        lines.append(
            f"   {key:<20} engine {v['engine_ms']:7.2f} ms  baseline {v['baseline_ms']:7.2f} ms"
            f"  ratio {v['ratio']:.2f}   (baseline+metrics {scored:.2f} ms: ratio {like:.2f})"
        )
    q = r["qbc_selection"]
    lines += [
        "",
        f"2. QBC vote-entropy selection, {q['pool']:,}-point pool, {q['members']} fitted members, "
        "vs vectorised numpy, target <= 2",
    ]
    for mode in ("with_predictions", "without_predictions"):
        v = q[mode]
        lines.append(
            f"   {mode.replace('_', ' '):<20} engine {v['engine_ms']:7.2f} ms  "
            f"baseline {v['baseline_ms']:7.2f} ms  ratio {v['ratio']:.2f}"
        )
    c = r["compare_throughput"]
    res = next(iter(r["grid_cost"].values()))["resolution"]
    lines += [
        "",
        f"3. compare throughput: {', '.join(COMPARE_STRATEGIES)}; {c['runs']} runs × "
        f"{c['queries_per_run']} queries (target <= 12 s with 2 jobs, speedup >= 1.6 or, on a "
        "shared machine, 0.85 of the ceiling)",
        f"   python -m al_core compare --jobs 1: {c['seconds_1_job']:.1f} s   --jobs 2: "
        f"{c['seconds_2_jobs']:.1f} s   speedup {c['speedup']:.2f} (ceiling now: "
        f"{m['parallel_capacity']:.2f})",
        f"   in this process, 2 jobs: {_s(c['in_process_2_jobs_cold_workers'])} with cold "
        f"workers, {_s(c['in_process_2_jobs_warm_workers'])} with warm ones (the Compare page)",
        "",
        f"4. grid cost: {res}×{res} probability grid with 160 labels (UI picks from "
        f"{RESOLUTIONS} within 0.15 s; table = al_core.gridcost.GRID_SECONDS_200)",
    ]
    for name, v in r["grid_cost"].items():
        lines.append(
            f"   {name:<12} {1e3 * v['seconds']:8.1f} ms  (bare predict_proba "
            f"{1e3 * v['baseline_seconds']:7.1f} ms, ratio {v['ratio']:.2f})  -> "
            f"{v['resolution_for_0.15s']}  [table: {1e3 * GRID_SECONDS_200.get(name, 0):.0f} ms]"
        )
    lines += ["", "targets:"]
    for k, v in r["targets"].items():
        lines.append(
            f"   {k:<28} {v['value']:8.3f}  {v['target']:<7} {'met' if v['met'] else 'NOT met'}"
        )
    return "\n".join(lines)


def _s(seconds: float | None) -> str:
    return "skipped" if seconds is None else f"{seconds:.1f} s"


def main(json_out: bool = False, quick: bool = False) -> int:
    """`python -m al_core bench`: run the figures and print them (or one JSON object)."""
    log = (
        (lambda msg: print(f"bench: {msg}", file=sys.stderr, flush=True))
        if sys.stderr.isatty()
        else None
    )
    result = run_bench(quick=quick, log=log)
    print(json.dumps(result) if json_out else render(result))
    return 0
