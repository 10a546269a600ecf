"""The bare command: the console screen."""

from __future__ import annotations

from console.cli.context import CliContext


def run(args, ctx: CliContext) -> int:
    if (
        ctx.store_path is not None
        and getattr(args, "drill", None) is None
        and getattr(args, "listen", None) is None
    ):
        # a named store means a live console: read it while the screen's code loads
        ctx.start_opening(read_only=ctx.read_only_effective)
    try:
        from console.ui.app import run_app  # type: ignore[attr-defined]
    except ImportError:
        ctx.err(
            "incident-console: the console screen is not there yet in this version; "
            "use the subcommands (incident-console --help), e.g. exec, list, show"
        )
        return 2
    return int(run_app(args, ctx) or 0)
