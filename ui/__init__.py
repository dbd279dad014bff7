"""Streamlit glue shared by the router and the pages: state, kept runs, sidebar, styles."""
