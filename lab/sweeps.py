"""Maps: one run of a scenario over a grid of two of its parameters, every cell one run.

``sweep(scenario) -> SweepResult`` reads the scenario's ``sweep`` key (``lab.sweep_spec``),
makes one run per cell (the swept run with the cell's values), steps them all in one batch
through the engine's own step and keeps per cell only what its verdict needs
(``lab.sweep_steps``), then judges every cell by the verdict's rules (``lab.sweep_judge``).
A cell's start must be a point where the surface is finite; a cell whose start is not is not
run (its kind is None).

    from lab import sweep
    res = sweep(scenario, progress=lambda f: print(f"{f:.0%}"))
    res.kind[i][j]         # the verdict kind of the cell at y[i], x[j] (None: not run)
    res.to_dict()          # {"x", "y", "kind", "final_loss", "final_point", "steps_run", "rate"}
    res.cell_scenario(i, j)  # that cell as a scenario of its own (lab.simulate gives its run)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lab.engine import Group, gradient_noise
from lab.scenario import RunSpec, Scenario, ScenarioError, parse_scenario
from lab.sweep_judge import Judged, judge_cells
from lab.sweep_spec import Axis, axes_of, put
from lab.sweep_steps import CellRates, Progress, step_cells, widen
from lab.verdicts import KINDS
from optimizers import OPTIMIZERS
from optimizers.base import Switch
from optimizers.schedules import lr_sequence
from surfaces.base import Surface

Array = np.ndarray


@dataclass
class Plan:
    """The cells: the swept run, its axes and values, each axis's value in every cell (rows
    follow y, columns x: cell i * nx + j), every cell's start, and which cells can run (their
    start is a point where the surface is finite)."""

    run: RunSpec
    x: Axis
    y: Axis | None
    xs: list[Any]
    ys: list[Any]
    columns: list[tuple[Axis, list[Any]]]  # per axis: its value in every cell
    start: Array  # (cells, 2)
    valid: Array  # (cells,) bool

    @classmethod
    def of(cls, sc: Scenario, surface: Surface) -> Plan:
        assert sc.sweep is not None
        run = sc.runs[sc.sweep["run"]]
        x, y = axes_of(sc.sweep, run)
        xs, ys = x.values(), ([None] if y is None else y.values())
        columns = [(x, xs * len(ys))]
        if y is not None:
            columns.append((y, [v for v in ys for _ in xs]))
        start = np.tile(np.asarray(sc.start, dtype=float), (len(xs) * len(ys), 1))
        for axis, vals in columns:
            if axis.target.where == "start":
                start[:, axis.target.index] = vals
        with np.errstate(all="ignore"):
            g = np.asarray(surface.grad(start))
            valid = np.isfinite(np.asarray(surface.value(start))) & np.isfinite(np.hypot(g[:, 0], g[:, 1]))
        return cls(run, x, y, xs, ys, columns, start, valid)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.ys), len(self.xs)

    def swept(self, where: str) -> list[tuple[Axis, list[Any]]]:
        """The axes whose values go into the run's ``where`` ("params", "schedule", "start")."""
        return [(a, v) for a, v in self.columns if a.target.where == where]

    def resolved(self, cells: Array) -> list[dict[str, Any]]:
        """Each cell's optimizer parameters, defaults and pinned values filled in."""
        base = OPTIMIZERS[self.run.optimizer].resolve(self.run.params)
        mine = self.swept("params")
        if not mine:
            return [base] * len(cells)
        rows = cells.tolist()
        updates: dict[str, list[Any]] = {}  # parameter -> its value in each cell
        for a, vals in mine:
            tgt, col = a.target, [vals[c] for c in rows]
            if tgt.index is None:
                updates[tgt.name] = col
            else:  # a pair's component: a new pair per cell
                pairs = updates.get(tgt.name, [base[tgt.name]] * len(rows))
                i = tgt.index
                updates[tgt.name] = [(v, p[1]) if i == 0 else (p[0], v) for v, p in zip(col, pairs, strict=True)]
        names = list(updates)
        return [{**base, **dict(zip(names, vals, strict=True))} for vals in zip(*updates.values(), strict=True)]

    def schedule(self, cell: int) -> dict[str, Any] | None:
        """The schedule of cell ``cell`` (the run's, with the swept values put in)."""
        sched = self.run.schedule
        mine = self.swept("schedule")
        if sched is None or not mine:
            return sched
        params = put(sched["params"], [a.target for a, _ in mine], [v[cell] for _, v in mine])
        return {"name": sched["name"], "params": params}

    def lrs(self, cells: Array) -> Array:
        """Each cell's base learning rate."""
        lr = [v for a, v in self.columns if a.param == "lr"]
        if not lr:
            return np.full(len(cells), float(self.run.params["lr"]))
        return np.asarray(lr[0], dtype=float)[cells]


# Rows per group: the optimizer's arrays of a 10,000-row group (160 kB each) stay in the
# processor's cache between the operations of one step; a 40,000-row batch in one group ran
# about 10 % slower (measured on the 200 x 200 map).
GROUP_ROWS = 10_000


def cell_groups(plan: Plan, cells: Array) -> tuple[Array, list[Group]]:
    """The cells as groups of the engine, each a contiguous block of rows with its optimizer's
    hyperparameters over its cells (one float where they agree, a column where they differ)
    and each cell's L2 weight decay; returns the cells in row order and the groups.

    Cells are grouped by the switches their hyperparameters decide (torch's lerp branch for
    beta1 below or above 0.5, amsgrad, ...): within a group every switch is the same for every
    cell, so no step computes both branches and picks (``Switch.pick``'s np.where); and at
    most GROUP_ROWS cells make a group."""
    opt = OPTIMIZERS[plan.run.optimizer]
    resolved = plan.resolved(cells)
    code = np.zeros(len(cells), dtype=np.int64)
    for i, sw in enumerate(_mixed_switches(opt.hyper(resolved))):
        code |= sw.mask[:, 0].astype(np.int64) << i
    order = np.argsort(code, kind="stable")
    cells, code = cells[order], code[order]
    cuts = np.flatnonzero(np.diff(code)) + 1
    bounds = np.r_[0, cuts, len(cells)]
    groups = []
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        for a in range(lo, hi, GROUP_ROWS):
            b = min(a + GROUP_ROWS, hi)
            groups.append(_group(opt, [resolved[i] for i in order[a:b].tolist()], a, b))
    return cells, groups


def _group(opt: Any, mine: list[dict[str, Any]], a: int, b: int) -> Group:
    hyper = widen(opt.hyper(mine), b - a)
    return Group(opt, slice(a, b), list(range(a, b)), hyper, [opt.l2_decay(p) for p in mine])


def _mixed_switches(hp: Any) -> list[Switch]:
    """The switches of a hyperparameter tuple (nested ones too) that differ between cells."""
    if isinstance(hp, Switch):
        return [hp] if hp.any and not hp.all else []
    if isinstance(hp, tuple) and hasattr(hp, "_fields"):
        return [sw for v in hp for sw in _mixed_switches(v)]
    return []


def cell_rates(plan: Plan, cells: Array, groups: list[Group], steps: int) -> CellRates:
    """Each cell's learning rate; where every cell shares one sequence it goes on the group as
    plain floats, as ``lab.engine.lr_columns`` does for runs that share it (the same arithmetic
    as the run alone)."""
    lrs = plan.lrs(cells)
    shared = bool(np.all(lrs == lrs[0]))
    wide = np.repeat(lrs[:, None], 2, axis=1)  # as wide as the points (see ``widen``)
    if plan.run.schedule is None:
        if shared:
            for group in groups:
                group.lr = [float(lrs[0])] * steps
        return CellRates(wide)
    mine = plan.swept("schedule")
    keys: dict[tuple[Any, ...], int] = {}
    codes = np.empty(len(cells), dtype=int)
    seqs: list[Array] = []
    for r, c in enumerate(cells.tolist()):
        key = (float(lrs[r]), *(v[c] for _, v in mine))
        if key not in keys:
            keys[key] = len(seqs)
            sched = plan.schedule(c)
            assert sched is not None
            seqs.append(lr_sequence(sched["name"], key[0], sched["params"], steps))
        codes[r] = keys[key]
    if len(seqs) == 1:
        for group in groups:
            group.lr = seqs[0].tolist()
        return CellRates(wide)
    return CellRates(wide, np.stack(seqs, axis=1), codes)


@dataclass
class SweepResult:
    """A map: per cell (rows follow y, columns x) the verdict kind, final loss (of the judged
    objective), final point, steps run, rate and basin; None / NaN / -1 where a cell did not run
    or a number is undefined."""

    scenario: Scenario
    surface: Surface
    x: Axis
    y: Axis | None
    xs: list[Any]
    ys: list[Any]
    kind: list[list[str | None]]
    final_loss: Array  # (ny, nx)
    final_point: Array  # (ny, nx, 2)
    steps_run: Array  # (ny, nx), -1 where not run
    rate: Array  # (ny, nx)
    basin: Array  # (ny, nx), index into surface.minima or -1
    seconds: float = 0.0
    _plan: Plan | None = field(default=None, repr=False)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.ys), len(self.xs)

    def to_dict(self) -> dict[str, Any]:
        """``{"x", "y", "kind", "final_loss", "final_point", "steps_run", "rate"}``: the axes'
        values (``y`` is ``[None]`` for a strip) and per cell, rows following y; non-finite
        numbers are None (plain JSON)."""
        ran = np.array([[k is not None for k in row] for row in self.kind])
        pts = [[list(map(float, p)) if r else None for p, r in zip(prow, rrow, strict=True)] for prow, rrow in zip(self.final_point.tolist(), ran.tolist(), strict=True)]
        return {
            "x": list(self.xs),
            "y": list(self.ys),
            "kind": [list(row) for row in self.kind],
            "final_loss": _clean(self.final_loss),
            "final_point": pts,
            "steps_run": [[int(s) if s >= 0 else None for s in row] for row in self.steps_run.tolist()],
            "rate": _clean(self.rate),
        }

    def cell_at(self, x: float, y: float | None = None) -> tuple[int, int]:
        """The cell (i, j) nearest to the point (x, y) of the map's axes (by ratio on a log axis):
        where a click on the map lands."""

        def nearest(axis: Axis | None, values: list[Any], v: float | None) -> int:
            if axis is None or v is None:
                return 0
            vals = np.asarray(values, dtype=float)
            if axis.scale == "log":
                vals, v = np.log(vals), float(np.log(v)) if v > 0 else -np.inf
            return int(np.argmin(np.abs(vals - v)))

        return nearest(self.y, self.ys, y), nearest(self.x, self.xs, x)

    def cell_scenario(self, i: int, j: int) -> dict[str, Any]:
        """The scenario of the cell at y[i], x[j] alone: the swept run with the cell's values,
        from the cell's start (``lab.simulate`` of it is that cell's run)."""
        plan = self._plan
        assert plan is not None
        cell = i * len(self.xs) + j
        params = plan.resolved(np.array([cell]))[0]
        opt = OPTIMIZERS[plan.run.optimizer]
        mine = {p.name: params[p.name] for p in opt.params}
        run = RunSpec(plan.run.optimizer, mine, plan.schedule(cell), plan.run.label).to_dict()
        d = {k: v for k, v in self.scenario.to_dict().items() if k != "sweep"}
        return {**d, "start": plan.start[cell].tolist(), "runs": [run]}


def _clean(a: Array) -> list[list[float | None]]:
    return [[float(v) if np.isfinite(v) else None for v in row] for row in np.asarray(a, dtype=float).tolist()]


def sweep(scenario: Scenario | dict[str, Any] | str, progress: Progress | None = None) -> SweepResult:
    """Every cell of ``scenario``'s sweep as one run, all in one batch, each judged by the
    verdict's rules from its summary. ``progress(fraction)`` is called as the steps go (about
    every 1 % of a large map), then with 1.0."""
    began = time.perf_counter()
    sc = parse_scenario(scenario)
    if sc.sweep is None:
        raise ScenarioError(
            'sweep is missing; a map needs a "sweep" key, e.g. {"run": 0, "x": {"param": "lr", '
            '"from": 1e-4, "to": 1, "n": 100, "scale": "log"}}'
        )
    surface = sc.build_surface()
    plan = Plan.of(sc, surface)
    cells = np.flatnonzero(plan.valid)
    if not len(cells):
        raise ScenarioError("sweep: no cell has a start where the surface is finite; allowed: "
                            "start values inside the surface's domain")
    cells, groups = cell_groups(plan, cells)
    rates = cell_rates(plan, cells, groups, sc.steps)
    std = sc.run_noise(sc.sweep["run"])  # every cell is the swept run's
    noise = gradient_noise(sc, np.full(1, std))
    kept = step_cells(surface, plan.start[cells], groups, rates, noise, sc.steps, progress)
    judged = judge_cells(surface, kept, std)
    return _pack(sc, surface, plan, cells, judged, time.perf_counter() - began)


def _pack(sc: Scenario, surface: Surface, plan: Plan, cells: Array, j: Judged, seconds: float) -> SweepResult:
    ny, nx = plan.shape
    n = ny * nx

    def spread(values: Array, fill: Any, tail: tuple[int, ...] = ()) -> Array:
        out = np.full((n, *tail), fill, dtype=np.asarray(values).dtype)
        out[cells] = values
        return out.reshape(ny, nx, *tail)

    codes = spread(j.kind, -1)
    kind = [[KINDS[c] if c >= 0 else None for c in row] for row in codes.tolist()]
    return SweepResult(
        scenario=sc,
        surface=surface,
        x=plan.x,
        y=plan.y,
        xs=plan.xs,
        ys=plan.ys,
        kind=kind,
        final_loss=spread(j.final_loss, np.nan),
        final_point=spread(j.final_point, np.nan, (2,)),
        steps_run=spread(j.steps_run, -1),
        rate=spread(j.rate, np.nan),
        basin=spread(j.basin, -1),
        seconds=seconds,
        _plan=plan,
    )
