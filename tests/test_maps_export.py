"""The map figure (``figures.maps``), its exports (``export.maps``) and ``cli.py sweep``.

The figure is read back as a user would: each cell's colour says its verdict kind (or basin)
and its hover text its numbers; the legend names what is on the map in the chosen language;
the theory line sits where eta lambda = 2 (1 + mu); the marker at the run's own values. CSV and
JSON give back exactly the sweep's numbers; pictures are real images of the requested size.
"""

from __future__ import annotations

import csv
import io
import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from export.maps import render_sweep
from figures.maps import KIND_COLORS, categories, map_dict, map_figure
from lab import SweepResult, sweep

CliRun = Callable[..., Any]
CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)")

HEAVY_BALL = {
    "surface": "ravine",
    "steps": 300,
    "runs": [{"optimizer": "momentum", "params": {"lr": 0.004, "momentum": 0.5}, "label": "HB <b>x</b>"}],
    "sweep": {
        "x": {"param": "lr", "from": 1e-3, "to": 0.03, "n": 12, "scale": "log"},
        "y": {"param": "momentum", "from": 0.0, "to": 0.9, "n": 7},
    },
}
BASINS = {
    "surface": "himmelblau",
    "steps": 300,
    "runs": [{"optimizer": "sgd", "params": {"lr": 0.005}}],
    "sweep": {
        "x": {"param": "start.x", "from": -5, "to": 5, "n": 9},
        "y": {"param": "start.y", "from": -5, "to": 5, "n": 8},
    },
}


@pytest.fixture(scope="module")
def hb() -> SweepResult:
    return sweep(HEAVY_BALL)


@pytest.fixture(scope="module")
def basins() -> SweepResult:
    return sweep(BASINS)


def cells(fig: dict[str, Any]) -> dict[str, Any]:
    return next(tr for tr in fig["data"] if tr.get("name") == "cells")


def category_of(fig: dict[str, Any], z: float) -> int:
    return math.floor(z)


# --- the figure ----------------------------------------------------------------------------
def test_each_cell_is_coloured_by_its_kind_and_hovers_its_numbers(hb: SweepResult) -> None:
    fig = map_dict(hb, "en")
    tr = cells(fig)
    cats = categories(hb, "kind", "en")
    for i in range(len(hb.ys)):
        for j in range(len(hb.xs)):
            cat = cats[category_of(fig, tr["z"][i][j])]
            assert cat.key == hb.kind[i][j]
            text = tr["text"][i][j]
            assert f"verdict: {cat.label}" in text
            assert f"steps run: {int(hb.steps_run[i, j]):,}" in text
            assert "η (lr)" in text and "μ (momentum)" in text
    # the colour scale gives category k its own unit, from a pale tint to its colour
    k = [c.key for c in cats].index("minimum")
    stops = [s for s in tr["colorscale"] if k / len(cats) <= s[0] < (k + 1) / len(cats)]
    r, g, b = (int(KIND_COLORS["minimum"][i : i + 2], 16) for i in (1, 3, 5))
    assert stops[-1][1] == f"rgb({r}, {g}, {b})"
    # bricks: edges between the values (geometric on the log axis)
    xe = np.array(tr["x"])
    assert len(xe) == len(hb.xs) + 1 and np.allclose(np.sqrt(xe[:-1] * xe[1:]), hb.xs)
    assert fig["layout"]["xaxis"]["type"] == "log" and fig["layout"]["yaxis"]["type"] == "linear"


def test_the_legend_names_the_kinds_present_in_the_chosen_language(hb: SweepResult) -> None:
    present = {k for row in hb.kind for k in row}
    for lang, word in (("en", {"minimum": "minimum", "diverged": "diverged"}), ("zh", {"minimum": "最小值", "diverged": "发散"})):
        fig = map_dict(hb, lang)
        names = {tr["name"] for tr in fig["data"] if tr.get("x") == [None]}
        assert len(names) == len(present)
        assert {word["minimum"], word["diverged"]} <= names
    zh = map_dict(hb, "zh")
    assert "判断：" in cells(zh)["text"][0][0] and "当前运行的取值" in {tr["name"] for tr in zh["data"]}


def test_the_theory_line_is_eta_lambda_2_1_plus_mu(hb: SweepResult) -> None:
    fig = map_dict(hb, "en")
    lines = [tr for tr in fig["data"] if str(tr.get("name", "")).startswith("ηλ = 2(1 + μ)")]
    assert lines and "λ = 200" in lines[0]["name"]
    x, y = np.array(lines[0]["x"]), np.array(lines[0]["y"])
    np.testing.assert_allclose(x, 2 * (1 + y) / 200, rtol=1e-3)  # the boundary, sampled finely
    assert y.min() == pytest.approx(0.0) and y.max() == pytest.approx(0.9)
    # GD's line: eta lambda = 2 on the ravine, vertical
    gd = sweep({**HEAVY_BALL, "runs": [{"optimizer": "sgd", "params": {"lr": 0.004}}],
                "sweep": {"x": HEAVY_BALL["sweep"]["x"], "y": {"param": "start.y", "from": 0.1, "to": 1, "n": 3}}})
    gd_lines = [tr for tr in map_dict(gd)["data"] if str(tr.get("name", "")).startswith("ηλ = 2 (")]
    assert len(gd_lines) == 1 and np.allclose(gd_lines[0]["x"], 0.01, rtol=1e-3)
    # no theory on a surface that is not quadratic, or for Adam
    adam = sweep({**BASINS, "runs": [{"optimizer": "adam", "params": {"lr": 0.05}}]})
    assert not [tr for tr in map_dict(adam)["data"] if str(tr.get("name", "")).startswith("ηλ")]


def test_the_marker_sits_at_the_runs_own_values_and_labels_stay_text(hb: SweepResult) -> None:
    fig = map_dict(hb, "en")
    marker = next(tr for tr in fig["data"] if tr.get("name") == "this run's values")
    assert marker["x"] == [0.004] and marker["y"] == [0.5]
    title = fig["layout"]["annotations"][0]["text"]
    assert "HB &lt;b&gt;x&lt;/b&gt;" in title and "<b>" not in title  # a label shows as typed


def test_basins_are_coloured_by_the_minimum_each_start_ends_at(basins: SweepResult) -> None:
    fig = map_dict(basins, "en")  # the default for start.x x start.y
    tr = cells(fig)
    cats = categories(basins, "basin", "en")
    for i in range(len(basins.ys)):
        for j in range(len(basins.xs)):
            key = cats[category_of(fig, tr["z"][i][j])].key
            b = basins.basin[i, j]
            assert key == (f"basin:{b}" if b >= 0 else "basin:none")
    crosses = [t for t in fig["data"] if t.get("marker", {}).get("symbol") == "x"]
    assert sorted((c["x"][0], c["y"][0]) for c in crosses) == sorted(basins.surface.minima)
    assert {"minimum 1 (3, 2)", "minimum 4 (3.58, -1.85)"} <= {t["name"] for t in fig["data"]}
    kind = map_dict(basins, "en", coloring="kind")  # the verdict instead, on request
    assert categories(basins, "kind", "en")[category_of(kind, cells(kind)["z"][0][0])].key == basins.kind[0][0]


def test_two_maps_side_by_side_share_the_legend(basins: SweepResult) -> None:
    adam = sweep({**BASINS, "runs": [{"optimizer": "adam", "params": {"lr": 0.05}}]})
    fig = map_figure([basins, adam], "en")
    assert isinstance(fig.to_dict(), dict)
    d = map_dict([basins, adam], "en")
    assert d["layout"]["xaxis"]["domain"][1] < d["layout"]["xaxis2"]["domain"][0]
    names = [t["name"] for t in d["data"] if t.get("x") == [None]]
    assert len(names) == len(set(names))
    with pytest.raises(ValueError, match="shade = 'dark' is invalid; allowed: loss, rate, none"):
        map_dict(basins, shade="dark")


def test_shades_follow_loss_and_rate(hb: SweepResult) -> None:
    z = np.array(cells(map_dict(hb, shade="loss"))["z"])
    frac = z - np.floor(z)
    conv = np.array([[k in ("minimum", "moving") for k in row] for row in hb.kind])
    lo, hi = np.unravel_index(np.argmin(np.where(conv, hb.final_loss, np.inf)), z.shape), np.unravel_index(np.argmax(np.where(conv, hb.final_loss, -np.inf)), z.shape)
    assert frac[lo] > frac[hi]  # darker is lower
    zr = np.array(cells(map_dict(hb, shade="rate"))["z"])
    fr = zr - np.floor(zr)
    fast, slow = np.nanargmin(np.where(conv, hb.rate, np.nan)), np.nanargmax(np.where(conv, hb.rate, np.nan))
    assert fr.ravel()[fast] > fr.ravel()[slow]  # darker changes faster


# --- the exports --------------------------------------------------------------------------
def test_csv_gives_back_every_cells_numbers(hb: SweepResult) -> None:
    rows = list(csv.reader(io.StringIO(render_sweep(hb, "csv").decode("utf-8"))))
    assert rows[0] == ["row", "col", "lr", "momentum", "kind", "basin", "final_loss", "final_x", "final_y", "steps_run", "rate"]
    assert len(rows) == 1 + hb.final_loss.size
    for r in rows[1:]:
        i, j = int(r[0]), int(r[1])
        assert float(r[2]) == hb.xs[j] and float(r[3]) == hb.ys[i]
        assert r[4] == hb.kind[i][j]
        assert float(r[6]) == hb.final_loss[i, j]
        assert [float(r[7]), float(r[8])] == hb.final_point[i, j].tolist()
        assert int(r[9]) == hb.steps_run[i, j]
        assert (r[10] == "") == (not np.isfinite(hb.rate[i, j]))


def test_json_is_the_sweep_and_reproduces_it(basins: SweepResult) -> None:
    d = json.loads(render_sweep(basins, "json"))
    assert {k: d[k] for k in basins.to_dict()} == json.loads(json.dumps(basins.to_dict()))
    assert d["axes"]["x"] == {"param": "start.x", "from": -5.0, "to": 5.0, "n": 9, "scale": "linear"}
    assert d["minima"] == [list(m) for m in basins.surface.minima]
    assert d["basin"] == [[b if b >= 0 else None for b in row] for row in basins.basin.tolist()]
    again = sweep(d["scenario"])
    assert again.kind == basins.kind and np.array_equal(again.final_point, basins.final_point)


def test_export_options_are_checked(hb: SweepResult) -> None:
    from export import ExportError

    for kwargs, message in [
        ({"fmt": "gif"}, "format = 'gif' is invalid; allowed: png, svg, pdf, csv, json"),
        ({"fmt": "png", "lang": "fr"}, "lang = 'fr' is invalid; allowed: en, zh"),
        ({"fmt": "png", "width": 10}, "width = 10 is out of range"),
        ({"fmt": "png", "coloring": "loss"}, "coloring = 'loss' is invalid; allowed: kind, basin"),
    ]:
        with pytest.raises(ExportError, match=message.replace("(", r"\(")):
            render_sweep(hb, **kwargs)
    with pytest.raises(ExportError, match="csv holds one sweep, not 2"):
        render_sweep([hb, hb], "csv")


@needs_chromium
@pytest.mark.browser
def test_png_svg_pdf_are_the_map(hb: SweepResult, basins: SweepResult) -> None:
    from export import close_browser

    try:
        png = render_sweep(hb, "png", width=500, height=420, scale=2)
        im = Image.open(io.BytesIO(png))
        assert im.format == "PNG" and im.size == (1000, 840)
        pixels = np.asarray(im.convert("RGB")).reshape(-1, 3).astype(int)
        green = np.abs(pixels - (0x00, 0x9E, 0x73)).sum(axis=1) <= 60  # minimum cells
        assert green.mean() > 0.02
        svg = render_sweep([basins, basins], "svg", lang="zh", width=900, height=400)
        root = ET.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert "最小值 1" in svg.decode("utf-8")
        pdf = render_sweep(hb, "pdf", width=400, height=300)
        assert pdf.startswith(b"%PDF")
    finally:
        close_browser()


# --- the command line -----------------------------------------------------------------------
def test_cli_sweep_writes_csv_and_json(cli: CliRun, tmp_path: Path) -> None:
    f = tmp_path / "s.json"
    f.write_text(json.dumps(HEAVY_BALL))
    out = tmp_path / "map.csv"
    p = cli("sweep", str(f), "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(f"wrote {out}") and "84 runs" in p.stdout
    assert out.read_bytes() == render_sweep(sweep(HEAVY_BALL), "csv")
    p = cli("sweep", "--preset", "31", "-o", str(tmp_path / "m.json"))
    assert p.returncode == 0, p.stderr
    assert json.loads((tmp_path / "m.json").read_text())["axes"]["x"]["param"] == "lr"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "OUT/x.png"], "give a scenario file or --preset NAME"),
        (["NOSWEEP", "-o", "OUT/x.csv"], 'sweep is missing; a map needs a "sweep" key'),
        (["MISSING", "-o", "OUT/x.csv"], "does not exist"),
        (["BAD", "-o", "OUT/x.csv"], "sweep.x.n = 500 is out of range; allowed: an integer with 2 <= n <= 200"),
        (["--preset", "nope", "-o", "OUT/x.csv"], "preset 'nope' does not exist"),
        (["GOOD", "-o", "OUT/x.gif"], "a map is written as .png, .svg, .pdf, .csv, .json"),
        (["GOOD", "-o", "OUT/x.txt"], "has suffix .txt; allowed"),
        (["GOOD", "-o", "OUT/x.csv", "--lang", "zh"], "--lang does not apply to .csv"),
        (["GOOD", "GOOD", "-o", "OUT/x.json"], "json holds one sweep, not 2"),
        (["GOOD", "-o", "OUT/nofolder/x.csv"], "does not exist"),
    ],
)
def test_cli_sweep_refuses_bad_input_with_exit_2(cli: CliRun, tmp_path: Path, args: list[str], message: str) -> None:
    good, bad, nosweep = tmp_path / "good.json", tmp_path / "bad.json", tmp_path / "nosweep.json"
    good.write_text(json.dumps(HEAVY_BALL))
    broken = json.loads(json.dumps(HEAVY_BALL))
    broken["sweep"]["x"]["n"] = 500
    bad.write_text(json.dumps(broken))
    nosweep.write_text(json.dumps({"surface": "ravine", "runs": [{"optimizer": "sgd"}]}))
    table = {"GOOD": str(good), "BAD": str(bad), "NOSWEEP": str(nosweep), "MISSING": str(tmp_path / "missing.json")}
    argv = [table.get(a, a).replace("OUT", str(tmp_path)) for a in args]
    p = cli("sweep", *argv)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert message in p.stderr and "Traceback" not in p.stderr


def test_cli_sweep_without_a_browser_exits_3(cli: CliRun, tmp_path: Path) -> None:
    f = tmp_path / "s.json"
    f.write_text(json.dumps(HEAVY_BALL))
    p = cli("sweep", str(f), "-o", str(tmp_path / "x.png"), env={"BROWSER_PATH": str(tmp_path / "no-chromium")})
    assert p.returncode == 3 and "apt-get install chromium" in p.stderr
    assert not (tmp_path / "x.png").exists()


def test_click_points_lead_to_their_cells(hb: SweepResult) -> None:
    """A heatmap reports no clicked point: invisible points over the cells do, and
    ``cell_at`` maps a clicked point (or any point of the axes) to its cell."""
    fig = map_dict(hb, "en", pick=True)
    pick = fig["data"][-1]
    assert pick["name"] == "pick" and pick["marker"]["opacity"] == 0
    for (x, y), (i, j) in zip(zip(pick["x"], pick["y"], strict=True), pick["customdata"], strict=True):
        assert hb.cell_at(x, y) == (i, j)
    assert len(pick["x"]) == hb.final_loss.size  # a small map: a point at every cell
    assert hb.cell_at(hb.xs[3] * 1.04, hb.ys[2] + 0.01) == (2, 3)  # nearest by ratio on the log axis
    assert "pick" not in {t.get("name") for t in map_dict(hb)["data"]}
    big = sweep({**HEAVY_BALL, "steps": 5, "sweep": {"x": {**HEAVY_BALL["sweep"]["x"], "n": 200}, "y": {**HEAVY_BALL["sweep"]["y"], "n": 150}}})
    assert len(map_dict(big, pick=True)["data"][-1]["x"]) == 64 * 64
