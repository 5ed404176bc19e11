"""Streamlit widgets of the control panel: one function per group, all keyed (``ui.keys``).

Widgets never take ``value=``: their value is seeded into ``st.session_state`` first
(defaults, a URL, a preset), so a widget's value always has one source.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.params import Param, grid
from core.text import has, t
from figures import schedule_figure
from optimizers import OPTIMIZERS
from optimizers.schedules import SCHEDULES
from ui.keys import engine_name, param_keys, rk, run_from_widgets
from ui.state import FAMILIES, NAME_SWITCHES, SCHEDULE_AUTO, fmt_short, schedule_defaults

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


def _schedule_widget(rid: int, sp: Param, lang: str) -> None:
    kind_widget(sp, rk(rid, f"s_{sp.name}"), sp.label(), _help(sp, lang))


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
        lr = float(st.session_state[rk(rid, "p_lr")])
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
