"""What happened to a run: the verdict.

Every threshold is relative to the run's own scale, never an absolute number:

* ``G0``: the gradient norm at the start; ``extent``: the largest distance of the path from
  its start; ``K = G0 / extent``: the curvature scale of the run (how fast the gradient
  would change over the run's own distance); the last stretch: the final ``WINDOW_FRAC`` of
  the steps (at least ``WINDOW_MIN``).
* **At a critical point** when the final gradient norm is at most ``GRAD_TOL * G0``, or when
  the local quadratic model's stationary point (the Newton step ``H^-1 g``) lies within
  ``NEWTON_TOL * extent`` of the final point (so a method hovering a hair away from the
  minimum, like Adam at a constant lr, has arrived). The Hessian's eigenvalues decide; one
  counts as zero when ``|lambda| <= FLAT_TOL * K`` (with gradient noise
  ``FLAT_TOL * max(K, |lambda|_max)``): none negative and
  some positive -> ``minimum``; all negative -> ``maximum``; negative and non-negative ->
  ``saddle``; all zero -> ``plateau``.
* **Oscillating** when, over the last stretch, the loss fell by at most ``STALL_TOL`` of the
  loss still to gain (``1/2 g^T H^-1 g`` where H is positive definite, else the run's loss
  range), the median gradient norm stays at least ``BIG_GRAD * G0``, and at least
  ``REVERSAL_FRAC`` of consecutive steps point against each other (a bounce) or the loss
  even rose (a burst, like the lecture's Adagrad "explosion").
* **Crawling** when not oscillating and, at the last stretch's pace, the run would need more
  than ``CRAWL_FACTOR`` times the steps it has run: where H is positive definite, to reach
  the quadratic model's bottom along its slowest curvature direction (distance left over
  distance covered per step); otherwise to gain as much again as the whole run has gained.
* Otherwise **moving**. A run that left ``|coordinate| <= 1e6`` or met a non-finite value
  is **diverged** (decided by the engine).

A run with weight decay added to its gradient (L2) minimises ``L + lambda/2 |theta|^2``: that
objective is judged. With gradient noise the critical-point test uses the mean position of
the last stretch, around which the run jitters.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from surfaces.base import Surface

GRAD_TOL = 1e-3
NEWTON_TOL = 1e-2
FLAT_TOL = 1e-2
WINDOW_FRAC = 0.1
WINDOW_MIN = 20
STALL_TOL = 1e-2
BIG_GRAD = 0.05
REVERSAL_FRAC = 0.3
CRAWL_FACTOR = 10.0

THRESHOLDS = {
    "GRAD_TOL": GRAD_TOL,
    "NEWTON_TOL": NEWTON_TOL,
    "FLAT_TOL": FLAT_TOL,
    "WINDOW_FRAC": WINDOW_FRAC,
    "WINDOW_MIN": WINDOW_MIN,
    "STALL_TOL": STALL_TOL,
    "BIG_GRAD": BIG_GRAD,
    "REVERSAL_FRAC": REVERSAL_FRAC,
    "CRAWL_FACTOR": CRAWL_FACTOR,
}

KINDS = ("minimum", "saddle", "maximum", "plateau", "oscillating", "crawling", "moving", "diverged")


def _g(x: float) -> str:
    """A number for a sentence: 3 significant digits."""
    return f"{x:.3g}"


def _pct(x: float) -> str:
    v = 100 * x
    if v >= 10:
        return f"{v:.0f} %"
    return f"{v:.2g} %" if v >= 0.01 else f"{v:.1e} %"


def _vec(v: np.ndarray) -> str:
    return "(" + ", ".join(_g(float(c)) for c in v) + ")"


def diverged_verdict(step: int, reason: str) -> dict[str, Any]:
    en = {
        "bound": f"Diverged at step {step}: the point left the region |x|, |y| ≤ 1e6. "
        "The step is too large for the curvature here.",
        "nonfinite": f"Diverged at step {step}: the loss or gradient stopped being a finite "
        "number (overflow, or outside the formula's domain).",
    }[reason]
    zh = {
        "bound": f"在第 {step} 步发散：点离开了 |x|, |y| ≤ 1e6 的范围。对这里的曲率来说步长太大了。",
        "nonfinite": f"在第 {step} 步发散：loss 或梯度不再是有限的数（溢出，或超出了公式的定义域）。",
    }[reason]
    return {"kind": "diverged", "step": step, "reason": reason, "explanation": {"en": en, "zh": zh}}


def verdict(
    surface: Surface, trajectory: np.ndarray, loss: np.ndarray, grad_norm: np.ndarray
) -> dict[str, Any]:
    """The verdict of one finished (not diverged) run; arrays hold every point, start first."""
    return verdicts(surface, trajectory[:, None], loss[:, None], grad_norm[:, None])[0]


def verdicts(
    surface: Surface,
    traj: np.ndarray,
    loss: np.ndarray,
    gnorm: np.ndarray,
    l2: np.ndarray | None = None,
    noisy: bool = False,
) -> list[dict[str, Any]]:
    """Verdicts of m finished runs of equal length at once: traj (n+1, m, 2), loss and gnorm
    (n+1, m). The arithmetic is batched over runs; only the final dicts are built per run.

    ``l2`` (m,) is the weight decay a run adds to its gradient (L2, not decoupled): such a run
    minimises L + l2/2 |theta|^2, so that objective is the one judged. With ``noisy``
    gradients a run jitters around where it settles, so the critical-point test looks at the
    mean of the last stretch instead of the last point."""
    n = traj.shape[0] - 1
    if l2 is not None and np.any(l2 > 0):
        if not np.all(l2 > 0):  # judge the plain runs exactly as they would be alone
            merged: list[dict[str, Any]] = [{}] * traj.shape[1]
            for part in (np.flatnonzero(l2 > 0), np.flatnonzero(l2 == 0)):
                sub = verdicts(
                    surface, traj[:, part], loss[:, part], gnorm[:, part], l2[part], noisy
                )
                for i, v in zip(part.tolist(), sub, strict=True):
                    merged[i] = v
            return merged
        with np.errstate(all="ignore"):
            sq = np.einsum("tmi,tmi->tm", traj, traj)
            loss = loss + 0.5 * l2 * sq
            reg_grad = np.asarray(surface.grad(traj)) + l2[:, None] * traj
            gnorm = np.sqrt(np.einsum("tmi,tmi->tm", reg_grad, reg_grad))
        surface = _with_l2(surface, l2)
    w = min(n, max(WINDOW_MIN, round(WINDOW_FRAC * n)))
    g0, g_end, end = gnorm[0], gnorm[-1], traj[-1]
    if noisy:
        end = traj[n - w :].mean(axis=0)
        with np.errstate(all="ignore"):
            g_end = np.linalg.norm(np.asarray(surface.grad(end)).reshape(-1, 2), axis=-1)
    best = surface.min_value()
    disp = traj - traj[0]
    extent = np.sqrt(np.max(np.einsum("tmi,tmi->tm", disp, disp), axis=0))
    loss_range = np.max(loss, axis=0) - np.min(loss, axis=0)
    with np.errstate(all="ignore"):
        hess = np.asarray(surface.hessian(end), dtype=float).reshape(-1, 2, 2)
        grad = np.asarray(surface.grad(end), dtype=float).reshape(-1, 2)
        hess = 0.5 * (hess + np.swapaxes(hess, -1, -2))
        eig, vecs = np.linalg.eigh(hess)
        k_scale = np.where((g0 > 0) & (extent > 0), g0 / np.where(extent > 0, extent, 1), 0.0)
        # An eigenvalue is zero when it is small next to the run's curvature scale; with noise
        # also when small next to the largest one (the jitter around a flat valley of minima
        # tilts its Hessian a little either way).
        biggest = np.abs(eig).max(-1)
        scale = np.maximum(k_scale, biggest) if noisy else k_scale
        zero_tol = np.where(k_scale > 0, FLAT_TOL * scale, 1e-9 * np.maximum(1.0, biggest))
        nonsingular = np.all(np.abs(eig) > zero_tol[:, None], axis=-1)
        invertible = np.all(np.abs(eig) > 1e-12 * np.maximum(biggest, 1e-300)[:, None], axis=-1)
        safe = np.where(invertible[:, None, None], hess, np.eye(2))
        newton_step = np.linalg.solve(safe, grad[..., None])[..., 0]
        newton = np.where(nonsingular, np.linalg.norm(newton_step, axis=-1), np.inf)
        small_grad = (g0 == 0) | (g_end <= GRAD_TOL * g0)
        critical = small_grad | ((extent > 0) & (newton <= NEWTON_TOL * extent))

        drop = loss[n - w] - loss[n]
        steps = np.diff(traj[n - w :], axis=0)
        dots = np.einsum("tmi,tmi->tm", steps[1:], steps[:-1])
        reversal = np.mean(dots < 0, axis=0) if len(dots) else np.zeros_like(g0)
        median_g = np.median(gnorm[n - w :], axis=0)
        # Loss still to gain: the quadratic model's 1/2 g^T H^-1 g where H is positive definite,
        # else the loss range seen so far.
        convex = np.all(eig > 1e-9 * np.abs(eig).max(-1, keepdims=True), axis=-1)
        remaining = 0.5 * np.einsum("mi,mi->m", grad, newton_step)
        gap = np.where(convex, remaining, loss_range)
        # Stuck without being at a critical point: the loss does not fall while the gradient
        # stays large, and the steps keep reversing (a bounce) or the loss even rose (a burst).
        oscillating = (
            (drop <= STALL_TOL * gap)
            & (median_g >= BIG_GRAD * g0)
            & ((reversal >= REVERSAL_FRAC) | (drop < 0))
        )
        pace = drop / w
        # Convex model: along each curvature direction, the distance left to the model's
        # bottom over the distance covered per step in the last stretch; the slowest
        # direction sets the time (a fast direction cannot hide a stalled one).
        left = np.abs(np.einsum("mik,mi->mk", vecs, newton_step))
        per_step = np.abs(np.einsum("mik,mi->mk", vecs, traj[n] - traj[n - w])) / w
        matters = left > NEWTON_TOL * extent[:, None]
        ratio = np.where(matters, left / np.maximum(per_step, 1e-300), 0.0)
        model_to_go = ratio.max(-1)
        # Otherwise: steps to gain as much again as the whole run has gained, at this pace.
        average = (loss[0] - loss[n]) / n
        average_to_go = np.where(
            (pace > 0) & (average > 0), n * average / np.where(pace > 0, pace, 1), np.inf
        )
        to_go = np.where(convex, model_to_go, average_to_go)

    out = []
    for i in range(traj.shape[1]):
        nums: dict[str, Any] = {
            "final_loss": float(loss[-1, i]),
            "initial_loss": float(loss[0, i]),
            "initial_grad_norm": float(g0[i]),
            "final_grad_norm": float(g_end[i]),
            "grad_norm_ratio": float(g_end[i] / g0[i]) if g0[i] > 0 else 0.0,
            "extent": float(extent[i]),
            "steps_run": n,
        }
        if nonsingular[i]:
            nums["newton_distance"] = float(newton[i])
        if critical[i]:
            out.append(_critical(surface, best, end[i], eig[i], vecs[i], float(zero_tol[i]), nums))
            continue
        nums.update(
            window=w,
            window_loss_drop=float(drop[i]),
            reversal_fraction=float(reversal[i]),
            window_grad_ratio=float(median_g[i] / g0[i]),
        )
        if oscillating[i]:
            level = float(np.max(loss[n - w :, i])) + STALL_TOL * float(gap[i])
            suffix_max = np.maximum.accumulate(loss[::-1, i])[::-1]
            out.append(_oscillating(int(np.argmax(suffix_max <= level)), n, nums))
            continue
        t_go = float(to_go[i])
        nums["pace"] = float(pace[i])
        nums["steps_to_go"] = t_go
        if t_go > CRAWL_FACTOR * n:
            basis = "model" if convex[i] else "average"
            out.append(_crawling(n, w, t_go, float(pace[i]), basis, nums))
        else:
            out.append(_moving(n, float(pace[i]), t_go, nums))
    return [_json_safe(v) for v in out]


def _json_safe(v: Any) -> Any:
    """Non-finite floats become None: a verdict is plain JSON (which has no inf or NaN)."""
    if isinstance(v, float):
        return v if np.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _json_safe(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_json_safe(x) for x in v]
    return v


def _with_l2(surface: Surface, l2: np.ndarray) -> Surface:
    """The surface plus l2/2 |theta|^2, for points of shape (m, 2) (one l2 per run)."""
    lam = l2[:, None]
    return replace(
        surface,
        value=lambda p: surface.value(p) + 0.5 * l2 * np.einsum("mi,mi->m", p, p),
        grad=lambda p: surface.grad(p) + lam * p,
        hessian=lambda p: surface.hessian(p) + lam[..., None] * np.eye(2),
        minima=(),  # the known minima are those of L alone
    )


def _critical(
    surface: Surface,
    best: float | None,
    end: np.ndarray,
    eig: np.ndarray,
    vecs: np.ndarray,
    zero_tol: float,
    nums: dict[str, Any],
) -> dict[str, Any]:
    pos = eig > zero_tol
    neg = eig < -zero_tol
    n = nums["steps_run"]
    ratio = _pct(nums["grad_norm_ratio"])
    ev = ", ".join(_g(float(e)) for e in eig)
    out: dict[str, Any] = {"step": n, "eigenvalues": [float(e) for e in eig], "numbers": nums}
    if neg.any() and not neg.all():
        i = int(np.argmin(eig))
        d = vecs[:, i] / np.linalg.norm(vecs[:, i])
        first = d[np.flatnonzero(np.abs(d) > 1e-12)[0]]
        d = d if first > 0 else -d
        out.update(
            kind="saddle",
            escape_direction=[float(d[0]), float(d[1])],
            explanation={
                "en": f"Stopped at a saddle point: the gradient shrank to {ratio} of its start, "
                f"but the Hessian has a negative eigenvalue (eigenvalues {ev}); moving along "
                f"{_vec(d)} lowers the loss.",
                "zh": f"停在了鞍点：梯度降到起始值的 {ratio}，但 Hessian 有负特征值"
                f"（特征值 {ev}）；沿 {_vec(d)} 方向移动可以降低 loss。",
            },
        )
    elif neg.all():
        out.update(
            kind="maximum",
            explanation={
                "en": f"Stopped at a maximum: the gradient shrank to {ratio} of its start and "
                f"every Hessian eigenvalue is negative ({ev}).",
                "zh": f"停在了极大值：梯度降到起始值的 {ratio}，Hessian 的特征值都为负（{ev}）。",
            },
        )
    elif pos.any():
        # Local when the surface goes lower and this point is not at one of the lowest minima.
        local = False
        if best is not None:
            tol = 1e-3 * max(1e-12, nums["initial_loss"] - best)
            lowest = [m for m in surface.minima if surface.value(np.asarray(m)) <= best + tol]
            gap = min(float(np.linalg.norm(np.asarray(m) - end)) for m in lowest)
            local = nums["final_loss"] > best + tol and gap > 10 * NEWTON_TOL * nums["extent"]
        nums["lowest_known_loss"] = best
        extra_en = (
            f" It is a local minimum: the surface goes lower (loss {_g(best)})." if local else ""
        )
        extra_zh = f" 这是局部最小值：曲面上还有更低处（loss {_g(best)}）。" if local else ""
        out.update(
            kind="minimum",
            local=bool(local),
            explanation={
                "en": f"Reached a minimum: the gradient shrank to {ratio} of its start and no "
                f"Hessian eigenvalue is negative ({ev}); final loss {_g(nums['final_loss'])}."
                + extra_en,
                "zh": f"到达了最小值：梯度降到起始值的 {ratio}，Hessian 没有负特征值（{ev}）；"
                f"最终 loss 为 {_g(nums['final_loss'])}。" + extra_zh,
            },
        )
    else:
        out.update(
            kind="plateau",
            explanation={
                "en": f"Stopped on a plateau: the gradient shrank to {ratio} of its start and the "
                f"curvature vanished too (eigenvalues {ev}); the surface is flat here.",
                "zh": f"停在了平台上：梯度降到起始值的 {ratio}，曲率也几乎为零（特征值 {ev}）；"
                "这里的曲面是平的。",
            },
        )
    return out


def _oscillating(since: int, n: int, nums: dict[str, Any]) -> dict[str, Any]:
    g = _pct(nums["window_grad_ratio"])
    rev = _pct(nums["reversal_fraction"])
    if nums["reversal_fraction"] >= REVERSAL_FRAC:
        en = (
            f"and {rev} of the steps reverse direction. The point bounces between the walls of "
            "a ravine: the learning rate is too large for the steep direction."
        )
        zh = f"{rev} 的步子来回反向。点在峡谷两壁之间来回震荡：对陡峭方向来说学习率太大了。"
    else:
        en = (
            f"and the loss rose over the last {nums['window']} steps: the step size has "
            "outgrown the curvature and the point shoots away before coming back."
        )
        zh = f"最后 {nums['window']} 步 loss 反而上升：步长超出了曲率允许的范围，点先冲出去再回来。"
    return {
        "kind": "oscillating",
        "step": since,
        "stretch": [since, n],
        "numbers": nums,
        "explanation": {
            "en": f"Stuck, but not at a critical point: the loss has stopped falling since step "
            f"{since}, while the gradient norm stays at {g} of its start, " + en,
            "zh": f"卡住了，但不在 critical point：从第 {since} 步起 loss 不再下降，梯度范数却仍是"
            f"起始值的 {g}，" + zh,
        },
    }


def _crawling(
    n: int, w: int, to_go: float, pace: float, basis: str, nums: dict[str, Any]
) -> dict[str, Any]:
    need = "far more" if not np.isfinite(to_go) else f"about {_g(to_go)} more"
    need_zh = "多得多的" if not np.isfinite(to_go) else f"约 {_g(to_go)} 步"
    what = (
        "reach the bottom of the local quadratic"
        if basis == "model"
        else ("repeat the progress made so far")
    )
    what_zh = "到达局部二次近似的最低点" if basis == "model" else "再取得同样多的进展"
    if pace > 0:
        en = (
            f"Crawling: still descending, but at {_g(pace)} loss per step it would need "
            f"{need} steps to {what} (it has run {n})."
        )
        zh = f"在爬行：仍在下降，但每步只降 {_g(pace)}，要{what_zh}还需要{need_zh}（已经走了 {n} 步）。"
    else:
        en = (
            f"Crawling: over the last {w} steps the loss did not fall at all, although the "
            f"gradient is still {_pct(nums['window_grad_ratio'])} of its start."
        )
        zh = f"在爬行：最后 {w} 步 loss 完全没有下降，而梯度仍是起始值的 {_pct(nums['window_grad_ratio'])}。"
    return {
        "kind": "crawling",
        "step": n,
        "stretch": [n - w, n],
        "numbers": nums,
        "explanation": {
            "en": en + " Not at a critical point: the step does not fit this slope.",
            "zh": zh + "并不在 critical point：步长和这里的坡度不匹配。",
        },
    }


def _moving(n: int, pace: float, to_go: float, nums: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "moving",
        "step": n,
        "numbers": nums,
        "explanation": {
            "en": f"Still moving: the loss falls by {_g(pace)} per step and the run was making "
            f"real progress when its {n} steps ran out; more steps would take it further.",
            "zh": f"仍在前进：loss 每步下降 {_g(pace)}，{n} 步用完时仍在明显进步；"
            "再多走几步会更接近目标。",
        },
    }
