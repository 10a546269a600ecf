"""`incident-console [GLOBAL] [SUBCOMMAND] [ARGS]`.

Each subcommand is a module `console/cli/<module>.py` with `HELP`, `add_arguments(parser)`
and `run(args, ctx) -> int`; it is imported only when used, so `--version` and the TUI
start without loading what they do not need. Exit 0 done, 1 refused or findings, 2 bad
usage or unreadable input; never a traceback for bad input.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from console import __version__
from console.cli.context import CliContext, CliError
from console.gc_pause import hold, release

# name -> module under console.cli
SUBCOMMANDS: dict[str, str] = {
    "exec": "exec_cmd",
    "list": "list_cmd",
    "show": "show_cmd",
    "oncall": "oncall_cmd",
    "escalation": "escalation_cmd",
    "lint": "lint_cmd",
    "ingest": "ingest_cmd",
    "sync": "sync_cmd",
    "drill": "drill_cmd",
    "postmortem": "postmortem_cmd",
    "import-terraform": "import_terraform_cmd",
}

GLOBAL_FLAGS = ("--store", "--config", "--theme")
GLOBAL_SWITCHES = ("--read-only",)


def _add_globals(p: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    p.add_argument(
        "--store",
        metavar="PATH",
        default=default,
        help="the store folder (default: the platform data folder; env INCIDENT_CONSOLE_STORE)",
    )
    p.add_argument(
        "--config",
        metavar="PATH",
        default=default,
        help="config TOML file or a Terraform folder (env INCIDENT_CONSOLE_CONFIG)",
    )
    p.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="open the store for reading and send nothing to any provider",
    )
    p.add_argument("--theme", metavar="NAME", default=default, help="the console's theme")


def build_parser(load_modules: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="incident-console",
        description="A keyboard-first console for the incident commander.",
    )
    parser.add_argument("--version", action="version", version=f"incident-console {__version__}")
    _add_globals(parser, suppress=False)
    parser.add_argument(
        "--listen",
        metavar="PORT",
        type=int,
        default=None,
        help="the TUI also receives alerts on 127.0.0.1:PORT",
    )
    parser.add_argument(
        "--drill", metavar="SCENARIO", default=None, help="the TUI plays this drill scenario"
    )
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND")
    for name, module_name in SUBCOMMANDS.items():
        module = _load(module_name) if name in load_modules else None
        help_text = getattr(module, "HELP", None) if module else _HELP_HINTS.get(name)
        p = sub.add_parser(name, help=help_text, description=help_text)
        _add_globals(p, suppress=True)
        if module is not None:
            module.add_arguments(p)
    return parser


_HELP_HINTS = {
    "exec": "apply command lines to the store, in order",
    "list": "list incidents",
    "show": "show one incident and its timeline",
    "oncall": "who is on call now and next",
    "escalation": "who gets paged when, for a policy",
    "lint": "check schedules and policies for gaps",
    "ingest": "take alerts in (a file, stdin, or a receiver)",
    "sync": "carry queued changes to the providers",
    "drill": "play a drill scenario",
    "postmortem": "write an incident's postmortem draft",
    "import-terraform": "read PagerDuty Terraform into a config file",
}


def _load(module_name: str):
    try:
        return importlib.import_module(f"console.cli.{module_name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"console.cli.{module_name}":
            return None
        raise


def main(argv: Sequence[str] | None = None) -> int:
    hold()  # collection resumes once a subcommand starts, or the screen has painted
    try:
        return _main(argv)
    finally:
        release()  # in-process callers (tests) get their collector back


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    chosen = next((a for a in argv if a in SUBCOMMANDS), None)
    parser = build_parser([chosen] if chosen else [])
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help/--version
        return int(exc.code or 0)
    ctx = CliContext.from_args(args)
    try:
        _ = ctx.settings  # a broken config is reported by every subcommand, before anything runs
        if args.command is None:
            from console.cli.tui_cmd import run as run_tui

            return run_tui(args, ctx)
        release()  # a subcommand may run for hours (ingest --listen, sync --watch)
        module = _load(SUBCOMMANDS[args.command])
        if module is None:
            ctx.err(f"incident-console {args.command}: not available yet in this version")
            return 2
        return int(module.run(args, ctx) or 0)
    except CliError as exc:
        ctx.err(f"incident-console: {exc}")
        return exc.status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `incident-console list | head`: the reader left; say nothing more
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        # a store damaged where only a later read finds it (an incident row, a timeline
        # line): its message names the file; a refusal like any other, never a traceback
        errors = sys.modules.get("console.store.errors")
        if errors is None or not isinstance(exc, errors.StoreError):
            raise
        ctx.err(f"incident-console: {exc}")
        return 2
    finally:
        ctx.close()
