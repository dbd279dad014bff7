"""Background experiments as the pages start and show them: one per purpose per session, in the
server's fair line, with one status line and a Cancel."""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from al_core.experiments.jobs import BackgroundJob


def session_id() -> str:
    """This browser session's id: the line takes turns between sessions."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "local"


# A refresh drops the websocket for a moment and then resumes the same session: only a session
# gone for this long (a closed tab, a lost laptop) stops its experiments.
SESSION_GONE_S = 10.0


def _session_alive(sid: str) -> Callable[[], bool] | None:
    """True while the browser session `sid` is connected, or was within SESSION_GONE_S; None
    where no server runs (AppTest, scripts): then only Cancel stops a job."""
    if not Runtime.exists():
        return None
    runtime = Runtime.instance()
    last_seen = time.monotonic()

    def alive() -> bool:
        nonlocal last_seen
        if runtime.is_active_session(sid):
            last_seen = time.monotonic()
            return True
        return time.monotonic() - last_seen < SESSION_GONE_S

    return alive


def start(job: BackgroundJob) -> BackgroundJob:
    """Tag the job with this session and start it (it waits for its turn in the line, and
    stops if the session ends)."""
    job.session = session_id()
    job.alive = _session_alive(job.session)
    return job.start()


def status(job: BackgroundJob, key: str) -> None:
    """While queued or running: the job's one status line (its place in line, or its progress)
    and a Cancel that reaches it in any phase."""
    if job.state == "running" and job.total:
        st.progress(job.done / job.total, text=job.status())
    else:
        st.caption(job.status())
    if st.button("Cancel", key=key):
        job.cancel()
