"""ui/warm_start.py: what serve.py does at start so that the first visitor's run does not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def around_warm(before: str, after: str) -> list[str]:
    """What a fresh interpreter prints running ``before``, ``warm_start.warm()``, then ``after``."""
    script = f"from ui import warm_start\n{before}warm_start.warm()\n{after}"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_warm_loads_what_a_first_run_would():
    flag, *loaded = around_warm(
        "import sys\nbefore = set(sys.modules)\n",
        "import streamlit.delta_generator as dg\n"
        "new = set(sys.modules) - before\n"
        "print(dg._use_warning_has_been_displayed, *sorted(new))\n",
    )
    assert flag == "True"  # the stack walk of Streamlit's direct-execution check is skipped
    # pandas and pyarrow.compute: what a first st.dataframe of a polars frame imports
    for module in ("streamlit.emojis", "plotly.graph_objs.layout._shape", "plotly.graph_objs.layout.legend._title",
                   "plotly.graph_objs._bar", "ui.charts", "ui.tiles", "ui.first_paint", "_strptime",
                   "pyarrow", "pandas", "pyarrow.compute"):  # fmt: skip
        assert module in loaded, module


def test_warm_freezes_the_start_up_objects_out_of_the_full_collections():
    """Streamlit runs gc.collect(2) after every script run: it must not walk the ~170k objects that
    the imports made (they live as long as the process); a cycle made afterwards is still collected."""
    frozen, walked, collected = around_warm(
        "",
        "import gc, weakref\n"
        "frozen = gc.get_freeze_count()\n"
        "class Node: pass\n"
        "a, b = Node(), Node()\n"
        "a.other, b.other = b, a\n"
        "gone = weakref.ref(a)\n"
        "del a, b\n"
        "gc.collect(2)\n"
        "print(frozen, len(gc.get_objects()), gone() is None)\n",
    )
    assert int(frozen) > 100_000 and int(walked) < int(frozen) // 10  # the full pass walks a tenth or less
    assert collected == "True"
