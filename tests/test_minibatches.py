"""Mini-batches in the engine: the sampler (torch's shuffle + drop_last), shared batches, the
batch gradient every step uses, the series a run carries, the noise floor of its verdict, and
the scenario's batch keys."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lab import ScenarioError, parse_scenario, simulate
from lab.batches import (
    BatchNoise,
    batch_indices,
    epoch_starts,
    epochs_at,
    step_of_epoch,
    steps_per_epoch,
)
from lab.verdicts import KINDS
from surfaces.data import make_data_surface

DATA = {"data": "linear_regression", "samples": 50, "seed": 1}


def scenario(**over: object) -> dict:
    d = {
        "surface": dict(DATA),
        "steps": 120,
        "runs": [{"optimizer": "sgd", "params": {"lr": 0.1}}],
        "batch": {"size": 8, "seed": 3},
    }
    d.update(over)
    return d


# --- the sampler --------------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "b"), [(50, 8), (50, 1), (64, 64 // 3), (7, 6), (4096, 100)])
def test_every_epoch_is_a_permutation_cut_into_full_batches(n: int, b: int) -> None:
    per = n // b
    idx = batch_indices(n, b, seed=5, steps=per * 4 + 1)
    assert idx.shape == (per * 4 + 1, b)
    for e in range(4):
        epoch = idx[e * per : (e + 1) * per].ravel()
        assert len(set(epoch.tolist())) == per * b  # no sample twice in an epoch
        assert set(epoch.tolist()) <= set(range(n))
    # the remainder is dropped: each epoch leaves out exactly n mod b samples
    assert n - per * b == n % b
    # the epochs differ (a fresh shuffle each time), and a longer run extends a shorter one
    if per * b > 1:
        assert not np.array_equal(idx[:per], idx[per : 2 * per])
    np.testing.assert_array_equal(batch_indices(n, b, 5, 3), idx[:3])


def test_the_sampler_is_numpys_seeded_permutation_per_epoch() -> None:
    rng = np.random.default_rng(11)
    perms = [rng.permutation(10) for _ in range(3)]
    want = np.concatenate([p[:9].reshape(3, 3) for p in perms])
    np.testing.assert_array_equal(batch_indices(10, 3, 11, 9), want)


def test_epochs_and_steps() -> None:
    assert steps_per_epoch(50, 8) == 6 and steps_per_epoch(50, 50) == 1 and steps_per_epoch(50, None) == 1
    assert steps_per_epoch(50, 999) == 1
    np.testing.assert_allclose(epochs_at(np.arange(13), 6), np.arange(13) / 6)
    np.testing.assert_array_equal(epoch_starts(13, 6), [0, 6, 12])
    assert step_of_epoch(2, 6) == 12 and step_of_epoch(0.5, 6) == 3


# --- the engine ---------------------------------------------------------------------------------
def test_each_sgd_step_uses_the_gradient_of_its_batch() -> None:
    for data in ("linear_regression", "lecture_product", "logistic", "sharp_flat"):
        sc = scenario(surface={"data": data, "samples": 40, "seed": 2})
        sc["runs"][0]["params"]["lr"] = 0.02
        run = simulate(sc).runs[0]
        s = make_data_surface(sc["surface"])
        per_sample = s.sample_grads(run.trajectory[:-1])  # (steps, N, 2)
        batch_grad = np.take_along_axis(per_sample, run.batches[:, :, None].astype(np.intp), axis=1).mean(axis=1)
        np.testing.assert_allclose(
            np.diff(run.trajectory, axis=0), -0.02 * batch_grad, rtol=1e-9, atol=1e-14, err_msg=data
        )


def test_runs_with_the_same_batch_setting_share_their_batches() -> None:
    sc = scenario(
        runs=[
            {"optimizer": "sgd", "params": {"lr": 0.1}},
            {"optimizer": "adam", "params": {"lr": 0.05}},
            {"optimizer": "momentum", "params": {"lr": 0.02}, "batch": {"size": 8, "seed": 3}},
            {"optimizer": "sgd", "params": {"lr": 0.1}, "batch": {"size": 4, "seed": 3}},
            {"optimizer": "sgd", "params": {"lr": 0.1}, "batch": {"size": 8, "seed": 4}},
        ]
    )
    runs = simulate(sc).runs
    for r in runs[1:3]:
        np.testing.assert_array_equal(r.batches, runs[0].batches)
    assert runs[3].batches.shape == (120, 4)
    assert not np.array_equal(runs[4].batches, runs[0].batches)  # another seed, other batches
    np.testing.assert_array_equal(runs[0].batches, batch_indices(50, 8, 3, 120))


def test_a_batch_as_large_as_the_data_is_plain_gradient_descent_on_the_mean_loss() -> None:
    none = simulate(scenario(batch=None)).runs[0]
    for size in (50, 51, 4096):
        full = simulate(scenario(batch={"size": size, "seed": 0})).runs[0]
        np.testing.assert_array_equal(full.trajectory, none.trajectory)
        assert full.batches is None and full.steps_per_epoch == 1
        np.testing.assert_array_equal(full.batch_loss, full.loss[:-1])
    # ... which is GD on the mean loss, computed here step by step
    s = make_data_surface(DATA)
    theta = np.array(s.start)
    for t in range(120):
        np.testing.assert_allclose(none.trajectory[t], theta, rtol=1e-13, atol=1e-15)
        theta = theta - 0.1 * s.sample_grads(theta).mean(axis=0)


def test_a_run_gives_the_same_numbers_alone_and_among_others() -> None:
    runs = [
        {"optimizer": "adam", "params": {"lr": 0.05}, "label": "a"},
        {"optimizer": "sgd", "params": {"lr": 0.1}, "batch": {"size": 5, "seed": 1}, "label": "b"},
        {"optimizer": "adam", "params": {"lr": 0.02}, "batch": {"size": 5, "seed": 1}, "label": "c"},
        {"optimizer": "rmsprop", "params": {"lr": 0.01}, "batch": {"size": 50}, "label": "d"},
        {"optimizer": "sgd", "params": {"lr": 0.3}, "label": "e"},
    ]
    for data in ("linear_regression", "logistic"):
        base = scenario(surface={"data": data, "samples": 50}, runs=runs, noise={"std": 0.05, "seed": 2})
        together = simulate(base).runs
        for i, run in enumerate(runs):
            alone = simulate({**base, "runs": [run]}).runs[0]
            for name in ("trajectory", "loss", "grad_norm", "batch_loss", "noise"):
                np.testing.assert_array_equal(getattr(alone, name), getattr(together[i], name), err_msg=f"{data} {i} {name}")
            assert alone.verdict == together[i].verdict


def test_loss_and_grad_norm_are_the_whole_data_sets_the_batch_loss_the_batchs() -> None:
    run = simulate(scenario(surface={"data": "logistic", "samples": 40}, steps=60)).runs[0]
    s = make_data_surface({"data": "logistic", "samples": 40})
    np.testing.assert_allclose(run.loss, s.value(run.trajectory), rtol=1e-13)
    np.testing.assert_allclose(run.grad_norm, np.linalg.norm(s.grad(run.trajectory), axis=-1), rtol=1e-12)
    per = s.model.losses(s.dataset, run.trajectory[:-1])  # (steps, N)
    want = np.take_along_axis(per, run.batches.astype(np.intp), axis=1).mean(axis=1)
    np.testing.assert_allclose(run.batch_loss, want, rtol=1e-12)
    assert not np.allclose(run.batch_loss, run.loss[:-1])  # every batch its own loss
    # the noise each step saw: the batch gradient minus the whole data set's
    np.testing.assert_allclose(run.noise, s.batch_gradients(run.batches).surface.sample_grads(run.trajectory[:-1])[np.arange(60)[:, None], run.batches].mean(axis=1) - s.grad(run.trajectory[:-1]), atol=1e-13)


def test_emulated_noise_is_added_on_top_of_the_batch_gradient() -> None:
    sc = scenario(noise={"std": 0.3, "seed": 9})
    noisy = simulate(sc).runs[0]
    s = make_data_surface(DATA)
    draws = np.random.default_rng(9).standard_normal((120, 2)) * 0.3
    grad = s.sample_grads(noisy.trajectory[:-1])[np.arange(120)[:, None], noisy.batches].mean(axis=1)
    np.testing.assert_allclose(np.diff(noisy.trajectory, axis=0), -0.1 * (grad + draws), rtol=1e-9, atol=1e-13)


def test_result_carries_the_data_and_each_run_its_batches() -> None:
    res = simulate(scenario(surface={"data": "sharp_flat", "samples": 30}))
    assert res.data["inputs"].shape == (30, 2) and res.data["targets"] is None
    assert res.data["test_inputs"].shape == (30, 2)
    d = res.to_dict()
    assert np.asarray(d["data"]["inputs"]).shape == (30, 2)
    r = d["runs"][0]
    assert r["batch"] == {"size": 8, "seed": 3} and r["steps_per_epoch"] == 3
    assert np.asarray(r["batches"]).shape == (120, 8) and len(r["batch_loss"]) == 120
    # a built-in surface carries neither
    plain = simulate({"surface": "ravine", "steps": 5, "runs": [{"optimizer": "sgd"}]})
    assert plain.data is None and "batches" not in plain.to_dict()["runs"][0]
    assert plain.runs[0].epochs is None
    np.testing.assert_allclose(res.runs[0].epochs, np.arange(121) / 3)


# --- the noise floor ------------------------------------------------------------------------------
def test_batch_noise_covariance_matches_the_spread_of_batch_gradients() -> None:
    """The model (per-sample covariance / B, times (N - B) / (N - 1)) against the covariance
    of the gradients of 40,000 random batches drawn without replacement."""
    s = make_data_surface({"data": "logistic", "samples": 40, "seed": 3})
    p = np.array([[0.5, 1.5]])
    b = 10
    model = BatchNoise(s, b).covariance(p)[0]
    per = s.sample_grads(p)[0]  # (N, 2)
    rng = np.random.default_rng(0)
    draws = np.array([per[rng.permutation(40)[:b]].mean(axis=0) for _ in range(40_000)])
    emp = np.cov(draws.T)
    # a sample covariance of 40,000 draws: relative error ~ sqrt(2 / 40,000) = 0.7 %
    np.testing.assert_allclose(emp, model, rtol=0.04, atol=0.04 * np.abs(model).max())
    # with replacement it would be larger by (N - 1) / (N - B): 30 % here, well outside that
    assert model[0, 0] < 0.8 * np.cov(per.T, bias=True)[0, 0] / b
    # the emulated noise adds its std^2 on the diagonal
    np.testing.assert_allclose(BatchNoise(s, b, 0.2).covariance(p)[0], model + 0.04 * np.eye(2))
    np.testing.assert_array_equal(BatchNoise(s, 40).covariance(p), 0.0)


def test_a_small_batch_run_hovers_at_the_minimum_within_the_batch_noise() -> None:
    sc = scenario(steps=2000, batch={"size": 2, "seed": 0})
    run = simulate(sc).runs[0]
    v = run.verdict
    assert v["kind"] == "minimum" and v["numbers"]["within_noise"] is True
    assert "hovers around the minimum" in v["explanation"]["en"]
    # the std on the card is the batch noise's, at the point the run hovers at
    s = make_data_surface(DATA)
    cov = BatchNoise(s, 2).covariance(run.trajectory[-200:].mean(axis=0)[None])[0]
    assert v["numbers"]["noise_std"] == pytest.approx(np.sqrt(np.linalg.eigvalsh(cov).max()), rel=0.2)
    # exact gradients of the whole data set: a plain minimum, no noise clause
    exact = simulate(scenario(steps=2000, batch=None)).runs[0].verdict
    assert exact["kind"] == "minimum" and exact["numbers"].get("within_noise") in (None, False)


# --- the scenario ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"batch": {"size": 0}}, "batch.size = 0 is out of range; allowed: an integer with 1 <= size <= 4096"),
        ({"batch": {"size": 2.5}}, "batch.size = 2.5 is not an integer"),
        ({"batch": {"size": 4, "seed": -2}}, "batch.seed = -2 is out of range"),
        ({"batch": {"seed": 1}}, "batch.size is missing"),
        ({"batch": {"size": 4, "shuffle": False}}, 'unknown key "shuffle" in batch; allowed keys: size, seed'),
        ({"batch": 8}, "batch = 8 is not a batch setting"),
        ({"surface": "ravine"}, 'batch = {"size": 8, "seed": 3} applies only to a data-set surface'),
        ({"steps": 1_000_000, "batch": {"size": 40}}, "steps x batch.size = 1000000 x 40 = 40,000,000; allowed: at most 20,000,000"),
    ],
)
def test_bad_batch_settings_are_named(change: dict, message: str) -> None:
    with pytest.raises(ScenarioError) as e:
        parse_scenario(scenario(**change))
    assert message in str(e.value)


def test_a_runs_own_batch_is_checked_and_round_trips() -> None:
    sc = scenario(runs=[{"optimizer": "sgd", "batch": {"size": 0}}])
    with pytest.raises(ScenarioError, match=r"runs\[0\]\.batch\.size = 0 is out of range"):
        parse_scenario(sc)
    sc["runs"][0]["batch"] = {"size": 4}
    d = parse_scenario(sc).to_dict()
    assert d["runs"][0]["batch"] == {"size": 4, "seed": 0} and d["batch"] == {"size": 8, "seed": 3}
    assert parse_scenario(copy.deepcopy(d)).to_dict() == d
    # a scenario without batches keeps its old normalised form (no new keys)
    plain = parse_scenario({"surface": "ravine", "runs": [{"optimizer": "sgd"}]}).to_dict()
    assert "batch" not in plain and "batch" not in plain["runs"][0]
    # a full-data batch is allowed at any length (no indices are kept)
    parse_scenario(scenario(steps=1_000_000, batch={"size": 50}))


def test_a_data_set_with_a_test_set_gives_each_run_its_test_loss() -> None:
    res = simulate(scenario(surface={"data": "sharp_flat", "samples": 30}, steps=20))
    run = res.runs[0]
    s = make_data_surface({"data": "sharp_flat", "samples": 30})
    np.testing.assert_allclose(run.test_loss, s.test_value(run.trajectory), rtol=1e-13)
    np.testing.assert_allclose(
        run.test_loss, s.model.losses(s.dataset.test(), run.trajectory).mean(axis=1), rtol=1e-12
    )
    assert len(res.to_dict()["runs"][0]["test_loss"]) == 21
    assert simulate(scenario(steps=3)).runs[0].test_loss is None  # no test set


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.sampled_from(["linear_regression", "lecture_product", "logistic", "sharp_flat"]),
    samples=st.integers(1, 300),
    seed=st.integers(0, 2**32 - 1),
    noise=st.floats(0, 10),
    size=st.integers(1, 400),
    optimizer=st.sampled_from(["sgd", "adam", "adagrad_lecture", "rmsprop", "nadam", "adadelta"]),
    lr=st.floats(1e-6, 1e3),
    start=st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)),
    emulated=st.floats(0, 10),
)
def test_any_data_set_scenario_runs_or_is_refused_with_a_message(
    data: str, samples: int, seed: int, noise: float, size: int, optimizer: str, lr: float,
    start: tuple[float, float], emulated: float,
) -> None:
    """Whatever the data set, batch and optimizer: finite outputs up to where a run is cut,
    or the documented error; never another exception or a warning (warnings are errors)."""
    sc = {
        "surface": {"data": data, "samples": samples, "seed": seed, "noise": min(noise, 1.0) if data == "sharp_flat" else noise},
        "start": list(start),
        "steps": 40,
        "runs": [{"optimizer": optimizer, "params": {"lr": lr}}, {"optimizer": "sgd", "batch": {"size": max(1, size // 2)}}],
        "batch": {"size": size, "seed": seed},
        "noise": {"std": emulated, "seed": 1},
    }
    try:
        res = simulate(sc)
    except ScenarioError:
        return
    for run in res.runs:
        k = run.steps_run
        assert np.all(np.isfinite(run.trajectory[: k + 1])) and np.all(np.isfinite(run.loss[:k]))
        assert run.verdict["kind"] in KINDS
        assert run.batch_loss is not None and len(run.batch_loss) == k
        json.dumps(res.to_dict(), allow_nan=True)  # plain values


def test_the_fast_gradient_norm_is_hypot_also_where_squares_overflow_or_underflow() -> None:
    from lab.batches import _norm

    gx = np.array([3.0, 1e200, 1e-200, 0.0, -4e-170, np.inf, np.nan, 1e154, 2.5e-3])
    gy = np.array([4.0, 1e200, 1e-200, 0.0, 3e-170, 1.0, 1.0, -1e154, 7.0])
    want = np.hypot(gx, gy)
    got = _norm(gx, gy)
    np.testing.assert_allclose(got, want, rtol=2.3e-16, atol=0)
    assert got[0] == 5.0 and got[3] == 0.0 and np.isinf(got[5]) and np.isnan(got[6])


def test_a_batch_result_pickles_without_its_surface_like_the_apps_cache_does() -> None:
    """The app's cache pickles a result with its surfaces removed (their functions are
    closures); the lazily computed series travel as plain arrays."""
    import dataclasses
    import pickle

    res = simulate(scenario(surface={"data": "sharp_flat", "samples": 20}, steps=15, noise={"std": 0.1, "seed": 1}))
    want = [(r.noise.copy(), r.batch_loss.copy(), r.test_loss.copy()) for r in res.runs]
    fresh = simulate(scenario(surface={"data": "sharp_flat", "samples": 20}, steps=15, noise={"std": 0.1, "seed": 1}))
    stripped = dataclasses.replace(fresh, surface=None, runs=[dataclasses.replace(r, surface=None) for r in fresh.runs])
    back = pickle.loads(pickle.dumps(stripped))
    for r, (noise, batch_loss, test_loss) in zip(back.runs, want, strict=True):
        np.testing.assert_array_equal(r.noise, noise)
        np.testing.assert_array_equal(r.batch_loss, batch_loss)
        np.testing.assert_array_equal(r.test_loss, test_loss)
