"""`incident-console show INC [--json]`."""

from __future__ import annotations

from console.cli.context import CliContext, CliError

HELP = "show one incident and its timeline"


def add_arguments(p) -> None:
    p.add_argument("incident", metavar="INC", help="e.g. INC-1")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")


def run(args, ctx: CliContext) -> int:
    from console.domain.clock import iso
    from console.domain.pending import pending_for, pending_line
    from console.domain.stale import stale_page, status_bar_text
    from console.domain.text import inert
    from console.domain.words import WordError, parse_inc

    try:
        inc_id = parse_inc(args.incident)
    except WordError as exc:
        raise CliError(str(exc), 2) from None
    store = ctx.open_store(read_only=True)
    inc = store.state.get(inc_id)
    if inc is None:
        raise CliError(f"{inc_id} does not exist", 1)
    timeline = store.state.timeline(inc_id)
    if args.json:
        ctx.json_out(inc.to_json(timeline))
        return 0
    ctx.out(f"{inc.id}  {inc.severity_label}  {inc.status}  {inert(inc.title, 200)}")
    for key in ("service", "priority", "urgency", "assignee"):
        value = getattr(inc, key)
        if value:
            ctx.out(f"  {key}: {inert(str(value), 100)}")
    if inc.components:
        ctx.out(f"  components: {inert(', '.join(inc.components), 200)}")
    for role, user in sorted(inc.roles.items()):
        ctx.out(f"  {role}: {inert(user, 100)}")
    ctx.out("")
    for ev in timeline:
        ctx.out(f"{iso(ev.at)}  {inert(ev.author, 24):<24} {ev.origin:<8} {inert(ev.text, 300)}")
    # what has not reached a provider yet (queued, retrying, held, failed)
    for p in pending_for(inc_id, store.intents.values(), store.deliveries):
        ctx.out(f"{'pending':<20}  {inert(pending_line(p), 300)}")
    stale = stale_page(inc, ctx.clock.now(), ctx.settings.stale_minutes)
    if stale:
        ctx.out(status_bar_text([stale]))
    return 0
