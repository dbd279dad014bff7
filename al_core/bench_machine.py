"""What the bench's figures were measured on: cores, versions, load, and the CPU two processes
really get, which caps any parallel speedup."""

from __future__ import annotations

import os
import platform
import time
from typing import Any

import numpy as np


def _burn(n: int = 3_000_000) -> float:
    """Pure-Python work with no shared state: the seconds it takes measure free CPU."""
    start = time.perf_counter()
    total = 0
    for i in range(n):
        total += i
    return time.perf_counter() - start


def parallel_capacity() -> float:
    """How many cores' worth of CPU two worker processes get right now: 2.0 on an idle 2-core
    machine, near 1.0 when other programs already keep a core busy. The compare speedup cannot
    exceed it, so it is printed next to that figure."""
    from joblib.externals.loky import get_reusable_executor

    executor = get_reusable_executor(max_workers=2)
    try:
        list(executor.map(_burn, [10, 10]))  # start both workers
        alone = float(np.median([_burn() for _ in range(3)]))
        together = [f.result() for f in [executor.submit(_burn) for _ in range(2)]]
    finally:  # a bare loky executor left running would be picked up, unfit, by joblib
        executor.shutdown(wait=True)
    return 2 * alone / float(np.mean(together))


def load() -> list[float] | None:
    """The 1, 5 and 15-minute load averages, or None where the system has none."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine() -> dict[str, Any]:
    """Cores, versions, load and parallel capacity: what a reader needs to weigh the seconds."""
    import sklearn

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "parallel_capacity": parallel_capacity(),
        "load_before": load(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit_learn": sklearn.__version__,
    }
