"""The map presets (31-35) prove their captions with numbers, against independent references:
the stability limits and spectral radii of GD and heavy ball on a quadratic (closed form), the
basins of the gradient flow (a plain RK4 integration), the known minima."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from lab import SweepResult, simulate, sweep
from lab.presets import get_preset
from lab.scenario import parse_scenario
from lab.sweep_theory import curvatures, limits
from surfaces import BUILTIN, make_surface

CONVERGING = ("crawling", "moving", "minimum")
UNSTABLE = ("oscillating", "diverging", "diverged")
STEEP = 200.0  # the ravine's curvatures are 1 and 200


@cache
def preset_map(name: str) -> SweepResult:
    return sweep(get_preset(name).scenario)


def boundary_columns(kinds: np.ndarray) -> list[tuple[int, int]]:
    """Per row: the last column that converges and the first that does not (the map is one
    stable region on the left, one unstable on the right: checked)."""
    out = []
    for row in kinds:
        stable = np.isin(row, CONVERGING)
        unstable = np.isin(row, UNSTABLE)
        assert (stable | unstable).all()
        last, first = np.flatnonzero(stable).max(), np.flatnonzero(unstable).min()
        assert last + 1 == first, "stable and unstable cells interleave"
        out.append((int(last), int(first)))
    return out


def hb_radius(eta: float, mu: float, lam: float) -> float:
    """Spectral radius of heavy ball on one curvature: the roots of z^2 - (1 + mu - eta lam) z + mu."""
    return float(np.abs(np.roots([1.0, -(1.0 + mu - eta * lam), mu])).max())


# --- the theory's curvatures ----------------------------------------------------------------
def test_curvatures_come_from_a_constant_hessian() -> None:
    assert curvatures(BUILTIN["ravine"]) == (1.0, 200.0)
    assert curvatures(BUILTIN["rotated_ravine"]) == pytest.approx((1.0, 50.0), rel=1e-12)
    formula = make_surface({"expr": "x**2 + 10*y**2 + 3*x*y - 2*x", "x_range": [-2, 2], "y_range": [-1, 1]})
    lo, hi = curvatures(formula)  # type: ignore[misc]
    assert (lo, hi) == pytest.approx(np.linalg.eigvalsh([[2.0, 3.0], [3.0, 20.0]]), rel=1e-12)
    for name in ("rosenbrock", "himmelblau", "saddle", "lecture_saddle"):
        assert curvatures(BUILTIN[name]) is None or name == "saddle"
    assert curvatures(BUILTIN["saddle"]) == (-2.0, 2.0)  # constant, but a limit needs lambda > 0
    sc = parse_scenario(get_preset("32_momentum_stable_region").scenario)
    assert [lim.curvature for lim in limits(sc)] == [1.0, 200.0]
    assert limits(parse_scenario(get_preset("35_adam_lr_beta1_rosenbrock").scenario)) == []


# --- 31: where GD bounces -------------------------------------------------------------------
def test_31_the_gd_map_turns_at_eta_lambda_2_in_every_row() -> None:
    res = preset_map("31_gd_bounce_line")
    kinds, xs = np.array(res.kind, dtype=object), np.array(res.xs)
    step = xs[1] / xs[0]  # one cell, as a factor
    limit = 2 / STEEP
    for last, first in boundary_columns(kinds):
        assert xs[last] < limit <= xs[first]  # the line lies between the two cells ...
        assert xs[first] / limit < step * (1 + 1e-9)  # ... within one cell of it
    on = np.flatnonzero(np.isclose(xs, limit, rtol=1e-12))
    assert len(on) == 1 and set(kinds[:, on[0]]) == {"oscillating"}  # on the line it bounces
    assert (kinds[:, xs > limit * 1.001] == "diverged").all()
    # left of the line the start does not matter: every column has one kind
    for j in np.flatnonzero(xs < limit):
        assert len(set(kinds[:, j])) == 1
    assert {"crawling", "moving", "minimum"} <= set(kinds[:, xs < limit].ravel())


def test_31_rates_are_gds_spectral_radius() -> None:
    """GD on 1/2 (x^2 + 200 y^2) contracts the distance by max |1 - eta lambda| per step."""
    res = preset_map("31_gd_bounce_line")
    kinds, xs = np.array(res.kind, dtype=object), np.array(res.xs)
    rho = np.maximum(np.abs(1 - xs), np.abs(1 - STEEP * xs))
    conv = np.isin(kinds, CONVERGING)
    assert np.isfinite(res.rate[conv]).all()
    np.testing.assert_allclose(res.rate[conv], np.broadcast_to(rho, kinds.shape)[conv], atol=1e-4)
    np.testing.assert_allclose(res.rate[kinds == "oscillating"], 1.0, atol=1e-9)
    assert np.isnan(res.rate[kinds == "diverged"]).all()


# --- 32: momentum's stable region -----------------------------------------------------------
def test_32_the_heavy_ball_map_turns_at_2_1_plus_mu_in_every_row() -> None:
    res = preset_map("32_momentum_stable_region")
    kinds, xs, mus = np.array(res.kind, dtype=object), np.array(res.xs), np.array(res.ys)
    step = xs[1] / xs[0]
    for mu, (last, first) in zip(mus, boundary_columns(kinds), strict=True):
        limit = 2 * (1 + mu) / STEEP
        assert xs[last] / step <= limit <= xs[first] * step  # within one cell of the line
        assert xs[last] < limit * (1 + 1e-9) and xs[first] >= limit * (1 - 1e-9)
    # momentum lets a larger step stay stable: up to twice GD's limit as mu -> 1
    firsts = np.array([xs[f] for _, f in boundary_columns(kinds)])
    assert np.all(np.diff(firsts) >= 0) and firsts[-1] / firsts[0] > 1.8
    # the region still moving shrinks as mu grows: its right edge moves to smaller eta
    moving_edge = [xs[np.flatnonzero(row == "moving")].max() for row in kinds[::10]]
    assert np.all(np.diff(moving_edge) <= 0) and moving_edge[0] / moving_edge[-1] > 10


def test_32_rates_are_heavy_balls_spectral_radius() -> None:
    res = preset_map("32_momentum_stable_region")
    kinds, xs, mus = np.array(res.kind, dtype=object), np.array(res.xs), np.array(res.ys)
    rho = np.array([[max(hb_radius(e, m, lam) for lam in (1.0, STEEP)) for e in xs] for m in mus])
    conv = np.isin(kinds, CONVERGING)
    err = np.abs(res.rate[conv] - rho[conv])
    # The checkpoints sample an oscillating distance (complex roots: |z| = sqrt(mu)) 19 % apart,
    # so a measured envelope can be off by a little; most cells are exact.
    assert err.max() < 0.02
    assert np.median(err) < 1e-6


# --- 33, 34: Himmelblau's basins ------------------------------------------------------------
def gradient_flow_basins(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """The minimum each start's gradient flow d theta / dt = -grad L reaches: RK4, h = 4e-3,
    up to t = 8 (the slowest minimum's curvature is ~26: e^-200), then the nearest minimum."""
    s = BUILTIN["himmelblau"]
    gx, gy = np.meshgrid(xs, ys)
    p = np.stack([gx.ravel(), gy.ravel()], axis=-1)
    h = 4e-3
    for _ in range(2000):
        k1 = -s.grad(p)
        k2 = -s.grad(p + h / 2 * k1)
        k3 = -s.grad(p + h / 2 * k2)
        k4 = -s.grad(p + h * k3)
        p = p + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    gap = np.linalg.norm(p[:, None] - np.asarray(s.minima)[None], axis=-1)
    assert gap.min(axis=1).max() < 1e-6  # every flow ends at a known minimum
    return gap.argmin(axis=1).reshape(len(ys), len(xs))


def near_an_edge(basins: np.ndarray) -> np.ndarray:
    """Cells with a neighbour (8 around, inside the grid) in another basin."""
    out = np.zeros(basins.shape, dtype=bool)
    ny, nx = basins.shape
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            a = basins[max(di, 0) : ny + min(di, 0), max(dj, 0) : nx + min(dj, 0)]
            b = basins[max(-di, 0) : ny + min(-di, 0), max(-dj, 0) : nx + min(-dj, 0)]
            out[max(di, 0) : ny + min(di, 0), max(dj, 0) : nx + min(dj, 0)] |= a != b
    return out


def test_33_gd_basins_are_the_gradient_flows() -> None:
    res = preset_map("33_himmelblau_basins_gd")
    assert {k for row in res.kind for k in row} == {"minimum"}
    sub = (slice(None, None, 2), slice(None, None, 2))  # every other cell: 2,500 flows
    ref = gradient_flow_basins(np.array(res.xs)[sub[1]], np.array(res.ys)[sub[0]])
    got = res.basin[sub]
    agree = got == ref
    assert agree.mean() > 0.99
    assert not (~agree & ~near_an_edge(ref)).any()  # a disagreement is at a basin's edge
    counts = np.bincount(res.basin.ravel(), minlength=4)
    assert (counts > 0.15 * res.basin.size).all()  # four basins, each a real share


def test_33_34_each_minimum_lies_in_its_own_basin() -> None:
    for name in ("33_himmelblau_basins_gd", "34_himmelblau_basins_adam"):
        res = preset_map(name)
        xs, ys = np.array(res.xs), np.array(res.ys)
        for i, (mx, my) in enumerate(res.surface.minima):
            row, col = np.abs(ys - my).argmin(), np.abs(xs - mx).argmin()
            assert res.basin[row, col] == i, (name, i)
            end = res.final_point[row, col]
            assert np.hypot(*(end - (mx, my))) < 1e-2


def test_34_adams_basins_are_not_gds() -> None:
    gd, adam = preset_map("33_himmelblau_basins_gd"), preset_map("34_himmelblau_basins_adam")
    assert (adam.basin >= 0).all()  # every start reaches a known minimum ...
    differ = (gd.basin != adam.basin).mean()
    assert 1 / 20 < differ < 1 / 10  # ... about one in fourteen not GD's (the caption)
    for i, j in [(10, 50), (80, 30), (25, 75)]:  # a few cells alone, as the basins say
        alone = simulate(adam.cell_scenario(i, j)).runs[0].trajectory[-1]
        assert np.linalg.norm(np.asarray(adam.surface.minima) - alone, axis=-1).argmin() == adam.basin[i, j]


# --- 35: Adam's eta x beta1 on Rosenbrock ---------------------------------------------------
def test_35_only_momentum_lands_adam_on_rosenbrocks_minimum() -> None:
    res = preset_map("35_adam_lr_beta1_rosenbrock")
    kinds, xs, b1 = np.array(res.kind, dtype=object), np.array(res.xs), np.array(res.ys)
    dist = np.linalg.norm(res.final_point - (1.0, 1.0), axis=-1)
    landed = dist < 1e-3
    small = xs < 0.01
    assert np.isin(kinds[:, small], ("crawling", "moving")).mean() > 0.999
    assert not landed[:, small].any()
    assert not landed[b1 <= 0.7].any()  # no eta lands without enough momentum
    far = dist[b1 <= 0.7][:, xs >= 0.1]
    assert np.median(far) > 1.2  # large steps: half of them are more than 1.2 away
    strong = landed[b1 >= 0.8][:, xs >= 0.1]
    assert strong.mean() > 0.5  # with beta1 >= 0.8 and eta >= 0.1, more than half land
    assert (kinds[landed] == "minimum").all()  # and the verdict says so
