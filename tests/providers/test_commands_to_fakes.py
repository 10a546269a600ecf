"""From command lines to the providers: what `declare`, `update`, `say`, `page`, `note` and
`resolve` make Statuspage, Opsgenie and the chat webhook do, over loopback, with every
request and answer checked against the providers' specs, and no internal service name
ever reaching the status page.

A small loop stands for the sync engine: it hands each intent to the adapters that
concern themselves with it, in order, and folds the provider ids they learn back into the
state as "provider_linked" events.
"""

import pytest

from console.commands.apply import ApplyContext, apply
from console.commands.grammar import parse
from console.domain.clock import FixedClock
from console.domain.model import Event, State
from console.domain.settings import settings_from_dict
from console.providers.chat import build_chat
from console.providers.credentials import load_credentials
from console.providers.fakes import serve
from console.providers.fakes.chat import FakeChat
from console.providers.fakes.opsgenie import FakeOpsgenie
from console.providers.fakes.statuspage import FakeStatuspage
from console.providers.opsgenie import build_opsgenie
from console.providers.protocol import DeliveryContext
from console.providers.ratelimit import Limiters
from console.providers.statuspage import build_statuspage
from tests.providers.spec_check import load_spec
from tests.providers.test_chat_message import webhook_body_schema

INTERNAL = "payments-service-prod-us-east-1"
CONFIG = {
    "user": {"name": "Ada Lovelace", "email": "ada@example.com", "handle": "ada"},
    "users": {
        "ada": {"name": "Ada Lovelace", "email": "ada@example.com"},
        "grace": {"name": "Grace Hopper", "email": "grace@example.com"},
    },
    "services": {
        "payments": {
            "name": INTERNAL,
            "components": ["Payment Processing"],
            "paging": ["opsgenie"],
            "escalation_policy": "payments",
        },
    },
    "policies": {"payments": {"name": "Payments escalation"}},
    "status": {
        "components": [
            {"name": "Payment Processing"},
            {"name": "Checkout", "statuspage_id": "cmpchk000001"},
        ]
    },
}


@pytest.fixture
def world():
    clock = FixedClock("2026-11-30T04:00:00Z")
    sp = FakeStatuspage(
        clock,
        api_key="sp-key-000000000000",
        page_id="pgworld00001",
        components={"Payment Processing": "cmppay000001", "Checkout": "cmpchk000001"},
    )
    og = FakeOpsgenie(clock, api_key="og-key-000000000000")
    chat = FakeChat(clock)
    with serve(sp) as sp_s, serve(og) as og_s, serve(chat) as chat_s:
        env = {
            "STATUSPAGE_API_KEY": "sp-key-000000000000",
            "STATUSPAGE_PAGE_ID": "pgworld00001",
            "STATUSPAGE_API_URL": sp_s.url,
            "OPSGENIE_API_KEY": "og-key-000000000000",
            "OPSGENIE_API_URL": og_s.url,
            "SLACK_WEBHOOK_URL": chat.webhook_url(chat_s.origin),
        }
        creds = load_credentials({}, None, env=env)
        limiters = Limiters(clock)
        adapters = [
            build_statuspage(CONFIG, creds, limiters, env=env),
            build_opsgenie(CONFIG, creds, limiters, clock, env=env),
            build_chat(CONFIG, creds, limiters),
        ]
        yield Run(clock, adapters), sp, og, chat
        for a in adapters:
            a.close()
    check_exchanges(sp, og, chat)


class Run:
    def __init__(self, clock, adapters):
        self.clock = clock
        self.adapters = adapters
        self.state = State()
        self.settings = settings_from_dict(CONFIG, "test.toml")

    def do(self, line):
        self.clock.advance(60)
        ctx = ApplyContext(now=self.clock.now(), settings=self.settings)
        out = apply(self.state, parse(line), ctx)
        for ev in out.events:
            self.state.apply(ev)
        for intent in out.intents:
            self.sync(intent)

    def sync(self, intent):
        for adapter in self.adapters:
            inc = self.state.get(intent["incident"]) if intent["incident"] else None
            doc = inc.to_json() if inc else None
            if not adapter.concerns(intent, doc):
                continue
            ctx = DeliveryContext(
                remote_id=(doc or {}).get("provider_ids", {}).get(adapter.name), incident=doc
            )
            got = adapter.deliver(intent, ctx)
            assert got.state == "sent", (adapter.name, intent["op"], got)
            if got.linked and inc is not None:
                self.state.apply(
                    Event(
                        id=f"link-{adapter.name}-{intent['id']}",
                        at=self.clock.now(),
                        kind="provider_linked",
                        author="sync",
                        origin="sync",
                        text="",
                        incident=inc.id,
                        data={"provider": adapter.name, "id": got.linked},
                    )
                )


def check_exchanges(sp, og, chat):
    sp_spec = load_spec("statuspage/statuspage-api-v1.openapi.json", maps={"components"})
    og_spec = load_spec("opsgenie/swagger.json")
    chat_spec, chat_schema = webhook_body_schema()
    for req, resp in sp.answers:
        path, query = req.path.removeprefix("/v1"), {k: v[0] for k, v in req.query.items()}
        sp_spec.check_request(req.method, path, query, req.json)
        sp_spec.check_response(req.method, path, resp.status, resp.doc)
        assert INTERNAL not in req.body.decode() and '"payments"' not in req.body.decode()
    for req, resp in og.answers:
        og_spec.check_request(
            req.method, req.path, {k: v[0] for k, v in req.query.items()}, req.json
        )
        og_spec.check_response(req.method, req.path, resp.status, resp.doc)
    for req, _ in chat.answers:
        chat_spec._validate(chat_schema, req.json, "webhook body")


def test_declare_update_page_resolve_across_the_providers(world):
    run, sp, og, chat = world
    run.do(f'declare sev2 "{INTERNAL} errors" --service payments --component Checkout')
    inc = run.state.get("INC-1")
    (page_inc,) = sp.incidents.values()
    assert page_inc["status"] == "investigating" and page_inc["name"] == "Payment Processing errors"
    # the named component only (the service's own are used when none is named)
    assert {c["name"]: c["status"] for c in sp.components.values()} == {
        "Payment Processing": "operational",
        "Checkout": "partial_outage",
    }
    (alert,) = og.alerts.values()
    assert inc.provider_ids == {"statuspage": page_inc["id"], "opsgenie": alert["id"]}
    assert alert["priority"] == "P2" and alert["alias"] == "incident-console-INC-1"

    run.do(
        f'update INC-1 identified "Root cause found in {INTERNAL}" --component Checkout=operational'
    )
    assert page_inc["status"] == "identified"
    assert page_inc["incident_updates"][0]["body"] == "Root cause found in Payment Processing"
    assert sp.components["cmpchk000001"]["status"] == "operational"

    run.do('say INC-1 "bridge is open"')
    run.do("page INC-1 grace --message 'db help'")
    run.do('note INC-1 "rolled back the deploy"')
    run.do("ack INC-1")
    run.do('resolve INC-1 --note "All clear"')

    assert page_inc["status"] == "resolved"
    assert {c["status"] for c in sp.components.values()} == {"operational"}
    assert alert["status"] == "closed" and alert["acknowledged"]
    assert [n["note"].split(" [ic:")[0] for n in og.notes[alert["id"]]] == [
        "db help",
        "rolled back the deploy",
        "All clear",
    ]
    heads = [p["text"].split(" — ")[0] for p in chat.posts]
    assert heads[0].startswith(":rotating_light: SEV2 declared: *INC-1*")
    assert heads[1].startswith(":pushpin: *INC-1* identified")
    assert heads[2].startswith("*INC-1*") and "bridge is open" in chat.posts[2]["text"]
    assert heads[3].startswith(":white_check_mark: Resolved: *INC-1*")
    assert len(chat.posts) == 4


def test_a_sev4_stays_off_the_status_page(world):
    run, sp, og, chat = world
    run.do('declare sev4 "Slow reports" --service payments')
    assert not sp.incidents and len(og.alerts) == 1 and len(chat.posts) == 1
    assert "Status page: not public" in chat.posts[0]["blocks"][0]["text"]["text"]
    run.do("resolve INC-1")
    assert not sp.incidents and len(chat.posts) == 2


def test_component_and_maintenance_commands_reach_the_page(world):
    run, sp, og, chat = world
    run.do('component "Checkout" degraded_performance')
    assert sp.components["cmpchk000001"]["status"] == "degraded_performance"
    run.do('maintenance payments 2026-11-30T06:00:00Z 2026-11-30T07:00:00Z "Primary failover"')
    (maint,) = sp.incidents.values()
    assert (
        maint["status"] == "scheduled"
        and maint["name"] == "Scheduled maintenance: Payment Processing"
    )
    assert not og.alerts and not chat.posts
