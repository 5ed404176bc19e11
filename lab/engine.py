"""Batched simulation: every run of a scenario steps together, one NumPy batch per optimizer.

``simulate`` is a chain of named steps: group the runs by optimizer (each :class:`Group` a
contiguous block of rows of the batch), the learning-rate columns, the step loop, cut each
run, judge, pack. The only Python loop is over steps: each step evaluates the gradient of
all runs at once, then each group updates its rows. Loss and gradient norm are computed
afterwards over the whole trajectory at once. A run is cut at its first invalid point, with
its real cause (``lab.cut``: a non-finite point, effective lr or optimizer state, a coordinate
beyond 1e6, a surface not finite there); with a work limit the loop stops at its deadline
(``lab.budget``).

Two index spaces meet here: a run's index in the scenario (``Group.runs``) and its row in
the batch (``Group.rows``); only ``pack`` maps rows back to the scenario's order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from lab.batches import (
    BatchColumn,
    BatchSet,
    Gradients,
    batch_sets,
    noise_of_row,
    noise_partition,
    steps_per_epoch,
)
from lab.budget import Deadline, check_budget
from lab.cut import CHECK_EVERY, Cause, Replay, Snapshots, find_cuts
from lab.diagnostics import verdicts
from lab.scenario import MAX_COORD, Scenario, ScenarioError, parse_scenario
from lab.verdicts import Verdicts, gather
from optimizers import OPTIMIZERS, Optimizer, resolved_params
from optimizers.schedules import lr_sequence
from surfaces.base import Surface

Array = np.ndarray


@dataclass
class RunResult:
    """One run. ``trajectory``, ``loss``, ``grad_norm`` hold every point (start first); ``lr``,
    ``effective_lr``, ``noise`` every step; ``state`` (when recorded) the optimizer's state
    after every step. Arrays are views into the batch (read them, do not write them)."""

    label: str
    optimizer: str
    params: dict[str, Any]
    schedule: dict[str, Any] | None
    trajectory: Array  # (k+1, 2)
    loss: Array  # (k+1,)
    grad_norm: Array  # (k+1,)
    lr: Array  # (k,)
    effective_lr: Array  # (k, 2)
    # The run's verdict (``verdict``, below): row j of the batch's verdicts, whose cards are
    # written when first read (``lab.verdicts.lazy``).
    judged: tuple[Verdicts, int] = field(repr=False)
    surface: Surface | None = field(default=None, repr=False)
    state: dict[str, Array] = field(default_factory=dict)  # name -> (k, 2) or (k, 1)
    # On a data set (lab.batches): the batch setting ({"size", "seed"}, None: all the data),
    # the (k, B) sample indices of each step (None: all the data) and the updates per epoch.
    batch: dict[str, int] | None = None
    batches: Array | None = None
    steps_per_epoch: int | None = None
    # Arrays computed on first use, by name ("noise", "batch_loss", "test_loss"): most
    # consumers of a large batch of runs never read them (see the properties below).
    series: dict[str, Callable[[], Array | None]] = field(default_factory=dict, repr=False)
    _cache: dict[str, Array | None] = field(default_factory=dict, repr=False)

    def memo(self, name: str, make: Callable[[], Any]) -> Any:
        """A value derived from the run's arrays, computed once (``lab.moments``)."""
        if name not in self._cache:
            self._cache[name] = make()
        return self._cache[name]

    def _series(self, name: str) -> Array | None:
        if name not in self._cache:
            fn = self.series.get(name)
            self._cache[name] = None if fn is None else fn()
        return self._cache[name]

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (or deep-copied) with its series computed: plain arrays only, whatever the
        thunks referred to (a surface's closures cannot be pickled; the app's cache pickles)."""
        state = dict(self.__dict__)
        state["_cache"] = {**self._cache, **{name: self._series(name) for name in self.series}}
        state["series"] = {}
        return state

    @property
    def noise(self) -> Array | None:
        """(k, 2): the gradient used at each step minus the exact one (None: exact)."""
        return self._series("noise")

    @property
    def batch_loss(self) -> Array | None:
        """(k,): on a data set, the loss of the batch used at each step, where it was used."""
        return self._series("batch_loss")

    @property
    def test_loss(self) -> Array | None:
        """(k+1,): the test set's loss at every point, where the data set has one."""
        return self._series("test_loss")

    @property
    def gradient(self) -> Array:
        """The exact (noise-free) gradient at every point, (k+1, 2), computed on demand."""
        with np.errstate(all="ignore"):
            return np.asarray(self.surface.grad(self.trajectory))  # type: ignore[union-attr]

    @property
    def verdict(self) -> dict[str, Any]:
        """What happened to the run (``lab.verdicts``): kind, step, numbers, sentences."""
        verdicts, j = self.judged
        return verdicts[j]

    @property
    def kind(self) -> str:
        """The verdict's kind, known without writing its card."""
        verdicts, j = self.judged
        return verdicts.kinds[j]

    @property
    def steps_run(self) -> int:
        return len(self.trajectory) - 1

    @property
    def epochs(self) -> Array | None:
        """The epochs of data seen at every point (k+1,), on a data set."""
        if self.steps_per_epoch is None:
            return None
        return np.arange(len(self.trajectory)) / self.steps_per_epoch

    def to_dict(self) -> dict[str, Any]:
        out = {
            "label": self.label,
            "optimizer": self.optimizer,
            "trajectory": self.trajectory.tolist(),
            "loss": self.loss.tolist(),
            "grad_norm": self.grad_norm.tolist(),
            "lr": self.lr.tolist(),
            "effective_lr": self.effective_lr.tolist(),
            "verdict": self.verdict,
        }
        if self.steps_per_epoch is not None:  # a data set: its batches (None: all the data)
            out["batch"] = self.batch
            out["steps_per_epoch"] = self.steps_per_epoch
            out["batch_loss"] = None if self.batch_loss is None else self.batch_loss.tolist()
            out["batches"] = None if self.batches is None else self.batches.tolist()
            if self.test_loss is not None:
                out["test_loss"] = self.test_loss.tolist()
        return out


@dataclass
class Result:
    scenario: Scenario
    surface: Surface
    runs: list[RunResult]
    # On a data set: {"inputs", "targets"} (and "test_inputs", "test_targets") as arrays.
    data: dict[str, Array | None] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"runs": [r.to_dict() for r in self.runs]}
        if self.data is not None:
            out["data"] = {k: None if v is None else v.tolist() for k, v in self.data.items()}
        return out


def simulate(
    scenario: Scenario | dict[str, Any] | str,
    record_state: bool = False,
    budget: float | None = None,
) -> Result:
    """Run every optimizer of ``scenario`` and judge each run.

    ``record_state`` also keeps each optimizer's state (m, v, sigma, ...) after every step,
    for showing the numbers of one step; it costs memory, so it is off by default.
    ``budget`` (seconds of CPU): a scenario whose estimated work exceeds it is refused before
    it runs, and the loop stops at a hard deadline beyond it (``lab.budget``: ``BudgetError``
    and ``WorkLimitError``, both ValueErrors); None (the default) runs whatever it costs.
    """
    sc = parse_scenario(scenario)
    surface = sc.build_surface()
    start = _valid_start(sc, surface)
    deadline = None
    if budget is not None:
        estimated = check_budget(sc, surface, budget, record_state)
        deadline = Deadline.after(estimated, sc.steps, budget)
    groups = group_runs(sc)
    rates = lr_columns(sc, groups)
    rows = _row_of_run(groups)
    stds = row_noise(sc, rows)
    noise = gradient_noise(sc, stds)
    sets = batch_sets(sc, surface, rows)
    grads = Gradients(surface, sets, noise, len(rates.base), sc.steps)
    paths = step_all(surface, start, groups, rates, grads, sc.steps, record_state, deadline)
    seen = grads.finish(paths.traj)
    cuts = cut_runs(Replay(sc, surface, rates, noise, grads.used), groups, paths)
    judged = judge(surface, groups, paths, stds, cuts, sets)
    runs = pack(sc, surface, groups, paths, cuts, rates, noise, judged, seen)
    data = surface.to_data() if hasattr(surface, "to_data") else None
    return Result(sc, surface, runs, data)


def final_points(scenario: Scenario | dict[str, Any] | str, budget: float | None = None) -> Array:
    """Where every run of ``scenario`` ends, (m, 2); NaN for a run that left the bounds.
    The step loop alone, without the losses, the verdicts and the series (``lab.seeds``: the
    same run over many batch seeds). ``budget``: seconds of CPU after which the loop stops
    (``WorkLimitError``); no estimate first, since the work of batch runs is that of their
    batches, not of the whole data set the estimate assumes."""
    sc = parse_scenario(scenario)
    surface = sc.build_surface()
    start = _valid_start(sc, surface)
    deadline = None if budget is None else Deadline(budget, sc.steps)
    groups = group_runs(sc)
    rates = lr_columns(sc, groups)
    rows = _row_of_run(groups)
    noise = gradient_noise(sc, row_noise(sc, rows))
    grads = Gradients(surface, batch_sets(sc, surface, rows), noise, len(rates.base), sc.steps)
    traj = step_all(surface, start, groups, rates, grads, sc.steps, False, deadline, with_loss=False).traj
    end = traj[-1, rows]
    with np.errstate(invalid="ignore"):
        out = ~np.all(np.abs(end) <= MAX_COORD, axis=-1)
    end[out] = np.nan
    return end


def _row_of_run(groups: list[Group]) -> list[int]:
    """The batch row of each run, in the scenario's order."""
    rows = {i: grp.rows.start + r for grp in groups for r, i in enumerate(grp.runs)}
    return [rows[i] for i in range(len(rows))]


# --- what the steps hand on -----------------------------------------------------------------
@dataclass(slots=True)
class Group:
    """The runs of one optimizer: contiguous rows of the batch, stepped together."""

    opt: Optimizer
    rows: slice  # its rows in the batch
    runs: list[int]  # the scenario's index of each row, in row order
    hyper: Any  # the family's hyperparameter NamedTuple
    l2: list[float]  # each run's L2 weight decay (what the judge adds to the loss)
    lr: list[float] | None = None  # the lr of every step, when all its runs share it
    state: Any = None  # the optimizer's state NamedTuple, advanced by the step loop
    recorded: dict[str, Array] = field(default_factory=dict)  # the state after every step


@dataclass(frozen=True)
class Rates:
    """Every row's learning rate: its base lr (n, 1), and a (steps, n, 1) table when some
    run has a schedule."""

    base: Array
    table: Array | None

    def of_row(self, j: int, k: int) -> Array:
        """The lr row ``j`` used at each of its first ``k`` steps."""
        if self.table is None:
            return np.broadcast_to(self.base[j, 0], (k,))
        return self.table[:k, j, 0]


@dataclass(frozen=True)
class Paths:
    """Every row at every point: (steps+1, n, 2) points, (steps+1, n) loss and gradient
    norm, (steps, n, 2) effective lr; NaN past the step where the loop stopped."""

    traj: Array
    loss: Array
    gnorm: Array
    eff: Array
    snaps: Snapshots = field(default_factory=Snapshots)  # each group's state now and then


@dataclass(frozen=True)
class Cuts:
    """Where each row stops: its first invalid point (``steps + 1`` for none), and why."""

    at: Array  # (n,) int
    causes: list[Cause | None]  # None: not cut


# --- the steps ------------------------------------------------------------------------------
def _valid_start(sc: Scenario, surface: Surface) -> Array:
    start = np.asarray(sc.start, dtype=float)
    with np.errstate(all="ignore"):
        g_start = surface.grad(start)
        ok = np.isfinite(surface.value(start)) and np.isfinite(np.hypot(*g_start))
    if not ok:
        raise ScenarioError(
            f"start = {list(sc.start)} is invalid; allowed: a point where the surface and its "
            "gradient are finite"
        )
    return start


def group_runs(sc: Scenario) -> list[Group]:
    """One group per optimizer, in the order the optimizers first appear."""
    groups: list[Group] = []
    pos = 0
    for name in dict.fromkeys(r.optimizer for r in sc.runs):
        runs = [i for i, r in enumerate(sc.runs) if r.optimizer == name]
        opt = OPTIMIZERS[name]
        resolved = [resolved_params(opt, sc.runs[i].params) for i in runs]
        l2 = [opt.l2_decay(p) for p in resolved]
        groups.append(Group(opt, slice(pos, pos + len(runs)), runs, opt.hyper(resolved), l2))
        pos += len(runs)
    return groups


def lr_columns(sc: Scenario, groups: list[Group]) -> Rates:
    """Every row's learning rate at every step. A group whose runs share it at every step
    also gets it as plain floats (``Group.lr``): the same arithmetic, fewer array operations."""
    order = [i for grp in groups for i in grp.runs]
    base = np.array([[float(sc.runs[i].params["lr"])] for i in order])
    table = None
    if any(r.schedule is not None for r in sc.runs):
        table = np.repeat(base[None], sc.steps, axis=0)
        for j, i in enumerate(order):
            sched = sc.runs[i].schedule
            if sched is not None:
                table[:, j, 0] = lr_sequence(sched["name"], base[j, 0], sched["params"], sc.steps)
    for grp in groups:
        col = base[grp.rows, 0] if table is None else table[:, grp.rows, 0]
        if np.all(col == col[..., :1]):
            grp.lr = [float(col[0])] * sc.steps if table is None else col[:, 0].tolist()
    return Rates(base, table)


def row_noise(sc: Scenario, rows: list[int]) -> Array:
    """Each batch row's noise std (n,), from the run at each row (``rows[i]``: run i's row)."""
    stds = np.empty(len(rows))
    for i, row in enumerate(rows):
        stds[row] = sc.run_noise(i)
    return stds


def gradient_noise(sc: Scenario, stds: Array | None = None) -> Array | None:
    """The noise added to the gradient at each step: the same draws for every run (common
    random numbers: runs differ by their optimizers, not by their luck), each row's scaled by
    its own std (``stds``, (n,); None: the scenario's for every row). (steps, 2) when every row
    has the same std, else (steps, n, 2); None when no row has noise."""
    stds = np.full(1, float(sc.noise["std"])) if stds is None else np.asarray(stds, dtype=float)
    if not np.any(stds > 0):
        return None
    z = np.random.default_rng(sc.noise["seed"]).standard_normal((sc.steps, 2))
    if np.all(stds == stds[0]):
        return z * stds[0]
    return z[:, None, :] * stds[None, :, None]


def step_all(
    surface: Surface,
    start: Array,
    groups: list[Group],
    rates: Rates,
    grads: Gradients,
    steps: int,
    record: bool,
    deadline: Deadline | None = None,
    with_loss: bool = True,
) -> Paths:
    """The step loop, every row from ``start``; it stops early once every row has diverged.
    Every ``CHECK_EVERY`` steps it keeps each group's state (the cut step's snapshots) and
    checks the deadline (``WorkLimitError`` past it). ``grads`` gives each row's gradient (its
    batch's, on a data set) with the noise. ``with_loss=False``: the paths alone (the loss
    and the gradient norms are left unset; ``final_points``)."""
    n = len(rates.base)
    traj = np.empty((steps + 1, n, 2))
    gnorm = np.empty((steps + 1, n))
    eff = np.empty((steps, n, 2))
    traj[0] = start
    init_states(groups, traj[0])
    base, table = rates.base, rates.table
    snaps = Snapshots()
    snaps.take(groups, 0)
    last = steps
    with np.errstate(all="ignore"):
        for t in range(steps):
            theta = traj[t]
            g = grads.exact(t, theta)
            grads.norm(g, gnorm[t])  # of the rows on batches: the data set's, in grads.loss
            g = grads.noisy(t, g)
            lr_t = base if table is None else table[t]
            update_rows(groups, theta, g, lr_t, t, traj[t + 1], eff[t])
            if record:
                for grp in groups:
                    _record(grp.recorded, grp.state, t, steps)
            if t % CHECK_EVERY == CHECK_EVERY - 1:
                snaps.take(groups, t + 1)
                if deadline is not None:
                    deadline.check(t + 1)
                if not np.any(np.abs(traj[t + 1]) <= MAX_COORD):
                    last = t + 1  # every run has diverged: nothing left to compute
                    break
        snaps.take(groups, last)
        traj[last + 1 :] = np.nan
        if not with_loss:
            return Paths(traj, gnorm, gnorm, eff, snaps)
        gnorm[last + 1 :] = np.nan
        g_last = surface.grad(traj[last])
        gnorm[last] = np.hypot(g_last[:, 0], g_last[:, 1])
        loss = grads.loss(traj, gnorm)  # on batches: with the whole data set's gradient norm
    return Paths(traj, loss, gnorm, eff, snaps)


def init_states(groups: list[Group], theta: Array) -> None:
    """Each group's optimizer state at the start ``theta`` (n, 2)."""
    for grp in groups:
        grp.state = grp.opt.init(theta[grp.rows], grp.hyper)


def step_rows(
    surface: Surface,
    groups: list[Group],
    theta: Array,
    lr_t: Array,
    noise: Array | None,
    t: int,
    out: Array,
    eff: Array | None = None,
) -> Array:
    """Step ``t`` of every row from ``theta`` (n, 2): the next points go into ``out``, the
    effective lr into ``eff`` (when given), each group's state is advanced; returns the
    gradient norm at ``theta``. The engine's one step: ``step_all`` stores what it gives,
    a sweep (``lab.sweep``) keeps only a summary of it."""
    g = surface.grad(theta)
    gnorm = np.hypot(g[:, 0], g[:, 1])
    if noise is not None:
        g = g + noise[t]
    update_rows(groups, theta, g, lr_t, t, out, eff)
    return gnorm


def update_rows(
    groups: list[Group], theta: Array, g: Array, lr_t: Array, t: int, out: Array, eff: Array | None
) -> None:
    """The optimizers' update at step ``t`` from ``theta`` with the gradients ``g`` (n, 2):
    the next points into ``out``, the effective lr into ``eff`` (when given)."""
    for grp in groups:
        rows = grp.rows
        lr = lr_t[rows] if grp.lr is None else grp.lr[t]
        o = grp.opt.step(theta[rows], g[rows], grp.state, lr, t + 1, grp.hyper)
        out[rows] = o.theta
        if eff is not None:
            eff[rows] = o.effective_lr
        grp.state = o.state


def _record(store: dict[str, Array], state: Any, t: int, steps: int) -> None:
    for name, arr in zip(state._fields, state, strict=True):
        if name not in store:
            store[name] = np.full((steps, *arr.shape), np.nan)
        store[name][t] = arr


def cut_runs(replay: Replay, groups: list[Group], paths: Paths) -> Cuts:
    """Each row's first invalid point and its cause (``lab.cut``). From that point on the
    row's points are NaN, so the verdicts cut it at the same point."""
    causes = find_cuts(replay, groups, paths.traj, paths.loss, paths.gnorm, paths.eff, paths.snaps)
    n_points = len(paths.traj)
    at = np.array([n_points if c is None else c.at for c in causes], dtype=int)
    for j in np.flatnonzero(at < n_points).tolist():
        for arr in (paths.traj, paths.loss, paths.gnorm):
            arr[at[j] :, j] = np.nan
    return Cuts(at, causes)


def judge(
    surface: Surface,
    groups: list[Group],
    paths: Paths,
    noise_std: float | Array,
    cuts: Cuts | None = None,
    sets: list[BatchSet] | None = None,
) -> Verdicts:
    """Each row's verdict, all rows in one batch: a row ``cut_runs`` cut is ``diverged`` at
    its first invalid point, with the cause found there. ``noise_std``: the emulated noise's
    std, one for all rows or each row's (n,). Rows on mini-batches, or with a noise of their
    own, are judged with their noise as the noise floor, one noise setting at a time (a
    verdict depends on its own row only)."""
    l2 = np.array([d for grp in groups for d in grp.l2])
    causes = None if cuts is None else [None if c is None else c.to_dict() for c in cuts.causes]
    stds = np.broadcast_to(np.asarray(noise_std, dtype=float), l2.shape)
    if not sets and (not len(stds) or np.all(stds == stds[0])):
        std = float(stds[0]) if len(stds) else 0.0
        return verdicts(surface, paths.traj, paths.loss, paths.gnorm, l2, std, causes)
    parts = []
    for rows, noise in noise_partition(surface, sets or [], stds):
        index = range(rows.start, rows.stop) if isinstance(rows, slice) else rows.tolist()
        part = verdicts(
            surface,
            paths.traj[:, rows],
            paths.loss[:, rows],
            paths.gnorm[:, rows],
            l2[rows],
            noise,
            None if causes is None else [causes[j] for j in index],
        )
        parts.append((index, part))
    return gather(len(l2), parts)


def pack(
    sc: Scenario,
    surface: Surface,
    groups: list[Group],
    paths: Paths,
    cuts: Cuts,
    rates: Rates,
    noise: Array | None,
    judged: Verdicts,
    seen: dict[int, BatchColumn] | None = None,
) -> list[RunResult]:
    """One RunResult per run, in the scenario's order; arrays are views into the batch."""
    runs: list[RunResult] = [None] * len(sc.runs)  # type: ignore[list-item]
    samples = getattr(surface, "samples", None)
    for grp in groups:
        for r, i in enumerate(grp.runs):
            j = grp.rows.start + r
            k = int(cuts.at[j]) - 1  # the steps this run took
            spec = sc.runs[i]
            run = RunResult(
                label=spec.label,
                optimizer=spec.optimizer,
                params=spec.params,
                schedule=spec.schedule,
                trajectory=paths.traj[: k + 1, j],
                loss=paths.loss[: k + 1, j],
                grad_norm=paths.gnorm[: k + 1, j],
                lr=rates.of_row(j, k),
                effective_lr=paths.eff[:k, j],
                judged=(judged, j),
                surface=surface,
                state={name: arr[:k, r] for name, arr in grp.recorded.items()},
                series=_noise_series(noise, j, k),
            )
            if samples is not None:
                _with_batches(run, sc.run_batch(i), samples, (seen or {}).get(j), k)
            runs[i] = run
    return runs


def _noise_series(noise: Array | None, j: int, k: int) -> dict[str, Any]:
    """Row ``j``'s noise over its ``k`` steps, on demand; none when it steps without noise."""
    if noise is None or (noise.ndim == 3 and not noise[:, j].any()):
        return {}
    return {"noise": partial(noise_of_row, noise, slice(0, k), j)}


def _head(a: Array, k: int) -> Array:
    return a[:k]


def _with_batches(
    run: RunResult, batch: dict[str, int] | None, samples: int, seen: BatchColumn | None, k: int
) -> None:
    """A data-set run's batch fields (``lab.batches``): on the whole data set its batch loss
    is its loss."""
    run.batch = batch
    run.steps_per_epoch = steps_per_epoch(samples, None if batch is None else batch["size"])
    run.series["test_loss"] = partial(_test_loss, run)
    if seen is None:
        run.series["batch_loss"] = partial(_head, run.loss, k)
        return
    run.batches = seen.batches[:k]
    run.series["batch_loss"] = partial(seen.get, "batch_loss", k)
    run.series["noise"] = partial(seen.get, "noise", k)


def _test_loss(run: RunResult) -> Array | None:
    with np.errstate(all="ignore"):
        return run.surface.test_value(run.trajectory)  # type: ignore[union-attr]
