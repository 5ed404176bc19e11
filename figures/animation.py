"""What makes a figure play: its frames (only the moving traces, coordinates only), the
Play / From 0 / Pause buttons and the step slider; and the stills a GIF is made of.

Shared by the map and by the map + traces picture, so both animate alike.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.text import t
from figures.style import Sizes

PLAY_MS = 60  # ms per frame when playing: 120 frames in about 7 s
CURSOR = "cursor"  # name of the dotted step lines in the trace panels, moved by each still

FigureDict = dict[str, Any]


def frames(
    steps: Sequence[int], moving: list[int], frame_data: Callable[[int], list[dict[str, Any]]]
) -> list[go.Frame]:
    """One frame per step: the traces ``moving`` (indices into the figure's data) as
    ``frame_data(step)`` gives them. Frames carry coordinates only: plotly.js merges them
    into the traces, so the styling stays in the figure once."""
    # Frame objects made without validation: the figure accepts them as they are, while
    # frame dicts would each be validated (~1 ms apiece, most of a rerun's budget).
    return [
        go.Frame(
            {
                "name": str(int(s)),
                "data": [_xy_only(tr) for tr in frame_data(int(s))],
                "traces": moving,
            },
            _validate=False,
        )
        for s in steps
    ]


def _xy_only(trace: dict[str, Any]) -> dict[str, Any]:
    return {"type": "scatter", "x": _compact(trace["x"]), "y": _compact(trace["y"])}


def _compact(a: Any) -> Any:
    """What plotly.py takes in fastest: it checks a list element by element (~5 us each) and
    an array as a whole (~150 us), so short coordinate lists go as plain floats."""
    if len(a) > 30:
        return a
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(a, float)]


def controls(
    steps: np.ndarray,
    s0: int,
    lang: str,
    sizes: Sizes,
    domain: tuple[float, float],
    frame_ms: int = PLAY_MS,
) -> dict[str, list[dict[str, Any]]]:
    """``updatemenus`` (the buttons) and ``sliders`` (the step slider) of the layout, under
    the plot whose x domain is ``domain``; ``s0`` is the step shown first."""
    return {
        "updatemenus": [_buttons(lang, sizes, frame_ms)],
        "sliders": [_slider(steps, s0, lang, sizes, domain)],
    }


def _animate(frame_names: list[str | None] | None, ms: int, redraw: bool, **extra: Any) -> list:
    """The ``args`` of a button or slider step that plays (or jumps to) ``frame_names``."""
    return [
        frame_names,
        {
            "frame": {"duration": ms, "redraw": redraw},
            "transition": {"duration": 0},
            **extra,
            "mode": "immediate",
        },
    ]


def _buttons(lang: str, sizes: Sizes, frame_ms: int) -> dict[str, Any]:
    # 2-D playback without redraw is smooth (20-27 fps); Pause is an empty animation.
    play = {"label": t("fig.play", lang), "method": "animate"}
    return {
        "type": "buttons",
        "direction": "left",
        "showactive": False,
        "x": 0.0,
        "y": 0.0,
        "xanchor": "left",
        "yanchor": "top",
        "pad": {"t": 60, "r": 10},
        "font": {"size": sizes.font},
        "buttons": [
            {**play, "args": _animate(None, frame_ms, False, fromcurrent=True)},
            {
                **play,
                "label": t("fig.replay", lang),
                "args": _animate(None, frame_ms, False, fromcurrent=False),
            },
            {**play, "label": t("fig.pause", lang), "args": _animate([None], 0, False)},
        ],
    }


def _slider(
    steps: np.ndarray, s0: int, lang: str, sizes: Sizes, domain: tuple[float, float]
) -> dict[str, Any]:
    """The animation's own step slider. Its steps redraw (``redraw: True``): after an
    animation without redraw, chart clicks stop firing until the chart redraws."""
    active = int(np.searchsorted(steps, s0))
    width = domain[1] - domain[0]
    return {
        "active": min(active, len(steps) - 1),
        "x": domain[0] + 0.46 * width,
        "len": 0.54 * width,
        "y": 0.0,
        "yanchor": "top",
        "pad": {"t": 50},
        "currentvalue": {
            "prefix": t("fig.step_prefix", lang),
            "suffix": t("fig.step_suffix", lang),
            # its own colour: the slider font below is transparent; at the right end, clear
            # of the x-axis title
            "font": {"size": sizes.font, "color": "#333"},
            "xanchor": "right",
        },
        # ~120 tick labels would overlap: hide them, the current value says the step.
        "font": {"color": "rgba(0,0,0,0)"},
        "ticklen": 0,
        "minorticklen": 0,
        "steps": [
            {"label": str(int(s)), "method": "animate", "args": _animate([str(int(s))], 0, True)}
            for s in steps
        ],
    }


# --- stills ---------------------------------------------------------------------------------
def step_label(step: int, lang: str, sizes: Sizes, top_margin: int) -> dict[str, Any]:
    """ "step 120" in the top right corner, level with the title: a still has no slider."""
    return {
        "text": f"{t('fig.step_prefix', lang)}{step}{t('fig.step_suffix', lang)}",
        "xref": "paper",
        "yref": "paper",
        "x": 1,
        "y": 1,
        "xanchor": "right",
        "yanchor": "top",
        "yshift": max(0, top_margin - 8),
        "showarrow": False,
        "font": {"size": sizes.font + 2, "color": "#333"},
        "name": "step_label",
    }


def with_step_label(fig: FigureDict, step: int, lang: str, presentation: bool) -> FigureDict:
    """``fig`` (a dict) with the step label added to a copy of its layout."""
    layout = copy.deepcopy(fig["layout"])
    top = int(layout.get("margin", {}).get("t", 40))
    label = step_label(step, lang, Sizes.of(presentation), top)
    layout["annotations"] = [*layout.get("annotations", ()), label]
    return {**fig, "layout": layout}


def frame_stills(
    static: FigureDict, animated: FigureDict, lang: str, presentation: bool = False
) -> list[tuple[int, FigureDict]]:
    """One still per frame of ``animated``: ``static`` (the same picture without controls)
    with the moving traces replaced by the frame's, the panels' step lines moved to it and
    the step written in the corner, which is what plotly.js shows after playing that frame.
    Returns (step, figure) pairs."""
    out = []
    shapes = static["layout"].get("shapes", ())
    cursors = [i for i, s in enumerate(shapes) if s.get("name") == CURSOR]
    for frame in animated.get("frames", ()):
        s = int(frame["name"])
        fig = with_step_label(
            {"data": list(static["data"]), "layout": static["layout"]}, s, lang, presentation
        )
        for index, update in zip(frame["traces"], frame["data"], strict=True):
            fig["data"][index] = {**fig["data"][index], **update}
        for i in cursors:
            fig["layout"]["shapes"][i].update(x0=s, x1=s)
        out.append((s, fig))
    return out
