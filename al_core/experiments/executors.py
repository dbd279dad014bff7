"""Where an experiment's tasks run: in this process, in local loky workers, or on a Dask cluster.

`executor` gives one interface to all three (run a function over argument tuples, outcomes as
they finish) and `until_cancelled` stops reading them on Cancel. Local workers are set up by
their first task: niced for background work, and gone within a second of the process they work
for. A Dask cluster is reached within a deadline and probed before any task is sent, so a bad
address or a cluster without this project fails in one line instead of hanging.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def until_cancelled(
    cancel: Callable[[], bool] | None, outcomes: Iterable[T], total: int
) -> Iterator[T]:
    """The outcomes as they come, until `cancel()` turns true between two of them (never after
    the last). Leaving early closes a joblib generator, which cancels the tasks not started."""
    try:
        for n, outcome in enumerate(outcomes, 1):
            yield outcome
            if cancel is not None and n < total and cancel():
                return
    finally:
        close = getattr(outcomes, "close", None)
        if close is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # "... executed but not used"
                close()


def check_backend(backend: str | None, scheduler: str | None) -> str | None:
    """The joblib backend to use (an address alone means dask); ValueError naming a bad one."""
    from joblib.parallel import BACKENDS, EXTERNAL_BACKENDS

    if scheduler and backend is None:
        backend = "dask"
    if scheduler and backend != "dask":
        raise ValueError(f"scheduler only goes with backend dask (got backend {backend!r})")
    accepted = sorted(set(BACKENDS) | set(EXTERNAL_BACKENDS))
    if backend is not None and backend not in accepted:
        raise ValueError(f"unknown backend {backend!r} (accepted: {', '.join(accepted)})")
    return backend


# Runs `fn` on each argument tuple; yields the outcomes as they finish, in any order.
Executor = Callable[[Callable[..., T], Iterable[tuple]], Iterator[T]]


@contextlib.contextmanager
def executor(
    jobs: int, backend: str | None = None, scheduler: str | None = None, nice: int = 0
) -> Iterator[Executor]:
    """An Executor: in this process for one job and no backend, else through joblib (local
    workers at `nice` lower priority, one BLAS thread each; or a Dask cluster)."""
    if jobs == 1 and backend is None:
        yield lambda fn, args: (fn(*a) for a in args)
        return
    from joblib import Parallel, delayed, parallel_config

    options: dict[str, Any] = {}
    client = None
    local = backend in (None, "loky")  # worker processes of this machine: they may be niced
    if backend == "dask":
        client = _dask_client(scheduler)
        options["client"] = client
    elif local:
        options["inner_max_num_threads"] = 1  # BLAS in each worker: one thread
    try:
        with parallel_config(backend=backend or "loky", **options):

            def execute(fn: Callable[..., T], args: Iterable[tuple]) -> Iterator[T]:
                if local:
                    home = os.getpid()
                    calls = (delayed(_in_worker)(home, nice, fn, *a) for a in args)
                else:
                    calls = (delayed(fn)(*a) for a in args)
                try:
                    parallel = Parallel(n_jobs=jobs, batch_size=1, return_as="generator_unordered")
                except ValueError:  # a backend that cannot stream: progress comes at the end
                    return iter(Parallel(n_jobs=jobs, batch_size=1)(calls))
                return parallel(calls)

            yield execute
    finally:
        if client is not None and scheduler:
            client.close()


_niceness_added = 0  # in a worker process: how much `_in_worker` has lowered its priority
_watched_parent: int | None = None  # in a worker process: the parent it exits without


def _in_worker(home: int, nice: int, fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in a local worker process, set up by its first task: it exits when its parent
    is gone, and runs at a priority lowered by `nice` (once per process: a niced worker stays
    niced for the pool's life, since only root may raise a priority again). In `home`, the
    caller's own process (joblib runs one job there), it only runs `fn`."""
    global _niceness_added, _watched_parent
    if os.getpid() == home:
        return fn(*args)
    if _watched_parent is None:
        _watched_parent = os.getppid()
        _exit_with_parent(_watched_parent)
    if nice > _niceness_added:
        with contextlib.suppress(OSError):  # a platform without nice runs at normal priority
            os.nice(nice - _niceness_added)
        _niceness_added = nice
    return fn(*args)


def _exit_with_parent(parent: int, every_s: float = 1.0) -> None:
    """Leave this worker when `parent` dies. A server killed mid-comparison (or one whose exit
    waited too long for a run to finish) left its loky workers behind: 200 MB each, a run's
    worth of CPU for nobody, and still there an hour later."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every_s)
        os._exit(0)

    threading.Thread(target=watch, name="ask-next-parent-watch", daemon=True).start()


def _dask_client(scheduler: str | None) -> Any:
    try:
        from distributed import Client, get_client
    except ImportError as exc:
        raise ValueError("backend dask needs dask[distributed] installed") from exc
    if not scheduler:
        try:
            client = get_client()
        except ValueError as exc:
            raise ValueError("backend dask needs a scheduler address (tcp://host:8786)") from exc
        _check_cluster(
            client, str(client.scheduler.address)
        )  # the caller's client: theirs to close
        return client
    client = _connect(Client, scheduler)
    try:
        _check_cluster(client, scheduler)
    except BaseException:
        client.close()
        raise
    return client


def _check_cluster(client: Any, scheduler: str) -> None:
    """Refuse a cluster that cannot run this project's tasks, before sending any.

    A scheduler or worker started where `al_core` cannot be imported fails to read the task
    graph, and joblib then waits for results that never come: the CLI hung with no message. A
    standard-library probe, which any Python can unpickle, asks each of them first."""
    from importlib.util import find_spec

    try:
        on_workers = client.run(find_spec, "al_core", wait=True)
        on_scheduler = client.run_on_scheduler(find_spec, "al_core")
    except Exception as exc:
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise ValueError(
            f"the Dask cluster at {scheduler!r} did not answer a probe ({reason})"
        ) from None
    if not on_workers:
        raise ValueError(f"the Dask cluster at {scheduler!r} has no workers")
    workers = sum(spec is None for spec in on_workers.values())
    where = ["the scheduler"] if on_scheduler is None else []
    where += [f"{workers} of {len(on_workers)} workers"] if workers else []
    if where:
        raise ValueError(
            f"al_core cannot be imported on {' and '.join(where)} at {scheduler!r}: "
            "start them with this project on PYTHONPATH"
        )


# A scheduler answers its handshake in well under a second on a LAN; the CLI's start-up and
# distributed's import take about 2.5 s more, so a bad address fails inside 10 s even when
# the machine is busy (7.8 s end to end at 5 s on an idle machine, 6.1 s at 3 s).
DASK_CONNECT_S = 3.0


def _connect(client_class: Any, scheduler: str) -> Any:
    """A Dask client within DASK_CONNECT_S seconds, or one ValueError.

    `Client(timeout=...)` bounds the TCP connect only: a server that accepts and never answers
    the handshake held the CLI for minutes, so the client is built in a daemon thread that is
    abandoned at the deadline. distributed's own logging is silenced meanwhile (its retries and
    a half-built client's `__del__` printed a stack of noise after a bad address)."""
    import logging

    box: dict[str, Any] = {}

    def build() -> None:
        try:
            box["client"] = client_class(
                scheduler, set_as_default=False, timeout=f"{DASK_CONNECT_S - 1:g}s"
            )
        except BaseException as exc:  # reported to the caller below
            box["error"] = exc

    quiet = [logging.getLogger(n) for n in ("distributed", "tornado", "asyncio")]
    levels = [log.level for log in quiet]
    for log in quiet:
        log.setLevel(logging.CRITICAL + 1)
    try:
        thread = threading.Thread(target=build, name="ask-next-dask-connect", daemon=True)
        thread.start()
        thread.join(DASK_CONNECT_S)
    finally:
        if "client" in box:
            for log, level in zip(quiet, levels, strict=True):
                log.setLevel(level)
    if "client" in box:
        return box["client"]
    exc = box.get("error")
    reason = (
        f"no answer within {DASK_CONNECT_S:g} s"
        if exc is None
        else (str(exc).splitlines() or [type(exc).__name__])[0]
    )
    raise ValueError(f"cannot reach the Dask scheduler at {scheduler!r} ({reason})") from None
