"""The PagerDuty adapter against the fake served on 127.0.0.1; every request and answer is
checked against PagerDuty's OpenAPI file when the test ends (conftest `pd`)."""

from __future__ import annotations

import uuid

import pytest

from console.domain.clock import iso
from console.providers.fakes import Fault
from console.providers.fakes.base import writes
from console.providers.http import CallFailed, ReadOnlyRefused
from console.providers.protocol import DeliveryContext
from tests.providers.worlds import PD_TOKEN, PagerDutyWorld


def intent(op, incident="INC-1", clock=None, **args):
    return {
        "id": uuid.uuid4().hex,
        "op": op,
        "incident": incident,
        "args": args,
        "created_at": "2026-03-01T11:59:00Z",
        "origin": "local",
    }


def local_incident(**kw):
    doc = {
        "id": "INC-1",
        "title": "Payments degraded",
        "status": "triggered",
        "service": "payments",
        "urgency": "high",
        "priority": None,
        "provider_ids": {},
    }
    doc.update(kw)
    return doc


def opened(pd, title="Payments degraded"):
    it = intent(
        "incident.open",
        title=title,
        service="payments",
        severity=2,
        urgency="high",
        priority=None,
        dedup_key=None,
    )
    done = pd.adapter.deliver(it, DeliveryContext(incident=local_incident()))
    assert done.state == "sent" and done.linked
    return done.linked


def ctx_for(remote_id, ambiguous=False, **kw):
    return DeliveryContext(
        remote_id=remote_id,
        incident=local_incident(provider_ids={"pagerduty": remote_id}, **kw),
        retry_after_ambiguity=ambiguous,
    )


def test_open_creates_one_incident_with_the_intent_as_incident_key(pd):
    rid = opened(pd)
    inc = pd.fake.incidents[rid]
    assert inc["title"] == "Payments degraded"
    assert inc["service"]["id"] == pd.ids["service"]
    assert pd.fake.requests[-1].headers["from"] == "ada@example.com"
    assert pd.fake.requests[-1].headers["authorization"] == f"Token token={PD_TOKEN}"


def test_open_after_an_ambiguous_drop_is_found_not_duplicated(pd):
    it = intent(
        "incident.open",
        title="Checkout errors",
        service="payments",
        severity=2,
        urgency="high",
        priority="P2",
        dedup_key=None,
    )
    pd.fake.inject(Fault("drop", apply=True, match=writes))
    with pytest.raises(CallFailed) as info:
        pd.adapter.deliver(it, DeliveryContext(incident=local_incident()))
    assert info.value.ambiguous
    done = pd.adapter.deliver(
        it, DeliveryContext(incident=local_incident(), retry_after_ambiguity=True)
    )
    assert done.state == "sent" and done.linked
    assert len(pd.fake.incidents) == 1
    assert pd.fake.incidents[done.linked]["priority"]["name"] == "P2"


def test_open_retried_without_knowing_is_refused_as_duplicate_then_linked(pd):
    it = intent(
        "incident.open",
        title="Checkout errors",
        service="payments",
        severity=2,
        urgency="high",
        priority=None,
        dedup_key="alert-77",
    )
    first = pd.adapter.deliver(it, DeliveryContext(incident=local_incident()))
    again = pd.adapter.deliver(it, DeliveryContext(incident=local_incident()))
    assert again.linked == first.linked and len(pd.fake.incidents) == 1


def test_unknown_service_is_final_with_the_fix_named(pd):
    it = intent(
        "incident.open",
        title="x",
        service="billing",
        severity=3,
        urgency="high",
        priority=None,
        dedup_key=None,
    )
    with pytest.raises(CallFailed) as info:
        pd.adapter.deliver(it, DeliveryContext(incident=local_incident(service="billing")))
    assert info.value.decision.action == "final"
    assert "[services.billing] pagerduty_id" in str(info.value)


def test_ack_resolve_and_reopen(pd):
    rid = opened(pd)
    assert pd.adapter.deliver(intent("incident.ack"), ctx_for(rid)).state == "sent"
    assert pd.fake.incidents[rid]["status"] == "acknowledged"
    again = pd.adapter.deliver(intent("incident.ack"), ctx_for(rid))
    assert "already acknowledged" in again.detail
    pd.adapter.deliver(intent("incident.resolve", note="rolled back"), ctx_for(rid))
    assert pd.fake.incidents[rid]["status"] == "resolved"
    assert any(
        e.get("note") == "rolled back"
        for e in pd.fake.log_entries
        if e["type"] == "resolve_log_entry"
    )
    pd.adapter.deliver(intent("incident.reopen"), ctx_for(rid))
    assert pd.fake.incidents[rid]["status"] == "triggered"


def test_ack_on_an_incident_resolved_elsewhere_is_superseded_not_reopened(pd):
    rid = opened(pd)
    pd.fake.web_set_status(rid, "resolved", pd.ids["grace"])
    done = pd.adapter.deliver(intent("incident.ack"), ctx_for(rid))
    assert done.state == "superseded"
    assert done.remote_facts["status"] == "resolved" and done.remote_facts["by"] == "Grace Hopper"
    assert pd.fake.incidents[rid]["status"] == "resolved"  # not reopened by our ack
    for op, args in [
        ("incident.escalate", {"level": 2}),
        ("incident.snooze", {"seconds": 600}),
        ("incident.reassign", {"user": "grace"}),
    ]:
        assert pd.adapter.deliver(intent(op, **args), ctx_for(rid)).state == "superseded"


def test_conflict_codes_from_pagerduty_are_superseded(pd):
    rid = opened(pd)
    # triggered, not acknowledged: PagerDuty refuses a snooze with 1002
    done = pd.adapter.deliver(intent("incident.snooze", seconds=600), ctx_for(rid))
    assert done.state == "superseded"


def test_escalate_reassign_priority_snooze(pd):
    rid = opened(pd)
    pd.adapter.deliver(intent("incident.escalate", level=2), ctx_for(rid))
    assert pd.fake.incidents[rid]["escalation_level"] == 2
    pd.adapter.deliver(intent("incident.reassign", user="grace"), ctx_for(rid))
    assert pd.fake.incidents[rid]["assignments"][0]["assignee"]["id"] == pd.ids["grace"]
    pd.adapter.deliver(intent("incident.priority", priority="P1"), ctx_for(rid))
    assert pd.fake.incidents[rid]["priority"]["name"] == "P1"
    pd.adapter.deliver(intent("incident.ack"), ctx_for(rid))
    assert pd.adapter.deliver(intent("incident.snooze", seconds=900), ctx_for(rid)).state == "sent"
    with pytest.raises(CallFailed, match="no priority named 'P9'"):
        pd.adapter.deliver(intent("incident.priority", priority="P9"), ctx_for(rid))


def test_note_is_posted_once_even_after_a_drop_following_the_post(pd):
    rid = opened(pd)
    it = intent("incident.note", text="Rolled back deploy 4411")
    pd.fake.inject(Fault("drop", apply=True, match=writes))
    with pytest.raises(CallFailed) as info:
        pd.adapter.deliver(it, ctx_for(rid))
    assert info.value.ambiguous
    done = pd.adapter.deliver(it, ctx_for(rid, ambiguous=True))
    assert done.state == "sent" and "found" in done.detail
    assert [n["content"] for n in pd.fake.notes[rid]] == [
        f"Rolled back deploy 4411 [ic:{it['id'][:12]}]"
    ]


def test_note_after_a_slow_answer_that_never_landed_is_posted(clock):
    world = PagerDutyWorld(clock, timeout=0.2)
    try:
        rid = opened(world)
        it = intent("incident.note", text="checking")
        world.fake.inject(Fault("slow", delay=0.5, apply=False, match=writes))
        with pytest.raises(CallFailed) as info:
            world.adapter.deliver(it, ctx_for(rid))
        assert info.value.ambiguous
        world.adapter.deliver(it, ctx_for(rid, ambiguous=True))
        assert len(world.fake.notes[rid]) == 1
    finally:
        world.close()


def test_merge_page_status_update_and_maintenance(pd):
    target = opened(pd, "Checkout down")
    source = opened(pd, "Card auth errors")
    it = intent("incident.merge", sources=["INC-2"])
    ctx = DeliveryContext(
        remote_id=target,
        incident=local_incident(provider_ids={"pagerduty": target}),
        remote_ids={"INC-1": target, "INC-2": source},
    )
    assert pd.adapter.deliver(it, ctx).state == "sent"
    assert pd.fake.incidents[source]["status"] == "resolved"

    page = intent("incident.page", target="grace", target_type="user", message="Need a DBA")
    done = pd.adapter.deliver(page, ctx_for(target))
    assert done.state == "sent"
    rr = pd.fake.responder_requests[target][0]
    assert rr["responder_request_targets"][0]["id"] == pd.ids["grace"]
    again = pd.adapter.deliver(page, ctx_for(target, ambiguous=True))
    assert "found" in again.detail and len(pd.fake.responder_requests[target]) == 1
    pd.adapter.deliver(
        intent("incident.page", target="payments", target_type="policy", message=""),
        ctx_for(target),
    )
    assert (
        pd.fake.responder_requests[target][1]["responder_request_targets"][0]["id"]
        == pd.ids["policy"]
    )

    pd.adapter.deliver(
        intent("status.update", status="identified", text="Bad deploy", components={}),
        ctx_for(target),
    )
    assert pd.fake.status_updates[target][0]["message"] == "[identified] Bad deploy"

    start = pd.clock.now().add(hours=1)
    mw = intent(
        "maintenance.create",
        None,
        service="payments",
        start=iso(start),
        end=iso(start.add(hours=2)),
        description="DB failover",
    )
    assert pd.adapter.concerns(mw, None)
    pd.adapter.deliver(mw, DeliveryContext())
    again = pd.adapter.deliver(mw, DeliveryContext(retry_after_ambiguity=True))
    assert "found" in again.detail and len(pd.fake.maintenance_windows) == 1


def test_concerns(pd):
    inc = local_incident()
    assert pd.adapter.concerns(intent("incident.ack"), inc)
    assert not pd.adapter.concerns(intent("chat.post", text="x"), inc)
    assert not pd.adapter.concerns(
        intent("component.set", None, component="API", status="operational"), None
    )
    og_only = local_incident(service="search")
    pd.config["services"]["search"] = {"paging": ["opsgenie"]}
    assert not pd.adapter.concerns(intent("incident.ack"), og_only)
    og_only["provider_ids"] = {"pagerduty": "Q1"}  # linked anyway: it concerns PagerDuty
    assert pd.adapter.concerns(intent("incident.ack"), og_only)


def test_poll_reports_other_peoples_actions_with_their_names(pd):
    rid = opened(pd)
    pd.adapter.deliver(intent("incident.note", text="ours"), ctx_for(rid))
    pd.clock.advance(60)
    pd.fake.web_set_status(rid, "acknowledged", pd.ids["grace"])
    pd.fake.web_note(rid, pd.ids["grace"], "Looking at the DB \x1b[31mnow")
    other = pd.fake.web_create("Search slow", pd.ids["service"], pd.ids["grace"])
    news = pd.adapter.poll(pd.clock.now().subtract(minutes=5))
    kinds = [(n.kind, n.author) for n in news]
    assert ("acknowledged", "Grace Hopper") in kinds
    notes = [n for n in news if n.kind == "note"]
    assert [n.text for n in notes] == [
        "Looking at the DB  [31mnow"
    ]  # our own note skipped, escapes removed
    opened_news = [n for n in news if n.kind == "triggered" and n.remote_incident == other]
    assert (
        opened_news[0].data["title"] == "Search slow"
        and opened_news[0].data["service"] == "payments"
    )
    assert news == sorted(news, key=lambda n: n.at)
    assert len({n.key for n in news}) == len(news)


def test_oncalls(pd):
    assert pd.adapter.oncalls()[0]["user"] == "Ada Lovelace"


def test_read_only_sends_no_write(clock):
    world = PagerDutyWorld(clock, read_only=True)
    try:
        rid = world.fake.web_create("Search slow", world.ids["service"], world.ids["grace"])
        with pytest.raises(ReadOnlyRefused):
            world.adapter.deliver(intent("incident.ack"), ctx_for(rid))
        with pytest.raises(ReadOnlyRefused):
            world.adapter.deliver(intent("incident.note", text="x"), ctx_for(rid))
        assert world.fake.writes() == [] and world.events_fake.writes() == []
        assert world.adapter.poll(None)  # reading still works
    finally:
        world.close()


def test_events_only_open_ack_resolve(clock):
    world = PagerDutyWorld(clock, events_only=True)
    try:
        adapter = world.adapter
        assert adapter.rest is None
        it = intent(
            "incident.open",
            title="Disk full",
            service="payments",
            severity=1,
            urgency="high",
            priority=None,
            dedup_key="disk/db1",
        )
        done = adapter.deliver(it, DeliveryContext(incident=local_incident()))
        assert done.extra_links == {"pagerduty_events": "disk/db1"}
        (inc,) = world.fake.incidents.values()
        assert inc["incident_key"] == "disk/db1" and inc["title"] == "Disk full"
        linked = DeliveryContext(
            incident=local_incident(provider_ids={"pagerduty_events": "disk/db1"})
        )
        adapter.deliver(intent("incident.ack"), linked)
        assert inc["status"] == "acknowledged"
        adapter.deliver(intent("incident.resolve", note=None), linked)
        assert inc["status"] == "resolved"
        assert not adapter.concerns(intent("incident.note", text="x"), local_incident())
        assert (
            world.events_fake.events[0]["routing_key"] == world.events_fake.events[0]["routing_key"]
        )
    finally:
        world.close()
        from tests.providers.worlds import check_against_spec

        check_against_spec(world.events_fake, "pagerduty/events-api-v2.openapiv3.json", strip="/v2")


def test_missing_from_pauses(clock):
    world = PagerDutyWorld(clock)
    try:
        world.adapter.rest.from_email = None
        rid = world.fake.web_create("x", world.ids["service"], world.ids["grace"])
        with pytest.raises(CallFailed) as info:
            world.adapter.deliver(intent("incident.note", text="x"), ctx_for(rid))
        assert info.value.decision.action == "pause" and "PAGERDUTY_FROM" in str(info.value)
    finally:
        world.close()


def test_an_incident_without_a_service_is_final_with_the_fix_named(pd):
    it = intent(
        "incident.open",
        title="x",
        service=None,
        severity=3,
        urgency="high",
        priority=None,
        dedup_key=None,
    )
    with pytest.raises(CallFailed, match="--service NAME") as info:
        pd.adapter.deliver(it, DeliveryContext(incident=local_incident(service=None)))
    assert info.value.decision.action == "final"
