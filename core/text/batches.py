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
    # --- data-set parameters (labels and help, for the controls of the next step) ------------
    "data.name": {"en": "Data set", "zh": "数据集"},
    "data.samples": {"en": "Samples N", "zh": "样本数 N"},
    "help.data.samples": {
        "en": "How many samples the data set has; the loss is their mean.",
        "zh": "数据集有多少个样本；损失是它们的平均。",
    },
    "data.seed": {"en": "Data seed", "zh": "数据种子"},
    "help.data.seed": {
        "en": "Draws the samples: the same seed gives the same data set.",
        "zh": "决定抽出哪些样本：相同的种子给出相同的数据集。",
    },
    "data.noise": {"en": "Noise of the data", "zh": "数据的噪声"},
    "help.data.noise": {
        "en": "How far the samples scatter around the model they were drawn from.",
        "zh": "样本在生成它们的模型周围分散的程度。",
    },
    "data.depth": {"en": "Depth of the narrow well", "zh": "窄井的深度"},
    "help.data.depth": {
        "en": "The sharp minimum's depth; the wide well's is 1.",
        "zh": "尖锐最小值的深度；宽井的深度是 1。",
    },
    "data.shift": {"en": "Shift of the test set", "zh": "测试集的平移"},
    "help.data.shift": {
        "en": "How far the test set is drawn shifted from the training set, along w₁.",
        "zh": "测试集相对训练集沿 w₁ 平移多少抽取。",
    },
    # --- mini-batches --------------------------------------------------------------------------
    "batch.size": {"en": "Mini-batch size B", "zh": "小批量大小 B"},
    "help.batch.size": {
        "en": "Samples per update; each epoch is a fresh shuffle cut into batches of B, the rest "
        "dropped. B ≥ N: all the data at every step.",
        "zh": "每次更新用的样本数；每个 epoch 重新打乱并切成大小为 B 的批次，余下的丢弃。B ≥ N：每一步都用全部数据。",
    },
    "batch.seed": {"en": "Shuffle seed", "zh": "打乱种子"},
    "help.batch.seed": {
        "en": "Decides the order of the batches; runs with the same size and seed see the same "
        "batches.",
        "zh": "决定批次的顺序；大小和种子相同的运行看到相同的批次。",
    },
    "batch.all": {"en": "all {n} samples", "zh": "全部 {n} 个样本"},
    "batch.of": {"en": "batches of {b}", "zh": "每批 {b} 个"},
    "batch.per_epoch": {"en": "{k} updates per epoch", "zh": "每个 epoch {k} 次更新"},
    "batch.loss": {"en": "batch loss", "zh": "批次损失"},
    "batch.full_loss": {"en": "loss on all the data", "zh": "全部数据上的损失"},
    "batch.test_loss": {"en": "test loss", "zh": "测试损失"},
    "batch.axis.updates": {"en": "updates", "zh": "更新次数"},
    "batch.axis.epochs": {"en": "epochs", "zh": "epoch 数"},
    "batch.own_surface": {
        "en": "the current batch's own error surface",
        "zh": "当前批次自己的误差曲面",
    },
    "batch.current": {"en": "current batch", "zh": "当前批次"},
    "batch.data_panel": {"en": "Data", "zh": "数据"},
    "batch.fit": {"en": "model at this step", "zh": "这一步的模型"},
    "batch.boundary": {"en": "decision boundary", "zh": "决策边界"},
    "batch.emulated": {
        "en": "emulated noise (isotropic, not from the data)",
        "zh": "模拟噪声（各向同性，不来自数据）",
    },
    # --- the app's controls and stage (issue 12, app side) ---------------------------------------
    "batch.section": {"en": "Mini-batches", "zh": "小批量"},
    "batch.full": {"en": "all N samples", "zh": "全部 N 个样本"},
    "batch.run_own": {"en": "Mini-batch of this run", "zh": "这个运行的小批量"},
    "help.batch.run_own": {
        "en": "A batch size of its own, for a batch-size comparison (the same optimizer at "
        "several B).",
        "zh": "给这个运行单独的批量大小，用来比较批量大小（同一个优化器用几种 B）。",
    },
    "batch.same": {"en": "as above", "zh": "同上"},
    "batch.seeds": {"en": "Count the ends over batch seeds", "zh": "按批次种子统计终点"},
    "batch.seeds_off": {"en": "off", "zh": "关"},
    "help.batch.seeds": {
        "en": "Runs every batch run again with the shuffle seeds 0 … N−1 and counts where they end: "
        "beside each minimum on the map (once Play reaches the end) and on the run's card. The map "
        "draws one seed's path; this says how often that ending happens.",
        "zh": "用打乱种子 0 … N−1 把每个小批量运行重跑一遍，统计它们停在哪里：显示在地图上每个最小值旁边"
        "（播放到最后一步时出现）和运行的卡片上。地图只画一个种子的路径；这里告诉你这种结局有多常见。",
    },
    "verdict.card.seeds": {
        "en": "Over {seeds} batch seeds (0 … {last}) this run ends {where}.",
        "zh": "在 {seeds} 个批次种子（0 … {last}）下，这个运行{where}。",
    },
    "verdict.card.seeds_at": {"en": "at the minimum {point} in {n}", "zh": "有 {n} 次停在最小值 {point}"},
    "verdict.card.seeds_away": {
        "en": "at no marked minimum in {n} (around {point}, where the map counts them)",
        "zh": "有 {n} 次没有停在标出的最小值（停在 {point} 附近，地图在那里标出计数）",
    },
    "verdict.card.seeds_gone": {"en": "out of bounds in {n}", "zh": "有 {n} 次越出了边界"},
    "batch.run_seed": {"en": "Shuffle seed of this run", "zh": "这个运行的打乱种子"},
    "batch.step_axis": {"en": "Step axis of the panels", "zh": "曲线的横轴"},
    "help.batch.step_axis": {
        "en": "Updates (one per batch) or epochs (passes over the data): per epoch a small batch "
        "makes N/B updates, the full batch one.",
        "zh": "更新次数（每个批次一次）或 epoch 数（把数据看一遍）：每个 epoch 小批量做 N/B 次更新，全批量只做一次。",
    },
    "batch.emulated_size": {
        "en": "Emulated noise: batch size (isotropic Gaussian, not from the data)",
        "zh": "模拟噪声：批量大小（各向同性高斯，不来自数据）",
    },
    "batch.own_minimum": {"en": "the batch's own minimum", "zh": "批次自己的最小值"},
    "batch.samples": {"en": "samples", "zh": "样本"},
    "batch.test_set": {"en": "test set", "zh": "测试集"},
    "batch.panel_title": {
        "en": "Data · current batch of {label}",
        "zh": "数据 · {label} 的当前批次",
    },
    "batch.panel_offsets": {
        "en": "sample offsets xᵢ (orange: the test set), current batch ringed",
        "zh": "样本偏移 xᵢ（橙色：测试集），圈出的是当前批次",
    },
    "batch.faint_note": {
        "en": "faint: each batch's loss",
        "zh": "淡色：每个批次的损失",
    },
}
