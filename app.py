"""Optimizer lab: adaptive learning rates on 2-D loss surfaces (the Streamlit page: layout only).

The page is a classroom screen: a header row, the view switcher, and the stage (one figure:
the map beside the trace panels, with its toolbar and its one clock), then the verdict
cards and the update rules at the step where the clock stands. The controls are in the
sidebar (a drawer in Present mode). The session and its callbacks, the control panel, the
stage, the cards and the popovers live in ``ui/``; the pictures in ``figures/``; the
computing in the engine (``lab``), reached through ``ui.compute``.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.text import t
from figures.style import PALETTE
from lab.presets import list_presets
from ui import classroom, maps_view, page
from ui.browser import quiet_animation_interrupts
from ui.compute import current_result, scenario_key, seed_fates, surface_state
from ui.controls import controls
from ui.keys import RUN_IDS
from ui.model import AppState
from ui.popovers import download_buttons, ignored_warning, link_params, share_box
from ui.process import freeze_imports
from ui.recover import boundary, page_lang, show_callback_error
from ui.results import rule_panels, verdict_cards
from ui.session import PRESET, init_session
from ui.stage import plotly_loader

st.set_page_config(
    page_title="Optimizer lab",
    page_icon="⛰️",
    layout="wide",
    initial_sidebar_state="collapsed" if st.query_params.get("present") == "1" else "expanded",
)


def run_colors() -> tuple[str, ...]:
    """Each run's colour follows its id, so removing a run leaves the others' colours."""
    return tuple(PALETTE[rid % len(PALETTE)] for rid in st.session_state[RUN_IDS])


def preset_texts(lang: str) -> tuple[str, str] | None:
    """The chosen preset's title and caption, if one is chosen."""
    name = st.session_state.get(PRESET)
    presets, _ = list_presets()
    chosen = next((p for p in presets if name and p.name == name), None)
    return (chosen.title_in(lang), chosen.caption_in(lang)) if chosen else None


def main() -> None:
    # The controls come before anything that can fail, and each part runs inside an error
    # boundary (ui.recover): an error shows one message with a reset, never a traceback, and
    # the controls stay, so the next interaction works.
    freeze_imports()  # once per process: the collection after each run skips the modules
    with boundary("session") as session:
        init_session()
    if session.failed:
        return  # the message and its reset are all there is to draw
    quiet_animation_interrupts()  # Pause must not leave an uncaught rejection (ui.browser)
    lang = page_lang()
    present = bool(st.session_state.get("present", False))
    drawn = None
    with boundary("controls"):  # after a failure here, nothing that needs the controls
        show_callback_error()
        maps_view.apply_click()  # a cell clicked on the Maps view opens before the controls
        page.style(present)
        state, formula_error = surface_state(lang)
        with st.sidebar:
            controls(lang, formula_error)
        share, download = page.header(lang, len(state.runs))
        if st.session_state.get("url_ignored"):
            ignored_warning(st.session_state["url_ignored"], lang)
        drawn = (state, share, download)
    if drawn is not None:
        with boundary("results"):
            results(*drawn, lang, present)
    plotly_loader()


def results(state: AppState, share: Any, download: Any, lang: str, present: bool) -> None:
    """Everything computed from the controls' state: the preset's banner (Present mode), the
    stage, verdicts, rules, downloads, link."""
    texts = preset_texts(lang) if present else None
    if texts:
        page.banner(*texts)
    with st.spinner(t("computing", lang, runs=len(state.runs), steps=state.steps)):
        result, refused = current_result(state, lang)
    if refused:
        st.error(refused)
    fates, not_counted = seed_fates(result, state.seeds, lang)  # the batch runs over many seeds
    if not_counted:
        st.error(not_counted)
    colors = run_colors()
    if state.view == "maps":  # the page's scenario swept over two parameters (ui.maps_view)
        maps_view.draw(result, lang, present, banner=texts is not None)
        step = classroom.current_step(result)
    else:
        maps_view.loaded_note(lang)  # after a click on a map's cell: which run opened
        step = classroom.draw(result, state, scenario_key(result), colors, banner=texts is not None, fates=fates)
    verdict_cards(result, lang, colors, fates)
    rule_panels(result, step, lang)
    params = link_params(state)
    if download.open:
        with download:
            download_buttons(result, state, step, lang, colors)
    if share.open:
        with share:
            share_box(params, lang)


main()
