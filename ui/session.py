"""The session: its first run (the URL, a ``?preset=`` link, the browser's language) and the
callbacks that change it (a preset, a new surface, a map click, adding or removing a run).

Callbacks run before the script draws any widget, so they may set widget values in
``st.session_state``; the widgets then show them (``ui.keys`` names every key).
"""

from __future__ import annotations

import streamlit as st

from core.text import t
from lab.presets import allowed_names, find_preset, list_presets
from ui.keys import RUN_IDS, run_to_widgets, state_to_widgets, widgets_to_state
from ui.model import AppState, new_run
from ui.recover import guarded
from ui.safe import plain
from ui.scenario import from_scenario, surface_start
from ui.url import Ignored, decode

PRESET = "preset"  # the preset box's key, and the URL parameter of a preset link


def init_session() -> None:
    """On a session's first run, the URL's state (or the defaults) fills every widget."""
    ss = st.session_state
    if ss.get("initialized"):
        return
    query = st.query_params.to_dict()
    link = query.pop(PRESET, None)  # ?preset=NAME: a short link to a lecture preset
    state, ignored = decode(query)
    locale = getattr(st.context, "locale", None) or ""
    if "lang" not in query and locale.lower().startswith("zh"):
        state.lang = "zh"
    ss.update(state_to_widgets(state))
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
    """The preset box changed: its scenario replaces the current one (view options stay)."""
    ss = st.session_state
    presets, _ = list_presets()
    chosen = next((p for p in presets if p.name == ss.get(PRESET)), None)
    ss["preset_error"] = None
    if chosen is None:
        return
    try:
        load_state(from_scenario(chosen.scenario, widgets_to_state(ss)))
    except ValueError as e:
        ss["preset_error"] = t("preset_bad", ss["lang"], name=plain(chosen.name), error=plain(e))


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


# Widgets whose choices are shown as words of the current language (the others show numbers
# or torch names).
WORDED = ("surface", PRESET, "view", "arrows", "batch")
WORDED_RUN = ("family", "sched")


@guarded
def relabel() -> None:
    """The language changed: every widget whose choices are words gets its choice again.
    Streamlit 1.67 sends a select box's (select slider's, pills') choice back as its label; the
    browser keeps the label of the language it was drawn in, which matches no option of the
    new one (the choice came back as the label text itself: "Gradient descent" instead of
    "sgd"). Set again from here, each widget is drawn with its choice in the new language."""
    ss = st.session_state
    for key in list(ss.keys()):
        head, _, name = str(key).partition("_")
        if key in WORDED or (head[:1] == "r" and head[1:].isdigit() and name in WORDED_RUN):
            ss[key] = ss[key]


@guarded
def add_run() -> None:
    ids = st.session_state[RUN_IDS]
    rid = max(ids, default=-1) + 1
    st.session_state.update(run_to_widgets(rid, new_run()))
    st.session_state[RUN_IDS] = [*ids, rid]


@guarded
def remove_run(rid: int) -> None:
    st.session_state[RUN_IDS] = [r for r in st.session_state[RUN_IDS] if r != rid]


def take_map_click(chart_key: str = "map") -> None:
    """A click on the map's invisible grid becomes the start. The grid is the map's last
    trace, whose index the page stores as ``pick_curve`` when it draws the map; clicks on
    other traces are not starts. Runs before the start widgets are drawn, so it may set
    their values; a click already taken is skipped (the chart keeps its selection until it
    is redrawn)."""
    ss = st.session_state
    event = ss.get(chart_key) or {}
    points = event.get("selection", {}).get("points", [])
    picks = [p for p in points if p.get("curve_number") == ss.get("pick_curve")]
    if not picks:
        return
    xy = (float(picks[-1]["x"]), float(picks[-1]["y"]))
    if xy == ss.get("last_click"):
        return
    ss["last_click"] = xy
    ss["start_x"], ss["start_y"] = round(xy[0], 4), round(xy[1], 4)
