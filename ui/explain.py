"""The update rule a run actually used, in LaTeX, and the numbers of one of its steps.

Pure functions of the engine's run results (no Streamlit), so the formulas and the
substituted numbers are tested against the recorded state.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lab import RunResult
from optimizers import OPTIMIZERS
from optimizers.schedules import SCHEDULES
from surfaces.base import Surface


def update_rule(optimizer: str, params: dict[str, Any]) -> list[str]:
    """LaTeX lines of the rule that ``optimizer`` with ``params`` runs: the optimizer's own
    formula of the exact variant (lecture form, bias correction, AMSGrad, centered,
    momentum, decoupled decay), preceded by the weight-decay line when there is one."""
    return OPTIMIZERS[optimizer].rule(params)


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
    symbols = OPTIMIZERS[run.optimizer].symbols  # how the lecture writes each state field
    for name, arr in run.state.items():
        if name in symbols and t < len(arr) and np.any(arr[t] != 0):
            rows.append((symbols[name], _vec(arr[t])))
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
