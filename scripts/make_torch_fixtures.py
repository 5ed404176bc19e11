"""Write tests/fixtures/torch_reference.json: what torch.optim 2.13 does on this lab's surfaces.

Run from the project root:  .venv/bin/python scripts/make_torch_fixtures.py
(``--batches-only`` writes only the mini-batch fixture)

Every number comes from torch (float64 default dtype, ``foreach=False``: the single-tensor
path). Only the optimizer and the scheduler are torch's: the gradient fed to torch at each
point is this project's closed form, ``BUILTIN[surface].grad(point)``, so a difference in a
test can only come from the update rule or the learning-rate schedule.

The fixture holds

* ``cases``: a scenario in this project's format (one run) with torch's trajectory
  (``steps + 1`` points) and the lr torch used at each step (``param_groups[0]["lr"]``
  just before ``optimizer.step()``; ``scheduler.step()`` follows every optimizer step);
* ``schedule_cases``: lr sequences of ~300 steps from the schedulers alone (a dummy SGD);

and ``tests/fixtures/torch_batches.json``: runs on the data sets' mini-batches, torch computing
each batch's loss and gradient itself (see ``torch_data_loss``).

Torch gets only the hyperparameters a case names (plus what the optimizer's name pins,
e.g. ``nesterov=True``), so a case without a value also checks the project's default
against torch's. The script is deterministic: no randomness, same output on every run.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from surfaces.builtin import BUILTIN  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "torch_reference.json"
BATCH_OUT = ROOT / "tests" / "fixtures" / "torch_batches.json"
MAX_COORD = 1e6  # the engine's divergence bound: a reference case must stay inside it

# This project's defaults where they are not torch's (the optimizer's name pins them).
MOMENTUM_DEFAULT = 0.9  # "momentum" and "nesterov": torch's SGD defaults to momentum=0

STARTS = {
    "rosenbrock": (-1.2, 1.0),
    "ravine": (-9.0, 1.0),
    "himmelblau": (-0.3, -0.9),
    "beale": (1.0, 1.5),
    "rotated_ravine": (-7.0, -3.0),
}


# --- torch objects from this project's names ------------------------------------------------
# name -> (torch class, what the name pins, defaults this project sets where torch's differ)
TORCH_OPTIMIZERS: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "sgd": ("SGD", {}, {}),
    "momentum": ("SGD", {}, {"momentum": MOMENTUM_DEFAULT}),
    "nesterov": ("SGD", {"nesterov": True, "dampening": 0.0}, {"momentum": MOMENTUM_DEFAULT}),
    "adagrad": ("Adagrad", {}, {}),
    "rmsprop": ("RMSprop", {}, {}),
    "adam": ("Adam", {}, {}),
    "amsgrad": ("Adam", {"amsgrad": True}, {}),
    "adamw": ("AdamW", {}, {}),
    "nadam": ("NAdam", {}, {}),
    "radam": ("RAdam", {}, {}),
    "adadelta": ("Adadelta", {}, {}),
}


def torch_optimizer(name: str, params: dict[str, Any], p: torch.Tensor) -> torch.optim.Optimizer:
    """The torch optimizer for a run: only the given params, plus what the name pins."""
    if name not in TORCH_OPTIMIZERS:
        raise ValueError(f"no torch counterpart for optimizer {name!r}")
    if params.get("bias_correction", True) is not True:
        raise ValueError("bias_correction=false has no torch counterpart")
    cls, pinned, defaults = TORCH_OPTIMIZERS[name]
    kw: dict[str, Any] = {**defaults, **{k: v for k, v in params.items() if k != "bias_correction"}}
    if "betas" in kw:
        kw["betas"] = (float(kw["betas"][0]), float(kw["betas"][1]))
    return getattr(torch.optim, cls)([p], **pinned, **kw, foreach=False)


def torch_scheduler(opt: torch.optim.Optimizer, sched: dict[str, Any]) -> Any:
    """The torch scheduler for a schedule; again only the given params are passed."""
    name, p = sched["name"], dict(sched.get("params", {}))
    s = torch.optim.lr_scheduler
    if name == "step":
        return s.StepLR(opt, **p)
    if name == "exponential":
        return s.ExponentialLR(opt, **p)
    if name == "cosine":
        return s.CosineAnnealingLR(opt, **p)
    if name == "linear":
        return s.LinearLR(opt, **p)
    if name == "warmup_cosine":
        # This project's own composite (every value given explicitly in the cases).
        warm = s.LinearLR(
            opt, start_factor=p["start_factor"], end_factor=1.0, total_iters=p["total_iters"]
        )
        cos = s.CosineAnnealingLR(opt, T_max=p["T_max"], eta_min=p["eta_min"])
        return s.SequentialLR(opt, [warm, cos], milestones=[p["total_iters"]])
    if name == "onecycle":
        if "pct_start" in p:
            p["pct_start"] = float(p["pct_start"])  # torch insists on a float
        return s.OneCycleLR(opt, cycle_momentum=False, **p)
    raise ValueError(f"no torch counterpart for schedule {name!r}")


# --- running torch ----------------------------------------------------------------------
def run_case(case: dict[str, Any]) -> dict[str, Any] | None:
    sc = case["scenario"]
    surface = BUILTIN[sc["surface"]]
    (run,) = sc["runs"]
    p = torch.tensor(sc["start"], dtype=torch.float64, requires_grad=True)
    opt = torch_optimizer(run["optimizer"], run.get("params", {}), p)
    sched = torch_scheduler(opt, run["schedule"]) if run.get("schedule") else None
    traj = [p.detach().numpy().copy()]
    lrs = []
    for _ in range(sc["steps"]):
        g = surface.grad(np.array(traj[-1]))
        p.grad = torch.tensor(g, dtype=torch.float64)
        lrs.append(float(opt.param_groups[0]["lr"]))
        opt.step()
        if sched is not None:
            sched.step()
        traj.append(p.detach().numpy().copy())
    t = np.array(traj)
    if not (np.all(np.isfinite(t)) and np.all(np.abs(t) <= MAX_COORD)):
        return None  # diverged: main() names it, a reference case must stay finite
    return {**case, "trajectory": t.tolist(), "lr": lrs}


def schedule_lrs(base_lr: float, sched: dict[str, Any], n: int) -> list[float]:
    """lr of steps 0 .. n-1 from a scheduler on a dummy SGD (one step() after each step)."""
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=base_lr, foreach=False)
    s = torch_scheduler(opt, sched)
    out = []
    for _ in range(n):
        out.append(float(opt.param_groups[0]["lr"]))
        opt.step()  # no gradient: nothing moves, but torch sees the order it expects
        s.step()
    return out


# --- the cases ----------------------------------------------------------------------------
def _case(
    cid: str,
    optimizer: str,
    surface: str,
    params: dict[str, Any],
    steps: int = 80,
    schedule: dict[str, Any] | None = None,
    start: tuple[float, float] | None = None,
) -> dict[str, Any]:
    run: dict[str, Any] = {"optimizer": optimizer, "params": params}
    if schedule is not None:
        run["schedule"] = schedule
    return {
        "id": cid,
        "scenario": {
            "surface": surface,
            "start": list(start or STARTS[surface]),
            "steps": steps,
            "runs": [run],
        },
    }


# A workable lr per surface for the plain gradient methods (sgd, momentum, nesterov).
SGD_LR = {
    "rosenbrock": 1e-3,
    "ravine": 4e-3,
    "himmelblau": 1e-2,
    "beale": 1e-3,
    "rotated_ravine": 1.5e-2,
}
MOM_LR = {k: v / 4 for k, v in SGD_LR.items()}
# RAdam's first steps (rho_t <= 5) are plain momentum steps of size lr * |m|: on the steep
# Rosenbrock wall a larger lr throws the point out.
RADAM_LR = {"rosenbrock": 2e-3, "ravine": 0.05, "himmelblau": 0.05}
SURF3 = ("rosenbrock", "ravine", "himmelblau")
SURF5 = ("rosenbrock", "ravine", "himmelblau", "beale", "rotated_ravine")


def optimizer_cases() -> list[dict[str, Any]]:
    cs: list[dict[str, Any]] = []
    add = cs.append

    # Every optimizer with torch's defaults (only lr given where the default would crawl or
    # blow up), on at least three surfaces.
    for s in SURF5:
        add(_case(f"sgd-default-{s}", "sgd", s, {}))
        add(_case(f"sgd-lr-{s}", "sgd", s, {"lr": SGD_LR[s]}))
        add(_case(f"momentum-default-{s}", "momentum", s, {"lr": MOM_LR[s]}))
        add(_case(f"nesterov-default-{s}", "nesterov", s, {"lr": MOM_LR[s]}))
    for name in ("adagrad", "rmsprop", "adam", "amsgrad", "adamw", "nadam", "radam", "adadelta"):
        for s in SURF5:
            add(_case(f"{name}-default-{s}", name, s, {}))
    for name, lr in (
        ("adagrad", 0.5),
        ("rmsprop", 0.05),
        ("adam", 0.05),
        ("amsgrad", 0.05),
        ("adamw", 0.05),
        ("nadam", 0.05),
        ("radam", None),
        ("adadelta", 10.0),
    ):
        for s in SURF3:
            add(_case(f"{name}-lr-{s}", name, s, {"lr": lr or RADAM_LR[s]}))

    # Every non-default knob.
    for s in ("rosenbrock", "ravine", "rotated_ravine"):
        add(_case(f"sgd-wd-{s}", "sgd", s, {"lr": SGD_LR[s], "weight_decay": 0.5}))
        lr = MOM_LR[s]
        add(_case(f"momentum-mu05-{s}", "momentum", s, {"lr": lr, "momentum": 0.5}))
        add(
            _case(
                f"momentum-damp-{s}", "momentum", s, {"lr": lr, "momentum": 0.8, "dampening": 0.3}
            )
        )
        add(
            _case(
                f"momentum-damp1-wd-{s}",
                "momentum",
                s,
                {"lr": lr, "momentum": 0.95, "dampening": 1.0, "weight_decay": 0.1},
            )
        )
        add(_case(f"momentum-mu0-{s}", "momentum", s, {"lr": lr, "momentum": 0.0}))
        add(_case(f"nesterov-mu07-{s}", "nesterov", s, {"lr": lr, "momentum": 0.7}))
        add(
            _case(
                f"nesterov-wd-{s}", "nesterov", s, {"lr": lr, "momentum": 0.99, "weight_decay": 0.2}
            )
        )
    for s in SURF3:
        add(_case(f"adagrad-lrdecay-{s}", "adagrad", s, {"lr": 0.5, "lr_decay": 0.05}))
        add(
            _case(
                f"adagrad-init-eps-{s}",
                "adagrad",
                s,
                {"lr": 0.5, "initial_accumulator_value": 0.3, "eps": 1e-3},
            )
        )
        add(_case(f"adagrad-wd-{s}", "adagrad", s, {"lr": 0.5, "weight_decay": 0.1}))
        add(_case(f"rmsprop-alpha-eps-{s}", "rmsprop", s, {"lr": 0.02, "alpha": 0.9, "eps": 1e-3}))
        add(_case(f"rmsprop-centered-{s}", "rmsprop", s, {"lr": 0.02, "centered": True}))
        add(_case(f"rmsprop-momentum-{s}", "rmsprop", s, {"lr": 0.005, "momentum": 0.9}))
        add(
            _case(
                f"rmsprop-centered-momentum-wd-{s}",
                "rmsprop",
                s,
                {"lr": 0.005, "centered": True, "momentum": 0.5, "weight_decay": 0.1},
            )
        )
        add(  # alpha < 0.5: torch's lerp takes its other branch for the centered mean
            _case(
                f"rmsprop-alpha03-centered-{s}",
                "rmsprop",
                s,
                {"lr": 0.01, "alpha": 0.3, "centered": True},
            )
        )
        add(
            _case(f"adam-betas-eps-{s}", "adam", s, {"lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-4})
        )
        add(_case(f"adam-beta1-03-{s}", "adam", s, {"lr": 0.05, "betas": [0.3, 0.9]}))
        add(_case(f"adam-beta1-0-{s}", "adam", s, {"lr": 0.02, "betas": [0.0, 0.999]}))
        add(_case(f"adam-wd-{s}", "adam", s, {"lr": 0.05, "weight_decay": 0.5}))
        add(_case(f"adam-amsgrad-{s}", "adam", s, {"lr": 0.05, "amsgrad": True}))
        add(
            _case(
                f"adam-amsgrad-wd-bc-{s}",
                "adam",
                s,
                {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1, "bias_correction": True},
            )
        )
        add(
            _case(
                f"amsgrad-betas-wd-{s}",
                "amsgrad",
                s,
                {"lr": 0.05, "betas": [0.5, 0.9], "weight_decay": 0.2, "eps": 1e-6},
            )
        )
        add(_case(f"adamw-wd-{s}", "adamw", s, {"lr": 0.05, "weight_decay": 0.5}))
        add(_case(f"adamw-amsgrad-{s}", "adamw", s, {"lr": 0.05, "amsgrad": True}))
        add(
            _case(
                f"adamw-betas-eps-{s}",
                "adamw",
                s,
                {"lr": 0.05, "betas": [0.95, 0.9], "eps": 1e-3, "weight_decay": 0.0},
            )
        )
        add(_case(f"nadam-psi-{s}", "nadam", s, {"lr": 0.05, "momentum_decay": 0.1}))
        add(
            _case(
                f"nadam-betas-eps-{s}", "nadam", s, {"lr": 0.05, "betas": [0.4, 0.95], "eps": 1e-5}
            )
        )
        add(_case(f"nadam-wd-{s}", "nadam", s, {"lr": 0.05, "weight_decay": 0.3}))
        add(
            _case(
                f"nadam-decoupled-{s}",
                "nadam",
                s,
                {"lr": 0.05, "weight_decay": 0.3, "decoupled_weight_decay": True},
            )
        )
        add(
            _case(
                f"radam-betas-{s}",
                "radam",
                s,
                {"lr": RADAM_LR[s], "betas": [0.8, 0.9], "eps": 1e-6},
            )
        )
        add(_case(f"radam-beta1-02-{s}", "radam", s, {"lr": RADAM_LR[s], "betas": [0.2, 0.99]}))
        add(_case(f"radam-wd-{s}", "radam", s, {"lr": RADAM_LR[s], "weight_decay": 0.3}))
        add(
            _case(
                f"radam-decoupled-{s}",
                "radam",
                s,
                {"lr": RADAM_LR[s], "weight_decay": 0.3, "decoupled_weight_decay": True},
            )
        )
        add(_case(f"adadelta-rho-{s}", "adadelta", s, {"lr": 5.0, "rho": 0.5}))
        add(
            _case(
                f"adadelta-eps-wd-{s}", "adadelta", s, {"lr": 5.0, "eps": 1e-3, "weight_decay": 0.2}
            )
        )
        add(_case(f"adadelta-rho1-{s}", "adadelta", s, {"lr": SGD_LR[s], "rho": 1.0}))
    return cs


# Schedules attached to runs. steps=100 throughout; cosine's T_max is below it so the
# periodic part past T_max (and 2 T_max, 3 T_max) is checked too.
RUN_SCHEDULES: dict[str, dict[str, Any]] = {
    "step": {"name": "step", "params": {"step_size": 15, "gamma": 0.5}},
    "exponential": {"name": "exponential", "params": {"gamma": 0.97}},
    "cosine": {"name": "cosine", "params": {"T_max": 30}},
    "cosine-etamin": {"name": "cosine", "params": {"T_max": 45, "eta_min": 1e-4}},
    "linear": {"name": "linear", "params": {"start_factor": 0.2, "total_iters": 40}},
    "linear-decay": {
        "name": "linear",
        "params": {"start_factor": 1.0, "end_factor": 0.05, "total_iters": 60},
    },
    "warmup_cosine": {
        "name": "warmup_cosine",
        "params": {"start_factor": 0.1, "total_iters": 20, "T_max": 50, "eta_min": 0.0},
    },
    "onecycle": {"name": "onecycle", "params": {"max_lr": None, "total_steps": 100}},
    "onecycle-linear": {
        "name": "onecycle",
        "params": {
            "max_lr": None,
            "total_steps": 120,
            "pct_start": 0.25,
            "anneal_strategy": "linear",
            "div_factor": 10.0,
            "final_div_factor": 100.0,
        },
    },
    "onecycle-3phase": {
        "name": "onecycle",
        "params": {"max_lr": None, "total_steps": 100, "pct_start": 0.2, "three_phase": True},
    },
    "onecycle-3phase-linear": {
        "name": "onecycle",
        "params": {
            "max_lr": None,
            "total_steps": 100,
            "pct_start": 0.35,
            "three_phase": True,
            "anneal_strategy": "linear",
        },
    },
}


def _with_max_lr(sched: dict[str, Any], lr: float) -> dict[str, Any]:
    p = dict(sched["params"])
    if "max_lr" in p:
        p["max_lr"] = lr
    return {"name": sched["name"], "params": p}


def scheduled_cases() -> list[dict[str, Any]]:
    # (optimizer, surface, params): every schedule goes with each of these.
    carriers = [
        ("adam", "rosenbrock", {"lr": 0.05}),
        ("sgd", "himmelblau", {"lr": SGD_LR["himmelblau"]}),
        ("momentum", "ravine", {"lr": MOM_LR["ravine"]}),
        ("adamw", "rotated_ravine", {"lr": 0.05, "weight_decay": 0.3}),
    ]
    cs = []
    for sid, sched in RUN_SCHEDULES.items():
        for name, s, params in carriers:
            cs.append(
                _case(
                    f"{name}-{sid}-{s}",
                    name,
                    s,
                    params,
                    steps=100,
                    schedule=_with_max_lr(sched, params["lr"]),
                )
            )
    # A representative set of the others, with schedules that touch their special cases
    # (decoupled decay and lr_decay with a scheduled lr, RAdam's switch between branches).
    extra = [
        (
            "nadam",
            "rosenbrock",
            {"lr": 0.05, "weight_decay": 0.3, "decoupled_weight_decay": True},
            "exponential",
        ),
        ("nadam", "himmelblau", {"lr": 0.05, "weight_decay": 0.3}, "onecycle-3phase"),
        (
            "radam",
            "rosenbrock",
            {"lr": RADAM_LR["rosenbrock"], "weight_decay": 0.3, "decoupled_weight_decay": True},
            "cosine",
        ),
        ("radam", "ravine", {"lr": 0.05}, "warmup_cosine"),
        (
            "adamw",
            "himmelblau",
            {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True},
            "onecycle-linear",
        ),
        ("amsgrad", "rosenbrock", {"lr": 0.05}, "step"),
        ("rmsprop", "rosenbrock", {"lr": 0.02, "centered": True, "momentum": 0.5}, "step"),
        ("rmsprop", "himmelblau", {"lr": 0.02}, "onecycle"),
        ("adagrad", "ravine", {"lr": 0.5, "lr_decay": 0.05}, "linear"),
        ("adagrad", "rosenbrock", {"lr": 0.5}, "cosine-etamin"),
        ("adadelta", "himmelblau", {"lr": 5.0}, "onecycle-3phase-linear"),
        ("adadelta", "rosenbrock", {"lr": 5.0, "weight_decay": 0.1}, "linear-decay"),
        ("nesterov", "rosenbrock", {"lr": MOM_LR["rosenbrock"]}, "warmup_cosine"),
        ("nesterov", "rotated_ravine", {"lr": MOM_LR["rotated_ravine"]}, "cosine"),
        ("sgd", "ravine", {"lr": SGD_LR["ravine"], "weight_decay": 0.5}, "exponential"),
    ]
    for name, s, params, sid in extra:
        sched = _with_max_lr(RUN_SCHEDULES[sid], params["lr"])
        cs.append(_case(f"{name}-{sid}-{s}", name, s, params, steps=100, schedule=sched))
    return cs


def schedule_only_cases() -> list[dict[str, Any]]:
    n = 300
    specs: list[tuple[str, float, dict[str, Any]]] = [
        ("step", 0.1, {"step_size": 30}),
        ("step", 1.0, {"step_size": 1, "gamma": 0.5}),
        ("step", 0.05, {"step_size": 7, "gamma": 0.9}),
        ("step", 3.0, {"step_size": 400, "gamma": 0.3}),
        ("exponential", 0.1, {"gamma": 0.99}),
        ("exponential", 1.0, {"gamma": 0.9}),
        ("exponential", 0.01, {"gamma": 0.5}),
        ("exponential", 2.5, {"gamma": 0.999}),
        ("cosine", 0.1, {"T_max": 300}),
        ("cosine", 0.1, {"T_max": 100}),
        ("cosine", 0.05, {"T_max": 7, "eta_min": 0.001}),
        ("cosine", 1.0, {"T_max": 1}),
        ("cosine", 0.3, {"T_max": 64, "eta_min": 0.05}),
        ("cosine", 0.01, {"T_max": 50, "eta_min": 0.02}),  # eta_min above the base lr
        ("linear", 0.1, {}),
        ("linear", 0.1, {"start_factor": 0.25, "total_iters": 40}),
        ("linear", 1.0, {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 100}),
        ("linear", 0.02, {"start_factor": 0.5, "end_factor": 0.1, "total_iters": 300}),
        ("linear", 0.5, {"start_factor": 0.01, "end_factor": 0.7, "total_iters": 1000}),
        (
            "warmup_cosine",
            0.1,
            {"start_factor": 0.1, "total_iters": 10, "T_max": 100, "eta_min": 0.0},
        ),
        (
            "warmup_cosine",
            0.05,
            {"start_factor": 0.01, "total_iters": 50, "T_max": 100, "eta_min": 1e-4},
        ),
        (
            "warmup_cosine",
            1.0,
            {"start_factor": 0.5, "total_iters": 1, "T_max": 20, "eta_min": 0.0},
        ),
        (
            "warmup_cosine",
            0.2,
            {"start_factor": 1.0, "total_iters": 5, "T_max": 295, "eta_min": 0.01},
        ),
        ("onecycle", 0.1, {"max_lr": 0.1, "total_steps": 300}),
        ("onecycle", 0.1, {"max_lr": 0.5, "total_steps": 300, "anneal_strategy": "linear"}),
        (
            "onecycle",
            0.1,
            {"max_lr": 0.05, "total_steps": 300, "pct_start": 0.25, "three_phase": True},
        ),
        (
            "onecycle",
            0.1,
            {
                "max_lr": 2.0,
                "total_steps": 300,
                "pct_start": 0.4,
                "three_phase": True,
                "anneal_strategy": "linear",
            },
        ),
        (
            "onecycle",
            0.1,
            {
                "max_lr": 0.01,
                "total_steps": 500,
                "pct_start": 0.1,
                "div_factor": 5.0,
                "final_div_factor": 50.0,
            },
        ),
        (
            "onecycle",
            0.1,
            {"max_lr": 0.3, "total_steps": 301, "pct_start": 0.33, "anneal_strategy": "linear"},
        ),
    ]
    out = []
    counts: dict[str, int] = {}
    for name, base, params in specs:
        counts[name] = counts.get(name, 0) + 1
        sched = {"name": name, "params": params}
        out.append(
            {
                "id": f"{name}-{counts[name]}",
                "schedule": sched,
                "base_lr": base,
                "n": n,
                "lr": schedule_lrs(base, sched, n),
            }
        )
    return out


# --- mini-batches on the data sets -------------------------------------------------------------
# torch computes each batch's mean loss itself (autograd over these formulas, written here in
# torch, not this project's gradients) and steps its optimizer on it. The batches come from
# numpy's seeded permutation of each epoch (this project's definition of the shuffle, written
# out again below) cut by torch's own ``BatchSampler(drop_last=True)``: the fixture holds the
# cut torch makes, so a test can compare it with the engine's.
def torch_data_loss(surface: Any, theta: torch.Tensor, idx: list[int]) -> torch.Tensor:
    d = surface.dataset
    x = torch.tensor(d.inputs[idx])
    name = surface.name
    if name == "linear_regression":
        y = torch.tensor(d.targets[idx])
        return (0.5 * (theta[0] * x + theta[1] - y) ** 2).mean()
    if name == "lecture_product":
        y = torch.tensor(d.targets[idx])
        return ((y - theta[0] * theta[1] * x) ** 2).mean()
    if name == "logistic":
        y = torch.tensor(d.targets[idx])
        return torch.nn.functional.softplus(-y * (x @ theta)).mean()
    m = surface.model  # sharp_flat: L0(theta - x_i)
    u = theta[None, :] - x
    v = m.BASE + 0.5 * m.BOWL * (u * u).sum(dim=1)
    for (cx, cy, w), depth in ((m.SHARP, d.constants["depth"]), (m.FLAT, m.DEPTH_FLAT)):
        du = u - torch.tensor([cx, cy])
        v = v - depth * torch.exp(-(du * du).sum(dim=1) / (2 * w * w))
    return v.mean()


def torch_batches(n: int, size: int, seed: int, steps: int) -> list[list[int]]:
    """Each epoch: numpy's seeded permutation, cut by torch's BatchSampler (drop_last)."""
    rng = np.random.default_rng(seed)
    out: list[list[int]] = []
    while len(out) < steps:
        perm = rng.permutation(n).tolist()
        out.extend(torch.utils.data.BatchSampler(perm, size, drop_last=True))
    return out[:steps]


def run_batch_case(case: dict[str, Any]) -> dict[str, Any]:
    from surfaces import make_surface

    sc = case["scenario"]
    surface = make_surface(sc["surface"])
    (run,) = sc["runs"]
    b = sc["batch"]
    batches = torch_batches(surface.samples, b["size"], b["seed"], sc["steps"])
    p = torch.tensor(sc["start"], dtype=torch.float64, requires_grad=True)
    opt = torch_optimizer(run["optimizer"], run.get("params", {}), p)
    traj = [p.detach().numpy().copy()]
    for idx in batches:
        opt.zero_grad()
        torch_data_loss(surface, p, idx).backward()
        opt.step()
        traj.append(p.detach().numpy().copy())
    return {**case, "batches": batches, "trajectory": np.array(traj).tolist()}


BATCH_RUNS: list[tuple[str, dict[str, Any]]] = [
    ("sgd", {"lr": 0.05}),
    ("momentum", {"lr": 0.02, "momentum": 0.8}),
    ("nesterov", {"lr": 0.02}),
    ("adagrad", {"lr": 0.3}),
    ("rmsprop", {"lr": 0.01, "centered": True}),
    ("adam", {"lr": 0.05}),
    ("amsgrad", {"lr": 0.05}),
    ("adamw", {"lr": 0.05, "weight_decay": 0.1}),
    ("nadam", {"lr": 0.05}),
    ("radam", {"lr": 0.05}),
    ("adadelta", {"lr": 5.0}),
]
BATCH_DATA: list[dict[str, Any]] = [
    {"data": "linear_regression", "samples": 50, "seed": 1},
    {"data": "lecture_product", "samples": 30, "seed": 2},
    {"data": "logistic", "samples": 60, "seed": 3},
    {"data": "sharp_flat", "samples": 40, "seed": 4},
]


def batch_cases() -> list[dict[str, Any]]:
    from surfaces import make_surface

    cs = []
    for data in BATCH_DATA:
        start = list(make_surface(data).start)
        for size, seed in ((7, 5), (1, 0)):
            for name, params in BATCH_RUNS:
                sc = {
                    "surface": data,
                    "start": start,
                    "steps": 60,
                    "runs": [{"optimizer": name, "params": params}],
                    "batch": {"size": size, "seed": seed},
                }
                cs.append({"id": f"{name}-{data['data']}-b{size}", "scenario": sc})
    return cs


def write_batch_fixture() -> None:
    cases = [run_batch_case(c) for c in batch_cases()]
    data = {"torch_version": torch.__version__, "dtype": "float64", "foreach": False, "cases": cases}
    text = json.dumps(data, separators=(",", ":"))
    BATCH_OUT.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {BATCH_OUT.relative_to(ROOT)} ({len(text) / 1e6:.2f} MB): {len(cases)} batch cases")


def main() -> None:
    torch.set_default_dtype(torch.float64)
    warnings.simplefilter("ignore")  # the schedulers' deprecation chatter
    if "--batches-only" in sys.argv:  # only tests/fixtures/torch_batches.json
        write_batch_fixture()
        return
    specs = optimizer_cases() + scheduled_cases()
    results = [run_case(c) for c in specs]
    bad = [c["id"] for c, r in zip(specs, results, strict=True) if r is None]
    if bad:
        raise RuntimeError(f"these cases diverge in torch; pick a smaller lr or start: {bad}")
    cases = [r for r in results if r is not None]
    ids = [c["id"] for c in cases]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise RuntimeError(f"duplicate case ids: {sorted(dup)}")
    sched_cases = schedule_only_cases()
    data = {
        "torch_version": torch.__version__,
        "dtype": "float64",
        "foreach": False,
        "cases": cases,
        "schedule_cases": sched_cases,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, separators=(",", ":"))
    OUT.write_text(text + "\n", encoding="utf-8")

    by_opt: dict[str, int] = {}
    by_sched: dict[str, int] = {}
    surfaces: set[str] = set()
    for c in cases:
        (run,) = c["scenario"]["runs"]
        by_opt[run["optimizer"]] = by_opt.get(run["optimizer"], 0) + 1
        surfaces.add(c["scenario"]["surface"])
        if run.get("schedule"):
            n = run["schedule"]["name"]
            by_sched[n] = by_sched.get(n, 0) + 1
    only: dict[str, int] = {}
    for c in sched_cases:
        only[c["schedule"]["name"]] = only.get(c["schedule"]["name"], 0) + 1
    print(f"torch {torch.__version__}: wrote {OUT.relative_to(ROOT)} ({len(text) / 1e6:.2f} MB)")
    print(f"{len(cases)} trajectory cases on {len(surfaces)} surfaces: {sorted(surfaces)}")
    print("  per optimizer: " + ", ".join(f"{k} {v}" for k, v in by_opt.items()))
    print("  with a schedule: " + ", ".join(f"{k} {v}" for k, v in by_sched.items()))
    print(
        f"{len(sched_cases)} schedule-only cases: " + ", ".join(f"{k} {v}" for k, v in only.items())
    )
    write_batch_fixture()


if __name__ == "__main__":
    main()
