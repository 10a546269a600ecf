"""The chat adapter against a fake Slack incoming webhook served on 127.0.0.1."""

import pytest

from console.domain.clock import FixedClock
from console.providers.chat import build_chat
from console.providers.credentials import load_credentials
from console.providers.endpoints import EndpointError
from console.providers.fakes import Fault, serve
from console.providers.fakes.chat import FakeChat
from console.providers.http import CallFailed, ReadOnlyRefused
from console.providers.protocol import DeliveryContext, Provider
from console.providers.ratelimit import Limiters
from tests.providers.test_chat_message import webhook_body_schema

SECRET_HOOK = "/T0CANARY/B0CANARY/CANARYwebhooksecret00000"


@pytest.fixture
def clock():
    return FixedClock("2026-11-30T04:00:00Z")


@pytest.fixture
def fake(clock):
    return FakeChat(clock, hooks={SECRET_HOOK: "#incidents"})


@pytest.fixture
def served(fake):
    spec, schema = webhook_body_schema()
    with serve(fake) as s:
        yield s
    for req, _ in fake.answers:
        if req.body and fake.hooks.get(req.path.removeprefix("/services")):
            spec._validate(schema, req.json, "webhook body")


def make(served, fake, clock, *, hook=SECRET_HOOK, read_only=False):
    env = {"SLACK_WEBHOOK_URL": fake.webhook_url(served.origin, hook)}
    adapter = build_chat(
        {}, load_credentials({}, None, env=env), Limiters(clock), read_only=read_only
    )
    assert isinstance(adapter, Provider)
    return adapter


def intent(op, args):
    return {
        "id": "c1",
        "op": op,
        "incident": "INC-3",
        "args": args,
        "created_at": "2026-11-30T04:00:00Z",
        "origin": "local",
    }


def test_declare_update_say_and_resolve_reach_the_channel(served, fake, clock):
    adapter = make(served, fake, clock)
    inc = {"id": "INC-3", "title": "Payments degraded"}
    for op, args in [
        ("incident.declare", {"severity": 1, "title": "Payments degraded", "public": None}),
        ("status.update", {"status": "identified", "text": "Root cause found"}),
        ("chat.post", {"text": "bridge: https://meet.example.com/x"}),
        ("incident.resolve", {"note": "All clear"}),
    ]:
        assert adapter.deliver(intent(op, args), DeliveryContext(incident=inc)).state == "sent"
    assert [p["channel"] for p in fake.posts] == ["#incidents"] * 4
    assert fake.posts[0]["text"].startswith(
        ":rotating_light: SEV1 declared: *INC-3* Payments degraded"
    )
    assert adapter.poll(None) == []


def test_ops_chat_does_not_care_about_are_not_its_concern(served, fake, clock):
    adapter = make(served, fake, clock)
    assert not adapter.concerns(intent("incident.ack", {}), None)
    assert adapter.concerns(intent("chat.post", {"text": "x"}), None)


@pytest.mark.parametrize(
    ("setup", "action"),
    [
        (lambda f: f.archived.add("#incidents"), "final"),
        (lambda f: f.prohibited.add("#incidents"), "final"),
        (lambda f: f.inject(Fault.rate_limited(retry_after=30)), "wait"),
        (lambda f: f.inject(Fault.server_error(500)), "retry"),
    ],
)
def test_refusals_follow_the_table_and_never_show_the_url(served, fake, clock, setup, action):
    adapter = make(served, fake, clock)
    setup(fake)
    with pytest.raises(CallFailed) as failed:
        adapter.deliver(intent("chat.post", {"text": "hello"}), DeliveryContext())
    assert failed.value.decision.action == action
    assert (
        "CANARY" not in str(failed.value)
        and "CANARY" not in repr(adapter.http)
        and "CANARY" not in repr(adapter._path)
    )
    assert not fake.posts


def test_an_unknown_webhook_is_final(served, fake, clock):
    adapter = make(served, fake, clock, hook="/T0/B0/revoked")
    with pytest.raises(CallFailed) as failed:
        adapter.deliver(intent("chat.post", {"text": "hello"}), DeliveryContext())
    assert failed.value.status == 404 and failed.value.decision.action == "final"
    assert failed.value.detail == "no_service"  # Slack's word for it, shown as is


def test_after_an_ambiguous_attempt_it_posts_again_and_says_so(served, fake, clock):
    adapter = make(served, fake, clock)
    fake.inject(Fault("drop", apply=True))
    with pytest.raises(CallFailed) as failed:
        adapter.deliver(intent("chat.post", {"text": "hello"}), DeliveryContext())
    assert failed.value.ambiguous
    got = adapter.deliver(
        intent("chat.post", {"text": "hello"}),
        DeliveryContext(retry_after_ambiguity=True, attempt=2),
    )
    assert "cannot be read back" in got.detail and len(fake.posts) == 2


def test_read_only_posts_nothing(served, fake, clock):
    adapter = make(served, fake, clock, read_only=True)
    with pytest.raises(ReadOnlyRefused):
        adapter.deliver(intent("chat.post", {"text": "hello"}), DeliveryContext())
    assert not fake.requests


def test_no_webhook_means_off_and_plain_http_off_loopback_is_refused_without_the_url():
    limiters = Limiters(FixedClock("2026-11-30T04:00:00Z"))
    assert build_chat({}, load_credentials({}, None, env={}), limiters) is None
    creds = load_credentials(
        {}, None, env={"SLACK_WEBHOOK_URL": "http://hooks.example.com/services/T/B/CANARYsecret"}
    )
    with pytest.raises(EndpointError) as refused:
        build_chat({}, creds, limiters)
    assert "CANARY" not in str(refused.value) and "SLACK_WEBHOOK_URL" in str(refused.value)
