"""Which adapters a sync engine gets: real ones from config and credentials, or a drill's
in-process fakes (which can never reach a network: `.invalid` hosts, fake transports)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.domain.clock import Clock
from console.providers.chat import build_chat
from console.providers.credentials import Credentials, Secret, load_credentials
from console.providers.fakes.base import FakeProvider, FakeTransport
from console.providers.fakes.chat import DEFAULT_HOOK, FakeChat
from console.providers.fakes.opsgenie import FakeOpsgenie
from console.providers.fakes.pagerduty import FakePagerDuty
from console.providers.fakes.pagerduty_events import FakePagerDutyEvents
from console.providers.fakes.statuspage import FakeStatuspage
from console.providers.opsgenie import build_opsgenie
from console.providers.pagerduty import build_pagerduty
from console.providers.protocol import Provider
from console.providers.ratelimit import Limiters
from console.providers.statuspage import build_statuspage

OFF_REASONS = {
    "pagerduty": "no PAGERDUTY_API_TOKEN or PAGERDUTY_ROUTING_KEY, or enabled = false",
    "statuspage": "no STATUSPAGE_API_KEY or page id, or enabled = false",
    "opsgenie": "no OPSGENIE_API_KEY, or enabled = false",
    "chat": "no SLACK_WEBHOOK_URL, or enabled = false",
}


@dataclass
class Wiring:
    providers: list[Provider]
    off: dict[str, str] = field(default_factory=dict)  # provider -> why it is off
    fakes: dict[str, FakeProvider] = field(default_factory=dict)  # drills: the fakes answering
    credentials: Credentials | None = None


def live_providers(
    config: Mapping[str, Any],
    config_path: Path | None,
    clock: Clock,
    *,
    read_only: bool = False,
    env: Mapping[str, str] | None = None,
    timeout: float = 10.0,
    limiters: Limiters | None = None,
) -> Wiring:
    """Adapters for every provider with credentials. Raises CredentialsError (a loose
    credentials file) or EndpointError (a base URL breaking the rules)."""
    creds = load_credentials(config.get("providers") or {}, config_path, env)
    limiters = limiters or Limiters(clock)
    built = {
        "pagerduty": build_pagerduty(
            config, creds, clock, limiters, read_only=read_only, env=env, timeout=timeout
        ),
        "statuspage": build_statuspage(
            config, creds, limiters, read_only=read_only, env=env, timeout=timeout
        ),
        "opsgenie": build_opsgenie(
            config, creds, limiters, clock, read_only=read_only, env=env, timeout=timeout
        ),
        "chat": build_chat(config, creds, limiters, read_only=read_only, timeout=timeout),
    }
    sections = config.get("providers") or {}
    for name in list(built):
        if (sections.get(name) or {}).get("enabled") is False and built[name] is not None:
            built[name].close()  # type: ignore[union-attr]
            built[name] = None
    wiring = Wiring([p for p in built.values() if p is not None], credentials=creds)
    wiring.off = {name: OFF_REASONS[name] for name, p in built.items() if p is None}
    return wiring


DRILL_HOSTS = {
    "PAGERDUTY_API_URL": "https://pagerduty.fake.invalid",
    "PAGERDUTY_EVENTS_URL": "https://events.pagerduty.fake.invalid",
    "STATUSPAGE_API_URL": "https://statuspage.fake.invalid/v1",
    "OPSGENIE_API_URL": "https://opsgenie.fake.invalid",
}


DRILL_WEBHOOK = "https://chat.fake.invalid/services" + DEFAULT_HOOK


def drill_providers(config: Mapping[str, Any], clock: Clock, *, chat: bool = False) -> Wiring:
    """Every provider as an in-process fake seeded from the config (users, services,
    components), for a drill: nothing here can reach a network. `chat=True` adds the chat
    webhook (off by default: a drill's report does not show it yet)."""
    users = config.get("users") or {}
    services = config.get("services") or {}
    me = (config.get("user") or {}).get("email") or "drill@example.invalid"

    pd = FakePagerDuty(clock, token="drill-pagerduty")
    people = {me: "Incident commander"}
    for handle, u in users.items():
        if u.get("email"):
            people[u["email"]] = u.get("name", handle)
    user_ids = [pd.add_user(name, email) for email, name in people.items()]
    policy = pd.add_policy("Drill escalation", user_ids[:2])
    for key, svc in services.items():
        pd.add_service(str(svc.get("name", key)), policy)
    if not services:
        pd.add_service("drill", policy)
    events = FakePagerDutyEvents(pd, {})

    components = {}
    for n, comp in enumerate((config.get("status") or {}).get("components") or [], start=1):
        components[comp["name"]] = comp.get("statuspage_id") or f"cmpdrill{n:04d}"
    # components named only by a service are customer-facing too (docs/config.md)
    for svc in services.values():
        for name in (svc or {}).get("components") or []:
            components.setdefault(name, f"cmpdrill{len(components) + 1:04d}")
    sp = FakeStatuspage(
        clock, api_key="drill-statuspage", page_id="drillpage", components=components or None
    )
    og = FakeOpsgenie(
        clock, api_key="drill-opsgenie", users={email: f"u-{i}" for i, email in enumerate(people)}
    )

    creds = Credentials(
        values={
            "pagerduty": {"api_token": Secret("drill-pagerduty"), "from": me, "routing_key": None},
            "statuspage": {"api_key": Secret("drill-statuspage"), "page_id": "drillpage"},
            "opsgenie": {"api_key": Secret("drill-opsgenie")},
            "chat": {"webhook_url": Secret(DRILL_WEBHOOK) if chat else None},
        }
    )
    limiters = Limiters(clock, lifted=True)
    env = dict(DRILL_HOSTS)
    providers: list[Provider] = []
    made = build_pagerduty(
        config, creds, clock, limiters, env=env, rest_transport=FakeTransport(pd)
    )
    if made is not None:
        providers.append(made)
    made_sp = build_statuspage(config, creds, limiters, env=env, transport=FakeTransport(sp))
    if made_sp is not None:
        providers.append(made_sp)
    made_og = build_opsgenie(config, creds, limiters, clock, env=env, transport=FakeTransport(og))
    if made_og is not None:
        providers.append(made_og)
    fakes: dict[str, FakeProvider] = {
        "pagerduty": pd,
        "pagerduty_events": events,
        "statuspage": sp,
        "opsgenie": og,
    }
    if chat:
        chat_fake = FakeChat(clock)
        made_chat = build_chat(config, creds, limiters, transport=FakeTransport(chat_fake))
        if made_chat is not None:
            providers.append(made_chat)
            fakes["chat"] = chat_fake
    return Wiring(providers, fakes=fakes, credentials=creds)
