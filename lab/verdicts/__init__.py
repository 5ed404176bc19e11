"""What happened to each run: the verdict, judged from a summary of the run.

One code path: a run's points go through an ``Accumulator`` (fed in chunks of any size: the
engine feeds its stored arrays, a sweep its steps as they come), whose ``Summary`` holds what
the rules read; ``judge(surface, summary, noise)`` turns it into one verdict dict per run.

    acc = Accumulator(surface, runs=m, steps=n, l2=l2)      # l2: per-run L2 weight decay
    for k in range(n + 1):                                  # or acc.feed_arrays(traj, loss, g)
        acc.feed(points[k][None], loss[k][None], grad_norm[k][None])
    verdicts = judge(surface, acc.summary(), noise=0.1)     # noise: std, a NoiseModel, None

``lab.diagnostics.verdicts`` does exactly that for stored arrays. The rules, their thresholds
and the mathematics behind each are in ``lab.verdicts.thresholds`` and the README.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache, partial
from typing import Any

import numpy as np

from lab.verdicts import cards, events
from lab.verdicts.judge import KINDS_LIVE, Objective, decide
from lab.verdicts.lazy import Verdicts, gather
from lab.verdicts.noise import IsotropicNoise, NoiseModel, as_noise
from lab.verdicts.scales import RunScales, Scales, surface_scales
from lab.verdicts.stream import REASONS, Accumulator, Summary
from lab.verdicts.thresholds import BURST_FRAC, RESOLUTION, THRESHOLDS
from surfaces.base import Surface

KINDS = (*KINDS_LIVE, "diverged")


def judge(
    surface: Surface,
    summary: Summary,
    noise: NoiseModel | float | None = None,
    causes: Sequence[Mapping[str, Any] | None] | None = None,
) -> Verdicts:
    """One verdict dict per run of ``summary``, as a ``Verdicts`` sequence: every run's kind
    is decided here (``.kinds``), its card (dict, sentences, events) written when first read.
    ``causes`` (per run, from the engine's cut step, ``lab.cut.Cause.to_dict``) tells why a cut
    run stopped; without it the summary's own reason ("bound" or "nonfinite") is given.

    Runs near a pole or an overflow have curvatures and gradients beyond float64; the rules
    then compare infinities (an overflow is a fact about the run, not an error), and the
    verdict's numbers are made plain JSON (non-finite -> None), so no warning leaks."""
    with np.errstate(all="ignore"):
        return _judge(surface, summary, noise, causes)


def _judge(
    surface: Surface,
    summary: Summary,
    noise: NoiseModel | float | None,
    causes: Sequence[Mapping[str, Any] | None] | None = None,
) -> Verdicts:
    noise = as_noise(noise)
    s = summary
    m = s.runs
    curv = s.scale.curv
    obj = Objective(surface, s.l2)
    grad_scale = s.scale.grad
    passed = events.left_critical(obj, s, curv, grad_scale, s.tail_points[-1])
    ratio, rose = events.first_step_ratios(s)
    first = list(zip(ratio.tolist(), rose.tolist(), strict=True))
    # Runs with nothing to tell skip the events' code: no burst, no unusual first step, no
    # saddle passed (the onset of a diverging run is added below).
    quiet = ((s.bursts.count == 0) & ~events.first_step_unusual(ratio, rose)).tolist()
    cut = s.cut >= 0
    kinds = ["diverged"] * m
    row = [-1] * m  # a live run's row in the decision
    live = np.flatnonzero(~cut)
    table = None  # the decision as Python lists (cards.Table), made at the first card read
    if len(live):
        d = decide(surface, s, live, noise)
        best = surface.min_value()
        minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
        if best is not None and len(minima):
            minima = minima[np.asarray(surface.value(minima)) <= best + 1e-9 * max(1.0, abs(best))]
        table = cache(partial(cards.Table, s, d, live, best, minima, noise is not None))
        for i, (j, k) in enumerate(zip(live.tolist(), d.kind.tolist(), strict=True)):
            kinds[j], row[j] = KINDS_LIVE[k], i

    def write(j: int) -> dict[str, Any]:
        """The card of run j (the decision above is all it reads)."""
        with np.errstate(all="ignore"):
            if row[j] < 0:
                onset = _onset(s, j)
                cause = causes[j] if causes is not None else None
                reason = cause["reason"] if cause else REASONS[int(s.cut_reason[j])]
                v = cards.diverged(int(s.cut[j]), reason, onset, cause)
                return _with_events(v, s, j, first[j], passed[j], onset)
            v = cards.live(table(), row[j])  # type: ignore[misc]
            if quiet[j] and not passed[j] and v["kind"] != "diverging":
                v["events"] = []
                return v
            onset = v["numbers"].get("onset_step") if v["kind"] == "diverging" else None
            hover = v["kind"] == "minimum" and bool(v["numbers"].get("within_noise"))
            return _with_events(v, s, j, first[j], passed[j], onset, hover)

    return Verdicts(kinds, write)


def _onset(s: Summary, j: int) -> int | None:
    """The step since which a cut run's loss had been growing: its lowest point, when the
    loss rose well above it before the cut."""
    width = max(s.start_loss[j] - s.lowest_loss[j], RESOLUTION * s.scale.loss[j])
    last = s.tail_loss[-1, j]
    grew = last > s.lowest_loss[j] + BURST_FRAC * width
    return int(s.lowest_step[j]) if grew and s.lowest_step[j] < s.cut[j] - 1 else None


def _with_events(v, s, j, first, passed, onset, hover=False):  # type: ignore[no-untyped-def]
    evs = events.for_run(s, j, first, passed, onset, hover)
    v["events"] = evs
    text = events.line(evs, int(s.bursts.count[j]) - events.noise_bursts(s, j, hover))
    if text is not None:
        v["events_text"] = text
    return v


__all__ = [
    "KINDS",
    "THRESHOLDS",
    "Accumulator",
    "IsotropicNoise",
    "NoiseModel",
    "RunScales",
    "Scales",
    "Summary",
    "Verdicts",
    "gather",
    "judge",
    "surface_scales",
]
