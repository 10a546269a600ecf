"""Property: whatever faults the providers throw, each intent takes effect exactly once.

A small driver plays the sync engine's part (retry what the decision table says to retry,
and once an attempt was ambiguous, say so on every later attempt). The fakes run in-process
(drill mode's wiring), so a "slow" fault is a timeout without any waiting.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.domain.clock import FixedClock
from console.providers.credentials import load_credentials
from console.providers.fakes import FakeTransport, Fault
from console.providers.fakes.base import writes
from console.providers.fakes.opsgenie import FakeOpsgenie
from console.providers.fakes.statuspage import FakeStatuspage
from console.providers.http import CallFailed
from console.providers.opsgenie import build_opsgenie
from console.providers.protocol import DeliveryContext
from console.providers.ratelimit import Limiters
from console.providers.statuspage import build_statuspage

COMMON_FAULTS = [
    None,
    Fault("drop", apply=True),
    Fault("drop", apply=False),
    Fault("slow", apply=True),
    Fault("slow", apply=False),
    Fault.server_error(503, body={"message": "down", "took": 0, "requestId": "x"}),
    Fault.rate_limited(body={"message": "slow down", "took": 0, "requestId": "x"}),
]
# Statuspage's own throttling answer; elsewhere a 420 is just a refusal
STATUSPAGE_FAULT = st.sampled_from(
    [
        *COMMON_FAULTS,
        Fault("status", status=420, headers={"Retry-After": "2"}, body={"message": "calm"}),
    ]
)
# each fault hits the attempt's first request, or its first write (most deliveries read first)
STATUSPAGE_FAULTS = st.tuples(STATUSPAGE_FAULT, st.booleans())
OPSGENIE_FAULTS = st.tuples(st.sampled_from(COMMON_FAULTS), st.booleans())


def drain(adapter, fake, intents, faults, incident):
    """Deliver each intent until it settles, injecting the drawn faults along the way."""
    fault_iter = iter(faults)
    for intent in intents:
        ambiguous = False
        for attempt in range(1, 30):
            fault, on_write = next(fault_iter, (None, False))
            if fault is not None:
                f = Fault(
                    fault.kind,
                    fault.status,
                    dict(fault.headers),
                    fault.body,
                    fault.delay,
                    fault.apply,
                )
                f.match = writes if on_write else None
                fake.inject(f)
            try:
                got = adapter.deliver(
                    intent,
                    DeliveryContext(
                        remote_id=incident["provider_ids"].get(adapter.name),
                        incident=incident,
                        retry_after_ambiguity=ambiguous,
                        attempt=attempt,
                    ),
                )
            except CallFailed as failed:
                assert failed.decision.action in ("retry", "wait"), failed
                ambiguous = ambiguous or failed.ambiguous
                adapter.http._limiter.acquire()  # stands for the engine's wait (through the clock)
                continue
            finally:
                fake.faults.clear()  # an unused fault must not leak into the next attempt
            if got.linked:
                incident["provider_ids"][adapter.name] = got.linked
            assert got.state == "sent", got
            break
        else:
            pytest.fail(f"{intent['op']} never settled")


def intent(n, op, args):
    return {
        # uuid4-like: distinct in the first 12 hex digits, which a note's reference carries
        "id": f"{n:012x}4" + "0" * 19,
        "op": op,
        "incident": "INC-1",
        "args": args,
        "created_at": "2026-11-30T04:00:00Z",
        "origin": "local",
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    updates=st.lists(st.sampled_from(["identified", "monitoring"]), max_size=4),
    faults=st.lists(STATUSPAGE_FAULTS, max_size=25),
)
def test_statuspage_every_intent_once(updates, faults):
    clock = FixedClock("2026-11-30T04:00:00Z")
    fake = FakeStatuspage(
        clock, api_key="k" * 20, page_id="pg1", components={"API": "cmpapi000001"}
    )
    config = {"status": {"components": [{"name": "API"}]}}
    creds = load_credentials(
        {}, None, env={"STATUSPAGE_API_KEY": "k" * 20, "STATUSPAGE_PAGE_ID": "pg1"}
    )
    adapter = build_statuspage(
        config,
        creds,
        Limiters(clock),
        transport=FakeTransport(fake),
        env={"STATUSPAGE_API_URL": "https://statuspage.fake.invalid/v1"},
    )
    incident = {"id": "INC-1", "title": "API errors", "components": ["API"], "provider_ids": {}}
    intents = [
        intent(
            0,
            "incident.declare",
            {
                "title": "API errors",
                "public": {
                    "status": "investigating",
                    "impact": "major",
                    "components": {"API": "partial_outage"},
                },
            },
        )
    ]
    intents += [
        intent(i + 1, "status.update", {"status": s, "text": f"update {i}"})
        for i, s in enumerate(updates)
    ]
    intents.append(intent(99, "incident.resolve", {"note": "done"}))
    drain(adapter, fake, intents, faults, incident)
    (remote,) = fake.incidents.values()
    assert [u["status"] for u in reversed(remote["incident_updates"])] == [
        "investigating",
        *updates,
        "resolved",
    ]
    assert fake.components["cmpapi000001"]["status"] == "operational"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notes=st.integers(min_value=0, max_value=4), faults=st.lists(OPSGENIE_FAULTS, max_size=25))
def test_opsgenie_every_intent_once(notes, faults):
    clock = FixedClock("2026-11-30T04:00:00Z")
    fake = FakeOpsgenie(clock, api_key="g" * 20)
    config = {"services": {"api": {"paging": ["opsgenie"]}}}
    creds = load_credentials({}, None, env={"OPSGENIE_API_KEY": "g" * 20})
    adapter = build_opsgenie(
        config,
        creds,
        Limiters(clock),
        clock,
        transport=FakeTransport(fake),
        env={"OPSGENIE_API_URL": "https://opsgenie.fake.invalid"},
    )
    incident = {"id": "INC-1", "title": "API errors", "service": "api", "provider_ids": {}}
    intents = [
        intent(0, "incident.declare", {"title": "API errors", "service": "api", "severity": 1})
    ]
    intents += [intent(i + 1, "incident.note", {"text": f"note {i}"}) for i in range(notes)]
    intents += [intent(50, "incident.ack", {}), intent(99, "incident.resolve", {"note": "done"})]
    drain(adapter, fake, intents, faults, incident)
    (alert,) = fake.alerts.values()
    assert alert["count"] == 1 and alert["status"] == "closed" and alert["acknowledged"]
    texts = [n["note"] for n in fake.notes.get(alert["id"], [])]
    assert [t for t in texts if t != "done"] == [
        f"note {i} [ic:{i + 1:012x}]" for i in range(notes)
    ]
