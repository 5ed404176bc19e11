"""The engine's entry to the verdicts: judge runs from their stored arrays.

The rules live in ``lab.verdicts``; this module feeds a finished batch's arrays to the same
accumulator a sweep feeds step by step, so both give the same verdicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from lab.verdicts import THRESHOLDS, Accumulator, NoiseModel, Verdicts, judge
from surfaces.base import Surface


def verdicts(
    surface: Surface,
    traj: np.ndarray,
    loss: np.ndarray,
    gnorm: np.ndarray,
    l2: np.ndarray | None = None,
    noise: NoiseModel | float | None = None,
    causes: Sequence[Mapping[str, Any] | None] | None = None,
) -> Verdicts:
    """Verdicts of m runs: traj (n+1, m, 2), loss and gnorm (n+1, m), start first.

    Runs may have been cut (their points past the first invalid one are anything, NaN say):
    they are ``diverged`` at that point. ``l2`` (m,) is the weight decay a run adds to its
    gradient (L2, not decoupled): such a run minimises L + l2/2 |theta|^2, and that objective
    is judged. ``noise`` is the gradient noise: its std (isotropic), a ``NoiseModel``, or None.
    ``causes``: why each cut run stopped (the engine's cut step), or None. The kinds are
    decided at once; each card is written when first read (``lab.verdicts.lazy``).
    """
    acc = Accumulator(surface, traj.shape[1], traj.shape[0] - 1, l2)
    acc.feed_arrays(traj, loss, gnorm)
    return judge(surface, acc.summary(), noise, causes)


__all__ = ["THRESHOLDS", "verdicts"]
