"""The bare command: the console screen."""

from __future__ import annotations

from console.cli.context import CliContext


def _opens_live_store(args, ctx: CliContext) -> bool:
    """Whether this start is a live console that may read its store in the background
    (the rule run_app follows: a named store or a provider with credentials means live;
    `--listen` opens the store before the screen, as its receiver writes at once)."""
    if getattr(args, "drill", None) is not None or getattr(args, "listen", None) is not None:
        return False
    if ctx.store_path is not None:
        return True
    from console.providers.credentials import providers_with_credentials

    return bool(providers_with_credentials(ctx.settings.raw.get("providers"), ctx.config_path))


def run(args, ctx: CliContext) -> int:
    if _opens_live_store(args, ctx):
        # read the store while the screen's code loads
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
