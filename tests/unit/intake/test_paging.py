"""An incident opened by an alert pages its policy's first rule in the same write."""

from __future__ import annotations

import tomllib
from pathlib import Path

from console.domain.intake.engine import intake_result
from console.domain.model import State
from tests.unit.intake.helpers import T0, counter_ids, settings, trigger

ACME = Path(__file__).resolve().parents[3] / "sample_data" / "config" / "acme.toml"


def acme():
    return settings(tomllib.loads(ACME.read_text()))


def test_opening_pages_the_first_rule_and_a_ticker_adds_nothing_more():
    from console.domain.oncall.escalation import timed_events

    s = acme()
    state = State()
    res = intake_result(
        state, s, trigger("k", routing_key="acme0payments0routing0key000001"), T0, ids=counter_ids()
    )
    kinds = [e.kind for e in res.events]
    assert kinds[:2] == ["opened", "alert_triggered"] and "escalated" in kinds
    page = next(e for e in res.events if e.kind == "escalated")
    assert page.incident == "INC-1" and page.data["level"] == 1 and page.data["notified"]
    for ev in res.events:
        state.apply(ev)
    assert timed_events(state, s, T0) == []  # the same page is not due again


def test_without_page_the_first_step_is_left_to_the_ticker():
    res = intake_result(
        State(), acme(), trigger("k", routing_key="acme0payments0routing0key000001"), T0, page=False
    )
    assert [e.kind for e in res.events] == ["opened", "alert_triggered"]


def test_dedup_and_grouping_page_nobody_again():
    s = acme()
    state = State()
    for ev in intake_result(
        state, s, trigger("k", routing_key="acme0payments0routing0key000001"), T0
    ).events:
        state.apply(ev)
    res = intake_result(
        state, s, trigger("k", routing_key="acme0payments0routing0key000001"), T0.add(seconds=5)
    )
    assert [e.kind for e in res.events] == ["alert_updated"]


def test_a_broken_on_call_config_never_blocks_intake():
    broken = settings(
        {
            "services": {"payments": {"integration_keys": ["K"], "escalation_policy": "p"}},
            "policies": {
                "p": {
                    "rules": [
                        {
                            "escalation_delay_in_minutes": "soon",
                            "targets": [{"type": "schedule", "id": "nope"}],
                        }
                    ]
                }
            },
        }
    )
    res = intake_result(State(), broken, trigger("k", routing_key="K"), T0)
    kinds = [e.kind for e in res.events]
    assert kinds[:2] == ["opened", "alert_triggered"]
    err = next(e for e in res.events if e.kind == "paging_error")
    assert err.incident == "INC-1" and err.text.startswith("Could not work out who to page")


def _escalation_loaded_after_config(services: str) -> bool:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from console.domain.settings import settings_from_dict\n"
        "from console.domain.intake.config import load_intake_config\n"
        f"load_intake_config(settings_from_dict({{'services': {services}}}, source='t'))\n"
        "print('console.domain.oncall.escalation' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip() == "True"


def test_a_config_with_policies_loads_the_escalation_code_before_the_first_alert():
    # the first alert's sender must not wait for the escalation code to be imported
    assert _escalation_loaded_after_config("{'payments': {'escalation_policy': 'payments'}}")
    assert not _escalation_loaded_after_config("{'payments': {}}")
