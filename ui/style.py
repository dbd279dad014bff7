"""Page-wide CSS: a calm classroom look, and presenter mode for the back of the room."""

from __future__ import annotations

import streamlit as st

from al_core.present.figures import Style

BASE_CSS = """
<style>
.block-container {padding-top: 2.2rem; padding-bottom: 1rem;}
[data-testid="stMetricValue"] {font-variant-numeric: tabular-nums;}
div[data-testid="stButton"] button {min-height: 2.6rem;}
</style>
"""
PRESENTER_CSS = """
<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], footer {display: none !important;}
.block-container {padding: 0.8rem 1.2rem 0.5rem 1.2rem; max-width: 100%;}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {font-size: 3rem !important; font-weight: 600;
  line-height: 1.15;}
[data-testid="stMetricLabel"] p {font-size: 1.25rem !important;}
div[data-testid="stButton"] button {min-height: 3rem;}
div[data-testid="stButton"] button p {font-size: 1.2rem;}
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] {font-size: 1.1rem;}
</style>
"""


def apply(presenter: bool) -> None:
    st.html(BASE_CSS + (PRESENTER_CSS if presenter else ""))


def chart_style() -> Style:
    return Style.presenter() if st.session_state.get("presenter") else Style()
