"""Loss, gradient norm, learning rate and per-parameter effective learning rate over steps.

The panels share one step axis; the stretch each verdict is about is shaded.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.text import t
from figures.sampling import envelope_indices, f32
from figures.style import Sizes, base_layout, color
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
) -> list[int]:
    """Append the four panels' traces, axes and stretch shading; return the indices of the
    per-panel marker traces (the ones animation frames replace)."""
    h = (1 - GAP * (len(PANELS) - 1)) / len(PANELS)
    last = max(r.steps_run for r in result.runs)
    for p, panel in enumerate(PANELS):
        number = first_axis + p
        xa, ya = axis_names(number)
        xr, yr = axis_refs(number)
        top = 1 - p * (h + GAP)
        layout[xa] = {
            "domain": list(x_domain),
            "anchor": yr,
            "range": [0, max(last, 1)],
            "showticklabels": p == len(PANELS) - 1,
            "title": {"text": t("fig.step", lang)} if p == len(PANELS) - 1 else None,
            "gridcolor": "#e6e6e6",
            "zeroline": False,
        }
        if p:
            layout[xa]["matches"] = axis_refs(first_axis)[0]
        layout[ya] = {
            "domain": [max(0.0, round(top - h, 4)), min(1.0, round(top, 4))],
            "anchor": xr,
            "type": "log" if panel in LOG_PANELS else "linear",
            "title": {"text": t(f"fig.{panel}", lang), "font": {"size": sizes.font - 2}, "standoff": 4},
            "gridcolor": "#e6e6e6",
            "exponentformat": "power",
            "zeroline": False,
        }
        for i, run in enumerate(result.runs):
            for values, dash in _series(run, panel):
                idx = envelope_indices(values)
                y = values[idx]
                if panel in LOG_PANELS:
                    y = np.where(y > 0, y, np.nan)
                data.append(
                    {
                        "type": "scatter",
                        "mode": "lines",
                        "x": idx.astype(np.int32),
                        "y": f32(y),
                        "xaxis": xr,
                        "yaxis": yr,
                        "line": {"color": color(i), "width": sizes.line, "dash": dash},
                        "name": run.label,
                        "legendgroup": f"run{i}",
                        "showlegend": False,
                        "hovertemplate": f"{run.label}<br>t=%{{x}}<br>%{{y:.4g}}<extra></extra>",
                    }
                )
        _shade_stretches(layout, result, lang, number, panel == "loss", sizes.font)
        if panel == "eff_lr":
            layout.setdefault("annotations", []).append(
                {
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
            )
    cursor_start = len(data)
    data.extend(panel_cursors(result, step, first_axis, sizes))
    return list(range(cursor_start, len(data)))


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
    for p in range(len(PANELS)):
        xr, yr = axis_refs(1 + p)
        layout.setdefault("shapes", []).append(
            {
                "type": "line",
                "xref": xr,
                "yref": f"{yr} domain",
                "x0": s,
                "x1": s,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#555", "width": 1.5, "dash": "dot"},
            }
        )
    for i, run in enumerate(result.runs):
        data.append(
            {
                "type": "scatter",
                "x": [None],
                "y": [None],
                "mode": "lines",
                "name": run.label,
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
