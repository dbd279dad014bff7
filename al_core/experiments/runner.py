"""Many seeds × strategies for one configuration: the runner behind the Compare page and the CLI.

One lucky run misleads; many seeds tell the truth. Every run is rebuilt from its own seed (the
config with `seed` and `strategy` replaced), so a run gives the same curve in a loop, in a loky
worker or on a Dask cluster. `random` always runs as the baseline every saving is measured
against. A failed run is reported with its configuration and error; it never takes the others down.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np

from al_core.data import Dataset, make_dataset
from al_core.experiments.executors import Executor, check_backend, executor, until_cancelled
from al_core.experiments.results import BASELINE, Experiment, Failure, RunResult
from al_core.loop.config import Config
from al_core.loop.learner import Learner
from al_core.loop.metrics import METRICS
from al_core.loop.scoring import fit_and_score
from al_core.loop.stopping import StopTrace
from al_core.strategies import STRATEGIES
from al_core.threads import one_thread

MAX_SEEDS = 1000
# Fitting the target model on the whole pool is cubic for a Gaussian process: above this many
# points it is fitted on a fixed random subsample instead (a target, not a race result).
TARGET_FIT_CAP = {"gp": 2000}
# Rough cost of one run relative to `random`, so the slow runs start first and no worker idles
# at the end waiting for the last committee run (longest-processing-time-first scheduling).
_COST = {"qbc_vote": 6, "qbc_kl": 6, "expected_error_reduction": 20, "cluster_margin": 2}


def run_one(
    config: Config, budget: int, stop_at: int | None = None, dataset: Dataset | None = None
) -> RunResult:
    """Step one learner until `budget` labels were added beyond the initial ones.

    Stops early when the pool is exhausted or, if `stop_at` is given, when the labeled set holds
    `stop_at` points in total (initial ones included), so a race can end every run at one count.
    The last batch is trimmed so no run overshoots its budget.
    """
    start = time.perf_counter()
    with one_thread():  # tiny fits: BLAS threads only fight each other
        learner = Learner(config, dataset or _dataset(config.validated()))
        trace = StopTrace.attach(learner)  # the stopping criteria's signals, step by step
        goal = learner.n_labeled + int(budget)
        learner.advance(goal if stop_at is None else min(goal, int(stop_at)))
    n, _ = learner.curve()
    return RunResult(
        strategy=learner.config.strategy,
        seed=learner.config.seed,
        n_labeled=[int(v) for v in n],
        **{m: [float(v) for v in learner.curve(m)[1]] for m in METRICS},
        elapsed_s=time.perf_counter() - start,
        stop=trace.signals(),
    )


def full_pool_accuracy(config: Config, dataset: Dataset | None = None) -> float:
    """Test accuracy of the model trained on the whole pool with true labels: the ceiling the
    labels-to-target figure is measured against (a share of it, see `target_share`)."""
    config = config.validated()
    if dataset is not None:  # an upload: its arrays, not its config, say what it holds
        return _full_pool_accuracy(config, dataset)
    key = _target_key(config)
    if key not in _TARGETS:
        _remember_target(key, _full_pool_accuracy(config, None))
    return _TARGETS[key]


# Full-pool accuracies by generated configuration, newest last: the Stop meter, races and every
# comparison in this process read the same figures (a comparison's workers fill it too).
_TARGETS: dict[str, float] = {}
_TARGETS_KEPT = 256


def _target_key(config: Config) -> str:
    return json.dumps(replace(config, strategy="random", strategy_params={}).to_dict())


def _remember_target(key: str, accuracy: float) -> None:
    _TARGETS[key] = accuracy
    while len(_TARGETS) > _TARGETS_KEPT:
        _TARGETS.pop(next(iter(_TARGETS)), None)


def _full_pool_accuracy(config: Config, dataset: Dataset | None) -> float:
    ds = dataset or _dataset(config)
    if not ds.has_truth:
        raise ValueError("this dataset has no labels, so there is no accuracy to compare runs by")
    rows = np.arange(len(ds))
    cap = TARGET_FIT_CAP.get(config.model)
    if cap and len(rows) > cap:
        rows = np.sort(np.random.default_rng(config.seed).choice(rows, cap, replace=False))
    return fit_and_score(config, ds, rows)[1]["accuracy"]


def _dataset(c: Config) -> Dataset:
    return _cached_dataset(c.dataset, c.n_samples, c.noise, c.seed, c.n_classes, c.imbalance)


@lru_cache(maxsize=8)
def _cached_dataset(*key: Any) -> Dataset:
    """The strategies of one seed share its dataset: a worker builds it once, not per run
    (the arrays are never written to; a Learner only reads them)."""
    return make_dataset(*key)


def run_experiment(
    config: Config,
    strategies: list[str],
    seeds: list[int],
    budget: int,
    jobs: int = 1,
    backend: str | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    target_share: float = 0.95,
    cancel: Callable[[], bool] | None = None,
    dataset: Dataset | None = None,
    nice: int = 0,
) -> Experiment:
    """Run every strategy (plus `random`) on every seed and collect the results.

    `jobs` and `backend` go to joblib (`backend="dask"` with `scheduler="tcp://host:8786"` runs
    on a Dask cluster; without an address it uses the running `distributed.Client`). With one
    job and no backend the runs go in a plain loop. `progress(done, total)` is called once the
    targets are fitted (done 0) and after each run, `cancel()` between two targets or runs; a
    cancelled experiment keeps the runs that finished.
    `nice` lowers the priority of local worker processes, so a server's background experiment
    takes only the CPU its users' Steps leave (never the calling process: not with one job).
    Bad arguments raise ValueError naming the argument before anything runs.
    """
    start = time.perf_counter()
    names = _strategies(strategies)
    config = _template(config, names)
    seeds = _seeds(seeds)
    if isinstance(budget, bool) or not isinstance(budget, int | np.integer) or budget < 1:
        raise ValueError(f"budget must be a whole number of labels, 1 or more (got {budget!r})")
    if not 0.0 < float(target_share) <= 1.0:
        raise ValueError(f"target_share must be above 0 and at most 1 (got {target_share})")
    if not isinstance(jobs, int) or jobs == 0 or jobs < -1:
        raise ValueError(f"jobs must be 1 or more, or -1 for every core (got {jobs!r})")
    backend = check_backend(backend, scheduler)

    tasks = dispatch_order(config, names, seeds)
    results: list[RunResult] = []
    failures: list[Failure] = []
    with executor(jobs, backend, scheduler, nice) as execute:
        full = _target_accuracies(execute, tasks, seeds, dataset, cancel)
        cancelled = len(full) < len(seeds)  # then no run starts: the targets come first
        if progress is not None and not cancelled:
            progress(0, len(tasks))  # the targets are done: the runs begin
        outcomes = () if cancelled else execute(_task, ((c, budget, dataset) for c, _, _ in tasks))
        for outcome in until_cancelled(cancel, outcomes, len(tasks)):
            (results if isinstance(outcome, RunResult) else failures).append(outcome)
            if progress is not None:
                progress(len(results) + len(failures), len(tasks))
    return Experiment(
        config=config,
        strategies=names,
        seeds=seeds,
        budget=int(budget),
        results=results,
        targets={seed: target_share * acc for seed, acc in full.items()},
        full_accuracy=full,
        target_share=float(target_share),
        failures=sorted(failures, key=lambda f: (names.index(f.strategy), f.seed)),
        elapsed_s=time.perf_counter() - start,
        cancelled=cancelled or len(results) + len(failures) < len(tasks),
    )


def _target_accuracies(
    execute: Executor,
    tasks: list[tuple],
    seeds: list[int],
    dataset: Dataset | None,
    cancel: Callable[[], bool] | None,
) -> dict[int, float]:
    """Each seed's full-pool accuracy, fitted by the workers (so a server's own process stays
    free for Steps) unless this process knows it already; fewer seeds than asked if cancelled.
    A seed whose dataset cannot be built raises its DataError here, before any run starts."""
    first = {s: c for c, _, s in reversed(tasks)}  # each seed's first run
    full: dict[int, float] = {}
    if dataset is None:
        full = {s: _TARGETS[k] for s in seeds if (k := _target_key(first[s])) in _TARGETS}
    todo = [s for s in seeds if s not in full]
    if not todo or (cancel is not None and cancel()):
        return full
    outcomes = execute(_target_task, ((first[s], dataset) for s in todo))
    for seed, accuracy in until_cancelled(cancel, outcomes, len(todo)):
        if isinstance(accuracy, Exception):
            raise accuracy
        full[seed] = accuracy
        if dataset is None:
            _remember_target(_target_key(first[seed]), accuracy)
    return {s: full[s] for s in seeds if s in full}


def dispatch_order(config: Config, names: list[str], seeds: list[int]) -> list[tuple]:
    """(config, strategy, seed) per run, seed by seed with every strategy of a seed together,
    the costly ones (the committees) first within it.

    Seed by seed, a cancelled comparison holds every strategy for the seeds it finished (runs
    in order of strategy, a Cancel after 13 runs of 40 seeds left 13 runs of random and nothing
    else); costly first within a seed keeps both workers busy to the end, since the last seed's
    cheap runs fill the gaps its committee leaves.
    """
    order = sorted(names, key=lambda s: -_COST.get(s, 1))  # stable: ties keep the asked order
    return [(_run_config(config, s, seed), s, seed) for seed in seeds for s in order]


def _strategies(strategies: Iterable[str]) -> list[str]:
    """The baseline first, then the asked strategies in order, each once."""
    if isinstance(strategies, str):
        strategies = [strategies]
    names = [BASELINE]
    for s in strategies:
        if s not in STRATEGIES:
            raise ValueError(f"unknown strategy {s!r} (accepted: {', '.join(STRATEGIES)})")
        if s not in names:
            names.append(s)
    return names


def _template(config: Config, names: list[str]) -> Config:
    """Validate the shared config; a strategy parameter must suit at least one strategy."""
    given = dict(config.strategy_params)
    checked = replace(config, strategy_params={}).validated()
    takers = {p.name for s in {*names, config.strategy} for p in STRATEGIES[s].params}
    for key in given:
        if key not in takers:
            accepted = ", ".join(sorted(takers)) or "none for these strategies"
            raise ValueError(f"unknown strategy parameter {key!r} (accepted: {accepted})")
    return replace(checked, strategy_params=given)


def _seeds(seeds: Iterable[int]) -> list[int]:
    out: list[int] = []
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, int | np.integer) or not 0 <= s < 2**32:
            raise ValueError(f"seeds must be whole numbers from 0 to 4294967295 (got {s!r})")
        if int(s) not in out:
            out.append(int(s))
    if not 1 <= len(out) <= MAX_SEEDS:
        raise ValueError(f"seeds must hold 1 to {MAX_SEEDS} different seeds (got {len(out)})")
    return out


def _run_config(config: Config, strategy: str, seed: int) -> Config:
    """The config of one run; strategy parameters go only to the strategies that take them."""
    accepted = {p.name for p in STRATEGIES[strategy].params}
    params = {k: v for k, v in config.strategy_params.items() if k in accepted}
    return replace(config, strategy=strategy, seed=seed, strategy_params=params).validated()


def _target_task(config: Config, dataset: Dataset | None) -> tuple[int, float | Exception]:
    """One seed's target in a worker; an error comes back as a value, raised by the caller."""
    try:
        if dataset is None:
            _dataset(config)  # raises DataError (a ValueError) with a user-facing message
        return config.seed, full_pool_accuracy(config, dataset)
    except Exception as exc:  # re-raised in the calling process, as if it had run there
        return config.seed, exc


def _task(config: Config, budget: int, dataset: Dataset | None) -> RunResult | Failure:
    """One run in a worker; an error becomes a Failure so the other runs carry on."""
    try:
        return run_one(config, budget, dataset=dataset)
    except Exception as exc:  # any run may fail; the report says which and why
        return Failure(
            config.strategy, config.seed, config.to_dict(), f"{type(exc).__name__}: {exc}"
        )
