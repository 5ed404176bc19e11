"""The Maps view: the page's scenario with one run swept over two of its parameters (or its
start), every cell one run judged like a run of its own (``lab.sweep``), drawn by
``figures.maps``. A click on a cell opens that run in the Map view.

The row above the figure chooses the two axes; a popover holds the ranges, the swept run and
the run beside it, the shading and the colouring. The settings live in ``st.session_state``
(``ui.maps_model`` keys ``mp_*``), written by a preset with a sweep, a link (``ui.url_sweep``)
or the widgets.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.text import t
from export.maps import to_csv, to_json
from figures.maps import axis_title, map_figure
from lab import Result, ScenarioError, SweepResult
from lab.scenario import RunSpec
from lab.sweep_spec import SCALES, Axis, sweepable
from lab.verdicts.fmt import num
from ui import classroom
from ui.keys import RUN_IDS, rk
from ui.maps_compute import MAPS, MapBudgetError, cells_of, compute_maps, key_of, map_scenarios
from ui.maps_model import (
    COLORINGS,
    NO_AXIS,
    SHADES,
    MapSettings,
    axis_params,
    axis_widgets,
    default_axis,
    default_settings,
    fitted,
    from_widgets,
    key,
    to_widgets,
)
from ui.model import auto_labels
from ui.safe import plain
from ui.scenario import run_from_scenario
from ui.url_sweep import encode_sweep

CHART_KEY = "maps_chart"
SHOWN = "maps_shown"  # the panels on screen: their cache keys and the figure's trace count
SETTINGS = "maps_settings"  # the settings last shown (the share link writes them)
LOADED = "maps_loaded"
FIGURE = "maps_figure"  # the last figure: (its key, the figure)
PENDING = "maps_pending"  # a clicked cell to open on the next run: (run, map key, i, j)
CLICK_SEEN = "maps_click_seen"  # the last chart selection handled  # what a click opened (the Map view says so once)
ROW_PX = 46  # the row of axis choices above the figure
CONFIG = {"displayModeBar": False, "scrollZoom": False}


def param_label(run: RunSpec, param: str, lang: str) -> str:
    """An axis choice as the figure names it (lecture symbol and torch name)."""
    spec, target = sweepable(run)[param]
    return axis_title(Axis(param, 0.0, 1.0, 2, "linear", spec, target), lang)


# --- the settings ---------------------------------------------------------------------------
def settings(result: Result) -> MapSettings:
    """The view's settings, made to fit the page's scenario (and written back to the widgets
    when they did not: another optimizer has other parameters)."""
    ss = st.session_state
    sc = result.scenario
    if key("x_param") not in ss and ss.get(SETTINGS) is not None:
        # Streamlit drops a widget's value on a run that does not draw it (the Map view):
        # the settings last shown bring the view back as it was.
        ss.update(to_widgets(ss[SETTINGS]))
    got, problems = from_widgets(ss, sc.runs)
    ss["maps_problems"] = problems
    if got is None and problems:
        return default_settings(sc.runs, sc.start, result.surface)  # the typed text stays
    fit = fitted(got or default_settings(sc.runs, sc.start, result.surface), sc.runs, sc.start, result.surface)
    if fit != got:
        ss.update(to_widgets(fit))
    ss[SETTINGS] = fit
    return fit


def on_param(axis: str) -> None:
    """A new parameter on an axis starts from its own range (``maps_model.default_axis``)."""
    ss = st.session_state
    param = ss.get(key(f"{axis}_param"))
    ctx = ss.get("maps_context")
    if not param or ctx is None:
        return
    run, start, surface = ctx
    ss.update(axis_widgets(axis, default_axis(run, start, surface, param)))


def on_run() -> None:
    """Another swept run: that run's own default axes."""
    ss = st.session_state
    ctx = ss.get("maps_runs")
    if ctx is None:
        return
    runs, start, surface = ctx
    run = int(ss.get(key("run")) or 0)
    if 0 <= run < len(runs):
        base = default_settings(runs, start, surface, run)
        ss.update(to_widgets(base))


def controls(result: Result, current: MapSettings, lang: str) -> Any:
    """The row above the figure: the two axes, the settings popover, the cells' download
    (returned: filled once the maps exist)."""
    sc = result.scenario
    run = sc.runs[current.run]
    params = axis_params(run)
    st.session_state["maps_context"] = (run, sc.start, result.surface)
    st.session_state["maps_runs"] = (sc.runs, sc.start, result.surface)
    row = st.container(key="maps_row", horizontal=True, vertical_alignment="center", gap="small", wrap=False)
    with row:
        st.selectbox(t("maps.ui.x_label", lang), params, key=key("x_param"), on_change=on_param, args=("x",),
                     format_func=lambda p: t("maps.ui.x", lang, param=param_label(run, p, lang)),
                     label_visibility="collapsed", width=190)  # fmt: skip
        st.selectbox(t("maps.ui.y_label", lang), [NO_AXIS, *params], key=key("y_param"), on_change=on_param,
                     args=("y",), label_visibility="collapsed", width=190,
                     format_func=lambda p: t("maps.ui.y", lang, param=param_label(run, p, lang)) if p else t("maps.ui.no_axis", lang))  # fmt: skip
        with st.popover("", icon=":material/tune:", help=t("maps.ui.settings", lang)):
            settings_panel(result, current, lang)
        st.caption(t("maps.ui.help", lang), width="stretch")
        download = st.popover("", icon=":material/download:", help=t("maps.ui.download", lang))
    for problem in st.session_state.get("maps_problems") or []:
        st.caption(f"⚠️ {plain(problem)}")
    return download


def settings_panel(result: Result, current: MapSettings, lang: str) -> None:
    labels = auto_labels([run_from_scenario(r.to_dict()) for r in result.scenario.runs])
    runs = list(range(len(labels)))
    st.selectbox(t("maps.ui.run", lang), runs, key=key("run"), on_change=on_run,
                 format_func=lambda i: f"{i + 1}. {labels[i]}")  # fmt: skip
    st.selectbox(t("maps.ui.beside", lang), [None, *[i for i in runs if i != current.run]], key=key("beside"),
                 format_func=lambda i: t("maps.ui.beside_none", lang) if i is None else f"{i + 1}. {labels[i]}")  # fmt: skip
    for axis in ("x", "y") if current.y is not None else ("x",):
        name = t(f"maps.ui.{axis}_label", lang)
        c1, c2 = st.columns(2)
        c1.text_input(t("maps.ui.from", lang, axis=name), key=key(f"{axis}_from"))
        c2.text_input(t("maps.ui.to", lang, axis=name), key=key(f"{axis}_to"))
        c3, c4 = st.columns(2)
        c3.number_input(t("maps.ui.n", lang, axis=name), min_value=2, max_value=200, step=1, key=key(f"{axis}_n"))
        c4.selectbox(t("maps.ui.scale", lang, axis=name), SCALES, key=key(f"{axis}_scale"),
                     format_func=lambda s: t(f"maps.ui.scale.{s}", lang))  # fmt: skip
    st.segmented_control(t("maps.ui.shade", lang), SHADES, key=key("shade"), required=True,
                         format_func=lambda s: t(f"maps.ui.shade.{s}", lang))  # fmt: skip
    st.segmented_control(t("maps.ui.coloring", lang), COLORINGS, key=key("coloring"), required=True,
                         format_func=lambda s: t(f"maps.ui.coloring.{s}", lang))  # fmt: skip


# --- computing and drawing -------------------------------------------------------------------
def maps_for(result: Result, current: MapSettings, lang: str) -> list[SweepResult] | None:
    """The panels' sweeps (cached; a progress bar while they compute), or None with the
    message that says why not."""
    try:
        scenarios = map_scenarios(result.scenario.to_dict(), current)
        if all(MAPS.get(key_of(sc)) is not None for sc in scenarios):
            return compute_maps(scenarios)
        cells = sum(cells_of(sc) for sc in scenarios)
        text = t("maps.ui.computing", lang, cells=f"{cells:,}", steps=f"{scenarios[0].steps:,}")
        bar = st.progress(0.0, text=text)
        maps = compute_maps(scenarios, progress=lambda f: bar.progress(f, text=text))
        bar.empty()
        return maps
    except MapBudgetError as e:
        st.error(e.text(lang))
    except ScenarioError as e:
        st.error(t("maps.ui.bad", lang, error=plain(e)))
    return None


def draw(result: Result, lang: str, present: bool, banner: bool) -> None:
    """The Maps view in place of the stage."""
    current = settings(result)
    download = controls(result, current, lang)
    maps = maps_for(result, current, lang)
    if not maps:
        return
    _, height = classroom.size(present, banner)
    shade = None if current.shade == "auto" else current.shade
    coloring = None if current.coloring == "auto" else current.coloring
    fig = figure(maps, lang, shade, coloring, present, height - ROW_PX)
    st.session_state[SHOWN] = {"keys": [key_of(m.scenario) for m in maps], "runs": current.runs(), "traces": len(fig.data)}
    st.plotly_chart(fig, key=CHART_KEY, on_select="rerun", selection_mode=("points",), theme=None,
                    config=CONFIG, width="stretch")  # fmt: skip
    take_click()
    with download:
        cells_downloads(maps[0])


def figure(maps: list[SweepResult], lang: str, shade: str | None, coloring: str | None, present: bool, height: int) -> Any:
    """The maps' figure, built once per maps and options (a 100 x 100 map's hover texts take
    about a second to build): a rerun that changes nothing here reuses it."""
    ss = st.session_state
    fig_key = repr(([key_of(m.scenario) for m in maps], lang, shade, coloring, present, height))
    cached = ss.get(FIGURE)
    if cached is not None and cached[0] == fig_key:
        return cached[1]
    fig = map_figure(maps, lang, shade=shade, coloring=coloring, presentation=present, height=height, pick=True)
    ss[FIGURE] = (fig_key, fig)
    return fig


def cells_downloads(res: SweepResult) -> None:
    """The first panel's cells as CSV and JSON (``export.maps``, as ``cli.py sweep``)."""
    st.download_button("CSV", to_csv(res), file_name="map.csv", mime="text/csv", key="maps_csv")
    st.download_button("JSON", to_json(res), file_name="map.json", mime="application/json", key="maps_json")


# --- a click on a cell --------------------------------------------------------------------------
def clicked_cell(event: Any, shown: dict[str, Any]) -> tuple[int, SweepResult, int, int] | None:
    """(panel, its map, i, j) of a click on the invisible pick points, or None."""
    points = (event or {}).get("selection", {}).get("points", []) if isinstance(event, dict) or hasattr(event, "get") else []
    panels = len(shown["keys"])
    for p in points:
        panel = int(p.get("curve_number", -1)) - (shown["traces"] - panels)
        if 0 <= panel < panels:
            res = MAPS.get(shown["keys"][panel])
            if res is not None:
                i, j = res.cell_at(float(p["x"]), float(p["y"]) if res.y is not None else None)
                return panel, res, i, j
    return None


def take_click() -> None:
    """A new click on the map (the chart's selection, read in the script so that it works
    the same under AppTest): the page reruns and ``apply_click`` opens the cell before the
    controls are drawn (a widget's value can only be set before it is drawn)."""
    ss = st.session_state
    shown = ss.get(SHOWN)
    event = ss.get(CHART_KEY)
    seen = repr(event)
    if not shown or seen == ss.get(CLICK_SEEN):
        return
    ss[CLICK_SEEN] = seen
    hit = clicked_cell(event, shown)
    if hit is not None:
        panel, res, i, j = hit
        ss[PENDING] = (shown["runs"][panel], key_of(res.scenario), i, j)
        st.rerun()


def apply_click() -> None:
    """The clicked cell's run opens in the Map view: the swept run's parameters (or the start)
    set to the cell's values, at step 0 (call before the controls are drawn)."""
    pending = st.session_state.pop(PENDING, None)
    if pending is None:
        return
    run, map_key, i, j = pending
    res = MAPS.get(map_key)
    if res is not None and run < len(st.session_state[RUN_IDS]):
        load_cell(run, res, i, j)


def load_cell(run: int, res: SweepResult, i: int, j: int) -> None:
    """Every widget of the swept run shows cell (i, j) of ``res``; the view goes to the map."""
    ss = st.session_state
    rid = ss[RUN_IDS][run]
    lang = ss.get("lang", "en")
    shown = []
    for axis, value in ((res.x, res.xs[j]), (res.y, res.ys[i] if res.y is not None else None)):
        if axis is None:
            continue
        tgt = axis.target
        if tgt.where == "start":
            name = "start_x" if tgt.index == 0 else "start_y"
        else:
            name = rk(rid, f"p_{axis.param}" if tgt.where == "params" else f"s_{tgt.name}")
        ss[name] = axis.spec.coerce(value)
        ss.pop(f"{name}__error", None)
        shown.append(f"{param_label(res.scenario.runs[run], axis.param, lang)} = {num(float(value))}")
    kind = res.kind[i][j]
    ss[LOADED] = (", ".join(shown), kind)
    ss["view"] = "map"
    ss["step"] = 0


def loaded_note(lang: str) -> None:
    """After a click, the Map view says once which cell it opened."""
    loaded = st.session_state.pop(LOADED, None)
    if loaded:
        values, kind = loaded
        st.caption(t("maps.ui.loaded", lang, values=plain(values), kind=t(f"kind.{kind}", lang) if kind else "—"))


def maps_link() -> dict[str, str]:
    """The Maps view's keys for the share link (``ui.url_sweep``), once the view has settings."""
    current = st.session_state.get(SETTINGS)
    return encode_sweep(current) if current is not None else {}
