"""The lecture's update rules against steps worked out by hand.

The expected numbers are computed here in plain Python floats, straight from the lecture's
formulas (notes 001: the root-mean-square form, RMSProp with sigma^0 = |g^0|, the Adam box),
with each surface's gradient written out by hand; nothing of the engine is called except
``simulate`` itself. Tolerances: ``rtol=1e-12`` (the two sides round differently, e.g. the
engine's Adam uses torch's lerp for m, so they agree to a few ulp per step), with an
absolute floor of 1e-14 times the run's largest coordinate for a coordinate crossing 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from lab import simulate

Grad = Callable[[float, float], tuple[float, float]]
RTOL = 1e-12


# --- the surfaces' gradients, by hand ------------------------------------------------------
def ravine_grad(x: float, y: float) -> tuple[float, float]:
    """L = 1/2 (x^2 + 200 y^2)."""
    return x, 200.0 * y


def rosenbrock_grad(x: float, y: float) -> tuple[float, float]:
    """L = (1 - x)^2 + 100 (y - x^2)^2."""
    d = y - x * x
    return -2.0 * (1.0 - x) - 400.0 * x * d, 200.0 * d


def saddle_grad(x: float, y: float) -> tuple[float, float]:
    """L = x^2 - y^2."""
    return 2.0 * x, -2.0 * y


SURFACES: dict[str, tuple[Grad, tuple[float, float]]] = {
    "ravine": (ravine_grad, (-9.0, 1.0)),
    "rosenbrock": (rosenbrock_grad, (-1.2, 1.0)),
}


# --- the rules, by hand --------------------------------------------------------------------
Hand = tuple[list[tuple[float, float]], list[tuple[float, float]]]  # points, eta / sigma


def hand_adagrad_lecture(grad: Grad, start: tuple[float, float], lrs: list[float]) -> Hand:
    """sigma_i^t = sqrt(1/(t+1) sum_{k=0..t} (g_i^k)^2);  theta_i^{t+1} = theta_i^t - eta^t /
    sigma_i^t g_i^t; a coordinate whose sigma is 0 stays where it is."""
    theta = list(start)
    sums = [0.0, 0.0]
    points, effs = [tuple(theta)], []
    for t, lr in enumerate(lrs):  # the lecture counts t from 0
        g = grad(*theta)
        eff = [0.0, 0.0]
        for i in range(2):
            sums[i] += g[i] ** 2
            sigma = math.sqrt(sums[i] / (t + 1))
            if sigma > 0:
                eff[i] = lr / sigma
                theta[i] = theta[i] - lr / sigma * g[i]
        points.append((theta[0], theta[1]))
        effs.append((eff[0], eff[1]))
    return points, effs


def hand_rmsprop_lecture(
    grad: Grad, start: tuple[float, float], lrs: list[float], alpha: float
) -> Hand:
    """sigma_i^0 = |g_i^0|;  sigma_i^t = sqrt(alpha (sigma_i^{t-1})^2 + (1 - alpha) (g_i^t)^2)."""
    theta = list(start)
    sigma = [0.0, 0.0]
    points, effs = [tuple(theta)], []
    for t, lr in enumerate(lrs):
        g = grad(*theta)
        eff = [0.0, 0.0]
        for i in range(2):
            if t == 0:
                sigma[i] = abs(g[i])
            else:
                sigma[i] = math.sqrt(alpha * sigma[i] ** 2 + (1 - alpha) * g[i] ** 2)
            if sigma[i] > 0:
                eff[i] = lr / sigma[i]
                theta[i] = theta[i] - lr / sigma[i] * g[i]
        points.append((theta[0], theta[1]))
        effs.append((eff[0], eff[1]))
    return points, effs


def hand_adam(
    grad: Grad,
    start: tuple[float, float],
    lrs: list[float],
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    bias_correction: bool = True,
) -> Hand:
    """The Adam box: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2; with bias correction
    m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t) (t from 1), else m and v as they are;
    theta -= eta m_hat / (sqrt(v_hat) + eps). The effective lr is the step per unit of m:
    eta / (1 - b1^t) / (sqrt(v_hat) + eps)."""
    theta = list(start)
    m = [0.0, 0.0]
    v = [0.0, 0.0]
    points, effs = [tuple(theta)], []
    for k, lr in enumerate(lrs):
        t = k + 1
        g = grad(*theta)
        eff = [0.0, 0.0]
        for i in range(2):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
            c1 = 1 - b1**t if bias_correction else 1.0
            c2 = 1 - b2**t if bias_correction else 1.0
            denom = math.sqrt(v[i] / c2) + eps
            eff[i] = lr / c1 / denom
            theta[i] = theta[i] - lr * (m[i] / c1) / denom
        points.append((theta[0], theta[1]))
        effs.append((eff[0], eff[1]))
    return points, effs


# --- helpers -------------------------------------------------------------------------------
def engine(surface: str, start: tuple[float, float], steps: int, run: dict[str, Any]) -> Any:
    res = simulate({"surface": surface, "start": list(start), "steps": steps, "runs": [run]})
    (r,) = res.runs
    assert r.verdict["kind"] != "diverged"
    assert r.steps_run == steps
    return r


def assert_points(got: np.ndarray, hand: list[tuple[float, float]]) -> None:
    ref = np.array(hand)
    scale = float(np.max(np.abs(ref)))
    np.testing.assert_allclose(got, ref, rtol=RTOL, atol=1e-14 * scale)


STEPS = 10


# --- adagrad_lecture -----------------------------------------------------------------------
@pytest.mark.parametrize("lr", [0.01, 0.1])
@pytest.mark.parametrize("surface", list(SURFACES))
def test_adagrad_lecture_matches_hand_steps(surface: str, lr: float) -> None:
    grad, start = SURFACES[surface]
    pts, effs = hand_adagrad_lecture(grad, start, [lr] * STEPS)
    r = engine(surface, start, STEPS, {"optimizer": "adagrad_lecture", "params": {"lr": lr}})
    assert_points(r.trajectory, pts)
    np.testing.assert_allclose(r.effective_lr, np.array(effs), rtol=RTOL)
    np.testing.assert_allclose(r.lr, lr, rtol=0)


@pytest.mark.parametrize("surface", list(SURFACES))
def test_adagrad_lecture_first_step_is_eta_times_sign(surface: str) -> None:
    grad, start = SURFACES[surface]
    lr = 0.05
    r = engine(surface, start, 1, {"optimizer": "adagrad_lecture", "params": {"lr": lr}})
    g = grad(*start)
    step = np.asarray(start) - r.trajectory[1]
    np.testing.assert_allclose(step, [lr * math.copysign(1, gi) for gi in g], rtol=RTOL)
    # sigma^0 = |g^0|: the effective lr is eta / |g^0|
    np.testing.assert_allclose(r.effective_lr[0], [lr / abs(gi) for gi in g], rtol=RTOL)


def test_adagrad_lecture_with_a_schedule_uses_eta_t() -> None:
    """eta^t / sigma^t: the lecture's update with a decaying eta (exponential, gamma = 0.8)."""
    grad, start = SURFACES["rosenbrock"]
    lrs = [0.1 * 0.8**t for t in range(STEPS)]
    pts, effs = hand_adagrad_lecture(grad, start, lrs)
    run = {
        "optimizer": "adagrad_lecture",
        "params": {"lr": 0.1},
        "schedule": {"name": "exponential", "params": {"gamma": 0.8}},
    }
    r = engine("rosenbrock", start, STEPS, run)
    np.testing.assert_allclose(r.lr, lrs, rtol=RTOL)
    assert_points(r.trajectory, pts)
    np.testing.assert_allclose(r.effective_lr, np.array(effs), rtol=RTOL)


# --- rmsprop_lecture -----------------------------------------------------------------------
@pytest.mark.parametrize("alpha", [0.9, 0.5])
@pytest.mark.parametrize("surface", list(SURFACES))
def test_rmsprop_lecture_matches_hand_steps(surface: str, alpha: float) -> None:
    grad, start = SURFACES[surface]
    lr = 0.02
    pts, effs = hand_rmsprop_lecture(grad, start, [lr] * STEPS, alpha)
    run = {"optimizer": "rmsprop_lecture", "params": {"lr": lr, "alpha": alpha}}
    r = engine(surface, start, STEPS, run)
    assert_points(r.trajectory, pts)
    np.testing.assert_allclose(r.effective_lr, np.array(effs), rtol=RTOL)


def test_rmsprop_lecture_defaults_are_lr_0_01_alpha_0_9() -> None:
    grad, start = SURFACES["ravine"]
    pts, effs = hand_rmsprop_lecture(grad, start, [0.01] * STEPS, 0.9)
    r = engine("ravine", start, STEPS, {"optimizer": "rmsprop_lecture"})
    assert_points(r.trajectory, pts)
    np.testing.assert_allclose(r.effective_lr, np.array(effs), rtol=RTOL)


def test_rmsprop_lecture_first_step_is_eta_times_sign() -> None:
    grad, start = SURFACES["rosenbrock"]
    r = engine("rosenbrock", start, 1, {"optimizer": "rmsprop_lecture", "params": {"lr": 0.05}})
    g = grad(*start)
    step = np.asarray(start) - r.trajectory[1]
    np.testing.assert_allclose(step, [0.05 * math.copysign(1, gi) for gi in g], rtol=RTOL)


# --- a coordinate whose sigma is 0 does not move -------------------------------------------
@pytest.mark.parametrize("optimizer", ["adagrad_lecture", "rmsprop_lecture"])
def test_zero_sigma_coordinate_stays_put(optimizer: str) -> None:
    """On x^2 - y^2 started at (1.5, 0), g_y = 0 at every step, so sigma_y = 0: y must stay
    exactly 0 (no 0/0) while x follows the hand-computed steps."""
    start = (1.5, 0.0)
    lr = 0.1
    if optimizer == "adagrad_lecture":
        pts, effs = hand_adagrad_lecture(saddle_grad, start, [lr] * STEPS)
    else:
        pts, effs = hand_rmsprop_lecture(saddle_grad, start, [lr] * STEPS, 0.9)
    r = engine("saddle", start, STEPS, {"optimizer": optimizer, "params": {"lr": lr}})
    assert np.all(np.isfinite(r.trajectory)) and np.all(np.isfinite(r.effective_lr))
    np.testing.assert_array_equal(r.trajectory[:, 1], 0.0)
    np.testing.assert_array_equal(r.effective_lr[:, 1], 0.0)
    assert_points(r.trajectory, pts)
    np.testing.assert_allclose(r.effective_lr, np.array(effs), rtol=RTOL)
    assert r.trajectory[0, 0] - r.trajectory[1, 0] == pytest.approx(lr, rel=1e-15)


# --- Adam with and without bias correction ------------------------------------------------
@pytest.mark.parametrize("bias_correction", [True, False])
@pytest.mark.parametrize("surface", list(SURFACES))
def test_adam_matches_hand_steps(surface: str, bias_correction: bool) -> None:
    grad, start = SURFACES[surface]
    lr = 0.01
    pts, effs = hand_adam(grad, start, [lr] * STEPS, bias_correction=bias_correction)
    run = {"optimizer": "adam", "params": {"lr": lr, "bias_correction": bias_correction}}
    r = engine(surface, start, STEPS, run)
    assert_points(r.trajectory, pts)
    np.testing.assert_allclose(r.effective_lr, np.array(effs), rtol=RTOL)


def test_adam_without_bias_correction_effective_lr_is_eta_over_sigma() -> None:
    """Without the correction the step is eta m / (sqrt(v) + eps): eta / sigma with
    sigma = sqrt(v) + eps, the lecture's summary form with m for the gradient."""
    grad, start = SURFACES["ravine"]
    lr, b2 = 0.01, 0.999
    r = engine(
        "ravine", start, 3, {"optimizer": "adam", "params": {"lr": lr, "bias_correction": False}}
    )
    v = [0.0, 0.0]
    theta = list(start)
    for t in range(3):
        g = grad(*theta)
        v = [b2 * v[i] + (1 - b2) * g[i] ** 2 for i in range(2)]
        sigma = [math.sqrt(v[i]) + 1e-8 for i in range(2)]
        np.testing.assert_allclose(r.effective_lr[t], [lr / s for s in sigma], rtol=RTOL)
        theta = list(r.trajectory[t + 1])


@pytest.mark.parametrize("surface", list(SURFACES))
def test_adam_first_step_size_with_and_without_bias_correction(surface: str) -> None:
    """First step per coordinate, exactly: with the correction
    eta (1-b1)|g| / (1-b1) / (sqrt((1-b2) g^2 / (1-b2)) + eps) = eta |g| / (|g| + eps) ~ eta;
    without it eta (1-b1)|g| / (sqrt((1-b2) g^2) + eps) ~ eta (1-b1) / sqrt(1-b2)
    = 0.1 / sqrt(0.001) eta = 3.1623 eta: the uncorrected first step is over 3x larger."""
    grad, start = SURFACES[surface]
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    g = grad(*start)
    with_bc = [lr * abs(gi) / (abs(gi) + eps) for gi in g]
    without = [lr * (1 - b1) * abs(gi) / (math.sqrt(1 - b2) * abs(gi) + eps) for gi in g]
    steps = {}
    for bc in (True, False):
        run = {"optimizer": "adam", "params": {"lr": lr, "bias_correction": bc}}
        r = engine(surface, start, 1, run)
        step = np.asarray(start) - r.trajectory[1]
        signs = np.sign(g)
        np.testing.assert_array_equal(np.sign(step), signs)  # along -g, per coordinate
        steps[bc] = np.abs(step)
    np.testing.assert_allclose(steps[True], with_bc, rtol=RTOL)
    np.testing.assert_allclose(steps[False], without, rtol=RTOL)
    # ...and roughly (eps / (sqrt(1 - b2) |g|) is ~4e-8 of it for |g| = 9):
    np.testing.assert_allclose(steps[True], lr, rtol=1e-6)
    np.testing.assert_allclose(steps[False], lr * 0.1 / math.sqrt(0.001), rtol=1e-6)
    np.testing.assert_allclose(steps[False] / steps[True], 3.16227766, rtol=1e-6)
