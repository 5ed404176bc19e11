"""What a picture shows besides the result: the options a user (or a preset's ``view`` block)
sets, resolved once into a :class:`View` that every piece of the figure reads.

A preset file may carry a ``"view"`` object beside its ``"scenario"`` (see the README's
*Lecture presets*): ``{"loss_axis": "log", "steps": [0, 60], "map": {"x": [..], "y": [..]},
"paths": "whole", "local": 1, "arrows": ["update"], "panels": [...], "pins": {"step": [0, [90, 1]]}}``;
``view_options`` checks it. ``pins`` names steps whose values a panel prints beside a mark
(a caption's "the first step 0.003 against 0.28" then stands on the screen).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from figures.style import ARROW_KINDS, PALETTE, Sizes
from lab.seeds import MAX_SEEDS

PANELS = ("loss", "grad_norm", "lr", "eff_lr")  # the four trace panels, top to bottom
PANEL_CHOICES = ("loss", "grad_norm", "lr", "eff_lr", "step", "moments")  # moments: σ and m over ‖g‖ (lab.moments)
LOSS_AXES = ("linear", "log")
UNDER = 1.0  # how much wider the first run's line is than the last's (paths on top of each other)

Range = tuple[float, float]


@dataclass(frozen=True)
class View:
    """Options of a picture. ``reveal``: paths and curves appear as they are played (else
    drawn whole); ``local``: the run (0-based) whose local quadratic model is drawn;
    ``steps``: the panels' step range; ``map_x``/``map_y``: the map's zoom; ``colors``:
    each run's colour (the app keeps a colour with its run when another is removed)."""

    lang: str = "en"
    presentation: bool = False
    arrows: tuple[str, ...] = ()
    reveal: bool = True
    loss_axis: str = "linear"
    local: int | None = None
    steps: Range | None = None
    map_x: Range | None = None
    map_y: Range | None = None
    panels: tuple[str, ...] = PANELS
    colors: tuple[str, ...] = field(default_factory=tuple)
    width: int | None = None  # layout pixels, when the page knows them (legend rows)
    height: int | None = None
    step_axis: str = "updates"  # the panels' x on a data set: updates or epochs (issue 12)
    pins: tuple[tuple[str, int, int | None], ...] = ()  # (panel, step, run or None: all) printed
    seeds: int = 0  # the batch runs' ends counted over this many batch seeds (lab.seeds); 0: not

    @property
    def sizes(self) -> Sizes:
        return Sizes.of(self.presentation)

    def line(self, i: int, n: int) -> float:
        """Run ``i`` of ``n``'s line width: the first widest, the last the plain width, so a
        run drawn exactly over an earlier one leaves the earlier one's edges showing."""
        if n <= 1:
            return self.sizes.line
        return self.sizes.line * (1 + UNDER * (n - 1 - i) / (n - 1))

    def color(self, i: int) -> str:
        """Run ``i``'s colour: the given one, else the palette's ``i``-th."""
        if i < len(self.colors):
            return self.colors[i]
        return PALETTE[i % len(PALETTE)]

    @property
    def arrow_kinds(self) -> tuple[str, ...]:
        return tuple(k for k in ARROW_KINDS if k in self.arrows)


MAX_RUN = 6  # the runs a view block may name (the app's at most), counted from 1


def needs_state(options: Mapping[str, Any]) -> bool:
    """Whether a view (its options, ``view_options``) draws from the runs' recorded state:
    the moments panel (``lab.moments``) needs ``simulate(..., record_state=True)``."""
    return "moments" in tuple(options.get("panels", ()))


class ViewError(ValueError):
    """A preset's view block that cannot be used; the message names the key and value."""


def _range(value: Any, key: str) -> Range:
    ok = isinstance(value, Sequence) and len(value) == 2
    ok = ok and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    if not ok or not float(value[0]) < float(value[1]):
        raise ViewError(f"view.{key} = {value!r} is invalid; allowed: [lo, hi] with lo < hi")
    return (float(value[0]), float(value[1]))


def _choice(value: Any, key: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise ViewError(f"view.{key} = {value!r} is invalid; allowed: {', '.join(allowed)}")
    return str(value)


def _map(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping) or not value or set(value) - {"x", "y"}:
        raise ViewError(f"view.map = {value!r} is invalid; allowed: {{x: [lo, hi], y: [lo, hi]}}")
    return {f"map_{k}": _range(v, f"map.{k}") for k, v in value.items()}


def _local(value: Any) -> dict[str, Any]:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_RUN:
        raise ViewError(f"view.local = {value!r} is invalid; allowed: a run number 1 .. {MAX_RUN}")
    return {"local": value - 1}


def _panels(value: Any) -> dict[str, Any]:
    ok = isinstance(value, Sequence) and not isinstance(value, str)
    panels = tuple(_choice(p, "panels", PANEL_CHOICES) for p in value) if ok else ()
    if not 1 <= len(panels) <= 4 or len(set(panels)) != len(panels):
        raise ViewError(f"view.panels = {value!r} is invalid; allowed: one to four different panels of {', '.join(PANEL_CHOICES)}")
    return {"panels": panels}


MAX_PINS = 4  # steps a panel prints at most
MAX_PIN_STEP = 10**6
PIN_FORMS = "a step, or [step, run] for one run's line only (runs counted from 1)"


def _pin(item: Any) -> tuple[int, int | None] | None:
    """A pin's (step, run, 0-based, or None: every run), or None when it is not one."""
    whole = lambda v, hi: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= hi  # noqa: E731
    if whole(item, MAX_PIN_STEP):
        return int(item), None
    if isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
        step, run = item
        if whole(step, MAX_PIN_STEP) and whole(run, MAX_RUN) and run >= 1:
            return int(step), int(run) - 1
    return None


def _pins(value: Any) -> dict[str, Any]:
    allowed = f"{{panel: [pin, ...]}}, a panel of {', '.join(PANEL_CHOICES)}, at most {MAX_PINS} pins of {PIN_FORMS}, steps 0 .. {MAX_PIN_STEP:,}"
    if not isinstance(value, Mapping):
        raise ViewError(f"view.pins = {value!r} is invalid; allowed: {allowed}")
    out: list[tuple[str, int, int | None]] = []
    for panel, items in value.items():
        _choice(panel, "pins", PANEL_CHOICES)
        ok = isinstance(items, Sequence) and not isinstance(items, str) and 1 <= len(items) <= MAX_PINS
        parsed = [_pin(i) for i in items] if ok else [None]
        if any(p is None for p in parsed):
            raise ViewError(f"view.pins.{panel} = {items!r} is invalid; allowed: {allowed}")
        out += [(str(panel), s, r) for s, r in dict.fromkeys(p for p in parsed if p is not None)]
    return {"pins": tuple(out)}


_KEYS = {
    "loss_axis": lambda v: {"loss_axis": _choice(v, "loss_axis", LOSS_AXES)},
    "paths": lambda v: {"reveal": _choice(v, "paths", ("reveal", "whole")) == "reveal"},
    "steps": lambda v: {"steps": _range(v, "steps")},
    "map": _map,
    "local": _local,
    "arrows": lambda v: {"arrows": tuple(_choice(a, "arrows", ARROW_KINDS) for a in v)},
    "panels": _panels,
    "axis": lambda v: {"step_axis": _choice(v, "axis", ("updates", "epochs"))},
    "pins": _pins,
    "seeds": lambda v: {"seeds": _seeds(v)},
}


def _seeds(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_SEEDS:
        raise ViewError(f"view.seeds = {v!r} is invalid; allowed: a whole number from 0 (none) to {MAX_SEEDS}")
    return v


def view_options(block: Mapping[str, Any] | None) -> dict[str, Any]:
    """A preset's ``view`` block as :class:`View` keyword arguments (ViewError when a key or
    value is not allowed). ``local`` counts runs from 1, as the cards do."""
    out: dict[str, Any] = {}
    for key, value in (block or {}).items():
        if key not in _KEYS:
            raise ViewError(f"unknown key {key!r} in view; allowed keys: {', '.join(_KEYS)}")
        out.update(_KEYS[key](value))
    return out
