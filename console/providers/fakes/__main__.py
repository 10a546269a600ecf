"""Serve fake providers on 127.0.0.1 to try `sync` against: PagerDuty (REST and Events
v2), Statuspage, Opsgenie and a Slack incoming webhook.

    python -m console.providers.fakes [--token TOKEN] [--service NAME] [--component NAME]...

It prints the environment to export in another shell, and the config that names the
status page's components; Ctrl-C stops it. Its account has
users Ada Lovelace (ada@example.com) and Grace Hopper (grace@example.com) and one service;
the status page has the components named (default "Payment Processing"). What the fake
status page and chat channel hold is printed as it changes.
"""

from __future__ import annotations

import argparse
import json
import re
import time

from console.domain.clock import RealClock
from console.providers.fakes.chat import FakeChat
from console.providers.fakes.opsgenie import FakeOpsgenie
from console.providers.fakes.pagerduty import FakePagerDuty
from console.providers.fakes.pagerduty_events import FakePagerDutyEvents
from console.providers.fakes.server import serve
from console.providers.fakes.statuspage import FakeStatuspage
from console.providers.outbound_text import plain

STATUSPAGE_KEY = "fake-statuspage-key-0001"
OPSGENIE_KEY = "fake-opsgenie-key-0001"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m console.providers.fakes",
        description=" ".join(__doc__.split("\n\n")[0].split()),
    )
    ap.add_argument(
        "--token", default="fake-pagerduty-token-0001", help="the API token the fake accepts"
    )
    ap.add_argument("--service", default="payments", help="the name of the fake account's service")
    ap.add_argument(
        "--routing-key", default="0" * 24 + "fakekey1", help="Events v2 routing key (32 characters)"
    )
    ap.add_argument(
        "--component",
        action="append",
        default=None,
        help="a status-page component (repeatable; default: Payment Processing)",
    )
    args = ap.parse_args(argv)
    clock = RealClock()
    rest = FakePagerDuty(clock, token=args.token)
    ada = rest.add_user("Ada Lovelace", "ada@example.com")
    grace = rest.add_user("Grace Hopper", "grace@example.com")
    policy = rest.add_policy(f"{args.service} escalation", [ada, grace])
    service = rest.add_service(args.service, policy)
    events = FakePagerDutyEvents(rest, {args.routing_key: service})
    names = args.component or ["Payment Processing"]
    page = FakeStatuspage(
        clock,
        api_key=STATUSPAGE_KEY,
        page_id="fakepage0001",
        components={n: f"cmpfake{i:05d}" for i, n in enumerate(names, start=1)},
    )
    opsgenie = FakeOpsgenie(clock, api_key=OPSGENIE_KEY)
    chat = FakeChat(clock)
    with (
        serve(rest) as served,
        serve(events) as served_events,
        serve(page) as served_page,
        serve(opsgenie) as served_og,
        serve(chat) as served_chat,
    ):
        print("fake PagerDuty on loopback; in another shell:")
        print(f"  export PAGERDUTY_API_URL={served.url}")
        print(f"  export PAGERDUTY_EVENTS_URL={served_events.origin}")
        print(f"  export PAGERDUTY_API_TOKEN={args.token}")
        print("  export PAGERDUTY_FROM=ada@example.com")
        print(f"  export STATUSPAGE_API_URL={served_page.url}")
        print(f"  export STATUSPAGE_API_KEY={STATUSPAGE_KEY}")
        print(f"  export STATUSPAGE_PAGE_ID={page.page_id}")
        print(f"  export OPSGENIE_API_URL={served_og.url}")
        print(f"  export OPSGENIE_API_KEY={OPSGENIE_KEY}")
        print(f"  export SLACK_WEBHOOK_URL={chat.webhook_url(served_chat.origin)}")
        print("and a config naming the status page's components (save as fake.toml, then")
        print("pass --config fake.toml; only configured components reach a status page):")
        for line in config_snippet(args.service, names).splitlines():
            print(f"  {line}".rstrip())
        print("Ctrl-C stops it.", flush=True)
        try:
            seen: tuple = ()
            while True:
                time.sleep(1)
                seen = _show_changes(page, chat, seen)
        except KeyboardInterrupt:
            return 0


def config_snippet(service: str, components: list[str]) -> str:
    """TOML that names the fake page's components and gives them to the fake service.

    JSON strings are valid TOML basic strings, so names are quoted with json.dumps."""
    names = ", ".join(json.dumps(n) for n in components)
    key = service if re.fullmatch(r"[A-Za-z0-9_-]+", service) else json.dumps(service)
    lines = [f"[services.{key}]", f"components = [{names}]"]
    for n in components:
        lines += ["", "[[status.components]]", f"name = {json.dumps(n)}"]
    return "\n".join(lines) + "\n"


def _show_changes(page: FakeStatuspage, chat: FakeChat, seen: tuple) -> tuple:
    """Print the status page and the chat channel when they change (what customers and
    stakeholders would see), as plain text."""
    with page.lock, chat.lock:
        comps = tuple((c["name"], c["status"]) for c in page.components.values())
        incs = tuple((i["name"], i["status"]) for i in page.incidents.values())
        posts = [str(p.get("text", "")) for p in chat.posts]
    old_comps, old_incs, old_posts = seen or ((), (), 0)
    if (comps, incs) != (old_comps, old_incs):
        print("status page: " + ", ".join(f"{n}: {s}" for n, s in comps), flush=True)
        for name, status in incs:
            print(f"  incident: {plain(name, 120, one_line=True)} ({status})", flush=True)
    for text in posts[old_posts:]:
        print(f"chat: {plain(text, 300, one_line=True)}", flush=True)
    return comps, incs, len(posts)


if __name__ == "__main__":
    raise SystemExit(main())
