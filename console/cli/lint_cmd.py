"""`incident-console lint [--at TIME] [--days N] [--json]`: check schedules and policies.

Exit 1 when there is an error, 0 with warnings alone, 2 when the config cannot be read.
"""

from __future__ import annotations

from typing import Any

from console.cli.context import CliContext, CliError
from console.cli.oncall_cmd import load_team_or_fail, time_arg
from console.domain.clock import iso

HELP = "check schedules, escalation policies and services for gaps and mistakes (exit 1 on errors)"


def add_arguments(parser) -> None:
    parser.add_argument(
        "--at", metavar="TIME", default="now", help="look ahead from this instant (default: now)"
    )
    parser.add_argument(
        "--days",
        metavar="N",
        type=int,
        default=30,
        help="how many days ahead to look for gaps (default: 30)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")


def run(args: Any, ctx: CliContext) -> int:
    from console.domain.oncall import lint

    if not 1 <= args.days <= 366:
        raise CliError("--days must be from 1 to 366", 2)
    team = load_team_or_fail(ctx)
    at = time_arg(ctx, args.at, "--at")
    findings = lint(ctx.settings, at, days=args.days) + _event_rule_findings(ctx.settings)
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    if args.json:
        ctx.json_out(
            {
                "config": team.source,
                "at": iso(at),
                "days": args.days,
                "errors": errors,
                "warnings": warnings,
                "findings": [f.to_json() for f in findings],
            }
        )
    else:
        from console.domain.text import inert

        for f in findings:
            ctx.out(inert(f.line(), 1000))
        plural = lambda n, w: f"{n} {w}{'s' if n != 1 else ''}"  # noqa: E731
        summary = f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
        checked = f"{len(team.schedules)} schedules, {len(team.policies)} policies, {len(team.services)} services"
        ctx.out(f"{team.source}: {summary} ({checked}; next {args.days} days)")
    return 1 if errors else 0


def _event_rules_problem(settings) -> str | None:
    """The first problem in [rules], services' rules and [[maintenance]], or None.

    Conditions are parsed when the config loads, so a rule that would never match at
    3 a.m. is found here first.
    """
    from console.domain.intake.config import IntakeConfigError, load_intake_config

    try:
        load_intake_config(settings)
    except IntakeConfigError as exc:
        return str(exc)
    return None


def _event_rule_findings(settings) -> list:
    from console.domain.oncall.lint import Finding

    problem = _event_rules_problem(settings)
    if problem is None:
        return []
    prefix = f"{settings.source}: "
    message = problem[len(prefix) :] if problem.startswith(prefix) else problem
    return [Finding("error", "event-rules", settings.source, message)]
