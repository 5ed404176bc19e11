"""Which steps a figure shows: a run may have 100,000 steps, a figure carries ~120 frames and
a few thousand points per line, while verdicts (in the engine) use every step.
"""

from __future__ import annotations

import numpy as np

MAX_LINE_POINTS = 3000


def frame_steps(last: int, frames: int) -> np.ndarray:
    """About ``frames`` steps from 0 to ``last`` inclusive, evenly spaced, unique."""
    n = max(2, min(frames, last + 1))
    return np.unique(np.round(np.linspace(0, last, n)).astype(int))


def path_indices(n: int, limit: int = MAX_LINE_POINTS) -> np.ndarray:
    """Indices of a path of ``n`` points to draw, at most about ``limit``.

    Long paths keep PAIRS of consecutive points (k, k+1) every few steps rather than every
    k-th point: taking every 2nd point of a run bouncing between two walls would put every
    kept point on the same wall and hide the bouncing.
    """
    if n <= limit:
        return np.arange(n)
    stride = max(2, int(np.ceil(2 * n / limit)))
    starts = np.arange(0, n - 1, stride)
    idx = np.unique(np.concatenate([starts, starts + 1, [n - 1]]))
    return idx[idx < n]


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
