"""On the map, where a batch run ends over many batch seeds (``lab.seeds``): beside each
known minimum, how many of the seeds end there, one line per run in its colour; beside the
median end of the runs that end at no known minimum (preset 24's saddle), how many do.

The map draws one seed's path; a caption's "in all 100 seeds tried" was on no screen (the
lesson review). The counts show once the clock has reached the last step (at once when the
paths are drawn whole): they tell how the runs end.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from core.text import t
from figures.readouts import HALO
from figures.style import text_px
from figures.view import View
from lab import Result
from lab.seeds import Fates

PAD = "\u00a0" * 4  # clear of the minimum's star (plain spaces collapse in SVG text)


def fate_points(result: Result, fates: Sequence[Fates], view: View) -> tuple[list[float], list[float], list[str]]:
    """Each place's point and its text: one line per run that ends there, in its colour."""
    places: dict[tuple[float, float], list[str]] = {}
    minima = result.surface.minima

    def line(f: Fates, n: int) -> str:
        text = t("fig.seeds_here", view.lang, n=f"{n:,}", seeds=f"{f.seeds:,}")
        return f'<span style="color:{view.color(f.run)}">{PAD}<b>{text}</b></span>'

    for f in fates:
        for k, n in enumerate(f.counts):
            if n:
                places.setdefault(tuple(map(float, minima[k])), []).append(line(f, n))  # type: ignore[arg-type]
        if f.elsewhere and f.elsewhere_at is not None:
            places.setdefault(f.elsewhere_at, []).append(line(f, f.elsewhere))
    xs = [p[0] for p in places]
    ys = [p[1] for p in places]
    return xs, ys, ["<br>".join(lines) for lines in places.values()]


def _side(x: float, text: str, x_range: tuple[float, float], px_per_x: float, font: float) -> str:
    """Where a place's label goes: on the side of the point with room for it (at 1024 px a
    label right of preset 23's wide well ran off the map into the panels), else under it,
    centred (preset 24's saddle in the middle of a narrow map)."""
    width = max(text_px(re.sub(r"<[^>]+>", "", line), font) for line in text.split("<br>"))
    right, left = (x_range[1] - x) * px_per_x, (x - x_range[0]) * px_per_x
    if width <= max(right, left):
        return "middle right" if right >= left else "middle left"
    return "bottom center"


def fate_mover(
    result: Result, fates: Sequence[Fates], view: View, last: int, x_range: tuple[float, float], px_per_x: float
) -> tuple[dict[str, Any], Any] | None:
    """The counts as a (style, step -> data) mover, or None without fates (``x_range`` and
    ``px_per_x``: the map's x range and scale, for where a label fits)."""
    if not fates:
        return None
    xs, ys, texts = fate_points(result, fates, view)
    if not xs:
        return None
    sides = [_side(x, text, x_range, px_per_x, view.sizes.font) for x, text in zip(xs, texts, strict=True)]
    # the pad stands between the star and the words: after them on the left, none centred
    texts = [
        text if side == "middle right" else text.replace(PAD + "<b>", "<b>") + (PAD if side == "middle left" else "")
        for text, side in zip(texts, sides, strict=True)
    ]

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
