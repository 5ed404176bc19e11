"""The same batch runs over many batch seeds: where each ends when only the order of its
batches changes.

One seed's path is one draw: preset 23's caption said that batches of one sample escape the
narrow well "in all 100 seeds tried", and the screen showed seed 0 only (the lesson review).
``fates`` reruns every batch run of a scenario with the batch seeds 0 .. n-1 (the step loop
alone, ``engine.final_points``: a few tenths of a second for 200 runs of 1,500 steps) and
counts the runs that end at each known minimum of the surface.

A run "ends at" a minimum when its last point is nearer to it than to any other and within
``NEAR`` of the distance to the nearest other minimum (with one minimum: of the map's larger
side); a run hovering within its batch noise stays that close. Anything else (a saddle, a
slope, a run that left the bounds) ends "elsewhere".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lab.engine import final_points
from lab.scenario import MAX_SAMPLE_STEPS, Scenario, ScenarioError, parse_scenario

MAX_SEEDS = 200
NEAR = 0.25  # of the distance to the nearest other minimum (or the map): "at" this minimum


@dataclass(frozen=True)
class Fates:
    """Where run ``run`` ends over the batch seeds 0 .. seeds-1."""

    run: int
    seeds: int
    counts: tuple[int, ...]  # per known minimum, in the surface's order
    elsewhere: int
    elsewhere_at: tuple[float, float] | None = None  # the median of those ends (finite ones)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run, "seeds": self.seeds, "counts": list(self.counts), "elsewhere": self.elsewhere,
            "elsewhere_at": None if self.elsewhere_at is None else list(self.elsewhere_at),
        }  # fmt: skip


def batch_runs(sc: Scenario) -> list[int]:
    """The runs that step on batches smaller than the data set (those a seed changes)."""
    if not (isinstance(sc.surface, dict) and "data" in sc.surface):
        return []
    samples = int(sc.build_surface().samples)  # type: ignore[attr-defined]
    return [i for i in range(len(sc.runs)) if (b := sc.run_batch(i)) is not None and b["size"] < samples]


def check_seeds(seeds: Any) -> int:
    """The number of seeds, or a ScenarioError naming the value and what is allowed."""
    if isinstance(seeds, bool) or not isinstance(seeds, int) or not 0 <= seeds <= MAX_SEEDS:
        raise ScenarioError(f"seeds = {seeds!r}; allowed: a whole number from 0 (off) to {MAX_SEEDS}")
    return seeds


def seeded(sc: Scenario, seeds: int) -> tuple[dict[str, Any], list[int]]:
    """The scenario whose runs are every batch run with each seed 0 .. seeds-1, and the batch
    runs in their order. Refused when the sample indices of all of them would be too many."""
    runs = batch_runs(sc)
    cost = sum(seeds * sc.steps * sc.run_batch(i)["size"] for i in runs)  # type: ignore[index]
    if cost > MAX_SAMPLE_STEPS:
        raise ScenarioError(
            f"seeds x steps x batch sizes = {cost:,}; allowed: at most {MAX_SAMPLE_STEPS:,} sample "
            f"indices (fewer seeds, steps or batch runs)"
        )
    d = sc.to_dict()
    d["runs"] = [
        {**d["runs"][i], "batch": {"size": sc.run_batch(i)["size"], "seed": k}}  # type: ignore[index]
        for i in runs
        for k in range(seeds)
    ]
    return d, runs


def ends_at(ends: np.ndarray, minima: np.ndarray, span: float) -> np.ndarray:
    """Each end point's minimum (its index) or -1 (elsewhere): the nearest one, when within
    ``NEAR`` of the distance from it to the nearest other minimum (one minimum: of ``span``)."""
    if len(minima) == 0:
        return np.full(len(ends), -1)
    d = np.linalg.norm(ends[:, None, :] - minima[None, :, :], axis=-1)  # (runs, minima)
    if len(minima) > 1:
        apart = np.linalg.norm(minima[:, None] - minima[None, :], axis=-1)
        np.fill_diagonal(apart, np.inf)
        reach = NEAR * apart.min(axis=1)
    else:
        reach = np.array([NEAR * span])
    with np.errstate(invalid="ignore"):
        k = np.where(np.all(np.isfinite(d), axis=1), np.argmin(np.where(np.isfinite(d), d, np.inf), axis=1), -1)
        ok = (k >= 0) & (d[np.arange(len(ends)), np.maximum(k, 0)] <= reach[np.maximum(k, 0)])
    return np.where(ok, k, -1)


def fates(scenario: Scenario | dict[str, Any], seeds: int, budget: float | None = None) -> list[Fates]:
    """Every batch run's ends over the batch seeds 0 .. seeds-1 (an empty list for none)."""
    sc = parse_scenario(scenario)
    if check_seeds(seeds) == 0 or not batch_runs(sc):
        return []
    d, runs = seeded(sc, seeds)
    ends = final_points(d, budget)
    surface = sc.build_surface()
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    (x0, x1), (y0, y1) = surface.x_range, surface.y_range
    at = ends_at(ends, minima, max(x1 - x0, y1 - y0))
    out = []
    for j, i in enumerate(runs):
        mine = at[j * seeds : (j + 1) * seeds]
        counts = tuple(int(np.count_nonzero(mine == m)) for m in range(len(minima)))
        away = ends[j * seeds : (j + 1) * seeds][mine < 0]
        away = away[np.all(np.isfinite(away), axis=1)]
        at_ = (float(np.median(away[:, 0])), float(np.median(away[:, 1]))) if len(away) else None
        out.append(Fates(i, seeds, counts, int(np.count_nonzero(mine < 0)), at_))
    return out
