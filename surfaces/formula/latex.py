"""LaTeX for a parsed formula, printed from the tree as typed.

``sympy.latex`` is not used: printing rebuilds and simplifies parts of an expression (it turns
(2*x)**-1e300 into 1/(2*x)**1e300 and evaluates that) and queries sympy's assumption system,
which is what makes hostile formulas slow in the first place. Printing the tree needs no sympy.
"""

from __future__ import annotations

from fractions import Fraction

from surfaces.formula.parse import Binary, Call, Const, Node, Num, Unary, Var, chain

__all__ = ["to_latex"]

_LATEX_FUNCTIONS = {
    "exp": r"\exp",
    "log": r"\log",
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "tanh": r"\tanh",
}
# Precedence of what a LaTeX fragment shows at its outermost level; an operand is put in
# parentheses when its precedence is below what its position requires.
_SUM, _SIGN, _PRODUCT, _CALL, _POWER, _ATOM = range(1, 7)

Fragment = tuple[str, int]  # LaTeX text and the precedence of its outermost operation


def to_latex(node: Node) -> str:
    """LaTeX for a tree from ``parse_formula``, e.g. ``\\left(1 - x\\right)^{2}``."""
    return _latex(node)[0]


def _latex(node: Node) -> Fragment:
    match node:
        case Num(value=value):
            return _number(value)
        case Var(name=name):
            return name, _ATOM
        case Const(name=name):
            return r"\pi" if name == "pi" else "e", _ATOM
        case Unary(op=op, operand=operand):
            return op + _wrap(operand, _PRODUCT), _SIGN
        case Call():
            return _call(node)
        case Binary(op="**", left=base, right=exponent):
            return rf"{_wrap(base, _ATOM)}^{{{_latex(exponent)[0]}}}", _POWER
        case Binary(op="+" | "-"):
            return _sum(node)
        case Binary():
            return _product(node)
    raise TypeError(f"not a formula node: {node!r}")


def _number(value: Fraction) -> Fragment:
    if value.denominator == 1 and value.numerator < 10**15:
        return str(value.numerator), _ATOM
    mantissa, _, exponent = repr(float(value)).partition("e")
    if not exponent:
        return mantissa, _ATOM
    power = f"10^{{{int(exponent)}}}"
    if mantissa == "1":
        return power, _POWER
    return rf"{mantissa} \cdot {power}", _PRODUCT


def _call(node: Call) -> Fragment:
    argument = _latex(node.arg)[0]
    if node.func == "sqrt":
        return rf"\sqrt{{{argument}}}", _ATOM
    if node.func == "abs":
        return rf"\left|{argument}\right|", _ATOM
    return rf"{_LATEX_FUNCTIONS[node.func]}\left({argument}\right)", _CALL


def _sum(node: Binary) -> Fragment:
    first, rest = chain(node)
    text = _wrap(first, _SUM)
    for op, right in rest:
        text += f" {op} {_wrap(right, _PRODUCT)}"
    return text, _SUM


def _product(node: Binary) -> Fragment:
    # -2*x may keep its sign unbracketed on the left (and then starts with a sign itself),
    # x*(-2) may not on the right; \frac needs no brackets at all.
    first, rest = chain(node)
    text, precedence = _latex(first)
    for op, right in rest:
        if op == "/":
            text, precedence = rf"\frac{{{text}}}{{{_latex(right)[0]}}}", _CALL
            continue
        if precedence < _SIGN:
            text, precedence = rf"\left({text}\right)", _ATOM
        right_text = _wrap(right, _PRODUCT)
        separator = r" \cdot " if right_text[0].isdigit() else " "
        text, precedence = text + separator + right_text, min(precedence, _PRODUCT)
    return text, precedence


def _wrap(node: Node, min_precedence: int) -> str:
    text, precedence = _latex(node)
    return text if precedence >= min_precedence else rf"\left({text}\right)"
