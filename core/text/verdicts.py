"""Texts of the verdicts and their events: keyed ``verdict.*``, ``event.*``, ``kind.diverging``.

The numbers are formatted by ``lab.verdicts.cards`` and passed in as strings; every number a
sentence shows is also in the verdict's ``numbers``. A verdict's explanation is its head
sentence followed by the clauses that apply (cycle, noise, degenerate, local, L2).
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "kind.diverging": {"en": "diverging", "zh": "正在发散"},
    "kind.stopped": {"en": "stopped short", "zh": "中途停下"},
    # --- at a critical point --------------------------------------------------------------
    "verdict.minimum": {
        "en": "Reached a minimum: by the local quadratic model the gradient vanishes at a "
        "point {dist} away ({tol}), and the loss {around} (curvatures {eig}); final loss {loss}.",
        "zh": "到达了最小值：按局部二次模型，梯度在离这里 {dist} 处为零（{tol}），{around}"
        "（曲率 {eig}）；最终 loss 为 {loss}。",
    },
    "verdict.around.rises": {"en": "rises in every direction around it", "zh": "周围各个方向 loss 都上升"},
    "verdict.around.flat": {
        "en": "rises around it except along {dir}, where it is as good as flat: that curvature is "
        "negative, but too slightly to move the point away within this run",
        "zh": "周围 loss 都上升，只有沿 {dir} 方向几乎是平的：那个方向的曲率是负的，但小到在这次运行中"
        "推不走这个点",
    },
    "verdict.saddle": {
        "en": "Stopped at a saddle point: by the local quadratic model the gradient vanishes "
        "at a point {dist} away ({tol}), but along {dir} the loss falls (curvatures {eig}): "
        "moving that way lowers the loss.",
        "zh": "停在了鞍点：按局部二次模型，梯度在离这里 {dist} 处为零（{tol}），但沿 {dir} 方向 "
        "loss 下降（曲率 {eig}）：往这个方向走可以降低 loss。",
    },
    "verdict.maximum": {
        "en": "Stopped at a maximum: by the local quadratic model the gradient vanishes at a "
        "point {dist} away ({tol}), and the loss falls in every direction around it "
        "(curvatures {eig}).",
        "zh": "停在了极大值：按局部二次模型，梯度在离这里 {dist} 处为零（{tol}），周围各个方向 "
        "loss 都下降（曲率 {eig}）。",
    },
    "verdict.plateau": {
        "en": "Stopped on a plateau: the gradient is {grad_rel} of the surface's typical "
        "gradient and the loss hardly changes around the point (curvatures {eig}); the surface "
        "is flat here.",
        "zh": "停在了平台上：梯度只有曲面典型梯度的 {grad_rel}，周围的 loss 几乎不变（曲率 {eig}）；"
        "这里的曲面是平的。",
    },
    "verdict.clause.degenerate": {
        "en": "The curvature nearly vanishes here, so the loss around the point decides: "
        "it {shape}.",
        "zh": "这里的曲率几乎为零，所以由周围的 loss 来判断：{shape}。",
    },
    "verdict.shape.rises": {"en": "rises on every side", "zh": "四周都更高"},
    "verdict.shape.falls": {"en": "falls on every side", "zh": "四周都更低"},
    "verdict.shape.mixed": {"en": "rises on some sides and falls on others", "zh": "有的方向更高，有的方向更低"},
    "verdict.shape.flat": {"en": "does not change", "zh": "几乎不变"},
    "verdict.clause.cycle": {
        "en": "It is caught in a cycle of period {period}, {dist} across, around that point.",
        "zh": "它陷入了一个周期为 {period} 的循环，幅度 {dist}，绕着这个点。",
    },
    "verdict.clause.period": {
        "en": "The bounce repeats every {period} steps.",
        "zh": "这种来回弹动每 {period} 步重复一次。",
    },
    "verdict.clause.rises": {
        "en": "Each step follows a noisy gradient, not the true one: the loss rose on {share} of "
        "its {n} steps ({count}).",
        "zh": "每一步跟随的都是带噪声的梯度，而不是真实梯度：在它的 {n} 步中，损失有 {share}（{count} 步）是上升的。",
    },
    "verdict.clause.never_rose": {
        "en": "Each step follows a noisy gradient, not the true one, yet the loss never rose on its {n} steps.",
        "zh": "每一步跟随的都是带噪声的梯度，而不是真实梯度，但在它的 {n} 步中损失一次也没有上升。",
    },
    "verdict.clause.noise": {
        "en": "It hovers around the minimum: here the true gradient is smaller than the noise in "
        "each step's gradient (less than {k}σ, σ = {sigma}), so the steps point every way and "
        "cannot bring it closer.",
        "zh": "它在最小值附近徘徊：这里真实梯度比每一步梯度里的噪声还小（不到 {k}σ，σ = {sigma}），"
        "所以每一步方向各异，无法再靠近。",
    },
    "verdict.clause.local": {
        "en": "It is a local minimum: the surface goes lower (loss {best}).",
        "zh": "这是局部最小值：曲面上还有更低处（loss {best}）。",
    },
    "verdict.clause.l2": {
        "en": "The loss judged is L + λ/2·‖θ‖² with λ = {l2}: the objective this run's weight "
        "decay minimises.",
        "zh": "这里评判的是 L + λ/2·‖θ‖²（λ = {l2}）：这个 run 的权重衰减真正最小化的目标。",
    },
    # --- stuck or still going ---------------------------------------------------------------
    "verdict.oscillating": {
        "en": "Stuck, but not at a critical point: since step {since} the loss has stopped "
        "falling (over the last {window} steps it fell by {drop}, {drop_pct} of what is left), "
        "while the point bounces along the direction {dir}, still {dist} from the bottom of the "
        "local quadratic, with the gradient at {grad_ratio} of its start. The learning rate is "
        "too large for the curvature along that direction: the bounce does not die down.",
        "zh": "卡住了，但不在 critical point：从第 {since} 步起 loss 不再下降（最后 {window} 步只降了 "
        "{drop}，是剩余可降部分的 {drop_pct}），而点沿 {dir} 方向来回弹，离局部二次模型的最低点"
        "还有 {dist}，梯度仍是起始值的 {grad_ratio}。对这个方向的曲率来说学习率太大了：来回弹动不会衰减。",
    },
    "verdict.diverging": {
        "en": "Diverging: since step {onset} the bounce along the direction {dir} grows ×{growth} per step "
        "(×{run_growth} over a run as long as this one); {leave}. The learning rate is too "
        "large for the curvature along that direction.",
        "zh": "正在发散：从第 {onset} 步起，沿 {dir} 方向的来回弹动每步放大 {growth} 倍"
        "（按这次运行的长度算放大 {run_growth} 倍）；{leave}。对这个方向的曲率来说学习率太大了。",
    },
    "verdict.tol": {"en": "tolerance {tol}", "zh": "容差 {tol}"},
    "verdict.tol.noise": {
        "en": "farther than the tolerance {tol}, but as near as the noise lets it come",
        "zh": "超出容差 {tol}，但噪声不让它更近",
    },
    "verdict.leave.at": {
        "en": "at this rate it leaves the plot range at about step {step}",
        "zh": "照这个速度，大约在第 {step} 步离开绘图范围",
    },
    "verdict.leave.out": {
        "en": "it has already left the plot range",
        "zh": "它已经离开了绘图范围",
    },
    "verdict.crawling": {
        "en": "Crawling: along {dir} it is still {dist} from the bottom of the local quadratic, "
        "and at its pace (time constant {tau} steps) coming within {tol} of it takes about "
        "{togo} more steps, {times}× the {n} it has run. Not at a critical point: the step is "
        "too small for this slope.",
        "zh": "在爬行：沿 {dir} 方向离局部二次模型的最低点还有 {dist}，按现在的速度（时间常数 {tau} 步）"
        "要进入 {tol} 以内还需要约 {togo} 步，是已经走过的 {n} 步的 {times} 倍。并不在 critical "
        "point：对这段坡来说步长太小了。",
    },
    "verdict.crawling.slope": {
        "en": "Crawling: along {dir} the slope has no bottom nearby, and at {pace} per step "
        "crossing the plot would take about {togo} steps, {times}× the {n} it has run. Not at a "
        "critical point: the step is too small for this slope.",
        "zh": "在爬行：沿 {dir} 方向附近没有最低点，按每步 {pace} 的速度，穿过整个绘图范围需要约 "
        "{togo} 步，是已经走过的 {n} 步的 {times} 倍。并不在 critical point：对这段坡来说步长太小了。",
    },
    "verdict.stopped": {
        "en": "Stopped short of a critical point: it has come to rest {dist} from the bottom of "
        "the local quadratic along {dir} and over the last {window} steps it has hardly moved, "
        "with the gradient at {grad_ratio} of its start. Something other than the gradient "
        "holds it there: a zero step, or a decay that balances the step.",
        "zh": "没到 critical point 就停下了：它停在沿 {dir} 方向离局部二次模型最低点 {dist} 的地方，"
        "最后 {window} 步几乎没有移动，梯度仍是起始值的 {grad_ratio}。让它停在这里的不是梯度："
        "要么步长为零，要么衰减抵消了步长。",
    },
    "verdict.moving": {
        "en": "Still moving: along {dir} it is {dist} from the bottom of the local quadratic "
        "and, at its pace (time constant {tau} steps), comes within {tol} of it in about "
        "{togo} more steps.",
        "zh": "仍在前进：沿 {dir} 方向离局部二次模型的最低点还有 {dist}，按现在的速度（时间常数 "
        "{tau} 步），大约再走 {togo} 步就能进入 {tol} 以内。",
    },
    "verdict.moving.escape": {
        "en": "Still moving: it is leaving a critical point along {dir}, its distance growing "
        "×{growth} per step (the curvature there is negative); more steps would take it further.",
        "zh": "仍在前进：它正沿 {dir} 方向离开一个 critical point，距离每步放大 {growth} 倍"
        "（那里的曲率为负）；再多走一些会走得更远。",
    },
    "verdict.moving.slope": {
        "en": "Still moving: along {dir} the slope has no bottom nearby and it covers {pace} "
        "per step; more steps would take it further.",
        "zh": "仍在前进：沿 {dir} 方向附近没有最低点，每步前进 {pace}；再多走一些会走得更远。",
    },
    "verdict.moving.loss": {
        "en": "Still moving: its steps are mostly noise, but over the last {window} steps the "
        "loss fell by {drop}, more than the noise explains; more steps would take it further.",
        "zh": "仍在前进：它的步子大多是噪声，但最后 {window} 步 loss 仍下降了 {drop}，超出了噪声能解释的"
        "范围；再多走一些会更接近。",
    },
    "verdict.clause.bounce": {
        "en": "Across {dir} it also bounces steadily, but the loss still falls, so it is not "
        "stuck yet.",
        "zh": "它在 {dir} 方向上也在稳定地来回弹，但 loss 仍在下降，所以还不算卡住。",
    },
    # --- cut by the engine ------------------------------------------------------------------
    "verdict.diverged.bound": {
        "en": "Diverged at step {step}: the point left the region |x|, |y| ≤ 1e6. The step is "
        "too large for the curvature here.",
        "zh": "在第 {step} 步发散：点离开了 |x|, |y| ≤ 1e6 的范围。对这里的曲率来说步长太大了。",
    },
    "verdict.diverged.nonfinite": {
        "en": "Diverged at step {step}: the loss or gradient stopped being a finite number "
        "(overflow, or outside the formula's domain).",
        "zh": "在第 {step} 步发散：loss 或梯度不再是有限的数（溢出，或超出了公式的定义域）。",
    },
    "verdict.clause.onset": {
        "en": "The loss had been growing since step {onset}.",
        "zh": "loss 从第 {onset} 步起就一直在增长。",
    },
    # --- events -------------------------------------------------------------------------------
    "event.bursts": {
        "en": "{count} bursts of the loss, at steps {steps}",
        "zh": "loss 爆发了 {count} 次，在第 {steps} 步",
    },
    "event.burst": {
        "en": "a burst of the loss at step {steps}",
        "zh": "loss 在第 {steps} 步爆发了一次",
    },
    "event.burst.one": {
        "en": "burst at step {step}: the loss jumped from {base} to {peak} (at step {at})",
        "zh": "第 {step} 步爆发：loss 从 {base} 跳到 {peak}（第 {at} 步）",
    },
    "event.first_step.large": {
        "en": "first step {ratio}× the median of the next {n} steps, and the loss rose on it "
        "(from {l0} to {l1})",
        "zh": "第一步是后面 {n} 步中位数的 {ratio} 倍，而且这一步 loss 反而上升（从 {l0} 到 {l1}）",
    },
    "event.first_step.small": {
        "en": "first step {ratio}× smaller than the median of the next {n} steps (the steps grew)",
        "zh": "第一步比后面 {n} 步的中位数小 {ratio} 倍（步子越走越大）",
    },
    "event.onset": {
        "en": "diverging since step {step}",
        "zh": "从第 {step} 步开始发散",
    },
    "event.left_saddle": {
        "en": "passed the saddle at {at} around step {step} and left it (curvatures {eig})",
        "zh": "约第 {step} 步经过 {at} 处的鞍点并离开了它（曲率 {eig}）",
    },
    "event.left_maximum": {
        "en": "started near the maximum at {at} and left it around step {step} (curvatures {eig})",
        "zh": "约第 {step} 步离开了 {at} 处的极大值（曲率 {eig}）",
    },
    # --- the card's labels ------------------------------------------------------------------
    "verdict.card.final_loss_l2": {"en": "final loss L + λ/2·‖θ‖²", "zh": "最终 loss L + λ/2·‖θ‖²"},
    "verdict.card.final_grad_l2": {"en": "final ‖g‖ of L + λ/2·‖θ‖²", "zh": "L + λ/2·‖θ‖² 的最终 ‖g‖"},
    "verdict.card.events": {"en": "Events", "zh": "事件"},
    "list.sep": {"en": ", ", "zh": "、"},
    "list.last": {"en": " and ", "zh": "和"},
    "list.join": {"en": "; ", "zh": "；"},
    "list.more": {"en": "…", "zh": "……"},
}
