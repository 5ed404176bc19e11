"""The lecture's Taylor expansion drawn on the map at the current step: the contours of the
second-order model m(d) = L + gᵀd + ½ dᵀHd around the point and the Hessian's eigenvectors,
each as long as its eigenvalue (relative to the largest), dashed where it is negative.

A class sees why a saddle is a saddle (the model's contours are hyperbolas, one direction
dashed) and why a ravine bounces (long thin ellipses: one eigenvector 200× the other).
"""

from __future__ import annotations

from typing import Any

import contourpy
import numpy as np

from figures.sampling import f32
from figures.view import View
from lab import RunResult
from surfaces.base import Surface

RADIUS = 0.2  # the model's window, as a fraction of the map's width and height
GRID = 21
LEVELS = 6
MIN_ARROW = 0.04  # the shortest eigenvector drawn, relative to the longest (so its direction shows)
# A label sits at its eigenvector's tip, but no nearer the point than this (relative to the
# longest): a short eigenvector's label at its tip covered the point itself, and whatever lies
# under it (preset 9's minimum: "λ₁ = 0.0553" over its star).
LABEL_REACH = 0.6
LABEL_PAST = 1.15
LABEL_ROOM = 0.05  # of the map's width and height: the paths' points this near a label crowd it


def local_style(color: str, view: View) -> list[dict[str, Any]]:
    """Styles of the four traces: model contours, positive and negative eigenvectors, labels."""
    base = {"hoverinfo": "skip", "showlegend": False}
    width = view.sizes.line
    return [
        {**base, "mode": "lines", "line": {"color": color, "width": 1.2}, "opacity": 0.9, "name": "local-model"},
        {**base, "mode": "lines", "line": {"color": "black", "width": width + 1}, "name": "local-eig+"},
        {**base, "mode": "lines", "line": {"color": "black", "width": width + 1, "dash": "dash"}, "name": "local-eig-"},
        {**base, "mode": "text", "textposition": "top center", "cliponaxis": False,
         "textfont": {"size": view.sizes.font - 2, "color": "black"}, "name": "local-labels"},
    ]  # fmt: skip


def local_traces(
    surface: Surface, run: RunResult, s: int, box: tuple[float, float], avoid: np.ndarray | None = None
) -> list[dict[str, Any]]:
    """The four traces' data at step ``s`` (``avoid``: points the labels keep clear of, in
    units of ``box``)."""
    p = np.array(run.trajectory[min(s, run.steps_run)], dtype=float)
    with np.errstate(all="ignore"):
        g = np.asarray(surface.grad(p), dtype=float)
        h = np.asarray(surface.hessian(p), dtype=float)
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(h))):
        empty = {"type": "scatter", "x": [None], "y": [None]}
        return [empty, _eig_data(p, [], box, 1), _eig_data(p, [], box, -1), {**empty, "text": [""]}]
    h = 0.5 * (h + h.T)
    lam, vec = np.linalg.eigh(h)
    eig = list(zip(lam, vec.T, strict=True))
    return [_contours(p, g, h, box), _eig_data(p, eig, box, 1), _eig_data(p, eig, box, -1), _labels(p, eig, box, avoid)]


def _contours(p: np.ndarray, g: np.ndarray, h: np.ndarray, box: tuple[float, float]) -> dict[str, Any]:
    """Level lines of gᵀd + ½dᵀHd over the window around ``p``; the zero level (through the
    point) is one of them."""
    rx, ry = RADIUS * box[0], RADIUS * box[1]
    dx, dy = np.linspace(-rx, rx, GRID), np.linspace(-ry, ry, GRID)
    ddx, ddy = np.meshgrid(dx, dy)
    m = g[0] * ddx + g[1] * ddy + 0.5 * (h[0, 0] * ddx**2 + 2 * h[0, 1] * ddx * ddy + h[1, 1] * ddy**2)
    top = float(np.max(np.abs(m)))
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    if top > 0 and np.isfinite(top):
        gen = contourpy.contour_generator(dx + p[0], dy + p[1], m)
        nan = np.array([np.nan])
        for level in np.linspace(-top, top, 2 * LEVELS + 1)[1:-1]:
            for piece in gen.lines(float(level)):
                xs += [piece[:, 0], nan]
                ys += [piece[:, 1], nan]
    if not xs:
        return {"type": "scatter", "x": [None], "y": [None]}
    return {"type": "scatter", "x": f32(np.concatenate(xs)), "y": f32(np.concatenate(ys))}


def _tips(p: np.ndarray, v: np.ndarray, frac: float, box: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    n = float(np.hypot(v[0] / box[0], v[1] / box[1]))
    d = v * (frac * RADIUS / n)
    return p - d, p + d


def _length(lam: float, biggest: float) -> float:
    return max(MIN_ARROW, abs(lam) / biggest) if biggest > 0 else MIN_ARROW


def _eig_data(p: np.ndarray, eig: list, box: tuple[float, float], sign: int) -> dict[str, Any]:
    """Both eigenvectors through ``p`` (two slots of three points); a slot is empty unless the
    eigenvalue has ``sign``."""
    biggest = max((abs(lam) for lam, _ in eig), default=0.0)
    xs: list[float | None] = []
    ys: list[float | None] = []
    for k in range(2):
        if k < len(eig) and (eig[k][0] >= 0) == (sign > 0):
            a, b = _tips(p, eig[k][1], _length(eig[k][0], biggest), box)
            xs += [float(a[0]), float(b[0]), None]
            ys += [float(a[1]), float(b[1]), None]
        else:
            xs += [None, None, None]
            ys += [None, None, None]
    return {"type": "scatter", "x": xs, "y": ys}


def _crowd(at: np.ndarray, box: tuple[float, float], avoid: np.ndarray | None) -> int:
    """How many of the points ``avoid`` (units of ``box``) lie within a label's reach of ``at``."""
    if avoid is None or not avoid.size:
        return 0
    q = np.array([at[0] / box[0], at[1] / box[1]])
    return int(np.count_nonzero(np.hypot(avoid[:, 0] - q[0], avoid[:, 1] - q[1]) < LABEL_ROOM))


def _labels(p: np.ndarray, eig: list, box: tuple[float, float], avoid: np.ndarray | None = None) -> dict[str, Any]:
    biggest = max((abs(lam) for lam, _ in eig), default=0.0)
    xs, ys, texts = [], [], []
    for k, (lam, v) in enumerate(eig):
        # a little past the tip: at the tip an arrowhead drawn along the same direction (the
        # escape direction, preset 5) covered the label's minus sign. Of the two tips, the one
        # the paths leave clearer (preset 9: "λ₁ = −2" lay on the small batch's path)
        a, b = _tips(p, v, LABEL_PAST * max(LABEL_REACH, _length(lam, biggest)), box)
        b = a if _crowd(a, box, avoid) < _crowd(b, box, avoid) else b
        xs.append(float(b[0]))
        ys.append(float(b[1]))
        texts.append(f"λ{'₁₂'[k]} = {lam:.3g}")
    return {"type": "scatter", "x": xs, "y": ys, "text": texts}
