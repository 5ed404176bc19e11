"""Bounded work: a scenario's cost estimated before it runs, refused beyond a budget, and a hard
deadline inside the step loop as the safety net for a bad estimate.

The estimate follows the engine's structure. Each step makes one gradient call on all R runs
(``Surface.grad_cost.seconds(R)``, measured per surface) and one update per optimizer group
of n runs (``call + row × n``, calibrated per optimizer), plus the loop's own bookkeeping;
after the loop the loss pass and the verdicts cost about the same per run-step whatever the
optimizer, plus a little per run:

    seconds ≈ steps × (loop + Σ_groups (call + row × n) + grad(R)) + steps × R × after + R × verdict

The engine's constants were calibrated on the 2-core development machine by
``benchmarks/budget.py --calibrate`` (fastest of several rounds: the least disturbed); the same
script compares the estimate with ``simulate``'s time over a table of scenarios. Read the
estimate as good to a factor of about 2.

``BUDGET_SECONDS`` is the app's budget per request (about 3 s of CPU); the command line takes
``--budget``. ``simulate(..., budget=b)`` refuses an estimate above b with a ``BudgetError``
that says what to lower, and stops the loop when its thread has used ``HARD_LIMIT`` × the
larger of b and the estimate in CPU seconds (``WorkLimitError``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from core.text import t
from lab.scenario import Scenario
from surfaces.base import Surface

BUDGET_SECONDS = 3.0  # the app's work budget per request: seconds of CPU on this machine
MAX_BUDGET = 3600.0  # the most the command line's --budget may allow
# The loop's deadline is this many times the budget (or the estimate, if larger): the
# estimate's measured/predicted ratio stays within about 0.5 ... 2 (benchmarks/budget.py),
# so only an estimate wrong by more than its known spread meets the deadline.
HARD_LIMIT = 2.0


@dataclass(frozen=True)
class StepCost:
    """Seconds one optimizer group's update takes per step: ``call + row × runs``."""

    call: float
    row: float

    def seconds(self, runs: int) -> float:
        return self.call + self.row * runs


# Calibrated by ``benchmarks/budget.py --calibrate`` (see the README's "Links, limits and
# bad input"). LOOP: the step loop's own work per step (gradient norm, stores, checks);
# RECORD: recording the state (the app's ``record_state``) per group and step;
# AFTER_ROW: the loss pass and the verdicts per run-step; VERDICT_RUN: per run.
LOOP = StepCost(call=2.7e-6, row=0.0)
RECORD = StepCost(call=3.1e-6, row=2.0e-7)
SCHEDULED = StepCost(call=0.0, row=6.0e-10)  # a group whose runs' lr is a per-step column
NOISY = StepCost(call=0.0, row=1.3e-7)  # adding the gradient noise
AFTER_ROW = 1.5e-7
VERDICT_RUN = 5.1e-5
OPTIMIZER_COST: dict[str, StepCost] = {
    "sgd": StepCost(1.23e-05, 9.10e-08),
    "momentum": StepCost(1.49e-05, 9.20e-08),
    "nesterov": StepCost(1.55e-05, 1.08e-07),
    "adagrad": StepCost(1.13e-05, 1.22e-07),
    "rmsprop": StepCost(1.44e-05, 1.10e-07),
    "adam": StepCost(1.94e-05, 9.20e-08),
    "amsgrad": StepCost(1.80e-05, 1.20e-07),
    "adamw": StepCost(1.98e-05, 1.31e-07),
    "nadam": StepCost(2.72e-05, 1.39e-07),
    "radam": StepCost(3.26e-05, 1.61e-07),
    "adadelta": StepCost(1.80e-05, 1.06e-07),
    "adagrad_lecture": StepCost(1.71e-05, 1.06e-07),
    "rmsprop_lecture": StepCost(2.25e-05, 1.13e-07),
}
DEFAULT_COST = StepCost(2.0e-5, 1.0e-7)  # an optimizer added later and not yet calibrated


class BudgetError(ValueError):
    """A scenario whose estimated work is over the budget. ``str()`` is the English message;
    ``text(lang)`` the message in the app's language."""

    def __init__(self, key: str, **values: Any) -> None:
        self.key = key
        self.values = values
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        # A value given as (key, values) is a phrase of the catalog, taken in ``lang``.
        values = {
            k: t(v[0], lang, **v[1]) if isinstance(v, tuple) else v for k, v in self.values.items()
        }
        return t(self.key, lang, **values)


class WorkLimitError(BudgetError):
    """The step loop passed its deadline: the estimate was wrong by more than its spread."""


@dataclass(frozen=True)
class Estimate:
    """A scenario's estimated seconds: ``fixed + per_step × steps``."""

    fixed: float
    per_step: float
    steps: int
    runs: int

    @property
    def seconds(self) -> float:
        return self.fixed + self.per_step * self.steps

    def steps_within(self, budget: float) -> int:
        """The most steps this scenario could run within ``budget``."""
        return max(0, math.floor((budget - self.fixed) / self.per_step))


def _groups(sc: Scenario, runs: int) -> list[tuple[str, int, bool]]:
    """(optimizer, runs, scheduled) of each optimizer group among the first ``runs`` runs."""
    chosen = sc.runs[:runs]
    out = []
    for name in dict.fromkeys(r.optimizer for r in chosen):
        mine = [r for r in chosen if r.optimizer == name]
        out.append((name, len(mine), any(r.schedule is not None for r in mine)))
    return out


def estimate(
    sc: Scenario, surface: Surface, record_state: bool = False, runs: int | None = None
) -> Estimate:
    """The work of ``sc`` (or of its first ``runs`` runs) on ``surface``, in seconds."""
    n = len(sc.runs) if runs is None else runs
    grad = surface.grad_cost
    per_step = LOOP.seconds(n) + grad.seconds(n)
    for name, k, scheduled in _groups(sc, n):
        per_step += OPTIMIZER_COST.get(name, DEFAULT_COST).seconds(k)
        if record_state:
            per_step += RECORD.seconds(k)
        if scheduled:
            per_step += SCHEDULED.seconds(k)
    if any(sc.run_noise(i) > 0 for i in range(len(sc.runs))):
        per_step += NOISY.seconds(n)
    # The loss pass evaluates the surface at every point once, like a gradient call's share.
    per_step += n * (AFTER_ROW + grad.point)
    return Estimate(fixed=n * VERDICT_RUN + grad.call, per_step=per_step, steps=sc.steps, runs=n)


def _round_down(v: int) -> int:
    """Two significant digits, rounded down: 33,333 -> 33,000."""
    if v < 100:
        return v
    scale = 10 ** (len(str(v)) - 2)
    return v // scale * scale


def _runs_within(sc: Scenario, surface: Surface, budget: float, record: bool) -> int:
    """The most runs (the first ones, in order) whose work fits the budget; 0 if none."""
    fit = 0
    for k in range(1, len(sc.runs)):
        if estimate(sc, surface, record, runs=k).seconds <= budget:
            fit = k
    return fit


def check_budget(
    sc: Scenario, surface: Surface, budget: float, record_state: bool = False
) -> float:
    """The estimated seconds of ``sc``; ``BudgetError`` when they exceed ``budget``, with
    the steps (and the number of runs) that would fit."""
    est = estimate(sc, surface, record_state)
    if est.seconds <= budget:
        return est.seconds
    steps = _round_down(est.steps_within(budget))
    runs = _runs_within(sc, surface, budget, record_state)
    n = len(sc.runs)
    values = {
        "runs": ("budget.runs.one" if n == 1 else "budget.runs.many", {"n": n}),
        "steps": f"{sc.steps:,}",
        "where": ("budget.where.formula", {})
        if surface.name == "custom"
        else ("budget.where.builtin", {"name": surface.name}),
        "seconds": f"{est.seconds:.2g}",
        "budget": f"{budget:g}",
        "max_steps": f"{steps:,}",
        "max_runs": runs,
    }
    if steps >= 1 and runs >= 1:
        raise BudgetError("budget.over.steps_or_runs", **values)
    if steps >= 1:
        raise BudgetError("budget.over.steps", **values)
    raise BudgetError("budget.over.nothing", **values)


class Deadline:
    """The loop's hard stop: CPU seconds of the calling thread (other sessions' work does not
    count), checked every few hundred steps."""

    def __init__(self, limit: float, steps: int) -> None:
        self.limit = limit
        self.steps = steps
        self.started = time.thread_time()

    @classmethod
    def after(cls, estimated: float, steps: int, budget: float | None = None) -> Deadline:
        return cls(HARD_LIMIT * max(estimated, budget or 0.0, 0.1), steps)

    def check(self, step: int) -> None:
        used = time.thread_time() - self.started
        if used > self.limit:
            raise WorkLimitError(
                "budget.deadline",
                step=f"{step:,}",
                steps=f"{self.steps:,}",
                seconds=f"{used:.2g}",
                limit=f"{self.limit:.2g}",
            )
