"""Throwaway placeholder so the foundation tests have an app to run; will be replaced."""

import streamlit as st

st.set_page_config(page_title="Ask Next", layout="wide")
st.title("Ask Next")
