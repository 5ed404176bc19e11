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

from lab.diagnostics import verdicts
from lab.scenario import MAX_COORD, Scenario, ScenarioError, parse_scenario
from optimizers import OPTIMIZERS, prepare_hyper, resolved_params
from optimizers.schedules import lr_sequence
from surfaces.base import Surface

Array = np.ndarray


@dataclass
class RunResult:
    """One run. ``trajectory``, ``loss``, ``grad_norm`` hold every point (start first); ``lr``,
    ``effective_lr``, ``noise`` every step; ``state`` (when recorded) the optimizer's state
    after every step. Arrays are views into the batch (read them, do not write them)."""

    label: str
    optimizer: str
    params: dict[str, Any]
    schedule: dict[str, Any] | None
    trajectory: Array  # (k+1, 2)
    loss: Array  # (k+1,)
    grad_norm: Array  # (k+1,)
    lr: Array  # (k,)
    effective_lr: Array  # (k, 2)
    verdict: dict[str, Any]
    surface: Surface | None = field(default=None, repr=False)
    noise: Array | None = None  # (k, 2) the noise added to the gradient at each step
    state: dict[str, Array] = field(default_factory=dict)  # name -> (k, 2) or (k, 1)

    @property
    def gradient(self) -> Array:
        """The exact (noise-free) gradient at every point, (k+1, 2), computed on demand."""
        with np.errstate(all="ignore"):
            return np.asarray(self.surface.grad(self.trajectory))  # type: ignore[union-attr]

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
        g_start = surface.grad(start)
        if not (np.isfinite(surface.value(start)) and np.isfinite(np.hypot(*g_start))):
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

    # Learning rates: a (steps, n, 1) table only when some run has a schedule.
    base_lr = np.array([[float(sc.runs[i].params["lr"])] for i in order])
    lr_table = None
    if any(r.schedule is not None for r in sc.runs):
        lr_table = np.repeat(base_lr[None], steps, axis=0)
        for j, i in enumerate(order):
            sched = sc.runs[i].schedule
            if sched is not None:
                lr_table[:, j, 0] = lr_sequence(
                    sched["name"], base_lr[j, 0], sched["params"], steps
                )

    # A group whose runs all have the same learning rate at every step gets it as a plain
    # float: the same arithmetic, with fewer array operations per step.
    shared_lr: list[list[float] | None] = []
    for _opt, sl, _hp in groups:
        col = base_lr[sl, 0] if lr_table is None else lr_table[:, sl, 0]
        same = bool(np.all(col == col[..., :1]))
        if not same:
            shared_lr.append(None)
        elif lr_table is None:
            shared_lr.append([float(col[0])] * steps)
        else:
            shared_lr.append(col[:, 0].tolist())

    noise = None
    if sc.noise["std"] > 0:
        rng = np.random.default_rng(sc.noise["seed"])
        noise = rng.standard_normal((steps, 2)) * sc.noise["std"]  # shared by every run

    traj = np.empty((steps + 1, n, 2))
    gnorm = np.empty((steps + 1, n))
    eff = np.empty((steps, n, 2))
    traj[0] = start
    states = [opt.init(traj[0, sl], hp) for opt, sl, hp in groups]
    recorded: list[dict[str, Array]] = [{} for _ in groups]
    last = steps
    with np.errstate(all="ignore"):
        for t in range(steps):
            theta = traj[t]
            g = surface.grad(theta)
            gnorm[t] = np.hypot(g[:, 0], g[:, 1])
            if noise is not None:
                g = g + noise[t]
            lr_t = base_lr if lr_table is None else lr_table[t]
            for k, (opt, sl, hp) in enumerate(groups):
                lr_k = lr_t[sl] if shared_lr[k] is None else shared_lr[k][t]
                out = opt.step(theta[sl], g[sl], states[k], lr_k, t + 1, hp)
                traj[t + 1, sl] = out.theta
                eff[t, sl] = out.effective_lr
                states[k] = out.state
                if record_state:
                    _record(recorded[k], out.state, t, steps)
            if t % 512 == 511 and not np.any(np.abs(traj[t + 1]) <= MAX_COORD):
                last = t + 1  # every run has diverged: nothing left to compute
                break
        traj[last + 1 :] = np.nan
        gnorm[last + 1 :] = np.nan
        g_last = surface.grad(traj[last])
        gnorm[last] = np.hypot(g_last[:, 0], g_last[:, 1])
        loss = surface.value(traj)

    # Cut each run at its first invalid point; judge the full-length runs in one batch.
    bad_bound = np.any(~(np.abs(traj) <= MAX_COORD), axis=-1)
    bad = bad_bound | ~np.isfinite(loss) | ~np.isfinite(gnorm)
    cuts = np.where(bad.any(axis=0), np.argmax(bad, axis=0), steps + 1)
    l2 = np.array([_l2_decay(sc.runs[i]) for i in order])
    # Every run, cut ones too: the verdicts find the same first invalid point.
    judged = verdicts(surface, traj, loss, gnorm, l2, sc.noise["std"])
    group_of = np.empty(n, dtype=int)
    for k, (_opt, sl, _hp) in enumerate(groups):
        group_of[sl] = k

    runs: list[RunResult] = [None] * n  # type: ignore[list-item]
    for j in range(n):
        i, cut = order[j], int(cuts[j])
        spec = sc.runs[i]
        v = judged[j]
        k = group_of[j]
        sl = groups[k][1]
        runs[i] = RunResult(  # views into the batch arrays: no copies
            label=spec.label,
            optimizer=spec.optimizer,
            params=spec.params,
            schedule=spec.schedule,
            trajectory=traj[:cut, j],
            loss=loss[:cut, j],
            grad_norm=gnorm[:cut, j],
            lr=np.broadcast_to(base_lr[j, 0], (cut - 1,))
            if lr_table is None
            else lr_table[: cut - 1, j, 0],
            effective_lr=eff[: cut - 1, j],
            verdict=v,
            surface=surface,
            noise=None if noise is None else noise[: cut - 1],
            state={name: arr[: cut - 1, j - sl.start] for name, arr in recorded[k].items()},
        )
    return Result(sc, surface, runs)


def _l2_decay(spec: Any) -> float:
    """The weight decay a run adds to its gradient (0 where it is decoupled or absent)."""
    p = resolved_params(OPTIMIZERS[spec.optimizer], spec.params)
    return 0.0 if p.get("decoupled_weight_decay") else float(p.get("weight_decay", 0.0))


def _record(store: dict[str, Array], state: dict[str, Array], t: int, steps: int) -> None:
    for name, arr in state.items():
        if name not in store:
            store[name] = np.full((steps, *arr.shape), np.nan)
        store[name][t] = arr
