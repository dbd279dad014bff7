"""A one-line status under a page's controls: what the last action did, or why it did nothing.

Actions run as widget callbacks, before the page draws; they cannot draw themselves, so they
leave their message here and the page shows it once (`show`) where the person is looking.
"""

from __future__ import annotations

import streamlit as st

TEXT, WARN = "lb_status", "lb_warn"


def say(text: str = "", warn: str = "") -> None:
    """Leave a message for the next draw (a warning for an action that did nothing)."""
    st.session_state[TEXT], st.session_state[WARN] = text, warn


def show() -> None:
    """Draw the pending message once; it is gone on the next rerun."""
    ss = st.session_state
    if warn := ss.pop(WARN, ""):
        st.warning(warn)
    if text := ss.pop(TEXT, ""):
        st.caption(text)
