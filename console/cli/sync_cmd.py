"""`incident-console sync [--once] [--send-held] [--json]`: carry queued changes to the
providers and pull their news back.

Without --once it keeps going (Ctrl-C stops it), polling every `[sync] poll_seconds`.
A headless `sync` never sends a trigger that has waited longer than
`[sync] hold_triggers_older_than`: it lists what it holds, and `--send-held` sends them.
With --read-only it sends nothing and shows what is queued.
`--once` exits 1 when a change failed for good in that pass (the provider refused it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from console.cli.context import CliContext, CliError

HELP = "carry queued changes to the providers and pull their news"


def add_arguments(p) -> None:
    p.add_argument(
        "--once", action="store_true", help="one pass: send what can go now, poll once, exit"
    )
    p.add_argument(
        "--send-held", action="store_true", help="also send triggers held for waiting too long"
    )
    p.add_argument(
        "--json", action="store_true", help="print one JSON document (with --once or --read-only)"
    )


def _config_path(ctx: CliContext) -> Path | None:
    from console.config import resolve_config_path

    return resolve_config_path(ctx.config_path)


def run(args: Any, ctx: CliContext) -> int:
    from console.providers.credentials import CredentialsError
    from console.providers.endpoints import EndpointError
    from console.sync.engine import SyncEngine, SyncRefused
    from console.sync.settings import SyncConfigError, sync_settings
    from console.sync.status import counts_from_deliveries, health_from_deliveries, summarize
    from console.sync.wiring import live_providers

    settings = ctx.settings
    try:
        sync_cfg = sync_settings(settings.raw, settings.source)
    except SyncConfigError as exc:
        raise CliError(str(exc), 2) from None
    read_only = ctx.read_only_effective
    store = ctx.open_store(read_only=read_only)
    try:
        wiring = live_providers(settings.raw, _config_path(ctx), ctx.clock, read_only=read_only)
    except (CredentialsError, EndpointError) as exc:
        raise CliError(str(exc), 2) from None
    try:
        engine = SyncEngine(
            store,
            wiring.providers,
            ctx.clock,
            hold_seconds=sync_cfg.hold_seconds,
            poll_seconds=sync_cfg.poll_seconds,
            components=settings.components,
        )
    except SyncRefused as exc:
        for p in wiring.providers:
            p.close()
        raise CliError(str(exc), 1) from None
    try:
        off_lines = [f"{name}: off ({why})" for name, why in wiring.off.items()]
        if read_only or not wiring.providers:
            names = [p.name for p in wiring.providers]
            records = list(store.deliveries.values())
            queued, held, failed = counts_from_deliveries(records)
            statuses = summarize(
                health_from_deliveries(names, records), queued, held, failed, ctx.clock.now()
            )
            unsent = sum(
                1
                for i in store.intents.values()
                if not any(k[0] == i["id"] for k in store.deliveries)
            )
            why = (
                "read-only: nothing was sent"
                if read_only
                else "no provider has credentials: nothing was sent"
            )
            if args.json:
                ctx.json_out(
                    {
                        "sent": 0,
                        "note": why,
                        "providers": [_status_json(s) for s in statuses],
                        "off": wiring.off,
                        "never_tried": unsent,
                    }
                )
            else:
                for line in [*(s.text for s in statuses), *off_lines]:
                    ctx.out(line)
                ctx.out(f"{why}; {unsent} change(s) never tried yet")
            return 0
        # a resolve the poll brings (someone resolved it in PagerDuty) leaves the same
        # postmortem draft a screen would write (console/resolve_drafts.py)
        from console.resolve_drafts import ResolveDrafts

        drafts = ResolveDrafts(store, settings, ctx.clock, origins=("provider", "sync"))
        if args.once:
            report = engine.run_once(send_held=args.send_held)
            written = drafts.flush()
            statuses = engine.status()
            if args.json:
                ctx.json_out(
                    {
                        "sent": report.sent,
                        "superseded": report.superseded,
                        "failed": report.failed,
                        "news": report.news,
                        "held": [_held_json(store, i, p) for i, p in report.held],
                        "providers": [_status_json(s) for s in statuses],
                        "off": wiring.off,
                        "postmortems": {inc: str(path) for inc, path, _ in written if path},
                    }
                )
                return _once_status(report)
            for line in report.lines:
                ctx.out(line)
            _say_drafts(ctx, written)
            ctx.out(
                f"sent {report.sent}, superseded {report.superseded}, failed {report.failed}, "
                f"news {report.news}"
            )
            for s in statuses:
                ctx.out(s.text)
            for line in off_lines:
                ctx.out(line)
            _print_held(ctx, store, report.held)
            return _once_status(report)
        ctx.out("syncing; Ctrl-C stops")

        def after_pass(report) -> None:
            # a pass that did something says so, as --once does (a quiet pass says nothing)
            for line in report.lines:
                ctx.out(line)
            if report.sent or report.superseded or report.failed or report.news:
                stamp = ctx.clock.now().in_tz("UTC").strftime("%H:%M:%SZ")
                ctx.out(
                    f"{stamp} sent {report.sent}, superseded {report.superseded}, "
                    f"failed {report.failed}, news {report.news}"
                )
            # and the drafts of the incidents its news resolved
            _say_drafts(ctx, drafts.flush())
            sys.stdout.flush()

        try:
            engine.run_forever(on_pass=after_pass)
        finally:
            _say_drafts(ctx, drafts.flush())
        return 0
    finally:
        engine.close()


def _say_drafts(ctx: CliContext, written: list) -> None:
    for inc, path, message in written:
        if path is not None:
            ctx.out(f"{inc}: {message}")
        else:
            ctx.err(f"incident-console: {inc}: {message}")


def _once_status(report) -> int:
    """1 when a change failed for good in this pass (a finding a script must see), else 0."""
    return 1 if report.failed else 0


def _status_json(s) -> dict[str, Any]:
    return {
        "provider": s.provider,
        "state": s.state,
        "text": s.text,
        "queued": s.queued,
        "held": s.held,
        "failed": s.failed,
    }


def _held_json(store, intent_id: str, provider: str) -> dict[str, Any]:
    intent = store.intents.get(intent_id, {})
    rec = store.deliveries.get((intent_id, provider), {})
    return {
        "intent": intent_id,
        "provider": provider,
        "op": intent.get("op"),
        "incident": intent.get("incident"),
        "created_at": intent.get("created_at"),
        "detail": rec.get("detail", ""),
    }


def _print_held(ctx: CliContext, store, held: list[tuple[str, str]]) -> None:
    if not held:
        return
    ctx.out(f"held ({len(held)}): queued too long; `incident-console sync --send-held` sends them")
    for intent_id, provider in held:
        h = _held_json(store, intent_id, provider)
        ctx.out(f"  {h['incident'] or '-'} {h['op']} to {provider}, queued at {h['created_at']}")
