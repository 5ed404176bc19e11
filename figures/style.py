"""Colours, sizes and the few words the figures print, shared by the app and every export.

The palette is fixed (never taken from a theme) so that run *i* has the same colour in the
app, in a PNG, an SVG, a GIF and an HTML export; the app passes ``theme=None`` to Plotly.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from dataclasses import dataclass

# Okabe-Ito: distinguishable with the common colour-vision deficiencies and on washed-out
# projectors; strong enough to stand out on the pale surface raster.
PALETTE: tuple[str, ...] = (
    "#D55E00",  # vermillion
    "#0072B2",  # blue
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow (last: weak on the pale raster)
)

# The surface raster: pale so that the coloured paths carry the eye; low loss is blue,
# high loss warm, the way the lecture's error-surface pictures read.
SURFACE_COLORS: tuple[tuple[float, str], ...] = (
    (0.0, "#d6e9f8"),
    (0.35, "#eef5fb"),
    (0.6, "#fbf6ea"),
    (0.85, "#f8ddc4"),
    (1.0, "#f1bf99"),
)
CONTOUR_COLOR = "rgba(60, 72, 88, 0.45)"
ARROW_COLORS = {"grad": "#444444", "update": "#111111", "momentum": "#7B3294"}
ARROW_DASH = {"grad": "dot", "update": "solid", "momentum": "dash"}
ARROW_KINDS = ("grad", "update", "momentum")


# Plotly's config for an interactive map, in the app and in an HTML export: no logo, and the
# mouse wheel scrolls the page instead of zooming the map.
INTERACTIVE_CONFIG = {"displaylogo": False, "scrollZoom": False}


def label_text(label: str) -> str:
    """A run's label as Plotly text. Plotly renders a subset of HTML in trace names, legends
    and hover text (``<a href>``, ``<b>``, ``<br>``); a label is user text (typed, or from a
    shared link), so it is escaped and shows as typed. Hover templates take it from the
    trace's name (``%{data.name}``), so a "%{...}" in a label is not a template field."""
    return html.escape(str(label), quote=False)


STAR = 6  # a known minimum's star is this many pixels larger than a marker
HALO = ", ".join(["white 0 0 3px"] * 6)  # a white halo: a label readable where lines run


def text_px(text: str, font: float) -> float:
    """About how wide ``text`` is in pixels at ``font`` px: a wide (CJK) character is one em,
    any other about 0.56 em (Noto Sans' mean advance on words)."""
    return sum(font if unicodedata.east_asian_width(c) in "WF" else 0.56 * font for c in text)


def label_px(text: str, font: float) -> float:
    """How wide a Plotly label is on screen: its widest line (``<br>``), its tags
    (``<sub>``, ``<b>``) not counted."""
    return max(text_px(re.sub(r"<[^>]+>", "", line), font) for line in text.split("<br>"))


def wrap_text(text: str, px: float, font: float) -> str:
    """Plain ``text`` as Plotly text of lines at most ``px`` wide: broken at spaces, and
    between wide characters (Chinese has no spaces), escaped like a label."""
    lines: list[str] = []
    line = ""
    for word in re.findall(r"\S+\s*", text.strip()):
        pieces = [word] if not any(unicodedata.east_asian_width(c) in "WF" for c in word) else list(word)
        for piece in pieces:
            if line and text_px((line + piece).rstrip(), font) > px:
                lines.append(line.rstrip())
                line = piece.lstrip()
            else:
                line += piece
    lines.append(line.rstrip())
    return "<br>".join(label_text(x) for x in lines if x)


def color(i: int) -> str:
    """The colour of run ``i`` (cycles when there are more runs than colours)."""
    return PALETTE[i % len(PALETTE)]


@dataclass(frozen=True)
class Sizes:
    """Font and line sizes; presentation mode scales everything for a projector."""

    font: int
    line: float
    tail: float
    marker: int
    height: int

    @classmethod
    def of(cls, presentation: bool) -> Sizes:
        if presentation:
            return cls(font=20, line=3.0, tail=5.0, marker=18, height=760)
        return cls(font=14, line=1.6, tail=3.5, marker=13, height=640)


def base_layout(sizes: Sizes) -> dict:
    """Layout defaults every figure shares: white paper, our fonts, no theme template."""
    return {
        "template": {"layout": {}},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"size": sizes.font, "family": "Noto Sans, Noto Sans CJK SC, Arial, sans-serif"},
        "height": sizes.height,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "hovermode": "closest",
        "hoverlabel": {"font": {"size": sizes.font}},
    }


def fmt_value(v: float, digits: int = 3) -> str:
    """A readout: ``digits`` significant digits, powers of ten as 1.2e-4."""
    if not math.isfinite(v):
        return "–"
    if v != 0 and (abs(v) < 1e-2 or abs(v) >= 1e4):
        mant, exp = f"{v:.{digits - 1}e}".split("e")
        return f"{mant.rstrip('0').rstrip('.')}e{int(exp)}"
    return f"{v:.{digits}g}"
