"""Learning-rate schedules in closed form, vectorised over steps.

``lr_sequence(name, base_lr, params, n)`` gives the learning rate of steps 0 .. n-1, the
values torch.optim.lr_scheduler produces when ``scheduler.step()`` follows every
``optimizer.step()`` (step k uses the lr after k scheduler steps). torch computes most of
them recursively from the previous lr; the closed forms here agree with it to rounding
and can be plotted directly.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.params import Bool, Choice, Float, Int, Param
from core.text import both

Array = np.ndarray


@dataclass(frozen=True)
class Schedule:
    name: str
    params: tuple[Param, ...]
    fn: Callable[..., Array]  # fn(base_lr, t: int array, **params) -> lr array
    torch_name: str
    formula: str
    note: str = ""
    check: Callable[[dict[str, Any], int], str | None] = lambda p, steps: None

    @property
    def title(self) -> dict[str, str]:
        return both(f"sched.{self.name}.title")

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}


def step_lr(base: float, t: Array, step_size: int, gamma: float = 0.1) -> Array:
    return base * gamma ** (t // step_size)


def exponential_lr(base: float, t: Array, gamma: float) -> Array:
    return base * gamma**t


def cosine_lr(base: float, t: Array, T_max: int, eta_min: float = 0.0) -> Array:
    # Periodic past T_max (period 2 T_max), as torch's recursive form is. The factor in
    # [0, 1] is taken first: (base − η_min)·(1 + cos) would overflow for η_min near 1.8e308.
    return eta_min + (base - eta_min) * ((1 + np.cos(np.pi * t / T_max)) / 2)


def linear_lr(
    base: float,
    t: Array,
    start_factor: float = 1 / 3,
    end_factor: float = 1.0,
    total_iters: int = 5,
) -> Array:
    frac = np.minimum(t, total_iters) / total_iters
    return base * (start_factor + (end_factor - start_factor) * frac)


def warmup_cosine_lr(
    base: float,
    t: Array,
    start_factor: float = 0.1,
    total_iters: int = 10,
    T_max: int = 100,
    eta_min: float = 0.0,
) -> Array:
    warm = linear_lr(base, t, start_factor, 1.0, total_iters)
    cos = cosine_lr(base, np.maximum(t - total_iters, 0), T_max, eta_min)
    return np.where(t < total_iters, warm, cos)


def onecycle_lr(
    base: float,
    t: Array,
    max_lr: float,
    total_steps: int,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
    cycle_momentum: bool = False,
) -> Array:
    """OneCycleLR's learning rate; it ignores the optimizer's own lr (``base``), like torch."""
    initial = max_lr / div_factor
    min_lr = initial / final_div_factor
    if three_phase:
        phases = [
            (float(pct_start * total_steps) - 1, initial, max_lr),
            (float(2 * pct_start * total_steps) - 2, max_lr, initial),
            (total_steps - 1, initial, min_lr),
        ]
    else:
        phases = [
            (float(pct_start * total_steps) - 1, initial, max_lr),
            (total_steps - 1, max_lr, min_lr),
        ]
    t = np.asarray(t, dtype=float)
    out = np.empty_like(t)
    done = np.zeros(t.shape, dtype=bool)
    start_step = 0.0
    for i, (end_step, lo, hi) in enumerate(phases):
        here = ~done & ((t <= end_step) | (i == len(phases) - 1))
        pct = (t[here] - start_step) / (end_step - start_step)
        if anneal_strategy == "cos":
            out[here] = hi + (lo - hi) / 2.0 * (np.cos(np.pi * pct) + 1)
        else:
            out[here] = (hi - lo) * pct + lo
        done |= here
        start_step = end_step
    return out


def _i(name: str, default: Any, low: int = 1) -> Int:
    return Int(name, default, low=low)


def _f(name: str, default: Any, **kw: Any) -> Float:
    return Float(name, default, **kw)


FLOAT_MAX = sys.float_info.max  # the largest finite float64, about 1.8e308


def _onecycle_check(p: dict[str, Any], steps: int) -> str | None:
    """OneCycleLR's rules across its parameters; each message names the parameters, their
    values and what is allowed."""
    if p.get("cycle_momentum"):
        return (
            "cycle_momentum=true is not supported: this lab cycles only the learning rate "
            "(OneCycleLR with cycle_momentum=False); allowed: cycle_momentum = false"
        )
    if p["total_steps"] < steps:
        return (
            f"total_steps={p['total_steps']} is smaller than the scenario's steps={steps}; "
            f"OneCycleLR cannot step past total_steps, so allowed is total_steps >= steps = {steps}"
        )
    return _onecycle_phases(p) or _onecycle_finite(p)


def _onecycle_phases(p: dict[str, Any]) -> str | None:
    """Every phase must have a length: torch ends them at pct_start·T − 1, (three phases)
    2·pct_start·T − 2, and T − 1, and divides by each phase's length."""
    pct, total = p["pct_start"], p["total_steps"]
    if float(pct * total) - 1 == 0:
        return (
            f"pct_start = {pct:g} with total_steps = {total} gives pct_start * total_steps = 1, "
            "which leaves the warm-up phase no length (torch's OneCycleLR divides by zero at "
            "step 0); allowed: pct_start * total_steps != 1"
        )
    if p["three_phase"] and 2 * pct * total - 2 >= total - 1:
        end = 2 * pct * total - 2
        return (
            f"three_phase = true with pct_start = {pct:g} and total_steps = {total}: the second "
            f"phase would end at step 2 * pct_start * total_steps - 2 = {end:g}, not before the "
            f"last step {total - 1} (the third phase would have no length); allowed: pct_start "
            f"< (total_steps + 1) / (2 * total_steps) = {(total + 1) / (2 * total):.6g}, or "
            "three_phase = false"
        )
    return None


def _onecycle_finite(p: dict[str, Any]) -> str | None:
    """The cycle's lowest rates, max_lr / d and max_lr / (d·d_f), must be finite float64
    numbers (a tiny divisor overflows them to inf, and the schedule to inf − inf = NaN)."""
    initial = p["max_lr"] / p["div_factor"]
    if not math.isfinite(initial):
        return (
            f"div_factor = {p['div_factor']:g} makes the initial learning rate max_lr / "
            f"div_factor = {p['max_lr']:g} / {p['div_factor']:g} overflow; allowed: div_factor "
            f">= max_lr / {FLOAT_MAX:.3g} = {p['max_lr'] / FLOAT_MAX:.3g}"
        )
    if not math.isfinite(initial / p["final_div_factor"]):
        return (
            f"final_div_factor = {p['final_div_factor']:g} makes the final learning rate "
            f"max_lr / (div_factor * final_div_factor) overflow; allowed: final_div_factor >= "
            f"max_lr / div_factor / {FLOAT_MAX:.3g} = {initial / FLOAT_MAX:.3g}"
        )
    return None


SCHEDULES: dict[str, Schedule] = {
    s.name: s
    for s in (
        Schedule(
            "constant",
            (),
            lambda base, t: np.full(np.shape(t), float(base)),
            "(none)",
            r"\eta^t = \eta",
        ),
        Schedule(
            "step",
            (
                _i("step_size", None),
                _f("gamma", 0.1, symbol="γ", low_open=True, high=1.0, scale="near_one"),
            ),
            step_lr,
            "StepLR",
            r"\eta^t = \eta\,\gamma^{\lfloor t / \text{step\_size} \rfloor}",
        ),
        Schedule(
            "exponential",
            (_f("gamma", None, symbol="γ", low_open=True, high=1.0, scale="near_one"),),
            exponential_lr,
            "ExponentialLR",
            r"\eta^t = \eta\,\gamma^{t}",
        ),
        Schedule(
            "cosine",
            (_i("T_max", None), _f("eta_min", 0.0, symbol="η_min", scale="log")),
            cosine_lr,
            "CosineAnnealingLR",
            r"\eta^t = \eta_{\min} + \tfrac12(\eta - \eta_{\min})\left(1 + \cos\frac{\pi t}{T_{\max}}\right)",
        ),
        Schedule(
            "linear",
            (
                _f("start_factor", 1 / 3, low_open=True, high=1.0),
                _f("end_factor", 1.0, high=1.0),
                _i("total_iters", 5),
            ),
            linear_lr,
            "LinearLR",
            r"\eta^t = \eta\left(f_0 + (f_1 - f_0)\frac{\min(t, T)}{T}\right)",
        ),
        Schedule(
            "warmup_cosine",
            (
                _f("start_factor", 0.1, low_open=True, high=1.0),
                _i("total_iters", 10),
                _i("T_max", 100),
                _f("eta_min", 0.0, symbol="η_min", scale="log"),
            ),
            warmup_cosine_lr,
            "SequentialLR(LinearLR → CosineAnnealingLR)",
            r"\eta^t = \begin{cases}\eta\left(f_0 + (1 - f_0)\,t/T\right) & t < T\\"
            r"\eta_{\min} + \tfrac12(\eta - \eta_{\min})\left(1 + \cos\frac{\pi (t-T)}{T_{\max}}\right)"
            r" & t \ge T\end{cases}",
        ),
        Schedule(
            "onecycle",
            (
                _f("max_lr", None, symbol="η_max", low_open=True, scale="log"),
                _i("total_steps", None),
                _f("pct_start", 0.3, low_open=True, high=1.0, high_open=True),
                Choice("anneal_strategy", "cos", choices=("cos", "linear")),
                _f("div_factor", 25.0, symbol="d", low_open=True, scale="log"),
                _f("final_div_factor", 1e4, symbol="d_f", low_open=True, scale="log"),
                Bool("three_phase", False),
                Bool("cycle_momentum", False),
            ),
            onecycle_lr,
            "OneCycleLR",
            r"\eta^t:\ \frac{\eta_{\max}}{d} \nearrow \eta_{\max} \searrow "
            r"\frac{\eta_{\max}}{d\,d_f}",
            note="learning rate only: momentum cycling is not modelled (cycle_momentum must be "
            "false); the optimizer's own lr is ignored, as in torch",
            check=_onecycle_check,
        ),
    )
}


def lr_sequence(name: str, base_lr: float, params: dict[str, Any], n: int) -> Array:
    """Learning rate of steps 0 .. n-1 (float64). Raises ValueError for parameters the
    schedule's own check refuses (they would give no rate, or a non-finite one)."""
    sched = SCHEDULES[name]
    t = np.arange(n)
    kw = {**sched.defaults(), **params}
    problem = sched.check(kw, n)
    if problem:  # a caller that skipped the scenario's validation (a figure of widget values)
        raise ValueError(f"{name}: {problem}")
    if name == "onecycle":
        return sched.fn(base_lr, t, **kw)
    kw.pop("cycle_momentum", None)
    return np.asarray(sched.fn(base_lr, t, **kw), dtype=float)


def describe() -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "torch": s.torch_name,
            "params": {
                p.name: {"required": True, "allowed": p.allowed()}
                if p.required
                else {"default": p.to_json(p.default), "allowed": p.allowed()}
                for p in s.params
            },
            **({"note": s.note} if s.note else {}),
        }
        for s in SCHEDULES.values()
    ]
