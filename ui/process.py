"""What the server process does once, at its first page."""

from __future__ import annotations

import gc

_frozen = False


def freeze_imports() -> None:
    """Streamlit runs a full garbage collection after every script run
    (``runner.postScriptGC``), which walks every object the process holds: plotly's,
    numpy's and Streamlit's own modules make that about 0.1 s of CPU per rerun, for every
    session. Those objects live as long as the process; moved to the permanent generation
    once (``gc.freeze``), the collection after a run walks only what sessions made since,
    and still frees what they leave behind."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()
