"""Streamlit helpers shared by the pages: the store handle, cached metric calls, filters, tiles.

The only package besides pages/ and app.py that imports streamlit.
"""
