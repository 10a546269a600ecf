"""Stale status page (pure) and what is still pending per incident (pure)."""

from __future__ import annotations

import pytest

from console.domain.pending import DELIVERED_OPS, pending_for, pending_line
from console.domain.stale import row_marker, stale_page, stale_pages, status_bar_text
from tests.lifecycle.world import World


@pytest.fixture
def world(settings, clock):
    return World(settings, clock)


def test_public_incident_goes_stale_at_the_limit_and_an_update_freshens_it(world):
    world.run('declare sev2 "Payments degraded" --service payments')
    inc = world.state.get("INC-1")
    world.clock.advance(29 * 60 + 59)
    assert stale_page(inc, world.clock.now(), 30) is None
    world.clock.advance(1)
    s = stale_page(inc, world.clock.now(), 30)
    assert s is not None and s.minutes == 30 and s.page_status == "investigating"
    assert row_marker(s) == "page 30m"
    world.run('update INC-1 identified "Found it"')
    assert stale_page(inc, world.clock.now(), 30) is None
    world.clock.advance(95 * 60)
    assert row_marker(stale_page(inc, world.clock.now(), 30)) == "page 1h 35m"


def test_not_public_resolved_or_page_resolved_is_never_stale(world):
    world.run('declare sev4 "Quiet one" --service payments')  # SEV4: nothing public
    world.run('declare sev1 "Loud one" --service database')
    world.run('declare sev2 "Done on the page"')  # no components: not public
    world.run('update INC-3 resolved "All good"')
    world.clock.advance(3 * 3600)
    assert [s.incident for s in stale_pages(world.state, world.clock.now(), 30)] == ["INC-2"]
    world.run("resolve INC-2")
    assert stale_pages(world.state, world.clock.now(), 30) == []
    assert row_marker(None) == "" and status_bar_text([]) == ""


def test_status_bar_names_the_longest_silent_and_counts_the_rest(world):
    world.run('declare sev2 "A" --service payments')
    world.clock.advance(20 * 60)
    world.run('declare sev1 "B" --service database')
    world.clock.advance(40 * 60)
    stales = stale_pages(world.state, world.clock.now(), 30)
    assert [(s.incident, s.minutes) for s in stales] == [("INC-1", 60), ("INC-2", 40)]
    assert status_bar_text(stales) == (
        "INC-1: status page silent 1h 00m (+1 more) — post an update"
    )


def test_the_configured_minutes_are_used(world):
    world.run('declare sev2 "A" --service payments')
    world.clock.advance(10 * 60)
    assert stale_pages(world.state, world.clock.now(), 10)
    assert not stale_pages(world.state, world.clock.now(), world.settings.stale_minutes)


# -- pending ---------------------------------------------------------------------------


def test_untried_intents_are_queued_settled_ones_are_not(world):
    world.run('declare sev2 "A" --service payments')
    world.run('say INC-1 "hello"')
    world.run('task INC-1 "local only"')  # no provider acts on a task
    declare, say, _task = world.intents
    deliveries = {
        (declare["id"], "pagerduty"): {"state": "sent", "provider": "pagerduty"},
        (declare["id"], "statuspage"): {
            "state": "retrying",
            "provider": "statuspage",
            "detail": "connection refused",
        },
    }
    got = pending_for("INC-1", world.intents, deliveries)
    assert [pending_line(p) for p in got] == [
        "statuspage: incident.declare retrying (connection refused)",
        "chat: chat.post queued (not sent yet)",
    ]
    assert pending_for("INC-2", world.intents, deliveries) == []


def test_a_sync_engine_names_who_acts(world):
    world.run('declare sev2 "A" --service payments')
    [declare] = world.intents
    deliveries = {(declare["id"], "pagerduty"): {"state": "failed", "detail": "400 bad"}}
    got = pending_for(
        "INC-1", world.intents, deliveries, concerned=lambda i: ["pagerduty", "statuspage"]
    )
    assert [(p.provider, p.state) for p in got] == [
        ("pagerduty", "failed"),
        ("statuspage", "queued"),
    ]
    got = pending_for(
        "INC-1", world.intents, deliveries, include_failed=False, concerned=lambda i: []
    )
    assert got == []


def test_delivered_ops_match_what_the_adapters_act_on():
    from console.providers import chat_message, opsgenie_calls, statuspage_calls
    from console.providers.pagerduty import REST_OPS

    union = (
        set(REST_OPS) | set(opsgenie_calls.OPS) | set(statuspage_calls.OPS) | set(chat_message.OPS)
    )
    assert union == set(DELIVERED_OPS)


def test_the_rule_on_plain_values_and_pairs():
    from console.domain.stale import silent_for

    assert silent_for(True, "identified", 0.0, 1800.0, 30) == 30
    assert silent_for(True, "identified", 0.0, 1799.9, 30) is None
    assert silent_for(False, "identified", 0.0, 9999.0, 30) is None
    assert silent_for(True, "resolved", 0.0, 9999.0, 30) is None
    assert silent_for(True, None, 0.0, 9999.0, 30) is None
    assert silent_for(True, "monitoring", None, 9999.0, 30) is None
    assert status_bar_text([("INC-2", 31), ("INC-10", 45), ("INC-3", 45)]) == (
        "INC-3: status page silent 45m (+2 more) — post an update"
    )


def test_short_status_bar_text_fits_80_columns():
    assert status_bar_text([("INC-12", 125), ("INC-3", 31)], short=True) == (
        "INC-12 status page silent 2h 05m (+1)"
    )
