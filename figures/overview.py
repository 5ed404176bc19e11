"""The map and the four trace panels in ONE figure: side by side when the picture is at least
as wide as tall (the app's two columns), else the panels under the map. Exports draw it
(``--view all``); the app shows the two as separate charts, which rerun faster.

The map's pieces come from ``figures.map`` and the panels from ``figures.traces.add_panels``,
the function ``traces_figure`` uses; when animated, the panels' step markers move with the
map's frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from figures import animation
from figures.map import FULL, Domain, MapView, map_layout, map_margin, moving_traces, static_traces
from figures.sampling import frame_steps
from figures.traces import add_panels, cursor_lines, panel_cursors
from lab import Result

MAP_SHARE = 0.6  # of the width (or height) for the map: the app's 3:2 columns
PANEL_GAP_PX = 95  # room left of the panels for their tick labels and rotated titles
STACK_GAP_PX = 70  # room under a stacked map for its x tick labels and title
PANEL_AXIS = 2  # the panels' first axis pair (the map has the first)


def split(width: int, height: int, margin: dict[str, int]) -> tuple[Domain, Domain, Domain, float]:
    """Where the parts go: the map's x and y domains, the panels' x domain, and the top of
    the panels (as fractions of the plot area) for a ``width`` x ``height`` picture."""
    if width >= height:
        plot_w = max(1, width - margin["l"] - margin["r"])
        gap = min(0.3, PANEL_GAP_PX / plot_w)
        cut = MAP_SHARE * (1 - gap)
        return (0.0, round(cut, 4)), FULL, (round(cut + gap, 4), 1.0), 1.0
    plot_h = max(1, height - margin["t"] - margin["b"])
    gap = min(0.3, STACK_GAP_PX / plot_h)
    below = (1 - MAP_SHARE) * (1 - gap)
    return FULL, (round(below + gap, 4), 1.0), FULL, below


def overview_figure(
    result: Result,
    lang: str = "en",
    *,
    width: int,
    height: int,
    step: int | None = None,
    animate: bool = False,
    frames: int = 120,
    frame_ms: int = animation.PLAY_MS,
    arrows: Sequence[str] = (),
    presentation: bool = False,
    label_step: bool = False,
) -> go.Figure:
    """The map beside (or above) the panels of ``result``, laid out for ``width`` x
    ``height`` layout pixels. Static: dotted step lines at ``step`` (default: the last) in
    the panels, and with ``label_step`` the step in the corner; animated: Play, the slider
    and ``frames`` frames moving the map's points and the panels' markers together."""
    view = MapView.of(result, lang, arrows, presentation)
    s0 = view.step(step)
    margin = map_margin(view, animate)
    map_x, map_y, panels_x, panels_top = split(width, height, margin)
    if width < height:  # the panels' left titles need the room the map's y ticks use
        margin = {**margin, "l": max(margin["l"], 5 * view.sizes.font)}
    layout = map_layout(view, margin=margin, x_domain=map_x, y_domain=map_y)
    data = static_traces(view)
    moving = list(range(len(data), len(data) + 1 + len(view.kinds)))
    data += moving_traces(view, s0)
    cursors = add_panels(
        data, layout, result, lang, view.sizes,
        first_axis=PANEL_AXIS, x_domain=panels_x, step=s0, y_top=panels_top,
    )  # fmt: skip
    fig: dict[str, Any] = {"data": data, "layout": layout}
    if animate and view.last > 0:
        steps = np.union1d(frame_steps(view.last, frames), [s0])

        def frame_data(s: int) -> list[dict[str, Any]]:
            return [*moving_traces(view, s), *panel_cursors(result, s, PANEL_AXIS, view.sizes)]

        fig["frames"] = animation.frames(steps, moving + cursors, frame_data)
        # Play and the slider span the whole width, under the map and the panels alike.
        layout.update(animation.controls(steps, s0, lang, view.sizes, FULL, frame_ms))
    elif not animate:
        layout["shapes"] = [*layout.get("shapes", ()), *cursor_lines(PANEL_AXIS, s0)]
    if label_step:
        fig = animation.with_step_label(fig, s0, lang, presentation)
    return go.Figure(fig, _validate=False)
