"""The classroom stage in the page: the one figure, its toolbar and its clock
(``ui/stage.js``, a Streamlit custom component v2 mounted in the page's DOM).

Python sends the figure (as JSON, with a version that changes only when the figure does)
and the toolbar's words; the browser sends back the step where the clock stopped (state
``step``), the page's size (state ``viewport``) and a click on the map (trigger ``click``).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import streamlit as st

from core.text import t

KEY = "stage"
JS = (Path(__file__).with_name("stage.js")).read_text(encoding="utf-8")
CSS = """
.stage-bar { display: flex; gap: 0.3rem; align-items: center; flex-wrap: wrap; margin: 0 0 0.2rem 0; }
.stage-btn, .stage-speed {
  font: inherit; font-size: 0.95rem; line-height: 1.2; padding: 0.25rem 0.6rem; border-radius: 0.45rem;
  border: 1px solid rgba(49, 51, 63, 0.25); background: white; color: #222; cursor: pointer; min-height: 2.1rem;
}
.stage-btn:hover, .stage-speed:hover { border-color: #d55e00; color: #d55e00; }
.stage-play { min-width: 6.5rem; font-weight: 600; }
.stage-plot { width: 100%; }
.stage-range { flex: 1 1 10rem; min-width: 7rem; height: 1.6rem; accent-color: #d55e00; cursor: pointer; margin: 0 0.3rem; }
.stage-readout { font-size: 1.05rem; font-variant-numeric: tabular-nums; white-space: nowrap; min-width: 8.5rem; color: #222; }
.present .stage-readout { font-size: 1.35rem; }
.present .stage-btn, .present .stage-speed { font-size: 1.25rem; min-height: 2.6rem; }
"""
DTYPES = {"float32": "f4", "float64": "f8", "int32": "i4", "int16": "i2", "int64": "i4"}

COMPONENT = st.components.v2.component(
    "optimizer_lab_stage", js=JS, css=CSS, isolate_styles=False
)


def _encode(o: Any) -> Any:
    """NumPy arrays as plotly.js typed arrays (base64), the compact form plotly.py uses."""
    if isinstance(o, np.ndarray):
        a = np.ascontiguousarray(o.astype(np.int32) if o.dtype == np.int64 else o)
        return {"dtype": DTYPES[str(a.dtype)], "bdata": base64.b64encode(a.tobytes()).decode("ascii")}
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.integer):
        return int(o)
    raise TypeError(f"not JSON: {type(o).__name__}")


def figure_json(spec: dict[str, Any]) -> str:
    """The figure as JSON for plotly.js: arrays as typed arrays, every non-finite float as
    null (JSON has no NaN; plotly.js leaves a gap at null). orjson writes a figure of a
    thousand frames in a third of the standard library's time."""
    return orjson.dumps(spec, default=_encode).decode("utf-8")


def version_of(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def toolbar_words(lang: str, last: int) -> dict[str, str]:
    """The toolbar's words: its buttons' and the step read-out's ("step 120 / 300")."""
    words = {k: t(f"stage.{k}", lang) for k in ("play", "pause", "back", "forward", "first", "speed", "step")}
    return {**words, "prefix": t("fig.step_prefix", lang), "suffix": t("fig.step_suffix_of", lang, last=f"{last:,}")}


def mount(
    figure: str,
    version: str,
    lang: str,
    *,
    animated: bool,
    clickable: bool,
    frame_ms: int,
    step: int,
    last: int,
    on_step: Callable[[], None],
    on_click: Callable[[], None],
    on_viewport: Callable[[], None],
) -> Any:
    """Draw the stage, a new figure opened at ``step`` (its nearest frame); returns the
    component's result (``step``, ``viewport``, ``click``)."""
    data = {
        "figure": figure,
        "version": version,
        "step": step,
        "labels": toolbar_words(lang, last),
        "animated": animated,
        "clickable": clickable,
        "frame_ms": frame_ms,
    }
    return COMPONENT(
        key=KEY,
        data=data,
        default={"step": None, "viewport": None},
        on_step_change=on_step,
        on_click_change=on_click,
        on_viewport_change=on_viewport,
    )


def state(name: str) -> Any:
    """A value the browser reported (``step``, ``viewport``, ``click``), or None."""
    value = st.session_state.get(KEY)
    try:
        return value[name] if value is not None else None
    except (KeyError, TypeError):
        return None


LOADER_CSS = "<style>.st-key-plotly_loader { display: none; }</style>"


def plotly_loader() -> None:
    """A tiny hidden chart: Streamlit loads plotly.js (``window.Plotly``) for its charts, and
    the stage draws with the same copy."""
    with st.container(key="plotly_loader"):
        st.plotly_chart({"data": [{"type": "scatter", "x": [0], "y": [0]}], "layout": {"height": 20}},
                        key="plotly_loader_chart", theme=None)  # fmt: skip
    st.html(LOADER_CSS)
