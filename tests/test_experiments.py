"""The experiment runner: reproducible runs, the random baseline, isolation, progress, Dask."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import in_ci

from al_core.experiments import executors
from al_core.experiments import runner as ex
from al_core.experiments.runner import full_pool_accuracy, run_experiment, run_one
from al_core.loop import Config, Learner
from al_core.loop.metrics import METRICS, censored_median
from al_core.strategies import STRATEGIES, Strategy

SMALL = Config(n_samples=200, initial=6)  # cheap runs: 200-point pool, 6 labels to start


def small(strategies=("least_confident",), seeds=(0, 1), budget=5, **kw) -> ex.Experiment:
    return run_experiment(SMALL, list(strategies), list(seeds), budget, **kw)


@pytest.fixture
def boom(monkeypatch):
    """A registered strategy that always raises: one failing run among good ones."""

    def explode(ctx, X):
        raise RuntimeError("boom: the utility exploded")

    monkeypatch.setitem(STRATEGIES, "boom", Strategy("boom", "Boom", "Always fails.", explode))
    return "boom"


# ---------------------------------------------------------------- run_one


def test_run_one_adds_exactly_the_budget_and_trims_the_last_batch():
    r = run_one(Config(n_samples=200, initial=6, batch_size=3), budget=7)
    assert r.n_labeled == [6, 9, 12, 13]
    assert all(len(r.metric(m)) == len(r.n_labeled) for m in METRICS)
    assert r.strategy == "least_confident" and r.seed == 42 and r.elapsed_s > 0


def test_run_one_matches_a_learner_stepped_by_hand():
    config = Config(n_samples=200, initial=6, strategy="margin", seed=3)
    learner = Learner(config)
    for _ in range(5):
        learner.step()
    r = run_one(config, budget=5)
    assert r.accuracy == [float(v) for v in learner.curve()[1]]


def test_run_one_stop_at_caps_the_total_and_the_pool_caps_the_budget():
    assert run_one(SMALL, budget=50, stop_at=10).n_labeled[-1] == 10
    tiny = Config(n_samples=20, initial=4, strategy="random")
    assert run_one(tiny, budget=100).n_labeled[-1] == 20  # every pool point labeled, no error


# ---------------------------------------------------------------- the experiment


def test_random_is_always_the_baseline_and_comes_first():
    exp = small(["margin"], seeds=[0], budget=40)
    assert exp.strategies == ["random", "margin"]
    assert set(exp.runs.strategy) == {"random", "margin"}
    assert list(exp.summary.strategy) == ["random", "margin"]
    random_row = exp.summary.set_index("strategy").loc["random"]
    assert random_row.labels_to_target <= 46  # reached within the budget ...
    assert random_row.savings_vs_random == 0  # ... so its saving against itself is zero


def test_same_seed_gives_identical_curves_and_seeds_differ():
    a, b = small(seeds=[0, 1]), small(seeds=[0, 1])
    pd.testing.assert_frame_equal(a.runs, b.runs)
    runs = a.runs[a.runs.strategy == "least_confident"]
    by_seed = [g.accuracy.to_numpy() for _, g in runs.groupby("seed")]
    assert not np.array_equal(by_seed[0], by_seed[1])


def test_two_loky_jobs_give_the_same_runs_as_one():
    one = small(["least_confident", "qbc_vote"], seeds=[0, 1], budget=4)
    two = small(["least_confident", "qbc_vote"], seeds=[0, 1], budget=4, jobs=2)
    pd.testing.assert_frame_equal(one.runs, two.runs)
    pd.testing.assert_frame_equal(one.summary, two.summary)


def test_runs_table_is_tidy():
    exp = small(seeds=[0, 1], budget=3)
    assert list(exp.runs.columns) == ["strategy", "seed", "step", "n_labeled", *METRICS]
    assert len(exp.runs) == 2 * 2 * 4  # strategies × seeds × (initial + 3 steps)
    assert exp.runs.groupby(["strategy", "seed"]).step.max().eq(3).all()


def test_summary_targets_come_from_the_full_pool_model_per_seed():
    exp = small(seeds=[0, 1], budget=10, target_share=0.9)
    for seed in (0, 1):
        full = full_pool_accuracy(Config(n_samples=200, initial=6, seed=seed))
        assert exp.full_accuracy[seed] == full
        assert exp.targets[seed] == pytest.approx(0.9 * full)
    row = exp.summary.set_index("strategy").loc["least_confident"]
    assert row.target == pytest.approx(np.mean([exp.targets[0], exp.targets[1]]))
    assert row.n_runs == 2
    lc = exp.runs[exp.runs.strategy == "least_confident"]
    finals = lc.groupby("seed").accuracy.last()
    assert row.final_accuracy_mean == pytest.approx(finals.mean())
    random_row = exp.summary.set_index("strategy").loc["random"]
    expected = random_row.labels_to_target - row.labels_to_target
    assert row.savings_vs_random == pytest.approx(expected, nan_ok=True)


def test_censored_median_counts_never_reached_as_infinite():
    assert censored_median([10, 20, math.nan]) == 20
    assert math.isnan(censored_median([10, math.nan, math.nan]))
    assert censored_median([4.0]) == 4
    assert math.isnan(censored_median([]))


def test_labels_to_target_is_nan_when_the_target_is_out_of_reach():
    exp = small(seeds=[0], budget=2, target_share=1.0)
    exp.targets = {0: 2.0}  # unreachable accuracy
    assert exp.summary.labels_to_target.isna().all()
    assert exp.summary.reached_target.eq(0).all()


def test_curves_give_a_mean_and_a_band_per_label_count():
    exp = small(seeds=[0, 1, 2], budget=4)
    for band in ("ci", "percentile"):
        c = exp.curves(band=band)
        assert set(c.strategy) == {"random", "least_confident"}
        assert (c.n == 3).all()
        assert (c.lo <= c["mean"] + 1e-12).all() and (c["mean"] <= c.hi + 1e-12).all()
    first = exp.curves().iloc[0]
    accs = exp.runs.query("strategy == 'random' and step == 0").accuracy
    assert first["mean"] == pytest.approx(accs.mean())
    assert first.hi - first["mean"] == pytest.approx(1.96 * accs.std() / np.sqrt(3))
    with pytest.raises(ValueError, match="metric"):
        exp.curves("precision")


def test_to_json_has_the_design_shape():
    exp = small(seeds=[0, 1], budget=3)
    data = json.loads(exp.to_json())
    assert {"config", "runs", "summary", "elapsed_s"} <= set(data)
    assert data["config"]["n_samples"] == 200
    assert len(data["runs"]) == 4
    for run in data["runs"]:
        assert {"strategy", "seed", "n_labeled", "accuracy"} <= set(run)
        assert len(run["n_labeled"]) == len(run["accuracy"]) == 4
    for row in data["summary"]:
        assert {"strategy", "aulc_mean", "aulc_std", "labels_to_target", "target"} <= set(row)


def test_to_json_writes_nan_as_null():
    exp = small(seeds=[0], budget=2)
    exp.targets = {0: 2.0}
    data = json.loads(exp.to_json())  # allow_nan=False inside: NaN would raise
    assert data["summary"][0]["labels_to_target"] is None


def test_strategy_parameters_go_only_to_the_strategies_that_take_them():
    config = Config(n_samples=200, initial=6, strategy_params={"committee_size": 3})
    exp = run_experiment(config, ["qbc_vote", "margin"], [0], 2)
    assert not exp.failures and len(exp.results) == 3
    bad = Config(n_samples=200, initial=6, strategy_params={"beta": 2.0})
    with pytest.raises(ValueError, match="strategy parameter 'beta'"):
        run_experiment(bad, ["margin"], [0], 2)


# ---------------------------------------------------------------- failures, progress, cancel


def test_a_failing_run_is_reported_and_the_others_finish(boom):
    exp = small(["boom", "margin"], seeds=[0, 1], budget=3)
    assert [(f.strategy, f.seed) for f in exp.failures] == [("boom", 0), ("boom", 1)]
    assert "boom: the utility exploded" in exp.failures[0].error
    assert exp.failures[0].config["strategy"] == "boom"
    assert exp.failures[0].config["seed"] == 0  # enough to rerun it
    assert {(r.strategy, r.seed) for r in exp.results} == {
        (s, seed) for s in ("random", "margin") for seed in (0, 1)
    }
    summary = exp.summary.set_index("strategy")
    assert summary.loc["boom", "n_runs"] == 0
    assert json.loads(exp.to_json())["failures"][0]["strategy"] == "boom"


def test_failures_are_isolated_in_a_thread_pool_too(boom):
    exp = small(["boom", "margin"], seeds=[0, 1], budget=2, jobs=2, backend="threading")
    assert len(exp.failures) == 2 and len(exp.results) == 4


def test_progress_starts_at_zero_after_the_targets_and_follows_every_run():
    calls = []
    small(["margin"], seeds=[0, 1, 2], budget=2, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(i, 6) for i in range(0, 7)]


def test_progress_is_live_with_joblib():
    calls = []
    small(seeds=[0, 1], budget=2, jobs=2, backend="threading", progress=lambda *a: calls.append(a))
    assert calls == [(i, 4) for i in range(0, 5)]


def test_cancel_stops_between_runs_and_keeps_the_finished_ones():
    done = []
    exp = small(
        ["margin"],
        seeds=[0, 1, 2],
        budget=2,
        progress=lambda d, t: done.append(d),
        cancel=lambda: max(done, default=0) >= 2,
    )
    assert exp.cancelled
    assert len(exp.results) == 2
    assert exp.summary.n_runs.sum() == 2


# Threads: a worker's own catch_warnings (fit_model) can undo the runner's filter meanwhile.
@pytest.mark.filterwarnings("ignore:.*cancelled:UserWarning")
def test_cancel_with_joblib_stops_early():
    done = []
    exp = small(
        ["margin"],
        seeds=list(range(6)),
        budget=2,
        jobs=2,
        backend="threading",
        progress=lambda d, t: done.append(d),
        cancel=lambda: len(done) >= 1,
    )
    assert exp.cancelled and len(exp.results) < 12


# ---------------------------------------------------------------- workers: the targets, priority


@pytest.fixture
def fresh_pool():
    """Loky workers of this test's own: a niced worker stays niced, so none outlives the test."""
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)
    yield
    get_reusable_executor().shutdown(wait=True)


def test_with_workers_the_targets_are_fitted_there_not_in_this_process(monkeypatch, fresh_pool):
    def not_here(config, dataset):
        raise AssertionError("the target model was fitted in the calling process")

    monkeypatch.setattr(ex, "_TARGETS", {})
    monkeypatch.setattr(ex, "_full_pool_accuracy", not_here)
    exp = small(seeds=[0, 1], budget=2, jobs=2)
    assert set(exp.full_accuracy) == {0, 1} and not exp.failures
    assert len(ex._TARGETS) == 2  # remembered here: the next comparison skips them


def test_a_known_target_is_not_fitted_again(monkeypatch):
    monkeypatch.setattr(ex, "_TARGETS", {})
    first = small(seeds=[0], budget=2)
    monkeypatch.setattr(ex, "_full_pool_accuracy", lambda c, d: pytest.fail("fitted again"))
    assert small(seeds=[0], budget=2).full_accuracy == first.full_accuracy


def test_a_workers_target_error_reaches_the_caller_as_its_own_exception(fresh_pool):
    with pytest.raises(ValueError, match="no labels"):
        small(seeds=[0, 1], budget=2, jobs=2, dataset=_unlabeled())


def test_nice_lowers_the_workers_priority_and_never_the_callers(fresh_pool):
    import os

    here = os.nice(0)
    with executors.executor(2, None, None, nice=5) as execute:
        assert set(execute(os.nice, [(0,)] * 4)) == {min(here + 5, 19)}
    with executors.executor(1, None, None, nice=5) as execute:
        assert list(execute(os.nice, [(0,)])) == [here]
    with executors.executor(1, "loky", None, nice=5) as execute:  # joblib runs one job right here
        assert list(execute(os.nice, [(0,)])) == [here]
    assert os.nice(0) == here


def test_a_worker_exits_when_the_process_it_works_for_is_gone():
    """A killed server must not leave its workers behind (they kept 200 MB each for an hour)."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    worker = (
        "import os, time\n"
        "from al_core.experiments.executors import _exit_with_parent\n"
        "_exit_with_parent(os.getppid(), every_s=0.05)\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    server = (  # starts the worker, says its pid, and dies without a word to it
        "import os, subprocess, sys\n"
        f"w = subprocess.Popen([sys.executable, '-c', {worker!r}], stdout=subprocess.PIPE)\n"
        "w.stdout.readline()\n"
        "print(w.pid, flush=True)\n"
        "os._exit(0)\n"
    )
    root = str(Path(__file__).resolve().parents[1])
    out = subprocess.run(
        [sys.executable, "-c", server], capture_output=True, text=True, timeout=60, cwd=root
    )
    pid = int(out.stdout.split()[-1])

    def alive() -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
        except FileNotFoundError:
            return False

    end = time.monotonic() + 10
    while alive() and time.monotonic() < end:
        time.sleep(0.05)
    assert not alive(), "the worker outlived its parent"


def test_cancel_during_the_targets_starts_no_run(monkeypatch):
    monkeypatch.setattr(ex, "_TARGETS", {})
    fitted = []
    real = ex._full_pool_accuracy
    monkeypatch.setattr(ex, "_full_pool_accuracy", lambda c, d: fitted.append(1) or real(c, d))
    exp = small(seeds=[0, 1, 2], budget=2, cancel=lambda: len(fitted) >= 1)
    assert exp.cancelled and exp.results == [] and len(exp.full_accuracy) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(strategies=["nope"]), "unknown strategy 'nope'"),
        (dict(seeds=[]), "seeds must hold"),
        (dict(seeds=[-1]), "seeds must be whole numbers"),
        (dict(budget=0), "budget"),
        (dict(jobs=0), "jobs"),
        (dict(backend="nope"), "unknown backend 'nope'"),
        (dict(backend="threading", scheduler="tcp://127.0.0.1:1"), "scheduler only goes"),
        (dict(target_share=1.5), "target_share"),
    ],
)
def test_bad_arguments_raise_before_anything_runs(kwargs, message):
    args = dict(strategies=["margin"], seeds=[0], budget=2) | kwargs
    with pytest.raises(ValueError, match=message):
        run_experiment(SMALL, **args)


def test_a_dataset_without_labels_is_refused():
    with pytest.raises(ValueError, match="no labels"):
        full_pool_accuracy(Config(n_samples=200), _unlabeled())


def _unlabeled():
    from dataclasses import replace

    from al_core.data import make_dataset

    return replace(make_dataset("moons", 200), y=None, y_test=None)


# ---------------------------------------------------------------- Dask


def needs_distributed():
    """dask[distributed] is a dev requirement: missing it under CI is a broken install."""
    try:
        import distributed
    except ImportError:
        if in_ci():
            pytest.fail("dask[distributed] is not installed (CI is set: it must be)")
        pytest.skip("dask[distributed] is not installed")
    return distributed


def test_the_dask_backend_gives_the_same_runs_on_a_local_cluster():
    distributed = needs_distributed()
    local = small(["margin"], seeds=[0, 1], budget=3)
    with distributed.Client(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
    ) as client:
        by_address = small(
            ["margin"], seeds=[0, 1], budget=3, backend="dask", scheduler=client.scheduler.address
        )
        by_default_client = small(["margin"], seeds=[0, 1], budget=3, backend="dask", jobs=-1)
    pd.testing.assert_frame_equal(local.runs, by_address.runs)
    pd.testing.assert_frame_equal(local.runs, by_default_client.runs)
    assert not by_address.failures


def test_dask_without_a_client_or_address_says_what_it_needs():
    needs_distributed()
    with pytest.raises(ValueError, match="scheduler address"):
        small(["margin"], seeds=[0], budget=2, backend="dask")


def test_a_cancelled_comparison_holds_every_strategy_for_the_seeds_it_finished():
    """Issue 12, defect 6: runs go seed by seed with the strategies interleaved, so Cancel after
    the first seeds leaves every strategy with those seeds, not 13 runs of random alone."""
    done = []
    exp = small(
        ["margin", "qbc_vote"],
        seeds=list(range(5)),
        budget=2,
        progress=lambda d, t: done.append(d),
        cancel=lambda: max(done, default=0) >= 6,
    )
    assert exp.cancelled
    assert sorted((r.seed, r.strategy) for r in exp.results) == sorted(
        (seed, s) for seed in (0, 1) for s in ("random", "margin", "qbc_vote")
    )


def test_a_cancelled_comparisons_caption_counts_each_strategys_seeds():
    """The caption says how many seeds each strategy really has, and one with none says so in
    words, never 'nan ± 0.000' or 'None' in the table."""
    from dataclasses import replace

    from al_core.present.comparison import seeds_caption, summary_table

    full = small(["margin", "qbc_vote"], seeds=[0, 1, 2], budget=2)
    assert seeds_caption(full).startswith("Mean over 3 seeds")
    kept = [
        r
        for r in full.results
        if (r.strategy, r.seed) in {("random", 0), ("random", 1), ("margin", 0)}
    ]
    exp = replace(full, results=kept, cancelled=True)
    caption = seeds_caption(exp)
    assert "Mean over 3 seeds" not in caption
    assert "Random 2 of 3 seeds" in caption and "Margin 1 of 3" in caption
    assert "QBC (vote entropy): no run finished before Cancel" in caption
    text = summary_table(exp).to_string()
    assert "nan" not in text and "None" not in text
    assert len(summary_table(exp)) == 2


def test_a_dask_scheduler_that_accepts_and_never_answers_fails_fast(monkeypatch):
    """Issue 17: it held the CLI for minutes; now one ValueError (one CLI line) at the deadline."""
    import socket
    import time

    pytest.importorskip("distributed")
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    monkeypatch.setattr(executors, "DASK_CONNECT_S", 2.0)
    start = time.perf_counter()
    try:
        with pytest.raises(ValueError, match="cannot reach the Dask scheduler") as info:
            executors._dask_client(f"tcp://127.0.0.1:{port}")
    finally:
        server.close()
    assert time.perf_counter() - start < 4
    assert "\n" not in str(info.value)


class _Cluster:
    """A stand-in Dask client: what `find_spec("al_core")` gives on its scheduler and workers."""

    def __init__(self, scheduler_has: bool, workers_have: list[bool]):
        self.scheduler_has, self.workers_have, self.closed = scheduler_has, workers_have, False

    def run(self, fn, name, wait=True):
        return {f"tcp://w{i}": fn(name) if ok else None for i, ok in enumerate(self.workers_have)}

    def run_on_scheduler(self, fn, name):
        return fn(name) if self.scheduler_has else None


@pytest.mark.parametrize(
    "scheduler_has, workers_have, said",
    [
        (False, [True, True], "on the scheduler at"),
        (True, [True, False, False], "on 2 of 3 workers at"),
        (False, [False], "on the scheduler and 1 of 1 workers at"),
        (True, [], "has no workers"),
    ],
)
def test_a_dask_cluster_that_cannot_import_al_core_is_refused_before_any_task(
    scheduler_has, workers_have, said
):
    """Such a cluster cannot read the task graph and joblib waited for ever: now one message."""
    cluster = _Cluster(scheduler_has, workers_have)
    with pytest.raises(ValueError, match=said):
        executors._check_cluster(cluster, "tcp://h:8786")


def test_a_dask_cluster_that_can_import_al_core_passes_the_probe():
    executors._check_cluster(_Cluster(True, [True, True]), "tcp://h:8786")
