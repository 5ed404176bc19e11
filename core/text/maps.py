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
    "maps.title.short": {
        "en": "{label}: {cells} runs × {steps} steps",
        "zh": "{label}：{cells} 次运行 × {steps} 步",
    },
    "maps.title.basins": {
        "en": "{label} on {surface}: where each start ends ({cells} runs × {steps} steps)",
        "zh": "{label}，{surface}：每个起点的归宿（{cells} 次运行 × {steps} 步）",
    },
    # --- the app's Maps view (ui/maps_view.py) ---
    "view_maps": {"en": "Maps", "zh": "扫描图"},
    "maps.ui.x": {"en": "x: {param}", "zh": "x：{param}"},
    "maps.ui.y": {"en": "y: {param}", "zh": "y：{param}"},
    "maps.ui.no_axis": {"en": "y: none (one strip)", "zh": "y：无（单行）"},
    "maps.ui.x_label": {"en": "x axis", "zh": "x 轴"},
    "maps.ui.y_label": {"en": "y axis", "zh": "y 轴"},
    "maps.ui.settings": {"en": "Ranges, runs and colours of the map", "zh": "扫描图的范围、运行和颜色"},
    "maps.ui.run": {"en": "Swept run", "zh": "扫描的运行"},
    "maps.ui.beside": {"en": "Beside it, over the same axes", "zh": "并排显示（同样的坐标轴）"},
    "maps.ui.beside_none": {"en": "nothing", "zh": "无"},
    "maps.ui.from": {"en": "{axis} from", "zh": "{axis} 起"},
    "maps.ui.to": {"en": "{axis} to", "zh": "{axis} 止"},
    "maps.ui.n": {"en": "{axis}: values", "zh": "{axis}：取值个数"},
    "maps.ui.scale": {"en": "{axis}: spacing", "zh": "{axis}：间隔"},
    "maps.ui.scale.linear": {"en": "even", "zh": "等差"},
    "maps.ui.scale.log": {"en": "log (equal ratios)", "zh": "对数（等比）"},
    "maps.ui.shade": {"en": "Shade", "zh": "深浅"},
    "maps.ui.shade.auto": {"en": "automatic", "zh": "自动"},
    "maps.ui.shade.loss": {"en": "final loss", "zh": "最终 loss"},
    "maps.ui.shade.rate": {"en": "rate per step", "zh": "每步收缩率"},
    "maps.ui.shade.none": {"en": "none", "zh": "无"},
    "maps.ui.coloring": {"en": "Colour", "zh": "颜色"},
    "maps.ui.coloring.auto": {"en": "automatic", "zh": "自动"},
    "maps.ui.coloring.kind": {"en": "verdict", "zh": "判断"},
    "maps.ui.coloring.basin": {"en": "minimum reached (basins)", "zh": "到达的最小值（吸引盆）"},
    "maps.ui.computing": {
        "en": "Computing the map: {cells} runs × {steps} steps …",
        "zh": "正在计算扫描图：{cells} 次运行 × {steps} 步……",
    },
    "maps.ui.over_budget": {
        "en": "This map needs about {seconds} s of computing ({cells} runs × {steps} steps); the "
        "app allows {budget} s per map. Lower the values per axis (n) or the steps.",
        "zh": "这张扫描图大约需要 {seconds} 秒计算（{cells} 次运行 × {steps} 步）；本应用每张图最多 "
        "{budget} 秒。请减少每个轴的取值个数（n）或步数。",
    },
    "maps.ui.bad": {"en": "The map cannot be computed: {error}", "zh": "无法计算扫描图：{error}"},
    "maps.ui.help": {
        "en": "Click a cell: that run opens in the Map view.",
        "zh": "点击一个格子：该运行在地图视图中打开。",
    },
    "maps.ui.loaded": {
        "en": "Opened from the map: {values} (the map's verdict there: {kind}).",
        "zh": "从扫描图打开：{values}（扫描图在此处的判断：{kind}）。",
    },
    "maps.ui.download": {"en": "The map's cells", "zh": "扫描图的格子数据"},
}
