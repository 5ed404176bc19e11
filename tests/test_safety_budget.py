"""Bounded work: the estimate refuses what is over the budget and says what would fit; the
loop's deadline stops what the estimate let through; the command line takes --budget, exits
2 with one line for every invalid input and always prints strict JSON."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lab.budget
import lab.engine
from lab import parse_scenario, simulate
from lab.budget import BUDGET_SECONDS, BudgetError, WorkLimitError, check_budget, estimate

CliRun = Callable[..., Any]
DEEP = "sin(" * 49 + "x*y" + ")" * 49
SIX = ["sgd", "momentum", "adam", "rmsprop", "nadam", "radam"]


def scenario(runs: list[str], steps: int, surface: Any = "ravine") -> Any:
    return parse_scenario(
        {"surface": surface, "steps": steps, "runs": [{"optimizer": r} for r in runs]}
    )


def test_the_runaway_link_is_refused_with_steps_that_fit() -> None:
    sc = scenario(SIX, 100_000, {"expr": DEEP, "x_range": [-1, 1], "y_range": [-1, 1]})
    surface = sc.build_surface()
    with pytest.raises(BudgetError) as e:
        simulate(sc, record_state=True, budget=BUDGET_SECONDS)
    message = str(e.value)
    assert message.startswith("6 runs × 100,000 steps on this formula ≈ ")
    assert "at most ≈ 3 s: lower the steps to " in message
    fit = int(message.split("lower the steps to ")[1].split()[0].rstrip(",").replace(",", ""))
    assert 1000 <= fit < 100_000
    smaller = scenario(SIX, fit, {"expr": DEEP, "x_range": [-1, 1], "y_range": [-1, 1]})
    assert estimate(smaller, surface, record_state=True).seconds <= BUDGET_SECONDS
    assert "步数降到" in e.value.text("zh")  # the app shows it in its language


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([*SIX, "adagrad_lecture", "adadelta"]), min_size=1, max_size=6),
    st.integers(1000, 1_000_000),
    st.sampled_from(["ravine", "rosenbrock", "rastrigin"]),
)
def test_what_the_refusal_suggests_fits_the_budget(runs: list[str], steps: int, surface: str) -> None:
    if len(runs) * steps > 20_000_000:
        steps = 20_000_000 // len(runs)
    sc = scenario(runs, steps, surface)
    s = sc.build_surface()
    try:
        seconds = check_budget(sc, s, BUDGET_SECONDS, record_state=True)
    except BudgetError as e:
        values = e.values
        fewer_steps = scenario(runs, int(values["max_steps"].replace(",", "")), surface)
        assert estimate(fewer_steps, s, record_state=True).seconds <= BUDGET_SECONDS
        if values["max_runs"]:
            fewer_runs = scenario(runs[: values["max_runs"]], steps, surface)
            assert estimate(fewer_runs, s, record_state=True).seconds <= BUDGET_SECONDS
            if values["max_runs"] + 1 < len(runs):
                more = scenario(runs[: values["max_runs"] + 1], steps, surface)
                assert estimate(more, s, record_state=True).seconds > BUDGET_SECONDS
        return
    assert seconds <= BUDGET_SECONDS


def test_the_estimate_grows_with_steps_runs_and_the_formula() -> None:
    ravine = scenario(["adam"], 1000)
    s = ravine.build_surface()
    e1 = estimate(ravine, s).seconds
    assert estimate(scenario(["adam"], 2000), s).seconds > 1.9 * e1
    assert estimate(scenario(["adam", "sgd"], 1000), s).seconds > e1
    assert estimate(ravine, s, record_state=True).seconds > e1
    deep = scenario(["adam"], 1000, {"expr": DEEP, "x_range": [-1, 1], "y_range": [-1, 1]})
    assert estimate(deep, deep.build_surface()).seconds > 2 * e1  # its gradient costs more


def test_the_deadline_stops_what_a_wrong_estimate_let_through(monkeypatch: pytest.MonkeyPatch) -> None:
    """The safety net: with an estimate of nothing (a bad one) and a budget of 0.05 s, the
    loop stops at its deadline (2 x the larger of the budget, the estimate and 0.1 s), with
    its own message."""
    monkeypatch.setattr(lab.engine, "check_budget", lambda *a, **k: 0.0)
    started = time.thread_time()
    with pytest.raises(WorkLimitError) as e:
        simulate(
            {"surface": "rosenbrock", "steps": 1_000_000, "runs": [{"optimizer": "adam"}]},
            budget=0.05,
        )
    used = time.thread_time() - started
    assert used < 2.0  # stopped long before the million steps (about 20 s)
    message = str(e.value)
    assert message.startswith("stopped at step ") and "of 1,000,000" in message
    assert "past the hard limit of 0.2 s" in message and "lower the steps or the runs" in message


def test_without_a_budget_the_python_api_runs_whatever_it_costs() -> None:
    sc = scenario(["adam"], 300)
    assert len(simulate(sc).runs[0].trajectory) == 301
    assert lab.budget.HARD_LIMIT >= 1.5  # the net sits beyond the estimate's spread


# --- the command line -------------------------------------------------------------------------
def write(tmp_path: Path, value: Any, name: str = "s.json") -> str:
    f = tmp_path / name
    f.write_text(value if isinstance(value, str) else json.dumps(value))
    return str(f)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"surface": "ravine", "runs": [{"optimizer": "sgd", "params": {"lr": 1' + "0" * 400 + "}}]}",
         "runs[0].params.lr = 1000"),
        ('{"surface": "ravine", "runs": [{"optimizer": "sgd", "params": {"lr": 1e400}}]}', "is not finite"),
        ('{"surface": "ravine", "runs": [{"optimizer": "sgd", "params": {"lr": NaN}}]}', "is not finite"),
        ('{"surface": "ravine", "steps": 1e19, "runs": [{"optimizer": "sgd"}]}', "steps = 1e+19 is out of range"),
        ('{"surface": "ravine", "runs": [{"optimizer": "sgd", "schedule": {"name": "step", "params": {"step_size": 1e19}}}]}',
         "step_size = 1e+19 is out of range"),
        ('{"surface": {"expr": "log(-1-x**2)"}, "runs": [{"optimizer": "sgd"}]}', "not finite anywhere in the plot range"),
        ("{not json", "not valid JSON"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_invalid_input_exits_2_with_one_line(cli: CliRun, tmp_path: Path, content: str, message: str) -> None:
    p = cli("simulate", write(tmp_path, content))
    assert p.returncode == 2
    assert p.stdout == ""
    (line,) = p.stderr.strip().splitlines()  # one line, no traceback
    assert line.startswith("error: ") and message in line
    assert len(line) < 1200


def test_over_the_budget_exits_2_and_a_larger_budget_runs_it(cli: CliRun, tmp_path: Path) -> None:
    f = write(tmp_path, {"surface": "rosenbrock", "steps": 20_000, "runs": [{"optimizer": "adam"}]})
    p = cli("simulate", f, "--compact", "--budget", "0.01")
    assert p.returncode == 2
    (line,) = p.stderr.strip().splitlines()
    assert "at most ≈ 0.01 s: lower the steps to" in line and "--budget SECONDS" in line
    p = cli("simulate", f, "--compact", "--budget", "60")
    assert p.returncode == 0, p.stderr
    assert len(json.loads(p.stdout)["runs"][0]["trajectory"]) == 20_001


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "1e400", "3601", "abc"])
def test_a_bad_budget_is_refused_by_the_option_parser(cli: CliRun, tmp_path: Path, value: str) -> None:
    f = write(tmp_path, {"surface": "ravine", "steps": 10, "runs": [{"optimizer": "sgd"}]})
    p = cli("simulate", f, "--budget", value)
    assert p.returncode == 2
    assert "allowed: seconds of CPU, 0 < budget <= 3600" in p.stderr


def test_every_cut_run_prints_as_strict_json(cli: CliRun, tmp_path: Path) -> None:
    f = write(
        tmp_path,
        {
            "surface": {"expr": "x*1e308 + y**2"},
            "steps": 30,
            "runs": [
                {"optimizer": "adam", "params": {"lr": 0.1}},
                {"optimizer": "adam", "params": {"lr": 0.1, "eps": 5e-324}},
                {"optimizer": "sgd", "params": {"lr": 1e300}},
                {"optimizer": "rmsprop", "params": {"lr": 0.1, "eps": 0.0}},
            ],
        },
    )
    for command in (["simulate", f], ["render", f, "-o", str(tmp_path / "out.json")]):
        p = cli(*command)
        assert p.returncode == 0, p.stderr
        text = p.stdout if command[0] == "simulate" else (tmp_path / "out.json").read_text()
        out = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
        assert all(r["verdict"]["kind"] == "diverged" for r in out["runs"])
