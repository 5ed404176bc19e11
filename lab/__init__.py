"""The lab's engine: ``simulate(scenario) -> Result``; maps: ``sweep(scenario) -> SweepResult``.

Data flows one way: scenario -> surface + optimizers + schedules -> simulation -> verdicts.
"""

from lab.engine import Result, RunResult, simulate
from lab.scenario import Scenario, ScenarioError, parse_scenario
from lab.sweeps import SweepResult, sweep

__all__ = [
    "Result",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "SweepResult",
    "parse_scenario",
    "simulate",
    "sweep",
]
