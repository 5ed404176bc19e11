"""Texts of the maps (``lab.sweep``, ``figures.maps``): legends, hover lines, axes, theory lines.

Verdict kinds themselves are ``kind.*`` (``core/text/figures.py``, ``core/text/verdicts.py``).
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "maps.not_run": {
        "en": "not run (start outside the surface's domain)",
        "zh": "未运行（起点不在曲面的定义域内）",
    },
    "maps.basin": {"en": "ends at minimum {i}: ({x}, {y})", "zh": "到达最小值 {i}：({x}, {y})"},
    "maps.basin.none": {"en": "no known minimum", "zh": "未到达已知最小值"},
    "maps.basin.legend": {"en": "minimum {i} ({x}, {y})", "zh": "最小值 {i}（{x}, {y}）"},
    "maps.theory.gd": {"en": "ηλ = 2 (λ = {lam})", "zh": "ηλ = 2（λ = {lam}）"},
    "maps.theory.hb": {"en": "ηλ = 2(1 + μ) (λ = {lam})", "zh": "ηλ = 2(1 + μ)（λ = {lam}）"},
    "maps.theory.hb_damped": {
        "en": "η(1 − τ)λ = 2(1 + μ) (λ = {lam})",
        "zh": "η(1 − τ)λ = 2(1 + μ)（λ = {lam}）",
    },
    "maps.theory.l2": {"en": "λ: curvature + weight decay", "zh": "λ：曲率 + 权重衰减"},
    "maps.current": {"en": "this run's values", "zh": "当前运行的取值"},
    "maps.hover.kind": {"en": "verdict: {kind}", "zh": "判断：{kind}"},
    "maps.hover.loss": {"en": "final loss: {v}", "zh": "最终 loss：{v}"},
    "maps.hover.rate": {"en": "rate per step: {v}", "zh": "每步收缩率：{v}"},
    "maps.hover.steps": {"en": "steps run: {v}", "zh": "已运行步数：{v}"},
    "maps.hover.point": {"en": "ends at ({x}, {y})", "zh": "终点 ({x}, {y})"},
    "maps.shade.loss": {
        "en": "shade: final loss (darker is lower)",
        "zh": "深浅：最终 loss（越深越低）",
    },
    "maps.shade.rate": {
        "en": "shade: rate per step (darker changes faster)",
        "zh": "深浅：每步收缩率（越深变化越快）",
    },
    "maps.axis.start.x": {"en": "x₀ (start.x)", "zh": "起点 x₀ (start.x)"},
    "maps.axis.start.y": {"en": "y₀ (start.y)", "zh": "起点 y₀ (start.y)"},
    "maps.axis.schedule": {"en": "schedule {label}", "zh": "学习率调度 {label}"},
    "maps.title": {
        "en": "{label} on {surface}: {cells} runs × {steps} steps",
        "zh": "{label}，{surface}：{cells} 次运行 × {steps} 步",
    },
    "maps.title.basins": {
        "en": "{label} on {surface}: where each start ends ({cells} runs × {steps} steps)",
        "zh": "{label}，{surface}：每个起点的归宿（{cells} 次运行 × {steps} 步）",
    },
}
