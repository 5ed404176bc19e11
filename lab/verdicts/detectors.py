"""Event detectors that run along a run in chunks and keep only a few numbers per run.

Each detector is fed consecutive chunks of rows (steps) for every run at once and gives the same
result whatever the chunking: it only ever takes minima, maxima, first indices and boolean
logic, never running sums whose rounding would depend on where a chunk ends.

* ``BurstDetector``: the loss jumping after it had settled (start step, peak, height).
* ``GradientBins``: the smallest gradient norm of each stretch of the path, where the verdict
  looks for saddles the run has passed.
* ``DescentLadder``: since when the loss has been within BURST_FRAC of its final level.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from lab.verdicts.thresholds import (
    BURST_FRAC,
    BURSTS_KEPT,
    RESOLUTION,
    WINDOW_FRAC,
    WINDOW_MIN,
)

Array = np.ndarray


@dataclass
class Bursts:
    """The first ``kept`` bursts of each run (and how many there were): start step, end step
    (-1 while it lasts), step and value of its peak, and the settled level it rose from."""

    runs: int
    kept: int
    count: Array = field(init=False)
    start: Array = field(init=False)
    end: Array = field(init=False)
    at: Array = field(init=False)
    value: Array = field(init=False)
    base: Array = field(init=False)
    active: Array = field(init=False)  # slot of the burst still going on, or -1

    def __post_init__(self) -> None:
        m, k = self.runs, self.kept
        self.count = np.zeros(m, dtype=int)
        self.start = np.full((m, k), -1)
        self.end = np.full((m, k), -1)
        self.at = np.full((m, k), -1)
        self.value = np.full((m, k), np.nan)
        self.base = np.full((m, k), np.nan)
        self.active = np.full(m, -1)


class BurstDetector:
    """The loss jumping after it had settled.

    Row t exceeds when ``loss_t > band_t = min_t + BURST_FRAC * width_t``, ``min_t`` the running
    minimum and ``width_t`` the descent so far (at least RESOLUTION of the loss the first step
    promised, its length times the start's gradient norm: a scale of the run's own).
    A burst starts at t when t exceeds, t - 1 did not, and for the ``S = max(WINDOW_MIN,
    WINDOW_FRAC t)`` steps before it nothing exceeded and the running minimum fell by at most
    the band (``min_{t-S} <= band_{t-1}``). It lasts while the loss stays above the band; its
    peak is the highest loss meanwhile.
    """

    def __init__(self, runs: int) -> None:
        self.floor = np.zeros(runs)  # set from the first step, see ``reference``
        self.prev_exceed = np.zeros(runs, dtype=bool)
        self.prev_band = np.full(runs, np.inf)
        self.last_exceed = np.full(runs, -1)
        self.segments = Bursts(runs, BURSTS_KEPT)

    def reference(self, first_loss_scale: Array) -> None:
        self.floor = RESOLUTION * first_loss_scale

    def feed(
        self,
        loss: Array,
        runmin: Array,
        start_loss: Array,
        g0: int,
        lagged_min: Callable[[Array, Array], Array],
    ) -> None:
        """``runmin`` (k, m) the running minimum at each row; ``lagged_min(steps, runs)`` the
        running minimum at earlier global steps (within the last stretch)."""
        k = loss.shape[0]
        # The band lies at or above the running minimum (the width is >= 0), so only a loss
        # above its running minimum can exceed it: a chunk whose loss only ever falls (most of
        # a run, after its first steps) needs the band of its last row alone.
        exceed = loss > runmin
        if exceed.any():
            band = self._band(runmin, start_loss)
            np.greater(loss, band, out=exceed)
        else:
            band = self._band(runmin[-1:], start_loss)
        if self.segments.active.max() >= 0:
            self._extend(exceed, loss, g0)
        if exceed.any():
            # Exceeding positions in run-major order: rows of run j are j*k + row.
            pos = np.flatnonzero(exceed.T)
            starts = np.ones(len(pos), dtype=bool)
            starts[1:] = np.diff(pos) != 1
            row, run = pos % k, pos // k
            starts |= row == 0  # a new run's first row
            first_row = row == 0
            starts[first_row] = ~self.prev_exceed[run[first_row]]
            if starts.any():
                self._starts(pos, starts, exceed, band, loss, runmin, g0, lagged_min)
            ends = np.ones(len(pos), dtype=bool)
            ends[:-1] = run[1:] != run[:-1]
            self.last_exceed[run[ends]] = g0 + row[ends]
        self.prev_exceed = exceed[-1]
        self.prev_band = band[-1]

    def _band(self, runmin: Array, start_loss: Array) -> Array:
        band = np.maximum(start_loss - runmin, self.floor)
        band *= BURST_FRAC
        band += runmin
        return band

    def _extend(self, exceed: Array, loss: Array, g0: int) -> None:
        """Carry the bursts still going on through this chunk: each lasts up to its run's first
        row that does not exceed; its peak is the first highest loss before that row."""
        seg = self.segments
        runs = np.flatnonzero(seg.active >= 0)
        k = len(loss)
        below = ~exceed[:, runs]
        end = np.where(below.any(axis=0), np.argmax(below, axis=0), k)
        inside = np.arange(k)[:, None] < end
        row = np.argmax(np.where(inside, loss[:, runs], -np.inf), axis=0)
        value = loss[row, runs]
        slot = seg.active[runs]
        better = (end > 0) & (value > seg.value[runs, slot])
        seg.value[runs[better], slot[better]] = value[better]
        seg.at[runs[better], slot[better]] = g0 + row[better]
        done = end < k
        seg.end[runs[done], slot[done]] = g0 + end[done]
        seg.active[runs[done]] = -1

    def _starts(self, pos, starts, exceed, band, loss, runmin, g0, lagged_min) -> None:  # type: ignore[no-untyped-def]
        """Keep the rises that follow a settled stretch; record the first BURSTS_KEPT."""
        k = len(loss)
        at = np.flatnonzero(starts)
        r, j = pos[at] % k, pos[at] // k
        # The last exceeding row before each start: the previous position, if of the same run.
        prev = pos[np.maximum(at - 1, 0)]
        same = (at > 0) & (prev // k == j)
        last = np.where(same, g0 + prev % k, self.last_exceed[j])
        t = g0 + r
        settle = np.maximum(WINDOW_MIN, np.round(WINDOW_FRAC * t)).astype(int)
        ok = (t - 1 - last >= settle) & (t - settle >= 0)
        if not ok.any():
            return
        r, j, t, settle = r[ok], j[ok], t[ok], settle[ok]
        before = np.where(r > 0, band[np.maximum(r - 1, 0), j], self.prev_band[j])
        flat = lagged_min(t - settle, j) <= before
        seg = self.segments
        seg.count += np.bincount(j[flat], minlength=seg.runs)
        self._record(r[flat], j[flat], exceed, loss, runmin, g0)

    def _record(self, r: Array, j: Array, exceed: Array, loss: Array, runmin: Array, g0: int) -> None:
        """Record the bursts starting at rows ``r`` of runs ``j`` (in run-major order) in their
        runs' next free slots, as long as a run has one: its start, peak and end (the run's
        first row from the start on that does not exceed; -1 and active if none in the chunk)."""
        seg = self.segments
        k = len(loss)
        if not len(r):
            return
        first = np.ones(len(j), dtype=bool)
        first[1:] = j[1:] != j[:-1]
        group = np.flatnonzero(first)
        rank = np.arange(len(j)) - np.repeat(group, np.diff(np.append(group, len(j))))
        slot = np.sum(seg.start[j] >= 0, axis=1) + rank
        keep = slot < seg.kept
        r, j, slot = r[keep], j[keep], slot[keep]
        if not len(r):
            return
        cols, col = np.unique(j, return_inverse=True)
        rows = np.arange(k)[:, None]
        nxt = np.where(exceed[:, cols], k, rows)  # the next row that does not exceed, from each row
        nxt = np.minimum.accumulate(nxt[::-1], axis=0)[::-1]
        end = nxt[r, col]
        peak = r + _first_max(loss, r, end, j)
        seg.start[j, slot] = g0 + r
        seg.at[j, slot] = g0 + peak
        seg.value[j, slot] = loss[peak, j]
        seg.base[j, slot] = runmin[r, j]
        seg.end[j, slot] = np.where(end < k, g0 + end, -1)
        open_ = end == k
        seg.active[j[open_]] = slot[open_]


def _first_max(loss: Array, lo: Array, hi: Array, runs: Array) -> Array:
    """For each segment ``loss[lo:hi, run]`` (non-empty, no NaN: its rows exceed the band) the
    offset of its first highest value (``np.argmax``'s choice), for all segments at once."""
    length = hi - lo
    begin = np.concatenate(([0], np.cumsum(length)[:-1]))
    offset = np.arange(int(length.sum())) - np.repeat(begin, length)
    vals = loss[np.repeat(lo, length) + offset, np.repeat(runs, length)]
    top = np.maximum.reduceat(vals, begin)
    hits = np.flatnonzero(vals == np.repeat(top, length))
    return hits[np.searchsorted(hits, begin)] - begin


class GradientBins:
    """The path cut into ``bins`` equal stretches of steps; per stretch the smallest gradient
    norm, and (where that is no larger than its neighbours') its step and point. Where a run
    came close to a critical point it left, the gradient was smallest there, so these points
    are where the verdict looks for saddles left behind."""

    def __init__(self, runs: int, steps: int, bins: int) -> None:
        self.size = max(1, -(-(steps + 1) // bins))  # steps per bin, rounded up
        count = -(-(steps + 1) // self.size)
        self.value = np.full((count, runs), np.inf)
        self.at = np.full((count, runs), -1)
        self.point = np.full((count, runs, 2), np.nan)

    def feed(self, gnorm: Array, points: Array, g0: int) -> None:
        k, m = gnorm.shape
        size = self.size
        # The bins wholly inside the chunk at once (a min over a reshaped view, then the first
        # row equal to it: faster than argmin); the partial ones at its ends one by one.
        lo_bin, hi_bin = -(-g0 // size), (g0 + k) // size
        if hi_bin > lo_bin:
            a, count = lo_bin * size - g0, hi_bin - lo_bin
            g = gnorm[a : a + count * size].reshape(count, size, m)
            low = g.min(axis=1)
            # Only a bin no larger than its neighbours can be where a critical point was
            # passed (the verdict reads no other): the others keep their minimum, not its step.
            need = np.ones(low.shape, dtype=bool)
            need[1:-1] = (low[1:-1] <= low[:-2]) & (low[1:-1] <= low[2:])
            b, j = np.nonzero(need)
            self.value[lo_bin:hi_bin] = np.minimum(self.value[lo_bin:hi_bin], low)
            if len(b):
                row = np.argmax(g[b, :, j] == low[b, j][:, None], axis=1) + a + size * b
                self.at[lo_bin + b, j] = g0 + row
                self.point[lo_bin + b, j] = points[row, j]
        edges = {g0 // size, (g0 + k - 1) // size} - set(range(lo_bin, hi_bin))
        for b in sorted(edges):
            lo, hi = max(b * size - g0, 0), min((b + 1) * size - g0, k)
            row = np.argmin(gnorm[lo:hi], axis=0)
            self._merge(np.array([b]), (lo + row)[None], gnorm, points, g0)

    def _merge(self, bins: Array, rows: Array, gnorm: Array, points: Array, g0: int) -> None:
        cols = np.arange(gnorm.shape[1])
        val = gnorm[rows, cols]
        better = val < self.value[bins]
        self.value[bins] = np.where(better, val, self.value[bins])
        self.at[bins] = np.where(better, g0 + rows, self.at[bins])
        self.point[bins] = np.where(better[..., None], points[rows, cols], self.point[bins])


class DescentLadder:
    """Since when the loss has been within BURST_FRAC of where it is now.

    The descent ``D_t = loss_0 - min_t`` only grows. Its rungs are the levels
    ``D_ref / (1 - BURST_FRAC)^j``, with ``D_ref`` the first step's length times the start's
    gradient norm (a loss of the run's own, so the rungs move with the loss's scale and not with
    a shift or a turn of the plane); the detector keeps the highest rung reached and the first step
    it was reached at. At the end that step is when the running minimum came within one rung
    (BURST_FRAC of the descent) of its final value: the loss has not fallen further since.
    """

    def __init__(self, runs: int) -> None:
        self.ref = np.full(runs, np.nan)  # set from the first step, see ``reference``
        self.log_ratio = -np.log1p(-BURST_FRAC)
        self.top = np.full(runs, np.iinfo(np.int64).min // 2)
        self.since = np.zeros(runs, dtype=int)

    def reference(self, first_loss_scale: Array) -> None:
        self.ref = first_loss_scale

    def _rung(self, descent: Array, cols: Array) -> Array:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            rung = np.floor(np.log(descent / self.ref[cols]) / self.log_ratio)
        # A reference step of (nearly) zero length puts every rung beyond float64: no rung.
        return np.where((descent > 0) & np.isfinite(rung), rung, self.top[cols]).astype(np.int64)

    def feed(self, runmin: Array, start_loss: Array, g0: int) -> None:
        cols = np.arange(runmin.shape[1])
        top = np.maximum(self.top, self._rung(start_loss - runmin[-1], cols))
        raised = np.flatnonzero(top > self.top)
        if not len(raised):
            return
        # The descent only grows, so the first row on the new top rung is found by bisection.
        lo = np.zeros(len(raised), dtype=int)
        hi = np.full(len(raised), len(runmin) - 1)
        goal = top[raised]
        while np.any(lo < hi):
            mid = (lo + hi) // 2
            on = self._rung(start_loss[raised] - runmin[mid, raised], raised) >= goal
            hi = np.where(on, mid, hi)
            lo = np.where(on, lo, mid + 1)
        self.since[raised] = g0 + lo
        self.top = top
