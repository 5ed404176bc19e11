r"""Adadelta: torch's ``Adadelta`` (Zeiler 2012).

With L2 weight decay g^t ← g^t + λθ^t first, t from 0 and v^{-1} = u^{-1} = 0:

    v^t = ρ v^{t-1} + (1 − ρ)(g^t)²
    Δ^t = √(u^{t-1} + ε) / √(v^t + ε) · g^t
    u^t = ρ u^{t-1} + (1 − ρ)(Δ^t)²
    θ^{t+1} = θ^t − η^t Δ^t

Choices where libraries differ: ε sits inside both roots, as in the paper (it is also what
starts the run: with u = 0 the first step is √ε / √(v + ε) · g, tiny for ε = 1e-6); the
paper has no learning rate, torch multiplies Δ by η (default 1.0, the paper's rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from core.params import Float
from optimizers import shared
from optimizers.base import Array, Decay, Num, Optimizer, Runs, StepOut, column


class State(NamedTuple):
    square_avg: Array  # v
    acc_delta: Array  # u


class Hyper(NamedTuple):
    rho: Num
    eps: Num
    decay: Decay


def hyper(runs: Runs) -> Hyper:
    return Hyper(column([r["rho"] for r in runs]), column([r["eps"] for r in runs]), Decay.of(runs))


def init(theta: Array, hp: Hyper) -> State:
    z = np.zeros_like(theta)
    return State(z, z)


def step(theta: Array, g: Array, st: State, lr: Num, t: int, hp: Hyper) -> StepOut:
    g = hp.decay.l2(g, theta)
    rho, eps = hp.rho, hp.eps
    sq = st.square_avg * rho + ((1 - rho) * g) * g
    std = np.sqrt(sq + eps)
    scale = np.sqrt(st.acc_delta + eps) / std
    delta = scale * g
    acc = st.acc_delta * rho + ((1 - rho) * delta) * delta
    return StepOut(theta + (-lr) * delta, State(sq, acc), lr * scale)


def formula(p: Mapping[str, Any]) -> list[str]:
    return [
        *shared.decay_lines(p),
        r"v^t = \rho v^{t-1} + (1-\rho)(g^t)^2,\quad "
        r"\Delta^t = \frac{\sqrt{u^{t-1}+\epsilon}}{\sqrt{v^t+\epsilon}}\, g^t",
        r"u^t = \rho u^{t-1} + (1-\rho)(\Delta^t)^2,\quad \theta^{t+1} = \theta^t - \eta^t \Delta^t",
    ]


OPTIMIZERS = (
    Optimizer(
        "adadelta",
        (
            shared.lr(1.0),
            Float("rho", 0.9, "ρ", high=1.0, scale="near_one"),
            shared.eps(1e-6),
            shared.weight_decay(),
        ),
        hyper,
        init,
        step,
        formula,
        {"square_avg": "v^t", "acc_delta": "u^t"},
    ),
)
