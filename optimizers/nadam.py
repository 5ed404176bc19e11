r"""NAdam: torch's ``NAdam`` (Dozat 2016, Nesterov momentum in Adam).

With t from 0, m^{-1} = v^{-1} = 0, and Adam's m and v:

    μ_t = β₁ (1 − ½ · 0.96^{(t+1)ψ}),
    θ^{t+1} = θ^t − η^t · [ (1 − μ_t) g^t / (1 − Π_{i≤t} μ_i) + μ_{t+1} m^t / (1 − Π_{i≤t+1} μ_i) ]
              / (√(v^t / (1 − β₂^{t+1})) + ε)

Choices where libraries differ: the momentum schedule μ_t with ψ = ``momentum_decay``
(0.004, Dozat's value) rather than a constant β₁; m is bias-corrected by the running
product of the μ's, not by 1 − β₁^{t+1}; ε outside the root, as in Adam. Weight decay is L2
(λθ added to g), or with ``decoupled_weight_decay`` θ is shrunk by (1 − η^t λ) first (torch's
NAdamW form).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from core.params import Bool, Float
from optimizers import shared
from optimizers.base import (
    Array,
    Decay,
    Num,
    Optimizer,
    Runs,
    StepOut,
    Switch,
    column,
)
from optimizers.shared import c_pow, lerp


class State(NamedTuple):
    m: Array
    v: Array
    mu_product: Array  # Π_{i<=t} μ_i, (n, 1)


class Hyper(NamedTuple):
    b1: Num
    b2: Num
    eps: Num
    psi: Num  # momentum_decay
    b1_lerp_small: Switch
    decay: Decay


def hyper(runs: Runs) -> Hyper:
    b1, b2, small = shared.beta_columns(runs)
    psi = column([r["momentum_decay"] for r in runs])
    return Hyper(b1, b2, column([r["eps"] for r in runs]), psi, small, Decay.of(runs))


def init(theta: Array, hp: Hyper) -> State:
    z = np.zeros_like(theta)
    return State(z, z, np.ones((theta.shape[0], 1)))


def step(theta: Array, g: Array, st: State, lr: Num, t: int, hp: Hyper) -> StepOut:
    b1, b2, psi = hp.b1, hp.b2, hp.psi
    bias_correction2 = 1 - c_pow(b2, t)
    theta, g = hp.decay.apply(theta, g, lr)
    mu = b1 * (1.0 - 0.5 * c_pow(0.96, t * psi))
    mu_next = b1 * (1.0 - 0.5 * c_pow(0.96, (t + 1) * psi))
    mu_product = st.mu_product * mu
    m = lerp(st.m, g, 1 - b1, hp.b1_lerp_small)
    v = st.v * b2 + ((1 - b2) * g) * g
    denom = np.sqrt(v / bias_correction2) + hp.eps
    mu_product_next = mu_product * mu_next
    new = theta + (((-lr) * (1.0 - mu) / (1.0 - mu_product)) * g) / denom
    new = new + (((-lr) * mu_next / (1.0 - mu_product_next)) * m) / denom
    return StepOut(new, State(m, v, mu_product), lr / denom)


def formula(p: Mapping[str, Any]) -> list[str]:
    return [
        *shared.decay_lines(p),
        shared.ADAM_MOMENTS + r",\quad \mu_t = \beta_1\left(1 - \tfrac12\, 0.96^{(t+1)\psi}\right)",
        r"\theta^{t+1} = \theta^t - \eta^t\,\frac{\frac{(1-\mu_t)\, g^t}{1-\prod_{i\le t}\mu_i}"
        r" + \frac{\mu_{t+1}\, m^t}{1-\prod_{i\le t+1}\mu_i}}{\sqrt{v^t/(1-\beta_2^{t+1})} + \epsilon}",
    ]


OPTIMIZERS = (
    Optimizer(
        "nadam",
        (
            *shared.adam_params(2e-3),
            Float("momentum_decay", 4e-3, "ψ", scale="log"),
            Bool("decoupled_weight_decay", False),
        ),
        hyper,
        init,
        step,
        formula,
        {"m": "m^t", "v": "v^t", "mu_product": r"\textstyle\prod_{i\le t}\mu_i"},
        moments=lambda state, p, t: (np.sqrt(state["v"] / (1 - p["betas"][1] ** t)), None),  # its m is μ-weighted
    ),
)
