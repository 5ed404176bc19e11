r"""RAdam: torch's ``RAdam`` (Liu et al. 2020, rectified Adam).

With t from 0, Adam's m and v, m̂^t = m^t / (1 − β₁^{t+1}), ρ_∞ = 2 / (1 − β₂) − 1 and

    ρ_t = ρ_∞ − 2 (t+1) β₂^{t+1} / (1 − β₂^{t+1}),
    r_t = √( (ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t) ):

    θ^{t+1} = θ^t − η^t m̂^t r_t √(1 − β₂^{t+1}) / (√v^t + ε)    if ρ_t > 5,
    θ^{t+1} = θ^t − η^t m̂^t                                   otherwise.

Choices where libraries differ: the variance of the adaptive step is trusted once ρ_t > 5
(torch and optax; the paper's algorithm says ρ_t > 4); until then the step is plain
bias-corrected momentum, with no adaptive scaling at all; ε is added to √v before the
bias correction √(1 − β₂^{t+1}) multiplies it. Weight decay is L2, or with
``decoupled_weight_decay`` θ is shrunk by (1 − η^t λ) first (torch's form).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from core.params import Bool
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
)
from optimizers.shared import c_pow, lerp


class State(NamedTuple):
    m: Array
    v: Array


class Hyper(NamedTuple):
    b1: Num
    b2: Num
    eps: Num
    b1_lerp_small: Switch
    decay: Decay


def hyper(runs: Runs) -> Hyper:
    b1, b2, small = shared.beta_columns(runs)
    return Hyper(b1, b2, column([r["eps"] for r in runs]), small, Decay.of(runs))


def init(theta: Array, hp: Hyper) -> State:
    z = np.zeros_like(theta)
    return State(z, z)


def step(theta: Array, g: Array, st: State, lr: Num, t: int, hp: Hyper) -> StepOut:
    b1, b2 = hp.b1, hp.b2
    theta, g = hp.decay.apply(theta, g, lr)
    m = lerp(st.m, g, 1 - b1, hp.b1_lerp_small)
    v = st.v * b2 + ((1 - b2) * g) * g
    b2_t = c_pow(b2, t)
    bias_correction1 = 1 - c_pow(b1, t)
    bias_correction2 = 1 - b2_t
    m_hat = m / bias_correction1
    rho_inf = 2 / (1 - b2) - 1
    rho_t = rho_inf - 2 * t * b2_t / bias_correction2
    # For 2 < rho_t < 4 the root's argument is negative; that branch is not taken, but with a
    # float beta2 (all runs agree) `** 0.5` would make it complex: np.sqrt gives nan instead.
    rect = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
    adaptive_lr = c_pow(bias_correction2, 0.5) / (np.sqrt(v) + hp.eps)
    rectified = rho_t > 5.0
    new = np.where(rectified, theta - m_hat * lr * adaptive_lr * rect, theta - m_hat * lr)
    eff = np.where(rectified, lr * adaptive_lr * rect, np.broadcast_to(lr, theta.shape))
    return StepOut(new, State(m, v), eff)


def moments(state: States, p: Mapping[str, Any], t: Array) -> Moments:
    """m̂ = m/(1 − β₁ᵗ⁺¹), and σ = √v̂ on the steps that divide by it (ρ_t > 5; before, the
    step is m̂ alone: no σ, NaN)."""
    b1, b2 = p["betas"]
    rho_inf = 2 / (1 - b2) - 1
    rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
    sigma = np.where(rho_t > 5.0, np.sqrt(state["v"] / (1 - b2**t)), np.nan)
    return sigma, state["m"] / (1 - b1**t)


def formula(p: Mapping[str, Any]) -> list[str]:
    return [
        *shared.decay_lines(p),
        shared.ADAM_MOMENTS + r",\quad \hat m^t = \frac{m^t}{1-\beta_1^{t+1}}",
        r"\rho_\infty = \frac{2}{1-\beta_2} - 1,\quad "
        r"\rho_t = \rho_\infty - \frac{2(t+1)\beta_2^{t+1}}{1-\beta_2^{t+1}},\quad "
        r"r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}}",
        r"\theta^{t+1} = \theta^t - \eta^t\,\hat m^t \cdot "
        r"\begin{cases} r_t \frac{\sqrt{1-\beta_2^{t+1}}}{\sqrt{v^t}+\epsilon} & \rho_t > 5 \\ "
        r"1 & \text{otherwise}\end{cases}",
    ]


OPTIMIZERS = (
    Optimizer(
        "radam",
        (*shared.adam_params(1e-3), Bool("decoupled_weight_decay", False)),
        hyper,
        init,
        step,
        formula,
        {"m": "m^t", "v": "v^t"},
        moments=moments,
    ),
)
