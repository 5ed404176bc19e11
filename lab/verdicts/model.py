"""The local quadratic model at the end of each run, direction by direction.

At the reference point c (the last point; the centre of a cycle; with noise the mean of the last
stretch) the model is ``L(c) + g.d + 1/2 d.H.d``. Along each eigendirection u_i of H (curvature
lambda_i) the model's stationary point lies ``z_i = (u_i . g) / lambda_i`` away; ``theta*`` is c
minus those steps. Along a direction whose curvature counts as zero (at most FLAT_TOL K) the
model has no stationary point, and a slope along it is no critical point: the critical point
along u_i is at least ``|u_i . g| / (FLAT_TOL K)`` away, which is the step taken (0 without a
slope: a plateau, a degenerate minimum's flat floor). Every point of the last
stretch is then written in these coordinates: ``Z_i(t) = u_i . (theta_t - theta*)``, the
distance still to go along u_i (signed).

From Z the rules read, per direction: how far is still to go (the largest |Z_i| over the last
CYCLE_MAX points, so a cycle is judged by all its points), whether it bounces (Z_i changes sign
from step to step), how its amplitude grows or shrinks (the envelope of |Z_i| over the stretch,
as a factor per step), and, with noise, whether the exact gradient along u_i is within the
noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lab.verdicts.thresholds import (
    ARRIVE_TOL,
    CYCLE_MAX,
    CYCLE_TOL,
    FLAT_TOL,
    NOISE_K,
    RESID_TOL,
    RESOLUTION,
)

Array = np.ndarray


@dataclass
class Model:
    """Arrays over m runs (and 2 directions, ascending curvature)."""

    ref: Array  # (m, 2) the reference point
    period: Array  # (m,) detected cycle period, 0 if none
    grad: Array  # (m, 2) gradient at ref
    value: Array  # (m,) objective at ref
    eig: Array  # (m, 2) curvatures
    vec: Array  # (m, 2, 2) columns: unit eigenvectors
    g_dir: Array  # (m, 2) gradient along each eigendirection
    zero: Array  # (m, 2) curvature counts as zero
    target: Array  # (m, 2) theta*, the model's stationary point
    degenerate: Array  # (m, 2) the model's distance along u_i is not trusted (the loss decides)
    untrusted: Array  # (m, 2) the model's curvature along u_i is not trusted (for the type)
    Z: Array  # (2, r, m) last stretch in model coordinates, direction first
    to_go: Array  # (m, 2) distance still to go along u_i
    tol: Array  # (m,) arrival tolerance (a length)
    crossings: Array  # (m, 2) fraction of steps on which Z_i changes sign
    reversals: Array  # (m, 2) fraction of consecutive steps along u_i that reverse
    log_rate: Array  # (m, 2) ln of the envelope's factor per step (+ grows, - shrinks)
    pace: Array  # (m, 2) net distance covered along u_i per step over the stretch
    stride: Array  # (m, 2) the longest of the last CYCLE_MAX steps along u_i
    scatter: Array  # (m, 2) standard deviation of the steps along u_i over the stretch (with noise; 0 without, where no rule reads it)
    limit: Array  # (m, 2) where Z_i is heading (Aitken's extrapolation over the stretch)
    within_noise: Array  # (m, 2)
    noise_std: Array  # (m, 2) noise std along u_i (0 without noise)


def eig2(h: Array) -> tuple[Array, Array]:
    """Eigenvalues (ascending) and unit eigenvectors (columns) of symmetric 2x2 matrices,
    in closed form (a batched ``eigh`` costs more than the rest of the verdict)."""
    a, b, d = h[:, 0, 0], 0.5 * (h[:, 0, 1] + h[:, 1, 0]), h[:, 1, 1]
    mid, rad = 0.5 * (a + d), np.hypot(0.5 * (a - d), b)
    eig = np.empty((len(a), 2))
    eig[:, 0], eig[:, 1] = mid - rad, mid + rad
    # The eigenvector of the larger eigenvalue: (b, hi - a) or (hi - d, b), whichever is longer
    # (the other can vanish to rounding).
    hi_a, hi_d = eig[:, 1] - a, eig[:, 1] - d
    first = np.abs(b) + np.abs(hi_a) >= np.abs(hi_d) + np.abs(b)
    vx, vy = np.where(first, b, hi_d), np.where(first, hi_a, b)
    norm = np.hypot(vx, vy)
    same = norm == 0  # a multiple of the identity: any basis
    safe = np.where(same, 1.0, norm)
    vx, vy = np.where(same, 0.0, vx / safe), np.where(same, 1.0, vy / safe)
    vec = np.empty((len(a), 2, 2))
    vec[:, 0, 0], vec[:, 1, 0] = vy, -vx  # column 0: the smaller eigenvalue's
    vec[:, 0, 1], vec[:, 1, 1] = vx, vy
    return eig, vec


def cycle_period(points: Array) -> Array:
    """The smallest k in 2..CYCLE_MAX such that the last two points come back to within
    CYCLE_TOL of the cycle's step length after k steps (0: no cycle)."""
    r = len(points)
    period = np.zeros(points.shape[1], dtype=int)
    steps = np.linalg.norm(np.diff(points[-(CYCLE_MAX + 2) :], axis=0), axis=-1)
    for k in range(2, min(CYCLE_MAX, r - 2) + 1):
        scale = steps[-k:].max(axis=0)
        back = np.maximum(
            np.linalg.norm(points[-1] - points[-1 - k], axis=-1),
            np.linalg.norm(points[-2] - points[-2 - k], axis=-1),
        )
        hit = (period == 0) & (scale > 0) & (back <= CYCLE_TOL * scale)
        period[hit] = k
    return period


def reference(points: Array, noisy: bool) -> tuple[Array, Array]:
    """The point the model is built at, and the cycle period found (0: none)."""
    if noisy:
        return points.mean(axis=0), np.zeros(points.shape[1], dtype=int)
    period = cycle_period(points)
    ref = points[-1].copy()
    for k in np.unique(period[period > 0]).tolist():
        hit = period == k
        ref[hit] = points[-k:, hit].mean(axis=0)
    return ref, period


def _envelope(a: Array) -> Array:
    """ln of the factor per step by which the envelope of |a| (2, r, m) changes: the largest
    |a| of the last quarter of the stretch against that of the first quarter. (m, 2)."""
    r = a.shape[1]
    q = max(1, r // 4)
    first, last = _abs_max(a[:, :q]), _abs_max(a[:, -q:])
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.log(last / first) / max(1, r - q)
    rate = np.where((first == 0) & (last == 0), 0.0, rate)
    return np.where(np.isnan(rate), 0.0, rate).T


def _abs_max(a: Array) -> Array:
    """max |a| along axis 1, as the larger of max a and -min a: the same number without the
    array of magnitudes (+ 0.0 turns a -0.0, which |a| never is, into 0.0)."""
    out = np.maximum(a.max(axis=1), -a.min(axis=1))
    out += 0.0
    return out


def _sign_changes(a: Array) -> Array:
    """Fraction of consecutive pairs along axis 1 of (2, r, m) with opposite signs. (m, 2)."""
    if a.shape[1] < 2:
        return np.zeros(a.shape[::2][::-1])
    return np.count_nonzero(a[:, 1:] * a[:, :-1] < 0, axis=1).T / (a.shape[1] - 1)


def _limit(Z: Array) -> Array:
    """Where each coordinate of (2, r, m) is heading, by Aitken's extrapolation of the means
    of the stretch's three thirds A, B, C: ``C + (C - B) q / (1 - q)`` with ``q = (C - B) /
    (B - A)``. Exact for any geometric approach ``z_inf + a q^t`` (so it finds 0 for gradient
    descent on a quadratic, and the point it really converges to when that is elsewhere); C
    where the approach is not monotone and geometric (0 < q < 1) or the path does not move.
    (m, 2)."""
    r = Z.shape[1]
    h = r // 3
    if h < 1:  # too short a stretch to tell where it is heading
        return np.full(Z.shape[::2][::-1], np.nan)
    a, b, c = Z[:, :h].mean(axis=1), Z[:, h : 2 * h].mean(axis=1), Z[:, -h:].mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = (c - b) / (b - a)
        lim = c + (c - b) * q / (1 - q)
    still = (a == b) & (b == c)
    return np.where((q > 0) & (q < 1), lim, np.where(still, c, np.nan)).T


def _within_noise(
    Z: Array, eig: Array, zero: Array, scatter: Array, sigma: Array, n: int
) -> Array:
    """Hovering within the noise floor, per direction (m, 2).

    The floor is the spread this noise causes at this point in this run. Near a critical
    point a step is ``dZ = -p (lambda Z + xi)`` with ``xi`` the noise (std sigma) and p the
    optimizer's step per unit gradient along u_i, which the steps' scatter gives: ``p = scatter
    / sigma``. The iteration ``Z <- q Z - p xi``, ``q = 1 - p lambda``, spreads Z over n steps to
    ``floor^2 = (p sigma)^2 (1 - q^2n) / (1 - q^2)`` (``(p sigma)^2 n`` on a flat direction).
    Within the noise when the iteration is stable (``p lambda < 2``: the scatter is the noise's,
    not a bounce of its own), the curvature is not negative (or so slightly that its escape
    could not e-fold within the run, ``p |lambda| n <= 1``: flat at this run's time scale), and
    the stretch's mean and spread of Z are within NOISE_K floors of the critical point."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p = scatter / sigma
        q = 1.0 - np.where(zero, 0.0, p * eig)
        q2 = q * q
        spread = np.where(np.abs(1 - q2) > 1e-12, (1 - q2**n) / (1 - q2), float(n))
        floor = scatter * np.sqrt(spread)
        mean, std = np.abs(Z.mean(axis=1)).T, Z.std(axis=1).T
        ok = (sigma > 0) & (p * np.abs(eig) < 2) & ((eig >= 0) | zero | (p * np.abs(eig) * n <= 1))
    return ok & (mean <= NOISE_K * floor) & (std <= NOISE_K * floor)


def _basis(eig: Array, vec: Array, g: Array) -> tuple[Array, Array]:
    """Where the curvature is the same in every direction (the two eigenvalues equal to
    rounding: a gap below 1e-9 of their size, when the Hessian's entries carry ~1e-16), any
    basis is an eigenbasis and eig2's is the rounding's. Take the gradient's direction and its
    normal instead: then the verdict does not depend on how the plane is turned."""
    size = np.maximum(np.abs(eig).max(axis=-1), np.finfo(float).tiny)
    gn = np.hypot(g[:, 0], g[:, 1])
    iso = (eig[:, 1] - eig[:, 0] <= 1e-9 * size) & (gn > 0)
    if iso.any():
        ux, uy = g[iso, 0] / gn[iso], g[iso, 1] / gn[iso]
        vec = vec.copy()
        vec[iso, 0, 0], vec[iso, 1, 0] = ux, uy
        vec[iso, 0, 1], vec[iso, 1, 1] = -uy, ux
    return eig, vec


def _along(vec: Array, v: Array) -> Array:
    """Components of vectors v (m, 2) along the eigenvectors (columns of vec): (m, 2)."""
    return np.stack([vec[:, 0, 0] * v[:, 0] + vec[:, 1, 0] * v[:, 1], vec[:, 0, 1] * v[:, 0] + vec[:, 1, 1] * v[:, 1]], -1)


def build(
    surface_grad,  # type: ignore[no-untyped-def]
    surface_hess,  # type: ignore[no-untyped-def]
    surface_value,  # type: ignore[no-untyped-def]
    tail: Array,
    extent: Array,
    diag: Array,
    curv: Array,
    noise_cov: Array | None,
    n_steps: int,
) -> Model:
    """The model for m runs of ``n_steps`` steps from their last stretch ``tail`` (r, m, 2)."""
    ref, period = reference(tail, noise_cov is not None)
    g = surface_grad(ref)
    h = surface_hess(ref)
    # A curvature that is not a number (overflow near a pole, e.g. 1/x at x = 1e-150) says
    # nothing: as zero curvature it is untrusted, and the loss around the point decides.
    h = np.where(np.isfinite(h).all(axis=(-2, -1))[:, None, None], h, 0.0)
    eig, vec = _basis(*eig2(h), g)
    g_dir = _along(vec, g)
    flat = FLAT_TOL * curv[:, None]
    zero = np.abs(eig) <= flat
    # Along a zero curvature: the nearest the critical point can be (see the module's doc).
    with np.errstate(all="ignore"):
        at_least = np.where(g_dir == 0, 0.0, g_dir / np.maximum(flat, np.finfo(float).tiny))
    step = np.where(zero, at_least, g_dir / np.where(zero, 1.0, eig))
    target = ref - np.einsum("mki,mi->mk", vec, step)
    with np.errstate(all="ignore"):
        resid = np.abs(_along(vec, surface_grad(target))) / np.abs(g_dir)
    tol = np.maximum(ARRIVE_TOL * extent, RESOLUTION * diag)
    untrusted = zero | ((np.abs(g_dir) > 0) & ~(resid <= RESID_TOL))
    # For the distance only a step longer than the tolerance matters: within it, the run is
    # there anyway. For the kind of critical point every untrusted curvature matters.
    # A bottom of the model beyond the plot's diagonal says nothing about the run within the
    # plot (Rosenbrock's floor curves: its quadratic's bottom along the floor jumps from 16 to
    # 181 away, or none, from one eta to the next): the direction is judged as a slope, by the
    # loss and the pace, like one whose model is not trusted.
    degenerate = (untrusted & (zero | (np.abs(step) > tol[:, None]))) | (np.abs(step) > diag[:, None])
    dx, dy = tail[..., 0] - target[:, 0], tail[..., 1] - target[:, 1]
    Z = np.stack([dx * vec[:, 0, 0] + dy * vec[:, 1, 0], dx * vec[:, 0, 1] + dy * vec[:, 1, 1]])
    r = Z.shape[1]
    steps = np.diff(Z, axis=1)
    scatter = np.zeros_like(eig)
    if noise_cov is None:
        noise_std = np.zeros_like(eig)
        within = np.zeros(eig.shape, dtype=bool)
    else:
        if r > 1:
            scatter = steps.std(axis=1).T
        noise_std = np.sqrt(np.maximum(np.einsum("mki,mkl,mli->mi", vec, noise_cov, vec), 0))
        within = _within_noise(Z, eig, zero, scatter, noise_std, n_steps)
    return Model(
        ref=ref,
        period=period,
        grad=g,
        value=surface_value(ref),
        eig=eig,
        vec=vec,
        g_dir=g_dir,
        zero=zero,
        target=target,
        degenerate=degenerate,
        untrusted=untrusted,
        Z=Z,
        to_go=np.abs(Z[:, -min(r, CYCLE_MAX) :]).max(axis=1).T,
        tol=tol,
        crossings=_sign_changes(Z),
        reversals=_sign_changes(steps),
        log_rate=np.where(degenerate, _envelope(steps), _envelope(Z)),
        pace=np.abs(Z[:, -1] - Z[:, 0]).T / max(1, r - 1),
        stride=np.abs(steps[:, -CYCLE_MAX:]).max(axis=1).T if r > 1 else np.zeros_like(eig),
        scatter=scatter,
        limit=_limit(Z),
        within_noise=within,
        noise_std=noise_std,
    )
