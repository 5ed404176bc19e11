"""The shareable URL: ``encode(state)`` -> query parameters, ``decode(query)`` -> state.

URL scheme (only values that differ from the defaults are written)::

    lang=zh  present=1  view=3d  arrows=grad,update,momentum  step=120
    zoom=0,60  panels=loss,grad_norm,step,eff_lr  pins=step:0,loss:1:1  (``ui.url_view``)
    surface=rosenbrock | surface=custom&expr=x**2+10*y**2&xr=-3,3&yr=-3,3
    start=-9,1  steps=300  batch=16  seed=0
    r0=adam  r0.lr=0.1  r0.betas=0.9,0.999  r0.amsgrad=1  r0.label=Adam
    r0.s=cosine  r0.s.T_max=300

``rN`` is run N's engine optimizer name, ``rN.<param>`` its torch-named parameters,
``rN.s`` its learning-rate schedule and ``rN.s.<param>`` the schedule's parameters,
``rN.batch`` its own emulated batch (``full``: exact gradients, or a size; else ``batch``).

Every value is read and written by its ``core.params`` kind (``from_text`` / ``to_text``),
so a malformed or out-of-range value is named with what that kind allows. Decoding never
raises: what cannot be used is left at its default and reported as ``Ignored``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from core.params import SHOWN_CHARS, Bool, Choice, Float, Int, Pair, Param, ParamError
from core.text import LANGS
from figures.style import ARROW_KINDS
from lab.scenario import BATCH_SEED, BATCH_SIZE, LABEL_ALLOWED, MAX_COORD, label_ok, parse_scenario
from lab.seeds import MAX_SEEDS
from optimizers import OPTIMIZERS
from optimizers.schedules import SCHEDULES
from surfaces import BUILTIN
from surfaces.data_models import DATASETS
from ui.batch_keys import BatchKeys, apply_link, link_parts
from ui.model import (
    CUSTOM,
    DEFAULT_RANGE,
    FULL_BATCH,
    LOSS_AXES,
    MAX_BATCH,
    MAX_RUNS,
    MAX_STEPS,
    SCHEDULE_AUTO,
    STEP_AXES,
    VIEW_KEYS,
    VIEWS,
    AppState,
    RunState,
    default_state,
    normalize_run,
    schedule_params,
)
from ui.scenario import build_surface, default_start, to_scenario
from ui.url_view import decode_view, encode_view

MAX_SEED = 2**32 - 1
COORD = Float("coordinate", low=-MAX_COORD, high=MAX_COORD)

# The top-level parameters, each named like the AppState field it sets, in URL order.
VIEW_FIELDS: tuple[Param, ...] = (
    Choice("lang", "en", choices=LANGS),
    Bool("present", False),
    Choice("view", "map", choices=VIEWS),
    # The classroom view (issue 11): loss axis, whole paths, local model, a preset's zoom.
    Choice("loss_axis", "linear", choices=LOSS_AXES),
    Bool("whole", False),
    Int("local", 0, low=0, high=MAX_RUNS),
    Pair("zoom", item=Float("step", low=0, high=MAX_STEPS), parts=("from", "to")),
    Pair("map_x", item=COORD, parts=("lo", "hi")),
    Pair("map_y", item=COORD, parts=("lo", "hi")),
    Choice("axis", "updates", choices=STEP_AXES),  # the panels' step axis on a data set
    Int("seeds", 0, low=0, high=MAX_SEEDS),  # the batch runs' ends over this many seeds (lab.seeds)
)
ARROW = Choice("arrows", choices=ARROW_KINDS)  # one item of the comma list
STEP = Int("step", 0, low=0, high=MAX_STEPS)
SURFACE = Choice("surface", "ravine", choices=(*BUILTIN, CUSTOM))
RANGES = {"xr": "x_range", "yr": "y_range"}
RANGE = Pair("range", DEFAULT_RANGE, item=COORD, parts=("lo", "hi"))
START = Pair("start", item=COORD, parts=("x", "y"))
RUN_FIELDS: tuple[Param, ...] = (
    Int("steps", 300, low=1, high=MAX_STEPS),
    Float("batch", low=1.0, high=MAX_BATCH),
    Int("seed", 0, low=0, high=MAX_SEED),
)
OPTIMIZER = Choice("optimizer", choices=tuple(OPTIMIZERS))
SCHEDULE = Choice("schedule", choices=tuple(SCHEDULES))
RUN_KEY = re.compile(r"r(0|[1-9][0-9]{0,8})")  # ASCII digits only, no leading zero, bounded
EXPR_HELP = "a formula in x and y, e.g. x**2 + 10*y**2"


# --- encoding -------------------------------------------------------------------------------
def encode(state: AppState) -> dict[str, str]:
    """The query parameters of ``state``; defaults are left out so links stay short."""
    d = default_state()
    q = _changed(VIEW_FIELDS, state, d)
    if state.arrows:
        q["arrows"] = ",".join(state.arrows)
    q.update(encode_view(state))
    q.update(_changed((STEP,), state, d))
    q.update(_encode_surface(state, d))
    if state.start is not None and state.start != default_start(state):
        q["start"] = START.to_text(state.start)
    q.update(_changed(RUN_FIELDS, state, d))
    if [encode_run(r) for r in state.runs] != [encode_run(r) for r in d.runs]:
        for i, run in enumerate(state.runs):
            q.update({f"r{i}{k}": v for k, v in encode_run(run).items()})
    q.update(encode_batches(BatchKeys(*link_parts(state))))
    return q


def _changed(fields: Iterable[Param], state: AppState, default: AppState) -> dict[str, str]:
    """The text of each field whose value differs from the default state's."""
    q = {}
    for p in fields:
        v = getattr(state, p.name)
        if v is not None and v != getattr(default, p.name):
            q[p.name] = p.to_text(v)
    return q


def _encode_surface(state: AppState, default: AppState) -> dict[str, str]:
    if state.surface in DATASETS:
        return {}  # data=NAME and its parameters (encode_batches)
    q = {} if state.surface == default.surface else {"surface": state.surface}
    if state.surface == CUSTOM:
        q["expr"] = state.expr
        q.update({key: RANGE.to_text(getattr(state, attr)) for key, attr in RANGES.items()})
    return q


def encode_run(run: RunState) -> dict[str, str]:
    """One run's parameters, keyed by what follows ``rN`` ("", ".lr", ".s", ".s.T_max")."""
    q = {"": run.optimizer}
    q.update(_changed_params(OPTIMIZERS[run.optimizer].params, run.params, "."))
    if run.schedule is not None:
        q[".s"] = run.schedule["name"]
        specs = SCHEDULES[run.schedule["name"]].params
        q.update(_changed_params(specs, run.schedule.get("params", {}), ".s."))
    if run.label:
        q[".label"] = run.label
    if run.emulated is not None:  # its own emulated batch: a size, or "full" (exact gradients)
        q[".batch"] = FULL_BATCH if run.emulated == FULL_BATCH else RUN_FIELDS[1].to_text(run.emulated)
    return q


def _changed_params(specs: Iterable[Param], values: dict[str, Any], prefix: str) -> dict[str, str]:
    return {
        f"{prefix}{p.name}": p.to_text(values[p.name])
        for p in specs
        if p.name in values and values[p.name] != p.default
    }


# --- decoding -------------------------------------------------------------------------------
RUN_KEY_HELP = f"run keys r0 … r{MAX_RUNS - 1}: ASCII digits without leading zeros"
SHOWN_ITEMS = 30  # a link's ignored keys named one by one; beyond that they are counted


def _visible(text: str) -> str:
    """``text`` for a message: each control, format or lone-surrogate character (a new line,
    a bidirectional override, half of a broken emoji) shown as U+FFFD."""
    return "".join(c if c.isprintable() or c == " " else "\ufffd" for c in text)


def shown(text: str, limit: int = SHOWN_CHARS) -> str:
    """A link's key or value in a message: visible characters, cut to about ``limit``."""
    text = str(text)
    cut = text if len(text) <= limit else text[: limit - 1] + "…"
    return _visible(cut)


@dataclass(frozen=True)
class Ignored:
    """A URL parameter that was not used: its name, the value given and what is allowed.
    Name and value are kept as shown in messages (``shown``: cut, control characters
    replaced), however long or strange the link's own were."""

    name: str
    value: str
    allowed: str

    @classmethod
    def of(cls, name: str, value: str, allowed: str) -> Ignored:
        return cls(shown(name), shown(value), shown(allowed, 600))


class Query:
    """The parameters being decoded, which of them were used, and which were ignored.

    Keys and values of any text and length are taken as they come; a key given several times
    counts once, with its last value (as browsers keep it), and its earlier values are
    reported."""

    def __init__(self, query: Mapping[str, Any]) -> None:
        self.values: dict[str, str] = {}
        self.used: set[str] = set()
        self.ignored: list[Ignored] = []
        for key, raw in query.items():
            items = [str(v) for v in raw] if isinstance(raw, (list, tuple)) else [str(raw)]
            name = str(key)
            self.values[name] = items[-1] if items else ""
            if len(items) > 1:
                self.ignored.append(
                    Ignored.of(name, items[0], f"one value; given {len(items)} times, the last is used")
                )

    def text(self, name: str) -> str | None:
        self.used.add(name)
        return self.values.get(name)

    def reject(self, name: str, allowed: str) -> None:
        self.used.add(name)
        self.ignored.append(Ignored.of(name, self.values.get(name, ""), allowed))

    def value(self, name: str, param: Param) -> tuple[bool, Any]:
        """(True, the value) when ``name`` is given and valid for ``param``; else (False,
        None), with a bad value reported."""
        text = self.text(name)
        if text is None:
            return False, None
        try:
            return True, param.from_text(text, name)
        except ParamError:
            self.reject(name, param.allowed())
            return False, None

    def report_unused(self) -> None:
        for name in self.values:
            if name not in self.used:
                self.reject(name, "not a parameter of this app")


def decode(query: Mapping[str, Any]) -> tuple[AppState, list[Ignored]]:
    """App state from query parameters. Never raises: every parameter that is malformed, out
    of range or unknown is left at its default and reported as ``Ignored``."""
    try:
        return _decode(Query(query))
    except Exception as e:  # a bug here must not cost the page: the defaults, and why
        return default_state(), [Ignored.of("link", "", f"could not be read ({type(e).__name__})")]


def _decode(q: Query) -> tuple[AppState, list[Ignored]]:
    state = default_state()
    _decode_fields(q, state, (*VIEW_FIELDS, STEP, *RUN_FIELDS))
    state.step = min(state.step, state.steps)
    _decode_arrows(q, state)
    decode_view(q, state)
    _decode_surface(q, state)
    ok, start = q.value("start", START)
    if ok:
        state.start = start
    runs = _decode_runs(q, state.steps)
    if runs:
        state.runs = [run for _, run in runs]
    keys = decode_batches(q)
    apply_link(state, keys.data, keys.batch, keys.runs, {i: n for n, (i, _) in enumerate(runs)})
    q.report_unused()
    return _engine_checked(q, state, ok)


def _decode_fields(q: Query, state: AppState, fields: Iterable[Param]) -> None:
    for p in fields:
        ok, v = q.value(p.name, p)
        if ok:
            setattr(state, p.name, v)


def _decode_arrows(q: Query, state: AppState) -> None:
    text = q.text("arrows")
    if text is None:
        return
    try:
        kinds = {ARROW.from_text(k, "arrows") for k in text.split(",") if k}
    except ParamError:
        q.reject("arrows", "a comma list of " + ", ".join(ARROW_KINDS))
        return
    state.arrows = tuple(k for k in ARROW_KINDS if k in kinds)


def _engine_checked(q: Query, state: AppState, has_start: bool) -> tuple[AppState, list[Ignored]]:
    """The rules across fields the engine applies (a start where the formula is defined, and
    anything the per-run checks did not see): a start it refuses is dropped, and if the
    scenario is still refused the defaults are kept."""
    problem = _scenario_problem(state)
    if problem and has_start:
        q.reject("start", problem)
        state.start = None
        problem = _scenario_problem(state)
    if problem is None:
        return state, q.ignored
    view = {k: getattr(state, k) for k in VIEW_KEYS}
    return replace(default_state(), **view), [*q.ignored, Ignored.of("scenario", "", problem)]


def _scenario_problem(state: AppState) -> str | None:
    try:
        parse_scenario(to_scenario(state))
    except (ValueError, ImportError) as e:
        return str(e)
    return None


# --- the surface ----------------------------------------------------------------------------
def _decode_surface(q: Query, state: AppState) -> None:
    """A built-in surface, or ``surface=custom`` with ``expr`` (a formula alone means a custom
    surface) and its ranges; a formula's parts beside a built-in surface are reported."""
    name = q.text("surface")
    if name is None and "expr" in q.values:
        name = CUSTOM
    if name == CUSTOM:
        _decode_formula(q, state, q.text("expr"))
        return
    if name in BUILTIN:
        state.surface = name
    elif name is not None:
        q.reject("surface", SURFACE.allowed())
    for key in ("expr", *RANGES):
        if key in q.values:
            q.reject(key, f"needs surface={CUSTOM} (a formula in x and y)")


def _decode_formula(q: Query, state: AppState, expr: str | None) -> None:
    ranges = {attr: _decode_range(q, key) for key, attr in RANGES.items()}
    if not expr:
        where = "expr" if "expr" in q.values else "surface"
        q.reject(where, EXPR_HELP)
        return
    spec = {"expr": expr, "x_range": list(ranges["x_range"]), "y_range": list(ranges["y_range"])}
    try:
        build_surface(spec)
    except (ValueError, ImportError) as e:
        q.reject("expr", str(e))
        return
    state.surface, state.expr = CUSTOM, expr
    state.x_range, state.y_range = ranges["x_range"], ranges["y_range"]


def _decode_range(q: Query, key: str) -> tuple[float, float]:
    """A custom surface's range ``lo,hi``; the default one when absent or invalid."""
    text = q.text(key)
    if text is None:
        return DEFAULT_RANGE
    try:
        lo, hi = RANGE.from_text(text, key)
        if lo < hi:
            return (lo, hi)
    except ParamError:
        pass
    q.reject(key, f"{RANGE.allowed()} and lo < hi")
    return DEFAULT_RANGE


# --- runs -----------------------------------------------------------------------------------
def run_index(head: str) -> int | None:
    """The run a key's head names (``r0`` .. ``r999999999``: ASCII digits, no leading zero),
    or None. Bounded, so no key makes a huge integer."""
    return int(head[1:]) if RUN_KEY.fullmatch(head) else None


def _run_indices(q: Query) -> list[int]:
    """The indices of the link's valid run keys ``rI`` (below MAX_RUNS)."""
    heads = {run_index(k) for k in q.values if "." not in k}
    return sorted(i for i in heads if i is not None and i < MAX_RUNS)


def _looks_like_run(head: str) -> bool:
    """``r00``, ``r٣``, ``r²``, ``r-1``: meant as a run key, but not one."""
    return head[:1] == "r" and any(c.isdigit() or c.isnumeric() or c in "+-" for c in head[1:3])


def _decode_runs(q: Query, steps: int) -> list[tuple[int, RunState]]:
    """Every run of the link, by index: ``rI`` and its ``rI.*`` keys; keys that look like a run
    key but are not one, and runs beyond the app's, are reported key by key."""
    by_run: dict[int, list[str]] = {}
    for key in list(q.values):
        head = key.split(".", 1)[0]
        i = run_index(head)
        if i is not None and i < MAX_RUNS:
            by_run.setdefault(i, []).append(key)
        elif i is not None:
            q.reject(key, f"at most {MAX_RUNS} runs ({RUN_KEY_HELP})")
        elif _looks_like_run(head):
            q.reject(key, RUN_KEY_HELP)
    runs = []
    for i in sorted(by_run):
        run = _decode_run(q, i, by_run[i], steps)
        if run is not None:
            runs.append((i, run))
    return runs


def _decode_run(q: Query, i: int, keys: list[str], steps: int) -> RunState | None:
    """Run ``i`` from ``rI`` and its ``rI.*`` parameters; a parameter without a valid ``rI``
    is reported as needing it."""
    key = f"r{i}"
    subkeys = [k for k in keys if k != key]
    ok, name = q.value(key, OPTIMIZER) if key in q.values else (False, None)
    if not ok:
        needs = f"{key}, the run's optimizer ({OPTIMIZER.allowed()})"
        for k in subkeys:
            q.reject(k, f"needs a valid {needs}")
        return None
    run = RunState(name)
    specs = {p.name: p for p in OPTIMIZERS[name].params}
    prefix = f"{key}."
    for k in subkeys:
        sub = k[len(prefix) :]
        if sub == "label":
            run.label = _decode_label(q, k)
        elif sub == "batch":
            run.emulated = _decode_emulated(q, k)
        elif f".{sub}" in RUN_BATCH_KEYS:
            continue  # the run's own mini-batches: decode_batches reads them
        elif sub != "s" and not sub.startswith("s."):
            _decode_param(q, k, specs, sub, name, run.params)
    run.schedule = _decode_schedule(q, key, subkeys)
    _check_run(q, key, run, steps)
    return normalize_run(run)


def _decode_emulated(q: Query, key: str) -> float | str | None:
    """A run's own emulated batch, ``rI.batch``: "full" or a size (None, reported, when bad)."""
    text = (q.text(key) or "").strip()
    try:
        v = FULL_BATCH if text == FULL_BATCH else RUN_FIELDS[1].from_text(text, key)
    except ParamError:
        q.reject(key, f"{FULL_BATCH} or {RUN_FIELDS[1].allowed()}")
        return None
    q.used.add(key)
    return v


def _decode_label(q: Query, key: str) -> str:
    text = q.values[key].strip()
    q.used.add(key)
    if label_ok(text):
        return text
    q.reject(key, LABEL_ALLOWED)
    return ""


def _decode_param(
    q: Query, key: str, specs: dict[str, Param], name: str, whose: str, into: dict[str, Any]
) -> None:
    """``into[name]`` from ``key``, or ``key`` reported: not a parameter of ``whose`` (an
    optimizer or a schedule), or a value its kind refuses."""
    p = specs.get(name)
    if p is None:
        have = ", ".join(specs) if specs else "none"
        q.reject(key, f"parameters of {whose}: {have}")
        return
    ok, v = q.value(key, p)
    if ok:
        into[name] = v


def _decode_schedule(q: Query, key: str, subkeys: list[str]) -> dict[str, Any] | None:
    """``rI.s`` and its ``rI.s.*`` parameters; without a valid ``rI.s`` they are reported."""
    prefix = f"{key}.s."
    params_keys = [k for k in subkeys if k.startswith(prefix)]
    ok, name = q.value(f"{key}.s", SCHEDULE) if f"{key}.s" in q.values else (False, None)
    if not ok:
        for k in params_keys:
            q.reject(k, f"needs a valid {key}.s, the run's schedule ({SCHEDULE.allowed()})")
        return None
    auto = SCHEDULE_AUTO.get(name, ())
    specs = {p.name: p for p in SCHEDULES[name].params if p.name not in auto}
    params: dict[str, Any] = {}
    for k in params_keys:
        _decode_param(q, k, specs, k[len(prefix) :], name, params)
    return None if name == "constant" else {"name": name, "params": params}


def _check_run(q: Query, key: str, run: RunState, steps: int) -> None:
    """The checks across one run's parameters (Nesterov's momentum, OneCycle's phases and
    rates), with the values the engine will get: a schedule they refuse is dropped, a run's
    parameters they refuse fall back to the defaults; either is reported."""
    opt = OPTIMIZERS[run.optimizer]
    problem = opt.check(opt.resolve(run.params))
    if problem:
        q.reject(key, f"{problem} (its parameters were reset to the defaults)")
        run.params = {}
    if run.schedule is None:
        return
    name = run.schedule["name"]
    lr = float(run.params.get("lr", opt.param("lr").default))
    full = {**SCHEDULES[name].defaults(), **schedule_params(name, run.schedule["params"], lr, steps)}
    problem = SCHEDULES[name].check(full, steps)
    if problem:
        q.reject(f"{key}.s", f"{problem} (the run keeps a constant learning rate)")
        run.schedule = None


# --- data sets and mini-batches (issue 12) ------------------------------------------------------
# data=linear_regression  data.samples=64  data.seed=0  data.noise=0.5   (a data-set surface)
# mb=8  mb.seed=3                                        (the scenario's mini-batch setting)
# r1.mb=32  r1.mb.seed=0                                 (run 1's own mini-batch setting)
# ``batch`` stays the emulated batch size of the isotropic gradient noise; ``mb`` is a real one.
DATA = Choice("data", choices=tuple(DATASETS))
DATA_PREFIX = "data."
MB, MB_SEED = "mb", "mb.seed"
RUN_BATCH_KEYS = (f".{MB}", f".{MB_SEED}")  # after rN


def encode_batches(keys: BatchKeys) -> dict[str, str]:
    """The URL keys of ``keys``: a data set's parameters that differ from its defaults, and
    the mini-batch settings (a seed only where it is not 0)."""
    q: dict[str, str] = {}
    if keys.data is not None:
        model = DATASETS[keys.data["data"]]
        q["data"] = model.name
        q.update(_changed_params(model.params, keys.data, DATA_PREFIX))
    q.update(_encode_batch("", keys.batch))
    for i, b in sorted(keys.runs.items()):
        q.update(_encode_batch(f"r{i}.", b))
    return q


def _encode_batch(prefix: str, batch: dict[str, int] | None) -> dict[str, str]:
    if batch is None:
        return {}
    q = {f"{prefix}{MB}": BATCH_SIZE.to_text(batch["size"])}
    if batch.get("seed", 0) != 0:
        q[f"{prefix}{MB_SEED}"] = BATCH_SEED.to_text(batch["seed"])
    return q


def decode_batches(q: Query) -> BatchKeys:
    """The data-set and mini-batch keys of ``q`` (marked used; bad ones reported as
    ``Ignored`` with what is allowed). A mini-batch without a data set is refused: batches are
    drawn from the samples of a data set."""
    data = _decode_data(q)
    batch = _decode_batch(q, "", data)
    runs = {}
    for i in _run_indices(q):
        b = _decode_batch(q, f"r{i}.", data)
        if b is not None:
            runs[i] = b
    return BatchKeys(data, batch, runs)


def _decode_data(q: Query) -> dict[str, Any] | None:
    ok, name = q.value("data", DATA)
    sub = [k for k in q.values if k.startswith(DATA_PREFIX)]
    if not ok:
        for k in sub:
            q.text(k)
            q.reject(k, "data=NAME first, one of " + ", ".join(DATASETS))
        return None
    model = DATASETS[name]
    specs = {p.name: p for p in model.params}
    values = {p.name: p.default for p in model.params}
    for k in sub:
        q.used.add(k)
        _decode_param(q, k, specs, k[len(DATA_PREFIX) :], name, values)
    return {"data": name, **values}


def _decode_batch(q: Query, prefix: str, data: dict[str, Any] | None) -> dict[str, int] | None:
    size_key, seed_key = f"{prefix}{MB}", f"{prefix}{MB_SEED}"
    if size_key not in q.values:
        if seed_key in q.values:
            q.text(seed_key)
            q.reject(seed_key, f"{size_key}=B first ({BATCH_SIZE.allowed()})")
        return None
    ok, size = q.value(size_key, BATCH_SIZE)
    seed_given, seed = q.value(seed_key, BATCH_SEED)
    if not ok:
        return None
    if data is None:
        q.reject(size_key, "a data set: data=" + " | ".join(DATASETS))
        return None
    return {"size": size, "seed": seed if seed_given else 0}
