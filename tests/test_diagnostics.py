"""Verdicts come from the diagnostics, not from tuned presets: the same kinds appear on other
surfaces, other constants, other optimizers."""

from __future__ import annotations

import numpy as np
import pytest

from lab import simulate


def run(surface, optimizer="sgd", steps=300, start=None, noise=None, **params):  # type: ignore[no-untyped-def]
    sc = {"surface": surface, "steps": steps, "runs": [{"optimizer": optimizer, "params": params}]}
    if start is not None:
        sc["start"] = list(start)
    if noise is not None:
        sc["noise"] = noise
    return simulate(sc).runs[0]


def quad(a: float, b: float) -> dict:
    return {"expr": f"0.5*({a}*x**2 + {b}*y**2)", "x_range": [-10, 2], "y_range": [-2, 2]}


# --- oscillating: eta * (steep curvature) = 2 bounces for ever, whatever the ratio ------------
@pytest.mark.parametrize(
    ("surface", "lr", "start"),
    [
        ("ravine", 1e-2, None),  # the lecture's ravine, curvatures 1 and 200
        (quad(1, 50), 2 / 50, (-8, 1)),
        (quad(0.5, 1000), 2 / 1000, (-8, 1)),
        (quad(2, 20), 2 / 20, (-8, 1)),
        ("rotated_ravine", 2 / 50, None),  # axes not aligned with the coordinates
    ],
)
def test_bouncing_across_a_ravine_is_oscillating(surface, lr, start) -> None:  # type: ignore[no-untyped-def]
    r = run(surface, lr=lr, start=start)
    v = r.verdict
    assert v["kind"] == "oscillating", v["explanation"]["en"]
    assert v["numbers"]["window_grad_ratio"] > 0.3  # the gradient stays large ...
    assert v["numbers"]["reversal_fraction"] > 0.9  # ... and every step reverses
    a, b = v["stretch"]
    assert b == 300 and a < 300
    assert np.ptp(r.loss[a:]) < 0.05 * np.mean(r.loss[a:])  # the loss is flat over the stretch


def test_slightly_smaller_step_settles_instead() -> None:
    """Below eta * curvature = 2 the bounce dies out: the verdict is not 'oscillating'."""
    v = run(quad(1, 50), lr=1.9 / 50, start=(-8, 1), steps=2000).verdict
    assert v["kind"] == "minimum"


# --- crawling: a tiny step on a slope, far from any critical point ------------------------
@pytest.mark.parametrize(
    ("surface", "lr", "steps"),
    [
        (quad(1, 50), 1e-6, 5000),
        (quad(0.2, 10), 1e-5, 3000),
        ("rotated_ravine", 1e-6, 5000),
        ("rosenbrock", 1e-5, 3000),
    ],
)
def test_tiny_steps_are_crawling(surface, lr, steps) -> None:  # type: ignore[no-untyped-def]
    r = run(surface, lr=lr, steps=steps)
    v = r.verdict
    assert v["kind"] == "crawling", v["explanation"]["en"]
    assert v["numbers"]["grad_norm_ratio"] > 1e-3  # not at a critical point
    assert v["numbers"]["steps_to_go"] is None or v["numbers"]["steps_to_go"] > 10 * steps


def test_reasonable_step_on_a_bowl_is_moving_then_minimum() -> None:
    assert run(quad(1, 50), lr=1e-3, steps=300, start=(-8, 1)).verdict["kind"] == "moving"
    assert run(quad(1, 50), lr=1e-2, steps=3000, start=(-8, 1)).verdict["kind"] == "minimum"


# --- saddles: eigenvalues and escape direction ------------------------------------------------
@pytest.mark.parametrize(
    ("surface", "start", "eig", "escape"),
    [
        ("lecture_saddle", (0.8, -0.8), [-2, 2], [2**-0.5, 2**-0.5]),
        ("saddle", (1.5, 0.0), [-2, 2], [0, 1]),
        ({"expr": "(x**2 - 1)**2 + y**2"}, (0.0, 1.5), [-4, 2], [1, 0]),
        ({"expr": "3*x**2 - y**2 + y**4"}, (1.0, 0.0), [-2, 6], [0, 1]),
    ],
)
def test_runs_on_a_stable_manifold_stop_at_a_saddle(surface, start, eig, escape) -> None:  # type: ignore[no-untyped-def]
    v = run(surface, lr=0.05, start=start).verdict
    assert v["kind"] == "saddle", v["explanation"]["en"]
    np.testing.assert_allclose(v["eigenvalues"], eig, atol=1e-6)
    np.testing.assert_allclose(v["escape_direction"], escape, atol=1e-6)


def test_a_nudge_along_the_escape_direction_escapes() -> None:
    v = run("lecture_saddle", lr=0.05, start=(0.8, -0.8)).verdict
    d = np.asarray(v["escape_direction"])
    escaped = run("lecture_saddle", lr=0.05, start=tuple(1e-3 * d), steps=500).verdict
    assert escaped["kind"] == "minimum"


def test_maximum_and_plateau() -> None:
    v = run({"expr": "-(x**2 + 2*y**2)"}, start=(0.0, 0.0), steps=10).verdict
    assert v["kind"] == "maximum"
    np.testing.assert_allclose(v["eigenvalues"], [-4, -2])
    v = run(
        {"expr": "-tanh(x) - tanh(y)", "x_range": [-1, 9], "y_range": [-1, 9]},
        lr=0.5,
        start=(0.0, 0.0),
        steps=2000,
    ).verdict
    assert v["kind"] == "plateau", v["explanation"]["en"]


def test_local_minimum_is_named_local() -> None:
    gd = run("dip", lr=0.1, steps=600).verdict
    mom = run("dip", "momentum", lr=0.1, steps=600).verdict
    assert gd["kind"] == "minimum" and gd["local"] is True
    assert mom["kind"] == "minimum" and mom["local"] is False


def test_adam_hovering_near_the_minimum_counts_as_arrived() -> None:
    v = run("rosenbrock", "adam", lr=0.02, steps=3000).verdict
    assert v["kind"] == "minimum"


def test_diverged_is_cut_at_the_first_bad_point() -> None:
    r = run("ravine", lr=0.0105, steps=5000)
    v = r.verdict
    assert v["kind"] == "diverged" and v["reason"] == "bound"
    assert len(r.trajectory) == v["step"]
    assert np.all(np.abs(r.trajectory) <= 1e6)
    r = run({"expr": "log(x) + y**2", "x_range": [0.1, 3]}, lr=1.0, start=(0.5, 0.5))
    assert r.verdict["kind"] == "diverged" and r.verdict["reason"] == "nonfinite"
    assert np.all(np.isfinite(r.loss))


def test_no_numpy_warnings_leak(recwarn: pytest.WarningsRecorder) -> None:
    run("ravine", lr=5.0, steps=3000)
    run(
        {"expr": "sqrt(x) + log(y)", "x_range": [0.1, 3], "y_range": [0.1, 3]},
        lr=2.0,
        start=(1.0, 1.0),
    )
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_explanations_in_both_languages() -> None:
    for v in [
        run("ravine", lr=1e-2).verdict,
        run("saddle", lr=0.05, start=(1.5, 0)).verdict,
        run("ravine", lr=0.5).verdict,
    ]:
        assert v["explanation"]["en"] and v["explanation"]["zh"]
        assert any("\u4e00" <= c <= "\u9fff" for c in v["explanation"]["zh"])


def test_noise_is_seeded_and_shared() -> None:
    noise = {"std": 0.5, "seed": 3}
    a = run("lecture_saddle", lr=0.05, start=(0.8, -0.8), noise=noise)
    b = run("lecture_saddle", lr=0.05, start=(0.8, -0.8), noise=noise)
    c = run("lecture_saddle", lr=0.05, start=(0.8, -0.8), noise={"std": 0.5, "seed": 4})
    np.testing.assert_array_equal(a.trajectory, b.trajectory)
    assert not np.array_equal(a.trajectory, c.trajectory)


def test_weight_decay_as_l2_is_judged_on_the_regularised_objective() -> None:
    """Adam + L2 converges to the minimum of L + lambda/2 |theta|^2, not of L: that is a
    minimum of what it optimises, at the closed-form point (2/(1+lambda), 40/(20+lambda))."""
    surface = {
        "expr": "0.5*((x - 2)**2 + 20*(y - 2)**2)",
        "x_range": [-1, 3.5],
        "y_range": [-1, 3.5],
    }
    r = run(surface, "adam", steps=1500, start=(-0.5, -0.5), lr=0.01, weight_decay=0.5)
    np.testing.assert_allclose(r.trajectory[-1], [2 / 1.5, 40 / 20.5], atol=1e-6)
    assert r.verdict["kind"] == "minimum"
    np.testing.assert_allclose(r.verdict["eigenvalues"], [1.5, 20.5], rtol=1e-9)
