"""intake(): routing, rules, dedup lifecycle, grouping, maintenance, out-of-order arrivals."""

from __future__ import annotations

import copy

import pytest

from console.domain.intake.engine import intake
from console.domain.model import Event, State
from tests.unit.intake.helpers import T0, Feed, action, counter_ids, settings, spec_json, trigger

PAY = {"integration_keys": ["KEY-PAY"]}
DB = {"integration_keys": ["KEY-DB"]}


def feed(**services) -> Feed:
    return Feed({"services": services or {"payments": PAY, "database": DB}})


# -- dedup lifecycle --------------------------------------------------------------------


def test_a_new_trigger_opens_an_incident_with_an_open_intent():
    f = feed()
    res = f.send(trigger("k1", "Disk full", "error"))
    assert f.kinds(res) == ["opened", "alert_triggered"]
    opened = res.events[0]
    assert (opened.incident, opened.origin, opened.author) == ("INC-1", "intake", "events-api")
    assert opened.data["title"] == "Disk full" and opened.data["service"] == "payments"
    inc = f.state.get("INC-1")
    assert (inc.status, inc.urgency, inc.service, inc.title) == (
        "triggered",
        "high",
        "payments",
        "Disk full",
    )
    [intent] = res.intents
    assert (
        intent["op"] == "incident.open"
        and intent["incident"] == "INC-1"
        and intent["origin"] == "intake"
    )
    assert intent["args"] == {
        "title": "Disk full",
        "service": "payments",
        "severity": "error",
        "urgency": "high",
        "priority": None,
        "dedup_key": "k1",
    }
    assert set(intent) == {"id", "op", "incident", "args", "created_at", "origin"}
    assert res.outcomes[0].result == "opened" and res.dedup_keys == ["k1"]


@pytest.mark.parametrize(
    "severity, urgency",
    [("critical", "high"), ("error", "high"), ("warning", "low"), ("info", "low")],
)
def test_severity_sets_urgency(severity, urgency):
    f = feed()
    f.send(trigger("k", severity=severity))
    assert f.state.get("INC-1").urgency == urgency


def test_a_repeat_trigger_adds_to_the_open_alert():
    f = feed()
    f.send(trigger("k1"))
    res = f.send(trigger("k1", summary="Disk still full"), at=T0.add(minutes=1))
    assert f.kinds(res) == ["alert_updated"] and res.intents == []
    assert res.events[0].incident == "INC-1"
    entry = f.state.alerts.entry("k1")
    assert (entry.count, entry.summary, entry.incident) == (2, "Disk still full", "INC-1")
    assert len(f.state.incidents) == 1


def test_resolve_then_same_key_opens_a_new_alert_and_incident():
    f = feed()
    f.send(trigger("k1"))
    res = f.send(action("resolve", "k1"), at=T0.add(minutes=5))
    assert f.kinds(res) == ["alert_resolved", "resolved"]
    assert [i["op"] for i in res.intents] == ["incident.resolve"]
    assert f.state.get("INC-1").status == "resolved"
    assert f.state.alerts.entry("k1") is None
    res = f.send(trigger("k1"), at=T0.add(minutes=6))
    assert f.kinds(res) == ["opened", "alert_triggered"] and res.events[0].incident == "INC-2"


@pytest.mark.parametrize("kind", ["acknowledge", "resolve"])
def test_ack_or_resolve_for_an_unknown_key_is_dropped_and_logged(kind):
    f = feed()
    res = f.send(action(kind, "ghost"))
    [ev] = res.events
    assert (ev.kind, ev.incident, ev.data["reason"], ev.data["action"]) == (
        "alert_dropped",
        None,
        "unknown_key",
        kind,
    )
    assert res.intents == [] and f.state.incidents == {}
    assert ev in f.state.store_events


def test_acknowledge_acks_the_incident_once():
    f = feed()
    f.send(trigger("k1"))
    res = f.send(action("acknowledge", "k1"), at=T0.add(minutes=2))
    assert f.kinds(res) == ["alert_acknowledged", "acknowledged"]
    assert [i["op"] for i in res.intents] == ["incident.ack"]
    assert f.state.get("INC-1").status == "acknowledged"
    res = f.send(action("acknowledge", "k1"), at=T0.add(minutes=3))
    assert f.kinds(res) == ["alert_acknowledged"] and res.intents == []


def test_trigger_without_dedup_key_gets_one_and_reports_it():
    f = feed()
    res = f.send(trigger(None))
    key = res.dedup_keys[0]
    assert key and f.state.alerts.entry(key).incident == "INC-1"
    assert res.events[1].data["dedup_key"] == key


def test_incident_resolves_only_when_all_its_alerts_resolve():
    f = feed(payments={**PAY, "alert_grouping": {"type": "time", "timeout": 0}})
    f.send(trigger("a"))
    f.send(trigger("b"), at=T0.add(minutes=1))
    assert f.state.alerts.keys_of("INC-1") == {"a", "b"}
    res = f.send(action("resolve", "a"), at=T0.add(minutes=2))
    assert f.kinds(res) == ["alert_resolved"] and f.state.get("INC-1").status == "triggered"
    res = f.send(action("resolve", "b"), at=T0.add(minutes=3))
    assert f.kinds(res) == ["alert_resolved", "resolved"]


def test_service_can_keep_incident_open_after_its_alerts_resolve():
    f = feed(database={**DB, "auto_resolve_alerts": False})
    f.send(trigger("a", routing_key="KEY-DB"))
    res = f.send(action("resolve", "a", routing_key="KEY-DB"))
    assert f.kinds(res) == ["alert_resolved"] and f.state.get("INC-1").status == "triggered"


def test_resolving_the_incident_by_hand_resolves_its_alerts():
    f = feed()
    f.send(trigger("k1"))
    f.state.apply(
        Event(
            id="u1",
            at=T0.add(minutes=1),
            kind="resolved",
            author="ada",
            origin="local",
            text="fixed",
            incident="INC-1",
        )
    )
    assert f.state.alerts.entry("k1") is None
    res = f.send(trigger("k1"), at=T0.add(minutes=2))
    assert res.events[0].kind == "opened" and res.events[0].incident == "INC-2"


def test_merging_moves_alerts_to_the_surviving_incident():
    f = feed()
    f.send(trigger("a"))
    f.send(trigger("b"))
    f.state.apply(
        Event(
            id="m1",
            at=T0,
            kind="merged_into",
            author="ada",
            origin="local",
            text="",
            incident="INC-2",
            data={"into": "INC-1"},
        )
    )
    assert f.state.alerts.entry("b").incident == "INC-1"
    assert f.state.alerts.keys_of("INC-1") == {"a", "b"}
    res = f.send(trigger("b"))
    assert f.kinds(res) == ["alert_updated"] and res.events[0].incident == "INC-1"


def test_intake_is_pure():
    f = feed()
    f.send(trigger("k1"))
    before = (
        copy.deepcopy(f.state.incidents),
        f.state.alerts.open_entries(),
        f.state.last_number,
        set(f.state.event_ids),
    )
    intake(f.state, f.settings, trigger("k2"), T0, ids=counter_ids("x"))
    intake(f.state, f.settings, action("resolve", "k1"), T0, ids=counter_ids("y"))
    after = (
        f.state.incidents,
        f.state.alerts.open_entries(),
        f.state.last_number,
        f.state.event_ids,
    )
    assert before == after


def test_same_input_gives_same_output():
    s = settings({"services": {"payments": PAY}})
    f = Feed({"services": {"payments": PAY}})
    one = intake(f.state, s, trigger("k"), T0, ids=counter_ids())
    two = intake(f.state, s, trigger("k"), T0, ids=counter_ids())
    assert one == two


# -- routing and rules ---------------------------------------------------------------------

RULES = {
    "services": {
        "payments": PAY,
        "database": {
            **DB,
            "rules": [
                {"condition": "event.severity matches 'warning'", "actions": {"priority": "P3"}},
                {
                    "condition": "event.summary matches part 'replica'",
                    "actions": {"suppress": True},
                },
            ],
        },
        "web": {},
    },
    "rules": {
        "global": [
            {
                "name": "tests",
                "condition": "event.summary matches part 'test'",
                "actions": {"drop": True},
            },
            {
                "name": "noisy",
                "condition": "event.source matches 'noisy-1'",
                "actions": {"suppress": True},
            },
            {
                "name": "sev",
                "condition": "event.custom_details.env matches 'staging'",
                "actions": {"severity": "info", "annotate": "Staging: no page"},
            },
        ],
        "router": [
            {"condition": "event.source matches regex '^db-'", "actions": {"route_to": "database"}},
            {
                "condition": "event.source matches regex '^db-|^web-'",
                "actions": {"route_to": "web"},
            },
            {"condition": "event.source matches 'lost'", "actions": {"route_to": "unrouted"}},
        ],
        "catch_all": {"route_to": "payments"},
    },
}


def rules_feed() -> Feed:
    return Feed(RULES)


def test_integration_key_names_the_service_without_the_router():
    f = rules_feed()
    f.send(trigger("k", source="web-1", routing_key="KEY-DB"))
    assert f.state.get("INC-1").service == "database"


def test_unknown_key_goes_through_router_first_match_wins():
    f = rules_feed()
    f.send(trigger("a", source="db-7", routing_key="other"))
    f.send(trigger("b", source="web-2", routing_key="other"))
    f.send(trigger("c", source="app-1", routing_key="other"))
    assert [f.state.get(i).service for i in ("INC-1", "INC-2", "INC-3")] == [
        "database",
        "web",
        "payments",
    ]


def test_unrouted_makes_no_incident():
    f = rules_feed()
    res = f.send(trigger("a", source="lost", routing_key="other"))
    assert (
        f.kinds(res) == ["alert_unrouted"] and res.events[0].incident is None and res.intents == []
    )
    assert f.state.incidents == {}


def test_global_drop_wins_before_routing():
    f = rules_feed()
    res = f.send(trigger("a", summary="This is a TEST alert", routing_key="KEY-PAY"))
    [ev] = res.events
    assert (
        ev.kind == "alert_dropped" and ev.data["reason"] == "rule" and "(tests)" in ev.data["rule"]
    )
    assert f.state.alerts.entry("a") is None


def test_global_suppress_records_the_alert_without_an_incident():
    f = rules_feed()
    res = f.send(trigger("a", source="noisy-1", routing_key="KEY-PAY"))
    [ev] = res.events
    assert (ev.kind, ev.incident, ev.data["service"]) == ("alert_suppressed", None, "payments")
    assert "rule" in ev.data["reason"]
    entry = f.state.alerts.entry("a")
    assert (entry.status, entry.incident) == ("suppressed", None)
    res = f.send(trigger("a", source="noisy-1", routing_key="KEY-PAY"))
    assert f.kinds(res) == ["alert_suppressed"] and f.state.alerts.entry("a").count == 2
    res = f.send(action("resolve", "a"))
    assert f.kinds(res) == ["alert_resolved"] and res.events[0].incident is None
    assert f.state.alerts.entry("a") is None


def test_severity_action_changes_urgency_and_annotate_adds_a_note():
    f = rules_feed()
    res = f.send(
        trigger("a", severity="critical", routing_key="KEY-PAY", custom_details={"env": "staging"})
    )
    assert f.kinds(res) == ["opened", "alert_triggered", "note"]
    assert f.state.get("INC-1").urgency == "low"
    assert res.events[2].text == "Staging: no page"
    assert [i["op"] for i in res.intents] == ["incident.open", "incident.note"]
    assert res.intents[0]["args"]["severity"] == "info"


def test_service_rules_run_after_routing_first_match():
    f = rules_feed()
    f.send(trigger("a", severity="warning", routing_key="KEY-DB"))
    assert f.state.get("INC-1").priority == "P3"
    res = f.send(trigger("b", summary="replica lag", routing_key="KEY-DB"))
    assert f.kinds(res) == ["alert_suppressed"]
    # first match wins: a warning about a replica is prioritised, not suppressed
    res = f.send(trigger("c", summary="replica lag", severity="warning", routing_key="KEY-DB"))
    assert f.kinds(res) == ["opened", "alert_triggered"]


def test_opsgenie_priority_reaches_the_incident():
    f = feed()
    f.send({"message": "Checkout down", "alias": "co", "priority": "P1"})
    # no routing key: catch-all of a config with services is unrouted
    assert f.state.incidents == {}
    f = Feed({})
    f.send({"message": "Checkout down", "alias": "co", "priority": "P1"})
    inc = f.state.get("INC-1")
    assert (inc.priority, inc.urgency, inc.service) == ("P1", "high", "default")


# -- maintenance windows ------------------------------------------------------------------

WINDOW = {
    "service": "database",
    "start": "2026-08-20T10:00:00Z",
    "end": "2026-08-20T11:00:00Z",
    "description": "failover",
}


@pytest.mark.parametrize(
    "offset_minutes, suppressed",
    [(-1, False), (0, True), (30, True), (59, True), (60, False)],
)
def test_maintenance_window_start_inclusive_end_exclusive(offset_minutes, suppressed):
    f = Feed({"services": {"database": DB}, "maintenance": [WINDOW]})
    res = f.send(trigger("a", routing_key="KEY-DB"), at=T0.add(minutes=offset_minutes))
    assert (f.kinds(res) == ["alert_suppressed"]) is suppressed
    if suppressed:
        assert (
            "maintenance window until 2026-08-20T11:00:00Z: failover"
            in res.events[0].data["reason"]
        )


def test_window_only_covers_its_service():
    f = Feed({"services": {"database": DB, "payments": PAY}, "maintenance": [WINDOW]})
    res = f.send(trigger("a", routing_key="KEY-PAY"), at=T0.add(minutes=5))
    assert f.kinds(res) == ["opened", "alert_triggered"]


def test_window_from_the_timeline_also_suppresses():
    f = Feed({"services": {"database": DB}})
    f.state.apply(
        Event(
            id="w1",
            at=T0,
            kind="maintenance_scheduled",
            author="ada",
            origin="local",
            text="",
            data={k: v for k, v in WINDOW.items()},
        )
    )
    res = f.send(trigger("a", routing_key="KEY-DB"), at=T0.add(minutes=5))
    assert f.kinds(res) == ["alert_suppressed"]


def test_an_alert_still_firing_when_the_window_ends_opens_an_incident():
    f = Feed({"services": {"database": DB}, "maintenance": [WINDOW]})
    f.send(trigger("a", routing_key="KEY-DB"), at=T0.add(minutes=50))
    res = f.send(trigger("a", routing_key="KEY-DB"), at=T0.add(minutes=61))
    assert f.kinds(res) == ["opened", "alert_triggered"]
    entry = f.state.alerts.entry("a")
    assert (entry.status, entry.incident, entry.count) == ("triggered", "INC-1", 1)


# -- grouping -------------------------------------------------------------------------------


def test_time_grouping_joins_within_the_window_then_opens_anew():
    f = feed(payments={**PAY, "alert_grouping": {"type": "time", "timeout": 300}})
    f.send(trigger("a"))
    res = f.send(trigger("b"), at=T0.add(seconds=299))
    assert (
        f.kinds(res) == ["alert_triggered"]
        and res.events[0].incident == "INC-1"
        and res.intents == []
    )
    assert res.outcomes[0].result == "grouped"
    res = f.send(trigger("c"), at=T0.add(seconds=300))
    assert res.events[0].kind == "opened" and res.events[0].incident == "INC-2"
    res = f.send(trigger("d"), at=T0.add(seconds=400))
    assert res.events[0].incident == "INC-2"


def test_time_grouping_never_joins_a_resolved_incident():
    f = feed(payments={**PAY, "alert_grouping": {"type": "time", "timeout": 0}})
    f.send(trigger("a"))
    f.send(action("resolve", "a"))
    res = f.send(trigger("b"), at=T0.add(seconds=10))
    assert res.events[0].kind == "opened" and res.events[0].incident == "INC-2"


def test_grouping_is_per_service():
    f = feed(
        payments={**PAY, "alert_grouping": {"type": "time", "timeout": 0}},
        database={**DB, "alert_grouping": {"type": "time", "timeout": 0}},
    )
    f.send(trigger("a"))
    res = f.send(trigger("b", routing_key="KEY-DB"))
    assert res.events[0].kind == "opened" and res.events[0].incident == "INC-2"


def test_content_grouping_by_fields():
    f = feed(
        payments={
            **PAY,
            "alert_grouping": {
                "type": "content_based",
                "fields": ["source", "custom_details.region"],
            },
        }
    )
    f.send(trigger("a", source="h1", custom_details={"region": "eu"}))
    r2 = f.send(trigger("b", source="h1", custom_details={"region": "eu"}, summary="other"))
    r3 = f.send(trigger("c", source="h1", custom_details={"region": "us"}))
    r4 = f.send(trigger("d", source="h2", custom_details={"region": "eu"}))
    assert r2.events[0].incident == "INC-1" and r2.events[0].kind == "alert_triggered"
    assert r3.events[0].incident == "INC-2" and r4.events[0].incident == "INC-3"


def test_no_grouping_by_default():
    f = feed()
    f.send(trigger("a"))
    res = f.send(trigger("b"))
    assert res.events[0].incident == "INC-2"


def test_one_body_sees_its_own_earlier_alerts():
    f = Feed(
        {
            "services": {"checkout": {"alert_grouping": {"type": "time", "timeout": 0}}},
            "rules": {"catch_all": {"route_to": "checkout"}},
        }
    )
    res = f.send(spec_json("alertmanager/webhook-v4.firing.example.json"))
    assert f.kinds(res) == ["opened", "alert_triggered", "alert_triggered"]
    assert {e.incident for e in res.events} == {"INC-1"}
    assert [i["op"] for i in res.intents] == ["incident.open"]


# -- Alertmanager group updates and out-of-order arrival -----------------------------------


def am_feed() -> Feed:
    return Feed(
        {
            "services": {"checkout": {"alert_grouping": {"type": "time", "timeout": 0}}},
            "rules": {"catch_all": {"route_to": "checkout"}},
        }
    )


def test_alertmanager_group_updates():
    f = am_feed()
    firing = spec_json("alertmanager/webhook-v4.firing.example.json")
    f.send(firing)
    # the group grows: the two alerts repeat, a third one joins
    grown = copy.deepcopy(firing)
    third = copy.deepcopy(firing["alerts"][0])
    third["fingerprint"] = "bbbbbbbbbbbbbbbb"
    third["labels"]["instance"] = "api-3.example.org:8080"
    third["startsAt"] = "2026-08-20T10:20:00Z"
    grown["alerts"].append(third)
    grown["notification_reason"] = "new alerts added"
    res = f.send(grown, at=T0.add(minutes=5))
    assert f.kinds(res) == ["alert_updated", "alert_updated", "alert_triggered"]
    assert {e.incident for e in res.events} == {"INC-1"}
    # some resolved: one alert resolves, the others still fire
    some = copy.deepcopy(grown)
    some["alerts"][0]["status"] = "resolved"
    some["alerts"][0]["endsAt"] = "2026-08-20T10:30:00Z"
    some["notification_reason"] = "some alerts resolved"
    res = f.send(some, at=T0.add(minutes=31))
    assert f.kinds(res) == ["alert_resolved", "alert_updated", "alert_updated"]
    assert f.state.get("INC-1").status == "triggered"
    # all resolved (the spec's example holds the first two; the third resolves too)
    resolved = spec_json("alertmanager/webhook-v4.resolved.example.json")
    third_done = copy.deepcopy(third)
    third_done.update(status="resolved", endsAt="2026-08-20T10:43:00Z")
    resolved["alerts"].append(third_done)
    res = f.send(resolved, at=T0.add(minutes=44))
    assert f.kinds(res) == ["alert_dropped", "alert_resolved", "alert_resolved", "resolved"]
    assert res.events[0].data["reason"] == "unknown_key"  # already resolved above
    assert f.state.get("INC-1").status == "resolved"


def test_alertmanager_firing_arriving_after_its_resolve_is_stale():
    f = am_feed()
    resolved = spec_json("alertmanager/webhook-v4.resolved.example.json")
    firing = spec_json("alertmanager/webhook-v4.firing.example.json")
    res = f.send(resolved)  # arrives first: nothing is open, so it is dropped
    assert f.kinds(res) == ["alert_dropped", "alert_dropped"]
    res = f.send(firing, at=T0.add(seconds=5))  # the late firing of the same alerts
    assert f.kinds(res) == ["alert_dropped", "alert_dropped"]
    assert {e.data["reason"] for e in res.events} == {"stale"}
    assert f.state.incidents == {}
    # a new firing of the same fingerprint, started after the resolve, is a new alert
    again = copy.deepcopy(firing)
    again["alerts"] = [again["alerts"][0]]
    again["alerts"][0]["startsAt"] = "2026-08-20T11:00:00Z"
    res = f.send(again, at=T0.add(hours=1))
    assert f.kinds(res) == ["opened", "alert_triggered"]


def test_alertmanager_resolve_from_before_a_newer_firing_is_stale():
    f = am_feed()
    firing = spec_json("alertmanager/webhook-v4.firing.example.json")
    firing["alerts"] = [firing["alerts"][0]]
    firing["alerts"][0]["startsAt"] = "2026-08-20T11:00:00Z"
    f.send(firing)
    old_resolve = spec_json("alertmanager/webhook-v4.resolved.example.json")
    old_resolve["alerts"] = [old_resolve["alerts"][0]]  # ended 10:42, before 11:00
    res = f.send(old_resolve, at=T0.add(minutes=2))
    assert f.kinds(res) == ["alert_dropped"] and res.events[0].data["reason"] == "stale"
    assert f.state.alerts.entry("6f1c3f3a9d0b2e47") is not None


def test_events_v2_out_of_order_resolve_then_trigger_is_a_new_alert():
    # Events v2 resolves carry no time of their own: receive order decides
    f = feed()
    res = f.send(action("resolve", "k1"))
    assert f.kinds(res) == ["alert_dropped"]
    res = f.send(trigger("k1", timestamp="2026-08-20T09:00:00Z"), at=T0.add(seconds=1))
    assert f.kinds(res) == ["opened", "alert_triggered"]


def test_change_events_are_logged_without_an_incident():
    f = feed()
    res = f.send({"routing_key": "KEY-PAY", "payload": {"summary": "Deploy 220", "source": "ci"}})
    [ev] = res.events
    assert (ev.kind, ev.incident, ev.data["service"]) == ("change_event", None, "payments")
    assert res.intents == []


def test_alert_details_ride_on_the_timeline_bounded():
    f = feed()
    big = "y" * 1500
    res = f.send(
        trigger(
            "a",
            custom_details={
                "runbook": "https://runbooks/x",
                "a": big,
                "b": big,
                "c": big,
                "last": 1,
            },
        )
    )
    details = res.events[1].data["details"]
    assert details["runbook"] == "https://runbooks/x" and details["b"] == big
    assert "c" not in details and details["…"] == "2 more not kept"


def test_time_conditions_use_the_time_the_alert_arrived():
    f = Feed(
        {
            "services": {
                "database": {
                    **DB,
                    "rules": [
                        {
                            "condition": "event.summary matches part 'lag' and now in Mon,Tue,Wed,Thu,Fri,Sat,Sun 01:00:00 to 03:00:00 UTC",
                            "actions": {"suppress": True},
                        },
                        {"actions": {"priority": "P4"}},  # no condition: everything else
                    ],
                }
            }
        }
    )
    night = T0.set(hour=2)
    assert (
        f.send(trigger("a", summary="replica lag", routing_key="KEY-DB"), at=night)
        .outcomes[0]
        .result
        == "suppressed"
    )
    res = f.send(trigger("b", summary="replica lag", routing_key="KEY-DB"), at=T0)
    assert res.outcomes[0].result == "opened" and f.state.get("INC-1").priority == "P4"


# -- ids ---------------------------------------------------------------------------------


def test_made_ids_are_32_hex_digits_and_never_repeat_across_threads():
    import re
    import threading

    from console.domain.intake.engine import _uuid_hex

    got: list[list[str]] = [[] for _ in range(4)]

    def take(mine: list[str]) -> None:
        mine.extend(_uuid_hex() for _ in range(1000))  # several batches each

    threads = [threading.Thread(target=take, args=(m,)) for m in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [i for m in got for i in m]
    assert len(set(ids)) == len(ids) == 4000
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_a_forked_child_makes_ids_its_parent_does_not():
    import os

    from console.domain.intake.engine import _uuid_hex

    _uuid_hex()  # the parent has ids in hand
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, then out without pytest's cleanup
        os.close(read)
        os.write(write, "".join(_uuid_hex() for _ in range(5)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as fh:
        child = fh.read()
    os.waitpid(pid, 0)
    mine = "".join(_uuid_hex() for _ in range(5))
    assert len(child) == len(mine) == 160 and child != mine


def _size_bound_by_the_book(value):
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        return len(str(value))
    if isinstance(value, str):
        return 2 + 6 * len(value)
    if isinstance(value, dict):
        return 2 + sum(
            4 + _size_bound_by_the_book(k) + _size_bound_by_the_book(v) for k, v in value.items()
        )
    if isinstance(value, list):
        return 2 + sum(1 + _size_bound_by_the_book(v) for v in value)
    return 32 if isinstance(value, (int, float, bool)) or value is None else 1 << 30


def test_the_details_size_bound_is_an_upper_bound_of_their_json():
    import json

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from console.domain.intake.engine import _size_bound

    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=10**28, max_value=10**40),
        st.integers(min_value=-(10**40), max_value=-(10**28)),
        st.floats(),
        st.text(max_size=8),
    )
    values = st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4), inner, max_size=4)
        ),
        max_leaves=12,
    )

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(value=values)
    def check(value):
        assert _size_bound(value) == _size_bound_by_the_book(value)
        # the journal's compact encoding
        compact = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        assert _size_bound(value) >= len(compact.encode())

    check()
    assert _size_bound(10**40) >= len(str(10**40)) and _size_bound(-(10**40)) == 42


def test_content_grouping_tokens_are_the_json_of_the_values_whatever_they_are():
    from console.domain.intake.alert import parse_body
    from console.domain.intake.engine import intake_alerts

    conf = settings(
        {
            "services": {
                "db": {
                    "integration_keys": ["KEY-DB"],
                    "alert_grouping": {
                        "type": "content_based",
                        "fields": ["source", "custom_details.x"],
                    },
                }
            }
        }
    )
    tokens = []
    for x in (1, True, [1, 2], {"b": 1, "a": 2}, "1", None, 1, True):
        body = trigger("k", routing_key="KEY-DB", custom_details={"x": x})
        res = intake_alerts(State(), conf, parse_body(body, T0), T0, ids=counter_ids())
        tokens.append(res.events[0].data["group"])
    assert tokens == [
        'content:db:["db-1", 1]',
        'content:db:["db-1", true]',
        'content:db:["db-1", ["1", "2"]]',  # a detail's list items are kept as text
        'content:db:["db-1", "{\\"b\\": 1, \\"a\\": 2}"]',  # and its tables
        'content:db:["db-1", "1"]',
        'content:db:["db-1", null]',
        'content:db:["db-1", 1]',
        'content:db:["db-1", true]',
    ]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"component": "disk", "timestamp": "2026-08-20T09:59:00Z"},
        {"custom_details": {"env": "prod", "n": 3}},
        {"component": "", "custom_details": {}},
    ],
)
def test_a_booked_alerts_data_leaves_out_what_it_does_not_have_in_a_fixed_order(payload):
    from console.domain.clock import iso
    from console.domain.intake.alert import parse_body
    from console.domain.intake.engine import _bounded_details, intake_alerts

    body = trigger("k9", **payload)
    [alert] = parse_body(body, T0)
    res = intake_alerts(
        State(), settings({"services": {"payments": PAY}}), [alert], T0, ids=counter_ids()
    )
    [booked] = [e for e in res.events if e.kind == "alert_triggered"]
    every = {
        "dedup_key": "k9",
        "service": "payments",
        "summary": alert.summary,
        "severity": alert.severity,
        "source": alert.source or None,
        "component": alert.component or None,
        "occurred_at": iso(alert.occurred_at),
        "started_at": None,  # Events v2 gives no start time
        "details": _bounded_details(alert.custom_details),
    }
    assert list(booked.data.items()) == [(k, v) for k, v in every.items() if v is not None]


def test_an_alertmanager_alert_books_its_start_time():
    body = spec_json("alertmanager/webhook-v4.firing.example.json")
    f = Feed({"services": {"payments": PAY}, "rules": {"catch_all": {"route_to": "payments"}}})
    res = f.send(body, fmt="alertmanager")
    booked = [e for e in res.events if e.kind == "alert_triggered"]
    assert booked and all(
        list(e.data)[:4] == ["dedup_key", "service", "summary", "severity"]
        and "started_at" in e.data
        for e in booked
    )
