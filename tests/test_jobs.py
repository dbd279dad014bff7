"""ExperimentJob, directly: it runs in the background, cancels between runs keeping what
finished, and reports one failing run without losing the others."""

from __future__ import annotations

import threading

import pytest

from al_core.experiments.jobs import ExperimentJob
from al_core.experiments.pool import FairQueue
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
    holder: list[ExperimentJob] = []

    def slow(ctx, X):  # the first run of it asks to cancel, as a person would mid-way
        holder[0].cancel()
        return STRATEGIES["margin"].utility(ctx, X)

    monkeypatch.setitem(STRATEGIES, "slow", Strategy("slow", "Slow", "Waits.", slow))
    job = ExperimentJob(SMALL, ["slow"], list(range(6)), budget=2, jobs=1, queue=FairQueue())
    holder.append(job)
    assert job.start().join(timeout=60)
    exp = job.result
    assert job.cancelled and exp is not None and exp.cancelled and job.state == "cancelled"
    assert 0 < len(exp.results) < 12  # stopped early, the finished runs kept


def _held_job(line: FairQueue, session: str, gate: threading.Event) -> ExperimentJob:
    return ExperimentJob(
        SMALL, ["held"], [0], budget=1, jobs=1, session=session, queue=line
    ).start()


@pytest.fixture
def held(monkeypatch):
    """A strategy that holds its run until the test opens the gate."""
    gate = threading.Event()

    def wait(ctx, X):
        gate.wait(30)
        return STRATEGIES["margin"].utility(ctx, X)

    monkeypatch.setitem(STRATEGIES, "held", Strategy("held", "Held", "Waits.", wait))
    yield gate
    gate.set()


def _wait_for(predicate, timeout=20.0) -> None:
    import time

    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def test_the_line_runs_one_at_a_time_takes_turns_between_sessions_and_shows_places(held):
    line = FairQueue(slots=1)
    first = _held_job(line, "a", held)
    _wait_for(lambda: first.state == "running")
    a2 = _held_job(line, "a", held)
    _wait_for(lambda: line.place(a2) == 1)
    b1 = _held_job(line, "b", held)  # arrives later, but session b has had no turn yet
    _wait_for(lambda: line.place(b1) == 1)
    assert (a2.place, b1.place) == (2, 1) and a2.state == "queued"
    assert "number 2 in line" in a2.status() and "next in line" in b1.status()
    held.set()
    for job in (first, a2, b1):
        assert job.join(timeout=60) and job.state == "done"
    assert b1.ran_at < a2.ran_at  # b's first job went before a's second


def test_cancel_reaches_a_queued_job(held):
    line = FairQueue(slots=1)
    running = _held_job(line, "a", held)
    _wait_for(lambda: running.state == "running")
    waiting = _held_job(line, "b", held)
    _wait_for(lambda: line.place(waiting) == 1)
    waiting.cancel()
    assert waiting.join(timeout=5) and waiting.state == "cancelled" and waiting.result is None
    held.set()
    assert running.join(timeout=60) and running.state == "done"


def test_a_job_whose_session_ended_stops_in_line_and_between_runs(held):
    """Issue 17: work stops when its session ends, whether it waits or runs (keeping what
    finished), and its slot goes to the next job at once."""
    line = FairQueue(slots=1)
    there = {"a": True, "b": True}

    def job(session: str, strategy: str, seeds: list[int]) -> ExperimentJob:
        alive = lambda: there[session]  # noqa: E731 - the session's tab, open or closed
        return ExperimentJob(
            SMALL, [strategy], seeds, budget=1, jobs=1, session=session, queue=line, alive=alive
        ).start()

    running = job("a", "held", [0, 1, 2])
    _wait_for(lambda: running.state == "running")
    waiting = job("b", "margin", [0])
    _wait_for(lambda: line.place(waiting) == 1)
    there["b"] = False  # b closes the tab while in line: it never runs
    assert waiting.join(timeout=5) and waiting.state == "cancelled" and waiting.result is None
    there["a"] = False  # a closes the tab mid-run: the run in progress ends, no more start
    held.set()
    assert running.join(timeout=60) and running.state == "cancelled"
    assert running.result is not None and running.result.cancelled
    assert len(running.result.results) < 6  # 3 seeds × (held + random) were asked for
    after = ExperimentJob(SMALL, ["margin"], [0], budget=1, jobs=1, session="c", queue=line)
    assert after.start().join(timeout=60) and after.state == "done"


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


def test_a_background_job_asks_for_niced_workers(monkeypatch):
    from al_core.experiments import jobs

    asked = {}
    monkeypatch.setattr(jobs, "run_experiment", lambda *a, **kw: asked.update(kw))
    assert ExperimentJob(SMALL, ["margin"], [0], budget=1, queue=FairQueue()).start().join(30)
    assert asked["nice"] == jobs.BACKGROUND_NICE > 0
