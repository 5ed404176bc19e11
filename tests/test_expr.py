"""Tests for surfaces.formula: parsing user formulas safely and turning them into surfaces."""

from __future__ import annotations

import builtins
import contextlib
import time
import warnings
from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from surfaces.base import Surface
from surfaces.formula.derivatives import point_functions
from surfaces.formula.latex import to_latex
from surfaces.formula.parse import (
    ALLOWED_FUNCTIONS,
    ALLOWED_SUMMARY,
    Binary,
    Call,
    Const,
    Num,
    Unary,
    Var,
    parse_formula,
)
from surfaces.formula.surface import make_expr_surface
from surfaces.formula.symbolic import formula_to_sympy

ROSENBROCK = "(1-x)**2 + 100*(y-x**2)**2"
BEALE = "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2"
GOLDSTEIN_PRICE = (
    "(1 + (x+y+1)^2 * (19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2))"
    " * (30 + (2*x - 3*y)^2 * (18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))"
)

Fn = Callable[[np.ndarray, np.ndarray], np.ndarray]
NOWHERE_FINITE = "Invalid formula: not finite anywhere in the plot range"
NO_FINITE_GRADIENT = "Invalid formula: its gradient is not finite anywhere in the plot range"


def _programs(formula: str) -> tuple[Fn, Fn, Fn]:
    """Value, gradient and Hessian straight from the derivative programs, without the surface
    builder's finiteness checks: how the programs evaluate what the builder would refuse."""
    return point_functions(formula_to_sympy(parse_formula(formula)))  # type: ignore[return-value]


def _grid() -> np.ndarray:
    """Points of shape (7, 9, 2) in [-2, 2] x [0.5, 2], away from the poles of x/y and log(y)."""
    xs, ys = np.meshgrid(np.linspace(-2.0, 2.0, 9), np.linspace(0.5, 2.0, 7))
    return np.stack([xs, ys], axis=-1)


# --- Parsing -----------------------------------------------------------------------------------


def test_tree_shapes_follow_python_precedence() -> None:
    two = Num(Fraction(2))
    assert parse_formula("-x**2") == Unary("-", Binary("**", Var("x"), two))
    assert parse_formula("2^3^2") == Binary("**", two, Binary("**", Num(Fraction(3)), two))
    assert parse_formula("x-y-2") == Binary("-", Binary("-", Var("x"), Var("y")), two)
    assert parse_formula("2**-x") == Binary("**", two, Unary("-", Var("x")))
    assert parse_formula("+pi * e") == Binary("*", Unary("+", Const("pi")), Const("e"))
    assert parse_formula(" sin ( x ) ") == Call("sin", Var("x"))
    assert parse_formula("0.1") == Num(Fraction(1, 10))


def test_every_allowed_function_parses() -> None:
    for name in ALLOWED_FUNCTIONS:
        assert parse_formula(f"{name}(x)") == Call(name, Var("x"))
        assert name in ALLOWED_SUMMARY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", Fraction(12)),
        ("3.25", Fraction(13, 4)),
        (".5", Fraction(1, 2)),
        ("5.", Fraction(5)),
        ("1e-3", Fraction(1, 1000)),
        ("2.5E+2", Fraction(250)),
        ("1e-400", Fraction(0)),  # underflows float64, like NumPy would
    ],
)
def test_number_literals(text: str, expected: Fraction) -> None:
    assert parse_formula(text) == Num(expected)


# --- Values ------------------------------------------------------------------------------------

VALUE_CASES: list[tuple[str, Fn]] = [
    (ROSENBROCK, lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2),
    (
        BEALE,
        lambda x, y: (
            (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2
        ),
    ),
    ("sin(x)*cos(y)", lambda x, y: np.sin(x) * np.cos(y)),
    ("exp(-x**2-y**2)", lambda x, y: np.exp(-(x**2) - y**2)),
    ("abs(x)+sqrt(y**2+1)", lambda x, y: np.abs(x) + np.sqrt(y**2 + 1)),
    ("tanh(x*y) + tan(x/3)", lambda x, y: np.tanh(x * y) + np.tan(x / 3)),
    ("log(y) + e^x - pi", lambda x, y: np.log(y) + np.exp(x) - np.pi),
    ("2^3^2", lambda x, y: np.full_like(x, 512.0)),
    ("-x**2", lambda x, y: -(x**2)),
    ("-2**2 + y", lambda x, y: -4.0 + y),
    ("+x - +y", lambda x, y: x - y),
    ("2**-1 * x", lambda x, y: 0.5 * x),
    ("x/y/2", lambda x, y: x / y / 2),
    ("x - y - 1", lambda x, y: x - y - 1),
    ("2.5E+2*x + 1e-3*y", lambda x, y: 250 * x + 0.001 * y),
    ("x**y", lambda x, y: np.power(x, y)),  # NaN for a negative x and a fractional y
]


@pytest.mark.parametrize(("formula", "expected"), VALUE_CASES, ids=[c[0] for c in VALUE_CASES])
def test_value_matches_numpy(formula: str, expected: Fn) -> None:
    points = _grid()
    got = make_expr_surface(formula).value(points)
    with np.errstate(invalid="ignore"):
        want = expected(points[..., 0], points[..., 1])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


# --- Derivatives -------------------------------------------------------------------------------

DERIVATIVE_CASES = [
    ROSENBROCK,
    BEALE,
    GOLDSTEIN_PRICE,
    "sin(x)*cos(y)",
    "exp(-x**2-y**2) * (x - 2*y)",
    "abs(x - 3) + sqrt(y**2 + 1)",
    "tanh(x*y) + tan(x/3) + log(x**2 + y**2 + 1)",
    "x**2 * y**3 / (1 + y**2)",
    "2**x * e**(x*y) + pi*y",
]


@pytest.mark.parametrize("formula", DERIVATIVE_CASES)
def test_gradient_and_hessian_match_finite_differences(formula: str) -> None:
    surface = make_expr_surface(formula)
    points = np.random.default_rng(7).uniform(-1.5, 1.5, size=(20, 2))
    h = 1e-6
    steps = np.eye(2) * h

    fd_grad = np.stack(
        [(surface.value(points + s) - surface.value(points - s)) / (2 * h) for s in steps],
        axis=-1,
    )
    grad = surface.grad(points)
    scale = 1.0 + np.abs(grad).max()
    np.testing.assert_allclose(grad, fd_grad, rtol=1e-5, atol=1e-5 * scale)

    # Column j of the Hessian is the derivative of the (exact) gradient along coordinate j.
    fd_hessian = np.stack(
        [(surface.grad(points + s) - surface.grad(points - s)) / (2 * h) for s in steps],
        axis=-1,
    )
    hessian = surface.hessian(points)
    scale = 1.0 + np.abs(hessian).max()
    np.testing.assert_allclose(hessian, fd_hessian, rtol=1e-5, atol=1e-5 * scale)
    np.testing.assert_array_equal(hessian, np.swapaxes(hessian, -1, -2))


@pytest.mark.parametrize("formula", [GOLDSTEIN_PRICE, "x**y + abs(x*y - 1)", "log(2+sin(x*y))"])
def test_derivatives_agree_with_sympy_diff(formula: str) -> None:
    x, y = sympy.symbols("x y", real=True)
    f = formula_to_sympy(parse_formula(formula))
    fx, fy = sympy.diff(f, x), sympy.diff(f, y)
    # d/du sign(u) is a Dirac delta; away from u = 0 it is zero, as the surface takes it.
    hessian = sympy.Matrix([[fx.diff(x), fx.diff(y)], [fy.diff(x), fy.diff(y)]]).replace(
        sympy.DiracDelta, lambda *args: sympy.S.Zero
    )
    grad = sympy.lambdify([x, y], [fx, fy], modules="numpy")
    hess = sympy.lambdify([x, y], hessian, modules="numpy")
    points = np.random.default_rng(3).uniform(0.2, 1.5, size=(10, 2))
    surface = make_expr_surface(formula)
    for point in points:
        np.testing.assert_allclose(surface.grad(point), grad(*point), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(surface.hessian(point), hess(*point), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("func", ["sin", "tanh", "log", "exp"])
def test_deepest_nesting_builds_quickly(func: str) -> None:
    # Whole-expression sympy.diff needs 10 to 30 seconds for these Hessians. (The nested log and
    # exp are NaN and inf over the whole plot range, so the surface builder refuses them before
    # building anything; the programs are timed directly.)
    _programs("x*y")  # keep sympy's one-off start-up cost out of the timing
    started = time.perf_counter()
    _, _, hessian = _programs(f"{func}(" * 49 + "x*y" + ")" * 49)
    hessian(np.full((100, 2), 0.5))
    assert time.perf_counter() - started < 2.0


def test_abs_of_a_possibly_complex_argument_differentiates() -> None:
    # sympy's own Abs leaves unevaluated Derivative objects for arguments it cannot prove real.
    surface = make_expr_surface("abs(x**y) + abs(log(x)) + abs(sqrt(x))")
    point = np.array([0.5, 1.5])
    grad = surface.grad(point)
    step = np.array([1e-6, 0.0])
    assert grad[0] == pytest.approx(
        (surface.value(point + step) - surface.value(point - step)) / (2 * step[0]), rel=1e-6
    )
    assert np.all(np.isfinite(surface.hessian(point)))


# --- Shapes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("formula", ["3", "2*x - y", ROSENBROCK])
@pytest.mark.parametrize("shape", [(), (5,), (4, 3)])
def test_output_shapes(formula: str, shape: tuple[int, ...]) -> None:
    surface = make_expr_surface(formula)
    points = np.random.default_rng(0).normal(size=(*shape, 2))
    value, grad, hessian = surface.value(points), surface.grad(points), surface.hessian(points)
    assert value.shape == shape
    assert grad.shape == (*shape, 2)
    assert hessian.shape == (*shape, 2, 2)
    assert value.dtype == grad.dtype == hessian.dtype == np.float64


def test_constant_derivatives_are_broadcast() -> None:
    points = np.zeros((4, 3, 2))
    constant = make_expr_surface("3")
    np.testing.assert_array_equal(constant.value(points), np.full((4, 3), 3.0))
    np.testing.assert_array_equal(constant.grad(points), np.zeros((4, 3, 2)))
    linear = make_expr_surface("2*x - y")
    np.testing.assert_array_equal(linear.grad(points), np.broadcast_to([2.0, -1.0], (4, 3, 2)))
    np.testing.assert_array_equal(linear.hessian(points), np.zeros((4, 3, 2, 2)))
    quadratic = make_expr_surface("x**2 + 3*x*y")
    np.testing.assert_array_equal(quadratic.hessian(np.zeros(2)), [[2.0, 3.0], [3.0, 0.0]])


def test_power_derivatives_at_zero() -> None:
    # The textbook rule c*u**c/u would give 0/0 here.
    surface = make_expr_surface("x**2 + y**3.5")
    np.testing.assert_array_equal(surface.grad(np.zeros(2)), [0.0, 0.0])
    np.testing.assert_array_equal(surface.hessian(np.zeros(2)), [[2.0, 0.0], [0.0, 0.0]])


def test_outputs_are_writable_arrays() -> None:
    value = make_expr_surface("3").value(np.zeros((2, 2)))
    value[0] = 1.0  # a read-only broadcast view would raise here
    assert value.tolist() == [1.0, 3.0]


def test_points_must_have_two_coordinates() -> None:
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        make_expr_surface("x").value(np.zeros((4, 3)))


# --- Non-finite values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "point", "expected"),
    [
        ("log(x)", [-1.0, 0.0], np.nan),
        ("1/x", [0.0, 0.0], np.inf),
        ("sqrt(x)", [-4.0, 0.0], np.nan),
        ("x**0.5", [-4.0, 0.0], np.nan),
        ("exp(x)", [1000.0, 0.0], np.inf),
        ("x + 10**400", [1.0, 0.0], np.inf),  # beyond float64
        ("x + pi**1000", [1.0, 0.0], np.inf),  # Python floats would raise OverflowError
        ("x / (pi - 3.141592653589793)", [1.0, 0.0], np.inf),  # 0 in float64
        ("x + sqrt(-1)", [1.0, 0.0], np.nan),
        ("x + log(-1)", [1.0, 0.0], np.nan),  # sympy would say I*pi
        ("x / 0", [1.0, 0.0], np.inf),  # as in NumPy; sympy's 1/0 is complex infinity
        ("-x / 0", [1.0, 0.0], -np.inf),
        ("y / (x*0)", [1.0, 1.0], np.inf),  # sympy would fold x*0 to 0, then 1/0 to zoo
        ("9**9**9 * x", [1.0, 0.0], np.inf),  # exactly, 9**9**9 would take sympy minutes
        ("sqrt(x)**2", [-4.0, 0.0], np.nan),  # the formula as typed, not simplified to x
    ],
)
def test_non_finite_values_come_out_silently(
    formula: str, point: list[float], expected: float
) -> None:
    value_fn, grad_fn, hessian_fn = _programs(formula)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = value_fn(np.array(point))
        grad_fn(np.array(point))
        hessian_fn(np.array(point))
    np.testing.assert_array_equal(value, expected)
    try:
        surface = make_expr_surface(formula)
    except ValueError as error:  # NaN or inf at every point of the plot range
        assert str(error).startswith(NOWHERE_FINITE)
        return
    np.testing.assert_array_equal(surface.value(np.array(point)), expected)


@pytest.mark.parametrize(
    "formula",
    [
        "3**3**3**(2**2000) + x",  # exact integers of unbounded size
        "(9**9)**(9**9)**(9**9) * y",
        "2**(1e9+0.5)",
        "pi**pi**pi**pi**pi * x",
        "sin(exp(1e300)) + x",  # mpmath would need pi to 1e300 digits
        "tan(abs(1/0 - pi/2)) * y",  # sympy turns tan(oo) into AccumulationBounds
        "exp(exp(exp(exp(9)))) * x",
        "(y/1000)**1e308 + x",  # sympy distributes powers over a product's numbers
        "(sqrt(2)*y)**1e300 - (2*x)**-1e300",
        "cos((-1)**(100 - x))",  # sympy 1.14 recurses without end on this one
        "0**(1e20 - tanh(cos(x**(x*y))**(600 - 3e-300)))",  # and expands this one for minutes
    ],
)
def test_huge_constants_build_quickly_and_evaluate(formula: str) -> None:
    make_expr_surface("x*y")  # keep sympy's one-off start-up cost out of the timing
    started = time.perf_counter()
    with contextlib.suppress(ValueError):  # built, or refused as nowhere finite: quickly
        make_expr_surface(formula)
    assert time.perf_counter() - started < 1.0
    value, _, hessian = _programs(formula)
    points = np.ones((3, 2))
    assert value(points).shape == (3,)
    assert hessian(points).shape == (3, 2, 2)


# --- Invalid input -----------------------------------------------------------------------------

INVALID_CASES = [
    ("__import__('os')", "unknown name '__import__' at column 1; allowed names are x, y, pi"),
    ("x.real", "unexpected character '.' at column 2; allowed are numbers"),
    ("'a'", 'unexpected character "\'" at column 1'),
    ("x,y", "unexpected ',' at column 2"),
    ("lambda: 1", "unknown name 'lambda' at column 1"),
    ("x;y", "unexpected character ';' at column 2"),
    ("1 + z", "unknown name 'z' at column 5; allowed names are x, y, pi, e and the functions exp"),
    ("foo(x)", "unknown name 'foo' at column 1"),
    ("sin()", "function 'sin' takes one argument; found none at column 5"),
    ("sin(x, y)", "function 'sin' takes one argument; found a second one"),
    ("sin x", "function 'sin' at column 1 must be followed by its argument in parentheses"),
    ("(((x", "missing closing parenthesis for '(' at column 3"),
    ("x)", "unmatched closing parenthesis ')' at column 2"),
    ("1e999", "number '1e999' at column 1 is too large; numbers must be finite"),
    ("", "empty formula"),
    ("   ", "empty formula"),
    ("x" * 600, "it is 600 characters long; at most 500 are allowed"),
    ("x+" * 249 + "x", "more than 400 tokens at column 401"),
    ("x**", "unexpected end of formula after '**' at column 2; expected a number"),
    ("**x", "unexpected '**' at column 1; expected a number"),
    ("2 3", "missing operator before '3' at column 3; multiplication must be written with *"),
    ("2x", "missing operator before 'x' at column 2"),
    ("()", "unexpected ')' at column 2"),
    ("x²", "unexpected character '²' at column 2"),
    ("X", "unknown name 'X' at column 1"),
    ("(" * 51 + "x" + ")" * 51, "nesting deeper than 50 levels at column 51"),
    ("-" * 51 + "x", "nesting deeper than 50 levels at column 51"),
    ("2**" * 51 + "2", "nesting deeper than 50 levels"),
]


@pytest.mark.parametrize(("text", "message"), INVALID_CASES, ids=[c[0][:20] for c in INVALID_CASES])
def test_invalid_formulas_are_rejected_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_formula(text)
    assert str(info.value).startswith("Invalid formula: ")
    assert message in str(info.value)


def test_nesting_of_exactly_fifty_levels_is_allowed() -> None:
    assert parse_formula("(" * 50 + "x" + ")" * 50) == Var("x")


def test_ten_thousand_nested_parentheses_fail_fast() -> None:
    started = time.perf_counter()
    with pytest.raises(ValueError, match=r"^Invalid formula: "):
        parse_formula("(" * 10_000 + "x" + ")" * 10_000)
    assert time.perf_counter() - started < 0.5


def test_formula_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        parse_formula(42)  # type: ignore[arg-type]


def test_no_eval_exec_or_compile_while_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval/exec/compile called")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbidden)
    for text in (ROSENBROCK, "abs(x)^-2 + pi*e", "__import__('os')"):
        with contextlib.suppress(ValueError):
            formula_to_sympy(parse_formula(text))


def test_sympy_string_parser_is_never_used(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("sympy parse_expr called")

    monkeypatch.setattr("sympy.parsing.sympy_parser.parse_expr", forbidden)
    surface = make_expr_surface("sin(x)*exp(y) + 0.25*abs(x-y)", x_range=(-1.25, 1.0))
    assert np.isfinite(surface.hessian(np.ones(2))).all()


# --- Sympy conversion and the Surface ----------------------------------------------------------


def test_formula_to_sympy_mirrors_the_formula() -> None:
    x, y = sympy.symbols("x y", real=True)
    f = formula_to_sympy(parse_formula("2*3*x - y/2 + e^y + pi"))
    assert f.args[0] == sympy.Mul(2, 3, x, evaluate=False)  # unevaluated: as typed
    assert f.doit() == 6 * x - y / 2 + sympy.exp(y) + sympy.pi
    assert formula_to_sympy(parse_formula("sqrt(x**2)")).doit() == sympy.Abs(x)
    assert formula_to_sympy(parse_formula("0.25*x**100")).doit() == 0.25 * x**100


@pytest.mark.parametrize(
    ("formula", "latex"),
    [
        (ROSENBROCK, r"\left(1 - x\right)^{2} + 100 \left(y - x^{2}\right)^{2}"),
        ("x/y/2", r"\frac{\frac{x}{y}}{2}"),
        ("-x**2 + (-y)**2", r"-x^{2} + \left(-y\right)^{2}"),
        ("2^3^2 - 2*3", r"2^{3^{2}} - 2 \cdot 3"),
        ("-2*x - -y", r"-2 x - \left(-y\right)"),
        ("sqrt(abs(x)) * exp(-y)", r"\sqrt{\left|x\right|} \exp\left(-y\right)"),
        (
            "sin(x)**2 + log(1+y)/pi",
            r"\left(\sin\left(x\right)\right)^{2} + \frac{\log\left(1 + y\right)}{\pi}",
        ),
        ("1e-3*x + 2.5E+2*y + 1e-7", r"0.001 x + 250 y + 10^{-7}"),
        ("9**9**9 + 1.5e20", r"9^{9^{9}} + 1.5 \cdot 10^{20}"),
    ],
)
def test_latex_mirrors_the_formula(formula: str, latex: str) -> None:
    assert to_latex(parse_formula(formula)) == latex


def test_the_surface_carries_its_latex() -> None:
    assert make_expr_surface("x/y/2", y_range=(1, 2)).formula == r"\frac{\frac{x}{y}}{2}"


def test_surface_metadata() -> None:
    surface = make_expr_surface("x**2 + 3*y", x_range=(0, 4), y_range=(-2, 2))
    assert isinstance(surface, Surface)
    assert surface.name == "custom"
    assert surface.x_range == (0.0, 4.0)
    assert surface.y_range == (-2.0, 2.0)
    assert surface.start == (1.0, 1.0)
    assert surface.minima == ()
    assert surface.min_value() is None
    assert surface.title == {"en": "Custom formula", "zh": "自定义公式"}
    assert surface.description == {"en": "L(x, y) = x**2 + 3*y", "zh": "L(x, y) = x**2 + 3*y"}
    assert surface.formula == "x^{2} + 3 y"


def test_explicit_start() -> None:
    assert make_expr_surface("x", start=(0.5, -1)).start == (0.5, -1.0)


def test_surfaces_are_cached() -> None:
    first = make_expr_surface(ROSENBROCK, x_range=(-2, 2), y_range=[-1, 3])
    assert make_expr_surface(ROSENBROCK, x_range=(-2.0, 2.0), y_range=(-1.0, 3.0)) is first
    assert make_expr_surface(ROSENBROCK, x_range=(-2.0, 2.5), y_range=(-1.0, 3.0)) is not first


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x_range": [2, 1]}, "Invalid x_range: [2, 1]; expected two finite numbers [low, high]"),
        ({"x_range": (1, 1)}, "Invalid x_range: [1, 1]; expected"),
        ({"y_range": (0, float("inf"))}, "Invalid y_range: [0, inf]; expected"),
        ({"y_range": (0, 1, 2)}, "Invalid y_range: [0, 1, 2]; expected"),
        ({"y_range": "ab"}, "Invalid y_range: 'ab'; expected"),
        ({"x_range": (0, "1")}, "Invalid x_range: [0, 1]; expected"),
        ({"start": (0, float("nan"))}, "Invalid start: [0, nan]; expected two finite numbers"),
    ],
)
def test_invalid_ranges_and_start(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as info:
        make_expr_surface("x", **kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)


# --- Property: any string is either a working surface or a clean ValueError -------------------

_TOKENS = [
    "x", "y", "pi", "e", "0", "1", "2", "0.5", "1e3", "1e-3", "1e308", "9",
    "+", "-", "*", "/", "**", "^", "(", ")", ",", " ", *[f"{f}(" for f in ALLOWED_FUNCTIONS],
]  # fmt: skip
_POINTS = np.array([[0.0, 0.0], [0.5, -1.5], [-2.0, 3.0]])


def _check_formula_or_clean_error(text: str) -> None:
    try:
        surface = make_expr_surface(text)
    except ValueError as error:
        assert str(error).startswith("Invalid formula: "), str(error)
        return
    assert surface.value(_POINTS).shape == (3,)
    assert surface.grad(_POINTS).shape == (3, 2)
    assert surface.hessian(_POINTS).shape == (3, 2, 2)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="0123456789.eExy+-*/^() ,", max_size=30))
def test_random_text_parses_or_fails_cleanly(text: str) -> None:
    _check_formula_or_clean_error(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=30).map("".join))
def test_random_token_strings_parse_or_fail_cleanly(text: str) -> None:
    _check_formula_or_clean_error(text)
