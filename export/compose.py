"""The figure an export draws for a view, made by the app's own builders (never re-drawn):

* static (PNG, SVG, PDF, and the GIF's base picture): no Play/Pause, slider or click grid,
  every path to its end and the current point at the chosen step (default: the last one);
* animated (HTML, and the GIF's frames): the map exactly as the app animates it;
* ``all``: the map with the four trace panels beside it (landscape) or below it (portrait),
  ``figures.overview_figure``.

Figures are plain dicts here: that is what kaleido and plotly.io take.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import figures
from figures.style import Sizes
from lab import Result
from lab import seeds as lab_seeds

VIEWS = ("map", "3d", "traces", "all")
ANIMATED_VIEWS = ("map", "all")  # the 3-D view and the panels have no animation
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
    look: dict[str, Any] | None = None,
) -> FigureDict:
    """The figure of a PNG, SVG or PDF. With an explicit ``step`` the map is labelled with
    it, since no slider says which step the marked points are at."""
    if view == "3d":
        return figures.surface_3d(result, lang, presentation=presentation).to_dict()
    if view == "traces":
        v = _look(look, lang, presentation, arrows)
        return figures.traces_figure(result, lang, step=step, presentation=presentation, view=v).to_dict()
    options = {"step": step, "arrows": arrows, "presentation": presentation, "look": look}
    return _picture(
        result, view, lang, width, height, animate=False, label_step=step is not None, **options
    )


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
    look: dict[str, Any] | None = None,
) -> FigureDict:
    """The map as the app animates it (``view`` "map"), or with the panels whose step markers
    move with it ("all"); ``step`` is shown before Play, ``frame_ms`` is Play's pace."""
    w = width or ASSUMED_WIDTH
    h = height or Sizes.of(presentation).height
    options = {"step": step, "arrows": arrows, "presentation": presentation, "look": look}
    return _picture(
        result, view, lang, w, h, animate=True, frames=frames, frame_ms=frame_ms, **options
    )


def _look(look: dict[str, Any] | None, lang: str, presentation: bool, arrows: Sequence[str]) -> figures.View:
    """The figure's options: the app's or a preset's view, in this language and size."""
    return figures.View(**{**(look or {}), "lang": lang, "presentation": presentation, "arrows": tuple(arrows)})


def _picture(
    result: Result, view: str, lang: str, width: int, height: int, *, look: dict[str, Any] | None = None, **options: Any
) -> FigureDict:
    """The map alone, or the map with the panels laid out for ``width`` x ``height``, in the
    view ``look`` describes (``figures.View``); with its ``seeds``, the batch runs' ends over
    that many batch seeds counted on the map (``lab.seeds``, as the app does)."""
    v = _look(look, lang, options.get("presentation", False), options.get("arrows", ()))
    fates = lab_seeds.fates(result.scenario, v.seeds) if v.seeds else []
    if view == "map":
        return figures.map_figure(result, lang, width=width, view=v, fates=fates, **options).to_dict()
    return figures.overview_figure(result, lang, width=width, height=height, view=v, fates=fates, **options).to_dict()
