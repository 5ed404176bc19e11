"""The sweep's step loop: every cell one row of the engine's batch, its points fed on as they come.

The cells step together through the engine's own step (``lab.engine.step_rows``, the one
``simulate`` takes), a chunk of steps at a time; each chunk goes to the verdict's accumulator
(``lab.verdicts.Accumulator``, one per block of cells) and is then overwritten. What stays per
cell is the accumulator's summary (the last stretch, running minima, event detectors) and its
point at the ``checkpoint_steps``, where the rate of its approach is measured: never a path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from lab.engine import Group, init_states, step_rows
from lab.scenario import MAX_COORD
from lab.sweep_spec import BLOCK, chunk_size
from lab.verdicts import Accumulator
from surfaces.base import Surface

Array = np.ndarray
Progress = Callable[[float], None]

# Checkpoints of the rate: every step up to 8, then steps growing by 2^(1/4) (19 % apart), so a
# run that arrives within 10 steps and one that needs 100,000 are measured alike.
CHECK_DENSE = 8
CHECK_RATIO = 2**0.25
STOP_CHECK = 512  # as the engine: every 512 steps, stop once every cell has left the plot


def checkpoint_steps(steps: int) -> Array:
    """The steps at which a cell's point is kept: 0 ... 8, then by ratios of 2^(1/4), and the last."""
    k_max = int(np.ceil(np.log(max(steps, 1)) / np.log(CHECK_RATIO))) + 1
    grown = np.round(CHECK_RATIO ** np.arange(k_max + 1)).astype(int)
    out = np.union1d(np.arange(min(CHECK_DENSE, steps) + 1), grown[grown <= steps])
    return np.union1d(out, [steps])


@dataclass
class CellRates:
    """Each cell's learning rate at step t: its base lr (no schedule), or row t of a table
    of the distinct scheduled sequences (``codes``: each cell's column)."""

    base: Array  # (n, 1)
    table: Array | None = None  # (steps, u)
    codes: Array | None = None  # (n,)

    def at(self, t: int) -> Array:
        if self.table is None:
            return self.base
        lr = self.table[t, self.codes]  # type: ignore[index]
        return np.repeat(lr[:, None], 2, axis=1)  # as wide as the points (see ``widen``)


@dataclass
class Kept:
    """What the step loop leaves: an accumulator per block of cells (``blocks``: its slice of
    the cells), and every cell's point at ``check_steps`` (K, n, 2)."""

    blocks: list[tuple[slice, Accumulator]]
    check_steps: Array
    checkpoints: Array


def widen(hp: Any, n: int) -> Any:
    """The group's hyperparameters with every per-cell column (n, 1) laid out as (n, 2), the
    shape of the points: NumPy multiplies two (n, 2) arrays about 6x faster than it broadcasts
    an (n, 1) column over one (the inner loop runs over 2 elements), and element by element
    the numbers are the same. Nested tuples (a Switch's mask, a Decay's lambda) too."""
    if isinstance(hp, np.ndarray) and hp.shape == (n, 1):
        return np.repeat(hp, 2, axis=1)
    if isinstance(hp, tuple) and hasattr(hp, "_fields"):
        return type(hp)(*(widen(v, n) for v in hp))
    return hp


def step_cells(
    surface: Surface,
    start: Array,
    groups: list[Group],
    rates: CellRates,
    noise: Array | None,
    steps: int,
    progress: Progress | None = None,
) -> Kept:
    """Step every cell (``start``: (n, 2), one row each) ``steps`` times; feed the points on."""
    n = len(start)
    l2 = np.asarray([d for grp in groups for d in grp.l2], dtype=float)
    blocks = [
        (slice(a, min(a + BLOCK, n)), Accumulator(surface, min(BLOCK, n - a), steps, l2[a : a + BLOCK]))
        for a in range(0, n, BLOCK)
    ]
    kept = Kept(blocks, checkpoint_steps(steps), np.full((0, n, 2), np.nan))
    kept.checkpoints = np.full((len(kept.check_steps), n, 2), np.nan)
    c = chunk_size(n, steps)
    pts, gn = np.empty((c + 1, n, 2)), np.empty((c + 1, n))
    pts[0] = start
    init_states(groups, pts[0])
    t0, k, gone = 0, 0, False
    with np.errstate(all="ignore"):
        for t in range(steps):
            if gone:  # every cell is cut by now: what follows is ignored by the verdict
                pts[k + 1], gn[k] = np.nan, np.nan
            else:
                gn[k] = step_rows(surface, groups, pts[k], rates.at(t), noise, t, pts[k + 1])
                gone = t % STOP_CHECK == STOP_CHECK - 1 and not np.any(np.abs(pts[k + 1]) <= MAX_COORD)
            k += 1
            if k == c:
                _feed(surface, kept, pts[:c], gn[:c], t0)
                pts[0] = pts[c]
                t0, k = t0 + c, 0
                if progress is not None:
                    progress(t0 / (steps + 1))
        g = surface.grad(pts[k])
        gn[k] = np.hypot(g[:, 0], g[:, 1])
        _feed(surface, kept, pts[: k + 1], gn[: k + 1], t0)
    if progress is not None:
        progress(1.0)
    return kept


def _feed(surface: Surface, kept: Kept, pts: Array, gn: Array, t0: int) -> None:
    """Points ``t0`` ... of every cell to the accumulators; the checkpoints among them kept."""
    loss = surface.value(pts)
    for sl, acc in kept.blocks:
        acc.feed(pts[:, sl], loss[:, sl], gn[:, sl])
    lo, hi = np.searchsorted(kept.check_steps, [t0, t0 + len(pts)])
    if hi > lo:
        kept.checkpoints[lo:hi] = pts[kept.check_steps[lo:hi] - t0]
