"""`incident-console ingest FILE|- [--at TIME]` and `incident-console ingest --listen PORT`.

A file (or stdin) holds one alert body, a JSON array of bodies, or JSON lines; each body is
an Events v2 event, an Alertmanager v4 webhook or an Opsgenie create-alert body. Every body
is checked before anything is written: one bad body refuses the whole file (exit 2,
naming the file and the line or body) and the store is unchanged. Then all of them are
applied in order and written in one durable append. `--at` processes them as if they had
arrived at that time (replays, drills, tests).

`--listen PORT` runs the receiver on 127.0.0.1:PORT until interrupted (0 picks a port).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from console.cli.context import CliError
from console.domain.intake.alert import AlertFormatError, parse_body
from console.domain.intake.config import IntakeConfigError, load_intake_config
from console.domain.intake.engine import IntakeResult, intake_alerts
from console.domain.words import WordError, parse_time

HELP = "take alerts in: a file or - (a body, a JSON array or JSON lines), or --listen PORT"

MAX_BODY = 512 * 1024
# a file is read whole; far more than any replay needs, far less than the machine has
MAX_FILE = 256 * 1024 * 1024


def add_arguments(p: Any) -> None:
    p.add_argument("file", nargs="?", metavar="FILE|-", help="alerts to take in; - reads stdin")
    p.add_argument(
        "--at", metavar="TIME", help="process as if received at TIME (ISO 8601, now, -30m)"
    )
    p.add_argument(
        "--listen", metavar="PORT", type=int, help="receive alerts over HTTP on 127.0.0.1:PORT"
    )
    p.add_argument("--json", action="store_true", help="print the outcome as one JSON document")


def read_bodies(data: bytes, label: str) -> list[tuple[str, Any]]:
    """The bodies in a file, each with where it came from (for messages)."""
    if len(data) > MAX_FILE:
        raise CliError(f"{label}: over {MAX_FILE // (1024 * 1024)} MB; split it")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CliError(f"{label}: not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise CliError(f"{label}: holds no alerts")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as whole:
        lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
        if len(lines) < 2:
            raise CliError(
                f"{label}: line {whole.lineno} column {whole.colno}: not valid JSON ({whole.msg})"
            ) from None
        out: list[tuple[str, Any]] = []
        for n, line in lines:
            where = f"{label}: line {n}"
            if len(line.encode()) > MAX_BODY:
                raise CliError(f"{where}: the body is over {MAX_BODY // 1024} KB") from None
            try:
                out.append((where, json.loads(line)))
            except json.JSONDecodeError as exc:
                raise CliError(f"{where} column {exc.colno}: not valid JSON ({exc.msg})") from None
        return out
    if isinstance(doc, list):
        if not doc:
            raise CliError(f"{label}: the array holds no alerts")
        out = []
        for i, body in enumerate(doc, start=1):
            where = f"{label}: body #{i}"
            if len(json.dumps(body).encode()) > MAX_BODY:
                raise CliError(f"{where}: the body is over {MAX_BODY // 1024} KB")
            out.append((where, body))
        return out
    if len(data) > MAX_BODY:
        raise CliError(f"{label}: the body is over {MAX_BODY // 1024} KB")
    return [(label, doc)]


def _read_input(name: str) -> tuple[bytes, str]:
    if name == "-":
        return sys.stdin.buffer.read(MAX_FILE + 1), "<stdin>"
    path = Path(name)
    try:
        with path.open("rb") as fh:
            return fh.read(MAX_FILE + 1), name
    except IsADirectoryError:
        raise CliError(f"{name}: is a folder, not a file of alerts") from None
    except OSError as exc:
        raise CliError(f"{name}: cannot read: {exc.strerror}") from None


def _summary(results: list[IntakeResult]) -> tuple[Counter, list[str]]:
    counts: Counter = Counter()
    opened: list[str] = []
    for res in results:
        for o in res.outcomes:
            counts[o.result] += 1
            if o.result == "opened" and o.incident:
                opened.append(o.incident)
    return counts, opened


def run(args: Any, ctx: Any) -> int:
    if args.listen is not None and args.file:
        raise CliError("ingest: give FILE or --listen PORT, not both")
    if args.listen is None and not args.file:
        raise CliError("ingest: give a FILE of alerts (or - for stdin), or --listen PORT")
    settings = ctx.settings
    try:
        config = load_intake_config(settings)
    except IntakeConfigError as exc:
        raise CliError(str(exc)) from None
    if ctx.read_only_effective:
        raise CliError("ingest: the store is open read-only; nothing was taken in", 1)
    if args.listen is not None:
        return _listen(args, ctx, settings)
    now = ctx.clock.now()
    try:
        at = parse_time(args.at, now) if args.at else now
    except WordError as exc:
        raise CliError(f"ingest --at: {exc}") from None
    data, label = _read_input(args.file)
    parsed = []
    for where, body in read_bodies(data, label):
        try:
            parsed.append(parse_body(body, at))
        except AlertFormatError as exc:
            raise CliError(f"{where}: {exc}") from None
    store = ctx.open_store()
    drafts = _resolve_drafts(store, settings, ctx)
    results: list[IntakeResult] = store.transact_many(
        [
            lambda state, alerts=alerts: intake_alerts(state, settings, alerts, at, config=config)
            for alerts in parsed
        ]
    )
    written = drafts.flush()
    counts, opened = _summary(results)
    if getattr(args, "json", False):
        ctx.json_out(
            {
                "received_at": at.in_tz("UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
                "alerts": [
                    {
                        "dedup_key": o.dedup_key,
                        "result": o.result,
                        "incident": o.incident,
                        "detail": o.detail,
                    }
                    for res in results
                    for o in res.outcomes
                ],
                "events": sum(len(r.events) for r in results),
                "intents": sum(len(r.intents) for r in results),
                "postmortems": {inc: str(path) for inc, path, _ in written if path},
            }
        )
        return 0
    total = sum(counts.values())
    parts = []
    for result, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        extra = (
            f" ({', '.join(opened[:10])}{', ...' if len(opened) > 10 else ''})"
            if result == "opened"
            else ""
        )
        parts.append(f"{n} {result}{extra}")
    ctx.out(f"ingested {total} alert{'s' if total != 1 else ''}: {', '.join(parts)}")
    _say_drafts(ctx, written)
    return 0


def _resolve_drafts(store: Any, settings: Any, ctx: Any) -> Any:
    """Postmortem drafts for the incidents intake resolves here, as a screen would write
    them (console/resolve_drafts.py)."""
    from console.resolve_drafts import ResolveDrafts

    return ResolveDrafts(store, settings, ctx.clock, origins=("intake",))


def _say_drafts(ctx: Any, written: list) -> None:
    for inc, path, message in written:
        if path is not None:
            ctx.out(f"{inc}: {message}")
        else:
            ctx.err(f"incident-console: {inc}: {message}")


def _listen(args: Any, ctx: Any, settings: Any) -> int:
    from console.receiver import AlertReceiver

    if not 0 <= args.listen <= 65535:
        raise CliError(f"ingest --listen: {args.listen} is not a port (0-65535)")
    store = ctx.open_store()
    try:
        receiver = AlertReceiver(store, settings, ctx.clock, port=args.listen)
    except OSError as exc:
        raise CliError(
            f"ingest --listen: cannot listen on 127.0.0.1:{args.listen}: {exc.strerror}", 1
        ) from None
    ctx.out(
        f"receiving alerts on {receiver.url} (POST /v2/enqueue, /alertmanager, /v2/alerts); Ctrl-C stops"
    )
    sys.stdout.flush()
    drafts = _resolve_drafts(store, settings, ctx)

    def between_requests() -> None:
        # the server loop's idle hook (every poll_interval): drafts for what was resolved
        _say_drafts(ctx, drafts.flush())
        sys.stdout.flush()

    receiver.service_actions = between_requests
    _stop_on_sigterm()
    try:
        receiver.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        receiver.server_close()
        receiver.committer.close()
        _say_drafts(ctx, drafts.flush())
    return 0


def _stop_on_sigterm() -> None:
    """A service manager's SIGTERM stops the receiver as cleanly as Ctrl-C does."""
    import signal

    def stop(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
