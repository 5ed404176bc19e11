"""The trace panels alone (loss, gradient norm, learning rate, per-parameter η/σ on one step
axis), as a still: the exports' ``traces`` view. The app shows them inside the classroom
figure (``figures.overview``), from the same pieces (``figures.panels``)."""

from __future__ import annotations

from dataclasses import replace

import plotly.graph_objects as go

from figures.overview import classroom_spec
from figures.style import Sizes
from figures.view import View
from lab import Result


def traces_figure(
    result: Result,
    lang: str = "en",
    *,
    step: int | None = None,
    presentation: bool = False,
    view: View | None = None,
    width: int = 700,
) -> go.Figure:
    """The panels of ``result`` with the markers, the step line and the read-outs at ``step``
    (default: the last step), every curve whole."""
    v = replace(view or View(), lang=lang, presentation=presentation, reveal=False)
    height = Sizes.of(presentation).height
    spec = classroom_spec(result, v, width=width, height=height, step=step, animate=False, show_map=False)
    return go.Figure(spec, _validate=False)
