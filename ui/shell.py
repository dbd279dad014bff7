"""What every page needs before it draws: the router's work, even on a legacy first route.

With a `pages/` folder, a freshly started server may run a deep-linked page *without* app.py
(Streamlit's legacy route). `ensure_routed()` notices that and runs the router itself, which then
runs this page through `st.navigation`, so the page always finds its state and sidebar.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

ROUTED = "_routed"
APP = Path(__file__).resolve().parent.parent / "app.py"


def ensure_routed() -> None:
    """Call first in every page: a no-op under the router, the router itself otherwise."""
    if st.session_state.get(ROUTED):
        return
    import runpy

    runpy.run_path(str(APP), run_name="__ask_next_router__")
    st.stop()  # the router has already run (and drawn) the page
