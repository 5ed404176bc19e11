"""The engine's cut step: where each run stops, and the real cause.

A run is cut at its first invalid point p:

* the step that produced θ^p gave a non-finite number: the point itself, the step's effective
  learning rate, or the optimizer's state after it (m, v, σ, the momentum buffer, ...);
* θ^p left the region |x|, |y| ≤ 1e6 (the divergence bound);
* the surface's loss or gradient at θ^p is not finite (outside a formula's domain, or an
  overflow of its value).

The cause is what IEEE arithmetic reports. The step (or the surface at the point) is
evaluated again for that run alone with NumPy's floating-point flags recorded: an overflow
flag means *overflow* (something passed ≈ 1.8e308, even if ∞ − ∞ then made it NaN); else a
NaN is an *undefined* operation (0/0: ε = 0 with a zero gradient), an infinity a *division by
zero*; at the surface, anything but an overflow is *outside the formula's domain*.

The state is not stored per step. The step loop keeps a reference to each group's state every
``CHECK_EVERY`` steps (states are immutable NamedTuples of arrays, so a reference is a
snapshot; at most steps / 256 × runs × a few floats, ≤ 4 MB under the scenario's run-step
limit). A run whose state turned non-finite is stepped again, from the last snapshot before it
and with only the runs concerned, to find the exact step: at most ``CHECK_EVERY`` steps per
cut run, a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lab.batches import noise_of_row
from lab.scenario import MAX_COORD, Scenario
from optimizers import resolved_params
from surfaces.base import Surface

Array = np.ndarray

CHECK_EVERY = 256  # steps between the loop's checks (deadline, snapshots, all diverged)

REASONS = ("bound", "overflow", "undefined", "zero_division", "domain")
QUANTITIES = ("point", "effective_lr", "state", "loss", "gradient")


@dataclass(frozen=True)
class Cause:
    """Why a run stopped at point ``at``: ``reason`` (one of ``REASONS``), the quantity that
    was not valid (one of ``QUANTITIES``; ``field`` names the state field, e.g. "v")."""

    at: int
    reason: str
    quantity: str
    field: str = ""
    point: tuple[float, float] | None = None  # the point where the surface failed

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"reason": self.reason, "quantity": self.quantity}
        if self.field:
            out["field"] = self.field
        if self.point is not None:
            out["point"] = list(self.point)
        return out


@dataclass
class Snapshots:
    """Each group's state every ``CHECK_EVERY`` steps: ``states[g]`` is a list of
    (steps taken, state) pairs, from (0, initial state) to the state after the last step."""

    states: list[list[tuple[int, Any]]] = field(default_factory=list)

    def take(self, groups: list[Any], t: int) -> None:
        if not self.states:
            self.states = [[] for _ in groups]
        for snaps, grp in zip(self.states, groups, strict=True):
            if not snaps or snaps[-1][0] != t:
                snaps.append((t, grp.state))


@dataclass(frozen=True)
class Replay:
    """What re-stepping one group's runs needs: the scenario, the surface, the learning
    rates and the noise the loop used; on mini-batches, the gradients it used (steps, n, 2)."""

    sc: Scenario
    surface: Surface
    rates: Any  # lab.engine.Rates
    noise: Array | None
    used: Array | None = None


# --- flags ------------------------------------------------------------------------------------
class Flags:
    """NumPy's floating-point error flags raised inside a ``with`` block (underflow aside)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def _record(self, kind: str, flag: int) -> None:
        self.seen.add(kind)

    def __enter__(self) -> Flags:
        self._state = np.errstate(all="call", under="ignore", call=self._record)
        self._state.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._state.__exit__(*exc)

    @property
    def overflow(self) -> bool:
        return "overflow" in self.seen

    @property
    def divide(self) -> bool:
        return "divide by zero" in self.seen


def _reason(values: Array, flags: Flags) -> str:
    """The cause of non-finite ``values`` computed from finite inputs."""
    if flags.overflow:
        return "overflow"
    if np.isnan(values).any():
        return "undefined"
    return "zero_division" if flags.divide else "overflow"


# --- the cut ----------------------------------------------------------------------------------
def first_true(mask: Array) -> Array:
    """The first index along axis 0 where ``mask`` holds, per column (len(mask): never)."""
    return np.where(mask.any(axis=0), np.argmax(mask, axis=0), len(mask))


def _rows_finite(state: Any, n: int) -> Array:
    """(n,) whether every field of a group's state is finite, row by row."""
    ok = np.ones(n, dtype=bool)
    for arr in state:
        a = np.asarray(arr)
        if a.ndim == 0:
            ok &= bool(np.isfinite(a))
        else:
            ok &= np.isfinite(a.reshape(n, -1)).all(axis=1)
    return ok


def _state_rows(state: Any, rows: Array) -> Any:
    return type(state)(*(np.asarray(a)[rows] if np.ndim(a) else a for a in state))


def point_masks(traj: Array, loss: Array, gnorm: Array, eff: Array) -> tuple[Array, Array, Array]:
    """Per point (steps+1, n): its step produced a non-finite point or effective lr; it is
    beyond the bound; the surface is not finite there."""
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(traj).all(axis=-1)
        bound = finite & ~(np.abs(traj) <= MAX_COORD).all(axis=-1)
        surface = finite & ~bound & ~(np.isfinite(loss) & np.isfinite(gnorm))
        step = ~finite
        step[1:] |= ~np.isfinite(eff).all(axis=-1)
        step[0] = False  # the start has no step (and was checked before the loop)
    return step, bound, surface


def find_cuts(
    replay: Replay,
    groups: list[Any],
    traj: Array,
    loss: Array,
    gnorm: Array,
    eff: Array,
    snaps: Snapshots,
) -> list[Cause | None]:
    """Each row's cause (None: not cut), with its cut point ``Cause.at``."""
    step, bound, surface = point_masks(traj, loss, gnorm, eff)
    at = first_true(step | bound | surface)
    causes: list[Cause | None] = [None] * traj.shape[1]
    for g, grp in enumerate(groups):
        _group_cuts(replay, grp, snaps.states[g], at, step, bound, traj, causes)
    return causes


def _group_cuts(
    replay: Replay,
    grp: Any,
    snaps: list[tuple[int, Any]],
    at: Array,
    step: Array,
    bound: Array,
    traj: Array,
    causes: list[Cause | None],
) -> None:
    """The causes of one group's rows. A row whose state turned non-finite no later than its
    first invalid point, or whose first invalid point a step produced, is stepped again (the
    state's step is found that way, and the flags of the step); a point beyond the bound or
    where the surface is not finite is told from the point."""
    rows = np.arange(grp.rows.start, grp.rows.stop)
    n = len(rows)
    state_from = np.full(n, -1)  # the last snapshot before a row's state turned non-finite
    for k in range(1, len(snaps)):
        state_from[~_rows_finite(snaps[k][1], n) & (state_from < 0)] = k - 1

    def at_point(j: int) -> Cause:
        return _point_cause(replay.surface, traj, int(at[j]), j, bool(bound[at[j], j]))

    todo: dict[int, list[int]] = {}  # snapshot index -> local rows to step again from it
    for r, j in enumerate(rows.tolist()):
        k = int(state_from[r])
        if k >= 0 and snaps[k][0] + 1 <= at[j]:
            todo.setdefault(k, []).append(r)
        elif at[j] < len(traj) and step[at[j], j]:
            todo.setdefault(_snapshot_before(snaps, int(at[j]) - 1), []).append(r)
        elif at[j] < len(traj):
            causes[j] = at_point(j)
    for k, local in todo.items():
        found = _step_again(replay, grp, snaps[k], np.array(local), at, traj, step, at_point)
        for r, cause in found.items():
            causes[rows[r]] = cause


def _snapshot_before(snaps: list[tuple[int, Any]], s: int) -> int:
    """The index of the last snapshot taken at or before step ``s``."""
    k = 0
    while k + 1 < len(snaps) and snaps[k + 1][0] <= s:
        k += 1
    return k


def _point_cause(surface: Surface, traj: Array, p: int, j: int, beyond: bool) -> Cause:
    """A point that left the bound, or where the surface is not finite."""
    if beyond:
        return Cause(p, "bound", "point")
    x = traj[p, j]
    with Flags() as flags:
        value = np.asarray(surface.value(x))
        surface.grad(x)  # evaluated for its flags: an overflow there counts too
    quantity = "loss" if not np.isfinite(value).all() else "gradient"
    reason = "overflow" if flags.overflow else "domain"
    return Cause(p, reason, quantity, point=(float(x[0]), float(x[1])))


# --- stepping again -----------------------------------------------------------------------------
def _step_again(
    replay: Replay,
    grp: Any,
    snap: tuple[int, Any],
    local: Array,
    at: Array,
    traj: Array,
    step: Array,
    at_point: Callable[[int], Cause],
) -> dict[int, Cause]:
    """Step the group's rows ``local`` again from ``snap``, as the loop did, until each meets
    its first invalid step: its state turns non-finite, or it reaches the step before its
    first invalid point (told by that step's products, or by the point)."""
    t0, state = snap
    rows = grp.rows.start + local
    sub = _SubGroup.of(replay, grp, local)
    state = _state_rows(state, local)
    stop = np.minimum(at[rows], len(traj) - 1) - 1  # the last step each row may have taken
    found: dict[int, Cause] = {}
    for t in range(t0, int(stop.max()) + 1):
        out, _ = sub.step(t, traj[t, rows], state)
        bad = ~_rows_finite(out.state, len(local))
        for i in np.flatnonzero(bad | (t == stop)).tolist():
            r, j = int(local[i]), int(rows[i])
            if r in found or t > stop[i]:
                continue
            if bad[i] or step[t + 1, j]:
                found[r] = sub.cause_of(i, t, traj[t, j], _state_rows(state, [i]))
            else:
                found[r] = at_point(j)
        if len(found) == len(local):
            break
        state = out.state
    return found


@dataclass(frozen=True)
class _SubGroup:
    """Some rows of one group, with their own hyperparameters: steps them as the loop did."""

    replay: Replay
    opt: Any
    hyper: Any
    rows: Array  # the rows in the batch
    shared_lr: list[float] | None
    one: Callable[[int], Any]  # local row -> that row's own hyperparameters

    @classmethod
    def of(cls, replay: Replay, grp: Any, local: Array) -> _SubGroup:
        runs = [replay.sc.runs[grp.runs[r]] for r in local.tolist()]
        resolved = [resolved_params(grp.opt, r.params) for r in runs]
        return cls(
            replay,
            grp.opt,
            grp.opt.hyper(resolved),
            grp.rows.start + local,
            grp.lr,
            lambda i: grp.opt.hyper([resolved[i]]),
        )

    def lr(self, t: int, rows: Array) -> Any:
        if self.shared_lr is not None:
            return self.shared_lr[t]  # a float, as the loop passed it
        r = self.replay.rates
        return r.base[rows] if r.table is None else r.table[t, rows]

    def gradient(self, t: int, theta: Array, rows: Array) -> Array:
        if self.replay.used is not None:  # mini-batches: the gradient the loop stepped on
            return self.replay.used[t, rows]
        g = np.asarray(self.replay.surface.grad(theta))
        return g if self.replay.noise is None else g + noise_of_row(self.replay.noise, t, rows)

    def step(self, t: int, theta: Array, state: Any) -> tuple[Any, Flags]:
        with Flags() as flags:
            g = self.gradient(t, theta, self.rows)
            out = self.opt.step(theta, g, state, self.lr(t, self.rows), t + 1, self.hyper)
        return out, flags

    def cause_of(self, i: int, t: int, theta: Array, state: Any) -> Cause:
        """Step ``t`` of local row ``i`` alone, its flags recorded: the first non-finite
        quantity it produced and why."""
        row = self.rows[i : i + 1]
        with Flags() as flags:
            g = self.gradient(t, theta[None], row)
            out = self.opt.step(theta[None], g, state, self.lr(t, row), t + 1, self.one(i))
        for quantity, name, values in _products(out):
            if not np.isfinite(values).all():
                return Cause(t + 1, _reason(values, flags), quantity, name)
        # Stepped alone the run gives the loop's numbers (runs are bit-identical alone and in
        # a batch), so its point was finite: beyond the bound.
        return Cause(t + 1, "bound", "point")


def _products(out: Any) -> list[tuple[str, str, Array]]:
    """What a step produces, in the order the cause is told: the point, the effective
    learning rate, each state field."""
    items = [("point", "", np.asarray(out.theta)), ("effective_lr", "", np.asarray(out.effective_lr))]
    items += [("state", name, np.asarray(v)) for name, v in zip(out.state._fields, out.state, strict=True)]
    return items
