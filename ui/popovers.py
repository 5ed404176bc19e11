"""The page's two popovers (Share: the link of this view; Download: the view as a file) and
the warning about what a link asked for that could not be used."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

import export
from core.params import SHOWN_CHARS
from core.text import t
from figures.view import PANELS
from lab import Result
from ui.maps_view import maps_link
from ui.model import CUSTOM, AppState
from ui.safe import plain
from ui.url import SHOWN_ITEMS, Ignored, encode


def cut(text: str, limit: int = SHOWN_CHARS) -> str:
    """A link's value in the warning: a long one (a pasted page) cut to about ``limit``."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ignored_warning(ignored: list[Ignored], lang: str) -> None:
    """What the link asked for that was ignored, each with what is allowed; dismissable."""
    items = []
    for item in ignored[:SHOWN_ITEMS]:
        if item.name == "scenario":
            items.append(t("url_scenario", lang, allowed=plain(item.allowed)))
        else:
            values = {"name": cut(item.name), "value": cut(item.value), "allowed": item.allowed}
            items.append(t("url_item", lang, **{k: plain(v) for k, v in values.items()}))
    if len(ignored) > SHOWN_ITEMS:  # a link of thousands of keys: named up to a point, counted
        items.append(t("url_more", lang, n=len(ignored) - SHOWN_ITEMS))
    c1, c2 = st.columns([12, 1])
    c1.warning(t("url_ignored", lang, items="; ".join(items)))
    if c2.button(t("dismiss", lang), key="dismiss_url"):
        st.session_state["url_ignored"] = []
        st.rerun()


def link_params(state: AppState) -> dict[str, str]:
    """The link's parameters of this view; the browser's address follows them at every run
    (the Share popover or not)."""
    params = {**encode(state), **maps_link()}
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)
    return params


def share_box(params: dict[str, str], lang: str) -> None:
    """The link that reopens this view."""
    base = getattr(st.context, "url", None) or ""
    st.code(
        f"{base}?{urlencode(params)}" if params else base or "?", language=None, wrap_lines=True
    )
    st.caption(t("share_help", lang))


def download_buttons(result: Result, state: AppState, step: int, lang: str, colors: tuple[str, ...] = ()) -> None:
    """One button per export format. A file is rendered only when its button is clicked, by
    the same figure builders as the page (``export``), so it looks like what is on screen:
    the map beside the traces, or the 3-D view (whose GIF is the map's animation)."""
    st.caption(t("download_help", lang))
    if st.session_state.get("export_error"):
        st.error(st.session_state.pop("export_error"))
    missing = export.browser_path() is None
    if missing:
        st.caption(t("download_no_browser", lang, error=export.INSTALL_HINT))
    name = state.surface if state.surface != CUSTOM else "custom"
    look = {
        "colors": colors, "reveal": not state.whole, "loss_axis": state.loss_axis,
        "local": state.local - 1 if state.local else None, "steps": state.zoom,
        "map_x": state.map_x, "map_y": state.map_y,
        "panels": state.panels or PANELS, "pins": state.pins, "step_axis": state.axis, "seeds": state.seeds,
    }  # fmt: skip
    options = {"lang": lang, "step": step, "arrows": state.arrows, "presentation": state.present, "look": look}

    def render(fmt: str) -> bytes:
        view = "3d" if state.view == "3d" and fmt != "gif" else "all"
        try:
            return export.render(result, fmt, view=view, **options)
        except (export.ExportError, export.MissingDependencyError, export.RenderError) as e:
            failed = t("download_failed", lang, fmt=fmt.upper(), error=plain(e))
            st.session_state["export_error"] = failed
            return b""

    for col, fmt in zip(st.columns(len(export.FORMATS)), export.FORMATS, strict=True):
        col.download_button(
            fmt.upper(),
            data=lambda fmt=fmt: render(fmt),
            file_name=f"optimizer-lab-{name}.{fmt}",
            mime=export.MIME_TYPES[fmt],
            key=f"download_{fmt}",
            disabled=missing and fmt in export.BROWSER_FORMATS,
            on_click="ignore",
        )
