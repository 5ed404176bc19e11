"""The command line: simulate prints what lab.simulate returns; invalid input exits 2 quietly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lab import simulate

ROOT = Path(__file__).resolve().parents[1]
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


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_simulate_prints_the_result_of_lab_simulate(tmp_path: Path) -> None:
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


def test_list_names_every_optimizer_schedule_and_surface() -> None:
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
            "runs[0].params.lr = -1 is out of range; allowed: 0 <= lr (for adam)",
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
    tmp_path: Path, content: str, message: str
) -> None:
    f = tmp_path / "bad.json"
    f.write_text(content)
    p = cli("simulate", str(f))
    assert p.returncode == 2
    assert message in p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""


def test_missing_file_exits_2() -> None:
    p = cli("simulate", "/nonexistent/scenario.json")
    assert p.returncode == 2 and "does not exist" in p.stderr and "Traceback" not in p.stderr
