"""Texts of the data sets and mini-batches: the data sets' titles and descriptions (keyed
``surface.<name>.title`` / ``.description`` like the built-in surfaces), and the labels and
messages of batches (``batch.*``)."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    # --- data sets ---------------------------------------------------------------------------
    "surface.linear_regression.title": {
        "en": "Data: linear regression",
        "zh": "数据：线性回归",
    },
    "surface.linear_regression.description": {
        "en": "Fit y = w x + b to N noisy samples of y = 2x − 1 by least squares: the mean of "
        "½ (w xᵢ + b − yᵢ)², a tilted elongated bowl with one minimum.",
        "zh": "用最小二乘把 y = w x + b 拟合到 y = 2x − 1 的 N 个带噪声的样本上：½ (w xᵢ + b − yᵢ)² 的平均，"
        "一个倾斜的狭长碗，只有一个最小值。",
    },
    "surface.lecture_product.title": {
        "en": "Data: the lecture's y = w₁w₂x",
        "zh": "数据：课程中的 y = w₁w₂x",
    },
    "surface.lecture_product.description": {
        "en": "The lecture's one-neuron model on N samples (the first is x = 1, y = 1; with one "
        "sample this is exactly (1 − w₁w₂)²): mean of (yᵢ − w₁w₂xᵢ)², a saddle at (0, 0) and "
        "a valley of minima along w₁w₂ = const.",
        "zh": "课程中的单神经元模型，用 N 个样本（第一个是 x = 1, y = 1；只有一个样本时正是 (1 − w₁w₂)²）："
        "(yᵢ − w₁w₂xᵢ)² 的平均，(0, 0) 是鞍点，沿 w₁w₂ = 常数 是一条最小值构成的谷。",
    },
    "surface.logistic.title": {
        "en": "Data: logistic regression",
        "zh": "数据：逻辑回归",
    },
    "surface.logistic.description": {
        "en": "Two overlapping classes (labels ±1) in two features, classified by the sign of "
        "θ·x: the mean of log(1 + exp(−yᵢ θ·xᵢ)), convex, one minimum.",
        "zh": "两个特征上互相重叠的两类样本（标签 ±1），按 θ·x 的符号分类：log(1 + exp(−yᵢ θ·xᵢ)) 的平均，"
        "凸函数，只有一个最小值。",
    },
    "surface.sharp_flat.title": {
        "en": "Data: a sharp and a flat minimum",
        "zh": "数据：尖锐与平坦的最小值",
    },
    "surface.sharp_flat.description": {
        "en": "Each sample shifts a landscape with a narrow and a wide well a little; the test "
        "set is shifted a bit more. At the narrow well that shift costs much, at the wide one "
        "little: the flat minimum generalises better.",
        "zh": "每个样本把一个有窄井和宽井的地形稍微平移；测试集平移得更多一点。在窄井处这点平移代价很大，"
        "在宽井处很小：平坦的最小值泛化得更好。",
    },
}
