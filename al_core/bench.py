"""`python -m al_core bench`: the engine's speed, each figure against a baseline in the same run.

The baseline is plain scikit-learn on the same data. Engine and baseline alternate (ABBA order,
so drift and warm caches hit both alike), each figure is a median over repetitions, and every
result is a ratio, so a busy or slow machine moves both sides and the ratio stays meaningful.
Absolute seconds are printed too, with the core count and the load average they were taken at.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from al_core.bench_machine import load, machine
from al_core.loop import Config, Learner
from al_core.loop.metrics import evaluate
from al_core.models import MODELS, class_proba, model_params
from al_core.present.gridcost import grid_resolution
from al_core.strategies import STRATEGIES, committee, query
from al_core.threads import one_thread

TARGETS = {
    "step_overhead": 1.15,  # engine step / baseline step, at most
    "qbc_selection": 2.0,  # engine QBC selection / numpy baseline, at most
    "compare_seconds_2_jobs": 12.0,  # at most
    "compare_speedup": 1.6,  # jobs 1 / jobs 2 wall time, at least...
    "compare_capacity_share": 0.85,  # ...or this share of the measured capacity, when shared
}
COMPARE_STRATEGIES = ["random", "least_confident", "margin", "entropy", "qbc_vote"]


def _sizes(quick: bool) -> dict[str, int]:
    if quick:  # proves every figure runs; the numbers mean nothing
        return dict(steps=4, knn_steps=3, reps=1, qbc_reps=2, seeds=2, budget=4, grid_reps=1)
    return dict(steps=60, knn_steps=30, reps=5, qbc_reps=31, seeds=10, budget=100, grid_reps=3)


def _clock(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# ---------------------------------------------------------------- 1. step overhead


def baseline_step(learner: Learner, score_test: bool = False) -> int:
    """Plain scikit-learn: fit on the labeled set, predict_proba on the pool, argmax of the
    least-confident utility. With `score_test`, also the four test metrics the engine records
    after every step (predict_proba on the test set and `metrics.evaluate`): like for like."""
    c, ds = learner.config, learner.dataset
    idx = np.asarray(learner.labeled)
    model = MODELS[c.model].build(model_params(c.model), c.seed, len(idx))
    model.fit(ds.X[idx], np.asarray(learner.labels))
    mask = np.ones(len(ds), bool)
    mask[idx] = False
    pool = np.flatnonzero(mask)
    pick = int(pool[np.argmax(1.0 - model.predict_proba(ds.X[pool]).max(axis=1))])
    if score_test:
        evaluate(model.predict_proba(ds.X_test), ds.y_test)
    return pick


def step_overhead(config: Config, steps: int, reps: int, limit_blas: bool) -> dict[str, Any]:
    """Engine `Learner.step()` (suggest + oracle + fit + test metrics) against the baseline on
    the same growing labeled set: before each engine step the baseline runs on its state."""
    engine, base, base_scored = [], [], []
    with one_thread() if limit_blas else nullcontext():
        for rep in range(reps):
            learner = Learner(config)
            learner.step()  # warm: the first fit pays imports and caches
            te = tb = tbs = 0.0
            for i in range(steps):
                order = (0, 1, 2) if (i + rep) % 2 == 0 else (2, 1, 0)
                for who in order:
                    if who == 0:
                        te += _clock(learner.step)
                    elif who == 1:
                        tb += _clock(partial(baseline_step, learner))
                    else:
                        tbs += _clock(partial(baseline_step, learner, True))
            engine.append(te / steps)
            base.append(tb / steps)
            base_scored.append(tbs / steps)
    e, b, bs = (float(np.median(v)) for v in (engine, base, base_scored))
    return {
        "engine_ms": 1e3 * e,
        "baseline_ms": 1e3 * b,
        "ratio": e / b,
        "baseline_with_test_metrics_ms": 1e3 * bs,
        "ratio_vs_baseline_with_test_metrics": e / bs,
    }


# ---------------------------------------------------------------- 2. QBC selection


class _Fixed:
    """A committee member whose predictions were computed beforehand: the timing then holds
    only the vote counting, entropy and selection."""

    def __init__(self, proba: np.ndarray, classes: np.ndarray):
        self.proba, self.classes_ = proba, classes

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.proba


def numpy_vote_entropy(member_proba: np.ndarray) -> int:
    """The vectorised baseline: votes, their shares per class, entropy, argmax."""
    votes = member_proba.argmax(axis=2)  # (members, n)
    k = member_proba.shape[2]
    shares = (votes[:, :, None] == np.arange(k)).mean(axis=0)  # (n, K)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(shares > 0, shares * np.log(shares), 0.0).sum(axis=1)
    return int(np.argmax(h))


def qbc_selection(reps: int, n_pool: int = 10_000) -> dict[str, Any]:
    """`query(qbc_vote)` on a 10,000-point pool, 5 fitted members, against numpy; both with the
    members' predictions (the real cost) and both without (the pure selection overhead)."""
    out: dict[str, Any] = {}
    with one_thread():
        learner = Learner(Config(n_samples=n_pool + 60, strategy="qbc_vote"))  # 60 labeled
        ctx = learner.context()
        members = committee(ctx)  # 5 members, fitted once, shared by both sides
        pool = learner.candidates
        X = ctx.X_pool[pool]
        proba = np.stack([class_proba(m, X, ctx.n_classes) for m in members])
        strategy = STRATEGIES["qbc_vote"]
        for mode in ("with_predictions", "without_predictions"):
            if mode == "without_predictions":
                ctx.cache["committee"] = [_Fixed(p, np.arange(ctx.n_classes)) for p in proba]

            def engine() -> None:
                ctx.rng = np.random.default_rng(0)
                query(strategy, ctx, pool, 1)

            def baseline(_mode: str = mode) -> None:
                Xp = ctx.X_pool[pool]
                p = (
                    np.stack([m.predict_proba(Xp) for m in members])
                    if _mode == "with_predictions"
                    else proba
                )
                numpy_vote_entropy(p)

            te, tb = _alternate(engine, baseline, reps)
            out[mode] = {"engine_ms": 1e3 * te, "baseline_ms": 1e3 * tb, "ratio": te / tb}
        ctx.cache["committee"] = members
    out["ratio"] = out["with_predictions"]["ratio"]
    out["pool"] = len(pool)
    out["members"] = len(members)
    return out


def _alternate(a: Callable[[], Any], b: Callable[[], Any], reps: int) -> tuple[float, float]:
    a()
    b()  # warm both
    ta, tb = [], []
    for i in range(reps):
        if i % 2 == 0:
            ta.append(_clock(a))
            tb.append(_clock(b))
        else:
            tb.append(_clock(b))
            ta.append(_clock(a))
    return float(np.median(ta)), float(np.median(tb))


# ---------------------------------------------------------------- 3. compare throughput


def compare_throughput(
    seeds: int, budget: int, reps: int, in_process: bool = True
) -> dict[str, Any]:
    """Wall time of `python -m al_core compare` with --jobs 1 and --jobs 2, whole commands in
    ABBA order, exactly as a user types them: the 2-job command pays for starting its worker
    processes (each imports scikit-learn). Also, in this process, 2 jobs with cold and then warm
    workers: the Compare page keeps its workers between experiments."""
    from joblib.externals.loky import get_reusable_executor

    from al_core.experiments.runner import run_experiment

    t1, t2 = [], []
    for i in range(reps):
        for jobs in (1, 2) if i % 2 == 0 else (2, 1):
            (t1 if jobs == 1 else t2).append(_cli_seconds(jobs, seeds, budget))

    def run_here() -> float:
        start = time.perf_counter()
        exp = run_experiment(Config(), COMPARE_STRATEGIES, list(range(seeds)), budget, jobs=2)
        if exp.failures:
            raise RuntimeError(f"a benchmark run failed: {exp.failures[0].error}")
        return time.perf_counter() - start

    cold = warm = None
    if in_process:
        get_reusable_executor().shutdown(wait=True)
        cold, warm = run_here(), run_here()
    s1, s2 = float(np.median(t1)), float(np.median(t2))
    return {
        "runs": len(COMPARE_STRATEGIES) * seeds,
        "queries_per_run": budget,
        "seconds_1_job": s1,
        "seconds_2_jobs": s2,
        "speedup": s1 / s2,
        "in_process_2_jobs_cold_workers": cold,
        "in_process_2_jobs_warm_workers": warm,
    }


def _cli_seconds(jobs: int, seeds: int, budget: int) -> float:
    root = Path(__file__).resolve().parents[1]
    cmd = [
        *(sys.executable, "-m", "al_core", "compare", "--json", "--seed", "0"),
        *("--strategies", ",".join(COMPARE_STRATEGIES), "--seeds", str(seeds)),
        *("--budget", str(budget), "--jobs", str(jobs)),
    ]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"the compare command failed ({proc.returncode}): {last}")
    return seconds


# ---------------------------------------------------------------- 4. grid cost


def grid_cost(reps: int, resolution: int = 200, labels: int = 160) -> dict[str, Any]:
    """Seconds for the resolution² probability grid per model (engine `proba_grid`), against the
    same fitted model's bare predict_proba on the same points."""
    out: dict[str, Any] = {}
    with one_thread():
        for name in MODELS:
            learner = Learner(Config(model=name, initial=labels))
            model = learner.model
            _, _, pts = learner.bounds.grid(resolution)

            def engine(_learner: Learner = learner) -> None:
                _learner._cache.clear()  # time the computation, not the cache
                _learner.proba_grid(resolution)

            te, tb = _alternate(engine, lambda m=model, p=pts: m.predict_proba(p), reps)
            out[name] = {
                "seconds": te,
                "baseline_seconds": tb,
                "ratio": te / tb,
                "resolution": resolution,
                "resolution_for_0.15s": grid_resolution(
                    name, 0.15, {name: te * (200 / resolution) ** 2}
                ),
            }
    return out


# ---------------------------------------------------------------- report


def run_bench(quick: bool = False, log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """All four figures as one JSON-able dict, with the machine they were measured on."""
    say = log or (lambda _m: None)
    n = _sizes(quick)
    result: dict[str, Any] = {"machine": machine(), "quick": quick}
    say("1/4 step overhead")
    default = Config()
    knn = Config(model="knn", n_samples=10_000)
    if quick:
        knn = Config(model="knn", n_samples=2_000)
    result["step_overhead"] = {
        f"{case}_{'blas1' if limit else 'blas_default'}": step_overhead(
            cfg, n["steps"] if case == "logreg" else n["knn_steps"], n["reps"], limit
        )
        for limit in (True, False)
        for case, cfg in (("logreg", default), ("knn_10k", knn))
    }
    say("2/4 QBC selection")
    result["qbc_selection"] = qbc_selection(n["qbc_reps"], 2_000 if quick else 10_000)
    say("3/4 compare throughput")
    result["compare_throughput"] = compare_throughput(
        n["seeds"], n["budget"], n["reps"] // 2 or 1, in_process=not quick
    )
    say("4/4 grid cost")
    result["grid_cost"] = grid_cost(n["grid_reps"], resolution=50 if quick else 200)
    result["machine"]["load_after"] = load()
    result["targets"] = _verdicts(result)
    return result


def _verdicts(r: dict[str, Any]) -> dict[str, Any]:
    so, ct = r["step_overhead"], r["compare_throughput"]
    speedup = min(  # a shared machine caps any speedup at the capacity it leaves
        TARGETS["compare_speedup"],
        TARGETS["compare_capacity_share"] * r["machine"]["parallel_capacity"],
    )
    checks = {
        "step_overhead_logreg": (so["logreg_blas1"]["ratio"], "<=", TARGETS["step_overhead"]),
        "step_overhead_knn_10k": (so["knn_10k_blas1"]["ratio"], "<=", TARGETS["step_overhead"]),
        "qbc_selection": (r["qbc_selection"]["ratio"], "<=", TARGETS["qbc_selection"]),
        "compare_seconds_2_jobs": (ct["seconds_2_jobs"], "<=", TARGETS["compare_seconds_2_jobs"]),
        "compare_page_seconds_2_jobs": (
            ct["in_process_2_jobs_warm_workers"],
            "<=",
            TARGETS["compare_seconds_2_jobs"],
        ),
        "compare_speedup": (ct["speedup"], ">=", speedup),
    }
    return {
        k: {
            "value": v,
            "target": f"{op} {t:.3g}",
            "met": bool(v <= t if op == "<=" else v >= t),
        }
        for k, (v, op, t) in checks.items()
        if v is not None  # --quick measures no warm workers
    }
