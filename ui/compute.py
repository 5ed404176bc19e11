"""The one computation of a page: the engine's result for the scenario the widgets describe,
cached by the canonical scenario JSON; with the last good formula and the last good
scenario standing in when the user's current one is refused."""

from __future__ import annotations

import dataclasses
from typing import Any

import streamlit as st

from core.text import t
from lab import Result, parse_scenario, simulate
from lab.budget import BUDGET_SECONDS, BudgetError
from ui.keys import widgets_to_state
from ui.model import CUSTOM, AppState, default_state
from ui.safe import plain
from ui.scenario import build_surface, surface_spec, to_scenario, with_surface

# Scenarios refused for their work, by canonical JSON (every session, most recent last): a
# link refused at the deadline cost seconds of CPU once, and must not cost them at every rerun.
_REFUSED: dict[str, BudgetError] = {}
_REFUSED_KEPT = 64


@st.cache_data(max_entries=24, show_spinner=False)
def compute(scenario_json: str) -> Result:
    """Every run of the scenario, with the optimizer state of every step, within the app's
    work budget (``lab.budget``: a scenario over it raises ``BudgetError``). Surfaces are
    dropped from the cached value (their functions are closures, which the cache cannot
    pickle) and put back by ``result_for``."""
    refused = _REFUSED.get(scenario_json)
    if refused is not None:
        raise type(refused)(refused.key, **refused.values)
    try:
        result = simulate(scenario_json, record_state=True, budget=BUDGET_SECONDS)
    except BudgetError as e:
        _REFUSED[scenario_json] = e
        while len(_REFUSED) > _REFUSED_KEPT:
            del _REFUSED[next(iter(_REFUSED))]
        raise
    return _with_surface_obj(result, None)


def result_for(scenario_json: str) -> Result:
    res = compute(scenario_json)
    return _with_surface_obj(res, build_surface(res.scenario.surface))


def _with_surface_obj(res: Result, surface: Any) -> Result:
    runs = [dataclasses.replace(r, surface=surface) for r in res.runs]
    return dataclasses.replace(res, surface=surface, runs=runs)


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
