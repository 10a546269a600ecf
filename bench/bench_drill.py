"""A headless drill: the hour-long alert storm (400 alerts, four incidents left open by a slow
commander, escalations, sync to the in-process fakes, the report) against its floor, the same
400 alerts through intake into a fresh store plus the same command lines and one drain of
the outbox to the same in-process fakes, in the same run.

The claim it checks: the clock jumps from one due thing to the next, so an hour's drill
costs little more than the work its alerts and commands need anyway (goal: ratio <= 3).

    python bench/bench_drill.py [--quick]       # or: python bench/run.py drill
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script from a checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console.actions import execute_line
from console.domain.clock import FixedClock
from console.domain.intake.alert import parse_body
from console.domain.intake.config import load_intake_config
from console.domain.intake.engine import intake_alerts
from console.drill import find_scenario, load_responses, start_drill
from console.drill.remote import DrillRemote
from console.paths import sample_data_dir
from console.store import Store

SCENARIO = "alert-storm"
GOAL = 3.0


def _responses_path() -> Path:
    return sample_data_dir() / "scenarios" / "responses" / f"{SCENARIO}.misses.yaml"


def _drill(root: Path) -> tuple[float, float]:
    t0 = time.perf_counter()
    session = start_drill(SCENARIO, root=root, headless=True, responses=_responses_path())
    report = session.run_headless()
    session.close()
    wall = time.perf_counter() - t0
    # the missing responses leave incidents open: the drill runs its whole hour
    assert report.data["elapsed_seconds"] == session.scenario.duration
    return wall, report.data["elapsed_seconds"]


def _floor(root: Path) -> float:
    """The same alerts and command lines straight into a store, then one sync pass: no
    clock, no timers, no repeated polls, no report."""
    scenario = find_scenario(SCENARIO)
    moves = load_responses(_responses_path(), scenario.start, scenario.duration)
    t0 = time.perf_counter()
    settings = scenario.settings
    config = load_intake_config(settings)
    store = Store.open(root / "floor", kind="drill")
    alerts = [i for i in scenario.injects if i.kind == "alert"]
    fns = []
    for inj in alerts:
        at = scenario.start.add(seconds=int(inj.at))
        fns.append(
            lambda state, body=inj.spec["body"], at=at: intake_alerts(
                state, settings, parse_body(body, at), at, config=config
            )
        )
    # the drill commits a burst of alerts per 30 simulated seconds; so does the floor
    for i in range(0, len(fns), 30):
        store.transact_many(fns[i : i + 30])
    for move in moves:
        clock = FixedClock(scenario.start.add(seconds=int(move.at)))
        execute_line(store, move.line, settings, clock)
    # and the outbox sent once to the same in-process fakes (one drain, one poll)
    remote = DrillRemote(store, settings, FixedClock(scenario.end), scenario.config, 3600)
    remote.run(poll=True)
    remote.close()
    store.close()
    return time.perf_counter() - t0


def run(quick: bool = False) -> dict:
    rounds = 3 if quick else 7
    walls, floors, simulated = [], [], 0.0
    with tempfile.TemporaryDirectory(prefix="bench-drill-") as tmp:
        for n in range(rounds):
            root = Path(tmp) / f"r{n}"
            floors.append(_floor(root))
            wall, simulated = _drill(root)
            walls.append(wall)
    value = statistics.median(walls)
    floor = statistics.median(floors)
    ratio = value / floor
    return {
        "name": "drill_alert_storm_hour",
        "value": value,
        "unit": "s",
        "floor": floor,
        "ratio": ratio,
        "goal": f"ratio <= {GOAL:g} ({simulated / 60:.0f} simulated minutes)",
        "ok": ratio <= GOAL,
    }


if __name__ == "__main__":
    r = run(quick="--quick" in sys.argv)
    print(
        f"{r['name']}: {r['value']:.4g} {r['unit']} (floor: {r['floor']:.4g}, "
        f"ratio: {r['ratio']:.3g}, goal: {r['goal']}) {'PASS' if r['ok'] else 'FAIL'}"
    )
