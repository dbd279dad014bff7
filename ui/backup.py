"""Nothing a person labeled is lost by accident: a run that holds their labels is kept when
something replaces or resets it, with "Bring it back" and "Forget it".

Labels a person gave (step source "you") cost their time; a simulated run can be rebuilt from
its configuration, a person's answers cannot. So every way a run goes away (a sidebar change in
`state.learner()`, a CSV or session upload, Reset on Explore) calls `keep` first. One backup is
kept per session: the most recent run with labels by you.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from al_core.labeling import count_labels, labels_by_you
from al_core.learner import Learner
from ui import state  # state.learner() calls keep(): the two modules import each other

KEY = "lb_backup"
# What rebuilds the sidebar's "Your CSV" choice: a kept run on an uploaded dataset needs it back
UPLOAD_KEYS = (
    "upload_dataset",
    "upload_bytes",
    "upload_label_column",
    "upload_name",
    "upload_columns",
    "upload_guess",
)


@dataclass
class Backup:
    """A run the person put labels into, the uploaded data it was built on, and why it was kept."""

    run: Learner
    upload: dict[str, Any] | None
    reason: str


def keep(run: Learner | None, reason: str, snapshot: bool = False) -> bool:
    """Remember `run` before it is replaced, if it holds labels by you; True when it was kept.

    `snapshot=True` keeps a copy instead, for a run about to be changed in place (Reset); the
    dataset stays shared, so an uploaded run still recognises its data when it comes back.
    """
    if run is None or labels_by_you(run) == 0:
        return False
    if snapshot:
        run = copy.deepcopy(run, memo={id(run.dataset): run.dataset})
    ss = st.session_state
    upload = {k: ss.get(k) for k in UPLOAD_KEYS} if run.config.dataset == "upload" else None
    ss[KEY] = Backup(run, upload, reason)
    return True


def restore(say: Callable[[str], None] | None = None) -> None:
    """Bring back the kept run; the current one is kept in its place if it holds your labels."""
    b = st.session_state.pop(KEY, None)
    if b is None:
        return
    keep(st.session_state.get("learner"), "swapped for the run you brought back")
    if b.upload is not None:
        st.session_state.update(b.upload)
    state.replace_learner(b.run)
    message = f"Brought back the run with {count_labels(labels_by_you(b.run))} by you."
    if say is None:
        st.toast(message, icon=":material/undo:")
    else:
        say(message)


def forget() -> None:
    """Drop the kept run: the person has said they do not need it."""
    st.session_state.pop(KEY, None)


def notice(say: Callable[[str], None] | None = None) -> None:
    """The kept run, if any, with its two buttons. `say` reports the restore (a toast without)."""
    b = st.session_state.get(KEY)
    if b is None:
        return
    with st.container(border=True):
        n = count_labels(labels_by_you(b.run))
        st.markdown(f"Your previous run, with **{n} by you**, was kept ({b.reason}).")
        c = st.columns(2)
        c[0].button(
            "Bring it back", key="lb_restore", on_click=restore, args=(say,), width="stretch"
        )
        c[1].button("Forget it", key="lb_dismiss", on_click=forget, width="stretch")
