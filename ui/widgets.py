"""Streamlit widgets of the control panel: one function per group, all keyed (``ui.keys``).

Widgets never take ``value=``: their value is seeded into ``st.session_state`` first
(defaults, a URL, a preset), so a widget's value always has one source.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import streamlit as st

from figures import schedule_figure
from optimizers import OPTIMIZERS
from optimizers.base import Param
from optimizers.schedules import SCHEDULES, SParam
from ui.i18n import t
from ui.keys import engine_name, param_keys, rk, run_from_widgets
from ui.state import FAMILIES, NAME_SWITCHES, SCHEDULE_AUTO, fmt_short, schedule_defaults

# Log-spaced choices (1, 2, 3, 5 per decade): a select slider over them is a logarithmic
# slider whose labels read like the lecture's values (1e-2, 3e-4, 0.5).
LR_GRID = tuple(sorted({float(f"{m}e{e}") for e in range(-8, 1) for m in (1, 2, 3, 5)} | {10.0}))
EPS_GRID = tuple(float(f"1e{e}") for e in range(-12, 0))
CHART_CONFIG = {"displayModeBar": False}


def seed(key: str, value: Any) -> None:
    """Give a widget its first value (before it is drawn; never overwrite the user's)."""
    if key not in st.session_state:
        st.session_state[key] = value


def _with(grid: Sequence[float], key: str) -> list[float]:
    """The grid plus the widget's current value, so a value from a link or a preset that is
    not on the grid is kept exactly instead of being snapped."""
    current = st.session_state.get(key)
    values = set(grid)
    if isinstance(current, (int, float)) and math.isfinite(current):
        values.add(float(current))
    return sorted(values)


def log_slider(label: str, key: str, grid: Sequence[float], help_text: str | None) -> None:
    st.select_slider(
        label, options=_with(grid, key), key=key, format_func=fmt_short, help=help_text
    )


def family_title(family: str, lang: str) -> str:
    return (
        OPTIMIZERS[FAMILIES[family][0]].title[lang].replace(" (torch)", "").replace("（torch）", "")
    )


def _param_label(p: Param) -> str:
    return f"{p.symbol} ({p.name})" if p.symbol else p.name


def _bounds(low: float, high: float, low_open: bool, high_open: bool) -> tuple[float, float | None]:
    """number_input bounds that admit exactly the engine's allowed range."""
    lo = math.nextafter(low, math.inf) if low_open else low
    hi = None if math.isinf(high) else (math.nextafter(high, -math.inf) if high_open else high)
    return lo, hi


def param_widget(rid: int, p: Param, lang: str) -> None:
    help_text = p.help.get(lang) or p.help.get("en")
    keys = param_keys(rid, p.name, p.kind)
    if p.kind == "bool":
        seed(keys[0], bool(p.default))
        st.toggle(t(f"p_{p.name}", lang), key=keys[0], help=help_text)
    elif p.kind == "betas":
        seed(keys[0], float(p.default[0]))
        seed(keys[1], float(p.default[1]))
        hi = math.nextafter(1.0, 0.0)
        c1, c2 = st.columns(2)
        c1.number_input(
            "β₁ (betas[0])", 0.0, hi, key=keys[0], step=0.01, format="%g", help=help_text
        )
        c2.number_input(
            "β₂ (betas[1])", 0.0, hi, key=keys[1], step=0.001, format="%g", help=help_text
        )
    elif p.name == "lr":
        seed(keys[0], float(p.default))
        log_slider(_param_label(p), keys[0], LR_GRID, help_text)
    elif p.name == "eps":
        seed(keys[0], float(p.default))
        log_slider(_param_label(p), keys[0], EPS_GRID, help_text)
    else:
        seed(keys[0], float(p.default))
        lo, hi = _bounds(p.low, p.high, p.low_open, p.high_open)
        step = 0.01 if hi is not None and hi <= 1 else 0.1
        st.number_input(
            _param_label(p), lo, hi, key=keys[0], step=step, format="%g", help=help_text
        )


def _schedule_widget(rid: int, sp: SParam, lang: str) -> None:
    key = rk(rid, f"s_{sp.name}")
    help_text = sp.help.get(lang) if sp.help else None
    if sp.kind == "choice":
        st.selectbox(sp.name, sp.choices, key=key, help=help_text)
    elif sp.kind == "bool":
        st.toggle(sp.name, key=key, help=help_text)
    elif sp.kind == "int":
        st.number_input(sp.name, min_value=int(sp.low), step=1, key=key, help=help_text)
    else:
        lo, hi = _bounds(sp.low, sp.high, sp.low_open, sp.high_open)
        st.number_input(sp.name, lo, hi, key=key, step=0.01, format="%g", help=help_text)


def run_editor(rid: int, index: int, lang: str, steps: int, removable: bool) -> None:
    """Every control of one run: optimizer family, variant switches, hyperparameters,
    schedule (with its lr(t) curve) and label."""
    fam_key = rk(rid, "family")
    seed(fam_key, "sgd")
    st.selectbox(
        t("optimizer", lang),
        list(FAMILIES),
        key=fam_key,
        format_func=lambda f: family_title(f, lang),
    )
    family = st.session_state[fam_key]
    switches: dict[str, bool] = {}
    for switch, by_family in NAME_SWITCHES.items():
        if family in by_family:
            seed(rk(rid, switch), False)
            st.toggle(
                t(f"sw_{switch}", lang), key=rk(rid, switch), help=t(f"sw_{switch}_help", lang)
            )
            switches[switch] = bool(st.session_state[rk(rid, switch)])
    name = engine_name(family, switches)
    opt = OPTIMIZERS[name]
    for p in opt.params:
        param_widget(rid, p, lang)

    sched_key = rk(rid, "sched")
    seed(sched_key, "constant")
    st.selectbox(
        t("schedule", lang),
        list(SCHEDULES),
        key=sched_key,
        format_func=lambda n: SCHEDULES[n].title[lang],
    )
    sched = st.session_state[sched_key]
    if sched != "constant":
        lr = float(st.session_state[param_keys(rid, "lr", "float")[0]])
        defaults = schedule_defaults(sched, lr, steps)
        auto = SCHEDULE_AUTO.get(sched, ())
        cols = st.columns(2)
        shown = [sp for sp in SCHEDULES[sched].params if sp.name not in auto]
        for j, sp in enumerate(shown):
            seed(rk(rid, f"s_{sp.name}"), defaults.get(sp.name))
            with cols[j % 2]:
                _schedule_widget(rid, sp, lang)
        if auto:
            st.caption(f"{', '.join(auto[:1])}: {t('schedule_fixed', lang)}")
        run = run_from_widgets(st.session_state, rid, steps)
        params = {**defaults, **(run.schedule or {}).get("params", {})}
        if sched == "onecycle":
            params.update(total_steps=steps, cycle_momentum=False)
        try:
            fig = schedule_figure(sched, lr, params, steps, lang, run_index=index)
        except (ValueError, TypeError, ZeroDivisionError):
            fig = None  # invalid parameters: the scenario check names the problem
        if fig is not None:
            st.plotly_chart(fig, theme=None, config=CHART_CONFIG, key=rk(rid, "sched_chart"))

    seed(rk(rid, "label"), "")
    st.text_input(t("label", lang), key=rk(rid, "label"), max_chars=60)
    if removable:
        st.button(
            t("remove_run", lang),
            key=rk(rid, "remove"),
            on_click=remove_run,
            args=(rid,),
            icon=":material/delete:",
        )


def remove_run(rid: int) -> None:
    st.session_state["run_ids"] = [r for r in st.session_state["run_ids"] if r != rid]
