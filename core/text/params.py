"""Parameter help texts (the app shows them beside each control), keyed ``help.<name>``."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "help.lr": {
        "en": 'Learning rate η: the global step size.',
        "zh": '学习率 η：全局步长。',
    },
    "help.weight_decay": {
        "en": 'Weight decay λ: pulls the point towards (0, 0).',
        "zh": '权重衰减 λ：把参数拉向 (0, 0)。',
    },
    "help.momentum": {
        "en": 'Momentum μ: how much of the previous movement is kept.',
        "zh": '动量 μ：保留多少上一步的移动。',
    },
    "help.eps": {
        "en": 'ε: keeps the division finite where σ is tiny.',
        "zh": 'ε：σ 很小时防止除以零。',
    },
    "help.betas": {
        "en": 'β1 (momentum of the gradient) and β2 (average of its square).',
        "zh": 'β1（梯度的动量）和 β2（梯度平方的平均）。',
    },
    "help.alpha": {
        "en": 'α: weight of the past in σ; smaller α reacts faster to new gradients.',
        "zh": 'α：σ 中过去的权重；α 越小，对新梯度反应越快。',
    },
    "help.initial_accumulator_value": {
        "en": 'Starting value of the sum of squared gradients.',
        "zh": '梯度平方和的初始值。',
    },
    "help.rho": {
        "en": 'ρ: weight of the past in both running averages.',
        "zh": 'ρ：两个滑动平均中过去的权重。',
    },
    "help.decoupled_weight_decay": {
        "en": 'Shrink θ directly by η λ θ (AdamW style) instead of adding λ θ to the gradient.',
        "zh": '直接把 θ 缩小 η λ θ（AdamW 方式），而不是把 λ θ 加到梯度上。',
    },
    "help.amsgrad": {
        "en": 'AMSGrad: divide by the running maximum of v, so the step never grows back.',
        "zh": 'AMSGrad：用 v 的历史最大值做分母，步长不会再变大。',
    },
    "help.centered": {
        "en": 'Centered: divide by the estimated standard deviation (subtract the squared mean gradient).',
        "zh": '中心化：除以梯度的标准差估计（减去平均梯度的平方）。',
    },
    "help.bias_correction": {
        "en": 'Bias correction: divide m and v by (1 − βᵗ) so the first steps are not too small.',
        "zh": '偏差修正：m 和 v 除以 (1 − βᵗ)，使最初几步不至于太小。',
    },
    "help.dampening": {
        "en": "Dampening τ: scales the new gradient in the buffer by (1 − τ).",
        "zh": "阻尼 τ：缓冲区里的新梯度乘以 (1 − τ)。",
    },
    "help.lr_decay": {
        "en": "lr_decay δ: the step size is η / (1 + (t − 1) δ).",
        "zh": "学习率衰减 δ：步长为 η / (1 + (t − 1) δ)。",
    },
    "help.momentum_decay": {
        "en": "ψ: how fast NAdam's momentum schedule μ_t rises towards β1.",
        "zh": "ψ：NAdam 的动量 μ_t 趋向 β1 的速度。",
    },
}
