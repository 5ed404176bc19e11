"""The classroom figure: the map and the trace panels in ONE Plotly figure with one clock.

Everything that moves (each run's path so far, its current point, its arrows, the local
quadratic model, the panels' step line and markers, their read-outs and the curtain over
the steps not yet played) is in the figure's frames, so Play, Pause, the slider and the
app's single-step buttons move all of it together in the browser, without the server.

Landscape pictures (the app, ``--view all`` exports) put the panels right of the map,
portrait ones under it. ``classroom_spec`` returns the figure as a plain dict (what the app
sends; building ``go.Frame`` objects would cost more than the whole rerun), and
``overview_figure`` the same as a ``go.Figure``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.text import t
from figures import animation, panels, pins, readouts
from figures import batches as batch_parts
from figures import map as mapping
from figures.fates import MapBox, clutter, fate_mover
from figures.layers import Layers, layers_for
from figures.sampling import frame_steps
from figures.style import base_layout
from figures.view import View
from lab import Result
from lab.seeds import Fates

MAP_SHARE = 0.58  # of the width (or height) for the map
PANEL_GAP_PX = 62  # left of the panels: their tick labels and rotated titles
STACK_GAP_PX = 60  # under a stacked map: its x tick labels and title
PANEL_AXIS = 2  # the panels' first axis pair (the map has the first)
SLIDER_PX = 56  # under the plots when animated: the slider and its read-out
AXIS_PX = 34  # under the plots: tick labels and the axis titles
TITLE_PX = 18  # without a slider: the x axes' titles under their tick labels
FRAMES = 150  # evenly spaced frames; event windows add every step around them
EVENT_WINDOW = 12  # steps before and after an event that Play shows one by one
MAX_WINDOWS = 6
EVERY_STEP_UP_TO = 300  # runs this short get a frame at every step
READOUT_SHARE = 0.34  # of the panels' step range, right of the curves, for the read-outs, at least
READOUT_CHARS = 13  # the longest read-out, with room: a coordinate and its number, "w₁ 8.43e-3"

Domain = tuple[float, float]


@dataclass(frozen=True)
class Frame:
    """Where the parts go, in the plot area's fractions."""

    map_x: Domain
    map_y: Domain
    panels_x: Domain
    panels_top: float
    margin: dict[str, int]
    width: int
    height: int


def _legend_rows(result: Result, view: View, width: int) -> int:
    """Rows of the horizontal legend: Plotly wraps its entries but does not make room."""
    entries = [len(r.label) + 5 for r in result.runs] + [10, 16] + [18] * len(view.arrow_kinds)
    entries += [26, 40] if view.local is not None else []  # the local model's two entries
    entries += batch_parts.legend_lengths(result, view)
    per_row = max(1.0, width / (0.6 * view.sizes.font))
    return 1 + int(sum(entries) // per_row)


def layout_frame(result: Result, view: View, width: int, height: int, animate: bool) -> Frame:
    """Where the map and the panels go; ``animate``: room under the plots for the slider."""
    sizes = view.sizes
    title = sizes.font + 12
    top = title + _legend_rows(result, view, width) * (sizes.font + 10)
    bottom = AXIS_PX + (SLIDER_PX if animate else TITLE_PX) + (sizes.font - 13)
    right = 12
    margin = {"l": 4 * sizes.font, "r": right, "t": top, "b": bottom}
    if not view.panels:
        return Frame(mapping.FULL, mapping.FULL, mapping.FULL, 1.0, margin, width, height)
    if width >= height:
        plot_w = max(1, width - margin["l"] - margin["r"])
        gap = min(0.3, PANEL_GAP_PX * sizes.font / 13 / plot_w)
        cut = MAP_SHARE * (1 - gap)
        return Frame((0.0, round(cut, 4)), mapping.FULL, (round(cut + gap, 4), 1.0), 1.0, margin, width, height)
    plot_h = max(1, height - margin["t"] - margin["b"])
    gap = min(0.3, STACK_GAP_PX / plot_h)
    below = (1 - MAP_SHARE) * (1 - gap)
    return Frame(mapping.FULL, (round(below + gap, 4), 1.0), mapping.FULL, below, margin, width, height)


def event_windows(result: Result) -> list[tuple[int, int]]:
    """The steps around each run's events (bursts, the first step, divergence, a saddle
    passed): Play shows them one by one, so a burst lasts seconds, not two frames. At most
    ``MAX_WINDOWS``, the earliest: a run with dozens of bursts plays them at the usual pace."""
    out = []
    for run in result.runs:
        for e in run.verdict.get("events", ()):
            end = e.get("end_step")  # None: a burst still going on when the run ends
            out.append((e["step"] - EVENT_WINDOW, (e["step"] if end is None else end) + EVENT_WINDOW))
    return sorted(out)[:MAX_WINDOWS]


def play_steps(result: Result, view: View, frames: int | None, s0: int) -> np.ndarray:
    """The frames' steps. The app's (``frames`` None): every step of a short run (single
    steps are real steps), else ``FRAMES`` evenly spaced plus every step around events and
    of a preset's zoom. An export's (``frames`` given: a GIF's or a page's size is the
    user's choice): that many evenly spaced, plus every step of a preset's zoom."""
    last = max(r.steps_run for r in result.runs)
    if frames is None and last <= EVERY_STEP_UP_TO:
        return np.arange(last + 1)
    lo, hi = view.steps or (0, last)
    lo, hi = max(0, int(lo)), min(last, int(hi))
    zoomed = [(lo, hi)] if view.steps is not None else []
    events = event_windows(result) if frames is None else []
    steps = frame_steps(last, FRAMES if frames is None else frames, [*events, *zoomed])
    return np.union1d(steps, [s0])


class Builder:
    """Collects the traces of the figure and which ones move."""

    def __init__(self) -> None:
        self.data: list[dict[str, Any]] = []
        self.moving: list[int] = []
        self.makers: list[Any] = []  # step -> data, one per moving trace
        self.keyed: list[int] = []

    def add(self, trace: dict[str, Any]) -> int:
        self.data.append(trace)
        return len(self.data) - 1

    def mover(self, style: dict[str, Any], make: Any, s0: int) -> None:
        self.moving.append(self.add({**make(s0), **style}))
        self.makers.append(make)

    def per_frame(self, s: int) -> list[dict[str, Any]]:
        return [make(s) for make in self.makers]


def _reveal(b: Builder, result: Result, view: View, drawn: list[np.ndarray], dash: list[str | None], s0: int) -> Any:
    """Each run's path so far as two traces (up to the keyframe, and since), when revealed;
    returns the keyframe function of ``animation.frames``."""
    if not view.reveal:
        return None
    done = [b.add({**mapping.xy(mapping.revealed(r, d, 0, s0)), **mapping.path_style(r, i, view, True, len(drawn), dash[i])})
            for i, (r, d) in enumerate(zip(result.runs, drawn, strict=True))]  # fmt: skip
    grow = [b.add({**mapping.xy(mapping.revealed(r, d, s0, s0)), **mapping.path_style(r, i, view, False, len(drawn), dash[i])})
            for i, (r, d) in enumerate(zip(result.runs, drawn, strict=True))]  # fmt: skip
    b.keyed = done + grow

    def per_key(key: int, s: int) -> list[dict[str, Any]]:
        pairs = list(zip(result.runs, drawn, strict=True))
        return [mapping.xy(mapping.revealed(r, d, 0, key)) for r, d in pairs] + [
            mapping.xy(mapping.revealed(r, d, key, s)) for r, d in pairs
        ]

    return per_key


def _panels(b: Builder, layout: dict[str, Any], result: Result, view: View, fr: Frame, s0: int, steps_shown: np.ndarray) -> None:
    """The panels' axes, lines, shading and marks; then what moves over them."""
    n = len(view.panels)
    h = (1 - panels.GAP * (n - 1)) / n
    steps = batch_parts.x_extent(result, view)  # in updates, or epochs on a data set
    epochs = batch_parts.epochs(result, view)
    plot_h = max(1, fr.height - fr.margin["t"] - fr.margin["b"]) * fr.panels_top * h
    row = min(0.24, (view.sizes.font + 3) / plot_h)
    # The read-outs get a column of their own right of the curves, inside the plot area, wide
    # enough in pixels for the longest read-out ("0.069|8.4e-3") at this width.
    panel_px = max(1.0, (fr.width - fr.margin["l"] - fr.margin["r"]) * (fr.panels_x[1] - fr.panels_x[0]))
    column_px = min(0.5 * panel_px, READOUT_CHARS * 0.6 * view.sizes.font + 10)
    share = max(READOUT_SHARE, column_px / (panel_px - column_px))
    x_range = (steps[0], steps[1] + share * (steps[1] - steps[0]))
    x_at = steps[1] + 0.03 * (steps[1] - steps[0])
    axes = []
    zoomed = _zoom_end(result, view) if not epochs else None
    walls: dict[int, tuple[readouts.Wall, ...]] = {}  # each panel's limit labels, which the read-outs keep clear of
    for p, panel in enumerate(view.panels):
        number = PANEL_AXIS + p
        axis = panels.panel_axis(result, panel, view)
        axes.append((number, axis))
        xa, ya = panels.axis_names(number)
        top = 1 - p * (h + panels.GAP)
        domain = [round(fr.panels_top * max(0.0, top - h), 4), round(fr.panels_top * min(1.0, top), 4)]
        bottom = p == n - 1
        x_title = t("batch.axis.epochs" if epochs else "fig.step", view.lang)
        if zoomed is not None:  # the curves stop at the zoom's end: say so under them
            x_title = t("fig.step_zoom", view.lang, hi=f"{zoomed:,}", last=f"{max(r.steps_run for r in result.runs):,}")
        layout[xa] = panels.step_axis(number, PANEL_AXIS, fr.panels_x, x_range, x_title if bottom else None)
        layout[xa]["tickvals"] = panels.step_ticks(*steps)
        layout[ya] = panels.value_axis(number, axis, domain, panels.panel_title(panel, axis, view.lang), view.sizes.font)
        for line in batch_parts.on_axis(panels.panel_lines(result, axis, number, view), result, view):
            b.add(line)
        limits = _decorate(b, layout, result, axis, number, view, epochs, panel_px / (1 + share))
        walls[number] = readouts.walls(limits, row, panel_px / (1 + share) / max(steps[1] - steps[0], 1e-12))
    end = x_range[1]
    # a zoom's end is read once the clock has passed it (below): the tracks hold it
    read = steps_shown if zoomed is None else np.union1d(steps_shown, [zoomed])
    caps = batch_parts.epoch_caps(result, view)  # on an epoch axis each run is read up to its line's end
    read = read if caps is None else np.union1d(read, caps)
    tracks = [panels.Track.of(result, axis, number, read, view.lang, caps) for number, axis in axes]
    if view.reveal and not epochs:  # one curtain cannot cover runs that are at different epochs
        for tr in tracks:
            b.mover(panels.CURTAIN_STYLE, lambda s, tr=tr: panels.curtain(tr, s, end), s0)
    k = batch_parts.scales(result, view)
    # Panels zoomed on the first steps (a preset's zoom) read their curves' end once the clock
    # has passed it: the marker on the curve and the numbers beside it tell the same step (the
    # numbers of step 500 beside curves that stop at 60 read as a contradiction).
    seen = (lambda s: s) if zoomed is None else (lambda s: min(s, zoomed))
    for tr in tracks:
        at = (lambda s, tr=tr: batch_parts.epoch_cursor(tr, s, k)) if epochs else (lambda s, tr=tr: panels.cursor(tr, seen(s)))
        b.mover(panels.cursor_style(tr, view), at, s0)
    # The read-outs stand just right of the clock's markers, on the curtain over the steps not
    # yet played (mid-Play, numbers in a column at the panel's end floated away from their
    # points); with whole paths or an epoch axis (runs at different epochs), in the column.
    gap = x_at - steps[1]
    px_per_step = panel_px / (1 + share) / max(steps[1] - steps[0], 1e-12)
    at_x = (lambda s: seen(s) + gap) if view.reveal and not epochs else (lambda s: x_at)
    pinsets = {
        number: pins.pin_set(result, axis, number, view, at, row, steps, px_per_step)
        for number, axis in (axes if not epochs else ())
        if (at := pins.pinned(view, axis.panel, *steps))
    }
    for tr in tracks:
        ps = pinsets.get(tr.number)
        w = walls.get(tr.number, ())
        b.mover(readouts.readout_style(tr, view), lambda s, tr=tr, ps=ps, w=w: readouts.readout(tr, seen(s), row, at_x(s), ps, w), s0)
    for tr in tracks:  # the pins' labels kept apart from the read-outs where they meet
        if (ps := pinsets.get(tr.number)) is not None:
            w = walls.get(tr.number, ())
            pins.pin_movers(b, ps, view, s0, lambda s, tr=tr, ps=ps, w=w: readouts.joint(tr, seen(s), row, at_x(s), ps, w)[1])
    if zoomed is not None and tracks:  # once the clock has passed the zoom: which step they read
        b.mover(readouts.ZOOM_READ_STYLE, lambda s: readouts.zoom_read(tracks[0], s, zoomed, view.lang), s0)
    if caps is not None and tracks:  # on an epoch axis, once a run's line has ended: where they read
        b.mover(readouts.ZOOM_READ_STYLE, lambda s: readouts.epoch_read(tracks[0], s, min(caps), steps[1], view.lang), s0)


def _decorate(
    b: Builder, layout: dict[str, Any], result: Result, axis: panels.Axis, number: int, view: View, epochs: bool, curve_px: float
) -> list[dict[str, Any]]:
    """What a panel shows besides its lines: the loss panel's extras and marks, the verdicts'
    stretches, the η/σ panel's legend and the stability limits."""
    notes = layout.setdefault("annotations", [])
    shapes = layout.setdefault("shapes", [])
    if axis.panel == "loss":
        b.data += batch_parts.loss_extras(result, axis, number, view)
        if (note := batch_parts.loss_note(result, number, view)) is not None:
            notes.append(note)
    if axis.panel == "eff_lr":
        notes.append(_eff_note(number, view, result.surface.axes))
    if axis.panel == "moments":  # the note names the lines drawn: σ only where no run has an m
        with_m = any(d == "dash" for r in result.runs for _, d in panels.series(r, "moments"))
        text = t("fig.moments_note" if with_m else "fig.moments_note_sigma", view.lang)
        notes.append({**_eff_note(number, view, ("", "")), "text": text})
    if epochs:  # shading, marks and limits are per update
        return []
    shapes += panels.stretch_shapes(result, number, view)
    if axis.panel == "loss" and (m := panels.marks(result, axis, number, view)) is not None:
        b.add(m)
    lines, limit_notes = panels.limit_lines(result, axis, number, view, curve_px)
    shapes += lines
    notes += limit_notes
    return limit_notes


def _zoom_end(result: Result, view: View) -> int | None:
    """The last step the panels show when they are zoomed short of the runs' end, else None."""
    if view.steps is None:
        return None
    last = max(r.steps_run for r in result.runs)
    hi = max(0, min(last, int(view.steps[1])))
    return hi if hi < last else None


def _data_panel(b: Builder, layout: dict[str, Any], result: Result, view: View, fr: Frame, s0: int) -> Frame:
    """The data panel at the top of the panel column; returns the frame the trace panels get."""
    top, y_domain = batch_parts.make_room(fr.panels_top)
    x_domain = (fr.panels_x[0], fr.panels_x[0] + (1 - READOUT_SHARE / (1 + READOUT_SHARE)) * (fr.panels_x[1] - fr.panels_x[0]))
    layout.update(batch_parts.data_axes(result, view, x_domain, y_domain))
    lead = batch_parts.lead_run(result)
    plot_w = fr.width - fr.margin["l"] - fr.margin["r"]
    room = (fr.panels_x[1] - x_domain[0]) * plot_w + fr.margin["r"] - 4
    layout.setdefault("annotations", []).append(batch_parts.data_title(result, view, lead, room))
    b.data += batch_parts.data_static(result, view)
    for style, make in batch_parts.data_movers(result, view, lead):
        b.mover(style, make, s0)
    return replace(fr, panels_top=top)


def _eff_note(number: int, view: View, names: tuple[str, str]) -> dict[str, Any]:
    xr, yr = panels.axis_refs(number)
    return {
        "text": t("fig.eff_lr_note", view.lang, x=names[0], y=names[1]), "xref": f"{xr} domain", "yref": f"{yr} domain",
        "x": 1, "y": 1, "xanchor": "right", "yanchor": "bottom", "showarrow": False,
        "font": {"size": view.sizes.font - 3, "color": "#555"},
    }  # fmt: skip


def _top(layout: dict[str, Any], result: Result, view: View) -> None:
    """The surface's name as the title, the legend under it (above the plots)."""
    surface = result.surface
    layout["title"] = {
        "text": surface.title.get(view.lang, surface.name), "x": 0.005, "xanchor": "left",
        "y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 6},
        "font": {"size": view.sizes.font + 3},
    }  # fmt: skip
    layout["legend"] = {
        "orientation": "h", "x": 0.0, "y": 1.0, "yanchor": "bottom", "xanchor": "left",
        "bgcolor": "rgba(255,255,255,0)", "font": {"size": view.sizes.font}, "itemwidth": 30,
    }  # fmt: skip


def _map(
    b: Builder, result: Result, layers: Layers, view: View, s0: int, last: int, fates: Sequence[Fates], map_px: tuple[float, float]
) -> Any:
    """The map's traces: what stays put, the paths, what moves over them, and the ends over
    many batch seeds; returns the paths' keyframe function (``_reveal``)."""
    drawn = [mapping.drawn_indices(r, layers) for r in result.runs]
    dash = mapping.path_dashes(result, layers, view, drawn)  # a path on another's: dashed
    static = mapping.static_traces(result, layers, view, drawn, dash)
    for trace in static:
        b.add(trace)
    for style, make in mapping.local_movers(result, layers, view):  # under the paths
        b.mover(style, make, s0)
    per_key = _reveal(b, result, view, drawn, dash, s0)
    for style, make in mapping.movers(result, layers, view):
        b.mover(style, make, s0)
    for style, make in batch_parts.map_movers(result, mapping.map_ranges(layers, view), view):
        b.mover(style, make, s0)
    if fates:
        (x0, x1), (y0, y1) = ranges = mapping.map_ranges(layers, view)
        box = MapBox(*ranges, map_px[0] / max(x1 - x0, 1e-300), map_px[1] / max(y1 - y0, 1e-300))
        lines = [r.trajectory[d] for r, d in zip(result.runs, drawn, strict=True)]
        # revealed, the escape arrows are movers shown with the counts (whole: in ``static``)
        if view.reveal and (escape := mapping.escape_arrows(result, layers, view)) is not None:
            lines.append(_xy(escape[1](math.inf)))
        seen = _drawn(box, static, lines)
        if (counted := fate_mover(result, fates, view, last, box, seen)) is not None:
            b.mover(*counted, s0)
    return per_key


def _drawn(box: MapBox, static: list[dict[str, Any]], paths: list[np.ndarray]) -> np.ndarray:
    """What the map draws, as pixel points (``fates.clutter``): the whole paths, and the
    lines and markers over the surface (escape arrows, the start, the stars; not the
    surface's own contour lines, which every label crosses)."""
    lines, marks = list(paths), [np.zeros((0, 2))]
    for tr in static:
        if tr.get("name") == "contours":
            continue
        if tr.get("type", "scatter") == "scatter" and tr.get("x") is not None and tr.get("y") is not None:
            (lines if "lines" in tr.get("mode", "") else marks).append(_xy(tr))
    return clutter(box, lines, np.concatenate(marks))


def _xy(trace: dict[str, Any]) -> np.ndarray:
    """A trace's points (n × 2), its None gaps as NaN."""
    return np.array([[np.nan if v is None else v for v in trace[k]] for k in ("x", "y")], dtype=float).T


def _run_legend(result: Result, view: View) -> list[dict[str, Any]]:
    """Legend entries of the runs, for a picture without the map (whose paths carry them)."""
    return [
        {"type": "scatter", "mode": "lines", "x": [None], "y": [None], "name": mapping.label_text(r.label),
         "line": {"color": view.color(i), "width": view.line(i, len(result.runs)) + 1}}
        for i, r in enumerate(result.runs)
    ]  # fmt: skip


def classroom_spec(
    result: Result,
    view: View,
    *,
    width: int,
    height: int,
    step: int | None = None,
    animate: bool = True,
    frames: int | None = None,
    frame_ms: int = animation.PLAY_MS,
    play_buttons: bool = False,
    label_step: bool = False,
    show_map: bool = True,
    slider: bool = True,
    fates: Sequence[Fates] = (),
) -> dict[str, Any]:
    """The figure of ``result`` as a dict, laid out for ``width`` x ``height`` layout pixels,
    showing ``step`` first (default: the last), with ``frames`` frames (default: the app's,
    ``play_steps``). ``play_buttons`` adds Play / From 0 / Pause (an exported page);
    ``slider`` False leaves out the step slider: the app's toolbar has its own, which costs
    the browser nothing to redraw (a plotly.js slider of 300 steps doubles a redraw).
    ``fates``: where the batch runs end over many batch seeds (``lab.seeds``), counted on
    the map."""
    last = max(r.steps_run for r in result.runs)
    s0 = last if step is None else max(0, min(int(step), last))
    animated = animate and last > 0
    view = batch_parts.data_view(result, view)  # a data set: loss and ‖g‖, and the data panel
    layers: Layers = layers_for(result.scenario.surface)
    fr = layout_frame(result, view, width, height, animated and slider)
    layout = base_layout(view.sizes)
    layout.update(height=height, margin=fr.margin, dragmode=False)
    _top(layout, result, view)
    b = Builder()
    per_key = None
    if show_map:
        layout.update(mapping.map_layout(result, layers, view, fr.map_x, fr.map_y))
        plot_h = height - fr.margin["t"] - fr.margin["b"]
        map_px = ((fr.width - fr.margin["l"] - fr.margin["r"]) * (fr.map_x[1] - fr.map_x[0]), plot_h * (fr.map_y[1] - fr.map_y[0]))
        per_key = _map(b, result, layers, view, s0, last, fates, map_px)
    else:
        fr = replace(fr, panels_x=mapping.FULL, panels_top=1.0)
        b.data += _run_legend(result, view)
    steps = play_steps(result, view, frames, s0) if animated else np.array([s0])
    if view.panels and batch_parts.is_data(result):
        fr = _data_panel(b, layout, result, view, fr, s0)
    if view.panels:
        _panels(b, layout, result, view, fr, s0, steps)
    fig: dict[str, Any] = {"data": b.data, "layout": layout}
    if animated:
        fig["frames"] = animation.frames(steps, b.moving, b.per_frame, b.keyed, per_key)
    if animated and slider:
        plot_h = max(1, height - fr.margin["t"] - fr.margin["b"])
        y = -(AXIS_PX + 4) / plot_h
        x = (0.3, 1.0) if play_buttons else (0.0, 1.0)
        layout["sliders"] = [animation.slider(steps, s0, last, view.lang, view.sizes, x, y)]
        if play_buttons:
            layout["updatemenus"] = [animation.buttons(view.lang, view.sizes, frame_ms, y)]
    if label_step:
        fig = animation.with_step_label(fig, s0, view.lang, view.presentation)
    return fig


def overview_figure(
    result: Result,
    lang: str = "en",
    *,
    width: int,
    height: int,
    step: int | None = None,
    animate: bool = False,
    frames: int | None = None,
    frame_ms: int = animation.PLAY_MS,
    arrows: Sequence[str] = (),
    presentation: bool = False,
    label_step: bool = False,
    view: View | None = None,
    panels_shown: bool = True,
    fates: Sequence[Fates] = (),
) -> go.Figure:
    """:func:`classroom_spec` as a ``go.Figure`` (exports, the command line), with Play /
    From 0 / Pause when animated."""
    v = view or View(lang=lang, presentation=presentation, arrows=tuple(arrows))
    v = replace(v, lang=lang, presentation=presentation, arrows=tuple(arrows) or v.arrows)
    if not panels_shown:
        v = replace(v, panels=())
    spec = classroom_spec(
        result, v, width=width, height=height, step=step, animate=animate,
        frames=frames, frame_ms=frame_ms, play_buttons=True, label_step=label_step, fates=fates,
    )  # fmt: skip
    return go.Figure(spec, _validate=False)


def map_figure(
    result: Result,
    lang: str = "en",
    *,
    step: int | None = None,
    animate: bool = True,
    frames: int | None = None,
    frame_ms: int = animation.PLAY_MS,
    arrows: Sequence[str] = (),
    presentation: bool = False,
    label_step: bool = False,
    view: View | None = None,
    width: int = 900,
    fates: Sequence[Fates] = (),
) -> go.Figure:
    """The map alone (the exports' ``map`` view): paths, current points and arrows at
    ``step`` (default: the last), animated with Play / Pause and the slider."""
    height = (view.sizes if view else View(presentation=presentation).sizes).height
    return overview_figure(
        result, lang, width=width, height=height, step=step, animate=animate, frames=frames,
        frame_ms=frame_ms, arrows=arrows, presentation=presentation, label_step=label_step,
        view=view, panels_shown=False, fates=fates,
    )  # fmt: skip
