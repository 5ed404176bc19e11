"""Cheap checks of a parsed formula, run before any derivative program is built.

Building the derivative programs of a long or deeply nested formula costs up to a second of
sympy work; a formula that is not finite anywhere in the plot range (``log(-1-x**2)``,
``1/(x-x)``, ``exp(1000+x)``) would only be refused after it, by the engine's start check. So the
tree from ``parse_formula`` is first evaluated directly with NumPy, in float64 and in the order
typed, on a coarse grid over the plot range: a few hundred array operations on ~4,000 points,
milliseconds even at the parser's limits, and no sympy import. Its values agree with the
surface's to rounding (the surface's program may sum in another order).

A formula finite only on a set the grid cannot see (a curve, single points, a strip narrower
than the grid spacing) is refused too; the message says what was checked, so a user can narrow
the range to look closer. A formula whose value is finite but whose gradient is nowhere finite
(``sqrt(x-x)``, ``abs(y-y)**0.5``) cannot be followed by any optimizer either:
``require_finite_gradient`` checks that on the same grid once the gradient program exists.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from surfaces.base import Array, PointFn
from surfaces.formula.parse import Binary, Call, Const, Node, Num, Unary, Var, chain, formula_error

__all__ = ["GRID_POINTS", "finite_points", "require_finite_gradient", "tree_values"]

# Points per axis: 65 puts grid points at the range's ends, its centre and every 1/64 of it, so
# a formula finite on a region at least 1/64 of the range wide is seen; 65**2 points keep even a
# 400-token formula to a few milliseconds.
GRID_POINTS = 65

_FUNCTIONS: dict[str, Callable[[Array], Array]] = {
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "tanh": np.tanh,
    "abs": np.abs,
}
_BINARY: dict[str, Callable[[Array, Array], Array]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
    "**": np.power,
}


def tree_values(node: Node, x: Array, y: Array) -> Array:
    """The formula's value at (x, y), in float64, computed from the tree alone.

    Overflow and undefined operations give inf and NaN silently. Recursion is bounded by the
    parser's nesting limit: chains of + - and * / are walked in a loop.
    """
    with np.errstate(all="ignore"):
        return np.broadcast_to(_values(node, x, y), np.broadcast_shapes(np.shape(x), np.shape(y)))


def _values(node: Node, x: Array, y: Array) -> Array:
    match node:
        case Num(value=value):
            return np.float64(value)  # below 1.8e308: the tokenizer refused larger literals
        case Var(name=name):
            return x if name == "x" else y
        case Const(name=name):
            return np.float64(np.pi if name == "pi" else np.e)
        case Unary(op=op, operand=operand):
            inner = _values(operand, x, y)
            return np.negative(inner) if op == "-" else inner
        case Call(func=func, arg=arg):
            return _FUNCTIONS[func](_values(arg, x, y))
        case Binary(op="**", left=left, right=right):
            return np.power(_values(left, x, y), _values(right, x, y))
        case Binary():
            first, rest = chain(node)
            total = _values(first, x, y)
            for op, right in rest:
                total = _BINARY[op](total, _values(right, x, y))
            return total
    raise TypeError(f"not a formula node: {node!r}")


def _grid(x_range: tuple[float, float], y_range: tuple[float, float]) -> Array:
    xs = np.linspace(*x_range, GRID_POINTS)
    ys = np.linspace(*y_range, GRID_POINTS)
    return np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)


def _grid_text(x_range: tuple[float, float], y_range: tuple[float, float]) -> str:
    """The grid the check looked at, for the messages."""
    dx = (x_range[1] - x_range[0]) / (GRID_POINTS - 1)
    dy = (y_range[1] - y_range[0]) / (GRID_POINTS - 1)
    return f"{GRID_POINTS} × {GRID_POINTS} grid, spacing {dx:.2g} in x and {dy:.2g} in y"


def _plot_range(x_range: tuple[float, float], y_range: tuple[float, float]) -> str:
    return f"x ∈ [{x_range[0]:g}, {x_range[1]:g}], y ∈ [{y_range[0]:g}, {y_range[1]:g}]"


def _what(values: Array) -> str:
    """How a batch of values that are all non-finite fails."""
    nan, inf = bool(np.isnan(values).any()), bool(np.isinf(values).any())
    if nan and inf:
        return "NaN or ±inf"
    return "NaN (undefined)" if nan else "±inf (overflow or division by zero)"


def finite_points(node: Node, x_range: tuple[float, float], y_range: tuple[float, float]) -> Array:
    """The grid points of the plot range where the formula is finite, shape (k, 2), k ≥ 1.

    Raises ``ValueError("Invalid formula: not finite anywhere in the plot range ...")`` when
    there are none.
    """
    points = _grid(x_range, y_range)
    values = tree_values(node, points[:, 0], points[:, 1])
    finite = np.isfinite(values)
    if not finite.any():
        raise formula_error(
            f"not finite anywhere in the plot range {_plot_range(x_range, y_range)}: "
            f"{_what(values)} at all points of a {_grid_text(x_range, y_range)} (a region "
            "narrower than that spacing could be missed); allowed: a formula with finite values "
            "in the plot range (change the formula or the range)"
        )
    return points[finite]


def require_finite_gradient(
    grad: PointFn, points: Array, x_range: tuple[float, float], y_range: tuple[float, float]
) -> None:
    """Refuse a formula whose gradient is finite at none of ``points`` (from ``finite_points``)."""
    with np.errstate(all="ignore"):
        g = grad(points)
    if not np.isfinite(g).all(axis=-1).any():
        raise formula_error(
            f"its gradient is not finite anywhere in the plot range "
            f"{_plot_range(x_range, y_range)}: {_what(g[~np.isfinite(g)])} at all "
            f"{len(points)} points where the value is finite, on a {_grid_text(x_range, y_range)}; "
            "allowed: a formula whose gradient is finite somewhere in the plot range (the "
            "optimizers follow the gradient)"
        )
