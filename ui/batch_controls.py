"""The sidebar's controls for data sets and mini-batches (issue 12), in the control panel's
style (``ui.controls`` calls them): a data set's parameters from its ``core.params`` specs,
the scenario's mini-batch size and shuffle seed, the panels' step axis, and a run's own
mini-batch (a batch-size comparison). Keys and their mapping: ``ui.batch_keys``."""

from __future__ import annotations

import streamlit as st

from core.text import has, t
from surfaces.base import tex_name
from surfaces.data_models import DATASETS
from ui.batch_keys import FULL, SAME, SEED_COUNTS, SEEDS, STEP_AXIS, data_key, run_key
from ui.model import BATCH_CHOICES, STEP_AXES
from ui.url import MAX_SEED
from ui.widgets import kind_widget, seed

SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096)


def is_data_set(name: str | None) -> bool:
    return name in DATASETS


def data_title(name: str, lang: str) -> str:
    return t(f"surface.{name}.title", lang)


def data_controls(name: str, lang: str) -> None:
    """The data set's description, its loss and its parameters (samples N, seed, noise …)."""
    model = DATASETS[name]
    st.caption(t(f"surface.{name}.description", lang))
    st.markdown(rf"$\displaystyle L({', '.join(map(tex_name, model.axes))}) = {model.formula}$")
    for p in model.params:
        key = data_key(name, p.name)
        label = t(f"data.{p.name}", lang) if has(f"data.{p.name}") else p.label()
        help_text = t(f"help.data.{p.name}", lang) if has(f"help.data.{p.name}") else None
        if p.name == "seed":  # a seed is a number to type, not a position on a slider
            seed(key, p.default)
            st.number_input(label, 0, MAX_SEED, key=key, step=1, help=help_text)
        else:
            kind_widget(p, key, label, help_text, top=4096)


def samples_now() -> int:
    ss = st.session_state
    return int(ss.get(data_key(ss.get("surface", ""), "samples"), 1) or 1)


def size_options(current: object, samples: int, first: tuple[str, ...]) -> list[object]:
    """The batch sizes a select slider offers: powers of two below N (and a link's value)."""
    sizes = {b for b in SIZES if b < samples}
    if isinstance(current, int) and current not in first:
        sizes.add(current)
    return [*first, *sorted(sizes)]


def size_label(b: object, lang: str) -> str:
    if b == FULL:
        return t("batch.full", lang).replace("N", f"{samples_now():,}")
    if b == SAME:
        return t("batch.same", lang)
    return f"B = {b}"


def emulated_control(rid: int, lang: str) -> None:
    """A run's own emulated batch on a surface without data (``as above``: the scenario's)."""
    key = run_key(rid, "eb")
    seed(key, SAME)
    current = st.session_state[key]
    extra = [current] if current not in (SAME, FULL) else []
    st.select_slider(t("batch.run_emulated", lang), [SAME, FULL, *sorted({*BATCH_CHOICES, *extra}, reverse=True)],
                     key=key, help=t("help.batch.run_emulated", lang),
                     format_func=lambda b: t("batch.same", lang) if b == SAME else t("full_batch", lang) if b == FULL else f"B = {b:g}")  # fmt: skip


def batch_controls(lang: str) -> None:
    """The scenario's mini-batches (size B, shuffle seed), with the updates per epoch, and
    the step axis of the panels."""
    ss = st.session_state
    st.subheader(t("batch.section", lang))
    seed("mb", FULL)
    seed("mb_seed", 0)
    n = samples_now()
    st.select_slider(t("batch.size", lang), size_options(ss["mb"], n, (FULL,)), key="mb",
                     format_func=lambda b: size_label(b, lang), help=t("help.batch.size", lang))  # fmt: skip
    b = n if ss["mb"] == FULL else min(int(ss["mb"]), n)
    st.caption(t("batch.per_epoch", lang, k=f"{n // b:,}"))
    if ss["mb"] != FULL:
        st.number_input(t("batch.seed", lang), 0, MAX_SEED, key="mb_seed", step=1, help=t("help.batch.seed", lang))
    seed(STEP_AXIS, "updates")
    st.segmented_control(t("batch.step_axis", lang), list(STEP_AXES), key=STEP_AXIS,
                         format_func=lambda a: t(f"batch.axis.{a}", lang), help=t("help.batch.step_axis", lang))  # fmt: skip
    if ss.get(STEP_AXIS) is None:  # a segmented control can be emptied: keep one choice
        ss[STEP_AXIS] = "updates"
    seed(SEEDS, 0)
    counts = sorted({*SEED_COUNTS, int(ss[SEEDS])})  # a link's own count stays a choice
    st.select_slider(t("batch.seeds", lang), counts, key=SEEDS, help=t("help.batch.seeds", lang),
                     format_func=lambda n: t("batch.seeds_off", lang) if n == 0 else f"{n:,}")  # fmt: skip


def run_batch_control(rid: int, lang: str) -> None:
    """A run's own mini-batch size (``as above``: the scenario's) and, when it has one, its
    shuffle seed."""
    ss = st.session_state
    if not is_data_set(ss.get("surface")):
        emulated_control(rid, lang)
        return
    key = run_key(rid, "mb")
    seed(key, SAME)
    seed(run_key(rid, "mb_seed"), 0)
    st.select_slider(t("batch.run_own", lang), size_options(ss[key], samples_now(), (SAME, FULL)), key=key,
                     format_func=lambda b: size_label(b, lang), help=t("help.batch.run_own", lang))  # fmt: skip
    if ss[key] not in (SAME, FULL):
        st.number_input(t("batch.run_seed", lang), 0, MAX_SEED, key=run_key(rid, "mb_seed"), step=1)
