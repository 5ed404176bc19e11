"""The page's frame: its style (compact, and larger for a projector), the header row (title,
language, Present, Share, Download), the preset's caption as a banner (Present mode) and the
row above the stage (the view switcher and the view options)."""

from __future__ import annotations

import html

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.text import LANGS, t
from ui.model import VIEWS
from ui.session import relabel

# Compact: the map, its Play control and the traces fit 1024 x 768 and 1366 x 768. The
# header keeps only the sidebar's open/close control (the toolbar is "minimal").
PAGE_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding: 0.5rem 1rem 1.5rem 1rem; max-width: 100%; }
header[data-testid="stHeader"] { height: 2.4rem; background: transparent; pointer-events: none; }
header[data-testid="stHeader"] * { pointer-events: auto; }
[data-testid="stSidebarHeader"] { padding-top: 0.6rem; padding-bottom: 0.2rem; }
.st-key-page_header { padding-left: 2.6rem; min-height: 2.5rem; }
.lab-title { font-size: 1.3rem; font-weight: 700; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  line-height: 1.5; padding-bottom: 0.1rem; }
.st-key-page_header [data-testid="stElementContainer"]:has(.lab-title),
.st-key-page_header [data-testid="stMarkdown"]:has(.lab-title) { height: auto !important; min-height: 2.1rem; overflow: hidden; }
.st-key-page_header > div:first-child { flex: 1 1 0; min-width: 0; overflow: hidden; }
.st-key-page_header [data-testid="stMarkdownContainer"] { min-width: 0; }
/* Below ~1200 px the header row has no room for the title: it goes (the preset and the browser
   tab name the page) rather than shrink to "A." */
@media (max-width: 1200px) { .lab-title { visibility: hidden; } }
/* The preset's caption in the sidebar: the lesson's text, dark (a caption's light grey was
   faint on a projector: lesson review) */
.st-key-preset_caption [data-testid="stCaptionContainer"] { color: #1f2430; font-size: 0.92rem; line-height: 1.45; }
.lab-banner { border-left: 0.35rem solid #d55e00; background: #fff6ef; padding: 0.4rem 0.8rem;
  border-radius: 0.3rem; line-height: 1.35; margin-bottom: 0.2rem; }
.lab-banner b { margin-right: 0.4rem; }
.lab-nums { display: flex; flex-wrap: wrap; gap: 0.2rem 1.2rem; }
.lab-num-label { font-size: 0.85rem; color: #444; }
.lab-num-value { font-size: 1.9rem; line-height: 1.2; white-space: nowrap; }
.lab-card-run { font-size: 1.15em; margin-bottom: 0.5rem; }
.lab-card p { margin: 0 0 0.6rem 0; line-height: 1.5; }
.lab-card-note { font-size: 0.875rem; color: rgba(49, 51, 63, 0.6); }
</style>
"""
PRESENT_CSS = """
<style>
.stage-wrap, .st-key-stage { font-size: 1.15rem; }
.stage-btn, .stage-speed { font-size: 1.2rem !important; min-height: 2.6rem !important; }
.lab-title { font-size: 1.6rem; }
.lab-banner { font-size: 1.25rem; }
[data-testid="stMainBlockContainer"] p, [data-testid="stMainBlockContainer"] li { font-size: 1.25rem; }
.lab-num-value { font-size: 2.6rem; }
.lab-num-label { font-size: 1.15rem; }
section[data-testid="stSidebar"] p, section[data-testid="stSidebar"] label,
section[data-testid="stSidebar"] input, section[data-testid="stSidebar"] [data-baseweb="select"] { font-size: 1.2rem !important; }
.katex { font-size: 1.35em; }
</style>
"""


def style(present: bool) -> None:
    st.html(PAGE_CSS + (PRESENT_CSS if present else ""))


def header(lang: str, runs: int) -> tuple[DeltaGenerator, DeltaGenerator]:
    """One row that never wraps or clips: the title (it gives way, with an ellipsis), the
    view switcher (room for more views: a data panel, Maps), the view options, language,
    Present, and Share and Download as icons with tooltips. The view options are always drawn
    (their widgets keep their values only if drawn); Share and Download only when open."""
    row = st.container(key="page_header", horizontal=True, vertical_alignment="center", gap="small", wrap=False)
    with row:
        st.markdown(f'<div class="lab-title">{html.escape(t("title", lang))}</div>', unsafe_allow_html=True, width="stretch")
        st.segmented_control(
            t("view", lang), list(VIEWS), key="view",
            format_func=lambda v: t(f"view_{v}", lang), required=True, label_visibility="collapsed",
        )  # fmt: skip
        with st.popover("", icon=":material/tune:", help=t("view_options", lang)):
            view_options(lang, runs)
        st.segmented_control(
            t("language", lang), list(LANGS), key="lang", on_change=relabel,
            format_func=lambda code: t(f"lang_short_{code}", lang), required=True, label_visibility="collapsed",
        )  # fmt: skip
        st.toggle(t("present", lang), key="present")  # no help icon: at 1024 px the row has no room for it
        # Share and Download are filled only while open (a rerun opens them): closed, their
        # code box and seven buttons would be redrawn by the browser at every notch.
        share = st.popover("", icon=":material/link:", help=t("share", lang), key="share_open", on_change="rerun")
        download = st.popover(
            "", icon=":material/download:", help=t("download", lang), key="download_open", on_change="rerun"
        )
    return share, download


def banner(title: str, caption: str) -> None:
    """The preset's claim above the map (Present mode); preset texts are ours, still escaped."""
    st.html(f'<div class="lab-banner"><b>{html.escape(title)}</b>{html.escape(caption)}</div>')


def view_options(lang: str, runs: int) -> None:
    """Whole paths or revealed, the loss axis, the local quadratic model. Always drawn
    (disabled for 3-D and Maps): a widget left out of a run loses its value."""
    off = st.session_state.get("view") in ("3d", "maps")
    st.toggle(t("opt_whole", lang), key="whole", help=t("opt_whole_help", lang), disabled=off)
    st.toggle(t("opt_log_loss", lang), key="log_loss", help=t("opt_log_loss_help", lang), disabled=off)
    local_control(lang, runs, off)


def local_control(lang: str, runs: int, off: bool) -> None:
    """The local quadratic model: on or off, and of which run when there are several."""
    ss = st.session_state
    on = st.toggle(t("opt_local", lang), key="local_on", help=t("opt_local_help", lang), disabled=off)
    if on and runs > 1:
        if int(ss.get("local_pick") or 1) > runs:
            ss["local_pick"] = 1
        st.selectbox(
            t("opt_local_run", lang), list(range(1, runs + 1)), key="local_pick",
            format_func=lambda k: f"{t('opt_local_run', lang)} {k}", label_visibility="collapsed", width=110,
        )  # fmt: skip
