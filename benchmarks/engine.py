"""Engine speed: prints run-steps per second; compare against the targets in the README.

    python benchmarks/engine.py            # 1,024 Adam runs x 1,000 steps on Rosenbrock
    python benchmarks/engine.py --quick    # fewer repeats
    python benchmarks/engine.py --verdicts # the verdicts' timing alone, best of 30

Three ways of doing the same work (Adam, log-spaced learning rates, trajectory + loss +
gradient norm stored at every step):
  * lab.simulate (the engine),
  * a bare hand-written NumPy loop (the floor for a NumPy implementation),
  * torch.optim.Adam in a Python loop, one optimizer per run (if torch is installed; timed
    on a subset of runs and scaled per run-step, because the full job takes minutes).
Then a single 100,000-step run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lab import simulate
from surfaces import BUILTIN

RUNS, STEPS = 1024, 1000
START = (-1.5, 2.0)
LRS = np.logspace(-4, -1, RUNS)


def scenario(runs: int = RUNS, steps: int = STEPS) -> dict:
    return {
        "surface": "rosenbrock",
        "start": list(START),
        "steps": steps,
        "runs": [{"optimizer": "adam", "params": {"lr": float(lr)}} for lr in LRS[:runs]],
    }


def best_of(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bare_numpy() -> None:
    s = BUILTIN["rosenbrock"]
    lr = LRS.reshape(-1, 1)
    b1, b2, eps = 0.9, 0.999, 1e-8
    theta = np.tile(np.asarray(START), (RUNS, 1))
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    traj = np.empty((STEPS + 1, RUNS, 2))
    loss = np.empty((STEPS + 1, RUNS))
    gnorm = np.empty((STEPS + 1, RUNS))
    traj[0] = theta
    for t in range(1, STEPS + 1):
        g = s.grad(theta)
        loss[t - 1] = s.value(theta)
        gnorm[t - 1] = np.sqrt((g * g).sum(-1))
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        theta = theta - lr / (1 - b1**t) * m / (np.sqrt(v / (1 - b2**t)) + eps)
        traj[t] = theta
    loss[STEPS] = s.value(theta)
    gnorm[STEPS] = np.linalg.norm(s.grad(theta), axis=-1)


def torch_loop(runs: int) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_default_dtype(torch.float64)
    s = BUILTIN["rosenbrock"]

    def work() -> None:
        for lr in LRS[:runs]:
            p = torch.tensor(START, requires_grad=True)
            opt = torch.optim.Adam([p], lr=float(lr), foreach=False)
            traj = np.empty((STEPS + 1, 2))
            loss = np.empty(STEPS + 1)
            gn = np.empty(STEPS + 1)
            traj[0] = START
            for t in range(STEPS):
                opt.zero_grad()
                x, y = p[0], p[1]
                f = (1 - x) ** 2 + 100 * (y - x**2) ** 2
                f.backward()
                loss[t] = f.item()
                gn[t] = p.grad.norm().item()
                opt.step()
                traj[t + 1] = p.detach().numpy()
            loss[STEPS] = s.value(traj[STEPS])

    return best_of(work, 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    reps = 1 if args.quick else 3
    work = RUNS * STEPS
    sc = scenario()
    t_engine = best_of(lambda: simulate(sc), reps)
    t_bare = best_of(bare_numpy, reps)
    print(f"{RUNS} Adam runs x {STEPS} steps on Rosenbrock ({work:,} run-steps)")
    print(f"  engine (lab.simulate)      {t_engine:8.3f} s  {work / t_engine:14,.0f} run-steps/s")
    print(f"  bare NumPy loop            {t_bare:8.3f} s  {work / t_bare:14,.0f} run-steps/s")
    print(f"  engine / bare NumPy        {t_engine / t_bare:8.2f} x   (target <= 1.5 x)")
    sub = 8 if args.quick else 16
    t_torch = torch_loop(sub)
    if t_torch is None:
        print("  torch.optim loop           (torch not installed: skipped)")
    else:
        rate = sub * STEPS / t_torch
        print(f"  torch.optim Python loop    {rate:14,.0f} run-steps/s   (timed on {sub} runs)")
        print(f"  engine / torch loop        {work / t_engine / rate:8.0f} x   (target >= 1000 x)")
    single = {"surface": "rosenbrock", "steps": 100_000, "runs": [{"optimizer": "adam"}]}
    t_single = best_of(lambda: simulate(single), reps)
    print(f"  one Adam run x 100,000 steps {t_single:6.3f} s  (target < 1 s)")


def verdict_timing(repeats: int = 15) -> None:
    """The verdicts alone, for 1,024 Adam runs x 1,000 steps on Rosenbrock (target <= 30 ms):
    the accumulator fed the stored arrays, then the judgement of its summary (every run's kind
    and the numbers of its card decided; the card's dict and sentences are written when first
    read, timed apart), best of
    ``repeats`` (the machine is shared: the load average is printed beside it). Also the two
    halves alone, and the same runs fed one step at a time, as a sweep would (not a target)."""
    import os

    from lab.diagnostics import verdicts as judge_arrays
    from lab.verdicts import Accumulator, judge

    result = simulate(scenario())
    traj = np.stack([r.trajectory for r in result.runs], axis=1)
    loss = np.stack([r.loss for r in result.runs], axis=1)
    gnorm = np.stack([r.grad_norm for r in result.runs], axis=1)
    surface = result.surface

    def summarise():  # type: ignore[no-untyped-def]
        acc = Accumulator(surface, RUNS, STEPS)
        acc.feed_arrays(traj, loss, gnorm)
        return acc.summary()

    summary = summarise()
    load = os.getloadavg()[0]
    t_all = best_of(lambda: judge_arrays(surface, traj, loss, gnorm), repeats)
    t_sum = best_of(summarise, repeats)
    t_judge = best_of(lambda: judge(surface, summary), repeats)
    t_cards = best_of(lambda: list(judge(surface, summary)), repeats)

    def stepwise() -> None:
        acc = Accumulator(surface, RUNS, STEPS)
        for k in range(STEPS + 1):
            acc.feed(traj[k : k + 1], loss[k : k + 1], gnorm[k : k + 1])
        judge(surface, acc.summary())

    t_steps = best_of(stepwise, 1)
    print(f"verdicts of {RUNS} runs x {STEPS} steps (stored arrays)  {t_all * 1e3:7.1f} ms  (target <= 30 ms)")
    print(f"  ... the summary {t_sum * 1e3:.1f} ms, the judgement {t_judge * 1e3:.1f} ms "
          f"(best of {repeats}; load average {load:.1f} on {os.cpu_count()} cores)")
    print(f"  ... the judgement with all {RUNS} cards written  {t_cards * 1e3:7.1f} ms  "
          f"(a card is written when first read: the page reads the cards it shows, a map none)")
    print(f"  ... fed one step at a time, as a sweep           {t_steps * 1e3:7.1f} ms")


# --- maps (lab.sweep) -------------------------------------------------------------------------
def sweep_scenario(n: int, steps: int = STEPS) -> dict:
    """The Adam map of preset 25: lr (log, 1e-4 ... 1) x beta1 (0 ... 0.99) on Rosenbrock."""
    return {
        "surface": "rosenbrock",
        "start": list(START),
        "steps": steps,
        "runs": [{"optimizer": "adam", "params": {"lr": 0.01}}],
        "sweep": {
            "x": {"param": "lr", "from": 1e-4, "to": 1.0, "n": n, "scale": "log"},
            "y": {"param": "beta1", "from": 0.0, "to": 0.99, "n": n},
        },
    }


def bare_sweep(n: int, steps: int = STEPS) -> np.ndarray:
    """The same updates by hand: Adam over n x n cells with their own lr and beta1, the loss
    and the gradient norm at every step (what any judgement reads), the final point kept."""
    s = BUILTIN["rosenbrock"]
    lr = np.tile(np.geomspace(1e-4, 1.0, n), n).reshape(-1, 1)
    b1 = np.repeat(np.linspace(0.0, 0.99, n), n).reshape(-1, 1)
    b2, eps = 0.999, 1e-8
    theta = np.tile(np.asarray(START), (n * n, 1))
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            g = s.grad(theta)
            s.value(theta)
            np.hypot(g[:, 0], g[:, 1])
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            theta = theta - lr / (1 - b1**t) * m / (np.sqrt(v / (1 - b2**t)) + eps)
    return theta


def timed(fn) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Wall-clock and CPU seconds of one call (CPU time is what other jobs on the machine
    disturb least)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def sweep_timing(repeats: int = 3) -> None:
    """Maps: a 100 x 100 Adam map on Rosenbrock x 1,000 steps (target <= 1.5 s and <= 1.5 x the
    bare loop), its peak memory (target <= 500 MB) and a 200 x 200 map (target <= 6 s). The
    sweep and the bare loop alternate, best of ``repeats`` each (the machine is shared)."""
    import tracemalloc

    from lab import sweep

    sc = sweep_scenario(100)
    t_sweep, t_bare = [], []
    for _ in range(repeats):
        t_sweep.append(timed(lambda: sweep(sc)))
        t_bare.append(timed(lambda: bare_sweep(100)))
    (ws, cs), (wb, cb) = (tuple(map(min, zip(*t, strict=True))) for t in (t_sweep, t_bare))
    print("maps: 100 x 100 Adam cells (lr x beta1) x 1,000 steps on Rosenbrock (wall / CPU)")
    print(f"  lab.sweep                  {ws:8.3f} s / {cs:.3f} s  (target <= 1.5 s)")
    print(f"  bare NumPy loop            {wb:8.3f} s / {cb:.3f} s")
    print(f"  sweep / bare NumPy         {ws / wb:8.2f} x / {cs / cb:.2f} x  (target <= 1.5 x)")
    tracemalloc.start()
    sweep(sc)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"  peak memory (tracemalloc)  {peak / 2**20:8.0f} MB  (target <= 500 MB)")
    big = sweep_scenario(200)
    wall, cpu = map(min, zip(*(timed(lambda: sweep(big)) for _ in range(max(1, repeats - 1))), strict=True))
    tracemalloc.start()
    sweep(big)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"  200 x 200 cells            {wall:8.3f} s / {cpu:.3f} s  (target <= 6 s), peak {peak / 2**20:.0f} MB")


def batch_timing(repeats: int = 3) -> None:
    """Mini-batches (issue 12): 1,024 Adam runs x 1,000 steps on linear_regression with
    N = 1,024 samples, batches of 32 beside the whole data set (target: the batch run is not
    slower), split into the step loop and the verdicts; the same comparison on logistic
    regression (no sufficient statistics: the gradient touches every sample of its batch) for
    64 runs; and the batch surfaces Play would draw (120 frames of a 64 x 64 grid)."""
    from lab import simulate as run_scenario
    from lab.batch_views import batch_grid, batch_of
    from lab.batches import BatchNoise
    from lab.diagnostics import verdicts as judge_arrays

    def data_scenario(data: str, runs: int, batch: int | None) -> dict:
        sc = {
            "surface": {"data": data, "samples": 1024},
            "steps": STEPS,
            "runs": [{"optimizer": "adam", "params": {"lr": float(lr)}} for lr in LRS[:: RUNS // runs]],
        }
        if batch is not None:
            sc["batch"] = {"size": batch, "seed": 0}
        return sc

    def split(data: str, runs: int, batch: int | None) -> tuple[float, float]:
        sc = data_scenario(data, runs, batch)
        total = best_of(lambda: run_scenario(sc), repeats)
        res = run_scenario(sc)
        traj = np.stack([r.trajectory for r in res.runs], axis=1)
        loss = np.stack([r.loss for r in res.runs], axis=1)
        gnorm = np.stack([r.grad_norm for r in res.runs], axis=1)
        noise = None if batch is None else BatchNoise(res.surface, batch)
        judged = best_of(lambda: judge_arrays(res.surface, traj, loss, gnorm, None, noise), repeats)
        return total, judged

    for data, runs in (("linear_regression", RUNS), ("logistic", 64)):
        # interleaved, best of each: other jobs on the machine slow either one at times
        (full, full_v), (small, small_v) = split(data, runs, None), split(data, runs, 32)
        for _ in range(repeats - 1):
            f, s = split(data, runs, None), split(data, runs, 32)
            (full, full_v), (small, small_v) = min((full, full_v), f), min((small, small_v), s)
        print(f"{runs} Adam runs x {STEPS} steps on {data}, N = 1,024 (target: batch not slower)")
        print(f"  all 1,024 samples    {full:7.3f} s   (steps {full - full_v:6.3f} s, verdicts {full_v:6.3f} s)")
        print(f"  batches of 32        {small:7.3f} s   (steps {small - small_v:6.3f} s, verdicts {small_v:6.3f} s)")
        print(f"  batch / full         {small / full:7.2f} x")

    for data in ("linear_regression", "logistic"):
        res = run_scenario({**data_scenario(data, 1, 32), "steps": 120})
        s, run = res.surface, res.runs[0]
        xs, ys = np.linspace(*s.x_range, 64), np.linspace(*s.y_range, 64)
        t = best_of(lambda: [batch_grid(s, batch_of(run, k), xs, ys) for k in range(120)], repeats)  # noqa: B023
        print(f"  120 batch surfaces (64 x 64) on {data:<17} {t * 1e3:7.1f} ms")



if __name__ == "__main__":
    quick = "--quick" in sys.argv
    if "--verdicts" in sys.argv:  # the verdicts' timing alone (issue 9's target)
        verdict_timing(3 if quick else 30)
        raise SystemExit(0)
    main()
    verdict_timing(3 if quick else 15)
    sweep_timing(1 if quick else 3)
    batch_timing(1 if quick else 3)
