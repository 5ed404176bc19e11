"""How far an optimizer's own averages lag the gradient: at every step, ‖σᵗ‖/‖gᵗ‖ and
‖mᵗ‖/‖gᵗ‖, from the run's state — recorded (``simulate(..., record_state=True)``, the app)
or replayed from its path, gradients and learning rates through its family's own update
rule — and the family's ``moments`` (``optimizers.base.Optimizer``).

σ is the per-coordinate scale a step divides the gradient by (the lecture's σ, √v̂ for Adam),
m the average of gradients a step follows; gᵗ the gradient the step used (its noise and an L2
term included). Both ratios are 1 when the averages have caught up with a steady gradient:
RMSProp's σ after one gradient is √(1 − α)·|g| (0.1 for α = 0.99, preset 7), an uncorrected
Adam's m is (1 − β₁)·g and σ √(1 − β₂)·|g| (0.01 and 0.1 for β = 0.99, preset 10), a
corrected one's both 1.
"""

from __future__ import annotations

import numpy as np

from lab.engine import RunResult
from optimizers import OPTIMIZERS, resolved_params
from optimizers.base import no_moments

Array = np.ndarray


def _received(run: RunResult) -> Array:
    """(k, 2): the gradient each step's optimizer received — the exact one and its noise
    (an L2 term is the optimizer's own, added inside its step)."""
    k = run.steps_run
    g = np.asarray(run.gradient[:k], dtype=float)
    return g + run.noise[:k] if run.noise is not None else g


def used_gradient(run: RunResult) -> Array:
    """(k, 2): the gradient each step used — the exact one, its noise and an L2 term."""
    k = run.steps_run
    g = _received(run)
    opt = OPTIMIZERS[run.optimizer]
    lam = opt.l2_decay(opt.resolve(run.params))
    return g + lam * run.trajectory[:k] if lam else g


def moment_ratios(run: RunResult) -> tuple[Array | None, Array | None]:
    """‖σᵗ‖/‖gᵗ‖ and ‖mᵗ‖/‖gᵗ‖ at every step (k,), None where the family has no σ or m
    (computed once per run)."""
    return run.memo("moment_ratios", lambda: _ratios(run))  # type: ignore[no-any-return]


def replayed_state(run: RunResult) -> dict[str, Array]:
    """The state after every step, (k, …) per field, replayed through the run's own update
    rule from its points, the gradients it used and its learning rates: what
    ``record_state=True`` keeps, for a run simulated without it (the command line, exports)."""
    opt = OPTIMIZERS[run.optimizer]
    hp = opt.hyper([resolved_params(opt, run.params)])
    k = run.steps_run
    theta = np.asarray(run.trajectory, dtype=float)
    g = _received(run)
    st = opt.init(theta[:1].copy(), hp)
    store: dict[str, Array] = {}
    for t in range(k):
        st = opt.step(theta[t : t + 1], g[t : t + 1], st, float(run.lr[t]), t + 1, hp).state
        for name, arr in zip(st._fields, st, strict=True):
            store.setdefault(name, np.empty((k, *np.shape(arr)[1:])))[t] = arr[0]
    return store


def _ratios(run: RunResult) -> tuple[Array | None, Array | None]:
    opt = OPTIMIZERS[run.optimizer]
    k = run.steps_run
    if k == 0 or opt.moments is no_moments:
        return None, None
    state = {name: a[:k] for name, a in run.state.items()} if run.state else replayed_state(run)
    t = np.arange(1, k + 1, dtype=float)[:, None]
    sigma, m = opt.moments(state, opt.resolve(run.params), t)
    g = np.linalg.norm(used_gradient(run), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = [None if a is None else np.where(g > 0, np.linalg.norm(a, axis=1) / g, np.nan) for a in (sigma, m)]
    return out[0], out[1]
