"""The Surface type: a 2-D loss with value, gradient and Hessian over arrays of shape (..., 2),
and the measured cost of its gradient."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

Array = np.ndarray
PointFn = Callable[[Array], Array]
# The Hessian is the same everywhere when every entry sampled on a HESSIAN_GRID x HESSIAN_GRID
# grid over the plot range equals the first to CONSTANT_TOL of the largest: rounding of a
# constant's arithmetic is ~1e-16; any genuinely curved term differs at order one across the
# plot range.
HESSIAN_GRID = 33
CONSTANT_TOL = 1e-9

# The two batch sizes the gradient is timed at: one run alone, where the cost of a call is
# Python and NumPy overhead per operation, and a large batch of runs (the scenario limit is
# 1,024 runs), where it is the arithmetic per point.
COST_BATCHES = (1, 1024)
_ROUNDS = 5  # the fastest of 5 rounds: the least disturbed by other work on the machine
_ROUND_SECONDS = 5e-4  # calls are repeated until a round lasts this long (timer resolution)


@dataclass(frozen=True)
class GradCost:
    """Seconds one ``Surface.grad`` call takes on a batch of ``n`` points: ``call + point * n``.

    A straight line through the two measured batch sizes (``COST_BATCHES``). The engine makes one
    gradient call per step on all runs at once, so a scenario of ``runs`` runs and ``steps``
    steps spends about ``steps * seconds(runs)`` in the surface, ``per_run_step(runs)`` per
    run-step. The engine's own work per step (the optimizer updates) comes on top of that.
    """

    call: float
    point: float

    def seconds(self, n: int) -> float:
        """Seconds of one gradient call on ``n`` points."""
        return self.call + self.point * n

    def per_run_step(self, runs: int) -> float:
        """Seconds per run and step when ``runs`` runs step together."""
        return self.seconds(runs) / runs


def _fastest_call(fn: PointFn, points: Array) -> float:
    """Seconds of one ``fn(points)`` call: the fastest of a few timed rounds."""
    fn(points)  # warm-up: first calls may allocate or fill caches
    started = time.perf_counter()
    fn(points)
    once = time.perf_counter() - started
    calls = max(1, min(1000, int(_ROUND_SECONDS / max(once, 1e-9))))
    best = once
    for _ in range(_ROUNDS):
        started = time.perf_counter()
        for _ in range(calls):
            fn(points)
        best = min(best, (time.perf_counter() - started) / calls)
    return best


def measure_grad_cost(
    grad: PointFn, x_range: tuple[float, float], y_range: tuple[float, float]
) -> GradCost:
    """Time ``grad`` at the batch sizes of ``COST_BATCHES``, on points spread over the plot range
    (seeded, so every surface is timed on the same kind of batch)."""
    rng = np.random.default_rng(0)
    small, large = COST_BATCHES
    points = np.column_stack([rng.uniform(*x_range, large), rng.uniform(*y_range, large)])
    with np.errstate(all="ignore"):
        t_small = _fastest_call(grad, points[:small])
        t_large = _fastest_call(grad, points)
    point = max(0.0, (t_large - t_small) / (large - small))
    return GradCost(call=max(0.0, t_small - point * small), point=point)


_SUB = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_GREEK = {"θ": r"\theta"}


def tex_name(name: str) -> str:
    """A coordinate's name (a letter, then subscript digits) in LaTeX."""
    head, digits = name[0], name[1:].translate(_SUB)
    return _GREEK.get(head, head) + (f"_{digits}" if digits else "")


@dataclass(frozen=True)
class Surface:
    """An analytic loss L(x, y).

    ``value(p)`` maps points of shape (..., 2) to (...); ``grad(p)`` to (..., 2);
    ``hessian(p)`` to (..., 2, 2). One function serves the contour grid and a batch of runs.
    """

    name: str
    value: PointFn
    grad: PointFn
    hessian: PointFn
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...] = ()
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    formula: str = ""  # LaTeX
    axes: tuple[str, str] = ("x", "y")  # the two coordinates' names, as the formula writes them

    @property
    def axes_tex(self) -> tuple[str, str]:
        """The coordinates' names in LaTeX (w₁ → w_1, θ₂ → \\theta_2)."""
        return tuple(tex_name(a) for a in self.axes)  # type: ignore[return-value]

    def min_value(self) -> float | None:
        """Lowest known loss value (over the known minima), or None when none are known."""
        if not self.minima:
            return None
        return float(np.min(self.value(np.asarray(self.minima, dtype=float))))

    @functools.cached_property
    def constant_hessian(self) -> Array | None:
        """The Hessian of a quadratic surface, symmetrised; None when it is not the same
        everywhere (see ``HESSIAN_GRID``). Five points first (the corners and the centre),
        which settle a curved surface at once; then the grid. Kept with the surface."""
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        probe = np.array([[x0, y0], [x0, y1], [x1, y0], [x1, y1], [(x0 + x1) / 2, (y0 + y1) / 2]])
        xs, ys = np.linspace(x0, x1, HESSIAN_GRID), np.linspace(y0, y1, HESSIAN_GRID)
        for p in (probe, np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)):
            with np.errstate(all="ignore"):
                h = np.broadcast_to(np.asarray(self.hessian(p), dtype=float), (len(p), 2, 2))
            if not np.all(np.isfinite(h)):
                return None
            size = max(float(np.abs(h).max()), np.finfo(float).tiny)
            if np.abs(h - h[0]).max() > CONSTANT_TOL * size:
                return None
        return 0.5 * (h[0] + h[0].T)

    @functools.cached_property
    def grad_cost(self) -> GradCost:
        """What one gradient call costs on this machine, for budgeting a scenario's work.

        Measured the first time it is asked for (a few milliseconds; up to ~40 ms for a formula
        at the parser's limits) and kept with the surface, which formula surfaces share through
        their cache. A measurement, so it varies with the machine's load: read it as a figure
        good to a factor of about 2.
        """
        return measure_grad_cost(self.grad, self.x_range, self.y_range)
