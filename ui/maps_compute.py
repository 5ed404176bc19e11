"""The Maps view's computing: the sweeps of a scenario under the view's settings, bounded by the
app's map budget and cached (no Streamlit here; the view passes a progress callback).

A map's work is estimated by ``lab.budget.estimate`` as if its cells were runs of the scenario
(the sweep steps them through the engine's own step, so the engine's calibration holds: 3.1 s
estimated, 2.7 s measured for the 100 x 100 Adam map on Rosenbrock x 1,000 steps).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from typing import Any

from core.text import t
from lab import SweepResult, parse_scenario, sweep
from lab.budget import estimate
from lab.scenario import Scenario
from ui.lru import Lru
from ui.maps_model import MapSettings

# The app's budget for one map (both panels together), in estimated seconds of CPU. Larger
# than a run's (lab.budget.BUDGET_SECONDS = 3 s): the view shows a progress bar, and the
# sweep's own limit (lab.sweep_spec.MAX_CELL_STEPS, a 200 x 200 map of 1,000 steps, about
# 12 s by the estimate on this machine) is what it is meant to reach.
MAP_BUDGET_SECONDS = 15.0
KEEP = 6  # maps kept (a 200 x 200 map holds ~10 arrays of 40,000 numbers: about 4 MB)

Progress = Callable[[float], None]


class MapBudgetError(ValueError):
    """A map over the app's budget; ``text(lang)`` says why and what to lower."""

    def __init__(self, seconds: float, cells: int, steps: int) -> None:
        self.values = {"seconds": f"{seconds:.2g}", "budget": f"{MAP_BUDGET_SECONDS:g}", "cells": f"{cells:,}", "steps": f"{steps:,}"}
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        return t("maps.ui.over_budget", lang, **self.values)


MAPS: Lru[SweepResult] = Lru(KEEP, size=lambda _: 1)  # sweeps by their scenario's canonical JSON


def map_scenarios(scenario: dict[str, Any], settings: MapSettings) -> list[Scenario]:
    """One validated scenario per panel: the page's scenario with the sweep of that run.
    Raises ScenarioError (a ValueError) naming the key, value and what is allowed."""
    return [parse_scenario({**scenario, "sweep": settings.sweep(run)}) for run in settings.runs()]


def cells_of(sc: Scenario) -> int:
    assert sc.sweep is not None
    return math.prod(sc.sweep[a]["n"] for a in ("x", "y") if a in sc.sweep)


def estimated_seconds(sc: Scenario) -> float:
    """The map's work as the engine's estimate for its cells as runs (module docstring)."""
    assert sc.sweep is not None
    run = sc.runs[sc.sweep["run"]]
    cells = dataclasses.replace(sc, runs=(run,) * cells_of(sc), sweep=None)
    return estimate(cells, sc.build_surface()).seconds


def check_budget(scenarios: list[Scenario]) -> None:
    """MapBudgetError when the panels' maps together are over the app's budget (cached maps are
    free)."""
    todo = [sc for sc in scenarios if MAPS.get(key_of(sc)) is None]
    seconds = sum(estimated_seconds(sc) for sc in todo)
    if seconds > MAP_BUDGET_SECONDS:
        raise MapBudgetError(seconds, sum(cells_of(sc) for sc in todo), scenarios[0].steps)


def key_of(sc: Scenario) -> str:
    return json.dumps(sc.to_dict(), sort_keys=True)


def compute_maps(scenarios: list[Scenario], progress: Progress | None = None) -> list[SweepResult]:
    """Every panel's sweep, from the cache or computed (within the budget: ``check_budget``
    first); ``progress(fraction)`` runs over all panels to compute."""
    check_budget(scenarios)
    out = []
    todo = [sc for sc in scenarios if MAPS.get(key_of(sc)) is None]
    done = 0
    for sc in scenarios:
        res = MAPS.get(key_of(sc))
        if res is None:
            k = done

            def report(f: float, k: int = k) -> None:
                if progress is not None:
                    progress(min(1.0, (k + f) / len(todo)))

            res = sweep(sc, progress=report)
            MAPS.put(key_of(sc), res)
            done += 1
        out.append(res)
    return out
