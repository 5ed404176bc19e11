"""The data sets: each a two-parameter model, its per-sample loss and how its data are drawn.

| name | theta | per-sample loss | data |
|---|---|---|---|
| ``linear_regression`` | (w, b) | 1/2 (w x_i + b - y_i)^2 | x ~ N(1, 1), y = 2 x - 1 + noise N(0, 1) |
| ``lecture_product`` | (w1, w2) | (y_i - w1 w2 x_i)^2 | sample 0 is the lecture's (1, 1); then x ~ U(0.5, 1.5), y = x + noise N(0, 1) |
| ``logistic`` | (w1, w2) | log(1 + exp(-y_i theta . x_i)) | y = +-1 at random, x ~ y (1, 0.5) + noise N(0, I) |
| ``sharp_flat`` | (w1, w2) | L0(theta - x_i), L0 a narrow and a wide well | x ~ noise N(0, I); test set x ~ (shift, 0) + noise N(0, I) |

The two least-squares models have sufficient statistics (their loss over any set of samples is
a quadratic in w x + b, or in w1 w2, with coefficients from per-sample moments), centred on the
whole data set's minimum so the loss near it is exact; the other two sum per-sample terms.
All random numbers come from ``numpy.random.default_rng(seed)``, drawn in a fixed order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.params import Float
from surfaces.base import Array
from surfaces.data import (
    SEED,
    Comps,
    DataModel,
    Dataset,
    DataSurface,
    noise_param,
    samples_param,
)


def _cols(p: Array) -> tuple[Array, Array]:
    """The two coordinates of points (P, 2) as (P, 1) columns, against samples (n,)."""
    return p[:, 0:1], p[:, 1:2]


# --- least squares: 1/2 (w x + b - y)^2 -------------------------------------------------------
class LinearRegression(DataModel):
    """theta = (w, b); the mean loss is 1/2 d^T A d + L* with d = theta - theta*, A = mean of
    [[x^2, x], [x, 1]]; over a subset of samples it gains the subset's own linear term."""

    name = "linear_regression"
    params = (samples_param(64, low=2), SEED, noise_param(0.5))
    x_range = (-1.0, 4.0)
    y_range = (-3.5, 2.5)
    start = (-0.5, 2.0)
    formula = r"\frac1N \sum_i \tfrac12\,(w x_i + b - y_i)^2"
    axes = ("w", "b")
    TRUE = (2.0, -1.0)

    def generate(self, values: dict[str, Any]) -> Dataset:
        rng = np.random.default_rng(values["seed"])
        x = rng.normal(1.0, 1.0, values["samples"])
        y = self.TRUE[0] * x + self.TRUE[1] + values["noise"] * rng.normal(0.0, 1.0, len(x))
        return Dataset(x, y)

    def losses(self, data: Dataset, p: Array) -> Array:
        w, b = _cols(p)
        r = w * data.inputs + b - data.targets
        return 0.5 * r * r

    def grads(self, data: Dataset, p: Array) -> Comps:
        w, b = _cols(p)
        r = w * data.inputs + b - data.targets
        return r * data.inputs, r + 0.0 * data.inputs

    def hessians(self, data: Dataset, p: Array) -> tuple[Array, Array, Array]:
        x = np.broadcast_to(data.inputs, (len(p), data.inputs.shape[-1]))
        return x * x, x.copy(), np.ones_like(x)

    def moments(self, data: Dataset) -> tuple[Array, Array]:
        x, y = data.inputs, data.targets
        design = np.column_stack([x, np.ones_like(x)])
        ref = np.linalg.lstsq(design, y, rcond=None)[0]
        r = ref[0] * x + ref[1] - y  # residuals at the minimum
        return np.column_stack([x * x, x, x * r, r, r * r]), ref

    def value_from(self, s: Array, ref: Array, p: Array) -> Array:
        sxx, sx, sxr, sr, srr = s
        dw, db = p[..., 0] - ref[0], p[..., 1] - ref[1]
        # 1/2 (dw^2 Sxx + 2 dw db Sx + db^2 + 2 dw Sxr + 2 db Sr + Srr), Horner-like: fewer
        # passes over a trajectory's worth of points
        return 0.5 * (dw * (dw * sxx + 2 * (db * sx + sxr)) + db * (db + 2 * sr) + srr)

    def grad_from(self, s: Array, ref: Array, p: Array) -> Comps:
        sxx, sx, sxr, sr, _ = s
        dw, db = p[..., 0] - ref[0], p[..., 1] - ref[1]
        return dw * sxx + db * sx + sxr, dw * sx + db + sr

    def value_grad_from(self, s: Array, ref: Array, p: Array) -> tuple[Array, Array, Array]:
        """Loss and gradient together: with g = (dw Sxx + db Sx + Sxr, dw Sx + db + Sr) the
        loss is 1/2 (dw (g_w + Sxr) + db (g_b + Sr) + Srr), six more operations."""
        sxx, sx, sxr, sr, srr = s
        dw, db = p[..., 0] - ref[0], p[..., 1] - ref[1]
        gw, gb = dw * sxx + db * sx + sxr, dw * sx + db + sr
        return 0.5 * (dw * (gw + sxr) + db * (gb + sr) + srr), gw, gb

    def hessian_from(self, s: Array, ref: Array, p: Array) -> tuple[Array, Array, Array]:
        one = np.ones(p.shape[:-1])
        return s[0] * one, s[1] * one, one

    def known_minima(self, surface: DataSurface) -> tuple[tuple[float, float], ...]:
        return ((float(surface.ref[0]), float(surface.ref[1])),)  # type: ignore[index]

    def covariance_moments(self, data: Dataset, ref: Array) -> Array:
        """E x^0..4, E x^0..3 r*, E x^0..2 r*^2: a sample's gradient is r (x, 1) with
        r = dw x + db + r*, so its covariance is a polynomial in (dw, db) with these."""
        x = data.inputs
        r = ref[0] * x + ref[1] - data.targets
        powers = [np.ones_like(x), x, x * x, x**3, x**4]
        return np.array(
            [np.mean(powers[k]) for k in range(5)]
            + [np.mean(powers[k] * r) for k in range(4)]
            + [np.mean(powers[k] * r * r) for k in range(3)]
        )

    def covariance_from(self, m: Array, ref: Array, p: Array) -> tuple[Array, Array, Array]:
        mx, r1, r2 = m[:5], m[5:9], m[9:]
        dw, db = p[..., 0] - ref[0], p[..., 1] - ref[1]

        def r2x(a: int) -> Array:  # E[r^2 x^a]
            quad = dw * dw * mx[a + 2] + 2 * dw * db * mx[a + 1] + db * db * mx[a]
            return quad + 2 * (dw * r1[a + 1] + db * r1[a]) + r2[a]

        rx = dw * mx[2] + db * mx[1] + r1[1]  # E[r x]
        r = dw * mx[1] + db + r1[0]  # E[r]
        return r2x(2) - rx * rx, r2x(1) - rx * r, r2x(0) - r * r


# --- the lecture's y = w1 w2 x: (y - w1 w2 x)^2 ------------------------------------------------
class LectureProduct(DataModel):
    """theta = (w1, w2), q = w1 w2; the mean loss is S_rr - 2 (q - q*) S_xr + (q - q*)^2 S_xx
    with moments of the residuals r = y - q* x at the best product q* = S_xy / S_xx. Its
    minima are the hyperbola w1 w2 = q*; (0, 0) is a saddle. Each sample's gradient is
    -2 r_i x_i (w2, w1): on the line w2 = -w1 every one of them points along the line."""

    name = "lecture_product"
    params = (samples_param(32), SEED, noise_param(0.1))
    x_range = (-2.0, 2.0)
    y_range = (-2.0, 2.0)
    start = (0.8, -0.8)
    formula = r"\frac1N \sum_i (y_i - w_1 w_2\, x_i)^2"
    axes = ("w₁", "w₂")

    def generate(self, values: dict[str, Any]) -> Dataset:
        rng = np.random.default_rng(values["seed"])
        n = values["samples"]
        x = np.concatenate([[1.0], rng.uniform(0.5, 1.5, n - 1)])
        noise = np.concatenate([[0.0], rng.normal(0.0, 1.0, n - 1)])
        return Dataset(x, x + values["noise"] * noise)

    def losses(self, data: Dataset, p: Array) -> Array:
        w1, w2 = _cols(p)
        r = data.targets - w1 * w2 * data.inputs
        return r * r

    def grads(self, data: Dataset, p: Array) -> Comps:
        w1, w2 = _cols(p)
        dq = -2 * (data.targets - w1 * w2 * data.inputs) * data.inputs  # d loss_i / d q
        return w2 * dq, w1 * dq

    def hessians(self, data: Dataset, p: Array) -> tuple[Array, Array, Array]:
        w1, w2 = _cols(p)
        x = data.inputs
        dq = -2 * (data.targets - w1 * w2 * x) * x
        curv = 2 * x * x  # d^2 loss_i / d q^2
        return w2 * w2 * curv, dq + w1 * w2 * curv, w1 * w1 * curv

    def moments(self, data: Dataset) -> tuple[Array, Array]:
        x, y = data.inputs, data.targets
        q = float(np.dot(x, y) / np.dot(x, x))
        r = y - q * x
        return np.column_stack([x * x, x * r, r * r]), np.array([q])

    def value_from(self, s: Array, ref: Array, p: Array) -> Array:
        sxx, sxr, srr = s
        dq = p[..., 0] * p[..., 1] - ref[0]
        return srr - 2 * dq * sxr + dq * dq * sxx

    def grad_from(self, s: Array, ref: Array, p: Array) -> Comps:
        sxx, sxr, _ = s
        w1, w2 = p[..., 0], p[..., 1]
        slope = 2 * ((w1 * w2 - ref[0]) * sxx - sxr)
        return w2 * slope, w1 * slope

    def hessian_from(self, s: Array, ref: Array, p: Array) -> tuple[Array, Array, Array]:
        sxx, sxr, _ = s
        w1, w2 = p[..., 0], p[..., 1]
        slope = 2 * ((w1 * w2 - ref[0]) * sxx - sxr)
        curv = 2 * sxx
        return w2 * w2 * curv, slope + w1 * w2 * curv, w1 * w1 * curv

    def covariance_moments(self, data: Dataset, ref: Array) -> Array:
        """E x^2, E x^4, E x r*, E x^3 r*, E x^2 r*^2: a sample's gradient is -2 u (w2, w1)
        with u = r x = r* x - (q - q*) x^2."""
        x = data.inputs
        r = data.targets - ref[0] * x
        return np.array([np.mean(x * x), np.mean(x**4), np.mean(x * r), np.mean(x**3 * r), np.mean(x * x * r * r)])

    def covariance_from(self, m: Array, ref: Array, p: Array) -> tuple[Array, Array, Array]:
        x2, x4, xr, x3r, x2r2 = m
        w1, w2 = p[..., 0], p[..., 1]
        dq = w1 * w2 - ref[0]
        mean = xr - dq * x2
        var = 4 * (x2r2 - 2 * dq * x3r + dq * dq * x4 - mean * mean)
        return var * w2 * w2, var * w1 * w2, var * w1 * w1

    def known_minima(self, surface: DataSurface) -> tuple[tuple[float, float], ...]:
        """The balanced points of the valley w1 w2 = q*, like the lecture's (1, 1), (-1, -1)."""
        q = float(surface.ref[0])  # type: ignore[index]
        a = float(np.sqrt(abs(q)))
        s = 1.0 if q >= 0 else -1.0
        return ((a, s * a), (-a, -s * a)) if a > 0 else ((0.0, 0.0),)


# --- logistic regression without intercept ---------------------------------------------------
def _softplus(z: Array) -> Array:
    """log(1 + exp(z)) without overflow for any z (logaddexp(0, z))."""
    return np.logaddexp(0.0, z)


class Logistic(DataModel):
    """theta = (w1, w2), labels +-1: loss_i = log(1 + exp(-z_i)), z_i = y_i theta . x_i,
    computed as logaddexp(0, -z); its slope -y x sigma(-z) and curvature sigma(z) sigma(-z)
    x x^T from exp(-softplus(.)), never exp(z) alone (finite for |z| up to 1e308). Convex;
    a finite minimum exists when the two classes overlap (none for separable data, whose
    loss falls towards 0 along a direction)."""

    name = "logistic"
    params = (samples_param(128), SEED, noise_param(1.0))
    x_range = (-2.0, 5.0)
    y_range = (-3.0, 4.0)
    start = (-1.5, 3.0)
    formula = r"\frac1N \sum_i \log\left(1 + e^{-y_i\, \theta \cdot x_i}\right)"
    axes = ("θ₁", "θ₂")
    MEAN = (1.0, 0.5)

    def generate(self, values: dict[str, Any]) -> Dataset:
        rng = np.random.default_rng(values["seed"])
        n = values["samples"]
        y = rng.choice(np.array([-1.0, 1.0]), n)
        x = y[:, None] * np.asarray(self.MEAN) + values["noise"] * rng.normal(0.0, 1.0, (n, 2))
        return Dataset(np.ascontiguousarray(x), y)

    def _z(self, data: Dataset, p: Array) -> Array:
        w1, w2 = _cols(p)
        x = data.inputs
        return data.targets * (w1 * x[..., 0] + w2 * x[..., 1])

    def losses(self, data: Dataset, p: Array) -> Array:
        return _softplus(-self._z(data, p))

    def grads(self, data: Dataset, p: Array) -> Comps:
        coef = -data.targets * np.exp(-_softplus(self._z(data, p)))  # -y sigma(-z)
        return coef * data.inputs[..., 0], coef * data.inputs[..., 1]

    def value_grad(self, data: Dataset, p: Array) -> tuple[Array, Array, Array]:
        z = self._z(data, p)
        loss = _softplus(-z)
        # sigma(-z) = exp(-softplus(z)) and softplus(z) = softplus(-z) + z: one logaddexp
        coef = -data.targets * np.exp(-(loss + z))
        return loss, coef * data.inputs[..., 0], coef * data.inputs[..., 1]

    def hessians(self, data: Dataset, p: Array) -> tuple[Array, Array, Array]:
        z = self._z(data, p)
        s = np.exp(-_softplus(z) - _softplus(-z))  # sigma(z) sigma(-z)
        x1, x2 = data.inputs[..., 0], data.inputs[..., 1]
        return s * x1 * x1, s * x1 * x2, s * x2 * x2


# --- a sharp and a flat minimum, and a test set shifted from the training set -------------------
class SharpFlat(DataModel):
    """loss_i = L0(theta - x_i), L0(u) = BASE - depth e^{-|u - c_s|^2 / 2 s_s^2}
    - e^{-|u - c_f|^2 / 2 s_f^2} + BOWL/2 |u|^2: a narrow well (width s_s = 0.15) and a wide
    one (s_f = 0.9), in a gentle bowl; BASE = 2.2 keeps every loss positive for depth <= 2.
    Each sample x_i shifts the landscape a little, so the training loss is L0 blurred by the
    samples' spread (``noise``) and each batch's loss is shifted from it; the test set is drawn shifted by ``shift`` along w1 (a slightly different
    distribution), so its loss is the training loss moved by that much: a small change at the
    wide well, a large one at the narrow well (Keskar et al. 2017, fig. 1). Near a well a
    sample's gradient is about the mean gradient minus H x_i, so the batch noise scales with
    the curvature: large in the narrow well, small in the wide one."""

    name = "sharp_flat"
    params = (
        samples_param(256),
        SEED,
        noise_param(0.15, high=1.0),
        Float("depth", 2.0, low=0.0, high=2.0),  # of the narrow well (the wide one's is 1)
        Float("shift", 0.25, low=0.0, high=1.0),
    )
    x_range = (-3.0, 3.0)
    y_range = (-2.5, 2.5)
    start = (-2.2, 1.6)
    axes = ("θ₁", "θ₂")
    formula = (
        r"\frac1N \sum_i L_0(\theta - x_i),\ L_0(u) = 2.2 - d\,e^{-|u-c_s|^2/2s_s^2}"
        r" - e^{-|u-c_f|^2/2s_f^2} + \tfrac{0.05}{2}|u|^2"
    )
    BASE = 2.2
    SHARP = (-1.2, 0.6, 0.15)  # centre and width of the narrow well
    FLAT = (1.0, -0.4, 0.9)  # of the wide well
    DEPTH_FLAT = 1.0
    BOWL = 0.05

    def generate(self, values: dict[str, Any]) -> Dataset:
        rng = np.random.default_rng(values["seed"])
        n, tau = values["samples"], values["noise"]
        train = tau * rng.normal(0.0, 1.0, (n, 2))
        test = tau * rng.normal(0.0, 1.0, (n, 2)) + np.array([values["shift"], 0.0])
        return Dataset(train, None, test, None, {"depth": values["depth"]})

    def _wells(self, data: Dataset, p: Array) -> tuple[Array, ...]:
        w1, w2 = _cols(p)
        ux, uy = w1 - data.inputs[..., 0], w2 - data.inputs[..., 1]
        out = []
        depth = data.constants["depth"]
        for cx, cy, s, d in ((*self.SHARP, depth), (*self.FLAT, self.DEPTH_FLAT)):
            ax, ay = ux - cx, uy - cy
            e = d * np.exp(-(ax * ax + ay * ay) / (2 * s * s))
            out.append((ax, ay, e, s))
        return ux, uy, out  # type: ignore[return-value]

    def losses(self, data: Dataset, p: Array) -> Array:
        ux, uy, wells = self._wells(data, p)
        v = self.BASE + 0.5 * self.BOWL * (ux * ux + uy * uy)
        for _, _, e, _ in wells:
            v = v - e
        return v

    def grads(self, data: Dataset, p: Array) -> Comps:
        return self.value_grad(data, p)[1:]

    def value_grad(self, data: Dataset, p: Array) -> tuple[Array, Array, Array]:
        ux, uy, wells = self._wells(data, p)
        v = self.BASE + 0.5 * self.BOWL * (ux * ux + uy * uy)
        gx, gy = self.BOWL * ux, self.BOWL * uy
        for ax, ay, e, s in wells:
            v = v - e
            gx = gx + e * ax / (s * s)
            gy = gy + e * ay / (s * s)
        return v, gx, gy

    def hessians(self, data: Dataset, p: Array) -> tuple[Array, Array, Array]:
        ux, _, wells = self._wells(data, p)
        hxx = np.full_like(ux, self.BOWL)
        hxy = np.zeros_like(ux)
        hyy = np.full_like(ux, self.BOWL)
        for ax, ay, e, s in wells:
            k = e / (s * s)
            hxx = hxx + k * (1 - ax * ax / (s * s))
            hxy = hxy - k * ax * ay / (s * s)
            hyy = hyy + k * (1 - ay * ay / (s * s))
        return hxx, hxy, hyy


DATASETS: dict[str, DataModel] = {
    m.name: m for m in (LinearRegression(), LectureProduct(), Logistic(), SharpFlat())
}
