"""The command line: simulate prints what lab.simulate returns; invalid input exits 2 quietly."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lab import simulate

CliRun = Callable[..., Any]  # the ``cli`` fixture (conftest): runs cli.py, returns the process
SCENARIO = {
    "surface": "rosenbrock",
    "steps": 40,
    "runs": [
        {"optimizer": "adam", "params": {"lr": 0.05}},
        {
            "optimizer": "sgd",
            "params": {"lr": 1e-3},
            "schedule": {"name": "cosine", "params": {"T_max": 40}},
        },
    ],
}


def test_simulate_prints_the_result_of_lab_simulate(cli: CliRun, tmp_path: Path) -> None:
    f = tmp_path / "s.json"
    f.write_text(json.dumps(SCENARIO))
    p = cli("simulate", str(f))
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    expected = simulate(SCENARIO).to_dict()
    assert [r["label"] for r in out["runs"]] == ["Adam", "Gradient descent"]
    for got, want in zip(out["runs"], expected["runs"], strict=True):
        assert set(got) == {
            "label",
            "optimizer",
            "trajectory",
            "loss",
            "grad_norm",
            "lr",
            "effective_lr",
            "verdict",
        }
        for key in ("trajectory", "loss", "grad_norm", "lr", "effective_lr"):
            np.testing.assert_array_equal(np.asarray(got[key]), np.asarray(want[key]))
        assert got["verdict"] == json.loads(json.dumps(want["verdict"]))
        assert len(got["trajectory"]) == 41 and len(got["lr"]) == 40


def test_list_names_every_optimizer_schedule_and_surface(cli: CliRun) -> None:
    p = cli("list")
    assert p.returncode == 0
    for name in (
        "adagrad_lecture",
        "rmsprop_lecture",
        "nadam",
        "radam",
        "adadelta",
        "onecycle",
        "warmup_cosine",
        "ravine",
        "lecture_saddle",
        "cycle_momentum",
    ):
        assert name in p.stdout
    info = json.loads(cli("list", "--json").stdout)
    adam = next(o for o in info["optimizers"] if o["name"] == "adam")
    assert adam["params"]["betas"]["default"] == [0.9, 0.999]
    assert adam["params"]["bias_correction"]["default"] is True


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"surface": "rosenbrock", "runs": [{"optimizer": "adam", "params": {"lr": -1}}]}',
            "runs[0].params.lr = -1 is out of range; allowed: 0 <= lr, finite (for adam)",
        ),
        (
            '{"surface": {"expr": "__import__(\'os\').system(\'echo hi\')"}, "runs": '
            '[{"optimizer": "sgd"}]}',
            "Invalid formula",
        ),
        ("{not json", "not valid JSON"),
    ],
)
def test_invalid_input_exits_2_with_one_message_and_no_traceback(
    cli: CliRun, tmp_path: Path, content: str, message: str
) -> None:
    f = tmp_path / "bad.json"
    f.write_text(content)
    p = cli("simulate", str(f))
    assert p.returncode == 2
    assert message in p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""


def test_missing_file_exits_2(cli: CliRun) -> None:
    p = cli("simulate", "/nonexistent/scenario.json")
    assert p.returncode == 2 and "does not exist" in p.stderr and "Traceback" not in p.stderr


@pytest.mark.parametrize("name", ["05", "saddle_point"])
def test_render_takes_a_preset_by_number_or_name_like_the_app(
    cli: CliRun, tmp_path: Path, name: str
) -> None:
    """``--preset`` resolves names as the app's ``?preset=`` links do (lab.presets)."""
    full, short = tmp_path / "full.csv", tmp_path / "short.csv"
    assert cli("render", "--preset", "05_saddle_point", "-o", str(full)).returncode == 0
    p = cli("render", "--preset", name, "-o", str(short))
    assert p.returncode == 0, p.stderr
    assert short.read_bytes() == full.read_bytes()


def test_render_an_empty_preset_name_exits_2_naming_the_presets(
    cli: CliRun, tmp_path: Path
) -> None:
    p = cli("render", "--preset", "", "-o", str(tmp_path / "x.csv"))
    assert p.returncode == 2
    assert "preset '' does not exist; allowed: 01_stuck_is_not_critical" in p.stderr
    assert "Traceback" not in p.stderr


@pytest.mark.parametrize("how", ["preset", "file"])
def test_render_opens_a_preset_in_its_own_view_like_the_app(
    how: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A preset rendered from the command line is the picture the app and the gallery show:
    its zoom (the first 60 steps of preset 7) and its panels (‖Δθ‖ in place of η/σ)."""
    import sys

    import export

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import cli as cli_module
    from figures.view import view_options
    from lab.presets import get_preset

    seen: dict[str, Any] = {}
    monkeypatch.setattr(export, "render", lambda result, fmt, **kw: seen.update(kw) or b"x")
    preset = get_preset("07")
    source = ["--preset", "07"]
    if how == "file":
        path = tmp_path / "p.json"
        path.write_text(json.dumps({"scenario": preset.scenario, "view": preset.view}))
        source = [str(path)]
    assert cli_module.main(["render", *source, "-o", str(tmp_path / "p.png")]) == 0
    assert seen["look"] == view_options(preset.view)
    assert seen["look"]["steps"] == (0.0, 60.0) and seen["look"]["panels"][3] == "step"
