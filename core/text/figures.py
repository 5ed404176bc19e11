"""Words the figures print: axis titles, legend entries, buttons, verdict kinds."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "fig.loss": {"en": "loss L", "zh": "loss L"},
    "fig.grad_norm": {"en": "‖g‖ (log)", "zh": "‖g‖（对数）"},
    "fig.lr": {"en": "η<sup>t</sup> (log)", "zh": "η<sup>t</sup>（对数）"},
    "fig.eff_lr": {"en": "η/σ per param (log)", "zh": "每个参数的 η/σ（对数）"},
    "fig.eff_lr_note": {
        "en": "solid: x, dashed: y",
        "zh": "实线：x，虚线：y",
    },
    "fig.step": {"en": "step t", "zh": "步数 t"},
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
    "kind.minimum": {"en": "minimum", "zh": "最小值"},
    "kind.saddle": {"en": "saddle point", "zh": "鞍点"},
    "kind.maximum": {"en": "maximum", "zh": "极大值"},
    "kind.plateau": {"en": "plateau", "zh": "平台"},
    "kind.oscillating": {"en": "oscillating", "zh": "震荡"},
    "kind.crawling": {"en": "crawling", "zh": "爬行"},
    "kind.moving": {"en": "still moving", "zh": "仍在前进"},
    "kind.diverged": {"en": "diverged", "zh": "发散"},
}
