"""An incident an alert opened on a service that feeds no status component: it folds,
it can be declared (not public), and its postmortem says where it came from."""

from __future__ import annotations

from console.domain.intake.alert import parse_body
from console.domain.intake.engine import intake_alerts
from console.domain.model import State
from console.domain.postmortem import render_postmortem
from console.domain.settings import settings_from_dict
from tests.lifecycle.world import World

KEY = "R0UT1NGKEYnocomponents0123456789"


def test_alert_on_a_service_without_components(clock):
    settings = settings_from_dict(
        {"services": {"batch": {"integration_keys": [KEY]}}}, source="t.toml"
    )
    body = {
        "routing_key": KEY,
        "event_action": "trigger",
        "dedup_key": "b1",
        "payload": {"summary": "Nightly batch late", "source": "cron", "severity": "error"},
    }
    state = State()
    result = intake_alerts(state, settings, parse_body(body, clock.now()), clock.now())
    for ev in result.events:
        state.apply(ev)  # an "opened" event whose components are None
    inc = state.get("INC-1")
    assert inc is not None and inc.components == [] and inc.service == "batch"
    world = World(settings, clock)
    world.state = state
    out = world.run("declare INC-1 sev2")
    assert out.intents[0]["args"]["public"] is None
    md = render_postmortem(state, "INC-1", clock.now())
    assert "INC-1 opened 2026-11-30 09:00:00Z (from intake) on batch." in md
