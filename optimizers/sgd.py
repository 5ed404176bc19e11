r"""Gradient descent, heavy-ball momentum and Nesterov momentum: torch's ``SGD``.

With L2 weight decay g^t ← g^t + λθ^t first, then (t from 0)

    b^0 = g^0,   b^t = μ b^{t-1} + (1 − τ) g^t,
    θ^{t+1} = θ^t − η^t b^t                 (heavy ball)
    θ^{t+1} = θ^t − η^t (g^t + μ b^t)       (Nesterov, τ = 0)

and with μ = 0 plain θ^{t+1} = θ^t − η^t g^t (no buffer). Choices where texts differ:

* torch's first buffer is the raw gradient, b^0 = g^0, not (1 − τ) g^0 from b^{-1} = 0;
* the buffer sums gradients and the learning rate multiplies it at each step (torch's
  form). The lecture's velocity form m^t = λ m^{t-1} − η g^t, θ^{t+1} = θ^t + m^t (notes 003;
  also Sutskever et al. 2013) is the same path only while η is constant: with a schedule
  torch rescales the whole buffer by today's η;
* Nesterov is torch's reformulation, the look-ahead folded into g^t + μ b^t, evaluated at
  θ^t; it needs μ > 0 and τ = 0 (torch refuses otherwise);
* dampening τ scales the new gradient only (EMA-like momentum is τ = μ).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from core.params import Float
from optimizers import shared
from optimizers.base import (
    Array,
    Decay,
    Moments,
    Num,
    Optimizer,
    Runs,
    States,
    StepOut,
    Switch,
    column,
    switch,
)


class State(NamedTuple):
    buf: Array  # the momentum buffer b (stays 0 for a run without momentum)


class Hyper(NamedTuple):
    momentum: Num
    dampening: Num
    nesterov: Switch
    uses_buffer: Switch  # momentum != 0
    decay: Decay


def hyper(runs: Runs) -> Hyper:
    mom = [r["momentum"] for r in runs]
    return Hyper(
        momentum=column(mom),
        dampening=column([r["dampening"] for r in runs]),
        nesterov=switch([r["nesterov"] for r in runs]),
        uses_buffer=switch([m != 0 for m in mom]),
        decay=Decay.of(runs),
    )


def init(theta: Array, hp: Hyper) -> State:
    return State(np.zeros_like(theta))


def step(theta: Array, g: Array, st: State, lr: Num, t: int, hp: Hyper) -> StepOut:
    g = hp.decay.l2(g, theta)
    uses = hp.uses_buffer
    if uses.any:
        mom = hp.momentum
        buf = g.copy() if t == 1 else st.buf * mom + (1 - hp.dampening) * g
        d = hp.nesterov.pick(g + mom * buf, buf)
        d = uses.pick(d, g)
        st = State(uses.pick(buf, st.buf))  # a run without momentum keeps no buffer
    else:
        d = g
    return StepOut(theta + (-lr) * d, st, np.broadcast_to(lr, theta.shape))


def formula(p: Mapping[str, Any]) -> list[str]:
    lines = shared.decay_lines(p)
    if p["momentum"] == 0:
        return [*lines, r"\theta^{t+1} = \theta^t - \eta^t\, g^t"]
    if p["nesterov"]:
        return [
            *lines,
            r"b^t = \mu\, b^{t-1} + g^t\ \ (b^0 = g^0),\qquad "
            r"\theta^{t+1} = \theta^t - \eta^t\,(g^t + \mu\, b^t)",
        ]
    damp = r"(1-\tau)\, " if p["dampening"] else ""
    return [
        *lines,
        rf"b^t = \mu\, b^{{t-1}} + {damp}g^t\ \ (b^0 = g^0),\qquad "
        r"\theta^{t+1} = \theta^t - \eta^t\, b^t",
    ]


def _nesterov_check(p: Mapping[str, Any]) -> str | None:
    if p.get("nesterov") and (p["momentum"] <= 0 or p.get("dampening", 0) != 0):
        return "Nesterov momentum requires a momentum > 0 and zero dampening"
    return None


def moments(state: States, p: Mapping[str, Any], t: Array) -> Moments:
    """No σ; the momentum buffer b (a sum, not a mean: it grows to 1/(1 − μ) times g)."""
    return None, (state["buf"] if p["momentum"] > 0 else None)


def _sgd(name: str, params: list[Any], fixed: dict[str, Any], **kw: Any) -> Optimizer:
    return Optimizer(
        name, tuple(params), hyper, init, step, formula, {"buf": "b^t"}, fixed=fixed, moments=moments, **kw
    )


OPTIMIZERS = (
    _sgd(
        "sgd",
        [shared.lr(1e-3), shared.weight_decay()],
        {"momentum": 0.0, "dampening": 0.0, "nesterov": False},
    ),
    _sgd(
        "momentum",
        [
            shared.lr(1e-3),
            shared.momentum(0.9),
            Float("dampening", 0.0, "τ", high=1.0),
            shared.weight_decay(),
        ],
        {"nesterov": False},
    ),
    _sgd(
        "nesterov",
        [shared.lr(1e-3), shared.momentum(0.9, low_open=True), shared.weight_decay()],
        {"nesterov": True, "dampening": 0.0},
        check=_nesterov_check,
    ),
)
