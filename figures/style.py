"""Colours, sizes and the few words the figures print, shared by the app and every export.

The palette is fixed (never taken from a theme) so that run *i* has the same colour in the
app, in a PNG, an SVG, a GIF and an HTML export; the app passes ``theme=None`` to Plotly.
"""

from __future__ import annotations

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


TEXT: dict[str, dict[str, str]] = {
    "loss": {"en": "loss L", "zh": "loss L"},
    "grad_norm": {"en": "‖g‖ (log)", "zh": "‖g‖（对数）"},
    "lr": {"en": "η<sup>t</sup> (log)", "zh": "η<sup>t</sup>（对数）"},
    "eff_lr": {"en": "η/σ per param (log)", "zh": "每个参数的 η/σ（对数）"},
    "eff_lr_note": {
        "en": "solid: x, dashed: y",
        "zh": "实线：x，虚线：y",
    },
    "step": {"en": "step t", "zh": "步数 t"},
    "step_prefix": {"en": "step ", "zh": "第 "},
    "step_suffix": {"en": "", "zh": " 步"},
    "play": {"en": "▶ Play", "zh": "▶ 播放"},
    "pause": {"en": "❚❚ Pause", "zh": "❚❚ 暂停"},
    "replay": {"en": "↺ From 0", "zh": "↺ 从头"},
    "start": {"en": "start", "zh": "起点"},
    "minimum": {"en": "known minimum", "zh": "已知最小值"},
    "escape": {"en": "escape direction", "zh": "逃离方向"},
    "grad": {"en": "−g (direction)", "zh": "−g（方向）"},
    "update": {"en": "update Δθ (direction)", "zh": "更新 Δθ（方向）"},
    "momentum": {"en": "−momentum (direction)", "zh": "−动量（方向）"},
    "schedule_title": {"en": "learning rate η<sup>t</sup>", "zh": "学习率 η<sup>t</sup>"},
    "surface_3d": {"en": "loss surface", "zh": "loss 曲面"},
}

KIND_NAMES: dict[str, dict[str, str]] = {
    "minimum": {"en": "minimum", "zh": "最小值"},
    "saddle": {"en": "saddle point", "zh": "鞍点"},
    "maximum": {"en": "maximum", "zh": "极大值"},
    "plateau": {"en": "plateau", "zh": "平台"},
    "oscillating": {"en": "oscillating", "zh": "震荡"},
    "crawling": {"en": "crawling", "zh": "爬行"},
    "moving": {"en": "still moving", "zh": "仍在前进"},
    "diverged": {"en": "diverged", "zh": "发散"},
}


def text(key: str, lang: str) -> str:
    """A figure label in ``lang`` (English when the language is unknown)."""
    entry = TEXT[key]
    return entry.get(lang, entry["en"])


def kind_name(kind: str, lang: str) -> str:
    entry = KIND_NAMES.get(kind, {"en": kind})
    return entry.get(lang, entry["en"])


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
