"""`incident-console import-terraform PATH... [-o FILE]`: PagerDuty Terraform to TOML.

Reads `.tf` files (and a folder's `terraform.tfvars` / `*.auto.tfvars`), maps the
PagerDuty resources onto the console's config (docs/config.md), checks the result the
way the console will read it, and writes TOML to stdout or FILE. What is not modelled is
listed as skipped; errors name the file and line and exit 2.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from console.cli.context import CliError
from console.domain.settings import SettingsError, settings_from_dict
from console.terraform import TerraformError, TerraformImport, import_terraform
from console.terraform.toml_writer import dumps

HELP = "read PagerDuty Terraform into a config file"


def add_arguments(parser) -> None:
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="a folder of .tf files, or .tf/.tfvars files"
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the TOML to FILE (default: stdout)"
    )
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print {config, skipped, warnings, files} as one JSON document instead of TOML",
    )


def header(result: TerraformImport) -> str:
    """The comment at the top of the written file: where it came from, what was left out."""
    lines = [
        "Imported by `incident-console import-terraform` from PagerDuty Terraform:",
        "  " + ", ".join(result.files),
        "Each table's __source__ names the file and line it came from. Change the Terraform",
        "and import again rather than editing this file; put your own settings in another",
        'file that says terraform = "DIR" (what that file says wins).',
    ]
    if result.skipped:
        lines.append("Skipped:")
        lines += [f"  {s}" for s in result.skipped]
    return "\n".join(lines)


def summary(config: dict) -> str:
    rules = config.get("rules", {})
    count = len(rules.get("global", [])) + len(rules.get("router", []))
    count += sum(len(s.get("rules", [])) for s in config.get("services", {}).values())
    parts = [
        f"{len(config.get('users', {}))} users",
        f"{len(config.get('services', {}))} services",
        f"{len(config.get('schedules', {}))} schedules",
        f"{len(config.get('policies', {}))} policies",
        f"{count} event rules",
        f"{len(config.get('maintenance', []))} maintenance windows",
    ]
    return ", ".join(parts)


def write_atomically(target: Path, text: str) -> None:
    """Temp file beside the target, fsync, rename: a crash never leaves half a config."""
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_readable(result: TerraformImport) -> None:
    """The console must be able to read what this writes: every room that parses a section
    checks it here, and its message names the .tf file and line (from `__source__`)."""
    from console.domain.intake.config import IntakeConfigError, load_intake_config
    from console.domain.oncall.team import parse_team

    try:
        settings = settings_from_dict(result.config, source="the imported config")
        parse_team(settings)
        load_intake_config(settings)
    except (SettingsError, IntakeConfigError) as exc:
        raise CliError(str(exc), 2) from None


def run(args, ctx) -> int:
    try:
        result = import_terraform([Path(p).expanduser() for p in args.paths])
    except TerraformError as exc:
        raise CliError(str(exc), 2) from None
    check_readable(result)
    if args.json:
        ctx.json_out(
            {
                "config": result.config,
                "skipped": [
                    {"address": s.address, "source": s.source, "reason": s.reason}
                    for s in result.skipped
                ],
                "warnings": result.warnings,
                "files": result.files,
            }
        )
        return 0
    text = dumps(result.config, comment=header(result))
    for warning in result.warnings:
        ctx.err(f"warning: {warning}")
    for skipped in result.skipped:
        ctx.err(f"skipped: {skipped}")
    if args.output:
        target = Path(args.output).expanduser()
        if target.exists() and not args.force:
            raise CliError(f"{target}: already exists; pass --force to replace it", 1)
        if target.is_dir():
            raise CliError(f"{target}: is a folder", 2)
        try:
            write_atomically(target, text)
        except OSError as exc:
            raise CliError(f"{target}: cannot write: {exc.strerror}", 2) from None
        ctx.err(f"wrote {target}: {summary(result.config)}")
    else:
        ctx.out(text.rstrip("\n"))
    return 0
