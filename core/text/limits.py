"""Texts of the limits: why a run was cut, the work budget, the error boundary, the link rules.

Numbers come formatted from the caller (``lab.cut``, ``lab.budget``, ``ui``).
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    # --- why the engine cut a run (lab.cut) ----------------------------------------------------
    "verdict.diverged.overflow": {
        "en": "Diverged at step {step}: {what} overflowed, beyond the largest float64 number "
        "(about 1.8e308).",
        "zh": "在第 {step} 步发散：{what}溢出，超过了 float64 能表示的最大数（约 1.8e308）。",
    },
    "verdict.diverged.undefined": {
        "en": "Stopped at step {step}: {what} became NaN, an undefined operation such as 0/0 "
        "(for example ε = 0 where the gradient is 0).",
        "zh": "在第 {step} 步停止：{what}变成了 NaN，即 0/0 这样没有定义的运算"
        "（例如梯度为 0 处 ε = 0）。",
    },
    "verdict.diverged.zero_division": {
        "en": "Stopped at step {step}: {what} became infinite through a division by zero "
        "(for example ε = 0).",
        "zh": "在第 {step} 步停止：{what}因除以零而变成无穷大（例如 ε = 0）。",
    },
    "verdict.diverged.domain": {
        "en": "Stopped at step {step}: the point {point} is outside the formula's domain, "
        "where {what} is not defined (the log or square root of a negative number, or a "
        "division by zero).",
        "zh": "在第 {step} 步停止：点 {point} 超出了公式的定义域，{what}在那里没有定义"
        "（负数的对数或平方根，或除以零）。",
    },
    "cut.what.point": {"en": "the point θ", "zh": "点 θ"},
    "cut.what.effective_lr": {
        "en": "the effective learning rate η/σ",
        "zh": "有效学习率 η/σ",
    },
    "cut.what.state": {
        "en": "the optimizer's state {field}",
        "zh": "优化器的状态 {field}",
    },
    "cut.what.loss": {"en": "the loss", "zh": "loss"},
    "cut.what.gradient": {"en": "the gradient", "zh": "梯度"},
    # --- the work budget (lab.budget) ----------------------------------------------------------
    "budget.runs.one": {"en": "1 run", "zh": "1 个运行"},
    "budget.runs.many": {"en": "{n} runs", "zh": "{n} 个运行"},
    "budget.where.formula": {"en": "on this formula", "zh": "（在这个公式上）"},
    "budget.where.builtin": {"en": "on {name}", "zh": "（在 {name} 上）"},
    "budget.over.steps_or_runs": {
        "en": "{runs} × {steps} steps {where} ≈ {seconds} s of work; at most ≈ {budget} s: "
        "lower the steps to {max_steps} or the runs to {max_runs}",
        "zh": "{runs} × {steps} 步{where}约需 {seconds} 秒计算；上限约为 {budget} 秒："
        "请把步数降到 {max_steps}，或把运行数降到 {max_runs}",
    },
    "budget.over.steps": {
        "en": "{runs} × {steps} steps {where} ≈ {seconds} s of work; at most ≈ {budget} s: "
        "lower the steps to {max_steps}",
        "zh": "{runs} × {steps} 步{where}约需 {seconds} 秒计算；上限约为 {budget} 秒："
        "请把步数降到 {max_steps}",
    },
    "budget.over.nothing": {
        "en": "{runs} × {steps} steps {where} ≈ {seconds} s of work; at most ≈ {budget} s, "
        "and even one step of these runs is over it: use fewer runs or a simpler formula",
        "zh": "{runs} × {steps} 步{where}约需 {seconds} 秒计算；上限约为 {budget} 秒，"
        "这些运行连一步都超出上限：请减少运行数或换一个更简单的公式",
    },
    "budget.deadline": {
        "en": "stopped at step {step} of {steps}: the runs used {seconds} s of CPU, past the "
        "hard limit of {limit} s (the work estimate was too low); lower the steps or the runs",
        "zh": "在第 {step} 步（共 {steps} 步）停止：计算已用 {seconds} 秒 CPU，超过了 {limit} 秒"
        "的硬性上限（工作量估计偏低）；请减少步数或运行数",
    },
    # --- the page's error boundary (ui.recover) -------------------------------------------------
    "error.unexpected": {
        "en": "Something went wrong while drawing this part of the page ({error}). The controls "
        "still work: change a setting, or reset to the defaults.",
        "zh": "绘制页面的这一部分时出错了（{error}）。控件仍然可用：请修改设置，或恢复默认设置。",
    },
    "error.reset": {"en": "Reset to defaults", "zh": "恢复默认设置"},
    # --- the link's warning (ui.url, ui.popovers) ------------------------------------------------
    "url_more": {"en": "and {n} more", "zh": "另有 {n} 项"},
}
