"""Streamlit pages and the pieces they share (with app.py, the only code importing streamlit)."""
