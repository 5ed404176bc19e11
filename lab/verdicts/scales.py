"""The surface's own scales, sampled over its plot range and cached per surface.

A verdict compares the run with these, never with absolute numbers: the typical gradient
``grad`` (the median gradient norm), the loss range ``loss`` (largest minus smallest value), the
typical curvature ``curv`` (the median of the largest absolute Hessian eigenvalue) and the plot's
diagonal ``diag``. All of them scale with the loss (``diag`` not at all), none moves when a
constant is added, translating the plot range with the surface leaves them as they are.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from lab.verdicts.thresholds import SCALE_GRID
from surfaces.base import Surface


@dataclass(frozen=True)
class Scales:
    grad: float
    loss: float
    curv: float
    diag: float
    box: tuple[float, float, float, float]  # x_lo, x_hi, y_lo, y_hi of the plot range


@dataclass(frozen=True)
class RunScales:
    """The scales of each run's objective, as arrays over runs (runs differ by their L2)."""

    grad: np.ndarray
    loss: np.ndarray
    curv: np.ndarray
    diag: np.ndarray
    box: np.ndarray  # (m, 4)

    @classmethod
    def of(cls, surface: Surface, l2: np.ndarray) -> RunScales:
        by_l2 = {v: surface_scales(surface, v) for v in np.unique(l2).tolist()}
        rows = [by_l2[v] for v in l2.tolist()]
        col = lambda name: np.array([getattr(r, name) for r in rows], dtype=float)  # noqa: E731
        return cls(col("grad"), col("loss"), col("curv"), col("diag"), col("box").reshape(-1, 4))

    def take(self, runs: np.ndarray) -> RunScales:
        return RunScales(self.grad[runs], self.loss[runs], self.curv[runs], self.diag[runs], self.box[runs])


# id(surface) -> (weak reference, {l2: Scales}); the weak reference guards against a reused id.
_CACHE: dict[int, tuple[weakref.ref, dict[float, Scales]]] = {}


def surface_scales(surface: Surface, l2: float = 0.0) -> Scales:
    """The scales of ``surface`` plus ``l2 / 2 |theta|^2`` (the objective an L2 run judges)."""
    key = id(surface)
    entry = _CACHE.get(key)
    if entry is None or entry[0]() is not surface:
        entry = (weakref.ref(surface, lambda _ref: _CACHE.pop(key, None)), {})
        _CACHE[key] = entry
    table = entry[1]
    if l2 not in table:
        table[l2] = _measure(surface, l2)
    return table[l2]


def _measure(surface: Surface, l2: float) -> Scales:
    (x0, x1), (y0, y1) = surface.x_range, surface.y_range
    xs, ys = np.linspace(x0, x1, SCALE_GRID), np.linspace(y0, y1, SCALE_GRID)
    p = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    with np.errstate(all="ignore"):
        value = np.asarray(surface.value(p), dtype=float) + 0.5 * l2 * np.einsum("mi,mi->m", p, p)
        grad = np.asarray(surface.grad(p), dtype=float) + l2 * p
        hess = np.asarray(surface.hessian(p), dtype=float) + l2 * np.eye(2)
        gnorm = np.hypot(grad[:, 0], grad[:, 1])
        # The largest |eigenvalue| of a symmetric 2x2 matrix in closed form.
        a, b, d = hess[:, 0, 0], 0.5 * (hess[:, 0, 1] + hess[:, 1, 0]), hess[:, 1, 1]
        curv = np.abs(0.5 * (a + d)) + np.hypot(0.5 * (a - d), b)
        # Scales beyond float64 (a loss range or a median of values near ±1.8e308) overflow
        # to inf: a fact about the surface the rules compare with, not a warning.
        return Scales(
            grad=_median(gnorm),
            loss=_spread(value),
            curv=_median(curv),
            diag=float(np.hypot(x1 - x0, y1 - y0)),
            box=(float(x0), float(x1), float(y0), float(y1)),
        )


def _median(v: np.ndarray) -> float:
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else 0.0


def _spread(v: np.ndarray) -> float:
    v = v[np.isfinite(v)]
    return float(v.max() - v.min()) if v.size else 0.0
