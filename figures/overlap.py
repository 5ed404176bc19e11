"""Paths drawn on top of one another: which runs' map paths lie (almost) under another run's.

Two runs with the same path (preset 24's one sample per step on the full batch's line, 8's
AdamW on plain Adam's diagonal, 9's full batch under the large batch) drew one line of a
colour neither legend entry has; a class saw one run, not two (the lesson review). The later
of two such runs (drawn on top) is dashed, so the earlier one's colour shows between its
dashes, and its legend entry is dashed too.
"""

from __future__ import annotations

import numpy as np

COVER = 0.006  # of the map's larger side (about 3 px of a 520 px map): "the same line" on screen
SHARE = 0.9  # of a path's drawn length that must lie that close to the other path
HIDES = 0.3  # of the upper path's own length along a path under it: dashing it shows that one
SAMPLE = 200  # points of a path tested (evenly spaced among its drawn points)
DASHES = ("dash", "dot", "dashdot")  # the first, second, ... run dashed (two dashed runs stay apart)


def _distance_to_path(p: np.ndarray, path: np.ndarray) -> np.ndarray:
    """Each point of ``p`` (n, 2)'s distance to the polyline ``path`` (m, 2)."""
    if len(path) == 1:
        return np.linalg.norm(p - path[0], axis=1)
    a, b = path[:-1], path[1:]
    ab = b - a
    den = np.einsum("ij,ij->i", ab, ab)
    out = np.full(len(p), np.inf)
    chunk = max(1, 2_000_000 // max(1, len(a)))
    for k in range(0, len(p), chunk):
        q = p[k : k + chunk, None, :]  # (c, 1, 2)
        u = np.einsum("cmj,mj->cm", q - a, ab) / np.where(den > 0, den, 1.0)
        u = np.clip(np.where(den > 0, u, 0.0), 0.0, 1.0)
        near = a + u[..., None] * ab
        out[k : k + chunk] = np.sqrt(np.min(np.sum((q - near) ** 2, axis=-1), axis=1))
    return out


def simplified(path: np.ndarray, step: float) -> np.ndarray:
    """The path's finite points, one per ``step`` of its length (the first and last kept):
    every point of the path lies within ``step`` of the kept polyline, and a long tail of
    tiny steps at a minimum becomes a point or two."""
    p = np.asarray(path, dtype=float)
    p = p[np.all(np.isfinite(p), axis=1)]
    if len(p) < 3:
        return p
    arc = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(p, axis=0), axis=1))]
    bins = np.floor(arc / step)
    keep = np.r_[True, bins[1:] != bins[:-1]]
    keep[-1] = True
    return p[keep]


def near_share(a: np.ndarray, b: np.ndarray, tol: float) -> float:
    """The share of path ``a``'s length that lies within ``tol`` of path ``b``; 0 for a
    path that does not move (a dot is not a line under anything)."""
    a, b = simplified(a, tol / 4), simplified(b, tol / 4)
    if len(a) < 2 or len(b) == 0:
        return 0.0
    if len(a) > SAMPLE:
        a = a[np.linspace(0, len(a) - 1, SAMPLE).astype(int)]
    seg = np.linalg.norm(np.diff(a, axis=0), axis=1)
    length = float(seg.sum())
    if length <= 2 * tol:
        return 0.0
    close = _distance_to_path(a, b) <= tol
    return float(seg[close[:-1] & close[1:]].sum()) / length


def dashes(paths: list[np.ndarray], span: tuple[float, float]) -> list[str | None]:
    """Each run's path dash: None (solid), or a dash for a run drawn on top of an earlier
    run's path that lies under it (on a map of size ``span``): the later path lies along the
    earlier one, or the earlier lies along it and it runs along the earlier for a good part
    of its own length (a small batch's scribble over a short full-batch path is left solid:
    its dashes would show nothing more)."""
    tol = COVER * max(span)
    out: list[str | None] = [None] * len(paths)
    n_dashed = 0

    def on(i: int, j: int) -> bool:
        top = near_share(paths[j], paths[i], tol)
        return top >= SHARE or (top >= HIDES and near_share(paths[i], paths[j], tol) >= SHARE)

    for j in range(1, len(paths)):
        if any(on(i, j) for i in range(j)):
            out[j] = DASHES[n_dashed % len(DASHES)]
            n_dashed += 1
    return out
