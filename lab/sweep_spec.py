"""The ``sweep`` key of a scenario: one run's map over two of its parameters.

    "sweep": {"run": 0,
              "x": {"param": "lr", "from": 1e-4, "to": 1, "n": 100, "scale": "log"},
              "y": {"param": "momentum", "from": 0, "to": 0.99, "n": 100}}

An axis's ``param`` is a numeric parameter of that run: one of its optimizer's (a pair's
components by their own names, ``beta1`` / ``beta2`` for ``betas``, through
``core.params.Pair.part``), one of its schedule's (``schedule.T_max``), or ``start.x`` /
``start.y``. Its ``n`` values run from ``from`` to ``to``, evenly ("linear", the default) or
by equal ratios ("log"); an integer parameter takes the nearest integers. ``y`` may be left
out (a strip of one row). Every value is checked by the parameter's own spec, so a message
names the key, the value and the range that parameter allows; the checks across parameters
(Nesterov's momentum > 0, one-cycle's total_steps) run on every cell they concern.

A sweep is bounded by its cost: at most ``MAX_AXIS`` values per axis, ``MAX_CELL_STEPS``
cell-steps (the time: about 6 s on the development machine) and ``MAX_BYTES`` of memory by
``estimated_bytes`` (what a sweep keeps per cell: the verdict's last stretch and summaries,
never a full path).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.params import Float, Int, Param, ParamError, fmt_num, show
from lab.scenario import MAX_COORD, RunSpec, ScenarioError
from lab.verdicts.thresholds import PATH_BINS, window
from optimizers import OPTIMIZERS
from optimizers.schedules import SCHEDULES

SWEEP_KEYS = ("run", "x", "y")
AXIS_KEYS = ("param", "from", "to", "n", "scale")
SCALES = ("linear", "log")
DEFAULT_N = 50
MAX_AXIS = 200
# 200 x 200 cells x 1,000 steps: the largest map the benchmark times (about 6 s here).
MAX_CELL_STEPS = 40_000_000
# What one sweep may hold at once (the bound for a map's peak memory).
MAX_BYTES = 500 * 2**20
N_SPEC = Int("n", DEFAULT_N, low=2, high=MAX_AXIS)
START_AXES = {"start.x": 0, "start.y": 1}


@dataclass(frozen=True)
class Target:
    """Where an axis's value goes in a cell's run: ``params[name]`` (component ``index`` of a
    pair), ``schedule.params[name]``, or component ``index`` of the start."""

    where: str  # "params" | "schedule" | "start"
    name: str
    index: int | None = None


@dataclass(frozen=True)
class Axis:
    """One axis of the map: ``n`` values of ``param`` from ``low`` to ``high``."""

    param: str
    low: float
    high: float
    n: int
    scale: str
    spec: Param  # the parameter's own kind (a Float or an Int)
    target: Target

    def values(self) -> list[Any]:
        """The axis's values, ``from`` first and ``to`` last (exactly as given)."""
        make = np.geomspace if self.scale == "log" else np.linspace
        grid = make(self.low, self.high, self.n).tolist()
        grid[0], grid[-1] = self.low, self.high
        return [self.spec.nearest(v) for v in grid]

    def to_dict(self) -> dict[str, Any]:
        return {
            "param": self.param,
            "from": self.spec.nearest(self.low),
            "to": self.spec.nearest(self.high),
            "n": self.n,
            "scale": self.scale,
        }


def _start_spec(name: str) -> Float:
    return Float(name, 0.0, low=-MAX_COORD, high=MAX_COORD)


def sweepable(run: RunSpec) -> dict[str, tuple[Param, Target]]:
    """Every parameter of ``run`` an axis may sweep, by the name an axis gives it."""
    opt = OPTIMIZERS[run.optimizer]
    out: dict[str, tuple[Param, Target]] = {}
    for p in opt.params:
        parts = p.components()
        for i, part in enumerate(parts):
            if part.numeric:
                out[part.name] = (part, Target("params", p.name, i if len(parts) > 1 else None))
    if run.schedule is not None:
        for p in SCHEDULES[run.schedule["name"]].params:
            if p.numeric:
                out[f"schedule.{p.name}"] = (p, Target("schedule", p.name))
    for name, i in START_AXES.items():
        out[name] = (_start_spec(name), Target("start", name, i))
    return out


def _fail(path: str, value: Any, allowed: str, problem: str = "is invalid") -> ScenarioError:
    return ScenarioError(f"{path} = {show(value)} {problem}; allowed: {allowed}")


def _keys(path: str, d: Any, allowed: tuple[str, ...], what: str) -> dict[str, Any]:
    if not isinstance(d, dict):
        raise _fail(path, d, f"an object with keys {', '.join(allowed)}", f"is not {what}")
    for k in d:
        if k not in allowed:
            raise ScenarioError(f"unknown key {show(k)} in {path}; allowed keys: {', '.join(allowed)}")
    return d


def _value(spec: Param, v: Any, path: str, owner: str) -> Any:
    try:
        return spec.parse(v, path)
    except ParamError as e:
        raise ScenarioError(f"{e}{owner}") from None


def _parse_axis(path: str, v: Any, run: RunSpec, run_path: str) -> Axis:
    d = _keys(path, v, AXIS_KEYS, "an axis")
    table = sweepable(run)
    names = ", ".join(table)
    param = d.get("param")
    if param not in table:
        problem = "is missing" if param is None else f"is not a parameter of {run_path}"
        raise _fail(f"{path}.param", param, f"{names} ({run_path} is {run.optimizer})", problem)
    spec, target = table[param]
    owner = f" (for {run.optimizer})" if target.where == "params" else ""
    for key in ("from", "to"):
        if key not in d:
            raise ScenarioError(f"{path}.{key} is missing; allowed: {spec.allowed()}")
    low = _value(spec, d["from"], f"{path}.from", owner)
    high = _value(spec, d["to"], f"{path}.to", owner)
    scale = d.get("scale", "linear")
    if scale not in SCALES:
        raise _fail(f"{path}.scale", scale, " or ".join(f'"{s}"' for s in SCALES))
    if scale == "log" and not (low > 0 and high > 0):
        bad = "from" if not low > 0 else "to"
        raise _fail(
            f"{path}.{bad}", d[bad], 'a number > 0 (scale "log" spaces the values by equal ratios)'
        )
    if low == high:
        raise _fail(f"{path}.to", d["to"], f"a value different from from = {fmt_num(low)}")
    try:
        n = N_SPEC.parse(d.get("n", DEFAULT_N), f"{path}.n")
    except ParamError as e:
        raise ScenarioError(str(e)) from None
    return Axis(str(param), float(low), float(high), n, scale, spec, target)


def parse_sweep(v: Any, runs: tuple[RunSpec, ...], steps: int) -> dict[str, Any]:
    """The normalised sweep key (every default written out), or ScenarioError naming the key,
    the value and what is allowed."""
    d = _keys("sweep", v, SWEEP_KEYS, "a sweep")
    run_spec = Int("run", 0, low=0, high=len(runs) - 1)
    try:
        run = run_spec.parse(d.get("run", 0), "sweep.run")
    except ParamError as e:
        raise ScenarioError(str(e)) from None
    if "x" not in d:
        raise ScenarioError(
            'sweep.x is missing; a sweep needs an axis, e.g. {"param": "lr", "from": 1e-4, '
            '"to": 1, "n": 100, "scale": "log"}'
        )
    path = f"runs[{run}]"
    axes = [_parse_axis("sweep.x", d["x"], runs[run], path)]
    if d.get("y") is not None:
        axes.append(_parse_axis("sweep.y", d["y"], runs[run], path))
        if axes[1].param == axes[0].param:
            raise _fail("sweep.y.param", axes[1].param, "a parameter other than x's", "is swept on x already")
    _check_cost(axes, runs[run], steps)
    _check_cells(axes, runs[run], steps)
    out: dict[str, Any] = {"run": run, "x": axes[0].to_dict()}
    if len(axes) > 1:
        out["y"] = axes[1].to_dict()
    return out


def axes_of(sweep: dict[str, Any], run: RunSpec) -> tuple[Axis, Axis | None]:
    """The axes of a normalised sweep key (``Scenario.sweep``) for its run."""
    table = sweepable(run)

    def axis(a: dict[str, Any]) -> Axis:
        spec, target = table[a["param"]]
        return Axis(a["param"], float(a["from"]), float(a["to"]), a["n"], a["scale"], spec, target)

    y = sweep.get("y")
    return axis(sweep["x"]), None if y is None else axis(y)


# --- cost -----------------------------------------------------------------------------------
# What a sweep holds at its peak, measured with tracemalloc (tests/test_sweep.py checks that the
# estimate bounds the measurement): per cell, the verdict's running summaries (64 gradient
# bins, 8 bursts, the first 12 points: ~2.9 kB), its checkpoints and hyperparameters; per point
# of the last stretch, its ring of 5 floats (40 bytes); and then the larger of two phases'
# work: while stepping, per cell and step held before feeding, the chunk and the accumulator's
# work on it (up to 96 bytes, where cut cells are frozen); while a block of cells is judged,
# the summary's copy of its stretch and the local models (60 bytes a point). Plus 8 bytes per
# step of each distinct learning-rate sequence and the engine's own overhead.
CELL_BYTES = 4096
RING_BYTES = 40
CHUNK_CELL_BYTES = 96
JUDGE_BYTES = 60
BASE_BYTES = 16 * 2**20
# Cells per accumulator and per judgement: one block for a 100 x 100 map; it bounds the copy
# a summary makes of its stretch (10,000 x 101 points x 32 bytes at 1,000 steps).
BLOCK = 10_000
CHUNK_BYTES = 48 * 2**20  # the steps held before they are fed (point, gradient norm, loss)


def chunk_size(cells: int, steps: int) -> int:
    """Steps held before they are fed: (chunk + 1) x cells x (point, gradient norm, loss)
    within CHUNK_BYTES, between 8 and 256 (the accumulator's own chunk), and a whole number of
    the accumulator's gradient bins (each chunk then fills whole bins, at once)."""
    c = int(np.clip(CHUNK_BYTES // (32 * max(cells, 1)), 8, 256))
    size = -(-(steps + 1) // PATH_BINS)  # steps per bin, as lab.verdicts.detectors.GradientBins
    return max(size, c // size * size)


def estimated_bytes(cells: int, steps: int, lr_tables: int) -> int:
    """Memory a sweep of ``cells`` cells and ``steps`` steps holds at its peak, with
    ``lr_tables`` distinct learning-rate sequences stored (0 when one is shared)."""
    stretch = window(steps) + 1
    kept = cells * (CELL_BYTES + RING_BYTES * stretch) + 8 * steps * lr_tables + BASE_BYTES
    stepping = CHUNK_CELL_BYTES * chunk_size(cells, steps) * cells
    judging = min(cells, BLOCK) * JUDGE_BYTES * stretch
    return kept + max(stepping, judging)


def lr_tables(axes: list[Axis], run: RunSpec) -> int:
    """How many distinct learning-rate sequences the cells need stored (0: all share one)."""
    if run.schedule is None:
        return 0
    moving = [a for a in axes if a.param == "lr" or a.target.where == "schedule"]
    return math.prod(a.n for a in moving) if moving else 0


def _check_cost(axes: list[Axis], run: RunSpec, steps: int) -> None:
    cells = math.prod(a.n for a in axes)
    shape = " x ".join(str(a.n) for a in axes)
    if cells * steps > MAX_CELL_STEPS:
        raise ScenarioError(
            f"sweep: {shape} cells x {steps:,} steps = {cells * steps:,} cell-steps; allowed: at "
            f"most {MAX_CELL_STEPS:,} (lower n or steps)"
        )
    need = estimated_bytes(cells, steps, lr_tables(axes, run))
    if need > MAX_BYTES:
        raise ScenarioError(
            f"sweep: {shape} cells x {steps:,} steps need about {need / 2**20:,.0f} MB (a "
            f"learning-rate table per cell: the schedule's lr is swept); allowed: at most "
            f"{MAX_BYTES / 2**20:,.0f} MB (lower n or steps)"
        )


# --- the checks across parameters -----------------------------------------------------------
def _check_cells(axes: list[Axis], run: RunSpec, steps: int) -> None:
    """The optimizer's and the schedule's own checks across parameters, on every distinct
    combination of the swept values they read."""
    opt = OPTIMIZERS[run.optimizer]
    for where in ("params", "schedule"):
        mine = [a for a in axes if a.target.where == where]
        if not mine or (where == "schedule" and run.schedule is None):
            continue
        owner = opt if where == "params" else SCHEDULES[run.schedule["name"]]  # type: ignore[index]
        if owner.check is _default_check(owner):
            continue  # it checks nothing across parameters
        base = {**opt.fixed, **run.params} if where == "params" else dict(run.schedule["params"])  # type: ignore[index]
        for combo in itertools.product(*(a.values() for a in mine)):
            cell = put(base, [a.target for a in mine], combo)
            if where == "params":
                problem = opt.check(cell)
            else:
                problem = SCHEDULES[run.schedule["name"]].check(cell, steps)  # type: ignore[index]
            if problem:
                at = ", ".join(f"{a.param} = {fmt_num(v)}" for a, v in zip(mine, combo, strict=True))
                raise ScenarioError(f"sweep: at {at}: {problem}; allowed: a range without such cells")


def _default_check(owner: Any) -> Any:
    """The ``check`` an optimizer or schedule has when it declares none."""
    return next(f.default for f in dataclasses.fields(owner) if f.name == "check")


def put(params: dict[str, Any], targets: list[Target], values: tuple[Any, ...] | list[Any]) -> dict[str, Any]:
    """A copy of ``params`` with each value put where its target says (a pair's component
    replaced in a new pair)."""
    out = dict(params)
    for tgt, v in zip(targets, values, strict=True):
        if tgt.index is None:
            out[tgt.name] = v
        else:
            pair = list(out[tgt.name])
            pair[tgt.index] = v
            out[tgt.name] = tuple(pair)
    return out
