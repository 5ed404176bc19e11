"""Prove that a change to the verdict code changes no verdict: dump, then check.

    python scripts/verdict_equality.py dump  /tmp/verdicts.jsonl   # before the change
    python scripts/verdict_equality.py check /tmp/verdicts.jsonl   # after: every case identical
    python scripts/verdict_equality.py dump  FILE --tests          # also the verdict tests' own cases

The cases: every preset in presets/ (its runs' verdicts, or its map), a few hundred seeded random
runs over the built-in surfaces and a few formulas (the issue's ill-conditioned bowl, a quartic, a
plateau), every optimizer, learning rates from crawling to diverging, with and without noise and
L2 weight decay, cut runs, and the 1,024-run benchmark (``benchmarks/engine.py``); with
``--tests``, every call of the judgement made while the verdict tests run (keyed by test id and
call number). Each verdict is written as JSON with its key order, int/float/bool kept apart and
any non-JSON value (a NumPy scalar, a lazy object) spelled out with its type, so "identical"
means what the app, the exports and the JSON output would see.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lab import ScenarioError, simulate, sweep  # noqa: E402
from lab.presets import list_presets  # noqa: E402
from optimizers import OPTIMIZERS  # noqa: E402
from surfaces import BUILTIN  # noqa: E402

FORMULAS = [
    {"expr": "0.5*(x**2 + 10000*y**2)", "x_range": [-1.5, 1.5], "y_range": [-1.5, 1.5]},
    {"expr": "0.5*(x**2 + 100*y**2)", "x_range": [-2, 2], "y_range": [-2, 2]},
    {"expr": "x**4 + y**4", "x_range": [-2, 2], "y_range": [-2, 2]},
    {"expr": "1 - exp(-(x**2 + y**2))", "x_range": [-5, 5], "y_range": [-5, 5]},
    {"expr": "1e-12*(x**2 - y**2)", "x_range": [-2, 2], "y_range": [-2, 2]},
    {"expr": "x**3 + y**2", "x_range": [-2, 2], "y_range": [-2, 2]},
]
TEST_FILES = [
    "tests/test_verdict_theory.py",
    "tests/test_verdict_stream.py",
    "tests/test_diagnostics.py",
    "tests/test_burst_detector.py",
    "tests/test_sweep.py",
    "tests/test_sweep_presets.py",
    "tests/test_presets.py",
]


def canon(v: Any) -> Any:
    """A JSON-able form that keeps types apart: what json.dumps would write, or a marker."""
    if v is None or type(v) in (bool, int, str):
        return v
    if type(v) is float:
        return v if math.isfinite(v) else f"<float {v!r}>"
    if type(v) is dict:
        return {"<dict>": [[k, canon(x)] for k, x in v.items()]}
    if type(v) is list:
        return [canon(x) for x in v]
    if isinstance(v, np.ndarray):
        return {"<ndarray " + str(v.dtype) + ">": canon(v.tolist())}
    return f"<{type(v).__name__} {v!r}>"


def json_of(v: Any) -> str:
    """The JSON the app writes (plain json.dumps), for a lazy object too."""
    return json.dumps(v, ensure_ascii=False, allow_nan=True, default=lambda o: f"<{type(o).__name__}>")


def random_scenarios(count: int, seed: int = 20240609) -> Iterator[tuple[str, dict]]:
    rng = np.random.default_rng(seed)
    names = sorted(OPTIMIZERS)
    surfaces: list[Any] = sorted(BUILTIN) + FORMULAS
    for i in range(count):
        surf = surfaces[rng.integers(len(surfaces))]
        runs = []
        for _ in range(int(rng.integers(1, 6))):
            opt = names[rng.integers(len(names))]
            default_lr = next(p.default for p in OPTIMIZERS[opt].params if p.name == "lr")
            params: dict[str, Any] = {"lr": float(default_lr * 10 ** rng.uniform(-3, 2.5))}
            if rng.random() < 0.15 and any(p.name == "weight_decay" for p in OPTIMIZERS[opt].params):
                params["weight_decay"] = float(10 ** rng.uniform(-3, 0))
            runs.append({"optimizer": opt, "params": params})
        sc: dict[str, Any] = {
            "surface": surf,
            "steps": int(rng.choice([1, 5, 20, 57, 200, 640, 1000, 2500])),
            "runs": runs,
        }
        if rng.random() < 0.5:
            sc["start"] = [float(rng.uniform(-2, 2)), float(rng.uniform(-2, 2))]
        if rng.random() < 0.25:
            sc["noise"] = {"std": float(10 ** rng.uniform(-6, 0.5)), "seed": int(rng.integers(100))}
        yield f"random/{i}", sc


def benchmark_scenario() -> dict:
    lrs = np.logspace(-4, -1, 1024)
    return {
        "surface": "rosenbrock",
        "start": [-1.5, 2.0],
        "steps": 1000,
        "runs": [{"optimizer": "adam", "params": {"lr": float(lr)}} for lr in lrs],
    }


def sweep_record(res: Any) -> dict[str, Any]:
    return {"dict": res.to_dict(), "rate": res.rate.tolist(), "basin": res.basin.tolist()}


def scenario_record(sc: dict) -> Any:
    try:
        if "sweep" in sc:
            return sweep_record(sweep(sc))
        return [run.verdict for run in simulate(sc).runs]
    except ScenarioError as e:
        return {"refused": str(e)}


def cases(random_count: int) -> Iterator[tuple[str, Any]]:
    presets, _ = list_presets()
    for p in presets:
        yield f"preset/{p.name}", scenario_record(p.scenario)
    for name, sc in random_scenarios(random_count):
        yield name, scenario_record(sc)
    yield "sweep/lr-beta1-small", scenario_record(
        {
            "surface": "rosenbrock",
            "start": [-1.5, 2.0],
            "steps": 300,
            "runs": [{"optimizer": "adam", "params": {"lr": 0.01}}],
            "sweep": {
                "run": 0,
                "x": {"param": "lr", "from": 1e-4, "to": 1.0, "n": 24, "scale": "log"},
                "y": {"param": "beta1", "from": 0.0, "to": 0.99, "n": 12},
            },
        }
    )
    yield "benchmark/adam-1024", scenario_record(benchmark_scenario())


class Recorder:
    """A pytest plugin: every judgement made while a test runs, keyed by test id and call."""

    def __init__(self) -> None:
        self.records: list[tuple[str, Any]] = []
        self.test = ""
        self.calls = 0

    def pytest_runtest_setup(self, item: Any) -> None:
        self.test, self.calls = item.nodeid, 0

    def install(self) -> None:
        import lab.sweep_judge
        import lab.verdicts

        inner, cells = lab.verdicts._judge, lab.sweep_judge.judge_cells

        def judged(*a: Any, **k: Any) -> Any:
            out = inner(*a, **k)
            self.calls += 1
            self.records.append((f"test/{self.test}#{self.calls}", out))
            return out

        def judged_cells(*a: Any, **k: Any) -> Any:
            out = cells(*a, **k)
            self.calls += 1
            fields = {f: getattr(out, f).tolist() for f in vars(out) if isinstance(getattr(out, f), np.ndarray)}
            self.records.append((f"test/{self.test}#{self.calls}", fields))
            return out

        lab.verdicts._judge = judged  # type: ignore[attr-defined]
        lab.sweep_judge.judge_cells = judged_cells  # type: ignore[assignment]
        import lab.sweeps

        lab.sweeps.judge_cells = judged_cells  # type: ignore[attr-defined]


def test_cases() -> Iterator[tuple[str, Any]]:
    import pytest

    rec = Recorder()
    rec.install()
    pytest.main(["-q", "-p", "no:cacheprovider", "-x", *TEST_FILES], plugins=[rec])
    yield from rec.records


def lines(random_count: int, with_tests: bool) -> Iterator[dict[str, str]]:
    gen = cases(random_count)
    if with_tests:
        gen = itertools.chain(gen, test_cases())
    for name, out in gen:
        yield {"case": name, "canon": json.dumps(canon(out), ensure_ascii=False), "json": json_of(out)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["dump", "check"])
    ap.add_argument("file", type=Path)
    ap.add_argument("--random", type=int, default=300, help="number of random scenarios")
    ap.add_argument("--tests", action="store_true", help="also the verdict tests' judgements")
    a = ap.parse_args()
    if a.mode == "dump":
        n = 0
        with a.file.open("w", encoding="utf-8") as f:
            for rec in lines(a.random, a.tests):
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                n += 1
        print(f"{n} cases written to {a.file}")
        return 0
    want = {}
    for row in a.file.read_text(encoding="utf-8").splitlines():
        rec = json.loads(row)
        want[rec["case"]] = rec
    bad = seen = 0
    for rec in lines(a.random, a.tests):
        seen += 1
        old = want.pop(rec["case"], None)
        if old is None or old["canon"] != rec["canon"] or old["json"] != rec["json"]:
            bad += 1
            print(f"DIFFERS: {rec['case']}" + (" (new case)" if old is None else ""))
            if old is not None and bad <= 3:
                print("  before:", old["canon"][:1500])
                print("  after: ", rec["canon"][:1500])
    for name in want:
        print(f"MISSING: {name}")
    print(f"{seen} cases checked, {bad} differ, {len(want)} missing")
    return 1 if bad or want else 0


if __name__ == "__main__":
    raise SystemExit(main())
