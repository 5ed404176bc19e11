"""Widget keys and the mapping between widget values and ``AppState``.

Every widget of the app is keyed; its value lives in ``st.session_state`` under one of
these keys. ``state_to_widgets`` seeds them (first run, preset, URL) and
``widgets_to_state`` reads the app state back, both pure so that the mapping is tested
without Streamlit. Run widgets carry a run id (``r3_lr``) that survives removing the run
before it, so each run keeps its own widgets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.params import Param
from figures.style import ARROW_KINDS
from optimizers import OPTIMIZERS
from optimizers.schedules import SCHEDULES
from ui.batch_keys import SAME, batch_state, batch_widgets, run_batch
from ui.model import (
    CUSTOM,
    DEFAULT_EXPR,
    DEFAULT_RANGE,
    FAMILIES,
    FAMILY_OF,
    FULL_BATCH,
    NAME_SWITCHES,
    SCHEDULE_AUTO,
    AppState,
    RunState,
    schedule_defaults,
)
from ui.scenario import start_of

RUN_IDS = "run_ids"


def rk(rid: int, name: str) -> str:
    """The key of run ``rid``'s widget ``name``."""
    return f"r{rid}_{name}"


def param_keys(rid: int, p: Param) -> tuple[str, ...]:
    """Widget keys of one optimizer parameter: one per component (betas are two widgets)."""
    return tuple(rk(rid, f"p_{c.name}") for c in p.components())


def engine_name(family: str, switches: Mapping[str, bool]) -> str:
    """The engine optimizer a family plus its name-switches stand for."""
    for switch, by_family in NAME_SWITCHES.items():
        if family in by_family and switches.get(switch):
            return by_family[family][1]
    return FAMILIES[family][0]


def switches_of(optimizer: str) -> dict[str, bool]:
    """The name-switches that are on for an engine optimizer ('nesterov' -> nesterov on)."""
    family = FAMILY_OF[optimizer]
    return {
        switch: by_family[family][1] == optimizer
        for switch, by_family in NAME_SWITCHES.items()
        if family in by_family
    }


def run_to_widgets(rid: int, run: RunState) -> dict[str, Any]:
    opt = OPTIMIZERS[run.optimizer]
    out: dict[str, Any] = {rk(rid, "family"): FAMILY_OF[run.optimizer]}
    for switch, on in switches_of(run.optimizer).items():
        out[rk(rid, switch)] = on
    for p in opt.params:
        v = run.params.get(p.name, p.default)
        for key, c, part in zip(param_keys(rid, p), p.components(), p.split(v), strict=True):
            out[key] = c.coerce(part)
    out[rk(rid, "sched")] = run.schedule["name"] if run.schedule else "constant"
    for k, v in (run.schedule or {}).get("params", {}).items():
        out[rk(rid, f"s_{k}")] = v
    out[rk(rid, "label")] = run.label
    out[rk(rid, "eb")] = SAME if run.emulated is None else run.emulated
    out.update({rk(rid, k): v for k, v in run_batch(run).items()})
    return out


def state_to_widgets(state: AppState) -> dict[str, Any]:
    """Session-state values that make every widget show ``state``."""
    start = start_of(state)
    out: dict[str, Any] = {
        "lang": state.lang,
        "present": state.present,
        "view": state.view,
        "arrows": list(state.arrows),
        "surface": state.surface,
        "expr": state.expr if state.surface == CUSTOM else DEFAULT_EXPR,
        "xr_lo": float(state.x_range[0]),
        "xr_hi": float(state.x_range[1]),
        "yr_lo": float(state.y_range[0]),
        "yr_hi": float(state.y_range[1]),
        "start_x": float(start[0]),
        "start_y": float(start[1]),
        "steps": state.steps,
        "batch": FULL_BATCH if state.batch is None else float(state.batch),
        "seed": state.seed,
        "step": min(state.step, state.steps),
        "log_loss": state.loss_axis == "log",
        "whole": state.whole,
        "local_on": state.local > 0,
        "local_pick": max(1, state.local),
        "zoom": state.zoom,
        "map_x": state.map_x,
        "map_y": state.map_y,
        "panels": state.panels,
        "pins": state.pins,
        RUN_IDS: list(range(len(state.runs))),
    }
    for rid, run in enumerate(state.runs):
        out.update(run_to_widgets(rid, run))
    out.update(batch_widgets(state))
    return out


def run_from_widgets(values: Mapping[str, Any], rid: int, steps: int) -> RunState:
    family = values.get(rk(rid, "family"), "sgd")
    switches = {s: bool(values.get(rk(rid, s), False)) for s in NAME_SWITCHES}
    name = engine_name(family, switches)
    opt = OPTIMIZERS[name]
    params: dict[str, Any] = {}
    for p in opt.params:
        defaults = p.split(p.default)
        parts = tuple(
            values.get(key, d) for key, d in zip(param_keys(rid, p), defaults, strict=True)
        )
        params[p.name] = p.join(parts)
    sched_name = values.get(rk(rid, "sched"), "constant")
    schedule = None
    if sched_name != "constant":
        auto = SCHEDULE_AUTO.get(sched_name, ())
        defaults = schedule_defaults(sched_name, params["lr"], steps)
        sp = {
            p.name: values.get(rk(rid, f"s_{p.name}"), defaults.get(p.name))
            for p in SCHEDULES[sched_name].params
            if p.name not in auto
        }
        schedule = {"name": sched_name, "params": sp}
    label = str(values.get(rk(rid, "label"), "") or "").strip()
    eb = values.get(rk(rid, "eb"), SAME)
    emulated = None if eb == SAME else FULL_BATCH if eb == FULL_BATCH else float(eb)
    return RunState(name, params, schedule, label, emulated=emulated)


def widgets_to_state(values: Mapping[str, Any]) -> AppState:
    """The app state the widgets show. Start and step are always explicit here; the URL
    encoder drops them when they equal the defaults."""
    steps = int(values.get("steps", 300))
    surface = values.get("surface", "ravine")
    batch = values.get("batch", FULL_BATCH)
    st = AppState(
        surface=surface,
        expr=str(values.get("expr", DEFAULT_EXPR)),
        x_range=(
            float(values.get("xr_lo", DEFAULT_RANGE[0])),
            float(values.get("xr_hi", DEFAULT_RANGE[1])),
        ),
        y_range=(
            float(values.get("yr_lo", DEFAULT_RANGE[0])),
            float(values.get("yr_hi", DEFAULT_RANGE[1])),
        ),
        start=None,
        steps=steps,
        runs=[run_from_widgets(values, rid, steps) for rid in values.get(RUN_IDS, [])],
        batch=None if batch == FULL_BATCH else float(batch),
        seed=int(values.get("seed", 0)),
        lang=values.get("lang", "en"),
        present=bool(values.get("present", False)),
        view=values.get("view", "map"),
        arrows=tuple(a for a in ARROW_KINDS if a in (values.get("arrows") or [])),
        step=min(int(values.get("step", 0) or 0), steps),
        loss_axis="log" if values.get("log_loss") else "linear",
        whole=bool(values.get("whole", False)),
        local=int(values.get("local_pick") or 1) if values.get("local_on") else 0,
        zoom=_pair(values.get("zoom")),
        map_x=_pair(values.get("map_x")),
        map_y=_pair(values.get("map_y")),
        panels=tuple(values["panels"]) if values.get("panels") else None,
        pins=tuple((str(p), int(s), None if r is None else int(r)) for p, s, r in values.get("pins") or ()),
    )
    if "start_x" in values and "start_y" in values:
        st.start = (float(values["start_x"]), float(values["start_y"]))
    return batch_state(values, st)


def _pair(v: Any) -> tuple[float, float] | None:
    return None if v is None else (float(v[0]), float(v[1]))
