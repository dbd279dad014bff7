"""One BLAS thread for the small matrix work of a step.

On these 2-core machines a BLAS library's own threads make small operations slow and erratic
(measured: a 160² bilinear upsample took 270 ms with the default threads under load and 4.3 ms
with one). Work here is many small operations, and parallelism comes from processes instead.
"""

from __future__ import annotations

from threadpoolctl import ThreadpoolController

_CONTROLLER = ThreadpoolController()


def one_blas_thread():
    """Context manager: BLAS single-threaded inside the block."""
    return _CONTROLLER.limit(limits=1, user_api="blas")


def limit_process() -> None:
    """BLAS single-threaded for the rest of this process (the app server, CLI workers)."""
    _CONTROLLER.limit(limits=1, user_api="blas")
