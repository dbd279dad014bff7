"""One BLAS thread for the small matrix work of a step.

On these 2-core machines a BLAS library's own threads make small operations slow and erratic
(measured: a 160² bilinear upsample took 270 ms with the default threads under load and 4.3 ms
with one). Work here is many small operations, and parallelism comes from processes instead.
"""

from __future__ import annotations

import contextlib

from threadpoolctl import ThreadpoolController

_CONTROLLER = ThreadpoolController()
_process_limited = False


def one_blas_thread():
    """Context manager: BLAS single-threaded inside the block (free once the process is)."""
    if _process_limited:  # entering a limit costs 10-40 µs: a step enters several
        return contextlib.nullcontext()
    return _CONTROLLER.limit(limits=1, user_api="blas")


def limit_process() -> None:
    """BLAS single-threaded for the rest of this process (the app server, CLI workers)."""
    global _process_limited
    _CONTROLLER.limit(limits=1, user_api="blas")
    _process_limited = True
