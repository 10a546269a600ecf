"""`incident-console drill [SCENARIO] [--headless [--responses FILE] [--report FILE] [--strict]]`.

`drill --list` lists the bundled scenarios. Headless, the drill plays on a simulated clock
that jumps from one due thing to the next, the responses file (if any) plays the
commander, and the after-action report is printed (Markdown, or JSON with `--json`) and
written to `--report FILE` (JSON when FILE ends in .json). Without `--headless` the
console screen plays the drill. Every drill starts on a new, empty drill store and never
reaches a real provider.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from console.cli.context import CliContext, CliError

HELP = "play a drill scenario: --list, or SCENARIO [--headless --responses FILE --report FILE]"


def add_arguments(p: Any) -> None:
    p.add_argument(
        "scenario",
        nargs="?",
        metavar="SCENARIO",
        help="a bundled scenario's name (see --list) or a path to a scenario file",
    )
    p.add_argument("--list", action="store_true", help="list the bundled scenarios")
    p.add_argument(
        "--headless", action="store_true", help="play without the screen and print the report"
    )
    p.add_argument(
        "--responses", metavar="FILE", help="YAML list of {at: +5m, command: 'ack INC-1'}"
    )
    p.add_argument(
        "--report", metavar="FILE", help="also write the report here (.json: JSON, else Markdown)"
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when an objective was missed or a response line was refused",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    p.add_argument(
        "--speed",
        type=float,
        default=1.0,
        metavar="X",
        help="the screen's starting speed (1, 10 or 60); headless drills jump anyway",
    )


def run(args: Any, ctx: CliContext) -> int:
    from console.drill import DEFAULT_SCENARIO, DrillError, list_scenarios, start_drill

    if args.list:
        if args.scenario or args.headless or args.responses or args.report:
            raise CliError("drill --list takes no scenario and no other option")
        infos = list_scenarios()
        if args.json:
            ctx.json_out([{"name": i.name, "title": i.title, "summary": i.summary} for i in infos])
            return 0
        width = max((len(i.name) for i in infos), default=4)
        for i in infos:
            mark = " (default)" if i.name == DEFAULT_SCENARIO else ""
            ctx.out(f"{i.name:<{width}}  {i.title}{mark}")
            ctx.out(f"{'':<{width}}  {i.summary}")
        return 0
    if not args.headless:
        for flag in ("responses", "report"):
            if getattr(args, flag):
                raise CliError(f"drill --{flag} needs --headless (the screen shows the report)")
        if args.strict or args.json:
            raise CliError("drill --strict and --json need --headless")
        return _on_screen(args, ctx)
    if args.report:
        _check_writable(Path(args.report))
    try:
        session = start_drill(
            args.scenario or DEFAULT_SCENARIO, headless=True, responses=args.responses
        )
    except DrillError as exc:
        raise CliError(str(exc), 2) from None
    try:
        report = session.run_headless()
    finally:
        session.close()
    if args.report:
        _write(Path(args.report), report)
    if args.json:
        ctx.json_out(report.data)
    else:
        ctx.out(report.markdown.rstrip())
    if args.strict and (not report.all_met or report.data["script"]):
        missed = sum(1 for o in report.data["objectives"] if not o["met"])
        refused = len(report.data["script"])
        ctx.err(
            f"incident-console drill: {missed} objective(s) missed, "
            f"{refused} response line(s) refused"
        )
        return 1
    return 0


def _on_screen(args: Any, ctx: CliContext) -> int:
    from console.drill import DEFAULT_SCENARIO, DrillError, find_scenario

    name = args.scenario or DEFAULT_SCENARIO
    try:
        find_scenario(name)  # a broken scenario is reported here, before the screen starts
    except DrillError as exc:
        raise CliError(str(exc), 2) from None
    if args.speed not in (1, 10, 60):
        raise CliError(f"drill --speed: {args.speed:g} is not 1, 10 or 60")
    args.drill = name
    args.drill_speed = args.speed
    from console.cli.tui_cmd import run as run_tui

    return run_tui(args, ctx)


def _check_writable(path: Path) -> None:
    if path.is_dir():
        raise CliError(f"drill --report: {path} is a folder; give a file name")
    if not path.parent.exists():
        raise CliError(f"drill --report: no such folder: {path.parent}")


def _write(path: Path, report: Any) -> None:
    text = (
        json.dumps(report.data, indent=2, ensure_ascii=False) + "\n"
        if path.suffix.lower() == ".json"
        else report.markdown
    )
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CliError(f"drill --report: cannot write {path}: {exc.strerror}", 2) from None
