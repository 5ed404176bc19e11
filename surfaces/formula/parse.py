"""Parse a formula into a small whitelisted tree: numbers, x, y, pi, e, + - * / ** ^, signs,
parentheses and the functions of ``ALLOWED_FUNCTIONS``.

The text never reaches ``eval``, ``exec``, ``compile`` or sympy's string parser (``sympify`` and
``parse_expr`` call ``eval``): a hand-written tokenizer and a precedence-climbing parser build the
tree, and nothing else is accepted. Every input is bounded before any real work: at most 500
characters, 400 tokens and 50 levels of nesting (checked by the parser before it recurses, so
hostile input cannot exhaust the stack). Invalid input raises one ``ValueError`` whose message
starts with ``"Invalid formula:"`` and says what is wrong, at which 1-based column, and what is
allowed. This module needs neither NumPy nor sympy.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction

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
    "chain",
    "formula_error",
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


def formula_error(message: str) -> ValueError:
    """The one error type of formulas: a ``ValueError`` starting with ``Invalid formula:``."""
    return ValueError(f"Invalid formula: {message}")


def _quote(text: str, limit: int = 40) -> str:
    """A piece of the formula in a message, quoted; a long one (a 500-digit number, a
    400-letter name) is cut, so a message never echoes a pasted page."""
    return repr(text) if len(text) <= limit else repr(text[: limit - 3]) + "..."


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
            raise formula_error(
                f"unexpected character {text[pos]!r} at column {column}; "
                f"allowed are {ALLOWED_SUMMARY}"
            )
        pos = match.end()
        kind, token_text = match.lastgroup, match.group()
        if kind == "space":
            continue
        if len(tokens) == MAX_TOKENS:
            raise formula_error(
                f"more than {MAX_TOKENS} tokens at column {column}; at most {MAX_TOKENS} "
                "numbers, names, operators and parentheses are allowed"
            )
        value = None
        if kind == "number":
            approximation = float(token_text)
            if not math.isfinite(approximation):
                raise formula_error(
                    f"number {_quote(token_text)} at column {column} is too large; "
                    "numbers must be finite (below about 1.8e308)"
                )
            # Fraction('1e-99999999') would build 10**99999999; a literal that float64 rounds
            # to zero is taken as zero, which bounds the exponents Fraction ever sees.
            value = Fraction(token_text) if approximation != 0.0 else Fraction(0)
        elif kind == "name" and token_text not in ("x", "y", "pi", "e", *ALLOWED_FUNCTIONS):
            raise formula_error(
                f"unknown name {_quote(token_text)} at column {column}; "
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
            raise formula_error(
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
            raise formula_error(
                f"unexpected end of formula after {_quote(previous.text)} at column {previous.column}; "
                f"expected {_OPERAND}"
            )
        raise formula_error(
            f"unexpected {_quote(token.text)} at column {token.column}; expected {_OPERAND}"
        )

    def _call(self, name: _Token) -> Node:
        """Parse ``name(argument)``; ``name`` (a known function, see ``_tokenize``) is consumed."""
        opening = self._peek()
        if opening.text != "(":
            raise formula_error(
                f"function {name.text!r} at column {name.column} must be followed by "
                f"its argument in parentheses, as in {name.text}(x)"
            )
        self._advance()
        if self._peek().text == ")":
            raise formula_error(
                f"function {name.text!r} takes one argument; found none at column "
                f"{self._peek().column}"
            )
        with self._nested(opening):
            argument = self._expression(0)
        if self._peek().text == ",":
            raise formula_error(
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
            raise formula_error(f"missing closing parenthesis for '(' at column {opening.column}")
        else:
            raise self._after_operand_error(token)

    @staticmethod
    def _after_operand_error(token: _Token) -> ValueError:
        """Explain a token that follows a complete operand where an operator was needed."""
        if token.text == ")":
            return formula_error(f"unmatched closing parenthesis ')' at column {token.column}")
        if token.kind in ("number", "name") or token.text == "(":
            return formula_error(
                f"missing operator before {_quote(token.text)} at column {token.column}; "
                "multiplication must be written with *, as in 2*x"
            )
        return formula_error(
            f"unexpected {_quote(token.text)} at column {token.column}; expected an operator "
            "(+ - * / ** ^), ')' or the end of the formula"
        )


def parse_formula(text: str) -> Node:
    """Parse and validate a formula in x and y, returning its expression tree.

    Raises ``ValueError("Invalid formula: ...")`` for anything outside the grammar or the limits.
    """
    if not isinstance(text, str):
        raise TypeError(f"formula must be a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise formula_error(f"it is {len(text)} characters long; at most {MAX_LENGTH} are allowed")
    tokens = _tokenize(text)
    if len(tokens) == 1:
        raise formula_error("empty formula; write an expression in x and y such as x**2 + y**2")
    return _Parser(tokens).parse()


# --- Walking the tree -------------------------------------------------------------------------


def chain(node: Binary) -> tuple[Node, list[tuple[str, Node]]]:
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
