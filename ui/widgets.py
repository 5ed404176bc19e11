"""Streamlit widgets of the control panel: one function per group, all keyed (``ui.keys``).

Widgets never take ``value=``: their value is seeded into ``st.session_state`` first
(defaults, a URL, a preset), so a widget's value always has one source.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from core.params import Param, grid
from core.text import has, t
from figures import schedule_figure
from lab.scenario import MAX_LABEL
from optimizers import OPTIMIZERS
from optimizers.schedules import SCHEDULES
from ui.keys import engine_name, param_keys, rk, run_from_widgets
from ui.model import (
    FAMILIES,
    NAME_SWITCHES,
    SCHEDULE_AUTO,
    fmt_short,
    schedule_defaults,
    schedule_params,
)
from ui.session import remove_run

CHART_CONFIG = {"displayModeBar": False}


def seed(key: str, value: Any) -> None:
    """Give a widget its first value (before it is drawn; never overwrite the user's)."""
    if key not in st.session_state:
        st.session_state[key] = value


def family_title(family: str, lang: str) -> str:
    return (
        OPTIMIZERS[FAMILIES[family][0]].title[lang].replace(" (torch)", "").replace("（torch）", "")
    )


def _help(p: Param, lang: str) -> str | None:
    key = f"help.{p.name}"
    return t(key, lang) if has(key) else None


def _label(p: Param, lang: str) -> str:
    """Switches have a sentence for a label; numbers their lecture symbol and torch name."""
    key = f"p_{p.name}"
    return t(key, lang) if p.widget == "toggle" and has(key) else p.label()


def kind_widget(p: Param, key: str, label: str, help_text: str | None) -> None:
    """The widget the parameter's kind asks for (``Param.widget``), keyed ``key``."""
    seed(key, p.coerce(p.default) if p.default is not None else None)
    widget = p.widget
    if widget == "toggle":
        st.toggle(label, key=key, help=help_text)
    elif widget == "choice":
        st.selectbox(label, p.choices, key=key, help=help_text)  # type: ignore[attr-defined]
    elif widget == "integer":
        st.number_input(label, p.low, p.high, step=1, key=key, help=help_text)  # type: ignore[attr-defined]
    elif widget in ("log_slider", "near_one_slider"):
        current = st.session_state.get(key)
        options = grid(p, current if isinstance(current, (int, float)) else None)  # type: ignore[arg-type]
        st.select_slider(label, options=options, key=key, format_func=fmt_short, help=help_text)
    else:
        lo, hi = p.bounds()  # type: ignore[attr-defined]
        step = 0.01 if hi is not None and hi <= 1 else 0.1
        st.number_input(label, lo, hi, key=key, step=step, format="%g", help=help_text)


def param_widget(rid: int, p: Param, lang: str) -> None:
    """One optimizer parameter: a widget per component (betas side by side)."""
    help_text = _help(p, lang)
    parts = p.components()
    cols = st.columns(len(parts)) if len(parts) > 1 else [st.container()]
    for col, key, c in zip(cols, param_keys(rid, p), parts, strict=True):
        with col:
            kind_widget(c, key, _label(c, lang), help_text)


def run_editor(rid: int, index: int, lang: str, steps: int, removable: bool) -> None:
    """Every control of one run: optimizer family, variant switches, hyperparameters,
    schedule (with its lr(t) curve) and label."""
    family = choice_box(
        rk(rid, "family"),
        t("optimizer", lang),
        list(FAMILIES),
        "sgd",
        lambda f: family_title(f, lang),
    )
    switches: dict[str, bool] = {}
    for switch, by_family in NAME_SWITCHES.items():
        if family in by_family:
            key = rk(rid, switch)
            seed(key, False)
            st.toggle(t(f"sw_{switch}", lang), key=key, help=t(f"sw_{switch}_help", lang))
            switches[switch] = bool(st.session_state[key])
    for p in OPTIMIZERS[engine_name(family, switches)].params:
        param_widget(rid, p, lang)
    schedule_editor(rid, index, lang, steps)
    seed(rk(rid, "label"), "")
    st.text_input(t("label", lang), key=rk(rid, "label"), max_chars=MAX_LABEL)
    if removable:
        st.button(
            t("remove_run", lang),
            key=rk(rid, "remove"),
            on_click=remove_run,
            args=(rid,),
            icon=":material/delete:",
        )


def choice_box(
    key: str, label: str, options: list[str], first: str, format_func: Callable[[str], str]
) -> str:
    """A keyed select box (seeded with ``first``); returns the current choice."""
    seed(key, first)
    st.selectbox(label, options, key=key, format_func=format_func)
    return str(st.session_state[key])


def schedule_editor(rid: int, index: int, lang: str, steps: int) -> None:
    """The run's learning-rate schedule, its parameters two by two, and its curve."""
    sched = choice_box(
        rk(rid, "sched"),
        t("schedule", lang),
        list(SCHEDULES),
        "constant",
        lambda n: SCHEDULES[n].title[lang],
    )
    if sched == "constant":
        return
    lr = float(st.session_state[rk(rid, "p_lr")])
    defaults = schedule_defaults(sched, lr, steps)
    auto = SCHEDULE_AUTO.get(sched, ())
    cols = st.columns(2)
    shown = [sp for sp in SCHEDULES[sched].params if sp.name not in auto]
    for j, sp in enumerate(shown):
        key = rk(rid, f"s_{sp.name}")
        seed(key, defaults.get(sp.name))
        with cols[j % 2]:
            kind_widget(sp, key, sp.label(), _help(sp, lang))
    if auto:
        st.caption(f"{', '.join(auto[:1])}: {t('schedule_fixed', lang)}")
    run = run_from_widgets(st.session_state, rid, steps)
    params = schedule_params(sched, (run.schedule or {}).get("params", {}), lr, steps)
    try:
        fig = schedule_figure(sched, lr, params, steps, lang, run_index=index)
    except (ValueError, TypeError, ZeroDivisionError):
        return  # invalid parameters: the scenario check names the problem
    st.plotly_chart(fig, theme=None, config=CHART_CONFIG, key=rk(rid, "sched_chart"))
