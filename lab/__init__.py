"""The lab's engine: ``simulate(scenario) -> Result``.

Data flows one way: scenario -> surface + optimizers + schedules -> simulation -> verdicts.
"""

from lab.engine import Result, RunResult, simulate
from lab.scenario import Scenario, ScenarioError, parse_scenario

__all__ = ["Result", "RunResult", "Scenario", "ScenarioError", "parse_scenario", "simulate"]
