"""Maps: a sweep's cells coloured by verdict kind (or by the known minimum each ends in),
shaded by final loss or rate, with the stability limits of the theory on quadratic surfaces
and a marker at the swept run's own values. Pure Plotly: the app's Maps view and the export
(``export.maps``) draw the same figure.

Each cell is one brick of a heatmap whose value encodes both its category and its shade:
``category + 0.05 + 0.9 * shade``, under a colour scale that runs, within each category's unit,
from a pale tint of its colour to the colour itself. The legend has one entry per category
present (invisible marker traces), in the figure's language. Several sweeps (GD beside Adam)
sit side by side, one panel each, sharing the legend.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import contourpy
import numpy as np
import plotly.graph_objects as go

from core.text import t
from figures.style import Sizes, base_layout, label_text
from lab import SweepResult
from lab.sweep_spec import Axis
from lab.sweep_theory import Limit, limits
from lab.verdicts import KINDS
from lab.verdicts.fmt import num

SHADES = ("loss", "rate", "none")
COLORINGS = ("kind", "basin")
KIND_COLORS = {
    "minimum": "#009E73",
    "saddle": "#CC79A7",
    "maximum": "#882255",
    "plateau": "#999933",
    "moving": "#56B4E9",
    "crawling": "#332288",
    "stopped": "#6F6F6F",
    "oscillating": "#E69F00",
    "diverging": "#D55E00",
    "diverged": "#7A1F00",
}
BASIN_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
NO_BASIN = "#B8B8B8"
NOT_RUN = "#FFFFFF"
PALE = 0.45  # a shade of 0 is this much of the colour on white: still tells the category
FLAT_SHADE = 0.8  # without shading
SWATCH = (1 + PALE) / 2  # a legend swatch: halfway between a category's palest and full colour
THEORY_COLOR = "#111111"
FINE = 300  # samples per axis for the theory lines
LEGEND_GAP = 74  # pixels between the plot's bottom and the legend: ticks and axis title


@dataclass(frozen=True)
class Category:
    key: str  # a kind, "basin:i", "basin:none" or "not_run"
    label: str
    color: str


def categories(res: SweepResult, coloring: str, lang: str) -> list[Category]:
    """The categories a panel's cells can fall in, in legend order."""
    out: list[Category] = []
    if coloring == "basin":
        for i, (x, y) in enumerate(res.surface.minima):
            label = t("maps.basin.legend", lang, i=i + 1, x=num(x), y=num(y))
            out.append(Category(f"basin:{i}", label, BASIN_COLORS[i % len(BASIN_COLORS)]))
        out.append(Category("basin:none", t("maps.basin.none", lang), NO_BASIN))
    else:
        out += [Category(k, t(f"kind.{k}", lang), KIND_COLORS[k]) for k in KINDS]
    out.append(Category("not_run", t("maps.not_run", lang), NOT_RUN))
    return out


def cell_categories(res: SweepResult, coloring: str) -> list[list[str]]:
    """Each cell's category key (rows follow y)."""
    out = []
    for krow, brow in zip(res.kind, res.basin.tolist(), strict=True):
        if coloring == "basin":
            out.append(["not_run" if k is None else (f"basin:{b}" if b >= 0 else "basin:none") for k, b in zip(krow, brow, strict=True)])
        else:
            out.append(["not_run" if k is None else k for k in krow])
    return out


def shades(res: SweepResult, shade: str) -> np.ndarray:
    """Each cell's shade in [0, 1] (NaN: none). ``loss``: darker is lower, on a log scale of
    the loss above the map's lowest, between its 2nd and 98th percentiles. ``rate``: darker
    changes faster, by the e-folding time 1 / |ln rate| against the run's length (1 step:
    darkest; as long as the run or longer: palest)."""
    if shade == "none":
        return np.full(res.shape, FLAT_SHADE)
    with np.errstate(all="ignore"):
        if shade == "rate":
            fold = 1.0 / np.abs(np.log(res.rate))
            steps = max(res.scenario.steps, 2)
            return np.clip(1.0 - np.log(np.maximum(fold, 1.0)) / math.log(steps), 0.0, 1.0)
        loss = res.final_loss
        # A diverging or cut run's loss says only how far it flew: it does not set the scale.
        gone = np.isin(np.array(res.kind, dtype=object), ["diverging", "diverged"])
        ok = np.isfinite(loss) & ~gone
        if not ok.any():
            return np.full(res.shape, np.nan)
        above = loss - loss[ok].min()
        floor = max(float(np.ptp(loss[ok])), 1e-300) * 1e-12
        q = np.log10(above + floor)
        lo, hi = np.percentile(q[ok], [2, 98])
        return np.where(gone, 0.0, np.clip(1.0 - (q - lo) / max(hi - lo, 1e-12), 0.0, 1.0))


def _mix(color: str, amount: float) -> str:
    """``color`` at ``amount`` over white."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    m = lambda c: round(255 - amount * (255 - c))  # noqa: E731
    return f"rgb({m(r)}, {m(g)}, {m(b)})"


def colorscale(cats: list[Category]) -> list[list[Any]]:
    """Each category's unit of the z axis, from its pale tint to its colour."""
    k = len(cats)
    scale: list[list[Any]] = []
    for i, c in enumerate(cats):
        pale = c.color if c.key == "not_run" else _mix(c.color, PALE)
        scale += [[i / k, pale], [(i + 0.999) / k, _mix(c.color, 1.0)]]
    scale[-1][0] = 1.0
    return scale


def edges(axis: Axis | None, values: list[Any]) -> list[float]:
    """The bricks' edges along an axis: midpoints of its values (geometric on a log axis)."""
    if axis is None:
        return [-0.5, 0.5]
    v = np.asarray(values, dtype=float)
    log = axis.scale == "log"
    u = np.log10(v) if log else v
    mid = (u[1:] + u[:-1]) / 2
    e = np.concatenate(([u[0] - (mid[0] - u[0])], mid, [u[-1] + (u[-1] - mid[-1])]))
    return (10**e if log else e).tolist()


def axis_title(axis: Axis | None, lang: str) -> str:
    if axis is None:
        return ""
    if axis.target.where == "start":
        return t(f"maps.axis.{axis.param}", lang)
    if axis.target.where == "schedule":
        return t("maps.axis.schedule", lang, label=axis.spec.label())
    return axis.spec.label()


def _value(axis: Axis, v: Any) -> str:
    return num(float(v))


def hover_texts(res: SweepResult, coloring: str, lang: str) -> list[list[str]]:
    """One hover text per cell: its two values, verdict, final loss, rate, steps, end point
    (and, by basin, the minimum it ends at)."""
    xt, yt = axis_title(res.x, lang), axis_title(res.y, lang)
    out = []
    for i, yv in enumerate(res.ys):
        row = []
        for j, xv in enumerate(res.xs):
            head = f"{label_text(xt)} = {_value(res.x, xv)}"
            if res.y is not None:
                head += f"<br>{label_text(yt)} = {_value(res.y, yv)}"
            kind = res.kind[i][j]
            if kind is None:
                row.append(f"{head}<br>{t('maps.not_run', lang)}")
                continue
            fx, fy = res.final_point[i, j]
            lines = [
                head,
                t("maps.hover.kind", lang, kind=t(f"kind.{kind}", lang)),
                t("maps.hover.loss", lang, v=num(float(res.final_loss[i, j]))),
                t("maps.hover.rate", lang, v=num(float(res.rate[i, j]))),
                t("maps.hover.steps", lang, v=f"{int(res.steps_run[i, j]):,}"),
                t("maps.hover.point", lang, x=num(float(fx)), y=num(float(fy))),
            ]
            if coloring == "basin":
                b = int(res.basin[i, j])
                m = res.surface.minima[b] if b >= 0 else None
                lines.append(t("maps.basin", lang, i=b + 1, x=num(m[0]), y=num(m[1])) if m else t("maps.basin.none", lang))
            row.append("<br>".join(lines))
        out.append(row)
    return out


def default_coloring(res: SweepResult) -> str:
    """By basin when the axes are the start's two coordinates and the surface knows its
    minima; else by verdict kind."""
    params = {res.x.param, res.y.param if res.y is not None else None}
    return "basin" if params == {"start.x", "start.y"} and res.surface.minima else "kind"


def cells_trace(res: SweepResult, coloring: str, shade: str, lang: str, refs: tuple[str, str]) -> dict[str, Any]:
    """The heatmap of one panel."""
    cats = categories(res, coloring, lang)
    index = {c.key: i for i, c in enumerate(cats)}
    keys = cell_categories(res, coloring)
    s = shades(res, shade)
    s = np.where(np.isfinite(s), s, 0.5)
    z = [[index[k] + 0.05 + 0.9 * float(v) for k, v in zip(krow, srow, strict=True)] for krow, srow in zip(keys, s.tolist(), strict=True)]
    return {
        "type": "heatmap",
        "x": edges(res.x, res.xs),
        "y": edges(res.y, res.ys),
        "z": z,
        "zmin": 0,
        "zmax": len(cats),
        "colorscale": colorscale(cats),
        "showscale": False,
        "text": hover_texts(res, coloring, lang),
        "hovertemplate": "%{text}<extra></extra>",
        "xaxis": refs[0],
        "yaxis": refs[1],
        "name": "cells",
    }


def _fine(axis: Axis | None) -> np.ndarray:
    if axis is None:
        return np.array([-0.5, 0.5])
    make = np.geomspace if axis.scale == "log" else np.linspace
    return make(axis.low, axis.high, FINE)


THEORY_PARAMS = ("lr", "momentum", "dampening", "weight_decay")


def theory_lines(res: SweepResult, limit: Limit) -> list[tuple[list[float], list[float]]]:
    """The pieces of the line where ``limit``'s margin is zero, in the axes' values."""
    fx, fy = _fine(res.x), _fine(res.y)
    gx, gy = np.meshgrid(fx, fy)
    values = {}
    for axis, grid in ((res.x, gx), (res.y, gy)):
        if axis is not None and axis.param in THEORY_PARAMS:
            values[axis.param] = grid
    if not values:
        return []  # the limit does not depend on the swept values
    z = limit.margin(values)
    ux = np.log10(fx) if res.x.scale == "log" else fx
    uy = np.log10(fy) if res.y is not None and res.y.scale == "log" else fy
    pieces = []
    for line in contourpy.contour_generator(ux, uy, z).lines(0.0):
        px, py = line[:, 0], line[:, 1]
        px = 10**px if res.x.scale == "log" else px
        py = 10**py if res.y is not None and res.y.scale == "log" else py
        pieces.append((px.tolist(), py.tolist()))
    return pieces


def _theory_traces(res: SweepResult, lang: str, sizes: Sizes, refs: tuple[str, str], shown: set[str]) -> list[dict[str, Any]]:
    out = []
    for lim in limits(res.scenario):
        key = "maps.theory.gd" if not lim.heavy_ball else ("maps.theory.hb_damped" if lim.base["dampening"] else "maps.theory.hb")
        name = t(key, lang, lam=num(lim.curvature))
        for px, py in theory_lines(res, lim):
            out.append({
                "type": "scatter", "mode": "lines", "x": px, "y": py, "name": name,
                "legendgroup": name, "showlegend": name not in shown, "hoverinfo": "name",
                "line": {"color": THEORY_COLOR, "width": sizes.line + 0.6, "dash": "dash"},
                "xaxis": refs[0], "yaxis": refs[1],
            })
            shown.add(name)
    return out


def own_values(res: SweepResult) -> tuple[float, float] | None:
    """The swept run's own values of the two axes (where this run sits on its map)."""
    sc = res.scenario
    run = sc.runs[sc.sweep["run"]] if sc.sweep else None
    if run is None:
        return None

    def value(axis: Axis | None) -> float:
        if axis is None:
            return 0.0
        tgt = axis.target
        if tgt.where == "start":
            return float(sc.start[tgt.index])  # type: ignore[index]
        if tgt.where == "schedule":
            return float(run.schedule["params"][tgt.name])  # type: ignore[index]
        v = run.params[tgt.name]
        return float(v if tgt.index is None else v[tgt.index])

    return value(res.x), value(res.y)


def _marker_traces(res: SweepResult, coloring: str, lang: str, sizes: Sizes, refs: tuple[str, str], shown: set[str]) -> list[dict[str, Any]]:
    out = []
    here = own_values(res)
    if here is not None:
        name = t("maps.current", lang)
        out.append({
            "type": "scatter", "mode": "markers", "x": [here[0]], "y": [here[1]], "name": name,
            "legendgroup": "current", "showlegend": name not in shown, "hoverinfo": "name",
            "marker": {"symbol": "star", "size": sizes.marker + 4, "color": "white", "line": {"color": "black", "width": 2}},
            "xaxis": refs[0], "yaxis": refs[1],
        })
        shown.add(name)
    if coloring == "basin" and res.surface.minima:
        swap = res.x.param == "start.y"
        for i, (mx, my) in enumerate(res.surface.minima):
            out.append({
                "type": "scatter", "mode": "markers", "x": [my if swap else mx], "y": [mx if swap else my],
                "name": t("fig.minimum", lang), "showlegend": False, "hoverinfo": "name",
                "marker": {"symbol": "x", "size": sizes.marker, "color": BASIN_COLORS[i % len(BASIN_COLORS)], "line": {"color": "black", "width": 1.5}},
                "xaxis": refs[0], "yaxis": refs[1],
            })
    return out


PICK_MAX = 64  # at most this many click points per axis (each is an SVG node)


def pick_trace(res: SweepResult, refs: tuple[str, str]) -> dict[str, Any]:
    """Invisible points over the cells for clicks (a heatmap reports no clicked point): at
    every cell, or on a coarser grid of at most PICK_MAX per axis for a large map;
    ``SweepResult.cell_at(x, y)`` gives the cell a clicked point stands for."""
    ix = np.unique(np.linspace(0, len(res.xs) - 1, min(len(res.xs), PICK_MAX)).round().astype(int))
    iy = np.unique(np.linspace(0, len(res.ys) - 1, min(len(res.ys), PICK_MAX)).round().astype(int))
    gx, gy = np.meshgrid(ix, iy)
    xs = [float(res.xs[j]) for j in gx.ravel()]
    ys = [0.0 if res.y is None else float(res.ys[i]) for i in gy.ravel()]
    return {
        "type": "scatter", "mode": "markers", "x": xs, "y": ys, "name": "pick",
        "showlegend": False, "hoverinfo": "none", "marker": {"size": 14, "opacity": 0},
        "customdata": np.stack([gy.ravel(), gx.ravel()], axis=-1).tolist(),
        "xaxis": refs[0], "yaxis": refs[1],
    }


def _legend_traces(cats: list[Category], present: set[str], shown: set[str], sizes: Sizes) -> list[dict[str, Any]]:
    out = []
    for c in cats:
        if c.key not in present or c.label in shown:
            continue
        shown.add(c.label)
        out.append({
            "type": "scatter", "mode": "markers", "x": [None], "y": [None], "name": c.label,
            "legendgroup": c.key, "hoverinfo": "skip",
            # the swatch at a middle shade: what most of the category's cells look like
            "marker": {"symbol": "square", "size": sizes.marker, "color": _mix(c.color, SWATCH), "line": {"color": "#666666", "width": 1}},
        })
    return out


def _title(res: SweepResult, coloring: str, lang: str, beside: bool = False) -> str:
    """The map's title; maps side by side get the short one (two long ones overprint)."""
    run = res.scenario.runs[res.scenario.sweep["run"]]  # type: ignore[index]
    cells = sum(k is not None for row in res.kind for k in row)
    key = "maps.title.short" if beside else "maps.title.basins" if coloring == "basin" else "maps.title"
    surface = res.surface.title.get(lang) or res.surface.name
    return t(key, lang, label=label_text(run.label), surface=label_text(surface), cells=f"{cells:,}", steps=f"{res.scenario.steps:,}")


def map_dict(
    results: SweepResult | Sequence[SweepResult],
    lang: str = "en",
    *,
    shade: str | None = None,
    coloring: str | None = None,
    presentation: bool = False,
    width: int | None = None,
    height: int | None = None,
    pick: bool = False,
) -> dict[str, Any]:
    """The figure as a plain dict (what an export hands to kaleido); see ``map_figure``."""
    res_list = [results] if isinstance(results, SweepResult) else list(results)
    if shade is None:  # basins have no loss to compare: each ends at its minimum
        shade = "none" if all(default_coloring(r) == "basin" for r in res_list) and coloring != "kind" else "loss"
    if shade not in SHADES:
        raise ValueError(f"shade = {shade!r} is invalid; allowed: {', '.join(SHADES)}")
    if coloring is not None and coloring not in COLORINGS:
        raise ValueError(f"coloring = {coloring!r} is invalid; allowed: {', '.join(COLORINGS)}")
    sizes = Sizes.of(presentation)
    layout = base_layout(sizes)
    n = len(res_list)
    gap = 0.14 if n > 1 else 0.0  # room for the right map's y-axis title
    span = (1.0 - gap * (n - 1)) / n
    data: list[dict[str, Any]] = []
    legend: list[dict[str, Any]] = []
    shown: set[str] = set()
    annotations = []
    for p, res in enumerate(res_list):
        paint = coloring or default_coloring(res)
        suffix = "" if p == 0 else str(p + 1)
        refs = (f"x{suffix}", f"y{suffix}")
        domain = [p * (span + gap), p * (span + gap) + span]
        data.append(cells_trace(res, paint, shade, lang, refs))
        data += _theory_traces(res, lang, sizes, refs, shown)
        data += _marker_traces(res, paint, lang, sizes, refs, shown)
        cats = categories(res, paint, lang)
        present = {k for row in cell_categories(res, paint) for k in row}
        legend += _legend_traces(cats, present, shown, sizes)
        layout[f"xaxis{suffix}"] = _axis(res.x, res.xs, lang, domain, refs[1])
        layout[f"yaxis{suffix}"] = _axis(res.y, res.ys, lang, [0.0, 1.0], refs[0])
        annotations.append({
            "text": _title(res, paint, lang, n > 1), "x": sum(domain) / 2, "y": 1.0, "xref": "paper",
            "yref": "paper", "xanchor": "center", "yanchor": "bottom", "showarrow": False,
            "font": {"size": sizes.font},
        })
    legend_title = t(f"maps.shade.{shade}", lang) if shade != "none" else ""
    # The legend starts LEGEND_GAP pixels below the plot, under the x axis's ticks and title,
    # whatever the figure's height (a fraction of the plot would meet the title when short).
    plot_px = (height or 700) - 50 - 150
    legend_y = -LEGEND_GAP / max(plot_px, 100)
    layout.update(
        annotations=annotations,
        showlegend=True,
        legend={
            "orientation": "h", "x": 0.0, "y": legend_y, "xanchor": "left", "yanchor": "top",
            "title": {"text": legend_title, "side": "top"},
        },
        margin={"l": 70, "r": 20, "t": 50, "b": 150},
    )
    if width:
        layout["width"] = width
    if height:
        layout["height"] = height
    picks = [pick_trace(r, (f"x{'' if p == 0 else p + 1}", f"y{'' if p == 0 else p + 1}")) for p, r in enumerate(res_list)] if pick else []
    return {"data": data + legend + picks, "layout": layout}


def _axis(axis: Axis | None, values: list[Any], lang: str, domain: list[float], anchor: str) -> dict[str, Any]:
    if axis is None:  # a strip: one row, no y axis to read
        return {"domain": domain, "anchor": anchor, "showticklabels": False, "showgrid": False, "zeroline": False, "range": [-0.5, 0.5]}
    e = edges(axis, values)
    log = axis.scale == "log"
    rng = [math.log10(e[0]), math.log10(e[-1])] if log else [e[0], e[-1]]
    return {
        "domain": domain,
        "anchor": anchor,
        "title": {"text": label_text(axis_title(axis, lang))},
        "type": "log" if log else "linear",
        "range": rng,
        "showgrid": False,
        "zeroline": False,
        "ticks": "outside",
        "exponentformat": "power",
    }


def map_figure(
    results: SweepResult | Sequence[SweepResult],
    lang: str = "en",
    *,
    shade: str | None = None,
    coloring: str | None = None,
    presentation: bool = False,
    width: int | None = None,
    height: int | None = None,
    pick: bool = False,
) -> go.Figure:
    """The map of one sweep, or several side by side (GD beside Adam). ``coloring`` "kind"
    (the verdict) or "basin" (the known minimum each cell ends in; default when the axes are
    the start's coordinates), ``shade`` "loss", "rate" or "none" (default: "loss", and
    "none" for basins); ``pick`` adds the invisible click points (last traces) an app needs."""
    fig = map_dict(results, lang, shade=shade, coloring=coloring, presentation=presentation, width=width, height=height, pick=pick)
    return go.Figure(fig, _validate=False)
