"""Batched simulation: every run of a scenario steps together, one NumPy batch per optimizer.

The only Python loop is over steps. Each step evaluates the gradient of all runs at once,
then each optimizer group updates its contiguous slice of the batch. Loss and gradient
norm are computed afterwards over the whole trajectory at once; a run is cut at its first
non-finite value or coordinate beyond 1e6.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lab.diagnostics import diverged_verdict, verdict
from lab.scenario import MAX_COORD, Scenario, ScenarioError, parse_scenario
from optimizers import OPTIMIZERS, prepare_hyper, resolved_params
from optimizers.schedules import lr_sequence
from surfaces.base import Surface

Array = np.ndarray


@dataclass
class RunResult:
    """One run. ``trajectory``, ``loss``, ``grad_norm``, ``gradient`` hold every point (start
    first); ``lr``, ``effective_lr``, ``noise`` every step; ``state`` (when recorded) the
    optimizer's state after every step."""

    label: str
    optimizer: str
    params: dict[str, Any]
    schedule: dict[str, Any] | None
    trajectory: Array  # (k+1, 2)
    loss: Array  # (k+1,)
    grad_norm: Array  # (k+1,)
    gradient: Array  # (k+1, 2), exact (noise-free) gradient at each point
    lr: Array  # (k,)
    effective_lr: Array  # (k, 2)
    verdict: dict[str, Any]
    noise: Array | None = None  # (k, 2) the noise added to the gradient at each step
    state: dict[str, Array] = field(default_factory=dict)  # name -> (k, 2) or (k, 1)

    @property
    def steps_run(self) -> int:
        return len(self.trajectory) - 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "optimizer": self.optimizer,
            "trajectory": self.trajectory.tolist(),
            "loss": self.loss.tolist(),
            "grad_norm": self.grad_norm.tolist(),
            "lr": self.lr.tolist(),
            "effective_lr": self.effective_lr.tolist(),
            "verdict": self.verdict,
        }


@dataclass
class Result:
    scenario: Scenario
    surface: Surface
    runs: list[RunResult]

    def to_dict(self) -> dict[str, Any]:
        return {"runs": [r.to_dict() for r in self.runs]}


def simulate(scenario: Scenario | dict[str, Any] | str, record_state: bool = False) -> Result:
    """Run every optimizer of ``scenario`` and judge each run.

    ``record_state`` also keeps each optimizer's state (m, v, sigma, ...) after every step,
    for showing the numbers of one step; it costs memory, so it is off by default.
    """
    sc = parse_scenario(scenario)
    surface = sc.build_surface()
    n, steps = len(sc.runs), sc.steps
    start = np.asarray(sc.start, dtype=float)
    with np.errstate(all="ignore"):
        if not (np.isfinite(surface.value(start)) and np.all(np.isfinite(surface.grad(start)))):
            raise ScenarioError(
                f"start = {list(sc.start)} is invalid; allowed: a point where the surface and its "
                "gradient are finite"
            )

    # Group runs by optimizer, keeping each group contiguous in the batch.
    names = list(dict.fromkeys(r.optimizer for r in sc.runs))
    order = [i for name in names for i, r in enumerate(sc.runs) if r.optimizer == name]
    groups = []
    pos = 0
    for name in names:
        idx = [i for i in order if sc.runs[i].optimizer == name]
        opt = OPTIMIZERS[name]
        per_run = [resolved_params(opt, sc.runs[i].params) for i in idx]
        groups.append((opt, slice(pos, pos + len(idx)), prepare_hyper(opt, per_run)))
        pos += len(idx)

    lr = np.empty((steps, n, 1))
    for j, i in enumerate(order):
        run = sc.runs[i]
        base = float(run.params["lr"])
        if run.schedule is None:
            lr[:, j, 0] = base
        else:
            lr[:, j, 0] = lr_sequence(run.schedule["name"], base, run.schedule["params"], steps)

    noise = None
    if sc.noise["std"] > 0:
        rng = np.random.default_rng(sc.noise["seed"])
        noise = rng.standard_normal((steps, 2)) * sc.noise["std"]  # shared by every run

    traj = np.empty((steps + 1, n, 2))
    grads = np.empty((steps + 1, n, 2))
    eff = np.empty((steps, n, 2))
    traj[0] = start
    states = [opt.init(traj[0, sl], hp) for opt, sl, hp in groups]
    recorded: list[dict[str, Array]] = [{} for _ in groups]
    last = steps
    with np.errstate(all="ignore"):
        for t in range(steps):
            theta = traj[t]
            grads[t] = surface.grad(theta)
            g = grads[t] if noise is None else grads[t] + noise[t]
            for k, (opt, sl, hp) in enumerate(groups):
                out = opt.step(theta[sl], g[sl], states[k], lr[t, sl], t + 1, hp)
                traj[t + 1, sl] = out.theta
                eff[t, sl] = out.effective_lr
                states[k] = out.state
                if record_state:
                    _record(recorded[k], out.state, t, steps)
            if t % 512 == 511 and not np.any(np.abs(traj[t + 1]) <= MAX_COORD):
                last = t + 1  # every run has diverged: nothing left to compute
                break
        traj[last + 1 :] = np.nan
        grads[last:] = np.nan
        grads[last] = surface.grad(traj[last])
        loss = surface.value(traj)
        gnorm = np.linalg.norm(grads, axis=-1)

    runs: list[RunResult | None] = [None] * n
    for k, (_opt, sl, _hp) in enumerate(groups):
        for j in range(sl.start, sl.stop):
            i = order[j]
            spec = sc.runs[i]
            pts, ls, gn, gr = traj[:, j], loss[:, j], gnorm[:, j], grads[:, j]
            bad_bound = np.any(~(np.abs(pts) <= MAX_COORD), axis=-1)
            bad = bad_bound | ~np.isfinite(ls) | ~np.isfinite(gn)
            cut = int(np.argmax(bad)) if bad.any() else steps + 1
            if cut <= steps:
                reason = (
                    "bound" if bad_bound[cut] and np.all(np.isfinite(pts[cut])) else ("nonfinite")
                )
                v = diverged_verdict(cut, reason)
            else:
                v = verdict(surface, pts, ls, gn)
            state = {name: arr[: cut - 1, j - sl.start].copy() for name, arr in recorded[k].items()}
            runs[i] = RunResult(
                label=spec.label,
                optimizer=spec.optimizer,
                params=spec.params,
                schedule=spec.schedule,
                trajectory=pts[:cut].copy(),
                loss=ls[:cut].copy(),
                grad_norm=gn[:cut].copy(),
                gradient=gr[:cut].copy(),
                lr=lr[: cut - 1, j, 0].copy(),
                effective_lr=eff[: cut - 1, j].copy(),
                verdict=v,
                noise=None if noise is None else noise[: cut - 1].copy(),
                state=state,
            )
    return Result(sc, surface, [r for r in runs if r is not None])


def _record(store: dict[str, Array], state: dict[str, Array], t: int, steps: int) -> None:
    for name, arr in state.items():
        if name not in store:
            store[name] = np.full((steps, *arr.shape), np.nan)
        store[name][t] = arr
