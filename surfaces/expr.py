"""Custom surfaces from a formula the user types, e.g. ``(1-x)**2 + 100*(y-x**2)**2``.

The text never reaches ``eval``, ``exec``, ``compile`` or sympy's string parser (``sympify`` and
``parse_expr`` call ``eval``). A hand-written tokenizer and precedence-climbing parser turn it into
a small immutable tree; the tree is converted to sympy with sympy's constructors; sympy derives the
gradient and the Hessian; ``sympy.lambdify`` generates NumPy code from those sympy trees (code made
from a tree we built, never from the user's text).

Every input is bounded before any real work: at most 500 characters, 400 tokens and 50 levels of
nesting (checked by the parser before it recurses, so hostile input cannot exhaust the stack).
Invalid input raises one ``ValueError`` whose message starts with ``"Invalid formula:"`` and says
what is wrong, at which 1-based column, and what is allowed. Derivatives are built by forward-mode
differentiation into a straight-line program (see ``_Program``), so even the most deeply nested
formula the limits allow builds in well under a second.

Numbers are evaluated with NumPy's float64 semantics: overflow gives inf and undefined values give
NaN, silently, because the engine detects non-finite values itself. That holds for constants too:
``10**400`` or ``9**9**9`` become inf when the formula is built instead of costing sympy minutes.
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

_X = sympy.Symbol("x", real=True)
_Y = sympy.Symbol("y", real=True)
_VARIABLES = {"x": _X, "y": _Y}
_CONSTANTS = {"pi": sympy.pi, "e": sympy.E}
_FUNCTIONS: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "tanh": sympy.tanh,
    "abs": sympy.Abs,
}

# Sympy computes with exact rationals, which is what keeps 0.1*3 equal to 3/10, but 9**9**9 would
# take it minutes and gigabytes, and a 5000-digit integer cannot even be printed (Python limits
# int-to-str conversion). Exact numbers are therefore kept only up to this many bits (beyond the
# float64 range anyway); anything larger is computed in float64, becoming inf or 0 as NumPy would.
_MAX_EXACT_BITS = 1100

# Sympy misbehaves on constants that are not finite real numbers: sin(oo) becomes an
# AccumulationBounds that NumPy cannot run, sin(exp(10**300)) makes mpmath compute pi to 10**300
# digits, and some combinations raise inside sympy's assumption system. Such a constant is
# therefore swapped for one of these opaque symbols as soon as it is built; sympy treats it as an
# unknown constant (derivative zero) and NumPy gets its float64 value, as if it had computed it.
_INF = sympy.Symbol(r"\infty")
_NAN = sympy.Symbol(r"\mathrm{NaN}")
_NON_FINITE_VALUES = {_INF: math.inf, _NAN: math.nan}


def _to_double(number: sympy.Expr) -> float:
    """The float64 value of a sympy constant: inf on overflow, NaN if it is not real."""
    if number.is_Rational:
        try:
            return number.p / number.q  # correctly rounded even for huge integers
        except OverflowError:
            return math.inf if number.p > 0 else -math.inf
    value = complex(number)
    return value.real if value.imag == 0 else math.nan


def _from_double(value: float) -> sympy.Expr:
    if math.isnan(value):
        return _NAN
    if math.isinf(value):
        return _INF if value > 0 else -_INF
    return sympy.Float(value)


def _normalize(expr: sympy.Expr) -> sympy.Expr:
    """Keep only constants sympy handles well, replacing the others by their float64 value.

    Exact rationals are kept up to ``_MAX_EXACT_BITS``; larger ones and Floats beyond the float64
    range (mpmath's exponent is unbounded, so 1e300*1e300 is finite to sympy) are rounded to
    float64. Every constant whose float64 value is not a finite real number (oo, zoo, 10**400,
    exp(1000), sqrt(-1)) becomes ``_INF``, ``-_INF`` or ``_NAN``. ``formula_to_sympy`` applies this
    at every node, so each check only evaluates constants built from already checked parts.
    """
    if expr.is_number and not expr.is_Number:  # a symbolic constant such as pi**1000
        value = _to_double(expr)
        if not math.isfinite(value):
            return _from_double(value)
    replacements = {}
    for number in expr.atoms(sympy.Number, type(sympy.zoo)):
        if number.is_Rational and (
            max(number.p.bit_length(), number.q.bit_length()) <= _MAX_EXACT_BITS
        ):
            continue
        rounded = _from_double(_to_double(number))
        if rounded != number:
            replacements[number] = rounded
    return expr.xreplace(replacements) if replacements else expr


def _power(base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
    """``base**exponent``, in float64 when both are numbers and the exact result would be huge."""
    if base.is_Number and exponent.is_Number:
        exact = (
            base.is_Rational
            and exponent.is_Rational
            and abs(exponent.p) * max(base.p.bit_length(), base.q.bit_length())
            <= _MAX_EXACT_BITS * exponent.q
        )
        if not exact:
            with np.errstate(all="ignore"):
                value = np.float64(_to_double(base)) ** np.float64(_to_double(exponent))
            return _from_double(float(value))
    return sympy.Pow(base, exponent)


_BINARY_OPERATIONS: dict[str, Callable[[sympy.Expr, sympy.Expr], sympy.Expr]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": _power,
}


def formula_to_sympy(node: Node) -> sympy.Expr:
    """Build the sympy expression for a tree from ``parse_formula`` (x and y are real symbols)."""
    match node:
        case Num(value=value):
            return _normalize(sympy.Rational(value.numerator, value.denominator))
        case Var(name=name):
            return _VARIABLES[name]
        case Const(name=name):
            return _CONSTANTS[name]
        case Unary(op="-", operand=operand):
            return -formula_to_sympy(operand)
        case Unary(operand=operand):
            return formula_to_sympy(operand)
        case Call(func=func, arg=arg):
            return _normalize(_FUNCTIONS[func](formula_to_sympy(arg)))
        case Binary(op=op, left=left, right=right):
            operation = _BINARY_OPERATIONS[op]
            return _normalize(operation(formula_to_sympy(left), formula_to_sympy(right)))
    raise TypeError(f"not a formula node: {node!r}")


# --- Numeric functions -------------------------------------------------------------------------


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
    """Sum of products, skipping zero factors.

    Skipping is not only cheaper: sympy turns 0*zoo into nan, which would poison a derivative
    that is exactly zero.
    """
    return sympy.Add(*(a * b for a, b in terms if a != 0 and b != 0))


class _Program:
    """Forward-mode differentiation of an expression into a straight-line program.

    ``sympy.diff`` on the whole expression copies every shared factor again at each step: the
    Hessian of sin(sin(...sin(x)...)) nested 50 deep has some 67 000 operations and takes sympy
    tens of seconds to build and lambdify. Here every intermediate quantity and each of its
    derivatives is named once (``assignments``), and a node's derivatives are built from its
    arguments' named ones by the chain rule, with the node's own partial derivatives from
    ``sympy.diff``. The program grows linearly with the formula. ``order`` is 0 for the value
    alone, 1 to add the gradient and 2 to add the Hessian.
    """

    def __init__(self, order: int) -> None:
        self.order = order
        self.assignments: list[tuple[sympy.Symbol, sympy.Expr]] = []
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
                self._jets[expr] = _Jet(expr)
                stack.pop()
            elif missing := [arg for arg in expr.args if arg not in self._jets]:
                stack.extend(missing)
            else:
                stack.pop()
                self._jets[expr] = self._combine(expr.func, [self._jets[a] for a in expr.args])
        return self._jets[root]

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
        return self._apply(func, jets)

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
    generic = func(
        *(arg if slot is None else slot for slot, arg in zip(slots, pattern, strict=True))
    )
    active = [i for i, slot in enumerate(slots) if slot is not None]
    first = {i: sympy.diff(generic, slots[i]) for i in active}
    second = {(i, k): sympy.diff(first[i], slots[k]) for i in active for k in active}
    return slots, first, second


_NUMPY_NAMES = {"_RealAbs": np.abs, "_RealSign": np.sign}
_MAX_EXACT_INT = 2**53


def _is_parameter(atom: sympy.Basic) -> bool:
    """Whether a constant must reach NumPy as a float64 instead of as a Python literal."""
    if atom in _NON_FINITE_VALUES:
        return True
    return bool(atom.is_number) and not (atom.is_Integer and abs(atom.p) <= _MAX_EXACT_INT)


def _compile(f: sympy.Expr, order: int) -> Callable[[Array, Array], list[Array]]:
    """Vectorised NumPy function of (x, y) for the value, gradient or Hessian of ``f``.

    ``order`` 0 returns ``[value]``, 1 ``[d/dx, d/dy]`` and 2 the Hessian's ``[xx, xy, yy]``.
    Constants other than small integers (pi, 1/3, 1e300, I, zoo, ``_INF``...) are passed in as
    float64 scalars instead of being printed into the code: arithmetic on Python numbers raises
    (``2**1050 * array`` overflows converting to float, ``pi**1000`` raises OverflowError, ``2j``
    turns results complex), whereas on float64 it follows IEEE rules and yields inf or NaN.
    """
    program = _Program(order)
    jet = program.jet(f)
    outputs = [[jet.value], list(jet.grad), list(jet.hessian)][order]
    exprs = [*(expr for _, expr in program.assignments), *outputs]
    constants = list({atom for expr in exprs for atom in expr.atoms() if _is_parameter(atom)})
    substitution = {c: sympy.Symbol(f"_c{i}") for i, c in enumerate(constants)}
    assignments = [(name, expr.xreplace(substitution)) for name, expr in program.assignments]
    fn = sympy.lambdify(
        [_X, _Y, *substitution.values()],
        [expr.xreplace(substitution) for expr in outputs],
        modules=[_NUMPY_NAMES, "numpy"],
        # lambdify's hook for common subexpressions: hand it the program's named steps.
        cse=lambda given: (assignments, given),
    )
    values = [
        np.float64(_NON_FINITE_VALUES[c] if c in _NON_FINITE_VALUES else _to_double(c))
        for c in constants
    ]

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
    f = f.replace(sympy.Abs, _RealAbs)
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
    """Cached because differentiating and lambdifying costs tens of milliseconds per formula."""
    node = parse_formula(expr)
    try:
        f = formula_to_sympy(node)
        value, grad, hessian = _point_functions(f)
        latex = sympy.latex(f)
    except RecursionError as error:
        # Sympy recurses without end on some inputs: sympy 1.14 does on cos((-1)**(100 - x)).
        raise _error(
            "sympy cannot simplify this formula (it recursed without end); "
            "try writing it another way"
        ) from error
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
        formula=latex,
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
