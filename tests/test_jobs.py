"""ExperimentJob, directly: it runs in the background, cancels between runs keeping what
finished, and reports one failing run without losing the others."""

from __future__ import annotations

import threading

import pytest

from al_core.experiments.jobs import ExperimentJob
from al_core.loop import Config
from al_core.strategies import STRATEGIES, Strategy

SMALL = Config(n_samples=80, initial=4, model="knn")


def test_a_job_runs_in_the_background_and_reports_progress():
    job = ExperimentJob(SMALL, ["margin"], [0, 1], budget=4, jobs=1).start()
    assert job.join(timeout=60)
    assert job.error is None and job.result is not None
    assert (job.done, job.total) == (4, 4)  # margin and the random baseline, two seeds each
    assert {r.strategy for r in job.result.results} == {"random", "margin"}
    assert not job.result.cancelled


def test_cancel_stops_between_runs_and_keeps_what_finished(monkeypatch):
    gate = threading.Event()

    def slow(ctx, X):  # holds every margin run until the test lets it go
        gate.wait(30)
        return STRATEGIES["margin"].utility(ctx, X)

    monkeypatch.setitem(STRATEGIES, "slow", Strategy("slow", "Slow", "Waits.", slow))
    job = ExperimentJob(SMALL, ["slow"], list(range(6)), budget=2, jobs=1).start()
    job.cancel()
    gate.set()
    assert job.join(timeout=60)
    exp = job.result
    assert job.cancelled and exp is not None and exp.cancelled
    assert 0 < len(exp.results) < 12  # stopped early, the finished runs kept


def test_an_error_in_one_run_is_reported_and_the_others_finish(monkeypatch):
    def explode(ctx, X):
        raise RuntimeError("boom")

    monkeypatch.setitem(STRATEGIES, "boom", Strategy("boom", "Boom", "Fails.", explode))
    job = ExperimentJob(SMALL, ["boom", "margin"], [0, 1], budget=3, jobs=1).start()
    assert job.join(timeout=60) and job.error is None
    exp = job.result
    assert [(f.strategy, f.seed) for f in exp.failures] == [("boom", 0), ("boom", 1)]
    assert "RuntimeError: boom" in exp.failures[0].error
    assert sorted({r.strategy for r in exp.results}) == ["margin", "random"]


def test_bad_arguments_end_the_job_with_an_error_not_a_dead_thread():
    job = ExperimentJob(SMALL, ["nope"], [0], budget=3, jobs=1).start()
    assert job.join(timeout=30)
    assert job.result is None and "unknown strategy 'nope'" in job.error


@pytest.mark.parametrize("timeout", [0.0])
def test_join_on_a_job_that_never_started_returns_at_once(timeout):
    assert ExperimentJob(SMALL, ["margin"], [0], budget=1).join(timeout)
