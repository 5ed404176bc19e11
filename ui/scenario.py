"""The bridge between the app's model (``ui.model``) and the engine's scenarios: the surface a
state names, ``to_scenario`` / ``from_scenario``, and the gradient noise shown as a batch size.

Gradient noise is shown as an emulated mini-batch of B examples: each example's gradient
is taken to scatter around the true one with a per-coordinate standard deviation of
``NOISE_PER_EXAMPLE`` times the gradient norm at the start, so a batch of B averages to a
standard deviation of that divided by sqrt(B); "full batch" is no noise at all.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np

from core.params import Param
from lab.scenario import ScenarioError, parse_scenario
from optimizers import OPTIMIZERS
from optimizers.schedules import SCHEDULES
from surfaces import Surface, make_surface
from surfaces.data_models import DATASETS
from ui.model import (
    CUSTOM,
    FULL_BATCH,
    MAX_RUNS,
    MAX_STEPS,
    SCHEDULE_AUTO,
    AppState,
    RunState,
    auto_labels,
    normalize_run,
    run_params,
    schedule_params,
)

NOISE_PER_EXAMPLE = 1.0  # sigma_1 / |grad L(start)|

Point = tuple[float, float]


# --- the surface ----------------------------------------------------------------------------
def surface_spec(state: AppState) -> str | dict[str, Any]:
    """The scenario's ``surface`` value of ``state``: a built-in name or a formula object."""
    if state.surface == CUSTOM:
        return {"expr": state.expr, "x_range": list(state.x_range), "y_range": list(state.y_range)}
    if state.surface in DATASETS:  # a data set: its parameters, defaults filled in
        params = DATASETS[state.surface].params
        return {"data": state.surface, **{p.name: state.data.get(p.name, p.default) for p in params}}
    return state.surface


def with_surface(state: AppState, spec: str | dict[str, Any]) -> AppState:
    """``state`` with the surface ``spec`` (the last good one, when the typed formula is bad)."""
    if isinstance(spec, dict) and "data" in spec:
        return replace(state, surface=spec["data"], data={k: v for k, v in spec.items() if k != "data"})
    if isinstance(spec, dict):
        return replace(
            state,
            surface=CUSTOM,
            expr=spec["expr"],
            x_range=(float(spec["x_range"][0]), float(spec["x_range"][1])),
            y_range=(float(spec["y_range"][0]), float(spec["y_range"][1])),
        )
    return replace(state, surface=spec)


@lru_cache(maxsize=32)
def _surface(spec_json: str) -> Surface:
    return make_surface(json.loads(spec_json))


def build_surface(spec: str | dict[str, Any]) -> Surface:
    """The surface of a scenario value (cached: a formula is parsed once, not every rerun).
    Raises ValueError for a bad formula."""
    return _surface(json.dumps(spec, sort_keys=True))


def surface_start(state: AppState) -> Point:
    """The surface's own start (raises ValueError for a bad formula)."""
    x, y = build_surface(surface_spec(state)).start
    return (float(x), float(y))


def start_of(state: AppState) -> Point:
    return state.start if state.start is not None else surface_start(state)


def default_start(state: AppState) -> Point | None:
    """The surface's own start, or None when the formula does not parse."""
    try:
        return surface_start(state)
    except (ValueError, ImportError):
        return None


# --- gradient noise as a batch size ---------------------------------------------------------
def _start_grad_norm(surface: Surface, start: Point) -> float:
    with np.errstate(all="ignore"):
        return float(np.linalg.norm(surface.grad(np.asarray(start, dtype=float))))


def noise_std(batch: float | None, surface: Surface, start: Point) -> float:
    """Per-coordinate gradient noise of a mini-batch of ``batch`` examples (module docstring)."""
    if batch is None:
        return 0.0
    g0 = _start_grad_norm(surface, start)
    if not math.isfinite(g0):
        return 0.0
    return NOISE_PER_EXAMPLE * g0 / math.sqrt(batch)


def batch_from_std(std: float, surface: Surface, start: Point) -> float | None:
    """The inverse of ``noise_std`` (for scenarios that give the noise as a number)."""
    if std <= 0:
        return None
    g0 = _start_grad_norm(surface, start)
    if not (math.isfinite(g0) and g0 > 0):
        return None
    return float(f"{(NOISE_PER_EXAMPLE * g0 / std) ** 2:.6g}")


# --- state <-> scenario ---------------------------------------------------------------------
def run_scenario(
    run: RunState, label: str, steps: int, noise: tuple[Surface, Point] | None = None
) -> dict[str, Any]:
    """One entry of the scenario's ``runs``; ``noise`` (the surface and the start) turns the
    run's own emulated batch into its noise std."""
    params = run_params(run)
    out: dict[str, Any] = {"optimizer": run.optimizer, "params": params}
    if run.schedule is not None:
        name = run.schedule["name"]
        given = run.schedule.get("params", {})
        out["schedule"] = {
            "name": name,
            "params": schedule_params(name, given, params["lr"], steps),
        }
    out["label"] = label
    if run.batch is not None:
        out["batch"] = dict(run.batch)
    if run.emulated is not None and noise is not None:
        b = None if run.emulated == FULL_BATCH else float(run.emulated)
        out["noise"] = {"std": noise_std(b, *noise)}
    return out


def to_scenario(state: AppState) -> dict[str, Any]:
    """The engine scenario of ``state`` (not yet validated: pass it to parse_scenario).
    Raises ValueError when the surface cannot be built (a bad formula)."""
    spec = surface_spec(state)
    surface = build_surface(spec)
    start = start_of(state)
    labels = auto_labels(state.runs)
    return {
        "surface": spec,
        "start": list(start),
        "steps": state.steps,
        "runs": [
            run_scenario(run, label, state.steps, (surface, start))
            for run, label in zip(state.runs, labels, strict=True)
        ],
        "noise": {"std": noise_std(state.batch, surface, start), "seed": state.seed},
        **({"batch": dict(state.mb)} if state.mb is not None and state.surface in DATASETS else {}),
    }


def from_scenario(value: Any, view: AppState) -> AppState:
    """A validated scenario (a preset file) as app state; view options come from ``view``.
    Raises ScenarioError (a ValueError) when the scenario is invalid or too big for the app."""
    sc = parse_scenario(value).to_dict()
    if len(sc["runs"]) > MAX_RUNS:
        raise ScenarioError(
            f"runs has {len(sc['runs'])} entries; this app shows at most {MAX_RUNS}"
        )
    if sc["steps"] > MAX_STEPS:
        raise ScenarioError(f"steps = {sc['steps']}; this app runs at most {MAX_STEPS}")
    state = with_surface(replace(view, runs=[], step=0), sc["surface"])
    surface = build_surface(sc["surface"])
    start = (float(sc["start"][0]), float(sc["start"][1]))
    state.start = None if start == tuple(surface.start) else start
    state.steps = sc["steps"]
    state.batch = batch_from_std(sc["noise"]["std"], surface, start)
    state.seed = sc["noise"]["seed"]
    state.runs = [run_from_scenario(r, (surface, start)) for r in sc["runs"]]
    state.mb = dict(sc["batch"]) if sc.get("batch") else None
    return state


def run_from_scenario(run: dict[str, Any], noise: tuple[Surface, Point] | None = None) -> RunState:
    """A normalised scenario run as a ``RunState`` (JSON lists back to the model's tuples);
    ``noise`` (the surface and the start) turns the run's own noise std into its batch."""
    params = _coerced(OPTIMIZERS[run["optimizer"]].params, run["params"])
    schedule = run["schedule"]
    if schedule is not None:
        auto = SCHEDULE_AUTO.get(schedule["name"], ())
        given = {k: v for k, v in schedule["params"].items() if k not in auto}
        schedule = {
            "name": schedule["name"],
            "params": _coerced(SCHEDULES[schedule["name"]].params, given),
        }
    batch = dict(run["batch"]) if run.get("batch") else None
    emulated = None
    if run.get("noise") is not None and noise is not None:
        emulated = batch_from_std(run["noise"]["std"], *noise) or FULL_BATCH
    return normalize_run(
        RunState(run["optimizer"], params, schedule, run["label"], batch, emulated)
    )


def _coerced(specs: tuple[Param, ...], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` as the Python types of their parameter kinds (a pair's list -> tuple)."""
    by_name = {p.name: p for p in specs}
    return {
        k: by_name[k].coerce(v) if k in by_name and v is not None else v for k, v in values.items()
    }
