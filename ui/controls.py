"""The control panel (the sidebar, or the expander above the map when presenting): preset,
surface, start, steps and noise, the runs, and the view options. Every widget is keyed
(``ui.keys``) and takes its value from the session state, never from ``value=``."""

from __future__ import annotations

import streamlit as st

from core.text import t
from figures.style import ARROW_KINDS
from lab.presets import list_presets
from lab.scenario import MAX_COORD
from surfaces import BUILTIN
from surfaces.data_models import DATASETS
from surfaces.formula.parse import MAX_LENGTH
from ui.batch_controls import (
    batch_controls,
    data_controls,
    data_title,
    is_data_set,
    run_batch_control,
)
from ui.keys import FULL_BATCH, RUN_IDS, widgets_to_state
from ui.model import BATCH_CHOICES, CUSTOM, MAX_RUNS, MAX_STEPS, auto_labels, name_label
from ui.safe import plain
from ui.session import PRESET, add_run, on_preset, reset_start
from ui.url import MAX_SEED
from ui.widgets import run_editor, seed


def controls(lang: str, formula_error: str | None) -> None:
    """Every scenario control. Drawn before the charts and anything else that can fail
    (``app.py``): a page whose computation fails still has its controls."""
    preset_box(lang)
    st.subheader(t("section_surface", lang))
    surface_controls(lang, formula_error)
    st.subheader(t("section_start", lang))
    start_controls(lang)
    st.subheader(t("section_run", lang))
    steps_and_noise(lang)
    if is_data_set(st.session_state.get("surface")):
        batch_controls(lang)
    st.subheader(t("section_runs", lang))
    runs_controls(lang)
    st.subheader(t("section_view", lang))
    st.pills(
        t("arrows", lang),
        list(ARROW_KINDS),
        selection_mode="multi",
        key="arrows",
        format_func=lambda a: t(f"arrow_{a}", lang),
        help=t("arrows_help", lang),
    )


NOT_VALUES = ("remove", "sched_chart")  # a run's button and chart: no value to keep (or set)


def run_box(rid: int) -> str:
    """The key of run ``rid``'s expander (True while open)."""
    return f"r{rid}_box"


def run_open(rid: int) -> str:
    """The key that remembers whether run ``rid``'s expander is open."""
    return f"r{rid}_open"


def _remember_open(rid: int) -> None:
    st.session_state[run_open(rid)] = bool(st.session_state.get(run_box(rid)))


def keep_closed(rid: int) -> None:
    """Keep the values of a closed run's widgets, which are not drawn in this run: Streamlit
    forgets a widget's value at the end of a run that did not draw it, unless the value is
    assigned again (then it is the session's, until the widget is drawn again)."""
    ss = st.session_state
    prefix, skip = f"r{rid}_", {run_box(rid), *(f"r{rid}_{name}" for name in NOT_VALUES)}
    for key in [k for k in ss if isinstance(k, str) and k.startswith(prefix) and k not in skip]:
        ss[key] = ss[key]


def preset_box(lang: str) -> None:
    """The lecture presets (when the folder has any), the chosen one's caption, and the
    problems of preset files that could not be read."""
    ss = st.session_state
    presets, problems = list_presets()
    if presets:
        titles = {p.name: p.title_in(lang) for p in presets}
        seed(PRESET, "")
        st.selectbox(
            t("preset", lang),
            ["", *titles],
            key=PRESET,
            format_func=lambda n: titles.get(n) or t("preset_none", lang),
            on_change=on_preset,
            help=t("preset_help", lang),
        )
        chosen = next((p for p in presets if p.name == ss.get(PRESET)), None)
        if chosen is not None:  # the whole title first: the box cuts it ("3. Per-parameter rates, and Adag")
            with st.container(key="preset_caption"):  # dark, not a caption's grey: read on a projector
                st.caption(f"**{plain(chosen.title_in(lang))}** · {plain(chosen.caption_in(lang))}")
    for problem in problems:  # names a file of the presets folder: shown as typed
        st.caption(f"⚠️ {plain(problem)}")
    if ss.get("preset_error"):
        st.error(ss["preset_error"])


def surface_controls(lang: str, formula_error: str | None) -> None:
    """A built-in surface with its description and formula, or a custom formula and box."""
    st.selectbox(
        t("surface", lang),
        [*BUILTIN, *DATASETS, CUSTOM],
        key="surface",
        format_func=lambda n: t("custom", lang) if n == CUSTOM else BUILTIN[n].title[lang] if n in BUILTIN else data_title(n, lang),
        on_change=reset_start,
    )  # fmt: skip
    if is_data_set(st.session_state["surface"]):
        data_controls(st.session_state["surface"], lang)
        return
    if st.session_state["surface"] != CUSTOM:
        surface = BUILTIN[st.session_state["surface"]]
        st.caption(surface.description[lang])
        # inline math wraps at its operators (display math would be cut at the edge)
        st.markdown(rf"$\displaystyle L({', '.join(surface.axes_tex)}) = {surface.formula}$")
        return
    st.text_input(
        t("formula", lang),
        key="expr",
        help=t("formula_help", lang),
        on_change=reset_start,
        max_chars=MAX_LENGTH,  # the parser's own limit
    )
    if formula_error:
        st.error(formula_error)
    c1, c2 = st.columns(2)
    # The second column's labels are blank (distinct, as Streamlit wants): lo and hi share one.
    boxes = (
        (c1, "xr_lo", t("x_range", lang)),
        (c2, "xr_hi", " "),
        (c1, "yr_lo", t("y_range", lang)),
        (c2, "yr_hi", "  "),
    )
    for col, key, label in boxes:  # the scenario's bound on a range, |value| <= 1e6
        col.number_input(
            label, -MAX_COORD, MAX_COORD, key=key, format="%g", on_change=reset_start
        )


def surface_axes(name: str | None) -> tuple[str, str]:
    """The coordinates' names of the chosen surface (a formula's are x and y)."""
    if is_data_set(name):
        return DATASETS[name].axes  # type: ignore[index]
    return BUILTIN[name].axes if name in BUILTIN else ("x", "y")


def start_controls(lang: str) -> None:
    """The start point, under the surface's own names of its coordinates (x, y or w₁, w₂ …)."""
    a, b = surface_axes(st.session_state.get("surface"))
    c1, c2 = st.columns(2)
    c1.number_input(a, -1e6, 1e6, key="start_x", format="%g", step=0.1)
    c2.number_input(b, -1e6, 1e6, key="start_y", format="%g", step=0.1)
    st.caption(t("start_hint", lang))
    st.button(t("reset_start", lang), on_click=reset_start, icon=":material/restart_alt:")


def steps_and_noise(lang: str) -> None:
    """The number of steps, the emulated batch size (a value from a link is kept among the
    choices), and the noise seed when there is noise."""
    st.number_input(
        t("steps", lang), 1, MAX_STEPS, key="steps", step=100, help=t("steps_help", lang)
    )
    current = st.session_state.get("batch")
    extra = [current] if current != FULL_BATCH else []
    emulated = is_data_set(st.session_state.get("surface"))  # beside real batches: say which is which
    st.select_slider(
        t("batch.emulated_size" if emulated else "batch", lang),
        [FULL_BATCH, *sorted({*BATCH_CHOICES, *extra}, reverse=True)],
        key="batch",
        format_func=lambda b: t("full_batch", lang) if b == FULL_BATCH else f"B = {b:g}",
        help=t("batch_help", lang),
    )
    if st.session_state["batch"] != FULL_BATCH:
        st.number_input(t("seed", lang), 0, MAX_SEED, key="seed", step=1)


def runs_controls(lang: str) -> None:
    """One expander per run (the first open), and the button that adds one. A closed run's
    widgets are not drawn (opening it reruns the page): the browser would redraw them at every
    notch of every slider. Their values are kept (``keep_closed``)."""
    ss = st.session_state
    ids = ss[RUN_IDS]
    runs = widgets_to_state(ss).runs
    labels = auto_labels(runs)
    steps = int(ss["steps"])
    for index, rid in enumerate(ids):
        # Streamlit makes an expander whose title changes a new one (closed, and drawn from
        # scratch): an open run's title leaves out eta, which its slider shows below; a closed
        # run's gives its whole label. Whether it is open is kept apart (``run_open``).
        opened = bool(ss.get(run_open(rid), index == 0))
        run = runs[index]
        name = name_label(labels[index], run.optimizer, run.schedule) if opened else labels[index]
        title = f"{index + 1}. {plain(name)}"
        box = st.expander(title, expanded=opened, key=run_box(rid), on_change=_remember_open, args=(rid,))
        if box.open is False:
            keep_closed(rid)
            continue
        with box:
            run_editor(rid, index, lang, steps, removable=len(ids) > 1)
            run_batch_control(rid, lang)
    if len(ids) < MAX_RUNS:
        st.button(t("add_run", lang), on_click=add_run, icon=":material/add:")
