"""Loss surfaces: the built-in ones and custom formulas.

``make_surface(spec)`` takes a scenario's ``surface`` value: a built-in name,
``{"expr": ..., "x_range": [lo, hi], "y_range": [lo, hi]}`` or a data set
``{"data": "linear_regression", "samples": 64, "seed": 0, ...}`` (``surfaces.data``).
"""

from __future__ import annotations

from typing import Any

from surfaces.base import GradCost, Surface
from surfaces.builtin import BUILTIN


def make_surface(spec: str | dict[str, Any]) -> Surface:
    if isinstance(spec, str):
        return BUILTIN[spec]
    if "data" in spec:
        # A data set: drawn from its seed, built once per spec (surfaces.data).
        from surfaces.data import make_data_surface

        return make_data_surface(spec)
    # Imported on the first formula: built-in surfaces need neither the parser nor sympy.
    from surfaces.formula.surface import make_expr_surface

    return make_expr_surface(
        spec["expr"],
        tuple(spec.get("x_range", (-3.0, 3.0))),
        tuple(spec.get("y_range", (-3.0, 3.0))),
    )


def describe() -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "title": s.title["en"],
            "description": s.description["en"],
            "x_range": list(s.x_range),
            "y_range": list(s.y_range),
            "start": list(s.start),
            "minima": [list(m) for m in s.minima],
        }
        for s in BUILTIN.values()
    ]


__all__ = ["BUILTIN", "GradCost", "Surface", "describe", "make_surface"]
