"""The burst detector's vectorised bookkeeping against its plain per-run loop.

``BurstDetector._extend`` and ``_record`` handle every run at once (a map feeds 10,000 runs
per chunk); the loops below are the detector's earlier form, one run and one burst at a time,
kept here as the reference. Both must record the same bursts, bit for bit, for any chunking.
"""

from __future__ import annotations

import numpy as np
import pytest

from lab.verdicts import Accumulator
from lab.verdicts.detectors import BurstDetector
from surfaces import BUILTIN


class LoopDetector(BurstDetector):
    """The same detector with the per-run loops."""

    def _extend(self, exceed, loss, g0):  # type: ignore[no-untyped-def]
        seg = self.segments
        k = len(loss)
        for j in np.flatnonzero(seg.active >= 0).tolist():
            out = np.flatnonzero(~exceed[:, j])
            end = int(out[0]) if len(out) else k
            slot = int(seg.active[j])
            if end > 0:
                row = int(np.argmax(loss[:end, j]))
                if loss[row, j] > seg.value[j, slot]:
                    seg.value[j, slot], seg.at[j, slot] = loss[row, j], g0 + row
            if end < k:
                seg.end[j, slot], seg.active[j] = g0 + end, -1

    def _record(self, r, j, exceed, loss, runmin, g0):  # type: ignore[no-untyped-def]
        seg = self.segments
        k = len(loss)
        for row, run in zip(r.tolist(), j.tolist(), strict=True):
            slot = int(np.sum(seg.start[run] >= 0))
            if slot >= seg.kept:
                continue
            out = np.flatnonzero(~exceed[row:, run])
            end = row + int(out[0]) if len(out) else k
            peak = row + int(np.argmax(loss[row:end, run]))
            seg.start[run, slot] = g0 + row
            seg.at[run, slot] = g0 + peak
            seg.value[run, slot] = loss[peak, run]
            seg.base[run, slot] = runmin[row, run]
            seg.end[run, slot] = g0 + end if end < k else -1
            if end == k:
                seg.active[run] = slot


def bursty(runs: int, steps: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points, loss and gradient norms of runs whose loss settles and then jumps, again and
    again (bursts of 1 to 40 steps, some running across chunk ends)."""
    rng = np.random.default_rng(seed)
    t = np.arange(steps + 1)[:, None]
    loss = np.exp(-t / rng.uniform(5, 60, runs)) + 1e-3 * rng.random((steps + 1, runs))
    jumps = rng.random((steps + 1, runs)) < rng.uniform(0.002, 0.02, runs)
    for i, j in zip(*np.nonzero(jumps), strict=True):
        width = min(int(rng.integers(1, 40)), steps + 1 - i)
        loss[i : i + width, j] += rng.uniform(0.05, 2.0) * np.linspace(1.0, 0.2, width)
    points = np.stack([np.cos(t / 7.0) + 0 * loss, loss], axis=-1)
    return points, loss, np.abs(np.gradient(loss, axis=0)) + 1e-6


@pytest.mark.parametrize("chunk", [1, 7, 64, 1001])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_vectorised_bursts_equal_the_per_run_loop(chunk: int, seed: int) -> None:
    points, loss, gnorm = bursty(40, 3000, seed)
    got, ref = (Accumulator(BUILTIN["ravine"], 40, 3000) for _ in range(2))
    ref.bursts = LoopDetector(40)
    for acc in (got, ref):
        acc.feed_arrays(points, loss, gnorm, chunk=chunk)
    a, b = got.bursts.segments, ref.bursts.segments
    assert b.count.sum() > 40  # many bursts, many runs with more than BURSTS_KEPT
    assert (b.count > b.kept).any()
    for name in ("count", "start", "end", "at", "value", "base", "active"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_the_descent_ladder_of_a_run_that_hardly_moved_does_not_overflow() -> None:
    """A run whose first step was 0 (lr 0 at the start of a warm-up) has one tiny float as its
    loss scale, and its descent over it overflows: no rung (the ladder keeps its top), without
    a warning (warnings fail the suite); ordinary rungs are floor(log(descent / ref) / log_ratio)."""
    from lab import simulate
    from lab.verdicts.detectors import DescentLadder

    ladder = DescentLadder(2)
    ladder.reference(np.array([np.finfo(float).tiny, 0.5]))
    rungs = ladder._rung(np.array([10.0, 10.0]), np.arange(2))
    assert rungs[0] == ladder.top[0]
    assert rungs[1] == np.floor(np.log(20.0) / ladder.log_ratio)
    run = {"optimizer": "adamw", "params": {"lr": 0.0}, "schedule": {"name": "warmup_cosine", "params": {"eta_min": 1}}}
    v = simulate({"surface": "ravine", "start": [0.0, 1.0], "steps": 17, "runs": [run]}).runs[0].verdict
    assert v["kind"] in ("crawling", "moving", "minimum")
