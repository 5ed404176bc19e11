"""The cheap checks of a formula: refused when not finite anywhere in the plot range, before
any derivative program is built, with the same message from a scenario and from a URL."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lab.scenario import ScenarioError, parse_scenario
from surfaces import make_surface
from surfaces.formula import derivatives
from surfaces.formula.check import tree_values
from surfaces.formula.parse import parse_formula
from ui.url import decode

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RANGE = "x ∈ [-3, 3], y ∈ [-3, 3]"
NOWHERE = f"Invalid formula: not finite anywhere in the plot range {DEFAULT_RANGE}: "
NAN = "NaN (undefined)"
INF = "±inf (overflow or division by zero)"

NOWHERE_FINITE = [
    ("log(-1-x**2)", NAN),
    ("1/(x-x)", INF),
    ("exp(1000+x)", INF),
    ("sqrt(-1-y**2)", NAN),
    ("x/0", "NaN or ±inf"),  # inf, and 0/0 = NaN on the line x = 0
    ("y + 10**400", INF),  # the constant overflows float64
    ("x + log(-1)", NAN),  # sympy would make it I*pi, NumPy NaN
    ("9**9**9 * (1 + x**2)", INF),
    ("log(" * 49 + "-1-x**2" + ")" * 49, NAN),  # the deepest nesting the parser allows
    ("exp(" * 50 + "1000+x" + ")" * 50, INF),
    ("+".join(["log(-1-x*x)"] * 40), NAN),  # 399 tokens
]


@pytest.mark.parametrize(
    ("formula", "kind"), NOWHERE_FINITE, ids=[f[:24] for f, _ in NOWHERE_FINITE]
)
def test_a_formula_not_finite_anywhere_is_refused_with_what_was_checked(
    formula: str, kind: str
) -> None:
    with pytest.raises(ValueError) as info:
        make_surface({"expr": formula})
    message = str(info.value)
    assert message.startswith(NOWHERE + kind + " at all points of a 65 × 65 grid"), message
    assert "spacing 0.094 in x and 0.094 in y" in message  # 6 / 64: what a user can narrow
    assert "allowed: a formula with finite values in the plot range" in message


def test_no_derivative_program_is_built_before_the_refusal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def forbidden(*args: object) -> None:
        raise AssertionError("a derivative program was built")

    monkeypatch.setattr(derivatives, "compile_program", forbidden)
    with pytest.raises(ValueError, match="not finite anywhere"):
        make_surface({"expr": "exp(" * 50 + "1000+x" + ")" * 50})


def test_a_refusal_does_not_import_sympy() -> None:
    code = (
        f"import sys, json; sys.path.insert(0, {str(ROOT)!r}); import surfaces\n"
        "try:\n    surfaces.make_surface({'expr': 'log(-1-x**2)'})\n"
        "except ValueError as e:\n    print(json.dumps([str(e), 'sympy' in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    message, sympy_loaded = json.loads(out.stdout)
    assert message.startswith(NOWHERE)
    assert not sympy_loaded


def test_the_plot_range_decides() -> None:
    # Finite in one range, nowhere in another: the message names the range it checked.
    assert make_surface({"expr": "log(x) + y**2", "x_range": [0.5, 3]}).name == "custom"
    with pytest.raises(ValueError) as info:
        make_surface({"expr": "log(x) + y**2", "x_range": [-3, -0.5], "y_range": [0, 2]})
    assert "plot range x ∈ [-3, -0.5], y ∈ [0, 2]:" in str(info.value)
    assert "spacing 0.039 in x and 0.031 in y" in str(info.value)
    # exp(1000 + x) overflows for x > ~-290 only.
    surface = make_surface({"expr": "exp(1000+x)", "x_range": [-2000, -1000]})
    assert np.isfinite(surface.value(np.array([-1500.0, 0.0])))


def test_a_strip_narrower_than_the_grid_is_missed_and_the_message_says_how_to_look_closer() -> None:
    # Finite only for |x - 0.05| < 0.032, which falls between the grid columns 0 and 0.094.
    formula = "log(0.001 - (x - 0.05)**2) + y**2"
    with pytest.raises(ValueError, match="a region narrower than that spacing could be missed"):
        make_surface({"expr": formula})
    narrowed = make_surface({"expr": formula, "x_range": [0, 0.1]})
    assert np.isfinite(narrowed.value(np.array([0.05, 0.0])))


@pytest.mark.parametrize(
    "formula",
    [
        "sqrt(x-x) + y",  # value 0 + y; d/dx sqrt(u) at u = 0 is inf * 0 = NaN
        "abs(y-y)**0.5 + x**2",
        "0**(2 + x) + y",  # 0**u has derivative 0**u * log(0) = 0 * -inf = NaN
        "sqrt(" + "sin(" * 48 + "x-x" + ")" * 48 + ") + y",
    ],
)
def test_a_gradient_nowhere_finite_is_refused_too(formula: str) -> None:
    with pytest.raises(ValueError) as info:
        make_surface({"expr": formula})
    message = str(info.value)
    assert re.match(
        "Invalid formula: its gradient is not finite anywhere in the plot range "
        + re.escape(DEFAULT_RANGE)
        + r": NaN \(undefined\) at all \d+ points where the value is finite, on a 65 × 65 grid",
        message,
    ), message


def test_a_gradient_infinite_on_a_line_only_is_accepted() -> None:
    surface = make_surface({"expr": "sqrt(abs(x)) + y**2"})
    assert not np.isfinite(surface.grad(np.array([0.0, 1.0]))[0])  # sign(0) * inf
    assert np.isfinite(surface.grad(np.array([0.5, 1.0]))).all()


@pytest.mark.parametrize(
    "formula",
    [
        "(1-x)**2 + 100*(y-x**2)**2",
        "log(y) + sqrt(x) - x/y/2",  # NaN and inf on part of the grid
        "x**y + abs(x*y - 1) - 2^-x",
        "tanh(x*y) + tan(x/3) + exp(-x**2) * cos(pi*y) - e",
        "-x**2 - -y + +3*x*y/(1 + y**2)",
    ],
)
def test_the_check_sees_what_the_surface_computes(formula: str) -> None:
    points = np.stack(np.meshgrid(np.linspace(-3, 3, 33), np.linspace(-3, 3, 33)), -1)
    from_tree = tree_values(parse_formula(formula), points[..., 0], points[..., 1])
    np.testing.assert_allclose(
        from_tree, make_surface({"expr": formula}).value(points), rtol=1e-13, atol=0
    )


def test_a_scenario_names_the_key() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario({"surface": {"expr": "1/(x-x)"}, "runs": [{"optimizer": "sgd"}]})
    assert str(info.value).startswith("surface.expr: " + NOWHERE + INF)


@pytest.mark.parametrize(
    "query", [{"expr": "log(-1-x**2)"}, {"surface": "custom", "expr": "1/(x-x)"}]
)
def test_a_url_reports_the_formula_as_an_ignored_expr(query: dict[str, str]) -> None:
    state, ignored = decode(query)
    assert [i.name for i in ignored] == ["expr"]
    assert ignored[0].value == query["expr"]
    assert ignored[0].allowed.startswith(NOWHERE)
    assert state.surface != "custom"  # the default surface stays
