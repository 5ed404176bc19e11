"""Exports of maps (``lab.sweep``): PNG, SVG, PDF of the figure, CSV and JSON of the cells.

``render_sweep(results, fmt, ...) -> bytes`` is the one entry point (``cli.py sweep`` uses it,
the app's Maps view will). Pictures go through the same static-image path as every other
export (``export.browser.BROWSER``, kaleido in Chromium) and come from ``figures.maps``; CSV
and JSON need no browser and hold one sweep. Numbers are written in their shortest round-trip
form; JSON has no NaN or infinity (null instead).

CSV: one row per cell, ``row, col`` (rows follow y), the two axes' values under their own
parameter names, then ``kind, basin, final_loss, final_x, final_y, steps_run, rate``; a cell
that did not run has only its position and values.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from core.text import LANGS
from export.browser import BROWSER
from export.data import _finite, _num
from export.errors import ExportError
from export.formats import (
    SCALE_RANGE,
    SIZE_RANGE,
    _check_choice,
    _check_float,
    _check_int,
    _repack_png,
)
from figures.maps import COLORINGS, SHADES, map_dict
from lab import SweepResult

SWEEP_FORMATS = ("png", "svg", "pdf", "csv", "json")
PICTURES = ("png", "svg", "pdf")
PANEL_SIZE = (820, 760)  # layout pixels of one map; side by side maps add their widths
CELL_COLUMNS = ("kind", "basin", "final_loss", "final_x", "final_y", "steps_run", "rate")


def render_sweep(
    results: SweepResult | Sequence[SweepResult],
    fmt: str,
    *,
    lang: str = "en",
    width: int | None = None,
    height: int | None = None,
    scale: float = 1.0,
    shade: str | None = None,
    coloring: str | None = None,
    presentation: bool = False,
) -> bytes:
    """The export of one map (or, for pictures, several side by side) as ``fmt``. Raises
    ExportError for an invalid option, MissingDependencyError when a picture finds no Chromium,
    RenderError when Chromium fails."""
    res = [results] if isinstance(results, SweepResult) else list(results)
    _check_choice("format", fmt, SWEEP_FORMATS)
    if not res:
        raise ExportError("no sweep to export; allowed: one or more sweeps")
    if fmt in ("csv", "json"):
        if len(res) != 1:
            raise ExportError(f"{fmt} holds one sweep, not {len(res)}; allowed: one sweep per file")
        return to_csv(res[0]) if fmt == "csv" else to_json(res[0])
    _check_choice("lang", lang, LANGS)
    if shade is not None:
        _check_choice("shade", shade, SHADES)
    if coloring is not None:
        _check_choice("coloring", coloring, COLORINGS)
    w = _check_int("width", width, *SIZE_RANGE) if width is not None else PANEL_SIZE[0] * len(res)
    h = _check_int("height", height, *SIZE_RANGE) if height is not None else PANEL_SIZE[1]
    scale = _check_float("scale", scale, *SCALE_RANGE)
    fig = map_dict(res, lang, shade=shade, coloring=coloring, presentation=presentation, width=w, height=h)
    image = BROWSER.images([fig], fmt, w, h, scale)[0]
    return _repack_png(image, scale) if fmt == "png" else image


def _axis_name(res: SweepResult, which: str) -> str:
    axis = res.x if which == "x" else res.y
    return "y" if axis is None else axis.param


def rows(res: SweepResult) -> list[list[str]]:
    """The CSV rows without the header."""
    out = []
    for i, yv in enumerate(res.ys):
        for j, xv in enumerate(res.xs):
            row = [str(i), str(j), _num(xv), "" if yv is None else _num(yv)]
            kind = res.kind[i][j]
            if kind is None:
                out.append(row + [""] * len(CELL_COLUMNS))
                continue
            fx, fy = res.final_point[i, j]
            basin = int(res.basin[i, j])
            cell = [kind, str(basin) if basin >= 0 else "", _num(res.final_loss[i, j])]
            cell += [_num(fx), _num(fy), str(int(res.steps_run[i, j])), _num(res.rate[i, j])]
            out.append([*row, *cell])
    return out


def to_csv(res: SweepResult) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["row", "col", _axis_name(res, "x"), _axis_name(res, "y"), *CELL_COLUMNS])
    w.writerows(rows(res))
    return buf.getvalue().encode("utf-8")


def json_value(res: SweepResult) -> dict[str, Any]:
    """``{"scenario", "axes", "minima", "x", "y", "kind", "final_loss", "final_point",
    "steps_run", "rate", "basin"}``: the scenario (``lab.sweep`` of it gives this map again),
    the axes as parsed, the surface's known minima, ``SweepResult.to_dict()`` and each cell's
    basin (index into ``minima``, null for none)."""
    axes = {"x": res.x.to_dict(), "y": None if res.y is None else res.y.to_dict()}
    basin = [[b if b >= 0 else None for b in row] for row in res.basin.tolist()]
    minima = [list(m) for m in res.surface.minima]
    return _finite({"scenario": res.scenario.to_dict(), "axes": axes, "minima": minima, **res.to_dict(), "basin": basin})


def to_json(res: SweepResult) -> bytes:
    text = json.dumps(json_value(res), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")
