"""`incident-console list [--all] [--json]`."""

from __future__ import annotations

from console.cli.context import CliContext

HELP = "list incidents (open ones first; --all includes resolved)"


def add_arguments(p) -> None:
    p.add_argument("--all", action="store_true", help="include resolved incidents")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")


def run(args, ctx: CliContext) -> int:
    from console.domain.ordering import incident_order
    from console.domain.stale import row_marker, stale_page, status_bar_text
    from console.domain.text import inert

    store = ctx.open_store(read_only=True)
    incidents = [i for i in store.state.incidents.values() if args.all or args.json or i.is_open]
    incidents.sort(key=incident_order)
    if args.json:
        ctx.json_out([i.to_json() for i in incidents])
        return 0
    if not incidents:
        ctx.out("no open incidents" if not args.all else "no incidents")
        if not store.path.exists():
            # a mistyped --store must not read as "all quiet"
            ctx.err(f"incident-console: nothing has been written to {store.path} yet")
        return 0
    now = ctx.clock.now()
    minutes = ctx.settings.stale_minutes
    stales = []
    for i in incidents:
        stale = stale_page(i, now, minutes)  # public and silent too long: say so on the row
        stales += [stale] if stale else []
        marker = f"  [{row_marker(stale)}]" if stale else ""
        ctx.out(
            f"{i.id:<8} {i.severity_label:<5} {i.status:<13} {inert(i.service or '-', 24):<24} {inert(i.title, 60)}{marker}"
        )
    if stales:
        ctx.out(status_bar_text(sorted(stales, key=lambda s: -s.minutes)))
    return 0
