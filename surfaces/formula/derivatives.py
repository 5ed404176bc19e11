"""Value, gradient and Hessian of a formula: a forward-mode derivative program, evaluated with
NumPy.

Forward-mode differentiation turns the unevaluated sympy expression of ``symbolic`` into
straight-line programs for the value, gradient and Hessian, with each operation's partial
derivatives from ``sympy.diff``; ``sympy.lambdify`` generates NumPy code from those programs,
code made from trees we built and never from the user's text. The program grows linearly with
the formula, so building it takes time linear in the formula's length.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import sympy

from surfaces.base import Array, PointFn
from surfaces.formula.symbolic import X, Y, float64

__all__ = ["Evaluator", "compile_program", "evaluate_at", "point_function", "point_functions"]

Evaluator = Callable[[Array, Array], list[Array]]


class RealAbs(sympy.Function):
    """``|u|`` with derivative ``sign(u)``.

    ``sympy.Abs`` differentiates arguments it cannot prove real (``x**y``, ``log(x)``,
    ``sqrt(x)``) through ``re``/``im`` and leaves unevaluated ``Derivative`` objects that NumPy
    cannot run. Everything here is real-valued, so the real rule is the right one.
    """

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return RealSign(self.args[0])


class RealSign(sympy.Function):
    """``sign(u)`` with derivative 0.

    The true derivative is a Dirac delta at ``u = 0``, which NumPy cannot represent; zero is its
    value everywhere else, and at ``u = 0`` itself ``sign`` already yields the subgradient 0.
    """

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.S.Zero


_NUMPY_NAMES = {"RealAbs": np.abs, "RealSign": np.sign}
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
    their float64 value (see ``symbolic.float64``). Sympy never sees a number of the formula, so it cannot
    fold y*0 and 1/(y*0) into its complex infinity, which NumPy code cannot express, and no
    constant is computed with Python numbers, which raise where float64 gives inf (pi**1000).
    """

    def __init__(self, order: int) -> None:
        self.order = order
        self.assignments: list[tuple[sympy.Symbol, sympy.Expr]] = []
        self.parameters: dict[sympy.Symbol, np.float64] = {}
        one = sympy.S.One if order else _ZERO
        self._jets = {X: _Jet(X, (one, _ZERO)), Y: _Jet(Y, (_ZERO, one))}

    def jet(self, root: sympy.Expr) -> _Jet:
        """Differentiate ``root``, children first, with an explicit stack instead of recursion."""
        stack = [root]
        while stack:
            expr = stack[-1]
            if expr in self._jets:
                stack.pop()
            elif not expr.has(X, Y):
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
        self.parameters[symbol] = float64(constant)
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
        return self._apply(RealAbs if func is sympy.Abs else func, jets)

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


def compile_program(f: sympy.Expr, order: int) -> Evaluator:
    """Vectorised NumPy function of (x, y) for the value, gradient or Hessian of ``f``.

    ``order`` 0 returns ``[value]``, 1 ``[d/dx, d/dy]`` and 2 the Hessian's ``[xx, xy, yy]``.
    """
    program = _Program(order)
    jet = program.jet(f)
    outputs = [[jet.value], list(jet.grad), list(jet.hessian)][order]
    fn = sympy.lambdify(
        [X, Y, *program.parameters],
        outputs,
        modules=[_NUMPY_NAMES, "numpy"],
        # lambdify's hook for common subexpressions: hand it the program's named steps.
        cse=lambda given: (program.assignments, given),
    )
    values = list(program.parameters.values())

    def run(x: Array, y: Array) -> list[Array]:
        return fn(x, y, *values)

    return run


def evaluate_at(fn: Evaluator, points: Array) -> list[Array]:
    """Run ``fn`` on points of shape (..., 2); each result is broadcast to shape (...)."""
    p = np.asarray(points, dtype=float)
    if p.ndim == 0 or p.shape[-1] != 2:
        raise ValueError(f"expected points of shape (..., 2), got shape {p.shape}")
    # Silent (the engine finds non-finite values itself), unless the caller records the
    # floating-point flags (``lab.cut`` asks whether a value overflowed or left the domain).
    recording = "call" in np.geterr().values()
    with contextlib.nullcontext() if recording else np.errstate(all="ignore"):
        # A constant part (say the derivative of 3*x) comes back as a scalar: broadcast it.
        return [
            np.broadcast_to(np.asarray(part, dtype=float), p.shape[:-1])
            for part in fn(p[..., 0], p[..., 1])
        ]


def point_function(f: sympy.Expr, order: int) -> PointFn:
    """The value (``order`` 0), gradient (1) or Hessian (2) of ``f`` as a function of points of
    shape (..., 2), returning shape (...), (..., 2) or (..., 2, 2)."""
    fn = compile_program(f, order)

    def value(points: Array) -> Array:
        (v,) = evaluate_at(fn, points)
        return v.copy()  # a writable array, not a read-only broadcast view

    def grad(points: Array) -> Array:
        return np.stack(evaluate_at(fn, points), axis=-1)

    def hessian(points: Array) -> Array:
        xx, xy, yy = evaluate_at(fn, points)
        return np.stack([np.stack([xx, xy], axis=-1), np.stack([xy, yy], axis=-1)], axis=-2)

    return (value, grad, hessian)[order]


def point_functions(f: sympy.Expr) -> tuple[PointFn, PointFn, PointFn]:
    """Value, gradient and Hessian of ``f`` as functions of points of shape (..., 2)."""
    return point_function(f, 0), point_function(f, 1), point_function(f, 2)
