"""Page-wide CSS: a calm classroom look, and presenter mode for the back of the room."""

from __future__ import annotations

import streamlit as st

from al_core.figures import Style

BASE_CSS = """
<style>
.block-container {padding-top: 2.2rem; padding-bottom: 1rem;}
[data-testid="stMetricValue"] {font-variant-numeric: tabular-nums;}
div[data-testid="stButton"] button {min-height: 2.6rem;}
</style>
"""
PRESENTER_CSS = """
<style>
html, body, [class*="st-"] {font-size: 20px;}
header[data-testid="stHeader"], [data-testid="stToolbar"], footer {display: none !important;}
.block-container {padding-top: 0.6rem; max-width: 100%;}
[data-testid="stMetricValue"] {font-size: 2.6rem;}
[data-testid="stMetricLabel"] p {font-size: 1.2rem;}
div[data-testid="stButton"] button {min-height: 3.2rem; font-size: 1.25rem;}
</style>
"""


def apply(presenter: bool) -> None:
    st.html(BASE_CSS + (PRESENTER_CSS if presenter else ""))


def chart_style() -> Style:
    return Style.presenter() if st.session_state.get("presenter") else Style()
