"""The Opsgenie adapter against the fake, served on 127.0.0.1: asynchronous writes and
their request status, look-before-repost, superseded actions, on-call reads; every
request and answer checked against the Opsgenie spec."""

import pytest

from console.domain.clock import FixedClock, parse_instant
from console.providers.credentials import load_credentials
from console.providers.fakes import Fault, serve
from console.providers.fakes.base import writes
from console.providers.fakes.opsgenie import FakeOpsgenie
from console.providers.http import CallFailed, ReadOnlyRefused
from console.providers.opsgenie import build_opsgenie
from console.providers.protocol import DeliveryContext, Provider
from console.providers.ratelimit import Limiters
from tests.providers.spec_check import load_spec

KEY = "CANARY-opsgenie-key-0123456789abcdef"
CONFIG = {
    "user": {"name": "Ada Lovelace", "email": "ada@example.com"},
    "users": {"grace": {"name": "Grace Hopper", "email": "grace@example.com"}},
    "services": {
        "payments": {
            "paging": ["opsgenie"],
            "opsgenie_id": "team-42",
            "escalation_policy": "payments",
        }
    },
    "policies": {"payments": {"name": "Payments escalation"}},
}
INCIDENT = {"id": "INC-3", "title": "Payments degraded", "severity": "SEV2", "service": "payments"}
SCHEDULE = {
    "id": "sched-1",
    "name": "Payments primary",
    "users": ["ada@example.com", "grace@example.com"],
    "start": "2026-11-30T00:00:00Z",
    "turn_hours": 12,
}
# Opsgenie answers these on any path; the spec lists the throttling one as TooManyRequest.
UNDOCUMENTED_ERRORS = {500, 502, 503}


@pytest.fixture(scope="module")
def spec():
    return load_spec("opsgenie/swagger.json")


@pytest.fixture
def clock():
    return FixedClock("2026-11-30T04:00:00Z")


@pytest.fixture
def fake(clock):
    return FakeOpsgenie(clock, api_key=KEY, schedules=[SCHEDULE])


@pytest.fixture
def served(fake, spec):
    with serve(fake) as s:
        yield s
    for req, resp in fake.answers:
        query = {k: v[0] for k, v in req.query.items()}
        spec.check_request(req.method, req.path, query, req.json)
        if resp.status in UNDOCUMENTED_ERRORS:
            spec._validate(
                {"$ref": "#/definitions/ErrorResponse"}, resp.doc, f"{resp.status} answer"
            )
        else:
            spec.check_response(req.method, req.path, resp.status, resp.doc)


def make(served, clock, *, read_only=False, timeout=5.0):
    creds = load_credentials({}, None, env={"OPSGENIE_API_KEY": KEY})
    adapter = build_opsgenie(
        CONFIG,
        creds,
        Limiters(clock),
        clock,
        read_only=read_only,
        env={"OPSGENIE_API_URL": served.url},
        timeout=timeout,
    )
    assert isinstance(adapter, Provider)
    return adapter


def intent(op, args, iid="5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"):
    return {
        "id": iid,
        "op": op,
        "incident": "INC-3",
        "args": args,
        "created_at": "2026-11-30T04:00:00Z",
        "origin": "local",
    }


DECLARE = intent(
    "incident.declare",
    {"severity": 2, "title": "Payments degraded", "service": "payments", "commander": "ada"},
    iid="d" * 32,
)


def test_declare_waits_for_the_request_status_and_links_the_alert(served, fake, clock):
    adapter = make(served, clock)
    got = adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT))
    (alert,) = fake.alerts.values()
    assert got.state == "sent" and got.linked == alert["id"] and got.detail == "Created alert"
    assert alert["alias"] == "incident-console-INC-3" and alert["priority"] == "P2"
    assert alert["responders"] == [{"type": "team", "id": "team-42"}]
    polls = [r for r in fake.requests if "/requests/" in r.path]
    assert len(polls) == 2  # the first found it not processed yet (404), the second done
    assert clock.now() > parse_instant("2026-11-30T04:00:00Z")  # waited through the clock


def test_the_lifecycle_by_alias(served, fake, clock):
    adapter = make(served, clock)
    adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT))
    for op, args, iid in [
        ("incident.ack", {}, "a1"),
        ("incident.note", {"text": "rolled back"}, "n1"),
        ("incident.priority", {"priority": "P1"}, "p1"),
        ("incident.escalate", {"level": 2}, "e1"),
        ("incident.reassign", {"user": "grace"}, "r1"),
        ("incident.snooze", {"seconds": 3600}, "s1"),
        ("incident.page", {"target": "grace", "target_type": "user", "message": "help"}, "g1"),
        ("incident.resolve", {"note": "fixed"}, "c1"),
    ]:
        assert (
            adapter.deliver(intent(op, args, iid=iid), DeliveryContext(incident=INCIDENT)).state
            == "sent"
        ), op
    (alert,) = fake.alerts.values()
    assert alert["status"] == "closed" and alert["acknowledged"] and alert["priority"] == "P1"
    assert alert["owner"] == "grace@example.com" and alert["snoozed"]
    assert {"type": "escalation", "id": "Payments escalation"} in alert["responders"]
    assert {"type": "user", "id": "u-grace"} in alert["responders"]
    assert [n["note"] for n in fake.notes[alert["id"]]] == [
        "rolled back [ic:n1]",
        "Escalated to level 2",
        "help",
        "fixed",
    ]


def test_a_repeated_create_is_deduplicated_by_alias(served, fake, clock):
    adapter = make(served, clock)
    adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT))
    again = adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT))
    assert again.detail == "Alert deduplicated" and len(fake.alerts) == 1


def test_a_dropped_note_is_found_not_posted_twice(served, fake, clock):
    adapter = make(served, clock)
    adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT))
    note = intent("incident.note", {"text": "bridge open"}, iid="b" * 32)
    fake.inject(Fault("drop", apply=True, match=writes))
    with pytest.raises(CallFailed) as failed:
        adapter.deliver(note, DeliveryContext(incident=INCIDENT))
    assert failed.value.ambiguous
    clock.advance(1)  # Opsgenie processes it meanwhile
    got = adapter.deliver(
        note, DeliveryContext(incident=INCIDENT, retry_after_ambiguity=True, attempt=2)
    )
    assert "not posted again" in got.detail
    (alert,) = fake.alerts.values()
    assert len(fake.notes[alert["id"]]) == 1


def test_a_dropped_create_is_found_by_alias(served, fake, clock):
    adapter = make(served, clock)
    fake.inject(Fault("drop", apply=True, match=writes))
    with pytest.raises(CallFailed):
        adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT))
    clock.advance(1)
    got = adapter.deliver(
        DECLARE, DeliveryContext(incident=INCIDENT, retry_after_ambiguity=True, attempt=2)
    )
    (alert,) = fake.alerts.values()
    assert got.linked == alert["id"] and alert["count"] == 1


def test_not_processed_in_time_is_an_ambiguous_retry(served, fake, clock):
    fake.processing_delay = 3600
    adapter = make(served, clock)
    adapter.max_polls = 3
    with pytest.raises(CallFailed) as failed:
        adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT))
    assert failed.value.ambiguous and failed.value.decision.action == "retry"


def test_an_ack_on_an_alert_closed_in_opsgenie_is_superseded(served, fake, clock):
    adapter = make(served, clock)
    adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT))
    fake.close_in_web_ui("incident-console-INC-3", user="grace@example.com")
    got = adapter.deliver(intent("incident.ack", {}, iid="a2"), DeliveryContext(incident=INCIDENT))
    assert got.state == "superseded" and got.remote_facts == {
        "status": "closed",
        "closed_by": "grace@example.com",
    }


def test_a_refusal_after_processing_is_final(served, fake, clock):
    adapter = make(served, clock)
    with pytest.raises(CallFailed) as failed:  # no alert yet: Opsgenie says so
        adapter.deliver(intent("incident.ack", {}, iid="a3"), DeliveryContext(incident=INCIDENT))
    assert failed.value.decision.action == "final" and failed.value.detail == "Alert does not exist"


@pytest.mark.parametrize(
    ("fault", "action", "wait"),
    [
        (
            Fault(
                "status",
                status=429,
                headers={"X-RateLimit-State": "THROTTLED", "X-RateLimit-Period-In-Sec": "60"},
                body={"message": "Too many requests", "took": 0.0, "requestId": "r"},
            ),
            "wait",
            60.0,
        ),
        (
            Fault(
                "status", status=503, body={"message": "unavailable", "took": 0.0, "requestId": "r"}
            ),
            "retry",
            None,
        ),
        (
            Fault(
                "status", status=403, body={"message": "Forbidden", "took": 0.0, "requestId": "r"}
            ),
            "final",
            None,
        ),
    ],
)
def test_http_faults_follow_the_table(served, fake, clock, fault, action, wait):
    adapter = make(served, clock)
    fake.inject(fault)
    with pytest.raises(CallFailed) as failed:
        adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT))
    assert failed.value.decision.action == action and failed.value.decision.wait_seconds == wait
    assert not fake.alerts


def test_read_only_sends_no_write(served, fake, clock):
    adapter = make(served, clock, read_only=True)
    with pytest.raises(ReadOnlyRefused):
        adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT))
    with pytest.raises(ReadOnlyRefused):
        adapter.add_override(
            "Payments primary",
            username="grace@example.com",
            start=clock.now(),
            end=clock.now().add(hours=1),
        )
    assert not fake.writes()
    assert adapter.on_call("Payments primary") == ["ada@example.com"]  # reads still work


def test_who_is_on_call_now_next_and_with_an_override(served, fake, clock):
    adapter = make(served, clock)
    assert adapter.on_call("Payments primary") == ["ada@example.com"]
    assert adapter.next_on_call("Payments primary") == ["grace@example.com"]
    assert adapter.on_call("sched-1", by="id", at=parse_instant("2026-11-30T13:00:00Z")) == [
        "grace@example.com"
    ]
    alias = adapter.add_override(
        "Payments primary",
        username="grace@example.com",
        start=clock.now(),
        end=clock.now().add(hours=2),
        alias="cover",
    )
    assert alias == "cover"
    assert adapter.on_call("Payments primary") == ["grace@example.com"]
    assert adapter.overrides("Payments primary") == [
        {
            "alias": "cover",
            "user": "grace@example.com",
            "start": "2026-11-30T04:00:00.000Z",
            "end": "2026-11-30T06:00:00.000Z",
        }
    ]
    assert adapter.schedules() == [{"id": "sched-1", "name": "Payments primary", "timezone": "UTC"}]


def test_poll_reports_what_people_did_in_opsgenie(served, fake, clock):
    adapter = make(served, clock)
    adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT))
    adapter.deliver(
        intent("incident.note", {"text": "ours"}, iid="n9"), DeliveryContext(incident=INCIDENT)
    )
    since = clock.now()
    clock.advance(10)
    fake.note_in_web_ui(
        "incident-console-INC-3", "\x1b[31mcustomer says hi", user="grace@example.com"
    )
    fake.close_in_web_ui("incident-console-INC-3", user="grace@example.com")
    news = adapter.poll(since)
    assert [(n.kind, n.author) for n in news] == [
        ("note", "grace@example.com"),
        ("resolved", "grace@example.com"),
    ]
    assert news[0].text == "customer says hi" and news[1].data["incident"] == "INC-3"
    assert adapter.poll(clock.now()) == []


def test_services_that_do_not_page_through_opsgenie_are_not_its_concern(served, clock):
    adapter = make(served, clock)
    assert adapter.concerns(DECLARE, INCIDENT)
    assert not adapter.concerns(intent("incident.ack", {}), {**INCIDENT, "service": "search"})


def test_no_key_means_off():
    clock = FixedClock("2026-11-30T04:00:00Z")
    assert (
        build_opsgenie(CONFIG, load_credentials({}, None, env={}), Limiters(clock), clock) is None
    )


def test_an_intent_opsgenie_cannot_express_fails_visibly(served, fake, clock):
    adapter = make(served, clock)
    with pytest.raises(CallFailed) as failed:
        adapter.deliver(
            intent("incident.reassign", {"user": "nobody"}, iid="x1"),
            DeliveryContext(incident=INCIDENT),
        )
    assert (
        failed.value.decision.action == "final"
        and "has no opsgenie_id or email" in failed.value.detail
    )
    assert not fake.requests


def test_a_key_echoed_in_opsgenie_never_reaches_the_news(served, fake, clock):
    adapter = make(served, clock)
    adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT))
    since = clock.now()
    clock.advance(5)
    fake.note_in_web_ui("incident-console-INC-3", f"the key is {KEY}")
    (news,) = adapter.poll(since)
    assert "CANARY" not in repr(news) and news.text.startswith("the key is")


def test_notes_we_sent_with_an_ack_or_close_are_not_news(served, fake, clock):
    adapter = make(served, clock)
    adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT))
    adapter.deliver(
        intent("incident.resolve", {"note": "All clear"}, iid="c9"),
        DeliveryContext(incident=INCIDENT),
    )
    assert make(served, clock).poll(None) == []
