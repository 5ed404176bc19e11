"""The streaming accumulator: what the verdict keeps of a run, fed in chunks of any size.

``Accumulator(surface, runs, steps)`` is fed the points of ``runs`` runs in order, start first:
``feed(points, loss, grad_norm)`` with arrays of shape (k, runs, 2), (k, runs), (k, runs) for the
next k points (k = 1 for a sweep stepping along, the whole run for the engine). ``summary()``
returns a ``Summary``, and ``lab.verdicts.judge`` turns it into verdicts. Every number in the
summary is a minimum, maximum, first index or copied value, so feeding step by step or all at
once gives bit-identical summaries and verdicts.

A run is cut at its first point with a non-finite loss or gradient norm or a coordinate beyond
``MAX_COORD`` (the engine's divergence rule); later points of that run are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lab.scenario import MAX_COORD
from lab.verdicts.detectors import BurstDetector, Bursts, DescentLadder, GradientBins
from lab.verdicts.scales import RunScales
from lab.verdicts.thresholds import FIRST_STEPS, PATH_BINS, window
from surfaces.base import Surface

Array = np.ndarray

REASONS = ("", "bound", "nonfinite")


@dataclass
class Summary:
    """Everything the verdict reads about ``runs`` runs of ``steps`` steps (arrays over runs).

    ``tail_*`` hold the last stretch (``window(steps) + 1`` points, oldest first), ``first_*`` the
    first ``FIRST_STEPS + 2`` points. ``lowest_*`` is the running minimum of the loss and its
    step, ``extent`` the farthest distance from the start, ``settled_since`` the step since
    which the loss has stayed within BURST_FRAC of its final running minimum. ``cut`` is the
    first invalid point (-1: none) and ``cut_reason`` indexes ``REASONS``. With L2 weight decay
    the loss and gradient norm are those of the judged objective ``L + l2/2 |theta|^2``.
    """

    steps: int
    points_seen: int
    l2: Array
    scale: RunScales
    start: Array
    start_loss: Array
    start_grad: Array
    lowest_loss: Array
    lowest_step: Array
    extent: Array
    settled_since: Array
    tail_points: Array
    tail_loss: Array
    tail_grad: Array
    first_points: Array
    first_loss: Array
    cut: Array
    cut_reason: Array
    bursts: Bursts
    bins: GradientBins
    rises: Array  # (m,) the steps on which the loss rose (a noisy run's: how often its steps go uphill)

    @property
    def runs(self) -> int:
        return len(self.start_loss)


def _as_complex(points: Array) -> Array:
    """Points (..., 2) as complex numbers x + iy (a view when the array allows it)."""
    p = np.ascontiguousarray(points, dtype=float)
    return p.view(np.complex128)[..., 0]


def _running_min(loss: Array, before: Array) -> Array:
    """The running minimum along axis 0, starting from ``before``. Row by row: NumPy's
    ``minimum.accumulate`` along the first axis of a C-ordered array is ten times slower."""
    out = np.empty_like(loss)
    np.minimum(loss[0], before, out=out[0])
    for t in range(1, len(loss)):
        np.minimum(out[t - 1], loss[t], out=out[t])
    return out


class Accumulator:
    """Feed the points of m runs in chunks; ``summary()`` is what the verdict needs."""

    def __init__(
        self, surface: Surface, runs: int, steps: int, l2: Array | None = None
    ) -> None:
        self.surface = surface
        self.m, self.steps = runs, steps
        self.l2 = np.zeros(runs) if l2 is None else np.asarray(l2, dtype=float)
        self.scale = RunScales.of(surface, self.l2)
        self.ring = window(steps) + 1
        self.seen = 0
        self.cut = np.full(runs, -1)
        self.reason = np.zeros(runs, dtype=int)
        self.bursts = BurstDetector(runs)
        self.bins = GradientBins(runs, steps, PATH_BINS)
        self.ladder = DescentLadder(runs)
        r, f = self.ring, FIRST_STEPS + 2
        self.tail_points = np.zeros((r, runs, 2))
        self.tail_loss = np.zeros((r, runs))
        self.tail_grad = np.zeros((r, runs))
        self.tail_min = np.zeros((r, runs))
        self.first_points = np.full((f, runs, 2), np.nan)
        self.first_loss = np.full((f, runs), np.nan)
        self.rises = np.zeros(runs, dtype=int)

    # --- feeding ------------------------------------------------------------------------------
    def feed(self, points: Array, loss: Array, grad_norm: Array) -> None:
        """The next k points of every run: (k, m, 2), (k, m), (k, m)."""
        points = np.asarray(points, dtype=float)
        loss = np.asarray(loss, dtype=float)
        grad_norm = np.asarray(grad_norm, dtype=float)
        if not len(loss):
            return
        if np.any(self.l2 > 0):
            loss, grad_norm = self._objective(points, loss, grad_norm)
        g0 = self.seen
        if g0 + len(loss) > self.steps + 1:
            raise ValueError(f"fed {g0 + len(loss)} points; the runs have {self.steps + 1}")
        far = self._distances(points, loss, grad_norm)
        if far is None:  # some point is invalid (or may be): freeze the cut runs, measure again
            points, loss, grad_norm = self._freeze_cut(points, loss, grad_norm)
            far = self._far(points, self.start if g0 else points[0])
        if g0 == 0:
            self._begin(points[0], loss[0], grad_norm[0])
        runmin = _running_min(loss, self.lowest_loss)
        self._lowest(runmin, g0)
        np.maximum(self.extent, far, out=self.extent)
        if g0 <= 1 < g0 + len(loss):  # the first step has come: the run's own loss scale
            step = np.hypot(*(points[1 - g0] - self.start).T)
            scale = np.maximum(self.start_grad * step, np.finfo(float).tiny)
            self.bursts.reference(scale)
            self.ladder.reference(scale)
        self.bursts.feed(loss, runmin, self.start_loss, g0, self._lagged_min(runmin, g0))
        self._count_rises(loss, g0)
        self.bins.feed(grad_norm, points, g0)
        self.ladder.feed(runmin, self.start_loss, g0)
        self.lowest_loss = runmin[-1].copy()
        self._keep(points, loss, grad_norm, runmin, g0)
        self.seen += len(loss)

    def _begin(self, start: Array, loss: Array, grad_norm: Array) -> None:
        self.start = start.copy()
        self.start_loss = loss.copy()
        self.start_grad = grad_norm.copy()
        self.lowest_loss = loss.copy()
        self.lowest_step = np.zeros(self.m, dtype=int)
        self.extent = np.zeros(self.m)

    @staticmethod
    def _far(points: Array, start: Array) -> Array:
        """(m,) the farthest distance from the start within the chunk. As complex magnitudes:
        one pass instead of four."""
        return np.abs(_as_complex(points) - _as_complex(start)).max(axis=0)

    def _distances(self, points: Array, loss: Array, gnorm: Array) -> Array | None:
        """The chunk's farthest distances from the start, if every point is valid (the common
        case), else None. The distances prove the bound: |x|, |y| <= |theta - start| + |start|,
        with a margin for the rounding of the magnitude (a relative 1e-12, far above it), so
        the bound costs no pass of its own; a finite sum proves a finite loss and gradient."""
        if np.any(self.cut >= 0):
            return None
        start = self.start if self.seen else points[0]
        with np.errstate(invalid="ignore", over="ignore"):
            far = self._far(points, start)
            reach = far.max() * (1 + 1e-12) + np.abs(start).max()
            clean = reach <= MAX_COORD and np.isfinite(loss.sum()) and np.isfinite(gnorm.sum())
        return far if clean else None

    def _lowest(self, runmin: Array, g0: int) -> None:
        """The step of the running minimum: the last row where it fell. The running minimum
        never rises, so that is the number of rows above its final value (one pass, where
        comparing neighbours and searching backwards takes three)."""
        final = runmin[-1]
        fell = final < self.lowest_loss
        if fell.any():
            last = np.count_nonzero(runmin > final, axis=0)
            self.lowest_step = np.where(fell, g0 + last, self.lowest_step)

    def feed_arrays(self, points: Array, loss: Array, grad_norm: Array, chunk: int = 256) -> None:
        """A whole stored run (or the rest of one), in chunks of ``chunk`` points (a chunk that stays in the
        processor's cache: the feed makes several passes over it)."""
        for a in range(0, len(loss), chunk):
            self.feed(points[a : a + chunk], loss[a : a + chunk], grad_norm[a : a + chunk])

    def _objective(self, points: Array, loss: Array, gnorm: Array) -> tuple[Array, Array]:
        """Loss and gradient norm of L + l2/2 |theta|^2 for the runs with L2 weight decay."""
        with np.errstate(all="ignore"):
            reg = self.l2 > 0
            p = points[:, reg]
            g = np.asarray(self.surface.grad(p)) + self.l2[reg][:, None] * p
            loss = loss.copy()
            gnorm = gnorm.copy()
            loss[:, reg] += 0.5 * self.l2[reg] * np.einsum("kmi,kmi->km", p, p)
            gnorm[:, reg] = np.hypot(g[..., 0], g[..., 1])
        return loss, gnorm

    def _freeze_cut(self, points: Array, loss: Array, gnorm: Array) -> tuple[Array, Array, Array]:
        """Find each run's first invalid point; repeat its last valid point from there on, so
        the summaries stop where the run stopped."""
        with np.errstate(invalid="ignore"):
            clean = (
                points.max() <= MAX_COORD
                and points.min() >= -MAX_COORD
                and np.isfinite(loss.sum())
                and np.isfinite(gnorm.sum())
            )
        if clean and not np.any(self.cut >= 0):
            return points, loss, gnorm  # the common case, checked with four reductions
        with np.errstate(invalid="ignore"):
            bound = ~np.all(np.abs(points) <= MAX_COORD, axis=-1)
        bad = bound | ~np.isfinite(loss) | ~np.isfinite(gnorm)
        fresh = bad.any(axis=0) & (self.cut < 0)
        if fresh.any():
            row = np.argmax(bad, axis=0)
            finite = np.all(np.isfinite(points[row, np.arange(self.m)]), axis=-1)
            self.cut = np.where(fresh, self.seen + row, self.cut)
            hit = bound[row, np.arange(self.m)] & finite
            self.reason = np.where(fresh, np.where(hit, 1, 2), self.reason)
        if not np.any(self.cut >= 0):
            return points, loss, gnorm
        if self.seen == 0 and np.any(self.cut == 0):
            raise ValueError("a run's start point is not valid (non-finite or out of bounds)")
        rows = self.seen + np.arange(len(loss))[:, None]
        keep = np.where((self.cut >= 0) & (rows >= self.cut), self.cut - 1 - self.seen, rows - self.seen)
        prev = keep < 0  # the last valid point came in an earlier chunk
        idx = np.maximum(keep, 0)
        cols = np.arange(self.m)
        out_p = points[idx, cols]
        out_l = loss[idx, cols]
        out_g = gnorm[idx, cols]
        if prev.any():
            last = (self.seen - 1) % self.ring
            out_p = np.where(prev[..., None], self.tail_points[last], out_p)
            out_l = np.where(prev, self.tail_loss[last], out_l)
            out_g = np.where(prev, self.tail_grad[last], out_g)
        return out_p, out_l, out_g

    def _lagged_min(self, runmin: Array, g0: int):  # type: ignore[no-untyped-def]
        """The running minimum at earlier global steps (at most one stretch back)."""

        def lookup(steps: Array, runs: Array) -> Array:
            inside = steps >= g0
            out = np.empty(len(steps))
            out[inside] = runmin[steps[inside] - g0, runs[inside]]
            old = ~inside
            out[old] = self.tail_min[steps[old] % self.ring, runs[old]]
            return out

        return lookup

    def _count_rises(self, loss: Array, g0: int) -> None:
        """Count the steps on which the loss rose, the chunk's first against the last kept."""
        if g0:
            self.rises += loss[0] > self.tail_loss[(g0 - 1) % self.ring]
        if len(loss) > 1:
            self.rises += np.count_nonzero(loss[1:] > loss[:-1], axis=0)

    def _keep(self, points: Array, loss: Array, gnorm: Array, runmin: Array, g0: int) -> None:
        k = len(loss)
        take = slice(max(0, k - self.ring), k)
        pos = (g0 + np.arange(k)[take]) % self.ring
        self.tail_points[pos] = points[take]
        self.tail_loss[pos] = loss[take]
        self.tail_grad[pos] = gnorm[take]
        self.tail_min[pos] = runmin[take]
        f = len(self.first_loss)
        if g0 < f:
            n = min(k, f - g0)
            self.first_points[g0 : g0 + n] = points[:n]
            self.first_loss[g0 : g0 + n] = loss[:n]

    # --- the summary --------------------------------------------------------------------------
    def summary(self) -> Summary:
        if self.seen == 0:
            raise ValueError("no points fed")
        r = min(self.ring, self.seen)
        order = (self.seen - r + np.arange(r)) % self.ring
        return Summary(
            steps=self.steps,
            points_seen=self.seen,
            l2=self.l2,
            scale=self.scale,
            start=self.start,
            start_loss=self.start_loss,
            start_grad=self.start_grad,
            lowest_loss=self.lowest_loss,
            lowest_step=self.lowest_step,
            extent=self.extent.copy(),
            settled_since=self.ladder.since.copy(),
            tail_points=self.tail_points[order],
            tail_loss=self.tail_loss[order],
            tail_grad=self.tail_grad[order],
            first_points=self.first_points,
            first_loss=self.first_loss,
            cut=self.cut,
            cut_reason=self.reason,
            bursts=self.bursts.segments,
            bins=self.bins,
            rises=self.rises.copy(),
        )
