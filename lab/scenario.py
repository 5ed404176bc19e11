"""The scenario: one plain, JSON-shaped configuration used by the app, its URL, files and the CLI.

``parse_scenario(value)`` validates and normalises (defaults filled in); ``Scenario.to_dict()``
gives the normalised JSON value back, so load -> save -> load is the identity. Every
problem raises :class:`ScenarioError` naming the key, the value and what is allowed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.params import Float, Int, Param, ParamError, fail, show, to_float
from optimizers import OPTIMIZERS, resolved_params
from optimizers.base import Optimizer
from optimizers.schedules import SCHEDULES, Schedule, lr_sequence
from surfaces import BUILTIN, Surface, make_surface
from surfaces.data import MAX_SAMPLES, MAX_SEED
from surfaces.data_models import DATASETS

MAX_STEPS = 1_000_000
MAX_RUNS = 1024
MAX_RUN_STEPS = 20_000_000  # runs x steps: bounds memory (~ 64 bytes per run-step)
MAX_COORD = 1e6  # the divergence bound, also the largest allowed start coordinate
MAX_LABEL = 60

TOP_KEYS = ("surface", "start", "steps", "runs", "noise", "batch", "sweep")
RUN_KEYS = ("optimizer", "params", "schedule", "label", "batch", "noise")
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
# The noise is std · N(0, 1) per coordinate: with std ≤ 1e300 a draw would need |z| > 1e8 to
# overflow, which a Gaussian never gives, so every noise value is a finite float64.
MAX_NOISE_STD = 1e300
NOISE_STD = Float("std", 0.0, high=MAX_NOISE_STD)
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
    batch: dict[str, int] | None = None  # this run's own {"size", "seed"}; None: the scenario's
    noise: float | None = None  # this run's own emulated noise std; None: the scenario's

    def to_dict(self) -> dict[str, Any]:
        out = {
            "optimizer": self.optimizer,
            "params": _jsonable(self.params),
            "schedule": _jsonable(self.schedule),
            "label": self.label,
        }
        if self.batch is not None:  # written only when set: older scenarios keep their text
            out["batch"] = dict(self.batch)
        if self.noise is not None:
            out["noise"] = {"std": self.noise}
        return out


@dataclass(frozen=True)
class Scenario:
    surface: str | dict[str, Any]
    start: tuple[float, float]
    steps: int
    runs: tuple[RunSpec, ...]
    noise: dict[str, Any]  # {"std": float, "seed": int}
    batch: dict[str, int] | None = None  # {"size", "seed"} of every run without its own
    sweep: dict[str, Any] | None = None  # the map over one run's parameters (lab.sweep)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "surface": _jsonable(self.surface),
            "start": list(self.start),
            "steps": self.steps,
            "runs": [r.to_dict() for r in self.runs],
            "noise": dict(self.noise),
        }
        if self.batch is not None:
            out["batch"] = dict(self.batch)
        if self.sweep is not None:
            out["sweep"] = _jsonable(self.sweep)
        return out

    def run_noise(self, i: int) -> float:
        """The emulated noise's std run ``i`` steps with: its own, else the scenario's. Every
        run draws the same numbers (the scenario's seed), scaled by its own std."""
        own = self.runs[i].noise
        return own if own is not None else float(self.noise["std"])

    def run_batch(self, i: int) -> dict[str, int] | None:
        """The batch setting run ``i`` uses: its own, else the scenario's (None: all data)."""
        own = self.runs[i].batch
        return own if own is not None else self.batch

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
def _name(path: str, v: Any, table: dict[str, Any], problem: str) -> str:
    """A name from ``table`` (an optimizer, a schedule)."""
    if not isinstance(v, str) or v not in table:
        raise _fail(path, v, "one of " + ", ".join(table), problem)
    return v


def _given(path: str, d: dict[str, Any], specs: tuple[Param, ...], what: str) -> dict[str, Any]:
    """The ``params`` object of ``d``, with no key but those of ``specs``."""
    given = d.get("params", {}) or {}
    return _keys(f"{path}.params", given, tuple(p.name for p in specs), what)


def _fill(
    specs: tuple[Param, ...], given: dict[str, Any], path: str, owner: str, suffix: str = ""
) -> dict[str, Any]:
    """Every parameter of ``specs``: parsed where given, else its default (or missing)."""
    out: dict[str, Any] = {}
    for p in specs:
        ppath = f"{path}.{p.name}"
        if p.name in given:
            out[p.name] = _parse(p, given[p.name], ppath, suffix)
        elif p.required:
            raise ScenarioError(f"{ppath} is missing; {owner} needs it ({p.allowed()})")
        else:
            out[p.name] = p.default
    return out


def _parse_range(key: str, r: Any) -> list[float]:
    allowed = f"two finite numbers [low, high] with low < high, |value| <= {MAX_COORD:g}"
    if not isinstance(r, (list, tuple)) or len(r) != 2:
        raise _fail(f"surface.{key}", r, allowed, "is not a pair")
    lo = _number(f"surface.{key}[0]", r[0], allowed)
    hi = _number(f"surface.{key}[1]", r[1], allowed)
    if not lo < hi or max(abs(lo), abs(hi)) > MAX_COORD:
        raise _fail(f"surface.{key}", r, allowed)
    return [lo, hi]


def _custom_surface(v: dict[str, Any]) -> dict[str, Any]:
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
        out[key] = _parse_range(key, d.get(key, [-3.0, 3.0]))
    try:
        make_surface(out)  # the formula is checked here, with its own message
    except ValueError as e:
        raise ScenarioError(f"surface.expr: {e}") from None
    return out


def _parse_surface(v: Any) -> str | dict[str, Any]:
    allowed = f'one of {", ".join(BUILTIN)}, or an object {{"expr": ...}} or {{"data": ...}}'
    if isinstance(v, dict) and "data" in v:
        return parse_data_surface(v)
    if isinstance(v, dict):
        return _custom_surface(v)
    if not isinstance(v, str):
        raise _fail("surface", v, allowed, "is not a surface name or object")
    if v not in BUILTIN:
        raise _fail("surface", v, allowed, "is not a built-in surface")
    return v


def _parse_schedule(path: str, v: Any, steps: int) -> dict[str, Any] | None:
    if v is None:
        return None
    d = _keys(path, v, ("name", "params"), "a schedule")
    name = _name(f"{path}.name", d.get("name"), SCHEDULES, "is not a schedule")
    if name == "constant":
        return None
    sched: Schedule = SCHEDULES[name]
    given = _given(path, d, sched.params, "an object")
    out = _fill(sched.params, given, f"{path}.params", name)
    problem = sched.check(out, steps)
    if problem:
        raise ScenarioError(f"{path} ({name}): {problem}")
    return {"name": name, "params": out}


def _check_rates(path: str, lr: float, schedule: dict[str, Any] | None, steps: int) -> None:
    """Every step's learning rate must be a finite float64 (cosine with η_min near 1.8e308
    overflows in (η − η_min)(1 + cos), one-cycle with tiny divisors): the schedule is
    computed once here, cheaply, vectorised over the steps."""
    if schedule is None:
        return
    with np.errstate(all="ignore"):
        rates = lr_sequence(schedule["name"], lr, schedule["params"], steps)
    bad = ~np.isfinite(rates)
    if bad.any():
        k = int(np.argmax(bad))
        raise ScenarioError(
            f"{path} ({schedule['name']}) with lr = {lr:g} and {show(schedule['params'])} gives "
            f"the learning rate {rates[k]} at step {k}; allowed: parameters whose learning rate "
            "is a finite float64 (below about 1.8e308) at every step"
        )


LABEL_ALLOWED = (
    f"non-empty text of at most {MAX_LABEL} characters, none of them a control or format "
    "character (a new line, a bidirectional override)"
)


def label_ok(text: str) -> bool:
    """A run label a legend, a tab and a file can show as it is: short, one visible line."""
    return bool(text.strip()) and len(text) <= MAX_LABEL and all(c.isprintable() for c in text)


def _parse_label(path: str, label: Any) -> str:
    if not isinstance(label, str) or not label_ok(label):
        raise _fail(f"{path}.label", label, LABEL_ALLOWED)
    return label.strip()


def _parse_run(i: int, v: Any, steps: int, samples: int | None = None) -> RunSpec:
    path = f"runs[{i}]"
    d = _keys(path, v, RUN_KEYS, "a run")
    name = _name(f"{path}.optimizer", d.get("optimizer"), OPTIMIZERS, "is not an optimizer")
    opt: Optimizer = OPTIMIZERS[name]
    given = _given(path, d, opt.params, f"parameters of {name}")
    params = _fill(opt.params, given, f"{path}.params", name, f" (for {name})")
    problem = opt.check({**opt.fixed, **params})
    if problem:
        raise ScenarioError(f"{path}.params ({name}): {problem}")
    schedule = _parse_schedule(f"{path}.schedule", d.get("schedule"), steps)
    _check_rates(f"{path}.schedule", params["lr"], schedule, steps)
    label = _parse_label(path, d.get("label", opt.title["en"]))
    batch = parse_batch(f"{path}.batch", d.get("batch"), samples, steps)
    noise = None  # its own std; the seed is the scenario's (common random numbers)
    if d.get("noise") is not None:
        own = _keys(f"{path}.noise", d["noise"], ("std",), 'a run\'s noise setting ({"std": number})')
        noise = _parse(NOISE_STD, own.get("std", 0.0), f"{path}.noise.std")
    return RunSpec(name, params, schedule, label, batch, noise)


def _parse_start(v: Any) -> tuple[float, float]:
    allowed = f"[x, y], two finite numbers with |value| <= {MAX_COORD:g}"
    if not isinstance(v, (list, tuple)) or len(v) != 2:
        raise _fail("start", v, allowed, "is not a point")
    start = (_number("start[0]", v[0], allowed), _number("start[1]", v[1], allowed))
    if max(abs(start[0]), abs(start[1])) > MAX_COORD:
        raise _fail("start", v, allowed, "is out of range")
    return start


def _check_start(start: tuple[float, float], surface: Surface) -> None:
    """A start where the loss or its gradient is not finite (outside a formula's domain)
    gives no first step."""
    p = np.asarray(start, dtype=float)
    with np.errstate(all="ignore"):
        ok = np.isfinite(surface.value(p)) and np.isfinite(surface.grad(p)).all()
    if not ok:
        raise _fail(
            "start",
            list(start),
            "a point where the surface and its gradient are finite",
            "is invalid",
        )


def _check_decay_at_start(
    runs: tuple[RunSpec, ...], start: tuple[float, float], surface: Surface
) -> None:
    """A run with L2 weight decay λ minimises L + λ/2·|θ|² (what its verdict judges): that
    objective and its gradient g + λθ must be finite at the start too."""
    p = np.asarray(start, dtype=float)
    with np.errstate(all="ignore"):
        loss = float(surface.value(p))
        grad = np.asarray(surface.grad(p), dtype=float)
        for i, run in enumerate(runs):
            lam = OPTIMIZERS[run.optimizer].l2_decay(resolved_params(OPTIMIZERS[run.optimizer], run.params))
            g = grad + lam * p
            ok = np.isfinite(loss + 0.5 * lam * float(p @ p)) and np.isfinite(np.hypot(*g))
            if lam > 0 and not ok:
                raise _fail(
                    f"runs[{i}].params.weight_decay",
                    lam,
                    f"a weight decay λ for which L + λ/2·|θ|² is finite at the start {list(start)}",
                    "is too large",
                )


def _parse_runs(v: Any, steps: int, samples: int | None = None) -> tuple[RunSpec, ...]:
    if not isinstance(v, list) or not v:
        raise _fail("runs", v, f"a list of 1 to {MAX_RUNS} runs", "is not a non-empty list")
    if len(v) > MAX_RUNS:
        raise ScenarioError(f"runs has {len(v)} entries; allowed: at most {MAX_RUNS}")
    if len(v) * steps > MAX_RUN_STEPS:
        raise ScenarioError(
            f"runs x steps = {len(v)} x {steps} = {len(v) * steps:,}; allowed: at most "
            f"{MAX_RUN_STEPS:,} run-steps in one scenario"
        )
    return tuple(_parse_run(i, r, steps, samples) for i, r in enumerate(v))


def _parse_noise(v: Any) -> dict[str, Any]:
    d = _keys("noise", v or {}, ("std", "seed"), "a noise setting")
    std = _parse(NOISE_STD, d.get("std", 0.0), "noise.std")
    seed = _parse(NOISE_SEED, d.get("seed", 0), "noise.seed")
    return {"std": std, "seed": seed}


def _load(value: Any) -> dict[str, Any]:
    """The scenario as a dict of known keys (JSON text is decoded first)."""
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
    return d


def parse_scenario(value: Any) -> Scenario:
    """Validate a JSON-shaped scenario (a dict, or JSON text) and fill in the defaults."""
    if isinstance(value, Scenario):
        return value
    d = _load(value)
    surface_spec = _parse_surface(d["surface"])
    surface = make_surface(surface_spec)
    steps = _parse(STEPS, d.get("steps", DEFAULT_STEPS), "steps")
    start = _parse_start(d.get("start", list(surface.start)))
    _check_start(start, surface)
    samples = data_samples(surface_spec)
    batch = parse_batch("batch", d.get("batch"), samples, steps)
    runs = _parse_runs(d.get("runs"), steps, samples)
    _check_decay_at_start(runs, start, surface)
    noise = _parse_noise(d.get("noise", {}))
    sweep = _parse_sweep(d.get("sweep"), runs, steps, batch)
    return Scenario(surface_spec, start, steps, runs, noise, batch, sweep)


def _parse_sweep(
    v: Any, runs: tuple[RunSpec, ...], steps: int, batch: dict[str, int] | None
) -> dict[str, Any] | None:
    """The ``sweep`` key: a map over parameters of one run, checked against that run's own
    parameters (``lab.sweep_spec``; imported here, it imports this module). A map steps on
    the whole data set: its run may not be on mini-batches."""
    if v is None:
        return None
    from lab.sweep_spec import parse_sweep

    out = parse_sweep(v, runs, steps)
    i = out["run"]
    if (runs[i].batch if runs[i].batch is not None else batch) is not None:
        raise ScenarioError(
            f"sweep.run = {i} is on mini-batches; allowed: a map of a run on the whole data set "
            "(remove its batch setting: a map's cells do not step on batches)"
        )
    return out


# --- data sets and mini-batches -------------------------------------------------------------
BATCH_KEYS = ("size", "seed")
BATCH_SIZE = Int("size", low=1, high=MAX_SAMPLES)
BATCH_SEED = Int("seed", 0, high=MAX_SEED)
MAX_SAMPLE_STEPS = 20_000_000  # steps x batch size: the (steps, B) sample indices kept


def parse_data_surface(v: dict[str, Any]) -> dict[str, Any]:
    """``{"data": name, <that data set's parameters>}``, every parameter filled in."""
    name = _name("surface.data", v["data"], DATASETS, "is not a data set")
    model = DATASETS[name]
    d = _keys("surface", v, ("data", *(p.name for p in model.params)), f"a {name} data set")
    values = _fill(model.params, {k: x for k, x in d.items() if k != "data"}, "surface", name)
    return {"data": name, **values}


def data_samples(spec: str | dict[str, Any]) -> int | None:
    """The number of samples of a data-set surface (None for any other surface)."""
    return spec["samples"] if isinstance(spec, dict) and "data" in spec else None


def parse_batch(
    path: str, v: Any, samples: int | None, steps: int
) -> dict[str, int] | None:
    """``{"size": B, "seed": s}`` or None. B >= N means the whole data set (one step per
    epoch); a smaller B keeps steps x B sample indices, at most MAX_SAMPLE_STEPS."""
    if v is None:
        return None
    d = _keys(path, v, BATCH_KEYS, "a batch setting")
    if samples is None:
        raise _fail(
            path,
            v,
            'no batch, or a data-set surface such as {"data": "linear_regression"}',
            "applies only to a data-set surface",
        )
    if "size" not in d:
        raise ScenarioError(f"{path}.size is missing; a batch needs its size ({BATCH_SIZE.allowed()})")
    size = _parse(BATCH_SIZE, d["size"], f"{path}.size")
    seed = _parse(BATCH_SEED, d.get("seed", 0), f"{path}.seed")
    if size < samples and steps * size > MAX_SAMPLE_STEPS:
        raise ScenarioError(
            f"steps x {path}.size = {steps} x {size} = {steps * size:,}; allowed: at most "
            f"{MAX_SAMPLE_STEPS:,} sample indices (lower the steps to "
            f"{MAX_SAMPLE_STEPS // size:,} or the batch size to {max(1, MAX_SAMPLE_STEPS // steps):,})"
        )
    return {"size": size, "seed": seed}
