"""Runs that hold labels a person gave, kept whenever something would replace or reset them.

Labels a person gave (step source "you") cost their time; a simulated run can be rebuilt from
its configuration, a person's answers cannot. So every way a run goes away (a sidebar change in
`state.learner()`, a CSV or session upload, a lesson, Reset) calls `keep` first. The kept runs
form a short list, newest first, each stored as its compact history (`Learner.to_dict()`), so
bringing one back goes through the one replay path. `ui.kept_runs` draws the list.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import streamlit as st

from al_core.loop import Learner
from al_core.present.labeling import labels_by_you

KEY = "lb_kept"
LIMIT = 20  # far more than anyone juggles; beyond it the oldest goes, and the person is told
# What rebuilds the sidebar's "Your CSV" choice: a kept run on an uploaded dataset needs it back
UPLOAD_KEYS = (
    "upload_dataset",
    "upload_bytes",
    "upload_label_column",
    "upload_name",
    "upload_columns",
    "upload_guess",
)


@dataclass(frozen=True)
class Kept:
    """A run the person put labels into, the uploaded data it was built on, and why it was kept."""

    run: dict[str, Any]
    upload: dict[str, Any] | None
    reason: str
    by_you: int
    labels: int
    at: float
    whole: bool = True  # False: too costly to rebuild here, so it can only be downloaded

    @property
    def fingerprint(self) -> str:
        """Two kept runs with the same history are the same run."""
        import json

        return json.dumps(self.run, sort_keys=True)


def kept() -> list[Kept]:
    """The kept runs, newest first."""
    return st.session_state.setdefault(KEY, [])


def keep(run: Learner | None, reason: str) -> bool:
    """Remember `run` before it is replaced or reset, if it holds labels by you; True when it was
    kept. The same run kept twice is one entry (moved to the front)."""
    if run is None or labels_by_you(run) == 0:
        return False
    ss = st.session_state
    upload = {k: ss.get(k) for k in UPLOAD_KEYS} if run.config.dataset == "upload" else None
    entry = Kept(run.to_dict(), upload, reason, labels_by_you(run), run.n_labeled, time.time())
    runs = [k for k in kept() if k.fingerprint != entry.fingerprint]
    runs.insert(0, entry)
    if len(runs) > LIMIT:
        dropped = runs.pop()
        st.toast(
            f"Only {LIMIT} runs are kept: the oldest, with {dropped.by_you} labels by you, "
            "was let go.",
            icon=":material/delete:",
        )
    ss[KEY] = runs
    return True


def keep_history(run: dict[str, Any], n_labeled: int, reason: str) -> None:
    """Keep a run's history that was not (all) rebuilt here, such as a link too long to replay
    within the budget: it can be downloaded as a session file, whole."""
    by_you = sum(len(s[0]) for s in run.get("steps", []) if s[2] == "you")
    entry = Kept(run, None, reason, by_you, n_labeled, time.time(), whole=False)
    st.session_state[KEY] = [entry, *kept()][:LIMIT]


def take(index: int) -> Kept | None:
    """Remove and return the kept run at `index` (None if there is none)."""
    runs = kept()
    return runs.pop(index) if 0 <= index < len(runs) else None


def forget(index: int) -> None:
    """Drop a kept run: the person has said they do not need it."""
    take(index)
