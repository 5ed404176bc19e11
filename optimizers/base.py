"""What an optimizer is here: parameter specs, a hyperparameter builder and a pure, batched rule.

An update rule sees every run of one optimizer at once. Points, gradients and state arrays
have shape (n_runs, 2). A numeric hyperparameter is one float when every run of the group
agrees (scalar arithmetic is much cheaper than element-wise work on an array) and an
(n_runs, 1) array when they differ; a switch (amsgrad, centered, ...) is a :class:`Switch`
that picks per run with ``np.where`` only where the runs disagree. Each family module
(``sgd``, ``adagrad``, ``rmsprop``, ``adam``, ``nadam``, ``radam``, ``adadelta``) keeps side
by side its state and hyperparameters as NamedTuples, the one function that builds the
hyperparameters from the runs' resolved parameters, ``init``, ``step``, the parameter specs
and the LaTeX of the exact variant a run uses.

Indexing in every formula: ``t`` counts steps from 0 as the lecture does (θ⁰ is the start,
g⁰ its gradient, η^t the learning rate of step t), so torch's step count is t + 1 and a
bias correction reads 1 − β^{t+1}. ``step`` itself receives torch's count (from 1).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from core.params import Param
from core.text import both

Array = np.ndarray
Num = float | Array  # a hyperparameter over runs: one float when the runs agree, else (n, 1)
Runs = Sequence[Mapping[str, Any]]  # the resolved parameters of the runs of one group


class Switch(NamedTuple):
    """A boolean hyperparameter over runs; ``pick`` avoids np.where when all runs agree."""

    mask: Array  # shape (n_runs, 1), dtype bool
    all: bool
    any: bool

    @classmethod
    def of(cls, values: Any) -> Switch:
        m = np.asarray(values, dtype=bool).reshape(-1, 1)
        return cls(m, bool(m.all()), bool(m.any()))

    def pick(self, if_true: Any, if_false: Any) -> Any:
        if self.all:
            return if_true
        if not self.any:
            return if_false
        return np.where(self.mask, if_true, if_false)


class StepOut(NamedTuple):
    theta: Array  # the next point, (n, 2)
    state: Any  # the family's state NamedTuple after the step
    effective_lr: Array  # the per-parameter step size eta / sigma (or eta), (n, 2)


def column(values: Sequence[float]) -> Num:
    """A number over runs: one float when every run agrees, else an (n, 1) array."""
    if all(v == values[0] for v in values):
        return float(values[0])
    return np.array(values, dtype=float).reshape(-1, 1)


def switch(values: Sequence[bool]) -> Switch:
    return Switch.of(np.array(values, dtype=bool))


def lerp_switch(weights: Sequence[float]) -> Switch:
    """Which runs' ``lerp`` weight is below 0.5 in magnitude (torch picks its formula by it)."""
    return switch([abs(w) < 0.5 for w in weights])


class Decay(NamedTuple):
    """Weight decay over runs: λ, whether any run has one, and which runs decouple it.

    L2 (torch's default, and the only form this lab offers for SGD, Adagrad, RMSProp and
    Adadelta) adds λθ to the gradient before anything else; decoupled decay (AdamW, and NAdam / RAdam with
    ``decoupled_weight_decay``) shrinks θ by (1 − η^t λ) first, with this step's scheduled
    learning rate, and leaves the gradient alone.
    """

    lam: Num
    any: bool
    decoupled: Switch

    @classmethod
    def of(cls, runs: Runs) -> Decay:
        lam = column([r["weight_decay"] for r in runs])
        dec = switch([bool(r.get("decoupled_weight_decay", False)) for r in runs])
        return cls(lam, bool(np.any(lam != 0)), dec)

    def l2(self, g: Array, theta: Array) -> Array:
        """g + λθ (the L2 form)."""
        return g + self.lam * theta if self.any else g

    def apply(self, theta: Array, g: Array, lr: Num) -> tuple[Array, Array]:
        """(θ, g) after decay: decoupled runs shrink θ, the others add λθ to g."""
        if not self.any:
            return theta, g
        if not self.decoupled.any:
            return theta, g + self.lam * theta
        dec = self.decoupled
        return dec.pick(theta * (1 - lr * self.lam), theta), dec.pick(g, g + self.lam * theta)


def _no_check(p: Mapping[str, Any]) -> str | None:
    return None


Moments = tuple[Array | None, Array | None]  # (σ, m) per step and coordinate, (k, 2); None: the family has none
States = Mapping[str, Array]  # a run's recorded state: field -> (k, 2), after each step


def no_moments(state: States, p: Mapping[str, Any], t: Array) -> Moments:
    return None, None


@dataclass(frozen=True)
class Optimizer:
    """A named optimizer: its parameters and the pure functions of its family.

    * ``hyper(runs)``: the family's hyperparameter NamedTuple from the resolved parameters of
      the runs of one group (every derived switch is made there);
    * ``init(theta, hp)``: the state NamedTuple at the start;
    * ``step(theta, g, state, lr, t, hp) -> StepOut``: one step of every run; ``t`` counts
      from 1 like torch's ``state['step']``, ``lr`` is this step's scheduled learning rate
      (a float when every run shares it, else (n, 1));
    * ``formula(p)``: LaTeX lines of the exact rule a run with resolved parameters ``p``
      uses; ``symbols``: how the lecture writes each state field (the step-numbers panel);
    * ``moments(state, p, t)``: from a run's recorded state (``t``: torch's step counts,
      (k, 1)), the lecture's σ — the per-coordinate scale the step divides the gradient by,
      bias-corrected where the run corrects, without ε — and m, the average of gradients the
      step follows; None where the family has no such quantity (the panel ``moments``).
    """

    name: str
    params: tuple[Param, ...]
    hyper: Callable[[Runs], Any]
    init: Callable[[Array, Any], Any]
    step: Callable[[Array, Array, Any, Num, int, Any], StepOut]
    formula: Callable[[Mapping[str, Any]], list[str]]
    symbols: Mapping[str, str]
    follows: str = "torch"  # or "lecture"
    fixed: Mapping[str, Any] = field(default_factory=dict)  # values the name pins (amsgrad=True)
    check: Callable[[Mapping[str, Any]], str | None] = _no_check  # across parameters
    moments: Callable[[States, Mapping[str, Any], Array], Moments] = no_moments

    @property
    def title(self) -> dict[str, str]:
        return both(f"opt.{self.name}.title")

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def resolve(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults filled in, plus the values the name pins (e.g. amsgrad=True for 'amsgrad')."""
        return {**self.defaults(), **params, **self.fixed}

    def rule(self, params: Mapping[str, Any]) -> list[str]:
        """The LaTeX lines of the rule a run with ``params`` steps by."""
        return self.formula(self.resolve(params))

    @staticmethod
    def l2_decay(resolved: Mapping[str, Any]) -> float:
        """The weight decay a run with these resolved parameters adds to its gradient (0
        where it is decoupled or absent): such a run minimises L + λ/2 |θ|²."""
        p = resolved
        return 0.0 if p.get("decoupled_weight_decay") else float(p.get("weight_decay", 0.0))
