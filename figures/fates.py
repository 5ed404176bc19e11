"""On the map, where a batch run ends over many batch seeds (``lab.seeds``): beside each
known minimum, how many of the seeds end there, one line per run in its colour; beside the
median end of the runs that end at no known minimum (preset 24's saddle), how many do.

The map draws one seed's path; a caption's "in all 100 seeds tried" was on no screen (the
lesson review). The counts show once the clock has reached the last step (at once when the
paths are drawn whole): they tell how the runs end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.text import t
from figures.style import HALO, STAR, label_px
from figures.view import View
from lab import Result
from lab.seeds import Fates

Place = tuple[tuple[float, float], list[tuple[Fates, int]]]  # a point and the (run, count) ending there


def fate_places(result: Result, fates: Sequence[Fates]) -> list[Place]:
    """Each place where runs end (a known minimum, or the median of the ends at none) and
    every run's count there."""
    places: dict[tuple[float, float], list[tuple[Fates, int]]] = {}
    minima = result.surface.minima
    for f in fates:
        for k, n in enumerate(f.counts):
            if n:
                places.setdefault(tuple(map(float, minima[k])), []).append((f, n))  # type: ignore[arg-type]
        if f.elsewhere and f.elsewhere_at is not None:
            places.setdefault(f.elsewhere_at, []).append((f, f.elsewhere))
    return list(places.items())


def _text(lines: list[tuple[Fates, int]], view: View, split: bool = False) -> str:
    """A place's label: one line per run in its colour; ``split``: each broken in two at the
    space nearest its middle ("100 of 100 seeds" / "end here")."""
    out = []
    for f, n in lines:
        words = t("fig.seeds_here", view.lang, n=f"{n:,}", seeds=f"{f.seeds:,}")
        if split and " " in words:
            cut = min((i for i, c in enumerate(words) if c == " "), key=lambda i: abs(2 * i - len(words)))
            words = f"{words[:cut]}<br>{words[cut + 1 :]}"
        out.append(f'<span style="color:{view.color(f.run)}"><b>{words}</b></span>')
    return "<br>".join(out)


@dataclass(frozen=True)
class MapBox:
    """The map on screen: its ranges and pixels per unit along each axis."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    px_x: float
    px_y: float

    def px(self, pts: np.ndarray) -> np.ndarray:
        """Points (data units, n × 2) in pixels from the map's lower left corner."""
        return np.column_stack([(pts[:, 0] - self.x_range[0]) * self.px_x, (pts[:, 1] - self.y_range[0]) * self.px_y])

    @property
    def size(self) -> tuple[float, float]:
        return (self.x_range[1] - self.x_range[0]) * self.px_x, (self.y_range[1] - self.y_range[0]) * self.px_y


# Where a place's label may go, in order of preference: beside it on one line, on two lines,
# at a corner, under it (after an empty line, clear of its marker), above it.
CHOICES = tuple(
    [(side, split) for split in (False, True) for side in ("right", "left")]
    + [(side, split) for split in (False, True) for side in ("top left", "top right", "bottom left", "bottom right")]
    + [("below", False), ("below", True), ("above", True)]
)
POSITION = {"right": "middle right", "left": "middle left", "below": "bottom center", "above": "top center"}
MARK = 12.0  # px around a place's own point: its marker, and a run hovering there, are its own
ROW = 1.25  # a line of text's height, in font sizes


def _box(side: str, at: tuple[float, float], w: float, h: float) -> tuple[float, float, float, float]:
    """A label's box (x0, y0, x1, y1, pixels with y up) beside the point ``at``."""
    x, y = at
    vertical, horizontal = side.split() if " " in side else ("", side)  # "top left": above, to the left
    if side in ("below", "above"):
        horizontal, vertical = "centre", "bottom" if side == "below" else "top"
    x0 = {"right": x, "left": x - w}.get(horizontal, x - w / 2)
    y0 = {"bottom": y - h, "top": y}.get(vertical, y - h / 2)
    return x0, y0, x0 + w, y0 + h


def gap(view: View) -> float:
    """Pixels from a place's point to its label's anchor: the star's radius and 12 px (with 6 the
    words still seemed to touch the star's points at 1024: review, preset 25)."""
    return (view.sizes.marker + STAR) / 2 + 12


def anchor(side: str, at: tuple[float, float], gap: float) -> tuple[float, float]:
    """Where a label beside the point ``at`` (pixels) is anchored: ``gap`` away from it,
    towards the label (spaces as padding were trimmed at the end of a line: a label left of
    preset 25's star touched it)."""
    vertical, horizontal = side.split() if " " in side else ("", side)
    if side in ("below", "above"):
        vertical, horizontal = ("bottom" if side == "below" else "top"), ""
    diagonal = 0.7 if vertical and horizontal else 1.0
    dx = {"right": gap, "left": -gap}.get(horizontal, 0.0) * diagonal
    dy = {"top": gap, "bottom": -gap}.get(vertical, 0.0) * diagonal
    return at[0] + dx, at[1] + dy


def _layout(
    lines: list[tuple[Fates, int]], at: np.ndarray, view: View, box: MapBox, clutter: np.ndarray
) -> tuple[str, str, tuple[float, float]]:
    """A place's label, text position and anchor (pixels): the first of ``CHOICES`` that
    stays on the map and covers the fewest drawn points (``clutter``, pixels: paths, arrows,
    markers; those within ``MARK`` of the place are its own). One line beside the point where
    it fits; at 1024 px a label right of preset 23's wide well ran off the map, under preset
    24's saddle it crossed the escape arrow, under preset 25's flat minimum it covered the
    star, left of 23's it lay on the paths coming in."""
    font = view.sizes.font
    width, height = box.size
    here = (float(at[0]), float(at[1]))
    others = clutter[np.hypot(clutter[:, 0] - here[0], clutter[:, 1] - here[1]) > MARK] if clutter.size else clutter
    best: tuple[float, int, str, str, tuple[float, float]] | None = None
    for k, (side, split) in enumerate(CHOICES):
        text = _text(lines, view, split)
        spot = anchor(side, here, gap(view))
        x0, y0, x1, y1 = _box(side, spot, label_px(text, font), (text.count("<br>") + 1) * ROW * font)
        off = x0 < 0 or x1 > width or y0 < 0 or y1 > height
        hits = int(np.count_nonzero((others[:, 0] >= x0) & (others[:, 0] <= x1) & (others[:, 1] >= y0) & (others[:, 1] <= y1)))
        score = (1e9 if off else 0.0) + hits
        if best is None or (score, k) < best[:2]:
            best = (score, k, text, side, spot)
    assert best is not None
    _, _, text, side, spot = best
    return text, POSITION.get(side, side), spot


STEP_PX = 3.0  # drawn lines are sampled this densely, so a label between two far points sees the line
MARK_WEIGHT = 10  # a marker (a star, the start ring) counts as this many points of a line


def clutter(box: MapBox, lines: Sequence[np.ndarray], marks: np.ndarray) -> np.ndarray:
    """What is drawn on the map, as pixel points: every polyline (data units, n × 2; NaN
    breaks it) sampled every ``STEP_PX`` along its length, and each marker weighted."""
    out = [np.repeat(box.px(marks.reshape(-1, 2)), MARK_WEIGHT, axis=0)]
    for line in lines:
        q = box.px(np.asarray(line, dtype=float).reshape(-1, 2))
        if len(q) < 2:
            out.append(q)
            continue
        a, b = q[:-1], q[1:]
        n = np.clip(np.ceil(np.hypot(*(b - a).T) / STEP_PX), 1, 10_000)
        n[~np.isfinite(n)] = 1
        reps = n.astype(int)
        f = (np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)) / np.repeat(reps, reps)
        out.append(np.repeat(a, reps, axis=0) + np.repeat(b - a, reps, axis=0) * f[:, None])
    pts = np.concatenate(out) if out else np.zeros((0, 2))
    return pts[np.all(np.isfinite(pts), axis=1)]


def fate_mover(
    result: Result, fates: Sequence[Fates], view: View, last: int, box: MapBox, seen: np.ndarray
) -> tuple[dict[str, Any], Any] | None:
    """The counts as a (style, step -> data) mover, or None without fates (``box``: the map
    on screen; ``seen``: what is drawn on it, pixel points from ``clutter``, for where a
    label fits)."""
    if not fates:
        return None
    places = fate_places(result, fates)
    if not places:
        return None
    spots = box.px(np.array([p for p, _ in places], dtype=float))
    laid = [_layout(lines, spots[k], view, box, seen) for k, (_, lines) in enumerate(places)]
    texts, sides = [a for a, _, _ in laid], [b for _, b, _ in laid]
    xs = [box.x_range[0] + c[0] / box.px_x for _, _, c in laid]
    ys = [box.y_range[0] + c[1] / box.px_y for _, _, c in laid]

    def at(s: int) -> dict[str, Any]:
        on = not view.reveal or s >= last
        return {"type": "scatter", "x": xs, "y": ys if on else [None] * len(ys), "text": texts}

    style = {
        "mode": "text",
        "textposition": sides,
        "cliponaxis": False,
        "textfont": {"size": view.sizes.font, "shadow": HALO},
        "showlegend": False,
        "hoverinfo": "skip",
        "name": "seed_fates",
    }
    return style, at
