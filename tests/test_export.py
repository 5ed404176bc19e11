"""Exports: every format gives a valid file that shows what the app shows, the numbers are
exactly lab.simulate's, the HTML works offline, and a missing browser is a clear message.

Image tests share one Chromium (started by the first, closed after the module) and draw
small pictures; they run only with Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

import export
import figures
from export.browser import Browser
from export.formats import GIF_HOLD_MS
from figures.animation import resolved
from figures.sampling import frame_steps
from lab import Result, simulate

CliRun = Callable[..., Any]  # the ``cli`` fixture (conftest): runs cli.py, returns the process
CHROMIUM = Path("/usr/bin/chromium")


def needs_chromium(test: Callable[..., None]) -> Callable[..., None]:
    """A test that draws with Chromium: marked ``browser``, skipped only without Chromium."""
    skip = pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"
    )
    return pytest.mark.browser(skip(test))


# Three runs: a label with a comma (CSV quoting), a Chinese one (UTF-8), and one that
# diverges within a few steps (its rows stop where the engine cut it).
SCENARIO: dict[str, Any] = {
    "surface": "ravine",
    "steps": 60,
    "runs": [
        {"optimizer": "sgd", "params": {"lr": 0.01}, "label": "GD, η=0.01"},
        {"optimizer": "adam", "params": {"lr": 0.5}, "label": "Adam 自适应"},
        {"optimizer": "sgd", "params": {"lr": 5.0}, "label": "GD too big"},
    ],
}


@pytest.fixture(scope="module")
def result() -> Result:
    return simulate(SCENARIO)


@pytest.fixture(scope="module")
def images() -> Iterator[None]:
    """The shared Chromium, stopped after the module (it lives on otherwise until exit)."""
    yield
    export.close_browser()


def values(a: Any) -> np.ndarray:
    """A coordinate array of a figure dict: Plotly's ``to_dict`` writes arrays as base64."""
    if isinstance(a, dict) and "bdata" in a:
        return np.frombuffer(base64.b64decode(a["bdata"]), dtype=np.dtype(a["dtype"]))
    return np.asarray(a, dtype=float)


def rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


# --- the numbers ----------------------------------------------------------------------------
def test_csv_holds_exactly_the_simulated_numbers(result: Result) -> None:
    table = list(csv.DictReader(io.StringIO(export.render(result, "csv").decode("utf-8"))))
    assert tuple(table[0]) == export.COLUMNS
    assert result.runs[2].steps_run < SCENARIO["steps"]  # the diverging run was cut
    assert len(table) == sum(len(r.trajectory) for r in result.runs)
    for i, run in enumerate(result.runs):
        rows = [row for row in table if row["run"] == str(i)]
        assert {row["label"] for row in rows} == {run.label}
        assert {row["optimizer"] for row in rows} == {run.optimizer}
        assert [int(row["step"]) for row in rows] == list(range(len(run.trajectory)))
        for column, want in (
            ("x", run.trajectory[:, 0]),
            ("y", run.trajectory[:, 1]),
            ("loss", run.loss),
            ("grad_norm", run.grad_norm),
        ):
            np.testing.assert_array_equal([float(row[column]) for row in rows], want)
        # lr belongs to the step after a point: the final point has none.
        assert rows[-1]["lr"] == rows[-1]["effective_lr_x"] == rows[-1]["effective_lr_y"] == ""
        np.testing.assert_array_equal([float(row["lr"]) for row in rows[:-1]], run.lr)
        got_eff = [
            [float(row["effective_lr_x"]), float(row["effective_lr_y"])] for row in rows[:-1]
        ]
        np.testing.assert_array_equal(np.asarray(got_eff).reshape(-1, 2), run.effective_lr)


def test_json_is_the_result_plus_the_scenario_that_reproduces_it(result: Result) -> None:
    def no_nan(name: str) -> None:
        raise AssertionError(f"JSON holds {name}")

    value = json.loads(export.render(result, "json"), parse_constant=no_nan)
    assert set(value) == {"scenario", "runs"}
    assert value["runs"] == json.loads(json.dumps(result.to_dict()))["runs"]
    again = simulate(value["scenario"])
    for got, want in zip(value["runs"], again.runs, strict=True):
        assert got["label"] == want.label
        np.testing.assert_array_equal(np.asarray(got["trajectory"]), want.trajectory)
        np.testing.assert_array_equal(np.asarray(got["loss"]), want.loss)
        np.testing.assert_array_equal(np.asarray(got["lr"]), want.lr)
        assert len(got["lr"]) == len(got["trajectory"]) - 1


# --- options --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.png", "png"),
        ("dir.v2/B.SVG", "svg"),
        ("x.pdf", "pdf"),
        ("x.gif", "gif"),
        ("x.html", "html"),
        ("x.csv", "csv"),
        ("x.json", "json"),
    ],
)
def test_the_suffix_picks_the_format(name: str, fmt: str) -> None:
    assert export.format_for_path(name) == fmt


@pytest.mark.parametrize("name", ["out.jpg", "out", "out.htm"])
def test_an_unknown_suffix_names_the_allowed_ones(name: str) -> None:
    with pytest.raises(export.ExportError, match=r"allowed: \.png, \.svg, \.pdf, \.gif, \.html"):
        export.format_for_path(name)


@pytest.mark.parametrize(
    ("fmt", "options", "message"),
    [
        (
            "png",
            {"view": "side"},
            "view = 'side' is invalid for png; allowed: map, 3d, traces, all",
        ),
        ("gif", {"view": "3d"}, "view = '3d' is invalid for gif; allowed: map, all"),
        ("png", {"lang": "fr"}, "lang = 'fr' is invalid; allowed: en, zh"),
        (
            "png",
            {"step": 61},
            "step = 61 is out of range; allowed: an integer with 0 <= step <= 60",
        ),
        ("png", {"step": -1}, "step = -1 is out of range"),
        ("png", {"width": 50}, "width = 50 is out of range; allowed: an integer with 200 <= width"),
        ("png", {"height": 1.5}, "height = 1.5 is not an integer"),
        (
            "png",
            {"scale": 10},
            "scale = 10 is out of range; allowed: a number with 0.25 <= scale <= 4",
        ),
        (
            "gif",
            {"frames": 1},
            "frames = 1 is out of range; allowed: an integer with 2 <= frames <= 300",
        ),
        ("html", {"frame_ms": 5}, "frame_ms = 5 is out of range"),
        (
            "png",
            {"arrows": ["wind"]},
            "arrows = 'wind' is invalid; allowed: grad, update, momentum",
        ),
        ("jpg", {}, "format 'jpg' is not supported"),
    ],
)
def test_invalid_options_name_the_value_and_what_is_allowed(
    result: Result, fmt: str, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(export.ExportError) as e:
        export.render(result, fmt, **options)
    assert message in str(e.value)


@pytest.mark.parametrize("view", ["map", "all"])
def test_static_figures_have_no_controls_or_click_grid_and_full_paths(
    result: Result, view: str
) -> None:
    fig = export.static_figure(result, view, "en", step=None, width=900, height=600)
    layout = fig["layout"]
    assert "frames" not in fig and not layout.get("updatemenus") and not layout.get("sliders")
    # No click grid: the app's stage takes clicks itself (ui/stage.js), an export none; an
    # invisible trace would only add payload and hover boxes.
    assert not [t for t in fig["data"] if t.get("marker", {}).get("opacity") == 0]
    paths = {  # the map's run paths (the panels' lines share their legend group)
        t["name"]: t
        for t in fig["data"]
        if t.get("legendgroup", "").startswith("run") and t.get("xaxis", "x") == "x"
    }
    for i, run in enumerate(result.runs):
        path = paths[run.label]
        assert path["line"]["color"] == figures.PALETTE[i]
        # to the last step (written with 6 significant digits: figures.sampling.short)
        assert values(path["x"])[-1] == pytest.approx(run.trajectory[-1, 0], rel=1e-5)
    if view == "all":  # the panels sit right of the map, on axes of their own
        assert layout["xaxis"]["domain"][1] < layout["xaxis2"]["domain"][0]
        assert {"yaxis2", "yaxis3", "yaxis4", "yaxis5"} <= set(layout)


def test_gif_stills_are_the_animation_frames(result: Result) -> None:
    """Each still shows what plotly.js shows after that frame (merged onto its keyframe,
    see figures.animation): the moving traces replaced, every other trace (the surface's
    contours, the whole curves) unchanged, the step written in the corner and the panels'
    step cursors at that step."""
    static = export.static_figure(result, "all", "zh", step=None, width=900, height=600)
    animated = export.animated_figure(
        result, "all", "zh", step=0, frames=7, frame_ms=100, width=900, height=600
    )
    stills = figures.frame_stills(static, animated, "zh")
    assert [s for s, _ in stills] == frame_steps(60, 7).tolist()
    step, still = stills[2]
    assert "baseframe" in animated["frames"][2]  # a frame that carries only the new piece
    frame = resolved(animated["frames"])[2]
    for index, update in zip(frame["traces"], frame["data"], strict=True):
        np.testing.assert_array_equal(values(still["data"][index]["x"]), values(update["x"]))
    moved = set(frame["traces"])
    for index, trace in enumerate(static["data"]):
        if index not in moved:
            assert still["data"][index] is trace
    labels = [a["text"] for a in still["layout"]["annotations"] if a.get("name") == "step_label"]
    assert labels == [f"第 {step} 步"]
    cursors = [tr for tr in still["data"] if tr.get("name") == "cursor"]
    assert len(cursors) == 4  # one per panel
    for tr in cursors:
        xs = [x for x in values(tr["x"]) if np.isfinite(x)]
        assert xs and set(xs) == {step}
    # The revealed path ends at the still's step: the first run's path so far.
    run = result.runs[0]
    grow = next(tr for tr in still["data"][len(result.runs) + 3 :] if tr.get("name") == run.label)
    assert values(grow["x"])[-1] == pytest.approx(run.trajectory[step, 0], rel=1e-5)


# --- images (Chromium) ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("view", "width", "height", "scale"),
    [
        ("map", 480, 320, 1.0),
        ("all", 640, 360, 1.0),
        ("traces", 300, 400, 2.0),
        ("3d", 300, 240, 1.0),
    ],
)
@needs_chromium
@pytest.mark.usefixtures("images")
def test_png_has_the_requested_size(
    result: Result, view: str, width: int, height: int, scale: float
) -> None:
    png = export.render(result, "png", view=view, width=width, height=height, scale=scale)
    im = Image.open(io.BytesIO(png))
    assert im.format == "PNG"
    assert im.size == (round(width * scale), round(height * scale))
    assert round(im.info["dpi"][0]) == round(96 * scale)  # placed at the layout size
    colors = np.asarray(im.convert("RGB")).reshape(-1, 3)
    assert len(np.unique(colors, axis=0)) > 50  # a picture, not a blank page


@needs_chromium
@pytest.mark.usefixtures("images")
def test_png_shows_the_app_colours(result: Result) -> None:
    png = export.render(result, "png", view="map", width=480, height=320)
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3).astype(int)
    for color in (figures.PALETTE[0], figures.PALETTE[1], "#FFD23F"):  # two runs, the minimum
        distance = np.abs(pixels - rgb(color)).sum(axis=1)
        assert (distance <= 12).sum() >= 10, color


@needs_chromium
@pytest.mark.usefixtures("images")
def test_svg_is_the_static_figure_in_the_chosen_language(result: Result) -> None:
    svg = export.render(result, "svg", view="all", lang="zh", width=700, height=420)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = svg.decode("utf-8")
    assert "起点" in text and "Adam 自适应" in text and "步数 t" in text  # zh labels
    assert "data:image/png;base64," in text  # the surface raster
    for i in range(3):
        assert "rgb({}, {}, {})".format(*rgb(figures.PALETTE[i])) in text
    assert "updatemenu" not in text and "slider" not in text  # no Play button, no slider


@needs_chromium
@pytest.mark.usefixtures("images")
def test_pdf_is_a_pdf(result: Result) -> None:
    pdf = export.render(result, "pdf", view="map", width=400, height=300)
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-1024:]


@needs_chromium
@pytest.mark.usefixtures("images")
def test_gif_has_the_requested_frames_and_pace(result: Result) -> None:
    gif = export.render(result, "gif", view="map", width=360, height=260, frames=6, frame_ms=80)
    im = Image.open(io.BytesIO(gif))
    assert im.format == "GIF" and im.size == (360, 260) and im.info["loop"] == 0
    assert im.n_frames == 6
    durations, stills = [], []
    for i in range(im.n_frames):
        im.seek(i)
        durations.append(im.info["duration"])
        stills.append(np.asarray(im.convert("RGB")).astype(int))
    assert durations == [80] * 5 + [GIF_HOLD_MS]
    assert np.abs(stills[0] - stills[-1]).sum() > 0  # the points move
    last = stills[-1].reshape(-1, 3)
    assert (np.abs(last - rgb(figures.PALETTE[1])).sum(axis=1) <= 15).sum() >= 10


def test_a_missing_browser_is_a_clear_error_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """kaleido's own sync server waits forever in this case; ours raises."""
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(export.MissingDependencyError) as e:
        Browser().images([{"data": [], "layout": {}}], "png", 300, 200)
    assert "apt-get install chromium" in str(e.value) and "BROWSER_PATH" in str(e.value)
    assert export.browser_path() is None


# --- HTML -----------------------------------------------------------------------------------
def test_html_is_self_contained(result: Result) -> None:
    page = export.render(result, "html", view="map", frames=12).decode("utf-8")
    assert page.startswith("<!doctype html>") or page.startswith("<html")
    # Nothing loaded from elsewhere: plotly.js inlined, no MathJax (it would come from a CDN).
    assert re.search(r"<script[^>]*\bsrc=", page) is None
    assert "plotly.js v" in page
    assert "Plotly.animate(" not in page  # auto_play=False: nothing moves until Play
    assert "<title>" in page


@pytest.mark.parametrize(("view", "lang", "play"), [("map", "en", "Play"), ("all", "zh", "播放")])
@needs_chromium
def test_html_opens_offline_shows_the_map_and_plays(
    result: Result, tmp_path: Path, page: Any, view: str, lang: str, play: str
) -> None:
    path = tmp_path / "map.html"
    path.write_bytes(export.render(result, "html", view=view, lang=lang, frames=30))
    attempted: list[str] = []

    def only_local(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            attempted.append(url)
            route.abort()

    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", only_local)
    page.goto(path.as_uri())
    page.wait_for_selector(".main-svg", timeout=30_000)
    images = page.eval_on_selector_all(
        ".imagelayer image",
        "els => els.map(e => e.getAttribute('xlink:href') || e.getAttribute('href'))",
    )
    assert len(images) == 1 and images[0].startswith("data:image/png;base64,")  # the surface
    contours = page.evaluate(
        "() => [...document.querySelectorAll('.scatterlayer .trace')[0]"
        ".querySelectorAll('path.js-line')].reduce((n, p) => n + (p.getAttribute('d') || '').length, 0)"
    )
    assert contours > 1000  # the contour lines are drawn

    def current_step() -> int:
        label = page.evaluate(
            "() => [...document.querySelectorAll('.slider-container text')][0].textContent"
        )
        return int(re.search(r"\d+", label).group())  # type: ignore[union-attr]

    assert current_step() == 0
    page.locator(".updatemenu-button", has_text=play).click()
    # The read-out is "step k / last": wait for k, its first number, to leave 0.
    page.wait_for_function(
        "() => /^\\D*[1-9]/.test([...document.querySelectorAll('.slider-container text')][0].textContent)",
        timeout=10_000,
    )
    assert current_step() > 0
    assert attempted == [] and errors == []


# --- command line ---------------------------------------------------------------------------
def test_cli_renders_a_preset_by_its_file_stem(cli: CliRun, tmp_path: Path) -> None:
    out = tmp_path / "saddle.csv"
    p = cli("render", "--preset", "05_saddle_point", "-o", str(out))
    assert p.returncode == 0, p.stderr
    from lab.presets import get_preset

    want = simulate(get_preset("05_saddle_point").scenario)
    assert out.read_bytes() == export.render(want, "csv")


def test_cli_renders_a_scenario_file_as_json(cli: CliRun, tmp_path: Path) -> None:
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps(SCENARIO), encoding="utf-8")
    out = tmp_path / "result.json"
    p = cli("render", str(scenario), "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert (
        json.loads(out.read_bytes())["runs"]
        == json.loads(json.dumps(simulate(SCENARIO).to_dict()))["runs"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--preset", "05", "-o", "OUT/x.jpg"],
            "has suffix .jpg; allowed: .png, .svg, .pdf, .gif, .html, .csv, .json",
        ),
        (
            ["--preset", "no_such", "-o", "OUT/x.png"],
            "preset 'no_such' does not exist; allowed: 01_",
        ),
        (["BAD", "-o", "OUT/x.png"], 'surface = "moon" is not a built-in surface'),
        (["MISSING", "-o", "OUT/x.png"], "does not exist"),
        (["-o", "OUT/x.png"], "give either a scenario file or --preset NAME"),
        (["--preset", "05", "-o", "OUT/x.csv", "--width", "300"], "--width does not apply to .csv"),
        (["--preset", "05", "-o", "OUT/x.gif", "--view", "3d"], "view = '3d' is invalid for gif"),
        (["--preset", "05", "-o", "OUT/x.png", "--step", "9999"], "step = 9999 is out of range"),
        (["--preset", "05", "-o", "OUT/nowhere/x.png"], "does not exist"),
    ],
)
def test_cli_errors_exit_2_with_one_line(
    cli: CliRun, tmp_path: Path, args: list[str], message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"surface": "moon", "runs": [{"optimizer": "sgd"}]}')
    table = {"BAD": str(bad), "MISSING": str(tmp_path / "missing.json")}
    args = [table.get(a, a).replace("OUT", str(tmp_path)) for a in args]
    p = cli("render", *args)
    assert p.returncode == 2, p.stderr
    assert message in p.stderr
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.glob("x.*"))


def test_cli_without_a_browser_exits_3_and_data_formats_still_work(
    cli: CliRun, tmp_path: Path
) -> None:
    env = {"BROWSER_PATH": str(tmp_path / "no-chromium")}
    p = cli("render", "--preset", "01", "-o", str(tmp_path / "x.png"), env=env)
    assert p.returncode == 3
    assert "apt-get install chromium" in p.stderr and "BROWSER_PATH" in p.stderr
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.png").exists()
    for suffix in ("csv", "json", "html"):
        out = tmp_path / f"x.{suffix}"
        p = cli("render", "--preset", "01", "-o", str(out), env=env)
        assert p.returncode == 0, p.stderr
        assert out.stat().st_size > 1000


@pytest.mark.skipif(not Path("/bin/false").exists(), reason="needs /bin/false")
def test_cli_with_a_broken_browser_exits_1_with_one_line(cli: CliRun, tmp_path: Path) -> None:
    p = cli(
        "render",
        "--preset",
        "01",
        "-o",
        str(tmp_path / "x.png"),
        env={"BROWSER_PATH": "/bin/false"},
    )
    assert p.returncode == 1
    assert p.stderr.startswith("error: could not start the browser at BROWSER_PATH='/bin/false'")
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1


@needs_chromium
def test_cli_renders_a_png_in_chinese(cli: CliRun, tmp_path: Path) -> None:
    out = tmp_path / "ravine.png"
    p = cli(
        "render",
        "--preset",
        "01",
        "-o",
        str(out),
        "--lang",
        "zh",
        "--width",
        "500",
        "--height",
        "360",
        "--view",
        "all",
    )
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    with Image.open(out) as im:
        assert im.size == (500, 360)
