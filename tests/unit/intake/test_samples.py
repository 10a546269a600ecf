"""The shipped sample alerts and config work together, as the README says."""

from __future__ import annotations

import tomllib
from pathlib import Path

from console.cli.ingest_cmd import read_bodies
from console.domain.intake.config import load_intake_config
from tests.unit.intake.helpers import T0, Feed

ROOT = Path(__file__).resolve().parents[3] / "sample_data"


def sample_feed() -> Feed:
    doc = tomllib.loads((ROOT / "config" / "intake.toml").read_text())
    f = Feed(doc)
    load_intake_config(f.settings)  # the sample config compiles
    return f


def ingest(f: Feed, name: str, at=T0):
    results = []
    for _where, body in read_bodies((ROOT / "alerts" / name).read_bytes(), name):
        results.append(f.send(body, at=at))
    return [o for r in results for o in r.outcomes]


def test_events_v2_sequence():
    f = sample_feed()
    outcomes = [(o.result, o.incident) for o in ingest(f, "events-v2-sequence.jsonl")]
    assert outcomes == [
        ("opened", "INC-1"),
        ("deduplicated", "INC-1"),
        ("grouped", "INC-1"),  # payments groups by time
        ("opened", "INC-2"),  # db-1 routed to database
        ("dropped", None),  # [test]
        ("acknowledged", "INC-1"),
        ("resolved", "INC-1"),
        ("resolved", "INC-1"),
        ("dropped", None),  # unknown key
        ("change", None),
    ]
    assert f.state.get("INC-1").status == "resolved"
    assert f.state.get("INC-2").service == "database"


def test_alertmanager_pair_and_opsgenie():
    f = sample_feed()
    assert [o.result for o in ingest(f, "alertmanager-firing.json")] == ["opened", "grouped"]
    assert f.state.get("INC-1").service == "checkout"
    assert [o.result for o in ingest(f, "alertmanager-resolved.json", T0.add(minutes=30))] == [
        "resolved",
        "resolved",
    ]
    assert f.state.get("INC-1").status == "resolved"
    [o] = ingest(f, "opsgenie-create.json")
    assert o.result == "opened" and f.state.get(o.incident).priority == "P2"


def test_single_trigger_and_the_maintenance_window():
    f = sample_feed()
    [o] = ingest(f, "events-v2-trigger.json")
    assert o.result == "opened"
    db = '{"routing_key": "0f9e8d7c6b5a49382716f5e4d3c2b1a0", "event_action": "trigger", "payload": {"summary": "x", "source": "db-2", "severity": "critical"}}'
    res = f.send(__import__("json").loads(db), at=T0.set(year=2026, month=12, day=1, hour=3))
    assert res.outcomes[0].result == "suppressed"
