"""An experiment in the background: the Compare page, the 5-seed bands and lesson checks start
one and poll it, so the page stays usable; `cancel()` stops it between runs and keeps what
finished.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from al_core.experiments.results import Experiment
from al_core.experiments.runner import run_experiment
from al_core.loop.config import Config


@dataclass
class ExperimentJob:
    """One experiment in a background thread; safe to poll from the UI at any time."""

    config: Config
    strategies: Sequence[str]
    seeds: Sequence[int]
    budget: int
    jobs: int = 2
    target_share: float = 0.95
    done: int = 0
    total: int = 0
    result: Experiment | None = None
    error: str | None = None
    started: float = field(default_factory=time.perf_counter)
    _cancel: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> ExperimentJob:
        """Run in a background thread; returns self, so `job = ExperimentJob(...).start()`."""
        self._thread = threading.Thread(target=self._run, name="ask-next-experiment", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self.result = run_experiment(
                self.config,
                list(self.strategies),
                list(self.seeds),
                self.budget,
                jobs=self.jobs,
                progress=self._progress,
                cancel=self._cancel.is_set,
                target_share=self.target_share,
            )
        except Exception as exc:  # reported on the page; the thread must not die silently
            self.error = f"{type(exc).__name__}: {exc}"

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
