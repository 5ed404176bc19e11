"""Update rules, batched over runs, in the operation order of torch.optim 2.13 (single-tensor path).

Notation: ``theta`` the point, ``g`` the gradient, ``t`` the step count starting at 1,
``lr`` this step's (scheduled) learning rate. Every array is (n_runs, 2) or (n_runs, 1).
Where torch writes ``a.addcdiv_(b, c, value=s)`` we write ``a + (s * b) / c``, and
``a.add_(b, alpha=s)`` is ``a + s * b``: the same operations in the same order, so the
trajectories agree with torch to rounding.
"""

from __future__ import annotations

import math

import numpy as np

from optimizers.base import Array, Hyper, State, StepOut, Switch


def lerp(a: Array, b: Array, w: Array, small: Switch) -> Array:
    """torch.lerp: a + w (b - a) for |w| < 0.5, else b - (b - a)(1 - w) (better rounding)."""
    if small.all:  # the usual case (beta1 > 0.5): one branch, not both
        return a + w * (b - a)
    if not small.any:
        return b - (b - a) * (1 - w)
    return np.where(small.mask, a + w * (b - a), b - (b - a) * (1 - w))


def _pow(base: float | Array, exp: float | Array) -> float | Array:
    """``base ** exp`` by C's pow for every run, as torch does with Python floats.

    A hyperparameter is a float when every run of a group agrees and an (n, 1) array when
    they differ; NumPy's vectorised pow can differ from C's in the last bit, so a plain
    ``**`` would step a run differently batched and alone.
    """
    if isinstance(base, float) and isinstance(exp, (int, float)):
        return base**exp  # every run agrees: one Python pow (the common, fast case)
    b, e = np.broadcast_arrays(np.asarray(base, dtype=float), np.asarray(exp, dtype=float))
    out = map(math.pow, b.ravel().tolist(), e.ravel().tolist())
    return np.fromiter(out, dtype=float, count=b.size).reshape(b.shape)


def _l2(g: Array, theta: Array, hp: Hyper) -> Array:
    """Weight decay as an L2 term in the gradient: g + lambda theta."""
    return g + hp["weight_decay"] * theta if hp["wd_any"] else g


def _decay_or_l2(theta: Array, g: Array, lr: Array, hp: Hyper) -> tuple[Array, Array]:
    """Decoupled decay shrinks theta by (1 - lr lambda) before the step (AdamW);
    otherwise lambda theta is added to the gradient (Adam's L2)."""
    if not hp["wd_any"]:
        return theta, g
    wd = hp["weight_decay"]
    dec: Switch = hp["decoupled_weight_decay"]
    return dec.pick(theta * (1 - lr * wd), theta), dec.pick(g, g + wd * theta)


# --- SGD, heavy-ball momentum, Nesterov ----------------------------------------------------
def sgd_init(theta: Array, hp: Hyper) -> State:
    return {"buf": np.zeros_like(theta)}


def sgd_step(theta: Array, g: Array, st: State, lr: Array, t: int, hp: Hyper) -> StepOut:
    r"""b^t = \mu b^{t-1} + (1 - \tau) g^t (b^1 = g^1, torch's first buffer is the raw gradient);
    d = g + \mu b (Nesterov) or b; \theta \leftarrow \theta - \eta d."""
    g = _l2(g, theta, hp)
    uses_buf: Switch = hp["uses_buffer"]
    if uses_buf.any:
        mom = hp["momentum"]
        buf = g.copy() if t == 1 else st["buf"] * mom + (1 - hp["dampening"]) * g
        d = hp["nesterov"].pick(g + mom * buf, buf)
        d = uses_buf.pick(d, g)
        st = {"buf": uses_buf.pick(buf, st["buf"])}  # a run without momentum keeps no buffer
    else:
        d = g
    return StepOut(theta + (-lr) * d, st, np.broadcast_to(lr, theta.shape))


# --- Adagrad (torch: root of the SUM of squares) --------------------------------------------
def adagrad_init(theta: Array, hp: Hyper) -> State:
    return {"sum": np.broadcast_to(hp["initial_accumulator_value"], theta.shape).astype(float)}


def adagrad_step(theta: Array, g: Array, st: State, lr: Array, t: int, hp: Hyper) -> StepOut:
    r"""s \leftarrow s + g^2;\ \eta_t = \eta / (1 + (t-1)\,\text{lr\_decay});\
    \theta \leftarrow \theta - \eta_t\, g / (\sqrt{s} + \epsilon)."""
    g = _l2(g, theta, hp)
    clr = lr / (1 + (t - 1) * hp["lr_decay"])
    s = st["sum"] + g * g
    std = np.sqrt(s) + hp["eps"]
    return StepOut(theta + ((-clr) * g) / std, {"sum": s}, clr / std)


# --- RMSProp (torch) ----------------------------------------------------------------------
def rmsprop_init(theta: Array, hp: Hyper) -> State:
    z = np.zeros_like(theta)
    return {"square_avg": z, "grad_avg": z, "buf": z}


def rmsprop_step(theta: Array, g: Array, st: State, lr: Array, t: int, hp: Hyper) -> StepOut:
    r"""v \leftarrow \alpha v + (1-\alpha) g^2;\ \sigma = \sqrt{v - \bar g^2}\ (\text{centered})
    \text{ or } \sqrt{v};\ \theta \leftarrow \theta - \eta\, g / (\sigma + \epsilon)
    (with momentum \mu: b \leftarrow \mu b + g / (\sigma + \epsilon),\ \theta \leftarrow \theta - \eta b)."""
    g = _l2(g, theta, hp)
    alpha = hp["alpha"]
    sq = st["square_avg"] * alpha + ((1 - alpha) * g) * g
    centered: Switch = hp["centered"]
    ga = st["grad_avg"]
    if centered.any:
        ga = centered.pick(lerp(ga, g, 1 - alpha, hp["alpha_lerp_small"]), ga)
        avg = centered.pick(np.sqrt(sq - ga * ga), np.sqrt(sq))
    else:
        avg = np.sqrt(sq)
    avg = avg + hp["eps"]
    has_mom: Switch = hp["has_momentum"]
    buf = st["buf"]
    if has_mom.any:
        buf = st["buf"] * hp["momentum"] + g / avg
        new = has_mom.pick(theta + (-lr) * buf, theta + ((-lr) * g) / avg)
        buf = has_mom.pick(buf, st["buf"])
    else:
        new = theta + ((-lr) * g) / avg
    return StepOut(new, {"square_avg": sq, "grad_avg": ga, "buf": buf}, lr / avg)


# --- Adam, AMSGrad, AdamW -----------------------------------------------------------------
def adam_init(theta: Array, hp: Hyper) -> State:
    z = np.zeros_like(theta)
    return {"m": z, "v": z, "v_max": z}


def adam_step(theta: Array, g: Array, st: State, lr: Array, t: int, hp: Hyper) -> StepOut:
    r"""m \leftarrow \beta_1 m + (1-\beta_1) g;\ v \leftarrow \beta_2 v + (1-\beta_2) g^2;\
    \hat v = \max(\hat v_{\max}, v)\ (\text{AMSGrad});\
    \theta \leftarrow \theta - \frac{\eta}{1-\beta_1^t}\,
    \frac{m}{\sqrt{v}/\sqrt{1-\beta_2^t} + \epsilon}.
    Without bias correction both factors are 1. Weight decay: L2 (Adam) or decoupled (AdamW),
    the decoupled shrink uses this step's scheduled lr."""
    b1, b2 = hp["beta1"], hp["beta2"]
    theta, g = _decay_or_l2(theta, g, lr, hp)
    m = lerp(st["m"], g, 1 - b1, hp["beta1_lerp_small"])
    v = st["v"] * b2 + ((1 - b2) * g) * g
    bc: Switch = hp["bias_correction"]
    bias_correction1 = bc.pick(1 - _pow(b1, t), 1.0)
    bias_correction2_sqrt = bc.pick(_pow(1 - _pow(b2, t), 0.5), 1.0)
    step_size = lr / bias_correction1
    ams: Switch = hp["amsgrad"]
    v_max = st["v_max"]
    if ams.any:
        v_max = ams.pick(np.maximum(v_max, v), v_max)
        v_used = ams.pick(v_max, v)
    else:
        v_used = v
    denom = np.sqrt(v_used) / bias_correction2_sqrt + hp["eps"]
    new = theta + ((-step_size) * m) / denom
    return StepOut(new, {"m": m, "v": v, "v_max": v_max}, step_size / denom)


# --- NAdam ----------------------------------------------------------------------------------
def nadam_init(theta: Array, hp: Hyper) -> State:
    z = np.zeros_like(theta)
    return {"m": z, "v": z, "mu_product": np.ones((theta.shape[0], 1))}


def nadam_step(theta: Array, g: Array, st: State, lr: Array, t: int, hp: Hyper) -> StepOut:
    r"""\mu_t = \beta_1 (1 - \tfrac12 0.96^{t\psi});\ m, v \text{ as Adam};\
    \theta \leftarrow \theta - \eta \frac{(1-\mu_t)\, g / (1 - \prod_{i\le t}\mu_i)
    + \mu_{t+1} m / (1 - \prod_{i\le t+1}\mu_i)}{\sqrt{v / (1-\beta_2^t)} + \epsilon}."""
    b1, b2, psi = hp["beta1"], hp["beta2"], hp["momentum_decay"]
    bias_correction2 = 1 - _pow(b2, t)
    theta, g = _decay_or_l2(theta, g, lr, hp)
    mu = b1 * (1.0 - 0.5 * _pow(0.96, t * psi))
    mu_next = b1 * (1.0 - 0.5 * _pow(0.96, (t + 1) * psi))
    mu_product = st["mu_product"] * mu
    m = lerp(st["m"], g, 1 - b1, hp["beta1_lerp_small"])
    v = st["v"] * b2 + ((1 - b2) * g) * g
    denom = np.sqrt(v / bias_correction2) + hp["eps"]
    mu_product_next = mu_product * mu_next
    new = theta + (((-lr) * (1.0 - mu) / (1.0 - mu_product)) * g) / denom
    new = new + (((-lr) * mu_next / (1.0 - mu_product_next)) * m) / denom
    return StepOut(new, {"m": m, "v": v, "mu_product": mu_product}, lr / denom)


# --- RAdam ----------------------------------------------------------------------------------
def radam_init(theta: Array, hp: Hyper) -> State:
    z = np.zeros_like(theta)
    return {"m": z, "v": z}


def radam_step(theta: Array, g: Array, st: State, lr: Array, t: int, hp: Hyper) -> StepOut:
    r"""\rho_\infty = 2/(1-\beta_2) - 1,\ \rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t);
    if \rho_t > 5: \theta \leftarrow \theta - \eta\, \hat m\, r_t \sqrt{1-\beta_2^t}/(\sqrt v + \epsilon),
    r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}};
    else \theta \leftarrow \theta - \eta\, \hat m (plain momentum, no adaptive step)."""
    b1, b2 = hp["beta1"], hp["beta2"]
    theta, g = _decay_or_l2(theta, g, lr, hp)
    m = lerp(st["m"], g, 1 - b1, hp["beta1_lerp_small"])
    v = st["v"] * b2 + ((1 - b2) * g) * g
    b2_t = _pow(b2, t)
    bias_correction1 = 1 - _pow(b1, t)
    bias_correction2 = 1 - b2_t
    m_hat = m / bias_correction1
    rho_inf = 2 / (1 - b2) - 1
    rho_t = rho_inf - 2 * t * b2_t / bias_correction2
    # For 2 < rho_t < 4 the root's argument is negative; that branch is not taken, but with a
    # float beta2 (all runs agree) `** 0.5` would make it complex: np.sqrt gives nan instead.
    rect = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
    adaptive_lr = _pow(bias_correction2, 0.5) / (np.sqrt(v) + hp["eps"])
    rectified = rho_t > 5.0
    new = np.where(rectified, theta - m_hat * lr * adaptive_lr * rect, theta - m_hat * lr)
    eff = np.where(rectified, lr * adaptive_lr * rect, np.broadcast_to(lr, theta.shape))
    return StepOut(new, {"m": m, "v": v}, eff)


# --- Adadelta -------------------------------------------------------------------------------
def adadelta_init(theta: Array, hp: Hyper) -> State:
    z = np.zeros_like(theta)
    return {"square_avg": z, "acc_delta": z}


def adadelta_step(theta: Array, g: Array, st: State, lr: Array, t: int, hp: Hyper) -> StepOut:
    r"""v \leftarrow \rho v + (1-\rho) g^2;\ \Delta = \frac{\sqrt{u + \epsilon}}{\sqrt{v + \epsilon}} g;\
    u \leftarrow \rho u + (1-\rho)\Delta^2;\ \theta \leftarrow \theta - \eta \Delta."""
    g = _l2(g, theta, hp)
    rho, eps = hp["rho"], hp["eps"]
    sq = st["square_avg"] * rho + ((1 - rho) * g) * g
    std = np.sqrt(sq + eps)
    scale = np.sqrt(st["acc_delta"] + eps) / std
    delta = scale * g
    acc = st["acc_delta"] * rho + ((1 - rho) * delta) * delta
    return StepOut(theta + (-lr) * delta, {"square_avg": sq, "acc_delta": acc}, lr * scale)


# --- the lecture's forms ----------------------------------------------------------------
def _lecture_move(theta: Array, g: Array, lr: Array, sigma: Array) -> tuple[Array, Array]:
    """theta - (eta / sigma) g, where a coordinate whose sigma is 0 does not move."""
    moving = sigma > 0
    eff = np.where(moving, lr / np.where(moving, sigma, 1.0), 0.0)
    return np.where(moving, theta - eff * g, theta), eff


def adagrad_lecture_init(theta: Array, hp: Hyper) -> State:
    z = np.zeros_like(theta)
    return {"sum_sq": z, "sigma": z}


def adagrad_lecture_step(
    theta: Array, g: Array, st: State, lr: Array, t: int, hp: Hyper
) -> StepOut:
    r"""\sigma_i^t = \sqrt{\tfrac{1}{t+1}\sum_{k=0}^{t} (g_i^k)^2}\ (\text{root MEAN square});\
    \theta_i^{t+1} = \theta_i^t - \frac{\eta}{\sigma_i^t} g_i^t. The first step is \eta\,\mathrm{sign}(g^0)."""
    sum_sq = st["sum_sq"] + g * g
    sigma = np.sqrt(sum_sq / t)  # t counts from 1, so this divides by (lecture's t) + 1
    new, eff = _lecture_move(theta, g, lr, sigma)
    return StepOut(new, {"sum_sq": sum_sq, "sigma": sigma}, eff)


def rmsprop_lecture_init(theta: Array, hp: Hyper) -> State:
    return {"sigma": np.zeros_like(theta)}


def rmsprop_lecture_step(
    theta: Array, g: Array, st: State, lr: Array, t: int, hp: Hyper
) -> StepOut:
    r"""\sigma_i^0 = |g_i^0|;\ \sigma_i^t = \sqrt{\alpha(\sigma_i^{t-1})^2 + (1-\alpha)(g_i^t)^2};\
    \theta_i^{t+1} = \theta_i^t - \frac{\eta}{\sigma_i^t} g_i^t."""
    if t == 1:
        sigma = np.abs(g)
    else:
        alpha = hp["alpha"]
        sigma = np.sqrt(alpha * st["sigma"] ** 2 + (1 - alpha) * g**2)
    new, eff = _lecture_move(theta, g, lr, sigma)
    return StepOut(new, {"sigma": sigma}, eff)
