"""Exports and the command line on a data set: the CSV's batch-loss, epoch and test-loss
columns, the JSON's data and batches, ``cli.py simulate / render / list``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

import export
from lab import simulate

SCENARIO = {
    "surface": {"data": "sharp_flat", "samples": 24, "seed": 1},
    "steps": 12,
    "runs": [
        {"optimizer": "sgd", "params": {"lr": 0.05}, "label": "B=4", "batch": {"size": 4, "seed": 2}},
        {"optimizer": "adam", "params": {"lr": 0.05}, "label": "all"},
    ],
}


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return simulate(SCENARIO)


def test_csv_has_batch_loss_epoch_and_test_loss(result) -> None:  # type: ignore[no-untyped-def]
    table = list(csv.DictReader(io.StringIO(export.render(result, "csv").decode("utf-8"))))
    assert tuple(table[0])[-3:] == ("batch_loss", "epoch", "test_loss")
    for i, run in enumerate(result.runs):
        rows = [r for r in table if r["run"] == str(i)]
        np.testing.assert_array_equal([float(r["batch_loss"]) for r in rows[:-1]], run.batch_loss)
        assert rows[-1]["batch_loss"] == ""  # no step follows the last point
        np.testing.assert_array_equal([float(r["epoch"]) for r in rows], np.arange(13) / run.steps_per_epoch)
        np.testing.assert_array_equal([float(r["test_loss"]) for r in rows], run.test_loss)
    assert [float(r["epoch"]) for r in table if r["run"] == "0"][6] == 1.0  # 24 // 4 = 6 per epoch


def test_csv_of_a_built_in_surface_leaves_the_batch_columns_empty() -> None:
    res = simulate({"surface": "ravine", "steps": 3, "runs": [{"optimizer": "sgd"}]})
    table = list(csv.DictReader(io.StringIO(export.render(res, "csv").decode("utf-8"))))
    assert {(r["batch_loss"], r["epoch"], r["test_loss"]) for r in table} == {("", "", "")}


def test_json_carries_the_data_and_the_batches(result) -> None:  # type: ignore[no-untyped-def]
    value = json.loads(export.render(result, "json"))
    assert set(value) == {"scenario", "runs", "data"}
    np.testing.assert_array_equal(value["data"]["inputs"], result.data["inputs"])
    assert value["data"]["targets"] is None
    np.testing.assert_array_equal(value["data"]["test_inputs"], result.data["test_inputs"])
    small, full = value["runs"]
    np.testing.assert_array_equal(small["batches"], result.runs[0].batches)
    assert small["batch"] == {"size": 4, "seed": 2} and small["steps_per_epoch"] == 6
    assert full["batches"] is None and full["batch"] is None and full["steps_per_epoch"] == 1
    again = simulate(value["scenario"])  # the scenario reproduces it
    np.testing.assert_array_equal(again.runs[0].trajectory, result.runs[0].trajectory)


def test_cli_simulate_prints_data_and_batches(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "sc.json"
    path.write_text(json.dumps(SCENARIO), encoding="utf-8")
    p = cli("simulate", str(path), "--compact")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out == json.loads(json.dumps(simulate(SCENARIO).to_dict()))
    assert len(out["runs"][0]["batches"]) == 12 and "data" in out


def test_cli_render_a_batch_preset_to_csv_and_html(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "b.csv"
    p = cli("render", "--preset", "21", "-o", str(out))
    assert p.returncode == 0, p.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0]["epoch"] == "0.0" and rows[16]["epoch"] == "1.0"  # 64 // 4 = 16 per epoch
    html = tmp_path / "b.html"
    p = cli("render", "--preset", "24", "-o", str(html), "--frames", "10")
    assert p.returncode == 0, p.stderr
    assert html.stat().st_size > 100_000


def test_cli_batch_options_override_the_scenario(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "sc.json"
    path.write_text(json.dumps(SCENARIO), encoding="utf-8")
    p = cli("simulate", str(path), "--compact", "--batch-size", "3", "--batch-seed", "7")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    want = simulate({**SCENARIO, "batch": {"size": 3, "seed": 7}}).to_dict()
    assert out["runs"][1]["batches"] == want["runs"][1]["batches"]  # the run without its own
    assert np.asarray(out["runs"][1]["batches"]).shape == (12, 3)
    assert out["runs"][0]["batch"] == {"size": 4, "seed": 2}  # a run's own batch stays
    bad = cli("simulate", str(path), "--batch-size", "0")
    assert bad.returncode == 2 and "batch.size = 0 is out of range" in bad.stderr
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps({"surface": "ravine", "runs": [{"optimizer": "sgd"}]}), encoding="utf-8")
    bad = cli("simulate", str(plain), "--batch-size", "4")
    assert bad.returncode == 2 and "applies only to a data-set surface" in bad.stderr


def test_cli_list_names_the_data_sets_and_their_parameters(cli) -> None:  # type: ignore[no-untyped-def]
    p = cli("list", "--json")
    info = json.loads(p.stdout)
    names = {d["name"]: d for d in info["data_sets"]}
    assert set(names) == {"linear_regression", "lecture_product", "logistic", "sharp_flat"}
    assert names["linear_regression"]["params"]["samples"] == {"default": 64, "allowed": "an integer with 2 <= samples <= 4096"}
    assert "batch" in info and "size" in info["batch"]
    text = cli("list").stdout
    assert "Data sets" in text and "sharp_flat" in text and '{"data": ' in text


@pytest.mark.parametrize("name", ["21", "23", "24", "25"])
def test_the_figures_draw_a_data_set_like_any_surface(name: str) -> None:
    """Contours, the 3-D view, the traces and the map's arrows (the update arrow shows the
    batch gradient the step used) work on a data set unchanged."""
    import figures
    from lab.presets import get_preset

    res = simulate(get_preset(name).scenario)
    step = 5
    fig = figures.map_figure(res, step=step, arrows=figures.ARROW_KINDS)
    assert fig.to_dict()["frames"]
    figures.surface_3d(res)
    figures.traces_figure(res, step=step)
    html = export.render(res, "html", view="all", frames=8)
    assert len(html) > 100_000
