"""The map: the surface from above and every run's path, animated with Play/Pause and a slider.

What moves during the animation is only what frames carry: ONE trace with every run's
recent tail and current point, plus one trace per optional arrow kind. The surface (a
raster image), the contour lines (one scatter trace) and the full paths are static, so the
picture survives Play. Frames hold plain rounded lists, not arrays: plotly.py builds an
object for every trace of every frame, and that (not JSON) is what costs time per rerun,
so a frame has one to four small traces.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.text import t
from figures.layers import layers_for
from figures.sampling import f32, frame_steps, path_indices
from figures.style import (
    ARROW_COLORS,
    ARROW_DASH,
    ARROW_KINDS,
    CONTOUR_COLOR,
    Sizes,
    base_layout,
    color,
)
from figures.traces import legend_margin
from lab import Result, RunResult
from surfaces.base import Surface

PICK_GRID = 51  # the invisible grid a click lands on (each point is an SVG node: keep it small)
ARROW_LEN = 0.11  # display length of an arrow, as a fraction of the map's width/height
TAIL_POINTS = 24  # at most this many points in each frame's dark tail, per run
TRAIL_COLOR = "rgba(20, 20, 20, 0.55)"
PICK_NAME = "pick"  # name of the click grid trace (the app filters clicks by it)


def map_figure(
    result: Result,
    lang: str = "en",
    *,
    step: int | None = None,
    animate: bool = True,
    frames: int = 120,
    arrows: Sequence[str] = (),
    presentation: bool = False,
    pick_grid: bool = True,
) -> go.Figure:
    """The map of ``result`` (a complete figure: the app shows it, exports write it).

    ``step`` is the step shown before Play (default: the last one); ``arrows`` any of
    "grad", "update", "momentum" drawn at the current step (they move with the animation);
    ``pick_grid`` the invisible grid that
    makes a click on the map return a point (leave it out of static exports).
    """
    sizes = Sizes.of(presentation)
    surface = result.surface
    layers = layers_for(result.scenario.surface)
    (x0, x1), (y0, y1) = layers.x_range, layers.y_range
    last = max(r.steps_run for r in result.runs)
    s0 = last if step is None else max(0, min(int(step), last))
    kinds = [k for k in ARROW_KINDS if k in arrows]
    span = (x1 - x0, y1 - y0)

    layout = base_layout(sizes)
    map_domain = (0.0, 1.0)
    layout.update(
        {
            "title": {
                "text": surface.title.get(lang, surface.name),
                "x": 0.01,
                "xanchor": "left",
                "y": 1,
                "yref": "container",
                "yanchor": "top",
                "pad": {"t": 8},
                "font": {"size": sizes.font + 4},
            },
            "xaxis": {
                "domain": list(map_domain),
                "range": [x0, x1],
                "title": {"text": "x"},
                "showgrid": False,
                "zeroline": False,
                "mirror": True,
                "linecolor": "#888",
                "ticks": "outside",
            },
            "yaxis": {
                "domain": [0.0, 1.0],
                "range": [y0, y1],
                "title": {"text": "y"},
                "showgrid": False,
                "zeroline": False,
                "mirror": True,
                "linecolor": "#888",
                "ticks": "outside",
            },
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
            "margin": {
                "l": 60,
                "r": 20,
                "t": int(2.6 * sizes.font) + legend_margin(result, sizes, 2 + len(kinds), 800),
                "b": 120 if animate else 50,
            },
        }
    )

    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": layers.lines_x,
            "y": layers.lines_y,
            "line": {"color": CONTOUR_COLOR, "width": 1},
            "hoverinfo": "skip",
            "showlegend": False,
            "name": "contours",
        }
    ]
    for i, run in enumerate(result.runs):
        data.append(_full_path(run, i, sizes))
    data.append(_start_marker(result, lang, sizes))
    if surface.minima:
        m = np.asarray(surface.minima, dtype=float)
        data.append(
            {
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
        )
    escape = _escape_trace(result, lang, span, sizes)
    if escape is not None:
        data.append(escape)

    moving_start = len(data)
    data.extend(_moving(result, s0, kinds, span, sizes, lang))
    moving = list(range(moving_start, len(data)))
    if pick_grid:
        data.append(_pick_grid(layers.x_range, layers.y_range))

    fig: dict[str, Any] = {"data": data, "layout": layout}
    if animate and last > 0:
        steps = np.union1d(frame_steps(last, frames), [s0])
        # Frame objects made without validation: the figure accepts them as they are, while
        # frame dicts would each be validated (~1 ms apiece, most of a rerun's budget).
        fig["frames"] = [
            go.Frame(
                {
                    "name": str(int(s)),
                    "data": [
                        _xy_only(t) for t in _moving(result, int(s), kinds, span, sizes, lang)
                    ],
                    "traces": moving,
                },
                _validate=False,
            )
            for s in steps
        ]
        layout["updatemenus"] = [_buttons(lang, sizes)]
        layout["sliders"] = [_slider(steps, s0, lang, sizes, map_domain)]
    return go.Figure(fig, _validate=False)


def _xy_only(trace: dict[str, Any]) -> dict[str, Any]:
    """A frame's copy of a moving trace: plotly.js merges it into the trace, so the styling
    stays in the figure once and frames carry coordinates only."""
    return {"type": "scatter", "x": _compact(trace["x"]), "y": _compact(trace["y"])}


def _compact(a: np.ndarray) -> np.ndarray | list[float | None]:
    """What plotly.py takes in fastest: it checks a list element by element (~5 us each) and
    an array as a whole (~150 us), so short coordinate lists go as plain floats."""
    if len(a) > 30:
        return a
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(a, float)]


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
        "name": run.label,
        "legendgroup": f"run{i}",
        "line": {"color": color(i), "width": sizes.line},
        "opacity": 0.6,
        "hovertemplate": f"{run.label}<br>t=%{{customdata}}<br>(%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
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


def _scaled(p: np.ndarray, v: np.ndarray, span: tuple[float, float], frac: float) -> np.ndarray:
    """The end of an arrow from ``p`` along ``v`` whose length on screen is ``frac`` of the
    map: gradients can be 1e4 times longer than the map is wide, steps 1e-8 times shorter,
    so arrows show directions; their true sizes are in the step panel."""
    d = np.array([v[0] / span[0], v[1] / span[1]])
    n = float(np.hypot(d[0], d[1]))
    if not np.isfinite(n) or n == 0:
        return np.array([np.nan, np.nan])
    return p + np.asarray(v) * (frac / n)


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
    """Clicks on an image or a line return nothing; clicks on this invisible grid return
    the nearest grid point, which the app takes as the new start."""
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
def _moving(
    result: Result,
    s: int,
    kinds: Sequence[str],
    span: tuple[float, float],
    sizes: Sizes,
    lang: str,
) -> list[dict[str, Any]]:
    """Tails, current points and arrows at step ``s``, in the order of ``map_figure``'s
    moving traces."""
    last = max(r.steps_run for r in result.runs)
    tail_steps = max(12, int(2 * last / 120))
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    msize: list[np.ndarray] = []
    mcolor: list[str] = []
    gap = np.array([np.nan])
    for i, run in enumerate(result.runs):
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
        msize.append(np.r_[np.zeros(TAIL_POINTS), sizes.marker, 0])
        mcolor += [color(i)] * (TAIL_POINTS + 2)
    out: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": f32(np.concatenate(xs)),
            "y": f32(np.concatenate(ys)),
            "line": {"color": TRAIL_COLOR, "width": 0.75 * sizes.line},
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
    ]
    for kind in kinds:
        out.append(_arrows(result, s, kind, span, sizes, lang))
    return out


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


# --- animation controls -------------------------------------------------------------------
def _buttons(lang: str, sizes: Sizes) -> dict[str, Any]:
    return {
        "type": "buttons",
        "direction": "left",
        "showactive": False,
        "x": 0.0,
        "y": 0.0,
        "xanchor": "left",
        "yanchor": "top",
        "pad": {"t": 60, "r": 10},
        "font": {"size": sizes.font},
        "buttons": [
            {
                "label": t("fig.play", lang),
                "method": "animate",
                "args": [
                    None,
                    {
                        "frame": {"duration": 60, "redraw": False},
                        "transition": {"duration": 0},
                        "fromcurrent": True,
                        "mode": "immediate",
                    },
                ],
            },
            {
                "label": t("fig.replay", lang),
                "method": "animate",
                "args": [
                    None,
                    {
                        "frame": {"duration": 60, "redraw": False},
                        "transition": {"duration": 0},
                        "fromcurrent": False,
                        "mode": "immediate",
                    },
                ],
            },
            {
                "label": t("fig.pause", lang),
                "method": "animate",
                "args": [
                    [None],
                    {
                        "frame": {"duration": 0, "redraw": False},
                        "transition": {"duration": 0},
                        "mode": "immediate",
                    },
                ],
            },
        ],
    }


def _slider(
    steps: np.ndarray, s0: int, lang: str, sizes: Sizes, domain: tuple[float, float]
) -> dict[str, Any]:
    """The animation's own step slider. Its steps redraw (``redraw: True``): after an
    animation without redraw, chart clicks stop firing until the chart redraws."""
    active = int(np.searchsorted(steps, s0))
    width = domain[1] - domain[0]
    return {
        "active": min(active, len(steps) - 1),
        "x": domain[0] + 0.46 * width,
        "len": 0.54 * width,
        "y": 0.0,
        "yanchor": "top",
        "pad": {"t": 50},
        "currentvalue": {
            "prefix": t("fig.step_prefix", lang),
            "suffix": t("fig.step_suffix", lang),
            # its own colour: the slider font below is transparent; at the right end, clear
            # of the x-axis title
            "font": {"size": sizes.font, "color": "#333"},
            "xanchor": "right",
        },
        # ~120 tick labels would overlap: hide them, the current value says the step.
        "font": {"color": "rgba(0,0,0,0)"},
        "ticklen": 0,
        "minorticklen": 0,
        "steps": [
            {
                "label": str(int(s)),
                "method": "animate",
                "args": [
                    [str(int(s))],
                    {
                        "frame": {"duration": 0, "redraw": True},
                        "transition": {"duration": 0},
                        "mode": "immediate",
                    },
                ],
            }
            for s in steps
        ],
    }
