"""The surface in 3-D with the same paths (static: 3-D frames need a full WebGL redraw each,
too slow on the software rendering of classroom machines)."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.text import t
from figures.layers import layers_for
from figures.sampling import f32, path_indices
from figures.style import SURFACE_COLORS, Sizes, base_layout, color, label_text
from lab import Result

STRIDE = 4  # the 240x240 layer grid thinned to 60x60: enough for a smooth 3-D mesh
CLIP_QUANTILE = 0.85  # taller walls are cut flat so they do not hide the valley floor
PATH_POINTS = 1500


def surface_3d(result: Result, lang: str = "en", *, presentation: bool = False) -> go.Figure:
    """The loss surface as a 3-D mesh with every run's path lying on it."""
    sizes = Sizes.of(presentation)
    layers = layers_for(result.scenario.surface)
    z = layers.z[::STRIDE, ::STRIDE]
    finite = np.isfinite(z)
    zmin = float(np.min(z[finite])) if finite.any() else 0.0
    zmax = float(np.quantile(z[finite], CLIP_QUANTILE)) if finite.any() else 1.0
    if not zmax > zmin:
        zmax = zmin + 1.0
    lift = 0.02 * (zmax - zmin)  # paths float a hair above the mesh so they are not hidden
    data: list[dict[str, Any]] = [
        {
            "type": "surface",
            "x": f32(layers.xs[::STRIDE]),
            "y": f32(layers.ys[::STRIDE]),
            "z": f32(np.clip(z, zmin, zmax)),
            "surfacecolor": f32(layers.shade[::STRIDE, ::STRIDE]),
            "colorscale": [[s, c] for s, c in SURFACE_COLORS],
            "cmin": 0,
            "cmax": 1,
            "showscale": False,
            "opacity": 0.8,
            "hoverinfo": "skip",
            "contours": {"z": {"show": True, "color": "rgba(60,72,88,0.35)", "width": 1}},
            "name": t("fig.surface_3d", lang),
        }
    ]
    for i, run in enumerate(result.runs):
        idx = path_indices(run.trajectory, PATH_POINTS)
        pts = run.trajectory[idx]
        data.append(
            {
                "type": "scatter3d",
                "mode": "lines",
                "x": f32(pts[:, 0]),
                "y": f32(pts[:, 1]),
                "z": f32(np.clip(run.loss[idx], zmin, zmax) + lift),
                "line": {"color": color(i), "width": 2 * sizes.tail},
                "name": label_text(run.label),
            }
        )
    x, y = result.scenario.start
    z0 = float(np.clip(result.runs[0].loss[0], zmin, zmax)) + lift
    data.append(
        {
            "type": "scatter3d",
            "mode": "markers",
            "x": [x],
            "y": [y],
            "z": [z0],
            "marker": {"size": sizes.marker // 2, "color": "black", "symbol": "circle-open"},
            "name": t("fig.start", lang),
        }
    )
    (x0, x1), (y0, y1) = layers.x_range, layers.y_range
    ratio = float(np.clip((y1 - y0) / (x1 - x0), 0.35, 1.0))
    layout = base_layout(sizes)
    layout.update(
        {
            "title": {"text": result.surface.title.get(lang, result.surface.name), "x": 0.01},
            "scene": {
                "xaxis": {"title": {"text": result.surface.axes[0]}, "range": [x0, x1]},
                "yaxis": {"title": {"text": result.surface.axes[1]}, "range": [y0, y1]},
                "zaxis": {"title": {"text": "L"}, "range": [zmin, zmax + 2 * lift]},
                "aspectmode": "manual",
                "aspectratio": {"x": 1.5, "y": 1.5 * ratio, "z": 0.55},
                "camera": {"eye": {"x": -0.6, "y": -1.35, "z": 1.7}},  # high: valleys visible
            },
            "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
            "margin": {"l": 0, "r": 0, "t": 80, "b": 0},
        }
    )
    return go.Figure({"data": data, "layout": layout}, _validate=False)
