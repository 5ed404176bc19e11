"""Sweeps: every cell of a map is the run it stands for, judged as that run alone would be.

The cells step together in one batch and keep only the verdict's summary; each must still get
exactly the verdict kind, final point, final loss and steps of ``lab.simulate`` of the same
run on its own (built here by hand from the axes' values, not by the sweep's code), across
optimizers, schedules, noise, weight decay and cells that bounce, diverge and are cut. Also:
the axes' values, ``to_dict``, the validation messages, cells whose start is outside the
surface, the progress callback, and memory that grows with the verdict's last stretch only.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import tracemalloc
from typing import Any

import numpy as np
import pytest

from lab import ScenarioError, simulate, sweep
from lab.sweep_spec import estimated_bytes
from lab.verdicts.thresholds import window
from surfaces import BUILTIN


def axis(param: str, lo: float, hi: float, n: int, scale: str = "linear") -> dict[str, Any]:
    return {"param": param, "from": lo, "to": hi, "n": n, "scale": scale}


def scenario(surface: Any, run: dict[str, Any], x: dict, y: dict | None, steps: int, **extra: Any) -> dict:
    sweep_key: dict[str, Any] = {"x": x}
    if y is not None:
        sweep_key["y"] = y
    return {"surface": surface, "steps": steps, "runs": [run], "sweep": sweep_key, **extra}


CASES = {
    # lr up to eta * lambda = 2 exactly on the ravine: crawling, moving, minimum and, at
    # 0.01, a steady bounce; then just across the line: diverging (not yet cut) and cut.
    "gd on the ravine": scenario(
        "ravine", {"optimizer": "sgd", "params": {"lr": 0.01}},
        axis("lr", 1e-5, 0.01, 10, "log"), axis("start.y", 0.5, 1.5, 3), 1000, start=[-9.0, 1.0],
    ),
    "gd across the line": scenario(
        "ravine", {"optimizer": "sgd", "params": {"lr": 0.01}},
        axis("lr", 0.0099, 0.0135, 13), axis("start.y", 0.5, 1.5, 2), 300, start=[-9.0, 1.0],
    ),
    "heavy ball, lr x momentum": scenario(
        "ravine", {"optimizer": "momentum", "params": {"lr": 0.005, "momentum": 0.5}},
        axis("lr", 1e-3, 0.02, 5, "log"), axis("momentum", 0.0, 0.95, 4), 400,
    ),
    "adam lr x beta1 (both lerp branches)": scenario(
        "rosenbrock", {"optimizer": "adam", "params": {"lr": 0.01}},
        axis("lr", 1e-3, 1.0, 5, "log"), axis("beta1", 0.0, 0.99, 5), 300,
    ),
    "adam beta2 x eps": scenario(
        "beale", {"optimizer": "adam", "params": {"lr": 0.05}},
        axis("beta2", 0.5, 0.9999, 4), axis("eps", 1e-8, 1e-1, 3, "log"), 250,
    ),
    "nesterov, momentum > 0": scenario(
        "rotated_ravine", {"optimizer": "nesterov", "params": {"lr": 0.01}},
        axis("momentum", 0.1, 0.95, 4), axis("lr", 1e-3, 0.05, 4, "log"), 300,
    ),
    "rmsprop with a cosine schedule, T_max x lr": scenario(
        "himmelblau",
        {"optimizer": "rmsprop", "params": {"lr": 0.01}, "schedule": {"name": "cosine", "params": {"T_max": 100}}},
        axis("schedule.T_max", 20, 300, 4), axis("lr", 1e-3, 0.3, 3, "log"), 250,
    ),
    "exponential decay gamma x start.x, with noise": scenario(
        "lecture_saddle",
        {"optimizer": "sgd", "params": {"lr": 0.05}, "schedule": {"name": "exponential", "params": {"gamma": 0.99}}},
        axis("schedule.gamma", 0.9, 0.999, 3), axis("start.x", -1.5, 1.5, 4), 200,
        noise={"std": 0.05, "seed": 3},
    ),
    "step schedule, an integer axis": scenario(
        "rosenbrock",
        {"optimizer": "adagrad", "params": {"lr": 1.5}, "schedule": {"name": "step", "params": {"step_size": 50, "gamma": 0.5}}},
        axis("schedule.step_size", 10, 200, 4), None, 200,
    ),
    "L2 weight decay x lr": scenario(
        "rotated_ravine", {"optimizer": "sgd", "params": {"lr": 0.01}},
        axis("weight_decay", 0.0, 2.0, 3), axis("lr", 1e-3, 0.06, 4, "log"), 250,
    ),
    "adamw decoupled decay": scenario(
        "dip", {"optimizer": "adamw", "params": {"lr": 0.05}},
        axis("weight_decay", 0.0, 0.5, 3), axis("beta1", 0.3, 0.95, 3), 250,
    ),
    "nadam momentum_decay (an exponent per cell)": scenario(
        "himmelblau", {"optimizer": "nadam", "params": {"lr": 0.2}},
        axis("momentum_decay", 1e-3, 0.5, 3, "log"), axis("beta1", 0.0, 0.95, 3), 300,
    ),
    "radam betas": scenario(
        "himmelblau", {"optimizer": "radam", "params": {"lr": 0.05}},
        axis("beta2", 0.9, 0.999, 3), axis("beta1", 0.0, 0.9, 3), 200,
    ),
    "lecture adagrad start basins": scenario(
        "himmelblau", {"optimizer": "adagrad_lecture", "params": {"lr": 0.1}},
        axis("start.x", -4.5, 4.5, 4), axis("start.y", -4.5, 4.5, 4), 300,
    ),
}


def by_hand(sc: dict[str, Any], xv: Any, yv: Any) -> dict[str, Any]:
    """The scenario of one cell, written out from the sweep key (independently of lab.sweep)."""
    one = copy.deepcopy({k: v for k, v in sc.items() if k != "sweep"})
    run = one["runs"][0]
    run.setdefault("params", {})
    for a, v in ((sc["sweep"]["x"], xv), (sc["sweep"].get("y"), yv)):
        if a is None:
            continue
        p = a["param"]
        if p.startswith("start."):
            start = list(one.get("start") or BUILTIN[one["surface"]].start)
            start["xy".index(p[-1])] = v
            one["start"] = start
        elif p.startswith("schedule."):
            run["schedule"]["params"][p.split(".", 1)[1]] = v
        elif p in ("beta1", "beta2"):
            betas = list(run["params"].get("betas", (0.9, 0.999)))
            betas[int(p[-1]) - 1] = v
            run["params"]["betas"] = betas
        else:
            run["params"][p] = v
    return one


@pytest.mark.parametrize("name", list(CASES))
def test_every_cell_equals_its_run_simulated_alone(name: str) -> None:
    sc = CASES[name]
    res = sweep(sc)
    kinds = set()
    for i, yv in enumerate(res.ys):
        for j, xv in enumerate(res.xs):
            alone = simulate(by_hand(sc, xv, yv)).runs[0]
            v = alone.verdict
            kinds.add(v["kind"])
            where = f"{name}: cell ({i}, {j}) = {xv}, {yv}"
            assert res.kind[i][j] == v["kind"], where
            assert np.array_equal(res.final_point[i, j], alone.trajectory[-1]), where
            assert res.steps_run[i, j] == v["numbers"]["steps_run"], where
            expected = v["numbers"].get("final_loss")
            if expected is None:  # a cut run: its last valid point's loss (of L + wd/2 |p|^2)
                p = alone.trajectory[-1]
                wd = alone.params.get("weight_decay", 0.0) if alone.optimizer == "sgd" else 0.0
                expected = float(alone.loss[-1]) + 0.5 * wd * float(p @ p)
            assert res.final_loss[i, j] == pytest.approx(expected, rel=1e-12, abs=0), where
    assert len(kinds) >= 2, f"{name}: the map should not be uniform, got {kinds}"


def test_the_ravine_maps_hold_every_kind_of_gd_run() -> None:
    """The first two cases hold the hard cells: a steady bounce, growth, a cut."""
    kinds = {k for name in ("gd on the ravine", "gd across the line") for row in sweep(CASES[name]).kind for k in row}
    assert {"crawling", "moving", "minimum", "oscillating", "diverging", "diverged"} <= kinds


def test_a_cell_scenario_is_the_cell() -> None:
    sc = CASES["adam lr x beta1 (both lerp branches)"]
    res = sweep(sc)
    for i, j in [(0, 0), (2, 3), (4, 4)]:
        mine = res.cell_scenario(i, j)
        assert simulate(mine).runs[0].trajectory[-1].tolist() == res.final_point[i, j].tolist()
        assert mine["runs"][0]["params"]["betas"][0] == res.ys[i]
        assert mine["runs"][0]["params"]["lr"] == res.xs[j]
        assert "sweep" not in mine


# --- the axes and to_dict ------------------------------------------------------------------
def test_axes_run_from_from_to_to_evenly_or_by_ratios() -> None:
    sc = scenario("ravine", {"optimizer": "momentum"}, axis("lr", 1e-4, 1.0, 5, "log"), axis("momentum", 0.0, 0.8, 5), 20)
    res = sweep(sc)
    assert res.xs[0] == 1e-4 and res.xs[-1] == 1.0
    np.testing.assert_allclose(res.xs, [1e-4, 1e-3, 1e-2, 1e-1, 1.0], rtol=1e-12)
    np.testing.assert_allclose(res.ys, [0.0, 0.2, 0.4, 0.6, 0.8], atol=1e-15)
    ints = sweep(CASES["step schedule, an integer axis"])
    assert ints.xs == [10, 73, 137, 200] and all(isinstance(v, int) for v in ints.xs)


def test_to_dict_is_the_issues_format_and_plain_json() -> None:
    res = sweep(CASES["gd across the line"])
    d = res.to_dict()
    assert list(d) == ["x", "y", "kind", "final_loss", "final_point", "steps_run", "rate"]
    ny, nx = len(res.ys), len(res.xs)
    assert (len(d["x"]), len(d["y"])) == (nx, ny)
    for key in ("kind", "final_loss", "final_point", "steps_run", "rate"):
        assert len(d[key]) == ny and all(len(row) == nx for row in d[key])  # rows follow y
    assert d["kind"][1][3] == res.kind[1][3] and d["final_point"][1][0] == res.final_point[1, 0].tolist()
    json.dumps(d, allow_nan=False)  # no NaN: undefined numbers are null
    cut = [(i, j) for i in range(ny) for j in range(nx) if d["kind"][i][j] == "diverged"]
    assert cut and all(d["rate"][i][j] is None for i, j in cut)
    assert all(d["steps_run"][i][j] < res.scenario.steps for i, j in cut)


def test_a_strip_without_y_has_one_row() -> None:
    res = sweep(CASES["step schedule, an integer axis"])
    assert res.ys == [None] and res.shape == (1, 4) and res.to_dict()["y"] == [None]


def test_cells_whose_start_is_outside_the_surface_are_not_run() -> None:
    sc = scenario(
        {"expr": "log(x) + (y - 1)**2", "x_range": [0.1, 3], "y_range": [-1, 3]},
        {"optimizer": "sgd", "params": {"lr": 0.01}},
        axis("start.x", -1.0, 2.0, 4), axis("start.y", 0.0, 2.0, 2), 50,
    )
    res = sweep(sc)
    assert [row[:2] for row in res.kind] == [[None, None], [None, None]]  # x0 = -1, 0
    assert all(k is not None for row in res.kind for k in row[2:])
    d = res.to_dict()
    assert d["final_point"][0][0] is None and d["steps_run"][0][0] is None
    alone = simulate(res.cell_scenario(1, 3)).runs[0]
    assert alone.verdict["kind"] == res.kind[1][3]


def test_progress_goes_from_0_to_1() -> None:
    seen: list[float] = []
    sweep(scenario("ravine", {"optimizer": "sgd"}, axis("lr", 1e-3, 1e-2, 100), axis("start.y", 0.1, 1, 100), 2000), progress=seen.append)
    assert len(seen) >= 5 and seen[-1] == 1.0
    assert all(0 <= a <= b <= 1 for a, b in itertools.pairwise(seen))


# --- validation --------------------------------------------------------------------------
BASE = {"surface": "ravine", "steps": 100, "runs": [{"optimizer": "adam"}, {"optimizer": "sgd", "schedule": {"name": "cosine", "params": {"T_max": 50}}}]}
BAD = [
    ({"x": {"param": "betas", "from": 0, "to": 0.5}}, 'sweep.x.param = "betas" is not a parameter of runs[0]; allowed: lr, beta1, beta2, eps, weight_decay, start.x, start.y (runs[0] is adam)'),
    ({"x": {"param": "amsgrad", "from": 0, "to": 1}}, 'sweep.x.param = "amsgrad" is not a parameter of runs[0]'),
    ({"x": {"from": 0, "to": 1}}, "sweep.x.param = null is missing; allowed: lr, beta1"),
    ({"x": {"param": "beta1", "from": 0, "to": 1}}, "sweep.x.to = 1 is out of range; allowed: 0 <= beta1 < 1 (for adam)"),
    ({"x": {"param": "lr", "from": -1, "to": 1}}, "sweep.x.from = -1 is out of range; allowed: 0 <= lr, finite (for adam)"),
    ({"x": {"param": "lr", "from": 0, "to": 1, "scale": "log"}}, 'sweep.x.from = 0 is invalid; allowed: a number > 0 (scale "log"'),
    ({"x": {"param": "lr", "from": 0.1, "to": 1, "scale": "cubic"}}, 'sweep.x.scale = "cubic" is invalid; allowed: "linear" or "log"'),
    ({"x": {"param": "lr", "from": 0.1, "to": 0.1}}, "sweep.x.to = 0.1 is invalid; allowed: a value different from from = 0.1"),
    ({"x": {"param": "lr", "from": 0.1, "to": 1, "n": 201}}, "sweep.x.n = 201 is out of range; allowed: an integer with 2 <= n <= 200"),
    ({"x": {"param": "lr", "from": 0.1, "to": 1, "n": 1}}, "sweep.x.n = 1 is out of range; allowed: an integer with 2 <= n <= 200"),
    ({"x": {"param": "lr", "from": 0.1, "to": 1, "n": "ten"}}, 'sweep.x.n = "ten" is not an integer'),
    ({"x": {"param": "lr", "from": "a", "to": 1}}, 'sweep.x.from = "a" is not a number'),
    ({"x": {"param": "lr", "to": 1}}, "sweep.x.from is missing; allowed: 0 <= lr"),
    ({"x": {"param": "lr", "from": 0.1, "to": 1, "steps": 3}}, 'unknown key "steps" in sweep.x; allowed keys: param, from, to, n, scale'),
    ({"x": {"param": "lr", "from": 0.1, "to": 1}, "z": {}}, 'unknown key "z" in sweep; allowed keys: run, x, y'),
    ({"x": {"param": "lr", "from": 0.1, "to": 1}, "y": {"param": "lr", "from": 1, "to": 2}}, 'sweep.y.param = "lr" is swept on x already; allowed: a parameter other than x\'s'),
    ({"run": 2, "x": {"param": "lr", "from": 0.1, "to": 1}}, "sweep.run = 2 is out of range; allowed: an integer with 0 <= run <= 1"),
    ({"y": {"param": "lr", "from": 0.1, "to": 1}}, "sweep.x is missing; a sweep needs an axis"),
    ({"x": {"param": "start.x", "from": 0, "to": 2e6}}, "sweep.x.to = 2000000.0 is out of range; allowed: -1000000 <= start.x <= 1000000"),
    ({"x": {"param": "schedule.T_max", "from": 1, "to": 10}}, 'sweep.x.param = "schedule.T_max" is not a parameter of runs[0]'),
    ({"run": 1, "x": {"param": "schedule.T_max", "from": 0, "to": 10}}, "sweep.x.from = 0 is out of range; allowed: an integer with 1 <= T_max"),
    ({"run": 1, "x": {"param": "schedule.T_max", "from": 1.5, "to": 10}}, "sweep.x.from = 1.5 is not an integer"),
    ({"x": "lr"}, 'sweep.x = "lr" is not an axis; allowed: an object with keys param, from, to, n, scale'),
    ([], "sweep = [] is not a sweep; allowed: an object with keys run, x, y"),
    ({"x": {"param": "lr", "from": 1e-3, "to": 1, "n": 200}, "y": {"param": "beta1", "from": 0, "to": 0.9, "n": 200}}, None),
]


@pytest.mark.parametrize(("key", "message"), BAD)
def test_invalid_sweeps_are_refused_naming_key_value_and_allowed(key: Any, message: str | None) -> None:
    sc = {**BASE, "sweep": key}
    if message is None:  # the largest grid is fine at 100 steps ...
        sweep_ok = copy.deepcopy(sc)
        sweep_ok["steps"] = 100
        from lab import parse_scenario

        parse_scenario(sweep_ok)
        sc["steps"] = 5000  # ... but not at 5,000: 200 x 200 x 5,000 cell-steps
        message = "sweep: 200 x 200 cells x 5,000 steps = 200,000,000 cell-steps; allowed: at most 40,000,000 (lower n or steps)"
    with pytest.raises(ScenarioError) as e:
        sweep(sc)
    assert message in str(e.value)


def test_cross_parameter_checks_run_on_every_cell() -> None:
    nesterov = scenario("ravine", {"optimizer": "nesterov"}, axis("momentum", 0.0, 0.9, 4), None, 50)
    with pytest.raises(ScenarioError, match=r"sweep.x.from = 0.0 is out of range; allowed: 0 < momentum < 1 \(for nesterov\)"):
        sweep(nesterov)  # Nesterov's own rule (momentum > 0) is in its momentum's range
    onecycle = scenario(
        "ravine", {"optimizer": "sgd", "schedule": {"name": "onecycle", "params": {"max_lr": 0.01, "total_steps": 300}}},
        axis("schedule.total_steps", 100, 400, 4), None, 200,
    )
    with pytest.raises(ScenarioError, match=r"sweep: at schedule\.total_steps = 100: total_steps=100 is smaller than the scenario's steps=200"):
        sweep(onecycle)


def test_a_scenario_without_a_sweep_is_refused_and_round_trips_with_one() -> None:
    with pytest.raises(ScenarioError, match='sweep is missing; a map needs a "sweep" key'):
        sweep({"surface": "ravine", "runs": [{"optimizer": "sgd"}]})
    from lab import parse_scenario

    sc = parse_scenario(CASES["heavy ball, lr x momentum"])
    d = sc.to_dict()
    assert d["sweep"] == {
        "run": 0,
        "x": {"param": "lr", "from": 1e-3, "to": 0.02, "n": 5, "scale": "log"},
        "y": {"param": "momentum", "from": 0.0, "to": 0.95, "n": 4, "scale": "linear"},
    }
    assert parse_scenario(d) == sc
    assert "sweep" not in parse_scenario({"surface": "ravine", "runs": [{"optimizer": "sgd"}]}).to_dict()


# --- memory --------------------------------------------------------------------------------
def _peak(sc: dict[str, Any]) -> int:
    tracemalloc.start()
    try:
        sweep(sc)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_grows_with_the_last_stretch_not_with_the_path() -> None:
    """A 20 x 20 map at 500 and at 4,000 steps: the peak grows by about the verdict's last
    stretch (a tenth of the steps, 40 bytes a point), far less than the paths would take (32
    bytes a point for every step: point, loss, gradient norm), and stays under the estimate the
    scenario check uses."""
    def sc(steps: int) -> dict[str, Any]:
        return scenario("rosenbrock", {"optimizer": "adam", "params": {"lr": 0.01}}, axis("lr", 1e-3, 0.3, 20, "log"), axis("beta1", 0.0, 0.95, 20), steps)

    cells = 400
    short, long = _peak(sc(500)), _peak(sc(4000))
    paths = cells * (4000 - 500) * 32
    assert long - short < 0.3 * paths
    stretch = cells * (window(4000) - window(500)) * 40
    assert long - short < 3 * stretch + 2**20
    for steps, peak in ((500, short), (4000, long)):
        assert peak <= estimated_bytes(cells, steps, 0)


def test_the_memory_estimate_bounds_a_large_map() -> None:
    sc = scenario("ravine", {"optimizer": "momentum", "params": {"lr": 0.01}}, axis("lr", 1e-4, 0.05, 100, "log"), axis("momentum", 0.0, 0.99, 100), 300)
    peak = _peak(sc)
    est = estimated_bytes(10_000, 300, 0)
    assert 0.4 * est <= peak <= est, (peak / 2**20, est / 2**20)
    assert math.isclose(estimated_bytes(10_000, 300, 7), est + 8 * 300 * 7)
