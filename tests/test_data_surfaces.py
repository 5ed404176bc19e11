"""Data-set surfaces: the mean loss, its gradient and Hessian against the per-sample formulas
(written out here independently) and finite differences; the lecture's sample; minima;
stable logistic arithmetic; batches of samples; the parameters' validation."""

from __future__ import annotations

import numpy as np
import pytest

from lab import ScenarioError, parse_scenario
from surfaces import BUILTIN, make_surface
from surfaces.data import DataSurface, make_data_surface
from surfaces.data_models import DATASETS

NAMES = sorted(DATASETS)
RNG = np.random.default_rng(12)


def points(s: DataSurface, n: int = 9) -> np.ndarray:
    (x0, x1), (y0, y1) = s.x_range, s.y_range
    return np.column_stack([RNG.uniform(x0, x1, n), RNG.uniform(y0, y1, n)])


def per_sample_reference(name: str, s: DataSurface, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean loss and gradient from the issue's per-sample formulas, one sample at a time."""
    d = s.dataset
    value = np.zeros(len(p))
    grad = np.zeros((len(p), 2))
    for i in range(d.size):
        x = d.inputs[i]
        for k, (a, b) in enumerate(p):
            if name == "linear_regression":
                r = a * x + b - d.targets[i]
                value[k] += 0.5 * r * r
                grad[k] += [r * x, r]
            elif name == "lecture_product":
                r = d.targets[i] - a * b * x
                value[k] += r * r
                grad[k] += [-2 * r * x * b, -2 * r * x * a]
            elif name == "logistic":
                z = d.targets[i] * (a * x[0] + b * x[1])
                value[k] += np.log1p(np.exp(-z))
                grad[k] += -d.targets[i] * x / (1 + np.exp(z))
            else:
                u = np.array([a, b]) - x
                m = s.model
                v, g = m.BASE + 0.5 * m.BOWL * u @ u, m.BOWL * u
                for (cx, cy, w), depth in ((m.SHARP, d.constants["depth"]), (m.FLAT, m.DEPTH_FLAT)):
                    du = u - [cx, cy]
                    e = depth * np.exp(-(du @ du) / (2 * w * w))
                    v, g = v - e, g + e * du / (w * w)
                value[k] += v
                grad[k] += g
    return value / d.size, grad / d.size


@pytest.mark.parametrize("name", NAMES)
def test_mean_loss_and_gradient_follow_the_per_sample_formulas(name: str) -> None:
    s = make_data_surface({"data": name, "samples": 37, "seed": 3})
    p = points(s)
    value, grad = per_sample_reference(name, s, p)
    np.testing.assert_allclose(s.value(p), value, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(s.grad(p), grad, rtol=1e-11, atol=1e-13)
    # the per-sample gradients average to the gradient
    np.testing.assert_allclose(s.sample_grads(p).mean(axis=-2), s.grad(p), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_and_hessian_against_finite_differences(name: str) -> None:
    s = make_data_surface({"data": name, "samples": 50, "seed": 1})
    p = points(s)
    h = 1e-6
    ex, ey = np.array([h, 0.0]), np.array([0.0, h])
    fd_g = np.stack([(s.value(p + ex) - s.value(p - ex)), (s.value(p + ey) - s.value(p - ey))], -1) / (2 * h)
    fd_h = np.stack([(s.grad(p + ex) - s.grad(p - ex)), (s.grad(p + ey) - s.grad(p - ey))], -2) / (2 * h)
    g, hess = s.grad(p), s.hessian(p)
    np.testing.assert_allclose(g, fd_g, rtol=1e-6, atol=1e-7 * np.abs(g).max())
    np.testing.assert_allclose(hess, fd_h, rtol=1e-6, atol=1e-7 * np.abs(hess).max())
    np.testing.assert_array_equal(hess, np.swapaxes(hess, -1, -2))


@pytest.mark.parametrize("name", NAMES)
def test_a_batch_of_samples_is_the_mean_over_those_samples(name: str) -> None:
    s = make_data_surface({"data": name, "samples": 40, "seed": 2})
    p = points(s)
    idx = np.array([3, 17, 17, 39, 0])
    sub = make_data_surface({"data": name, "samples": 40, "seed": 2})
    per = s.sample_grads(p)[:, idx].mean(axis=1)
    np.testing.assert_allclose(s.batch_grad(p, idx), per, rtol=1e-11, atol=1e-13)
    # the Hessian of the batch against finite differences of the batch gradient
    ex, ey = np.array([1e-6, 0.0]), np.array([0.0, 1e-6])
    h = 1e-6
    fd = np.stack(
        [
            sub.batch_grad(p + ex, idx) - sub.batch_grad(p - ex, idx),
            sub.batch_grad(p + ey, idx) - sub.batch_grad(p - ey, idx),
        ],
        -2,
    ) / (2 * h)
    hess = s.batch_hessian(p, idx)
    np.testing.assert_allclose(hess, fd, rtol=1e-6, atol=1e-7 * np.abs(hess).max())
    # and its loss is the mean of those samples' losses
    losses = s.model.losses(s.dataset, p)[:, idx].mean(axis=1)
    np.testing.assert_allclose(s.batch_value(p, idx), losses, rtol=1e-12, atol=1e-13)


def test_one_lecture_sample_is_exactly_the_lectures_loss() -> None:
    s = make_data_surface({"data": "lecture_product", "samples": 1, "seed": 9, "noise": 3.0})
    assert s.dataset.inputs.tolist() == [1.0] and s.dataset.targets.tolist() == [1.0]
    lecture = BUILTIN["lecture_saddle"]
    p = np.random.default_rng(0).normal(0, 2, (200, 2))
    np.testing.assert_array_equal(s.value(p), lecture.value(p))
    np.testing.assert_array_equal(s.grad(p), lecture.grad(p))
    np.testing.assert_allclose(s.hessian(p), lecture.hessian(p), rtol=0, atol=4e-15 * np.abs(p).max() ** 2)
    np.testing.assert_allclose(np.linalg.eigvalsh(s.hessian(np.zeros(2))), [-2.0, 2.0])
    assert s.minima == ((1.0, 1.0), (-1.0, -1.0))


def test_every_product_sample_gradient_points_along_the_stable_line() -> None:
    """On w2 = -w1 each sample's gradient is -2 r x (w2, w1), parallel to (1, -1): batch noise
    alone cannot leave the line (the issue's remark, and the product preset's caption)."""
    s = make_data_surface({"data": "lecture_product", "samples": 64, "seed": 4, "noise": 0.5})
    p = np.array([[0.7, -0.7], [-0.2, 0.2], [1.5, -1.5]])
    g = s.sample_grads(p)  # (3, 64, 2)
    across = g @ np.array([1.0, 1.0]) / np.sqrt(2)
    assert np.abs(across).max() < 1e-15 * np.abs(g).max()
    assert np.abs(g).max() > 0.1


def test_least_squares_minimum_is_the_normal_equations_solution() -> None:
    s = make_data_surface({"data": "linear_regression", "samples": 200, "seed": 5})
    x, y = s.dataset.inputs, s.dataset.targets
    a = np.array([[np.sum(x * x), np.sum(x)], [np.sum(x), len(x)]])
    w, b = np.linalg.solve(a, [np.sum(x * y), np.sum(y)])
    np.testing.assert_allclose(s.minima, [[w, b]], rtol=1e-12)
    np.testing.assert_allclose(s.grad(np.array(s.minima)), 0.0, atol=1e-13)
    residual = 0.5 * np.mean((w * x + b - y) ** 2)
    assert float(s.value(np.array([w, b]))) == pytest.approx(residual, rel=1e-13)
    assert abs(w - 2.0) < 0.2 and abs(b + 1.0) < 0.2  # the line the data were drawn from


@pytest.mark.parametrize("name", ["logistic", "sharp_flat"])
def test_newton_minima_are_stationary_minima(name: str) -> None:
    s = make_data_surface({"data": name})
    assert s.minima
    for m in s.minima:
        q = np.array(m)
        assert np.linalg.norm(s.grad(q)) < 1e-9 * np.median(np.linalg.norm(s.grad(points(s, 100)), axis=-1))
        assert np.all(np.linalg.eigvalsh(s.hessian(q)) > 0)
        (x0, x1), (y0, y1) = s.x_range, s.y_range
        assert x0 < m[0] < x1 and y0 < m[1] < y1


def test_sharp_flat_has_a_sharp_and_a_flat_minimum_and_a_shifted_test_set() -> None:
    s = make_data_surface({"data": "sharp_flat"})
    assert len(s.minima) == 2
    curv = {m: np.linalg.eigvalsh(s.hessian(np.array(m))).max() for m in s.minima}
    flat, sharp = sorted(s.minima, key=lambda m: curv[m])
    assert curv[sharp] > 10 * curv[flat]
    assert s.dataset.test_inputs is not None
    shift = s.dataset.test_inputs.mean(axis=0) - s.dataset.inputs.mean(axis=0)
    assert shift[0] == pytest.approx(0.25, abs=0.03)
    # the test loss is the training loss moved by that shift: cheap at the flat minimum,
    # dear at the sharp one
    rise = {m: float(s.test_value(np.array(m)) - s.value(np.array(m))) for m in s.minima}
    assert rise[sharp] > 5 * rise[flat] > 0


def test_separable_logistic_data_have_no_finite_minimum() -> None:
    s = make_data_surface({"data": "logistic", "samples": 4, "seed": 0})
    x, y = s.dataset.inputs, s.dataset.targets
    # some direction classifies every sample correctly: the loss falls towards 0 along it
    angles = np.linspace(0, 2 * np.pi, 3600)
    u = np.column_stack([np.cos(angles), np.sin(angles)])
    assert np.any(np.all((y[:, None] * (x @ u.T)) > 0, axis=0))
    assert s.minima == ()


def test_logistic_is_finite_and_exact_far_out() -> None:
    s = make_data_surface({"data": "logistic", "samples": 16})
    p = np.array([[1e6, 1e6], [-1e6, 3e5], [1e300, -1e300]])
    with np.errstate(all="raise", under="ignore"):
        v, g, h = s.value(p), s.grad(p), s.hessian(p)
    assert np.all(np.isfinite(v)) and np.all(np.isfinite(g)) and np.all(np.isfinite(h))
    # far out the loss is the mean margin violation max(0, -z): linear, not overflowing
    x, y = s.dataset.inputs, s.dataset.targets
    z = y * (x @ p[0])
    assert float(v[0]) == pytest.approx(np.mean(np.maximum(-z, 0.0)), rel=1e-12)


def test_data_sets_are_drawn_from_their_seed() -> None:
    a = make_data_surface({"data": "logistic", "seed": 7})
    b = make_surface({"data": "logistic", "seed": 7, "samples": 128})
    c = make_data_surface({"data": "logistic", "seed": 8})
    assert a is b  # one spec, one surface (cached)
    assert not np.array_equal(a.dataset.inputs, c.dataset.inputs)
    again = DATASETS["logistic"].generate({"samples": 128, "seed": 7, "noise": 1.0})
    np.testing.assert_array_equal(again.inputs, a.dataset.inputs)


def test_batch_gradient_noise_covariance_is_the_sample_covariance() -> None:
    s = make_data_surface({"data": "logistic", "samples": 30, "seed": 1})
    p = points(s, 4)
    g = s.sample_grads(p)
    for k in range(len(p)):
        np.testing.assert_allclose(s.grad_covariance(p)[k], np.cov(g[k].T, bias=True), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize(
    ("surface", "message"),
    [
        ({"data": "nope"}, 'surface.data = "nope" is not a data set; allowed: one of linear_regression'),
        ({"data": "linear_regression", "samples": 1}, "surface.samples = 1 is out of range; allowed: an integer with 2 <= samples <= 4096"),
        ({"data": "logistic", "samples": 4097}, "surface.samples = 4097 is out of range"),
        ({"data": "logistic", "seed": -1}, "surface.seed = -1 is out of range"),
        ({"data": "logistic", "noise": float("nan")}, "surface.noise = NaN is not finite"),
        ({"data": "logistic", "noise": -0.1}, "surface.noise = -0.1 is out of range; allowed: 0 <= noise <= 10"),
        ({"data": "sharp_flat", "shift": 2}, "surface.shift = 2 is out of range; allowed: 0 <= shift <= 1"),
        ({"data": "sharp_flat", "depth": 2.5}, "surface.depth = 2.5 is out of range; allowed: 0 <= depth <= 2"),
        ({"data": "lecture_product", "sample": 3}, 'unknown key "sample" in surface; allowed keys: data, samples, seed, noise'),
        ({"data": "sharp_flat", "sample": 3}, "allowed keys: data, samples, seed, noise, depth, shift"),
        ({"data": 3}, "surface.data = 3 is not a data set"),
    ],
)
def test_bad_data_set_parameters_are_named(surface: dict, message: str) -> None:
    with pytest.raises(ScenarioError) as e:
        parse_scenario({"surface": surface, "runs": [{"optimizer": "sgd"}]})
    assert message in str(e.value)


def test_a_data_set_spec_round_trips_with_its_defaults() -> None:
    sc = parse_scenario({"surface": {"data": "sharp_flat", "seed": 2}, "runs": [{"optimizer": "sgd"}]})
    d = sc.to_dict()
    assert d["surface"] == {"data": "sharp_flat", "samples": 256, "seed": 2, "noise": 0.15, "depth": 2.0, "shift": 0.25}
    assert parse_scenario(d).to_dict() == d
    assert sc.start == make_surface(d["surface"]).start


@pytest.mark.parametrize("name", ["linear_regression", "lecture_product"])
def test_least_squares_noise_covariance_from_moments_is_the_per_sample_one(name: str) -> None:
    s = make_data_surface({"data": name, "samples": 45, "seed": 6, "noise": 0.7})
    p = np.concatenate([points(s, 20), np.array(s.minima[:1])])
    g = s.sample_grads(p)
    want = np.array([np.cov(gk.T, bias=True) for gk in g])
    np.testing.assert_allclose(s.grad_covariance(p), want, rtol=1e-9, atol=1e-12 * np.abs(want).max())
    assert s.cov_moments is not None  # the O(1) path, not the per-sample sum


def test_every_data_set_and_its_parameters_have_texts_in_both_languages() -> None:
    from core.text import both, has

    for name, model in DATASETS.items():
        for key in (f"surface.{name}.title", f"surface.{name}.description"):
            text = both(key)
            assert text["en"] and text["zh"] != text["en"]
        for p in model.params:
            assert has(f"data.{p.name}") and has(f"help.data.{p.name}"), p.name
    for key in ("batch.size", "help.batch.size", "batch.seed", "help.batch.seed", "batch.loss"):
        assert both(key)["zh"] != both(key)["en"]
    assert both("batch.of", b=8) == {"en": "batches of 8", "zh": "每批 8 个"}
