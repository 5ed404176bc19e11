"""Batched runs equal the same runs simulated one at a time, bit for bit.

The engine steps every run of one optimizer together, with each hyperparameter a float
(when the runs agree) or an (n, 1) array, and each switch (amsgrad, centered, ...) picked
per run. None of that may change a run: every run of a big mixed scenario must give exactly
(``assert_array_equal``) the trajectory, loss, gradient norm, lr, effective lr and verdict
it gives alone.

Three things had to hold for that, and are pinned here:

* powers of hyperparameters (``beta ** t``, NAdam's ``0.96 ** (t psi)``, the square roots
  of the bias corrections) are computed by C's pow for floats and arrays alike
  (``optimizers.shared.c_pow``): NumPy's vectorised pow differs from C's in the last bit for
  some inputs (e.g. ``0.99 ** 3``), which made a run whose betas differ from its group's
  step differently batched and alone (the difference reached 6e-12 relative in RAdam's
  effective lr, through the cancellation in rho_t);
* a run that does not use a buffer (momentum 0, RMSProp not centered, Adam without AMSGrad)
  keeps it at its initial value even when its group's other runs update theirs, so the
  recorded state (``record_state=True``) is also the same batched and alone;
* the surface's gradient must be computed element-wise: a BLAS product (``p @ H.T``) picks
  its kernel, and so the rounding of a two-term dot product, by the number of rows, so a
  batch would get gradients 1 ulp away from a lone run's. ``rotated_ravine`` is checked
  separately for exactly that.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from core.params import Bool, Pair
from lab import simulate
from optimizers import OPTIMIZERS, resolved_params
from surfaces.builtin import BUILTIN

FIELDS = ("trajectory", "loss", "grad_norm", "lr", "effective_lr")

SCHEDULES: list[dict[str, Any] | None] = [
    None,
    {"name": "step", "params": {"step_size": 17, "gamma": 0.5}},
    {"name": "exponential", "params": {"gamma": 0.99}},
    {"name": "cosine", "params": {"T_max": 40, "eta_min": 1e-5}},
    {"name": "linear", "params": {"start_factor": 0.2, "total_iters": 30}},
    {"name": "warmup_cosine", "params": {"start_factor": 0.1, "total_iters": 15, "T_max": 60}},
    {"name": "onecycle", "params": {"max_lr": 0.01, "total_steps": 150}},
    {
        "name": "onecycle",
        "params": {
            "max_lr": 0.005,
            "total_steps": 160,
            "three_phase": True,
            "pct_start": 0.2,
            "anneal_strategy": "linear",
        },
    },
]


def mixed_runs() -> list[dict[str, Any]]:
    """Many runs per optimizer whose hyperparameters and switches differ within the group."""
    runs: list[dict[str, Any]] = []

    def add(optimizer: str, **params: Any) -> None:
        runs.append({"optimizer": optimizer, "params": params})

    for ams, bc in itertools.product([True, False], [True, False]):
        for lr, betas, wd in [
            (0.01, [0.9, 0.999], 0.0),
            (0.02, [0.8, 0.99], 0.1),
            (0.005, [0.3, 0.9], 0.0),
        ]:
            add("adam", lr=lr, betas=betas, amsgrad=ams, bias_correction=bc, weight_decay=wd)
    for centered, mom in itertools.product([True, False], [0.0, 0.9]):
        add("rmsprop", lr=0.003, centered=centered, momentum=mom, alpha=0.9)
        add("rmsprop", lr=0.002, centered=centered, momentum=mom, alpha=0.4, weight_decay=0.1)
    add("momentum", lr=2e-4, momentum=0.0)
    add("momentum", lr=2e-4, momentum=0.9)
    add("momentum", lr=1e-4, momentum=0.5, dampening=0.5, weight_decay=0.1)
    add("momentum", lr=0.5, momentum=0.9)  # diverges inside a healthy group
    add("nesterov", lr=1e-4, momentum=0.5)
    add("nesterov", lr=2e-4, momentum=0.9, weight_decay=0.05)
    for name in ("nadam", "radam"):
        add(name, lr=0.002, decoupled_weight_decay=True, weight_decay=0.3)
        add(name, lr=0.002, decoupled_weight_decay=False, weight_decay=0.3, betas=[0.8, 0.99])
        add(name, lr=0.004, decoupled_weight_decay=False, weight_decay=0.0, betas=[0.5, 0.9])
    add("nadam", lr=0.003, momentum_decay=0.02)
    add("amsgrad", lr=0.01)
    add("amsgrad", lr=0.01, betas=[0.7, 0.95], weight_decay=0.01)
    add("adamw", lr=0.01)
    add("adamw", lr=0.02, amsgrad=True, weight_decay=0.1)
    add("adagrad", lr=0.1)
    add("adagrad", lr=0.1, lr_decay=0.01, initial_accumulator_value=0.5, eps=1e-6)
    add("adadelta", lr=1.0)
    add("adadelta", lr=2.0, rho=0.5, weight_decay=0.1)
    add("sgd", lr=1e-4)
    add("sgd", lr=5e-5, weight_decay=0.2)
    add("sgd", lr=0.5)  # diverges
    add("adagrad_lecture", lr=0.01)
    add("adagrad_lecture", lr=0.05)
    add("rmsprop_lecture", lr=0.01, alpha=0.8)
    add("rmsprop_lecture", lr=0.02, alpha=0.95)
    for i, run in enumerate(runs):
        if SCHEDULES[i % len(SCHEDULES)] is not None:
            run["schedule"] = SCHEDULES[i % len(SCHEDULES)]
    return runs


def _assert_same_run(alone: Any, batched: Any, what: str) -> None:
    for f in FIELDS:
        np.testing.assert_array_equal(
            np.asarray(getattr(batched, f)), np.asarray(getattr(alone, f)), err_msg=f"{what}: {f}"
        )
    assert batched.verdict == alone.verdict, what
    # The recorded optimizer state too (record_state=True): a run that does not use a buffer
    # (no momentum, not centered, no AMSGrad) keeps it at its initial value in a mixed group.
    assert set(batched.state) == set(alone.state), what
    for k in alone.state:
        np.testing.assert_array_equal(batched.state[k], alone.state[k], err_msg=f"{what}: {k}")


# Every built-in surface whose gradient is element-wise (all but rotated_ravine).
EXACT_SURFACES = [
    ("rosenbrock", [-1.2, 1.0]),
    ("ravine", [-9.0, 1.0]),
    ("himmelblau", [-0.3, -0.9]),
    ("beale", [1.0, 1.5]),
    ("rastrigin", [3.3, 2.6]),
    ("dip", [-3.5, 1.5]),
    ("saddle", [1.5, 1e-3]),
    ("lecture_saddle", [0.8, -0.8]),
]


@pytest.mark.parametrize("noise", [0.0, 0.3], ids=["exact-grad", "noisy-grad"])
@pytest.mark.parametrize(("surface", "start"), EXACT_SURFACES, ids=[s for s, _ in EXACT_SURFACES])
def test_batched_runs_equal_runs_alone(surface: str, start: list[float], noise: float) -> None:
    runs = mixed_runs()
    base = {"surface": surface, "start": start, "steps": 150, "noise": {"std": noise, "seed": 7}}
    batched = simulate({**base, "runs": runs}, record_state=True).runs
    assert len(batched) == len(runs)
    for i, run in enumerate(runs):
        alone = simulate({**base, "runs": [run]}, record_state=True).runs[0]
        _assert_same_run(alone, batched[i], f"{surface} run {i} {run}")


def test_the_mix_exercises_every_switch_and_both_kinds_of_hyperparameter() -> None:
    """Within a group, the switches disagree and some numbers differ (array paths) while
    others agree (float paths)."""
    runs = mixed_runs()
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in runs:
        opt = OPTIMIZERS[r["optimizer"]]
        groups.setdefault(opt.name, []).append(resolved_params(opt, r["params"]))
    mixed = {
        "adam": ("amsgrad", "bias_correction"),
        "rmsprop": ("centered", "has_momentum", "alpha_lerp_small"),
        "momentum": ("uses_buffer",),
        "nadam": ("decay.decoupled", "b1_lerp_small"),
        "radam": ("decay.decoupled", "b1_lerp_small"),
        "adamw": ("amsgrad",),
    }
    for name, switches in mixed.items():
        hp = OPTIMIZERS[name].hyper(groups[name])
        for s in switches:
            sw = hp
            for part in s.split("."):
                sw = getattr(sw, part)
            assert sw.any and not sw.all, (name, s)
    hp = OPTIMIZERS["adam"].hyper(groups["adam"])
    assert isinstance(hp.b1, np.ndarray) and isinstance(hp.eps, float)
    assert {r.get("schedule") is None for r in runs} == {True, False}
    assert len({str(r.get("schedule")) for r in runs}) == len(SCHEDULES)


def test_a_diverging_run_does_not_touch_the_others() -> None:
    healthy = [
        {"optimizer": "sgd", "params": {"lr": 1e-4}},
        {"optimizer": "adam", "params": {"lr": 0.01, "amsgrad": True}},
        {"optimizer": "rmsprop", "params": {"lr": 0.003, "centered": True, "momentum": 0.5}},
    ]
    bad = [
        {"optimizer": "sgd", "params": {"lr": 1.0}},  # same group as a healthy run
        {"optimizer": "rmsprop", "params": {"lr": 50.0, "momentum": 0.99}},
    ]
    base = {"surface": "rosenbrock", "start": [-1.2, 1.0], "steps": 200}
    without = simulate({**base, "runs": healthy}).runs
    with_bad = simulate({**base, "runs": [bad[0], *healthy, bad[1]]}).runs
    assert with_bad[0].verdict["kind"] == "diverged"
    assert with_bad[0].steps_run < 200
    for i in range(len(healthy)):
        _assert_same_run(without[i], with_bad[i + 1], f"healthy run {i}")
        assert with_bad[i + 1].steps_run == 200
    for j, run in ((0, bad[0]), (4, bad[1])):
        _assert_same_run(simulate({**base, "runs": [run]}).runs[0], with_bad[j], f"bad run {j}")


def test_runs_that_all_diverge_stop_together_and_match_alone() -> None:
    """Past 512 steps the engine stops once every run has left the bound."""
    runs = [
        {"optimizer": "sgd", "params": {"lr": 0.3}},
        {"optimizer": "sgd", "params": {"lr": 0.03}},
        {"optimizer": "momentum", "params": {"lr": 0.05, "momentum": 0.9}},
    ]
    base = {"surface": "ravine", "start": [-9.0, 1.0], "steps": 1500}
    batched = simulate({**base, "runs": runs}).runs
    for i, run in enumerate(runs):
        assert batched[i].verdict["kind"] == "diverged"
        _assert_same_run(simulate({**base, "runs": [run]}).runs[0], batched[i], f"run {i}")


# --- the update rules alone, on a shared gradient sequence -------------------------------
def _param_sets(name: str) -> list[dict[str, Any]]:
    """Six parameter sets per optimizer, drawn so that every switch and number differs."""
    opt = OPTIMIZERS[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    sets = []
    for k in range(6):
        p: dict[str, Any] = {}
        for prm in opt.params:
            if isinstance(prm, Bool):
                p[prm.name] = bool(k % 2) if prm.name != "bias_correction" else k % 3 != 0
            elif isinstance(prm, Pair):
                p[prm.name] = (
                    float(rng.choice([0.0, 0.3, 0.9])),
                    float(rng.choice([0.9, 0.99, 0.999])),
                )
            elif prm.name == "lr":
                p[prm.name] = float(rng.choice([1e-3, 1e-2, 0.05]))
            elif prm.name in ("momentum", "alpha", "rho", "dampening"):
                lo = 0.05 if prm.low_open else 0.0
                p[prm.name] = float(rng.choice([lo, 0.4, 0.9]))
            else:
                p[prm.name] = float(rng.choice([prm.default, 0.1, 0.01]))
        if name == "nesterov":
            p["momentum"] = max(p["momentum"], 0.5)
        sets.append(resolved_params(opt, p))
    return sets


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_update_rule_batched_equals_alone(name: str) -> None:
    """Feed the same gradients to a group of six and to each run alone: same points, bitwise."""
    opt = OPTIMIZERS[name]
    sets = _param_sets(name)
    rng = np.random.default_rng(1)
    steps = 60
    grads = rng.normal(size=(steps, 1, 2)) * np.array([1.0, 30.0])
    grads[:, :, 1] *= rng.random((steps, 1)) < 0.8  # exact zeros now and then
    lrs = np.array([[p["lr"]] for p in sets]) * (1 + np.arange(steps)[:, None, None] % 3)

    def run(indices: list[int]) -> tuple[np.ndarray, np.ndarray, Any]:
        hp = opt.hyper([sets[i] for i in indices])
        theta = np.tile([0.7, -1.3], (len(indices), 1))
        st = opt.init(theta, hp)
        pts, effs = [], []
        with np.errstate(all="ignore"):
            for t in range(steps):
                g = grads[t] + 0.01 * theta  # depends on the point, as a surface would
                out = opt.step(theta, g, st, lrs[t, indices], t + 1, hp)
                theta, st = out.theta, out.state
                pts.append(theta)
                effs.append(np.broadcast_to(out.effective_lr, theta.shape))
        return np.array(pts), np.array(effs), st

    pts, effs, state = run(list(range(len(sets))))
    for i in range(len(sets)):
        p1, e1, s1 = run([i])
        np.testing.assert_array_equal(pts[:, i], p1[:, 0], err_msg=f"{name} {sets[i]}")
        np.testing.assert_array_equal(effs[:, i], e1[:, 0], err_msg=f"{name} {sets[i]}")
        for k in s1._fields:
            np.testing.assert_array_equal(
                getattr(state, k)[i], getattr(s1, k)[0], err_msg=f"{name} {k}"
            )


# --- a rotated surface: its off-diagonal Hessian is where BLAS would round per batch size ----
def test_rotated_ravine_batched_equals_alone() -> None:
    """Exact even for a centered RMSProp with alpha = 0.4, which turns a 1-ulp gradient
    difference into a 3 % trajectory difference within 150 steps: the surface computes its
    gradient element-wise, so a row gives the same numbers alone and in a batch."""
    runs = mixed_runs()
    base = {"surface": "rotated_ravine", "start": [-7.0, -3.0], "steps": 150}
    batched = simulate({**base, "runs": runs}).runs
    for i, run in enumerate(runs):
        _assert_same_run(simulate({**base, "runs": [run]}).runs[0], batched[i], f"run {i}")


def test_rotated_ravine_rows_equal_the_batch() -> None:
    s = BUILTIN["rotated_ravine"]
    p = np.random.default_rng(0).normal(size=(500, 2)) * 5
    rows_g = np.array([s.grad(p[i : i + 1])[0] for i in range(len(p))])
    rows_v = np.array([s.value(p[i : i + 1])[0] for i in range(len(p))])
    np.testing.assert_array_equal(s.grad(p), rows_g)
    np.testing.assert_array_equal(s.value(p), rows_v)
    np.testing.assert_array_equal(s.grad(p[7]), rows_g[7])
