"""The app side of data sets and mini-batches (issue 12): the classroom figure on a data set
(each batch's own surface moves with the clock, the data panel rings exactly the batch of the
step, batch and test loss, epochs), the URL round trip and hostile values, and the sidebar's
controls in AppTest."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from figures import View, classroom_spec
from figures import batches as bf
from figures.animation import resolved
from lab import parse_scenario, simulate
from lab.presets import list_presets
from ui.model import AppState, RunState
from ui.scenario import from_scenario, to_scenario
from ui.url import decode, encode

DATA_PRESETS = ("21", "22", "23", "24", "25")


def preset(prefix: str) -> Any:
    presets, _ = list_presets()
    return next(p for p in presets if p.name.startswith(prefix))


def result_of(prefix: str) -> Any:
    return simulate(parse_scenario(preset(prefix).scenario))


def named(spec: dict[str, Any], name: str) -> list[int]:
    return [i for i, tr in enumerate(spec["data"]) if tr.get("name") == name]


@pytest.fixture(scope="module")
def r21() -> Any:
    return result_of("21")


@pytest.fixture(scope="module")
def spec21(r21: Any) -> dict[str, Any]:
    return classroom_spec(r21, View(), width=1000, height=640, step=0)


# --- the figure --------------------------------------------------------------------------------
def test_the_batch_surface_changes_between_frames_and_is_that_batchs_own(r21: Any, spec21: dict[str, Any]) -> None:
    (i,) = named(spec21, "the current batch's own error surface")
    frames = {int(f["name"]): f for f in resolved(spec21["frames"])}
    lines = {s: np.asarray(f["data"][f["traces"].index(i)]["x"], dtype=float) for s, f in frames.items()}
    s1, s2 = sorted(frames)[10:12]
    a, b = lines[s1], lines[s2]
    assert a.shape != b.shape or not np.allclose(a, b, equal_nan=True)  # another batch, other lines
    # the lines are the batch's own loss at the full data's levels: a point on a line of step 10
    # has (within the grid's resolution) one of those levels under batch 10's loss
    run, surface = r21.runs[0], r21.surface
    ys = np.asarray(frames[s1]["data"][frames[s1]["traces"].index(i)]["y"], dtype=float)
    ok = np.isfinite(a)
    z = surface.batch_value(np.stack([a[ok], ys[ok]], axis=-1), run.batches[s1])
    xs_grid = np.linspace(*spec21["layout"]["xaxis"]["range"], bf.BATCH_GRID)
    ys_grid = np.linspace(*spec21["layout"]["yaxis"]["range"], bf.BATCH_GRID)
    levels = bf.levels_of(surface, xs_grid, ys_grid)
    gap = np.min(np.abs(z[:, None] - levels[None, :]), axis=1)
    assert np.median(gap / np.ptp(levels)) < 0.01


def test_the_batch_minimum_is_the_batchs_least_squares_solution(r21: Any, spec21: dict[str, Any]) -> None:
    (i,) = named(spec21, "the batch's own minimum")
    frame = resolved(spec21["frames"])[7]
    p = frame["data"][frame["traces"].index(i)]
    d = r21.surface.dataset
    idx = r21.runs[0].batches[int(frame["name"])]
    w, b = np.polyfit(d.inputs[idx], d.targets[idx], 1)  # the batch's own least squares
    cell = np.ptp(spec21["layout"]["xaxis"]["range"]) / (bf.BATCH_GRID - 1)
    assert abs(p["x"][0] - w) <= cell and abs(p["y"][0] - b) <= 2 * cell


def test_the_data_panel_rings_exactly_the_batch_of_the_step(r21: Any, spec21: dict[str, Any]) -> None:
    (i,) = named(spec21, "current batch")
    d = r21.surface.dataset
    for f in resolved(spec21["frames"])[:40:7]:
        s = int(f["name"])
        tr = f["data"][f["traces"].index(i)]
        shown = sorted(zip(np.asarray(tr["x"], float).round(5), np.asarray(tr["y"], float).round(5), strict=True))
        idx = r21.runs[0].batches[s]
        want = sorted(zip(np.float32(d.inputs[idx]).astype(float).round(5),
                          np.float32(d.targets[idx]).astype(float).round(5), strict=True))  # fmt: skip
        assert shown == want and len(shown) == 4


def test_the_fit_line_is_the_model_at_the_step(r21: Any, spec21: dict[str, Any]) -> None:
    fits = named(spec21, "fit")
    assert len(fits) == 2
    f = resolved(spec21["frames"])[50]
    tr = f["data"][f["traces"].index(fits[1])]
    w, b = r21.runs[1].trajectory[int(f["name"])]
    np.testing.assert_allclose(tr["y"], w * np.asarray(tr["x"]) + b, rtol=1e-3, atol=1e-3)


def test_the_loss_panel_has_each_batchs_loss_and_the_test_loss() -> None:
    spec = classroom_spec(result_of("25"), View(), width=1000, height=640, step=0)
    assert len(named(spec, "batch_loss")) == 1  # the batch run's; the full batch has none
    assert len(named(spec, "test_loss")) == 2
    texts = [a["text"] for a in spec["layout"]["annotations"]]
    assert any("test loss" in t for t in texts) and any("each batch's loss" in t for t in texts)


def test_the_epoch_axis_divides_each_runs_steps_by_its_updates_per_epoch() -> None:
    r = result_of("22")
    spec = classroom_spec(r, View(step_axis="epochs"), width=1000, height=640, step=0)
    xaxis2 = spec["layout"]["xaxis2"]
    assert xaxis2["range"][0] == 0 and xaxis2["range"][1] < 30  # the 4-batch's 20 epochs
    loss_lines = [tr for tr in spec["data"] if tr.get("xaxis") == "x2" and tr.get("legendgroup")]
    assert [float(np.max(tr["x"])) for tr in loss_lines] == pytest.approx([20.0, 20.0, 20.0])
    # B = 4, 16, 64: 16, 4 and 1 updates per epoch, so 20 epochs are 320, 80 and 20 points
    assert [len(tr["x"]) for tr in loss_lines] == [321, 81, 21]
    np.testing.assert_allclose(loss_lines[2]["y"], r.runs[2].loss[:21], rtol=1e-6)
    assert spec["layout"]["xaxis3"]["title"]["text"] == "epochs"


def test_a_built_in_surface_keeps_its_four_panels_and_no_batch_parts() -> None:
    r = simulate({"surface": "ravine", "steps": 20, "runs": [{"optimizer": "sgd", "params": {"lr": 0.01}}]})
    spec = classroom_spec(r, View(), width=1000, height=640, step=0)
    assert "xaxis8" not in spec["layout"] and "yaxis5" in spec["layout"]


@pytest.mark.parametrize("prefix", DATA_PRESETS)
def test_every_data_set_preset_draws_with_a_data_panel(prefix: str) -> None:
    spec = classroom_spec(result_of(prefix), View(), width=1000, height=640, step=0)
    assert "xaxis8" in spec["layout"] and len(spec["frames"]) > 100
    assert named(spec, "the current batch's own error surface")


# --- the URL -------------------------------------------------------------------------------------
def test_a_data_set_state_round_trips_through_the_link() -> None:
    state = from_scenario(preset("23").scenario, AppState())
    state.mb = {"size": 8, "seed": 3}
    state.axis = "epochs"
    state.runs.append(RunState("adam", {"lr": 0.05}, batch={"size": 32, "seed": 7}))
    back, ignored = decode(encode(state))
    assert ignored == []
    assert (back.surface, back.data, back.mb, back.axis) == (state.surface, state.data, state.mb, "epochs")
    assert [r.batch for r in back.runs] == [r.batch for r in state.runs]
    assert parse_scenario(to_scenario(back)).to_dict() == parse_scenario(to_scenario(state)).to_dict()


def test_hostile_batch_values_are_named_once_and_the_rest_is_kept() -> None:
    state, ignored = decode({"data": "linear_regression", "data.samples": "1e99", "mb": "[x](http://e)",
                             "r0": "sgd", "r0.mb": "0", "axis": "years"})  # fmt: skip
    names = [i.name for i in ignored]
    assert sorted(names) == ["axis", "data.samples", "mb", "r0.mb"] and len(set(names)) == len(names)
    assert state.surface == "linear_regression" and state.data["samples"] == 64 and state.mb is None
    _, ignored = decode({"mb": "4"})  # batches need a data set
    assert [i.name for i in ignored] == ["mb"] and "data=" in ignored[0].allowed


# --- the app -----------------------------------------------------------------------------------
@pytest.mark.parametrize("prefix", DATA_PRESETS)
def test_every_data_set_preset_opens_in_the_app(make_app: Any, prefix: str) -> None:
    at = make_app({"preset": prefix})
    assert not at.exception and not at.error and not at.warning
    assert at.session_state["surface"] == preset(prefix).scenario["surface"]["data"]
    spec = json.loads(json.loads(at.get("bidi_component")[0].proto.json)["figure"])
    assert "xaxis8" in spec["layout"]


def test_the_controls_set_the_data_set_and_the_batches(make_app: Any) -> None:
    at = make_app({"preset": "21"})
    assert at.select_slider(key="mb").value == "full"
    assert "Emulated noise" in at.select_slider(key="batch").label
    at.select_slider(key="mb").set_value(8).run()
    at.select_slider(key="data_linear_regression_samples").set_value(200).run()
    assert not at.exception
    assert at.number_input(key="mb_seed").value == 0
    assert any("25 updates per epoch" in c.value for c in at.caption)  # N = 200, B = 8
    at.session_state["r1_open"] = True  # run 2's box opened, as a click does (closed, it is not drawn)
    at.run()
    at.select_slider(key="r1_mb").set_value(32).run()
    at.segmented_control(key="step_axis").set_value("epochs").run()
    assert not at.exception
    from ui.keys import widgets_to_state

    state = widgets_to_state(at.session_state)
    sc = parse_scenario(to_scenario(state)).to_dict()
    assert sc["surface"]["samples"] == 200 and sc["batch"] == {"size": 8, "seed": 0}
    assert sc["runs"][0]["batch"] == {"size": 4, "seed": 0} and sc["runs"][1]["batch"] == {"size": 32, "seed": 0}
    assert state.axis == "epochs"


def test_choosing_a_data_set_in_the_surface_box_shows_its_parameters_in_chinese(make_app: Any) -> None:
    at = make_app({"lang": "zh"})
    at.selectbox(key="surface").set_value("logistic").run()
    assert not at.exception and not at.error
    labels = [s.label for s in at.select_slider]
    assert "样本数 N" in labels and "小批量大小 B" in labels
    assert "数据：逻辑回归" in at.selectbox(key="surface").options
