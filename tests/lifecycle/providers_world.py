"""Every provider as its fake, served on 127.0.0.1, the adapters pointed at them, a real
store, the alert receiver and a sync engine: the whole console minus the screen.

Each fake keeps every request and answer; `check_all_against_specs()` validates them
against ../shared/specs (skipping the test cleanly when the specs folder is absent).
"""

from __future__ import annotations

import json

import httpx

from console.actions import execute_line
from console.domain.settings import settings_from_dict
from console.postmortem_file import default_path
from console.providers.chat import build_chat
from console.providers.credentials import load_credentials
from console.providers.fakes import serve
from console.providers.fakes.chat import FakeChat
from console.providers.fakes.opsgenie import FakeOpsgenie
from console.providers.fakes.pagerduty import FakePagerDuty
from console.providers.fakes.pagerduty_events import FakePagerDutyEvents
from console.providers.fakes.statuspage import FakeStatuspage
from console.providers.opsgenie import build_opsgenie
from console.providers.pagerduty import build_pagerduty
from console.providers.ratelimit import Limiters
from console.providers.statuspage import build_statuspage
from console.receiver import AlertReceiver
from console.store import Store
from console.sync.engine import SyncEngine

PD_TOKEN = "pd-CANARY-lifecycle-0123456789"
ROUTING_KEY = "R0UT1NGKEYlifecycle0123456789abc"  # 32 characters, as Events v2 wants
SP_KEY = "sp-CANARY-lifecycle-0123456789"
OG_KEY = "og-CANARY-lifecycle-0123456789"
HOOK = "/T0LIFE/B0LIFE/CANARYlifecyclehook0000000"
PAGE = "pglifecycle1"
INTERNAL_NAMES = ("payments-service-prod-us-east-1", "checkout-svc-internal", "payments-db-primary")
PUBLIC = {"Payment Processing": "cmppay000001", "Checkout": "cmpchk000001"}


def config(pd_service_id: str) -> dict:
    """A team whose payments page through PagerDuty and whose checkout pages through Opsgenie."""
    return {
        "user": {"name": "Ada Lovelace", "email": "ada@example.com", "handle": "ada"},
        "users": {
            "ada": {"name": "Ada Lovelace", "email": "ada@example.com"},
            "grace": {"name": "Grace Hopper", "email": "grace@example.com"},
        },
        "services": {
            "payments": {
                "name": "payments-service-prod-us-east-1",
                "components": ["Payment Processing"],
                "integration_keys": [ROUTING_KEY],
                "paging": ["pagerduty"],
                "pagerduty_id": pd_service_id,
                "escalation_policy": "payments",
            },
            "checkout": {
                "name": "checkout-svc-internal",
                "components": ["Checkout"],
                "paging": ["opsgenie"],
            },
        },
        "policies": {
            "payments": {
                "name": "Payments escalation",
                "rules": [
                    {"escalation_delay_in_minutes": 15, "targets": [{"type": "user", "id": "ada"}]}
                ],
            }
        },
        "status": {
            "stale_minutes": 30,
            "components": [
                {"name": "Payment Processing", "statuspage_id": PUBLIC["Payment Processing"]},
                {"name": "Checkout", "internal_name": "payments-db-primary"},
            ],
        },
    }


class Console:
    """The fakes, served; the adapters; a store; an alert receiver; a sync engine."""

    def __init__(self, tmp_path, clock) -> None:
        self.clock = clock
        self.pd = FakePagerDuty(clock, token=PD_TOKEN)
        self.pd_ids = self.pd.seed()
        self.events = FakePagerDutyEvents(self.pd, {ROUTING_KEY: self.pd_ids["service"]})
        self.sp = FakeStatuspage(clock, api_key=SP_KEY, page_id=PAGE, components=PUBLIC)
        self.og = FakeOpsgenie(clock, api_key=OG_KEY)
        self.chat = FakeChat(clock, hooks={HOOK: "#incidents"})
        self.served = {
            name: serve(fake)
            for name, fake in (
                ("pd", self.pd),
                ("events", self.events),
                ("sp", self.sp),
                ("og", self.og),
                ("chat", self.chat),
            )
        }
        self.config = config(self.pd_ids["service"])
        self.settings = settings_from_dict(self.config, source="lifecycle.toml")
        env = {
            "PAGERDUTY_API_URL": self.served["pd"].url,
            "PAGERDUTY_EVENTS_URL": self.served["events"].origin,
            "PAGERDUTY_API_TOKEN": PD_TOKEN,
            "PAGERDUTY_FROM": "ada@example.com",
            "STATUSPAGE_API_URL": self.served["sp"].url,
            "STATUSPAGE_API_KEY": SP_KEY,
            "STATUSPAGE_PAGE_ID": PAGE,
            "OPSGENIE_API_URL": self.served["og"].url,
            "OPSGENIE_API_KEY": OG_KEY,
            "SLACK_WEBHOOK_URL": self.chat.webhook_url(self.served["chat"].origin, HOOK),
        }
        creds = load_credentials({}, None, env)
        limiters = Limiters(clock)
        self.adapters = [
            build_pagerduty(self.config, creds, clock, limiters, env=env, timeout=2.0),
            build_statuspage(self.config, creds, limiters, env=env, timeout=2.0),
            build_opsgenie(self.config, creds, limiters, clock, env=env, timeout=2.0),
            build_chat(self.config, creds, limiters, timeout=2.0),
        ]
        assert all(self.adapters), "every provider is on"
        self.store = Store.open(tmp_path / "store")
        self.engine = SyncEngine(
            self.store, self.adapters, clock, seed=7, components=self.settings.components
        )
        self.receiver = AlertReceiver(self.store, self.settings, clock).start()

    # -- driving it ---------------------------------------------------------------------

    def alert(self, summary: str, dedup_key: str) -> httpx.Response:
        """An Events v2 trigger posted to the console's own receiver."""
        body = {
            "routing_key": ROUTING_KEY,
            "event_action": "trigger",
            "dedup_key": dedup_key,
            "payload": {"summary": summary, "source": "prometheus", "severity": "critical"},
        }
        return httpx.post(f"{self.receiver.url}/v2/enqueue", json=body, timeout=5)

    def run(self, line: str):
        return execute_line(self.store, line, self.settings, self.clock)

    def sync(self, max_seconds: float = 120.0):
        return self.engine.drain(max_seconds=max_seconds)

    def timeline(self, inc: str):
        self.store.refresh()
        return self.store.state.timeline(inc)

    def postmortem(self, inc: str) -> str:
        return default_path(self.store.path, inc).read_text()

    def sent_to_statuspage(self) -> list[str]:
        """Every request the status page received, as text (path, query and body)."""
        return [
            f"{r.method} {r.path} {json.dumps(r.query)} {r.body.decode('utf-8', 'replace')}"
            for r in self.sp.requests
        ]

    def close(self) -> None:
        self.receiver.close()
        self.engine.close()
        self.store.close()
        for s in self.served.values():
            s.close()


# -- every exchange, both ways, against the providers' own specs ---------------------------

SP_UNDOCUMENTED = {420, 429, 500, 502, 503}  # Statuspage answers these on any path
OG_UNDOCUMENTED = {500, 502, 503}


def check_all_against_specs(c: Console) -> dict[str, int]:
    """Validate every request and answer each fake saw; return how many per provider."""
    from tests.providers.spec_check import load_spec
    from tests.providers.test_chat_message import webhook_body_schema
    from tests.providers.worlds import check_against_spec

    counts = {
        "pagerduty": check_against_spec(c.pd, "pagerduty/rest-api-v2.openapiv3.json"),
        "pagerduty_events": check_against_spec(
            c.events, "pagerduty/events-api-v2.openapiv3.json", strip="/v2"
        ),
    }
    sp = load_spec("statuspage/statuspage-api-v1.openapi.json", maps={"components"})
    for req, resp in c.sp.answers:
        path = req.path.removeprefix("/v1")
        sp.check_request(req.method, path, {k: v[0] for k, v in req.query.items()}, req.json)
        if resp.status in SP_UNDOCUMENTED:
            sp._validate({"$ref": "#/components/schemas/ErrorEntity"}, resp.doc, "error answer")
        else:
            sp.check_response(req.method, path, resp.status, resp.doc)
    counts["statuspage"] = len(c.sp.answers)
    og = load_spec("opsgenie/swagger.json")
    for req, resp in c.og.answers:
        og.check_request(req.method, req.path, {k: v[0] for k, v in req.query.items()}, req.json)
        if resp.status in OG_UNDOCUMENTED:
            og._validate({"$ref": "#/definitions/ErrorResponse"}, resp.doc, "error answer")
        else:
            og.check_response(req.method, req.path, resp.status, resp.doc)
    counts["opsgenie"] = len(c.og.answers)
    slack, schema = webhook_body_schema()
    for req, _resp in c.chat.answers:
        slack._validate(schema, req.json, "webhook body")
    counts["chat"] = len(c.chat.answers)
    return counts
