"""The Statuspage adapter against the fake, served on 127.0.0.1: every request and answer
checked against the Statuspage spec, faults injected, nothing ever posted twice."""

import pytest

from console.domain.clock import FixedClock
from console.providers.credentials import load_credentials
from console.providers.fakes import Fault, serve
from console.providers.fakes.base import writes
from console.providers.fakes.statuspage import FakeStatuspage
from console.providers.http import CallFailed, ReadOnlyRefused
from console.providers.protocol import DeliveryContext, Provider
from console.providers.ratelimit import Limiters
from console.providers.statuspage import build_statuspage
from tests.providers.spec_check import load_spec

KEY = "CANARY-statuspage-key-0123456789abcdef"
PAGE = "pgfake000001"
COMPONENTS = {
    "Payment Processing": "cmppay000001",
    "Checkout": "cmpchk000001",
    "Primary DB": "cmpidb000001",
}
# Statuspage answers these on any path, though the spec lists them on none.
UNDOCUMENTED_ERRORS = {420, 429, 500, 502, 503}
CONFIG = {
    "status": {
        "components": [
            {"name": "Payment Processing", "statuspage_id": "cmppay000001"},
            {"name": "Checkout"},
        ]
    },
    "services": {
        "payments": {
            "name": "payments-service-prod-us-east-1",
            "components": ["Payment Processing", "Checkout"],
        }
    },
}


@pytest.fixture(scope="module")
def spec():
    return load_spec("statuspage/statuspage-api-v1.openapi.json", maps={"components"})


@pytest.fixture
def clock():
    return FixedClock("2026-11-30T04:00:00Z")


@pytest.fixture
def fake(clock):
    return FakeStatuspage(clock, api_key=KEY, page_id=PAGE, components=COMPONENTS)


@pytest.fixture
def served(fake, spec):
    with serve(fake) as s:
        yield s
    # every exchange of the test, both ways, as the spec says
    for req, resp in fake.answers:
        path = req.path.removeprefix("/v1")
        query = {k: v[0] for k, v in req.query.items()}
        spec.check_request(req.method, path, query, req.json)
        if resp.status in UNDOCUMENTED_ERRORS:  # throttling and outages: the spec's error shape
            spec._validate(
                {"$ref": "#/components/schemas/ErrorEntity"}, resp.doc, f"{resp.status} answer"
            )
        else:
            spec.check_response(req.method, path, resp.status, resp.doc)


def make(served, clock, *, key=KEY, read_only=False, lifted=False, timeout=5.0):
    creds = load_credentials({}, None, env={"STATUSPAGE_API_KEY": key, "STATUSPAGE_PAGE_ID": PAGE})
    adapter = build_statuspage(
        CONFIG,
        creds,
        Limiters(clock, lifted=lifted),
        read_only=read_only,
        env={"STATUSPAGE_API_URL": served.url},
        timeout=timeout,
    )
    assert isinstance(adapter, Provider)
    return adapter


def intent(op, args, incident="INC-3", iid="1d2c3b4a59687766554433221100ffee"):
    return {
        "id": iid,
        "op": op,
        "incident": incident,
        "args": args,
        "created_at": "2026-11-30T04:00:00Z",
        "origin": "local",
    }


DECLARE = intent(
    "incident.declare",
    {
        "severity": 2,
        "title": "payments-service-prod-us-east-1 errors",
        "service": "payments",
        "public": {
            "status": "investigating",
            "impact": "major",
            "components": {"payments": "partial_outage"},
        },
    },
)
INCIDENT = {
    "id": "INC-3",
    "title": "Payments errors",
    "components": ["Payment Processing", "Checkout"],
    "provider_ids": {},
}


def test_declare_creates_the_public_incident_and_learns_missing_ids(served, fake, clock):
    adapter = make(served, clock)
    got = adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT))
    assert got.state == "sent" and got.linked == got.remote_id
    inc = fake.incidents[got.remote_id]
    assert (
        inc["status"] == "investigating" and inc["name"] == "Payment Processing / Checkout errors"
    )
    assert {c["id"]: c["status"] for c in fake.components.values()} == {
        "cmppay000001": "partial_outage",
        "cmpchk000001": "partial_outage",
        "cmpidb000001": "operational",
    }
    # "Checkout" had no id in the config: learnt once from the paginated list
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", f"/v1/pages/{PAGE}/components"),
        ("POST", f"/v1/pages/{PAGE}/incidents"),
    ]
    assert all("payments-service" not in r.body.decode() for r in fake.requests)


def test_update_then_resolve_restores_components(served, fake, clock):
    adapter = make(served, clock)
    remote = adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT)).remote_id
    linked = {**INCIDENT, "provider_ids": {"statuspage": remote}}
    upd = adapter.deliver(
        intent(
            "status.update",
            {
                "status": "identified",
                "text": "Found it",
                "components": {"Checkout": "degraded_performance"},
            },
            iid="u1",
        ),
        DeliveryContext(remote_id=remote, incident=linked),
    )
    assert upd.state == "sent"
    assert fake.incidents[remote]["status"] == "identified"
    assert fake.components["cmpchk000001"]["status"] == "degraded_performance"
    res = adapter.deliver(
        intent("incident.resolve", {"note": "All clear"}, iid="r1"),
        DeliveryContext(remote_id=remote, incident=linked),
    )
    assert res.state == "sent" and fake.incidents[remote]["status"] == "resolved"
    assert {c["status"] for c in fake.components.values()} == {"operational"}
    assert [u["status"] for u in fake.incidents[remote]["incident_updates"]] == [
        "resolved",
        "identified",
        "investigating",
    ]


def test_an_incident_resolved_by_hand_supersedes_a_queued_update(served, fake, clock):
    adapter = make(served, clock)
    remote = adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT)).remote_id
    fake.resolve_in_web_ui(remote)
    posted = len(fake.writes())
    got = adapter.deliver(
        intent("status.update", {"status": "monitoring", "text": "watching"}, iid="u2"),
        DeliveryContext(remote_id=remote, incident=INCIDENT),
    )
    assert got.state == "superseded" and got.remote_facts["status"] == "resolved"
    assert len(fake.writes()) == posted  # nothing reopened it
    again = adapter.deliver(
        intent("incident.resolve", {}, iid="r2"),
        DeliveryContext(remote_id=remote, incident=INCIDENT),
    )
    assert again.state == "superseded" and "already resolved" in again.detail


def test_a_dropped_create_is_found_not_posted_twice(served, fake, clock):
    adapter = make(served, clock)
    fake.inject(Fault("drop", apply=True, match=writes))
    with pytest.raises(CallFailed) as failed:
        adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT))
    assert failed.value.ambiguous and failed.value.decision.action == "retry"
    assert len(fake.incidents) == 1  # it did land
    got = adapter.deliver(
        DECLARE, DeliveryContext(incident=INCIDENT, retry_after_ambiguity=True, attempt=2)
    )
    assert (
        got.state == "sent"
        and got.linked == next(iter(fake.incidents))
        and "not posted again" in got.detail
    )
    assert len(fake.incidents) == 1


def test_a_timed_out_update_is_not_posted_twice(served, fake, clock):
    adapter = make(served, clock, timeout=0.2)
    remote = adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT)).remote_id
    upd = intent("status.update", {"status": "identified", "text": "Found it"}, iid="u3")
    fake.inject(Fault("slow", delay=0.6, apply=True, match=writes))
    with pytest.raises(CallFailed) as failed:
        adapter.deliver(upd, DeliveryContext(remote_id=remote, incident=INCIDENT))
    assert failed.value.ambiguous
    got = adapter.deliver(
        upd,
        DeliveryContext(remote_id=remote, incident=INCIDENT, retry_after_ambiguity=True, attempt=2),
    )
    assert got.state == "sent" and "not posted again" in got.detail
    assert [u["status"] for u in fake.incidents[remote]["incident_updates"]] == [
        "identified",
        "investigating",
    ]


def test_a_lost_create_is_posted_again_after_looking(served, fake, clock):
    adapter = make(served, clock)
    fake.inject(Fault("drop", apply=False, match=writes))
    with pytest.raises(CallFailed):
        adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT))
    assert not fake.incidents
    got = adapter.deliver(
        DECLARE, DeliveryContext(incident=INCIDENT, retry_after_ambiguity=True, attempt=2)
    )
    assert got.state == "sent" and len(fake.incidents) == 1


@pytest.mark.parametrize(
    ("fault", "action", "wait"),
    [
        (
            Fault(
                "status",
                status=420,
                headers={"Retry-After": "7"},
                body={"message": "Enhance your calm"},
            ),
            "wait",
            7.0,
        ),
        (Fault("status", status=429, body={"message": "Rate limit exceeded"}), "wait", None),
        (Fault("status", status=500, body={"message": "oops"}), "retry", None),
        (Fault("status", status=502, body={"message": "bad gateway"}), "retry", None),
        (Fault("status", status=503, body={"message": "unavailable"}), "retry", None),
        (Fault("status", status=422, body={"message": "Name can't be blank"}), "final", None),
    ],
)
def test_faults_become_the_tables_decisions_and_change_nothing(
    served, fake, clock, fault, action, wait
):
    adapter = make(served, clock)
    adapter.deliver(
        intent(
            "component.set", {"component": "Payment Processing", "status": "degraded_performance"}
        ),
        DeliveryContext(),
    )
    fake.inject(fault)
    with pytest.raises(CallFailed) as failed:
        adapter.deliver(
            intent("component.set", {"component": "Payment Processing", "status": "major_outage"}),
            DeliveryContext(),
        )
    assert failed.value.decision.action == action and failed.value.decision.wait_seconds == wait
    assert fake.components["cmppay000001"]["status"] == "degraded_performance"


def test_a_wrong_key_pauses_and_never_shows_the_key(served, fake, clock):
    adapter = make(served, clock, key="CANARY-wrong-key-000000000000")
    with pytest.raises(CallFailed) as failed:
        adapter.deliver(
            intent("component.set", {"component": "Payment Processing", "status": "major_outage"}),
            DeliveryContext(),
        )
    assert failed.value.decision.action == "pause"
    assert "CANARY" not in str(failed.value) and "CANARY" not in repr(adapter.http)


def test_our_limiter_keeps_us_under_statuspages_one_a_second(served, fake, clock):
    fake.min_interval = 1.0  # the fake refuses a second request within a second (420)
    adapter = make(served, clock)
    start = clock.now()
    for status in ("degraded_performance", "partial_outage", "major_outage", "operational"):
        adapter.deliver(
            intent("component.set", {"component": "Payment Processing", "status": status}),
            DeliveryContext(),
        )
    assert all(resp.status == 200 for _, resp in fake.answers)
    assert (clock.now() - start).total_seconds() >= 3.0  # waited through the clock, not the wall


def test_without_our_limiter_the_fake_answers_420_with_retry_after(served, fake, clock):
    fake.min_interval = 1.0
    adapter = make(served, clock, lifted=True)
    # learning the ids (GET) and the PATCH come within one second: refused
    with pytest.raises(CallFailed) as failed:
        adapter.deliver(
            intent("component.set", {"component": "Payment Processing", "status": "operational"}),
            DeliveryContext(),
        )
    assert failed.value.status == 420 and failed.value.decision.wait_seconds == 1.0
    assert not fake.writes() or fake.components["cmppay000001"]["status"] == "operational"


def test_read_only_sends_no_write(served, fake, clock):
    adapter = make(served, clock, read_only=True)
    with pytest.raises(ReadOnlyRefused):
        adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT))
    assert not fake.writes()


def test_internal_or_unknown_names_are_refused_before_sending(served, fake, clock):
    adapter = make(served, clock)
    sent = len(fake.requests)
    with pytest.raises(CallFailed) as failed:
        adapter.deliver(
            intent("component.set", {"component": "Primary DB", "status": "major_outage"}),
            DeliveryContext(),
        )
    assert (
        failed.value.decision.action == "final" and "not a customer-facing" in failed.value.detail
    )
    assert not [r for r in fake.requests[sent:] if r.method != "GET"]
    assert fake.components["cmpidb000001"]["status"] == "operational"


def test_maintenance_moves_components_on_the_clock(served, fake, clock):
    adapter = make(served, clock)
    args = {
        "service": "payments",
        "start": "2026-11-30T05:00:00Z",
        "end": "2026-11-30T06:00:00Z",
        "description": "Failover",
    }
    got = adapter.deliver(intent("maintenance.create", args, incident=None), DeliveryContext())
    assert (
        got.state == "sent"
        and got.linked is None
        and fake.incidents[got.remote_id]["status"] == "scheduled"
    )
    clock.advance(3600 + 1)
    adapter.poll(None)
    assert fake.incidents[got.remote_id]["status"] == "in_progress"
    assert fake.components["cmppay000001"]["status"] == "under_maintenance"
    clock.advance(3600)
    adapter.poll(None)
    assert fake.incidents[got.remote_id]["status"] == "completed"
    assert fake.components["cmppay000001"]["status"] == "operational"


def test_poll_reports_changes_made_by_hand_not_our_own(served, fake, clock):
    adapter = make(served, clock)
    assert adapter.poll(None) == []  # first look: the baseline
    adapter.deliver(
        intent("component.set", {"component": "Checkout", "status": "major_outage"}),
        DeliveryContext(),
    )
    clock.advance(5)
    fake.set_component_in_web_ui("cmppay000001", "degraded_performance")
    fake.set_component_in_web_ui("cmpidb000001", "major_outage")  # not public: not ours to report
    news = adapter.poll(None)
    assert [(n.kind, n.data["component"], n.data["status"]) for n in news] == [
        ("component_status", "Payment Processing", "degraded_performance")
    ]
    remote = adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT)).remote_id
    since = clock.now()
    clock.advance(5)
    fake.resolve_in_web_ui(remote, "Fixed by the vendor")
    news = [n for n in adapter.poll(since) if n.kind == "resolved"]
    assert (
        len(news) == 1
        and news[0].remote_incident == remote
        and "Fixed by the vendor" in news[0].text
    )
    assert adapter.poll(clock.now()) == [] or all(
        n.kind == "component_status" for n in adapter.poll(clock.now())
    )


def test_no_key_or_no_page_means_off():
    clock = FixedClock("2026-11-30T04:00:00Z")
    assert build_statuspage(CONFIG, load_credentials({}, None, env={}), Limiters(clock)) is None
    only_key = load_credentials({}, None, env={"STATUSPAGE_API_KEY": KEY})
    assert build_statuspage(CONFIG, only_key, Limiters(clock)) is None


def test_a_fresh_adapter_reports_components_changed_since_the_last_poll(served, fake, clock):
    since = clock.now()
    clock.advance(30)
    fake.set_component_in_web_ui("cmpchk000001", "partial_outage")
    news = make(served, clock).poll(since)
    assert [(n.data["component"], n.data["status"]) for n in news] == [
        ("Checkout", "partial_outage")
    ]
    assert make(served, clock).poll(clock.now()) == []


def test_components_and_unresolved_incidents_can_be_read(served, fake, clock):
    adapter = make(served, clock)
    adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT))
    assert [(c["name"], c["status"]) for c in adapter.components()] == [
        ("Payment Processing", "partial_outage"),
        ("Checkout", "partial_outage"),
    ]
    (open_,) = adapter.unresolved()
    assert (
        open_["status"] == "investigating"
        and open_["incident"] == "INC-3"
        and open_["impact"] == "major"
    )


def test_a_key_echoed_by_the_page_never_reaches_the_news(served, fake, clock):
    adapter = make(served, clock)
    remote = adapter.deliver(DECLARE, DeliveryContext(incident=INCIDENT)).remote_id
    since = clock.now()
    clock.advance(5)
    fake.resolve_in_web_ui(remote, f"pasted by mistake: {KEY}")
    (news,) = [n for n in adapter.poll(since) if n.kind == "resolved"]
    assert "CANARY" not in repr(news) and "pasted by mistake" in news.text


def test_a_new_process_does_not_echo_our_own_updates_but_sees_a_hand_resolve(served, fake, clock):
    first = make(served, clock)
    remote = first.deliver(DECLARE, DeliveryContext(incident=INCIDENT)).remote_id
    first.deliver(
        intent("status.update", {"status": "identified", "text": "Found it"}, iid="u7"),
        DeliveryContext(remote_id=remote, incident=INCIDENT),
    )
    clock.advance(5)
    assert [n for n in make(served, clock).poll(None) if n.kind != "component_status"] == []
    fake.resolve_in_web_ui(remote, "Vendor fixed it")
    (news,) = [n for n in make(served, clock).poll(None) if n.kind != "component_status"]
    assert news.kind == "resolved" and news.remote_incident == remote
