"""What the page says about the result under the stage: a verdict card per run, and each
run's update rule with the numbers of the step where the clock stands."""

from __future__ import annotations

import html

import streamlit as st

from core.text import t
from lab import Result, RunResult
from surfaces.base import Surface
from ui import explain
from ui.safe import plain

CARDS_PER_ROW = 3


def verdict_cards(result: Result, lang: str, colors: tuple[str, ...]) -> None:
    st.subheader(t("verdicts", lang))
    for row in range(0, len(result.runs), CARDS_PER_ROW):
        cols = st.columns(CARDS_PER_ROW)
        for j, run in enumerate(result.runs[row : row + CARDS_PER_ROW]):
            with cols[j]:
                verdict_card(run, colors[row + j], lang)


def verdict_card(run: RunResult, color: str, lang: str) -> None:
    """The run's verdict in words, with the numbers its sentence gives (``lab.verdicts``:
    one set of numbers per verdict) and its events."""
    v = run.verdict
    numbers = v.get("numbers", {})
    with st.container(border=True):
        # The label is user text: escaped, it cannot become markup.
        st.html(
            f'<div style="font-size:1.15em"><span style="color:{color};'
            f'font-size:1.4em">●</span> <b>{html.escape(run.label, quote=False)}</b></div>'
        )
        step = v.get("step", run.steps_run)
        st.markdown(f"**{t('kind.' + v['kind'], lang).upper()}** · {t('at_step', lang, step=step)}")
        loss_label = "verdict.card.final_loss_l2" if numbers.get("objective") == "loss+l2" else "final_loss"
        final = numbers.get("final_loss")
        shown = [(t(loss_label, lang), "–" if final is None else f"{final:.4g}")]
        ratio = numbers.get("grad_norm_ratio")
        if v["kind"] != "diverged" and ratio is not None:
            shown.append((t("grad_ratio", lang), f"{ratio:.3g}"))
        st.html(card_numbers(shown))
        eig = v.get("eigenvalues")
        if eig:
            # A verdict's non-finite numbers are None (plain JSON): shown as "—".
            shown = ("—" if e is None else f"{e:.4g}" for e in eig)
            st.caption(f"{t('eigenvalues', lang)}: " + ", ".join(shown))
        st.write(v["explanation"][lang])
        if v.get("events_text"):
            st.markdown(f"**{t('verdict.card.events', lang)}:** {plain(v['events_text'][lang])}")


def card_numbers(pairs: list[tuple[str, str]]) -> str:
    """A card's numbers, large, side by side; a number that does not fit its half of the
    card moves under the other rather than being cut ("2.0…" said nothing to a class)."""
    cells = "".join(
        f'<div class="lab-num"><div class="lab-num-label">{html.escape(label)}</div>'
        f'<div class="lab-num-value">{html.escape(value)}</div></div>'
        for label, value in pairs
    )
    return f'<div class="lab-nums">{cells}</div>'


def rule_panels(result: Result, step: int, lang: str) -> None:
    st.subheader(t("rules", lang))
    tabs = st.tabs([plain(r.label) for r in result.runs])
    for tab, run in zip(tabs, result.runs, strict=True):
        with tab:
            rule_panel(run, step, result.surface, lang)


def rule_panel(run: RunResult, step: int, surface: Surface, lang: str) -> None:
    """The update rule the run used, its schedule, and the numbers of ``step`` substituted.
    Formulas are inline math, which wraps at operators instead of being cut at the edge."""
    for line in explain.update_rule(run.optimizer, run.params):
        st.markdown(f"$\\displaystyle {line}$")
    st.markdown(f"$\\displaystyle {explain.schedule_rule(run.schedule)}$")
    rows = explain.step_numbers(run, step, surface)
    if not rows:
        st.caption(t("rule_last", lang, step=step))
        return
    st.markdown(f"**{t('rule_numbers', lang, step=step)}**")
    st.latex(explain.numbers_latex(rows))
    if run.noise is not None:
        st.caption(t("noise_note", lang))
