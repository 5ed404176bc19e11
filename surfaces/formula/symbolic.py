"""The bridge to sympy: a parsed formula as an *unevaluated* sympy expression, and its constants
in float64.

Sympy never simplifies user input. Its automatic simplification is exact and can be made
arbitrarily slow: 9**9**9 is evaluated exactly, (y/1000)**10**308 computes 1000**10**308, and
some assumption queries expand powers term by term. So the expression is built with
``evaluate=False`` and mirrors the formula as typed, and every constant part of it is computed
by ``float64`` as NumPy would (overflow gives inf, undefined operations NaN, silently), never by
sympy or with Python numbers.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable

import numpy as np
import sympy

from surfaces.formula.parse import Binary, Call, Const, Node, Num, Unary, Var, chain

__all__ = ["X", "Y", "float64", "formula_to_sympy"]

_MAX_EXACT_INT = 2**53  # integer literals up to this stay exact; other numbers are float64
X = sympy.Symbol("x", real=True)
Y = sympy.Symbol("y", real=True)
_VARIABLES = {"x": X, "y": Y}
_CONSTANTS = {"pi": sympy.pi, "e": sympy.E}
_FUNCTIONS: dict[str, Callable[..., sympy.Expr]] = {
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "tanh": sympy.tanh,
    "abs": sympy.Abs,
}


def _add(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    return sympy.Add(*sympy.Add.make_args(a), *sympy.Add.make_args(b), evaluate=False)


def _mul(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    return sympy.Mul(*sympy.Mul.make_args(a), *sympy.Mul.make_args(b), evaluate=False)


def _negate(a: sympy.Expr) -> sympy.Expr:
    """-a, negating a leading number (-1.5*x rather than -1*1.5*x, the same in float64)."""
    if a.is_Number:
        return -a
    if a.is_Mul and a.args[0].is_Number:
        return sympy.Mul(-a.args[0], *a.args[1:], evaluate=False)
    return _mul(sympy.S.NegativeOne, a)


_BINARY_OPERATIONS: dict[str, Callable[[sympy.Expr, sympy.Expr], sympy.Expr]] = {
    "+": _add,
    "-": lambda a, b: _add(a, _negate(b)),
    "*": _mul,
    "/": lambda a, b: _mul(a, sympy.Pow(b, -1, evaluate=False)),
}


def formula_to_sympy(node: Node) -> sympy.Expr:
    """Build the sympy expression for a tree from ``parse_formula`` (x and y are real symbols).

    The expression is built unevaluated (``evaluate=False``; see the module docstring). Chains
    of + and * are flattened so that a long sum is one node rather than hundreds of nested
    ones. Simplifying or
    printing the result (``.doit()``, ``str``, ``sympy.latex``) evaluates parts of it, so do that
    only with formulas you trust; the surface builder never does.
    """
    match node:
        case Num(value=value):
            if value.denominator == 1 and abs(value.numerator) <= _MAX_EXACT_INT:
                return sympy.Integer(value.numerator)
            return sympy.Float(float(value))
        case Var(name=name):
            return _VARIABLES[name]
        case Const(name=name):
            return _CONSTANTS[name]
        case Unary(op="-", operand=operand):
            return _negate(formula_to_sympy(operand))
        case Unary(operand=operand):
            return formula_to_sympy(operand)
        case Call(func=func, arg=arg):
            return _FUNCTIONS[func](formula_to_sympy(arg), evaluate=False)
        case Binary(op="**", left=left, right=right):
            return sympy.Pow(formula_to_sympy(left), formula_to_sympy(right), evaluate=False)
        case Binary():
            first, rest = chain(node)
            expr = formula_to_sympy(first)
            for op, right in rest:
                expr = _BINARY_OPERATIONS[op](expr, formula_to_sympy(right))
            return expr
    raise TypeError(f"not a formula node: {node!r}")


_NUMPY_FUNCTIONS: dict[type[sympy.Basic], Callable[[np.float64], np.float64]] = {
    sympy.exp: np.exp,
    sympy.log: np.log,
    sympy.sin: np.sin,
    sympy.cos: np.cos,
    sympy.tan: np.tan,
    sympy.tanh: np.tanh,
    sympy.Abs: np.abs,
}


def float64(expr: sympy.Expr) -> np.float64:
    """Evaluate a constant built by ``formula_to_sympy`` as NumPy would, in IEEE float64.

    Overflow gives inf and undefined operations NaN, silently; exact arithmetic is never used,
    so 9**9**9 costs one ``pow`` call instead of minutes.
    """
    if expr.is_Float:
        return np.float64(float(expr))
    if expr.is_Rational:
        return np.float64(expr.p / expr.q)  # integers are at most 2**53, halves from sqrt
    if expr is sympy.pi:
        return np.float64(np.pi)
    if expr is sympy.E:
        return np.float64(np.e)
    args = [float64(arg) for arg in expr.args]
    with np.errstate(all="ignore"):
        if expr.is_Add:
            return functools.reduce(operator.add, args)
        if expr.is_Mul:
            return functools.reduce(operator.mul, args)
        if expr.is_Pow:
            return args[0] ** args[1]
        return _NUMPY_FUNCTIONS[expr.func](args[0])
