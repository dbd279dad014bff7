"""Background experiments as the pages start and show them: one per purpose per session, in the
server's fair line, with one status line and a Cancel."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from al_core.experiments.jobs import ExperimentJob


def session_id() -> str:
    """This browser session's id: the line takes turns between sessions."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "local"


def start(job: ExperimentJob) -> ExperimentJob:
    """Tag the job with this session and start it (it waits for its turn in the line)."""
    job.session = session_id()
    return job.start()


def status(job: ExperimentJob, key: str) -> None:
    """While queued or running: the job's one status line (its place in line, or its progress)
    and a Cancel that reaches it in any phase."""
    if job.state == "running" and job.total:
        st.progress(job.done / job.total, text=job.status())
    else:
        st.caption(job.status())
    if st.button("Cancel", key=key):
        job.cancel()
