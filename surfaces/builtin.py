"""Built-in surfaces, each with value, gradient and Hessian in closed form.

Every function takes points of shape (..., 2). The constants of the ravines are chosen so
that plain gradient descent reproduces the lecture's two failures on a convex surface:
with eta = 1e-2 the steep axis has eta * curvature = 2 exactly, so the point bounces
between the walls forever; with eta = 1e-7, 100,000 updates move it only 1 % along the
flat axis.
"""

from __future__ import annotations

import numpy as np

from core.text import both
from surfaces.base import Array, PointFn, Surface


def _xy(p: Array) -> tuple[Array, Array]:
    p = np.asarray(p, dtype=float)
    return p[..., 0], p[..., 1]


def _vec(gx: Array, gy: Array) -> Array:
    # Filling a fresh array is ~3x cheaper than np.stack; this runs once per step.
    sx, sy = np.shape(gx), np.shape(gy)
    out = np.empty((*(sx if sx == sy else np.broadcast_shapes(sx, sy)), 2))
    out[..., 0] = gx
    out[..., 1] = gy
    return out


def _mat(hxx: Array, hxy: Array, hyy: Array) -> Array:
    hxx, hxy, hyy = np.broadcast_arrays(hxx, hxy, hyy)
    return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)


def _surface(name: str, v: PointFn, g: PointFn, h: PointFn, **meta: object) -> Surface:
    """A built-in surface; its title and description come from the text catalog."""
    return Surface(
        name=name,
        value=v,
        grad=g,
        hessian=h,
        title=both(f"surface.{name}.title"),
        description=both(f"surface.{name}.description"),
        **meta,  # type: ignore[arg-type]
    )


def quadratic(
    name: str,
    a: float,
    b: float,
    angle_deg: float,
    **meta: object,
) -> Surface:
    """L = 1/2 (a u^2 + b v^2) with (u, v) the point rotated by -angle: an elongated bowl.

    Curvatures are a (flat axis) and b (steep axis); the Hessian is constant.
    """
    c, s = np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))
    rot = np.array([[c, s], [-s, c]])  # rows: the flat axis u and the steep axis v
    hess = rot.T @ np.diag([a, b]) @ rot
    hess = 0.5 * (hess + hess.T)  # exactly symmetric
    if angle_deg == 0:
        hess = np.diag([a, b]).astype(float)  # exact zeros off the diagonal

    (hxx, hxy), (_, hyy) = hess.tolist()

    # Element-wise, not a matrix product: BLAS rounds differently with the number of rows,
    # and a run must give the same numbers alone as in a batch.
    def value(p: Array) -> Array:
        x, y = _xy(p)
        return 0.5 * (hxx * x * x + 2 * hxy * x * y + hyy * y * y)

    def grad(p: Array) -> Array:
        x, y = _xy(p)
        return _vec(hxx * x + hxy * y, hxy * x + hyy * y)

    def hessian(p: Array) -> Array:
        p = np.asarray(p, dtype=float)
        return np.broadcast_to(hess, (*p.shape[:-1], 2, 2)).copy()

    return _surface(name, value, grad, hessian, **meta)


# --- saddle x^2 - y^2 -------------------------------------------------------------------
def _saddle_value(p: Array) -> Array:
    x, y = _xy(p)
    return x**2 - y**2


def _saddle_grad(p: Array) -> Array:
    x, y = _xy(p)
    return _vec(2 * x, -2 * y)


def _saddle_hessian(p: Array) -> Array:
    x, _ = _xy(p)
    return _mat(np.full_like(x, 2.0), np.zeros_like(x), np.full_like(x, -2.0))


# --- the lecture's Hessian example: y_hat = w1 w2 x with x = 1, y = 1 ----------------------
def _lecture_value(p: Array) -> Array:
    x, y = _xy(p)
    return (1 - x * y) ** 2


def _lecture_grad(p: Array) -> Array:
    x, y = _xy(p)
    r = 1 - x * y
    return _vec(-2 * y * r, -2 * x * r)


def _lecture_hessian(p: Array) -> Array:
    x, y = _xy(p)
    return _mat(2 * y**2, 4 * x * y - 2, 2 * x**2)


# --- Rosenbrock -----------------------------------------------------------------------
def _rosen_value(p: Array) -> Array:
    x, y = _xy(p)
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosen_grad(p: Array) -> Array:
    x, y = _xy(p)
    d = y - x**2
    return _vec(-2 * (1 - x) - 400 * x * d, 200 * d)


def _rosen_hessian(p: Array) -> Array:
    x, y = _xy(p)
    return _mat(2 - 400 * (y - x**2) + 800 * x**2, -400 * x, np.full_like(y, 200.0))


# --- Beale ----------------------------------------------------------------------------
_BEALE_C = (1.5, 2.25, 2.625)


def _beale_value(p: Array) -> Array:
    x, y = _xy(p)
    return sum((c - x + x * y**k) ** 2 for k, c in enumerate(_BEALE_C, start=1))


def _beale_grad(p: Array) -> Array:
    x, y = _xy(p)
    gx = 0.0
    gy = 0.0
    for k, c in enumerate(_BEALE_C, start=1):
        r = c - x + x * y**k
        gx = gx + 2 * r * (y**k - 1)
        gy = gy + 2 * r * k * x * y ** (k - 1)
    return _vec(gx, gy)


def _beale_hessian(p: Array) -> Array:
    x, y = _xy(p)
    hxx = 0.0
    hxy = 0.0
    hyy = 0.0
    for k, c in enumerate(_BEALE_C, start=1):
        r = c - x + x * y**k
        rx = y**k - 1
        ry = k * x * y ** (k - 1)
        ryy = k * (k - 1) * x * y ** (k - 2) if k >= 2 else 0.0
        rxy = k * y ** (k - 1)
        hxx = hxx + 2 * rx * rx
        hxy = hxy + 2 * (ry * rx + r * rxy)
        hyy = hyy + 2 * (ry * ry + r * ryy)
    return _mat(hxx, hxy, hyy)


# --- Himmelblau -----------------------------------------------------------------------
def _himmel_value(p: Array) -> Array:
    x, y = _xy(p)
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmel_grad(p: Array) -> Array:
    x, y = _xy(p)
    a = x**2 + y - 11
    b = x + y**2 - 7
    return _vec(4 * x * a + 2 * b, 2 * a + 4 * y * b)


def _himmel_hessian(p: Array) -> Array:
    x, y = _xy(p)
    return _mat(12 * x**2 + 4 * y - 42, 4 * x + 4 * y, 4 * x + 12 * y**2 - 26)


# --- Rastrigin ------------------------------------------------------------------------
_TAU = 2 * np.pi


def _rastrigin_value(p: Array) -> Array:
    x, y = _xy(p)
    return 20 + x**2 - 10 * np.cos(_TAU * x) + y**2 - 10 * np.cos(_TAU * y)


def _rastrigin_grad(p: Array) -> Array:
    x, y = _xy(p)
    return _vec(2 * x + 10 * _TAU * np.sin(_TAU * x), 2 * y + 10 * _TAU * np.sin(_TAU * y))


def _rastrigin_hessian(p: Array) -> Array:
    x, y = _xy(p)
    k = 10 * _TAU**2
    return _mat(2 + k * np.cos(_TAU * x), np.zeros_like(x), 2 + k * np.cos(_TAU * y))


# --- a slope into a shallow dip, then on to the real minimum ---------------------------
# L = 1/2 y^2 + h(x), h(x) = 1/2 SLOPE (x - MIN_X)^2 - DEPTH exp(-1/2 ((x - CENTER) / WIDTH)^2):
# a wide bowl whose gentle left flank carries a shallow Gaussian dip.
DIP_DEPTH = 0.3
DIP_CENTER = -1.0
DIP_WIDTH = 0.5
DIP_SLOPE = 0.04
DIP_MIN_X = 4.0


def _dip_h(x: Array) -> tuple[Array, Array, Array]:
    """h, h' and h'' of the 1-D profile along x."""
    u = (x - DIP_CENTER) / DIP_WIDTH
    bump = DIP_DEPTH * np.exp(-0.5 * u**2)
    h = 0.5 * DIP_SLOPE * (x - DIP_MIN_X) ** 2 - bump
    dh = DIP_SLOPE * (x - DIP_MIN_X) + bump * u / DIP_WIDTH
    d2h = DIP_SLOPE + bump * (1 - u**2) / DIP_WIDTH**2
    return h, dh, d2h


def _dip_local_min() -> float:
    """The bottom of the dip, by Newton's method on h'(x) = 0 from the dip's centre."""
    x = DIP_CENTER
    for _ in range(50):
        _, dh, d2h = _dip_h(np.float64(x))
        x = float(x - dh / d2h)
    return x


def _dip_value(p: Array) -> Array:
    x, y = _xy(p)
    return _dip_h(x)[0] + 0.5 * y**2


def _dip_grad(p: Array) -> Array:
    x, y = _xy(p)
    return _vec(_dip_h(x)[1], y)


def _dip_hessian(p: Array) -> Array:
    x, y = _xy(p)
    return _mat(_dip_h(x)[2], np.zeros_like(x), np.ones_like(y))


RAVINE_FLAT = 1.0
RAVINE_STEEP = 200.0

BUILTIN: dict[str, Surface] = {
    s.name: s
    for s in (
        quadratic(
            "ravine",
            RAVINE_FLAT,
            RAVINE_STEEP,
            0.0,
            x_range=(-10.0, 2.0),
            y_range=(-2.0, 2.0),
            start=(-9.0, 1.0),
            minima=((0.0, 0.0),),
            formula=r"\tfrac12\,(x^2 + 200\,y^2)",
        ),
        quadratic(
            "rotated_ravine",
            RAVINE_FLAT,
            RAVINE_STEEP / 4,
            30.0,
            x_range=(-9.0, 3.0),
            y_range=(-5.0, 2.0),
            start=(-7.0, -3.0),
            minima=((0.0, 0.0),),
            formula=r"\tfrac12\,(u^2 + 50\,v^2),\ (u, v) = R_{30^\circ}(x, y)",
        ),
        _surface(
            "saddle",
            _saddle_value,
            _saddle_grad,
            _saddle_hessian,
            x_range=(-2.0, 2.0),
            y_range=(-2.0, 2.0),
            start=(1.5, 1e-3),
            minima=(),
            formula=r"x^2 - y^2",
        ),
        _surface(
            "lecture_saddle",
            _lecture_value,
            _lecture_grad,
            _lecture_hessian,
            x_range=(-2.0, 2.0),
            y_range=(-2.0, 2.0),
            start=(0.8, -0.8),
            minima=((1.0, 1.0), (-1.0, -1.0)),
            formula=r"(1 - w_1 w_2)^2",
            axes=("w₁", "w₂"),
        ),
        _surface(
            "rosenbrock",
            _rosen_value,
            _rosen_grad,
            _rosen_hessian,
            x_range=(-2.0, 2.0),
            y_range=(-1.0, 3.0),
            start=(-1.5, 2.0),
            minima=((1.0, 1.0),),
            formula=r"(1 - x)^2 + 100\,(y - x^2)^2",
        ),
        _surface(
            "beale",
            _beale_value,
            _beale_grad,
            _beale_hessian,
            x_range=(-4.5, 4.5),
            y_range=(-4.5, 4.5),
            start=(1.0, 1.5),
            minima=((3.0, 0.5),),
            formula=r"\sum_{k=1}^{3}\,(c_k - x + x y^k)^2,\ c = (1.5, 2.25, 2.625)",
        ),
        _surface(
            "himmelblau",
            _himmel_value,
            _himmel_grad,
            _himmel_hessian,
            x_range=(-5.0, 5.0),
            y_range=(-5.0, 5.0),
            start=(-0.3, -0.9),
            minima=(
                (3.0, 2.0),
                (-2.805118086952745, 3.131312518250573),
                (-3.779310253377747, -3.283185991286170),
                (3.584428340330492, -1.848126526964404),
            ),
            formula=r"(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        ),
        _surface(
            "rastrigin",
            _rastrigin_value,
            _rastrigin_grad,
            _rastrigin_hessian,
            x_range=(-5.12, 5.12),
            y_range=(-5.12, 5.12),
            start=(3.3, 2.6),
            minima=((0.0, 0.0),),
            formula=r"20 + \sum_{u \in \{x, y\}} \left(u^2 - 10\cos 2\pi u\right)",
        ),
        _surface(
            "dip",
            _dip_value,
            _dip_grad,
            _dip_hessian,
            x_range=(-4.0, 6.0),
            y_range=(-2.5, 2.5),
            start=(-3.5, 1.5),
            minima=((_dip_local_min(), 0.0), (DIP_MIN_X, 0.0)),
            formula=r"\tfrac12 y^2 + 0.02\,(x-4)^2 - 0.3\,e^{-2(x+1)^2}",
        ),
    )
}
