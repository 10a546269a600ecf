"""The whole lifecycle against every provider's fake on 127.0.0.1.

An alert fires through the console's receiver, the on-call is paged (PagerDuty), the
incident is declared (Statuspage investigating, chat), updated, resolved; every request
is checked against ../shared/specs; the postmortem holds every timeline event; the status
page never receives an internal name; each service pages through its own provider.
"""

from __future__ import annotations

import re

import pytest

from console.domain.clock import FixedClock
from console.domain.pending import pending_for
from console.domain.postmortem import incident_events
from console.domain.text import inert
from tests.lifecycle.providers_world import INTERNAL_NAMES, PUBLIC, Console, check_all_against_specs


@pytest.fixture
def console(tmp_path):
    c = Console(tmp_path, FixedClock("2026-11-30T09:00:00Z"))
    yield c
    c.close()
    counts = check_all_against_specs(c)
    assert counts["pagerduty"] and counts["statuspage"] and counts["chat"]


def pd_writes(c: Console, path_part: str) -> list:
    return [r for r in c.pd.requests if r.method != "GET" and path_part in r.path]


def test_alert_page_declare_update_resolve_postmortem(console):
    c = console
    answer = c.alert("payments-service-prod-us-east-1: 5xx above 5%", "pay-5xx")
    assert answer.status_code == 202
    c.sync()
    # the alert opened INC-1 and paged the on-call: locally, and through PagerDuty
    kinds = [e.kind for e in c.timeline("INC-1")]
    assert kinds[:3] == ["opened", "alert_triggered", "escalated"]
    inc = c.store.state.get("INC-1")
    pd_id = inc.provider_ids["pagerduty"]
    remote = c.pd.incidents[pd_id]
    assert remote["status"] == "triggered" and remote["assignments"]
    assert remote["service"]["id"] == c.pd_ids["service"]

    c.clock.advance(120)
    c.run("ack INC-1")
    c.run('declare INC-1 sev2 "Payments degraded"')
    c.sync()
    assert c.pd.incidents[pd_id]["status"] == "acknowledged"
    [sp_id] = c.sp.incidents
    assert c.store.state.get("INC-1").provider_ids["statuspage"] == sp_id
    page = c.sp.incidents[sp_id]
    assert page["status"] == "investigating" and page["impact"] == "major"
    assert c.sp.components[PUBLIC["Payment Processing"]]["status"] == "partial_outage"
    assert "Payments degraded" in c.chat.posts[-1]["text"]

    c.clock.advance(900)
    c.run(
        'update INC-1 identified "Root cause found: a bad deploy" '
        '--component "Payment Processing=degraded_performance"'
    )
    c.run('say INC-1 "Rolling back now"')
    c.sync()
    page = c.sp.incidents[sp_id]
    assert page["status"] == "identified"
    assert page["incident_updates"][0]["body"] == "Root cause found: a bad deploy"
    assert c.sp.components[PUBLIC["Payment Processing"]]["status"] == "degraded_performance"
    assert pd_writes(c, "/status_updates"), "PagerDuty got a status update"
    assert any("Rolling back now" in p["text"] for p in c.chat.posts)

    c.clock.advance(1800)
    c.run('task INC-1 "Canary deploys for payments" --owner grace')
    c.run('resolve INC-1 --note "Rolled back; error rate normal"')
    draft_at_resolve = c.postmortem("INC-1")  # written before anything reached a provider
    c.sync()
    assert c.pd.incidents[pd_id]["status"] == "resolved"
    page = c.sp.incidents[sp_id]
    assert page["status"] == "resolved"
    assert c.sp.components[PUBLIC["Payment Processing"]]["status"] == "operational"
    assert "resolved" in c.chat.posts[-1]["text"].lower()
    assert pending_for("INC-1", c.store.intents.values(), c.store.deliveries) == []

    # the draft at resolve time: every event so far, and the resolve still queued
    assert "- providers: `incident.resolve` queued: not sent yet" in draft_at_resolve
    # the clock moved 120 + 900 + 1800 s, plus a few seconds of Statuspage's 1/s limit
    assert re.search(r"\| Time to acknowledge \| 2m( \ds)? \|", draft_at_resolve)
    assert re.search(r"\| Time to resolve \| 47m( \ds)? \|", draft_at_resolve)
    assert "Canary deploys for payments (owner: Grace Hopper \\(grace\\))" in draft_at_resolve
    # written again after sync: it holds every timeline event, links learnt included
    from console.postmortem_file import write_postmortem

    c.store.refresh()
    text = write_postmortem(c.store, "INC-1", c.settings, c.clock).read_text()
    rows = [line for line in text.splitlines() if re.match(r"^\| \d{4}-", line)]
    events = incident_events(c.store.state, "INC-1")
    assert len(rows) == len(events) and len(events) >= 15
    kinds = {e.kind for e in events}
    assert {"opened", "escalated", "acknowledged", "declared", "provider_linked"} <= kinds
    assert {"status_page_update", "chat_posted", "task_added", "resolved"} <= kinds
    for row, ev in zip(rows, events, strict=True):
        plain = row.replace("\\", "")
        assert inert(ev.text, 1000) in plain and f"| {ev.author} |" in plain
    assert "Not yet delivered" not in text


def test_the_status_page_never_receives_an_internal_name(console):
    c = console
    c.alert("payments-service-prod-us-east-1 is failing (payments-db-primary at 100%)", "k1")
    c.sync()
    c.run('declare INC-1 sev1 "payments-service-prod-us-east-1 down"')
    c.run(
        'update INC-1 monitoring "Fix deployed to payments-service-prod-us-east-1" '
        '--component "Payment Processing=partial_outage"'
    )
    c.run('declare sev3 "Checkout slow" --service checkout')
    c.run("resolve INC-1")
    c.sync()
    sent = c.sent_to_statuspage()
    assert len([s for s in sent if not s.startswith("GET")]) >= 4
    for request in sent:
        for internal in INTERNAL_NAMES:
            assert internal.lower() not in request.lower(), request
        assert not re.search(r"(?<![\w-])payments(?![\w-])", request, re.IGNORECASE), request
    # what customers read: only the public names, by their ids
    names = {i["name"] for i in c.sp.incidents.values()}
    assert all("payments-service" not in n for n in names)
    touched = {
        cid
        for i in c.sp.incidents.values()
        for u in i["incident_updates"]
        for cid in (x["code"] for x in u.get("affected_components") or [])
    }
    assert touched <= set(PUBLIC.values())


def test_each_service_pages_through_its_own_provider(console):
    c = console
    c.run('declare sev2 "Checkout errors" --service checkout')
    c.run('declare sev2 "Payments errors" --service payments')
    c.sync()
    opsgenie_aliases = {a["alias"] for a in c.og.alerts.values()}
    assert any(alias.endswith("INC-1") for alias in opsgenie_aliases)
    assert not any(alias.endswith("INC-2") for alias in opsgenie_aliases)
    pd_titles = {i["title"] for i in c.pd.incidents.values()}
    assert pd_titles == {"Payments errors"}
    assert "opsgenie" in c.store.state.get("INC-1").provider_ids
    assert "pagerduty" not in c.store.state.get("INC-1").provider_ids
    assert "pagerduty" in c.store.state.get("INC-2").provider_ids
    c.run("resolve INC-1")
    c.sync()
    [alert] = [a for a in c.og.alerts.values() if a["alias"].endswith("INC-1")]
    assert alert["status"] == "closed"
