"""Optimizer lab: adaptive learning rates on 2-D loss surfaces (Streamlit UI only).

Layout and widgets live here; the state codec, strings and widget groups in ``ui/``, the
pictures in ``figures/``, the computing in the engine (``lab``), reached through ONE cached
call keyed by the canonical scenario JSON.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlencode

import numpy as np
import streamlit as st

import export
import figures
from core.text import LANG_NAMES, t
from lab import Result, RunResult, parse_scenario, simulate
from lab.presets import list_presets
from surfaces import BUILTIN
from ui import explain
from ui.keys import FULL_BATCH, RUN_IDS, run_to_widgets, state_to_widgets, widgets_to_state
from ui.state import (
    ARROWS,
    BATCH_CHOICES,
    CUSTOM,
    LANGS,
    MAX_RUNS,
    MAX_STEPS,
    VIEWS,
    AppState,
    Ignored,
    RunState,
    auto_labels,
    build_surface,
    decode,
    default_state,
    encode,
    from_scenario,
    surface_spec,
    to_scenario,
)
from ui.widgets import CHART_CONFIG, run_editor, seed

ss = st.session_state
st.set_page_config(
    page_title="Optimizer lab",
    page_icon="⛰️",
    layout="wide",
    initial_sidebar_state="collapsed" if st.query_params.get("present") == "1" else "expanded",
)


# --- computing ----------------------------------------------------------------------------
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


# --- session state and callbacks ----------------------------------------------------------
def init_session() -> None:
    """On a session's first run, the URL's state (or the defaults) fills every widget."""
    if ss.get("initialized"):
        return
    query = st.query_params.to_dict()
    preset_name = query.pop("preset", None)  # ?preset=NAME: a short link to a lecture preset
    state, ignored = decode(query)
    locale = getattr(st.context, "locale", None) or ""
    if "lang" not in st.query_params and locale.lower().startswith("zh"):
        state.lang = "zh"
    ss.update(state_to_widgets(state))
    if preset_name:
        names = [p.name for p in list_presets()[0]]
        match = [n for n in names if preset_name in (n, n.split("_", 1)[-1])]
        if match:
            ss["preset"] = match[0]
            on_preset()
        else:
            allowed = ", ".join(names)
            ignored = [*ignored, Ignored("preset", str(preset_name), allowed)]
    ss["url_ignored"] = ignored
    ss["initialized"] = True


def _clear_run_widgets() -> None:
    for key in [k for k in ss if k[:1] == "r" and "_" in k and k[1 : k.index("_")].isdigit()]:
        del ss[key]


def load_state(state: AppState) -> None:
    _clear_run_widgets()
    ss.update(state_to_widgets(state))


def on_preset() -> None:
    name = ss.get("preset")
    presets, _ = list_presets()
    chosen = next((p for p in presets if p.name == name), None)
    ss["preset_error"] = None
    if chosen is None:
        return
    try:
        load_state(from_scenario(chosen.scenario, widgets_to_state(ss)))
    except ValueError as e:
        ss["preset_error"] = t("preset_bad", ss["lang"], name=chosen.name, error=e)


def reset_start() -> None:
    """A new surface starts from its own default start, at step 0."""
    try:
        start = build_surface(surface_spec(widgets_to_state(ss))).start
    except (ValueError, ImportError):
        return  # a bad formula: the error is shown under the field
    ss["start_x"], ss["start_y"] = float(start[0]), float(start[1])
    ss["step"] = 0


def add_run() -> None:
    ids = ss[RUN_IDS]
    rid = max(ids, default=-1) + 1
    ss.update(run_to_widgets(rid, RunState("rmsprop_lecture", {"lr": 0.1})))
    ss[RUN_IDS] = [*ids, rid]


def take_map_click() -> None:
    """A click on the map's invisible grid (last trace) becomes the start. Runs before the
    start widgets are drawn, so it may set their values; a click already taken is skipped
    (the chart keeps its selection until it is redrawn)."""
    event = ss.get("map") or {}
    points = event.get("selection", {}).get("points", [])
    picks = [p for p in points if p.get("curve_number") == ss.get("pick_curve")]
    if not picks:
        return
    xy = (float(picks[-1]["x"]), float(picks[-1]["y"]))
    if xy == ss.get("last_click"):
        return
    ss["last_click"] = xy
    ss["start_x"], ss["start_y"] = round(xy[0], 4), round(xy[1], 4)


# --- controls -----------------------------------------------------------------------------
def surface_state(lang: str) -> tuple[AppState, str | None]:
    """The state the widgets hold, with the last good surface in place of a formula that
    does not parse; and the message for that formula (shown under its field)."""
    state = widgets_to_state(ss)
    if state.surface != CUSTOM:
        return state, None
    try:
        build_surface(surface_spec(state))
    except ImportError as e:
        return _with_surface(state, ss.get("good_surface", "ravine")), t(
            "formula_unavailable", lang, error=e
        )
    except ValueError as e:
        return _with_surface(state, ss.get("good_surface", "ravine")), t(
            "formula_bad", lang, error=e
        )
    ss["good_surface"] = surface_spec(state)
    return state, None


def controls(lang: str, formula_error: str | None) -> None:
    """Every scenario control (drawn after the charts: the values are already in the session
    state, and the charts should not wait for some forty widgets)."""
    presets, problems = list_presets()
    if presets:
        names = ["", *(p.name for p in presets)]
        titles = {p.name: p.title_in(lang) for p in presets}
        seed("preset", "")
        st.selectbox(
            t("preset", lang),
            names,
            key="preset",
            format_func=lambda n: titles.get(n) or t("preset_none", lang),
            on_change=on_preset,
            help=t("preset_help", lang),
        )
        chosen = next((p for p in presets if p.name == ss.get("preset")), None)
        if chosen is not None:
            st.caption(chosen.caption_in(lang))
    for problem in problems:
        st.caption(f"⚠️ {problem}")
    if ss.get("preset_error"):
        st.error(ss["preset_error"])

    st.subheader(t("section_surface", lang))
    options = [*BUILTIN, CUSTOM]
    st.selectbox(
        t("surface", lang),
        options,
        key="surface",
        format_func=lambda n: t("custom", lang) if n == CUSTOM else BUILTIN[n].title[lang],
        on_change=reset_start,
    )
    if ss["surface"] == CUSTOM:
        st.text_input(
            t("formula", lang), key="expr", help=t("formula_help", lang), on_change=reset_start
        )
        if formula_error:
            st.error(formula_error)
        c1, c2 = st.columns(2)
        c1.number_input(t("x_range", lang), key="xr_lo", format="%g", on_change=reset_start)
        c2.number_input(" ", key="xr_hi", format="%g", on_change=reset_start)
        c1.number_input(t("y_range", lang), key="yr_lo", format="%g", on_change=reset_start)
        c2.number_input("  ", key="yr_hi", format="%g", on_change=reset_start)
    else:
        surface = BUILTIN[ss["surface"]]
        st.caption(surface.description[lang])
        st.latex(rf"L(x, y) = {surface.formula}")

    st.subheader(t("section_start", lang))
    c1, c2 = st.columns(2)
    c1.number_input("x₀", -1e6, 1e6, key="start_x", format="%g", step=0.1)
    c2.number_input("y₀", -1e6, 1e6, key="start_y", format="%g", step=0.1)
    st.caption(t("start_hint", lang))
    st.button(t("reset_start", lang), on_click=reset_start, icon=":material/restart_alt:")

    st.subheader(t("section_run", lang))
    st.number_input(
        t("steps", lang), 1, MAX_STEPS, key="steps", step=100, help=t("steps_help", lang)
    )
    current = ss.get("batch")
    batches = [
        FULL_BATCH,
        *sorted({*BATCH_CHOICES, *([current] if current != FULL_BATCH else [])}, reverse=True),
    ]
    st.select_slider(
        t("batch", lang),
        batches,
        key="batch",
        format_func=lambda b: t("full_batch", lang) if b == FULL_BATCH else f"B = {b:g}",
        help=t("batch_help", lang),
    )
    if ss["batch"] != FULL_BATCH:
        st.number_input(t("seed", lang), 0, 2**32 - 1, key="seed", step=1)

    st.subheader(t("section_runs", lang))
    ids = ss[RUN_IDS]
    labels = auto_labels(widgets_to_state(ss).runs)
    for index, rid in enumerate(ids):
        # Keyed, so it stays open while its title follows the label (η changes it).
        with st.expander(f"{index + 1}. {labels[index]}", expanded=index == 0, key=f"r{rid}_box"):
            run_editor(rid, index, lang, int(ss["steps"]), removable=len(ids) > 1)
    if len(ids) < MAX_RUNS:
        st.button(t("add_run", lang), on_click=add_run, icon=":material/add:")

    st.subheader(t("section_view", lang))
    st.pills(
        t("arrows", lang),
        list(ARROWS),
        selection_mode="multi",
        key="arrows",
        format_func=lambda a: t(f"arrow_{a}", lang),
        help=t("arrows_help", lang),
    )


# --- results ------------------------------------------------------------------------------
def verdict_card(run: RunResult, index: int, result: Result, lang: str) -> None:
    v = run.verdict
    with st.container(border=True):
        st.html(
            f'<div style="font-size:1.15em"><span style="color:{figures.color(index)};'
            f'font-size:1.4em">●</span> <b>{_escape(run.label)}</b></div>'
        )
        step = v.get("step", run.steps_run)
        st.markdown(
            f"**{t('kind.' + v['kind'], lang).upper()}** · {t('at_step', lang, step=step)}"
        )
        c1, c2 = st.columns(2)
        c1.metric(t("final_loss", lang), f"{run.loss[-1]:.4g}")
        g0 = run.grad_norm[0]
        ratio = run.grad_norm[-1] / g0 if g0 > 0 else 0.0
        c2.metric(t("grad_ratio", lang), f"{ratio:.3g}")
        eig = v.get("eigenvalues") or _eigenvalues(result, run)
        if eig is not None:
            st.caption(f"{t('eigenvalues', lang)}: " + ", ".join(f"{e:.4g}" for e in eig))
        st.write(v["explanation"][lang])


def _eigenvalues(result: Result, run: RunResult) -> list[float] | None:
    if run.verdict["kind"] == "diverged":
        return None
    with np.errstate(all="ignore"):
        h = np.asarray(result.surface.hessian(run.trajectory[-1]), dtype=float)
    if not np.all(np.isfinite(h)):
        return None
    return [float(e) for e in np.linalg.eigvalsh(0.5 * (h + h.T))]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def rule_panel(run: RunResult, step: int, surface: Any, lang: str) -> None:
    for line in explain.update_rule(run.optimizer, run.params):
        st.latex(line)
    st.latex(explain.schedule_rule(run.schedule))
    rows = explain.step_numbers(run, step, surface)
    if rows:
        st.markdown(f"**{t('rule_numbers', lang, step=step)}**")
        st.latex(explain.numbers_latex(rows))
        if run.noise is not None:
            st.caption(t("noise_note", lang))
    else:
        st.caption(t("rule_last", lang, step=step))


def show_ignored(ignored: list[Ignored], lang: str) -> None:
    items = []
    for item in ignored:
        if item.name == "scenario":
            items.append(t("url_scenario", lang, allowed=item.allowed))
        else:
            items.append(
                t("url_item", lang, name=item.name, value=item.value, allowed=item.allowed)
            )
    c1, c2 = st.columns([12, 1])
    c1.warning(t("url_ignored", lang, items="; ".join(items)))
    if c2.button(t("dismiss", lang), key="dismiss_url"):
        ss["url_ignored"] = []
        st.rerun()


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


# --- the page -----------------------------------------------------------------------------
def main() -> None:
    init_session()
    take_map_click()
    lang = ss["lang"]
    present = bool(ss["present"])
    if present:
        st.html(PRESENTATION_CSS)

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
    )
    c_present.toggle(t("present", lang), key="present", help=t("present_help", lang))
    share = c_share.popover(t("share", lang), icon=":material/link:")
    download = c_down.popover(t("download", lang), icon=":material/download:")

    if ss.get("url_ignored"):
        show_ignored(ss["url_ignored"], lang)

    panel = st.expander(t("controls", lang), expanded=False) if present else st.sidebar
    state, formula_error = surface_state(lang)
    with st.spinner(t("computing", lang, runs=len(state.runs), steps=state.steps)):
        try:
            scenario_json = parse_scenario(to_scenario(state)).to_json()
            result = result_for(scenario_json)  # the engine also refuses, e.g., a bad start
            ss["good_scenario"] = scenario_json
        except ValueError as e:
            st.error(t("scenario_bad", lang, error=e))
            good = ss.get("good_scenario") or parse_scenario(to_scenario(default_state())).to_json()
            result = result_for(good)

    last = max(r.steps_run for r in result.runs)
    if ss.get("step", 0) > last:
        ss["step"] = last
    step = int(ss.get("step", 0))

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
        if ss["view"] == "3d":
            st.plotly_chart(
                figures.surface_3d(result, lang, presentation=present),
                theme=None,
                key="surface3d",
            )
        else:
            fig = figures.map_figure(
                result, lang, step=step, arrows=state.arrows, presentation=present
            )
            ss["pick_curve"] = len(fig.data) - 1
            st.plotly_chart(
                fig,
                theme=None,
                key="map",
                on_select="rerun",
                selection_mode=("points",),
                config={"displaylogo": False, "scrollZoom": False},
            )
            st.caption(t("map_hint", lang))
    with right:
        st.plotly_chart(
            figures.traces_figure(result, lang, step=step, presentation=present),
            theme=None,
            key="traces",
            config=CHART_CONFIG,
        )
        st.caption(t("traces_caption", lang))
    st.slider(t("step", lang), 0, max(last, 1), key="step")

    st.subheader(t("verdicts", lang))
    per_row = 3
    for row in range(0, len(result.runs), per_row):
        cols = st.columns(per_row)
        for j, run in enumerate(result.runs[row : row + per_row]):
            with cols[j]:
                verdict_card(run, row + j, result, lang)

    st.subheader(t("rules", lang))
    tabs = st.tabs([r.label for r in result.runs])
    for tab, run in zip(tabs, result.runs, strict=True):
        with tab:
            rule_panel(run, step, result.surface, lang)

    with panel:
        controls(lang, formula_error)

    with download:
        download_buttons(result, state, step, lang, present)

    params = encode(state)
    with share:
        base = getattr(st.context, "url", None) or ""
        st.code(
            f"{base}?{urlencode(params)}" if params else base or "?", language=None, wrap_lines=True
        )
        st.caption(t("share_help", lang))
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def download_buttons(result: Result, state: AppState, step: int, lang: str, present: bool) -> None:
    """One button per export format. A file is rendered only when its button is clicked, by
    the same figure builders as the page (``export``), so it looks like what is on screen."""
    st.caption(t("download_help", lang))
    if ss.get("export_error"):
        st.error(ss.pop("export_error"))
    view = "3d" if ss.get("view") == "3d" else "all"  # the page shows the map beside the traces
    missing = export.browser_path() is None
    if missing:
        st.caption(t("download_no_browser", lang, error=export.browser.INSTALL_HINT))
    name = state.surface if state.surface != CUSTOM else "custom"

    def render(fmt: str) -> bytes:
        fmt_view = "all" if view == "3d" and fmt == "gif" else view
        try:
            return export.render(
                result,
                fmt,
                view=fmt_view,
                lang=lang,
                step=step,
                arrows=tuple(state.arrows),
                presentation=present,
            )
        except (export.ExportError, export.MissingDependencyError, export.RenderError) as e:
            ss["export_error"] = t("download_failed", lang, fmt=fmt.upper(), error=e)
            return b""

    cols = st.columns(len(export.FORMATS))
    for col, fmt in zip(cols, export.FORMATS, strict=True):
        col.download_button(
            fmt.upper(),
            data=lambda fmt=fmt: render(fmt),
            file_name=f"optimizer-lab-{name}.{fmt}",
            mime=export.MIME_TYPES[fmt],
            key=f"download_{fmt}",
            disabled=missing and fmt in export.BROWSER_FORMATS,
            on_click="ignore",
        )


def _with_surface(state: AppState, spec: str | dict[str, Any]) -> AppState:
    """``state`` with the surface ``spec`` (the last good one, when the typed formula is bad)."""
    if isinstance(spec, dict):
        return dataclasses.replace(
            state,
            surface=CUSTOM,
            expr=spec["expr"],
            x_range=tuple(spec["x_range"]),
            y_range=tuple(spec["y_range"]),
        )
    return dataclasses.replace(state, surface=spec)


main()
