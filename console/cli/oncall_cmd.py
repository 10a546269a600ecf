"""`incident-console oncall [--at TIME] [--json]`: who is on call now and next."""

from __future__ import annotations

from typing import Any

from console.cli.context import CliContext, CliError
from console.domain.clock import iso
from console.domain.words import WordError, parse_time

HELP = "who is on call now and next, per schedule and per escalation policy"


def add_arguments(parser) -> None:
    parser.add_argument(
        "--at",
        metavar="TIME",
        default="now",
        help="the instant to ask about (ISO 8601 with offset, now, +2h, -30m)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")


def load_team_or_fail(ctx: CliContext):
    """The parsed on-call config, or a CliError (exit 2) naming the table and key."""
    from console.domain.oncall import OnCallConfigError, load_team

    try:
        return load_team(ctx.settings)
    except OnCallConfigError as exc:
        raise CliError(str(exc), 2) from None


def time_arg(ctx: CliContext, word: str, flag: str):
    """A TIME word (DESIGN.md) relative to the context's clock, or a CliError (exit 2)."""
    try:
        return parse_time(word, ctx.clock.now())
    except WordError as exc:
        raise CliError(f"{flag}: {exc}", 2) from None


def when(dt, now) -> str:
    """'30 Nov 05:00Z in 30m': a UTC stamp with how far away it is."""
    if dt is None:
        return "none in 60 days"
    stamp = dt.in_tz("UTC").strftime("%d %b %H:%MZ")
    delta = int((dt - now).total_seconds())
    return f"{stamp} {_ago(delta)}"


def _ago(delta: int) -> str:
    future = delta >= 0
    d = abs(delta)
    if d < 3600:
        text = f"{d // 60}m"
    elif d < 2 * 86400:
        text = f"{d // 3600}h{(d % 3600) // 60:02d}m"
    else:
        text = f"{d // 86400}d"
    return f"in {text}" if future else f"{text} ago"


def _people(team, handles) -> str:
    return ", ".join(team.label(h) for h in handles) or "nobody"


def run(args: Any, ctx: CliContext) -> int:
    from console.domain.oncall import oncall_now_next

    team = load_team_or_fail(ctx)
    at = time_arg(ctx, args.at, "--at")
    rows = oncall_now_next(ctx.settings, at)
    if args.json:
        ctx.json_out(
            {
                "at": iso(at),
                "schedules": [r.to_json(team) for r in rows if r.kind == "schedule"],
                "policies": [r.to_json(team) for r in rows if r.kind == "policy"],
            }
        )
        return 0
    if not rows:
        ctx.out(f"No schedules or escalation policies in {team.source}.")
        return 0
    ctx.out(f"On call at {at.in_tz('UTC').strftime('%Y-%m-%d %H:%M')} UTC")
    for kind, title in (("schedule", "SCHEDULE"), ("policy", "POLICY (level 1)")):
        chosen = [r for r in rows if r.kind == kind]
        if not chosen:
            continue
        ctx.out("")
        ctx.out(f"{title:<22} {'NOW':<16} {'NEXT':<16} HANDOFF")
        for r in chosen:
            nxt = _people(team, r.next) if r.handoff_at else "—"
            ctx.out(
                f"{_cut(r.name, 22)} {_cut(_people(team, r.now), 16)} {_cut(nxt, 16)} {when(r.handoff_at, at)}"
            )
    return 0


def _cut(text: str, width: int) -> str:
    """Plain text cut or padded to `width` columns (names come from files people edit)."""
    from console.domain.text import inert

    return inert(text, width).ljust(width)
