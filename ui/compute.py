"""The one computation of a page: the engine's result for the scenario the widgets describe,
cached by the canonical scenario JSON; with the last good formula and the last good
scenario standing in when the user's current one is refused."""

from __future__ import annotations

import dataclasses
from typing import Any

import streamlit as st

from core.text import t
from lab import Result, parse_scenario, simulate
from ui.keys import widgets_to_state
from ui.model import CUSTOM, AppState, default_state
from ui.safe import plain
from ui.scenario import build_surface, surface_spec, to_scenario, with_surface


@st.cache_data(max_entries=24, show_spinner=False)
def compute(scenario_json: str) -> Result:
    """Every run of the scenario, with the optimizer state of every step. Surfaces are
    dropped from the cached value (their functions are closures, which the cache cannot
    pickle) and put back by ``result_for``."""
    return _with_surface_obj(simulate(scenario_json, record_state=True), None)


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
        return result_for(good), t("scenario_bad", lang, error=plain(e))
    ss["good_scenario"] = scenario_json
    return result, None


def scenario_key(result: Result) -> str:
    """The canonical JSON of the scenario a result is of (the stage's figure key)."""
    return result.scenario.to_json()
