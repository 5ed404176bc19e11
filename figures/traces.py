"""Loss, gradient norm, learning rate and per-parameter effective learning rate over steps.

The panels share one step axis; the stretch each verdict is about is shaded.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.text import t
from figures.animation import CURSOR
from figures.sampling import envelope_indices, f32
from figures.style import Sizes, base_layout, color, label_text
from lab import Result, RunResult

PANELS = ("loss", "grad_norm", "lr", "eff_lr")
LOG_PANELS = frozenset({"grad_norm", "lr", "eff_lr"})
GAP = 0.06


def axis_names(number: int) -> tuple[str, str]:
    """Layout keys of axis pair ``number`` ("xaxis", "yaxis" for 1, "xaxis3", ... otherwise)."""
    suffix = "" if number == 1 else str(number)
    return f"xaxis{suffix}", f"yaxis{suffix}"


def axis_refs(number: int) -> tuple[str, str]:
    suffix = "" if number == 1 else str(number)
    return f"x{suffix}", f"y{suffix}"


def _series(run: RunResult, panel: str) -> list[tuple[np.ndarray, str]]:
    """The lines of one run in one panel, each with its dash style."""
    if panel == "loss":
        return [(run.loss, "solid")]
    if panel == "grad_norm":
        return [(run.grad_norm, "solid")]
    if panel == "lr":
        return [(run.lr, "solid")]
    return [(run.effective_lr[:, 0], "solid"), (run.effective_lr[:, 1], "dash")]


def _value_at(values: np.ndarray, step: int) -> float:
    if len(values) == 0:
        return float("nan")
    return float(values[min(step, len(values) - 1)])


def add_panels(
    data: list[dict[str, Any]],
    layout: dict[str, Any],
    result: Result,
    lang: str,
    sizes: Sizes,
    *,
    first_axis: int,
    x_domain: tuple[float, float],
    step: int,
    y_top: float = 1.0,
) -> list[int]:
    """Append the four panels' traces, axes and stretch shading, stacked from ``y_top`` (of
    the figure's height) down to 0; return the indices of the per-panel marker traces (the
    ones animation frames replace)."""
    h = (1 - GAP * (len(PANELS) - 1)) / len(PANELS)
    last = max(r.steps_run for r in result.runs)
    for p, panel in enumerate(PANELS):
        number = first_axis + p
        xa, ya = axis_names(number)
        top = 1 - p * (h + GAP)
        bottom = p == len(PANELS) - 1  # the one panel with step labels under it
        layout[xa] = _step_axis(number, first_axis, x_domain, last, lang if bottom else None)
        domain = (max(0.0, round(top - h, 4)), min(1.0, round(top, 4)))
        layout[ya] = _value_axis(number, panel, [round(y_top * d, 4) for d in domain], lang, sizes)
        data.extend(_panel_lines(result, panel, number, sizes))
        _shade_stretches(layout, result, lang, number, panel == "loss", sizes.font)
        if panel == "eff_lr":
            layout.setdefault("annotations", []).append(_eff_lr_note(number, lang, sizes))
    cursor_start = len(data)
    data.extend(panel_cursors(result, step, first_axis, sizes))
    return list(range(cursor_start, len(data)))


def _step_axis(
    number: int, first_axis: int, domain: tuple[float, float], last: int, lang: str | None
) -> dict[str, Any]:
    """A panel's step axis; all follow the first (zoom one, zoom all). ``lang`` for the
    bottom panel, the only one with tick labels and a title."""
    axis = {
        "domain": list(domain),
        "anchor": axis_refs(number)[1],
        "range": [0, max(last, 1)],
        "showticklabels": lang is not None,
        "title": {"text": t("fig.step", lang)} if lang is not None else None,
        "gridcolor": "#e6e6e6",
        "zeroline": False,
    }
    if number != first_axis:
        axis["matches"] = axis_refs(first_axis)[0]
    return axis


def _value_axis(
    number: int, panel: str, domain: list[float], lang: str, sizes: Sizes
) -> dict[str, Any]:
    return {
        "domain": domain,
        "anchor": axis_refs(number)[0],
        "type": "log" if panel in LOG_PANELS else "linear",
        "title": {"text": t(f"fig.{panel}", lang), "font": {"size": sizes.font - 2}, "standoff": 4},
        "gridcolor": "#e6e6e6",
        "exponentformat": "power",
        "zeroline": False,
    }


def _panel_lines(result: Result, panel: str, number: int, sizes: Sizes) -> list[dict[str, Any]]:
    """Every run's line(s) in one panel, thinned so that spikes survive."""
    xr, yr = axis_refs(number)
    out = []
    for i, run in enumerate(result.runs):
        for values, dash in _series(run, panel):
            idx = envelope_indices(values)
            y = values[idx]
            if panel in LOG_PANELS:
                y = np.where(y > 0, y, np.nan)
            out.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": idx.astype(np.int32),
                    "y": f32(y),
                    "xaxis": xr,
                    "yaxis": yr,
                    "line": {"color": color(i), "width": sizes.line, "dash": dash},
                    "name": label_text(run.label),
                    "legendgroup": f"run{i}",
                    "showlegend": False,
                    "hovertemplate": "%{data.name}<br>t=%{x}<br>%{y:.4g}<extra></extra>",
                }
            )
    return out


def _eff_lr_note(number: int, lang: str, sizes: Sizes) -> dict[str, Any]:
    """Which line is which coordinate, above the effective-lr panel."""
    xr, yr = axis_refs(number)
    return {
        "text": t("fig.eff_lr_note", lang),
        "xref": f"{xr} domain",
        "yref": f"{yr} domain",
        "x": 1,
        "y": 1,
        "xanchor": "right",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": sizes.font - 3, "color": "#555"},
    }


def _shade_stretches(
    layout: dict[str, Any], result: Result, lang: str, number: int, label: bool, font: int
) -> None:
    """Shade the stretch each verdict is about (oscillating, crawling): there, a flat loss next
    to a large gradient norm shows a run that is stuck without being at a critical point.
    Labels go one under the other, since stretches of different runs often overlap."""
    xr, yr = axis_refs(number)
    k = 0
    for i, run in enumerate(result.runs):
        stretch = run.verdict.get("stretch")
        if not stretch:
            continue
        layout.setdefault("shapes", []).append(
            {
                "type": "rect",
                "xref": xr,
                "yref": f"{yr} domain",
                "x0": stretch[0],
                "x1": stretch[1],
                "y0": 0,
                "y1": 1,
                "fillcolor": color(i),
                "opacity": 0.13,
                "line": {"width": 0},
                "layer": "below",
            }
        )
        if label:
            layout.setdefault("annotations", []).append(
                {
                    "text": t("kind." + run.verdict["kind"], lang),
                    "xref": xr,
                    "yref": f"{yr} domain",
                    "x": stretch[0],
                    "y": 1,
                    "xanchor": "right",
                    "yanchor": "top",
                    "yshift": -k * (font + 4),
                    "showarrow": False,
                    "font": {"color": color(i), "size": font - 2},
                    "bgcolor": "rgba(255,255,255,0.7)",
                }
            )
            k += 1


def panel_cursors(result: Result, step: int, first_axis: int, sizes: Sizes) -> list[dict[str, Any]]:
    """One marker trace per panel holding every run's value at ``step``."""
    out = []
    for p, panel in enumerate(PANELS):
        xr, yr = axis_refs(first_axis + p)
        xs: list[float] = []
        ys: list[float] = []
        colors: list[str] = []
        for i, run in enumerate(result.runs):
            for values, _ in _series(run, panel):
                s = min(step, run.steps_run)
                v = _value_at(values, s)
                if panel in LOG_PANELS and not v > 0:
                    v = float("nan")
                xs.append(min(s, len(values) - 1) if len(values) else s)
                ys.append(v)
                colors.append(color(i))
        out.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": np.asarray(xs, dtype=np.float32),
                "y": f32(np.asarray(ys)),
                "xaxis": xr,
                "yaxis": yr,
                "marker": {
                    "color": colors,
                    "size": sizes.marker - 3,
                    "line": {"color": "white", "width": 2},
                },
                "showlegend": False,
                "hoverinfo": "skip",
            }
        )
    return out


def cursor_lines(first_axis: int, step: int) -> list[dict[str, Any]]:
    """A dotted vertical line at ``step`` across each panel (``animation.CURSOR``: the stills
    of a GIF move them)."""
    lines = []
    for p in range(len(PANELS)):
        xr, yr = axis_refs(first_axis + p)
        lines.append(
            {
                "type": "line",
                "name": CURSOR,
                "xref": xr,
                "yref": f"{yr} domain",
                "x0": step,
                "x1": step,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#555", "width": 1.5, "dash": "dot"},
            }
        )
    return lines


def legend_margin(result: Result, sizes: Sizes, extra_entries: int = 0, width: int = 600) -> int:
    """Top margin that fits a horizontal legend of the runs (plus ``extra_entries`` short
    ones) above the plot: Plotly wraps the entries but does not make room for them."""
    chars = sum(len(r.label) + 6 for r in result.runs) + 14 * extra_entries
    rows = 1 + int(chars * 0.55 * sizes.font // width)
    return 16 + int(rows * (2.0 * sizes.font + 6))


def traces_figure(
    result: Result, lang: str = "en", *, step: int | None = None, presentation: bool = False
) -> go.Figure:
    """The four panels on one step axis, with a marker and a dotted line at ``step``
    (default: the last step).

    The app shows this beside the map and moves the marker with its own step slider (the
    one that also chooses the step whose numbers are substituted into the update rule);
    putting the panels inside the animated map figure would make every frame carry four
    more traces and double the cost of each rerun.
    """
    sizes = Sizes.of(presentation)
    last = max(r.steps_run for r in result.runs)
    s = last if step is None else max(0, min(step, last))
    data: list[dict[str, Any]] = []
    layout = base_layout(sizes)
    add_panels(data, layout, result, lang, sizes, first_axis=1, x_domain=(0.0, 1.0), step=s)
    layout["shapes"] = [*layout.get("shapes", ()), *cursor_lines(1, s)]
    for i, run in enumerate(result.runs):
        data.append(
            {
                "type": "scatter",
                "x": [None],
                "y": [None],
                "mode": "lines",
                "name": label_text(run.label),
                "line": {"color": color(i), "width": sizes.tail},
            }
        )
    layout["legend"] = {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0}
    layout["margin"] = {
        "l": 5 * sizes.font,
        "r": 20,
        "t": legend_margin(result, sizes),
        "b": 3 * sizes.font,
    }
    return go.Figure({"data": data, "layout": layout}, _validate=False)
