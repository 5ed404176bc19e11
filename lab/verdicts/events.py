"""The events of a run, read from its summary: bursts, an unusual first step, the onset of
divergence, saddles (or maxima) it came close to and left.

Each event is a dict with ``kind``, ``step`` and its numbers, plus ``text`` ({"en", "zh"}); a
verdict carries the list and one line that tells them (``events_text``), e.g. "3 bursts of
the loss, at steps 229, 624 and 1138; first step 10× the median of the next 10 steps, …".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.text import LANGS, t
from lab.verdicts import fmt
from lab.verdicts.judge import Objective
from lab.verdicts.model import eig2
from lab.verdicts.stream import Summary
from lab.verdicts.thresholds import FIRST_STEP_RATIO, FLAT_TOL, GRAD_TOL, NEAR_FRAC, NOISE_RISE

Array = np.ndarray


def first_step_ratios(s: Summary) -> tuple[Array, Array]:
    """(m,) the first step's length over the median length of the next FIRST_STEPS steps
    (NaN where there are fewer than two), and (m,) whether the loss rose on the first step."""
    with np.errstate(all="ignore"):
        d = np.linalg.norm(np.diff(s.first_points, axis=0), axis=-1)
        later = d[1:]
        enough = np.sum(np.isfinite(later), axis=0) >= 2
        median = np.nanmedian(np.where(enough, later, 1.0), axis=0)
        ratio = d[0] / median
        rose = s.first_loss[1] > s.first_loss[0]
    return np.where(enough & np.isfinite(ratio) & (ratio > 0), ratio, np.nan), rose


def _newton(obj: Objective, p: Array, runs: Array, zero: Array) -> Array:
    """One Newton step towards the stationary point of the local model at each point."""
    g = obj.grad_at(p, runs)
    e, vec = eig2(obj.hessian_at(p, runs))
    trusted = np.abs(e) > zero
    along = np.einsum("kji,kj->ki", vec, g)
    step = np.where(trusted, along / np.where(trusted, e, 1.0), 0.0)
    return p - np.einsum("kji,ki->kj", vec, step)


def first_step_unusual(ratio: Array, rose: Array) -> Array:
    """Where the first step is an event (see ``FIRST_STEP_RATIO``)."""
    with np.errstate(invalid="ignore"):
        return ((ratio >= FIRST_STEP_RATIO) & rose) | (ratio <= 1 / FIRST_STEP_RATIO)


def left_critical(
    obj: Objective, s: Summary, curv: Array, grad_scale: Array, final: Array
) -> list[list[dict[str, Any]]]:
    """Per run, the saddles (and maxima) its path came close to and left.

    From the point of smallest gradient norm of each stretch of the path, two Newton steps:
    Newton's method converges quadratically near a non-degenerate critical point, so from
    within reach of one they land on it (the gradient there below GRAD_TOL of the surface's
    typical gradient), and from elsewhere they do not. A point so found counts when it has a
    negative curvature, lies within NEAR_FRAC of the run's extent of the path and farther than
    that from ``final`` (m, 2), where the run ended. One entry per distinct point, at the step
    of its closest pass."""
    b = s.bins
    m = b.value.shape[1]
    out: list[list[dict[str, Any]]] = [[] for _ in range(m)]
    # Only where the gradient has a dip: a stretch whose smallest gradient norm is no larger
    # than its neighbours' (passing a critical point, the gradient falls and rises again).
    v = b.value
    pad = np.full((1, m), np.inf)
    ok = np.isfinite(v) & (v <= np.concatenate([pad, v[:-1]])) & (v <= np.concatenate([v[1:], pad]))
    if not ok.any():
        return out
    r, j = np.nonzero(ok)
    p = b.point[r, j]
    zero = FLAT_TOL * curv[j][:, None]
    with np.errstate(all="ignore"):
        target = _newton(obj, _newton(obj, p, j, zero), j, zero)
        e, _ = eig2(obj.hessian_at(target, j))
        flat = np.linalg.norm(obj.grad_at(target, j), axis=-1) <= GRAD_TOL * grad_scale[j]
        near = NEAR_FRAC * s.extent[j]
        dist = np.linalg.norm(target - p, axis=-1)
        gone = np.linalg.norm(final[j] - target, axis=-1) > near
    hit = flat & (e[:, 0] < -zero[:, 0]) & (np.abs(e[:, 1]) > zero[:, 0]) & (dist <= near) & gone
    for k in np.flatnonzero(hit)[np.argsort(dist[hit], kind="stable")].tolist():
        run = int(j[k])
        if any(np.linalg.norm(x["saddle"] - target[k]) <= near[k] for x in out[run]):
            continue
        # Newton's steps land on the point to rounding: below 1e-9 of the plot it is zero.
        at = np.where(np.abs(target[k]) < 1e-9 * s.scale.diag[run], 0.0, target[k])
        out[run].append(
            {
                "kind": "left_maximum" if e[k, 1] < 0 else "left_saddle",
                "step": int(b.at[r[k], run]),
                "saddle": at,
                "eigenvalues": e[k],
                "distance": float(dist[k]),
            }
        )
    return out


def noise_bursts(s: Summary, j: int, hover: bool) -> int:
    """How many of run j's kept bursts are its noise's wander (``hover``: it hovers at a
    minimum within its gradient noise; else none)."""
    if not hover:
        return 0
    b = s.bursts
    return sum(not _above_noise(s, j, i) for i in range(int(min(b.count[j], b.kept))))


def _above_noise(s: Summary, j: int, i: int) -> bool:
    base, peak = float(s.bursts.base[j, i]), float(s.bursts.value[j, i])
    return peak - base > NOISE_RISE * abs(base)


def _bursts(s: Summary, j: int, hover: bool = False) -> list[dict[str, Any]]:
    """Run j's bursts (hovering within its noise: only those rising above it, NOISE_RISE)."""
    b = s.bursts
    out = []
    for i in range(int(min(b.count[j], b.kept))):
        if hover and not _above_noise(s, j, i):
            continue
        base, peak = float(b.base[j, i]), float(b.value[j, i])
        start, at = int(b.start[j, i]), int(b.at[j, i])
        values = {"step": fmt.count(start), "base": fmt.num(base), "peak": fmt.num(peak), "at": fmt.count(at)}
        out.append(
            {
                "kind": "burst",
                "step": start,
                "peak_step": at,
                "end_step": int(b.end[j, i]) if b.end[j, i] >= 0 else None,
                "base_loss": base,
                "peak_loss": peak,
                "height": peak - base,
                "text": fmt.sentence([("event.burst.one", values)]),
            }
        )
    return out


def _first_step(s: Summary, j: int, ratio: float, rose: bool) -> list[dict[str, Any]]:
    if not first_step_unusual(np.float64(ratio), np.bool_(rose)):
        return []
    large = ratio >= FIRST_STEP_RATIO and rose
    f0, f1 = float(s.first_loss[0, j]), float(s.first_loss[1, j])
    key = "event.first_step.large" if large else "event.first_step.small"
    later = np.linalg.norm(np.diff(s.first_points[:, j], axis=0), axis=-1)[1:]
    n = int(np.sum(np.isfinite(later)))  # the steps whose median it is measured against
    values = {"ratio": fmt.num(ratio if large else 1 / ratio), "l0": fmt.num(f0), "l1": fmt.num(f1), "n": fmt.count(n)}
    return [
        {
            "kind": "first_step",
            "step": 0,
            "ratio": ratio,
            "loss_before": f0,
            "loss_after": f1,
            "text": fmt.sentence([(key, values)]),
        }
    ]


def _passed(x: dict[str, Any]) -> dict[str, Any]:
    values = {"step": fmt.count(x["step"]), "eig": fmt.nums(x["eigenvalues"]), "at": fmt.vec(x["saddle"])}
    return {
        "kind": x["kind"],
        "step": x["step"],
        "point": [float(v) for v in x["saddle"]],
        "eigenvalues": [float(v) for v in x["eigenvalues"]],
        "distance": x["distance"],
        "text": fmt.sentence([("event." + x["kind"], values)]),
    }


def for_run(
    s: Summary,
    j: int,
    first: tuple[float, bool],
    passed: list[dict[str, Any]],
    onset: int | None,
    hover: bool = False,
) -> list[dict[str, Any]]:
    """The events of run j, in step order (``hover``: it hovers at a minimum within its
    gradient noise, where the loss's wander is not a burst)."""
    out = _bursts(s, j, hover) + _first_step(s, j, *first) + [_passed(x) for x in passed]
    if onset is not None:
        text = fmt.sentence([("event.onset", {"step": fmt.count(onset)})])
        out.append({"kind": "divergence_onset", "step": int(onset), "text": text})
    out.sort(key=lambda e: e["step"])
    return out


def line(events: list[dict[str, Any]], bursts_total: int) -> dict[str, str] | None:
    """One line telling the events: the bursts together, then the others in step order."""
    if not events:
        return None
    steps = [fmt.count(e["step"]) for e in events if e["kind"] == "burst"]
    out = {}
    for lang in LANGS:
        parts = []
        if steps:
            listed = fmt.listing(steps, lang)
            if bursts_total > len(steps):
                listed += t("list.more", lang)
            key = "event.bursts" if bursts_total > 1 else "event.burst"
            parts.append(t(key, lang, count=bursts_total, steps=listed))
        parts += [e["text"][lang] for e in events if e["kind"] != "burst"]
        out[lang] = t("list.join", lang).join(parts)
    return out
