"""The sweep's judgement: each cell's verdict kind, from its summary, by the verdict's own rules.

``lab.verdicts.judge`` makes a verdict card per run; a map needs only the kind of each cell and
a few numbers, so the cells go through the same two steps without the cards: a cell cut by the
accumulator is ``diverged``; every other cell's kind is ``lab.verdicts.judge.decide``'s, the
decision the cards are written from. A cell and the same run simulated alone therefore get the
same kind (``tests/test_sweep.py`` checks that over whole maps).

Beyond the verdict, per cell:

* ``rate``, the per-step contraction of the distance to where the run is heading. For a cell
  that bounces or diverges it is the verdict's own growth per step along its deciding direction
  (the envelope of the bounce). For any other cell whose local model is trusted along both
  directions: from the distances d_k of its checkpoints to the model's stationary point, their
  envelope e_k = max of d_j for j >= k, the last checkpoint b still above the rounding floor
  (1e-8 of the arrival tolerance: coordinates carry 1e-16 of themselves) and the checkpoint a
  at half its step, rate = (e_b / e_a)^(1 / (t_b - t_a)). On a quadratic this is the spectral
  radius of the iteration (GD: max |1 - eta lambda|), measured where the run still has a
  distance to lose, not in the rounding it ends in. Elsewhere (a cut cell, a degenerate model)
  it is undefined (NaN).
* ``basin``: the known minimum (index into ``surface.minima``) a cell ends at -- within 10
  arrival tolerances of it, the distance at which the verdict itself counts a run as at one of
  the lowest known minima (``lab.verdicts.cards._is_local``) -- or -1. A diverging or cut cell,
  and a cell with L2 weight decay (it minimises another objective), end in none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lab.sweep_steps import Kept
from lab.verdicts import KINDS
from lab.verdicts.judge import KINDS_LIVE, Decision, decide
from lab.verdicts.noise import NoiseModel, as_noise
from lab.verdicts.stream import Summary
from surfaces.base import Surface

Array = np.ndarray

DIVERGED = KINDS.index("diverged")
BOUNCY = (KINDS_LIVE.index("oscillating"), KINDS_LIVE.index("diverging"))
ROUNDING = 1e-8  # of the arrival tolerance: below it, a distance is the coordinates' rounding
BASIN_TOLS = 10  # arrival tolerances: the verdict's "at one of the lowest known minima"


@dataclass
class Judged:
    """Arrays over the cells that ran: kind (index into ``lab.verdicts.KINDS``), final loss
    (of the judged objective), final point, steps run, rate, basin (-1: none)."""

    kind: Array
    final_loss: Array
    final_point: Array
    steps_run: Array
    rate: Array
    basin: Array


def judge_cells(surface: Surface, kept: Kept, noise: NoiseModel | float | None) -> Judged:
    """Every cell's kind and numbers, block by block (each block's accumulator is released
    once judged)."""
    n = kept.checkpoints.shape[1]
    out = Judged(
        kind=np.full(n, DIVERGED),
        final_loss=np.full(n, np.nan),
        final_point=np.full((n, 2), np.nan),
        steps_run=np.zeros(n, dtype=int),
        rate=np.full(n, np.nan),
        basin=np.full(n, -1),
    )
    model = as_noise(noise)
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    while kept.blocks:
        sl, acc = kept.blocks.pop(0)
        s = acc.summary()
        del acc
        _judge_block(surface, s, model, kept, sl, minima, out)
    return out


def _judge_block(
    surface: Surface,
    s: Summary,
    noise: NoiseModel | None,
    kept: Kept,
    sl: slice,
    minima: Array,
    out: Judged,
) -> None:
    cells = np.arange(sl.start, sl.stop)
    out.final_loss[sl] = s.tail_loss[-1]
    out.final_point[sl] = s.tail_points[-1]
    cut = s.cut >= 0
    out.steps_run[sl] = np.where(cut, s.cut, s.points_seen - 1)
    live = np.flatnonzero(~cut)
    if not len(live):
        return
    d = decide(surface, s, live, noise)
    rows = cells[live]
    out.kind[rows] = d.kind
    out.rate[rows] = _rates(d, kept.check_steps, kept.checkpoints[:, rows], s.tail_points[-1, live])
    if len(minima):
        ok = (d.kind != KINDS_LIVE.index("diverging")) & (s.l2[live] == 0)
        out.basin[rows] = np.where(ok, _nearest(s.tail_points[-1, live], minima, d.model.tol), -1)


def _rates(d: Decision, steps: Array, points: Array, final: Array) -> Array:
    """The rate of each judged run (see the module's docstring): (m,)."""
    m = d.model
    bouncy = np.isin(d.kind, BOUNCY)
    k = np.maximum(d.decisive, 0)
    growth = np.exp(m.log_rate[np.arange(len(k)), k])
    approach = _approach(steps, points, final, m.target, m.tol)
    trusted = ~m.degenerate.any(axis=-1)
    return np.where(bouncy, growth, np.where(trusted, approach, np.nan))


def _approach(steps: Array, points: Array, final: Array, target: Array, tol: Array) -> Array:
    """(e_b / e_a)^(1 / (t_b - t_a)) from the checkpoints (K, m, 2) and the final point."""
    with np.errstate(all="ignore"):
        dist = np.hypot(*(points - target).transpose(2, 0, 1))  # (K, m)
        dist[-1] = np.hypot(*(final - target).T)  # the last checkpoint is the final step
        env = np.maximum.accumulate(dist[::-1], axis=0)[::-1]
        above = env > ROUNDING * tol
        b = above.sum(axis=0) - 1  # env only falls: the last checkpoint above the floor
        t_b = steps[np.maximum(b, 0)]
        a = np.searchsorted(steps, t_b // 2, side="right") - 1
        cols = np.arange(env.shape[1])
        e_a, e_b = env[a, cols], env[np.maximum(b, 0), cols]
        span = (t_b - steps[a]).astype(float)
        rate = (e_b / e_a) ** (1.0 / span)
    return np.where((b >= 1) & (span > 0) & (e_a > 0), rate, np.nan)


def _nearest(points: Array, minima: Array, tol: Array) -> Array:
    """The index of the known minimum within BASIN_TOLS tolerances of each point, else -1."""
    gap = np.hypot(*(points[:, None, :] - minima[None]).transpose(2, 0, 1))  # (m, minima)
    i = np.argmin(gap, axis=1)
    close = gap[np.arange(len(i)), i] <= BASIN_TOLS * tol
    return np.where(close, i, -1)
