"""Documents made from the metrics: the regulator forms (XLSX, HTML, PDF) and the post-recall review
(HTML, PDF) of docs/regulator-reports.md.

Above metrics/ and beside ui/: imports metrics and store, never streamlit, so that the command line
(``python -m metrics regulator|review``) and the Reports page make the same files.
"""
