"""Custom surfaces from a formula the user types, e.g. ``(1-x)**2 + 100*(y-x**2)**2``.

The text never reaches ``eval``, ``exec``, ``compile`` or sympy's string parser (``sympify`` and
``parse_expr`` call ``eval``). A hand-written tokenizer and precedence-climbing parser turn it into
a small immutable tree; the tree becomes an unevaluated sympy expression built with sympy's
constructors; forward-mode differentiation turns that into straight-line programs for the value,
gradient and Hessian, with each operation's partial derivatives from ``sympy.diff``; and
``sympy.lambdify`` generates NumPy code from those programs, code made from trees we built and
never from the user's text.

Every input is bounded before any real work: at most 500 characters, 400 tokens and 50 levels of
nesting (checked by the parser before it recurses, so hostile input cannot exhaust the stack).
Invalid input raises one ``ValueError`` whose message starts with ``"Invalid formula:"`` and says
what is wrong, at which 1-based column, and what is allowed.

The surface is the formula as typed, evaluated in float64 exactly as NumPy would: overflow gives
inf and undefined values give NaN, silently, because the engine detects non-finite values itself.
Sympy never simplifies the formula; that is what keeps hostile input cheap (sympy's exact
arithmetic takes minutes over 9**9**9, float64 one ``pow``) and the build time linear in the
length of the formula.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from numbers import Real

import numpy as np
import sympy

from surfaces.base import Array, PointFn, Surface

__all__ = [
    "ALLOWED_FUNCTIONS",
    "ALLOWED_SUMMARY",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_TOKENS",
    "Binary",
    "Call",
    "Const",
    "Node",
    "Num",
    "Unary",
    "Var",
    "formula_to_sympy",
    "make_expr_surface",
    "parse_formula",
]

MAX_LENGTH = 500
MAX_TOKENS = 400
MAX_DEPTH = 50

ALLOWED_FUNCTIONS: tuple[str, ...] = ("exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "abs")
_FUNCTION_LIST = ", ".join(ALLOWED_FUNCTIONS)
ALLOWED_SUMMARY = (
    f"numbers, x, y, pi, e, + - * / ** ^, parentheses and the functions {_FUNCTION_LIST}"
)
_ALLOWED_NAMES = f"x, y, pi, e and the functions {_FUNCTION_LIST}"
_OPERAND = "a number, x, y, pi, e, a function call or '('"


# --- Expression tree ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    """A numeric literal, kept exact so that ``0.1`` is one tenth and not a binary fraction."""

    value: Fraction


@dataclass(frozen=True)
class Var:
    """The variable ``x`` or ``y``."""

    name: str


@dataclass(frozen=True)
class Const:
    """A named constant: ``pi`` or ``e`` (Euler's number)."""

    name: str


@dataclass(frozen=True)
class Unary:
    """Unary ``+`` or ``-`` applied to an operand."""

    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    """A binary operation; ``op`` is one of ``+ - * / **`` (``^`` is stored as ``**``)."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    """A call of one of ``ALLOWED_FUNCTIONS`` on its single argument."""

    func: str
    arg: Node


Node = Num | Var | Const | Unary | Binary | Call


# --- Tokenizer ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "number", "name", "symbol" or "end"
    text: str
    column: int  # 1-based
    value: Fraction | None = None  # numbers only


# Digits and letters are spelled out as ASCII classes so that Unicode digits or letters such as
# '²' or 'ｘ' are reported as unexpected characters instead of reaching Fraction or the parser.
_TOKEN_RE = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<symbol>\*\*|[-+*/^(),])"
)


def _error(message: str) -> ValueError:
    return ValueError(f"Invalid formula: {message}")


def _tokenize(text: str) -> list[_Token]:
    """Split ``text`` into tokens, ending with an ``end`` token placed just after the text.

    Names are checked here so that the leftmost unknown name is the one reported. The comma is
    a token although the grammar never accepts it, so that ``sin(x, y)`` can be answered with
    "takes one argument" rather than a bare "unexpected character".
    """
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        column = pos + 1
        if match is None:
            raise _error(
                f"unexpected character {text[pos]!r} at column {column}; "
                f"allowed are {ALLOWED_SUMMARY}"
            )
        pos = match.end()
        kind, token_text = match.lastgroup, match.group()
        if kind == "space":
            continue
        if len(tokens) == MAX_TOKENS:
            raise _error(
                f"more than {MAX_TOKENS} tokens at column {column}; at most {MAX_TOKENS} "
                "numbers, names, operators and parentheses are allowed"
            )
        value = None
        if kind == "number":
            approximation = float(token_text)
            if not math.isfinite(approximation):
                raise _error(
                    f"number {token_text!r} at column {column} is too large; "
                    "numbers must be finite (below about 1.8e308)"
                )
            # Fraction('1e-99999999') would build 10**99999999; a literal that float64 rounds
            # to zero is taken as zero, which bounds the exponents Fraction ever sees.
            value = Fraction(token_text) if approximation != 0.0 else Fraction(0)
        elif kind == "name" and token_text not in ("x", "y", "pi", "e", *ALLOWED_FUNCTIONS):
            raise _error(
                f"unknown name {token_text!r} at column {column}; "
                f"allowed names are {_ALLOWED_NAMES}"
            )
        tokens.append(_Token(kind, token_text, column, value))
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


# --- Parser ------------------------------------------------------------------------------------

# Binding power of the binary operators. Unary signs sit between '*' and '**', as in Python:
# -x**2 is -(x**2), while -x*y is (-x)*y.
_BINARY_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "**": 4, "^": 4}
_UNARY_PRECEDENCE = 3


class _Parser:
    """Precedence climbing over the token list.

    Left-associative chains (``a+b+c``) are loops, so only parentheses, unary signs and ``**``
    exponents recurse; each of those goes through ``_nested``, which refuses to go deeper than
    ``MAX_DEPTH``. The Python stack therefore stays a few hundred frames deep at most.
    """

    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens
        self._pos = 0
        self._depth = 0

    def parse(self) -> Node:
        node = self._expression(0)
        token = self._peek()
        if token.kind != "end":
            raise self._after_operand_error(token)
        return node

    def _peek(self) -> _Token:
        return self._tokens[self._pos]

    def _advance(self) -> _Token:
        token = self._tokens[self._pos]
        self._pos += 1
        return token

    @contextmanager
    def _nested(self, token: _Token) -> Iterator[None]:
        if self._depth >= MAX_DEPTH:
            raise _error(
                f"nesting deeper than {MAX_DEPTH} levels at column {token.column}; at most "
                f"{MAX_DEPTH} nested parentheses, signs and ** exponents are allowed"
            )
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1

    def _expression(self, min_precedence: int) -> Node:
        left = self._unary()
        while True:
            token = self._peek()
            precedence = _BINARY_PRECEDENCE.get(token.text) if token.kind == "symbol" else None
            if precedence is None or precedence < min_precedence:
                return left
            self._advance()
            if token.text in ("**", "^"):
                # Right-associative: the exponent is parsed at the same level, so 2**3**2 is
                # 2**(3**2); starting at _unary also admits a sign, as in 2**-1.
                with self._nested(token):
                    right = self._expression(precedence)
                left = Binary("**", left, right)
            else:
                left = Binary(token.text, left, self._expression(precedence + 1))

    def _unary(self) -> Node:
        token = self._peek()
        if token.kind == "symbol" and token.text in ("+", "-"):
            self._advance()
            with self._nested(token):
                return Unary(token.text, self._expression(_UNARY_PRECEDENCE))
        return self._primary()

    def _primary(self) -> Node:
        token = self._peek()
        if token.kind == "number" and token.value is not None:
            self._advance()
            return Num(token.value)
        if token.kind == "name":
            self._advance()
            if token.text in ("x", "y"):
                return Var(token.text)
            if token.text in ("pi", "e"):
                return Const(token.text)
            return self._call(token)
        if token.text == "(":
            self._advance()
            with self._nested(token):
                inner = self._expression(0)
            self._close(token)
            return inner
        if token.kind == "end":
            previous = self._tokens[self._pos - 1]
            raise _error(
                f"unexpected end of formula after {previous.text!r} at column {previous.column}; "
                f"expected {_OPERAND}"
            )
        raise _error(f"unexpected {token.text!r} at column {token.column}; expected {_OPERAND}")

    def _call(self, name: _Token) -> Node:
        """Parse ``name(argument)``; ``name`` (a known function, see ``_tokenize``) is consumed."""
        opening = self._peek()
        if opening.text != "(":
            raise _error(
                f"function {name.text!r} at column {name.column} must be followed by "
                f"its argument in parentheses, as in {name.text}(x)"
            )
        self._advance()
        if self._peek().text == ")":
            raise _error(
                f"function {name.text!r} takes one argument; found none at column "
                f"{self._peek().column}"
            )
        with self._nested(opening):
            argument = self._expression(0)
        if self._peek().text == ",":
            raise _error(
                f"function {name.text!r} takes one argument; found a second one after the "
                f"',' at column {self._peek().column}"
            )
        self._close(opening)
        return Call(name.text, argument)

    def _close(self, opening: _Token) -> None:
        token = self._peek()
        if token.text == ")":
            self._advance()
        elif token.kind == "end":
            raise _error(f"missing closing parenthesis for '(' at column {opening.column}")
        else:
            raise self._after_operand_error(token)

    @staticmethod
    def _after_operand_error(token: _Token) -> ValueError:
        """Explain a token that follows a complete operand where an operator was needed."""
        if token.text == ")":
            return _error(f"unmatched closing parenthesis ')' at column {token.column}")
        if token.kind in ("number", "name") or token.text == "(":
            return _error(
                f"missing operator before {token.text!r} at column {token.column}; "
                "multiplication must be written with *, as in 2*x"
            )
        return _error(
            f"unexpected {token.text!r} at column {token.column}; expected an operator "
            "(+ - * / ** ^), ')' or the end of the formula"
        )


def parse_formula(text: str) -> Node:
    """Parse and validate a formula in x and y, returning its expression tree.

    Raises ``ValueError("Invalid formula: ...")`` for anything outside the grammar or the limits.
    """
    if not isinstance(text, str):
        raise TypeError(f"formula must be a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise _error(f"it is {len(text)} characters long; at most {MAX_LENGTH} are allowed")
    tokens = _tokenize(text)
    if len(tokens) == 1:
        raise _error("empty formula; write an expression in x and y such as x**2 + y**2")
    return _Parser(tokens).parse()


# --- Sympy conversion --------------------------------------------------------------------------

_MAX_EXACT_INT = 2**53  # integer literals up to this stay exact; other numbers are float64
_X = sympy.Symbol("x", real=True)
_Y = sympy.Symbol("y", real=True)
_VARIABLES = {"x": _X, "y": _Y}
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


def _chain(node: Binary) -> tuple[Node, list[tuple[str, Node]]]:
    """Unroll a left-leaning chain of same-precedence operations without recursion.

    a - b + c is (a - b) + c: it becomes (a, [("-", b), ("+", c)]). A 200-term sum is that deep,
    and walking it recursively would take hundreds of stack frames.
    """
    ops = ("+", "-") if node.op in ("+", "-") else ("*", "/")
    rest: list[tuple[str, Node]] = []
    current: Node = node
    while isinstance(current, Binary) and current.op in ops:
        rest.append((current.op, current.right))
        current = current.left
    return current, rest[::-1]


def formula_to_sympy(node: Node) -> sympy.Expr:
    """Build the sympy expression for a tree from ``parse_formula`` (x and y are real symbols).

    The expression is built unevaluated (``evaluate=False``): it mirrors the formula as typed,
    and sympy's automatic simplification never runs on user input. That simplification is exact
    and can be made arbitrarily slow: 9**9**9 is evaluated exactly, (y/1000)**10**308 computes
    1000**10**308, and some assumption queries expand powers term by term. Chains of + and * are
    flattened so that a long sum is one node rather than hundreds of nested ones. Simplifying or
    printing the result (``.doit()``, ``str``, ``sympy.latex``) evaluates parts of it, so do that
    only with formulas you trust; ``make_expr_surface`` never does.
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
            first, rest = _chain(node)
            expr = formula_to_sympy(first)
            for op, right in rest:
                expr = _BINARY_OPERATIONS[op](expr, formula_to_sympy(right))
            return expr
    raise TypeError(f"not a formula node: {node!r}")


# --- LaTeX -------------------------------------------------------------------------------------

# sympy.latex is not used: printing rebuilds and simplifies parts of an expression (it turns
# (2*x)**-1e300 into 1/(2*x)**1e300 and evaluates that) and queries sympy's assumption system,
# which is what makes hostile formulas slow in the first place.
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


def _latex_number(value: Fraction) -> str:
    if value.denominator == 1 and value.numerator < 10**15:
        return str(value.numerator)
    mantissa, _, exponent = repr(float(value)).partition("e")
    if not exponent:
        return mantissa
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa == "1" else rf"{mantissa} \cdot {power}"


def _latex(node: Node) -> tuple[str, int]:
    """LaTeX for a formula tree, with the precedence of its outermost operation."""
    match node:
        case Num(value=value):
            text = _latex_number(value)
            return text, _PRODUCT if r"\cdot" in text else _POWER if "^" in text else _ATOM
        case Var(name=name):
            return name, _ATOM
        case Const(name=name):
            return r"\pi" if name == "pi" else "e", _ATOM
        case Unary(op=op, operand=operand):
            return op + _wrap(operand, _PRODUCT), _SIGN
        case Call(func="sqrt", arg=arg):
            return rf"\sqrt{{{_latex(arg)[0]}}}", _ATOM
        case Call(func="abs", arg=arg):
            return rf"\left|{_latex(arg)[0]}\right|", _ATOM
        case Call(func=func, arg=arg):
            return rf"{_LATEX_FUNCTIONS[func]}\left({_latex(arg)[0]}\right)", _CALL
        case Binary(op="**", left=base, right=exponent):
            return rf"{_wrap(base, _ATOM)}^{{{_latex(exponent)[0]}}}", _POWER
        case Binary(op="+" | "-"):
            first, rest = _chain(node)
            text = _wrap(first, _SUM)
            for op, right in rest:
                text += f" {op} {_wrap(right, _PRODUCT)}"
            return text, _SUM
        case Binary():
            # -2*x may keep its sign unbracketed on the left (and then starts with a sign
            # itself), x*(-2) may not on the right; \frac needs no brackets at all.
            first, rest = _chain(node)
            text, precedence = _latex(first)
            for op, right in rest:
                if op == "/":
                    text, precedence = rf"\frac{{{text}}}{{{_latex(right)[0]}}}", _CALL
                else:
                    if precedence < _SIGN:
                        text, precedence = rf"\left({text}\right)", _ATOM
                    right_text = _wrap(right, _PRODUCT)
                    separator = r" \cdot " if right_text[0].isdigit() else " "
                    text, precedence = text + separator + right_text, min(precedence, _PRODUCT)
            return text, precedence
    raise TypeError(f"not a formula node: {node!r}")


def _wrap(node: Node, min_precedence: int) -> str:
    text, precedence = _latex(node)
    return text if precedence >= min_precedence else rf"\left({text}\right)"


# --- Numeric functions -------------------------------------------------------------------------

_NUMPY_FUNCTIONS: dict[type[sympy.Basic], Callable[[np.float64], np.float64]] = {
    sympy.exp: np.exp,
    sympy.log: np.log,
    sympy.sin: np.sin,
    sympy.cos: np.cos,
    sympy.tan: np.tan,
    sympy.tanh: np.tanh,
    sympy.Abs: np.abs,
}


def _float64(expr: sympy.Expr) -> np.float64:
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
    args = [_float64(arg) for arg in expr.args]
    with np.errstate(all="ignore"):
        if expr.is_Add:
            return functools.reduce(operator.add, args)
        if expr.is_Mul:
            return functools.reduce(operator.mul, args)
        if expr.is_Pow:
            return args[0] ** args[1]
        return _NUMPY_FUNCTIONS[expr.func](args[0])


class _RealAbs(sympy.Function):
    """``|u|`` with derivative ``sign(u)``.

    ``sympy.Abs`` differentiates arguments it cannot prove real (``x**y``, ``log(x)``,
    ``sqrt(x)``) through ``re``/``im`` and leaves unevaluated ``Derivative`` objects that NumPy
    cannot run. Everything here is real-valued, so the real rule is the right one.
    """

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return _RealSign(self.args[0])


class _RealSign(sympy.Function):
    """``sign(u)`` with derivative 0.

    The true derivative is a Dirac delta at ``u = 0``, which NumPy cannot represent; zero is its
    value everywhere else, and at ``u = 0`` itself ``sign`` already yields the subgradient 0.
    """

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.S.Zero


_NUMPY_NAMES = {"_RealAbs": np.abs, "_RealSign": np.sign}
_ZERO = sympy.S.Zero
_HESSIAN_PAIRS = ((0, 0), (0, 1), (1, 1))  # xx, xy, yy: the Hessian is symmetric


@dataclass(frozen=True)
class _Jet:
    """A quantity of the formula with its derivatives in (x, y), as (mostly named) expressions."""

    value: sympy.Expr
    grad: tuple[sympy.Expr, sympy.Expr] = (_ZERO, _ZERO)
    hessian: tuple[sympy.Expr, sympy.Expr, sympy.Expr] = (_ZERO, _ZERO, _ZERO)

    @property
    def is_constant(self) -> bool:
        return all(d == 0 for d in (*self.grad, *self.hessian))


def _dot(terms: Iterable[tuple[sympy.Expr, sympy.Expr]]) -> sympy.Expr:
    """Sum of products, skipping the zero ones."""
    return sympy.Add(*(a * b for a, b in terms if a != 0 and b != 0))


class _Program:
    """Forward-mode differentiation of a formula into a straight-line program.

    ``sympy.diff`` on the whole expression copies every shared factor again at each step: the
    Hessian of sin(sin(...sin(x)...)) nested 50 deep has some 67 000 operations and takes sympy
    tens of seconds to build and lambdify. Here every intermediate quantity and each of its
    derivatives is named once (``assignments``), and a node's derivatives are built from its
    arguments' named ones by the chain rule, with the node's own partial derivatives from
    ``sympy.diff``. The program grows linearly with the formula, and sympy only ever evaluates
    small expressions in fresh symbols. ``order`` is 0 for the value alone, 1 to add the
    gradient and 2 to add the Hessian.

    Constant parts of the formula, down to a lone 2, become ``parameters``: symbols bound to
    their float64 value (see ``_float64``). Sympy never sees a number of the formula, so it cannot
    fold y*0 and 1/(y*0) into its complex infinity, which NumPy code cannot express, and no
    constant is computed with Python numbers, which raise where float64 gives inf (pi**1000).
    """

    def __init__(self, order: int) -> None:
        self.order = order
        self.assignments: list[tuple[sympy.Symbol, sympy.Expr]] = []
        self.parameters: dict[sympy.Symbol, np.float64] = {}
        one = sympy.S.One if order else _ZERO
        self._jets = {_X: _Jet(_X, (one, _ZERO)), _Y: _Jet(_Y, (_ZERO, one))}

    def jet(self, root: sympy.Expr) -> _Jet:
        """Differentiate ``root``, children first, with an explicit stack instead of recursion."""
        stack = [root]
        while stack:
            expr = stack[-1]
            if expr in self._jets:
                stack.pop()
            elif not expr.has(_X, _Y):
                self._jets[expr] = _Jet(self._parameter(expr))
                stack.pop()
            elif missing := [arg for arg in expr.args if arg not in self._jets]:
                stack.extend(missing)
            else:
                stack.pop()
                self._jets[expr] = self._combine(expr.func, [self._jets[a] for a in expr.args])
        return self._jets[root]

    def _parameter(self, constant: sympy.Expr) -> sympy.Symbol:
        symbol = sympy.Symbol(f"_c{len(self.parameters)}", real=True)
        self.parameters[symbol] = _float64(constant)
        return symbol

    def _name(self, expr: sympy.Expr) -> sympy.Expr:
        if expr.is_Atom:
            return expr
        symbol = sympy.Dummy(real=True)  # every quantity is real-valued, as NumPy computes it
        self.assignments.append((symbol, expr))
        return symbol

    def _combine(self, func: type[sympy.Basic], jets: list[_Jet]) -> _Jet:
        if func is sympy.Add:
            return self._sum(jets)
        if func is sympy.Mul:
            # Pairwise: one k-ary product rule has k**2 second-order terms of k factors each.
            return functools.reduce(lambda a, b: self._apply(sympy.Mul, [a, b]), jets)
        return self._apply(_RealAbs if func is sympy.Abs else func, jets)

    def _sum(self, jets: list[_Jet]) -> _Jet:
        value = self._name(sympy.Add(*(j.value for j in jets)))
        if self.order == 0:
            return _Jet(value)
        grad = [self._name(sympy.Add(*(j.grad[a] for j in jets))) for a in range(2)]
        hessian = [self._name(sympy.Add(*(j.hessian[n] for j in jets))) for n in range(3)]
        return _Jet(value, (grad[0], grad[1]), (hessian[0], hessian[1], hessian[2]))

    def _apply(self, func: type[sympy.Basic], jets: list[_Jet]) -> _Jet:
        value = self._name(func(*(j.value for j in jets)))
        if self.order == 0:
            return _Jet(value)
        active = [i for i, j in enumerate(jets) if not j.is_constant]
        slots, first, second = _partials(
            func, tuple(None if i in active else j.value for i, j in enumerate(jets))
        )
        at_values = {slots[i]: jets[i].value for i in active}
        partial = {i: self._name(first[i].xreplace(at_values)) for i in active}
        grad = [_dot((partial[i], jets[i].grad[a]) for i in active) for a in range(2)]
        grad_pair = (self._name(grad[0]), self._name(grad[1]))
        if self.order == 1:
            return _Jet(value, grad_pair)
        curvature = {key: self._name(d2.xreplace(at_values)) for key, d2 in second.items()}
        hessian = [
            self._name(
                _dot((partial[i], jets[i].hessian[n]) for i in active)
                + _dot(
                    (curvature[i, k], jets[i].grad[a] * jets[k].grad[b])
                    for i in active
                    for k in active
                )
            )
            for n, (a, b) in enumerate(_HESSIAN_PAIRS)
        ]
        return _Jet(value, grad_pair, (hessian[0], hessian[1], hessian[2]))


@functools.lru_cache(maxsize=256)
def _partials(
    func: type[sympy.Basic], pattern: tuple[sympy.Expr | None, ...]
) -> tuple[
    tuple[sympy.Symbol | None, ...],
    dict[int, sympy.Expr],
    dict[tuple[int, int], sympy.Expr],
]:
    """First and second partial derivatives of ``func`` in placeholder slots.

    ``pattern`` holds the constant arguments and None for the others, which get a slot. Cached
    because sympy.diff spends milliseconds in its assumption system even on tanh(u), and a formula
    repeats the same few patterns (every tanh node, every product of two variables) many times.
    """
    slots = tuple(sympy.Dummy(real=True) if arg is None else None for arg in pattern)
    if func is sympy.Pow and slots[0] is not None and slots[1] is None:
        # u**c: sympy writes the derivative as c*u**c/u, which is 0/0 at u = 0.
        u, c = slots[0], pattern[1]
        return slots, {0: c * u ** (c - 1)}, {(0, 0): c * (c - 1) * u ** (c - 2)}
    generic = func(
        *(arg if slot is None else slot for slot, arg in zip(slots, pattern, strict=True))
    )
    active = [i for i, slot in enumerate(slots) if slot is not None]
    first = {i: sympy.diff(generic, slots[i]) for i in active}
    second = {(i, k): sympy.diff(first[i], slots[k]) for i in active for k in active}
    return slots, first, second


def _compile(f: sympy.Expr, order: int) -> Callable[[Array, Array], list[Array]]:
    """Vectorised NumPy function of (x, y) for the value, gradient or Hessian of ``f``.

    ``order`` 0 returns ``[value]``, 1 ``[d/dx, d/dy]`` and 2 the Hessian's ``[xx, xy, yy]``.
    """
    program = _Program(order)
    jet = program.jet(f)
    outputs = [[jet.value], list(jet.grad), list(jet.hessian)][order]
    fn = sympy.lambdify(
        [_X, _Y, *program.parameters],
        outputs,
        modules=[_NUMPY_NAMES, "numpy"],
        # lambdify's hook for common subexpressions: hand it the program's named steps.
        cse=lambda given: (program.assignments, given),
    )
    values = list(program.parameters.values())

    def evaluate(x: Array, y: Array) -> list[Array]:
        return fn(x, y, *values)

    return evaluate


def _evaluate(fn: Callable[[Array, Array], list[Array]], points: Array) -> list[Array]:
    """Run ``fn`` on points of shape (..., 2); each result is broadcast to shape (...)."""
    p = np.asarray(points, dtype=float)
    if p.ndim == 0 or p.shape[-1] != 2:
        raise ValueError(f"expected points of shape (..., 2), got shape {p.shape}")
    with np.errstate(all="ignore"):
        # A constant part (say the derivative of 3*x) comes back as a scalar: broadcast it.
        return [
            np.broadcast_to(np.asarray(part, dtype=float), p.shape[:-1])
            for part in fn(p[..., 0], p[..., 1])
        ]


def _point_functions(f: sympy.Expr) -> tuple[PointFn, PointFn, PointFn]:
    """Value, gradient and Hessian of ``f`` as functions of points of shape (..., 2)."""
    value_fn, grad_fn, hessian_fn = (_compile(f, order) for order in range(3))

    def value(points: Array) -> Array:
        (v,) = _evaluate(value_fn, points)
        return v.copy()

    def grad(points: Array) -> Array:
        return np.stack(_evaluate(grad_fn, points), axis=-1)

    def hessian(points: Array) -> Array:
        xx, xy, yy = _evaluate(hessian_fn, points)
        return np.stack([np.stack([xx, xy], axis=-1), np.stack([xy, yy], axis=-1)], axis=-2)

    return value, grad, hessian


# --- Surface -----------------------------------------------------------------------------------


def _pair(
    label: str, value: object, expected: str, *, increasing: bool = False
) -> tuple[float, float]:
    """Validate two finite real numbers (a range when ``increasing``, else a point)."""
    items = list(value) if isinstance(value, (tuple, list, np.ndarray)) else None
    if (
        items is None
        or len(items) != 2
        or not all(isinstance(v, Real) and not isinstance(v, bool) for v in items)
        or not all(math.isfinite(v) for v in items)
        or (increasing and not items[0] < items[1])
    ):
        shown = f"[{', '.join(map(str, items))}]" if items is not None else repr(value)
        raise ValueError(f"Invalid {label}: {shown}; expected {expected}")
    return float(items[0]), float(items[1])


@functools.lru_cache(maxsize=64)
def _build_surface(
    expr: str,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    start: tuple[float, float],
) -> Surface:
    """Cached because building the programs and lambdifying them costs tens of milliseconds."""
    node = parse_formula(expr)
    value, grad, hessian = _point_functions(formula_to_sympy(node))
    return Surface(
        name="custom",
        value=value,
        grad=grad,
        hessian=hessian,
        x_range=x_range,
        y_range=y_range,
        start=start,
        minima=(),
        title={"en": "Custom formula", "zh": "自定义公式"},
        description={"en": f"L(x, y) = {expr}", "zh": f"L(x, y) = {expr}"},
        formula=_latex(node)[0],
    )


def make_expr_surface(
    expr: str,
    x_range: Sequence[float] = (-3.0, 3.0),
    y_range: Sequence[float] = (-3.0, 3.0),
    start: Sequence[float] | None = None,
) -> Surface:
    """The surface ``L(x, y) = expr`` over the given ranges.

    ``start`` defaults to the point a quarter of the way across in x and three quarters of the
    way up in y, away from the centre where many formulas have their minimum. Minima are unknown
    and left empty. Raises ``ValueError`` for an invalid formula, range or start. Surfaces are
    cached: the same arguments return the same frozen object.
    """
    expected = "two finite numbers [low, high] with low < high"
    xr = _pair("x_range", x_range, expected, increasing=True)
    yr = _pair("y_range", y_range, expected, increasing=True)
    if start is None:
        point = (xr[0] + 0.25 * (xr[1] - xr[0]), yr[0] + 0.75 * (yr[1] - yr[0]))
    else:
        point = _pair("start", start, "two finite numbers [x, y]")
    return _build_surface(expr, xr, yr, point)
