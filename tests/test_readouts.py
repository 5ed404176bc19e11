"""What the panels print: each value level with its line, the numbers a caption quotes
(pinned steps, the test loss) on the screen, and which step a zoomed panel reads."""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from figures.readouts import spread
from figures.style import fmt_value
from figures.view import View, ViewError, view_options
from lab import Result, simulate
from lab.presets import get_preset
from tests.test_figures import arr, named, spec


def frame_of(d: dict, step: int) -> dict[int, dict]:
    """The moved traces of the frame at ``step``, by trace index."""
    fr = next(f for f in d["frames"] if int(f["name"]) == step)
    return dict(zip(fr["traces"], fr["data"], strict=True))


def index_of(d: dict, name: str) -> int:
    """The index of the first trace called ``name``."""
    return next(i for i, tr in enumerate(d["data"]) if tr.get("name") == name)


def share(d: dict, yaxis: str, y: float) -> float:
    """Where a data value sits on a panel's axis, 0 at the bottom and 1 at the top."""
    ax = d["layout"]["yaxis" + yaxis[1:]]
    lo, hi = ax["range"]
    v = math.log10(y) if ax.get("type") == "log" else y
    return (v - lo) / (hi - lo)


# --- labels level with their lines, never on top of each other ------------------------------
@given(st.lists(st.one_of(st.none(), st.floats(-0.5, 1.5)), min_size=1, max_size=8), st.floats(0.02, 0.12))
def test_spread_keeps_labels_apart_inside_and_in_order(shares: list[float | None], row: float) -> None:
    out = spread(shares, row)
    assert [o is None for o in out] == [s is None for s in shares]
    placed = [(s, o) for s, o in zip(shares, out, strict=True) if o is not None]
    heights = sorted(o for _, o in placed)
    assert all(b - a >= row - 1e-9 for a, b in itertools.pairwise(heights))
    if len(placed) * row <= 1:
        assert all(row / 2 - 1e-9 <= o <= 1 - row / 2 + 1e-9 for _, o in placed)
    for sa, oa in placed:  # a higher value, a higher label
        assert all(oa <= ob + 1e-9 for sb, ob in placed if sa < sb)


def test_spread_leaves_labels_with_room_where_their_lines_are() -> None:
    assert spread([0.8, 0.3, None], 0.1) == [0.8, 0.3, None]
    assert spread([0.5, 0.52], 0.1) == pytest.approx([0.46, 0.56])  # pushed apart about their mean
    assert spread([0.99, 0.98], 0.1) == pytest.approx([0.95, 0.85])  # and kept inside


def test_each_readout_stands_level_with_its_runs_point(default_result: Result) -> None:
    """The review's helpers read a value in a row at the top of a panel as belonging to the
    line drawn at that height: each value now stands where its own line's marker is."""
    d = spec(default_result, step=300)
    moved = frame_of(d, 300)
    for i, tr in enumerate(d["data"]):
        if tr.get("name") != "readout":
            continue
        ys, texts = arr(moved[i]["y"]), moved[i]["text"]
        cursor = next(j for j, c in enumerate(d["data"]) if c.get("name") == "cursor" and c["yaxis"] == tr["yaxis"])
        points = arr(moved[cursor]["y"])[3::2]  # every line's marker, in the read-outs' order
        assert len(points) == len(ys) == len(texts)
        lo, hi = d["layout"]["yaxis" + tr["yaxis"][1:]]["domain"]
        margin = d["layout"]["margin"]
        row = (d["layout"]["font"]["size"] + 3) / ((hi - lo) * (640 - margin["t"] - margin["b"]))
        for y, p in zip(ys, points, strict=True):  # no farther than its neighbours push it
            if np.isfinite(p) and p > 0:
                gap = abs(share(d, tr["yaxis"], y) - share(d, tr["yaxis"], p))
                assert gap <= len(ys) / 2 * row + 1e-6, (tr["yaxis"], texts)
    # the loss panel's values are far apart: each stands at its point (or is kept inside)
    shares = [share(d, "y2", y) for y in arr(frame_of(d, 300)[index_of(d, "readout")]["y"])]
    want = [share(d, "y2", r.loss[300]) for r in default_result.runs]
    for got, w in zip(shares, want, strict=True):
        assert got == pytest.approx(min(max(w, row / 2), 1 - row / 2), abs=0.02) or abs(got - w) <= 1.5 * row


def test_two_lines_of_a_run_are_read_by_their_coordinate(default_result: Result) -> None:
    d = spec(default_result, step=300)
    eff = next(tr for tr in named(d, "readout") if d["layout"]["yaxis" + tr["yaxis"][1:]]["title"]["text"].startswith("η/σ"))
    assert len(eff["text"]) == 2 * len(default_result.runs)
    assert [s.split(" ")[0] for s in eff["text"]] == ["x", "y"] * len(default_result.runs)
    sigma = default_result.runs[2].effective_lr[-1]  # the last update's (step 300 has none after it)
    assert eff["text"][4:6] == [f"x {fmt_value(sigma[0])}", f"y {fmt_value(sigma[1])}"]


def test_a_value_gone_to_zero_on_a_log_axis_reads_0() -> None:
    """Preset 8's Adam without decay reaches its minimum exactly: ||g|| = 0, which a log axis
    cannot draw. Its read-out said nothing; it says 0, at the panel's bottom."""
    res = simulate(get_preset("08").scenario)
    assert res.runs[2].grad_norm[-1] == 0
    d = spec(res, View(**view_options(get_preset("08").view)), step=res.runs[2].steps_run)
    grad = named(d, "readout")[1]
    assert grad["text"][2] == "0" and grad["y"][2] is not None


# --- a zoom says which step its panels read ---------------------------------------------------
def test_a_zoom_says_which_step_its_read_outs_read() -> None:
    res = simulate(get_preset("07").scenario)  # 500 steps, panels zoomed on 0-60
    d = spec(res, View(steps=(0, 60)), step=0)
    i = index_of(d, "zoom_read")
    assert frame_of(d, 60)[i]["text"] == [""]  # the clock within the zoom: nothing to say
    assert frame_of(d, 500)[i]["text"] == ["t = 60"]
    assert frame_of(d, 500)[i]["x"] == [60]
    assert not named(spec(res, View(), step=0), "zoom_read")  # not zoomed: no such label
    zh = spec(res, View(steps=(0, 60), lang="zh"), step=500)
    assert named(zh, "zoom_read")[0]["text"] == ["t = 60"]


# --- pinned steps ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"pins": [0]}, "view.pins = [0] is invalid"),
        ({"pins": {"speed": [0]}}, "view.pins = 'speed' is invalid; allowed: loss, grad_norm"),
        ({"pins": {"step": []}}, "view.pins.step = [] is invalid"),
        ({"pins": {"step": [-1]}}, "view.pins.step = [-1] is invalid"),
        ({"pins": {"step": [1, 2, 3, 4, 5]}}, "at most 4 pins"),
        ({"pins": {"step": [[5, 0]]}}, "view.pins.step = [[5, 0]] is invalid"),
        ({"pins": {"step": [True]}}, "view.pins.step = [True] is invalid"),
        ({"pins": {"step": ["1"]}}, "view.pins.step = ['1'] is invalid"),
    ],
)
def test_a_bad_pin_is_named_with_what_is_allowed(block: dict, message: str) -> None:
    with pytest.raises(ViewError, match=re.escape(message)):
        view_options(block)


def test_pins_parse_to_panel_step_and_run() -> None:
    assert view_options({"pins": {"step": [0, [90, 2]], "loss": [1]}})["pins"] == (
        ("step", 0, None), ("step", 90, 1), ("loss", 1, None),
    )  # fmt: skip


def test_a_pinned_step_rings_every_line_with_its_value_once_the_clock_is_there() -> None:
    res = simulate(get_preset("10").scenario)
    view = View(**{**view_options(get_preset("10").view), "pins": (("step", 0, None),)})  # the step panel at step 0
    d = spec(res, view, step=0)
    (rings,) = named(d, "pin")
    (labels,) = named(d, "pin_label")
    first = [float(np.linalg.norm(r.trajectory[1] - r.trajectory[0])) for r in res.runs]
    assert arr(rings["y"]) == pytest.approx(first, rel=1e-6)  # on the lines: the first update
    assert [s.strip("\u00a0") for s in labels["text"]] == [fmt_value(v) for v in first]
    assert first[0] == pytest.approx(10 * first[1], rel=1e-3)  # the caption's "10x shorter"
    # revealed: a pin at step 90 shows from step 90 on, not before
    panels = ("loss", "grad_norm", "step", "eff_lr")
    late = spec(res, View(pins=(("step", 40, 0),), steps=(0, 60), panels=panels), step=0)
    i = index_of(late, "pin")
    assert np.isnan(arr(frame_of(late, 39)[i]["y"])).all() and np.isfinite(arr(frame_of(late, 40)[i]["y"])).all()
    assert len(named(late, "pin_label")[0]["text"]) == 1  # one run's line only
    whole = spec(res, View(pins=(("step", 40, None),), reveal=False, panels=panels), step=0)
    assert np.isfinite(arr(named(whole, "pin")[0]["y"])).all()  # paths drawn whole: the pins too


PINNED = ["04", "06", "07", "10"]


@pytest.mark.parametrize("name", PINNED)
def test_every_pinned_number_is_the_one_the_caption_quotes(name: str) -> None:
    """A preset pins the steps its caption quotes: each printed number stands in the caption
    (in both languages), so the picture shows what the sentence says."""
    p = get_preset(name)
    res = simulate(p.scenario)
    for lang in ("en", "zh"):
        d = spec(res, View(**view_options(p.view), lang=lang), step=max(r.steps_run for r in res.runs))
        texts = [s.strip("\u00a0") for tr in named(d, "pin_label") for s in tr["text"]]
        assert texts
        for text in texts:
            assert text in p.caption[lang], (text, name, lang)


def test_the_test_loss_is_read_out_beside_the_training_loss() -> None:
    """Preset 25's caption quotes the test losses 1.72 and 1.29: the loss panel prints them
    beside the training losses, each named."""
    p = get_preset("25_flat_minimum_generalises")
    res = simulate(p.scenario)
    last = max(r.steps_run for r in res.runs)
    loss = named(spec(res, View(**view_options(p.view)), step=last), "readout")[0]
    expected = []
    for r in res.runs:
        expected += [f"train {r.loss[-1]:.3g}", f"test {r.test_loss[-1]:.3g}"]
    assert loss["text"] == expected
    for text in ("1.72", "1.29"):
        assert f"test {text}" in loss["text"] and text in p.caption["en"]
    zh = named(spec(res, View(**view_options(p.view), lang="zh"), step=last), "readout")[0]
    assert zh["text"][1].startswith("测试 ")


def test_mid_play_the_read_outs_stand_beside_the_clocks_markers(default_result: Result) -> None:
    """Mid-Play the numbers in a column at the panel's end floated 90-200 px away from their
    points (the review's helpers): they now follow the clock, just right of its markers, on
    the curtain; with whole paths (no curtain) they keep the column."""
    d = spec(default_result, step=0)
    i = index_of(d, "readout")
    c = index_of(d, "cursor")
    at = {s: frame_of(d, s) for s in (50, 150, 300)}
    gaps = {s: arr(at[s][i]["x"])[0] - arr(at[s][c]["x"])[0] for s in at}
    assert 0 < gaps[50] < 0.1 * 300
    assert gaps[150] == pytest.approx(gaps[50]) and gaps[300] == pytest.approx(gaps[50])
    whole = spec(default_result, View(reveal=False), step=0)
    j = index_of(whole, "readout")
    xs = {s: arr(frame_of(whole, s)[j]["x"])[0] for s in (50, 300)}
    assert xs[50] == xs[300] > 300


def test_on_an_epoch_axis_each_run_is_read_where_its_line_ends() -> None:
    """Preset 22's panels stop at epoch 20; the full batch's line ends there at 0.725 while
    after 320 updates it is at 0.119: its read-out said 0.119 beside a line ending at 0.725
    (the review). Each run's marker and read-out now stop where its line does, at its last
    update on the axis (320, 80 and 20 here), and mid-Play follow its own epoch."""
    p = get_preset("22")
    res = simulate(p.scenario)
    d = spec(res, View(**view_options(p.view)), step=0)
    i, c = index_of(d, "readout"), index_of(d, "cursor")
    last = {run.steps_per_epoch: step for run, step in zip(res.runs, (320, 80, 20), strict=True)}
    mid = min((int(f["name"]) for f in d["frames"]), key=lambda s: abs(s - 40))
    for s in (mid, 320):
        moved = frame_of(d, s)
        texts = moved[i]["text"]
        read = [min(s, last[r.steps_per_epoch]) for r in res.runs]
        assert sorted(texts) == sorted(fmt_value(r.loss[k]) for r, k in zip(res.runs, read, strict=True))
        xs = [x for x in arr(moved[c]["x"])[3::2]]
        assert xs == pytest.approx([k / r.steps_per_epoch for r, k in zip(res.runs, read, strict=True)], rel=1e-3)
    for r, k in zip(res.runs, (320, 80, 20), strict=True):  # the numbers the caption quotes
        text = fmt_value(r.loss[k])
        assert text in p.caption["en"] and text in p.caption["zh"]


@pytest.mark.parametrize("width", [690, 1030])
def test_a_pins_value_and_the_read_outs_are_kept_apart_mid_play(width: int) -> None:
    """Preset 7 mid-Play at 1024 px: the step-0 pin's "2.83e-3" and the read-outs beside the
    clock at step 6 were printed over one another. Where a pin's label reaches the read-outs
    they are spread together, a row apart; the label still shows from its step on."""
    from figures.style import text_px

    p = get_preset("07")
    res = simulate(p.scenario)
    d = spec(res, View(**view_options(p.view)), step=0, width=width, height=600)
    lay, margin = d["layout"], d["layout"]["margin"]
    j = index_of(d, "pin_label")
    label = d["data"][j]
    r = next(i for i, tr in enumerate(d["data"]) if tr.get("name") == "readout" and tr["yaxis"] == label["yaxis"])
    ax, yax = lay["xaxis" + label["xaxis"][1:]], lay["yaxis" + label["yaxis"][1:]]
    px = (width - margin["l"] - margin["r"]) * (ax["domain"][1] - ax["domain"][0]) / (ax["range"][1] - ax["range"][0])
    row = (lay["font"]["size"] + 3) / ((yax["domain"][1] - yax["domain"][0]) * (600 - margin["t"] - margin["b"]))
    met = 0
    for s in sorted(int(f["name"]) for f in d["frames"]):
        moved = frame_of(d, s)
        ys = arr(moved[j]["y"])
        assert np.isfinite(ys[0]) == (s >= label["x"][0])  # shown from its step on
        x_at = arr(moved[r]["x"])[0]
        for k, y in enumerate(ys):
            end = label["x"][k] + text_px(label["text"][k], label["textfont"]["size"]) / px
            if not np.isfinite(y) or label["textposition"][k] != "middle right" or end <= x_at:
                continue
            met += 1
            for other in arr(moved[r]["y"]):
                assert abs(share(d, label["yaxis"], y) - share(d, label["yaxis"], other)) >= row * (1 - 1e-3), (s, label["text"][k])
    assert met  # the case the review saw does occur


def test_the_step_lengths_presets_1_and_2_quote_are_read_out() -> None:
    """Preset 1's bounce neither grows nor shrinks: every step is 2 long, the step-length
    panel's read-out; preset 2's steps are 2e-5 at first and 2.85e-6 at the end."""
    for name, first, end in (("01", "2", "2"), ("02", "2e-5", "2.85e-6")):
        p = get_preset(name)
        res = simulate(p.scenario)
        steps = np.linalg.norm(np.diff(res.runs[0].trajectory, axis=0), axis=1)
        assert (fmt_value(steps[0]), fmt_value(steps[-1])) == (first, end)
        view = View(**view_options(p.view))
        assert "step" in view.panels and "eff_lr" not in view.panels
        last = res.runs[0].steps_run
        read = named(spec(res, view, step=last), "readout")[view.panels.index("step")]
        assert read["text"] == [end] or end in read["text"][0]
        assert first in p.caption["en"] and end in p.caption["en"] and end in p.caption["zh"]


@given(
    st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6),
    st.lists(st.floats(0.05, 0.95), min_size=1, max_size=1),
    st.floats(0.03, 0.1),
)
def test_spread_keeps_a_fixed_label_where_it_is_and_the_others_clear_of_it(
    shares: list[float], walls: list[float], row: float
) -> None:
    out = spread([*shares, *walls], row, [False] * len(shares) + [True] * len(walls))
    assert out[len(shares) :] == pytest.approx(walls)  # the wall stays
    heights = sorted(o for o in out if o is not None)
    assert all(b - a >= row - 1e-9 for a, b in itertools.pairwise(heights))


def test_mid_play_the_read_outs_keep_clear_of_a_stability_limits_words() -> None:
    """Preset 3 at step 237, 1024 px: "y 8.45e-3" was printed over "2/H_yy = 0.01" (the
    review). Where a limit's words reach the read-outs beside the clock, they keep a row
    clear of them."""
    from figures.style import label_px, text_px

    res = simulate(get_preset("03").scenario)
    d = spec(res, step=0, width=690, height=640)
    lay, margin = d["layout"], d["layout"]["margin"]
    i = next(k for k, tr in enumerate(d["data"]) if tr.get("name") == "readout" and lay["yaxis" + tr["yaxis"][1:]]["title"]["text"].startswith("η/σ"))
    yaxis = d["data"][i]["yaxis"]
    xref = "x" + yaxis[1:]
    notes = [a for a in lay["annotations"] if a.get("xref") == xref and "2/" in a["text"]]
    assert len(notes) == 2
    yax, xax = lay["yaxis" + yaxis[1:]], lay["xaxis" + yaxis[1:]]
    px = (690 - margin["l"] - margin["r"]) * (xax["domain"][1] - xax["domain"][0]) / (xax["range"][1] - xax["range"][0])
    plot_h = (yax["domain"][1] - yax["domain"][0]) * (640 - margin["t"] - margin["b"])
    font = d["data"][i]["textfont"]["size"]
    met = 0
    for f in d["frames"]:
        moved = dict(zip(f["traces"], f["data"], strict=True))
        x_at = arr(moved[i]["x"])[0]
        for note in notes:  # the words' box and each read-out's box, in shares of the panel
            if note["x"] + label_px(note["text"], note["font"]["size"]) / px <= x_at:
                continue
            met += 1
            lo, hi = note["y"], note["y"] + note["font"]["size"] / plot_h
            for y in arr(moved[i]["y"]):
                h = share(d, yaxis, y)
                assert h - font / 2 / plot_h >= hi - 1e-3 or h + font / 2 / plot_h <= lo + 1e-3, (f["name"], note["text"])
    assert met
    assert text_px("2/Hyy = 0.01", 11) / px > 0.01 * 1500  # the words do reach past the first steps
