"""The bare command: the console screen."""

from __future__ import annotations

from console.cli.context import CliContext


def run(args, ctx: CliContext) -> int:
    try:
        from console.ui.app import run_app  # type: ignore[attr-defined]
    except ImportError:
        ctx.err(
            "incident-console: the console screen is not there yet in this version; "
            "use the subcommands (incident-console --help), e.g. exec, list, show"
        )
        return 2
    return int(run_app(args, ctx) or 0)
