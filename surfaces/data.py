"""Data-set surfaces: a two-parameter model whose loss is the mean of per-sample losses.

A data set is generated from a seed (nothing is downloaded): ``make_data_surface(spec)`` takes
a scenario's ``{"data": name, "samples": N, "seed": s, ...}`` and gives a :class:`DataSurface`,
a ``Surface`` (value, gradient and Hessian of the mean loss over all N samples, plot range,
default start, computed minima) that also knows its samples:

* ``sample_grads(points, idx)``: every sample's gradient, for batch gradients and the noise
  covariance (``grad_covariance``);
* ``batch_value / batch_grad / batch_hessian(points, idx)``: the loss of the samples ``idx``
  alone, i.e. the error surface one mini-batch sees;
* ``batch_gradients(batches)``: the gradient of every step's batch, with what can be computed
  once per step for every run computed once (``BatchGradients``);
* ``test_value(points)`` where the data set has a test set.

Every function is element-wise over points and reduces over samples along the last axis of
a C-contiguous (points, samples) array, so a run gives the same numbers alone and in a batch
of runs (``tests/test_batching.py``'s rule). The models themselves are in
``surfaces.data_models``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np

from core.params import Float, Int, Param
from core.text import both
from surfaces.base import Array, Surface

MAX_SAMPLES = 4096
MAX_SEED = 2**32 - 1
# Per-sample work is done in chunks of at most this many (point, sample) pairs: ~8 MB per
# float64 temporary, so a trajectory of 10^6 points times 4,096 samples never needs 32 GB.
CHUNK_PAIRS = 1 << 20


def samples_param(default: int, low: int = 1) -> Int:
    return Int("samples", default, low=low, high=MAX_SAMPLES)


SEED = Int("seed", 0, high=MAX_SEED)


def noise_param(default: float, high: float = 10.0) -> Float:
    return Float("noise", default, low=0.0, high=high)


@dataclass(frozen=True, eq=False)
class Dataset:
    """The samples: ``inputs`` (N,) or (N, d), ``targets`` (N,) or None (a model without
    labels), and a test set of the same shapes where the data set has one."""

    inputs: Array
    targets: Array | None
    test_inputs: Array | None = None
    test_targets: Array | None = None
    constants: dict[str, float] = field(default_factory=dict)  # the loss's own settings

    @property
    def size(self) -> int:
        return len(self.inputs)

    def take(self, idx: Array | None) -> Dataset:
        """The samples ``idx``: (B,) indices, or (r, B) for a batch per run."""
        if idx is None:
            return self
        targets = None if self.targets is None else self.targets[idx]
        return Dataset(self.inputs[idx], targets, constants=self.constants)

    def test(self) -> Dataset | None:
        if self.test_inputs is None:
            return None
        return Dataset(self.test_inputs, self.test_targets, constants=self.constants)

    def to_dict(self) -> dict[str, Any]:
        """``{"inputs", "targets"}`` (plus ``test_inputs``, ``test_targets``) as arrays."""
        out: dict[str, Any] = {"inputs": self.inputs, "targets": self.targets}
        if self.test_inputs is not None:
            out["test_inputs"] = self.test_inputs
            out["test_targets"] = self.test_targets
        return out


Comps = tuple[Array, Array]  # the two components of per-sample gradients, each (P, n)


class DataModel:
    """A model family: its parameters, how its data are drawn, and its per-sample loss.

    ``losses(data, p)`` gives (P, n) per-sample losses at points p (P, 2); ``grads`` the two
    gradient components, each (P, n); ``hessians`` the three distinct entries (xx, xy, yy),
    each (P, n). A model with sufficient statistics (least squares) also overrides
    ``moments`` and the ``*_from`` functions: the mean loss of any set of samples is then a
    function of the mean of a few per-sample numbers, so a batch costs O(1) per point.
    """

    name: str = ""
    params: tuple[Param, ...] = ()
    x_range: tuple[float, float] = (-3.0, 3.0)
    y_range: tuple[float, float] = (-3.0, 3.0)
    start: tuple[float, float] = (0.0, 0.0)
    formula: str = ""
    axes: tuple[str, str] = ("x", "y")  # the two parameters' names (the map's axes)

    def generate(self, values: dict[str, Any]) -> Dataset:  # pragma: no cover - abstract
        raise NotImplementedError

    def losses(self, data: Dataset, p: Array) -> Array:  # pragma: no cover
        raise NotImplementedError

    def grads(self, data: Dataset, p: Array) -> Comps:  # pragma: no cover
        raise NotImplementedError

    def hessians(self, data: Dataset, p: Array) -> tuple[Array, Array, Array]:  # pragma: no cover
        raise NotImplementedError

    def value_grad(self, data: Dataset, p: Array) -> tuple[Array, Array, Array]:
        """Per-sample losses and gradient components together (a model may share work)."""
        return (self.losses(data, p), *self.grads(data, p))

    def known_minima(self, surface: DataSurface) -> tuple[tuple[float, float], ...]:
        """The minima of the mean loss: by default Newton's method from a grid of starts."""
        return newton_minima(surface)

    # --- sufficient statistics (None: the model has none) ----------------------------------
    def moments(self, data: Dataset) -> tuple[Array, Array] | None:
        """(n, k) per-sample statistics whose mean over any set of samples gives that set's
        loss, centred on ``ref`` (the minimum of the whole data set's loss, so the loss near
        it is not a difference of large numbers); ``(stats, ref)`` or None."""
        return None

    def value_grad_from(self, stats: Array, ref: Array, p: Array) -> tuple[Array, Array, Array]:
        """The loss and the gradient's components from the statistics (a model may share work)."""
        return (self.value_from(stats, ref, p), *self.grad_from(stats, ref, p))

    def covariance_moments(self, data: Dataset, ref: Array) -> Array | None:
        """Moments of the data set from which ``covariance_from`` gives the covariance of the
        per-sample gradients at any point in O(1) (None: sum over the samples)."""
        return None

    def covariance_from(  # pragma: no cover
        self, m: Array, ref: Array, p: Array
    ) -> tuple[Array, Array, Array]:
        raise NotImplementedError

    # ``stats`` is indexed along its first axis (k, ...): one value per statistic, or arrays
    # that broadcast against the points' shape.
    def value_from(self, stats: Array, ref: Array, p: Array) -> Array:  # pragma: no cover
        raise NotImplementedError

    def grad_from(self, stats: Array, ref: Array, p: Array) -> Comps:  # pragma: no cover
        raise NotImplementedError

    def hessian_from(  # pragma: no cover
        self, stats: Array, ref: Array, p: Array
    ) -> tuple[Array, Array, Array]:
        raise NotImplementedError


def _flat(points: Array) -> tuple[Array, tuple[int, ...]]:
    p = np.asarray(points, dtype=float)
    return np.ascontiguousarray(p.reshape(-1, 2)), p.shape[:-1]


def _vec(gx: Array, gy: Array, shape: tuple[int, ...]) -> Array:
    out = np.empty((*shape, 2))
    out[..., 0] = np.reshape(gx, shape)
    out[..., 1] = np.reshape(gy, shape)
    return out


def _mat(hxx: Array, hxy: Array, hyy: Array, shape: tuple[int, ...]) -> Array:
    out = np.empty((*shape, 2, 2))
    out[..., 0, 0] = np.reshape(hxx, shape)
    out[..., 0, 1] = out[..., 1, 0] = np.reshape(hxy, shape)
    out[..., 1, 1] = np.reshape(hyy, shape)
    return out


def _chunked(fn: Callable[[Array], tuple[Array, ...]], p: Array, n: int, parts: int) -> list[Array]:
    """``fn`` over rows of ``p`` (P, 2) in chunks of at most CHUNK_PAIRS point-sample pairs;
    ``fn`` returns ``parts`` arrays of shape (chunk,)."""
    size = max(1, CHUNK_PAIRS // max(n, 1))
    if len(p) <= size:
        return list(fn(p))
    pieces = [fn(p[i : i + size]) for i in range(0, len(p), size)]
    return [np.concatenate([piece[k] for piece in pieces]) for k in range(parts)]


@dataclass(frozen=True, eq=False)
class DataSurface(Surface):
    """A ``Surface`` whose loss is the mean over the samples of ``dataset`` (see the module
    docstring for what it adds)."""

    spec: dict[str, Any] = field(default_factory=dict)
    model: DataModel = field(default_factory=DataModel)
    dataset: Dataset = field(default_factory=lambda: Dataset(np.zeros(0), None))
    stats: Array | None = None  # (N, k) the model's sufficient statistics, if it has them
    ref: Array | None = None  # the point they are centred on

    @property
    def samples(self) -> int:
        return self.dataset.size

    # --- the loss of a set of samples (all of them when idx is None) -----------------------
    @functools.cached_property
    def full_stats(self) -> Array:
        assert self.stats is not None
        return self.stats.mean(axis=0)

    def _subset_stats(self, idx: Array | None) -> Array:
        assert self.stats is not None
        return self.full_stats if idx is None else self.stats[idx].mean(axis=0)

    def batch_value(self, points: Array, idx: Array | None = None) -> Array:
        p, shape = _flat(points)
        if self.stats is not None:
            return np.reshape(self.model.value_from(self._subset_stats(idx), self.ref, p), shape)
        data = self.dataset.take(idx)
        (v,) = _chunked(lambda q: (self.model.losses(data, q).mean(axis=-1),), p, data.size, 1)
        return np.reshape(v, shape)

    def batch_grad(self, points: Array, idx: Array | None = None) -> Array:
        p, shape = _flat(points)
        if self.stats is not None:
            return _vec(*self.model.grad_from(self._subset_stats(idx), self.ref, p), shape)
        data = self.dataset.take(idx)

        def mean_grad(q: Array) -> tuple[Array, Array]:
            gx, gy = self.model.grads(data, q)
            return gx.mean(axis=-1), gy.mean(axis=-1)

        return _vec(*_chunked(mean_grad, p, data.size, 2), shape)

    def batch_hessian(self, points: Array, idx: Array | None = None) -> Array:
        p, shape = _flat(points)
        if self.stats is not None:
            return _mat(*self.model.hessian_from(self._subset_stats(idx), self.ref, p), shape)
        data = self.dataset.take(idx)

        def mean_hess(q: Array) -> tuple[Array, Array, Array]:
            return tuple(h.mean(axis=-1) for h in self.model.hessians(data, q))  # type: ignore[return-value]

        return _mat(*_chunked(mean_hess, p, data.size, 3), shape)

    def value_and_grad(self, points: Array) -> tuple[Array, Array, Array]:
        """The mean loss over all samples and its gradient's two components (each shaped like
        ``points[..., 0]``), in one pass over the samples."""
        p, shape = _flat(points)
        if self.stats is not None:
            parts = self.model.value_grad_from(self.full_stats, self.ref, p)
        else:

            def both(q: Array) -> tuple[Array, Array, Array]:
                v, gx, gy = self.model.value_grad(self.dataset, q)
                return v.mean(axis=-1), gx.mean(axis=-1), gy.mean(axis=-1)

            parts = tuple(_chunked(both, p, self.samples, 3))
        v, gx, gy = (np.reshape(a, shape) for a in parts)
        return v, gx, gy

    def test_value(self, points: Array) -> Array | None:
        """The mean loss over the test set, or None when the data set has none."""
        test = self.dataset.test()
        if test is None:
            return None
        p, shape = _flat(points)
        (v,) = _chunked(lambda q: (self.model.losses(test, q).mean(axis=-1),), p, test.size, 1)
        return np.reshape(v, shape)

    # --- per-sample gradients ----------------------------------------------------------------
    def sample_grads(self, points: Array, idx: Array | None = None) -> Array:
        """Every sample's gradient at every point: (..., n, 2)."""
        p, shape = _flat(points)
        data = self.dataset.take(idx)
        gx, gy = self.model.grads(data, p)
        out = np.empty((*shape, data.size, 2))
        out[..., 0] = gx.reshape(*shape, data.size)
        out[..., 1] = gy.reshape(*shape, data.size)
        return out

    @functools.cached_property
    def cov_moments(self) -> Array | None:
        return None if self.ref is None else self.model.covariance_moments(self.dataset, self.ref)

    def grad_covariance(self, points: Array) -> Array:
        """(m, 2, 2): the covariance of one sample's gradient at each point (m, 2), over the
        whole data set (the population covariance, divided by N)."""
        p, _ = _flat(points)
        if self.cov_moments is not None:
            return _mat(*self.model.covariance_from(self.cov_moments, self.ref, p), (len(p),))

        def cov(q: Array) -> tuple[Array, Array, Array]:
            gx, gy = self.model.grads(self.dataset, q)
            dx = gx - gx.mean(axis=-1, keepdims=True)
            dy = gy - gy.mean(axis=-1, keepdims=True)
            return (dx * dx).mean(axis=-1), (dx * dy).mean(axis=-1), (dy * dy).mean(axis=-1)

        return _mat(*_chunked(cov, p, self.samples, 3), (len(p),))

    def batch_gradients(self, batches: Array, row_set: Array | None = None) -> BatchGradients:
        """The gradient of each step's batch: ``batches`` (steps, B) sample indices, or
        (steps, k, B) for k settings of one size with ``row_set`` the setting of each run."""
        if batches.ndim == 2:
            batches = batches[:, None, :]
        return BatchGradients(self, batches, row_set)

    def to_data(self) -> dict[str, Any]:
        return self.dataset.to_dict()


class BatchGradients:
    """The gradients of batches of one size B for r runs: ``batches`` (steps, k, B) holds the
    batches of k batch settings, ``row_set`` (r,) the setting of each run (None: one setting).

    ``grad(t, points)`` is each run's batch gradient at step t, points (r, 2); ``losses(points)``
    each batch's loss at the point it was used at, (steps, r) from points (steps, r, 2).

    For a model with sufficient statistics the mean statistics of every batch are computed
    once for all steps and shared by the runs of a setting (steps x B work, then O(1) per run
    and step, and the batch losses in one vectorised pass); otherwise each step evaluates every
    run's B samples in one call (samples gathered per run where the settings differ) and keeps
    the batch losses it computes on the way.
    """

    def __init__(self, surface: DataSurface, batches: Array, row_set: Array | None = None) -> None:
        self.surface = surface
        self.batches = batches
        self.row_set = None if batches.shape[1] == 1 else row_set
        self.per_step = None if surface.stats is None else _batch_means(surface.stats, batches)
        self.kept: Array | None = None  # (steps, r) batch losses seen by grad (no statistics)

    def _per_run(self, a: Array) -> Array:
        """One step's (k, ...) values per setting as (r, ...) per run, or (...) for one setting."""
        return a[0] if self.row_set is None else a[self.row_set]

    def grad(self, t: int, points: Array) -> Array:
        model, ref = self.surface.model, self.surface.ref
        if self.per_step is not None:
            stats = self._per_run(self.per_step[t])  # (k,) or (r, k)
            return _vec(*model.grad_from(stats.T, ref, points), (len(points),))
        data = self.surface.dataset.take(self._per_run(self.batches[t]))
        loss, gx, gy = model.value_grad(data, points)
        if self.kept is None:
            self.kept = np.full((len(self.batches), len(points)), np.nan)
        self.kept[t] = loss.mean(axis=-1)
        return _vec(gx.mean(axis=-1), gy.mean(axis=-1), (len(points),))

    def losses(self, points: Array) -> Array:
        steps = len(points)
        if self.per_step is not None:
            stats = self.per_step[:steps]  # (steps, k, n_stats)
            per_run = stats[:, :1] if self.row_set is None else stats[:, self.row_set]
            return self.surface.model.value_from(np.moveaxis(per_run, -1, 0), self.surface.ref, points)
        if self.kept is None:  # no step was taken
            return np.full((steps, points.shape[1]), np.nan)
        return self.kept[:steps]


def _batch_means(stats: Array, batches: Array) -> Array:
    """(steps, k, n_stats): the mean statistics of each batch, gathered in chunks of steps."""
    steps, k, b = batches.shape
    out = np.empty((steps, k, stats.shape[1]))
    size = max(1, CHUNK_PAIRS // max(k * b * stats.shape[1], 1))
    for i in range(0, steps, size):
        out[i : i + size] = stats[batches[i : i + size]].mean(axis=-2)
    return out


# --- minima ---------------------------------------------------------------------------------
NEWTON_GRID = 7  # starts per axis over the plot range
NEWTON_STEPS = 200
GRAD_TOL = 1e-10  # of the typical gradient: a point this flat is stationary to rounding
NEWTON_TOL = 1e-9  # of the plot's diagonal: a Newton step this short is rounding


def newton_minima(surface: Surface) -> tuple[tuple[float, float], ...]:
    """Minima of ``surface`` found by damped Newton (Levenberg-Marquardt) from a grid of starts
    over (and a little beyond) its plot range, all starts at once. A start that converges to a
    point with a positive definite Hessian is a minimum; points within 1e-6 of the plot's
    diagonal are one. A surface without a finite minimum (separable data) gives ()."""
    (x0, x1), (y0, y1) = surface.x_range, surface.y_range
    xs, ys = np.linspace(x0, x1, NEWTON_GRID), np.linspace(y0, y1, NEWTON_GRID)
    p = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    with np.errstate(all="ignore"):
        scale = float(np.median(np.linalg.norm(surface.grad(p), axis=-1))) or 1.0
        p = _levenberg_marquardt(surface, p, GRAD_TOL * scale)
        h = surface.hessian(p)
        eig = np.linalg.eigvalsh(h)
        newton = np.linalg.norm(_solve2(h, surface.grad(p)), axis=-1)
    diag = float(np.hypot(x1 - x0, y1 - y0))
    # At a minimum the Newton step is rounding; where the loss only flattens out (separable
    # data: gradient and curvature fade together like e^-|theta|) it stays of order 1.
    ok = np.isfinite(newton) & (newton <= NEWTON_TOL * diag) & (eig[:, 0] > 0)
    found: list[Array] = []
    for q in p[ok]:
        if all(np.linalg.norm(q - f) > 1e-6 * diag for f in found):
            found.append(q)
    found.sort(key=lambda q: float(surface.value(q)))
    return tuple((float(q[0]), float(q[1])) for q in found)


def _solve2(h: Array, g: Array) -> Array:
    """h^-1 g for 2 x 2 matrices in closed form (inf or NaN where h is singular, no error)."""
    det = h[:, 0, 0] * h[:, 1, 1] - h[:, 0, 1] * h[:, 1, 0]
    x = (h[:, 1, 1] * g[:, 0] - h[:, 0, 1] * g[:, 1]) / det
    y = (h[:, 0, 0] * g[:, 1] - h[:, 1, 0] * g[:, 0]) / det
    return np.stack([x, y], axis=-1)


def _levenberg_marquardt(surface: Surface, p: Array, tol: float) -> Array:
    """Steps (H + mu |H| I) d = -g, mu per start: halved after a step that lowers the loss,
    multiplied by 4 (and the step refused) otherwise; until every start is stationary
    (gradient <= tol) or stuck (mu at its ceiling: a step of any size raises the loss)."""
    mu = np.full(len(p), 1e-3)
    loss = surface.value(p)
    eye = np.eye(2)
    for _ in range(NEWTON_STEPS):
        g = surface.grad(p)
        live = ~(np.hypot(g[:, 0], g[:, 1]) <= tol) & (mu < 1e12)
        if not live.any():
            break
        h = surface.hessian(p)
        scale = np.abs(h).max(axis=(1, 2)) + 1e-12
        d = -_solve2(h + (mu * scale)[:, None, None] * eye, g)
        trial = p + np.where(live[:, None], d, 0.0)
        new = surface.value(trial)
        better = live & np.isfinite(new) & (new <= loss)
        p = np.where(better[:, None], trial, p)
        loss = np.where(better, new, loss)
        mu = np.where(better, np.maximum(mu / 2, 1e-12), np.where(live, mu * 4, mu))
    return p


# --- building ---------------------------------------------------------------------------------
def _range_with(lo_hi: tuple[float, float], values: list[float]) -> tuple[float, float]:
    """``lo_hi`` grown to hold ``values`` with a margin of 10 % of the range."""
    lo, hi = lo_hi
    if not values:
        return lo_hi
    margin = 0.1 * (hi - lo)
    return (min(lo, min(values) - margin), max(hi, max(values) + margin))


def build(model: DataModel, values: dict[str, Any]) -> DataSurface:
    """The surface of ``model`` on the data ``values`` describes (every parameter given): the
    model's plot range, grown where a computed minimum lies outside it."""
    data = model.generate(values)
    moments = model.moments(data)
    holder: dict[str, DataSurface] = {}
    # The Surface's value / grad / hessian are the surface's own mean-over-all-samples
    # methods; the closures find the surface through ``holder`` once it exists.
    surface = DataSurface(
        name=model.name,
        value=lambda p: holder["s"].batch_value(p),
        grad=lambda p: holder["s"].batch_grad(p),
        hessian=lambda p: holder["s"].batch_hessian(p),
        x_range=model.x_range,
        y_range=model.y_range,
        start=model.start,
        title=both(f"surface.{model.name}.title"),
        description=both(f"surface.{model.name}.description"),
        formula=model.formula,
        axes=model.axes,
        spec={"data": model.name, **values},
        model=model,
        dataset=data,
        stats=None if moments is None else moments[0],
        ref=None if moments is None else moments[1],
    )
    holder["s"] = surface
    minima = model.known_minima(surface)
    holder["s"] = replace(
        surface,
        x_range=_range_with(model.x_range, [m[0] for m in minima]),
        y_range=_range_with(model.y_range, [m[1] for m in minima]),
        minima=minima,
    )
    return holder["s"]


def normalized(spec: dict[str, Any]) -> dict[str, Any]:
    """``{"data": name, <every parameter>}`` with the defaults filled in (not validated)."""
    from surfaces.data_models import DATASETS

    model = DATASETS[spec["data"]]
    return {"data": model.name, **{p.name: spec.get(p.name, p.default) for p in model.params}}


@lru_cache(maxsize=16)
def _cached(spec_json: str) -> DataSurface:
    from surfaces.data_models import DATASETS

    spec = json.loads(spec_json)
    model = DATASETS[spec.pop("data")]
    return build(model, spec)


def make_data_surface(spec: dict[str, Any]) -> DataSurface:
    """The surface of a validated data-set spec (cached: a data set is drawn once)."""
    return _cached(json.dumps(normalized(spec), sort_keys=True))


def describe() -> list[dict[str, Any]]:
    """Every data set with its parameters (default and what is allowed), for ``cli.py list``."""
    from surfaces.data_models import DATASETS

    return [
        {
            "name": m.name,
            "title": both(f"surface.{m.name}.title")["en"],
            "description": both(f"surface.{m.name}.description")["en"],
            "params": {p.name: {"default": p.default, "allowed": p.allowed()} for p in m.params},
        }
        for m in DATASETS.values()
    ]
