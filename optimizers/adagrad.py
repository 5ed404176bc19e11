r"""Adagrad two ways: torch's (root of the SUM of squares) and the lecture's (root MEAN square).

torch's ``Adagrad`` (Duchi et al. 2011), with L2 weight decay g^t ← g^t + λθ^t first:

    s^t = s₀ + Σ_{k=0}^{t} (g^k)²,   θ^{t+1} = θ^t − η^t / (1 + t δ) · g^t / (√s^t + ε)

ε is added outside the root (optax puts it inside, √(s + ε), starts from s₀ = 0.1 and
leaves a coordinate with s = 0 alone); δ is torch's ``lr_decay``, counted from the first step.

The lecture's form (notes 001), with t from 0:

    σ_i^t = √( 1/(t+1) · Σ_{k=0}^{t} (g_i^k)² ),   θ_i^{t+1} = θ_i^t − η^t / σ_i^t · g_i^t

It divides by t + 1 (the mean), so its first step is η sign(g⁰), and η/σ stays the size of
η while the gradients keep their size, instead of shrinking like 1/√t. It has no ε: a
coordinate whose σ is 0 (every gradient so far 0 there) does not move.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from core.params import Float
from optimizers import shared
from optimizers.base import Array, Decay, Moments, Num, Optimizer, Runs, States, StepOut, column
from optimizers.shared import lecture_move


# --- torch ----------------------------------------------------------------------------------
class State(NamedTuple):
    sum: Array  # s, the sum of squared gradients (from the initial accumulator value)


class Hyper(NamedTuple):
    lr_decay: Num
    initial_accumulator_value: Num
    eps: Num
    decay: Decay


def hyper(runs: Runs) -> Hyper:
    return Hyper(
        lr_decay=column([r["lr_decay"] for r in runs]),
        initial_accumulator_value=column([r["initial_accumulator_value"] for r in runs]),
        eps=column([r["eps"] for r in runs]),
        decay=Decay.of(runs),
    )


def init(theta: Array, hp: Hyper) -> State:
    return State(np.broadcast_to(hp.initial_accumulator_value, theta.shape).astype(float))


def step(theta: Array, g: Array, st: State, lr: Num, t: int, hp: Hyper) -> StepOut:
    g = hp.decay.l2(g, theta)
    clr = lr / (1 + (t - 1) * hp.lr_decay)
    s = st.sum + g * g
    std = np.sqrt(s) + hp.eps
    return StepOut(theta + ((-clr) * g) / std, State(s), clr / std)


def formula(p: Mapping[str, Any]) -> list[str]:
    s0 = "s_0 + " if p["initial_accumulator_value"] else ""
    rate = r"\frac{\eta^t}{1 + t\,\delta}" if p["lr_decay"] else r"\eta^t"
    return [
        *shared.decay_lines(p),
        rf"s^t = {s0}\sum_{{k=0}}^{{t}} (g^k)^2,\qquad "
        rf"\theta^{{t+1}} = \theta^t - {rate}\,\frac{{g^t}}{{\sqrt{{s^t}} + \epsilon}}",
    ]


def moments(state: States, p: Mapping[str, Any], t: Array) -> Moments:
    """σ = √s, the root of the sum of squares (torch's; not a mean)."""
    return np.sqrt(state["sum"]), None


def lecture_moments(state: States, p: Mapping[str, Any], t: Array) -> Moments:
    return state["sigma"], None


# --- the lecture ----------------------------------------------------------------------------
class LectureState(NamedTuple):
    sum_sq: Array  # the sum of squared gradients so far
    sigma: Array  # its root mean square


class LectureHyper(NamedTuple):
    pass  # only the learning rate, which every step receives


def lecture_hyper(runs: Runs) -> LectureHyper:
    return LectureHyper()


def lecture_init(theta: Array, hp: LectureHyper) -> LectureState:
    z = np.zeros_like(theta)
    return LectureState(z, z)


def lecture_step(
    theta: Array, g: Array, st: LectureState, lr: Num, t: int, hp: LectureHyper
) -> StepOut:
    sum_sq = st.sum_sq + g * g
    sigma = np.sqrt(sum_sq / t)  # t counts from 1, so this divides by (lecture's t) + 1
    new, eff = lecture_move(theta, g, lr, sigma)
    return StepOut(new, LectureState(sum_sq, sigma), eff)


LECTURE_FORMULA = (
    r"\sigma_i^t = \sqrt{\frac{1}{t+1}\sum_{k=0}^{t}\left(g_i^k\right)^2},\qquad "
    + shared.LECTURE_UPDATE
)


OPTIMIZERS = (
    Optimizer(
        "adagrad",
        (
            shared.lr(1e-2),
            Float("lr_decay", 0.0, "δ", scale="log"),
            shared.weight_decay(),
            Float("initial_accumulator_value", 0.0, "s₀", scale="log"),
            shared.eps(1e-10),
        ),
        hyper,
        init,
        step,
        formula,
        {"sum": "s^t"},
        moments=moments,
    ),
    Optimizer(
        "adagrad_lecture",
        (shared.lr(1e-2),),
        lecture_hyper,
        lecture_init,
        lecture_step,
        lambda p: [LECTURE_FORMULA],
        {"sum_sq": r"\textstyle\sum_{k\le t} (g^k)^2", "sigma": r"\sigma^t"},
        follows="lecture",
        moments=lecture_moments,
    ),
)
