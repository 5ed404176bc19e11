"""Hostile numbers through the engine: every optimizer x schedule x surface with extreme values
either runs with finite outputs and strict JSON, or raises the documented error; no warning
ever leaks (the suite runs with warnings as errors)."""

from __future__ import annotations

import json
import math
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.params import Bool, Choice, Int, Pair
from lab import ScenarioError, simulate
from lab.budget import BudgetError
from lab.cut import QUANTITIES, REASONS
from lab.verdicts import KINDS
from optimizers import OPTIMIZERS
from optimizers.schedules import SCHEDULES

TINY = 5e-324  # the smallest positive float64 (a subnormal)
NEAR_ONE = 1 - 1e-16  # rounds to the largest float64 below 1
HUGE_INT = 10**400  # no float64 holds it

# Hostile values for any parameter, whatever its kind: the kind takes what it allows and
# refuses the rest with the documented error.
HOSTILE = [0, TINY, 1e-300, NEAR_ONE, 1, 1e19, 1e300, sys.float_info.max, -1, -TINY, HUGE_INT,
           -HUGE_INT, 2**64, True, "cos", None, [0.9, 0.999], [0, NEAR_ONE], [], {}, "1e-3"]
LR = st.one_of(st.sampled_from([1e-12, 1e-6, 1e-3, 0.1, 1.0, 10.0, 1e3, 1e6]),
               st.floats(1e-12, 1e6))
SURFACES = [
    *["ravine", "rotated_ravine", "saddle", "lecture_saddle", "rosenbrock", "beale",
      "himmelblau", "rastrigin", "dip"],
    {"expr": "x*1e308 + y**2"},  # the gradient's square and Adam's v overflow
    {"expr": "log(x) + y**2"},  # a domain edge inside the plot range
    {"expr": "sqrt(x) + y**2", "x_range": [-1, 3]},
    {"expr": "exp(50*x) + y**2"},
    {"expr": "1e-200*x + y**2"},  # g^2 underflows to 0: with eps = 0, a division by zero
    {"expr": "1/(x*x + y*y - 1)"},  # a pole on a circle
    {"expr": "1e300*x*x + y*y"},
]


def extremes(p: object) -> list:  # type: ignore[type-arg]
    """The extreme values a parameter allows: its bounds (open ones moved in by one ulp),
    the smallest subnormal, 1 − 1e-16, 1e-12 … 1e6, and the kind's own values."""
    if isinstance(p, Bool):
        return [True, False]
    if isinstance(p, Choice):
        return list(p.choices)
    if isinstance(p, Pair):
        return [[a, b] for a in (0.0, TINY, 0.5, 0.9, NEAR_ONE) for b in (0.0, 0.9, 0.999, NEAR_ONE)]
    if isinstance(p, Int):
        return [v for v in (p.low, p.low + 1, 2, 7, 50, 300, 10**6, p.high) if p.low <= v <= p.high]
    lo, hi = p.bounds()  # type: ignore[attr-defined]
    candidates = [lo, TINY, 1e-300, 1e-12, 1e-6, 1e-3, 0.1, 0.5, 0.9, NEAR_ONE, 1.0, 2.0, 1e3, 1e6]
    candidates += [hi] if hi is not None else [1e300, sys.float_info.max]
    return [v for v in candidates if p.contains(v)]  # type: ignore[attr-defined]


def value_of(draw: st.DrawFn, p: object) -> object:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(HOSTILE))
    return draw(st.sampled_from(extremes(p)))


@st.composite
def runs(draw: st.DrawFn, steps: int) -> dict:
    name = draw(st.sampled_from(sorted(OPTIMIZERS)))
    params: dict = {"lr": draw(LR)}
    for p in OPTIMIZERS[name].params:
        if p.name != "lr" and draw(st.booleans()):
            params[p.name] = value_of(draw, p)
    out: dict = {"optimizer": name, "params": params}
    sched = draw(st.sampled_from([None, None, *SCHEDULES, *SCHEDULES, "nope"]))
    if sched in SCHEDULES:
        given = {}
        for p in SCHEDULES[sched].params:
            if p.required or draw(st.booleans()):
                given[p.name] = value_of(draw, p)
        if sched == "onecycle" and draw(st.integers(0, 3)):
            given["total_steps"] = steps + draw(st.sampled_from([0, 1, 100, 10**9 - steps]))
        out["schedule"] = {"name": sched, "params": given}
    elif sched is not None:
        out["schedule"] = {"name": sched}
    return out


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    steps = draw(st.integers(1, 300))
    return {
        "surface": draw(st.sampled_from(SURFACES)),
        "steps": steps if draw(st.integers(0, 19)) else draw(st.sampled_from([0, HUGE_INT, 1e19, 2.5])),
        "runs": draw(st.lists(runs(steps), min_size=1, max_size=3)),
        "noise": {
            "std": draw(st.sampled_from([0.0] * 6 + [1e-3, 1.0, 1e6, 1e300, 1e308, -1.0])),
            "seed": draw(st.sampled_from([0] * 6 + [7, 2**32 - 1, 2**32, HUGE_INT])),
        },
    }


def check_result(result, d: dict) -> None:  # type: ignore[no-untyped-def]
    for run in result.runs:
        n = len(run.trajectory)
        assert 1 <= n <= d["steps"] + 1
        assert len(run.loss) == len(run.grad_norm) == n
        assert len(run.lr) == len(run.effective_lr) == n - 1
        for arr in (run.trajectory, run.loss, run.grad_norm, run.lr, run.effective_lr):
            assert np.all(np.isfinite(arr)), run.verdict
        v = run.verdict
        assert v["kind"] in KINDS
        if v["kind"] == "diverged":
            assert v["reason"] in REASONS
            assert v["step"] == n  # cut at its first invalid point, which is not kept
            if v["reason"] != "bound":
                assert v["numbers"]["quantity"] in QUANTITIES
    json.dumps(result.to_dict(), allow_nan=False)  # strict JSON: no NaN, no Infinity


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_hostile_scenarios_run_finite_or_raise_the_documented_error(d: dict) -> None:
    try:
        result = simulate(d, record_state=True, budget=3.0)
    except BudgetError as e:  # a ValueError too, but with its own message
        assert "lower" in str(e) or "fewer" in str(e)
        event("over the budget")
        return
    except ScenarioError as e:
        assert str(e) and len(str(e)) < 2000  # a message, not an echo of the input
        event("refused: " + str(e).split(" = ")[0].split(" (")[0][:40])
        return
    check_result(result, d)
    for run in result.runs:
        event(f"ran: {run.verdict['kind']} {run.verdict.get('reason', '')}".strip())


# --- the cases, each with its real cause ------------------------------------------------
def one(surface: object, optimizer: str, steps: int = 50, start: list | None = None, **params: float):  # type: ignore[no-untyped-def]
    sc: dict = {"surface": surface, "steps": steps, "runs": [{"optimizer": optimizer, "params": params}]}
    if start is not None:
        sc["start"] = start
    return simulate(sc).runs[0]


def test_eps_5e_324_with_a_zero_gradient_coordinate_overflows_the_effective_lr() -> None:
    """g_y = 0 on the ravine's axis: v_y = 0, so η/(√v + ε) = 0.1/5e-324 is beyond float64.
    It was judged a minimum with η_eff = inf and printed as Infinity."""
    run = one("ravine", "adam", start=[1.0, 0.0], lr=0.1, eps=TINY)
    v = run.verdict
    assert (v["kind"], v["reason"], v["numbers"]["quantity"]) == ("diverged", "overflow", "effective_lr")
    assert v["step"] == 1 and run.steps_run == 0
    assert "effective learning rate" in v["explanation"]["en"] and "overflow" in v["explanation"]["en"]
    assert "有效学习率" in v["explanation"]["zh"]


def test_adam_second_moment_overflow_is_cut_not_crawling() -> None:
    """∂/∂x (x·1e308) = 1e308, whose square is inf: v overflows at the first step while the
    point stays finite (the step m/√v is 0). It was judged crawling."""
    v = one({"expr": "x*1e308 + y**2"}, "adam", lr=0.1).verdict
    assert (v["kind"], v["reason"], v["numbers"]["quantity"], v["numbers"]["field"]) == (
        "diverged", "overflow", "state", "v")
    assert "state v overflowed" in v["explanation"]["en"]


def test_eps_zero_with_a_zero_gradient_is_0_over_0_not_overflow() -> None:
    v = one("ravine", "adam", start=[1.0, 0.0], lr=0.1, eps=0.0).verdict
    assert (v["reason"], v["numbers"]["quantity"]) == ("undefined", "point")
    assert "0/0" in v["explanation"]["en"]


def test_a_gradient_whose_square_underflows_divides_by_zero() -> None:
    """g = 1e-200: g² underflows to 0, so v = 0 while m = 1e-201, and with ε = 0 the step is
    m/0 = inf: a division by zero (neither an overflow nor 0/0)."""
    v = one({"expr": "1e-200*x + y**2"}, "adam", lr=0.1, eps=0.0).verdict
    assert (v["reason"], v["numbers"]["quantity"]) == ("zero_division", "point")


def test_leaving_the_formula_domain_is_named_with_the_point() -> None:
    run = one({"expr": "sqrt(x) + y**2", "x_range": [-1, 3]}, "sgd", start=[0.5, 1.0], lr=1.0)
    v = run.verdict
    assert (v["reason"], v["numbers"]["quantity"]) == ("domain", "loss")
    x, _ = v["numbers"]["point"]
    assert x < 0  # sqrt(x) is not defined there
    assert "outside the formula's domain" in v["explanation"]["en"]


def test_an_overflowing_formula_value_is_an_overflow_not_the_domain() -> None:
    """GD with η·λ = 3 on 1e300·x²: x doubles and flips each step, and at |x| = 2^14 the loss
    (2.7e308) overflows while the point is well inside the bound and the gradient finite."""
    run = one({"expr": "1e300*x*x + y*y"}, "sgd", start=[1.0, 0.0], lr=1.5e-300, steps=100)
    v = run.verdict
    assert (v["reason"], v["numbers"]["quantity"]) == ("overflow", "loss")
    assert v["numbers"]["point"] == pytest.approx([2.0**14, 0.0]) and v["step"] == 14


@pytest.mark.parametrize("g", [1e153, 1e152])
def test_a_state_overflow_is_found_at_its_exact_step_across_the_snapshots(g: float) -> None:
    """Adagrad's sum s grows by g² per step on the slope g·x: it overflows at the first step
    whose running sum (in float64, as the loop adds) exceeds 1.8e308; 180 steps for g = 1e153
    (inside the first 256-step window), ~18,000 for 1e152 (many windows in). The engine does
    not store the state; it steps the run again from its snapshot to find the step."""
    s, k = 0.0, 0
    while math.isfinite(s):
        s = s + g * g
        k += 1
    steps = k + 300
    run = one({"expr": f"{g:g}*x + y**2", "x_range": [-3, 3]}, "adagrad", steps=steps, start=[1.0, 1.0], lr=1e-6)
    v = run.verdict
    assert (v["reason"], v["numbers"]["quantity"], v["numbers"]["field"]) == ("overflow", "state", "sum")
    assert v["step"] == k  # the point after the k-th step is the first invalid one
    assert run.steps_run == k - 1


def test_cut_runs_in_a_batch_keep_their_own_causes() -> None:
    result = simulate(
        {
            "surface": "ravine",
            "start": [1.0, 0.0],
            "steps": 600,
            "runs": [
                {"optimizer": "adam", "params": {"lr": 0.1, "eps": TINY}},
                {"optimizer": "adam", "params": {"lr": 0.1, "eps": 0.0}},
                {"optimizer": "adam", "params": {"lr": 0.1}},
                {"optimizer": "sgd", "params": {"lr": 1e5}},
                {"optimizer": "sgd", "params": {"lr": 1e-2}},
            ],
        }
    )
    reasons = [r.verdict.get("reason") for r in result.runs]
    assert reasons == ["overflow", "undefined", None, "bound", None]


def test_verdict_json_is_strict_through_the_command_line(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "s.json"
    f.write_text(json.dumps({"surface": "ravine", "start": [1, 0], "steps": 20,
                             "runs": [{"optimizer": "adam", "params": {"lr": 0.1, "eps": TINY}}]}))
    p = cli("simulate", str(f), "--compact")
    assert p.returncode == 0, p.stderr
    assert "Infinity" not in p.stdout and "NaN" not in p.stdout
    out = json.loads(p.stdout, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))
    assert out["runs"][0]["verdict"]["reason"] == "overflow"


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ({"steps": HUGE_INT}, "steps = 1000000000"),
        ({"runs": [{"optimizer": "sgd", "params": {"lr": HUGE_INT}}]}, "is too large for a float64"),
        ({"runs": [{"optimizer": "sgd", "params": {"lr": 1e400}}]}, "is not finite"),
        ({"start": [HUGE_INT, 0]}, "start[0] = 1000000000"),
        ({"noise": {"std": 1e308}}, "noise.std = 1e+308 is out of range; allowed: 0 <= std <= 1e+300"),
        ({"noise": {"seed": HUGE_INT}}, "noise.seed = 1000000000"),
        ({"runs": [{"optimizer": "sgd", "schedule": {"name": "step", "params": {"step_size": 1e19}}}]},
         "step_size = 1e+19 is out of range; allowed: an integer with 1 <= step_size <= 1000000000"),
        ({"runs": [{"optimizer": "sgd", "schedule": {"name": "onecycle", "params": {"max_lr": 1e10, "total_steps": 50, "div_factor": 1e-300}}}]},
         "div_factor = 1e-300 makes the initial learning rate max_lr / div_factor = 1e+10 / 1e-300 overflow; allowed: div_factor >= max_lr / 1.8e+308"),
        ({"runs": [{"optimizer": "sgd", "schedule": {"name": "onecycle", "params": {"max_lr": 0.1, "total_steps": 50, "final_div_factor": TINY}}}]},
         "final_div_factor = 4.94066e-324 makes the final learning rate"),
        ({"runs": [{"optimizer": "sgd", "schedule": {"name": "onecycle", "params": {"max_lr": 0.1, "total_steps": 50, "three_phase": True, "pct_start": 0.6}}}]},
         "three_phase = true with pct_start = 0.6 and total_steps = 50: the second phase would end at step 2 * pct_start * total_steps - 2 = 58"),
    ],
    ids=lambda v: str(v)[:40],
)
def test_numbers_beyond_float64_or_the_bounds_are_refused_with_key_value_and_allowed(scenario: dict, message: str) -> None:
    d = {"surface": "ravine", "steps": 50, "runs": [{"optimizer": "sgd"}], **scenario}
    with pytest.raises(ScenarioError) as e:
        simulate(d)
    assert message in str(e.value)
    assert len(str(e.value)) < 600


@pytest.mark.parametrize("pct", [0.3, 0.49, 0.5, 0.502, 0.51])
def test_onecycle_three_phase_rule_is_the_rule_it_states(pct: float) -> None:
    """The message's bound, pct_start < (T + 1) / (2T), is exactly where the schedule's third
    phase stops having a length: accepted below it (with a finite rate at every step), refused
    from it on."""
    total = 250
    sc = {"surface": "ravine", "steps": total, "runs": [{"optimizer": "sgd", "schedule": {
        "name": "onecycle", "params": {"max_lr": 0.1, "total_steps": total, "three_phase": True, "pct_start": pct}}}]}
    bound = (total + 1) / (2 * total)
    if pct < bound:
        assert np.all(np.isfinite(simulate(sc).runs[0].lr))
    else:
        with pytest.raises(ScenarioError, match=f"allowed: pct_start < \\(total_steps \\+ 1\\) / \\(2 \\* total_steps\\) = {bound:.6g}"):
            simulate(sc)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_hostile_results_draw_and_export_without_a_warning(d: dict) -> None:
    """Every picture and file of a hostile result (diverged, overflowing, subnormal steps)
    is made without a warning: the figures' float32 casts keep float64 where needed."""
    import export
    import figures

    try:
        result = simulate(d, record_state=True, budget=3.0)
    except (BudgetError, ScenarioError):
        return
    last = max(r.steps_run for r in result.runs)
    figures.map_figure(result, "zh", step=last // 2, arrows=("grad", "update", "momentum"))
    figures.traces_figure(result, "en", step=last)
    figures.surface_3d(result, "en")
    figures.overview_figure(result, "en", width=1200, height=700, animate=False)
    for fmt in ("csv", "json"):
        assert export.render(result, fmt)


def test_a_noise_std_whose_square_overflows_is_judged_not_raised() -> None:
    """Hypothesis found it: noise std 1e300 with a run that is not cut in one step; the
    verdict's noise covariance squared it as a Python float and raised OverflowError."""
    d = {
        "surface": "ravine", "steps": 1, "noise": {"std": 1e300, "seed": 0},
        "runs": [{"optimizer": "adadelta", "params": {"lr": 1e-12}},
                 {"optimizer": "momentum", "params": {"lr": 1e-12},
                  "schedule": {"name": "onecycle", "params": {"max_lr": 5e-324, "total_steps": 1}}}],
    }  # fmt: skip
    for run in simulate(d).runs:
        assert run.verdict["kind"] in KINDS
