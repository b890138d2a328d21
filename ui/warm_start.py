"""What the first visitor's run would otherwise pay once per server process, done when the server
starts (serve.py): the first paint of a freshly started server is a page a person waits for.

- the modules the pages import, and Plotly's figure classes, which Plotly loads on a figure's first
  use of each (bars, shapes, annotations, axes, legends: 0.1–0.2 s on this project's machine);
- ``streamlit.emojis``, which Streamlit loads on the first ``st.set_page_config`` to check the
  page icon (0.15 s);
- pyarrow, through which DuckDB hands every result to polars (``.pl()``): imported on the first
  read of the process (0.09 s, before the first visit's tiles), so an in-memory query (not the
  store) makes that first hand-over here;
- Streamlit's check, on a process's first element, that the script runs under ``streamlit run``:
  it inspects the whole call stack, reading the source of every frame (0.1–0.2 s). serve.py is
  only ever run by ``streamlit run``, so the check is marked done.
- pandas (and pyarrow.compute), through which ``st.dataframe`` hands over a polars frame: imported
  on a process's first table (0.2–0.3 s of the first visit's second run, which draws the tables:
  ui/first_paint.py);
- the garbage collector's full pass that Streamlit makes after every script run
  (``runner.postScriptGC``): it walks every object alive, about 174,000 once the modules are
  imported (0.09 s), holding the interpreter while the run's last messages wait to be sent.
  ``gc.freeze()`` at the end of start-up moves those objects (modules, classes, Plotly's
  validators: alive as long as the process) out of its walk; what runs create is still collected.
Nothing here reads the store: the first run's numbers are still computed for that run.
"""

from __future__ import annotations

import gc
import time
from datetime import date


def warm() -> None:
    import duckdb
    import plotly.graph_objects as go
    import plotly.tools
    import polars as pl
    import streamlit.delta_generator
    import streamlit.emojis  # noqa: F401
    import streamlit.runtime.scriptrunner.magic_funcs  # noqa: F401 (a script's magic)
    from streamlit import dataframe_util

    import ui.charts  # noqa: F401
    import ui.drill  # noqa: F401
    import ui.export  # noqa: F401
    import ui.filters  # noqa: F401
    import ui.first_paint  # noqa: F401
    import ui.replay  # noqa: F401
    import ui.sample  # noqa: F401
    import ui.tables  # noqa: F401
    import ui.tiles  # noqa: F401

    streamlit.delta_generator._use_warning_has_been_displayed = True
    time.strptime("2026", "%Y")  # the first strptime imports its module
    with duckdb.connect(":memory:") as con:
        con.sql("SELECT 1 AS one").pl()
    figure = go.Figure(
        go.Bar(x=[1], y=[1], marker_color="#999"),
        layout=dict(
            shapes=[dict(type="line", line=dict(dash="dot"))],
            annotations=[dict(text="", font=dict(size=11))],
            legend=dict(title=dict(text="")),
            margin=dict(l=10),
            xaxis=dict(title="x"),
            yaxis=dict(title="y"),
        ),
    )
    plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True)  # as st.plotly_chart does
    table = pl.DataFrame({"day": [date(2026, 1, 1)], "contacts": [1], "share": [0.5], "channel": ["phone"]})
    dataframe_util.determine_data_format(table)  # as st.dataframe does
    dataframe_util.convert_pandas_df_to_arrow_bytes(dataframe_util.convert_anything_to_pandas_df(table))
    gc.collect()
    gc.freeze()
