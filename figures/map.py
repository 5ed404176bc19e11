"""The map: the surface from above and every run's path, in pieces that the one classroom
figure (``figures.overview``) places and animates.

The surface is a raster image and the contour lines one scatter trace, which survive
animation frames (contour and heatmap traces vanish once a frame plays). What moves is only
what frames carry: each run's path so far (``reveal``: the part up to the last keyframe and
the part since, so a frame carries a short piece rather than the whole path), the current
points, the arrows in their run's colour and the local quadratic model.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from core.text import t
from figures import overlap
from figures.layers import Layers
from figures.local import local_style, local_traces
from figures.sampling import F32, f32, path_indices, short
from figures.style import ARROW_DASH, CONTOUR_COLOR, HALO, STAR, label_text
from figures.view import View
from lab import Result, RunResult
from surfaces.base import Surface

ARROW_LEN = 0.11  # display length of an arrow, as a fraction of the map's width/height
FULL = (0.0, 1.0)
NEUTRAL = "#555"

Domain = tuple[float, float]


def map_ranges(layers: Layers, view: View) -> tuple[tuple[float, float], tuple[float, float]]:
    return view.map_x or layers.x_range, view.map_y or layers.y_range


def span(layers: Layers, view: View) -> tuple[float, float]:
    (x0, x1), (y0, y1) = map_ranges(layers, view)
    return (x1 - x0, y1 - y0)


def map_layout(
    result: Result, layers: Layers, view: View, x_domain: Domain = FULL, y_domain: Domain = FULL
) -> dict[str, Any]:
    """The map's axes (in the given part of the figure) and the surface raster."""
    (x0, x1), (y0, y1) = layers.x_range, layers.y_range
    (vx0, vx1), (vy0, vy1) = map_ranges(layers, view)
    axis = {
        "showgrid": False, "zeroline": False, "mirror": True, "linecolor": "#888",
        "ticks": "outside", "fixedrange": True,
    }  # fmt: skip
    return {
        "xaxis": {"domain": list(x_domain), "range": [vx0, vx1], "title": {"text": result.surface.axes[0], "standoff": 2}, **axis},
        "yaxis": {"domain": list(y_domain), "range": [vy0, vy1], "title": {"text": result.surface.axes[1], "standoff": 2}, **axis},
        "images": [
            {
                "source": layers.png_uri, "xref": "x", "yref": "y", "x": x0, "y": y1,
                "sizex": x1 - x0, "sizey": y1 - y0, "sizing": "stretch", "layer": "below",
            }
        ],
    }  # fmt: skip


# --- what stays put -----------------------------------------------------------------------
def static_traces(
    result: Result, layers: Layers, view: View, drawn: list[np.ndarray], dash: list[str | None] | None = None
) -> list[dict[str, Any]]:
    """Contour lines, the whole paths (when not revealed), the start, the known minima, the
    escape direction of runs stopped at a saddle and the saddles runs passed."""
    data: list[dict[str, Any]] = [
        {
            "type": "scatter", "mode": "lines", "x": layers.lines_x, "y": layers.lines_y,
            "line": {"color": CONTOUR_COLOR, "width": 1}, "hoverinfo": "skip",
            "showlegend": False, "name": "contours",
        }
    ]  # fmt: skip
    if not view.reveal:
        data += [
            whole_path(run, i, idx, view, len(result.runs), dash[i] if dash else None)
            for i, (run, idx) in enumerate(zip(result.runs, drawn, strict=True))
        ]
    data.append(_start_marker(result, layers, view))
    if result.surface.minima:
        data.append({**_minima(result.surface, view), "showlegend": _on_map(np.asarray(result.surface.minima), layers, view)})
    if not view.reveal and (escape := escape_arrows(result, layers, view)) is not None:
        data.append({**escape[0], **escape[1](math.inf)})  # the paths drawn whole: at once
    if not view.reveal and (passed := _passed_saddles(result, view)) is not None:
        style, at = passed
        data.append({**style, **at(math.inf)})  # every mark, the paths being drawn whole
    data += _arrow_legend(view) + _local_legend(view)
    return data


def drawn_indices(run: RunResult, layers: Layers) -> np.ndarray:
    """The points of a run's path that are drawn (``sampling.path_indices``)."""
    (x0, x1), (y0, y1) = layers.x_range, layers.y_range
    return path_indices(run.trajectory, span=(x1 - x0, y1 - y0))


def path_dashes(result: Result, layers: Layers, view: View, drawn: list[np.ndarray]) -> list[str | None]:
    """Each run's path dash: dashed where it and an earlier run's path lie on one another."""
    (x0, x1), (y0, y1) = map_ranges(layers, view)
    return overlap.dashes([r.trajectory[d] for r, d in zip(result.runs, drawn, strict=True)], (x1 - x0, y1 - y0))


def whole_path(run: RunResult, i: int, idx: np.ndarray, view: View, n: int, dash: str | None = None) -> dict[str, Any]:
    pts = run.trajectory[idx]
    return {
        **path_style(run, i, view, legend=True, n=n, dash=dash),
        "x": f32(pts[:, 0]),
        "y": f32(pts[:, 1]),
        "customdata": idx.astype(np.int32),
        "hovertemplate": "%{data.name}<br>t=%{customdata}<br>(%{x:.4g}, %{y:.4g})<extra></extra>",
    }


def path_style(run: RunResult, i: int, view: View, legend: bool, n: int, dash: str | None = None) -> dict[str, Any]:
    """Run ``i`` of ``n``'s path style (earlier runs wider: see ``View.line``; ``dash``: a
    path on an earlier run's, ``overlap.dashes``)."""
    return {
        "type": "scatter",
        "mode": "lines",
        "name": label_text(run.label),
        "legendgroup": f"run{i}",
        "legendrank": 100 + i,  # runs first, then start, minimum, arrows
        "showlegend": legend,
        # a dashed path is as wide as the widest under it: its colour and the other's alternate
        "line": {"color": view.color(i), "width": view.line(0 if dash else i, n), **({"dash": dash} if dash else {})},
        "opacity": 0.85,
        "hoverinfo": "skip" if not legend else None,
    }


def _on_map(points: np.ndarray, layers: Layers, view: View) -> bool:
    """Whether any of ``points`` (n × 2) lies inside the map's view (its zoom)."""
    (x0, x1), (y0, y1) = map_ranges(layers, view)
    p = np.asarray(points, dtype=float).reshape(-1, 2)
    return bool(np.any((p[:, 0] >= x0) & (p[:, 0] <= x1) & (p[:, 1] >= y0) & (p[:, 1] <= y1)))


def _start_marker(result: Result, layers: Layers, view: View) -> dict[str, Any]:
    """The start ring; in the legend only when the map's zoom shows it (preset 4's legend
    named a start that was off the map)."""
    x, y = result.scenario.start
    return {
        "type": "scatter", "mode": "markers", "x": [x], "y": [y], "name": t("fig.start", view.lang),
        "showlegend": _on_map(np.array([x, y]), layers, view),
        "marker": {"symbol": "circle-open", "size": view.sizes.marker + 8, "color": "black", "line": {"width": 3}},
        "hovertemplate": f"{t('fig.start', view.lang)} (%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
    }  # fmt: skip


def _minima(surface: Surface, view: View) -> dict[str, Any]:
    m = np.asarray(surface.minima, dtype=float)
    return {
        "type": "scatter", "mode": "markers", "x": f32(m[:, 0]), "y": f32(m[:, 1]),
        "name": t("fig.minimum", view.lang),
        "marker": {"symbol": "star", "size": view.sizes.marker + STAR, "color": "#FFD23F", "line": {"color": "black", "width": 1.5}},
        "hovertemplate": "(%{x:.3g}, %{y:.3g})<extra></extra>",
    }  # fmt: skip


def scaled(p: np.ndarray, v: np.ndarray, box: tuple[float, float], frac: float) -> np.ndarray:
    """The end of an arrow from ``p`` along ``v`` whose length on screen is ``frac`` of the
    map: gradients can be 1e4 times longer than the map is wide, steps 1e-8 times shorter,
    so arrows show directions; their true sizes are in the update-rule panel."""
    d = np.array([v[0] / box[0], v[1] / box[1]])
    n = float(np.hypot(d[0], d[1]))
    if not np.isfinite(n) or n == 0:
        return np.array([np.nan, np.nan])
    # (d / n) is a unit vector: frac / n alone overflows for a subnormal vector (1e-309).
    return p + (d / n) * frac * np.asarray(box, dtype=float)


def escape_arrows(result: Result, layers: Layers, view: View) -> tuple[dict[str, Any], Any] | None:
    """For each run stopped at a saddle, the Hessian's negative-eigenvalue direction, both
    ways: its style and step -> data, each run's arrows shown once the clock reaches that
    run's end (drawn from step 0 they gave the ending away, and mid-Play they stood beside the
    local model's own dashed eigenvector at the run's current point: preset 9)."""
    segments: list[tuple[int, list[float | None], list[float | None]]] = []
    msize: list[int] = []
    box = span(layers, view)
    for run in result.runs:
        d = run.verdict.get("escape_direction")
        if run.verdict.get("kind") != "saddle" or not d:
            continue
        p = run.trajectory[-1]
        xs: list[float | None] = []
        ys: list[float | None] = []
        for sign in (1.0, -1.0):
            e = scaled(p, sign * np.asarray(d, dtype=float), box, 1.6 * ARROW_LEN)
            xs += [float(p[0]), float(e[0]), None]
            ys += [float(p[1]), float(e[1]), None]
            msize += [0, view.sizes.marker + 2, 0]
        segments.append((run.steps_run, xs, ys))
    if not segments:
        return None
    style = {
        "type": "scatter", "mode": "lines+markers", "name": t("fig.escape", view.lang),
        "line": {"color": "black", "width": view.sizes.line + 1, "dash": "dash"},
        "marker": {"symbol": "arrow", "angleref": "previous", "size": msize, "color": "black"},
        "hoverinfo": "skip",
    }  # fmt: skip

    def at(s: float) -> dict[str, Any]:
        return {
            "x": [x if s >= k else None for k, xs, _ in segments for x in xs],
            "y": [y if s >= k else None for k, _, ys in segments for y in ys],
        }

    return style, at


def _passed_saddles(result: Result, view: View) -> tuple[dict[str, Any], Any] | None:
    """Where a run passed a saddle (or maximum) and left it (the verdict's events), as an open
    hourglass (a cross was read as the batch's own minimum, ×, beside it: preset 23) with the
    step beside it in its run's colour where all marks stand at one saddle (the cards' "passed the saddle around step 122" was
    below the fold: preset 9's "about 100 steps later" now reads off the map): the style and
    step -> data, each mark shown from the step its run passed there on (revealed paths: a
    mark drawn before the run gets there gives the ending away, preset 9 mid-Play)."""
    pts = [
        (e["point"], view.color(i), e["step"])
        for i, run in enumerate(result.runs)
        for e in run.verdict.get("events", ())
        if e["kind"] in ("left_saddle", "left_maximum") and e.get("point") is not None
    ]
    if not pts:
        return None
    # The steps are printed where every mark stands at one saddle (runs compared passing it,
    # preset 9); marks at several places printed their steps over the scribbles of batch runs
    # and the seed counts (preset 23), and the cards say it there.
    one_place = len(pts) <= len(SIDES) and all(math.dist(p, pts[0][0]) < SAME * _span(result.surface) for p, _, _ in pts)
    style = {
        "type": "scatter", "mode": "markers+text", "name": t("fig.passed_saddle", view.lang),
        "marker": {"symbol": "hourglass-open", "size": view.sizes.marker + 6, "color": [c for _, c, _ in pts], "line": {"width": 3}},
        "text": [t("fig.passed_step", view.lang, step=f"{k:,}") if one_place else "" for _, _, k in pts],
        "textposition": _beside([p for p, _, _ in pts], result.surface),
        "textfont": {"color": [c for _, c, _ in pts], "size": view.sizes.font - 1, "shadow": HALO},
        "cliponaxis": False, "hoverinfo": "skip",
    }  # fmt: skip

    def at(s: float) -> dict[str, Any]:
        return {
            "x": [p[0] if k <= s else None for p, _, k in pts],
            "y": [p[1] if k <= s else None for p, _, k in pts],
        }

    return style, at


SIDES = ("middle right", "middle left", "top center", "bottom center")  # marks at one place
SAME = 0.02  # of the map's larger side: marks this near stand at one place


def _span(surface: Surface) -> float:
    return max(surface.x_range[1] - surface.x_range[0], surface.y_range[1] - surface.y_range[0])


def _beside(points: list[Any], surface: Surface) -> list[str]:
    """Each mark's label side: marks at one place (two runs passing the same saddle) take
    turns right, left, above and below, so their steps do not print over one another."""
    out: list[str] = []
    for k, p in enumerate(points):
        same = sum(1 for q in points[:k] if math.dist(p, q) < SAME * _span(surface))
        out.append(SIDES[same % len(SIDES)])
    return out


def _arrow_legend(view: View) -> list[dict[str, Any]]:
    """Legend entries for the arrow kinds (the arrows themselves are in their run's colour)."""
    return [
        {
            "type": "scatter", "mode": "lines", "x": [None], "y": [None], "name": t(f"fig.{k}", view.lang),
            "line": {"color": NEUTRAL, "width": view.sizes.line + 0.5, "dash": ARROW_DASH[k]},
        }
        for k in view.arrow_kinds
    ]  # fmt: skip


def _local_legend(view: View) -> list[dict[str, Any]]:
    """Legend entries for the local quadratic model, when drawn: its contours are in the run's
    colour, like its path (the review read preset 5's as the run's own)."""
    if view.local is None:
        return []
    color = view.color(view.local)
    return [
        {"type": "scatter", "mode": "lines", "x": [None], "y": [None], "name": t("fig.local_model", view.lang),
         "line": {"color": color, "width": 1.2}, "legendrank": 900},
        {"type": "scatter", "mode": "lines", "x": [None], "y": [None], "name": t("fig.local_eig", view.lang),
         "line": {"color": "black", "width": view.sizes.line + 1}, "legendrank": 901},
    ]  # fmt: skip


# --- what frames replace ------------------------------------------------------------------
def revealed(run: RunResult, idx: np.ndarray, a: int, b: int) -> np.ndarray:
    """The drawn points of the path from step ``a`` to step ``b`` (both ends exact)."""
    b = min(b, run.steps_run)
    a = min(a, b)
    inside = idx[(idx > a) & (idx < b)]
    pts = run.trajectory[np.concatenate([[a], inside, [b]]).astype(int)]
    return pts


F32_MAX = float(F32.max)


def xy(pts: np.ndarray) -> dict[str, Any]:
    """Coordinates of a trace as typed arrays, encoded at C speed (rounding each number for
    JSON would cost more than a frame's whole budget). A path's points are finite (the
    engine cuts a run at its first non-finite point): float32 unless one is beyond float32's
    range (a diverging path), where float64 keeps it. A coordinate below float32's smallest
    normal number is drawn at 0 either way: a map spans far more than 1e-38."""
    if len(pts) and float(np.abs(pts).max()) < F32_MAX:
        return {"type": "scatter", "x": pts[:, 0].astype(np.float32), "y": pts[:, 1].astype(np.float32)}
    return {"type": "scatter", "x": np.array(pts[:, 0]), "y": np.array(pts[:, 1])}


def heads(result: Result, s: int) -> dict[str, Any]:
    """Every run's current point at step ``s``."""
    pts = np.array([run.trajectory[min(s, run.steps_run)] for run in result.runs])
    return xy(pts)


def heads_style(result: Result, view: View) -> dict[str, Any]:
    return {
        "mode": "markers",
        "marker": {
            "size": view.sizes.marker,
            "color": [view.color(i) for i in range(len(result.runs))],
            "line": {"color": "white", "width": 2},
        },
        "showlegend": False,
        "hoverinfo": "skip",
        "name": "heads",
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


def arrow(result: Result, run: RunResult, s: int, kind: str, box: tuple[float, float]) -> dict[str, Any]:
    """One run's ``kind`` arrow at step ``s``: three points (start, tip, gap) always, so the
    marker sizes set once line up with every frame."""
    p = e = np.array([np.nan, np.nan])
    if run.steps_run > 0:
        j = min(s, run.steps_run - 1)
        v = _arrow_vector(run, j, kind, result.surface)
        if v is not None:
            p = run.trajectory[j]
            e = scaled(p, v, box, ARROW_LEN)
    return {"type": "scatter", "x": [short(p[0]), short(e[0]), None], "y": [short(p[1]), short(e[1]), None]}


def arrow_style(i: int, kind: str, view: View) -> dict[str, Any]:
    return {
        "mode": "lines+markers",
        "line": {"color": view.color(i), "width": view.sizes.line + 0.8, "dash": ARROW_DASH[kind]},
        "marker": {"symbol": "arrow", "angleref": "previous", "size": [0, view.sizes.marker + 2, 0], "color": view.color(i)},
        "hoverinfo": "skip",
        "showlegend": False,
        "name": f"arrow-{kind}",
    }


def movers(result: Result, layers: Layers, view: View) -> list[tuple[dict[str, Any], Any]]:
    """The map's per-step traces drawn over the paths, as (style, step -> data) pairs: current
    points, arrows per run and kind, the saddles passed so far (revealed paths)."""
    box = span(layers, view)
    out: list[tuple[dict[str, Any], Any]] = [(heads_style(result, view), lambda s: heads(result, s))]
    for kind in view.arrow_kinds:
        for i, run in enumerate(result.runs):
            out.append((arrow_style(i, kind, view), lambda s, run=run, kind=kind: arrow(result, run, s, kind, box)))
    passed = _passed_saddles(result, view)
    if view.reveal and passed is not None:
        out.append(passed)
    escape = escape_arrows(result, layers, view)
    if view.reveal and escape is not None:
        out.append(escape)
    if (rings := pin_rings(result, view)) is not None:
        out.append(rings)
    return out


SCHEDULE_PANELS = ("lr", "eff_lr")  # a pin there reads a step size, not a place: no ring on the map


def pin_rings(result: Result, view: View) -> tuple[dict[str, Any], Any] | None:
    """Where each run was at the steps a preset pins after step 0 (``view.pins``), as a ring
    in its colour on its path, shown once the clock has reached the step: the panels print
    the values there, the map shows the place (preset 6's momentum "at step 20, as it passes
    x = 0" had no mark on the map)."""
    placed = [(step, run) for panel, step, run in view.pins if step > 0 and panel not in SCHEDULE_PANELS]
    marks = sorted({(step, i) for step, run in placed for i in range(len(result.runs)) if run is None or run == i})
    marks = [(step, i) for step, i in marks if step <= result.runs[i].steps_run]
    if not marks:
        return None
    pts = [result.runs[i].trajectory[step] for step, i in marks]
    style = {
        "type": "scatter", "mode": "markers", "name": "pin_ring", "showlegend": False, "hoverinfo": "skip",
        "marker": {"symbol": "circle-open", "size": view.sizes.marker + 4, "color": [view.color(i) for _, i in marks], "line": {"width": 2.5}},
    }  # fmt: skip

    def at(s: float) -> dict[str, Any]:
        on = [not view.reveal or s >= step for step, _ in marks]
        return {"x": [float(p[0]) if o else None for p, o in zip(pts, on, strict=True)],
                "y": [float(p[1]) if o else None for p, o in zip(pts, on, strict=True)]}  # fmt: skip

    return style, at


def local_movers(result: Result, layers: Layers, view: View) -> list[tuple[dict[str, Any], Any]]:
    """The local quadratic model's per-step traces (contours, eigenvectors, their labels), to
    be drawn under the paths: above them, an eigenvector along the path hid it (preset 5's
    λ₂ lies on the line w₂ = −w₁ the run slides down)."""
    if view.local is None or view.local >= len(result.runs):
        return []
    box = span(layers, view)
    run = result.runs[view.local]
    memo: dict[int, list[dict[str, Any]]] = {}  # the four traces of a step, made once
    # the labels keep clear of the whole paths (every run's, a few thousand points each)
    paths = [r.trajectory[:: max(1, r.trajectory.shape[0] // 4000)] for r in result.runs]
    avoid = np.concatenate(paths) / np.asarray(box, dtype=float)
    avoid = avoid[np.all(np.isfinite(avoid), axis=1)]

    def model(s: int, j: int) -> dict[str, Any]:
        if s not in memo:
            memo[s] = local_traces(result.surface, run, s, box, avoid)
        return memo[s][j]

    return [(style, lambda s, j=j: model(s, j)) for j, style in enumerate(local_style(view.color(view.local), view))]
