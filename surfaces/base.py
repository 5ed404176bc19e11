"""The Surface type: a 2-D loss with value, gradient and Hessian over arrays of shape (..., 2)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

Array = np.ndarray
PointFn = Callable[[Array], Array]


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

    def min_value(self) -> float | None:
        """Lowest known loss value (over the known minima), or None when none are known."""
        if not self.minima:
            return None
        return float(np.min(self.value(np.asarray(self.minima, dtype=float))))
