"""One thread for the small numeric work of a step: BLAS and OpenMP alike.

On these 2-core machines a library's own threads make small operations slow and erratic
(measured: a 160² bilinear upsample took 270 ms with the default threads under load and 4.3 ms
with one; the same 100-point logistic-regression fit 1.7–25 ms with two threads, 1.3 ms with
one). The work here is many small operations, and parallelism comes from processes instead.
This is the only place that limits threads: the app and every worker call `limit_process` once,
and code that may run elsewhere (tests, a notebook) wraps its work in `one_thread()`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from threadpoolctl import ThreadpoolController

_CONTROLLER = ThreadpoolController()
_process_limited = False


_depth = 0  # one_thread blocks open right now (the limit is process-wide anyway)


@contextlib.contextmanager
def _limited() -> Iterator[None]:
    global _depth
    if _depth:  # already inside one: a step nests four (suggest, utility, fit, score)
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
        return
    with _CONTROLLER.limit(limits=1):
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1


def one_thread() -> contextlib.AbstractContextManager:
    """Context manager: one BLAS and OpenMP thread inside the block; free when nested or once
    the process is limited (entering a limit measured 0.1-1 ms per block under load, a third
    of a logistic-regression step's overhead)."""
    if _process_limited:
        return contextlib.nullcontext()
    return _limited()


def limit_process() -> None:
    """One thread for the rest of this process (the app server, CLI workers)."""
    global _process_limited
    _CONTROLLER.limit(limits=1)
    _process_limited = True
