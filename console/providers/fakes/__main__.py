"""Serve a fake PagerDuty (REST and Events v2) on 127.0.0.1 to try `sync` against:

    python -m console.providers.fakes [--port 8765] [--token TOKEN] [--service NAME]

It prints the environment to export in another shell; Ctrl-C stops it. Its account has
users Ada Lovelace (ada@example.com) and Grace Hopper (grace@example.com) and one service.
"""

from __future__ import annotations

import argparse
import time

from console.domain.clock import RealClock
from console.providers.fakes.pagerduty import FakePagerDuty
from console.providers.fakes.pagerduty_events import FakePagerDutyEvents
from console.providers.fakes.server import serve


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m console.providers.fakes", description=__doc__.splitlines()[0]
    )
    ap.add_argument(
        "--token", default="fake-pagerduty-token-0001", help="the API token the fake accepts"
    )
    ap.add_argument("--service", default="payments", help="the name of the fake account's service")
    ap.add_argument(
        "--routing-key", default="0" * 24 + "fakekey1", help="Events v2 routing key (32 characters)"
    )
    args = ap.parse_args(argv)
    clock = RealClock()
    rest = FakePagerDuty(clock, token=args.token)
    ada = rest.add_user("Ada Lovelace", "ada@example.com")
    grace = rest.add_user("Grace Hopper", "grace@example.com")
    policy = rest.add_policy(f"{args.service} escalation", [ada, grace])
    service = rest.add_service(args.service, policy)
    events = FakePagerDutyEvents(rest, {args.routing_key: service})
    with serve(rest) as served, serve(events) as served_events:
        print("fake PagerDuty on loopback; in another shell:")
        print(f"  export PAGERDUTY_API_URL={served.url}")
        print(f"  export PAGERDUTY_EVENTS_URL={served_events.origin}")
        print(f"  export PAGERDUTY_API_TOKEN={args.token}")
        print("  export PAGERDUTY_FROM=ada@example.com")
        print("Ctrl-C stops it.", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
