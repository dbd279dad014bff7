"""Compare page (being built)."""

import streamlit as st

from ui import shell

shell.ensure_routed()
st.title("Compare")
st.info("This page is on its way.")
