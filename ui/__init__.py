"""Streamlit pages and the pieces they share (the only package importing streamlit besides app.py)."""
