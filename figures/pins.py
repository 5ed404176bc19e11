"""Pinned steps: a panel prints every run's value at a step a preset names (its view's
``pins``), beside a ring on the curve — the numbers a caption quotes ("the first step 0.003
against 0.28") stand on the screen, and appear when the clock reaches them.

On the step-length panel the value at step t is the length of the update from step t to
t + 1, as its line plots it: step 0 is the first update.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from figures import panels, readouts
from figures.view import View
from lab import Result

RIGHT_SHARE = 0.7  # a pin right of this share of the step range is labelled on its left


def pinned(view: View, panel: str, lo: float, hi: float) -> list[tuple[int, int | None]]:
    """The (step, run or None for every run) pinned on ``panel`` that its step range
    [lo, hi] shows."""
    return [(s, r) for p, s, r in view.pins if p == panel and lo <= s <= hi]


def pin_movers(
    b: Any, result: Result, axis: panels.Axis, number: int, view: View, pins: list[tuple[int, int | None]], row: float,
    span: tuple[float, float], s0: int,
) -> None:  # fmt: skip
    """A ring on every pinned line at each pinned step and its value beside it, both shown
    once the clock has reached the step (from the start when paths are drawn whole)."""
    steps = sorted({s for s, _ in pins})
    track = panels.Track.of(result, axis, number, np.asarray(steps, dtype=int), view.lang)
    xr, yr = panels.axis_refs(number)
    # every (step, series) to mark: a pin's run's lines, or every run's
    marks = [(s, j) for s, r in pins for j, owner in enumerate(track.owners) if r is None or owner == r]
    values = [track.at(s)[j] for s, j in marks]
    heights: list[float | None] = [None] * len(marks)
    for s in steps:  # the labels of one step kept apart
        idx = [k for k, (p, _) in enumerate(marks) if p == s]
        for k, h in zip(idx, readouts.spread([_share(track, values[k]) for k in idx], row), strict=True):
            heights[k] = h
    xs = [s for s, _ in marks]

    def shown(s: int, p: int) -> bool:
        return not view.reveal or s >= p

    def rings(s: int) -> dict[str, Any]:
        ys = [v if shown(s, p) else None for (p, _), v in zip(marks, values, strict=True)]
        return {"type": "scatter", "x": xs, "y": ys, "xaxis": xr, "yaxis": yr}

    texts = [_text(track, v, j) for (_, j), v in zip(marks, values, strict=True)]

    def labels(s: int) -> dict[str, Any]:
        ys = [readouts.at_share(axis, h) if shown(s, p) else None for (p, _), h in zip(marks, heights, strict=True)]
        return {"type": "scatter", "x": xs, "y": ys, "text": texts, "xaxis": xr, "yaxis": yr}

    colors = [view.color(track.owners[j]) for _, j in marks]
    right = span[0] + RIGHT_SHARE * (span[1] - span[0])
    b.mover(
        {
            "mode": "markers",
            "cliponaxis": False,  # a ring at step 0 sits on the panel's edge
            "marker": {"size": view.sizes.marker, "color": "rgba(0,0,0,0)", "line": {"color": colors, "width": 2}},
            "showlegend": False,
            "hoverinfo": "skip",
            "name": "pin",
        },
        rings,
        s0,
    )
    b.mover(
        {
            "mode": "text",
            "textposition": ["middle left" if s > right else "middle right" for s, _ in marks],
            "cliponaxis": False,
            # a white halo: the numbers stand where the lines are (the first step's spike)
            "textfont": {"color": colors, "size": view.sizes.font - 1, "shadow": readouts.HALO},
            "showlegend": False,
            "hoverinfo": "skip",
            "name": "pin_label",
        },
        labels,
        s0,
    )


def _share(track: panels.Track, v: float | None) -> float | None:
    return None if v is None else track.share(v)


def _text(track: panels.Track, v: float | None, j: int) -> str:
    name = track.names[j] if track.names else ""
    pad = "\u00a0" * 3  # clear of the ring (plain spaces collapse in SVG text)
    return pad + readouts.label(name, float("nan") if v is None else v) + pad
