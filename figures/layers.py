"""The static picture of a surface: a colour raster and contour lines.

Plotly drops contour and heatmap traces as soon as an animation frame plays, so the filled
surface is a PNG in ``layout.images`` and the contour lines are ONE scatter trace (pieces
separated by NaN), both of which survive animation. Both are cached per surface, because
the app rebuilds the map on every slider change while the surface rarely changes.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import contourpy
import numpy as np
from PIL import Image

from figures.style import SURFACE_COLORS
from surfaces import make_surface
from surfaces.base import Surface

GRID = 240  # samples per axis for the raster and the contour lines
# A closed level line smaller than this share of the box is the grid's aliasing of a thin
# sliver (Rosenbrock's valley floor near (1.7, 2.8): three islands a few cells long, read as
# "stray grey dashes" in two lesson reviews); a ring around a minimum at the lowest level
# spans the level's share of the area, a tenth of the box or more.
SPECK = 0.015
# Contour levels sit at these quantiles of the loss over the visible box: the lines spread
# evenly over the picture whatever the loss's scale (a ravine, Rastrigin, an unbounded saddle).
LEVEL_QUANTILES = (0.01, 0.03, 0.06, 0.1, 0.15, 0.22, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.97)


@dataclass(frozen=True)
class Layers:
    png_uri: str  # data:image/png;base64,...
    lines_x: np.ndarray  # float32, NaN between pieces
    lines_y: np.ndarray
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    # The grid itself, reused by the 3-D view (rank-equalised colour in [0, 1]).
    xs: np.ndarray
    ys: np.ndarray
    z: np.ndarray
    shade: np.ndarray


def surface_key(spec: str | dict[str, Any]) -> str:
    """A hashable key for a scenario's surface value (a name or a formula object)."""
    return json.dumps(spec, sort_keys=True)


def layers_for(spec: str | dict[str, Any]) -> Layers:
    """The layers of the surface a scenario names (cached by that value)."""
    return _cached_layers(surface_key(spec))


@lru_cache(maxsize=16)
def _cached_layers(key: str) -> Layers:
    return compute_layers(make_surface(json.loads(key)))


def _colormap(u: np.ndarray) -> np.ndarray:
    """Map u in [0, 1] (NaN allowed) to RGB uint8 through SURFACE_COLORS; NaN is grey."""
    stops = np.array([s for s, _ in SURFACE_COLORS])
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for _, c in SURFACE_COLORS])
    out = np.empty((*u.shape, 3), dtype=np.uint8)
    safe = np.nan_to_num(u, nan=0.0)
    for ch in range(3):
        out[..., ch] = np.interp(safe, stops, rgb[:, ch]).round().astype(np.uint8)
    out[np.isnan(u)] = (200, 200, 200)
    return out


def compute_layers(surface: Surface) -> Layers:
    (x0, x1), (y0, y1) = surface.x_range, surface.y_range
    xs = np.linspace(x0, x1, GRID)
    ys = np.linspace(y0, y1, GRID)
    pts = np.stack(np.meshgrid(xs, ys), axis=-1)
    with np.errstate(all="ignore"):
        z = np.asarray(surface.value(pts), dtype=float)
    finite = np.isfinite(z)
    shade = np.full(z.shape, np.nan)
    if finite.any():
        vals = z[finite]
        order = np.sort(vals)
        # Rank equalisation: every colour band covers the same area of the picture.
        shade[finite] = np.searchsorted(order, vals, side="right") / len(order)
    img = _colormap(shade[::-1])  # image rows run top-down, y runs bottom-up
    buf = io.BytesIO()
    Image.fromarray(img, "RGB").save(buf, format="PNG", optimize=True)
    uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")

    lx: list[np.ndarray] = []
    ly: list[np.ndarray] = []
    if finite.sum() > 4:
        levels = np.unique(np.quantile(z[finite], LEVEL_QUANTILES))
        gen = contourpy.contour_generator(xs, ys, np.ma.masked_invalid(z))
        nan = np.array([np.nan])
        box = np.array([x1 - x0, y1 - y0], dtype=float)
        for level in levels:
            for piece in gen.lines(float(level)):
                if _speck(piece, box):
                    continue
                lx += [piece[:, 0], nan]
                ly += [piece[:, 1], nan]
    lines_x = np.concatenate(lx).astype(np.float32) if lx else np.zeros(0, np.float32)
    lines_y = np.concatenate(ly).astype(np.float32) if ly else np.zeros(0, np.float32)
    return Layers(uri, lines_x, lines_y, (x0, x1), (y0, y1), xs, ys, z, shade)


def _speck(piece: np.ndarray, box: np.ndarray) -> bool:
    """Whether a level line is a closed speck of at most ``SPECK`` of the box."""
    closed = len(piece) > 2 and bool(np.allclose(piece[0], piece[-1]))
    return closed and float(np.max(np.ptp(piece, axis=0) / box)) < SPECK
