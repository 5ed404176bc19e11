"""What an optimizer is here: hyperparameter specs plus a pure, batched update rule.

An update rule sees every run of one optimizer at once. Points, gradients and state are
arrays of shape (n_runs, 2); a numeric hyperparameter is an array of shape (n_runs, 1)
so that runs with different values step together; a switch (amsgrad, centered, ...) is a
:class:`Switch` that picks per run with ``np.where`` only when the runs disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from core.params import Param

Array = np.ndarray
State = dict[str, Array]


class Switch(NamedTuple):
    """A boolean hyperparameter over runs; ``pick`` avoids np.where when all runs agree."""

    mask: Array  # shape (n_runs, 1), dtype bool
    all: bool
    any: bool

    @classmethod
    def of(cls, values: Array) -> Switch:
        m = np.asarray(values, dtype=bool).reshape(-1, 1)
        return cls(m, bool(m.all()), bool(m.any()))

    def pick(self, if_true: Array, if_false: Array) -> Array:
        if self.all:
            return if_true
        if not self.any:
            return if_false
        return np.where(self.mask, if_true, if_false)


class StepOut(NamedTuple):
    theta: Array  # the next point, (n, 2)
    state: State
    effective_lr: Array  # the per-parameter step size eta / sigma (or eta), (n, 2)


Hyper = dict[str, Any]  # name -> (n, 1) float array or Switch
InitFn = Callable[[Array, Hyper], State]
StepFn = Callable[[Array, Array, State, Array, int, Hyper], StepOut]


@dataclass(frozen=True)
class Optimizer:
    """A named optimizer: hyperparameters, ``init(theta, hp)`` and ``step(theta, g, state, lr, t, hp)``.

    ``t`` counts steps from 1 like torch's ``state['step']``; ``lr`` is the (scheduled)
    learning rate of this step, shape (n_runs, 1).
    """

    name: str
    params: tuple[Param, ...]
    init: InitFn
    step: StepFn
    title: dict[str, str]
    follows: str  # "torch" or "lecture"
    formula: str  # the update rule in LaTeX
    check: Callable[[dict[str, Any]], str | None] = lambda p: None  # cross-parameter rule
    state_names: tuple[str, ...] = ()
    fixed: dict[str, Any] = field(default_factory=dict)  # values this name pins (amsgrad=True)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}
