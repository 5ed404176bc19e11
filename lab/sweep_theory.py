"""The stability limits a map of gradient descent or heavy-ball momentum is drawn against.

On a quadratic surface (its Hessian the same everywhere) with curvatures lambda_i, heavy-ball
momentum in torch's form, b^t = mu b^{t-1} + (1 - tau) g^t and theta^{t+1} = theta^t - eta b^t,
moves each eigen-coordinate by z^{t+1} = (1 + mu - a) z^t - mu z^{t-1} with
a = eta (1 - tau) lambda: its characteristic polynomial z^2 - (1 + mu - a) z + mu has both roots
inside the unit circle exactly when 0 < a < 2 (1 + mu) (for 0 <= mu < 1). So the boundary of
the stable region is

    eta (1 - tau) (lambda + wd) = 2 (1 + mu)

(L2 weight decay wd adds to every curvature). Plain gradient descent is mu = tau = 0:
eta lambda = 2. On the boundary the multiplier is -1 (a bounce that neither grows nor dies),
beyond it the run diverges. ``limits`` gives one ``Limit`` per curvature for a scenario whose
swept run is plain GD or heavy ball on a quadratic without a schedule; ``margin`` is negative
inside the stable region, positive outside, zero on the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lab.scenario import Scenario
from surfaces.base import CONSTANT_TOL, Surface

Array = np.ndarray
HEAVY_BALL = ("sgd", "momentum")  # torch's SGD with and without momentum (not Nesterov)


def curvatures(surface: Surface) -> tuple[float, float] | None:
    """The two curvatures (ascending) of a quadratic surface; None when the Hessian is not the
    same everywhere (``Surface.constant_hessian``)."""
    h = surface.constant_hessian
    if h is None:
        return None
    lo, hi = np.linalg.eigvalsh(h)
    return float(lo), float(hi)


def step_limits(surface: Surface) -> dict[str, Any] | None:
    """Where a step size stops being stable on a quadratic surface, for the trace panels:
    ``lr``, gradient descent's 2 / lambda_max (eta lambda = 2: the bounce along the steepest
    direction neither grows nor dies; above it, it grows), when lambda_max > 0; ``coords``, each
    coordinate's 2 / H_ii for a per-coordinate step eta / sigma_i, when the Hessian is diagonal
    (its axes are the eigen-directions) and H_ii > 0, else None. None off a convex quadratic."""
    h = surface.constant_hessian
    if h is None:
        return None
    lo, lam = (float(v) for v in np.linalg.eigvalsh(h))
    if lo < 0 or lam <= 0:  # a saddle is unstable at any step size; a flat surface has no limit
        return None
    diagonal = abs(float(h[0, 1])) <= CONSTANT_TOL * float(np.abs(h).max())
    coords = [2.0 / float(h[i, i]) if h[i, i] > 0 else None for i in range(2)] if diagonal else None
    return {"lr": 2.0 / lam, "coords": coords}


@dataclass(frozen=True)
class Limit:
    """The stability boundary for one curvature, as a function of the swept values."""

    curvature: float
    optimizer: str
    base: dict[str, float]  # the run's own lr, momentum, dampening, weight_decay

    def margin(self, values: dict[str, Any]) -> Array:
        """eta (1 - tau) (lambda + wd) - 2 (1 + mu) at the given values (arrays by parameter
        name; a parameter not given takes the run's own): < 0 stable, > 0 unstable."""
        v = {k: np.asarray(values.get(k, b), dtype=float) for k, b in self.base.items()}
        gain = v["lr"] * (1 - v["dampening"]) * (self.curvature + v["weight_decay"])
        return gain - 2 * (1 + v["momentum"])

    @property
    def heavy_ball(self) -> bool:
        return self.optimizer == "momentum"


def limits(sc: Scenario) -> list[Limit]:
    """The stability limits of the swept run of ``sc``: one per positive curvature, when that
    run is GD or heavy ball without a schedule on a quadratic surface; else none."""
    if sc.sweep is None:
        return []
    run = sc.runs[sc.sweep["run"]]
    if run.optimizer not in HEAVY_BALL or run.schedule is not None:
        return []
    lams = curvatures(sc.build_surface())
    if lams is None:
        return []
    base = {
        "lr": float(run.params["lr"]),
        "momentum": float(run.params.get("momentum", 0.0)),
        "dampening": float(run.params.get("dampening", 0.0)),
        "weight_decay": float(run.params.get("weight_decay", 0.0)),
    }
    return [Limit(lam, run.optimizer, base) for lam in lams if lam > 0]
