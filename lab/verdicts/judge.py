"""From a summary to the kind of each run: direction by direction, then the run.

Each eigendirection of the local model gets a status:

* ``ARRIVED``: the distance still to go is within the tolerance, or the direction is within the
  noise; along a degenerate direction (where the model's distance is not trusted) also when
  what is left to gain along it is below the tolerance in loss terms (the loss decides).
* ``DIVERGING``: it bounces and the bounce grows by GROWTH or more over a run's length.
* ``BOUNCING``: it bounces steadily (neither grows nor dies out within a run's length; once the
  loss has stopped falling a bounce counts as steady).
* ``STOPPED``: it does not bounce and has come to rest short of the critical point: where it
  is heading (Aitken's extrapolation of the stretch) is within the tolerance of where it is,
  and farther than that from where the gradient vanishes. Something other than the gradient
  holds it (a zero step; a decoupled weight decay balancing the step). Not with noise.
* ``CRAWLING``: its time constant exceeds CRAWL_FACTOR runs (along a degenerate direction: the
  distance over the pace; with noise only if the loss has stopped falling too).
* ``MOVING``: otherwise.

The run is ``diverging`` if a direction diverges; ``oscillating`` if one bounces steadily and
the loss has stopped falling; ``stopped`` if one has stopped; ``crawling`` if one crawls;
``moving`` if one still moves (or bounces while the loss still falls); else it is at a critical
point, whose type the curvature (or, where it is not trusted or within the noise, the loss
around the point) decides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lab.verdicts.model import Model, build
from lab.verdicts.noise import NoiseModel
from lab.verdicts.stream import Summary
from lab.verdicts.thresholds import (
    ARRIVE_TOL,
    CRAWL_FACTOR,
    CYCLE_MAX,
    FLAT_TOL,
    GROWTH,
    NEAR_FRAC,
    NOISE_K,
    RESOLUTION,
    REVERSAL_FRAC,
    STALL_TOL,
)
from surfaces.base import Surface

Array = np.ndarray

ARRIVED, MOVING, CRAWLING, STOPPED, BOUNCING, DIVERGING = range(6)
CRITICAL = ("minimum", "saddle", "maximum", "plateau")


@dataclass
class Objective:
    """The judged objective of each run: the surface plus l2/2 |theta|^2 (l2 per run)."""

    surface: Surface
    l2: Array

    def value(self, p: Array) -> Array:
        with np.errstate(all="ignore"):
            lam = self.l2.reshape((-1,) + (1,) * (p.ndim - 2))
            return np.asarray(self.surface.value(p), dtype=float) + 0.5 * lam * (p * p).sum(-1)

    def grad(self, p: Array) -> Array:
        with np.errstate(all="ignore"):
            return np.asarray(self.surface.grad(p), dtype=float) + self.l2[:, None] * p

    def hessian(self, p: Array) -> Array:
        with np.errstate(all="ignore"):
            h = np.asarray(self.surface.hessian(p), dtype=float)
            return h + self.l2[:, None, None] * np.eye(2)

    def grad_at(self, p: Array, runs: Array) -> Array:
        """Gradients at points p (k, 2), each for the run in ``runs`` (k,)."""
        with np.errstate(all="ignore"):
            return np.asarray(self.surface.grad(p), dtype=float) + self.l2[runs][:, None] * p

    def hessian_at(self, p: Array, runs: Array) -> Array:
        """Hessians at points p (k, 2), each for the run in ``runs`` (k,)."""
        with np.errstate(all="ignore"):
            h = np.asarray(self.surface.hessian(p), dtype=float)
            return h + self.l2[runs][:, None, None] * np.eye(2)


@dataclass
class Decision:
    """Arrays over the judged runs."""

    kind: Array  # (m,) index into KINDS_LIVE
    status: Array  # (m, 2)
    decisive: Array  # (m,) the direction that decided (or -1)
    model: Model
    stalled: Array
    drop: Array
    gap: Array
    since: Array
    can_rise: Array  # (m, 2) the loss rises along u_i (type of an arrived direction)
    can_fall: Array  # (m, 2) the loss falls along u_i
    time_to_go: Array  # (m, 2)
    descent: Array


KINDS_LIVE = ("diverging", "oscillating", "stopped", "crawling", "moving", *CRITICAL)


def decide(
    surface: Surface, s: Summary, runs: Array, noise: NoiseModel | None
) -> Decision:
    """The kind of each run in ``runs`` (indices into the summary), all at once."""
    obj = Objective(surface, s.l2[runs])
    n = s.points_seen - 1
    sc = s.scale.take(runs)
    loss_scale, curv, diag = sc.loss, sc.curv, sc.diag
    tail = s.tail_points[:, runs]
    cov = None if noise is None else noise.covariance(tail.mean(axis=0))
    with np.errstate(all="ignore"):
        model = build(
            obj.grad, obj.hessian, obj.value, tail, s.extent[runs], diag, curv, cov, n
        )
    descent = np.maximum(s.start_loss[runs] - s.lowest_loss[runs], 0.0)
    # Within the noise only once the loss has settled (it has not fallen by BURST_FRAC of its
    # descent over the last stretch): a run still descending is not hovering.
    settled = s.settled_since[runs] <= n - (len(s.tail_loss) - 1)
    model.within_noise &= settled[:, None]
    noisy = noise is not None
    stalled, drop, gap = _stalled(model, s.tail_loss[:, runs], descent, loss_scale, noisy)
    time_to_go = _time_to_go(model, diag, noisy)
    arrived = _arrived(model, loss_scale, diag, descent)
    status = _statuses(model, n, stalled, arrived, time_to_go, noisy)
    kind, decisive = _kinds(status, stalled, time_to_go)
    crit = kind >= KINDS_LIVE.index("minimum")
    tail_loss = s.tail_loss[:, runs]
    jitter = np.ptp(tail_loss, axis=0) if noise is not None else np.zeros(len(runs))
    rise, fall = _types(
        obj, model, np.flatnonzero(crit), descent, curv, loss_scale, s.extent[runs], diag, jitter
    )
    kind = np.where(crit, _critical_kind(rise, fall), kind)
    return Decision(
        kind=kind,
        status=status,
        decisive=decisive,
        model=model,
        stalled=stalled,
        drop=drop,
        gap=gap,
        since=s.settled_since[runs],
        can_rise=rise,
        can_fall=fall,
        time_to_go=time_to_go,
        descent=descent,
    )


def _arrived(m: Model, loss_scale: Array, diag: Array, descent: Array) -> Array:
    """Within the tolerance, within the noise, or (along a degenerate direction, where the loss
    decides) with less left to gain than the tolerance allows: ARRIVE_TOL^2 of the loss gained,
    the tolerance the distance rule implies for a quadratic. What is left: by the model where it
    curves upwards, else the slope over the run's whole extent."""
    gained = np.maximum(descent, RESOLUTION * loss_scale)[:, None]
    allowed = ARRIVE_TOL**2 * gained
    # Along a trusted upward direction the loss still above the bottom, at the farthest of the
    # last points (a cycle by all its points), must also be invisible on the loss trace: at most
    # ARRIVE_TOL of the loss gained. A bounce across a steep ravine after a long way along its
    # floor is within 1 % of that way, and can still be a quarter of the loss gained.
    upward = (m.eig > 0) & ~m.zero & ~m.degenerate
    with np.errstate(over="ignore", invalid="ignore"):
        left = np.where(upward, 0.5 * m.eig * m.to_go**2, 0.0)
    arrived = ((m.to_go <= m.tol[:, None]) & ~(left > ARRIVE_TOL * gained)) | m.within_noise
    reach = np.maximum(m.tol / ARRIVE_TOL, RESOLUTION * diag)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where((m.eig > 0) & ~m.zero, 0.5 * m.g_dir**2 / m.eig, np.abs(m.g_dir) * reach)
    return arrived | (m.degenerate & (gain <= allowed))


def _time_to_go(m: Model, diag: Array, noisy: bool) -> Array:
    """Steps along each direction before anything changes much. A trusted direction: its time
    constant, the e-folding time of |Z_i|. A degenerate direction has no reliable exponential:
    the distance over the pace, where the distance is the model's (it curves upwards), at most
    the plot's diagonal (beyond it, a slope without bottom nearby). With noise, a direction whose net displacement
    over the stretch is within NOISE_K random walks of its steps' scatter shows no pace at all
    (its envelope is the noise's): infinite."""
    r = max(m.Z.shape[1] - 1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_const = np.where(m.log_rate != 0, 1.0 / np.abs(m.log_rate), np.inf)
        far = np.where((m.eig > 0) & ~m.zero, np.minimum(m.to_go, diag[:, None]), diag[:, None])
        t_pace = np.where(m.pace > 0, far / m.pace, np.inf)
    time = np.where(m.degenerate, t_pace, t_const)
    if noisy:  # a net displacement within NOISE_K random walks of the steps is the noise's
        hidden = m.pace * r <= NOISE_K * m.scatter * np.sqrt(r)
        time = np.where(hidden, np.inf, time)
    return time


def _statuses(
    m: Model, n: int, stalled: Array, arrived: Array, time_to_go: Array, noisy: bool
) -> Array:
    """Status of each direction (see the module's docstring)."""
    bounce = np.where(m.degenerate, m.reversals, m.crossings) >= REVERSAL_FRAC
    change = m.log_rate * n  # ln of the amplitude's factor over a run's length
    grows, dies = change >= np.log(GROWTH), change <= -np.log(GROWTH)
    # A bounce dies out only while the loss still falls: once the loss has stopped falling, the
    # bounce is what remains (with noise its envelope wanders).
    dies &= ~stalled[:, None]
    tol = m.tol[:, None]
    # At rest short of the bottom: heading for a point within the tolerance, away from the
    # bottom, and taking steps within the tolerance (a path still taking long steps, e.g.
    # hovering around a minimum with a step that does not shrink, is not at rest however
    # little its net displacement).
    rest = (np.abs(m.limit - m.Z[:, -1].T) <= tol) & (np.abs(m.limit) > tol) & ~m.degenerate & (m.stride <= tol)
    status = np.full(m.eig.shape, MOVING)
    slow = time_to_go > CRAWL_FACTOR * n
    if noisy:  # a pace hidden in the noise is a crawl only if the loss has stopped falling too
        slow &= stalled[:, None]
    status[~bounce & slow] = CRAWLING
    if not noisy:  # Aitken's extrapolation needs a path that is not the noise's
        status[~bounce & rest] = STOPPED
    status[bounce & ~grows & ~dies] = BOUNCING
    status[bounce & grows] = DIVERGING
    status[arrived] = ARRIVED
    return status


def _stalled(
    m: Model, loss: Array, descent: Array, loss_scale: Array, noisy: bool
) -> tuple[Array, Array, Array]:
    """Has the loss stopped falling? Over the last stretch it fell by at most STALL_TOL of what
    is left to gain (the model's depth below the point where it is positive definite, else the
    run's descent so far). Compared as the highest loss of the first and of the last CYCLE_MAX
    points, so a cycle's phase does not matter. With noise, also when the fall is within
    NOISE_K times the random walk the loss's own step-to-step scatter makes over the stretch."""
    k = min(len(loss), CYCLE_MAX)
    drop = loss[:k].max(axis=0) - loss[-k:].max(axis=0)
    convex = np.all((m.eig > 0) & ~m.degenerate, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        depth = 0.5 * np.sum(np.where(m.zero, 0.0, m.g_dir**2 / m.eig), axis=-1)
    level = loss[-k:].max(axis=0)
    below = level - (m.value - depth)
    gap = np.where(convex, np.maximum(below, 0.0), np.maximum(descent, RESOLUTION * loss_scale))
    stalled = drop <= STALL_TOL * gap
    if noisy and len(loss) > 2:
        walk = np.diff(loss, axis=0).std(axis=0) * np.sqrt(len(loss) - 1)
        stalled |= drop <= NOISE_K * walk
    return stalled, drop, gap


def _kinds(status: Array, stalled: Array, time_to_go: Array) -> tuple[Array, Array]:
    """The run's kind (index into KINDS_LIVE, critical for now = 'minimum') and the decisive
    direction: the one with the status that decided, the slowest if both."""
    has = lambda s: np.any(status == s, axis=-1)  # noqa: E731
    kind = np.full(len(status), KINDS_LIVE.index("minimum"))
    moving = has(MOVING) | has(BOUNCING)
    kind[moving] = KINDS_LIVE.index("moving")
    kind[has(CRAWLING)] = KINDS_LIVE.index("crawling")
    kind[has(STOPPED)] = KINDS_LIVE.index("stopped")
    kind[has(BOUNCING) & stalled] = KINDS_LIVE.index("oscillating")
    kind[has(DIVERGING)] = KINDS_LIVE.index("diverging")
    wanted = np.select(
        [kind == KINDS_LIVE.index(k) for k in ("diverging", "oscillating", "stopped", "crawling")],
        [DIVERGING, BOUNCING, STOPPED, CRAWLING],
        MOVING,
    )
    match = status == wanted[:, None]
    if_moving = match | ((kind == KINDS_LIVE.index("moving"))[:, None] & (status == BOUNCING))
    t = np.where(if_moving, time_to_go, -np.inf)
    decisive = np.where(if_moving.any(axis=-1), np.argmax(t, axis=-1), -1)
    return kind, decisive


def _types(
    obj: Objective,
    m: Model,
    rows: Array,
    descent: Array,
    curv: Array,
    loss_scale: Array,
    extent: Array,
    diag: Array,
    jitter: Array,
) -> tuple[Array, Array]:
    """Whether the loss rises / falls along each direction around the critical point of the
    runs ``rows``. Along a direction where the quadratic model is trusted: the sign of its
    curvature, however small. Where it is not (a degenerate direction) or the run is within the
    noise: "judged by the loss around the point".

    The loss at c +- r u_i (c the reference point), for r doubling from the tolerance up to NEAR_FRAC of the run's
    extent (around the point, not in the next basin): it
    rises (falls) when some probe lies above (below) c by more than the loss the tolerance
    allows (ARRIVE_TOL^2 of the descent), a curvature FLAT_TOL * K would make over r, the
    rounding of the loss values, or (with noise) the spread of the loss over the last stretch,
    which the run visits anyway. So x^4 is a minimum, x^3 an inflection (rising one way and falling
    the other: counted as a saddle), a plateau neither."""
    rise, fall = m.eig > 0, m.eig < 0  # a trusted direction: the sign of its curvature
    probe = m.untrusted | m.within_noise
    rows = rows[probe[rows].any(axis=-1)]
    if not len(rows):
        return rise, fall
    top = np.maximum(NEAR_FRAC * extent[rows], RESOLUTION * diag[rows])
    count = int(np.clip(np.ceil(np.log2(np.max(top / m.tol[rows]))) + 1, 1, 40))
    radii = np.minimum(m.tol[rows, None] * 2.0 ** np.arange(count), top[:, None])  # (k, count)
    sign = np.array([1.0, -1.0])
    c = m.ref[rows]  # where the run is: an untrusted model's stationary point is not
    u = np.swapaxes(m.vec[rows], 1, 2)  # (k, dir, 2)
    pts = c[:, None, None, None] + (
        radii[:, None, :, None, None] * sign[None, None, None, :, None] * u[:, :, None, None, :]
    )  # (k, dir, count, sign, 2)
    k = len(rows)
    sub = Objective(obj.surface, obj.l2[rows])
    with np.errstate(all="ignore"):
        vals = sub.value(pts.reshape(k, -1, 2)).reshape(k, 2, count, 2)
        base = sub.value(c[:, None])[:, 0]
    rounding = 64 * np.finfo(float).eps * (np.abs(base) + loss_scale[rows])
    floor = np.maximum.reduce([ARRIVE_TOL**2 * descent[rows], rounding, jitter[rows]])
    eps = np.maximum(floor[:, None], 0.5 * FLAT_TOL * curv[rows, None] * radii**2)
    diff = vals - base[:, None, None, None]
    eps = eps[:, None, :, None]
    sel = probe[rows]
    rise[rows] = np.where(sel, np.any(diff > eps, axis=(2, 3)), rise[rows])
    fall[rows] = np.where(sel, np.any(diff < -eps, axis=(2, 3)), fall[rows])
    return rise, fall


def _critical_kind(rise: Array, fall: Array) -> Array:
    up, down = rise.any(axis=-1), fall.any(axis=-1)
    codes = [KINDS_LIVE.index(k) for k in ("saddle", "maximum", "minimum", "plateau")]
    return np.select([up & down, down, up], codes[:3], codes[3])
