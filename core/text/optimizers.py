"""Titles of the optimizers (``opt.<name>.title``) and of the schedules (``sched.<name>.title``).

``Optimizer.title`` and ``Schedule.title`` read them, so menus, default run labels and
legends say the same thing in both languages.
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    # --- optimizers -------------------------------------------------------------------------
    "opt.sgd.title": {"en": "Gradient descent", "zh": "梯度下降"},
    "opt.momentum.title": {"en": "Momentum (heavy ball)", "zh": "动量（重球法）"},
    "opt.nesterov.title": {"en": "Nesterov momentum", "zh": "Nesterov 动量"},
    "opt.adagrad.title": {
        "en": "Adagrad (torch: root of the sum)",
        "zh": "Adagrad（torch：平方和的根）",
    },
    "opt.rmsprop.title": {"en": "RMSProp (torch)", "zh": "RMSProp（torch）"},
    "opt.adam.title": {"en": "Adam", "zh": "Adam"},
    "opt.amsgrad.title": {"en": "AMSGrad", "zh": "AMSGrad"},
    "opt.adamw.title": {
        "en": "AdamW (decoupled weight decay)",
        "zh": "AdamW（解耦的权重衰减）",
    },
    "opt.nadam.title": {"en": "NAdam", "zh": "NAdam"},
    "opt.radam.title": {"en": "RAdam (rectified Adam)", "zh": "RAdam（修正的 Adam）"},
    "opt.adadelta.title": {"en": "Adadelta", "zh": "Adadelta"},
    "opt.adagrad_lecture.title": {
        "en": "Adagrad (lecture: root mean square)",
        "zh": "Adagrad（课程：均方根）",
    },
    "opt.rmsprop_lecture.title": {"en": "RMSProp (lecture)", "zh": "RMSProp（课程）"},
    # --- learning-rate schedules --------------------------------------------------------------
    "sched.constant.title": {"en": "Constant", "zh": "常数"},
    "sched.step.title": {"en": "Step decay", "zh": "阶梯衰减"},
    "sched.exponential.title": {"en": "Exponential decay", "zh": "指数衰减"},
    "sched.cosine.title": {"en": "Cosine annealing", "zh": "余弦退火"},
    "sched.linear.title": {"en": "Linear warm-up / decay", "zh": "线性预热 / 衰减"},
    "sched.warmup_cosine.title": {"en": "Warm-up + cosine", "zh": "预热 + 余弦"},
    "sched.onecycle.title": {"en": "One-cycle", "zh": "单周期"},
}
