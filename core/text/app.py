"""The app's own words: page, controls, messages."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "title": {"en": "Adaptive learning rates, step by step", "zh": "自适应学习率，一步一步看"},
    "language": {"en": "Language", "zh": "语言"},
    "present": {"en": "Present", "zh": "演示"},
    "share": {"en": "Share", "zh": "分享"},
    "download": {"en": "Download", "zh": "下载"},
    "download_help": {
        "en": "The current view as a file: pictures (PNG, SVG, PDF), the animation (GIF), the "
        "interactive figure that works offline (HTML), or the numbers (CSV, JSON).",
        "zh": "把当前视图存成文件：图片（PNG、SVG、PDF）、动画（GIF）、离线可用的交互图（HTML），"
        "或数据（CSV、JSON）。",
    },
    "download_no_browser": {
        "en": "Pictures and GIF need Chromium on the server ({error}); HTML, CSV and JSON work.",
        "zh": "图片和 GIF 需要服务器上装有 Chromium（{error}）；HTML、CSV 和 JSON 可以使用。",
    },
    "download_failed": {
        "en": "The {fmt} export failed: {error}",
        "zh": "{fmt} 导出失败：{error}",
    },
    "share_help": {
        "en": "This link reopens exactly this view (copy it with the button on the right).",
        "zh": "这个链接会打开完全相同的视图（用右边的按钮复制）。",
    },
    "preset": {"en": "Preset", "zh": "预设"},
    "preset_none": {"en": "— none —", "zh": "— 无 —"},
    "preset_help": {
        "en": "Lecture scenarios; choosing one replaces the surface, start and runs.",
        "zh": "课程中的场景；选择后会替换曲面、起点和所有优化器。",
    },
    "preset_bad": {
        "en": "Preset {name} could not be loaded: {error}",
        "zh": "无法载入预设 {name}：{error}",
    },
    "section_surface": {"en": "Surface", "zh": "曲面"},
    "surface": {"en": "Loss surface", "zh": "loss 曲面"},
    "custom": {"en": "✎ Custom formula", "zh": "✎ 自定义公式"},
    "formula": {"en": "Formula L(x, y)", "zh": "公式 L(x, y)"},
    "formula_help": {
        "en": "Python/SymPy syntax in x and y, e.g. x**2 + 10*y**2 or (1 - x*y)**2.",
        "zh": "用 x 和 y 写的 Python/SymPy 表达式，例如 x**2 + 10*y**2 或 (1 - x*y)**2。",
    },
    "formula_bad": {
        "en": "{error} — still showing the previous surface.",
        "zh": "{error} —— 仍显示之前的曲面。",
    },
    "formula_unavailable": {
        "en": "Custom formulas are not available in this installation ({error}).",
        "zh": "当前安装不支持自定义公式（{error}）。",
    },
    "x_range": {"en": "x from … to", "zh": "x 的范围"},
    "y_range": {"en": "y from … to", "zh": "y 的范围"},
    "section_start": {"en": "Start point", "zh": "起点"},
    "start_hint": {
        "en": "Type the coordinates, or click anywhere on the map.",
        "zh": "输入坐标，或直接在地图上点击。",
    },
    "reset_start": {"en": "Reset to the surface's start", "zh": "恢复曲面默认起点"},
    "section_run": {"en": "Steps and noise", "zh": "步数与噪声"},
    "steps": {"en": "Number of steps", "zh": "步数"},
    "steps_help": {
        "en": "Up to 100,000. The map shows ~120 frames; the verdicts use every step.",
        "zh": "最多 100,000 步。地图显示约 120 帧；判断结果使用每一步。",
    },
    "batch": {"en": "Mini-batch size B (gradient noise)", "zh": "mini-batch 大小 B（梯度噪声）"},
    "batch_help": {
        "en": "Emulated mini-batch: each example's gradient scatters by σ₁ = ‖∇L(start)‖ per "
        "coordinate, so a batch of B adds noise of σ₁/√B. Full batch: no noise.",
        "zh": "模拟 mini-batch：每个样本的梯度在每个坐标上偏离 σ₁ = ‖∇L(起点)‖，"
        "所以大小为 B 的 batch 带来 σ₁/√B 的噪声。full batch：没有噪声。",
    },
    "full_batch": {"en": "full batch", "zh": "全批量（无噪声）"},
    "batch.run_emulated": {
        "en": "Mini-batch size B of this run",
        "zh": "这个运行的 mini-batch 大小 B",
    },
    "help.batch.run_emulated": {
        "en": "A batch size of its own, for a small- against large-batch comparison: its noise is "
        "σ₁/√B, drawn with the same seed as the other runs' (full batch: no noise).",
        "zh": "给这个运行单独的批量大小，用来比较小批量和大批量：它的噪声是 σ₁/√B，"
        "和其他运行用同一个种子抽取（全批量：没有噪声）。",
    },
    "seed": {"en": "Noise seed", "zh": "噪声种子"},
    "section_runs": {"en": "Optimizers", "zh": "优化器"},
    "add_run": {"en": "Add an optimizer", "zh": "添加优化器"},
    "remove_run": {"en": "Remove", "zh": "删除"},
    "optimizer": {"en": "Optimizer", "zh": "优化器"},
    "label": {"en": "Label (empty: automatic)", "zh": "名称（留空：自动）"},
    "sw_lecture": {
        "en": "Lecture form (root mean square, σ⁰ = |g⁰|)",
        "zh": "课程中的形式（均方根，σ⁰ = |g⁰|）",
    },
    "sw_lecture_help": {
        "en": "On: the lecture's formula. Off: torch.optim's (root of the sum for Adagrad; v starts at 0 for RMSProp).",
        "zh": "开：课程中的公式。关：torch.optim 的公式（Adagrad 用平方和的根；RMSProp 的 v 从 0 开始）。",
    },
    "sw_nesterov": {"en": "Nesterov (nesterov)", "zh": "Nesterov（nesterov）"},
    "sw_nesterov_help": {
        "en": "Look ahead: use g + μ b instead of b for the step (needs μ > 0).",
        "zh": "向前看一步：用 g + μ b 代替 b 来更新（需要 μ > 0）。",
    },
    "sw_decoupled": {
        "en": "Decoupled weight decay (AdamW)",
        "zh": "解耦的权重衰减（AdamW）",
    },
    "sw_decoupled_help": {
        "en": "Shrink θ by η λ θ directly instead of adding λ θ to the gradient.",
        "zh": "直接把 θ 缩小 η λ θ，而不是把 λ θ 加到梯度上。",
    },
    "p_amsgrad": {"en": "AMSGrad (amsgrad)", "zh": "AMSGrad（amsgrad）"},
    "p_bias_correction": {
        "en": "Bias correction (bias_correction)",
        "zh": "偏差修正（bias_correction）",
    },
    "p_centered": {"en": "Centered (centered)", "zh": "中心化（centered）"},
    "p_decoupled_weight_decay": {
        "en": "Decoupled weight decay (decoupled_weight_decay)",
        "zh": "解耦的权重衰减（decoupled_weight_decay）",
    },
    "schedule": {"en": "Learning-rate schedule", "zh": "学习率调度"},
    "schedule_fixed": {"en": "set to the number of steps", "zh": "等于步数"},
    "section_view": {"en": "View", "zh": "视图"},
    "view": {"en": "Picture", "zh": "图"},
    "view_map": {"en": "Map", "zh": "地图"},
    "view_3d": {"en": "3-D", "zh": "三维"},
    "arrows": {"en": "Arrows at the current step", "zh": "当前步的箭头"},
    "arrow_grad": {"en": "−gradient", "zh": "−梯度"},
    "arrow_update": {"en": "update", "zh": "更新"},
    "arrow_momentum": {"en": "momentum", "zh": "动量"},
    "arrows_help": {
        "en": "Directions at the step under the slider, moving with the animation. Their sizes are in the update-rule panel.",
        "zh": "滑块所在步的方向，随动画移动。它们的大小见“更新规则”部分。",
    },
    "step": {
        "en": "Step t (marker on the curves, numbers in the update rules, arrows on the map)",
        "zh": "步数 t（曲线上的标记、更新规则中的数值、地图上的箭头）",
    },
    "computing": {
        "en": "Running {runs} optimizer(s) for {steps:,} steps…",
        "zh": "正在运行 {runs} 个优化器，共 {steps:,} 步……",
    },
    "url_ignored": {
        "en": "Ignored from the link: {items}.",
        "zh": "链接中的以下参数被忽略：{items}。",
    },
    "url_item": {
        "en": "{name}={value} (allowed: {allowed})",
        "zh": "{name}={value}（允许：{allowed}）",
    },
    "url_scenario": {
        "en": "the link's scenario was refused, defaults used instead: {allowed}",
        "zh": "链接中的场景无效，已改用默认场景：{allowed}",
    },
    "seeds_bad": {
        "en": "The ends over batch seeds are not counted: {error}",
        "zh": "没有按批次种子统计终点：{error}",
    },
    "scenario_bad": {
        "en": "{error} — still showing the previous result.",
        "zh": "{error} —— 仍显示之前的结果。",
    },
    "verdicts": {"en": "Verdicts", "zh": "判断"},
    "at_step": {"en": "at step {step:,}", "zh": "于第 {step:,} 步"},
    "final_loss": {"en": "final loss", "zh": "最终 loss"},
    "final_grad": {"en": "final ‖g‖", "zh": "最终 ‖g‖"},
    "grad_ratio_note": {"en": "‖g‖ / ‖g⁰‖ = {ratio} (of its start)", "zh": "‖g‖ / ‖g⁰‖ = {ratio}（相对起点）"},
    "eigenvalues": {"en": "Hessian eigenvalues", "zh": "Hessian 特征值"},
    "rules": {
        "en": "Update rules, with the numbers of step t",
        "zh": "更新规则，以及第 t 步的数值",
    },
    "rule_numbers": {"en": "Step t = {step:,}", "zh": "第 t = {step:,} 步"},
    "rule_last": {
        "en": "t = {step:,} is the last point: there is no step after it.",
        "zh": "t = {step:,} 是最后一个点：之后没有更新。",
    },
    "noise_note": {
        "en": "g includes the mini-batch noise; ∇L is the exact gradient.",
        "zh": "g 含有 mini-batch 噪声；∇L 是精确梯度。",
    },
    "dismiss": {"en": "OK", "zh": "知道了"},
    # schedule parameters: the lecture's symbol, what it is, torch's name beside
    "sp.step_size": {"en": "s: steps between decays (step_size)", "zh": "s：每隔多少步衰减（step_size）"},
    "sp.gamma": {"en": "γ: decay factor (gamma)", "zh": "γ：衰减系数（gamma）"},
    "sp.T_max": {"en": "T_max: steps of the half cosine (T_max)", "zh": "T_max：半个余弦周期的步数（T_max）"},
    "sp.eta_min": {"en": "η_min: lowest rate (eta_min)", "zh": "η_min：最低学习率（eta_min）"},
    "sp.start_factor": {"en": "f₀: factor at the start (start_factor)", "zh": "f₀：起始系数（start_factor）"},
    "sp.end_factor": {"en": "f₁: factor at the end (end_factor)", "zh": "f₁：结束系数（end_factor）"},
    "sp.total_iters": {"en": "T: steps of the ramp (total_iters)", "zh": "T：线性变化的步数（total_iters）"},
    "sp.max_lr": {"en": "η_max: peak rate (max_lr)", "zh": "η_max：最高学习率（max_lr）"},
    "sp.pct_start": {"en": "p: share of the rise (pct_start)", "zh": "p：上升阶段所占比例（pct_start）"},
    "sp.anneal_strategy": {"en": "shape (anneal_strategy)", "zh": "形状（anneal_strategy）"},
    "sp.div_factor": {"en": "d: start = η_max / d (div_factor)", "zh": "d：起始 = η_max / d（div_factor）"},
    "sp.final_div_factor": {"en": "d_f: end = η_max / (d·d_f) (final_div_factor)", "zh": "d_f：结束 = η_max / (d·d_f)（final_div_factor）"},
    "sp.three_phase": {"en": "three phases (three_phase)", "zh": "三个阶段（three_phase）"},
    "stage.play": {"en": "Play", "zh": "播放"},
    "stage.pause": {"en": "Pause", "zh": "暂停"},
    "stage.back": {"en": "One step back (←)", "zh": "后退一步（←）"},
    "stage.forward": {"en": "One step forward (→)", "zh": "前进一步（→）"},
    "stage.first": {"en": "Back to step 0", "zh": "回到第 0 步"},
    "stage.speed": {"en": "Playing speed", "zh": "播放速度"},
    "stage.step": {"en": "Step (drag, or ← →)", "zh": "步数（拖动，或按 ← →）"},
    "lang_short_en": {"en": "EN", "zh": "EN"},
    "lang_short_zh": {"en": "中文", "zh": "中文"},
    "opt_whole": {"en": "Whole paths", "zh": "完整路径"},
    "opt_whole_help": {
        "en": "Off: paths and curves appear as they are played. On: drawn whole from the start.",
        "zh": "关：路径和曲线随播放逐步出现。开：一开始就画出完整路径。",
    },
    "opt_log_loss": {"en": "Log loss", "zh": "对数 loss"},
    "opt_log_loss_help": {
        "en": "The loss panel from 0 (off) or on a log axis (on; L − L_min where the loss can be negative).",
        "zh": "loss 面板从 0 开始（关），或用对数坐标（开；loss 可能为负时画 L − L_min）。",
    },
    "opt_local": {"en": "Local quadratic model", "zh": "局部二次模型"},
    "opt_local_help": {
        "en": "At the current step: contours of L + gᵀd + ½dᵀHd around the point, and the Hessian's eigenvectors scaled by their eigenvalues (dashed: negative).",
        "zh": "在当前步：点附近 L + gᵀd + ½dᵀHd 的等高线，以及按特征值缩放的 Hessian 特征向量（虚线：负特征值）。",
    },
    "opt_local_run": {"en": "of run", "zh": "属于"},
    "view_options": {"en": "View options", "zh": "视图选项"},
    "exact": {"en": "exact", "zh": "精确值"},
    "exact_help": {"en": "Type the exact value (the slider offers rounded ones).", "zh": "输入精确值（滑块只提供取整后的值）。"},
    "onecycle_lr": {
        "en": "One-cycle sets η itself (from η_max/d up to η_max and down): η is not used.",
        "zh": "one-cycle 自己决定 η（从 η_max/d 升到 η_max 再下降）：这里的 η 不起作用。",
    },

}
