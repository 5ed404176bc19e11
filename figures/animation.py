"""What makes the figure play: its frames, the step slider (the one step control: the app's
Play, Pause, speed and single-step buttons drive it), the Play / Pause buttons of an exported
page; and the stills a GIF is made of.

Frames carry only what moves, as coordinates (the styles stay in the figure's traces). A
path revealed as it is played would make every frame repeat the whole path so far; instead
every ``keyframe_every``-th frame is a keyframe holding each run's path up to its step, and
the frames after it name it as their ``baseframe`` and carry only the piece since: plotly.js
merges a frame onto its base, so jumping to any frame shows the right path, and the payload
grows with √frames × points instead of frames × points.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from core.text import t
from figures.style import Sizes

PLAY_MS = 60  # ms per frame when playing at 1×, at most
PLAY_SECONDS = 9.0  # a whole run plays in about this long at 1×
MIN_MS = 25  # plotly.js draws a frame of the classroom figure in about this long


def frame_ms(n_frames: int) -> int:
    """ms per frame so that a run plays in about ``PLAY_SECONDS`` (the browser cannot draw
    much faster than ``MIN_MS`` a frame; short runs play at ``PLAY_MS``)."""
    return int(max(MIN_MS, min(PLAY_MS, round(1000 * PLAY_SECONDS / max(1, n_frames)))))
CURSOR = "cursor"  # name of the dotted step lines of a still's panels

FigureDict = dict[str, Any]
Mover = Callable[[int], dict[str, Any]]


def keyframe_every(n_frames: int) -> int:
    return max(1, math.ceil(math.sqrt(n_frames)))


def frames(
    steps: Sequence[int],
    moving: list[int],
    per_frame: Callable[[int], list[dict[str, Any]]],
    keyed: list[int] | None = None,
    per_key: Callable[[int, int], list[dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """One frame per step. ``moving`` (indices into the figure's data) get ``per_frame(step)``
    in every frame; ``keyed`` get ``per_key(key_step, step)``, where the keyframe carries
    ``per_key(key_step, key_step)`` for the traces that end at its step (the first half of
    ``keyed``) and the frames after it only the second half."""
    out = []
    every = keyframe_every(len(steps))
    keyed = keyed or []
    half = len(keyed) // 2
    for n, s in enumerate(steps):
        s = int(s)
        key = int(steps[n - n % every])
        data = per_frame(s)
        traces = list(moving)
        frame: dict[str, Any] = {"name": str(s)}
        if keyed and per_key is not None:
            pieces = per_key(key, s)
            if n % every == 0:
                data, traces = [*pieces, *data], [*keyed, *traces]
            else:
                data, traces = [*pieces[half:], *data], [*keyed[half:], *traces]
                frame["baseframe"] = str(key)
        frame.update(data=[_coords(tr) for tr in data], traces=traces)
        out.append(frame)
    return out


def _coords(trace: dict[str, Any]) -> dict[str, Any]:
    keep = {"type": "scatter", "x": trace["x"], "y": trace["y"]}
    if "text" in trace:
        keep["text"] = trace["text"]
    return keep


def resolved(frame_list: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each frame merged onto its base, as plotly.js shows it (for stills and tests)."""
    by_name = {f["name"]: f for f in frame_list}
    out = []
    for f in frame_list:
        merged: dict[int, dict[str, Any]] = {}
        base = by_name.get(f.get("baseframe", ""))
        for src in (base, f) if base is not None else (f,):
            for i, tr in zip(src["traces"], src["data"], strict=True):
                merged[i] = {**merged.get(i, {}), **tr}
        out.append({"name": f["name"], "traces": list(merged), "data": list(merged.values())})
    return out


def animate_args(names: list[str | None] | None, ms: int, **extra: Any) -> list:
    """The ``args`` of a button or slider step that plays (or jumps to) ``names``. Without
    redraw 2-D playback is smooth (20-27 fps)."""
    return [
        names,
        {"frame": {"duration": ms, "redraw": False}, "transition": {"duration": 0}, **extra, "mode": "immediate"},
    ]


def buttons(lang: str, sizes: Sizes, frame_ms: int, y: float) -> dict[str, Any]:
    """Play / From 0 / Pause, for an exported page (the app has its own toolbar)."""
    play = {"label": t("fig.play", lang), "method": "animate"}
    return {
        "type": "buttons", "direction": "left", "showactive": False,
        "x": 0.0, "y": y, "xanchor": "left", "yanchor": "top", "pad": {"t": 4, "r": 10},
        "font": {"size": sizes.font},
        "buttons": [
            {**play, "args": animate_args(None, frame_ms, fromcurrent=True)},
            {**play, "label": t("fig.replay", lang), "args": animate_args(None, frame_ms, fromcurrent=False)},
            {**play, "label": t("fig.pause", lang), "args": animate_args([None], 0)},
        ],
    }  # fmt: skip


def slider(
    steps: Sequence[int], s0: int, last: int, lang: str, sizes: Sizes, x: tuple[float, float], y: float
) -> dict[str, Any]:
    """The step slider: one step per frame, the current step and the run's length as its
    read-out. Its steps do not redraw: the app's toolbar redraws once when paused (after an
    animation without redraw, chart clicks fire only after a redraw)."""
    active = int(np.searchsorted(np.asarray(steps), s0))
    return {
        "active": min(active, len(steps) - 1),
        "x": x[0], "len": x[1] - x[0], "y": y, "yanchor": "top", "pad": {"t": 2, "b": 0},
        "currentvalue": {
            "prefix": t("fig.step_prefix", lang),
            "suffix": t("fig.step_suffix_of", lang, last=f"{last:,}"),
            "font": {"size": sizes.font + 2, "color": "#222"}, "xanchor": "left", "offset": 6,
        },
        "font": {"color": "rgba(0,0,0,0)"}, "ticklen": 0, "minorticklen": 0,
        "steps": [{"label": f"{int(s):,}", "method": "animate", "args": animate_args([str(int(s))], 0)} for s in steps],
    }  # fmt: skip


# --- stills ---------------------------------------------------------------------------------
def step_label(step: int, lang: str, sizes: Sizes) -> dict[str, Any]:
    """ "step 120" in the top right corner: a still has no slider."""
    return {
        "text": f"{t('fig.step_prefix', lang)}{step:,}{t('fig.step_suffix', lang)}",
        "xref": "paper", "yref": "paper", "x": 1, "y": 1, "xanchor": "right", "yanchor": "bottom",
        "yshift": 4, "showarrow": False, "font": {"size": sizes.font + 2, "color": "#333"},
        "name": "step_label",
    }  # fmt: skip


def with_step_label(fig: FigureDict, step: int, lang: str, presentation: bool) -> FigureDict:
    """``fig`` (a dict) with the step label added to a copy of its layout."""
    layout = copy.deepcopy(fig["layout"])
    label = step_label(step, lang, Sizes.of(presentation))
    layout["annotations"] = [*layout.get("annotations", ()), label]
    return {**fig, "layout": layout}


def frame_stills(
    static: FigureDict, animated: FigureDict, lang: str, presentation: bool = False
) -> list[tuple[int, FigureDict]]:
    """One still per frame of ``animated``: ``static`` with the moving traces replaced by the
    frame's (merged onto its base frame) and the step written in the corner, which is what
    plotly.js shows after playing that frame. ``static`` must have the same traces in the same
    order (it is the same figure drawn without its controls). Returns (step, figure) pairs."""
    out = []
    for frame in resolved(list(animated.get("frames", ()))):
        s = int(frame["name"])
        fig = with_step_label({"data": list(static["data"]), "layout": static["layout"]}, s, lang, presentation)
        for index, update in zip(frame["traces"], frame["data"], strict=True):
            fig["data"][index] = {**fig["data"][index], **update}
        out.append((s, fig))
    return out
