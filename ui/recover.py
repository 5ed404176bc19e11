"""The page's error boundary: an unexpected error shows one message and a "Reset to defaults"
button instead of a traceback, and the next interaction works.

The page draws its controls before anything that can fail (``app.py``), each part inside a
``boundary``: a failure in the computation or a chart leaves the controls in place, and the
session keeps its state, so changing any control reruns normally. The reset clears the session
and the link's parameters: the next run starts from the defaults, as a fresh visit does. The
traceback goes to the server's log, for the developer, never to the page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from core.text import LANGS, t
from ui.safe import plain

LOG = logging.getLogger("optimizer_lab")
# Streamlit stops or restarts a script by raising these; they are not errors.
try:
    from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException
except ImportError:  # pragma: no cover - the module moved in another Streamlit version
    ScriptControlException = ()  # type: ignore[assignment,misc]


def page_lang() -> str:
    """The session's language, or English while it has none (a first run that failed)."""
    lang = st.session_state.get("lang")
    return lang if lang in LANGS else "en"


def reset_to_defaults() -> None:
    """Forget the session's state and the link: the next run is a fresh first run."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.query_params.clear()


@contextmanager
def boundary(part: str) -> Iterator[None]:
    """Run one part of the page (``part`` names it in the log and keys its button); an
    unexpected error in it becomes one message with a reset button."""
    try:
        yield
    except ScriptControlException:
        raise
    except Exception as e:  # the boundary's job: nothing escapes to the page as a traceback
        LOG.exception("unexpected error in the page's %s", part)
        lang = page_lang()
        st.error(t("error.unexpected", lang, error=plain(f"{type(e).__name__}: {e}"[:200])))
        st.button(
            t("error.reset", lang),
            key=f"reset_defaults_{part}",
            on_click=reset_to_defaults,
            type="tertiary",
            icon=":material/restart_alt:",
        )
