"""The classroom stage of the page: the one figure for the current state, sized to the screen,
opened at the step where the clock stood, and what the browser reports back (the step
where the clock stopped, a click on the map, the page's size).

The figure's spec never depends on a step: it is built once for its scenario, view and size
(process-wide, so a class opening the same link shares one figure) and the stage opens it at
the step where this session's clock stands. A step report reruns the page (the update rules
and cards follow it) but leaves the figure as it is, so the browser does not redraw it. Only
a new figure (another scenario, language or view) takes the current step as the step it
opens at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

import figures
from figures.animation import frame_ms
from lab import Result
from lab.seeds import Fates
from ui import stage
from ui.compute import HEAVY
from ui.lru import Lru
from ui.model import AppState

OPENED = "stage_opened"  # session key: the last few figures shown, as (key, step opened at)
KEEP_FIGURES = 3
FIGURE_BYTES = 32 * 2**20  # the process-wide figure cache's budget (about 1 MB a figure)
DEFAULT_VIEWPORT = (1000, 768)
# Page height above and below the stage (header, view row, toolbar, margins), in pixels.
ABOVE_PX = {False: 112, True: 118}
BANNER_PX = 78
BELOW_PX = 4  # under the plot: the window's edge must not cut the slider's read-out
MIN_HEIGHT, MAX_HEIGHT = 420, 980


@dataclass(frozen=True)
class Shown:
    """A figure for the stage: its JSON and version, whether it plays, its pace and the
    step of each of its frames."""

    figure: str
    version: str
    animated: bool
    frame_ms: int
    last: int


# Process-wide: the figure of a scenario, view and size is built once for every session that shows it.
FIGURES: Lru[Shown] = Lru(FIGURE_BYTES, size=lambda shown: len(shown.figure))


def last_step(result: Result) -> int:
    return max(r.steps_run for r in result.runs)


def current_step(result: Result) -> int:
    """Where the clock stands: the last reported step, within the runs' length."""
    ss = st.session_state
    step = min(max(0, int(ss.get("step") or 0)), last_step(result))
    ss["step"] = step
    return step


def view_of(state: AppState, colors: tuple[str, ...], width: int, height: int) -> figures.View:
    """The figure's options from the app's state."""
    return figures.View(
        lang=state.lang,
        presentation=state.present,
        arrows=state.arrows,
        reveal=not state.whole,
        loss_axis=state.loss_axis,
        local=state.local - 1 if state.local > 0 else None,
        steps=state.zoom,
        map_x=state.map_x,
        map_y=state.map_y,
        panels=state.panels or figures.PANELS,
        pins=state.pins,
        colors=colors,
        step_axis=state.axis,
        seeds=state.seeds,
        width=width,
        height=height,
    )


def size(present: bool, banner: bool) -> tuple[int, int]:
    """The figure's width and height for the page's size, reported by the browser with the
    plot's top in the page: the figure takes the height left under it. Before the first
    report, the usual height of what is above the plot stands in."""
    vp = st.session_state.get("viewport") or DEFAULT_VIEWPORT
    w, h = int(vp[0]), int(vp[1])
    if len(vp) > 2 and int(vp[2]) > 0:
        height = h - int(vp[2]) - BELOW_PX
    else:
        height = h - ABOVE_PX[present] - (BANNER_PX if banner else 0)
    return w, max(MIN_HEIGHT, min(MAX_HEIGHT, height))


def _build(result: Result, state: AppState, view: figures.View, fates: Sequence[Fates] = ()) -> tuple[dict[str, Any], bool]:
    """The stage's figure, at step 0 (the stage opens it at the session's step) and without
    a plotly.js slider (the stage's toolbar has the step control)."""
    if state.view == "3d":
        fig = figures.surface_3d(result, state.lang, presentation=state.present).to_dict()
        fig["layout"]["height"] = view.height
        return fig, False
    assert view.width is not None and view.height is not None
    spec = figures.classroom_spec(result, view, width=view.width, height=view.height, step=0, slider=False, fates=fates)
    return spec, "frames" in spec


def shown(
    result: Result, state: AppState, scenario_key: str, colors: tuple[str, ...], banner: bool, fates: Sequence[Fates] = ()
) -> tuple[Shown, int]:
    """The figure for ``state`` (from ``FIGURES``, built when no session has it) and the step
    this session opened it at (the clock's step when the figure first came; reruns keep it)."""
    ss = st.session_state
    width, height = size(state.present, banner)
    view = view_of(state, colors, width, height)
    key = repr((scenario_key, view, state.view))
    value = FIGURES.get(key)
    if value is None:
        with HEAVY:  # a few sessions at a time (ui.compute)
            value = FIGURES.get(key)  # built by another session meanwhile?
            if value is None:
                spec, animated = _build(result, state, view, fates)
                text, n_frames = stage.figure_json(spec), len(spec.get("frames", ()))
                del spec  # the dicts of every frame go before the next session builds its own
                value = Shown(text, stage.version_of(text), animated, frame_ms(n_frames), last_step(result))
                FIGURES.put(key, value)
    opened: list[tuple[str, int]] = ss.setdefault(OPENED, [])
    for k, step in opened:
        if k == key:
            return value, step
    step = current_step(result)
    ss[OPENED] = [*opened[-(KEEP_FIGURES - 1) :], (key, step)]
    return value, step


# --- what the browser reports ---------------------------------------------------------------
def on_step() -> None:
    step = stage.state("step")
    if step is not None:
        st.session_state["step"] = int(step)


def on_viewport() -> None:
    vp = stage.state("viewport")
    if vp:
        st.session_state["viewport"] = tuple(int(v) for v in vp[:3])


def on_click() -> None:
    """A click on the map is the new start (the start widgets show it)."""
    click = stage.state("click")
    if not click:
        return
    ss = st.session_state
    ss["start_x"], ss["start_y"] = round(float(click["x"]), 4), round(float(click["y"]), 4)


def draw(
    result: Result, state: AppState, scenario_key: str, colors: tuple[str, ...], banner: bool, fates: Sequence[Fates] = ()
) -> int:
    """The stage; returns the step the page shows (the cards' and rules' step)."""
    s, opened_at = shown(result, state, scenario_key, colors, banner, fates)
    stage.mount(
        s.figure, s.version, state.lang, animated=s.animated, clickable=state.view != "3d",
        frame_ms=s.frame_ms, step=opened_at, last=s.last,
        on_step=on_step, on_click=on_click, on_viewport=on_viewport,
    )  # fmt: skip
    return current_step(result)
