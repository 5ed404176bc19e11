"""Streamlit widgets of the control panel: one function per group, all keyed (``ui.keys``).

Widgets never take ``value=``: their value is seeded into ``st.session_state`` first
(defaults, a URL, a preset), so a widget's value always has one source.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from core.params import Float, Param, grid
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
from ui.safe import plain
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


def int_grid(p: Param, top: int, current: Any) -> tuple[int, ...]:
    """The values an integer slider offers: 1-2-5 per decade up to ``top`` (a schedule's
    steps fit the run), ``top`` itself and the current value."""
    lo = max(1, int(getattr(p, "low", 1)))
    values = {m * 10**e for e in range(7) for m in (1, 2, 5) if lo <= m * 10**e <= top}
    values |= {lo, top}
    if isinstance(current, int) and current >= lo:
        values.add(current)
    return tuple(sorted(values))


def exact_key(key: str) -> str:
    return f"{key}__exact"


def take_exact(p: Param, key: str, label: str) -> None:
    """The exact value typed beside a slider: read by the parameter's kind (its message
    names the value and what is allowed when it cannot be used)."""
    ss = st.session_state
    text = str(ss.get(exact_key(key), ""))
    try:
        ss[key] = p.coerce(p.from_text(text, label))
        ss.pop(f"{key}__error", None)
    except ValueError as e:
        ss[f"{key}__error"] = str(e)


def slider_with_exact(
    p: Param, key: str, label: str, help_text: str | None, options: tuple[Any, ...], disabled: bool
) -> None:
    """A slider over ``options`` and, beside it, the exact value as text (a slider's notches
    are too coarse for a value such as η = 0.0123)."""
    ss = st.session_state
    box = exact_key(key)
    if f"{key}__error" not in ss:
        ss[box] = p.to_text(ss[key])
    fmt = fmt_short if isinstance(p, Float) else (lambda v: f"{int(v):,}")
    c1, c2 = st.columns([3.2, 1.3], vertical_alignment="bottom")
    c1.select_slider(label, options=options, key=key, format_func=fmt, help=help_text, disabled=disabled,
                     on_change=lambda: ss.pop(f"{key}__error", None))  # fmt: skip
    c2.text_input(f"{label} · {t('exact', ss.get('lang', 'en'))}", key=box, label_visibility="collapsed",
                  help=t("exact_help", ss.get("lang", "en")), disabled=disabled,
                  on_change=take_exact, args=(p, key, label))  # fmt: skip
    if ss.get(f"{key}__error"):
        st.caption(f"⚠️ {plain(ss[f'{key}__error'])}")


def kind_widget(
    p: Param, key: str, label: str, help_text: str | None, *, top: int = 100_000, disabled: bool = False
) -> None:
    """The widget the parameter's kind asks for (``Param.widget``), keyed ``key``: numbers are
    sliders with their exact value beside (``top``: an integer slider's end)."""
    seed(key, p.coerce(p.default) if p.default is not None else None)
    widget = p.widget
    current = st.session_state.get(key)
    if widget == "toggle":
        st.toggle(label, key=key, help=help_text, disabled=disabled)
    elif widget == "choice":
        st.selectbox(label, p.choices, key=key, help=help_text, disabled=disabled)  # type: ignore[attr-defined]
    elif widget == "integer":
        slider_with_exact(p, key, label, help_text, int_grid(p, top, current), disabled)
    else:
        numeric = isinstance(current, (int, float)) and not isinstance(current, bool)
        options = grid(p, current if numeric else None)  # type: ignore[arg-type]
        slider_with_exact(p, key, label, help_text, options, disabled)


def param_widget(rid: int, p: Param, lang: str, disabled: bool = False) -> None:
    """One optimizer parameter: a widget per component (β₁ and β₂ one under the other)."""
    help_text = _help(p, lang)
    for key, c in zip(param_keys(rid, p), p.components(), strict=True):
        kind_widget(c, key, _label(c, lang), help_text, disabled=disabled)


def run_editor(rid: int, index: int, lang: str, steps: int, removable: bool) -> None:
    """Every control of one run: optimizer family, variant switches, hyperparameters,
    schedule (with its lr(t) curve) and label."""
    family = choice_box(
        rk(rid, "family"),
        t("optimizer", lang),
        list(FAMILIES),
        "sgd",
        lambda f: family_title(f, lang),
        on_change=lambda: new_optimizer(rid),
    )
    switches: dict[str, bool] = {}
    for switch, by_family in NAME_SWITCHES.items():
        if family in by_family:
            key = rk(rid, switch)
            seed(key, False)
            st.toggle(t(f"sw_{switch}", lang), key=key, help=t(f"sw_{switch}_help", lang),
                      on_change=switched, args=(rid, family, switch))  # fmt: skip
            switches[switch] = bool(st.session_state[key])
    onecycle = st.session_state.get(rk(rid, "sched")) == "onecycle"
    for p in OPTIMIZERS[engine_name(family, switches)].params:
        param_widget(rid, p, lang, disabled=onecycle and p.name == "lr")
        if onecycle and p.name == "lr":
            st.caption(t("onecycle_lr", lang))
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
    key: str,
    label: str,
    options: list[str],
    first: str,
    format_func: Callable[[str], str],
    on_change: Callable[[], None] | None = None,
) -> str:
    """A keyed select box (seeded with ``first``); returns the current choice."""
    seed(key, first)
    st.selectbox(label, options, key=key, format_func=format_func, on_change=on_change)
    return str(st.session_state[key])


def _drop_params(rid: int) -> None:
    """Forget run ``rid``'s hyperparameter widgets: they are seeded again with the defaults."""
    ss = st.session_state
    for key in [k for k in ss if str(k).startswith(rk(rid, "p_"))]:
        del ss[key]


def new_optimizer(rid: int) -> None:
    """A newly chosen optimizer starts from its own defaults (not the previous one's ε)."""
    ss = st.session_state
    for switch in NAME_SWITCHES:
        ss.pop(rk(rid, switch), None)
    _drop_params(rid)


def switched(rid: int, family: str, switch: str) -> None:
    """A variant switch changed the engine optimizer (AdamW, the lecture's forms, Nesterov):
    a parameter still at the old optimizer's default takes the new one's (AdamW brings its
    λ = 0.01; RMSProp's lecture form its α = 0.9); values the user set stay."""
    ss = st.session_state
    now = {s: bool(ss.get(rk(rid, s), False)) for s in NAME_SWITCHES}
    before = {**now, switch: not now[switch]}
    old, new = OPTIMIZERS[engine_name(family, before)], OPTIMIZERS[engine_name(family, now)]
    old_defaults = {p.name: p for p in old.params}
    for p in new.params:
        was = old_defaults.get(p.name)
        for key, c, part in zip(param_keys(rid, p), p.components(), p.split(p.default), strict=True):
            old_part = None if was is None else dict(zip(param_keys(rid, was), was.split(was.default), strict=True)).get(key)
            if key not in ss or ss[key] == old_part:
                ss[key] = c.coerce(part)
                ss.pop(exact_key(key), None)


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
    shown = [sp for sp in SCHEDULES[sched].params if sp.name not in auto]
    for sp in shown:
        key = rk(rid, f"s_{sp.name}")
        seed(key, defaults.get(sp.name))
        label = t(f"sp.{sp.name}", lang) if has(f"sp.{sp.name}") else sp.label()
        kind_widget(sp, key, label, _help(sp, lang), top=max(1, steps))
    if auto:
        st.caption(f"{', '.join(auto[:1])}: {t('schedule_fixed', lang)}")
    run = run_from_widgets(st.session_state, rid, steps)
    params = schedule_params(sched, (run.schedule or {}).get("params", {}), lr, steps)
    try:
        fig = schedule_figure(sched, lr, params, steps, lang, run_index=index)
    except (ValueError, TypeError, ZeroDivisionError):
        return  # invalid parameters: the scenario check names the problem
    st.plotly_chart(fig, theme=None, config=CHART_CONFIG, key=rk(rid, "sched_chart"))
