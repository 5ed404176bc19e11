"""The surface of a formula: parse, cheap checks, derivative programs, LaTeX, in that order.

``make_expr_surface`` is what ``surfaces.make_surface`` calls for ``{"expr": ...}``. The surface
is the formula as typed, evaluated in float64 exactly as NumPy would: overflow gives inf and
undefined values give NaN, silently, because the engine detects non-finite values itself. A
formula is refused with a ``ValueError("Invalid formula: ...")`` when it breaks the grammar or
the limits (``parse``), or when it is not finite anywhere in the plot range (``check``): both
before sympy is imported or any derivative program is built, so a refusal costs milliseconds.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from numbers import Real

import numpy as np

from core.text import both
from surfaces.base import Surface
from surfaces.formula.check import finite_points, require_finite_gradient
from surfaces.formula.latex import to_latex
from surfaces.formula.parse import parse_formula

__all__ = ["make_expr_surface"]


def _pair(
    label: str, value: object, expected: str, *, increasing: bool = False
) -> tuple[float, float]:
    """Validate two finite real numbers (a range when ``increasing``, else a point)."""
    items = list(value) if isinstance(value, (tuple, list, np.ndarray)) else None
    if (
        items is None
        or len(items) != 2
        or not all(isinstance(v, Real) and not isinstance(v, bool) for v in items)
        or not all(math.isfinite(v) for v in items)
        or (increasing and not items[0] < items[1])
    ):
        shown = f"[{', '.join(map(str, items))}]" if items is not None else repr(value)
        raise ValueError(f"Invalid {label}: {shown}; expected {expected}")
    return float(items[0]), float(items[1])


@functools.lru_cache(maxsize=64)
def _build_surface(
    expr: str,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    start: tuple[float, float] | None,
) -> Surface:
    """Cached because building the programs and lambdifying them costs tens of milliseconds."""
    node = parse_formula(expr)
    finite = finite_points(node, x_range, y_range)
    # Imported here, after the cheap checks: sympy takes ~0.4 s to import, which a refused
    # formula never needs.
    from surfaces.formula.derivatives import point_function
    from surfaces.formula.symbolic import formula_to_sympy

    f = formula_to_sympy(node)
    grad = point_function(f, 1)
    require_finite_gradient(grad, finite, x_range, y_range)
    if start is None:
        start = _default_start(grad, point_function(f, 0), finite, x_range, y_range)
    return Surface(
        name="custom",
        value=point_function(f, 0),
        grad=grad,
        hessian=point_function(f, 2),
        x_range=x_range,
        y_range=y_range,
        start=start,
        minima=(),
        title=both("surface.custom.title"),
        description=both("surface.custom.description", expr=expr),
        formula=to_latex(node),
    )


def _default_start(
    grad: Callable[[np.ndarray], np.ndarray],
    value: Callable[[np.ndarray], np.ndarray],
    finite: np.ndarray,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
) -> tuple[float, float]:
    """A quarter of the way across in x and three quarters up in y (away from the centre,
    where many formulas have their minimum); where the formula or its gradient is not finite
    there (``log(x)`` on [-3, 3]), the nearest point of the check's grid where both are."""
    point = (x_range[0] + 0.25 * (x_range[1] - x_range[0]), y_range[0] + 0.75 * (y_range[1] - y_range[0]))
    with np.errstate(all="ignore"):
        candidates = np.vstack([np.asarray(point)[None], finite])
        ok = np.isfinite(value(candidates)) & np.isfinite(grad(candidates)).all(axis=-1)
    if ok[0] or not ok.any():
        return point
    good = candidates[ok]
    nearest = good[np.argmin(np.hypot(good[:, 0] - point[0], good[:, 1] - point[1]))]
    return (float(nearest[0]), float(nearest[1]))


def make_expr_surface(
    expr: str,
    x_range: Sequence[float] = (-3.0, 3.0),
    y_range: Sequence[float] = (-3.0, 3.0),
    start: Sequence[float] | None = None,
) -> Surface:
    """The surface ``L(x, y) = expr`` over the given ranges.

    ``start`` defaults to the point a quarter of the way across in x and three quarters of the
    way up in y, away from the centre where many formulas have their minimum (or, where the
    formula is not finite there, the nearest point of the check's grid where it is). Minima are unknown
    and left empty. Raises ``ValueError`` for an invalid formula, range or start, and for a
    formula not finite anywhere in the range. Surfaces are cached: the same arguments return the
    same frozen object.
    """
    expected = "two finite numbers [low, high] with low < high"
    xr = _pair("x_range", x_range, expected, increasing=True)
    yr = _pair("y_range", y_range, expected, increasing=True)
    point = None if start is None else _pair("start", start, "two finite numbers [x, y]")
    return _build_surface(expr, xr, yr, point)
