"""Words the figures print: axis titles, legend entries, buttons, verdict kinds."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "fig.loss": {"en": "loss L", "zh": "loss L"},
    # ASCII bars in the panels' (rotated) titles: the CJK font's wide "‖" turned on its side
    # drew as a grey block at projector sizes (three lesson reviews)
    "fig.grad_norm": {"en": "||g|| (log)", "zh": "||g||（对数）"},
    "fig.lr": {"en": "η<sup>t</sup> (log)", "zh": "η<sup>t</sup>（对数）"},
    "fig.eff_lr": {"en": "η/σ per param (log)", "zh": "每个参数的 η/σ（对数）"},
    "fig.eff_lr_note": {
        "en": "solid: {x}, dashed: {y}",
        "zh": "实线：{x}，虚线：{y}",
    },
    "fig.step": {"en": "step t", "zh": "步数 t"},
    "fig.step_zoom": {"en": "step t (the first {hi} of {last})", "zh": "步数 t（前 {hi} 步，共 {last} 步）"},
    "fig.zoom_read": {"en": "t = {step}", "zh": "t = {step}"},  # short: the top panel is narrow at 1024
    "fig.train": {"en": "train", "zh": "训练"},
    "fig.test": {"en": "test", "zh": "测试"},
    "fig.step_prefix": {"en": "step ", "zh": "第 "},
    "fig.step_suffix": {"en": "", "zh": " 步"},
    "fig.play": {"en": "▶ Play", "zh": "▶ 播放"},
    "fig.pause": {"en": "❚❚ Pause", "zh": "❚❚ 暂停"},
    "fig.replay": {"en": "↺ From 0", "zh": "↺ 从头"},
    "fig.start": {"en": "start", "zh": "起点"},
    "fig.minimum": {"en": "known minimum", "zh": "已知最小值"},
    "fig.escape": {"en": "escape direction", "zh": "逃离方向"},
    "fig.grad": {"en": "−g (direction)", "zh": "−g（方向）"},
    "fig.update": {"en": "update Δθ (direction)", "zh": "更新 Δθ（方向）"},
    "fig.momentum": {"en": "−momentum (direction)", "zh": "−动量（方向）"},
    "fig.schedule_title": {"en": "learning rate η<sup>t</sup>", "zh": "学习率 η<sup>t</sup>"},
    "fig.surface_3d": {"en": "loss surface", "zh": "loss 曲面"},
    "fig.loss_log": {"en": "loss L (log)", "zh": "loss L（对数）"},
    "fig.loss_log_ref": {"en": "L − L<sub>min</sub> (log)", "zh": "L − L<sub>min</sub>（对数）"},
    "fig.step_size": {"en": "||Δθ|| (log)", "zh": "||Δθ||（对数）"},
    "fig.step_suffix_of": {"en": " / {last}", "zh": " 步 / 共 {last} 步"},
    "fig.burst": {"en": "burst", "zh": "爆发"},
    "fig.limit": {"en": "stable below 2/λ<sub>max</sub> = {v}", "zh": "稳定上限 2/λ<sub>max</sub> = {v}"},
    "fig.limit_coord": {"en": "stable below 2/H<sub>{name}</sub> = {v}", "zh": "稳定上限 2/H<sub>{name}</sub> = {v}"},
    "fig.diverged_at": {"en": "diverged at step {step:,}", "zh": "第 {step:,} 步发散"},
    "fig.diverging_from": {"en": "diverging from step {step:,}", "zh": "从第 {step:,} 步开始发散"},
    "fig.passed_saddle": {"en": "saddle passed", "zh": "经过的鞍点"},
    "fig.local_model": {"en": "local quadratic model", "zh": "局部二次模型"},
    "kind.minimum": {"en": "minimum", "zh": "最小值"},
    "kind.saddle": {"en": "saddle point", "zh": "鞍点"},
    "kind.maximum": {"en": "maximum", "zh": "极大值"},
    "kind.plateau": {"en": "plateau", "zh": "平台"},
    "kind.oscillating": {"en": "oscillating", "zh": "震荡"},
    "kind.crawling": {"en": "crawling", "zh": "爬行"},
    "kind.moving": {"en": "still moving", "zh": "仍在前进"},
    "kind.diverged": {"en": "diverged", "zh": "发散"},
}
