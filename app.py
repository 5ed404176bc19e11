"""Optimizer lab: adaptive learning rates on 2-D loss surfaces (the Streamlit page: layout only).

The session and its callbacks, the control panel, the verdict cards, the update rules and
the popovers live in ``ui/``; the pictures in ``figures/``; the computing in the engine
(``lab``), reached through ONE cached call keyed by the canonical scenario JSON
(``ui.compute``).
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import figures
from core.text import LANG_NAMES, LANGS, t
from figures.style import INTERACTIVE_CONFIG
from lab import Result
from ui.browser import quiet_animation_interrupts
from ui.compute import current_result, surface_state
from ui.controls import controls
from ui.model import VIEWS, AppState
from ui.popovers import download_buttons, ignored_warning, share_box
from ui.recover import boundary, page_lang, show_callback_error
from ui.results import rule_panels, verdict_cards
from ui.session import init_session, relabel, take_map_click
from ui.widgets import CHART_CONFIG

PRESENTATION_CSS = """
<style>
header[data-testid="stHeader"] { display: none; }
[data-testid="stMainBlockContainer"] { padding-top: 1rem; max-width: 100%; }
[data-testid="stMainBlockContainer"] p, [data-testid="stMainBlockContainer"] li,
[data-testid="stMarkdownContainer"] { font-size: 1.3rem; }
[data-testid="stMetricValue"] { font-size: 2.4rem; }
.katex { font-size: 1.35em; }
</style>
"""

st.set_page_config(
    page_title="Optimizer lab",
    page_icon="⛰️",
    layout="wide",
    initial_sidebar_state="collapsed" if st.query_params.get("present") == "1" else "expanded",
)


def header(lang: str, present: bool) -> tuple[DeltaGenerator, DeltaGenerator]:
    """Title, language, presentation switch; returns the Share and Download popovers."""
    head, c_lang, c_present, c_share, c_down = st.columns(
        [7, 2, 2, 2, 2], vertical_alignment="center"
    )
    if present:
        head.markdown(f"### {t('title', lang)}")
    else:
        head.header(t("title", lang))
        head.caption(t("subtitle", lang))
    c_lang.segmented_control(
        t("language", lang),
        list(LANGS),
        key="lang",
        format_func=LANG_NAMES.get,
        required=True,
        label_visibility="collapsed",
        on_change=relabel,
    )
    c_present.toggle(t("present", lang), key="present", help=t("present_help", lang))
    share = c_share.popover(t("share", lang), icon=":material/link:")
    download = c_down.popover(t("download", lang), icon=":material/download:")
    return share, download


def current_step(result: Result) -> int:
    """The step under the slider, within the runs' length."""
    last = max(r.steps_run for r in result.runs)
    if st.session_state.get("step", 0) > last:
        st.session_state["step"] = last
    return int(st.session_state.get("step", 0))


def charts(result: Result, state: AppState, step: int, lang: str) -> None:
    """The map (or the 3-D view) beside the four trace panels, and the step slider."""
    present = state.present
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.segmented_control(
            t("view", lang),
            list(VIEWS),
            key="view",
            format_func=lambda v: t(f"view_{v}", lang),
            required=True,
            label_visibility="collapsed",
        )
        if st.session_state["view"] == "3d":
            fig = figures.surface_3d(result, lang, presentation=present)
            st.plotly_chart(fig, theme=None, key="surface3d")
        else:
            fig = figures.map_figure(
                result, lang, step=step, arrows=state.arrows, presentation=present
            )
            # Clicks count only on the invisible grid, the map's last trace (ui.session).
            st.session_state["pick_curve"] = len(fig.data) - 1
            st.plotly_chart(
                fig,
                theme=None,
                key="map",
                on_select="rerun",
                selection_mode=("points",),
                config=INTERACTIVE_CONFIG,
            )
            st.caption(t("map_hint", lang))
    with right:
        fig = figures.traces_figure(result, lang, step=step, presentation=present)
        st.plotly_chart(fig, theme=None, key="traces", config=CHART_CONFIG)
        st.caption(t("traces_caption", lang))
    st.slider(t("step", lang), 0, max(max(r.steps_run for r in result.runs), 1), key="step")


def main() -> None:
    # The controls come before anything that can fail, and each part runs inside an error
    # boundary (ui.recover): an error shows one message with a reset, never a traceback, and
    # the controls stay, so the next interaction works.
    with boundary("session") as session:
        init_session()
    if session.failed:
        return  # the message and its reset are all there is to draw
    quiet_animation_interrupts()  # Pause must not leave an uncaught rejection (ui.browser)
    with boundary("click"):
        take_map_click()
    lang = page_lang()
    present = bool(st.session_state.get("present", False))
    if present:
        st.html(PRESENTATION_CSS)
    drawn = None
    with boundary("controls"):  # after a failure here, nothing that needs the controls
        show_callback_error()
        share, download = header(lang, present)
        panel = st.expander(t("controls", lang), expanded=False) if present else st.sidebar
        state, formula_error = surface_state(lang)
        with panel:
            controls(lang, formula_error)
        if st.session_state.get("url_ignored"):
            ignored_warning(st.session_state["url_ignored"], lang)
        drawn = (state, share, download)
    if drawn is not None:
        with boundary("results"):
            results(*drawn, lang)


def results(state: AppState, share: DeltaGenerator, download: DeltaGenerator, lang: str) -> None:
    """Everything computed from the controls' state: charts, verdicts, rules, downloads, link."""
    with st.spinner(t("computing", lang, runs=len(state.runs), steps=state.steps)):
        result, refused = current_result(state, lang)
        if refused:
            st.error(refused)
    step = current_step(result)
    charts(result, state, step, lang)
    verdict_cards(result, lang)
    rule_panels(result, step, lang)
    with download:
        download_buttons(result, state, step, lang)
    with share:
        share_box(state, lang)


main()
