"""Intents to Opsgenie requests, checked field for field against the Opsgenie spec."""

import pytest

from console.providers import opsgenie_calls as og
from console.providers.http_call import Refusal
from tests.providers.spec_check import load_spec

CONFIG = {
    "users": {
        "ada": {"name": "Ada Lovelace", "email": "ada@example.com"},
        "grace": {"name": "Grace Hopper", "email": "grace@example.com", "opsgenie_id": "og-user-1"},
        "nobody": {"name": "No Body"},
    },
    "services": {
        "payments": {
            "paging": ["opsgenie"],
            "opsgenie_id": "team-42",
            "escalation_policy": "payments",
        },
        "search": {"paging": ["pagerduty"]},
        "lonely": {"paging": ["opsgenie"]},
    },
    "policies": {"payments": {"name": "Payments escalation"}},
}
INCIDENT = {
    "id": "INC-3",
    "title": "Payments degraded",
    "severity": "SEV2",
    "service": "payments",
    "priority": None,
}


@pytest.fixture(scope="module")
def spec():
    return load_spec("opsgenie/swagger.json")


def intent(op, args, incident="INC-3"):
    return {
        "id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "op": op,
        "incident": incident,
        "args": args,
        "created_at": "2026-11-30T04:00:00Z",
        "origin": "local",
    }


def plan(op, args, **kw):
    calls = og.plan(intent(op, args), config=CONFIG, incident=INCIDENT, actor="Ada Lovelace", **kw)
    assert isinstance(calls, list), calls
    return calls


def checked(spec, calls):
    for call in calls:
        spec.check_request(call.method, call.path, call.params, call.json)
    return calls


def test_declare_creates_an_alert_with_a_stable_alias(spec):
    (call,) = checked(
        spec,
        plan(
            "incident.declare",
            {
                "severity": 2,
                "title": "Payments degraded",
                "service": "payments",
                "commander": "ada",
            },
        ),
    )
    assert (call.method, call.path) == ("POST", "/v2/alerts")
    body = call.json
    assert body["alias"] == "incident-console-INC-3"
    assert body["message"] == "INC-3: Payments degraded"
    assert body["priority"] == "P2"
    assert body["responders"] == [{"type": "team", "id": "team-42"}]
    assert body["tags"] == ["incident-console", "sev2"]
    assert body["details"]["intent"] == "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    assert body["source"] == "incident-console" and body["user"] == "Ada Lovelace"


def test_open_uses_the_intents_priority_and_keeps_the_dedup_key(spec):
    (call,) = checked(
        spec,
        plan(
            "incident.open",
            {"title": "disk full", "service": "payments", "priority": "P4", "dedup_key": "dk-1"},
        ),
    )
    assert call.json["priority"] == "P4" and call.json["details"]["dedup_key"] == "dk-1"


def test_actions_address_the_alert_by_alias(spec):
    cases = {
        "incident.ack": ({}, "acknowledge"),
        "incident.resolve": ({"note": "fixed"}, "close"),
        "incident.note": ({"text": "rolled back"}, "notes"),
        "incident.escalate": ({"level": 2}, "escalate"),
        "incident.reassign": ({"user": "grace"}, "assign"),
        "incident.snooze": ({"seconds": 3600}, "snooze"),
        "incident.page": (
            {"target": "grace", "target_type": "user", "message": "need db help"},
            "responders",
        ),
    }
    for op, (args, action) in cases.items():
        (call,) = checked(spec, plan(op, args))
        assert call.path == f"/v2/alerts/incident-console-INC-3/{action}", op
        assert call.params == {"identifierType": "alias"}
    (prio,) = checked(spec, plan("incident.priority", {"priority": "P1"}))
    assert (prio.method, prio.json) == ("PUT", {"priority": "P1"})


def test_close_carries_the_note_and_snooze_ends_after_the_intents_time():
    (close,) = plan("incident.resolve", {"note": "fixed"})
    assert close.json["note"] == "fixed"
    (snooze,) = plan("incident.snooze", {"seconds": 3600})
    assert snooze.json["endTime"] == "2026-11-30T05:00:00Z"


def test_notes_carry_a_reference_that_finds_them_again():
    (call,) = plan("incident.note", {"text": "rolled back"})
    assert call.json["note"].startswith("rolled back [ic:0f1e2d3c4b5a]")
    notes = [{"note": "other"}, {"note": call.json["note"], "owner": "ada@example.com"}]
    assert og.find_note(notes, "0f1e2d3c4b5a69788796a5b4c3d2e1f0") is notes[1]
    assert og.find_note(notes[:1], "0f1e2d3c4b5a69788796a5b4c3d2e1f0") is None


def test_escalation_targets_the_services_policy_by_name():
    (call,) = plan("incident.escalate", {"level": 2})
    assert call.json["escalation"] == {"type": "escalation", "name": "Payments escalation"}
    skipped = og.plan(
        intent("incident.escalate", {"level": 2}),
        config=CONFIG,
        incident={**INCIDENT, "service": "lonely"},
    )
    assert isinstance(skipped, Refusal) and "escalation_policy" in skipped.reason


def test_assign_prefers_the_opsgenie_id_then_the_email():
    (by_id,) = plan("incident.reassign", {"user": "grace"})
    assert by_id.json["owner"] == {"type": "user", "id": "og-user-1"}
    (by_email,) = plan("incident.reassign", {"user": "ADA@example.com"})
    assert by_email.json["owner"] == {"type": "user", "username": "ada@example.com"}
    assert isinstance(
        og.plan(intent("incident.reassign", {"user": "nobody"}), config=CONFIG, incident=INCIDENT),
        Refusal,
    )


def test_only_services_that_page_through_opsgenie_concern_it():
    assert og.concerns(intent("incident.ack", {}), CONFIG, INCIDENT)
    assert not og.concerns(intent("incident.ack", {}), CONFIG, {**INCIDENT, "service": "search"})
    assert not og.concerns(intent("chat.post", {"text": "x"}), CONFIG, INCIDENT)
    assert og.concerns(intent("incident.open", {"service": "payments"}), CONFIG, None)


def test_on_call_schedule_and_override_requests_are_valid(spec):
    calls = [
        og.on_calls("payments-primary", by="name", date="2026-11-30T04:00:00Z"),
        og.next_on_calls("sched-1", flat=True),
        og.list_schedules(),
        og.list_overrides("sched-1"),
        og.create_override(
            "sched-1",
            user={"username": "grace@example.com"},
            start="2026-12-24T00:00:00Z",
            end="2026-12-26T00:00:00Z",
            alias="xmas",
        ),
        og.list_notes("incident-console-INC-3", offset="5"),
        og.request_status("req-1"),
        og.get_alert("incident-console-INC-3"),
    ]
    checked(spec, calls)
    assert calls[0].path == "/v2/schedules/payments-primary/on-calls"
    assert calls[0].params == {
        "scheduleIdentifierType": "name",
        "flat": "false",
        "date": "2026-11-30T04:00:00Z",
    }


def test_request_status_answers_are_read():
    pending = og.read_request_status(
        404, {"message": "Request not found. It might not be processed, yet."}
    )
    assert not pending.processed
    done = og.read_request_status(
        200,
        {
            "data": {"isSuccess": True, "alertId": "al-1", "status": "Created alert"},
            "took": 0.1,
            "requestId": "r",
        },
    )
    assert done == og.RequestOutcome(
        processed=True, success=True, alert_id="al-1", status="Created alert"
    )
    failed = og.read_request_status(
        200, {"data": {"isSuccess": False, "status": "Alert is already closed"}}
    )
    assert failed.processed and not failed.success and failed.status == "Alert is already closed"


def test_hostile_titles_are_one_line_and_within_the_message_limit(spec):
    (call,) = checked(
        spec,
        plan("incident.declare", {"title": "\x1b]0;pwn\x07" + "z" * 500, "service": "payments"}),
    )
    assert len(call.json["message"]) <= og.MESSAGE_LIMIT and "\x1b" not in call.json["message"]


def test_paging_a_user_or_a_policy_adds_a_responder(spec):
    (user,) = checked(
        spec,
        plan("incident.page", {"target": "grace", "target_type": "user", "message": "db help"}),
    )
    assert (
        user.json["responder"] == {"type": "user", "id": "og-user-1"}
        and user.json["note"] == "db help"
    )
    (policy,) = checked(
        spec, plan("incident.page", {"target": "payments", "target_type": "policy", "message": ""})
    )
    assert policy.json["responder"] == {"type": "escalation", "name": "Payments escalation"}
    assert isinstance(
        og.plan(
            intent("incident.page", {"target": "nobody", "target_type": "user"}),
            config=CONFIG,
            incident=INCIDENT,
        ),
        Refusal,
    )
