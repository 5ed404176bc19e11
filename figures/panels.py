"""The trace panels: loss, gradient norm, learning rate and per-parameter η/σ (or the step
length) of every run on one step axis, with axes that teach.

* ``‖g‖`` is on a log axis spanning at least three decades, extended downwards from its data:
  a critical point is where ‖g‖ falls to the bottom, so a line staying at the top reads
  "not at a critical point" even when it is flat (preset 1).
* The loss starts at 0 (or is on a log axis of L − L_min: the user switches).
* Axes are set by what the runs do before they diverge: a diverging or diverged run leaves
  through the panel's edge, where a mark says when, instead of stretching the axis to 1e13
  and flattening every other curve.
* Log axes label decades only (no minor tick labels).
* Every panel reads out each run's value at the current step beside it; a "curtain" covers
  the steps not yet played, so the curves are revealed as the map's paths are.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from core.text import t
from figures.sampling import envelope_indices, f32, short, shorts
from figures.style import fmt_value, label_px, label_text
from figures.view import View
from lab import Result, RunResult
from lab.moments import moment_ratios
from lab.sweep_theory import step_limits

LOG_PANELS = frozenset({"grad_norm", "lr", "eff_lr", "step", "moments"})
# Fewest decades a log axis spans: enough to tell "stays large" from "falls to 0" for ‖g‖.
MIN_DECADES = {"grad_norm": 3.0, "loss": 2.0, "step": 2.0, "lr": 1.0, "eff_lr": 1.0, "moments": 2.0}
GAP = 0.05  # between panels, as a fraction of their column's height
DIVERGING = ("diverging", "diverged")
CURTAIN = "rgba(255,255,255,1)"


@dataclass(frozen=True)
class Axis:
    """One panel's value axis: ``log`` or not, its range (log10 units on a log axis) and the
    loss offset subtracted on a log loss axis."""

    panel: str
    log: bool
    lo: float
    hi: float
    ref: float = 0.0

    def data(self, v: float) -> float:
        """An axis-range value (log10 units on a log axis) in data units."""
        return 10.0**v if self.log else v

    @property
    def top(self) -> float:
        return self.data(self.hi)

    @property
    def bottom(self) -> float:
        return self.data(self.lo)


def axis_names(number: int) -> tuple[str, str]:
    suffix = "" if number == 1 else str(number)
    return f"xaxis{suffix}", f"yaxis{suffix}"


def axis_refs(number: int) -> tuple[str, str]:
    suffix = "" if number == 1 else str(number)
    return f"x{suffix}", f"y{suffix}"


# --- what each panel plots ---------------------------------------------------------------
def series(run: RunResult, panel: str, axis: Axis | None = None) -> list[tuple[np.ndarray, str]]:
    """The lines of one run in one panel, each with its dash style (per step; NaN where a log
    axis cannot show the value)."""
    if panel == "loss":
        ref = axis.ref if axis is not None else 0.0
        lines = [(run.loss - ref, "solid")]
    elif panel == "grad_norm":
        lines = [(run.grad_norm, "solid")]
    elif panel == "lr":
        lines = [(run.lr, "solid")]
    elif panel == "step":
        lines = [(np.linalg.norm(np.diff(run.trajectory, axis=0), axis=1), "solid")]
    elif panel == "moments":  # σ solid, m dashed: how far the averages lag the gradient
        lines = [(v, d) for v, d in zip(moment_ratios(run), ("solid", "dash"), strict=True) if v is not None]
    else:
        lines = [(run.effective_lr[:, 0], "solid"), (run.effective_lr[:, 1], "dash")]
    if axis is not None and axis.log:
        with np.errstate(invalid="ignore"):
            lines = [(np.where(v > 0, v, np.nan), d) for v, d in lines]
    return lines


def trusted_end(run: RunResult) -> int:
    """How many of a run's points set the axes: all, or for a diverging or cut run those up
    to the onset of its divergence (at least its start)."""
    v = run.verdict
    if v.get("kind") not in DIVERGING:
        return run.steps_run + 1
    onset = v.get("numbers", {}).get("onset_step")
    if onset is None:
        onset = next((e["step"] for e in v.get("events", ()) if e["kind"] == "divergence_onset"), 0)
    return int(onset) + 1


def loss_ref(result: Result) -> float:
    """What a log loss axis subtracts: 0 when every loss shown is positive, else the lowest
    known minimum or loss seen (the axis then shows L − L_min)."""
    lows = [float(np.nanmin(r.loss[: trusted_end(r)])) for r in result.runs if len(r.loss)]
    minima = [float(result.surface.value(np.asarray(m, float))) for m in result.surface.minima]
    low = min([*lows, *minima], default=0.0)
    return 0.0 if low > 0 else low


def panel_axis(result: Result, panel: str, view: View) -> Axis:
    """The range of ``panel`` from the trusted part of every run (``trusted_end``)."""
    log = panel in LOG_PANELS or (panel == "loss" and view.loss_axis == "log")
    ref = loss_ref(result) if panel == "loss" and log else 0.0
    probe = Axis(panel, log, 0.0, 1.0, ref)
    values = [
        v[: trusted_end(run)]
        for run in result.runs
        for v, _ in series(run, panel, probe)
    ]
    finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.zeros(0)
    limits = [v for v, *_ in stability_limits(result, panel, view.lang)]
    if limits and finite.size:  # the limits are what the lines are read against: on the panel,
        # and a limit above every line a decade below the top, clear of the read-outs' rows
        # there ("1e-7" beside preset 2's cap 0.01 read as the cap's value)
        top = float(finite.max())
        finite = np.concatenate([finite, limits, [10 * v for v in limits if v > top]])
    if log:
        return _log_axis(panel, finite, ref)
    lo = min(0.0, float(finite.min())) if finite.size else 0.0
    hi = max(0.0, float(finite.max())) if finite.size else 1.0
    hi = hi if hi > lo else lo + 1.0
    pad = 0.06 * (hi - lo)
    # From 0, with a sliver below it: a line lying on the panel's very edge (a loss gone to 0)
    # is drawn half cut, and the curtain over the unplayed steps cannot cover that half pixel.
    return Axis(panel, False, lo - (pad if lo < 0 else 0.02 * (hi - lo)), hi + pad)


def _log_axis(panel: str, values: np.ndarray, ref: float) -> Axis:
    """Decades around the data, at least ``MIN_DECADES``; ‖g‖ extends downwards (its top
    stays at its data), the others symmetrically."""
    if values.size == 0:
        return Axis(panel, True, -1.0, 1.0, ref)
    lo, hi = math.log10(float(values.min())), math.log10(float(values.max()))
    lo, hi = lo - 0.12, hi + 0.12
    missing = MIN_DECADES[panel] - (hi - lo)
    if missing > 0:
        below = missing if panel == "grad_norm" else missing / 2
        lo, hi = lo - below, hi + (missing - below)
    return Axis(panel, True, lo, hi, ref)


# --- axes ----------------------------------------------------------------------------------
def step_axis(
    number: int, first: int, domain: tuple[float, float], x_range: tuple[float, float], title: str | None
) -> dict[str, Any]:
    """A panel's step axis; all follow the first. ``title`` for the bottom panel, the only one
    with tick labels."""
    axis: dict[str, Any] = {
        "domain": list(domain),
        "anchor": axis_refs(number)[1],
        "range": list(x_range),
        "showticklabels": title is not None,
        "title": {"text": title, "standoff": 2} if title is not None else None,
        "gridcolor": "#e6e6e6",
        "zeroline": False,
        "fixedrange": True,
    }
    if number != first:
        axis["matches"] = axis_refs(first)[0]
    return axis


def step_ticks(lo: float, hi: float, n: int = 3) -> list[float]:
    """At most ``n`` + 1 round step numbers from ``lo`` to ``hi`` (none in the read-out
    column), spaced 1, 2 or 5 × 10^k: 0, 50k, 100k rather than five labels that a 1024-pixel
    screen would have to turn on their side, into the axis title."""
    raw = max((hi - lo) / n, 1.0)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    return [round(first + k * step, 6) for k in range(int((hi - first) // step) + 1)]


def value_axis(number: int, axis: Axis, domain: list[float], title: str, font: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "domain": domain,
        "anchor": axis_refs(number)[0],
        "type": "log" if axis.log else "linear",
        "range": [axis.lo, axis.hi],
        "title": {"text": title, "font": {"size": font - 2}, "standoff": 2},
        "gridcolor": "#e6e6e6",
        "zeroline": axis.lo < 0 < axis.hi,
        "zerolinecolor": "#bbb",
        "fixedrange": True,
        "nticks": 4,
    }
    if axis.log:
        span = axis.hi - axis.lo
        # decades only, every k-th when there are many: no "2" and "5" between them
        out.update(dtick=max(1, math.ceil(span / 4)), exponentformat="power", minor={"showgrid": False})
    else:
        out["exponentformat"] = "SI" if axis.hi > 1e4 else "power"
    return out


def panel_title(panel: str, axis: Axis, lang: str) -> str:
    if panel == "loss" and axis.log:
        return t("fig.loss_log", lang) if axis.ref == 0 else t("fig.loss_log_ref", lang)
    return t("fig.step_size" if panel == "step" else f"fig.{panel}", lang)


# --- the lines -------------------------------------------------------------------------------
def panel_lines(result: Result, axis: Axis, number: int, view: View) -> list[dict[str, Any]]:
    """Every run's line(s) in one panel, thinned so that spikes survive."""
    xr, yr = axis_refs(number)
    out = []
    for i, run in enumerate(result.runs):
        for values, dash in series(run, axis.panel, axis):
            if view.steps is not None:  # a zoom: the steps after it would run into the read-outs
                values = values[: int(view.steps[1]) + 1]
            idx = envelope_indices(values)
            out.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": idx.astype(np.int32),
                    "y": f32(values[idx]),
                    "xaxis": xr,
                    "yaxis": yr,
                    "line": {
                        "color": view.color(i),
                        "width": view.line(i, len(result.runs)),
                        "dash": dash,
                    },
                    "name": label_text(run.label),
                    "legendgroup": f"run{i}",
                    "showlegend": False,
                    "hovertemplate": "%{data.name}<br>t=%{x}<br>%{y:.4g}<extra></extra>",
                }
            )
    return out


def stretch_shapes(result: Result, number: int, view: View) -> list[dict[str, Any]]:
    """The stretch each verdict is about (oscillating, crawling, stopped, diverging), shaded:
    there, a flat loss next to a large gradient norm shows a run that is stuck without being
    at a critical point."""
    xr, yr = axis_refs(number)
    shapes = []
    for i, run in enumerate(result.runs):
        stretch = run.verdict.get("stretch")
        if stretch:
            shapes.append(
                {
                    "type": "rect", "xref": xr, "yref": f"{yr} domain",
                    "x0": stretch[0], "x1": stretch[1], "y0": 0, "y1": 1,
                    "fillcolor": view.color(i), "opacity": 0.13, "line": {"width": 0},
                    "layer": "below",
                }
            )  # fmt: skip
    return shapes


LIMIT_STYLE = {"color": "#444", "width": 1.5, "dash": "dot"}
# Optimizers whose σ changes slowly once the gradients are small (Adagrad's sum of the whole
# history): their step η/σ·g is then a linear step, stable while η/σ_i < 2/H_ii. RMSProp's and
# Adam's σ follow |g| itself, so their η/σ above that line is no instability (preset 8's Adam
# sits at 6 against 2/H_xx = 2 and converges): no line for them.
LINEAR_SIGMA = frozenset({"adagrad", "adagrad_lecture"})


def stability_limits(result: Result, panel: str, lang: str) -> list[tuple[float, str, str]]:
    """The stability limits of a step size a panel shows, with their labels, on a convex
    quadratic surface (``lab.sweep_theory.step_limits``): on the η panel gradient descent's
    2/λmax, when a run is plain gradient descent (for the others η is not the step's factor);
    on the η/σ panel each coordinate's 2/H_ii, when the Hessian is diagonal and a run is plain
    gradient descent or an Adagrad (``LINEAR_SIGMA``). A run's line above
    its limit bounces with growing amplitude: preset 1's η lies on it (the bounce that never
    dies), preset 2's lies five decades under it (the crawl), preset 3's Adagrad climbs
    through 2/H_yy before each burst."""
    if panel not in ("lr", "eff_lr") or result.surface is None:
        return []
    limits = step_limits(result.surface)
    if limits is None:
        return []
    plain = any(r.optimizer == "sgd" and not r.params.get("momentum") and not r.params.get("weight_decay") for r in result.runs)
    if panel == "lr":
        v = limits["lr"]
        return [(v, t("fig.limit", lang, v=fmt_value(v)), t("fig.limit_short", lang, v=fmt_value(v)))] if plain and v else []
    if not (plain or any(r.optimizer in LINEAR_SIGMA for r in result.runs)):
        return []
    names = result.surface.axes
    coords = limits["coords"] or ()
    return [
        (v, t("fig.limit_coord", lang, name=names[i] * 2, v=fmt_value(v)), t("fig.limit_coord_short", lang, name=names[i] * 2, v=fmt_value(v)))
        for i, v in enumerate(coords)
        if v
    ]


LIMIT_APART = 0.25  # of a panel's height: two limits' labels nearer than this are set apart along it


def limit_lines(
    result: Result, axis: Axis, number: int, view: View, width_px: float = math.inf
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The panel's stability limits (``stability_limits``; its axis includes them) as dotted
    lines across the steps, each labelled above it (below it near the top; a second one
    half-way along). Drawn above the curtain: a property of the surface, not of what the runs
    did. A label longer than the room it has (``width_px``: the curves' width in pixels) loses
    its words, "2/λmax = 0.01" (at 1024 px "stable below ..." ran into the read-outs)."""
    xr, yr = axis_refs(number)
    lo, hi = view.steps if view.steps is not None else (0, max(r.steps_run for r in result.runs))
    shapes, notes = [], []
    placed: list[float] = []  # the heights of the labels at the left so far
    size = view.sizes.font - 3
    for value, text, short_text in stability_limits(result, axis.panel, view.lang):
        at = math.log10(value) if axis.log else value
        frac = (at - axis.lo) / (axis.hi - axis.lo)
        if not 0.0 <= frac <= 1.0:
            continue
        # at the left, unless a label there is near: then half-way along (a label half-way ran
        # past the panel's end into the read-outs at 1024, preset 3's 2/H_yy)
        k = int(any(abs(frac - f) < LIMIT_APART for f in placed))
        if not k:
            placed.append(frac)
        if label_px(text, size) > (1 - 0.01 - 0.45 * k) * width_px:
            text = short_text
        shapes.append(
            {
                "type": "line", "xref": xr, "yref": f"{yr} domain", "x0": lo, "x1": hi,  # not into the read-outs
                "y0": frac, "y1": frac, "line": LIMIT_STYLE, "layer": "above",
            }
        )  # fmt: skip
        notes.append(
            {
                # the second label half-way along: two limits close together keep their words apart
                "text": text, "xref": xr, "yref": f"{yr} domain", "x": lo + (0.01 + 0.45 * k) * (hi - lo), "y": frac,
                "xanchor": "left", "yanchor": "bottom" if frac < 0.8 else "top", "showarrow": False,
                "font": {"size": size, "color": LIMIT_STYLE["color"]},
            }
        )  # fmt: skip
    return shapes, notes


def marks(result: Result, axis: Axis, number: int, view: View) -> dict[str, Any] | None:
    """Text marks on the loss panel (a trace, so the curtain hides them until played): each
    verdict's kind at the start of its stretch, each burst at its peak, and where a
    diverging run leaves through the top edge."""
    xs: list[float] = []
    ys: list[float] = []
    texts: list[str] = []
    colors: list[str] = []
    for i, run in enumerate(result.runs):
        for x, y, text in _run_marks(run, axis, view.lang):
            xs.append(x)
            ys.append(y)
            texts.append(text)
            colors.append(view.color(i))
    if not xs:
        return None
    xr, yr = axis_refs(number)
    # A mark in the last quarter of the step axis writes its word to the left of it: to the
    # right, the read-out column beside the panel would cover it ("stopped" cut to "s").
    lo, hi = view.steps if view.steps is not None else (0, max(r.steps_run for r in result.runs))
    turn = lo + 0.75 * (hi - lo)
    sides = ["bottom left" if x > turn else "bottom right" for x in xs]
    return {
        "type": "scatter", "mode": "markers+text", "x": xs, "y": ys, "text": texts,
        "xaxis": xr, "yaxis": yr, "textposition": sides, "cliponaxis": False,
        "textfont": {"color": colors, "size": view.sizes.font - 2},
        "marker": {"symbol": "triangle-down", "size": view.sizes.marker - 4, "color": colors},
        "hoverinfo": "skip", "showlegend": False, "name": "marks",
    }  # fmt: skip


# A burst is marked on the panel when its rise is at least this share of the panel's height:
# a rise of 1 % of the axis (a mini-batch run's loss wobbling within its noise, preset 21) is
# a pixel or two, and a "burst" mark over a line that does not visibly rise reads as a
# mistake. The card still lists it.
VISIBLE_RISE = 0.03


def _visible(axis: Axis, base: float, peak: float) -> bool:
    if axis.log:
        if not (base > 0 and peak > 0):
            return peak > 0
        rise = math.log10(peak) - math.log10(base)
    else:
        rise = peak - base
    return rise >= VISIBLE_RISE * (axis.hi - axis.lo)


def _run_marks(run: RunResult, axis: Axis, lang: str) -> list[tuple[float, float, str]]:
    v = run.verdict
    out: list[tuple[float, float, str]] = []
    top = axis.data(axis.lo + 0.96 * (axis.hi - axis.lo))
    seen = [e for e in v.get("events", ()) if e["kind"] == "burst" and _visible(axis, e["base_loss"] - axis.ref, e["peak_loss"] - axis.ref)]
    for n, e in enumerate(seen, start=1):
        # Several bursts are numbered, so a class counts them on the panel: "burst 1", then
        # "2", "3" (a mark without words read as "two of the three bursts": review, preset 3;
        # the word on every mark ran into the next one at 1024 px).
        word = t("fig.burst", lang) if len(seen) == 1 else (t("fig.burst_n", lang, n=n) if n == 1 else str(n))
        out.append((e["peak_step"], min(e["peak_loss"] - axis.ref, top), word))
    if v.get("kind") in DIVERGING:
        loss = run.loss - axis.ref
        beyond = np.flatnonzero(~(loss <= axis.top))
        x = int(beyond[0]) if beyond.size else run.steps_run
        key = "fig.diverged_at" if v["kind"] == "diverged" else "fig.diverging_from"
        step = v.get("step", x) if v["kind"] == "diverged" else trusted_end(run) - 1
        out.append((x, top, t(key, lang, step=step)))
    elif v.get("stretch"):
        out.append((v["stretch"][0], top, t("kind." + v["kind"], lang)))
    return out


# --- what moves with the clock -----------------------------------------------------------
@dataclass(frozen=True)
class Track:
    """One panel's series of every run, computed once for all the frames."""

    axis: Axis
    number: int
    values: tuple[dict[int, float | None], ...]  # step -> value of every series, rounded
    owners: tuple[int, ...]  # the run of each series
    runs: int
    ends: tuple[float | None, float | None]  # the panel's bottom and top, rounded
    names: tuple[str, ...] = ()  # each series' coordinate where a run has two (η/σ: x, y)
    caps: tuple[int | None, ...] = ()  # per series: the last step it is read at (None: any)

    @classmethod
    def of(
        cls, result: Result, axis: Axis, number: int, steps: np.ndarray, lang: str = "en", caps: list[int] | None = None
    ) -> Track:
        """The values at the frames' ``steps`` only (a step past a run's end: its last).
        ``caps``, per run: the last step a run is read at (an epoch axis's end: a run's line
        stops there, and so do its marker and its read-out); those steps must be in ``steps``."""
        values, owners, names = [], [], []
        for i, run in enumerate(result.runs):
            # the values as they are (a log axis's lines leave out what is <= 0: read as 0)
            drawn = series(run, axis.panel, replace(axis, log=False))
            lines = [v for v, _ in drawn]
            if axis.panel == "loss" and run.test_loss is not None:  # a data set's test loss, read too
                lines.append(np.asarray(run.test_loss, dtype=float) - axis.ref)
            for j, v in enumerate(lines):
                k = np.minimum(steps, len(v) - 1)
                picked = np.asarray(v, dtype=float)[np.maximum(k, 0)] if len(v) else np.full(len(k), np.nan)
                values.append(dict(zip(steps.tolist(), shorts(picked), strict=True)))
                owners.append(i)
                # the moments panel names every line, σ (solid) or m (dashed), even alone
                moment = MOMENT_NAMES[drawn[j][1]] if axis.panel == "moments" else None
                names.append(moment or _series_name(result, axis.panel, j, len(lines), lang))
        ends = (short(axis.bottom), short(axis.top))
        cap = tuple(caps[i] for i in owners) if caps is not None else ()
        return cls(axis, number, tuple(values), tuple(owners), len(result.runs), ends, tuple(names), cap)

    def step(self, j: int, s: int) -> int:
        """The step series ``j`` is read at when the clock says ``s``."""
        cap = self.caps[j] if self.caps else None
        return s if cap is None else min(s, cap)

    def at(self, s: int) -> list[float | None]:
        return [v.get(self.step(j, s)) for j, v in enumerate(self.values)]

    def share(self, v: float) -> float | None:
        """Where a value sits on the panel, 0 at the bottom and 1 at the top (outside: beyond
        them); None where the axis cannot show it (a log axis and a value <= 0)."""
        a = self.axis
        if not math.isfinite(v):
            return None
        if a.log and v <= 0:  # 0 (a gradient that vanished exactly, a loss at its floor): the bottom
            return 0.0
        return ((math.log10(v) if a.log else v) - a.lo) / (a.hi - a.lo)


MOMENT_NAMES = {"solid": "σ", "dash": "m"}


def _series_name(result: Result, panel: str, j: int, n: int, lang: str) -> str:
    """What a read-out says its number is, where a run has two lines in a panel: η/σ of each
    coordinate, the loss on the training and on the test data."""
    if n == 1:
        return ""
    if panel == "loss":
        return t("fig.train" if j == 0 else "fig.test", lang)
    return result.surface.axes[j]



def cursor(track: Track, s: int) -> dict[str, Any]:
    """A dotted line across the panel at step ``s`` and a marker on every run's line there.
    The number of points never changes (gaps where a run has no value), so the marker sizes
    and colours set once in the figure line up with every frame's points."""
    xr, yr = axis_refs(track.number)
    xs: list[float | None] = [s, s, None]
    ys: list[float | None] = [*track.ends, None]
    floor = track.ends[0] if track.axis.log else None  # a log axis's 0: its bottom edge
    for v in track.at(s):
        xs += [s, None]
        ys += [floor if floor is not None and v is not None and v <= 0 else v, None]
    return {"type": "scatter", "x": xs, "y": ys, "xaxis": xr, "yaxis": yr}


def cursor_style(track: Track, view: View) -> dict[str, Any]:
    sizes: list[float] = [0, 0, 0]
    colors: list[str] = ["#666", "#666", "#666"]
    for i in track.owners:
        sizes += [view.sizes.marker - 3, 0]
        colors += [view.color(i), view.color(i)]
    return {
        "mode": "lines+markers",
        "line": {"color": "#666", "width": 1.2, "dash": "dot"},
        "marker": {"size": sizes, "color": colors, "line": {"color": "white", "width": 1.5}},
        "showlegend": False,
        "hoverinfo": "skip",
        "name": "cursor",
    }


def curtain(track: Track, s: int, end: float) -> dict[str, Any]:
    """A white box over the steps after ``s``: what has not been played yet. It reaches past
    the panel's edges (the panel clips it): a box ending exactly at the edge left the last row
    of pixels half covered, and a line lying along the bottom (a loss gone to 0) showed through
    there, ahead of the clock."""
    xr, yr = axis_refs(track.number)
    a = track.axis
    pad = 0.05 * (a.hi - a.lo)
    # within float64 (a hostile surface's axis can end near 1e308, where 10**(hi + pad) overflows)
    top = 308.0 if a.log else sys.float_info.max
    edge = lambda v: a.data(min(max(v, -top), top))  # noqa: E731
    lo, hi = short(edge(a.lo - pad)), short(edge(a.hi + pad))
    x0 = max(float(s), 0.0)
    return {
        "type": "scatter",
        "x": [x0, end, end, x0, x0],
        "y": [lo, lo, hi, hi, lo],
        "xaxis": xr,
        "yaxis": yr,
    }


CURTAIN_STYLE = {
    "mode": "lines",
    "fill": "toself",
    "fillcolor": CURTAIN,
    "line": {"width": 0, "color": CURTAIN},
    "hoverinfo": "skip",
    "showlegend": False,
    "name": "curtain",
}
