"""The classroom figure's pieces for data sets and mini-batches (issue 12), placed and animated
by ``figures.overview`` on its one clock:

* on the map, the error surface of the batch the lead run uses at the current step, as faint
  contour lines in its colour, and that batch's own minimum (a cross): "every batch its own
  error surface" — the lines change with every step while the full data's stay;
* a small data panel above the trace panels: the samples, the ones of the current batch
  ringed, and every run's model at the current step (a fitted line, a decision boundary);
* on the loss panel, each batch's loss at the point it was used (faint) beside the full
  data's, and the test loss (dashed) where the data set has a test set;
* the panels' step axis in updates or in epochs (each run's x is its step divided by its
  updates per epoch; the clock stays the update count).

The lead run is the first run on real mini-batches (B < N): its batches are the ones shown.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import contourpy
import numpy as np

from core.text import t
from figures.panels import Track, axis_refs
from figures.sampling import envelope_indices, f32, short
from figures.style import wrap_text
from figures.view import View
from lab import Result
from lab.batch_views import batch_grid, batch_of, data_panel, model_fit
from surfaces.data import DataSurface

BATCH_GRID = 64  # grid points per axis of a batch's surface: smooth lines, ~10 kB a frame
# Where the full data's contour levels sit (quantiles over the visible box): a batch's lines
# use the same levels, so a shifted or tilted batch surface reads as such.
BATCH_LEVELS = (0.02, 0.06, 0.13, 0.25, 0.42, 0.65)
DATA_SHARE = 0.34  # of the panel column's height for the data panel (at its top)
DATA_GAP = 0.09  # between the data panel and the trace panels: the data panel's x ticks
TITLE_SHARE = 0.05  # of the column's height above the data panel, for its title
DATA_AXIS = 8  # xaxis8 / yaxis8 (the map has 1, the trace panels 2 … 5)
FAINT = 0.5  # opacity of what belongs to one batch (its lines, its loss)


def is_data(result: Result) -> bool:
    return isinstance(result.surface, DataSurface)


def lead_run(result: Result) -> int | None:
    """The first run on real mini-batches (fewer samples per step than the data set has)."""
    if not is_data(result):
        return None
    n = result.surface.samples
    for i, run in enumerate(result.runs):
        if run.batches is not None and run.batches.shape[1] < n and run.steps_run > 0:
            return i
    return None


def legend_lengths(result: Result, view: View) -> list[int]:
    """The legend entries this module adds, in characters (for the legend's rows)."""
    if lead_run(result) is None:
        return []
    return [len(t("batch.own_surface", view.lang)) + 5, len(t("batch.own_minimum", view.lang)) + 5]


def data_view(result: Result, view: View) -> View:
    """On a data set the trace panels are the loss (with the batches' and the test loss) and
    ‖g‖; the data panel takes the rest of the column."""
    if not is_data(result) or not view.panels:
        return view
    return replace(view, panels=tuple(p for p in view.panels if p in ("loss", "grad_norm")) or ("loss",))


# --- the batch's own surface on the map ----------------------------------------------------
def levels_of(surface: DataSurface, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    z = batch_grid(surface, None, xs, ys)
    finite = z[np.isfinite(z)]
    return np.unique(np.quantile(finite, BATCH_LEVELS)) if finite.size else np.zeros(0)


def batch_lines(surface: DataSurface, idx: np.ndarray | None, xs: np.ndarray, ys: np.ndarray,
                levels: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """The contour lines (NaN between pieces) of the loss of the samples ``idx`` at
    ``levels``, and the grid point where that loss is lowest (the batch's own minimum)."""  # fmt: skip
    z = batch_grid(surface, idx, xs, ys)
    gen = contourpy.contour_generator(xs, ys, np.ma.masked_invalid(z))
    lx: list[np.ndarray] = []
    ly: list[np.ndarray] = []
    nan = np.array([np.nan])
    for level in levels:
        for piece in gen.lines(float(level)):
            lx += [piece[:, 0], nan]
            ly += [piece[:, 1], nan]
    j = int(np.nanargmin(np.where(np.isfinite(z), z, np.nan))) if np.isfinite(z).any() else 0
    low = (float(xs[j % len(xs)]), float(ys[j // len(xs)]))
    if not lx:
        return np.zeros(1, np.float32) * np.nan, np.zeros(1, np.float32) * np.nan, low
    return f32(np.concatenate(lx)), f32(np.concatenate(ly)), low


def map_movers(result: Result, box: tuple[tuple[float, float], tuple[float, float]],
               view: View) -> list[tuple[dict[str, Any], Any]]:
    """The lead run's batch surface (lines) and its minimum, as (style, step -> data)."""  # fmt: skip
    lead = lead_run(result)
    if lead is None:
        return []
    run, surface = result.runs[lead], result.surface
    (x0, x1), (y0, y1) = box
    xs, ys = np.linspace(x0, x1, BATCH_GRID), np.linspace(y0, y1, BATCH_GRID)
    levels = levels_of(surface, xs, ys)
    memo: dict[int, tuple[np.ndarray, np.ndarray, tuple[float, float]]] = {}

    def at(s: int) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
        k = min(max(0, s), len(run.batches) - 1)  # the batch the next update uses
        if k not in memo:
            memo[k] = batch_lines(surface, batch_of(run, k), xs, ys, levels)
        return memo[k]

    color = view.color(lead)
    lines = {
        "mode": "lines", "line": {"color": color, "width": 1.3, "dash": "dot"}, "opacity": 0.8,
        "name": t("batch.own_surface", view.lang), "showlegend": True, "legendrank": 150,
        "hoverinfo": "skip",
    }  # fmt: skip
    low = {
        "mode": "markers", "name": t("batch.own_minimum", view.lang), "showlegend": True, "legendrank": 151,
        "marker": {"symbol": "x-thin", "size": view.sizes.marker + 4, "color": color, "line": {"width": 3, "color": color}},
        "hoverinfo": "skip",
    }  # fmt: skip
    return [
        (lines, lambda s: {"type": "scatter", "x": at(s)[0], "y": at(s)[1]}),
        (low, lambda s: {"type": "scatter", "x": [short(at(s)[2][0])], "y": [short(at(s)[2][1])]}),
    ]


# --- the data panel --------------------------------------------------------------------------
def make_room(panels_top: float) -> tuple[float, tuple[float, float]]:
    """The trace panels' new top and the data panel's y domain (the column's top part)."""
    top = panels_top * (1 - DATA_SHARE)
    # its title sits inside the column's top (the legend above the plots may take a row more
    # than Plotly is told)
    return round(top, 4), (round(top + DATA_GAP * panels_top, 4), round(panels_top * (1 - TITLE_SHARE), 4))


def _xy(result: Result) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The samples as points of the panel: (x, y) of a regression, the two features of a
    classification (with the labels), the offsets of the sharp/flat data."""
    d = result.surface.dataset
    x = np.asarray(d.inputs, dtype=float)
    if x.ndim == 2:
        return x[:, 0], x[:, 1], None if d.targets is None else np.asarray(d.targets)
    return x, np.asarray(d.targets, dtype=float), None


def data_axes(result: Result, view: View, x_domain: tuple[float, float], y_domain: tuple[float, float]) -> dict[str, Any]:
    x, y, _ = _xy(result)
    if result.surface.model.name == "lecture_product":
        y = np.append(y, 0.0)  # the model at the saddle predicts 0: its line stays in sight
    pad = lambda v: (float(v.min()) - 0.08 * float(np.ptp(v) or 1), float(v.max()) + 0.08 * float(np.ptp(v) or 1))  # noqa: E731
    (xr, yr), font = axis_refs(DATA_AXIS), view.sizes.font - 3
    axis = {"gridcolor": "#eee", "zeroline": False, "fixedrange": True, "tickfont": {"size": font}, "nticks": 4}
    return {
        "xaxis8": {**axis, "domain": list(x_domain), "anchor": yr, "range": list(pad(x))},
        "yaxis8": {**axis, "domain": list(y_domain), "anchor": xr, "range": list(pad(y))},
    }


def data_title(result: Result, view: View, lead: int | None, px: float) -> dict[str, Any]:
    """The data panel's title, wrapped to the ``px`` pixels between the panel's left edge and
    the figure's right one (a run's label may be long)."""
    xr, yr = axis_refs(DATA_AXIS)
    name = result.surface.model.name
    if lead is None:
        text = t("batch.data_panel", view.lang)
    else:
        text = t("batch.panel_title", view.lang, label=result.runs[lead].label)
    if name == "sharp_flat":  # its samples are offsets in the parameter plane, not (x, y) pairs
        text = f"{t('batch.data_panel', view.lang)} · {t('batch.panel_offsets', view.lang)}"
    font = view.sizes.font - 2
    return {
        "text": wrap_text(text, px, font), "xref": f"{xr} domain", "yref": f"{yr} domain", "x": 0, "y": 1,
        "xanchor": "left", "yanchor": "bottom", "align": "left", "showarrow": False,
        "font": {"size": font, "color": "#333"},
    }  # fmt: skip


def data_static(result: Result, view: View) -> list[dict[str, Any]]:
    """The samples (grey; a classification's classes as two symbols) and a test set (pale)."""
    xr, yr = axis_refs(DATA_AXIS)
    x, y, labels = _xy(result)
    base = {"type": "scatter", "mode": "markers", "xaxis": xr, "yaxis": yr, "hoverinfo": "skip", "showlegend": False}
    out = []
    groups = [(np.ones(len(x), bool), "circle")] if labels is None else [(labels > 0, "circle"), (labels <= 0, "square")]
    for mask, symbol in groups:
        out.append({**base, "x": f32(x[mask]), "y": f32(y[mask]), "name": t("batch.samples", view.lang),
                    "marker": {"size": 5, "color": "#9a9a9a", "symbol": symbol, "opacity": 0.8}})  # fmt: skip
    test = getattr(result.surface.dataset, "test_inputs", None)
    if test is not None and np.ndim(test) == 2:
        out.append({**base, "x": f32(test[:, 0]), "y": f32(test[:, 1]), "name": t("batch.test_set", view.lang),
                    "marker": {"size": 4, "color": "#e69f00", "opacity": 0.45}})  # fmt: skip
    return out


def _fit_xy(result: Result, theta: np.ndarray) -> tuple[list[float | None], list[float | None]]:
    fit = model_fit(result.surface, theta)
    if fit["kind"] == "point" or len(fit["x"]) == 0:
        return [None, None], [None, None]
    return [short(fit["x"][0]), short(fit["x"][-1])], [short(fit["y"][0]), short(fit["y"][-1])]


def data_movers(result: Result, view: View, lead: int | None) -> list[tuple[dict[str, Any], Any]]:
    """The current batch (ringed, in the lead run's colour) and each run's model at the step."""
    xr, yr = axis_refs(DATA_AXIS)
    x, y, _ = _xy(result)
    out: list[tuple[dict[str, Any], Any]] = []
    if lead is not None:
        def ringed(s: int) -> dict[str, Any]:
            r = result.runs[lead]
            # at the last point no update follows: the batch of the last update stays ringed
            mask = data_panel(result, lead, max(0, min(s, len(r.trajectory) - 2)))["in_batch"]
            if not mask.any():  # an empty typed array blanks the subplot in plotly.js
                return {"type": "scatter", "x": [None], "y": [None], "xaxis": xr, "yaxis": yr}
            return {"type": "scatter", "x": f32(x[mask]), "y": f32(y[mask]), "xaxis": xr, "yaxis": yr}

        style = {"mode": "markers", "name": t("batch.current", view.lang), "showlegend": False, "hoverinfo": "skip",
                 "marker": {"size": 11, "color": "rgba(0,0,0,0)", "line": {"width": 2.5, "color": view.color(lead)}}}  # fmt: skip
        out.append((style, ringed))
    if result.surface.model.name == "sharp_flat":
        return out  # its "model" is the point on the map: the panel shows the samples only
    for i, run in enumerate(result.runs):
        style = {"mode": "lines", "line": {"color": view.color(i), "width": view.sizes.line}, "showlegend": False,
                 "hoverinfo": "skip", "name": "fit"}  # fmt: skip

        def fit(s: int, run: Any = run) -> dict[str, Any]:
            fx, fy = _fit_xy(result, run.trajectory[min(s, run.steps_run)])
            return {"type": "scatter", "x": fx, "y": fy, "xaxis": xr, "yaxis": yr}

        out.append((style, fit))
    return out


# --- the loss panel and the step axis --------------------------------------------------------
def scales(result: Result, view: View) -> list[float]:
    """Each run's x units per update: 1 (updates) or 1 / updates per epoch (epochs)."""
    if view.step_axis != "epochs" or not is_data(result):
        return [1.0] * len(result.runs)
    return [1.0 / (r.steps_per_epoch or 1) for r in result.runs]


def epochs(result: Result, view: View) -> bool:
    return view.step_axis == "epochs" and is_data(result)


def x_extent(result: Result, view: View) -> tuple[float, float]:
    """The panels' x range: a preset's zoom, else every step (updates) or the epochs of the
    run that makes the most updates per epoch (so the full batch's few are not a dot)."""
    if view.steps is not None:
        return view.steps
    k = scales(result, view)
    ends = [r.steps_run * s for r, s in zip(result.runs, k, strict=True)]
    end = min(ends) if epochs(result, view) else max(ends)
    return (0.0, float(max(end, 1)))


def epoch_caps(result: Result, view: View) -> list[int] | None:
    """On an epoch axis, each run's last update on the axis (its line stops there; the axis
    ends with the run that makes the most updates per epoch): its marker and read-out stop
    there too, level with the line's end (the values after every update, beside lines that
    stop at the axis's end, read as a contradiction: review, preset 22). None on an update axis."""
    if not epochs(result, view):
        return None
    end = x_extent(result, view)[1]
    return [min(r.steps_run, math.floor(end / s + 1e-9)) for r, s in zip(result.runs, scales(result, view), strict=True)]


def on_axis(lines: list[dict[str, Any]], result: Result, view: View) -> list[dict[str, Any]]:
    """Panel lines (one group per run) with x in the step axis's units."""
    if not epochs(result, view):
        return lines
    k = scales(result, view)
    end = x_extent(result, view)[1]
    for line in lines:
        i = int(str(line.get("legendgroup", "run0"))[3:] or 0)
        x = np.asarray(line["x"], dtype=float) * k[i]
        keep = x <= end  # runs with fewer updates per epoch go on: not into the read-outs
        line["x"], line["y"] = f32(x[keep]), f32(np.asarray(line["y"], dtype=float)[keep])
    return lines


def loss_extras(result: Result, axis: Any, number: int, view: View) -> list[dict[str, Any]]:
    """Each batched run's batch loss (faint) and the test loss (dashed) on the loss panel."""
    xr, yr = axis_refs(number)
    k = scales(result, view)
    out = []
    for i, run in enumerate(result.runs):
        extra = []
        if run.batches is not None and run.batches.shape[1] < result.surface.samples:
            extra.append((run.batch_loss, "solid", FAINT, 1.0))
        if run.test_loss is not None:
            extra.append((run.test_loss, "dash", 1.0, view.sizes.line))
        for values, dash, opacity, width in extra:
            v = np.asarray(values, dtype=float) - axis.ref
            if axis.log:
                v = np.where(v > 0, v, np.nan)
            idx = envelope_indices(v)
            idx = idx[idx * k[i] <= x_extent(result, view)[1]]
            out.append({
                "type": "scatter", "mode": "lines", "x": f32(idx * k[i]), "y": f32(v[idx]), "xaxis": xr, "yaxis": yr,
                "line": {"color": view.color(i), "width": width, "dash": dash}, "opacity": opacity,
                "showlegend": False, "hoverinfo": "skip", "name": "batch_loss" if dash == "solid" else "test_loss",
            })  # fmt: skip
    return out


def loss_note(result: Result, number: int, view: View) -> dict[str, Any] | None:
    """What the faint and dashed lines are, above the loss panel."""
    if not is_data(result):
        return None
    parts = []
    if lead_run(result) is not None:
        parts.append(t("batch.faint_note", view.lang))
    if any(r.test_loss is not None for r in result.runs):
        parts.append(f"- - {t('batch.test_loss', view.lang)}")
    if not parts:
        return None
    xr, yr = axis_refs(number)
    return {
        "text": " · ".join(parts), "xref": f"{xr} domain", "yref": f"{yr} domain", "x": 1, "y": 1,
        "xanchor": "right", "yanchor": "bottom", "showarrow": False, "font": {"size": view.sizes.font - 3, "color": "#555"},
    }  # fmt: skip


def epoch_cursor(track: Track, s: int, k: list[float]) -> dict[str, Any]:
    """The panels' markers on the epoch axis: each run's at its own epoch (no common line:
    the runs are at different epochs after the same number of updates)."""
    xr, yr = axis_refs(track.number)
    xs: list[float | None] = [None, None, None]
    ys: list[float | None] = [None, None, None]
    for j, (owner, v) in enumerate(zip(track.owners, track.at(s), strict=True)):
        xs += [short(track.step(j, s) * k[owner]), None]
        ys += [v, None]
    return {"type": "scatter", "x": xs, "y": ys, "xaxis": xr, "yaxis": yr}
