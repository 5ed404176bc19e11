"""The scenario format: defaults, round trip, and a table of invalid inputs with their messages."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.params import Bool, Pair
from lab import ScenarioError, parse_scenario, simulate
from lab.verdicts import KINDS
from optimizers import OPTIMIZERS

BASE = {
    "surface": "rosenbrock",
    "start": [-1.5, 2.0],
    "steps": 50,
    "runs": [
        {
            "optimizer": "adam",
            "params": {"lr": 0.01, "betas": [0.9, 0.999]},
            "schedule": {"name": "cosine", "params": {"T_max": 50, "eta_min": 0.0}},
            "label": "Adam",
        }
    ],
    "noise": {"std": 0.0, "seed": 0},
}


def test_defaults_are_filled_in() -> None:
    sc = parse_scenario({"surface": "ravine", "runs": [{"optimizer": "nadam"}]})
    assert sc.start == (-9.0, 1.0)  # the surface's default start
    assert sc.steps == 200
    assert sc.runs[0].params == {
        "lr": 0.002,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum_decay": 0.004,
        "decoupled_weight_decay": False,
    }
    assert sc.runs[0].schedule is None
    assert sc.runs[0].label == "NAdam"
    assert sc.noise == {"std": 0.0, "seed": 0}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_round_trips(name: str) -> None:
    d = {"surface": "beale", "runs": [{"optimizer": name}], "steps": 3}
    once = parse_scenario(d).to_dict()
    twice = parse_scenario(json.loads(json.dumps(once))).to_dict()
    assert once == twice
    assert json.loads(json.dumps(once)) == once  # plain JSON values only


def test_round_trip_custom_surface_and_schedules() -> None:
    d = copy.deepcopy(BASE)
    d["surface"] = {"expr": "x**2 + 10*y**2", "x_range": [-2, 2], "y_range": [-1, 1]}
    d["runs"].append(
        {
            "optimizer": "sgd",
            "schedule": {"name": "onecycle", "params": {"max_lr": 0.1, "total_steps": 50}},
        }
    )
    once = parse_scenario(d).to_dict()
    assert parse_scenario(once).to_dict() == once
    assert once["surface"]["x_range"] == [-2.0, 2.0]
    assert once["runs"][1]["schedule"]["params"]["pct_start"] == 0.3


def test_constant_schedule_is_no_schedule() -> None:
    d = copy.deepcopy(BASE)
    d["runs"][0]["schedule"] = {"name": "constant"}
    assert parse_scenario(d).runs[0].schedule is None


def _with(path: str, value: object) -> dict:
    d = copy.deepcopy(BASE)
    keys = path.split(".")
    cur: object = d
    for k in keys[:-1]:
        cur = cur[int(k)] if isinstance(cur, list) else cur[k]  # type: ignore[index]
    last = keys[-1]
    if isinstance(cur, list):
        cur[int(last)] = value
    else:
        cur[last] = value  # type: ignore[index]
    return d


R = "runs.0"
INVALID = [
    (
        _with("surface", "rosenbrok"),
        'surface = "rosenbrok" is not a built-in surface; allowed: one of ravine',
    ),
    (_with("surface", {"expr": "x + z"}), "surface.expr: Invalid formula: unknown name 'z'"),
    (_with("surface", {"expr": "__import__('os')"}), "surface.expr: Invalid formula"),
    (
        _with("surface", {"formula": "x"}),
        'unknown key "formula" in surface; allowed keys: expr, x_range, y_range',
    ),
    (
        _with("surface", {"expr": "x", "x_range": [2, 1]}),
        "surface.x_range = [2, 1] is invalid; allowed: two finite numbers",
    ),
    (_with("surface", 3), "surface = 3 is not a surface name or object"),
    (_with("start", [0]), "start = [0] is not a point; allowed: [x, y]"),
    (_with("start", [0, "a"]), 'start[1] = "a" is not a number'),
    (_with("start", [0, 2e6]), "start = [0, 2000000.0] is out of range"),
    (
        _with("steps", 0),
        "steps = 0 is out of range; allowed: an integer with 1 <= steps <= 1000000",
    ),
    (_with("steps", 2.5), "steps = 2.5 is not an integer"),
    (_with("steps", True), "steps = true is not an integer"),
    (_with("steps", "100"), 'steps = "100" is not an integer'),
    (_with("runs", []), "runs = [] is not a non-empty list"),
    (
        _with(f"{R}.optimizer", "adamm"),
        'runs[0].optimizer = "adamm" is not an optimizer; allowed: one of sgd, momentum',
    ),
    (
        _with(f"{R}.optimizer", ["adam"]),  # not a name at all: no TypeError from a dict lookup
        'runs[0].optimizer = ["adam"] is not an optimizer; allowed: one of sgd, momentum',
    ),
    (
        _with(f"{R}.schedule", {"name": {"cosine": 1}}),
        'runs[0].schedule.name = {"cosine": 1} is not a schedule; allowed: one of constant',
    ),
    (
        _with(f"{R}.params", {"lr": -0.1}),
        "runs[0].params.lr = -0.1 is out of range; allowed: 0 <= lr, finite (for adam)",
    ),
    (_with(f"{R}.params", {"lr": "fast"}), 'runs[0].params.lr = "fast" is not a number'),
    (_with(f"{R}.params", {"lr": math.inf}), "runs[0].params.lr = Infinity is not finite"),
    (
        _with(f"{R}.params", {"betas": [1.0, 0.999]}),
        "runs[0].params.betas[0] = 1.0 is out of range; allowed: 0 <= beta1 < 1 (for adam)",
    ),
    (_with(f"{R}.params", {"betas": [0.9]}), "runs[0].params.betas = [0.9] is not a pair"),
    (
        _with(f"{R}.params", {"eps": -1e-8}),
        "runs[0].params.eps = -1e-08 is out of range; allowed: 0 <= eps, finite (for adam)",
    ),
    (
        _with(f"{R}.params", {"weight_decay": -1}),
        "runs[0].params.weight_decay = -1 is out of range",
    ),
    (
        _with(f"{R}.params", {"amsgrad": "yes"}),
        'runs[0].params.amsgrad = "yes" is not a boolean; allowed: true or false',
    ),
    (
        _with(f"{R}.params", {"momentum": 0.9}),
        'unknown key "momentum" in runs[0].params; allowed keys: lr, betas, eps, weight_decay, amsgrad, bias_correction',
    ),
    (
        _with(f"{R}.schedule", {"name": "cosine"}),
        "runs[0].schedule.params.T_max is missing; cosine needs it",
    ),
    (
        _with(f"{R}.schedule", {"name": "warmup"}),
        'runs[0].schedule.name = "warmup" is not a schedule; allowed: one of constant, step',
    ),
    (
        _with(f"{R}.schedule", {"name": "step", "params": {"step_size": 0}}),
        "runs[0].schedule.params.step_size = 0 is out of range; allowed: an integer with 1 <= step_size",
    ),
    (
        _with(f"{R}.schedule", {"name": "exponential", "params": {"gamma": 1.5}}),
        "runs[0].schedule.params.gamma = 1.5 is out of range; allowed: 0 < gamma <= 1",
    ),
    (
        _with(f"{R}.schedule", {"name": "onecycle", "params": {"max_lr": 0.1, "total_steps": 10}}),
        "total_steps=10 is smaller than the scenario's steps=50",
    ),
    (
        _with(
            f"{R}.schedule",
            {
                "name": "onecycle",
                "params": {"max_lr": 0.1, "total_steps": 50, "cycle_momentum": True},
            },
        ),
        "cycle_momentum=true is not supported",
    ),
    (
        _with(
            f"{R}.schedule",
            {
                "name": "onecycle",
                "params": {"max_lr": 0.1, "total_steps": 50, "anneal_strategy": "exp"},
            },
        ),
        "anneal_strategy = \"exp\" is not allowed; allowed: one of 'cos', 'linear'",
    ),
    (
        _with(f"{R}.label", ""),
        'runs[0].label = "" is invalid; allowed: non-empty text of at most 60 characters',
    ),
    (_with("noise", {"std": -1}), "noise.std = -1 is out of range; allowed: 0 <= std"),
    (_with("noise", {"seed": -1}), "noise.seed = -1 is out of range"),
    (_with("noise", {"sigma": 1}), 'unknown key "sigma" in noise; allowed keys: std, seed'),
    (
        {**BASE, "colour": "red"},
        'unknown key "colour" in the scenario; allowed keys: surface, start, steps, runs, noise',
    ),
    ({k: v for k, v in BASE.items() if k != "surface"}, "surface is missing"),
    ("{not json", "the scenario is not valid JSON"),
    ([1, 2], "is not a scenario"),
    (
        {**BASE, "runs": [{"optimizer": "nesterov", "params": {"momentum": 0.0}}]},
        "runs[0].params.momentum = 0.0 is out of range; allowed: 0 < momentum < 1 (for nesterov)",
    ),
    (
        {**BASE, "steps": 1_000_000, "runs": BASE["runs"] * 21},
        "runs x steps = 21 x 1000000 = 21,000,000; allowed: at most 20,000,000",
    ),
    (
        {**BASE, "surface": {"expr": "log(x)"}, "start": [-1, 0]},
        "start = [-1.0, 0.0] is invalid; allowed: a point where the surface and its gradient are finite",
    ),
]


@pytest.mark.parametrize(("scenario", "message"), INVALID, ids=[m[:50] for _, m in INVALID])
def test_invalid_inputs_are_rejected_with_a_clear_message(scenario: object, message: str) -> None:
    with pytest.raises(ScenarioError) as e:
        simulate(scenario)  # parse + the checks that need the surface
    assert message in str(e.value)


# --- property: any scenario either runs with finite outputs or raises the documented error ----
finite = st.floats(-1e3, 1e3, allow_nan=False)
anything = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=4)
)


@st.composite
def scenarios(draw) -> dict:  # type: ignore[no-untyped-def]
    name = draw(st.sampled_from(sorted(OPTIMIZERS)))
    opt = OPTIMIZERS[name]
    params = {}
    for p in opt.params:
        if draw(st.booleans()):
            if isinstance(p, Bool):
                params[p.name] = draw(st.one_of(st.booleans(), anything))
            elif isinstance(p, Pair):
                params[p.name] = draw(st.lists(st.floats(-0.5, 1.5), min_size=1, max_size=3))
            else:
                params[p.name] = draw(st.one_of(st.floats(-1, 20), anything))
    sched = draw(
        st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {
                    "name": st.sampled_from(
                        [
                            "step",
                            "exponential",
                            "cosine",
                            "linear",
                            "warmup_cosine",
                            "onecycle",
                            "nope",
                        ]
                    ),
                    "params": st.dictionaries(
                        st.sampled_from(
                            [
                                "step_size",
                                "gamma",
                                "T_max",
                                "eta_min",
                                "total_iters",
                                "start_factor",
                                "max_lr",
                                "total_steps",
                            ]
                        ),
                        st.one_of(st.integers(-2, 60), st.floats(-1, 2), anything),
                    ),
                }
            ),
        )
    )
    surface = draw(
        st.one_of(
            st.sampled_from(
                ["ravine", "saddle", "rosenbrock", "beale", "himmelblau", "rastrigin", "dip"]
            ),
            st.fixed_dictionaries(
                {
                    "expr": st.sampled_from(
                        [
                            "x**2 + y**2",
                            "log(x) + y**2",
                            "exp(x*y)",
                            "1/x + y",
                            "sqrt(x) - y",
                            "x**4 - y**3",
                        ]
                    )
                }
            ),
        )
    )
    return {
        "surface": surface,
        "start": [draw(finite), draw(finite)],
        "steps": draw(st.integers(1, 40)),
        "runs": [{"optimizer": name, "params": params, "schedule": sched}],
        "noise": {"std": draw(st.floats(0, 5)), "seed": draw(st.integers(0, 10))},
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_any_scenario_runs_finite_or_raises_the_documented_error(d: dict) -> None:
    try:
        result = simulate(d)
    except ScenarioError as e:
        assert str(e)
        return
    for run in result.runs:
        n = len(run.trajectory)
        assert 1 <= n <= d["steps"] + 1
        assert len(run.loss) == len(run.grad_norm) == n
        assert len(run.lr) == len(run.effective_lr) == n - 1
        for arr in (run.trajectory, run.loss, run.grad_norm, run.lr, run.effective_lr):
            assert np.all(np.isfinite(arr))
        assert run.verdict["kind"] in KINDS
        json.dumps(result.to_dict(), allow_nan=False)
