"""An experiment in the background: the Compare page, the 5-seed bands and lesson checks
(`LessonCheck`) start one and poll it, so the page stays usable. It waits its turn in the
server's fair line (`pool.shared_queue`), shows its place while it waits, and `cancel()` stops
it in any phase: in line, while the target models are fitted, or between runs, keeping what
finished. A job whose `alive()` turns false (its browser session ended) stops the same way:
nobody is left to read it, and the workers go to the students still there. Its worker
processes run niced (BACKGROUND_NICE), so the server's own process keeps serving the Steps.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from al_core.experiments.lessons import Lesson, run_lesson
from al_core.experiments.pool import FairQueue, shared_queue, usable_cores
from al_core.experiments.results import Experiment
from al_core.experiments.runner import run_experiment
from al_core.loop.config import Config

# Background work yields to the Steps: its worker processes run at this much lower priority, so
# a comparison takes the CPU the class leaves over and the Steps barely notice it.
BACKGROUND_NICE = 10


@dataclass
class BackgroundJob:
    """Work in a background thread, in the server's fair line; safe to poll from the UI at any
    time. A kind of job says what it runs in `_work`."""

    _: KW_ONLY
    jobs: int = 0  # 0: one worker per core
    session: str = ""  # whose job: the line takes turns between sessions
    queue: FairQueue | None = None  # None: the server's shared line
    alive: Callable[[], bool] | None = None  # False once nobody can see the result
    done: int = 0
    total: int = 0
    result: Any = None  # what `_work` returned (None until done, or if it was cancelled)
    error: str | None = None
    started: float = field(default_factory=time.perf_counter)
    _cancel: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _phase: str = "queued"
    ran_at: float | None = None  # when it left the line

    def start(self) -> BackgroundJob:
        """Run in a background thread; returns self, so `job = ExperimentJob(...).start()`."""
        self._thread = threading.Thread(target=self._run, name="ask-next-experiment", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        line = self.queue or shared_queue()
        if not line.acquire(self, self._stopped):
            self._phase = "cancelled"
            return
        self._phase = "running"
        self.ran_at = time.perf_counter()
        try:
            self.result = self._work(min(self.jobs or usable_cores(), usable_cores()))
        except Exception as exc:  # reported on the page; the thread must not die silently
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            line.release(self)
            self._phase = "cancelled" if self._stopped() else "done"

    def _work(self, jobs: int) -> Any:
        """The job itself, in its thread once it has its turn, on at most `jobs` workers."""
        raise NotImplementedError

    def _stopped(self) -> bool:
        """Cancel was pressed, or the session that started the job has ended."""
        return self._cancel.is_set() or (self.alive is not None and not self.alive())

    @property
    def state(self) -> str:
        """queued, running, done or cancelled."""
        return self._phase

    @property
    def place(self) -> int:
        """Place in the server's line: 0 once running, 1 when next, …"""
        return (self.queue or shared_queue()).place(self) if self._phase == "queued" else 0

    def status(self) -> str:
        """The one status line a page shows beside Cancel."""
        if self._phase == "queued":
            n = self.place
            ahead = "next in line" if n <= 1 else f"number {n} in line"
            return f"Waiting for a free worker: {ahead} (other students' experiments run first)"
        if self._phase == "running" and not self.total:
            return (
                f"Fitting each seed's model on the whole pool (the target) · {self.elapsed_s:.0f} s"
            )
        if self._phase == "running":
            return f"{self.done} of {self.total or '…'} runs · {self.elapsed_s:.0f} s"
        return "Cancelled" if self._phase == "cancelled" else "Done"

    def _progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def cancel(self) -> None:
        """Stop after the runs in progress; the finished ones are kept."""
        self._cancel.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the job to end (tests and scripts); True when it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    @property
    def cancelled(self) -> bool:
        """True once Cancel was asked for."""
        return self._cancel.is_set()

    @property
    def running(self) -> bool:
        """True while the thread works."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def elapsed_s(self) -> float:
        """Seconds since the job was created."""
        return time.perf_counter() - self.started


@dataclass
class ExperimentJob(BackgroundJob):
    """Many seeds × strategies (`run_experiment`): Compare and the 5-seed bands. `result` is
    the Experiment."""

    config: Config
    strategies: Sequence[str]
    seeds: Sequence[int]
    budget: int
    target_share: float = 0.95

    def _work(self, jobs: int) -> Experiment:
        return run_experiment(
            self.config,
            list(self.strategies),
            list(self.seeds),
            self.budget,
            jobs=jobs,
            progress=self._progress,
            cancel=self._stopped,
            target_share=self.target_share,
            nice=BACKGROUND_NICE,
        )


@dataclass
class LessonCheck(BackgroundJob):
    """A lesson's claim checked in the background: `result` is the check's (holds, numbers)."""

    lesson: Lesson

    def _work(self, jobs: int) -> tuple[bool, str] | None:
        result = run_lesson(
            self.lesson,
            jobs=jobs,
            progress=self._progress,
            cancel=self._stopped,
            nice=BACKGROUND_NICE,
        )
        return None if result is None else self.lesson.check(result)
