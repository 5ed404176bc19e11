"""Texts of the built-in surfaces and of a custom formula, keyed ``surface.<name>.title`` and
``surface.<name>.description``; each ``Surface.title`` / ``.description`` is built from them with
``core.text.both``."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "surface.ravine.title": {"en": "Convex ravine", "zh": "凸的狭长峡谷"},
    "surface.ravine.description": {
        "en": "Elongated bowl 1/2 (x² + 200 y²): flat along x, 200× steeper across y.",
        "zh": "狭长的碗 1/2 (x² + 200 y²)：x 方向平缓，y 方向陡 200 倍。",
    },
    "surface.rotated_ravine.title": {"en": "Rotated ravine", "zh": "旋转的峡谷"},
    "surface.rotated_ravine.description": {
        "en": "The ravine (curvatures 1 and 50) turned by 30°: its axes are not the coordinate "
        "axes, so per-coordinate step sizes help less.",
        "zh": "曲率为 1 和 50 的峡谷旋转 30°：主轴不再与坐标轴对齐，逐参数的学习率帮助变小。",
    },
    "surface.saddle.title": {"en": "Saddle x² − y²", "zh": "鞍点 x² − y²"},
    "surface.saddle.description": {
        "en": "A pure saddle at (0, 0): up along x, down along y (unbounded below).",
        "zh": "(0, 0) 处的纯鞍点：沿 x 向上，沿 y 向下（没有下界）。",
    },
    "surface.lecture_saddle.title": {
        "en": "Lecture example (1 − w₁w₂)²",
        "zh": "课程例子 (1 − w₁w₂)²",
    },
    "surface.lecture_saddle.description": {
        "en": "One neuron y = w₁w₂x on the sample x = 1, y = 1: a saddle at (0, 0) with Hessian "
        "eigenvalues 2 and −2; minima along the curve w₁w₂ = 1.",
        "zh": "单个样本 x = 1, y = 1 上的 y = w₁w₂x：(0, 0) 是鞍点，Hessian 特征值为 2 和 −2；曲线 w₁w₂ = 1 上都是最小值。",
    },
    "surface.rosenbrock.title": {"en": "Rosenbrock", "zh": "Rosenbrock 函数"},
    "surface.rosenbrock.description": {
        "en": "A curved, nearly flat banana-shaped valley leading to the minimum at (1, 1).",
        "zh": "弯曲、几乎平坦的香蕉形山谷，通向 (1, 1) 的最小值。",
    },
    "surface.beale.title": {"en": "Beale", "zh": "Beale 函数"},
    "surface.beale.description": {
        "en": "Sharp ridges and flat arms; minimum at (3, 0.5).",
        "zh": "陡峭的山脊和平坦的长臂；最小值在 (3, 0.5)。",
    },
    "surface.himmelblau.title": {"en": "Himmelblau", "zh": "Himmelblau 函数"},
    "surface.himmelblau.description": {
        "en": "Four equal minima, one maximum and four saddles: where you start decides where you "
        "end.",
        "zh": "四个同样低的最小值、一个最大值和四个鞍点：起点决定终点。",
    },
    "surface.rastrigin.title": {"en": "Rastrigin", "zh": "Rastrigin 函数"},
    "surface.rastrigin.description": {
        "en": "A bowl covered in regular bumps: many local minima around the global one at (0, 0).",
        "zh": "布满规则凸起的碗：全局最小值 (0, 0) 周围有许多局部最小值。",
    },
    "surface.dip.title": {"en": "Shallow dip on a slope", "zh": "斜坡上的浅坑"},
    "surface.dip.description": {
        "en": "A long gentle slope with a shallow dip on the way: plain GD settles in the dip, "
        "momentum carries through to the real minimum.",
        "zh": "一段平缓的长坡，途中有个浅坑：普通梯度下降停在坑里，动量能冲过去到达真正的最小值。",
    },
    "surface.custom.title": {"en": "Custom formula", "zh": "自定义公式"},
    # {expr} is the formula exactly as typed.
    "surface.custom.description": {"en": "L(x, y) = {expr}", "zh": "L(x, y) = {expr}"},
}
