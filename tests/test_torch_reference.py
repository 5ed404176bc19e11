"""The engine against torch.optim 2.13 (float64, single-tensor path), from committed fixtures.

``tests/fixtures/torch_reference.json`` is written by ``scripts/make_torch_fixtures.py``
(torch is not needed here). Each trajectory case is one run: its scenario in this project's
format, torch's trajectory and the lr torch used at every step. Torch was fed this
project's gradients, so only the update rule and the schedule are compared.

Tolerances:

* trajectories: ``rtol=1e-8`` (the engine's claim) with ``atol = 1e-12 * scale``, ``scale``
  the largest |coordinate| of the torch trajectory. A coordinate that passes near 0 (the
  steep axis of a ravine, a point crossing an axis) cannot be held to a relative tolerance:
  its rounding error is set by the size of the terms that cancelled, which is the scale of
  the run, not the coordinate. 1e-12 of that scale is still ~4 orders of magnitude above
  float64 rounding and ~4 below anything a plot could show.
* learning rates: ``rtol=1e-12`` with ``atol = 1e-12 * max|lr|`` for values that reach 0
  (cosine at T_max with eta_min = 0, a linear decay to 0): torch's recursive forms land on
  0 only up to rounding, where a relative tolerance means nothing.

Every case runs twice: alone, and batched with every other case that shares its surface,
start and step count (many optimizers and, within one optimizer, runs whose hyperparameters
differ, so the batched rules take their per-run array paths).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lab import ScenarioError, parse_scenario, simulate
from optimizers import OPTIMIZERS
from optimizers.schedules import SCHEDULES, lr_sequence

FIXTURE = Path(__file__).parent / "fixtures" / "torch_reference.json"
DATA: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
CASES: dict[str, dict[str, Any]] = {c["id"]: c for c in DATA["cases"]}
SCHEDULE_CASES: dict[str, dict[str, Any]] = {c["id"]: c for c in DATA["schedule_cases"]}

TRAJ_RTOL = 1e-8
TRAJ_ATOL_SCALE = 1e-12
LR_RTOL = 1e-12
LR_ATOL_SCALE = 1e-12


def _group_key(case: dict[str, Any]) -> tuple[str, tuple[float, float], int]:
    sc = case["scenario"]
    return sc["surface"], tuple(sc["start"]), sc["steps"]


GROUPS: dict[tuple[str, tuple[float, float], int], list[str]] = {}
for _cid, _case in CASES.items():
    GROUPS.setdefault(_group_key(_case), []).append(_cid)


@functools.cache
def _batched(key: tuple[str, tuple[float, float], int]) -> dict[str, Any]:
    """Every case of one group in a single scenario: case id -> its RunResult."""
    ids = GROUPS[key]
    surface, start, steps = key
    runs = [CASES[i]["scenario"]["runs"][0] for i in ids]
    res = simulate({"surface": surface, "start": list(start), "steps": steps, "runs": runs})
    return dict(zip(ids, res.runs, strict=True))


def _run(cid: str, mode: str) -> Any:
    if mode == "alone":
        return simulate(CASES[cid]["scenario"]).runs[0]
    return _batched(_group_key(CASES[cid]))[cid]


def _check_lr(got: np.ndarray, ref: np.ndarray, what: str) -> None:
    atol = LR_ATOL_SCALE * float(np.max(np.abs(ref)))
    np.testing.assert_allclose(got, ref, rtol=LR_RTOL, atol=atol, err_msg=what)


# --- trajectories -------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["alone", "batched"])
@pytest.mark.parametrize("cid", list(CASES))
def test_trajectory_matches_torch(cid: str, mode: str) -> None:
    case = CASES[cid]
    ref = np.array(case["trajectory"])
    run = _run(cid, mode)
    assert run.verdict.get("kind") != "diverged", run.verdict
    assert run.trajectory.shape == ref.shape
    scale = float(np.max(np.abs(ref)))
    np.testing.assert_allclose(
        run.trajectory,
        ref,
        rtol=TRAJ_RTOL,
        atol=TRAJ_ATOL_SCALE * scale,
        err_msg=f"{cid} ({mode}): trajectory differs from torch",
    )
    _check_lr(np.asarray(run.lr), np.array(case["lr"]), f"{cid} ({mode}): lr differs from torch")


# --- schedules alone ---------------------------------------------------------------------
@pytest.mark.parametrize("cid", list(SCHEDULE_CASES))
def test_lr_sequence_matches_torch(cid: str) -> None:
    case = SCHEDULE_CASES[cid]
    s = case["schedule"]
    got = lr_sequence(s["name"], case["base_lr"], s["params"], case["n"])
    assert got.dtype == np.float64 and got.shape == (case["n"],)
    _check_lr(got, np.array(case["lr"]), f"{cid}: lr_sequence differs from torch")


@functools.cache
def _schedule_scenario() -> dict[str, Any]:
    """Every schedule-only case as a run of one scenario: the engine's own lr column."""
    ids = list(SCHEDULE_CASES)
    n = {SCHEDULE_CASES[i]["n"] for i in ids}
    assert len(n) == 1
    runs = [
        {
            "optimizer": "sgd",
            "params": {"lr": SCHEDULE_CASES[i]["base_lr"]},
            "schedule": SCHEDULE_CASES[i]["schedule"],
        }
        for i in ids
    ]
    # A point at the minimum of a convex bowl does not move whatever the lr: no divergence.
    res = simulate({"surface": "ravine", "start": [0.0, 0.0], "steps": n.pop(), "runs": runs})
    return dict(zip(ids, res.runs, strict=True))


@pytest.mark.parametrize("cid", list(SCHEDULE_CASES))
def test_engine_lr_column_matches_torch(cid: str) -> None:
    run = _schedule_scenario()[cid]
    _check_lr(np.asarray(run.lr), np.array(SCHEDULE_CASES[cid]["lr"]), f"{cid}: engine lr")


# --- the fixture covers what it claims ----------------------------------------------------
TORCH_FOLLOWERS = sorted(n for n, o in OPTIMIZERS.items() if o.follows == "torch")


def test_fixture_is_from_torch_2_13_float64() -> None:
    assert DATA["torch_version"].startswith("2.13.")
    assert DATA["dtype"] == "float64" and DATA["foreach"] is False


def test_every_torch_optimizer_on_three_surfaces_with_defaults() -> None:
    surfaces: dict[str, set[str]] = {n: set() for n in TORCH_FOLLOWERS}
    defaults: dict[str, set[str]] = {n: set() for n in TORCH_FOLLOWERS}
    for c in CASES.values():
        run = c["scenario"]["runs"][0]
        surfaces[run["optimizer"]].add(c["scenario"]["surface"])
        if set(run["params"]) <= {"lr"} and not run.get("schedule"):
            defaults[run["optimizer"]].add(c["scenario"]["surface"])
    for name in TORCH_FOLLOWERS:
        assert len(surfaces[name]) >= 3, (name, surfaces[name])
        assert len(defaults[name]) >= 3, (name, defaults[name])


def test_every_non_default_knob_is_covered() -> None:
    seen: dict[str, set[str]] = {n: set() for n in TORCH_FOLLOWERS}
    for c in CASES.values():
        run = c["scenario"]["runs"][0]
        opt = OPTIMIZERS[run["optimizer"]]
        for k, v in run["params"].items():
            if v != opt.param(k).default:
                seen[run["optimizer"]].add(k)
    for name in TORCH_FOLLOWERS:
        knobs = {p.name for p in OPTIMIZERS[name].params} - {"bias_correction"}
        assert knobs <= seen[name], (name, knobs - seen[name])


def test_every_schedule_is_covered() -> None:
    names = {n for n in SCHEDULES if n != "constant"}
    carriers: dict[str, set[str]] = {n: set() for n in names}
    for c in CASES.values():
        run = c["scenario"]["runs"][0]
        if run.get("schedule"):
            carriers[run["schedule"]["name"]].add(run["optimizer"])
    for n in names:
        assert {"adam", "adamw"} <= carriers[n], (n, carriers[n])
        assert carriers[n] & {"sgd", "momentum"}, (n, carriers[n])
    only = {c["schedule"]["name"] for c in SCHEDULE_CASES.values()}
    assert only == names
    onecycle = [
        {**SCHEDULES["onecycle"].defaults(), **c["schedule"]["params"]}
        for c in SCHEDULE_CASES.values()
        if c["schedule"]["name"] == "onecycle"
    ]
    kinds = {(p["anneal_strategy"], p["three_phase"]) for p in onecycle}
    assert kinds == {("cos", False), ("linear", False), ("cos", True), ("linear", True)}
    cosine_past_t_max = [
        c
        for c in CASES.values()
        if (s := c["scenario"]["runs"][0].get("schedule"))
        and s["name"] == "cosine"
        and c["scenario"]["steps"] > 2 * s["params"]["T_max"]
    ]
    assert cosine_past_t_max


def test_onecycle_with_a_warm_up_of_no_length_is_rejected_like_torch() -> None:
    """pct_start * total_steps = 1 puts the end of the warm-up at step 0: torch's OneCycleLR
    raises ZeroDivisionError at construction, and lr_sequence would give nan for step 0 (the
    run would be reported as diverged at its start), so the scenario is refused."""
    sched = {"name": "onecycle", "params": {"max_lr": 0.1, "total_steps": 10, "pct_start": 0.1}}
    with pytest.raises(ScenarioError, match="pct_start \\* total_steps = 1"):
        parse_scenario(
            {
                "surface": "ravine",
                "steps": 10,
                "runs": [{"optimizer": "sgd", "schedule": sched}],
            }
        )
