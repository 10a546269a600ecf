"""`incident-console exec LINE...`: apply command lines in order; stop at the first refused."""

from __future__ import annotations

from console.cli.context import CliContext, CliError

HELP = "apply command lines to the store, in order (e.g. exec ':ack INC-1')"


def add_arguments(p) -> None:
    p.add_argument(
        "lines",
        nargs="+",
        metavar="LINE",
        help="a command line, e.g. ':declare sev2 \"Payments degraded\"'",
    )
    p.add_argument("--json", action="store_true", help="print what each line did as JSON")


def run(args, ctx: CliContext) -> int:
    from console.actions import ParseError, Refused, execute
    from console.commands.grammar import parse

    # parse every line first: a typo in the third line should not leave the first two applied
    try:
        commands = [parse(line) for line in args.lines]
    except ParseError as exc:
        raise CliError(str(exc), 2) from None
    if ctx.read_only_effective:
        raise CliError("the store is open read-only (--read-only); nothing was changed", 1)
    settings = ctx.settings
    store = ctx.open_store()
    done = []
    drafts: dict[str, str] = {}

    def drafted(inc_id, path, message) -> None:
        # a resolve writes the postmortem draft; say where (or why not)
        drafts[inc_id] = str(path) if path else ""
        if path is None:
            ctx.err(f"incident-console: {message}")

    for cmd in commands:
        drafts.clear()
        try:
            outcome = execute(store, cmd, settings, ctx.clock, postmortem_done=drafted)
        except Refused as exc:
            if done and not args.json:
                ctx.err(f"applied {len(done)} line(s) before this one; they stay applied")
            raise CliError(f"{cmd.line}: {exc}", 1) from None
        done.append(
            {
                "line": cmd.line,
                "incident": outcome.incident,
                "events": [e.text for e in outcome.events],
            }
        )
        if outcome.incident in drafts and drafts[outcome.incident]:
            done[-1]["postmortem"] = drafts[outcome.incident]
        if not args.json:
            for ev in outcome.events:
                where = f"{ev.incident}: " if ev.incident else ""
                ctx.out(f"{where}{ev.text}")
            if drafts.get(outcome.incident or ""):
                ctx.out(
                    f"{outcome.incident}: postmortem draft written to {drafts[outcome.incident]}"
                )
    if args.json:
        ctx.json_out(done)
    return 0
