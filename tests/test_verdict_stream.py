"""One code path: the verdict is a function of the accumulator's summary, and the summary does
not depend on how the points were fed (all at once, in chunks, one step at a time). Also the
events read from the summary, and the noise floor."""

from __future__ import annotations

import numpy as np
import pytest

from lab import simulate
from lab.diagnostics import verdicts
from lab.presets import get_preset
from lab.scenario import parse_scenario
from lab.verdicts import Accumulator, IsotropicNoise, judge
from optimizers import OPTIMIZERS, resolved_params


def batch(result):  # type: ignore[no-untyped-def]
    """The engine's batch arrays back from a result (cut runs padded with NaN)."""
    n = result.scenario.steps + 1
    m = len(result.runs)
    traj = np.full((n, m, 2), np.nan)
    loss = np.full((n, m), np.nan)
    gnorm = np.full((n, m), np.nan)
    for j, r in enumerate(result.runs):
        k = len(r.loss)
        traj[:k, j], loss[:k, j], gnorm[:k, j] = r.trajectory, r.loss, r.grad_norm
    l2 = np.array([OPTIMIZERS[spec.optimizer].l2_decay(resolved_params(OPTIMIZERS[spec.optimizer], spec.params)) for spec in result.scenario.runs])
    return traj, loss, gnorm, l2


SCENARIOS = {
    "bursts": get_preset("03_adagrad_explodes").scenario,
    "noise": get_preset("09_small_batch_escapes_saddle").scenario,
    "l2": get_preset("08_adamw_is_not_adam_l2").scenario,
    "first steps": get_preset("07_warmup_tames_first_steps").scenario,
    "mixed, with cut runs": {
        "surface": "ravine",
        "start": [-9.0, 1.0],
        "steps": 400,
        "runs": [
            {"optimizer": "sgd", "params": {"lr": 0.01}},
            {"optimizer": "sgd", "params": {"lr": 0.0105}},  # diverges, cut
            {"optimizer": "sgd", "params": {"lr": 1e-6}},
            {"optimizer": "momentum", "params": {"lr": 0.005, "momentum": 0.9}},
            {"optimizer": "adam", "params": {"lr": 0.05}},
            {"optimizer": "sgd", "params": {"lr": 0.01005}},  # diverging, not yet cut
        ],
    },
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_step_by_step_chunks_and_full_arrays_give_the_same_verdicts(name: str) -> None:
    sc = parse_scenario(SCENARIOS[name])
    result = simulate(sc)
    traj_all, loss_all, gnorm_all, l2_all = batch(result)
    stds = np.array([sc.run_noise(i) for i in range(len(sc.runs))])
    for noise in np.unique(stds):  # runs with their own noise (preset 9) are judged with it
        rows = np.flatnonzero(stds == noise)
        traj, loss, gnorm, l2 = traj_all[:, rows], loss_all[:, rows], gnorm_all[:, rows], l2_all[rows]
        whole = verdicts(result.surface, traj, loss, gnorm, l2, float(noise))
        for v, j in zip(whole, rows, strict=True):  # the engine's own call (a cut run's
            r = result.runs[j]
            if r.verdict["kind"] != "diverged":  # arrays stop before its invalid point)
                assert v == r.verdict
        for chunk in (1, 7, 64):
            acc = Accumulator(result.surface, traj.shape[1], sc.steps, l2)
            for a in range(0, len(loss), chunk):  # what a sweep does as it steps along
                acc.feed(traj[a : a + chunk], loss[a : a + chunk], gnorm[a : a + chunk])
            assert judge(result.surface, acc.summary(), float(noise)) == whole, chunk


def test_cut_runs_are_diverged_at_the_engines_point() -> None:
    result = simulate(SCENARIOS["mixed, with cut runs"])
    cut = result.runs[1]
    assert cut.verdict["kind"] == "diverged"
    assert cut.verdict["step"] == len(cut.trajectory)
    assert result.runs[5].verdict["kind"] == "diverging"


def test_the_accumulator_refuses_too_many_points_and_a_bad_start() -> None:
    result = simulate(SCENARIOS["mixed, with cut runs"])
    traj, loss, gnorm, _ = batch(result)
    acc = Accumulator(result.surface, traj.shape[1], 10)
    with pytest.raises(ValueError, match="fed 401 points; the runs have 11"):
        acc.feed(traj, loss, gnorm)
    bad = Accumulator(result.surface, 1, 10)
    with pytest.raises(ValueError, match="start point is not valid"):
        bad.feed(np.array([[[np.nan, 0.0]]]), np.array([[1.0]]), np.array([[1.0]]))
    with pytest.raises(ValueError, match="no points fed"):
        Accumulator(result.surface, 1, 10).summary()


def test_a_summary_keeps_only_the_last_stretch() -> None:
    """What a long sweep keeps per run does not grow with the steps beyond the last stretch."""
    result = simulate({"surface": "ravine", "steps": 5000, "runs": [{"optimizer": "sgd", "params": {"lr": 1e-3}}]})
    traj, loss, gnorm, _ = batch(result)
    acc = Accumulator(result.surface, 1, 5000)
    acc.feed_arrays(traj, loss, gnorm)
    s = acc.summary()
    assert s.tail_points.shape == (501, 1, 2)
    assert s.bins.value.shape[0] <= 64


# --- events ------------------------------------------------------------------------------------
def test_bursts_of_the_lecture_adagrad() -> None:
    plain, decayed = simulate(get_preset("03_adagrad_explodes").scenario).runs
    bursts = [e for e in plain.verdict["events"] if e["kind"] == "burst"]
    assert len(bursts) >= 3
    y = plain.trajectory[:, 1]
    for b in bursts:
        start, peak = b["step"], b["peak_step"]
        assert plain.loss[start] > plain.loss[start - 1]  # the loss jumps there ...
        assert np.abs(y[start - 20 : start - 1]).max() < 0.1  # ... after it had settled
        assert b["peak_loss"] == pytest.approx(plain.loss[start : b["end_step"]].max())
        assert peak == start + int(np.argmax(plain.loss[start : b["end_step"]]))
        assert b["height"] > 0.5 * plain.loss[0]  # a jump back to the start's level
    assert "3 bursts" in plain.verdict["events_text"]["en"] or len(bursts) > 3
    assert not [e for e in decayed.verdict["events"] if e["kind"] == "burst"]


def test_heavy_ball_ripples_are_not_bursts() -> None:
    """Momentum overshoots: its loss rises and falls, but never after having settled."""
    v = simulate({"surface": "ravine", "steps": 2000, "runs": [{"optimizer": "momentum", "params": {"lr": 0.005, "momentum": 0.9}}]}).runs[0].verdict
    assert not [e for e in v["events"] if e["kind"] == "burst"]


def test_first_step_events() -> None:
    wild, warm = simulate(get_preset("07_warmup_tames_first_steps").scenario).runs
    e = next(x for x in wild.verdict["events"] if x["kind"] == "first_step")
    steps = np.linalg.norm(np.diff(wild.trajectory[:12], axis=0), axis=1)
    assert e["ratio"] == pytest.approx(steps[0] / np.median(steps[1:11]))
    assert e["ratio"] > 10 and e["loss_after"] > 2 * e["loss_before"]
    e = next(x for x in warm.verdict["events"] if x["kind"] == "first_step")
    assert e["ratio"] < 0.5  # the warm-up's first step is smaller than the next ones
    gd = simulate({"surface": "ravine", "steps": 300, "runs": [{"optimizer": "sgd", "params": {"lr": 4e-3}}]}).runs[0]
    assert not [x for x in gd.verdict["events"] if x["kind"] == "first_step"]  # GD never


def test_onset_of_divergence_under_a_rising_learning_rate() -> None:
    """A warm-up towards eta = 0.0108 on the steep axis of the ravine (curvature 200): the run
    converges while eta * 200 < 2 and starts to diverge the step it passes 2."""
    warmup = {"name": "linear", "params": {"start_factor": 0.85, "end_factor": 1.0, "total_iters": 100}}
    for steps, kind in ((150, "diverging"), (200, "diverged")):
        sc = {"surface": "ravine", "start": [0.0, 1.0], "steps": steps, "runs": [{"optimizer": "sgd", "params": {"lr": 0.0108}, "schedule": warmup}]}
        run = simulate(sc).runs[0]
        v = run.verdict
        assert v["kind"] == kind
        onset = next(e for e in v["events"] if e["kind"] == "divergence_onset")["step"]
        assert onset == int(np.argmax(run.lr * 200 > 2))


# --- noise -------------------------------------------------------------------------------------
BOWL = {"expr": "0.5*(x**2 + 100*y**2)", "x_range": [-2, 2], "y_range": [-2, 2]}


@pytest.mark.parametrize("eta_lambda", [0.3, 1.0, 1.6])
def test_hovering_within_the_noise_floor_is_a_minimum_within_the_noise(eta_lambda: float) -> None:
    sc = {"surface": BOWL, "start": [1.5, 1.0], "steps": 3000, "runs": [{"optimizer": "sgd", "params": {"lr": eta_lambda / 100}}], "noise": {"std": 0.3, "seed": 2}}
    v = simulate(sc).runs[0].verdict
    assert v["kind"] == "minimum", v["explanation"]["en"]
    assert v["numbers"]["within_noise"] is True and v["numbers"]["noise_std"] == 0.3


@pytest.mark.parametrize("std", [1e-8, 0.05])
def test_a_bounce_far_above_the_floor_is_still_oscillating(std: float) -> None:
    sc = {"surface": BOWL, "start": [1.5, 1.0], "steps": 3000, "runs": [{"optimizer": "sgd", "params": {"lr": 0.02}}], "noise": {"std": std, "seed": 2}}
    v = simulate(sc).runs[0].verdict
    assert v["kind"] == "oscillating", v["explanation"]["en"]
    assert v["numbers"]["within_noise"] is False


def test_a_run_drowned_in_noise_far_from_the_minimum_is_not_at_it() -> None:
    """A tiny step and huge noise: the gradient is far below the noise, but the run has not
    moved; the floor its own steps make over the run is far smaller than its distance."""
    sc = {"surface": BOWL, "start": [1.5, 1.0], "steps": 3000, "runs": [{"optimizer": "sgd", "params": {"lr": 1e-6}}], "noise": {"std": 1000.0, "seed": 2}}
    v = simulate(sc).runs[0].verdict
    assert v["kind"] in ("crawling", "moving"), v["explanation"]["en"]


class AlongX:
    """Noise along x only (a model whose covariance is not isotropic, as real batches'): the
    rules take it as they take today's isotropic noise."""

    def __init__(self, std: float) -> None:
        self.std = std

    def covariance(self, points: np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.diag([self.std**2, 0.0]), (len(points), 2, 2))


def test_an_anisotropic_noise_model_needs_no_change_of_the_rules() -> None:
    rng = np.random.default_rng(0)
    surface = simulate({"surface": BOWL, "steps": 1, "runs": [{"optimizer": "sgd"}]}).surface
    lr, n = 0.005, 4000
    theta = np.array([1.5, 1.0])
    traj = [theta]
    for _ in range(n):  # plain GD with noise along x only
        g = np.asarray(surface.grad(theta)) + np.array([0.3 * rng.standard_normal(), 0.0])
        theta = theta - lr * g
        traj.append(theta)
    traj = np.asarray(traj)[:, None]
    loss = np.asarray(surface.value(traj))
    g = np.asarray(surface.grad(traj))
    gnorm = np.hypot(g[..., 0], g[..., 1])
    v = verdicts(surface, traj, loss, gnorm, noise=AlongX(0.3))[0]
    assert v["kind"] == "minimum" and v["numbers"]["within_noise"] is True
    w = verdicts(surface, traj, loss, gnorm, noise=IsotropicNoise(0.3))[0]
    assert w["kind"] == "minimum"
    exact = verdicts(surface, traj, loss, gnorm, noise=None)[0]
    assert "within_noise" not in exact["numbers"]


@pytest.mark.parametrize("chunk", [1, 5, 64, 1000])
def test_the_steps_the_loss_rose_on_are_counted_across_chunks(chunk: int) -> None:
    """A noisy run's card says on how many steps its loss rose: the count must not depend on
    where the chunks were cut (a rise across a boundary counts once)."""
    rng = np.random.default_rng(3)
    n, m = 301, 3
    loss = np.abs(rng.normal(size=(n, m))) + np.linspace(5, 1, n)[:, None]
    traj = rng.normal(size=(n, m, 2)) * 0.1
    acc = Accumulator(simulate({"surface": "ravine", "steps": 1, "runs": [{"optimizer": "sgd"}]}).surface, m, n - 1)
    for a in range(0, n, chunk):
        acc.feed(traj[a : a + chunk], loss[a : a + chunk], np.ones((len(loss[a : a + chunk]), m)))
    assert acc.summary().rises.tolist() == np.count_nonzero(np.diff(loss, axis=0) > 0, axis=0).tolist()


def test_a_noisy_card_says_how_often_the_loss_rose_and_when_it_never_did() -> None:
    r22 = simulate(get_preset("22").scenario)  # its caption: 39 % and 33 % of the steps
    shares = [r.verdict["numbers"].get("rise_share") for r in r22.runs]
    assert round(shares[0] * 100) == 39 and round(shares[1] * 100) == 33 and shares[2] is None
    assert "the loss rose on 39 % of its 320 steps (124)" in r22.runs[0].verdict["explanation"]["en"]
    assert "损失有 39 %（124 步）是上升的" in r22.runs[0].verdict["explanation"]["zh"]
    r24 = simulate(get_preset("24").scenario)  # its samples never push off the line: never uphill
    assert r24.runs[0].verdict["numbers"]["rises"] == 0
    assert "yet the loss never rose on its 300 steps" in r24.runs[0].verdict["explanation"]["en"]
