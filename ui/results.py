"""What the page says about the result under the stage: a verdict card per run, and each
run's update rule with the numbers of the step where the clock stands."""

from __future__ import annotations

import html
from collections.abc import Sequence

import streamlit as st

from core.text import t
from figures.style import fmt_value
from lab import Result, RunResult
from lab.seeds import Fates
from surfaces.base import Surface
from ui import explain
from ui.model import name_label
from ui.safe import plain

CARDS_PER_ROW = 3


def verdict_cards(result: Result, lang: str, colors: tuple[str, ...], fates: Sequence[Fates] = ()) -> None:
    st.subheader(t("verdicts", lang))
    of_run = {f.run: f for f in fates}
    for row in range(0, len(result.runs), CARDS_PER_ROW):
        cols = st.columns(CARDS_PER_ROW)
        for j, run in enumerate(result.runs[row : row + CARDS_PER_ROW]):
            with cols[j]:
                verdict_card(run, colors[row + j], lang, seeds_text(of_run.get(row + j), result, lang))


def _point(x: float, y: float) -> str:
    """A point to 3 digits; a coordinate of rounding size (1e-17 at a saddle) as 0."""
    return "({}, {})".format(*("0" if abs(v) < 1e-9 else f"{v:.3g}" for v in (x, y)))


def seeds_text(fate: Fates | None, result: Result, lang: str) -> str:
    """Where a batch run ends over many batch seeds (``lab.seeds``), in a sentence; "" for
    a run without."""
    if fate is None:
        return ""
    sep = "，" if lang == "zh" else ", "
    parts = [
        t("verdict.card.seeds_at", lang, point=_point(x, y), n=f"{n:,}")
        for (x, y), n in zip(result.surface.minima, fate.counts, strict=True)
        if n
    ]
    if fate.elsewhere and fate.elsewhere_at is not None:
        x, y = fate.elsewhere_at
        parts.append(t("verdict.card.seeds_away", lang, n=f"{fate.elsewhere:,}", point=_point(x, y)))
    elif fate.elsewhere:  # every such end out of bounds: nowhere to count them on the map
        parts.append(t("verdict.card.seeds_gone", lang, n=f"{fate.elsewhere:,}"))
    return t("verdict.card.seeds", lang, seeds=f"{fate.seeds:,}", last=f"{fate.seeds - 1:,}", where=sep.join(parts))


def verdict_card(run: RunResult, color: str, lang: str, seeds: str = "") -> None:
    """The run's verdict in words, with the numbers its sentence gives (``lab.verdicts``:
    one set of numbers per verdict) and its events: one element (the browser redraws each
    element of the page at every notch of a slider)."""
    with st.container(border=True):
        st.html(card_html(run, color, lang, seeds))


def card_html(run: RunResult, color: str, lang: str, seeds: str = "") -> str:
    """The card's body. Every text is escaped: a label is user text, and a sentence is shown
    as written (never read as Markdown or HTML)."""
    v = run.verdict
    numbers = v.get("numbers", {})
    esc = html.escape
    parts = [
        f'<div class="lab-card-run"><span style="color:{color};font-size:1.4em">●</span> '
        f"<b>{esc(run.label, quote=False)}</b></div>",
        f'<p class="lab-card-kind"><b>{esc(t("kind." + v["kind"], lang).upper())}</b> · '
        f"{esc(t('at_step', lang, step=v.get('step', run.steps_run)))}</p>",
    ]
    # The card's numbers are written as the panels' read-outs are (fmt_value): the review
    # read the card's 1.257 and ‖g‖/‖g⁰‖ 0.00716 against the panels' 1.26 and 0.0266 as
    # two answers. The ratio to the start is said under them.
    l2 = numbers.get("objective") == "loss+l2"  # the card judges L + λ/2·‖θ‖², the panels show L
    loss_label = "verdict.card.final_loss_l2" if l2 else "final_loss"
    final = numbers.get("final_loss")
    shown = [(t(loss_label, lang), "–" if final is None else fmt_value(final))]
    grad, ratio = numbers.get("final_grad_norm"), numbers.get("grad_norm_ratio")
    if v["kind"] != "diverged" and grad is not None:
        shown.append((t("verdict.card.final_grad_l2" if l2 else "final_grad", lang), fmt_value(grad)))
    parts.append(card_numbers(shown))
    notes = []
    if v["kind"] != "diverged" and ratio is not None:
        notes.append(t("grad_ratio_note", lang, ratio=fmt_value(ratio)))
    eig = v.get("eigenvalues")
    if eig:
        # A verdict's non-finite numbers are None (plain JSON): shown as "—".
        values = ", ".join("—" if e is None else fmt_value(e) for e in eig)
        notes.append(f"{t('eigenvalues', lang)}: {values}")
    for note in notes:
        parts.append(f'<p class="lab-card-note">{esc(note)}</p>')
    parts.append(f'<p class="lab-card-text">{esc(v["explanation"][lang])}</p>')
    if seeds:  # where it ends over many batch seeds (the count beside the map's minima)
        parts.append(f'<p class="lab-card-text">{esc(seeds)}</p>')
    if v.get("events_text"):
        parts.append(f'<p class="lab-card-text"><b>{esc(t("verdict.card.events", lang))}:</b> '
                     f"{esc(v['events_text'][lang])}</p>")  # fmt: skip
    return f'<div class="lab-card">{"".join(parts)}</div>'


def card_numbers(pairs: list[tuple[str, str]]) -> str:
    """A card's numbers, large, side by side; a number that does not fit its half of the
    card moves under the other rather than being cut ("2.0…" said nothing to a class)."""
    cells = "".join(
        f'<div class="lab-num"><div class="lab-num-label">{html.escape(label)}</div>'
        f'<div class="lab-num-value">{html.escape(value)}</div></div>'
        for label, value in pairs
    )
    return f'<div class="lab-nums">{cells}</div>'


RULES_TAB = "rules_tab"  # the open tab's label (Streamlit's)
RULES_RUN = "rules_run"  # the open tab's run, by its place: a tab's name changes with its optimizer


def rule_panels(result: Result, step: int, lang: str) -> None:
    """One tab per run, named without eta (a tab whose name changes is drawn from scratch);
    only the open tab's formulas are written (a rerun opens another): the browser typesets
    every formula it is sent, at every notch of a slider."""
    st.subheader(t("rules", lang))
    labels = tab_labels([name_label(r.label, r.optimizer, r.schedule) for r in result.runs])
    place = min(max(int(st.session_state.get(RULES_RUN) or 0), 0), len(labels) - 1)
    tabs = st.tabs(labels, default=labels[place], key=RULES_TAB, on_change=_remember_tab, args=(labels,))
    for tab, run in zip(tabs, result.runs, strict=True):
        if tab.open is not False:  # None: a tab that does not track state is always drawn
            with tab:
                rule_panel(run, step, result.surface, lang)


def tab_labels(labels: list[str]) -> list[str]:
    """The runs' names as tab names: plain text, numbered as in the sidebar (two runs may
    share a name, a tab's name must be its own)."""
    return [f"{i}. {plain(label)}" for i, label in enumerate(labels, start=1)]


def _remember_tab(labels: list[str]) -> None:
    chosen = st.session_state.get(RULES_TAB)
    if chosen in labels:
        st.session_state[RULES_RUN] = labels.index(chosen)


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
