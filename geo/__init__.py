"""Pure geographic helpers: coordinate systems, base geography, towns.

Nothing in this package imports Streamlit or a database driver.
"""
