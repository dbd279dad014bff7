"""Page-wide CSS: a calm classroom look, and presenter mode for the back of the room."""

from __future__ import annotations

import streamlit as st

from al_core.present.figures import Style

BASE_CSS = """
<style>
.block-container {padding-top: 2.2rem; padding-bottom: 1rem;}
[data-testid="stMetricValue"] {font-variant-numeric: tabular-nums;}
div[data-testid="stButton"] button {min-height: 2.6rem;}
/* "Why this point?": its five columns fit the narrow column beside the plane, headers wrap */
[data-testid="stExpander"] table {table-layout: fixed; width: 100%; font-size: 0.8rem;}
[data-testid="stExpander"] th, [data-testid="stExpander"] td {padding: 0.3rem 0.3rem;
  overflow-wrap: anywhere;}
</style>
"""
# The header stays: it holds the pages (navigation moves there) and the sidebar's button, the
# ways to change page and to leave presenter mode; only the app's own toolbar menu goes.
PRESENTER_CSS = """
<style>
[data-testid="stMainMenu"], [data-testid="stAppDeployButton"], footer {display: none !important;}
.block-container {padding: 3.9rem 1.2rem 0.5rem 1.2rem; max-width: 100%;}
.st-key-exit_presenter {position: fixed; top: 0.55rem; right: 1rem; z-index: 1000002;}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {font-size: 3rem !important; font-weight: 600;
  line-height: 1.15;}
[data-testid="stMetricLabel"] p {font-size: 1.25rem !important;}
div[data-testid="stButton"] button {min-height: 3rem;}
div[data-testid="stButton"] button p {font-size: 1.2rem;}
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] {font-size: 1.1rem;}
</style>
"""


def apply(presenter: bool) -> None:
    """The page's CSS, with presenter mode's large type when it is on."""
    st.html(BASE_CSS + (PRESENTER_CSS if presenter else ""))


def exit_presenter() -> None:
    """In presenter mode, a button at the top that leaves it (the sidebar may be closed)."""
    if not st.session_state.get("presenter"):
        return
    st.button(
        "Exit presenter mode",
        key="exit_presenter",
        type="tertiary",
        icon=":material/fullscreen_exit:",
        on_click=_leave,
        help="Back to normal type and the sidebar.",
    )


def _leave() -> None:
    st.session_state.presenter = False


def chart_style() -> Style:
    """The charts' sizes: presenter mode's for the back of a room, else a laptop's."""
    return Style.presenter() if st.session_state.get("presenter") else Style()
