r"""RMSProp two ways: torch's ``RMSprop`` and the lecture's form.

torch (Hinton's lecture 6e; centered as in Graves 2013), with L2 weight decay first and
v^{-1} = ḡ^{-1} = b^{-1} = 0:

    v^t = α v^{t-1} + (1 − α)(g^t)²
    σ^t = √v^t + ε,  or centered: ḡ^t = α ḡ^{t-1} + (1 − α) g^t,  σ^t = √(v^t − (ḡ^t)²) + ε
    θ^{t+1} = θ^t − η^t g^t / σ^t,  or with momentum μ > 0:  b^t = μ b^{t-1} + g^t / σ^t,
    θ^{t+1} = θ^t − η^t b^t

Choices where libraries differ: ε is added outside the root (TF1's ``RMSPropOptimizer``
adds it inside, √(v + ε)); v starts at 0 with no bias correction, so the first step is
about η / √(1 − α), 10 η at torch's α = 0.99; the momentum buffer holds g/σ without η (TF
keeps η inside the buffer, the same path only while η is constant); ḡ uses torch's lerp.

The lecture's form (notes 001) starts σ from the first gradient instead of from 0:

    σ_i^0 = |g_i^0|,   σ_i^t = √( α (σ_i^{t-1})² + (1 − α)(g_i^t)² ),
    θ_i^{t+1} = θ_i^t − η^t / σ_i^t · g_i^t

so its first step is η sign(g⁰); no ε, and a coordinate whose σ is 0 does not move. (Notes
002 drop the square root in σ; σ must be the root of the average, as in notes 001.)
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
    Moments,
    Num,
    Optimizer,
    Runs,
    States,
    StepOut,
    Switch,
    column,
    lerp_switch,
    switch,
)
from optimizers.shared import lecture_move, lerp


# --- torch ----------------------------------------------------------------------------------
class State(NamedTuple):
    square_avg: Array  # v
    grad_avg: Array  # ḡ (stays 0 for a run that is not centered)
    buf: Array  # b (stays 0 for a run without momentum)


class Hyper(NamedTuple):
    alpha: Num
    eps: Num
    momentum: Num
    centered: Switch
    has_momentum: Switch  # momentum > 0
    alpha_lerp_small: Switch  # |1 - alpha| < 0.5: torch's lerp formula for ḡ
    decay: Decay


def hyper(runs: Runs) -> Hyper:
    alpha = [r["alpha"] for r in runs]
    mom = [r["momentum"] for r in runs]
    return Hyper(
        alpha=column(alpha),
        eps=column([r["eps"] for r in runs]),
        momentum=column(mom),
        centered=switch([r["centered"] for r in runs]),
        has_momentum=switch([m > 0 for m in mom]),
        alpha_lerp_small=lerp_switch([1 - a for a in alpha]),
        decay=Decay.of(runs),
    )


def init(theta: Array, hp: Hyper) -> State:
    z = np.zeros_like(theta)
    return State(z, z, z)


def step(theta: Array, g: Array, st: State, lr: Num, t: int, hp: Hyper) -> StepOut:
    g = hp.decay.l2(g, theta)
    alpha = hp.alpha
    sq = st.square_avg * alpha + ((1 - alpha) * g) * g
    centered = hp.centered
    ga = st.grad_avg
    if centered.any:
        ga = centered.pick(lerp(ga, g, 1 - alpha, hp.alpha_lerp_small), ga)
        avg = centered.pick(np.sqrt(sq - ga * ga), np.sqrt(sq))
    else:
        avg = np.sqrt(sq)
    avg = avg + hp.eps
    has_mom = hp.has_momentum
    buf = st.buf
    if has_mom.any:
        buf = st.buf * hp.momentum + g / avg
        new = has_mom.pick(theta + (-lr) * buf, theta + ((-lr) * g) / avg)
        buf = has_mom.pick(buf, st.buf)
    else:
        new = theta + ((-lr) * g) / avg
    return StepOut(new, State(sq, ga, buf), lr / avg)


def moments(state: States, p: Mapping[str, Any], t: Array) -> Moments:
    """σ = √v, or √(v − ḡ²) centered; its momentum buffer sums g/σ, not g: no m."""
    v = state["square_avg"]
    return np.sqrt(v - state["grad_avg"] ** 2) if p["centered"] else np.sqrt(v), None


def lecture_moments(state: States, p: Mapping[str, Any], t: Array) -> Moments:
    return state["sigma"], None


def formula(p: Mapping[str, Any]) -> list[str]:
    rule = r"v^t = \alpha v^{t-1} + (1-\alpha)(g^t)^2"
    if p["centered"]:
        rule += r",\quad \bar g^t = \alpha \bar g^{t-1} + (1-\alpha) g^t"
        sigma = r"\sqrt{v^t - (\bar g^t)^2} + \epsilon"
    else:
        sigma = r"\sqrt{v^t} + \epsilon"
    if p["momentum"] > 0:
        update = (
            rf"b^t = \mu b^{{t-1}} + \frac{{g^t}}{{{sigma}}},\quad "
            r"\theta^{t+1} = \theta^t - \eta^t b^t"
        )
    else:
        update = rf"\theta^{{t+1}} = \theta^t - \frac{{\eta^t}}{{{sigma}}}\, g^t"
    return [*shared.decay_lines(p), rule, update]


# --- the lecture ----------------------------------------------------------------------------
class LectureState(NamedTuple):
    sigma: Array


class LectureHyper(NamedTuple):
    alpha: Num


def lecture_hyper(runs: Runs) -> LectureHyper:
    return LectureHyper(column([r["alpha"] for r in runs]))


def lecture_init(theta: Array, hp: LectureHyper) -> LectureState:
    return LectureState(np.zeros_like(theta))


def lecture_step(
    theta: Array, g: Array, st: LectureState, lr: Num, t: int, hp: LectureHyper
) -> StepOut:
    if t == 1:
        sigma = np.abs(g)
    else:
        alpha = hp.alpha
        sigma = np.sqrt(alpha * st.sigma**2 + (1 - alpha) * g**2)
    new, eff = lecture_move(theta, g, lr, sigma)
    return StepOut(new, LectureState(sigma), eff)


LECTURE_FORMULA = (
    r"\sigma_i^0 = \left|g_i^0\right|,\quad "
    r"\sigma_i^t = \sqrt{\alpha\left(\sigma_i^{t-1}\right)^2 + (1-\alpha)\left(g_i^t\right)^2},"
    r"\qquad " + shared.LECTURE_UPDATE
)

OPTIMIZERS = (
    Optimizer(
        "rmsprop",
        (
            shared.lr(1e-2),
            Float("alpha", 0.99, "α", high=1.0, scale="near_one"),
            shared.eps(1e-8),
            shared.weight_decay(),
            shared.momentum(0.0),
            Bool("centered", False),
        ),
        hyper,
        init,
        step,
        formula,
        {"square_avg": "v^t", "grad_avg": r"\bar g^t", "buf": "b^t"},
        moments=moments,
    ),
    Optimizer(
        "rmsprop_lecture",
        (
            shared.lr(1e-2),
            Float("alpha", 0.9, "α", low_open=True, high=1.0, scale="near_one"),
        ),
        lecture_hyper,
        lecture_init,
        lecture_step,
        lambda p: [LECTURE_FORMULA],
        {"sigma": r"\sigma^t"},
        follows="lecture",
        moments=lecture_moments,
    ),
)
