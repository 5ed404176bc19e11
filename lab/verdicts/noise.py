"""The gradient noise a run sees, as the verdict needs it: its covariance at a point.

The rules only ever ask ``covariance(points)``: the 2 x 2 covariance of the noise added to the
gradient, for each run at its own point. Today's emulated mini-batch noise is isotropic,
``std^2 I`` everywhere; real mini-batch noise (the per-sample gradients' covariance over the
batch size) depends on the point and can be passed as another ``NoiseModel`` without touching
the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


class NoiseModel(Protocol):
    def covariance(self, points: np.ndarray) -> np.ndarray:
        """(m, 2, 2): the covariance of the gradient noise of run i at ``points[i]`` (m, 2)."""
        ...


@dataclass(frozen=True)
class IsotropicNoise:
    """Gaussian noise ``std * N(0, I)`` added to every gradient (the same std for every run)."""

    std: float

    def covariance(self, points: np.ndarray) -> np.ndarray:
        # in float64: a hostile std of 1e300 squares to inf (Python's float ** raised OverflowError)
        with np.errstate(over="ignore"):
            var = np.square(np.float64(self.std))
        return np.broadcast_to(var * np.eye(2), (len(points), 2, 2))


def as_noise(noise: NoiseModel | float | None) -> NoiseModel | None:
    """``None`` or ``0`` is exact gradients; a number is the std of isotropic noise."""
    if noise is None:
        return None
    if isinstance(noise, (int, float)):
        return IsotropicNoise(float(noise)) if noise > 0 else None
    return noise
