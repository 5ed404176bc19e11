"""What several families share: the common parameters, torch's lerp and pow, LaTeX pieces.

Where torch writes ``a.addcdiv_(b, c, value=s)`` the rules write ``a + (s * b) / c``, and
``a.add_(b, alpha=s)`` is ``a + s * b``: the same operations in the same order, so the
trajectories agree with torch's single-tensor path to rounding.
"""

from __future__ import annotations

import itertools
import math
import weakref
from collections.abc import Mapping
from typing import Any

import numpy as np

from core.params import Float, Pair
from optimizers.base import Array, Num, Runs, Switch, column, lerp_switch


# --- parameters (torch's names and defaults; the lecture's symbols) --------------------------
def lr(default: float) -> Float:
    return Float("lr", default, "η", scale="log", span=(1e-8, 10.0))


def weight_decay(default: float = 0.0) -> Float:
    return Float("weight_decay", default, "λ", scale="log")


def eps(default: float) -> Float:
    return Float("eps", default, "ε", scale="log", span=(1e-12, 0.1))


_BETA = Float("beta", high=1.0, high_open=True, scale="near_one")


def betas() -> Pair:
    return Pair("betas", (0.9, 0.999), "β₁, β₂", item=_BETA, parts=("beta1", "beta2"))


def adam_params(lr_default: float, wd_default: float = 0.0) -> tuple[Float | Pair, ...]:
    """The parameters every Adam-like optimizer starts with: lr, betas, eps, weight_decay."""
    return (lr(lr_default), betas(), eps(1e-8), weight_decay(wd_default))


def momentum(default: float, low_open: bool = False) -> Float:
    return Float(
        "momentum", default, "μ", low_open=low_open, high=1.0, high_open=True, scale="near_one"
    )


def beta_columns(runs: Runs) -> tuple[Num, Num, Switch]:
    """β₁ and β₂ over runs, and which runs' lerp weight 1 − β₁ is small (torch's m update)."""
    b1 = [r["betas"][0] for r in runs]
    return column(b1), column([r["betas"][1] for r in runs]), lerp_switch([1 - b for b in b1])


# --- torch's arithmetic ---------------------------------------------------------------------
def lerp(a: Array, b: Array, w: Num, small: Switch) -> Array:
    """torch.lerp: a + w (b - a) for |w| < 0.5, else b - (b - a)(1 - w) (better rounding)."""
    if small.all:  # the usual case (beta1 > 0.5): one branch, not both
        return a + w * (b - a)
    if not small.any:
        return b - (b - a) * (1 - w)
    d = b - a
    return np.where(small.mask, a + w * d, b - d * (1 - w))


def c_pow(base: Num, exp: Num) -> Num:
    """``base ** exp`` by C's pow for every run, as torch does with Python floats.

    A hyperparameter is a float when every run of a group agrees and an (n, 1) array when
    they differ; NumPy's vectorised pow can differ from C's in the last bit, so a plain
    ``**`` would step a run differently batched and alone. Many runs that share few values
    (a sweep's axis: 100 values of beta1 over 10,000 runs) take C's pow once per distinct
    value, not once per run.
    """
    if isinstance(base, float) and isinstance(exp, (int, float)):
        return base**exp  # every run agrees: one Python pow (the common, fast case)
    if np.ndim(exp) == 0 and np.size(base) >= _DISTINCT_MIN:
        values, codes = _distinct(base)
        powers = map(math.pow, values, itertools.repeat(float(exp), len(values)))
        return np.fromiter(powers, float, len(values))[codes]
    if np.ndim(base) == 0 and np.size(exp) >= _DISTINCT_MIN:
        values, codes = _distinct(exp)
        powers = map(math.pow, itertools.repeat(float(base), len(values)), values)
        return np.fromiter(powers, float, len(values))[codes]
    b, e = np.broadcast_arrays(np.asarray(base, dtype=float), np.asarray(exp, dtype=float))
    out = map(math.pow, b.ravel().tolist(), e.ravel().tolist())
    return np.fromiter(out, dtype=float, count=b.size).reshape(b.shape)


_DISTINCT_MIN = 64  # below this many runs, one pow per run is as cheap as finding the values
# id(array) -> (weak reference, distinct values, index of each element among them): a group's
# hyperparameter column is built once and raised to a power at every step.
_DISTINCT: dict[int, tuple[weakref.ref, list[float], Array]] = {}


def _distinct(a: Array) -> tuple[list[float], Array]:
    """The distinct values of ``a`` and, shaped like ``a``, each element's index among them
    (kept while ``a`` lives, so a column reused at every step is sorted once)."""
    key = id(a)
    hit = _DISTINCT.get(key)
    if hit is not None and hit[0]() is a:
        return hit[1], hit[2]
    arr = np.asarray(a, dtype=float)
    unique, codes = np.unique(arr.ravel(), return_inverse=True)
    values, codes = unique.tolist(), codes.reshape(arr.shape)
    try:
        ref = weakref.ref(a, lambda _r: _DISTINCT.pop(key, None))
    except TypeError:  # not weakly referenceable (a list): nothing to keep
        return values, codes
    _DISTINCT[key] = (ref, values, codes)
    return values, codes


# --- LaTeX ------------------------------------------------------------------------------------
L2_LINE = r"g^t \leftarrow g^t + \lambda\,\theta^t"
DECOUPLED_LINE = r"\theta^t \leftarrow (1 - \eta^t\lambda)\,\theta^t"


def decay_lines(p: Mapping[str, Any]) -> list[str]:
    """The weight-decay line that precedes a rule: none without decay, L2 or decoupled."""
    if not p.get("weight_decay"):
        return []
    return [DECOUPLED_LINE if p.get("decoupled_weight_decay") else L2_LINE]


# Adam's two moving averages, from m⁻¹ = v⁻¹ = 0 (Adam, AMSGrad, AdamW, NAdam, RAdam).
ADAM_MOMENTS = (
    r"m^t = \beta_1 m^{t-1} + (1-\beta_1) g^t,\quad "
    r"v^t = \beta_2 v^{t-1} + (1-\beta_2)(g^t)^2"
)


# --- the lecture's per-coordinate step --------------------------------------------------------
def lecture_move(theta: Array, g: Array, lr: Num, sigma: Array) -> tuple[Array, Array]:
    """theta - (eta / sigma) g, where a coordinate whose sigma is 0 does not move.

    The lecture has no epsilon; sigma is 0 only where every gradient so far was 0 in that
    coordinate, so the step 0/0 is taken as no step (optax's Adagrad does the same)."""
    moving = sigma > 0
    eff = np.where(moving, lr / np.where(moving, sigma, 1.0), 0.0)
    return np.where(moving, theta - eff * g, theta), eff


# The lecture's update with its per-parameter sigma (notes 001), shared by its two forms.
LECTURE_UPDATE = r"\theta_i^{t+1} \leftarrow \theta_i^t - \frac{\eta^t}{\sigma_i^t}\, g_i^t"
