"""Everything the browser draws: the map, the fast site layer, basemaps, display shifts (pure: no Streamlit)."""
