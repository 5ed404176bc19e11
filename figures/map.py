"""The map: the surface from above and every run's path, animated with Play/Pause and a slider.

What moves during the animation is only what frames carry: ONE trace with every run's
recent tail and current point, plus one trace per optional arrow kind. The surface (a
raster image), the contour lines (one scatter trace) and the full paths are static, so the
picture survives Play. Frames hold plain rounded lists, not arrays: plotly.py builds an
object for every trace of every frame, and that (not JSON) is what costs time per rerun,
so a frame has one to four small traces.

The pieces (``MapView``: layout, static traces, moving traces) also serve the map + traces
picture (``figures.overview``), which places the map in part of the figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.text import t
from figures import animation
from figures.layers import Layers, layers_for
from figures.sampling import f32, frame_steps, path_indices
from figures.style import (
    ARROW_COLORS,
    ARROW_DASH,
    ARROW_KINDS,
    CONTOUR_COLOR,
    Sizes,
    base_layout,
    color,
    label_text,
)
from figures.traces import legend_margin
from lab import Result, RunResult
from surfaces.base import Surface

PICK_GRID = 51  # the invisible grid a click lands on (each point is an SVG node: keep it small)
ARROW_LEN = 0.11  # display length of an arrow, as a fraction of the map's width/height
TAIL_POINTS = 24  # at most this many points in each frame's dark tail, per run
TRAIL_COLOR = "rgba(20, 20, 20, 0.55)"
# Name of the click grid trace. The app finds the grid by its position (the last trace),
# since a click event reports a curve's number, not its name; the name marks the trace for
# readers of the figure (and for tests).
PICK_NAME = "pick"
FULL = (0.0, 1.0)

Domain = tuple[float, float]


@dataclass(frozen=True)
class MapView:
    """What every piece of the map needs, resolved once: the result, the language, the
    sizes, the surface's layers and the arrow kinds drawn."""

    result: Result
    lang: str
    sizes: Sizes
    layers: Layers
    kinds: tuple[str, ...]

    @classmethod
    def of(cls, result: Result, lang: str, arrows: Sequence[str], presentation: bool) -> MapView:
        kinds = tuple(k for k in ARROW_KINDS if k in arrows)
        layers = layers_for(result.scenario.surface)
        return cls(result, lang, Sizes.of(presentation), layers, kinds)

    @property
    def last(self) -> int:
        return max(r.steps_run for r in self.result.runs)

    @property
    def span(self) -> tuple[float, float]:
        (x0, x1), (y0, y1) = self.layers.x_range, self.layers.y_range
        return (x1 - x0, y1 - y0)

    def step(self, step: int | None) -> int:
        """``step`` within the runs (None: the last step)."""
        return self.last if step is None else max(0, min(int(step), self.last))


def map_figure(
    result: Result,
    lang: str = "en",
    *,
    step: int | None = None,
    animate: bool = True,
    frames: int = 120,
    frame_ms: int = animation.PLAY_MS,
    arrows: Sequence[str] = (),
    presentation: bool = False,
    pick_grid: bool = True,
    label_step: bool = False,
) -> go.Figure:
    """The map of ``result`` (a complete figure: the app shows it, exports write it).

    ``step`` is the step shown before Play (default: the last one); ``arrows`` any of
    "grad", "update", "momentum" drawn at the current step (they move with the animation);
    ``frames`` about how many steps Play visits, ``frame_ms`` each; ``pick_grid`` the
    invisible grid that makes a click on the map return a point (leave it out of static
    exports); ``label_step`` writes the step in the corner (a still has no slider).
    """
    view = MapView.of(result, lang, arrows, presentation)
    s0 = view.step(step)
    animated = animate and view.last > 0
    layout = map_layout(view, margin=map_margin(view, animate))
    data = static_traces(view)
    moving = list(range(len(data), len(data) + 1 + len(view.kinds)))
    data += moving_traces(view, s0)
    if pick_grid:
        data.append(_pick_grid(view.layers.x_range, view.layers.y_range))
    fig: dict[str, Any] = {"data": data, "layout": layout}
    if animated:
        steps = np.union1d(frame_steps(view.last, frames), [s0])
        fig["frames"] = animation.frames(steps, moving, lambda s: moving_traces(view, s))
        layout.update(animation.controls(steps, s0, lang, view.sizes, FULL, frame_ms))
    if label_step:
        fig = animation.with_step_label(fig, s0, lang, presentation)
    return go.Figure(fig, _validate=False)


def map_margin(view: MapView, animate: bool) -> dict[str, int]:
    """Room for the title and the legend above the map, and for Play and the slider below."""
    legend = legend_margin(view.result, view.sizes, 2 + len(view.kinds), 800)
    return {
        "l": 60,
        "r": 20,
        "t": int(2.6 * view.sizes.font) + legend,
        "b": 120 if animate else 50,
    }


def map_layout(
    view: MapView, *, margin: dict[str, int], x_domain: Domain = FULL, y_domain: Domain = FULL
) -> dict[str, Any]:
    """Title, axes (in the given part of the figure), the surface raster and the legend."""
    layers, sizes = view.layers, view.sizes
    (x0, x1), (y0, y1) = layers.x_range, layers.y_range
    surface = view.result.surface
    axis = {
        "showgrid": False,
        "zeroline": False,
        "mirror": True,
        "linecolor": "#888",
        "ticks": "outside",
    }
    layout = base_layout(sizes)
    layout.update(
        {
            "title": {
                "text": surface.title.get(view.lang, surface.name),
                "x": 0.01,
                "xanchor": "left",
                "y": 1,
                "yref": "container",
                "yanchor": "top",
                "pad": {"t": 8},
                "font": {"size": sizes.font + 4},
            },
            "xaxis": {"domain": list(x_domain), "range": [x0, x1], "title": {"text": "x"}, **axis},
            "yaxis": {"domain": list(y_domain), "range": [y0, y1], "title": {"text": "y"}, **axis},
            "images": [
                {
                    "source": layers.png_uri,
                    "xref": "x",
                    "yref": "y",
                    "x": x0,
                    "y": y1,
                    "sizex": x1 - x0,
                    "sizey": y1 - y0,
                    "sizing": "stretch",
                    "layer": "below",
                }
            ],
            "legend": {
                "orientation": "h",
                "x": 0.0,
                "y": 1.0,
                "yanchor": "bottom",
                "bgcolor": "rgba(255,255,255,0.8)",
                "font": {"size": sizes.font},
            },
            "dragmode": False,
            "margin": margin,
        }
    )
    return layout


def static_traces(view: MapView) -> list[dict[str, Any]]:
    """What stays put while the map plays: contour lines, every full path, the start, the
    known minima and the escape direction of runs stopped at a saddle."""
    result, sizes = view.result, view.sizes
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": view.layers.lines_x,
            "y": view.layers.lines_y,
            "line": {"color": CONTOUR_COLOR, "width": 1},
            "hoverinfo": "skip",
            "showlegend": False,
            "name": "contours",
        }
    ]
    data += [_full_path(run, i, sizes) for i, run in enumerate(result.runs)]
    data.append(_start_marker(result, view.lang, sizes))
    if result.surface.minima:
        data.append(_minima(result.surface, view.lang, sizes))
    escape = _escape_trace(result, view.lang, view.span, sizes)
    if escape is not None:
        data.append(escape)
    return data


def moving_traces(view: MapView, s: int) -> list[dict[str, Any]]:
    """What frames replace, at step ``s``: every run's tail and current point, then one
    trace per arrow kind."""
    out = [_trail(view, s)]
    out += [_arrows(view.result, s, kind, view.span, view.sizes, view.lang) for kind in view.kinds]
    return out


# --- static pieces ------------------------------------------------------------------------
def _full_path(run: RunResult, i: int, sizes: Sizes) -> dict[str, Any]:
    idx = path_indices(len(run.trajectory))
    pts = run.trajectory[idx]
    return {
        "type": "scatter",
        "mode": "lines",
        "x": f32(pts[:, 0]),
        "y": f32(pts[:, 1]),
        "customdata": idx.astype(np.int32),
        "name": label_text(run.label),
        "legendgroup": f"run{i}",
        "line": {"color": color(i), "width": sizes.line},
        "opacity": 0.6,
        "hovertemplate": "%{data.name}<br>t=%{customdata}<br>(%{x:.4g}, %{y:.4g})<extra></extra>",
    }


def _start_marker(result: Result, lang: str, sizes: Sizes) -> dict[str, Any]:
    x, y = result.scenario.start
    return {
        "type": "scatter",
        "mode": "markers",
        "x": [x],
        "y": [y],
        "name": t("fig.start", lang),
        "marker": {
            "symbol": "circle-open",
            "size": sizes.marker + 8,
            "color": "black",
            "line": {"width": 3},
        },
        "hovertemplate": f"{t('fig.start', lang)} (%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
    }


def _minima(surface: Surface, lang: str, sizes: Sizes) -> dict[str, Any]:
    m = np.asarray(surface.minima, dtype=float)
    return {
        "type": "scatter",
        "mode": "markers",
        "x": f32(m[:, 0]),
        "y": f32(m[:, 1]),
        "name": t("fig.minimum", lang),
        "marker": {
            "symbol": "star",
            "size": sizes.marker + 6,
            "color": "#FFD23F",
            "line": {"color": "black", "width": 1.5},
        },
        "hovertemplate": "(%{x:.3g}, %{y:.3g})<extra></extra>",
    }


def _scaled(p: np.ndarray, v: np.ndarray, span: tuple[float, float], frac: float) -> np.ndarray:
    """The end of an arrow from ``p`` along ``v`` whose length on screen is ``frac`` of the
    map: gradients can be 1e4 times longer than the map is wide, steps 1e-8 times shorter,
    so arrows show directions; their true sizes are in the step panel."""
    d = np.array([v[0] / span[0], v[1] / span[1]])
    n = float(np.hypot(d[0], d[1]))
    if not np.isfinite(n) or n == 0:
        return np.array([np.nan, np.nan])
    # (d / n) is a unit vector: frac / n alone overflows for a subnormal vector (1e-309).
    return p + (d / n) * frac * np.asarray(span, dtype=float)


def _escape_trace(
    result: Result, lang: str, span: tuple[float, float], sizes: Sizes
) -> dict[str, Any] | None:
    """For each run stopped at a saddle, the Hessian's negative-eigenvalue direction, both ways."""
    xs: list[float] = []
    ys: list[float] = []
    sizes_: list[int] = []
    for run in result.runs:
        d = run.verdict.get("escape_direction")
        if run.verdict.get("kind") != "saddle" or not d:
            continue
        p = run.trajectory[-1]
        for sign in (1.0, -1.0):
            e = _scaled(p, sign * np.asarray(d, dtype=float), span, 1.6 * ARROW_LEN)
            xs += [float(p[0]), float(e[0]), np.nan]
            ys += [float(p[1]), float(e[1]), np.nan]
            sizes_ += [0, sizes.marker + 2, 0]
    if not xs:
        return None
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "x": xs,
        "y": ys,
        "name": t("fig.escape", lang),
        "line": {"color": "black", "width": sizes.line + 1, "dash": "dash"},
        "marker": {"symbol": "arrow", "angleref": "previous", "size": sizes_, "color": "black"},
        "hoverinfo": "skip",
    }


def _pick_grid(xr: tuple[float, float], yr: tuple[float, float]) -> dict[str, Any]:
    """Clicks on an image or a line return nothing; clicks on this invisible grid (the last
    trace) return the nearest grid point, which the app takes as the new start."""
    gx, gy = np.meshgrid(np.linspace(*xr, PICK_GRID), np.linspace(*yr, PICK_GRID))
    return {
        "type": "scatter",
        "mode": "markers",
        "x": gx.ravel().astype(np.float32),
        "y": gy.ravel().astype(np.float32),
        "marker": {"opacity": 0, "size": 12, "color": "black"},
        "hoverinfo": "none",
        "showlegend": False,
        "name": PICK_NAME,
    }


# --- what frames replace ------------------------------------------------------------------
def _trail(view: MapView, s: int) -> dict[str, Any]:
    """Every run's recent tail (dark) and its current point (its colour) at step ``s``."""
    tail_steps = max(12, int(2 * view.last / 120))
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    msize: list[np.ndarray] = []
    mcolor: list[str] = []
    gap = np.array([np.nan])
    for i, run in enumerate(view.result.runs):
        j = min(s, run.steps_run)
        a = max(0, j - tail_steps)
        idx = a + path_indices(j - a + 1, TAIL_POINTS)
        idx = np.concatenate([idx[idx < j], [j]])[-(TAIL_POINTS + 1) :]
        # Always TAIL_POINTS + 1 slots per run (NaN-padded), so the marker sizes and colours
        # set once in the figure line up with every frame: only the last slot is the head.
        pad = TAIL_POINTS - (len(idx) - 1)
        pts = run.trajectory[idx]
        xs += [np.full(pad, np.nan), pts[:, 0], gap]
        ys += [np.full(pad, np.nan), pts[:, 1], gap]
        msize.append(np.r_[np.zeros(TAIL_POINTS), view.sizes.marker, 0])
        mcolor += [color(i)] * (TAIL_POINTS + 2)
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "x": f32(np.concatenate(xs)),
        "y": f32(np.concatenate(ys)),
        "line": {"color": TRAIL_COLOR, "width": 0.75 * view.sizes.line},
        "marker": {
            "size": np.concatenate(msize).astype(np.int16).tolist(),
            "color": mcolor,
            "line": {"color": "white", "width": 2},
            "opacity": 1,
        },
        "showlegend": False,
        "hoverinfo": "skip",
        "name": "trail",
    }


def _arrow_vector(run: RunResult, j: int, kind: str, surface: Surface) -> np.ndarray | None:
    if kind == "grad":
        with np.errstate(all="ignore"):
            g = np.asarray(surface.grad(run.trajectory[j]), dtype=float)
        return -(g + (run.noise[j] if run.noise is not None else 0.0))
    if kind == "update":
        return run.trajectory[j + 1] - run.trajectory[j]
    for name in ("m", "buf"):
        if name in run.state and len(run.state[name]) > j:
            return -np.asarray(run.state[name][j], dtype=float)
    return None


def _arrows(
    result: Result, s: int, kind: str, span: tuple[float, float], sizes: Sizes, lang: str
) -> dict[str, Any]:
    """One trace holding the ``kind`` arrow of every run at step ``s`` (NaN between arrows)."""
    xs: list[float] = []
    ys: list[float] = []
    msize: list[int] = []
    for run in result.runs:
        # Three points per run even when there is no arrow, so the marker sizes set once in
        # the figure line up with every frame's points.
        p = e = np.array([np.nan, np.nan])
        if run.steps_run > 0:
            j = min(s, run.steps_run - 1)
            v = _arrow_vector(run, j, kind, result.surface)
            if v is not None:
                p = run.trajectory[j]
                e = _scaled(p, v, span, ARROW_LEN)
        xs += [float(p[0]), float(e[0]), np.nan]
        ys += [float(p[1]), float(e[1]), np.nan]
        msize += [0, sizes.marker, 0]
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "x": f32(np.asarray(xs)),
        "y": f32(np.asarray(ys)),
        "name": t(f"fig.{kind}", lang),
        "line": {"color": ARROW_COLORS[kind], "width": sizes.line + 0.5, "dash": ARROW_DASH[kind]},
        "marker": {
            "symbol": "arrow",
            "angleref": "previous",
            "size": msize,
            "color": ARROW_COLORS[kind],
        },
        "hoverinfo": "skip",
        "showlegend": True,
    }
