"""Built-in surfaces: closed-form gradients and Hessians against finite differences; their texts
and the cost figure of every surface."""

from __future__ import annotations

import numpy as np
import pytest

from core.text import CATALOG, both
from surfaces import BUILTIN, GradCost, make_surface
from surfaces.data_models import DATASETS

NAMES = sorted(BUILTIN)


def _points(name: str, n: int = 25) -> np.ndarray:
    s = BUILTIN[name]
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    x = rng.uniform(*s.x_range, n)
    y = rng.uniform(*s.y_range, n)
    return np.stack([x, y], -1)


def _fd_grad(f, p: np.ndarray, h: float) -> np.ndarray:
    e = np.eye(2) * h
    return np.stack([(f(p + e[i]) - f(p - e[i])) / (2 * h) for i in range(2)], -1)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_finite_differences(name: str) -> None:
    s = BUILTIN[name]
    p = _points(name)
    g = s.grad(p)
    fd = _fd_grad(s.value, p, 1e-6)
    scale = np.max(np.abs(fd)) + 1.0
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-7 * scale)


@pytest.mark.parametrize("name", NAMES)
def test_hessian_matches_finite_differences_of_gradient(name: str) -> None:
    s = BUILTIN[name]
    p = _points(name)
    h = s.hessian(p)
    fd = np.stack([_fd_grad(lambda q, i=i: s.grad(q)[..., i], p, 1e-6) for i in range(2)], -2)
    scale = np.max(np.abs(fd)) + 1.0
    np.testing.assert_allclose(h, fd, rtol=1e-6, atol=1e-7 * scale)
    np.testing.assert_array_equal(h, np.swapaxes(h, -1, -2))  # symmetric


@pytest.mark.parametrize("name", NAMES)
def test_shapes_for_point_batch_and_grid(name: str) -> None:
    s = BUILTIN[name]
    for shape in [(2,), (7, 2), (4, 3, 2)]:
        p = np.full(shape, 0.3)
        assert s.value(p).shape == shape[:-1]
        assert s.grad(p).shape == shape
        assert s.hessian(p).shape == (*shape[:-1], 2, 2)


@pytest.mark.parametrize("name", [n for n in NAMES if BUILTIN[n].minima])
def test_known_minima_are_minima(name: str) -> None:
    s = BUILTIN[name]
    for m in s.minima:
        p = np.asarray(m)
        g = s.grad(p)
        assert np.linalg.norm(g) < 1e-8, (name, m, g)
        eig = np.linalg.eigvalsh(s.hessian(p))
        assert eig.min() > -1e-9 and eig.max() > 0, (name, m, eig)  # (1-xy)^2: a valley of minima


@pytest.mark.parametrize("name", NAMES)
def test_metadata(name: str) -> None:
    s = BUILTIN[name]
    assert s.x_range[0] < s.start[0] < s.x_range[1]
    assert s.y_range[0] < s.start[1] < s.y_range[1]
    assert s.title["en"] and s.title["zh"] and s.description["en"] and s.description["zh"]


def test_lecture_hessian_example() -> None:
    s = BUILTIN["lecture_saddle"]
    h = s.hessian(np.zeros(2))
    np.testing.assert_array_equal(h, [[0.0, -2.0], [-2.0, 0.0]])
    eig, vec = np.linalg.eigh(h)
    np.testing.assert_allclose(eig, [-2.0, 2.0])
    np.testing.assert_allclose(np.abs(vec[:, 0]), [2**-0.5, 2**-0.5])
    # moving along [1, 1] lowers the loss, along [1, -1] raises it
    assert s.value(np.array([0.1, 0.1])) < s.value(np.zeros(2)) < s.value(np.array([0.1, -0.1]))


def test_ravine_constants_reproduce_the_lecture() -> None:
    """eta = 1e-2 makes eta * curvature exactly 2 across the ravine; eta = 1e-7 barely moves."""
    s = BUILTIN["ravine"]
    eig = np.linalg.eigvalsh(s.hessian(np.zeros(2)))
    assert 1e-2 * eig.max() == 2.0
    assert (1 - 1e-7 * eig.min()) ** 100_000 > 0.98  # 100,000 tiny steps move x by under 2 %


def test_rotated_ravine_is_the_ravine_turned() -> None:
    s = BUILTIN["rotated_ravine"]
    h = s.hessian(np.zeros(2))
    np.testing.assert_allclose(np.linalg.eigvalsh(h), [1.0, 50.0])
    assert abs(h[0, 1]) > 1  # its axes are not the coordinate axes


# --- Texts and cost ---------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_titles_and_descriptions_come_from_the_catalog(name: str) -> None:
    s = BUILTIN[name]
    assert s.title == both(f"surface.{name}.title")
    assert s.description == both(f"surface.{name}.description")
    assert s.title["zh"] != s.title["en"]  # a translation, not a copy
    assert s.description["zh"] != s.description["en"]


def test_every_surface_text_belongs_to_a_surface() -> None:
    names = {key.split(".")[1] for key in CATALOG if key.startswith("surface.")}
    assert names == {*BUILTIN, *DATASETS, "custom"}


def test_a_formula_surface_has_its_texts() -> None:
    s = make_surface({"expr": "x**2 + 3*y"})
    assert s.title == {"en": "Custom formula", "zh": "自定义公式"}
    assert s.description == {"en": "L(x, y) = x**2 + 3*y", "zh": "L(x, y) = x**2 + 3*y"}


def test_grad_cost_is_measured_once_and_kept() -> None:
    s = BUILTIN["rosenbrock"]
    cost = s.grad_cost
    assert isinstance(cost, GradCost)
    assert s.grad_cost is cost  # measured once per surface
    assert cost.call > 0 and cost.point >= 0
    assert cost.seconds(1024) == pytest.approx(cost.call + 1024 * cost.point)
    assert cost.per_run_step(16) == pytest.approx(cost.seconds(16) / 16)


def test_grad_cost_tracks_the_size_of_the_formula() -> None:
    # 49 nested sines: a gradient program ~40x longer than x*y's; its cost must show that,
    # for one point (per-operation overhead) and for 1,024 (arithmetic per point).
    small = make_surface({"expr": "x*y"}).grad_cost
    deep = make_surface({"expr": "sin(" * 49 + "x*y" + ")" * 49}).grad_cost
    assert deep.seconds(1) > 4 * small.seconds(1)
    assert deep.seconds(1024) > 4 * small.seconds(1024)
