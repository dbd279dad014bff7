"""The kept runs on the page: one line each, newest first, with "Bring it back" and "Forget it"."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from al_core.formats.session import history_json
from al_core.loop.replay import replay_dict
from al_core.present.labeling import count_labels
from al_core.present.safe_text import plain
from ui import backup, state
from ui.downloads import download


def restore(index: int, say: Callable[[str], None] | None = None) -> None:
    """Bring back a kept run (rebuilt by the one replay path); the current one is kept in its
    place if it holds labels by you."""
    entry = backup.take(index)
    if entry is None:
        return
    backup.keep(st.session_state.get("learner"), "swapped for the run you brought back")
    if entry.upload is not None:
        st.session_state.update(entry.upload)
    dataset = entry.upload["upload_dataset"] if entry.upload is not None else None
    state.replace_learner(replay_dict(entry.run, dataset))
    message = f"Brought back the run with {count_labels(entry.by_you)} by you."
    if say is None:
        st.toast(message, icon=":material/undo:")
    else:
        say(message)


def notice(say: Callable[[str], None] | None = None) -> None:
    """The kept runs, if any. `say` reports a restore (a toast without)."""
    runs = backup.kept()
    if not runs:
        return
    with st.container(border=True):
        for i, entry in enumerate(runs):
            # the words above, the buttons in a row that wraps: whole labels in a narrow column
            st.markdown(
                f"A run with **{count_labels(entry.by_you)} by you** ({entry.labels} labels in "
                f"all) was kept ({plain(entry.reason)})."
            )
            row = st.container(horizontal=True, gap="small")
            if entry.whole:
                row.button(
                    "Bring it back",
                    key=f"lb_restore_{i}",
                    on_click=restore,
                    args=(i, say),
                )
            else:  # too costly to rebuild here: it goes home whole, as a session file
                download(
                    row,
                    "Download it",
                    lambda e=entry: history_json(e.run, e.labels, e.upload),
                    "ask-next-session.json",
                    key=f"lb_download_{i}",
                    icon=":material/download:",
                    help="The whole run as a session file, every label in it.",
                )
            row.button("Forget it", key=f"lb_dismiss_{i}", on_click=backup.forget, args=(i,))
