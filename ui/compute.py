"""The one computation of a page: the engine's result for the scenario the widgets describe,
cached run by run (``RUNS``); with the last good formula and the last good scenario
standing in when the user's current one is refused."""

from __future__ import annotations

import dataclasses
import json
import threading
from typing import Any

import numpy as np
import streamlit as st

from core.params import grid
from core.text import t
from lab import Result, RunResult, parse_scenario, simulate
from lab import seeds as lab_seeds
from lab.budget import BUDGET_SECONDS, BudgetError
from lab.seeds import Fates
from optimizers import OPTIMIZERS
from ui.keys import widgets_to_state
from ui.lru import Lru
from ui.model import CUSTOM, AppState, default_state
from ui.safe import plain
from ui.scenario import build_surface, surface_spec, to_scenario, with_surface

# Runs are cached one by one: runs are independent (the gradient noise is one shared,
# seeded sequence), so changing one run's eta re-simulates only that run. A long run is
# simulated together with its neighbours on the eta slider when it is the one run to compute
# (a notch of its eta): the engine steps a batch of runs in about the time of one (its cost is
# per step, not per run), so the next notch of eta is already there. A new scenario of six long
# runs does not bring 24 neighbours (their memory, four times the scenario's).
PREFETCH_STEPS = 10_000  # runs at least this long bring their eta neighbours
NEIGHBOURS = 2  # notches each way
CACHE_RUN_STEPS = 1_500_000  # run-steps kept (about 100 bytes each with the state: ~150 MB at most)


RUNS: Lru[RunResult] = Lru(CACHE_RUN_STEPS, size=lambda run: len(run.trajectory))  # by canonical scenario

# The heavy part of a rerun (simulating, building a figure) is Python and NumPy under one GIL:
# twenty sessions doing it at once finish no sooner than two at a time, but hold twenty sets of
# intermediate arrays (the server's peak memory). At most HEAVY_AT_ONCE sessions do it at once.
HEAVY_AT_ONCE = 2
HEAVY = threading.BoundedSemaphore(HEAVY_AT_ONCE)


def run_key(sc: dict[str, Any], run: dict[str, Any]) -> str:
    """One run's identity: everything that decides its path (the label does not)."""
    shared = {k: sc[k] for k in ("surface", "start", "steps", "noise", "batch") if k in sc}
    body = {k: run[k] for k in ("optimizer", "params", "schedule", "batch", "noise") if k in run}
    return json.dumps({**shared, "run": body}, sort_keys=True)


def neighbours(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The same run at the eta slider's next notches (none for one-cycle, which sets eta)."""
    if run.get("schedule") and run["schedule"]["name"] == "onecycle":
        return []
    lr = float(run["params"]["lr"])
    notches = grid(OPTIMIZERS[run["optimizer"]].param("lr"), lr)
    i = notches.index(lr)
    near = notches[max(0, i - NEIGHBOURS) : i] + notches[i + 1 : i + 1 + NEIGHBOURS]
    return [{**run, "params": {**run["params"], "lr": v}} for v in near]


def _own(run: RunResult) -> RunResult:
    """A run with arrays of its own (the engine's are views into the whole batch), its
    on-demand series (noise, batch loss, test loss) computed."""
    copies = {f: np.array(getattr(run, f)) for f in ("trajectory", "loss", "grad_norm", "lr", "effective_lr")}
    state = {k: np.array(v) for k, v in run.state.items()}
    series = {name: getattr(run, name) for name in ("noise", "batch_loss", "test_loss")}
    cache = {k: None if v is None else np.array(v) for k, v in series.items()}
    batches = None if run.batches is None else np.array(run.batches)
    return dataclasses.replace(run, **copies, state=state, batches=batches, series={}, _cache=cache)


def _simulate_missing(sc: dict[str, Any], missing: list[dict[str, Any]]) -> None:
    batch = list(missing)
    if sc["steps"] >= PREFETCH_STEPS and len(missing) == 1:  # one run changed: a notch of eta
        extra = [n for run in missing for n in neighbours(run) if RUNS.get(run_key(sc, n)) is None]
        batch += list({run_key(sc, n): n for n in extra}.values())
    try:
        res = simulate({**sc, "runs": batch}, record_state=True, budget=BUDGET_SECONDS)
    except ValueError:  # BudgetError among them
        if len(batch) == len(missing):
            raise
        batch = list(missing)  # the neighbours made it too big: without them
        res = simulate({**sc, "runs": batch}, record_state=True, budget=BUDGET_SECONDS)
    for spec, run in zip(batch, res.runs, strict=True):
        RUNS.put(run_key(sc, spec), _own(run))


# Scenarios refused for their work, by canonical JSON (every session, most recent last): a
# link refused at the deadline cost seconds of CPU once, and must not cost them at every rerun.
_REFUSED: dict[str, BudgetError] = {}
_REFUSED_KEPT = 64


def _refuse(scenario_json: str, e: BudgetError) -> None:
    _REFUSED[scenario_json] = e
    while len(_REFUSED) > _REFUSED_KEPT:
        del _REFUSED[next(iter(_REFUSED))]


def result_for(scenario_json: str) -> Result:
    """Every run of the scenario, with the optimizer state of every step (run by run from
    ``RUNS``, simulating only the runs it does not have, within the app's work budget:
    ``lab.budget``, a scenario over it raises ``BudgetError``)."""
    refused = _REFUSED.get(scenario_json)
    if refused is not None:
        raise type(refused)(refused.key, **refused.values)
    sc = parse_scenario(scenario_json)
    d = sc.to_dict()
    keys = [run_key(d, r) for r in d["runs"]]
    missing = list({k: r for k, r in zip(keys, d["runs"], strict=True) if RUNS.get(k) is None}.values())
    try:
        if missing:
            with HEAVY:
                _simulate_missing(d, missing)
    except BudgetError as e:
        _refuse(scenario_json, e)
        raise
    runs = []
    for key, spec in zip(keys, d["runs"], strict=True):
        run = RUNS.get(key)
        if run is None:  # evicted by another session meanwhile: this one alone
            with HEAVY:
                _simulate_missing(d, [spec])
            run = RUNS.get(key)
        assert run is not None
        runs.append(dataclasses.replace(run, label=spec["label"]))
    surface = runs[0].surface
    data = surface.to_data() if hasattr(surface, "to_data") else None
    return Result(sc, surface, runs, data)  # type: ignore[arg-type]


def surface_state(lang: str) -> tuple[AppState, str | None]:
    """The state the widgets hold, with the last good surface in place of a formula that
    does not parse; and the message for that formula (shown under its field)."""
    ss = st.session_state
    state = widgets_to_state(ss)
    if state.surface != CUSTOM:
        return state, None
    try:
        build_surface(surface_spec(state))
    except ImportError as e:
        message = t("formula_unavailable", lang, error=plain(e))
    except ValueError as e:
        message = t("formula_bad", lang, error=plain(e))
    else:
        ss["good_surface"] = surface_spec(state)
        return state, None
    return with_surface(state, ss.get("good_surface", "ravine")), message


def current_result(state: AppState, lang: str) -> tuple[Result, str | None]:
    """The result of ``state``; when the engine refuses it (e.g. a start where the formula
    is not finite), the last good scenario's result and the message that says why."""
    ss = st.session_state
    try:
        scenario_json = parse_scenario(to_scenario(state)).to_json()
        result = result_for(scenario_json)
    except ValueError as e:
        good = ss.get("good_scenario") or parse_scenario(to_scenario(default_state())).to_json()
        error = e.text(lang) if isinstance(e, BudgetError) else str(e)
        return result_for(good), t("scenario_bad", lang, error=plain(error))
    ss["good_scenario"] = scenario_json
    return result, None


FATES: Lru[tuple[list[Fates], str | None]] = Lru(256, size=lambda v: 1)  # by scenario, seed count, language


def seed_fates(result: Result, seeds: int, lang: str) -> tuple[list[Fates], str | None]:
    """Where the batch runs of ``result`` end over ``seeds`` batch seeds (``lab.seeds``),
    cached; when refused (too much work, too many sample indices), none and the message."""
    if seeds <= 0:
        return [], None
    key = f"{seeds}:{lang}:{scenario_key(result)}"
    if (cached := FATES.get(key)) is not None:
        return cached  # a refusal too: the work it stopped is not tried again at every rerun
    try:
        with HEAVY:
            value: tuple[list[Fates], str | None] = (lab_seeds.fates(result.scenario, seeds, budget=BUDGET_SECONDS), None)
    except ValueError as e:
        error = e.text(lang) if isinstance(e, BudgetError) else str(e)
        value = ([], t("seeds_bad", lang, error=plain(error)))
    FATES.put(key, value)
    return value


def scenario_key(result: Result) -> str:
    """The canonical JSON of the scenario a result is of (the stage's figure key)."""
    return result.scenario.to_json()
