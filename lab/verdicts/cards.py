"""The verdict dict of each run: kind, step, numbers, explanation.

One set of numbers per verdict: every number its sentence shows is in ``numbers`` (the
sentence shows the same values, formatted), and ``final_loss`` is the one final loss: that of
the judged objective (``L + l2/2 |theta|^2`` for a run with L2 weight decay). Non-finite
numbers are ``None`` (a verdict is plain JSON).

The arrays of the decision are turned into Python lists once (``Table``), so building a
thousand verdicts costs a few milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.text import both
from lab.verdicts import fmt
from lab.verdicts.judge import BOUNCING, KINDS_LIVE, MOVING, Decision
from lab.verdicts.stream import Summary
from lab.verdicts.thresholds import NOISE_K

Array = np.ndarray
Parts = list[tuple[str, dict[str, Any]]]


def clean(x: float) -> float | None:
    return x if math.isfinite(x) else None


def unit(v: list[float]) -> list[float]:
    """A direction with its first non-zero component positive (directions have no sign)."""
    x, y = v
    if x < -1e-12 or (abs(x) <= 1e-12 and y < 0):
        x, y = -x, -y
    return [x + 0.0, y + 0.0]


@dataclass
class Table:
    """The decision's numbers as Python lists, one entry per judged run."""

    def __init__(self, s: Summary, d: Decision, runs: Array, best: float | None, minima: Array, noisy: bool) -> None:
        m = d.model
        self.s, self.d, self.runs, self.noisy = s, d, runs, noisy
        self.best, self.minima = best, minima
        if best is not None and abs(best) <= 1e-12 * max(1.0, float(np.max(np.abs(s.start_loss[runs]), initial=0.0))):
            self.best = 0.0  # a lowest loss of rounding size (preset 6's -5.79e-23) is 0
        sc = s.scale.take(runs)
        self.scale = type(sc)(*(x.tolist() for x in (sc.grad, sc.loss, sc.curv, sc.diag, sc.box)))  # type: ignore[arg-type]
        pick = lambda a: a[..., runs].tolist()  # noqa: E731
        self.final_loss = pick(s.tail_loss[-1])
        self.start_loss = pick(s.start_loss)
        self.lowest_loss = pick(s.lowest_loss)
        self.lowest_step = pick(s.lowest_step)
        self.start_grad = pick(s.start_grad)
        self.final_grad = pick(s.tail_grad[-1])
        self.extent = pick(s.extent)
        self.l2 = pick(s.l2)
        self.kind = d.kind.tolist()
        self.status = d.status.tolist()
        self.decisive = d.decisive.tolist()
        self.tol = m.tol.tolist()
        self.eig = m.eig.tolist()
        self.vec = np.swapaxes(m.vec, 1, 2).tolist()  # [run][direction] -> [x, y]
        self.to_go = m.to_go.tolist()
        self.log_rate = m.log_rate.tolist()
        self.pace = m.pace.tolist()
        self.time = d.time_to_go.tolist()
        self.period = m.period.tolist()
        self.degenerate = m.degenerate.tolist()
        self.zero = m.zero.tolist()
        # Within the noise: every direction is within the noise floor or the tolerance, and
        # one at least within the floor.
        close = m.to_go <= m.tol[:, None]
        self.within = (np.all(m.within_noise | close, axis=-1) & m.within_noise.any(axis=-1)).tolist()
        self.noise_std = m.noise_std.max(axis=-1).tolist()
        self.since = d.since.tolist()
        self.drop = d.drop.tolist()
        self.gap = d.gap.tolist()
        self.can_fall = d.can_fall.tolist()
        self.target = m.target.tolist()
        self.ref = m.ref
        self.limit = m.limit.tolist()
        self.window = len(s.tail_loss) - 1
        self.n = s.points_seen - 1
        self.rises = pick(s.rises)


def common(t: Table, i: int) -> dict[str, Any]:
    g0, g1 = t.start_grad[i], t.final_grad[i]
    nums: dict[str, Any] = {
        "final_loss": clean(t.final_loss[i]),
        "initial_loss": t.start_loss[i],
        "lowest_loss": clean(t.lowest_loss[i]),
        "lowest_step": t.lowest_step[i],
        "initial_grad_norm": g0,
        "final_grad_norm": clean(g1),
        "grad_norm_ratio": clean(g1 / g0) if g0 > 0 else 0.0,
        "extent": t.extent[i],
        "steps_run": t.n,
        "tolerance": t.tol[i],
        "eigenvalues": [clean(e) for e in t.eig[i]],
        "objective": "loss+l2" if t.l2[i] > 0 else "loss",
    }
    if t.l2[i] > 0:
        nums["weight_decay"] = t.l2[i]
    if t.noisy:
        nums["noise_std"] = t.noise_std[i]
        nums["within_noise"] = bool(t.within[i])
        nums["rises"] = t.rises[i]
        nums["rise_share"] = t.rises[i] / t.n if t.n else 0.0
    return nums


def _noise_clause(t: Table, i: int) -> Parts:
    """A noisy run's steps: how often the loss rose on them (each follows a noisy gradient;
    the review: preset 21's "rises on about 40 % of the steps" was nowhere on screen), and
    whether it hovers within the noise."""
    if not t.noisy:
        return []
    share = t.rises[i] / t.n if t.n else 0.0
    if t.rises[i]:
        parts: Parts = [("verdict.clause.rises", {"share": fmt.pct(share), "n": f"{t.n:,}", "count": f"{t.rises[i]:,}"})]
    else:  # noise that never pushes uphill (preset 24's samples all point along its line)
        parts = [("verdict.clause.never_rose", {"n": f"{t.n:,}"})]
    if t.within[i]:
        parts.append(("verdict.clause.noise", {"k": fmt.num(NOISE_K), "sigma": fmt.num(t.noise_std[i])}))
    return parts


def _l2_clause(t: Table, i: int) -> Parts:
    return [("verdict.clause.l2", {"l2": fmt.num(t.l2[i])})] if t.l2[i] > 0 else []


def critical(t: Table, i: int, kind: str) -> dict[str, Any]:
    nums = common(t, i)
    dist = max(t.to_go[i])
    nums["distance_to_go"] = dist
    # Within the noise a critical point may be farther than the tolerance: the sentence says
    # so ("farther than the tolerance, but within the noise's reach"), not "(tolerance ...)"
    # beside a larger distance, which read as a contradiction.
    beyond = t.noisy and t.within[i] and dist > t.tol[i]
    values: dict[str, Any] = {
        "dist": fmt.num(dist),
        "tol": both("verdict.tol.noise" if beyond else "verdict.tol", tol=fmt.num(t.tol[i])),
        "eig": fmt.nums(t.eig[i]),
        "loss": fmt.num(t.final_loss[i]),
    }
    out: dict[str, Any] = {"kind": kind, "step": t.n, "eigenvalues": nums["eigenvalues"]}
    if kind == "saddle":
        falls = [e if f else math.inf for e, f in zip(t.eig[i], t.can_fall[i], strict=True)]
        k = falls.index(min(falls))
        out["escape_direction"] = nums["escape_direction"] = unit(t.vec[i][k])
        values["dir"] = fmt.vec(out["escape_direction"])
    if kind == "minimum":  # a curvature a little below 0 is no "rises in every direction" (preset 9)
        bent = [k for k, e in enumerate(t.eig[i]) if e < 0]
        if bent:
            out["flat_direction"] = nums["flat_direction"] = unit(t.vec[i][bent[0]])
            values["around"] = both("verdict.around.flat", dir=fmt.vec(nums["flat_direction"]))
        else:
            values["around"] = both("verdict.around.rises")
    if kind == "plateau":
        scale = t.scale.grad[i]
        nums["grad_rel"] = clean(t.final_grad[i] / scale) if scale > 0 else 0.0
        values["grad_rel"] = fmt.pct(nums["grad_rel"] or 0.0)
    parts: Parts = [("verdict." + kind, values)]
    nums["degenerate"] = any(t.degenerate[i])
    if nums["degenerate"] and kind != "plateau":
        shape = {"minimum": "rises", "maximum": "falls", "saddle": "mixed"}[kind]
        parts.append(("verdict.clause.degenerate", {"shape": both("verdict.shape." + shape)}))
    if t.period[i]:
        nums["period"] = t.period[i]
        parts.append(("verdict.clause.cycle", {"period": t.period[i], "dist": fmt.num(2 * dist)}))
    parts += _noise_clause(t, i)
    if kind == "minimum":
        local = _is_local(t, i)
        out["local"] = local
        nums["lowest_known_loss"] = t.best if t.l2[i] == 0 else None
        if local:
            parts.append(("verdict.clause.local", {"best": fmt.num(t.best)}))  # type: ignore[arg-type]
    parts += _l2_clause(t, i)
    out["numbers"] = nums
    out["explanation"] = fmt.sentence(parts)
    return out


def _is_local(t: Table, i: int) -> bool:
    """Local when the surface goes lower than this point's loss and the point is not at one
    of the lowest known minima (for an L2 run the minima of L alone say nothing)."""
    if t.best is None or t.l2[i] > 0 or not len(t.minima):
        return False
    scale = t.scale.loss[i]
    tol = 1e-3 * max(t.start_loss[i] - t.best, 1e-3 * scale)
    gap = float(np.min(np.linalg.norm(t.minima - t.ref[i], axis=-1)))
    return t.final_loss[i] > t.best + tol and gap > 10 * t.tol[i]


def oscillating(t: Table, i: int) -> dict[str, Any]:
    k = t.decisive[i]
    nums = common(t, i)
    since, gap = t.since[i], t.gap[i]
    nums.update(
        direction=unit(t.vec[i][k]),
        distance_to_go=t.to_go[i][k],
        growth_per_step=math.exp(t.log_rate[i][k]),
        window=t.window,
        loss_drop=t.drop[i],
        loss_drop_fraction=t.drop[i] / gap if gap > 0 else 0.0,
        since=since,
    )
    values = {
        "since": fmt.count(since),
        "window": fmt.count(t.window),
        "drop": fmt.num(max(t.drop[i], 0.0)),
        "drop_pct": fmt.pct(max(nums["loss_drop_fraction"], 0.0)),
        "dir": fmt.vec(nums["direction"]),
        "dist": fmt.num(nums["distance_to_go"]),
        "grad_ratio": fmt.pct(nums["grad_norm_ratio"] or 0.0),
    }
    parts: Parts = [("verdict.oscillating", values)]
    if t.period[i]:
        nums["period"] = t.period[i]
        parts.append(("verdict.clause.period", {"period": t.period[i]}))
    parts += _noise_clause(t, i) + _l2_clause(t, i)
    return {
        "kind": "oscillating",
        "step": since,
        "stretch": [since, t.n],
        "eigenvalues": nums["eigenvalues"],
        "numbers": nums,
        "explanation": fmt.sentence(parts),
    }


def _leave(t: Table, i: int, k: int, rate: float) -> int | None:
    """The step at which a bounce growing by e^rate per step would leave the plot range, from
    the model's stationary point along u_k (None: it already has)."""
    x0, x1, y0, y1 = t.scale.box[i]
    (cx, cy), (ux, uy), a = t.target[i], t.vec[i][k], t.to_go[i][k]
    if not (x0 <= cx <= x1 and y0 <= cy <= y1) or rate <= 0 or a <= 0:
        return None
    reach = math.inf
    for du, c, lo, hi in ((ux, cx, x0, x1), (uy, cy, y0, y1)):
        if du != 0:  # a bounce goes both ways: the nearer wall of the two
            reach = min(reach, (hi - c) / abs(du), (c - lo) / abs(du))
    if a >= reach:
        return None
    return t.n + math.ceil(math.log(reach / a) / rate)


def diverging(t: Table, i: int) -> dict[str, Any]:
    k = t.decisive[i]
    nums = common(t, i)
    rate = t.log_rate[i][k]
    onset = t.lowest_step[i]
    leave = _leave(t, i, k, rate)
    nums.update(
        direction=unit(t.vec[i][k]),
        distance_to_go=t.to_go[i][k],
        growth_per_step=math.exp(rate),
        run_growth=clean(math.exp(min(rate * t.n, 700.0))),
        onset_step=onset,
        leaves_plot_at=leave,
    )
    values = {
        "onset": fmt.count(onset),
        "dir": fmt.vec(nums["direction"]),
        "growth": fmt.factor(nums["growth_per_step"]),
        "run_growth": fmt.num(nums["run_growth"] or math.inf),
        "leave": both("verdict.leave.out") if leave is None else both("verdict.leave.at", step=fmt.count(leave)),
    }
    return {
        "kind": "diverging",
        "step": onset,
        "stretch": [onset, t.n],
        "eigenvalues": nums["eigenvalues"],
        "numbers": nums,
        "explanation": fmt.sentence([("verdict.diverging", values), *_l2_clause(t, i)]),
    }


def _steps_to_go(t: Table, i: int, k: int) -> float:
    """Steps to come within the tolerance: along a trusted direction the time constant times
    ln(distance / tolerance); along a degenerate one the distance over the pace."""
    time = t.time[i][k]
    if t.degenerate[i][k]:
        return time
    ratio = t.to_go[i][k] / t.tol[i]
    return time * math.log(ratio) if ratio > 1 else 0.0


def _slope(t: Table, i: int, k: int) -> bool:
    """Judged as a slope without a bottom nearby: a degenerate direction that does not curve
    upwards, or whose model's bottom lies beyond the plot's diagonal."""
    if not t.degenerate[i][k]:
        return False
    upward = t.eig[i][k] > 0 and not t.zero[i][k]
    return not upward or t.to_go[i][k] > t.scale.diag[i]


def crawling(t: Table, i: int) -> dict[str, Any]:
    k = t.decisive[i]
    nums = common(t, i)
    slope = _slope(t, i, k)
    togo = _steps_to_go(t, i, k)
    nums.update(
        direction=unit(t.vec[i][k]),
        distance_to_go=t.to_go[i][k],
        time_constant=None if t.degenerate[i][k] else clean(t.time[i][k]),
        steps_to_go=clean(togo),
        pace=t.pace[i][k],
        window=t.window,
        basis="slope" if slope else "model",
    )
    values = {
        "dir": fmt.vec(nums["direction"]),
        "togo": fmt.count(togo),
        "times": fmt.num(togo / t.n if t.n else math.inf),
        "n": fmt.count(t.n),
    }
    if slope:
        values["pace"] = fmt.num(t.pace[i][k])
    else:
        values.update(dist=fmt.num(t.to_go[i][k]), tau=fmt.count(t.time[i][k]), tol=fmt.num(t.tol[i]))
    key = "verdict.crawling.slope" if slope else "verdict.crawling"
    return {
        "kind": "crawling",
        "step": t.n,
        "stretch": [t.n - t.window, t.n],
        "eigenvalues": nums["eigenvalues"],
        "numbers": nums,
        "explanation": fmt.sentence([(key, values), *_noise_clause(t, i), *_l2_clause(t, i)]),
    }


def stopped(t: Table, i: int) -> dict[str, Any]:
    """Come to rest away from the model's bottom: how far from it and in which direction, the
    whole offset (the point of preset 8's AdamW rests at (1, 1), both coordinates 1 short of
    (2, 2): "1 from the bottom along (1, 0)" read against the map's diagonal)."""
    k = t.decisive[i]
    nums = common(t, i)
    parts = [(t.limit[i][j], t.vec[i][j]) for j in (0, 1) if not t.degenerate[i][j] and math.isfinite(t.limit[i][j])]
    offset = [sum(z * v[c] for z, v in parts) for c in (0, 1)]
    rest = math.hypot(*offset)
    nums.update(
        direction=unit([offset[0] / rest, offset[1] / rest]) if rest > 0 else unit(t.vec[i][k]),
        distance_to_go=t.to_go[i][k],
        rest_distance=rest if rest > 0 else abs(t.limit[i][k]),
        window=t.window,
    )
    values = {
        "dir": fmt.vec(nums["direction"]),
        "dist": fmt.num(nums["rest_distance"]),
        "window": fmt.count(t.window),
        "grad_ratio": fmt.pct(nums["grad_norm_ratio"] or 0.0),
    }
    return {
        "kind": "stopped",
        "step": t.n,
        "stretch": [t.n - t.window, t.n],
        "eigenvalues": nums["eigenvalues"],
        "numbers": nums,
        "explanation": fmt.sentence([("verdict.stopped", values), *_l2_clause(t, i)]),
    }


def moving(t: Table, i: int) -> dict[str, Any]:
    status = t.status[i]
    cand = [k for k in (0, 1) if status[k] == MOVING] or [k for k in (0, 1) if status[k] == BOUNCING]
    k = max(cand, key=lambda c: t.time[i][c])
    nums = common(t, i)
    rate = t.log_rate[i][k]
    escape = not t.degenerate[i][k] and t.eig[i][k] < 0 and rate > 0
    slope = _slope(t, i, k)
    togo = _steps_to_go(t, i, k)
    basis = "escape" if escape else ("slope" if slope else "model")
    if basis == "model" and not math.isfinite(togo):
        basis = "loss"  # the pace is lost in the noise; the loss still falls
    nums.update(
        direction=unit(t.vec[i][k]),
        distance_to_go=t.to_go[i][k],
        time_constant=None if t.degenerate[i][k] else clean(t.time[i][k]),
        steps_to_go=None if basis != "model" else clean(togo),
        pace=t.pace[i][k],
        basis=basis,
    )
    direction = fmt.vec(nums["direction"])
    if basis == "model":
        key = "verdict.moving"
        values = {"dir": direction, "dist": fmt.num(t.to_go[i][k]), "tol": fmt.num(t.tol[i])}
        values.update(togo=fmt.count(togo), tau=fmt.count(t.time[i][k]))
    elif basis == "escape":
        key, values = "verdict.moving.escape", {"dir": direction, "growth": fmt.factor(math.exp(rate))}
    elif basis == "slope":
        key, values = "verdict.moving.slope", {"dir": direction, "pace": fmt.num(t.pace[i][k])}
    else:
        nums.update(loss_drop=t.drop[i], window=t.window)
        key = "verdict.moving.loss"
        values = {"drop": fmt.num(t.drop[i]), "window": fmt.count(t.window)}
    parts: Parts = [(key, values)]
    bounce = [b for b in (0, 1) if status[b] == BOUNCING and b != k]
    if bounce:
        nums["bounce_direction"] = unit(t.vec[i][bounce[0]])
        parts.append(("verdict.clause.bounce", {"dir": fmt.vec(nums["bounce_direction"])}))
    parts += _noise_clause(t, i) + _l2_clause(t, i)
    return {
        "kind": "moving",
        "step": t.n,
        "eigenvalues": nums["eigenvalues"],
        "numbers": nums,
        "explanation": fmt.sentence(parts),
    }


def live(t: Table, i: int) -> dict[str, Any]:
    kind = KINDS_LIVE[t.kind[i]]
    if kind in ("minimum", "saddle", "maximum", "plateau"):
        return _safe_dict(critical(t, i, kind))
    return _safe_dict(_BUILD[kind](t, i))


def json_safe(v: Any) -> Any:
    """A verdict is plain JSON, which has no inf or NaN: a non-finite number becomes None
    (the sentences already show such a number as "∞" or "—")."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_safe(x) for x in v]
    return v


_PLAIN = (int, bool, str, type(None))


def _safe_dict(v: dict[str, Any]) -> dict[str, Any]:
    """``json_safe`` of a freshly built card, in place (its dicts are its own), with the same
    values: a call per dict instead of one per number, which a thousand cards notice (x - x
    is 0 exactly when x is finite). The explanation holds strings only (``fmt.sentence``)."""
    for k, x in v.items():
        tx = type(x)
        if tx is float:
            if x - x != 0.0:
                v[k] = None
        elif tx is list or tx is tuple:
            v[k] = [
                (y if y - y == 0.0 else None) if type(y) is float else (y if type(y) in _PLAIN else json_safe(y))
                for y in x
            ]
        elif tx is dict:
            if k != "explanation":
                _safe_dict(x)
        elif tx not in _PLAIN:
            v[k] = json_safe(x)
    return v


_BUILD = {
    "oscillating": oscillating,
    "diverging": diverging,
    "stopped": stopped,
    "crawling": crawling,
    "moving": moving,
}


def diverged(
    step: int, reason: str, onset: int | None, cause: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A run cut at its first invalid point ``step``; ``reason`` says why ('bound', or from
    the engine's cut step 'overflow', 'undefined', 'zero_division', 'domain'; 'nonfinite'
    without one), ``cause`` what failed (``lab.cut.Cause.to_dict``); ``onset``: the step
    since which its loss had been growing, if it had."""
    values: dict[str, Any] = {"step": fmt.count(step)}
    numbers: dict[str, Any] = {"steps_run": step, "reason": reason, "onset_step": onset}
    if cause is not None and reason != "bound":
        values["what"] = both(f"cut.what.{cause['quantity']}", field=cause.get("field", ""))
        point = cause.get("point")
        values["point"] = fmt.vec(point) if point is not None else ""
        numbers.update(json_safe({k: v for k, v in cause.items() if k != "reason"}))
    parts: Parts = [("verdict.diverged." + reason, values)]
    if onset is not None:
        parts.append(("verdict.clause.onset", {"onset": fmt.count(onset)}))
    return {
        "kind": "diverged",
        "step": step,
        "reason": reason,
        "numbers": numbers,
        "explanation": fmt.sentence(parts),
    }
