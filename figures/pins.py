"""Pinned steps: a panel prints every run's value at a step a preset names (its view's
``pins``), beside a ring on the curve — the numbers a caption quotes ("the first step 0.003
against 0.28") stand on the screen, and appear when the clock reaches them.

On the step-length panel the value at step t is the length of the update from step t to
t + 1, as its line plots it: step 0 is the first update.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.text import t
from figures import panels, readouts
from figures.style import HALO, text_px
from figures.view import View
from lab import Result

RIGHT_SHARE = 0.7  # a pin right of this share of the step range is labelled on its left


def pinned(view: View, panel: str, lo: float, hi: float) -> list[tuple[int, int | None]]:
    """The (step, run or None for every run) pinned on ``panel`` that its step range
    [lo, hi] shows."""
    return [(s, r) for p, s, r in view.pins if p == panel and lo <= s <= hi]


@dataclass
class PinSet:
    """A panel's pinned values: where each ring and label stands, and when it shows."""

    axis: panels.Axis
    number: int
    xs: list[int]  # each mark's step
    owners: list[int]  # each mark's run
    values: list[float | None]
    texts: list[str]
    shares: list[float | None]  # each ring's height on the panel
    heights: list[float | None]  # each label's (the labels of one step kept apart)
    right: list[bool]  # labelled right of the ring (else left: near the panel's end)
    ends: list[float]  # where a label right of its ring ends, in steps
    reveal: bool

    def shown(self, s: int) -> list[bool]:
        return [not self.reveal or s >= p for p in self.xs]

    def crowding(self, s: int, x_at: float) -> list[int]:
        """The labels shown at step ``s`` that reach the read-outs' column (starting at
        ``x_at``): these and the read-outs are kept apart together (``readouts.joint``)."""
        return [k for k, on in enumerate(self.shown(s)) if on and self.right[k] and self.ends[k] > x_at]


def pin_set(
    result: Result, axis: panels.Axis, number: int, view: View, pins: list[tuple[int, int | None]], row: float,
    span: tuple[float, float], px_per_step: float = math.inf,
) -> PinSet:  # fmt: skip
    """The rings and labels of ``pins`` on a panel (``px_per_step``: its scale, for where a
    label ends)."""
    steps = sorted({s for s, _ in pins})
    track = panels.Track.of(result, axis, number, np.asarray(steps, dtype=int), view.lang)
    # every (step, series) to mark: a pin's run's lines, or every run's
    marks = [(s, j) for s, r in pins for j, owner in enumerate(track.owners) if r is None or owner == r]
    values = [track.at(s)[j] for s, j in marks]
    shares = [_share(track, v) for v in values]
    heights: list[float | None] = [None] * len(marks)
    for s in steps:  # the labels of one step kept apart
        idx = [k for k, (p, _) in enumerate(marks) if p == s]
        for k, h in zip(idx, readouts.spread([shares[k] for k in idx], row), strict=True):
            heights[k] = h
    texts = [_text(track, v, j, p, view.lang) for (p, j), v in zip(marks, values, strict=True)]
    cut = span[0] + RIGHT_SHARE * (span[1] - span[0])
    right = [p <= cut for p, _ in marks]
    ends = [p + text_px(t, view.sizes.font - 1) / px_per_step for (p, _), t in zip(marks, texts, strict=True)]
    owners = [track.owners[j] for _, j in marks]
    return PinSet(axis, number, [p for p, _ in marks], owners, values, texts, shares, heights, right, ends, view.reveal)


def pin_movers(b: Any, ps: PinSet, view: View, s0: int, heights: Any) -> None:
    """A ring on every pinned line at each pinned step and its value beside it, both shown
    once the clock has reached the step (from the start when paths are drawn whole);
    ``heights(s)``: the labels' heights at step ``s`` (kept apart from the read-outs)."""
    xr, yr = panels.axis_refs(ps.number)

    def rings(s: int) -> dict[str, Any]:
        ys = [v if on else None for v, on in zip(ps.values, ps.shown(s), strict=True)]
        return {"type": "scatter", "x": ps.xs, "y": ys, "xaxis": xr, "yaxis": yr}

    def labels(s: int) -> dict[str, Any]:
        ys = [readouts.at_share(ps.axis, h) if on else None for h, on in zip(heights(s), ps.shown(s), strict=True)]
        return {"type": "scatter", "x": ps.xs, "y": ys, "text": ps.texts, "xaxis": xr, "yaxis": yr}

    colors = [view.color(i) for i in ps.owners]
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
            "textposition": ["middle right" if r else "middle left" for r in ps.right],
            "cliponaxis": False,
            # a white halo: the numbers stand where the lines are (the first step's spike)
            "textfont": {"color": colors, "size": view.sizes.font - 1, "shadow": HALO},
            "showlegend": False,
            "hoverinfo": "skip",
            "name": "pin_label",
        },
        labels,
        s0,
    )


def _share(track: panels.Track, v: float | None) -> float | None:
    return None if v is None else track.share(v)


def _text(track: panels.Track, v: float | None, j: int, step: int, lang: str) -> str:
    """A pin's label: its value, and after step 0 the step it was read at ("0.163 (t = 20)":
    a caption's "at step 20" stood on no tick of a 0, 100, 200 axis)."""
    name = track.names[j] if track.names else ""
    pad = "\u00a0" * 3  # clear of the ring (plain spaces collapse in SVG text)
    value = readouts.label(name, float("nan") if v is None else v)
    return pad + (t("fig.pin_at", lang, value=value, step=f"{step:,}") if step > 0 else value) + pad
