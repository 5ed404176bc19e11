"""The work budget: calibrate the engine's per-step costs, and check the estimate against the time
``simulate`` takes.

    python benchmarks/budget.py --calibrate   # measure lab/budget.py's constants (prints them)
    python benchmarks/budget.py               # estimate vs measured over a table of scenarios

Calibration times the engine's own pieces on the ravine (its gradient costs next to nothing,
and what it costs is measured apart by ``Surface.grad_cost`` and subtracted): the step loop
with one optimizer group of 1 and of 256 runs gives each optimizer's ``call + row × runs``;
two groups against one each give the loop's own per-step work; recording the state, a
per-step learning-rate column and gradient noise are timed as differences; the loss pass and
the verdicts as what ``simulate`` takes beyond the loop, fitted per run-step and per run.
Each figure is the fastest of several rounds (the least disturbed by other work).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from lab import engine, parse_scenario, simulate  # noqa: E402
from lab.budget import BUDGET_SECONDS, BudgetError, check_budget, estimate  # noqa: E402
from optimizers import OPTIMIZERS  # noqa: E402
from surfaces import make_surface  # noqa: E402

RAVINE = make_surface("ravine")


def best_of(fn: Any, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def scenario(runs: list[dict[str, Any]], steps: int, surface: Any = "ravine", std: float = 0.0) -> Any:
    return parse_scenario(
        {"surface": surface, "steps": steps, "runs": runs, "noise": {"std": std, "seed": 0}}
    )


def run_of(name: str, i: int = 0, schedule: dict[str, Any] | None = None) -> dict[str, Any]:
    lr = 1e-3 * (1 + i / 1000)  # distinct per run: arrays over runs, as a sweep of lr has
    out: dict[str, Any] = {"optimizer": name, "params": {"lr": lr}}
    if name == "nesterov":
        out["params"]["momentum"] = 0.9
    if schedule is not None:
        out["schedule"] = schedule
    return out


def loop_seconds(sc: Any, repeats: int, record: bool = False) -> float:
    """Seconds per step of the step loop alone."""
    surface = sc.build_surface()
    start = np.asarray(sc.start, dtype=float)

    def once() -> None:
        groups = engine.group_runs(sc)
        rates = engine.lr_columns(sc, groups)
        noise = engine.gradient_noise(sc)
        engine.step_all(surface, start, groups, rates, noise, sc.steps, record)

    return best_of(once, repeats) / sc.steps


def calibrate(repeats: int) -> None:
    grad = RAVINE.grad_cost
    steps1, steps256 = 4000, 1000
    pairs = [("sgd", "momentum"), ("adam", "rmsprop"), ("adagrad", "nadam")]
    loop_call = []
    for a, b in pairs:
        ta = loop_seconds(scenario([run_of(a)], steps1), repeats)
        tb = loop_seconds(scenario([run_of(b)], steps1), repeats)
        tab = loop_seconds(scenario([run_of(a), run_of(b)], steps1), repeats)
        loop_call.append(ta + tb - tab - grad.call)
    loop = max(0.0, float(np.median(loop_call)))
    print(f"LOOP = StepCost(call={loop:.2e}, row=0.0)")
    print("OPTIMIZER_COST = {")
    for name in OPTIMIZERS:
        t1 = loop_seconds(scenario([run_of(name)], steps1), repeats)
        t256 = loop_seconds(scenario([run_of(name, i) for i in range(256)], steps256), repeats)
        row = max(0.0, (t256 - t1 - 255 * grad.point) / 255)
        call = max(0.0, t1 - loop - grad.seconds(1) - row)
        print(f'    "{name}": StepCost({call:.2e}, {row:.2e}),')
    print("}")
    adam = [run_of("adam", i) for i in range(64)]
    plain = loop_seconds(scenario(adam, steps256), repeats)
    rec = loop_seconds(scenario(adam, steps256), repeats, record=True)
    rec1 = loop_seconds(scenario(adam[:1], steps1), repeats, record=True) - loop_seconds(
        scenario(adam[:1], steps1), repeats
    )
    rec_row = max(0.0, (rec - plain - rec1) / 63)
    print(f"RECORD = StepCost(call={max(0.0, rec1 - rec_row):.2e}, row={rec_row:.2e})")
    cos = [run_of("adam", i, {"name": "cosine", "params": {"T_max": 100 + i}}) for i in range(64)]
    sched = loop_seconds(scenario(cos, steps256), repeats) - plain
    sched1 = loop_seconds(scenario(cos[:1], steps1), repeats) - loop_seconds(scenario(adam[:1], steps1), repeats)
    srow = max(0.0, (sched - sched1) / 63)
    print(f"SCHEDULED = StepCost(call={max(0.0, sched1 - srow):.2e}, row={srow:.2e})")
    noisy = loop_seconds(scenario(adam, steps256, std=0.1), repeats) - plain
    noisy1 = loop_seconds(scenario(adam[:1], steps1, std=0.1), repeats) - loop_seconds(scenario(adam[:1], steps1), repeats)
    nrow = max(0.0, (noisy - noisy1) / 63)
    print(f"NOISY = StepCost(call={max(0.0, noisy1 - nrow):.2e}, row={nrow:.2e})")
    after_fit(repeats)


def after_fit(repeats: int) -> None:
    """What simulate takes beyond the loop, per run-step and per run (least squares)."""
    rows, times = [], []
    for runs, steps in [(1, 20000), (16, 5000), (256, 1000), (1024, 500), (64, 200)]:
        sc = scenario([run_of("sgd", i) for i in range(runs)], steps)
        total = best_of(lambda sc=sc: simulate(sc), repeats)
        loop = loop_seconds(sc, repeats) * steps
        rows.append([runs * steps, runs])
        times.append(max(0.0, total - loop - steps * runs * RAVINE.grad_cost.point))
    (per_row, per_run), *_ = np.linalg.lstsq(np.array(rows, float), np.array(times), rcond=None)
    print(f"AFTER_ROW = {max(per_row, 0.0):.2e}")
    print(f"VERDICT_RUN = {max(per_run, 0.0):.2e}")


DEEP = "sin(" * 49 + "x*y" + ")" * 49
CHECKS: list[tuple[str, Any, list[dict[str, Any]], int, float]] = [
    ("app default (3 runs, 300 steps)", "ravine", [run_of("sgd"), run_of("sgd", 1), run_of("adam")], 300, 0.0),
    ("1 Adam run x 100,000 steps", "rosenbrock", [run_of("adam")], 100_000, 0.0),
    ("6 optimizers x 20,000 steps", "rosenbrock", [run_of(n) for n in ("sgd", "momentum", "adam", "rmsprop", "nadam", "radam")], 20_000, 0.0),
    ("6 runs x 20,000, noise, schedules", "himmelblau", [run_of("adam", i, {"name": "cosine", "params": {"T_max": 500 + i}}) for i in range(6)], 20_000, 0.5),
    ("256 Adam runs x 2,000 steps", "rastrigin", [run_of("adam", i) for i in range(256)], 2_000, 0.0),
    ("1,024 SGD runs x 500 steps", "ravine", [run_of("sgd", i) for i in range(1024)], 500, 0.0),
    ("formula nested 49 deep, 6 runs x 5,000", {"expr": DEEP, "x_range": [-1, 1], "y_range": [-1, 1]}, [run_of(n) for n in ("sgd", "momentum", "adam", "rmsprop", "nadam", "radam")], 5_000, 0.0),
    ("Rosenbrock formula, 3 runs x 30,000", {"expr": "(1-x)**2 + 100*(y-x**2)**2"}, [run_of("adam"), run_of("sgd"), run_of("adagrad_lecture")], 30_000, 0.0),
]
HOSTILE = (
    {"expr": DEEP, "x_range": [-1, 1], "y_range": [-1, 1]},
    [run_of(n) for n in ("sgd", "momentum", "adam", "rmsprop", "nadam", "radam")],
    100_000,
)


def check(repeats: int) -> None:
    print(f"Estimate against simulate(record_state=True) (the app's call); budget {BUDGET_SECONDS:g} s")
    print(f"{'scenario':<42} {'estimate s':>10} {'measured s':>10} {'ratio':>6}")
    ratios = []
    for label, surface, runs, steps, std in CHECKS:
        sc = scenario(runs, steps, surface, std)
        est = estimate(sc, sc.build_surface(), record_state=True).seconds
        measured = best_of(lambda sc=sc: simulate(sc, record_state=True), repeats)
        ratios.append(measured / est)
        print(f"{label:<42} {est:10.3f} {measured:10.3f} {measured / est:6.2f}")
    print(f"measured / estimated: {min(ratios):.2f} to {max(ratios):.2f}")
    surface, runs, steps = HOSTILE
    sc = scenario(runs, steps, surface)
    try:
        check_budget(sc, sc.build_surface(), BUDGET_SECONDS, record_state=True)
    except BudgetError as e:
        print(f"the hostile link: {e}")
        print(f"                  {e.text('zh')}")
    started = time.perf_counter()
    try:
        simulate(sc, record_state=True, budget=BUDGET_SECONDS)
    except BudgetError:
        print(f"refused in {1e3 * (time.perf_counter() - started):.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calibrate", action="store_true")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    if args.calibrate:
        calibrate(args.repeats)
    else:
        check(args.repeats)


if __name__ == "__main__":
    main()
