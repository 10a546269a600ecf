"""`incident-console escalation POLICY|INC [--from TIME] [--json]`: who gets paged when.

For a policy (or a service, meaning its policy): the whole plan for an incident triggered at
`--from` that nobody acknowledges. For an incident (INC-7, read from the store): who gets
paged next and when, and when its acknowledgement timeout and auto-resolve fall due.
"""

from __future__ import annotations

from typing import Any

from console.cli.context import CliContext, CliError
from console.cli.oncall_cmd import _cut, load_team_or_fail, time_arg
from console.domain.clock import iso

HELP = (
    "who gets paged when, for an escalation policy (or a service's policy) if nobody acknowledges"
)


def add_arguments(parser) -> None:
    parser.add_argument(
        "policy", metavar="POLICY", help="a policy's key or name, or a service whose policy to show"
    )
    parser.add_argument(
        "--from",
        dest="start",
        metavar="TIME",
        default="now",
        help="when the incident triggers (default: now)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")


def find_policy(team, word: str):
    """A policy by key or name (case-insensitive), or by a service that uses it."""
    w = word.strip().lower()
    for key, policy in team.policies.items():
        if w in (key.lower(), policy.name.lower()):
            return policy
    svc = next((s for k, s in team.services.items() if k.lower() == w), None)
    if svc is not None:
        if svc.escalation_policy in team.policies:
            return team.policies[svc.escalation_policy]
        raise CliError(f"service '{svc.name}' has no escalation policy that exists", 1)
    known = ", ".join(sorted(team.policies)) or "none configured"
    raise CliError(f"no escalation policy or service matches '{word}' (policies: {known})", 2)


def run(args: Any, ctx: CliContext) -> int:
    from console.domain.oncall import notification_plan
    from console.domain.oncall.team import notified_via
    from console.domain.oncall.times import seconds
    from console.domain.words import is_inc

    team = load_team_or_fail(ctx)
    if is_inc(args.policy):
        return _incident(args, ctx, team)
    policy = find_policy(team, args.policy)
    start = time_arg(ctx, args.start, "--from")
    pages = notification_plan(team, policy, start)
    rows = []
    for page in pages:
        rule = policy.rules[page.level - 1]
        for handle, via in notified_via(team, rule, seconds(page.at)):
            rows.append((page, handle, via))
    if args.json:
        ctx.json_out(
            {
                "policy": policy.key,
                "name": policy.name,
                "num_loops": policy.num_loops,
                "from": iso(start),
                "entries": [
                    {
                        "at": iso(p.at),
                        "level": p.level,
                        "loop": p.loop,
                        "user": h,
                        "name": team.label(h) if h else None,
                        "via": via,
                    }
                    for p, h, via in rows
                ],
            }
        )
        return 0
    passes = policy.passes
    ctx.out(
        f"{policy.name} ({policy.key}): {len(policy.rules)} rule{'s' if len(policy.rules) != 1 else ''}, "
        f"{passes} pass{'es' if passes != 1 else ''}"
    )
    ctx.out(
        f"If triggered at {start.in_tz('UTC').strftime('%Y-%m-%d %H:%M')} UTC and nobody acknowledges:"
    )
    if not rows:
        ctx.out("It pages nobody: the policy has no rules or no targets.")
        return 0
    ctx.out("")
    ctx.out(f"{'TIME (UTC)':<17} {'AFTER':>6}  LEVEL  PASS  {'PAGES':<20} VIA")
    for page, handle, via in rows:
        after = int((page.at - start).total_seconds()) // 60
        who = team.label(handle) if handle else "nobody"
        ctx.out(
            f"{page.at.in_tz('UTC').strftime('%Y-%m-%d %H:%M'):<17} {f'+{after}m':>6}  {page.level:^5}  {page.loop}/{passes:<3} "
            f"{_cut(who, 20):<20} {_cut(via, 20).rstrip()}"
        )
    last = pages[-1].at.add(minutes=policy.rules[-1].delay_minutes)
    ctx.out("")
    ctx.out(
        f"Escalation stops at {last.in_tz('UTC').strftime('%Y-%m-%d %H:%M')} UTC if still unacknowledged."
    )
    return 0


def _incident(args: Any, ctx: CliContext, team) -> int:
    """Next pages and timers of one incident from the store."""
    from console.domain.oncall import incident_outlook
    from console.domain.text import inert
    from console.domain.words import parse_inc

    inc_id = parse_inc(args.policy)
    at = time_arg(ctx, args.start, "--from")
    store = ctx.open_store(read_only=True)
    inc = store.state.get(inc_id)
    if inc is None:
        raise CliError(f"{inc_id} does not exist", 1)
    policy = team.policy_of(inc.service)
    outlook = incident_outlook(ctx.settings, inc, at, store.state.timeline(inc.id))
    if args.json:
        ctx.json_out(
            {
                "incident": inc.id,
                "status": inc.status,
                "service": inc.service,
                "policy": policy.key if policy else None,
                "at": iso(at),
                "pages": [
                    {
                        "at": iso(p.at),
                        "level": p.level,
                        "loop": p.loop,
                        "users": [{"handle": h, "name": team.label(h)} for h in p.users],
                    }
                    for p in outlook.pages
                ],
                "unacknowledge_at": iso(outlook.unacknowledge_at),
                "auto_resolve_at": iso(outlook.auto_resolve_at),
            }
        )
        return 0
    svc = inert(inc.service or "no service", 40)
    ctx.out(f"{inc.id} ({inc.status}, {svc}): {policy.name if policy else 'no escalation policy'}")
    stamp = "%Y-%m-%d %H:%M"
    if outlook.unacknowledge_at:
        ctx.out(f"Acknowledgement times out at {outlook.unacknowledge_at.strftime(stamp)} UTC")
    if not outlook.pages:
        ctx.out("Nobody more will be paged.")
    for p in outlook.pages:
        late = " (overdue)" if p.at < at else ""
        who = ", ".join(team.label(h) for h in p.users) or "nobody on call"
        passes = f"pass {p.loop}/{policy.passes}" if policy else f"pass {p.loop}"
        ctx.out(f"{p.at.strftime(stamp)}{late}  level {p.level} {passes}  {_cut(who, 40).rstrip()}")
    if outlook.auto_resolve_at:
        ctx.out(f"Auto-resolves at {outlook.auto_resolve_at.strftime(stamp)} UTC if still open")
    return 0
