"""Statuspage, Opsgenie and chat in the sync wiring: live from credentials; Statuspage and
Opsgenie in a drill as in-process fakes that can never reach a network (chat can run so too)."""

from console.domain.clock import FixedClock
from console.providers.chat import build_chat
from console.providers.credentials import Credentials, Secret
from console.providers.fakes import FakeTransport
from console.providers.fakes.chat import DEFAULT_HOOK, FakeChat
from console.providers.protocol import DeliveryContext
from console.providers.ratelimit import Limiters
from console.sync.wiring import drill_providers, live_providers

CONFIG = {
    "user": {"email": "ada@example.com"},
    "services": {"payments": {"components": ["Payment Processing"], "paging": ["opsgenie"]}},
    "status": {"components": [{"name": "Checkout"}]},
}


def test_drill_wiring_has_the_status_providers_in_process_only():
    clock = FixedClock("2026-11-30T04:00:00Z")
    wiring = drill_providers(CONFIG, clock)
    assert {"statuspage", "opsgenie"} <= {p.name for p in wiring.providers}
    assert all(not p.http.reaches_network for p in wiring.providers if hasattr(p, "http"))
    # a component only a service names is on the drill's page too
    assert {c["name"] for c in wiring.fakes["statuspage"].components.values()} == {
        "Checkout",
        "Payment Processing",
    }


def test_chat_can_run_in_process_on_a_host_that_never_resolves():
    clock = FixedClock("2026-11-30T04:00:00Z")
    fake = FakeChat(clock)
    creds = Credentials(
        values={
            "chat": {"webhook_url": Secret(f"https://chat.fake.invalid/services{DEFAULT_HOOK}")}
        }
    )
    chat = build_chat({}, creds, Limiters(clock, lifted=True), transport=FakeTransport(fake))
    assert not chat.http.reaches_network
    chat.deliver(
        {"id": "i", "op": "chat.post", "incident": "INC-1", "args": {"text": "drill says hi"}},
        DeliveryContext(),
    )
    assert fake.posts[0]["text"].endswith("drill says hi")


def test_live_wiring_turns_chat_on_with_a_webhook_and_says_why_it_is_off_without():
    clock = FixedClock("2026-11-30T04:00:00Z")
    on = live_providers(
        CONFIG,
        None,
        clock,
        env={"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/CANARYsecret000"},
    )
    assert "chat" in {p.name for p in on.providers} and "chat" not in on.off
    assert "CANARY" not in repr(on.providers) and "CANARY" not in str(on.off)
    off = live_providers(CONFIG, None, clock, env={})
    assert off.off["chat"].startswith("no SLACK_WEBHOOK_URL")
    for w in (on, off):
        for p in w.providers:
            p.close()
