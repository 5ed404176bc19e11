"""What the page says about the result under the charts: a verdict card per run, and each
run's update rule with the numbers of the current step."""

from __future__ import annotations

import html

import numpy as np
import streamlit as st

from core.text import t
from figures.style import color
from lab import Result, RunResult
from surfaces.base import Surface
from ui import explain
from ui.safe import plain

CARDS_PER_ROW = 3


def verdict_cards(result: Result, lang: str) -> None:
    st.subheader(t("verdicts", lang))
    for row in range(0, len(result.runs), CARDS_PER_ROW):
        cols = st.columns(CARDS_PER_ROW)
        for j, run in enumerate(result.runs[row : row + CARDS_PER_ROW]):
            with cols[j]:
                verdict_card(run, row + j, result, lang)


def verdict_card(run: RunResult, index: int, result: Result, lang: str) -> None:
    """The run's verdict in words, with the numbers a teacher points at."""
    v = run.verdict
    with st.container(border=True):
        # The label is user text: escaped, it cannot become markup.
        st.html(
            f'<div style="font-size:1.15em"><span style="color:{color(index)};'
            f'font-size:1.4em">●</span> <b>{html.escape(run.label, quote=False)}</b></div>'
        )
        step = v.get("step", run.steps_run)
        st.markdown(f"**{t('kind.' + v['kind'], lang).upper()}** · {t('at_step', lang, step=step)}")
        c1, c2 = st.columns(2)
        c1.metric(t("final_loss", lang), f"{run.loss[-1]:.4g}")
        g0 = run.grad_norm[0]
        ratio = run.grad_norm[-1] / g0 if g0 > 0 else 0.0
        c2.metric(t("grad_ratio", lang), f"{ratio:.3g}")
        eig = v.get("eigenvalues") or _eigenvalues(result, run)
        if eig is not None:
            # A verdict's non-finite numbers are None (plain JSON): shown as "—".
            shown = ("—" if e is None else f"{e:.4g}" for e in eig)
            st.caption(f"{t('eigenvalues', lang)}: " + ", ".join(shown))
        st.write(v["explanation"][lang])


def _eigenvalues(result: Result, run: RunResult) -> list[float] | None:
    """The Hessian's eigenvalues where the run ended (None where it diverged or is not
    finite)."""
    if run.verdict["kind"] == "diverged":
        return None
    with np.errstate(all="ignore"):
        h = np.asarray(result.surface.hessian(run.trajectory[-1]), dtype=float)
    if not np.all(np.isfinite(h)):
        return None
    return [float(e) for e in np.linalg.eigvalsh(0.5 * (h + h.T))]


def rule_panels(result: Result, step: int, lang: str) -> None:
    st.subheader(t("rules", lang))
    tabs = st.tabs([plain(r.label) for r in result.runs])
    for tab, run in zip(tabs, result.runs, strict=True):
        with tab:
            rule_panel(run, step, result.surface, lang)


def rule_panel(run: RunResult, step: int, surface: Surface, lang: str) -> None:
    """The update rule the run used, its schedule, and the numbers of ``step`` substituted."""
    for line in explain.update_rule(run.optimizer, run.params):
        st.latex(line)
    st.latex(explain.schedule_rule(run.schedule))
    rows = explain.step_numbers(run, step, surface)
    if not rows:
        st.caption(t("rule_last", lang, step=step))
        return
    st.markdown(f"**{t('rule_numbers', lang, step=step)}**")
    st.latex(explain.numbers_latex(rows))
    if run.noise is not None:
        st.caption(t("noise_note", lang))
