"""The panels' read-outs: every line's value at the current step, right of the panel and level
with the line's point (labels that would overlap pushed apart about their mean), and which
step a zoomed panel reads once the clock has passed its end."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.text import t
from figures.panels import Axis, Track, axis_refs
from figures.sampling import short
from figures.style import HALO, fmt_value, label_px
from figures.view import View

if TYPE_CHECKING:  # pins draw their labels with the read-outs' spread
    from figures.pins import PinSet

ZERO_SHARE = 1e-9  # of a linear axis's span: a value this small is rounding, read as 0


def spread(shares: list[float | None], row: float, fixed: list[bool] | None = None) -> list[float | None]:
    """Label heights (fractions of the panel) as near as they can be to ``shares`` — each
    label level with its line — but at least ``row`` apart and inside the panel; None stays
    None. Labels in rows at the top of a panel read as values of whatever was drawn at that
    height (the review's helpers read a cap's label as the cap's value).

    Labels that would overlap form a group centred on their lines' mean height, a row apart,
    in the order of their values; groups that then overlap merge (the usual label layout).
    A ``fixed`` label (a stability limit's words the read-outs pass over mid-Play) does not
    move: a group holding one is laid out around it, the others above or below it by value."""
    lo, hi = row / 2, max(row / 2, 1 - row / 2)
    pinned = fixed or [False] * len(shares)
    order = sorted((i for i, v in enumerate(shares) if v is not None), key=lambda i: (shares[i], -i))
    groups: list[tuple[list[int], float]] = []  # (members bottom up, the mean of their targets)

    def bottom(members: list[int], mean: float) -> float:
        for k, i in enumerate(members):  # the first fixed member stays where it is
            if pinned[i]:
                return float(shares[i] or 0.0) - k * row
        return max(lo, min(mean - (len(members) - 1) * row / 2, hi - (len(members) - 1) * row))

    for i in order:
        members, mean = [i], min(max(float(shares[i] or 0.0), lo), hi)
        while groups and bottom(*groups[-1]) + len(groups[-1][0]) * row > bottom(members, mean) + 1e-12:
            before, m = groups.pop()
            mean = (m * len(before) + mean * len(members)) / (len(before) + len(members))
            members = before + members
        groups.append((members, mean))
    out: list[float | None] = [None] * len(shares)
    for members, mean in groups:
        b = bottom(members, mean)
        for k, i in enumerate(members):
            out[i] = b + k * row
    return out


def at_share(axis: Axis, h: float | None) -> float | None:
    """A height on the panel (0 bottom, 1 top) in the axis's data units; None stays None."""
    return None if h is None else short(axis.data(axis.lo + h * (axis.hi - axis.lo)))


def label(name: str, v: float) -> str:
    """A read-out's text: the number, after its line's name where a run has two lines."""
    return f"{name} {fmt_value(v)}" if name else fmt_value(v)


def _values(track: Track, s: int) -> tuple[list[str], list[float | None]]:
    """Every line's read-out text at step ``s`` and its line's height on the panel."""
    a = track.axis
    # On a linear axis a value a billionth of its span is rounding: "0", not "-4.11e-23"
    # (preset 6's loss at its minimum, read as "-4.1" from the back of the room).
    zero = 0.0 if a.log else ZERO_SHARE * (a.hi - a.lo)  # (on a log axis, <= 0 reads 0)
    texts, shares = [], []
    for name, v in zip(track.names or [""] * len(track.values), track.at(s), strict=True):
        v = float("nan") if v is None else (0.0 if abs(v) < zero or (a.log and v <= 0) else v)
        texts.append(label(name, v))
        shares.append(track.share(v))
    return texts, shares


Wall = tuple[float, float]  # a fixed label's height on its panel (its centre) and the step its words end at


def walls(notes: list[dict[str, Any]], row: float, px_per_step: float) -> tuple[Wall, ...]:
    """The stability limits' labels (``panels.limit_lines``' annotations, above or below
    their line) as walls: the centre of each label's row and the step its words end at."""
    out = []
    for n in notes:
        centre = n["y"] + (row / 2 if n["yanchor"] == "bottom" else -row / 2)
        out.append((centre, n["x"] + label_px(n["text"], n["font"]["size"]) / px_per_step))
    return tuple(out)


def joint(
    track: Track, s: int, row: float, x_at: float, pins: PinSet | None, walls: tuple[Wall, ...] = ()
) -> tuple[list[float | None], list[float | None]]:
    """The read-outs' heights at step ``s`` and the panel's pin labels' (``pins``): a pin
    label that reaches the read-outs' column (``x_at``) is kept apart from them like one
    more read-out (mid-Play, preset 7's step-0 pin and the read-outs of step 6 were printed
    over one another at 1024 px); the others stay level with their rings. The words of a
    stability limit that reach the column (``walls``) stay put, and the read-outs keep a row
    clear of them (preset 3 mid-Play: "y 8.45e-3" printed over "2/H_yy = 0.01")."""
    _, shares = _values(track, s)
    near = pins.crowding(s, x_at) if pins is not None else []
    fixed = [h for h, end in walls if end > x_at]
    extra = [pins.shares[k] for k in near] if pins is not None else []
    every = shares + extra + fixed
    heights = spread(every, row, [False] * (len(shares) + len(extra)) + [True] * len(fixed))
    pin_heights = list(pins.heights) if pins is not None else []
    for k, h in zip(near, heights[len(shares) : len(shares) + len(extra)], strict=True):
        pin_heights[k] = h
    return heights[: len(shares)], pin_heights


def readout(
    track: Track, s: int, row: float, x_at: float, pins: PinSet | None = None, walls: tuple[Wall, ...] = ()
) -> dict[str, Any]:
    """Every line's value at step ``s``, right of the panel (``x_at``: where the column
    starts, in steps), each level with its line's current point (``row``: a label's height
    as a fraction of the panel's). A run with two lines (η/σ per coordinate) gets a label per
    line, named by its coordinate."""
    xr, yr = axis_refs(track.number)
    texts, _ = _values(track, s)
    heights, _ = joint(track, s, row, x_at, pins, walls)
    ys = [at_share(track.axis, h) for h in heights]
    return {"type": "scatter", "x": [x_at] * len(texts), "y": ys, "text": texts, "xaxis": xr, "yaxis": yr}


def readout_style(track: Track, view: View) -> dict[str, Any]:
    return {
        "mode": "text",
        "textposition": "middle right",
        "cliponaxis": False,
        "textfont": {"color": [view.color(i) for i in track.owners], "size": view.sizes.font - 1},
        "showlegend": False,
        "hoverinfo": "skip",
        "name": "readout",
    }


def zoom_read(track: Track, s: int, end: int, lang: str) -> dict[str, Any]:
    """At the top of the top panel, left of the cursor, once the clock ``s`` has passed a
    zoom's ``end``: the step its read-outs read ("t = 60" while the clock says 500)."""
    text = t("fig.zoom_read", lang, step=f"{end:,}") if s > end else ""
    return _top_left_of(track, end, text)


def epoch_read(track: Track, s: int, first_cap: int, end: float, lang: str) -> dict[str, Any]:
    """On an epoch axis, once some run's line has ended (the clock ``s`` past the first
    run's last update on the axis, ``first_cap``): at the axis's ``end``, the epoch its
    read-outs read ("epoch 20" while the cards and the map are after 320 updates: review,
    preset 22)."""
    text = t("fig.epoch_read", lang, epoch=f"{end:g}") if s > first_cap else ""
    return _top_left_of(track, end, text)


def _top_left_of(track: Track, x: float, text: str) -> dict[str, Any]:
    xr, yr = axis_refs(track.number)
    a = track.axis  # a little below the top: clear of the legend at 1024
    top = float(a.data(a.hi - 0.06 * (a.hi - a.lo)))
    return {"type": "scatter", "x": [x], "y": [top], "text": [text], "xaxis": xr, "yaxis": yr}


ZOOM_READ_STYLE = {
    "mode": "text",
    "textposition": "bottom left",  # inside the panel, left of the cursor: above it ran into the legend at 1024
    "cliponaxis": False,
    "textfont": {"color": "#444", "shadow": HALO},  # over the lines
    "showlegend": False,
    "hoverinfo": "skip",
    "name": "zoom_read",
}
