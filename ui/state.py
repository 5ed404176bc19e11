"""The app's whole state (scenario + view options) and its two encodings: URL query
parameters and widget values. Pure functions, no Streamlit, so they are tested directly.

URL scheme (only values that differ from the defaults are written)::

    lang=zh  present=1  view=3d  arrows=grad,update,momentum  step=120
    surface=rosenbrock | surface=custom&expr=x**2+10*y**2&xr=-3,3&yr=-3,3
    start=-9,1  steps=300  batch=16  seed=0
    r0=adam  r0.lr=0.1  r0.betas=0.9,0.999  r0.amsgrad=1  r0.label=Adam
    r0.s=cosine  r0.s.T_max=300

``rN`` is run N's engine optimizer name, ``rN.<param>`` its torch-named parameters,
``rN.s`` its learning-rate schedule and ``rN.s.<param>`` the schedule's parameters.

Gradient noise is shown as an emulated mini-batch of B examples: each example's gradient
is taken to scatter around the true one with a per-coordinate standard deviation of
``NOISE_PER_EXAMPLE`` times the gradient norm at the start, so a batch of B averages to a
standard deviation of that divided by sqrt(B); "full batch" is no noise at all.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np

from core.params import Param, ParamError
from lab.scenario import MAX_COORD, MAX_LABEL, ScenarioError, parse_scenario
from optimizers import OPTIMIZERS
from optimizers.schedules import SCHEDULES
from surfaces import BUILTIN, Surface, make_surface

LANGS = ("en", "zh")
VIEWS = ("map", "3d")
ARROWS = ("grad", "update", "momentum")
MAX_RUNS = 6
MAX_STEPS = 100_000
NOISE_PER_EXAMPLE = 1.0  # sigma_1 / |grad L(start)|
BATCH_CHOICES = (4096.0, 1024.0, 256.0, 64.0, 16.0, 4.0, 1.0)
CUSTOM = "custom"
DEFAULT_EXPR = "x**2 + 10*y**2"
DEFAULT_RANGE = (-3.0, 3.0)

# Optimizer families: what the user picks; the switches choose the engine name within.
FAMILIES: dict[str, tuple[str, ...]] = {
    "sgd": ("sgd",),
    "momentum": ("momentum", "nesterov"),
    "adagrad": ("adagrad", "adagrad_lecture"),
    "rmsprop": ("rmsprop", "rmsprop_lecture"),
    "adam": ("adam", "adamw", "amsgrad"),
    "nadam": ("nadam",),
    "radam": ("radam",),
    "adadelta": ("adadelta",),
}
FAMILY_OF = {name: fam for fam, names in FAMILIES.items() for name in names}
# Switches that pick another engine optimizer rather than set a parameter:
# switch -> {family: (engine name when off, engine name when on)}.
NAME_SWITCHES: dict[str, dict[str, tuple[str, str]]] = {
    "lecture": {
        "adagrad": ("adagrad", "adagrad_lecture"),
        "rmsprop": ("rmsprop", "rmsprop_lecture"),
    },
    "nesterov": {"momentum": ("momentum", "nesterov")},
    "decoupled": {"adam": ("adam", "adamw")},
}
# Short, language-neutral names for automatic labels. The lecture's Adagrad and RMSProp
# are this course's plain "Adagrad" and "RMSProp"; torch's forms are marked.
SHORT_NAMES = {
    "sgd": "GD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "Adagrad (torch)",
    "adagrad_lecture": "Adagrad",
    "rmsprop": "RMSProp (torch)",
    "rmsprop_lecture": "RMSProp",
    "adam": "Adam",
    "adamw": "AdamW",
    "amsgrad": "AMSGrad",
    "nadam": "NAdam",
    "radam": "RAdam",
    "adadelta": "Adadelta",
}
# Schedule parameters the UI sets itself: OneCycle must cover every step, and momentum
# cycling is not modelled by the engine.
SCHEDULE_AUTO = {"onecycle": ("total_steps", "cycle_momentum")}


@dataclass
class RunState:
    optimizer: str
    params: dict[str, Any] = field(default_factory=dict)  # engine names; missing = default
    schedule: dict[str, Any] | None = None  # {"name", "params"}; None = constant
    label: str = ""  # "" = automatic: short optimizer name and eta (see auto_labels)


@dataclass
class AppState:
    surface: str = "ravine"  # a built-in name, or CUSTOM
    expr: str = DEFAULT_EXPR
    x_range: tuple[float, float] = DEFAULT_RANGE
    y_range: tuple[float, float] = DEFAULT_RANGE
    start: tuple[float, float] | None = None  # None: the surface's own start
    steps: int = 300
    runs: list[RunState] = field(default_factory=list)
    batch: float | None = None  # None: full batch (no noise)
    seed: int = 0
    lang: str = "en"
    present: bool = False
    view: str = "map"
    arrows: tuple[str, ...] = ()
    step: int = 0  # the step under the app's slider (and the map's first frame)


def default_runs() -> list[RunState]:
    """The lecture's ravine story in three runs: GD with eta = 1e-2 bounces between the walls
    (oscillating), GD with a tiny eta creeps (crawling), Adam's per-parameter steps reach
    the minimum."""
    return [
        RunState("sgd", {"lr": 1e-2}),
        RunState("sgd", {"lr": 1e-4}),
        RunState("adam", {"lr": 0.1}),
    ]


def default_state() -> AppState:
    return AppState(runs=default_runs())


@dataclass(frozen=True)
class Ignored:
    """A URL parameter that was not used: its name, the value given and what is allowed."""

    name: str
    value: str
    allowed: str


# --- the surface --------------------------------------------------------------------------
def surface_spec(state: AppState) -> str | dict[str, Any]:
    if state.surface == CUSTOM:
        return {"expr": state.expr, "x_range": list(state.x_range), "y_range": list(state.y_range)}
    return state.surface


@lru_cache(maxsize=32)
def _surface(spec_json: str) -> Surface:
    return make_surface(json.loads(spec_json))


def build_surface(spec: str | dict[str, Any]) -> Surface:
    """The surface of a scenario value (cached: a formula is parsed once, not every rerun).
    Raises ValueError for a bad formula."""
    return _surface(json.dumps(spec, sort_keys=True))


def start_of(state: AppState) -> tuple[float, float]:
    if state.start is not None:
        return state.start
    return tuple(float(c) for c in build_surface(surface_spec(state)).start)  # type: ignore[return-value]


def _default_start(state: AppState) -> tuple[float, float] | None:
    try:
        return tuple(float(c) for c in build_surface(surface_spec(state)).start)  # type: ignore[return-value]
    except (ValueError, ImportError):
        return None


def noise_std(batch: float | None, surface: Surface, start: tuple[float, float]) -> float:
    """Per-coordinate gradient noise of a mini-batch of ``batch`` examples (module docstring)."""
    if batch is None:
        return 0.0
    with np.errstate(all="ignore"):
        g0 = float(np.linalg.norm(surface.grad(np.asarray(start, dtype=float))))
    if not math.isfinite(g0):
        return 0.0
    return NOISE_PER_EXAMPLE * g0 / math.sqrt(batch)


def batch_from_std(std: float, surface: Surface, start: tuple[float, float]) -> float | None:
    """The inverse of ``noise_std`` (for scenarios that give the noise as a number)."""
    if std <= 0:
        return None
    g0 = float(np.linalg.norm(surface.grad(np.asarray(start, dtype=float))))
    if not (math.isfinite(g0) and g0 > 0):
        return None
    return float(f"{(NOISE_PER_EXAMPLE * g0 / std) ** 2:.6g}")


# --- state <-> scenario -------------------------------------------------------------------
def run_params(run: RunState) -> dict[str, Any]:
    """The run's parameters restricted to what its optimizer takes, defaults filled in."""
    opt = OPTIMIZERS[run.optimizer]
    return {p.name: run.params.get(p.name, p.default) for p in opt.params}


def to_scenario(state: AppState) -> dict[str, Any]:
    """The engine scenario of ``state`` (not yet validated: pass it to parse_scenario).
    Raises ValueError when the surface cannot be built (a bad formula)."""
    spec = surface_spec(state)
    surface = build_surface(spec)
    start = start_of(state)
    labels = auto_labels(state.runs)
    runs = []
    for i, run in enumerate(state.runs):
        d: dict[str, Any] = {"optimizer": run.optimizer, "params": run_params(run)}
        if run.schedule is not None:
            sp = {
                **schedule_defaults(run.schedule["name"], d["params"]["lr"], state.steps),
                **run.schedule.get("params", {}),
            }
            if run.schedule["name"] == "onecycle":
                sp["total_steps"] = state.steps
                sp["cycle_momentum"] = False
            d["schedule"] = {"name": run.schedule["name"], "params": sp}
        d["label"] = labels[i]
        runs.append(d)
    return {
        "surface": spec,
        "start": list(start),
        "steps": state.steps,
        "runs": runs,
        "noise": {"std": noise_std(state.batch, surface, start), "seed": state.seed},
    }


def from_scenario(value: Any, view: AppState) -> AppState:
    """A validated scenario (a preset file) as app state; view options come from ``view``.
    Raises ScenarioError (a ValueError) when the scenario is invalid."""
    sc = parse_scenario(value).to_dict()
    if len(sc["runs"]) > MAX_RUNS:
        raise ScenarioError(
            f"runs has {len(sc['runs'])} entries; this app shows at most {MAX_RUNS}"
        )
    if sc["steps"] > MAX_STEPS:
        raise ScenarioError(f"steps = {sc['steps']}; this app runs at most {MAX_STEPS}")
    spec = sc["surface"]
    surface = build_surface(spec)
    start = (float(sc["start"][0]), float(sc["start"][1]))
    st = replace(view, runs=[], step=0)
    if isinstance(spec, dict):
        st.surface, st.expr = CUSTOM, spec["expr"]
        st.x_range, st.y_range = tuple(spec["x_range"]), tuple(spec["y_range"])  # type: ignore[assignment]
    else:
        st.surface = spec
    st.start = None if start == tuple(surface.start) else start
    st.steps = sc["steps"]
    st.batch = batch_from_std(sc["noise"]["std"], surface, start)
    st.seed = sc["noise"]["seed"]
    for r in sc["runs"]:
        params = {k: tuple(v) if isinstance(v, list) else v for k, v in r["params"].items()}
        sched = r["schedule"]
        if sched is not None:
            auto = SCHEDULE_AUTO.get(sched["name"], ())
            sched = {
                "name": sched["name"],
                "params": {k: v for k, v in sched["params"].items() if k not in auto},
            }
        st.runs.append(normalize_run(RunState(r["optimizer"], params, sched, r["label"])))
    return st


def auto_labels(runs: list[RunState]) -> list[str]:
    """Each run's label: its own, or "GD η=0.01"-style text that is the same in every
    language (so switching the language does not change the scenario and recompute)."""
    out = []
    for run in runs:
        if run.label:
            out.append(run.label)
            continue
        text = f"{SHORT_NAMES[run.optimizer]} η={fmt_short(run_params(run)['lr'])}"
        if run.schedule is not None:
            text += f" ({run.schedule['name']})"
        out.append(text)
    repeated = {label for label in out if out.count(label) > 1}
    out = [f"{label} #{i + 1}" if label in repeated else label for i, label in enumerate(out)]
    return [label[:MAX_LABEL] for label in out]


def fmt_short(v: float) -> str:
    """A hyperparameter for a label or a slider, the way the lecture writes it: 0.01, 0.3,
    1e-4, 2e-7, 10."""
    v = float(v)
    if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e4):
        mant, exp = f"{v:.2e}".split("e")
        mant = mant.rstrip("0").rstrip(".")
        return f"{mant}e{int(exp)}"
    return f"{v:.3g}"


def normalize_run(run: RunState) -> RunState:
    """'amsgrad' is Adam with amsgrad on: show it as the Adam family with its switch."""
    if run.optimizer == "amsgrad":
        return replace(run, optimizer="adam", params={**run.params, "amsgrad": True})
    return run


# --- numbers in text ----------------------------------------------------------------------
def fmt_num(v: float) -> str:
    """Shortest text that reads back to the same float (for URLs and labels)."""
    if isinstance(v, bool):
        return "1" if v else "0"
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(float(v))


def _float(text: str) -> float | None:
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _pair(text: str) -> tuple[float, float] | None:
    parts = str(text).split(",")
    if len(parts) != 2:
        return None
    a, b = _float(parts[0]), _float(parts[1])
    if a is None or b is None:
        return None
    return (a, b)


def _int(text: str, lo: int, hi: int) -> int | None:
    v = _float(text)
    if v is None or not v.is_integer() or not lo <= v <= hi:
        return None
    return int(v)


def _bool(text: str) -> bool | None:
    return {"1": True, "true": True, "0": False, "false": False}.get(str(text).lower())


# --- URL encoding -------------------------------------------------------------------------
def encode(state: AppState) -> dict[str, str]:
    """The query parameters of ``state``; defaults are left out so links stay short."""
    d = default_state()
    q: dict[str, str] = {}
    if state.lang != d.lang:
        q["lang"] = state.lang
    if state.present:
        q["present"] = "1"
    if state.view != d.view:
        q["view"] = state.view
    if state.arrows:
        q["arrows"] = ",".join(state.arrows)
    if state.step:
        q["step"] = str(state.step)
    if state.surface != d.surface:
        q["surface"] = state.surface
    if state.surface == CUSTOM:
        q["expr"] = state.expr
        q["xr"] = ",".join(fmt_num(v) for v in state.x_range)
        q["yr"] = ",".join(fmt_num(v) for v in state.y_range)
    if state.start is not None and state.start != _default_start(state):
        q["start"] = ",".join(fmt_num(v) for v in state.start)
    if state.steps != d.steps:
        q["steps"] = str(state.steps)
    if state.batch is not None:
        q["batch"] = fmt_num(state.batch)
    if state.seed != d.seed:
        q["seed"] = str(state.seed)
    if [encode_run(r) for r in state.runs] != [encode_run(r) for r in d.runs]:
        for i, run in enumerate(state.runs):
            for k, v in encode_run(run).items():
                q[f"r{i}{k}"] = v
    return q


def encode_run(run: RunState) -> dict[str, str]:
    opt = OPTIMIZERS[run.optimizer]
    q = {"": run.optimizer}
    for p in opt.params:
        v = run.params.get(p.name, p.default)
        if v == p.default:
            continue
        q[f".{p.name}"] = p.to_text(v)
    if run.schedule is not None:
        q[".s"] = run.schedule["name"]
        sched = SCHEDULES[run.schedule["name"]]
        kinds = {sp.name: sp for sp in sched.params}
        for k, v in run.schedule.get("params", {}).items():
            if k in kinds and v != kinds[k].default:
                q[f".s.{k}"] = kinds[k].to_text(v)
    if run.label:
        q[".label"] = run.label
    return q


def _first(v: str | list[str]) -> str:
    return v[-1] if isinstance(v, list) else v


def decode(query: Mapping[str, str | list[str]]) -> tuple[AppState, list[Ignored]]:
    """App state from query parameters. Never raises: every parameter that is malformed, out
    of range or unknown is left at its default and reported as ``Ignored``."""
    q = {k: _first(v) for k, v in query.items()}
    st = default_state()
    bad: list[Ignored] = []
    used: set[str] = set()

    def take(name: str) -> str | None:
        used.add(name)
        return q.get(name)

    def reject(name: str, allowed: str) -> None:
        bad.append(Ignored(name, q[name], allowed))

    if (v := take("lang")) is not None:
        if v in LANGS:
            st.lang = v
        else:
            reject("lang", "en, zh")
    if (v := take("present")) is not None:
        b = _bool(v)
        if b is None:
            reject("present", "1 or 0")
        else:
            st.present = b
    if (v := take("view")) is not None:
        if v in VIEWS:
            st.view = v
        else:
            reject("view", ", ".join(VIEWS))
    if (v := take("arrows")) is not None:
        kinds = [k for k in v.split(",") if k]
        if all(k in ARROWS for k in kinds):
            st.arrows = tuple(k for k in ARROWS if k in kinds)
        else:
            reject("arrows", "a comma list of " + ", ".join(ARROWS))
    if (v := take("steps")) is not None:
        n = _int(v, 1, MAX_STEPS)
        if n is None:
            reject("steps", f"an integer from 1 to {MAX_STEPS}")
        else:
            st.steps = n
    if (v := take("step")) is not None:
        n = _int(v, 0, MAX_STEPS)
        if n is None:
            reject("step", f"an integer from 0 to {MAX_STEPS}")
        else:
            st.step = min(n, st.steps)
    if (v := take("batch")) is not None:
        b = _float(v)
        if b is None or not 1 <= b <= 1e9:
            reject("batch", "a batch size >= 1 (leave it out for the full batch)")
        else:
            st.batch = b
    if (v := take("seed")) is not None:
        n = _int(v, 0, 2**32 - 1)
        if n is None:
            reject("seed", "an integer from 0 to 4294967295")
        else:
            st.seed = n
    _decode_surface(q, st, take, reject)
    if (v := take("start")) is not None:
        p = _pair(v)
        if p is None or max(abs(p[0]), abs(p[1])) > MAX_COORD:
            reject("start", "x,y with |x|, |y| <= 1e6")
        else:
            st.start = p
    _decode_runs(q, st, used, bad)

    for name in q:
        if name not in used:
            bad.append(Ignored(name, q[name], "not a parameter of this app"))

    # Cross-field rules (Nesterov needs momentum, OneCycle's bounds, a start where the
    # formula is defined) are the engine's: if it refuses the result, keep the defaults.
    try:
        parse_scenario(to_scenario(st))
    except ValueError as e:
        fallback = default_state()
        bad.append(Ignored("scenario", "", str(e)))
        st = replace(fallback, lang=st.lang, present=st.present, view=st.view, arrows=st.arrows)
    return st, bad


def _decode_surface(q: dict[str, str], st: AppState, take: Any, reject: Any) -> None:
    v = take("surface")
    if v is None and "expr" in q:
        v = CUSTOM  # a formula alone means a custom surface
    if v is None:
        take("expr"), take("xr"), take("yr")
        return
    if v != CUSTOM and v not in BUILTIN:
        reject("surface", ", ".join([*BUILTIN, CUSTOM]))
        take("expr"), take("xr"), take("yr")
        return
    if v != CUSTOM:
        st.surface = v
        return
    expr = take("expr")
    xr, yr = take("xr"), take("yr")
    ranges = []
    for name, text in (("xr", xr), ("yr", yr)):
        if text is None:
            ranges.append(DEFAULT_RANGE)
            continue
        p = _pair(text)
        if p is None or not p[0] < p[1] or max(abs(p[0]), abs(p[1])) > MAX_COORD:
            reject(name, "lo,hi with lo < hi")
            ranges.append(DEFAULT_RANGE)
        else:
            ranges.append(p)
    if not expr:
        bad_name = "expr" if "expr" in q else "surface"
        if bad_name in q:
            reject(bad_name, "a formula in x and y, e.g. x**2 + 10*y**2")
        return
    try:
        build_surface({"expr": expr, "x_range": list(ranges[0]), "y_range": list(ranges[1])})
    except (ValueError, ImportError) as e:
        reject("expr", str(e))
        return
    st.surface, st.expr = CUSTOM, expr
    st.x_range, st.y_range = ranges[0], ranges[1]


def _decode_runs(q: dict[str, str], st: AppState, used: set[str], bad: list[Ignored]) -> None:
    indices = sorted(int(k[1:]) for k in q if k.startswith("r") and k[1:].isdigit() and len(k) < 6)
    if not indices:
        return
    runs: list[RunState] = []
    for i in indices:
        key = f"r{i}"
        used.add(key)
        name = q[key]
        prefix = f"{key}."
        keys = [k for k in q if k.startswith(prefix)]
        used.update(keys)
        if i >= MAX_RUNS:
            bad.append(Ignored(key, name, f"at most {MAX_RUNS} runs (r0 .. r{MAX_RUNS - 1})"))
            continue
        if name not in OPTIMIZERS:
            bad.append(Ignored(key, name, ", ".join(OPTIMIZERS)))
            continue
        run = RunState(name)
        sched_name = q.get(f"{key}.s")
        for k in keys:
            sub = k[len(prefix) :]
            text = q[k]
            if sub == "label":
                if text.strip() and len(text) <= MAX_LABEL:
                    run.label = text.strip()
                else:
                    bad.append(Ignored(k, text, f"1 to {MAX_LABEL} characters"))
            elif sub == "s" or sub.startswith("s."):
                continue
            else:
                _decode_param(OPTIMIZERS[name], sub, k, text, run, bad)
        if sched_name is not None:
            run.schedule = _decode_schedule(key, sched_name, q, keys, bad)
        runs.append(normalize_run(run))
    if runs:
        st.runs = runs


def _decode_param(
    opt: Any, sub: str, key: str, text: str, run: RunState, bad: list[Ignored]
) -> None:
    try:
        p: Param = opt.param(sub)
    except KeyError:
        bad.append(
            Ignored(
                key,
                text,
                "parameters of " + opt.name + ": " + ", ".join(x.name for x in opt.params),
            )
        )
        return
    try:
        run.params[p.name] = p.from_text(text, key)
    except ParamError:
        bad.append(Ignored(key, text, p.allowed()))


def _decode_schedule(
    key: str, name: str, q: dict[str, str], keys: list[str], bad: list[Ignored]
) -> dict[str, Any] | None:
    if name not in SCHEDULES:
        bad.append(Ignored(f"{key}.s", name, ", ".join(SCHEDULES)))
        return None
    if name == "constant":
        return None
    sched = SCHEDULES[name]
    auto = SCHEDULE_AUTO.get(name, ())
    params: dict[str, Any] = {}
    prefix = f"{key}.s."
    for k in keys:
        if not k.startswith(prefix):
            continue
        sub, text = k[len(prefix) :], q[k]
        sp = next((p for p in sched.params if p.name == sub and p.name not in auto), None)
        if sp is None:
            bad.append(
                Ignored(
                    k,
                    text,
                    f"parameters of {name}: "
                    + ", ".join(p.name for p in sched.params if p.name not in auto),
                )
            )
            continue
        try:
            params[sub] = sp.from_text(text, k)
        except ParamError:
            bad.append(Ignored(k, text, sp.allowed()))
    return {"name": name, "params": params}


def schedule_defaults(name: str, lr: float, steps: int) -> dict[str, Any]:
    """Starting values for a schedule the user just picked: the engine's defaults, and for
    its required parameters values that fit the current number of steps."""
    sched = SCHEDULES[name]
    auto = SCHEDULE_AUTO.get(name, ())
    out: dict[str, Any] = {}
    for p in sched.params:
        if p.name in auto:
            continue
        if p.default is not None:
            out[p.name] = p.default
    if name == "step":
        out["step_size"] = max(1, steps // 3)
    elif name == "exponential":
        out["gamma"] = float(f"{0.01 ** (1 / max(steps, 1)):.4g}")  # down to 1 % at the end
    elif name == "cosine":
        out["T_max"] = max(1, steps)
    elif name == "warmup_cosine":
        out["total_iters"] = max(1, steps // 10)
        out["T_max"] = max(1, steps - out["total_iters"])
    elif name == "linear":
        out["total_iters"] = max(1, steps // 5)
    elif name == "onecycle":
        out["max_lr"] = lr
    return out
