"""Each optimizer's LaTeX is the rule of the exact variant that runs, and its symbols and
titles are its own.

The formula of a run is a function of its resolved parameters. What a user would notice:
a switch that changes the path must change the formula shown beside it (bias correction,
AMSGrad, centered, momentum, dampening, weight decay and where it goes, lr_decay, the
initial accumulator), a value that only changes numbers (η, ε, β, α, ...) must not, and
every state field the step-numbers panel shows has the lecture's symbol.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import numpy as np
import pytest

from core.params import Bool, Float, Pair
from core.text import LANGS, both
from lab import simulate
from optimizers import OPTIMIZERS
from optimizers.schedules import SCHEDULES
from ui import explain

# Parameters whose zero / non-zero (or true / false) value changes the form of the rule.
STRUCTURAL = {"weight_decay", "momentum", "dampening", "lr_decay", "initial_accumulator_value"}
NONZERO = {
    "weight_decay": 0.1,
    "momentum": 0.9,
    "dampening": 0.5,
    "lr_decay": 0.1,
    "initial_accumulator_value": 0.5,
}

# Every control sequence the formulas may use: all of them KaTeX's (what st.latex renders).
KATEX = {
    "theta", "eta", "leftarrow", "lambda", "mu", "frac", "sqrt", "epsilon", "sum", "alpha",
    "bar", "beta", "max", "le", "hat", "rho", "infty", "cdot", "begin", "end", "text",
    "Delta", "prod", "tfrac", "left", "right", "psi", "sigma", "qquad", "quad", "textstyle",
    "delta", "tau",
}  # fmt: skip


def _variants(name: str) -> list[dict[str, Any]]:
    """Every combination of the structural knobs of ``name`` (zero or not, true or false)."""
    opt = OPTIMIZERS[name]
    knobs = [p for p in opt.params if isinstance(p, Bool) or p.name in STRUCTURAL]
    out = []
    for values in itertools.product([False, True], repeat=len(knobs)):
        p: dict[str, Any] = {}
        for k, on in zip(knobs, values, strict=True):
            p[k.name] = on if isinstance(k, Bool) else (NONZERO[k.name] if on else 0.0)
        if opt.check({**opt.fixed, **{**opt.defaults(), **p}}) is None:
            out.append(p)
    return out


def _path(name: str, params: dict[str, Any], steps: int = 40) -> np.ndarray:
    """The points of ``name`` fed a shrinking gradient that depends on the point (so weight
    decay matters and v eventually falls, which AMSGrad's maximum can see)."""
    opt = OPTIMIZERS[name]
    p = opt.resolve({"lr": 0.05, **params})
    hp = opt.hyper([p])
    theta = np.array([[0.7, -1.3]])
    st = opt.init(theta, hp)
    pts = []
    with np.errstate(all="ignore"):
        for t in range(steps):
            g = np.array([[3.0, -2.0]]) * 0.8**t + 0.3 * theta
            out = opt.step(theta, g, st, p["lr"], t + 1, hp)
            theta, st = out.theta, out.state
            pts.append(theta)
    return np.array(pts)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_variant_formula_is_well_formed_katex(name: str) -> None:
    for p in _variants(name):
        lines = OPTIMIZERS[name].rule(p)
        assert lines and all(lines), (name, p)
        for line in lines:
            depth = 0
            for ch in line:
                depth += {"{": 1, "}": -1}.get(ch, 0)
                assert depth >= 0, (name, p, line)
            assert depth == 0, (name, p, line)
            assert line.count(r"\begin{") == line.count(r"\end{"), line
            assert len(re.findall(r"\\left\W", line)) == len(re.findall(r"\\right\W", line)), line
            unknown = set(re.findall(r"\\([A-Za-z]+)", line)) - KATEX
            assert not unknown, (name, p, unknown)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_knob_changes_the_formula_exactly_when_it_changes_the_path(name: str) -> None:
    """Pairs of variants that differ in one structural knob: the path differs if and only
    if the formula does (decoupled decay with λ = 0, dampening without momentum: neither).
    One exception by design: AdamW's rule always carries its factor (1 − η^t λ)."""
    variants = _variants(name)
    seen = 0
    for a, b in itertools.combinations(variants, 2):
        if sum(a[k] != b[k] for k in a) != 1 or (name == "adamw" and a["amsgrad"] == b["amsgrad"]):
            continue
        seen += 1
        moved = not np.array_equal(_path(name, a), _path(name, b))
        shown = OPTIMIZERS[name].rule(a) != OPTIMIZERS[name].rule(b)
        assert moved == shown, (name, a, b, "path differs" if moved else "path is the same")
    assert seen or len(variants) == 1, name


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_values_that_only_change_numbers_leave_the_formula_alone(name: str) -> None:
    opt = OPTIMIZERS[name]
    for p in opt.params:
        if isinstance(p, Bool) or p.name in STRUCTURAL:
            continue
        if isinstance(p, Pair):
            other: Any = (0.5, 0.9)
        else:
            assert isinstance(p, Float)
            other = p.default / 2 if p.default else 0.3
        changed = {p.name: other}
        assert not np.array_equal(_path(name, {}), _path(name, changed)), (name, p.name)
        assert opt.rule(changed) == opt.rule({}), (name, p.name)


def test_the_variants_read_as_the_lecture_and_torch_write_them() -> None:
    rule = explain.update_rule
    assert rule("adam", {})[-1].count(r"1-\beta_1^{t+1}") == 1
    assert r"\beta_1^{t+1}" not in rule("adam", {"bias_correction": False})[-1]
    assert r"\max_{k\le t} v^k" in rule("amsgrad", {})[-1]
    assert rule("adamw", {})[-1].startswith(r"\theta^{t+1} = (1-\eta^t\lambda)\theta^t")
    assert rule("adamw", {"weight_decay": 0.0}) == rule("adamw", {})  # its defining factor
    assert rule("adam", {"weight_decay": 0.0}) == rule("adam", {})  # no L2 line for λ = 0
    assert rule("nadam", {"weight_decay": 0.1, "decoupled_weight_decay": True})[0] == (
        r"\theta^t \leftarrow (1 - \eta^t\lambda)\,\theta^t"
    )
    assert rule("radam", {"weight_decay": 0.1})[0] == r"g^t \leftarrow g^t + \lambda\,\theta^t"
    centered = " ".join(rule("rmsprop", {"centered": True}))
    assert r"\sqrt{v^t - (\bar g^t)^2} + \epsilon" in centered
    assert rule("momentum", {"momentum": 0.0}) == rule("sgd", {})
    assert r"(1-\tau)" in rule("momentum", {"dampening": 0.5})[-1]
    assert r"(g^t + \mu\, b^t)" in rule("nesterov", {})[-1]
    # The lecture's forms are the notes' formulas (notes 001), whatever else is passed.
    assert rule("adagrad_lecture", {})[0].startswith(
        r"\sigma_i^t = \sqrt{\frac{1}{t+1}\sum_{k=0}^{t}\left(g_i^k\right)^2}"
    )
    assert rule("rmsprop_lecture", {"alpha": 0.5})[0].startswith(r"\sigma_i^0 = \left|g_i^0\right|")


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_state_field_has_its_lecture_symbol(name: str) -> None:
    opt = OPTIMIZERS[name]
    state = opt.init(np.zeros((1, 2)), opt.hyper([opt.resolve({})]))
    assert set(opt.symbols) == set(state._fields)


def test_step_numbers_show_the_optimizers_own_state() -> None:
    res = simulate(
        {
            "surface": "rosenbrock",
            "steps": 5,
            "runs": [
                {"optimizer": "rmsprop", "params": {"centered": True, "momentum": 0.5}},
                {"optimizer": "nadam"},
                {"optimizer": "adam"},
            ],
        },
        record_state=True,
    )
    rms = dict(explain.step_numbers(res.runs[0], 2, res.surface))
    for field, symbol in (("square_avg", "v^t"), ("grad_avg", r"\bar g^t"), ("buf", "b^t")):
        assert rms[symbol] == explain._vec(res.runs[0].state[field][2])
    nadam = dict(explain.step_numbers(res.runs[1], 2, res.surface))
    mu = 0.9 * (1 - 0.5 * 0.96 ** (0.004 * np.arange(1, 4)))
    assert nadam[r"\textstyle\prod_{i\le t}\mu_i"] == explain._vec(np.prod(mu))
    adam = dict(explain.step_numbers(res.runs[2], 2, res.surface))
    assert "m^t" in adam and r"\max_{k\le t} v^k" not in adam  # no AMSGrad: no row for it


def test_titles_live_in_the_catalog_in_both_languages() -> None:
    for name, opt in OPTIMIZERS.items():
        assert opt.title == both(f"opt.{name}.title")
        assert all(opt.title[lang] for lang in LANGS)
    for name, sched in SCHEDULES.items():
        assert sched.title == both(f"sched.{name}.title")
        assert all(sched.title[lang] for lang in LANGS)
    assert OPTIMIZERS["adagrad_lecture"].title["zh"] == "Adagrad（课程：均方根）"
