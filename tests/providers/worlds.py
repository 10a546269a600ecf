"""A seeded fake PagerDuty (REST and Events) served on loopback with the adapter pointed at
it, and a spec check of every request and answer a fake saw (shared by provider and sync tests)."""

from __future__ import annotations

from console.providers.credentials import load_credentials
from console.providers.fakes import serve
from console.providers.fakes.pagerduty import FakePagerDuty
from console.providers.fakes.pagerduty_events import FakePagerDutyEvents
from console.providers.pagerduty import build_pagerduty
from console.providers.ratelimit import Limiters
from tests.providers.openapi import load_spec

PD_TOKEN = "pd-CANARY-0123456789-tokn"
ROUTING_KEY = "R0UT1NGKEY0123456789abcdefCANARY"  # 32 characters, as Events v2 wants


def check_against_spec(fake, spec_file: str, strip: str = "") -> int:
    """Validate every request body and 2xx answer the fake saw; return how many."""
    spec = load_spec(spec_file)
    checked = 0
    for req, resp in list(fake.answers):
        path = req.path[len(strip) :] if strip and req.path.startswith(strip) else req.path
        if req.method not in ("GET", "HEAD") and 200 <= resp.status < 300:
            spec.check_request(req.method, path, req.json)
        if 200 <= resp.status < 300:
            spec.check_response(req.method, path, resp.status, resp.doc)
        checked += 1
    return checked


class PagerDutyWorld:
    """A fake PagerDuty (REST and Events), served, and the adapter pointed at it."""

    def __init__(
        self, clock, events_only: bool = False, read_only: bool = False, timeout: float = 2.0
    ):
        self.clock = clock
        self.fake = FakePagerDuty(clock, token=PD_TOKEN)
        self.ids = self.fake.seed()
        self.events_fake = FakePagerDutyEvents(self.fake, {ROUTING_KEY: self.ids["service"]})
        self.served = serve(self.fake)
        self.served_events = serve(self.events_fake)
        env = {
            "PAGERDUTY_API_URL": self.served.url,
            "PAGERDUTY_EVENTS_URL": self.served_events.origin,
            "PAGERDUTY_FROM": "ada@example.com",
            "PAGERDUTY_ROUTING_KEY": ROUTING_KEY,
        }
        if not events_only:
            env["PAGERDUTY_API_TOKEN"] = PD_TOKEN
        self.config = {
            "services": {"payments": {"paging": ["pagerduty"]}},
            "users": {"grace": {"name": "Grace Hopper", "email": "grace@example.com"}},
            "policies": {"payments": {"name": "Payments escalation"}},
        }
        creds = load_credentials({}, None, env)
        self.adapter = build_pagerduty(
            self.config,
            creds,
            clock,
            Limiters(clock),
            read_only=read_only,
            env=env,
            timeout=timeout,
        )

    def close(self):
        self.adapter.close()
        self.served.close()
        self.served_events.close()
