"""Streamlit glue shared by the router and the pages: state, sidebar, page shell, styles."""
