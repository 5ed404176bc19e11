"""The optimizers: names, hyperparameters and defaults of torch.optim 2.13, plus the lecture's forms.

``OPTIMIZERS[name]`` is an :class:`~optimizers.base.Optimizer`. ``prepare_hyper`` turns the
validated per-run parameter dicts of one group into the arrays an update rule steps with.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optimizers import rules
from optimizers.base import Optimizer, Param, Switch

_H = {
    "lr": {"en": "Learning rate η: the global step size.", "zh": "学习率 η：全局步长。"},
    "weight_decay": {
        "en": "Weight decay λ: pulls the point towards (0, 0).",
        "zh": "权重衰减 λ：把参数拉向 (0, 0)。",
    },
    "momentum": {
        "en": "Momentum μ: how much of the previous movement is kept.",
        "zh": "动量 μ：保留多少上一步的移动。",
    },
    "eps": {
        "en": "ε: keeps the division finite where σ is tiny.",
        "zh": "ε：σ 很小时防止除以零。",
    },
    "betas": {
        "en": "β1 (momentum of the gradient) and β2 (average of its square).",
        "zh": "β1（梯度的动量）和 β2（梯度平方的平均）。",
    },
    "alpha": {
        "en": "α: weight of the past in σ; smaller α reacts faster to new gradients.",
        "zh": "α：σ 中过去的权重；α 越小，对新梯度反应越快。",
    },
}


def _lr(default: float) -> Param:
    return Param("lr", default, symbol="η", help=_H["lr"])


def _wd(default: float = 0.0) -> Param:
    return Param("weight_decay", default, symbol="λ", help=_H["weight_decay"])


def _eps(default: float) -> Param:
    return Param("eps", default, symbol="ε", help=_H["eps"])


def _betas() -> Param:
    return Param("betas", (0.9, 0.999), kind="betas", high=1.0, symbol="β₁, β₂", help=_H["betas"])


def _flag(name: str, default: bool, en: str, zh: str) -> Param:
    return Param(name, default, kind="bool", help={"en": en, "zh": zh})


_DECOUPLED = _flag(
    "decoupled_weight_decay",
    False,
    "Shrink θ directly by η λ θ (AdamW style) instead of adding λ θ to the gradient.",
    "直接把 θ 缩小 η λ θ（AdamW 方式），而不是把 λ θ 加到梯度上。",
)
_AMSGRAD = _flag(
    "amsgrad",
    False,
    "AMSGrad: divide by the running maximum of v, so the step never grows back.",
    "AMSGrad：用 v 的历史最大值做分母，步长不会再变大。",
)


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
                Param("momentum", 0.9, high=1.0, symbol="μ", help=_H["momentum"]),
                Param(
                    "dampening",
                    0.0,
                    high=1.0,
                    high_open=False,
                    symbol="τ",
                    help={
                        "en": "Dampening τ: scales the new gradient in the buffer by (1 − τ).",
                        "zh": "阻尼 τ：缓冲区里的新梯度乘以 (1 − τ)。",
                    },
                ),
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
                Param("momentum", 0.9, high=1.0, low_open=True, symbol="μ", help=_H["momentum"]),
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
                Param(
                    "lr_decay",
                    0.0,
                    symbol="δ",
                    help={
                        "en": "lr_decay δ: the step size is η / (1 + (t − 1) δ).",
                        "zh": "学习率衰减 δ：步长为 η / (1 + (t − 1) δ)。",
                    },
                ),
                _wd(),
                Param(
                    "initial_accumulator_value",
                    0.0,
                    symbol="s⁰",
                    help={
                        "en": "Starting value of the sum of squared gradients.",
                        "zh": "梯度平方和的初始值。",
                    },
                ),
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
                Param("alpha", 0.99, high=1.0, high_open=False, symbol="α", help=_H["alpha"]),
                _eps(1e-8),
                _wd(),
                Param("momentum", 0.0, high=1.0, symbol="μ", help=_H["momentum"]),
                _flag(
                    "centered",
                    False,
                    "Centered: divide by the estimated standard deviation "
                    "(subtract the squared mean gradient).",
                    "中心化：除以梯度的标准差估计（减去平均梯度的平方）。",
                ),
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
                _flag(
                    "bias_correction",
                    True,
                    "Bias correction: divide m and v by (1 − βᵗ) so the first steps are not "
                    "too small.",
                    "偏差修正：m 和 v 除以 (1 − βᵗ)，使最初几步不至于太小。",
                ),
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
                Param(
                    "momentum_decay",
                    4e-3,
                    symbol="ψ",
                    help={
                        "en": "ψ: how fast NAdam's momentum schedule μ_t rises towards β1.",
                        "zh": "ψ：NAdam 的动量 μ_t 趋向 β1 的速度。",
                    },
                ),
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
                Param(
                    "rho",
                    0.9,
                    high=1.0,
                    high_open=False,
                    symbol="ρ",
                    help={
                        "en": "ρ: weight of the past in both running averages.",
                        "zh": "ρ：两个滑动平均中过去的权重。",
                    },
                ),
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
            [_lr(1e-2), Param("alpha", 0.9, low_open=True, high=1.0, symbol="α", help=_H["alpha"])],
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
                    "default": list(p.default) if p.kind == "betas" else p.default,
                    "allowed": p.allowed(),
                }
                for p in o.params
            },
            **({"fixed": o.fixed} if o.fixed else {}),
        }
        for o in OPTIMIZERS.values()
    ]


__all__ = ["OPTIMIZERS", "Optimizer", "Param", "describe", "prepare_hyper", "resolved_params"]
