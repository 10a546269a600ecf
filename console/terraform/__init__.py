"""Read the team's PagerDuty Terraform into the console's config dict (docs/config.md).

`read_terraform_config(path)` is what `console/config.py` calls for `terraform = "DIR"`
or `--config DIR`; `import_terraform(paths)` also reports what was skipped and what was
approximated, for `incident-console import-terraform`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from console.terraform.hcl_files import TerraformError
from console.terraform.mapping import Importer, Skipped, TerraformImport
from console.terraform.module import load_module
from console.terraform.orchestration import OrchestrationReader

__all__ = [
    "Skipped",
    "TerraformError",
    "TerraformImport",
    "import_terraform",
    "read_terraform_config",
]


def import_terraform(paths: list[Path]) -> TerraformImport:
    """Read folders and files of Terraform; raise TerraformError naming file and line."""
    module = load_module([Path(p) for p in paths])
    imp = Importer(module)
    imp.read_users()
    imp.read_schedules()
    imp.read_policies()
    imp.read_services()
    imp.read_integrations()
    rules = OrchestrationReader(imp).read()
    imp.read_maintenance()
    imp.list_skipped()
    config: dict[str, Any] = {}
    for name, section in (
        ("users", imp.users),
        ("services", imp.services),
        ("schedules", imp.schedules),
        ("policies", imp.policies),
        ("rules", rules),
    ):
        if section:
            config[name] = section
    if imp.maintenance:
        config["maintenance"] = imp.maintenance
    return TerraformImport(config, imp.skipped, imp.warnings, list(module.files))


def read_terraform_config(path: Path | str) -> dict[str, Any]:
    """The config dict the Terraform in `path` (a folder or a .tf file) maps onto."""
    return import_terraform([Path(path)]).config
