"""The figures an export draws, made from the app's own builders (never re-drawn).

* static (PNG, SVG, PDF): the map without Play/Pause, slider or click grid, every path to
  its end and the current point at the chosen step (default: the last one);
* animated (HTML, and the GIF's frames): the map exactly as the app animates it;
* ``all``: the map with the four trace panels beside it (landscape) or below it
  (portrait), the arrangement of the app's two columns. The panels come from
  ``figures.traces.add_panels``, the same function ``traces_figure`` uses.

Figures are plain dicts here: that is what kaleido and plotly.io take, and copying one per
GIF frame is cheap.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import figures
from core.text import t
from figures.style import Sizes
from figures.traces import PANELS, add_panels, axis_refs, panel_cursors
from lab import Result

VIEWS = ("map", "3d", "traces", "all")
ANIMATED_VIEWS = ("map", "all")  # the 3-D view and the panels have no animation

MAP_SHARE = 0.6  # of the width (or height) for the map in "all": the app's 3:2 columns
PANEL_GAP_PX = 95  # room left of the panels for their tick labels and rotated titles
STACK_GAP_PX = 70  # room under a stacked map for its x tick labels and title
ASSUMED_WIDTH = 1200  # plot width assumed when an HTML export fills the browser window

FigureDict = dict[str, Any]


def last_step(result: Result) -> int:
    return max(r.steps_run for r in result.runs)


def static_figure(
    result: Result,
    view: str,
    lang: str,
    *,
    step: int | None,
    width: int,
    height: int,
    arrows: Sequence[str] = (),
    presentation: bool = False,
) -> FigureDict:
    """The figure of a PNG, SVG or PDF. With an explicit ``step`` the picture is labelled
    with it, since no slider says which step the marked points are at."""
    if view == "3d":
        return figures.surface_3d(result, lang, presentation=presentation).to_dict()
    if view == "traces":
        return figures.traces_figure(result, lang, step=step, presentation=presentation).to_dict()
    if view == "map":
        fig = figures.map_figure(
            result,
            lang,
            step=step,
            animate=False,
            arrows=arrows,
            presentation=presentation,
            pick_grid=False,
        ).to_dict()
    else:
        fig = _map_and_panels(
            result, lang, step, width, height, arrows, presentation, animate=False, frames=0
        )
    if step is not None:
        add_step_label(fig, step, lang, presentation)
    return fig


def animated_figure(
    result: Result,
    view: str,
    lang: str,
    *,
    step: int,
    frames: int,
    frame_ms: int,
    width: int | None,
    height: int | None,
    arrows: Sequence[str] = (),
    presentation: bool = False,
) -> FigureDict:
    """The map as the app animates it (``view`` "map"), or with the panels whose step markers
    move with it ("all"); ``step`` is shown before Play, ``frame_ms`` is Play's pace."""
    if view == "map":
        fig = figures.map_figure(
            result,
            lang,
            step=step,
            animate=True,
            frames=frames,
            arrows=arrows,
            presentation=presentation,
            pick_grid=False,
        ).to_dict()
    else:
        fig = _map_and_panels(
            result,
            lang,
            step,
            width or ASSUMED_WIDTH,
            height or Sizes.of(presentation).height,
            arrows,
            presentation,
            animate=True,
            frames=frames,
        )
    for menu in fig["layout"].get("updatemenus", ()):
        for button in menu.get("buttons", ()):
            args = button.get("args") or []
            if len(args) > 1 and args[1].get("frame", {}).get("duration", 0) > 0:
                args[1]["frame"]["duration"] = int(frame_ms)
    return fig


def frame_figures(
    static: FigureDict, animated: FigureDict, lang: str, presentation: bool = False
) -> list[tuple[int, FigureDict]]:
    """One still per animation frame: ``static`` with the moving traces replaced by each frame's,
    which is what plotly.js shows after playing that frame. Returns (step, figure) pairs."""
    out = []
    cursor_lines = [
        i for i, s in enumerate(static["layout"].get("shapes", ())) if s.get("name") == "cursor"
    ]
    for frame in animated.get("frames", ()):
        s = int(frame["name"])
        fig = {"data": list(static["data"]), "layout": copy.deepcopy(static["layout"])}
        for index, update in zip(frame["traces"], frame["data"], strict=True):
            fig["data"][index] = {**fig["data"][index], **update}
        for i in cursor_lines:
            fig["layout"]["shapes"][i].update(x0=s, x1=s)
        add_step_label(fig, s, lang, presentation)
        out.append((s, fig))
    return out


def add_step_label(fig: FigureDict, step: int, lang: str, presentation: bool = False) -> None:
    """ "step 120" in the top right corner, level with the title: a still has no slider."""
    sizes = Sizes.of(presentation)
    layout = fig["layout"]
    top = int(layout.get("margin", {}).get("t", 40))
    layout.setdefault("annotations", []).append(
        {
            "text": f"{t('fig.step_prefix', lang)}{step}{t('fig.step_suffix', lang)}",
            "xref": "paper",
            "yref": "paper",
            "x": 1,
            "y": 1,
            "xanchor": "right",
            "yanchor": "top",
            "yshift": max(0, top - 8),
            "showarrow": False,
            "font": {"size": sizes.font + 2, "color": "#333"},
            "name": "step_label",
        }
    )


def _map_and_panels(
    result: Result,
    lang: str,
    step: int | None,
    width: int,
    height: int,
    arrows: Sequence[str],
    presentation: bool,
    *,
    animate: bool,
    frames: int,
) -> FigureDict:
    """The map figure with the four panels added on axes 2-5, side by side when the picture is
    at least as wide as tall, else stacked; the panels' step markers join the map's frames."""
    sizes = Sizes.of(presentation)
    fig = figures.map_figure(
        result,
        lang,
        step=step,
        animate=animate,
        frames=frames,
        arrows=arrows,
        presentation=presentation,
        pick_grid=False,
    ).to_dict()
    data, layout = fig["data"], fig["layout"]
    s = last_step(result) if step is None else step
    margin = layout["margin"]
    side = width >= height
    if side:
        plot_w = max(1, width - margin["l"] - margin["r"])
        gap = min(0.3, PANEL_GAP_PX / plot_w)
        split = MAP_SHARE * (1 - gap)
        layout["xaxis"]["domain"] = [0.0, round(split, 4)]
        x_domain = (round(split + gap, 4), 1.0)
    else:
        x_domain = (0.0, 1.0)
    cursors = add_panels(data, layout, result, lang, sizes, first_axis=2, x_domain=x_domain, step=s)
    if not side:
        plot_h = max(1, height - margin["t"] - margin["b"])
        gap = min(0.3, STACK_GAP_PX / plot_h)
        below = (1 - MAP_SHARE) * (1 - gap)
        layout["yaxis"]["domain"] = [round(below + gap, 4), 1.0]
        for p in range(len(PANELS)):
            ya = layout[f"yaxis{2 + p}"]
            ya["domain"] = [round(d * below, 4) for d in ya["domain"]]
        # The panels' left titles need the room the map's y ticks use.
        margin["l"] = max(margin["l"], 5 * sizes.font)
    if animate:
        for frame in fig.get("frames", ()):
            moved = panel_cursors(result, int(frame["name"]), 2, sizes)
            frame["data"] = [*frame["data"], *({"x": t["x"], "y": t["y"]} for t in moved)]
            frame["traces"] = [*frame["traces"], *cursors]
    else:
        for p in range(len(PANELS)):
            xr, yr = axis_refs(2 + p)
            layout.setdefault("shapes", []).append(
                {
                    "type": "line",
                    "name": "cursor",
                    "xref": xr,
                    "yref": f"{yr} domain",
                    "x0": s,
                    "x1": s,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#555", "width": 1.5, "dash": "dot"},
                }
            )
    return fig
