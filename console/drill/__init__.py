"""Drill mode: scripted incidents on a simulated clock, fully offline, scored.

The contract with the UI (DESIGN.md, the drill-session contract):

- `list_scenarios() -> list[ScenarioInfo]`: the bundled scenarios (name, title, summary);
- `start_drill(scenario, root=None, speed=1, headless=False) -> DrillSession`: a new,
  empty drill store in its own folder (first incident INC-1), a `SimulatedClock`;
- `DrillSession`: `.store`, `.clock`, `.settings`, `.scenario`, `.tick()`, `.finished`,
  `.report()` (`Report`: `.markdown`, `.data`), `.execute(line)`; headless `.run_headless()`.

Modules: `yamlfile` (YAML with line numbers), `scenario` (load and check), `responses`
(headless scripts), `catalog` (bundled names), `session` (the running drill), `remote`
(fakes, sync engine, other responders), `faults`, `score`, `report`.
"""

from console.drill.catalog import DEFAULT_SCENARIO, ScenarioInfo, find_scenario, list_scenarios
from console.drill.report import Report
from console.drill.responses import Response, load_responses
from console.drill.scenario import Objective, Scenario, load_scenario
from console.drill.session import DrillSession, Happened, start_drill
from console.drill.yamlfile import DrillError

__all__ = [
    "DEFAULT_SCENARIO",
    "DrillError",
    "DrillSession",
    "Happened",
    "Objective",
    "Report",
    "Response",
    "Scenario",
    "ScenarioInfo",
    "find_scenario",
    "list_scenarios",
    "load_responses",
    "load_scenario",
    "start_drill",
]
