"""Ask Next — the router: page setup, shared state and sidebar, then the chosen page."""

import streamlit as st

from al_core.threads import limit_process
from ui import sidebar, state, style

limit_process()  # small fits and grids: extra threads only add contention on a shared server

# A projector link (?present=1) opens with the sidebar out of the way.
presenting = st.query_params.get("present") == "1" or st.session_state.get("presenter", False)
st.set_page_config(
    page_title="Ask Next",
    page_icon="❓",
    layout="wide",
    initial_sidebar_state="collapsed" if presenting else "auto",
)

PAGES = [
    st.Page("app_pages/explore.py", title="Explore", icon=":material/scatter_plot:", default=True),
    st.Page("app_pages/label.py", title="Label", icon=":material/touch_app:", url_path="label"),
    st.Page(
        "app_pages/compare.py",
        title="Compare",
        icon=":material/stacked_line_chart:",
        url_path="compare",
    ),
    st.Page("app_pages/learn.py", title="Learn", icon=":material/school:", url_path="learn"),
    # A student's phone, reached by a room's link or QR code: not in the menu.
    st.Page("app_pages/join.py", title="Join a room", url_path="join", visibility="hidden"),
]

# In presenter mode the pages move into the header: the sidebar may be closed on a projector.
page = st.navigation(PAGES, position="top" if presenting else "sidebar")
if page.url_path == "join":  # a phone in a room: no run, no sidebar, no address rewriting
    page.run()
    st.stop()
state.init()
state.apply_query_params()
sidebar.render()
style.apply(presenter=st.session_state.presenter)
style.exit_presenter()
state.show_url_warnings()
state.full_run_started()  # this run draws everything: a fragment need not ask for it again
page.run()
state.sync_url()
