"""The optimizers: names, hyperparameters and defaults of torch.optim 2.13, plus the lecture's forms.

``OPTIMIZERS[name]`` is an :class:`~optimizers.base.Optimizer`. ``prepare_hyper`` turns the
validated per-run parameter dicts of one group into the arrays an update rule steps with.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.params import Bool, Float, Pair, Param
from optimizers import rules
from optimizers.base import Optimizer, Switch


def _lr(default: float) -> Float:
    return Float("lr", default, "η", scale="log", span=(1e-8, 10.0))


def _wd(default: float = 0.0) -> Float:
    return Float("weight_decay", default, "λ", scale="log")


def _eps(default: float) -> Float:
    return Float("eps", default, "ε", scale="log", span=(1e-12, 0.1))


_BETA = Float("beta", high=1.0, high_open=True, scale="near_one")


def _betas() -> Pair:
    return Pair("betas", (0.9, 0.999), "β₁, β₂", item=_BETA, parts=("beta1", "beta2"))


def _momentum(default: float, low_open: bool = False) -> Float:
    return Float("momentum", default, "μ", low_open=low_open, high=1.0, high_open=True, scale="near_one")





_DECOUPLED = Bool("decoupled_weight_decay", False)
_AMSGRAD = Bool("amsgrad", False)


def _nesterov_check(p: dict[str, Any]) -> str | None:
    if p.get("nesterov") and (p["momentum"] <= 0 or p.get("dampening", 0) != 0):
        return "Nesterov momentum requires a momentum > 0 and zero dampening"
    return None


_SGD_FORMULA = r"\theta^{t+1} = \theta^t - \eta^t\,(g^t + \lambda\theta^t)"
_MOMENTUM_FORMULA = (
    r"b^t = \mu\, b^{t-1} + (1-\tau)\, g^t\ \ (b^0 = g^0),\qquad "
    r"\theta^{t+1} = \theta^t - \eta^t\, b^t"
)
_NESTEROV_FORMULA = (
    r"b^t = \mu\, b^{t-1} + g^t\ \ (b^0 = g^0),\qquad "
    r"\theta^{t+1} = \theta^t - \eta^t\,(g^t + \mu\, b^t)"
)
_ADAGRAD_FORMULA = (
    r"s^t = s^{t-1} + (g^t)^2,\qquad "
    r"\theta^{t+1} = \theta^t - \frac{\eta^t / (1 + t\,\delta)}{\sqrt{s^t} + \epsilon}\, g^t"
)
_RMSPROP_FORMULA = (
    r"v^t = \alpha v^{t-1} + (1-\alpha)(g^t)^2,\qquad "
    r"\theta^{t+1} = \theta^t - \frac{\eta^t}{\sqrt{v^t} + \epsilon}\, g^t"
)
_ADAM_FORMULA = (
    r"m^t = \beta_1 m^{t-1} + (1-\beta_1) g^t,\quad v^t = \beta_2 v^{t-1} + (1-\beta_2)(g^t)^2,"
    r"\quad \theta^{t+1} = \theta^t - \eta^t\,"
    r"\frac{m^t/(1-\beta_1^{t})}{\sqrt{v^t/(1-\beta_2^{t})} + \epsilon}"
)
_NADAM_FORMULA = (
    r"\mu_t = \beta_1\left(1 - \tfrac12\, 0.96^{t\psi}\right),\quad "
    r"\theta^{t+1} = \theta^t - \eta^t\,\frac{\frac{(1-\mu_t)\, g^t}{1-\prod_{i\le t}\mu_i}"
    r" + \frac{\mu_{t+1}\, m^t}{1-\prod_{i\le t+1}\mu_i}}{\sqrt{v^t/(1-\beta_2^t)} + \epsilon}"
)
_RADAM_FORMULA = (
    r"\rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t},\quad "
    r"\theta^{t+1} = \theta^t - \eta^t\,\hat m^t \cdot "
    r"\begin{cases} r_t \frac{\sqrt{1-\beta_2^t}}{\sqrt{v^t}+\epsilon} & \rho_t > 5 \\ "
    r"1 & \text{otherwise}\end{cases}"
)
_ADADELTA_FORMULA = (
    r"v^t = \rho v^{t-1} + (1-\rho)(g^t)^2,\quad "
    r"\Delta^t = \frac{\sqrt{u^{t-1}+\epsilon}}{\sqrt{v^t+\epsilon}}\, g^t,\quad "
    r"u^t = \rho u^{t-1} + (1-\rho)(\Delta^t)^2,\quad \theta^{t+1} = \theta^t - \eta^t \Delta^t"
)
ADAGRAD_LECTURE_FORMULA = (
    r"\sigma_i^t = \sqrt{\frac{1}{t+1}\sum_{k=0}^{t}\left(g_i^k\right)^2},\qquad "
    r"\theta_i^{t+1} \leftarrow \theta_i^t - \frac{\eta^t}{\sigma_i^t}\, g_i^t"
)
RMSPROP_LECTURE_FORMULA = (
    r"\sigma_i^0 = \left|g_i^0\right|,\quad "
    r"\sigma_i^t = \sqrt{\alpha\left(\sigma_i^{t-1}\right)^2 + (1-\alpha)\left(g_i^t\right)^2},"
    r"\qquad \theta_i^{t+1} \leftarrow \theta_i^t - \frac{\eta^t}{\sigma_i^t}\, g_i^t"
)
ADAM_NO_BIAS_CORRECTION_FORMULA = (
    r"m^t = \beta_1 m^{t-1} + (1-\beta_1) g^t,\quad v^t = \beta_2 v^{t-1} + (1-\beta_2)(g^t)^2,"
    r"\quad \theta^{t+1} = \theta^t - \eta^t\, \frac{m^t}{\sqrt{v^t} + \epsilon}"
)


def _opt(name: str, params: list[Param], init, step, en: str, zh: str, **kw: Any) -> Optimizer:  # type: ignore[no-untyped-def]
    kw.setdefault("follows", "torch")
    return Optimizer(
        name=name, params=tuple(params), init=init, step=step, title={"en": en, "zh": zh}, **kw
    )


OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in (
        _opt(
            "sgd",
            [_lr(1e-3), _wd()],
            rules.sgd_init,
            rules.sgd_step,
            "Gradient descent",
            "梯度下降",
            formula=_SGD_FORMULA,
            fixed={"momentum": 0.0, "dampening": 0.0, "nesterov": False},
        ),
        _opt(
            "momentum",
            [
                _lr(1e-3),
                _momentum(0.9),
                Float("dampening", 0.0, "τ", high=1.0),
                _wd(),
            ],
            rules.sgd_init,
            rules.sgd_step,
            "Momentum (heavy ball)",
            "动量（重球法）",
            formula=_MOMENTUM_FORMULA,
            fixed={"nesterov": False},
            state_names=("buf",),
        ),
        _opt(
            "nesterov",
            [
                _lr(1e-3),
                _momentum(0.9, low_open=True),
                _wd(),
            ],
            rules.sgd_init,
            rules.sgd_step,
            "Nesterov momentum",
            "Nesterov 动量",
            formula=_NESTEROV_FORMULA,
            fixed={"nesterov": True, "dampening": 0.0},
            check=_nesterov_check,
            state_names=("buf",),
        ),
        _opt(
            "adagrad",
            [
                _lr(1e-2),
                Float("lr_decay", 0.0, "δ", scale="log"),
                _wd(),
                Float("initial_accumulator_value", 0.0, "s⁰", scale="log"),
                _eps(1e-10),
            ],
            rules.adagrad_init,
            rules.adagrad_step,
            "Adagrad (torch: root of the sum)",
            "Adagrad（torch：平方和的根）",
            formula=_ADAGRAD_FORMULA,
            state_names=("sum",),
        ),
        _opt(
            "rmsprop",
            [
                _lr(1e-2),
                Float("alpha", 0.99, "α", high=1.0, scale="near_one"),
                _eps(1e-8),
                _wd(),
                _momentum(0.0),
                Bool("centered", False),
            ],
            rules.rmsprop_init,
            rules.rmsprop_step,
            "RMSProp (torch)",
            "RMSProp（torch）",
            formula=_RMSPROP_FORMULA,
            state_names=("square_avg", "grad_avg", "buf"),
        ),
        _opt(
            "adam",
            [
                _lr(1e-3),
                _betas(),
                _eps(1e-8),
                _wd(),
                _AMSGRAD,
                Bool("bias_correction", True),
            ],
            rules.adam_init,
            rules.adam_step,
            "Adam",
            "Adam",
            formula=_ADAM_FORMULA,
            fixed={"decoupled_weight_decay": False},
            state_names=("m", "v", "v_max"),
        ),
        _opt(
            "amsgrad",
            [_lr(1e-3), _betas(), _eps(1e-8), _wd()],
            rules.adam_init,
            rules.adam_step,
            "AMSGrad",
            "AMSGrad",
            formula=_ADAM_FORMULA.replace(r"\sqrt{v^t/", r"\sqrt{\max_{k\le t} v^k/"),
            fixed={"amsgrad": True, "bias_correction": True, "decoupled_weight_decay": False},
            state_names=("m", "v", "v_max"),
        ),
        _opt(
            "adamw",
            [_lr(1e-3), _betas(), _eps(1e-8), _wd(1e-2), _AMSGRAD],
            rules.adam_init,
            rules.adam_step,
            "AdamW (decoupled weight decay)",
            "AdamW（解耦的权重衰减）",
            formula=_ADAM_FORMULA.replace(
                r"\quad \theta^{t+1} = \theta^t -",
                r"\quad \theta^{t+1} = (1-\eta^t\lambda)\theta^t -",
            ),
            fixed={"bias_correction": True, "decoupled_weight_decay": True},
            state_names=("m", "v", "v_max"),
        ),
        _opt(
            "nadam",
            [
                _lr(2e-3),
                _betas(),
                _eps(1e-8),
                _wd(),
                Float("momentum_decay", 4e-3, "ψ", scale="log"),
                _DECOUPLED,
            ],
            rules.nadam_init,
            rules.nadam_step,
            "NAdam",
            "NAdam",
            formula=_NADAM_FORMULA,
            state_names=("m", "v"),
        ),
        _opt(
            "radam",
            [_lr(1e-3), _betas(), _eps(1e-8), _wd(), _DECOUPLED],
            rules.radam_init,
            rules.radam_step,
            "RAdam (rectified Adam)",
            "RAdam（修正的 Adam）",
            formula=_RADAM_FORMULA,
            state_names=("m", "v"),
        ),
        _opt(
            "adadelta",
            [
                _lr(1.0),
                Float("rho", 0.9, "ρ", high=1.0, scale="near_one"),
                _eps(1e-6),
                _wd(),
            ],
            rules.adadelta_init,
            rules.adadelta_step,
            "Adadelta",
            "Adadelta",
            formula=_ADADELTA_FORMULA,
            state_names=("square_avg", "acc_delta"),
        ),
        _opt(
            "adagrad_lecture",
            [_lr(1e-2)],
            rules.adagrad_lecture_init,
            rules.adagrad_lecture_step,
            "Adagrad (lecture: root mean square)",
            "Adagrad（课程：均方根）",
            follows="lecture",
            formula=ADAGRAD_LECTURE_FORMULA,
            state_names=("sigma",),
        ),
        _opt(
            "rmsprop_lecture",
            [_lr(1e-2), Float("alpha", 0.9, "α", low_open=True, high=1.0, scale="near_one")],
            rules.rmsprop_lecture_init,
            rules.rmsprop_lecture_step,
            "RMSProp (lecture)",
            "RMSProp（课程）",
            follows="lecture",
            formula=RMSPROP_LECTURE_FORMULA,
            state_names=("sigma",),
        ),
    )
}


def resolved_params(opt: Optimizer, params: dict[str, Any]) -> dict[str, Any]:
    """Defaults filled in, plus the values the name pins (e.g. amsgrad=True for 'amsgrad')."""
    out = {**opt.defaults(), **params}
    out.update(opt.fixed)
    return out


def _column(vals: list[float]) -> float | np.ndarray:
    """A hyperparameter over runs: one float when every run agrees (scalar arithmetic is much
    cheaper than element-wise pow on an array), else an (n, 1) array."""
    if all(v == vals[0] for v in vals):
        return float(vals[0])
    return np.array(vals, dtype=float).reshape(-1, 1)


def prepare_hyper(opt: Optimizer, per_run: list[dict[str, Any]]) -> dict[str, Any]:
    """Stack the resolved parameters of the runs in one group into (n, 1) arrays and Switches."""
    keys = per_run[0].keys()
    hp: dict[str, Any] = {}
    for k in keys:
        vals = [p[k] for p in per_run]
        if k == "betas":
            hp["beta1"] = _column([b[0] for b in vals])
            hp["beta2"] = _column([b[1] for b in vals])
        elif isinstance(vals[0], bool):
            hp[k] = Switch.of(np.array(vals, dtype=bool))
        else:
            hp[k] = _column(vals)
    # Derived switches, fixed for the whole run, so the step does no work it can skip.
    wd = hp.get("weight_decay")
    hp["wd_any"] = bool(wd is not None and np.any(wd != 0))
    n = len(per_run)
    if "momentum" in hp:
        hp["uses_buffer"] = Switch.of(np.broadcast_to(hp["momentum"] != 0, (n, 1)))
        hp["has_momentum"] = Switch.of(np.broadcast_to(hp["momentum"] > 0, (n, 1)))
    if "beta1" in hp:
        hp["beta1_lerp_small"] = Switch.of(np.broadcast_to(np.abs(1 - hp["beta1"]) < 0.5, (n, 1)))
    if "alpha" in hp:
        hp["alpha_lerp_small"] = Switch.of(np.broadcast_to(np.abs(1 - hp["alpha"]) < 0.5, (n, 1)))
    for name in ("amsgrad", "bias_correction", "centered", "nesterov", "decoupled_weight_decay"):
        if name in hp and not isinstance(hp[name], Switch):
            hp[name] = Switch.of(np.array(hp[name], dtype=bool))
    return hp


def describe() -> list[dict[str, Any]]:
    """Every optimizer with its parameters and defaults (for ``cli.py list``)."""
    return [
        {
            "name": o.name,
            "title": o.title["en"],
            "follows": o.follows,
            "params": {
                p.name: {
                    "default": p.to_json(p.default),
                    "allowed": p.allowed(),
                }
                for p in o.params
            },
            **({"fixed": o.fixed} if o.fixed else {}),
        }
        for o in OPTIMIZERS.values()
    ]


__all__ = ["OPTIMIZERS", "Optimizer", "describe", "prepare_hyper", "resolved_params"]
