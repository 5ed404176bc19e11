"""The verdicts against linear theory: gradient descent, heavy ball and Nesterov on quadratics.

On L = 1/2 (mu u^2 + L v^2) each eigendirection is a linear iteration whose spectral radius
rho decides everything: rho > 1 diverges, rho = 1 bounces for ever (eta * lambda = 2 for GD,
a multiplier -1), rho < 1 converges with time constant -1 / ln rho. Cases are chosen where the
theory's answer is unambiguous at the run's length (far from the rules' thresholds), on both
sides of each stability limit (GD: eta L < 2; heavy ball: eta L < 2 (1 + beta); torch's
Nesterov: eta L < 2 (1 + beta) / (1 + 2 beta)), with condition numbers 10 to 1e4, rotated and
not. Then the invariances: the verdict must not change when the loss is scaled (with the
learning rate scaled back), shifted, or the plane translated or rotated.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from lab import simulate

MOMENTUM = 0.9


def quadratic(mu: float, big: float, angle: float) -> dict:
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    u, v = f"({c!r}*x + {s!r}*y)", f"({-s!r}*x + {c!r}*y)"
    return {"expr": f"0.5*({mu!r}*{u}**2 + {big!r}*{v}**2)", "x_range": [-2, 2], "y_range": [-2, 2]}


def radius(opt: str, lr: float, lam: float) -> float:
    """Spectral radius of the optimizer's iteration along a direction of curvature lam."""
    b = MOMENTUM
    if opt == "sgd":
        return abs(1 - lr * lam)
    if opt == "momentum":  # theta_{t+1} = theta_t - lr (lam theta_t + b m_{t-1}) style, torch form
        a = np.array([[1 + b - lr * lam, -b], [1.0, 0.0]])
    else:  # torch Nesterov on (theta, buffer): b_t = b b_{t-1} + g_t, step g_t + b b_t
        a = np.array([[1 - lr * lam * (1 + b), -lr * b * b], [lam, b]])
    return float(max(abs(np.linalg.eigvals(a))))


def limit(opt: str, big: float) -> float:
    b = MOMENTUM
    return {"sgd": 2.0, "momentum": 2 * (1 + b), "nesterov": 2 * (1 + b) / (1 + 2 * b)}[opt] / big


def expected(opt: str, lr: float, mu: float, big: float, steps: int) -> str | None:
    """What the spectral radius says, or None where it does not say it clearly."""
    rho = [radius(opt, lr, lam) for lam in (mu, big)]
    if max(rho) > 1 + 1e-9:
        return "diverging"
    if max(rho) >= 1 - 1e-12:
        return "oscillating"
    tau = [-1 / math.log(r) if r > 0 else 0.0 for r in rho]
    if max(rho) ** steps < 1e-4:
        return "minimum"
    if max(tau) > 30 * steps:  # the slow direction has hardly started
        return "crawling"
    if max(tau) < 5 * steps and max(rho) ** steps > 0.1:
        return "moving"
    return None


CASES = [
    # (fraction of the stability limit, steps)
    (0.5, 300),  # well inside: converges
    (0.9, 3000),
    (1.05, 200),  # just beyond: the bounce grows
    (1.2, 60),
    (1e-3, 300),  # a tiny step: the flat direction crawls
    (0.999, 30000),
]


@pytest.mark.parametrize(("kappa", "angle"), list(itertools.product([10, 100, 1e3, 1e4], [0, 30])))
def test_verdicts_follow_the_spectral_radius(kappa: float, angle: float) -> None:
    mu, big = 1.0, float(kappa)
    checked = 0
    for frac, steps in CASES:
        runs, wanted = [], []
        for opt in ("sgd", "momentum", "nesterov"):
            lr = frac * limit(opt, big)
            e = expected(opt, lr, mu, big, steps)
            if e is None:
                continue
            params = {"lr": lr} if opt == "sgd" else {"lr": lr, "momentum": MOMENTUM}
            runs.append({"optimizer": opt, "params": params, "label": f"{opt} {frac}"})
            wanted.append(e)
        if not runs:
            continue
        res = simulate({"surface": quadratic(mu, big, angle), "start": [1.5, 1.0], "steps": steps, "runs": runs})
        for run, e in zip(res.runs, wanted, strict=True):
            kind = run.verdict["kind"]
            ok = kind == e or (e == "diverging" and kind == "diverged")
            assert ok, f"{run.label}, kappa {kappa}, {angle} deg: theory {e}, verdict {kind}: {run.verdict['explanation']['en']}"
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("opt", ["sgd", "momentum"])
def test_exactly_at_the_stability_limit_the_bounce_is_steady(opt: str) -> None:
    """A multiplier of exactly -1 (GD: eta L = 2; heavy ball: eta L = 2 (1 + beta)) neither
    grows nor dies: oscillating, with the bounce across the steep direction."""
    big = 100.0
    params = {"lr": limit(opt, big)} | ({"momentum": MOMENTUM} if opt != "sgd" else {})
    res = simulate({"surface": quadratic(1.0, big, 30.0), "start": [1.5, 1.0], "steps": 2000, "runs": [{"optimizer": opt, "params": params}]})
    v = res.runs[0].verdict
    assert v["kind"] == "oscillating", v["explanation"]["en"]
    steep = [-math.sin(math.radians(30.0)), math.cos(math.radians(30.0))]
    assert abs(np.dot(v["numbers"]["direction"], steep)) == pytest.approx(1.0, abs=1e-6)
    assert v["numbers"]["growth_per_step"] == pytest.approx(1.0, abs=1e-3)


def test_growth_factor_and_exit_step_match_the_multiplier() -> None:
    """GD with eta L = 2.2: the steep coordinate is multiplied by -1.2 per step. The verdict's
    growth factor is 1.2 and the step at which it would leave the plot range follows from it."""
    res = simulate({"surface": quadratic(1.0, 100.0, 0.0), "start": [1.0, 1e-3], "steps": 20, "runs": [{"optimizer": "sgd", "params": {"lr": 0.022}}]})
    run = res.runs[0]
    v = run.verdict
    assert v["kind"] == "diverging"
    assert v["numbers"]["growth_per_step"] == pytest.approx(1.2, rel=1e-3)
    y = abs(run.trajectory[-1, 1])
    leave = 20 + math.ceil(math.log(2.0 / y) / math.log(1.2))  # |y| reaches the range's 2
    assert abs(v["numbers"]["leaves_plot_at"] - leave) <= 1
    assert v["stretch"] == [v["numbers"]["onset_step"], 20]


def test_crawling_time_constant_is_the_slow_directions() -> None:
    """GD with a tiny step: the flat direction's time constant is 1 / (eta mu)."""
    lr = 1e-5
    res = simulate({"surface": quadratic(1.0, 1e4, 0.0), "start": [1.0, 1.0], "steps": 100, "runs": [{"optimizer": "sgd", "params": {"lr": lr}}]})
    v = res.runs[0].verdict
    assert v["kind"] == "crawling"
    assert v["numbers"]["time_constant"] == pytest.approx(-1 / math.log(1 - lr), rel=1e-3)
    assert v["numbers"]["direction"] == pytest.approx([1.0, 0.0], abs=1e-9)


# --- invariances -------------------------------------------------------------------------------
RUNS = [  # (surface formula in u, v; start; optimizer; lr at scale 1; steps)
    ("0.5*(u**2 + 200*v**2)", (-9.0, 1.0), "sgd", 1e-2, 300),  # oscillating
    ("0.5*(u**2 + 200*v**2)", (-9.0, 1.0), "sgd", 1e-6, 3000),  # crawling
    ("0.5*(u**2 + 200*v**2)", (-9.0, 1.0), "sgd", 5e-3, 2000),  # minimum
    ("0.5*(u**2 + 100*v**2)", (1.0, 1e-3), "sgd", 0.022, 20),  # diverging
    ("(1 - u*v)**2", (0.8, -0.8), "sgd", 0.05, 300),  # saddle
    ("(1 - u*v)**2", (0.8, -0.78), "momentum", 0.02, 600),  # minimum, having left the saddle
    ("(u**2 + v - 11)**2 + (u + v**2 - 7)**2", (0.0, 0.0), "sgd", 1e-7, 3000),  # crawling
    ("u**4 + v**4", (-1.5, 1.5), "sgd", 0.02, 2000),  # a degenerate minimum
    ("-(u**2 + 2*v**2)", (0.0, 0.0), "sgd", 0.1, 50),  # maximum, started on it
]


def transformed(
    formula: str, scale: float, shift: float, offset: tuple[float, float], angle: float
) -> tuple[str, np.ndarray]:
    """The formula with (u, v) the point moved back by ``offset`` and turned by -angle, times
    ``scale`` plus ``shift``; and the rotation matrix that maps old points to new ones."""
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    dx, dy = offset
    u = f"({c!r}*(x - {dx!r}) + {s!r}*(y - {dy!r}))"
    v = f"({-s!r}*(x - {dx!r}) + {c!r}*(y - {dy!r}))"
    expr = formula.replace("u", "U").replace("v", "V").replace("U", u).replace("V", v)
    return f"{scale!r}*({expr}) + {shift!r}", np.array([[c, -s], [s, c]])


def verdict_of(formula: str, start, opt: str, lr: float, steps: int, scale=1.0, shift=0.0, offset=(0.0, 0.0), angle=0.0):  # type: ignore[no-untyped-def]
    expr, rot = transformed(formula, scale, shift, offset, angle)
    p = rot @ np.asarray(start) + np.asarray(offset)
    half = 10.0  # a square plot range around the transformed origin, of the same size
    surface = {"expr": expr, "x_range": [offset[0] - half, offset[0] + half], "y_range": [offset[1] - half, offset[1] + half]}
    params = {"lr": lr / scale} | ({"momentum": 0.9} if opt == "momentum" else {})
    res = simulate({"surface": surface, "start": p.tolist(), "steps": steps, "runs": [{"optimizer": opt, "params": params}]})
    return res.runs[0].verdict


@pytest.mark.parametrize("case", RUNS, ids=lambda c: f"{c[0][:14]}-{c[2]}-{c[3]:g}")
def test_verdict_is_invariant(case) -> None:  # type: ignore[no-untyped-def]
    formula, start, opt, lr, steps = case
    base = verdict_of(formula, start, opt, lr, steps)
    variants = {
        "loss x 1e-12": {"scale": 1e-12},
        "loss x 1e12": {"scale": 1e12},
        "loss + 1e3": {"shift": 1e3},
        "translated": {"offset": (3.0, -2.0)},
        "rotated": {"angle": 37.0},
    }
    for name, kw in variants.items():
        v = verdict_of(formula, start, opt, lr, steps, **kw)
        assert v["kind"] == base["kind"], f"{name}: {base['kind']} became {v['kind']}: {v['explanation']['en']}"
        nb, nv = base["numbers"], v["numbers"]
        assert nv["extent"] == pytest.approx(nb["extent"], rel=1e-6), name
        # Distances only matter against the tolerance (a saddle's unstable direction amplifies
        # rounding: the last digits of a tiny distance are the rounding's).
        assert nv["distance_to_go"] == pytest.approx(nb["distance_to_go"], rel=1e-3, abs=1e-2 * nb["tolerance"]), name
        for key in ("since", "onset_step", "period"):
            assert nv.get(key) == nb.get(key), (name, key)
        if name != "rotated":  # the plot range is a rectangle that does not turn with the plane
            assert nv.get("leaves_plot_at") == nb.get("leaves_plot_at"), name
        if base.get("eigenvalues"):
            scale = kw.get("scale", 1.0)
            assert np.allclose(np.asarray(v["eigenvalues"]) / scale, base["eigenvalues"], rtol=1e-3, atol=1e-9)


# --- a slope along a flat direction is no critical point -------------------------------------
@pytest.mark.parametrize(
    ("scenario", "why"),
    [
        (  # the lesson review's cell of preset 35: Adam crawling along Rosenbrock's valley floor
            {"surface": "rosenbrock", "start": [-1.5, 2.0], "steps": 1000,
             "runs": [{"optimizer": "adam", "params": {"lr": 1.7475e-4, "betas": [0.86, 0.999]}}]},
            "the valley's curvature along its floor is ~1e-4 of the surface's, its slope ~1.6",
        ),
        (  # a ravine with an exact linear floor: zero curvature along x, slope 1
            {"surface": {"expr": "x + 50*y**2", "x_range": [-3, 3], "y_range": [-3, 3]},
             "start": [2.0, 1.0], "steps": 200, "runs": [{"optimizer": "sgd", "params": {"lr": 1e-3}}]},
            "the steep direction has settled; along x the loss falls by 1 per unit for ever",
        ),
    ],
)
def test_a_slope_along_a_zero_curvature_is_not_a_critical_point(scenario: dict, why: str) -> None:
    """Along a direction whose curvature counts as zero the local model has no stationary
    point: with a slope there, the run is not at a critical point (it used to be "saddle",
    read from the loss falling one way and rising the other), however close the steep
    directions are to settling."""
    v = simulate(scenario).runs[0].verdict
    assert v["kind"] in ("crawling", "moving"), (why, v["kind"], v["explanation"]["en"])


def test_a_run_still_taking_long_steps_has_not_come_to_rest() -> None:
    """"Stopped short of a critical point" says the run has come to rest: not a run whose
    net displacement is small because it hovers around the minimum with steps of 0.1 (Adam
    with a large step, the lesson review's cell of preset 35, loss 8e-5 … 8.2 in its last
    steps)."""
    sc = {"surface": "rosenbrock", "start": [-1.5, 2.0], "steps": 1000,
          "runs": [{"optimizer": "adam", "params": {"lr": 0.1873817422860385, "betas": [0.78, 0.999]}}]}  # fmt: skip
    run = simulate(sc).runs[0]
    steps = np.hypot(*np.diff(run.trajectory[-10:], axis=0).T)
    assert steps.max() > 0.05  # it is still taking long steps
    assert run.verdict["kind"] != "stopped", run.verdict["explanation"]["en"]


def test_a_bounce_worth_a_quarter_of_the_descent_has_not_arrived() -> None:
    """Adam with η = 0.36 and no momentum on Rosenbrock (the lesson review's cell of preset
    35): after a burst that took the run far out (extent 7.7, so 1 % of it is 0.077), it
    bounces across the valley at (1.8, 3.3), 0.05 from the bottom of the local quadratic but
    with the gradient at 82 % of its start and the loss 3 above that bottom, a quarter of the
    12.3 it has gained. It is no critical point (it used to be "saddle")."""
    sc = {"surface": "rosenbrock", "start": [-1.5, 2.0], "steps": 1000,
          "runs": [{"optimizer": "adam", "params": {"lr": 0.3593813663804629, "betas": [0.0, 0.999]}}]}  # fmt: skip
    v = simulate(sc).runs[0].verdict
    assert v["numbers"]["grad_norm_ratio"] > 0.5
    assert v["kind"] not in ("minimum", "saddle", "maximum", "plateau"), v["explanation"]["en"]


def test_a_model_bottom_beyond_the_plot_is_no_bottom_nearby() -> None:
    """Along Rosenbrock's curved floor the local quadratic's bottom jumps from none to 181 to
    16 away from one η to the next (preset 35's lone "crawling" column at η = 6e-3, the lesson
    review's "odd stripe"). Beyond the plot's diagonal it says nothing about the run: the three
    neighbours are judged alike, as a slope covering its pace."""
    kinds, sentences = [], []
    for lr in (0.00546, 0.00599, 0.00658):
        sc = {"surface": "rosenbrock", "start": [-1.5, 2.0], "steps": 1000,
              "runs": [{"optimizer": "adam", "params": {"lr": lr, "betas": [0.6, 0.999]}}]}  # fmt: skip
        v = simulate(sc).runs[0].verdict
        kinds.append(v["kind"])
        sentences.append(v["explanation"]["en"])
    assert kinds == ["moving"] * 3, sentences
    assert all("no bottom nearby" in s for s in sentences), sentences
