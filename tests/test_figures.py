"""The figure builders: what survives an animation, what frames carry, payload, palette."""

from __future__ import annotations

import base64
import json
import math
import subprocess
import sys

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

import figures
from core.text import t
from figures.map import PICK_GRID, TAIL_POINTS
from figures.sampling import envelope_indices, frame_steps, path_indices
from lab import Result
from optimizers.schedules import lr_sequence

MB = 1_000_000


def arr(v: object) -> np.ndarray:
    """A figure array as NumPy: plain lists, or Plotly's base64 typed-array form."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).astype(float)
    return np.asarray([np.nan if x is None else x for x in v], dtype=float)


def payload(fig: go.Figure) -> str:
    """The JSON Streamlit sends to the browser for this figure."""
    return pio.to_json(fig.to_dict(), validate=False)


def spec(fig: go.Figure) -> dict:
    return json.loads(payload(fig))


def trace_named(fig: go.Figure, name: str) -> dict:
    return next(t for t in fig.to_dict()["data"] if t.get("name") == name)


def test_map_is_a_valid_plotly_figure(default_result: Result) -> None:
    fig = figures.map_figure(default_result, "en", arrows=figures.ARROW_KINDS)
    go.Figure(json.loads(payload(fig)))  # full validation: raises on any invalid property


def test_contour_lines_are_one_scatter_trace_with_gaps(default_result: Result) -> None:
    data = spec(figures.map_figure(default_result))["data"]
    contours = [t for t in data if t.get("name") == "contours"]
    assert len(contours) == 1
    assert contours[0]["type"] == "scatter" and contours[0]["mode"] == "lines"
    assert not any(t["type"] in ("contour", "heatmap") for t in data)
    xs = arr(trace_named(figures.map_figure(default_result), "contours")["x"])
    assert len(xs) > 500 and np.isnan(xs).sum() >= 10  # several separate level pieces


def test_surface_is_a_raster_image_below_the_traces(default_result: Result) -> None:
    layout = figures.map_figure(default_result).to_dict()["layout"]
    (image,) = layout["images"]
    assert image["source"].startswith("data:image/png;base64,")
    assert image["layer"] == "below" and image["xref"] == "x" and image["yref"] == "y"
    s = default_result.surface
    assert image["x"] == s.x_range[0] and image["sizex"] == pytest.approx(np.ptp(s.x_range))


def test_frames_carry_only_the_moving_traces(default_result: Result) -> None:
    fig = figures.map_figure(default_result, arrows=("grad", "update"))
    d = fig.to_dict()
    names = [t.get("name") for t in d["data"]]
    frames = d["frames"]
    assert 100 <= len(frames) <= 150
    moving = frames[0]["traces"]
    assert [names[i] for i in moving] == [
        "trail",
        *(t("fig." + k, "en") for k in ("grad", "update")),
    ]
    for frame in frames:
        assert frame["traces"] == moving
        for trace in frame["data"]:
            assert set(trace) <= {"type", "x", "y"}  # coordinates only: styles stay in data


def test_frames_step_through_the_whole_run(default_result: Result) -> None:
    frames = figures.map_figure(default_result).to_dict()["frames"]
    steps = [int(f["name"]) for f in frames]
    assert steps[0] == 0 and steps[-1] == default_result.runs[0].steps_run
    assert steps == sorted(set(steps))


def test_frame_points_line_up_with_marker_arrays(default_result: Result) -> None:
    """Marker sizes are set once; every frame must carry the same number of points."""
    d = figures.map_figure(default_result, arrows=figures.ARROW_KINDS).to_dict()
    for i in d["frames"][0]["traces"]:
        sizes = d["data"][i]["marker"]["size"]
        for frame in d["frames"]:
            trace = frame["data"][frame["traces"].index(i)]
            assert len(arr(trace["x"])) == len(sizes)


def test_trail_head_is_at_the_frame_step(default_result: Result) -> None:
    d = figures.map_figure(default_result).to_dict()
    frame = d["frames"][len(d["frames"]) // 2]
    s = int(frame["name"])
    x = arr(frame["data"][0]["x"])
    block = TAIL_POINTS + 2
    for i, run in enumerate(default_result.runs):
        head = x[i * block + TAIL_POINTS]
        assert head == pytest.approx(run.trajectory[min(s, run.steps_run), 0], rel=1e-5)


def test_default_payload_is_under_one_megabyte(default_result: Result) -> None:
    size = len(payload(figures.map_figure(default_result, arrows=figures.ARROW_KINDS)))
    size += len(payload(figures.traces_figure(default_result)))
    assert size < 1 * MB


def test_long_runs_are_thinned(long_result: Result) -> None:
    fig = figures.map_figure(long_result, arrows=figures.ARROW_KINDS)
    assert len(fig.to_dict()["frames"]) <= 150
    assert len(payload(fig)) < 1.5 * MB
    assert len(payload(figures.traces_figure(long_result))) < 1 * MB


def test_palette_is_fixed_and_shared_by_every_figure(default_result: Result) -> None:
    assert figures.PALETTE[:3] == ("#D55E00", "#0072B2", "#009E73")
    assert len(set(figures.PALETTE)) == len(figures.PALETTE)
    for i, run in enumerate(default_result.runs):
        c = figures.color(i)
        assert trace_named(figures.map_figure(default_result), run.label)["line"]["color"] == c
        assert trace_named(figures.surface_3d(default_result), run.label)["line"]["color"] == c
        lines = [
            t
            for t in figures.traces_figure(default_result).to_dict()["data"]
            if t.get("name") == run.label
        ]
        assert lines and all(t["line"]["color"] == c for t in lines)
    assert figures.color(len(figures.PALETTE)) == figures.PALETTE[0]


def test_figures_use_no_theme_template(default_result: Result) -> None:
    for fig in (
        figures.map_figure(default_result),
        figures.traces_figure(default_result),
        figures.surface_3d(default_result),
    ):
        assert fig.to_dict()["layout"]["template"] == {"layout": {}}


def test_pick_grid_is_last_invisible_and_covers_the_map(default_result: Result) -> None:
    data = figures.map_figure(default_result).to_dict()["data"]
    grid = data[-1]
    assert grid["name"] == figures.PICK_NAME
    assert grid["marker"]["opacity"] == 0 and grid["hoverinfo"] == "none"
    assert len(arr(grid["x"])) == PICK_GRID**2
    (x0, x1) = default_result.surface.x_range
    assert float(np.min(arr(grid["x"]))) == pytest.approx(x0) and float(
        np.max(arr(grid["x"]))
    ) == pytest.approx(x1)
    assert (
        figures.map_figure(default_result, pick_grid=False).to_dict()["data"][-1]["name"]
        != figures.PICK_NAME
    )


def test_arrows_point_along_minus_gradient_and_update(default_result: Result) -> None:
    step = 5
    d = figures.map_figure(default_result, step=step, arrows=("grad", "update")).to_dict()
    names = [t.get("name") for t in d["data"]]
    grad = d["data"][names.index(t("fig.grad", "en"))]
    upd = d["data"][names.index(t("fig.update", "en"))]
    gx, gy, ux, uy = (arr(grad["x"]), arr(grad["y"]), arr(upd["x"]), arr(upd["y"]))
    for i, run in enumerate(default_result.runs):
        p = run.trajectory[step]
        g = default_result.surface.grad(p)
        dx = np.array([gx[3 * i + 1] - gx[3 * i], gy[3 * i + 1] - gy[3 * i]])
        assert np.dot(dx, -g) > 0.99 * np.linalg.norm(dx) * np.linalg.norm(g)
        du = np.array([ux[3 * i + 1] - ux[3 * i], uy[3 * i + 1] - uy[3 * i]])
        step_vec = run.trajectory[step + 1] - p
        assert np.dot(du, step_vec) > 0.99 * np.linalg.norm(du) * np.linalg.norm(step_vec)


def test_saddle_escape_direction_is_drawn(saddle_result: Result) -> None:
    v = saddle_result.runs[0].verdict
    assert v["kind"] == "saddle"
    esc = trace_named(figures.map_figure(saddle_result), t("fig.escape", "en"))
    x = arr(esc["x"])
    y = arr(esc["y"])
    d = np.array([x[1] - x[0], y[1] - y[0]])
    assert abs(np.dot(d, v["escape_direction"])) == pytest.approx(np.linalg.norm(d), rel=1e-3)


def test_no_escape_trace_without_a_saddle(default_result: Result) -> None:
    names = [t.get("name") for t in figures.map_figure(default_result).to_dict()["data"]]
    assert t("fig.escape", "en") not in names


def test_traces_shade_the_verdict_stretch(default_result: Result) -> None:
    layout = figures.traces_figure(default_result).to_dict()["layout"]
    gd = default_result.runs[0]
    assert gd.verdict["kind"] == "oscillating"
    rects = [
        s for s in layout["shapes"] if s["type"] == "rect" and s["fillcolor"] == figures.color(0)
    ]
    assert len(rects) == 4  # one per panel
    assert all([r["x0"], r["x1"]] == gd.verdict["stretch"] for r in rects)
    assert any(a["text"] == "oscillating" for a in layout["annotations"])
    assert layout["yaxis2"]["type"] == "log"  # gradient norm


def test_traces_marker_follows_step(default_result: Result) -> None:
    d = figures.traces_figure(default_result, step=40).to_dict()
    cursor_lines = [s for s in d["layout"]["shapes"] if s["type"] == "line"]
    assert cursor_lines and all(s["x0"] == 40 for s in cursor_lines)
    loss_markers = [t for t in d["data"] if t.get("mode") == "markers" and t.get("yaxis") == "y"]
    assert list(arr(loss_markers[0]["y"])) == pytest.approx(
        [r.loss[40] for r in default_result.runs], rel=1e-5
    )


def test_traces_and_labels_in_chinese(default_result: Result) -> None:
    layout = figures.traces_figure(default_result, "zh").to_dict()["layout"]
    assert "步数" in layout["xaxis4"]["title"]["text"]
    assert any(a["text"] == "震荡" for a in layout["annotations"])
    assert (
        figures.map_figure(default_result, "zh").to_dict()["layout"]["title"]["text"]
        == "凸的狭长峡谷"
    )


def test_surface_3d_has_the_surface_and_every_path(default_result: Result) -> None:
    d = figures.surface_3d(default_result).to_dict()
    assert d["data"][0]["type"] == "surface"
    paths = [t for t in d["data"] if t["type"] == "scatter3d" and t.get("mode") == "lines"]
    assert [t["name"] for t in paths] == [r.label for r in default_result.runs]


def test_schedule_figure_draws_the_engine_sequence() -> None:
    params = {"T_max": 100, "eta_min": 0.0}
    d = figures.schedule_figure("cosine", 0.1, params, 100).to_dict()
    x = arr(d["data"][0]["x"]).astype(int)
    y = arr(d["data"][0]["y"])
    assert y == pytest.approx(lr_sequence("cosine", 0.1, params, 100)[x], rel=1e-6)
    flat = figures.schedule_figure(None, 0.3, None, 50).to_dict()
    assert set(arr(flat["data"][0]["y"]).round(6)) == {0.3}


def test_presentation_mode_scales_text_and_lines(default_result: Result) -> None:
    normal = figures.map_figure(default_result).to_dict()["layout"]
    big = figures.map_figure(default_result, presentation=True).to_dict()["layout"]
    assert big["font"]["size"] > normal["font"]["size"]
    assert big["height"] > normal["height"]


def test_frame_steps_and_thinning() -> None:
    assert list(frame_steps(10, 120)) == list(range(11))
    assert len(frame_steps(100_000, 120)) == 120
    # A run bouncing between two walls every step keeps points on both walls.
    bounce = np.array([1.0, -1.0] * 50_000)
    idx = path_indices(len(bounce))
    assert len(idx) <= 3100 and set(bounce[idx]) == {1.0, -1.0}
    # A single spike survives the thinning of a long series.
    series = np.ones(100_000)
    series[77_777] = 1e6
    assert 77_777 in envelope_indices(series)


def test_figures_never_import_streamlit() -> None:
    code = "import sys, figures; print('streamlit' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=figures.__path__[0] + "/..",
    )
    assert out.stdout.strip() == "False"


def test_map_handles_a_diverged_run() -> None:
    from lab import simulate

    res = simulate(
        {
            "surface": "ravine",
            "steps": 200,
            "runs": [{"optimizer": "sgd", "params": {"lr": 0.02}, "label": "too big"}],
        }
    )
    assert res.runs[0].verdict["kind"] == "diverged"
    fig = figures.map_figure(res, arrows=figures.ARROW_KINDS)
    go.Figure(json.loads(payload(fig)))
    assert all(math.isfinite(v) for v in arr(trace_named(fig, "too big")["x"]))


def test_labels_are_shown_as_typed_not_as_html(default_result: Result) -> None:
    """Plotly renders <a href>, <b>, <br> in names and hover text: a label (user text, maybe
    from a shared link) is escaped, and hover text takes it from the escaped name."""
    import dataclasses

    label = "<a href='http://example.com'>x</a> & %{y}"
    run = dataclasses.replace(default_result.runs[0], label=label)
    res = dataclasses.replace(default_result, runs=[run])
    escaped = "&lt;a href='http://example.com'&gt;x&lt;/a&gt; &amp; %{y}"
    for fig in (figures.map_figure(res), figures.traces_figure(res), figures.surface_3d(res)):
        named = [tr for tr in fig.to_dict()["data"] if "example.com" in str(tr.get("name", ""))]
        assert named and all(tr["name"] == escaped for tr in named)
        assert all("example" not in tr.get("hovertemplate", "") for tr in named)


@pytest.mark.parametrize(("width", "height"), [(1400, 640), (600, 900)])
def test_overview_puts_the_traces_panels_beside_or_under_the_map(
    default_result: Result, width: int, height: int
) -> None:
    layout = figures.overview_figure(default_result, width=width, height=height).to_dict()["layout"]
    panels = [layout[f"yaxis{n}"]["domain"] for n in range(2, 6)]
    if width >= height:  # side by side: the map left of the panels, both full height
        assert layout["xaxis"]["domain"][1] < layout["xaxis2"]["domain"][0]
        assert layout["yaxis"]["domain"] == [0.0, 1.0] and panels[0][1] == 1.0
    else:  # stacked: the panels under the map, all of the width
        assert layout["xaxis2"]["domain"] == [0.0, 1.0]
        assert max(d[1] for d in panels) < layout["yaxis"]["domain"][0]
    assert [panels[i][0] > panels[i + 1][1] for i in range(3)] == [True] * 3  # no overlap


def test_overview_panels_are_the_traces_figures_panels(default_result: Result) -> None:
    """One panel builder: the combined picture's panel lines are traces_figure's, on the
    axes after the map's."""
    lines = [
        tr for tr in figures.traces_figure(default_result).to_dict()["data"] if tr.get("xaxis")
    ]
    combined = figures.overview_figure(default_result, width=1400, height=640).to_dict()["data"]
    panel_lines = [tr for tr in combined if tr.get("xaxis", "x") != "x"]
    assert len(panel_lines) == len(lines)
    for a, b in zip(lines, panel_lines, strict=True):
        n = int(a["xaxis"][1:] or 1)
        assert b["xaxis"] == f"x{n + 1}" and b["yaxis"] == f"y{n + 1}"
        np.testing.assert_array_equal(arr(a["y"]), arr(b["y"]))


def test_animated_overview_moves_map_points_and_panel_markers_together(
    default_result: Result,
) -> None:
    d = figures.overview_figure(
        default_result, width=1400, height=640, animate=True, frames=12, frame_ms=90
    ).to_dict()
    frame = d["frames"][5]
    s = int(frame["name"])
    moved = [d["data"][i] for i in frame["traces"]]
    assert moved[0]["name"] == "trail" and sum(tr.get("mode") == "markers" for tr in moved) == 4
    loss = frame["data"][
        frame["traces"].index(next(i for i in frame["traces"] if d["data"][i].get("yaxis") == "y2"))
    ]
    assert list(arr(loss["y"])) == pytest.approx([r.loss[s] for r in default_result.runs], rel=1e-5)
    play = d["layout"]["updatemenus"][0]["buttons"][0]
    assert play["args"][1]["frame"]["duration"] == 90
