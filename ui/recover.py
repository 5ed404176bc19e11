"""The page's error boundary: an unexpected error shows one message and a "Reset to defaults"
button instead of a traceback, and the next interaction works.

The page draws its controls before anything that can fail (``app.py``), each part inside a
``boundary``: a failure in the computation or a chart leaves the controls in place, and the
session keeps its state, so changing any control reruns normally. The reset clears the session
and the link's parameters: the next run starts from the defaults, as a fresh visit does. The
traceback goes to the server's log, for the developer, never to the page.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

import streamlit as st

from core.text import LANGS, t
from ui.safe import plain

LOG = logging.getLogger("optimizer_lab")
CALLBACK_ERROR = "callback_error"  # a widget callback's failure, shown by the next run
F = TypeVar("F", bound=Callable[..., Any])


def page_lang() -> str:
    """The session's language, or English while it has none (a first run that failed)."""
    lang = st.session_state.get("lang")
    return lang if lang in LANGS else "en"


def reset_to_defaults() -> None:
    """Forget the session's state and the link: the next run is a fresh first run."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.query_params.clear()


class boundary:  # noqa: N801 - used as ``with boundary("part"):``, like a function
    """One part of the page (``part`` names it in the log and keys its button). An unexpected
    error in it becomes one message with a reset button; ``failed`` tells the page to draw
    nothing that depends on that part, so a run shows at most one such message."""

    def __init__(self, part: str) -> None:
        self.part = part
        self.failed = False

    def __enter__(self) -> boundary:
        return self

    def __exit__(self, kind: type | None, error: BaseException | None, tb: TracebackType | None) -> bool:
        # Streamlit stops or restarts a script with BaseExceptions (ScriptControlException):
        # they pass; so does everything when there is no error.
        if error is None or not isinstance(error, Exception):
            return False
        self.failed = True
        LOG.error("unexpected error in the page's %s", self.part, exc_info=(kind, error, tb))
        lang = page_lang()
        message = f"{type(error).__name__}: {error}"[:200]
        st.error(t("error.unexpected", lang, error=plain(message)))
        st.button(
            t("error.reset", lang),
            key=f"reset_defaults_{self.part}",
            on_click=reset_to_defaults,
            type="tertiary",
            icon=":material/restart_alt:",
        )
        return True  # handled: the rest of the page goes on without this part


def guarded(callback: F) -> F:
    """A widget callback (``on_change``, ``on_click``) that cannot show a traceback: Streamlit
    runs callbacks before the script, outside every boundary. A failure is logged and kept for
    the run that follows, which shows it as the boundary does (``show_callback_error``)."""

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except Exception as e:
            LOG.exception("unexpected error in the callback %s", callback.__name__)
            st.session_state[CALLBACK_ERROR] = f"{type(e).__name__}: {e}"[:200]
            return None

    return run  # type: ignore[return-value]


def show_callback_error() -> None:
    """The message of a callback that failed before this run, with the reset (once)."""
    message = st.session_state.pop(CALLBACK_ERROR, None)
    if message is not None:
        lang = page_lang()
        st.error(t("error.unexpected", lang, error=plain(message)))
        st.button(
            t("error.reset", lang),
            key="reset_defaults_callback",
            on_click=reset_to_defaults,
            type="tertiary",
            icon=":material/restart_alt:",
        )

