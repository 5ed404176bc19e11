"""Mini-batches: which samples each step sees, the gradient it gets, and the noise that makes.

The sampler is torch's ``DataLoader(dataset, batch_size=B, shuffle=True, drop_last=True)``:
each epoch is a fresh permutation of the N samples (``numpy.random.default_rng(seed)
.permutation(N)``, one per epoch, drawn in order), cut into N // B batches of exactly B; the
last N mod B samples of each permutation are dropped. B >= N is the whole data set at every
step (one step per epoch). The sequence depends only on (N, B, seed): every run with the same
setting sees the same batches (a fair comparison), and a longer run starts with the batches
of a shorter one.

Each step of a run on a batch takes the gradient of the mean loss over that batch's samples,
whatever the optimizer: the update rules are untouched. Emulated noise (the scenario's
``noise``, isotropic Gaussian) is added on top when both are given: the two are independent,
so their covariances add, and that sum is the noise floor the verdicts use.

The batch gradient's noise at a point theta: one sample's gradient has the covariance Sigma_1
of the N per-sample gradients (divided by N); the mean of B samples drawn without replacement
has Sigma_1 / B times the finite-population correction (N - B) / (N - 1) (0 for B = N).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lab.scenario import Scenario
from surfaces.base import Surface
from surfaces.data import BatchGradients, DataSurface

Array = np.ndarray


def batch_indices(samples: int, size: int, seed: int, steps: int) -> Array:
    """(steps, size) int32 sample indices: epochs of seeded permutations cut into batches of
    exactly ``size``, the remainder of each epoch dropped (``size`` < ``samples``)."""
    per_epoch = samples // size
    epochs = -(-steps // per_epoch)
    rng = np.random.default_rng(seed)
    out = np.empty((epochs * per_epoch, size), dtype=np.int32)
    used = per_epoch * size
    for e in range(epochs):
        out[e * per_epoch : (e + 1) * per_epoch] = rng.permutation(samples)[:used].reshape(
            per_epoch, size
        )
    return out[:steps]


def steps_per_epoch(samples: int, size: int | None) -> int:
    """Updates per pass over the data: N // B, or 1 for the whole data set."""
    return 1 if size is None or size >= samples else samples // size


def epochs_at(steps: Array | int, per_epoch: int) -> Array:
    """The epochs of data seen at each step (fractional): the epoch axis of a trace."""
    return np.asarray(steps, dtype=float) / per_epoch


def epoch_starts(steps: int, per_epoch: int) -> Array:
    """The step at which each epoch starts, up to ``steps``: 0, N // B, 2 (N // B), ..."""
    return np.arange(0, steps + 1, per_epoch)


def step_of_epoch(epoch: float, per_epoch: int) -> int:
    """The first step at or after ``epoch`` epochs of data."""
    return int(np.ceil(epoch * per_epoch))


@dataclass
class BatchSet:
    """The rows (runs) that share one batch setting, and their batches."""

    size: int
    seed: int
    rows: Array  # indices into the batch of runs
    batches: Array  # (steps, size)


def batch_sets(sc: Scenario, surface: Surface, row_of_run: list[int]) -> list[BatchSet]:
    """One set per distinct (size, seed) among the runs that use batches smaller than the
    data set, in the order the settings first appear; runs on the whole data set are in none."""
    if not isinstance(surface, DataSurface):
        return []
    n = surface.samples
    rows: dict[tuple[int, int], list[int]] = {}
    for i in range(len(sc.runs)):
        b = sc.run_batch(i)
        if b is not None and b["size"] < n:
            rows.setdefault((b["size"], b["seed"]), []).append(row_of_run[i])
    return [
        BatchSet(size, seed, np.array(rs), batch_indices(n, size, seed, sc.steps))
        for (size, seed), rs in rows.items()
    ]


def _norm(gx: Array, gy: Array) -> Array:
    """hypot(gx, gy) for a whole trajectory at a tenth of its cost: the square root of the sum
    of squares (within an ulp of hypot), and hypot itself only where the squares overflow or
    underflow (a norm beyond ~1e154 or below ~1e-154)."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        n = np.sqrt(gx * gx + gy * gy)
        redo = ~((n > 1e-150) & (n < 1e150)) & np.isfinite(gx) & np.isfinite(gy)
    if redo.any():
        n[redo] = np.hypot(gx[redo], gy[redo])
    return n


def _selector(rows: Array) -> slice | Array:
    """A slice where ``rows`` are contiguous and ascending (no copy when indexing), else them."""
    if len(rows) and np.array_equal(rows, np.arange(rows[0], rows[0] + len(rows))):
        return slice(int(rows[0]), int(rows[0]) + len(rows))
    return rows


@dataclass
class _SizeGroup:
    """The rows of every batch set of one size, stepped in one call per step."""

    rows: Array
    sel: slice | Array
    grads: BatchGradients
    sets: list[BatchSet]


def _size_groups(surface: DataSurface, sets: list[BatchSet]) -> list[_SizeGroup]:
    out = []
    for size in dict.fromkeys(s.size for s in sets):
        mine = [s for s in sets if s.size == size]
        rows = np.concatenate([s.rows for s in mine])
        order = np.argsort(rows, kind="stable")  # rows ascending: a slice where they can be
        row_set = np.concatenate([np.full(len(s.rows), k) for k, s in enumerate(mine)])[order]
        batches = np.stack([s.batches for s in mine], axis=1)  # (steps, k, B)
        grads = surface.batch_gradients(batches, row_set)
        out.append(_SizeGroup(rows[order], _selector(rows[order]), grads, mine))
    return out


class Gradients:
    """The gradient every row steps on at step t: its batch's (rows of a ``BatchSet``) or the
    whole data set's / surface's, plus the emulated noise. The gradients the batch rows used
    are kept (``finish`` turns them into the noise each step saw)."""

    def __init__(
        self, surface: Surface, sets: list[BatchSet], noise: Array | None, n: int, steps: int
    ) -> None:
        self.surface = surface
        self.noise = noise
        self.groups = _size_groups(surface, sets) if sets else []  # type: ignore[arg-type]
        batch_rows = np.concatenate([s.rows for s in sets]) if sets else np.zeros(0, int)
        rest = np.setdiff1d(np.arange(n), batch_rows)
        self.full = _selector(rest) if len(rest) else None
        whole = len(self.groups) == 1 and isinstance(self.groups[0].sel, slice)
        self.whole = whole and self.groups[0].sel == slice(0, n)  # one group, every row
        # the used gradients, by row (those of rows on no batch are never read)
        self.used = np.empty((steps, n, 2)) if sets else None
        self.full_grads: list[tuple[Array, Array]] = []  # per size group: the data's gradient

    def exact(self, t: int, theta: Array) -> Array:
        """The gradient without the emulated noise."""
        if not self.groups:
            return self.surface.grad(theta)
        if self.whole:
            return self.groups[0].grads.grad(t, theta)
        g = np.empty_like(theta)
        if self.full is not None:
            g[self.full] = self.surface.grad(theta[self.full])
        for grp in self.groups:
            g[grp.sel] = grp.grads.grad(t, theta[grp.sel])
        return g

    def norm(self, g: Array, out: Array) -> None:
        """The gradient norm of every row into ``out``; the rows on batches are skipped when
        they are all the rows (``loss`` writes the whole data set's for them)."""
        if not self.whole:
            out[:] = np.hypot(g[:, 0], g[:, 1])

    def noisy(self, t: int, g: Array) -> Array:
        """``g`` plus the emulated noise of step t (kept when some row is on batches)."""
        if self.noise is not None:
            g = g + self.noise[t]
        if self.used is not None:
            self.used[t] = g
        return g

    def loss(self, traj: Array, gnorm: Array) -> Array:
        """After the loop: the whole data set's loss at every point (steps+1, n); for the rows
        on batches also its gradient, in the same pass over the samples, whose norm replaces
        the batch gradient's in ``gnorm`` (it is kept for ``finish``)."""
        if not self.groups:
            return self.surface.value(traj)
        loss = np.empty(traj.shape[:2])
        if self.full is not None:
            loss[:, self.full] = self.surface.value(traj[:, self.full])
        self.full_grads = []
        for grp in self.groups:
            value, gx, gy = self.surface.value_and_grad(traj[:, grp.sel])  # type: ignore[attr-defined]
            loss[:, grp.sel] = value
            gnorm[:, grp.sel] = _norm(gx, gy)
            self.full_grads.append((gx, gy))
        return loss

    def finish(self, traj: Array) -> dict[int, BatchColumn]:
        """Per batch row (after ``loss``): where to find, on first use, the noise each step saw
        (the gradient used minus the whole data set's, emulated noise included) and its
        batch's loss where it was used; each size group computes them for all its rows."""
        out: dict[int, BatchColumn] = {}
        for grp, (gx, gy) in zip(self.groups, self.full_grads, strict=True):
            series = _GroupSeries(grp, traj[:-1, grp.sel], self.used[:, grp.sel], gx[:-1], gy[:-1])  # type: ignore[index]
            col = {r: c for c, r in enumerate(grp.rows.tolist())}
            for s in grp.sets:
                for r in s.rows.tolist():
                    out[r] = BatchColumn(series, col[r], s.batches)
        return out


class _GroupSeries:
    """The noise and batch-loss arrays of one size group's rows, computed once, when first
    asked for (vectorised over all its rows)."""

    def __init__(self, grp: _SizeGroup, points: Array, used: Array, gx: Array, gy: Array) -> None:
        self.grp, self.points, self.used, self.gx, self.gy = grp, points, used, gx, gy
        self.arrays: dict[str, Array] = {}

    def get(self, name: str) -> Array:
        if not self.arrays:
            with np.errstate(all="ignore"):
                noise = np.array(self.used)  # a copy: the used gradients stay as they were
                noise[..., 0] -= self.gx
                noise[..., 1] -= self.gy
                self.arrays = {"noise": noise, "batch_loss": self.grp.grads.losses(self.points)}
        return self.arrays[name]


@dataclass(frozen=True)
class BatchColumn:
    """One run's column of its size group's series, and its batches."""

    series: _GroupSeries
    col: int
    batches: Array

    def get(self, name: str, k: int) -> Array:
        return self.series.get(name)[:k, self.col]


@dataclass(frozen=True)
class BatchNoise:
    """The verdicts' noise model for runs on batches of ``size``: the batch gradient's
    covariance (module docstring) plus the emulated noise's std^2 I."""

    surface: DataSurface
    size: int
    std: float = 0.0

    def covariance(self, points: Array) -> Array:
        n = self.surface.samples
        fpc = (n - self.size) / (n - 1) if n > 1 else 0.0
        with np.errstate(all="ignore"):
            cov = self.surface.grad_covariance(points) * (fpc / self.size)
        return cov + self.std**2 * np.eye(2)


def noise_of_row(noise: Array, t: int | slice, rows: Any) -> Array:
    """The emulated noise of step(s) ``t`` for ``rows``: ``noise`` is (steps, 2) when every
    row has the same std, else (steps, n, 2) (``lab.engine.gradient_noise``)."""
    return noise[t] if noise.ndim == 2 else noise[t, rows]


def noise_partition(
    surface: Surface, sets: list[BatchSet], stds: Array
) -> list[tuple[slice | Array, Any]]:
    """(rows, noise) pairs covering every row once: the rows of each batch set with the same
    emulated noise std (``stds``, each row's) with their ``BatchNoise``, the other rows by
    their emulated noise's std (0: exact gradients). Rows are slices where they are
    contiguous, so judging them copies nothing."""
    out: list[tuple[slice | Array, Any]] = []
    rest = np.arange(len(stds))
    for s in sets:
        for std in np.unique(stds[s.rows]):
            rows = s.rows[stds[s.rows] == std]
            out.append((_selector(rows), BatchNoise(surface, s.size, float(std))))  # type: ignore[arg-type]
        rest = np.setdiff1d(rest, s.rows)
    for std in np.unique(stds[rest]):
        out.append((_selector(rest[stds[rest] == std]), float(std)))
    return out
