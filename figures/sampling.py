"""Which steps a figure shows: a run may have 100,000 steps, a figure carries a few hundred
frames and a few thousand points per line, while verdicts (in the engine) use every step.

Thinning keeps the shape: a drawn path or curve is a subset of the true points that keeps,
in each small stretch, the points where the line reaches its extremes (in path order), so a
bounce across a ravine stays a filled band of bounces and a spike stays a spike.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

MAX_LINE_POINTS = 2400
# Around an event (a burst, the first steps, leaving a saddle) Play shows every step, at
# most this many per event: the animation slows down where something happens.
DENSE_STEPS = 60


def frame_steps(last: int, frames: int, dense: Iterable[tuple[int, int]] = ()) -> np.ndarray:
    """About ``frames`` steps from 0 to ``last`` inclusive, evenly spaced, plus every step of
    each ``dense`` window (first, last), at most ``DENSE_STEPS`` of them; unique, sorted."""
    n = max(2, min(frames, last + 1))
    steps = [np.round(np.linspace(0, last, n)).astype(int)]
    for a, b in dense:
        a, b = max(0, int(a)), min(last, int(b))
        if b >= a:
            stride = max(1, int(np.ceil((b - a + 1) / DENSE_STEPS)))
            steps.append(np.arange(a, b + 1, stride))
    return np.unique(np.concatenate(steps))


def _bucket_extremes(values: np.ndarray, starts: np.ndarray) -> list[np.ndarray]:
    """Per stretch (``starts``: the first index of each), the first index where each column
    of ``values`` is lowest and where it is highest."""
    owner = np.searchsorted(starts, np.arange(len(values)), side="right") - 1
    out = []
    for col in values.T:
        for fn in (np.minimum, np.maximum):
            hit = np.flatnonzero(col == fn.reduceat(col, starts)[owner])
            _, first = np.unique(owner[hit], return_index=True)
            out.append(hit[first])
    return out


def path_indices(
    points: np.ndarray, limit: int = MAX_LINE_POINTS, span: tuple[float, float] | None = None
) -> np.ndarray:
    """Indices of a path (``points``, shape (n, 2)) to draw, at most about ``limit``.

    The path is cut into about ``limit / 5`` consecutive stretches of equal *progress*, half
    the steps taken and half the distance travelled on screen (``span``: the picture's width
    and height; default the path's own extent), so a fast start gets as many stretches as
    a long slow tail. Each stretch keeps its first point and the points of lowest and
    highest x and y, in path order: every true point then lies within its stretch's box,
    whose corners the drawn line visits (``tests/test_figures.py`` measures the distance).
    """
    n = len(points)
    if n <= limit:
        return np.arange(n)
    pts = np.asarray(points, dtype=float)
    scale = np.asarray(span if span is not None else np.ptp(pts, axis=0), dtype=float)
    scale = np.where(scale > 0, scale, 1.0)
    # Distance over two steps: a bounce between two walls (period 2) cancels, so the
    # stretches follow the drift of its centre rather than the bouncing itself.
    drift = np.abs(pts[2:] - pts[:-2]) @ (1 / scale)
    moved = np.r_[0.0, 0.0, np.cumsum(drift)] / 2
    progress = 0.5 * np.arange(n) / (n - 1) + (0.5 * moved / moved[-1] if moved[-1] > 0 else 0.0)
    n_buckets = max(1, limit // 5)
    bucket = np.minimum((progress * n_buckets).astype(int), n_buckets - 1)
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
    idx = np.concatenate([starts, [n - 1], *_bucket_extremes(pts, starts)])
    return np.unique(idx)


def envelope_indices(values: np.ndarray, limit: int = MAX_LINE_POINTS) -> np.ndarray:
    """Indices of a series to draw, at most about ``limit``: the lowest and highest point of
    each bucket, so spikes (Adagrad's late explosion) survive the thinning."""
    n = len(values)
    if n <= limit:
        return np.arange(n)
    size = int(np.ceil(n / (limit // 2)))
    buckets = int(np.ceil(n / size))
    v = np.full(buckets * size, np.nan)
    v[:n] = np.where(np.isfinite(values), values, np.nan)
    v = v.reshape(buckets, size)
    base = np.arange(buckets) * size
    lo = base + np.argmin(np.where(np.isnan(v), np.inf, v), axis=1)
    hi = base + np.argmax(np.where(np.isnan(v), -np.inf, v), axis=1)
    idx = np.unique(np.concatenate([[0, n - 1], lo, hi]))
    return idx[idx < n]


F32 = np.finfo(np.float32)


def f32(a: np.ndarray) -> np.ndarray:
    """The values for a chart, with inf turned into NaN (plotly.js leaves a gap at NaN):
    float32, half the payload, when float32 holds them; float64 when it would not. A cast
    would turn a value above 3.4e38 (a diverging loss) into inf, dropped from the chart, and
    one below 1.2e-38 (a vanishing gradient norm on a log axis) into a subnormal or 0, so an
    array with such values is kept in float64 whole."""
    v = np.asarray(a, dtype=float)
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(v)
        mag = np.abs(v[finite])
    fits = not mag.size or bool(np.all((mag == 0) | ((mag >= F32.tiny) & (mag <= F32.max))))
    out = v.astype(np.float32) if fits else v.copy()
    out[~finite] = np.nan
    return out


def short(v: float) -> float | None:
    """A number for a frame, as JSON text: 6 significant digits (a screen has fewer pixels),
    None where it is not finite (plotly.js leaves a gap)."""
    v = float(v)
    if not math.isfinite(v):
        return None
    if v == 0:
        return 0.0
    return round(v, 5 - math.floor(math.log10(abs(v))))



def shorts(a: np.ndarray) -> list[float | None]:
    """:func:`short` of every value of ``a`` at once (6 significant digits; None where a
    value is not finite): the frames' numbers, thousands of them per figure."""
    v = np.asarray(a, dtype=float).ravel()
    out = v.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = np.isfinite(v) & (v != 0)
        decimals = np.zeros(v.shape, dtype=int)
        decimals[ok] = 5 - np.floor(np.log10(np.abs(v[ok]))).astype(int)
        for d in np.unique(decimals[ok]).tolist():
            m = ok & (decimals == d)
            out[m] = np.round(v[m], d)
    values: list[float | None] = out.tolist()
    for i in np.flatnonzero(~np.isfinite(v)).tolist():
        values[i] = None
    return values
