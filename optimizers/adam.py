r"""Adam, AMSGrad and AdamW: torch's ``Adam`` / ``AdamW``, plus a switch for bias correction.

With t from 0 and m^{-1} = v^{-1} = 0:

    m^t = β₁ m^{t-1} + (1 − β₁) g^t,   v^t = β₂ v^{t-1} + (1 − β₂)(g^t)²
    θ^{t+1} = θ^t − η^t · (m^t / (1 − β₁^{t+1})) / (√(v̂^t / (1 − β₂^{t+1})) + ε)

with v̂^t = v^t, or for AMSGrad v̂^t = max_{k≤t} v^k. Weight decay: Adam adds λθ^t to the
gradient first (L2); AdamW shrinks θ^t by (1 − η^t λ) first (decoupled) and leaves g alone.

Choices where libraries differ:

* ε is added outside the root of the bias-corrected v, as in the paper's Algorithm 1; torch
  computes it as √v / √(1 − β₂^{t+1}) + ε. Keras/TF's ε is the paper's "epsilon hat" (added
  to √v before the correction is folded into η), and optax has an extra ``eps_root`` inside;
* m follows torch's lerp, m + (1 − β₁)(g − m), which rounds differently from β₁ m + (1 − β₁) g;
* AMSGrad (torch's): the maximum of the raw v, then bias-corrected at today's step; Reddi et
  al.'s algorithm has no bias correction at all;
* AdamW (torch's): the decay is η^t λ with this step's scheduled η; Loshchilov & Hutter scale
  λ by the schedule multiplier alone (torch's λ is theirs divided by the base η). torch's
  AdamW defaults to λ = 0.01;
* ``bias_correction=false`` is this lab's own switch (torch has none): both factors become 1,
  θ^{t+1} = θ^t − η^t m^t / (√v̂^t + ε), to show why Adam corrects its first steps.
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
    switch,
)
from optimizers.shared import c_pow, lerp


class State(NamedTuple):
    m: Array
    v: Array
    v_max: Array  # max_{k<=t} v^k (stays 0 for a run without AMSGrad)


class Hyper(NamedTuple):
    b1: Num
    b2: Num
    eps: Num
    amsgrad: Switch
    bias_correction: Switch
    b1_lerp_small: Switch  # |1 - b1| < 0.5: torch's lerp formula for m
    decay: Decay


def hyper(runs: Runs) -> Hyper:
    b1, b2, small = shared.beta_columns(runs)
    return Hyper(
        b1=b1,
        b2=b2,
        eps=column([r["eps"] for r in runs]),
        amsgrad=switch([r["amsgrad"] for r in runs]),
        bias_correction=switch([r["bias_correction"] for r in runs]),
        b1_lerp_small=small,
        decay=Decay.of(runs),
    )


def init(theta: Array, hp: Hyper) -> State:
    z = np.zeros_like(theta)
    return State(z, z, z)


def step(theta: Array, g: Array, st: State, lr: Num, t: int, hp: Hyper) -> StepOut:
    b1, b2 = hp.b1, hp.b2
    theta, g = hp.decay.apply(theta, g, lr)
    m = lerp(st.m, g, 1 - b1, hp.b1_lerp_small)
    v = st.v * b2 + ((1 - b2) * g) * g
    bc = hp.bias_correction
    bias_correction1 = bc.pick(1 - c_pow(b1, t), 1.0)
    bias_correction2_sqrt = bc.pick(c_pow(1 - c_pow(b2, t), 0.5), 1.0)
    step_size = lr / bias_correction1
    ams = hp.amsgrad
    v_max = st.v_max
    if ams.any:
        v_max = ams.pick(np.maximum(v_max, v), v_max)
        v_used = ams.pick(v_max, v)
    else:
        v_used = v
    denom = np.sqrt(v_used) / bias_correction2_sqrt + hp.eps
    new = theta + ((-step_size) * m) / denom
    return StepOut(new, State(m, v, v_max), step_size / denom)


def moments(state: States, p: Mapping[str, Any], t: Array) -> Moments:
    """σ = √v̂ and m̂ = m/(1 − β₁ᵗ⁺¹) where the run corrects the bias, else √v and m (v's
    running maximum with AMSGrad): at step 0 the uncorrected σ is √(1 − β₂)·|g|, m is
    (1 − β₁)·g (preset 10)."""
    b1, b2 = p["betas"]
    v = state["v_max"] if p["amsgrad"] else state["v"]
    if not p["bias_correction"]:
        return np.sqrt(v), state["m"]
    return np.sqrt(v / (1 - b2**t)), state["m"] / (1 - b1**t)


def formula(p: Mapping[str, Any]) -> list[str]:
    v = r"\max_{k\le t} v^k" if p["amsgrad"] else "v^t"
    if p["bias_correction"]:
        frac = rf"\frac{{m^t/(1-\beta_1^{{t+1}})}}{{\sqrt{{{v}/(1-\beta_2^{{t+1}})}} + \epsilon}}"
    else:
        frac = rf"\frac{{m^t}}{{\sqrt{{{v}}} + \epsilon}}"
    # AdamW's rule is written with its decoupled factor whatever λ is (it is the optimizer's
    # defining feature, and 1 at λ = 0); Adam's L2 line appears only when λ ≠ 0.
    decoupled = bool(p["decoupled_weight_decay"])
    start = r"(1-\eta^t\lambda)\theta^t" if decoupled else r"\theta^t"
    lines = [] if decoupled else shared.decay_lines(p)
    return [*lines, shared.ADAM_MOMENTS, rf"\theta^{{t+1}} = {start} - \eta^t\,{frac}"]


SYMBOLS = {"m": "m^t", "v": "v^t", "v_max": r"\max_{k\le t} v^k"}
_AMSGRAD = Bool("amsgrad", False)


def _adam(name: str, params: tuple[Any, ...], fixed: dict[str, Any]) -> Optimizer:
    return Optimizer(name, params, hyper, init, step, formula, SYMBOLS, fixed=fixed, moments=moments)


OPTIMIZERS = (
    _adam(
        "adam",
        (*shared.adam_params(1e-3), _AMSGRAD, Bool("bias_correction", True)),
        {"decoupled_weight_decay": False},
    ),
    _adam(
        "amsgrad",
        shared.adam_params(1e-3),
        {"amsgrad": True, "bias_correction": True, "decoupled_weight_decay": False},
    ),
    _adam(
        "adamw",
        (*shared.adam_params(1e-3, 1e-2), _AMSGRAD),
        {"bias_correction": True, "decoupled_weight_decay": True},
    ),
)
