"""The session: its first run (the URL, a ``?preset=`` link, the browser's language) and the
callbacks that change it (a preset, a new surface, a map click, adding or removing a run).

Callbacks run before the script draws any widget, so they may set widget values in
``st.session_state``; the widgets then show them (``ui.keys`` names every key).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import streamlit as st

from core.text import t
from figures.view import view_options
from lab import parse_scenario
from lab.presets import allowed_names, find_preset, list_presets
from ui.keys import RUN_IDS, run_to_widgets, state_to_widgets, widgets_to_state
from ui.maps_model import MapSettings, to_widgets
from ui.model import AppState, new_run
from ui.recover import guarded
from ui.safe import plain
from ui.scenario import from_scenario, surface_start, to_scenario
from ui.url import Ignored, decode
from ui.url_sweep import decode_sweep, split_query

PRESET = "preset"  # the preset box's key, and the URL parameter of a preset link


def init_session() -> None:
    """On a session's first run, the URL's state (or the defaults) fills every widget."""
    ss = st.session_state
    if ss.get("initialized"):
        return
    query = st.query_params.to_dict()
    link = query.pop(PRESET, None)  # ?preset=NAME: a short link to a lecture preset
    sweep_keys = split_query(query)  # the Maps view's (ui.url_sweep)
    state, ignored = decode(query)
    locale = getattr(st.context, "locale", None) or ""
    if "lang" not in query and locale.lower().startswith("zh"):
        state.lang = "zh"
    ss.update(state_to_widgets(state))
    ignored = [*ignored, *open_sweep_link(sweep_keys, state)]
    if link is not None:
        ignored = [*ignored, *open_preset_link(link)]
    ss["url_ignored"] = ignored
    ss["initialized"] = True


def open_preset_link(name: str) -> list[Ignored]:
    """Load the preset a link names (as ``--preset`` does on the command line: file stem,
    name without its number, or the number); an unknown or empty name is reported."""
    presets, _ = list_presets()
    chosen = find_preset(name, presets)
    if chosen is None:
        return [Ignored.of(PRESET, name, allowed_names(presets))]
    st.session_state[PRESET] = chosen.name
    on_preset()
    return []


def open_sweep_link(keys: dict[str, Any], state: AppState) -> list[Ignored]:
    """The Maps view's settings from a link's ``sweep.*`` keys; what cannot be used is
    reported (the view then opens at its defaults)."""
    if not keys:
        return []
    try:
        scenario = to_scenario(state)
    except (ValueError, ImportError):
        return []  # the surface is refused already, and reported
    settings, ignored = decode_sweep(keys, scenario)
    if settings is not None:
        st.session_state.update(to_widgets(settings))
    return ignored


def load_state(state: AppState) -> None:
    """Every widget shows ``state``; the widgets of runs it does not have are dropped."""
    ss = st.session_state
    for key in [k for k in ss if _is_run_widget(k)]:
        del ss[key]
    ss.update(state_to_widgets(state))


def _is_run_widget(key: str) -> bool:
    """Run widgets are keyed ``r<id>_<name>`` (``ui.keys.rk``)."""
    head, sep, _ = key.partition("_")
    return bool(sep) and head[:1] == "r" and head[1:].isdigit()


@guarded
def on_preset() -> None:
    """The preset box changed: its scenario replaces the current one, opened at step 0 in the
    preset's view (language and Present mode stay)."""
    ss = st.session_state
    presets, _ = list_presets()
    chosen = next((p for p in presets if p.name == ss.get(PRESET)), None)
    ss["preset_error"] = None
    if chosen is None:
        return
    try:
        state = from_scenario(chosen.scenario, widgets_to_state(ss))
        load_state(with_view(state, view_options(chosen.view)))
        open_preset_sweep(chosen.scenario)
    except ValueError as e:
        ss["preset_error"] = t("preset_bad", ss["lang"], name=plain(chosen.name), error=plain(e))


def open_preset_sweep(scenario: dict[str, Any]) -> None:
    """A preset with a sweep (31-35) opens in the Maps view with its map; another preset
    leaves the Maps view for the Map view (its claim is on the stage). A map preset with a
    second run shows that run's map beside the swept one's (preset 34: Adam beside GD)."""
    ss = st.session_state
    sc = parse_scenario(scenario)
    if sc.sweep is not None:
        settings = MapSettings.from_sweep(sc.sweep)
        others = [i for i in range(len(sc.runs)) if i != settings.run]
        if others:
            settings = replace(settings, beside=others[0])
        ss.update(to_widgets(settings))
        ss["view"] = "maps"
    elif ss.get("view") == "maps":
        ss["view"] = "map"


def with_view(state: AppState, options: dict[str, Any]) -> AppState:
    """``state`` in a preset's view (``figures.view_options``); what it leaves out is reset."""
    local = options.get("local")
    return replace(
        state,
        step=0,
        loss_axis=options.get("loss_axis", "linear"),
        whole=not options.get("reveal", True),
        local=0 if local is None else local + 1,
        zoom=options.get("steps"),
        map_x=options.get("map_x"),
        map_y=options.get("map_y"),
        panels=options.get("panels"),
        pins=options.get("pins", ()),
        arrows=options.get("arrows", ()),
        axis=options.get("step_axis", "updates"),
        seeds=options.get("seeds", 0),
    )


@guarded
def reset_start() -> None:
    """A new surface starts from its own default start, at step 0."""
    ss = st.session_state
    try:
        start = surface_start(widgets_to_state(ss))
    except (ValueError, ImportError):
        return  # a bad formula: the error is shown under the field
    ss["start_x"], ss["start_y"] = start
    ss["step"] = 0
    # A preset's zoom (and its choice of panels) belongs to its surface.
    ss["zoom"] = ss["map_x"] = ss["map_y"] = ss["panels"] = None
    ss["pins"] = ()


@guarded
def add_run() -> None:
    ids = st.session_state[RUN_IDS]
    rid = max(ids, default=-1) + 1
    st.session_state.update(run_to_widgets(rid, new_run()))
    st.session_state[RUN_IDS] = [*ids, rid]


@guarded
def remove_run(rid: int) -> None:
    st.session_state[RUN_IDS] = [r for r in st.session_state[RUN_IDS] if r != rid]


# Widgets whose option labels are words (the rest show numbers, the same in both languages).
WORDED = ("surface", "preset", "batch", "view", "arrows", "local_pick", "mb", "step_axis")
WORDED_RUN = ("family", "sched", "s_anneal_strategy", "mb")


@guarded
def relabel() -> None:
    """The language changed: every select box shows its chosen option in the new language at
    once. The browser keeps a select box's shown text until the script sets its value, so
    each worded widget's value is set again (to itself)."""
    ss = st.session_state
    for key in list(ss.keys()):
        name = str(key)
        _, sep, rest = name.partition("_")
        if name in WORDED or (sep and _is_run_widget(name) and rest in WORDED_RUN):
            ss[key] = ss[key]
