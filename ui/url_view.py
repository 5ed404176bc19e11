"""A preset's panels and pinned steps in a share link (beside ``ui.url``'s keys, which would
pass 600 lines)::

    panels=loss,grad_norm,step,eff_lr  pins=step:0,step:90:1,loss:1:1

``pins`` is a comma list of ``panel:step`` (every run's line) or ``panel:step:run`` (one run's,
counted from 1). Both are read by the preset view's own checker (``figures.view.view_options``),
so a link allows exactly what a preset file does, and a value it cannot use is reported
naming the key, the value and what is allowed; the view then keeps its default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from figures.view import (
    MAX_PIN_STEP,
    MAX_PINS,
    MAX_RUN,
    PANEL_CHOICES,
    PANELS,
    ViewError,
    view_options,
)

if TYPE_CHECKING:
    from ui.model import AppState
    from ui.url import Query


def encode_view(state: AppState) -> dict[str, str]:
    """The link keys of the state's panels and pins (left out when they are the usual)."""
    q = {}
    if state.panels and tuple(state.panels) != PANELS:
        q["panels"] = ",".join(state.panels)
    if state.pins:
        q["pins"] = ",".join(f"{p}:{s}" if r is None else f"{p}:{s}:{r + 1}" for p, s, r in state.pins)
    return q


def decode_view(q: Query, state: AppState) -> None:
    """``panels`` and ``pins`` of the link into ``state``; a bad one reported and left out."""
    text = q.text("panels")
    if text is not None:
        try:
            state.panels = view_options({"panels": text.split(",")})["panels"]
        except ViewError:
            q.reject("panels", PANELS_HELP)
    text = q.text("pins")
    if text is not None:
        try:
            state.pins = view_options({"pins": _pins_block(text)})["pins"]
        except (ViewError, ValueError):
            q.reject("pins", PINS_HELP)


PANELS_HELP = f"one to four different panels of {', '.join(PANEL_CHOICES)}, comma-separated, top to bottom"
PINS_HELP = (
    f"a comma list of panel:step or panel:step:run (a panel of {', '.join(PANEL_CHOICES)}; "
    f"at most {MAX_PINS} a panel; steps 0 .. {MAX_PIN_STEP:,}; runs 1 .. {MAX_RUN}), e.g. step:0,loss:1:1"
)


def _pins_block(text: str) -> dict[str, list[Any]]:
    """``step:0,loss:1:1`` as a preset's pins block ({"step": [0], "loss": [[1, 1]]}); a part
    that is not panel:step[:run] in plain digits is a ValueError."""
    block: dict[str, list[Any]] = {}
    for part in text.split(","):
        bits = part.split(":")
        if len(bits) not in (2, 3) or not all(b.isascii() and b.isdigit() and len(b) <= 7 for b in bits[1:]):
            raise ValueError(part)
        numbers = [int(b) for b in bits[1:]]
        block.setdefault(bits[0], []).append(numbers[0] if len(numbers) == 1 else numbers)
    return block

