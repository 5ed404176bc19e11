"""The figure builders: one figure with one clock (what frames carry, what survives Play),
axes that teach, faithful long paths, the local quadratic model, payload, palette."""

from __future__ import annotations

import base64
import dataclasses
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
from figures import animation
from figures.panels import panel_axis, trusted_end
from figures.sampling import envelope_indices, frame_steps, path_indices
from figures.view import View, ViewError, view_options
from lab import Result, simulate
from lab.presets import get_preset
from optimizers.schedules import lr_sequence

MB = 1_000_000


def arr(v: object) -> np.ndarray:
    """A figure array as NumPy: plain lists, or Plotly's base64 typed-array form."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).astype(float)
    return np.asarray([np.nan if x is None else x for x in np.asarray(v, dtype=object).ravel()], dtype=float)


def spec(result: Result, view: View | None = None, **kw: object) -> dict:
    options = {"width": 1200, "height": 640, "step": 0, **kw}
    return figures.classroom_spec(result, view or View(), **options)  # type: ignore[arg-type]


def payload(d: dict) -> int:
    """The bytes the app sends (typed arrays in base64, ``ui.stage.figure_json``)."""
    from ui.stage import figure_json

    return len(figure_json(d))


def named(d: dict, name: str) -> list[dict]:
    return [tr for tr in d["data"] if tr.get("name") == name]


def test_the_figure_is_a_valid_plotly_figure(default_result: Result) -> None:
    d = spec(default_result, View(arrows=figures.ARROW_KINDS, local=0))
    go.Figure(json.loads(pio.to_json(d, validate=False)))  # full validation


def test_contour_lines_are_one_scatter_trace_and_the_surface_a_raster(default_result: Result) -> None:
    d = spec(default_result)
    (contours,) = named(d, "contours")
    assert contours["type"] == "scatter" and contours["mode"] == "lines"
    assert np.isnan(arr(contours["x"])).sum() >= 10  # several level pieces
    assert not any(tr["type"] in ("contour", "heatmap") for tr in d["data"])
    (image,) = d["layout"]["images"]
    assert image["source"].startswith("data:image/png;base64,") and image["layer"] == "below"


def test_frames_carry_only_what_moves(default_result: Result) -> None:
    d = spec(default_result, View(arrows=("grad",)))
    static = {i for i, tr in enumerate(d["data"]) if tr.get("name") in ("contours", "start", "known minimum")}
    for frame in d["frames"]:
        assert not static & set(frame["traces"])
        for tr in frame["data"]:
            assert set(tr) <= {"type", "x", "y", "text"}  # coordinates only: styles stay in data


def test_one_clock_moves_map_points_panel_markers_and_readouts_together(default_result: Result) -> None:
    """Resolved (merged onto its keyframe, as plotly.js shows it), the frame of step s has
    every run's head, path so far, panel markers and read-outs at step s."""
    d = spec(default_result)
    frames = animation.resolved(d["frames"])
    assert [int(f["name"]) for f in frames] == list(range(301))  # a short run: every step
    frame = frames[123]
    s = int(frame["name"])
    by_index = dict(zip(frame["traces"], frame["data"], strict=True))
    heads = by_index[next(i for i, tr in enumerate(d["data"]) if tr.get("name") == "heads")]
    for k, run in enumerate(default_result.runs):
        assert (heads["x"][k], heads["y"][k]) == pytest.approx(tuple(run.trajectory[s]), rel=1e-5)
    loss_cursor = next(i for i, tr in enumerate(d["data"]) if tr.get("name") == "cursor" and tr["yaxis"] == "y2")
    ys = [v for v in by_index[loss_cursor]["y"][3:] if v is not None]
    assert ys == pytest.approx([r.loss[s] for r in default_result.runs], rel=1e-5)
    loss_readout = next(i for i, tr in enumerate(d["data"]) if tr.get("name") == "readout" and tr["yaxis"] == "y2")
    assert by_index[loss_readout]["text"] == [f"{r.loss[s]:.3g}" for r in default_result.runs]
    # the path so far: every drawn point up to s, ending at the head
    done = next(i for i, tr in enumerate(d["data"]) if tr.get("showlegend") and tr.get("legendgroup") == "run0")
    grow = done + len(default_result.runs)
    path = np.concatenate([arr(by_index[done]["x"]), arr(by_index[grow]["x"])])
    assert path[-1] == pytest.approx(default_result.runs[0].trajectory[s, 0], rel=1e-5)
    assert len(path) >= s  # nothing of the path up to s is missing (300 steps: all drawn)


def test_keyframes_keep_frames_small(long_result: Result) -> None:
    """A frame carries its piece of the path since its keyframe, not the whole path so far."""
    d = spec(long_result)
    sizes = [sum(len(arr(tr["x"])) for tr in f["data"]) for f in d["frames"]]
    keyed = [f for f in d["frames"] if "baseframe" in f]
    assert keyed and len(keyed) > 0.8 * len(d["frames"])
    assert max(sizes) < 3 * 3000 and np.median(sizes) < 1500
    assert payload(d) < 2.5 * MB


def test_events_slow_the_animation_down() -> None:
    """Around each of Adagrad's bursts Play shows every step (preset 3)."""
    res = simulate(get_preset("03").scenario)
    steps = [int(f["name"]) for f in spec(res)["frames"]]
    for e in res.runs[0].verdict["events"]:
        assert set(range(e["step"], e["end_step"] + 1)) <= set(steps)
    assert len(steps) < 400


def test_paths_are_revealed_or_drawn_whole(default_result: Result) -> None:
    revealed = spec(default_result, step=0)
    whole = spec(default_result, View(reveal=False), step=0)
    curtains = named(revealed, "curtain")
    assert len(curtains) == 4 and arr(curtains[0]["x"])[0] == 0  # nothing played yet
    assert not named(whole, "curtain")
    layout = revealed["layout"]
    for c in curtains:  # past every edge of its panel: no row of pixels left half covered
        axis = layout["yaxis" + c["yaxis"][1:]]
        lo, hi = axis["range"]
        ys = arr(c["y"])
        ys = np.log10(ys) if axis["type"] == "log" else ys
        assert ys.min() < lo - 0.01 * (hi - lo) and ys.max() > hi + 0.01 * (hi - lo)
    adam = [tr for tr in whole["data"] if tr.get("name") == "Adam η=0.1" and "customdata" in tr]
    assert len(arr(adam[0]["x"])) == 301  # the whole path from the start


# --- axes that teach -------------------------------------------------------------------
def test_gradient_axis_spans_decades_around_a_flat_gradient() -> None:
    """Preset 1: ‖g‖ stays at 200; its axis spans three decades below it, so the line sits at
    the top ("large"), not across the whole panel."""
    res = simulate(get_preset("01").scenario)
    axis = panel_axis(res, "grad_norm", View())
    assert axis.log and axis.hi - axis.lo >= 2
    assert axis.lo < math.log10(200) - 2 < math.log10(200) < axis.hi < math.log10(200) + 0.5


def test_loss_axis_from_zero_or_log() -> None:
    res = simulate(get_preset("01").scenario)
    lin = panel_axis(res, "loss", View())
    assert not lin.log and -0.03 * lin.hi < lin.lo < 0 and lin.hi >= res.runs[0].loss.max()  # from 0
    log = panel_axis(res, "loss", View(loss_axis="log"))
    assert log.log and log.ref == 0 and log.hi - log.lo >= 2
    d = spec(res, View(loss_axis="log"))
    assert d["layout"]["yaxis2"]["type"] == "log" and d["layout"]["yaxis2"]["dtick"] >= 1


def test_a_diverging_run_leaves_through_the_edge_with_a_mark() -> None:
    res = simulate(
        {
            "surface": "ravine",
            "steps": 300,
            "runs": [
                {"optimizer": "sgd", "params": {"lr": 0.02}, "label": "too big"},
                {"optimizer": "adam", "params": {"lr": 0.1}, "label": "Adam"},
            ],
        }
    )
    assert res.runs[0].verdict["kind"] == "diverged"
    axis = panel_axis(res, "loss", View())
    assert axis.hi < 2 * max(r.loss[0] for r in res.runs)  # not stretched to 1e13
    assert trusted_end(res.runs[1]) == res.runs[1].steps_run + 1
    (marks,) = named(spec(res), "marks")
    assert any(text == t("fig.diverged_at", "en", step=res.runs[0].verdict["step"]) for text in marks["text"])
    go.Figure(json.loads(pio.to_json(spec(res), validate=False)))


def test_a_mark_in_the_last_quarter_of_the_steps_writes_its_word_to_the_left(default_result: Result) -> None:
    (marks,) = named(spec(default_result), "marks")
    last = max(r.steps_run for r in default_result.runs)
    sides = dict(zip(marks["x"], marks["textposition"], strict=True))
    assert sides and all(side == ("bottom left" if x > 0.75 * last else "bottom right") for x, side in sides.items())
    assert "bottom left" in sides.values()  # the ravine's bounce, since step 233 of 300


@pytest.mark.parametrize("hi", [10, 60, 300, 500, 1000, 1500, 2000, 5000, 30_000, 100_000])
def test_step_ticks_are_few_round_numbers(hi: int) -> None:
    from figures.panels import step_ticks

    ticks = step_ticks(0, hi)
    gaps = set(np.diff(ticks).tolist())
    assert 2 <= len(ticks) <= 4 and ticks[0] == 0 and ticks[-1] <= hi and len(gaps) == 1
    (gap,) = gaps
    assert gap / 10 ** np.floor(np.log10(gap)) in (1, 2, 5)  # 1, 2 or 5 x 10^k: 0, 50k, 100k


def test_zoomed_panels_read_their_curves_end_once_the_clock_has_passed_it() -> None:
    res = simulate(get_preset("07").scenario)  # 500 steps; its panels zoomed on 0-60
    d = spec(res, View(steps=(0, 60)))
    index = {i: tr.get("name") for i, tr in enumerate(d["data"])}
    last = d["frames"][-1]
    assert int(last["name"]) == 500
    moved = dict(zip(last["traces"], last["data"], strict=True))
    cursors = [moved[i] for i in moved if index[i] == "cursor"]
    readouts = [moved[i] for i in moved if index[i] == "readout"]
    assert cursors and all(arr(c["x"])[0] == 60 for c in cursors)  # the marker at the curves' end
    loss_text = next(moved[i]["text"] for i in moved if index[i] == "readout" and d["data"][i]["yaxis"] == "y2")
    assert loss_text == [f"{r.loss[60]:.3g}" for r in res.runs]  # 5.67, 5.78: not step 500's 0.699
    assert len(readouts) == len(cursors)
    whole = spec(res, View())  # not zoomed: the clock's own step
    last = whole["frames"][-1]
    moved = dict(zip(last["traces"], last["data"], strict=True))
    assert all(arr(moved[i]["x"])[0] == 500 for i in moved if index[i] == "cursor")


def test_log_axes_label_decades_only(default_result: Result) -> None:
    layout = spec(default_result)["layout"]
    for n in (3, 4, 5):  # ‖g‖, η, η/σ
        axis = layout[f"yaxis{n}"]
        assert axis["type"] == "log" and isinstance(axis["dtick"], int) and axis["dtick"] >= 1


# --- faithful long runs ------------------------------------------------------------------
def _raster(pts: np.ndarray, px: int = 500) -> np.ndarray:
    """The pixels a polyline (in [0, 1]²) covers on a px × px screen."""
    g = np.zeros((px, px), bool)
    for a in range(0, len(pts) - 1, 20000):
        p, q = pts[a : a + 20001][:-1], pts[a + 1 : a + 20001]
        n = np.maximum(1, np.ceil(np.abs(q - p).max(1) * px).astype(int))
        rep = np.repeat(np.arange(len(p)), n)
        frac = (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)) / np.repeat(n, n)
        ij = np.clip(((p[rep] + (q - p)[rep] * frac[:, None]) * (px - 1)).round().astype(int), 0, px - 1)
        g[ij[:, 1], ij[:, 0]] = True
    return g


def _near(g: np.ndarray) -> np.ndarray:
    h = g.copy()
    h[1:] |= g[:-1]
    h[:-1] |= g[1:]
    v = h.copy()
    h[:, 1:] |= v[:, :-1]
    h[:, :-1] |= v[:, 1:]
    return h


def _coverage(true: np.ndarray, drawn: np.ndarray) -> tuple[float, float]:
    """Fraction of the true path's pixels within a pixel of the drawn path, and back."""
    a, b = _raster(true), _raster(drawn)
    return float((a & _near(b)).sum() / a.sum()), float((b & _near(a)).sum() / b.sum())


def test_a_long_path_is_drawn_as_it_is(long_result: Result) -> None:
    """100,000 steps: GD bouncing across the ravine fills a band (not a square wave), Adam's
    curve keeps its bends; the thinned path covers the true path's pixels on a 500 px screen.
    The old thinning (pairs of points every few steps) fails the same measure."""
    lo, span = np.array([-10.0, -2.0]), np.array([12.0, 4.0])
    exact = simulate({**long_result.scenario.to_dict(), "noise": {"std": 0.0, "seed": 0}})
    for run in exact.runs:
        pts = (run.trajectory - lo) / span
        idx = path_indices(run.trajectory, span=tuple(span))
        assert len(idx) <= 2500
        covered, onto = _coverage(pts, pts[idx])
        assert covered > 0.99 and onto > 0.99, run.label
    gd = (exact.runs[0].trajectory - lo) / span
    n = len(gd)
    starts = np.arange(0, n - 1, 67)
    old = np.unique(np.concatenate([starts, starts + 1, [n - 1]]))
    assert _coverage(gd, gd[old])[0] < 0.5


def test_frame_steps_and_envelope() -> None:
    assert list(frame_steps(10, 120)) == list(range(11))
    assert len(frame_steps(100_000, 120)) == 120
    dense = frame_steps(100_000, 120, [(500, 520)])
    assert set(range(500, 521)) <= set(dense)
    series = np.ones(100_000)
    series[77_777] = 1e6
    assert 77_777 in envelope_indices(series)


# --- colours, arrows, labels ------------------------------------------------------------
def test_each_run_keeps_its_colour_everywhere(default_result: Result) -> None:
    colors = ("#111111", "#222222", "#333333")
    d = spec(default_result, View(colors=colors, arrows=("update",), reveal=False))
    for i, run in enumerate(default_result.runs):
        lines = [tr for tr in d["data"] if tr.get("name") == run.label]
        assert lines and all(tr["line"]["color"] == colors[i] for tr in lines)
    arrows = [tr for tr in d["data"] if tr.get("name") == "arrow-update"]
    assert [tr["line"]["color"] for tr in arrows] == list(colors)  # arrows in their run's colour
    assert figures.PALETTE[:3] == ("#D55E00", "#0072B2", "#009E73")


def test_arrows_point_along_minus_gradient_and_update(default_result: Result) -> None:
    step = 5
    d = spec(default_result, View(arrows=("grad", "update")), step=step)
    grads = [tr for tr in d["data"] if tr.get("name") == "arrow-grad"]
    upds = [tr for tr in d["data"] if tr.get("name") == "arrow-update"]
    for run, g_tr, u_tr in zip(default_result.runs, grads, upds, strict=True):
        p = run.trajectory[step]
        g = default_result.surface.grad(p)
        dx = np.array([g_tr["x"][1] - g_tr["x"][0], g_tr["y"][1] - g_tr["y"][0]])
        assert np.dot(dx, -g) > 0.99 * np.linalg.norm(dx) * np.linalg.norm(g)
        du = np.array([u_tr["x"][1] - u_tr["x"][0], u_tr["y"][1] - u_tr["y"][0]])
        sv = run.trajectory[step + 1] - p
        assert np.dot(du, sv) > 0.99 * np.linalg.norm(du) * np.linalg.norm(sv)


def test_labels_are_shown_as_typed_not_as_html(default_result: Result) -> None:
    label = "<a href='http://example.com'>x</a> & %{y}"
    run = dataclasses.replace(default_result.runs[0], label=label)
    res = dataclasses.replace(default_result, runs=[run])
    escaped = "&lt;a href='http://example.com'&gt;x&lt;/a&gt; &amp; %{y}"
    for d in (spec(res), spec(res, View(reveal=False)), figures.surface_3d(res).to_dict()):
        hits = [tr for tr in d["data"] if "example.com" in str(tr.get("name", ""))]
        assert hits and all(tr["name"] == escaped for tr in hits)
        assert all("example" not in str(tr.get("hovertemplate", "")) for tr in hits)


# --- the local quadratic model ----------------------------------------------------------
def test_local_model_of_a_saddle(saddle_result: Result) -> None:
    """At the saddle (1 − w₁w₂)² stops in: one eigenvector dashed (λ = −2) along [1, 1]."""
    d = spec(saddle_result, View(local=0), step=saddle_result.runs[0].steps_run)
    (neg,) = named(d, "local-eig-")
    (pos,) = named(d, "local-eig+")
    (labels,) = named(d, "local-labels")
    x, y = arr(neg["x"]), arr(neg["y"])
    seg = np.array([x[1] - x[0], y[1] - y[0]])
    seg = seg[~np.isnan(seg)] if np.isnan(seg).any() else seg
    ok = ~np.isnan(x)
    xs, ys = x[ok], y[ok]
    direction = np.array([xs[1] - xs[0], ys[1] - ys[0]])
    assert abs(direction @ np.array([1, 1]) / np.linalg.norm(direction) / math.sqrt(2)) == pytest.approx(1, abs=1e-3)
    assert np.count_nonzero(~np.isnan(arr(pos["x"]))) == 2  # the positive one, solid
    assert any("-2" in text for text in labels["text"])
    (model,) = named(d, "local-model")
    assert np.count_nonzero(~np.isnan(arr(model["x"]))) > 20


def test_local_model_labels_keep_clear_of_the_point() -> None:
    """Preset 9 ends at a minimum whose curvatures differ 70-fold: the short eigenvector's
    label at its tip (0.008 of the map away) covered the point and the star under it. Every
    label is now > 0.1 of the map away from the point."""
    res = simulate(get_preset("09").scenario)
    run = res.runs[0]
    d = spec(res, View(local=0), step=run.steps_run)
    (labels,) = named(d, "local-labels")
    s = res.surface
    box = np.array([s.x_range[1] - s.x_range[0], s.y_range[1] - s.y_range[0]])
    p = run.trajectory[-1]
    for x, y in zip(arr(labels["x"]), arr(labels["y"]), strict=True):
        assert np.hypot(*((np.array([x, y]) - p) / box)) > 0.1


@pytest.mark.parametrize("name", ["05", "09"])
def test_local_model_labels_stand_at_the_tip_the_paths_leave_clear(name: str) -> None:
    """Preset 9's "λ₁ = −2" stood at the lower tip of the dashed eigenvector, on the small
    batch's path into the valley: each label now takes the tip of its eigenvector with fewer
    path points near it, here none (preset 5's stay where they were: nothing lies there)."""
    from figures.local import LABEL_ROOM

    p = get_preset(name)
    res = simulate(p.scenario)
    view = View(**view_options(p.view))
    d = spec(res, view, step=res.runs[0].steps_run)
    (labels,) = named(d, "local-labels")
    s = res.surface
    box = np.array([s.x_range[1] - s.x_range[0], s.y_range[1] - s.y_range[0]])
    paths = np.concatenate([r.trajectory for r in res.runs]) / box
    for x, y in zip(arr(labels["x"]), arr(labels["y"]), strict=True):
        assert not np.any(np.hypot(*(paths - np.array([x, y]) / box).T) < LABEL_ROOM), (name, x, y)


# --- the rest -------------------------------------------------------------------------------
def test_view_options_check_a_preset_view() -> None:
    assert view_options({"steps": [0, 60], "local": 2, "paths": "whole"}) == {
        "steps": (0.0, 60.0), "local": 1, "reveal": False,
    }  # fmt: skip
    for bad in ({"steps": [5, 1]}, {"local": 0}, {"zoom": 1}, {"panels": ["loss", "loss"]}, {"panels": []}, {"panels": "loss"}):
        with pytest.raises(ViewError, match="view"):
            view_options(bad)


@pytest.mark.parametrize(("width", "height"), [(1400, 640), (600, 900)])
def test_panels_beside_or_under_the_map(default_result: Result, width: int, height: int) -> None:
    layout = figures.overview_figure(default_result, width=width, height=height).to_dict()["layout"]
    panels = [layout[f"yaxis{n}"]["domain"] for n in range(2, 6)]
    if width >= height:
        assert layout["xaxis"]["domain"][1] < layout["xaxis2"]["domain"][0]
    else:
        assert max(d[1] for d in panels) < layout["yaxis"]["domain"][0]
    assert [panels[i][0] > panels[i + 1][1] for i in range(3)] == [True] * 3


def test_exported_figure_plays_with_its_own_buttons(default_result: Result) -> None:
    d = figures.overview_figure(default_result, width=1400, height=640, animate=True, frame_ms=90).to_dict()
    play = d["layout"]["updatemenus"][0]["buttons"][0]
    assert play["args"][1]["frame"]["duration"] == 90
    assert "updatemenus" not in spec(default_result)["layout"]  # the app has its toolbar


def test_default_payload_is_small(default_result: Result) -> None:
    assert payload(spec(default_result, View(arrows=figures.ARROW_KINDS))) < 1.6 * MB


def test_surface_3d_and_schedule_figures(default_result: Result) -> None:
    d = figures.surface_3d(default_result).to_dict()
    assert d["data"][0]["type"] == "surface"
    params = {"T_max": 100, "eta_min": 0.0}
    s = figures.schedule_figure("cosine", 0.1, params, 100).to_dict()
    x = arr(s["data"][0]["x"]).astype(int)
    assert arr(s["data"][0]["y"]) == pytest.approx(lr_sequence("cosine", 0.1, params, 100)[x], rel=1e-6)


def test_presentation_mode_scales_text_and_lines(default_result: Result) -> None:
    normal = spec(default_result)["layout"]
    big = spec(default_result, View(presentation=True))["layout"]
    assert big["font"]["size"] > normal["font"]["size"]


def test_frame_stills_follow_the_frames(default_result: Result) -> None:
    static = spec(default_result, animate=False, step=300)
    animated = spec(default_result, step=0)  # the app's pacing: a frame per step
    stills = animation.frame_stills(static, animated, "en")
    s, fig = stills[40]
    heads = next(tr for tr in fig["data"] if tr.get("name") == "heads")
    assert heads["x"][0] == pytest.approx(default_result.runs[0].trajectory[s, 0], rel=1e-5)


def test_figures_never_import_streamlit() -> None:
    code = "import sys, figures; print('streamlit' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=figures.__path__[0] + "/..",
    )  # fmt: skip
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("width", [700, 1050])  # the stage at 1024 and 1366 px with the sidebar
def test_the_read_outs_fit_right_of_the_panels(default_result: Result, width: int) -> None:
    """The read-out column is wide enough for a run's two numbers ("0.069|8.4e-3") at any
    width: at 1024 px the η/σ read-out was cut at the figure's edge."""
    fig = spec(default_result, width=width)
    layout = fig["layout"]
    lo, hi = layout["xaxis2"]["range"]
    margin = layout["margin"]
    panel_px = (width - margin["l"] - margin["r"]) * (layout["xaxis2"]["domain"][1] - layout["xaxis2"]["domain"][0])
    column_px = panel_px * (hi - 300) / (hi - lo)  # right of the last step
    font = layout.get("font", {}).get("size", 13)
    texts = [t for tr in fig["data"] if tr.get("name") == "readout" for t in tr["text"]]
    longest = max(len(t) for t in texts)
    assert column_px >= 0.6 * (font - 1) * longest + 6, (column_px, longest)


def test_a_burst_still_going_at_the_end_gets_its_window() -> None:
    """A burst whose loss has not come back down when the run ends has no end step (None):
    Play still slows down around it (a load benchmark's session found the figure failing on
    it: RMSProp added to the default runs with gradient noise, 490 steps)."""
    from figures.overview import EVENT_WINDOW, event_windows

    res = simulate({
        "surface": "ravine", "start": [-9.0, 1.0], "steps": 490, "noise": {"seed": 0, "std": 3.128162462313139},
        "runs": [{"optimizer": "sgd", "params": {"lr": 0.01}}, {"optimizer": "sgd", "params": {"lr": 1e-4}},
                 {"optimizer": "adam", "params": {"lr": 0.1}}, {"optimizer": "rmsprop_lecture", "params": {"lr": 0.1}}],
    })  # fmt: skip
    open_ended = [e for r in res.runs for e in r.verdict["events"] if e["kind"] == "burst" and e["end_step"] is None]
    assert open_ended
    e = open_ended[0]
    assert (e["step"] - EVENT_WINDOW, e["step"] + EVENT_WINDOW) in event_windows(res)
    figures.classroom_spec(res, View(), width=1000, height=640, step=0)


def test_a_curtain_near_the_largest_float_stays_finite() -> None:
    """A loss near 1e308 puts the log axis's end there; the curtain reaching past it must not
    overflow (CI's hostile-scenario examples found 10**(308 + pad))."""
    res = simulate({"surface": {"expr": "x*1e308 + y**2"}, "steps": 1,
                    "runs": [{"optimizer": "adadelta", "params": {"lr": 1e-12}}]})  # fmt: skip
    for c in named(spec(res), "curtain"):
        assert np.all(np.isfinite(arr(c["y"])))


def _limit_notes(d: dict, panel_number: int) -> list[tuple[float, str]]:
    """The stability-limit lines of one panel (yaxis number) with their labels' text."""
    yref = f"y{panel_number} domain"
    lines = [s for s in d["layout"].get("shapes", []) if s.get("yref") == yref and s.get("type") == "line"]
    notes = [a["text"] for a in d["layout"].get("annotations", []) if a.get("yref") == yref and "2/" in a["text"]]
    return [(s["y0"], n) for s, n in zip(lines, notes, strict=True)]


def test_step_limits_are_two_over_the_curvatures() -> None:
    from lab.sweep_theory import step_limits
    from surfaces import make_surface

    assert step_limits(make_surface("ravine")) == {"lr": 0.01, "coords": [2.0, 0.01]}  # diag(1, 200)
    rotated = step_limits(make_surface("rotated_ravine"))  # curvatures 1 and 50, not axis-aligned
    assert rotated is not None and rotated["lr"] == pytest.approx(2 / 50, rel=1e-12) and rotated["coords"] is None
    for name in ("saddle", "rosenbrock", "himmelblau", "dip"):  # a saddle, or no constant Hessian
        assert step_limits(make_surface(name)) is None, name
    formula = step_limits(make_surface({"expr": "3*x^2 + 0.5*y^2"}))
    assert formula == {"lr": pytest.approx(2 / 6), "coords": [pytest.approx(2 / 6), pytest.approx(2.0)]}


def test_the_stability_limit_is_drawn_where_a_run_meets_it() -> None:
    """Preset 1's η lies on gradient descent's limit 2/200 (the bounce that never dies); preset
    3's Adagrad climbs through its y limit 2/H_yy = 0.01 (the bursts). A run that is not plain
    gradient descent gets no line on the η panel; a surface without a constant Hessian none."""
    from figures.view import PANELS

    number = {p: i for i, p in enumerate(PANELS)}
    d1 = spec(simulate(get_preset("01").scenario))
    base = 2 + number["loss"]  # panel yaxis numbers follow the map's (yaxis 1)
    lr = _limit_notes(d1, base + number["lr"])
    assert [n for _, n in lr] == [t("fig.limit", "en", v="0.01")]
    per_coord = [t("fig.limit_coord", "en", name="xx", v="2"), t("fig.limit_coord", "en", name="yy", v="0.01")]
    eff = _limit_notes(d1, base + number["eff_lr"])
    assert [n for _, n in eff] == per_coord  # the flat x: 200x under its limit; the steep y on it
    assert eff[1][0] < eff[0][0]  # y's limit lower on the panel
    d3 = spec(simulate(get_preset("03").scenario))
    assert [n for _, n in _limit_notes(d3, base + number["lr"])] == []  # Adagrad: η is not the step's factor
    assert [n for _, n in _limit_notes(d3, base + number["eff_lr"])] == per_coord
    # preset 2's η, five decades under its limit: the axis reaches up to the limit
    res2 = simulate(get_preset("02").scenario)
    axis = panel_axis(res2, "lr", View())
    assert axis.lo < -7 and axis.hi > -2 and [n for _, n in _limit_notes(spec(res2), base + number["lr"])]
    d8 = spec(simulate(get_preset("08").scenario))  # Adam on a diagonal quadratic: its σ follows |g|
    assert not any("2/" in a["text"] for a in d8["layout"].get("annotations", []))
    d7 = spec(simulate(get_preset("07").scenario))  # Rosenbrock
    assert not any("2/" in a["text"] for a in d7["layout"].get("annotations", []))


def test_a_burst_within_the_panels_resolution_is_not_marked() -> None:
    """RMSProp on x⁴ + y⁴ bursts from 0 to about 0.25 six times (its card lists them), a pixel
    or two on a loss axis of 18 beside the other runs: no mark there; preset 3's bursts are
    marked."""
    res = simulate({
        "surface": {"expr": "x**4 + y**4", "x_range": [-2, 2], "y_range": [-2, 2]}, "steps": 2500,
        "start": [-1.9220796322474873, 1.4271268331755693], "noise": {"std": 0.000586383601617535, "seed": 26},
        "runs": [{"optimizer": "adam", "params": {"lr": 0.0007227210715938738}},
                 {"optimizer": "rmsprop_lecture", "params": {"lr": 0.30870727879955423}}],
    })  # fmt: skip
    assert any(e["kind"] == "burst" for r in res.runs for e in r.verdict["events"])
    assert not any(t("fig.burst", "en") in m["text"] for m in named(spec(res), "marks"))
    (marks,) = named(spec(simulate(get_preset("03").scenario)), "marks")
    # three triangles, numbered: the word on the first only (on all three the words ran into
    # one another at 1024 px): "burst 1", "2", "3"
    bursts = [m for m in marks["text"] if m[-1:].isdigit()]
    assert bursts == [t("fig.burst_n", "en", n=1), "2", "3"], marks["text"]


def test_a_loss_at_its_minimum_reads_zero_not_rounding() -> None:
    """Preset 6's momentum run after 500 steps ends at loss -4.1e-23 (rounding at a minimum
    of value 0): its read-out on the linear loss axis says 0; a log axis keeps small values as
    they are."""
    res = simulate({**get_preset("06").scenario, "steps": 500})
    assert abs(res.runs[1].loss[-1]) < 1e-20
    d = spec(res, step=res.runs[1].steps_run)
    loss_readout = named(d, "readout")[0]
    assert loss_readout["text"][1] == "0", loss_readout["text"]
    assert "e-" in named(d, "readout")[1]["text"][1]  # ||g|| (log) 4.4e-12 as it is


def test_a_saddle_passed_is_marked_once_its_run_gets_there() -> None:
    """Preset 9 mid-Play (step 145): the small batch passed the saddle at step 122, the large
    batch passes it at 216. Its mark drawn from step 0 read as "the large batch passed first"."""
    res = simulate(get_preset("09").scenario)
    passed = {i: e["step"] for i, r in enumerate(res.runs) for e in r.verdict["events"] if e["kind"] == "left_saddle"}
    assert passed[0] < 145 < passed[2]
    d = spec(res, step=145)
    (marks,) = named(d, t("fig.passed_saddle", "en"))
    shown = ~np.isnan(arr(marks["x"]))
    assert shown.tolist() == [True, False]  # the small batch's mark, not yet the large batch's
    end = spec(res, step=res.runs[0].steps_run)
    (marks,) = named(end, t("fig.passed_saddle", "en"))
    assert (~np.isnan(arr(marks["x"]))).all()
    whole = spec(res, View(reveal=False), step=145)  # whole paths: every mark at once
    (marks,) = named(whole, t("fig.passed_saddle", "en"))
    assert (~np.isnan(arr(marks["x"]))).all()


def test_the_local_model_is_drawn_under_the_paths() -> None:
    """Preset 5's eigenvector λ₂ lies on the line the run slides down: drawn over the path it
    hid it (round 7 of the lesson review). The model's traces come before the paths, the
    current points after both."""
    from figures.view import view_options

    p = get_preset("05")
    res = simulate(p.scenario)
    d = spec(res, View(**view_options(p.view)), step=res.runs[0].steps_run)
    names = [tr.get("name") for tr in d["data"]]
    on_map = [i for i, tr in enumerate(d["data"]) if tr.get("legendgroup") == "run0" and tr.get("xaxis") in (None, "x")]
    assert max(names.index(n) for n in ("local-model", "local-eig+", "local-eig-", "local-labels")) < min(on_map)
    assert names.index("heads") > max(on_map)


def test_limit_labels_stand_at_the_left_unless_another_is_near() -> None:
    """Preset 3's two η/σ limits (2 and 0.01) are decades apart: both labels at the left. The
    second one half-way along ran past the panel's end into the read-outs at 1024 px."""
    res = simulate(get_preset("03").scenario)
    d = spec(res)
    notes = [a for a in d["layout"]["annotations"] if a["text"].startswith("stable below 2/H")]
    assert len(notes) == 2 and all(a["x"] == pytest.approx(0.01 * 1500) for a in notes)
    from figures.panels import LIMIT_APART, limit_lines
    from figures.panels import panel_axis as axis_of

    axis = axis_of(res, "eff_lr", View())
    assert abs(math.log10(2 / 200) - math.log10(2)) / (axis.hi - axis.lo) > LIMIT_APART
    _, labels = limit_lines(res, axis, 5, View())
    assert [a["x"] for a in labels] == [pytest.approx(15.0)] * 2


@pytest.mark.parametrize(("width", "words"), [(1366, True), (690, False)])
def test_a_limit_label_too_long_for_its_panel_loses_its_words(width: int, words: bool) -> None:
    """At 1024 px preset 1's "stable below 2/λmax = 0.01" was longer than the η panel and ran
    into its read-out: where it does not fit it says "2/λmax = 0.01", and fits."""

    from figures.style import label_px

    res = simulate(get_preset("01").scenario)
    d = spec(res, View(**view_options(get_preset("01").view)), step=300, width=width, height=600)
    notes = [a for a in d["layout"]["annotations"] if "2/" in a["text"] and "=" in a["text"]]
    assert len(notes) == 1  # 2/λmax on the η panel (its view shows the step length, not η/σ)
    assert all(a["text"].startswith("stable below") == words for a in notes)
    lay = d["layout"]
    for a in notes:
        ax = lay["xaxis" + a["xref"][1:]]
        lo, hi = ax["range"]
        px = (width - lay["margin"]["l"] - lay["margin"]["r"]) * (ax["domain"][1] - ax["domain"][0])
        room = px * (300 - a["x"]) / (hi - lo)  # from the label's start to the curves' end
        assert label_px(a["text"], a["font"]["size"]) <= room


def test_the_local_model_and_fewer_panels_are_in_the_picture_as_named() -> None:
    """Preset 5's local model contours are in its run's colour: the legend names them (the
    review read them as the run's own); presets 5 and 9 show two panels, loss and ‖g‖ (η and
    η/σ of plain GD were four flat lines of 0.01 the review could not place)."""
    from core.text import t

    for name in ("05", "09"):
        p = get_preset(name)
        res = simulate(p.scenario)
        view = View(**view_options(p.view))
        assert view.panels == ("loss", "grad_norm")
        d = spec(res, view, step=0)
        names = [tr.get("name") for tr in d["data"] if isinstance(tr.get("x"), list) and tr["x"] == [None]]
        assert t("fig.local_model", "en") in names and t("fig.local_eig", "en") in names
        assert "yaxis4" not in d["layout"] and "yaxis3" in d["layout"]
    plain = spec(simulate(get_preset("01").scenario), View(), step=0)
    assert t("fig.local_model", "en") not in [tr.get("name") for tr in plain["data"]]
    from ui.model import AppState
    from ui.url import decode, encode

    back, ignored = decode(encode(AppState(panels=("loss", "grad_norm"))))
    assert not ignored and back.panels == ("loss", "grad_norm")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_runs_passing_one_saddle_say_their_steps_beside_its_marks(lang: str) -> None:
    """Preset 9's caption: the large batch passed the saddle about 100 steps after the small
    one. The cards saying so were below the fold; the map prints each run's step beside its
    hourglass, in its colour, one to the right and one to the left (not over one another),
    from the step the run passed there on."""
    p = get_preset("09")
    res = simulate(p.scenario)
    passed = [e["step"] for r in res.runs for e in r.verdict["events"] if e["kind"] == "left_saddle"]
    assert len(passed) == 2 and 70 <= passed[1] - passed[0] <= 130
    view = View(**{**view_options(p.view), "lang": lang})
    (mark,) = named(spec(res, view, step=res.runs[0].steps_run), t("fig.passed_saddle", lang))
    assert mark["text"] == [t("fig.passed_step", lang, step=f"{k:,}") for k in passed]
    assert mark["textposition"] == ["middle right", "middle left"]
    assert mark["textfont"]["color"] == [view.color(0), view.color(2)] == mark["marker"]["color"]
    d = spec(res, view, step=0)
    frames = {int(f["name"]): dict(zip(f["traces"], f["data"], strict=True)) for f in d["frames"]}
    i = next(k for k, tr in enumerate(d["data"]) if tr.get("name") == t("fig.passed_saddle", lang))
    before = max(s for s in frames if s < passed[0])
    assert all(x is None for x in frames[before][i]["x"])  # not before the run gets there


def test_marks_at_several_places_print_no_steps() -> None:
    """Runs passing different saddles (Himmelblau's four basins from the middle) keep their
    hourglasses without words: steps at several places would print over the paths."""
    from figures.map import _passed_saddles

    res = simulate(get_preset("09").scenario)
    style, _ = _passed_saddles(res, View())
    assert all(style["text"])
    moved = dataclasses.replace(res, runs=[res.runs[0], res.runs[2]])
    e = next(e for e in moved.runs[1].verdict["events"] if e["kind"] == "left_saddle")
    e["point"] = [0.9, 0.9]  # as if the second run passed another saddle
    try:
        style, _ = _passed_saddles(moved, View())
        assert style["text"] == ["", ""]
    finally:
        e["point"] = [0.0, 0.0]


def test_escape_arrows_show_once_their_run_has_ended() -> None:
    """Drawn from step 0, the escape direction gave the ending away, and mid-Play it stood
    beside the local model's dashed eigenvector at the run's current point (preset 9): it
    shows from the step its run ends on; with whole paths, at once."""
    p = get_preset("05")
    res = simulate(p.scenario)
    end = res.runs[0].steps_run
    d = spec(res, View(**view_options(p.view)), step=0)
    i = next(k for k, tr in enumerate(d["data"]) if tr.get("name") == t("fig.escape", "en"))
    frames = {int(f["name"]): dict(zip(f["traces"], f["data"], strict=True)) for f in d["frames"]}
    assert all(x is None for x in frames[max(s for s in frames if s < end)][i]["x"])
    shown = [x for x in frames[end][i]["x"] if x is not None]
    assert len(shown) == 4 and shown[0] == pytest.approx(0.0, abs=1e-6)  # both ways from (0, 0)
    whole = spec(res, View(**view_options(p.view), reveal=False), step=0)
    (arrows,) = named(whole, t("fig.escape", "en"))
    assert len([x for x in arrows["x"] if x is not None]) == 4


def test_the_legend_names_a_start_only_when_the_map_shows_it() -> None:
    """Preset 4's zoom on the cliff leaves its start (−3.5, 1) off the map: no "start" in the
    legend; the whole map shows it."""
    p = get_preset("04")
    res = simulate(p.scenario)
    (start,) = named(spec(res, View(**view_options(p.view))), t("fig.start", "en"))
    assert start["showlegend"] is False
    (start,) = named(spec(res, View()), t("fig.start", "en"))
    assert start["showlegend"] is True


def test_no_contour_specks_on_rosenbrock() -> None:
    """Rosenbrock's valley floor near (1.7, 2.8) gave three closed level lines a few grid
    cells long: "stray grey dashes" in two lesson reviews. Closed pieces smaller than
    ``SPECK`` of the box are left out; the rings around the minimum stay."""
    from figures.layers import SPECK, layers_for
    from surfaces import make_surface

    s = make_surface("rosenbrock")
    layers = layers_for("rosenbrock")
    x, y = np.asarray(layers.lines_x, float), np.asarray(layers.lines_y, float)
    box = np.array([s.x_range[1] - s.x_range[0], s.y_range[1] - s.y_range[0]])
    breaks = np.flatnonzero(np.isnan(x))
    pieces = [(x[a + 1 : b], y[a + 1 : b]) for a, b in zip(np.r_[-1, breaks[:-1]], breaks, strict=True)]
    closed = [(px, py) for px, py in pieces if len(px) > 2 and np.hypot(px[0] - px[-1], py[0] - py[-1]) < 1e-4]
    assert closed and all(max(np.ptp(px) / box[0], np.ptp(py) / box[1]) >= SPECK for px, py in closed)
    near = [(px, py) for px, py in closed if np.hypot(np.mean(px) - 1, np.mean(py) - 1) < 0.5]
    assert near  # a ring around the minimum at (1, 1)


def test_a_pinned_step_rings_the_runs_place_on_the_map() -> None:
    """Preset 6's caption: at step 20 momentum passes x = 0 on its way out of the dip. The
    ‖Δθ‖ panel's pins print 0.163 (t = 20) and 0.0333 (t = 20); the map rings where each run
    was then, once the clock is there (a pin of η, a schedule, rings nothing)."""
    p = get_preset("06")
    res = simulate(p.scenario)
    view = View(**view_options(p.view))
    d = spec(res, view, step=0)
    i = next(k for k, tr in enumerate(d["data"]) if tr.get("name") == "pin_ring")
    frames = {int(f["name"]): dict(zip(f["traces"], f["data"], strict=True)) for f in d["frames"]}
    assert all(x is None for x in frames[max(s for s in frames if s < 20)][i]["x"])
    ring = frames[min(s for s in frames if s >= 20)][i]
    np.testing.assert_allclose(np.c_[ring["x"], ring["y"]], [r.trajectory[20] for r in res.runs], atol=1e-9)
    assert abs(ring["x"][1]) < 0.1  # momentum at x = 0
    assert d["data"][i]["marker"]["color"] == [view.color(0), view.color(1)]
    labels = [s.strip("\u00a0") for tr in named(spec(res, view, step=res.runs[0].steps_run), "pin_label") for s in tr["text"]]
    assert sorted(labels) == ["0.0333 (t = 20)", "0.163 (t = 20)"]
    only_eta = View(pins=(("lr", 20, None),))
    assert not named(spec(res, only_eta), "pin_ring")
