"""The update rule a run actually used, in LaTeX, and the numbers of one of its steps.

Pure functions of the engine's run results (no Streamlit), so the formulas and the
substituted numbers are tested against the recorded state.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lab import RunResult
from optimizers import ADAM_NO_BIAS_CORRECTION_FORMULA, OPTIMIZERS
from optimizers.schedules import SCHEDULES
from surfaces.base import Surface

# How the lecture writes each recorded state array.
STATE_SYMBOLS = {
    "m": "m^t",
    "v": "v^t",
    "v_max": r"\max_{k\le t} v^k",
    "sigma": r"\sigma^t",
    "buf": "b^t",
    "sum": "s^t",
    "sum_sq": r"\textstyle\sum_{k\le t} (g^k)^2",
    "square_avg": "v^t",
    "grad_avg": r"\bar g^t",
    "acc_delta": "u^t",
}


def update_rule(optimizer: str, params: dict[str, Any]) -> list[str]:
    """LaTeX lines of the rule that ``optimizer`` with ``params`` runs: the engine's formula
    for the variant (lecture form, bias correction, AMSGrad, centered, momentum), preceded
    by the weight-decay line when there is one."""
    opt = OPTIMIZERS[optimizer]
    p = {**opt.defaults(), **opt.fixed, **params}
    formula = opt.formula
    if optimizer == "adam" and not p.get("bias_correction", True):
        formula = ADAM_NO_BIAS_CORRECTION_FORMULA
    if optimizer in ("adam", "adamw") and p.get("amsgrad"):
        formula = formula.replace(r"\sqrt{v^t", r"\sqrt{\max_{k\le t} v^k")
    lines: list[str] = []
    wd = float(p.get("weight_decay", 0.0) or 0.0)
    if wd and optimizer != "sgd":
        if p.get("decoupled_weight_decay"):
            if optimizer != "adamw":
                lines.append(r"\theta^t \leftarrow (1 - \eta^t\lambda)\,\theta^t")
        else:
            lines.append(r"g^t \leftarrow g^t + \lambda\,\theta^t")
    if optimizer == "rmsprop":
        if p.get("centered"):
            lines.append(
                r"\bar g^t = \alpha \bar g^{t-1} + (1-\alpha) g^t,\quad "
                r"v^t \leftarrow v^t - (\bar g^t)^2\ \text{(centered)}"
            )
        if float(p.get("momentum", 0.0)) > 0:
            formula = (
                r"v^t = \alpha v^{t-1} + (1-\alpha)(g^t)^2,\quad "
                r"b^t = \mu b^{t-1} + \frac{g^t}{\sqrt{v^t} + \epsilon},\quad "
                r"\theta^{t+1} = \theta^t - \eta^t b^t"
            )
    lines.append(formula)
    return lines


def schedule_rule(schedule: dict[str, Any] | None) -> str:
    if schedule is None:
        return r"\eta^t = \eta"
    return SCHEDULES[schedule["name"]].formula


def _vec(v: np.ndarray) -> str:
    return r"\left(" + r",\ ".join(_num(float(c)) for c in np.ravel(v)) + r"\right)"


def _num(x: float) -> str:
    """A number in LaTeX with 4 significant digits, powers of ten written out."""
    if not np.isfinite(x):
        return r"\text{" + str(x) + "}"
    text = f"{x:.4g}"
    if "e" in text:
        mant, exp = text.split("e")
        return rf"{mant} \times 10^{{{int(exp)}}}"
    return text


def step_numbers(run: RunResult, t: int, surface: Surface) -> list[tuple[str, str]]:
    """(symbol, value) pairs of step ``t`` (0-based, the lecture's t): the point, the
    gradient the optimizer saw, its state after the step, the learning rates and the update.
    Empty when ``t`` is the last point (no step follows it)."""
    if not 0 <= t < run.steps_run:
        return []
    with np.errstate(all="ignore"):
        g_true = np.asarray(surface.grad(run.trajectory[t]), dtype=float)
    rows = [(r"\theta^t", _vec(run.trajectory[t]))]
    if run.noise is not None:
        rows.append((r"\nabla L(\theta^t)", _vec(g_true)))
        rows.append((r"g^t = \nabla L + \text{noise}", _vec(g_true + run.noise[t])))
    else:
        rows.append((r"g^t", _vec(g_true)))
    for name, arr in run.state.items():
        if name in STATE_SYMBOLS and t < len(arr) and np.any(arr[t] != 0):
            rows.append((STATE_SYMBOLS[name], _vec(arr[t])))
    rows.append((r"\eta^t", _num(float(run.lr[t]))))
    rows.append((r"\eta^t_{\text{eff}} = \eta^t/\sigma^t", _vec(run.effective_lr[t])))
    rows.append(
        (r"\Delta\theta = \theta^{t+1} - \theta^t", _vec(run.trajectory[t + 1] - run.trajectory[t]))
    )
    return rows


def numbers_latex(rows: list[tuple[str, str]]) -> str:
    """The rows as one aligned LaTeX block."""
    body = r" \\ ".join(f"{sym} &= {val}" for sym, val in rows)
    return r"\begin{aligned}" + body + r"\end{aligned}"
