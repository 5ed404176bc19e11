"""The scenario: one plain, JSON-shaped configuration used by the app, its URL, files and the CLI.

``parse_scenario(value)`` validates and normalises (defaults filled in); ``Scenario.to_dict()``
gives the normalised JSON value back, so load -> save -> load is the identity. Every
problem raises :class:`ScenarioError` naming the key, the value and what is allowed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from core.params import Float, Int, Param, ParamError, fail, show, to_float
from optimizers import OPTIMIZERS
from optimizers.base import Optimizer
from optimizers.schedules import SCHEDULES, Schedule
from surfaces import BUILTIN, Surface, make_surface

MAX_STEPS = 1_000_000
MAX_RUNS = 1024
MAX_RUN_STEPS = 20_000_000  # runs x steps: bounds memory (~ 64 bytes per run-step)
MAX_COORD = 1e6  # the divergence bound, also the largest allowed start coordinate
MAX_LABEL = 60

TOP_KEYS = ("surface", "start", "steps", "runs", "noise")
RUN_KEYS = ("optimizer", "params", "schedule", "label")
CUSTOM_SURFACE_KEYS = ("expr", "x_range", "y_range")
DEFAULT_STEPS = 200


class ScenarioError(ValueError):
    """An invalid scenario; the message names the key, the value and what is allowed."""


def _fail(path: str, value: Any, allowed: str, problem: str = "is invalid") -> ScenarioError:
    return ScenarioError(str(fail(path, value, allowed, problem)))


def _parse(p: Param, value: Any, path: str, suffix: str = "") -> Any:
    """``p.parse`` with its message as a ScenarioError (``suffix`` names the optimizer)."""
    try:
        return p.parse(value, path)
    except ParamError as e:
        raise ScenarioError(f"{e}{suffix}") from None


def _number(path: str, v: Any, allowed: str) -> float:
    try:
        return to_float(path, v, allowed)
    except ParamError as e:
        raise ScenarioError(str(e)) from None


STEPS = Int("steps", DEFAULT_STEPS, low=1, high=MAX_STEPS)
NOISE_STD = Float("std", 0.0)
NOISE_SEED = Int("seed", 0, high=2**32 - 1)


def _keys(path: str, d: Any, allowed: tuple[str, ...], what: str) -> dict[str, Any]:
    if not isinstance(d, dict):
        raise _fail(path, d, f"an object with keys {', '.join(allowed)}", f"is not {what}")
    for k in d:
        if k not in allowed:
            where = f"in {path}" if path else "in the scenario"
            raise ScenarioError(
                f"unknown key {show(k)} {where}; allowed keys: {', '.join(allowed)}"
            )
    return d


@dataclass(frozen=True)
class RunSpec:
    optimizer: str
    params: dict[str, Any]  # every parameter of the optimizer, defaults filled in
    schedule: dict[str, Any] | None  # {"name", "params"} with defaults filled in, or None
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "optimizer": self.optimizer,
            "params": _jsonable(self.params),
            "schedule": _jsonable(self.schedule),
            "label": self.label,
        }


@dataclass(frozen=True)
class Scenario:
    surface: str | dict[str, Any]
    start: tuple[float, float]
    steps: int
    runs: tuple[RunSpec, ...]
    noise: dict[str, Any]  # {"std": float, "seed": int}

    def to_dict(self) -> dict[str, Any]:
        return {
            "surface": _jsonable(self.surface),
            "start": list(self.start),
            "steps": self.steps,
            "runs": [r.to_dict() for r in self.runs],
            "noise": dict(self.noise),
        }

    def to_json(self) -> str:
        """Canonical text (sorted keys): equal scenarios give equal strings (a cache key)."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    def build_surface(self) -> Surface:
        return make_surface(self.surface)


def _jsonable(v: Any) -> Any:
    if isinstance(v, tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    return v


# --- pieces ---------------------------------------------------------------------------------
def _parse_surface(v: Any) -> str | dict[str, Any]:
    names = ", ".join(BUILTIN)
    if isinstance(v, str):
        if v not in BUILTIN:
            raise _fail(
                "surface",
                v,
                f'one of {names}, or an object {{"expr": ...}}',
                "is not a built-in surface",
            )
        return v
    if isinstance(v, dict):
        d = _keys("surface", v, CUSTOM_SURFACE_KEYS, "a surface")
        if "expr" not in d:
            raise ScenarioError(
                "surface.expr is missing; a custom surface needs a formula in x "
                'and y, e.g. {"expr": "x**2 + 10*y**2"}'
            )
        if not isinstance(d["expr"], str):
            raise _fail("surface.expr", d["expr"], "a formula as text", "is not text")
        out: dict[str, Any] = {"expr": d["expr"]}
        for key in ("x_range", "y_range"):
            r = d.get(key, [-3.0, 3.0])
            allowed = f"two finite numbers [low, high] with low < high, |value| <= {MAX_COORD:g}"
            if not isinstance(r, (list, tuple)) or len(r) != 2:
                raise _fail(f"surface.{key}", r, allowed, "is not a pair")
            lo = _number(f"surface.{key}[0]", r[0], allowed)
            hi = _number(f"surface.{key}[1]", r[1], allowed)
            if not lo < hi or max(abs(lo), abs(hi)) > MAX_COORD:
                raise _fail(f"surface.{key}", r, allowed)
            out[key] = [lo, hi]
        try:
            make_surface(out)  # the formula is checked here, with its own message
        except ValueError as e:
            raise ScenarioError(f"surface.expr: {e}") from None
        return out
    raise _fail(
        "surface",
        v,
        f'one of {names}, or an object {{"expr": ...}}',
        "is not a surface name or object",
    )


def _parse_param(opt: Optimizer, path: str, name: str, v: Any) -> Any:
    return _parse(opt.param(name), v, path, f" (for {opt.name})")


def _parse_schedule(path: str, v: Any, steps: int) -> dict[str, Any] | None:
    if v is None:
        return None
    names = ", ".join(SCHEDULES)
    d = _keys(path, v, ("name", "params"), "a schedule")
    name = d.get("name")
    if name not in SCHEDULES:
        raise _fail(f"{path}.name", name, f"one of {names}", "is not a schedule")
    sched: Schedule = SCHEDULES[name]
    if name == "constant":
        return None
    given = d.get("params", {}) or {}
    allowed_keys = tuple(p.name for p in sched.params)
    _keys(f"{path}.params", given, allowed_keys, "an object")
    out: dict[str, Any] = {}
    for p in sched.params:
        ppath = f"{path}.params.{p.name}"
        if p.name in given:
            out[p.name] = _parse(p, given[p.name], ppath)
        elif p.required:
            raise ScenarioError(f"{ppath} is missing; {name} needs it ({p.allowed()})")
        else:
            out[p.name] = p.default
    problem = sched.check(out, steps)
    if problem:
        raise ScenarioError(f"{path} ({name}): {problem}")
    return {"name": name, "params": out}


def _parse_run(i: int, v: Any, steps: int) -> RunSpec:
    path = f"runs[{i}]"
    d = _keys(path, v, RUN_KEYS, "a run")
    name = d.get("optimizer")
    if name not in OPTIMIZERS:
        raise _fail(
            f"{path}.optimizer", name, "one of " + ", ".join(OPTIMIZERS), "is not an optimizer"
        )
    opt = OPTIMIZERS[name]
    given = d.get("params", {}) or {}
    _keys(f"{path}.params", given, tuple(p.name for p in opt.params), f"parameters of {name}")
    params: dict[str, Any] = {}
    for p in opt.params:
        if p.name in given:
            params[p.name] = _parse_param(opt, f"{path}.params.{p.name}", p.name, given[p.name])
        else:
            params[p.name] = p.default
    problem = opt.check({**opt.fixed, **params})
    if problem:
        raise ScenarioError(f"{path}.params ({name}): {problem}")
    schedule = _parse_schedule(f"{path}.schedule", d.get("schedule"), steps)
    label = d.get("label", opt.title["en"])
    if not isinstance(label, str) or not label.strip() or len(label) > MAX_LABEL:
        raise _fail(f"{path}.label", label, f"non-empty text of at most {MAX_LABEL} characters")
    return RunSpec(name, params, schedule, label.strip())


def parse_scenario(value: Any) -> Scenario:
    """Validate a JSON-shaped scenario (a dict, or JSON text) and fill in the defaults."""
    if isinstance(value, Scenario):
        return value
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as e:
            raise ScenarioError(f"the scenario is not valid JSON: {e}") from None
    d = _keys("", value, TOP_KEYS, "a scenario")
    if "surface" not in d:
        raise ScenarioError(
            "surface is missing; give a built-in name such as 'rosenbrock' or {\"expr\": ...}"
        )
    surface_spec = _parse_surface(d["surface"])
    surface = make_surface(surface_spec)
    steps = _parse(STEPS, d.get("steps", DEFAULT_STEPS), "steps")

    start_v = d.get("start", list(surface.start))
    allowed = f"[x, y], two finite numbers with |value| <= {MAX_COORD:g}"
    if not isinstance(start_v, (list, tuple)) or len(start_v) != 2:
        raise _fail("start", start_v, allowed, "is not a point")
    start = (_number("start[0]", start_v[0], allowed), _number("start[1]", start_v[1], allowed))
    if max(abs(start[0]), abs(start[1])) > MAX_COORD:
        raise _fail("start", start_v, allowed, "is out of range")

    runs_v = d.get("runs")
    if not isinstance(runs_v, list) or not runs_v:
        raise _fail("runs", runs_v, f"a list of 1 to {MAX_RUNS} runs", "is not a non-empty list")
    if len(runs_v) > MAX_RUNS:
        raise ScenarioError(f"runs has {len(runs_v)} entries; allowed: at most {MAX_RUNS}")
    if len(runs_v) * steps > MAX_RUN_STEPS:
        raise ScenarioError(
            f"runs x steps = {len(runs_v)} x {steps} = {len(runs_v) * steps:,}; allowed: at most "
            f"{MAX_RUN_STEPS:,} run-steps in one scenario"
        )
    runs = tuple(_parse_run(i, r, steps) for i, r in enumerate(runs_v))

    noise_v = _keys("noise", d.get("noise", {}) or {}, ("std", "seed"), "a noise setting")
    std = _parse(NOISE_STD, noise_v.get("std", 0.0), "noise.std")
    seed = _parse(NOISE_SEED, noise_v.get("seed", 0), "noise.seed")
    return Scenario(surface_spec, start, steps, runs, {"std": std, "seed": seed})
