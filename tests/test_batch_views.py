"""The figure data of mini-batches (``lab.batch_views``): each batch's own surface on a grid,
the epoch axis, the data panel and the model's fit."""

from __future__ import annotations

import numpy as np
import pytest

from lab import simulate
from lab.batch_views import batch_grid, batch_loss_at, batch_of, data_panel, model_fit, step_axis
from surfaces.data import make_data_surface


def result(data: str, **surface: object):  # type: ignore[no-untyped-def]
    return simulate(
        {
            "surface": {"data": data, "samples": 48, **surface},
            "steps": 30,
            "runs": [
                {"optimizer": "sgd", "params": {"lr": 0.05}, "batch": {"size": 6, "seed": 1}},
                {"optimizer": "sgd", "params": {"lr": 0.05}},
            ],
        }
    )


@pytest.mark.parametrize("data", ["linear_regression", "lecture_product", "logistic", "sharp_flat"])
def test_a_batchs_own_surface_is_the_mean_of_its_samples_losses(data: str) -> None:
    res = result(data)
    s = res.surface
    xs, ys = np.linspace(*s.x_range, 7), np.linspace(*s.y_range, 5)
    idx = batch_of(res.runs[0], 12)
    grid = batch_grid(s, idx, xs, ys)
    assert grid.shape == (5, 7)
    per = s.model.losses(s.dataset, np.array([[x, y] for y in ys for x in xs]))  # (35, N)
    np.testing.assert_allclose(grid.ravel(), per[:, idx].mean(axis=1), rtol=1e-12, atol=1e-14)
    # another batch: another surface; all the data: the data's own
    other = batch_grid(s, batch_of(res.runs[0], 13), xs, ys)
    assert not np.allclose(other, grid)
    full = batch_grid(s, None, xs, ys)
    np.testing.assert_allclose(full.ravel(), s.value(np.array([[x, y] for y in ys for x in xs])), rtol=1e-13)
    # the loss the run recorded for that batch is this surface at the run's point
    np.testing.assert_allclose(
        res.runs[0].batch_loss[12], float(s.batch_value(res.runs[0].trajectory[12], idx)), rtol=1e-12
    )


def test_a_least_squares_batch_surface_never_touches_the_samples_per_point(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Play redraws one batch surface per frame: for the least-squares models it is a function
    of the batch's few mean statistics, O(grid) whatever B (timed in benchmarks/engine.py)."""
    res = result("linear_regression")
    s = res.surface
    want = batch_grid(s, batch_of(res.runs[0], 3), np.linspace(0, 1, 9), np.linspace(0, 1, 4))

    def per_sample(*args: object) -> None:
        raise AssertionError("per-sample losses evaluated for a least-squares batch surface")

    monkeypatch.setattr(s.model, "losses", per_sample)
    got = batch_grid(s, batch_of(res.runs[0], 3), np.linspace(0, 1, 9), np.linspace(0, 1, 4))
    np.testing.assert_array_equal(got, want)


def test_steps_and_epochs() -> None:
    res = result("linear_regression")
    small, full = res.runs
    assert small.steps_per_epoch == 8 and full.steps_per_epoch == 1
    np.testing.assert_array_equal(step_axis(small), np.arange(31))
    np.testing.assert_allclose(step_axis(small, "epochs"), np.arange(31) / 8)
    np.testing.assert_allclose(step_axis(full, "epochs"), np.arange(31))
    with pytest.raises(ValueError, match="unit = 'steps' is invalid; allowed: 'updates' or 'epochs'"):
        step_axis(small, "steps")
    plain = simulate({"surface": "ravine", "steps": 3, "runs": [{"optimizer": "sgd"}]}).runs[0]
    with pytest.raises(ValueError, match="needs a data-set surface"):
        step_axis(plain, "epochs")
    series = batch_loss_at(small)
    assert len(series["step"]) == len(series["batch_loss"]) == len(series["loss"]) == 30
    np.testing.assert_array_equal(series["loss"], small.loss[:30])


def test_the_data_panel_marks_the_batch_and_shows_the_fit() -> None:
    res = result("linear_regression")
    panel = data_panel(res, 0, 5)
    assert panel["in_batch"].sum() == 6
    np.testing.assert_array_equal(np.flatnonzero(panel["in_batch"]), np.sort(res.runs[0].batches[5]))
    w, b = res.runs[0].trajectory[5]
    fit = panel["fit"]
    assert fit["kind"] == "line"
    np.testing.assert_allclose(fit["y"], w * fit["x"] + b)
    assert fit["x"].min() == res.data["inputs"].min() and fit["x"].max() == res.data["inputs"].max()
    assert data_panel(res, 1, 5)["in_batch"].all()  # the whole data set
    assert not data_panel(res, 0, 30)["in_batch"].any()  # the last point: no step follows
    with pytest.raises(ValueError, match="step = 31 is out of range"):
        data_panel(res, 0, 31)


def test_fits_of_the_other_models() -> None:
    product = make_data_surface({"data": "lecture_product"})
    fit = model_fit(product, np.array([0.5, 3.0]))
    np.testing.assert_allclose(fit["y"], 1.5 * fit["x"])
    logistic = make_data_surface({"data": "logistic"})
    fit = model_fit(logistic, np.array([2.0, 1.0]))
    assert fit["kind"] == "boundary"
    np.testing.assert_allclose(2.0 * fit["x"] + 1.0 * fit["y"], 0.0, atol=1e-12)  # theta . x = 0
    steep = model_fit(logistic, np.array([1.0, 0.01]))
    np.testing.assert_allclose(steep["x"] + 0.01 * steep["y"], 0.0, atol=1e-12)
    assert np.ptp(steep["y"]) > 0  # parametrised by y: not a vertical line through infinity
    assert model_fit(logistic, np.zeros(2))["x"].size == 0
    sharp = make_data_surface({"data": "sharp_flat"})
    fit = model_fit(sharp, np.array([0.3, -0.2]))
    assert fit["kind"] == "point" and fit["x"].tolist() == [0.3] and fit["y"].tolist() == [-0.2]
    panel = data_panel(result("sharp_flat"), 0, 3)
    assert panel["targets"] is None and panel["test_inputs"].shape == (48, 2)
