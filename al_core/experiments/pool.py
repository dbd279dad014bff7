"""One bounded, fair line for a server's background experiments.

Compare, the 5-seed bands on Explore and lesson checks each start an ExperimentJob. Started
freely, five students' comparisons meant five experiments × two worker processes fighting over
two cores while thirty others stepped. Here at most `slots` experiments run at once (one by
default), each on the process's one warm loky pool of at most one worker per core (joblib keeps
that executor alive between experiments, so no request pays for starting processes), and the
rest wait in line. The next to run comes from the session that has had the fewest turns, so one
student's ten comparisons never hold a class's one back; within a session, first come first
served.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from typing import Any


def usable_cores() -> int:
    """Cores this process may run on (the affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class FairQueue:
    """Jobs wait in `acquire` until they are picked; `place` says where each one stands."""

    def __init__(self, slots: int = 1):
        self.slots = max(1, int(slots))
        self._cond = threading.Condition()
        self._waiting: list[Any] = []
        self._running: list[Any] = []
        self._turns: Counter[str] = Counter()

    def acquire(self, job: Any, cancelled: Any) -> bool:
        """Block until `job` may run (True) or `cancelled()` turns true first (False)."""
        with self._cond:
            self._waiting.append(job)
            try:
                while not cancelled():
                    if len(self._running) < self.slots and self._next() is job:
                        self._waiting.remove(job)
                        self._running.append(job)
                        self._turns[job.session] += 1
                        return True
                    self._cond.wait(0.2)  # also wakes for a Cancel, which sets no condition
                return False
            finally:
                if job in self._waiting:
                    self._waiting.remove(job)
                self._cond.notify_all()

    def release(self, job: Any) -> None:
        """The job ended: its slot goes to the next in line."""
        with self._cond:
            if job in self._running:
                self._running.remove(job)
            self._cond.notify_all()

    def _next(self) -> Any:
        # Fewest turns first; ties by arrival. min() keeps the first of equals.
        return min(self._waiting, key=lambda j: self._turns[j.session]) if self._waiting else None

    def place(self, job: Any) -> int:
        """0 while running (or not in line), else 1 for next, 2 after that, …"""
        with self._cond:
            if job not in self._waiting:
                return 0
            order = sorted(
                range(len(self._waiting)),
                key=lambda i: (self._turns[self._waiting[i].session], i),
            )
            return 1 + [self._waiting[i] for i in order].index(job)


_SHARED: FairQueue | None = None
_LOCK = threading.Lock()


def shared_queue() -> FairQueue:
    """The server's one line (created on first use)."""
    global _SHARED
    with _LOCK:
        if _SHARED is None:
            _SHARED = FairQueue(slots=1)
        return _SHARED
