"""Formula surfaces: how fast a bad formula is refused, and how well ``Surface.grad_cost``
predicts the engine's time.

    python benchmarks/formulas.py            # both tables
    python benchmarks/formulas.py --quick    # fewer repeats, smaller scenarios

1. Refusals: formulas that are NaN or inf over the whole plot range, up to the deepest nesting
   and the most tokens the parser allows, timed in this process (sympy already imported, best
   of 3) and as the first formula of a fresh process (``import surfaces`` done, sympy not
   imported). Target: every refusal within 100 ms. Then formulas whose value is finite but whose
   gradient is nowhere finite: refused once the gradient program is built, timed apart.
2. Cost: for built-in and formula surfaces, ``lab.simulate`` of Adam runs against the prediction
   ``steps * (engine(runs) + grad_cost.seconds(runs))``. ``engine(runs)`` is the engine's own
   work per step (optimizer update, bookkeeping, the loss pass and the verdicts spread over the
   steps), calibrated here on the ravine, whose gradient costs next to nothing. The column
   "grad only" shows how much of the time the surface's figure explains alone.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lab import simulate  # noqa: E402
from surfaces import make_surface  # noqa: E402

NOWHERE_FINITE = [
    "log(-1-x**2)",
    "1/(x-x)",
    "exp(1000+x)",
    "sqrt(-1-y**2)",
    "x/0 + y",
    "log(-1-x**2-y**2) * sin(x*y)",
    "log(" * 49 + "-1-x**2" + ")" * 49,  # the deepest nesting allowed
    "exp(" * 50 + "1000+x" + ")" * 50,
    "sqrt(" * 49 + "-1-abs(x*y)" + ")" * 49,
    "2**" * 49 + "(2000+x)",
    "+".join(["log(-1-x*x)"] * 40),  # 399 tokens, the most allowed
    "+".join(["tanh(x*y)*log(-1-y*y)"] * 20),
]
GRADIENT_NOWHERE_FINITE = [
    "sqrt(x-x) + y",
    "abs(y-y)**0.5 + x**2",
    "sqrt(" + "sin(" * 48 + "x-x" + ")" * 48 + ") + y",
    "+".join(["sqrt(x*y-x*y)*tanh(x+y)"] * 20),
]

DEEP = "sin(" * 49 + "x*y" + ")" * 49
COST_CASES: list[tuple[str, object]] = [
    ("rosenbrock", "rosenbrock"),
    ("rastrigin", "rastrigin"),
    ("himmelblau", "himmelblau"),
    ("formula: Rosenbrock", {"expr": "(1-x)**2 + 100*(y-x**2)**2"}),
    (
        "formula: Goldstein-Price",
        {
            "expr": "(1 + (x+y+1)^2 * (19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2))"
            " * (30 + (2*x - 3*y)^2 * (18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))",
            "x_range": [-2, 2],
            "y_range": [-2, 2],
        },
    ),
    ("formula: sin nested 49 deep", {"expr": DEEP, "x_range": [-1, 1], "y_range": [-1, 1]}),
    ("formula: 12 x tanh*sin", {"expr": " + ".join(["tanh(x*y - 0.5)*sin(x + y)"] * 12)}),
]
SHAPES = [(1, 3000), (16, 2000), (256, 600), (1024, 200)]


def best_of(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def refuse(formula: str) -> str:
    try:
        make_surface({"expr": formula})
    except ValueError as error:
        return str(error)
    raise AssertionError(f"not refused: {formula}")


COLD = """
import json, sys, time
sys.path.insert(0, {root!r})
import surfaces
started = time.perf_counter()
try:
    surfaces.make_surface({{"expr": {formula!r}}})
except ValueError:
    pass
print(json.dumps([time.perf_counter() - started, "sympy" in sys.modules]))
"""


def cold_refusal(formula: str) -> tuple[float, bool]:
    code = COLD.format(root=str(ROOT), formula=formula)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, sympy_loaded = json.loads(out.stdout)
    return seconds, sympy_loaded


def refusal_table(repeats: int) -> None:
    make_surface({"expr": "x*y"})  # sympy's one-off start-up cost, kept out of the warm times
    print("Refusals of formulas not finite anywhere in the plot range [-3, 3]²")
    print(f"{'formula':<44} {'chars':>5} {'warm ms':>8} {'cold ms':>8}  sympy loaded")
    worst_warm = worst_cold = 0.0
    for formula in NOWHERE_FINITE:
        assert "not finite anywhere" in refuse(formula)
        warm = best_of(lambda f=formula: refuse(f), repeats)
        cold, sympy_loaded = cold_refusal(formula)
        worst_warm, worst_cold = max(worst_warm, warm), max(worst_cold, cold)
        shown = formula if len(formula) <= 44 else formula[:41] + "..."
        print(f"{shown:<44} {len(formula):>5} {warm * 1e3:8.1f} {cold * 1e3:8.1f}  {sympy_loaded}")
    print(
        f"worst case: {worst_warm * 1e3:.1f} ms warm, {worst_cold * 1e3:.1f} ms cold (target 100)"
    )
    print()
    print("Refusals of formulas whose gradient is nowhere finite (after the gradient program)")
    for formula in GRADIENT_NOWHERE_FINITE:
        assert "gradient is not finite" in refuse(formula)
        warm = best_of(lambda f=formula: refuse(f), repeats)
        shown = formula if len(formula) <= 44 else formula[:41] + "..."
        print(f"{shown:<44} {len(formula):>5} {warm * 1e3:8.1f}")
    print()


def scenario(spec: object, runs: int, steps: int) -> dict:
    return {
        "surface": spec,
        "steps": steps,
        "runs": [
            {"optimizer": "adam", "params": {"lr": 1e-3 * (1 + i / runs)}} for i in range(runs)
        ],
    }


def engine_overhead(shapes: list[tuple[int, int]], repeats: int) -> dict[int, float]:
    """Seconds per step the engine spends beyond the gradient, measured on the ravine."""
    ravine = make_surface("ravine")
    out = {}
    for runs, steps in shapes:
        seconds = best_of(lambda r=runs, s=steps: simulate(scenario("ravine", r, s)), repeats)
        out[runs] = max(0.0, seconds / steps - ravine.grad_cost.seconds(runs))
    return out


def cost_table(shapes: list[tuple[int, int]], repeats: int) -> None:
    overhead = engine_overhead(shapes, 2 * repeats + 1)  # the baseline of every row: least noise
    print("Engine time against steps x (engine(runs) + grad_cost.seconds(runs)), Adam runs")
    print(
        "engine(runs), from the ravine: "
        + ", ".join(f"{runs} runs {overhead[runs] * 1e6:.0f} µs/step" for runs, _ in shapes)
    )
    print(
        f"{'surface':<28} {'grad µs (1 / 1024)':>19} {'runs':>5} {'steps':>6} {'measured s':>10} "
        f"{'predicted':>9} {'ratio':>6} {'grad only':>9}"
    )
    ratios = []
    for label, spec in COST_CASES:
        surface = make_surface(spec)  # type: ignore[arg-type]
        cost = surface.grad_cost
        per_call = f"{cost.seconds(1) * 1e6:.1f} / {cost.seconds(1024) * 1e6:.0f}"
        for runs, steps in shapes:
            sc = scenario(spec, runs, steps)
            measured = best_of(lambda sc=sc: simulate(sc), repeats)
            grad_only = steps * cost.seconds(runs)
            predicted = steps * overhead[runs] + grad_only
            ratios.append(measured / predicted)
            print(
                f"{label:<28} {per_call:>19} {runs:>5} {steps:>6} {measured:10.3f} "
                f"{predicted:9.3f} {measured / predicted:6.2f} {measured / grad_only:8.1f}x"
            )
    print(f"measured / predicted: {min(ratios):.2f} to {max(ratios):.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    repeats = 1 if args.quick else 3
    shapes = [(r, max(50, s // 4)) for r, s in SHAPES] if args.quick else SHAPES
    refusal_table(repeats)
    cost_table(shapes, repeats)


if __name__ == "__main__":
    main()
