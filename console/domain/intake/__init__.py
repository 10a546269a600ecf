"""Alert intake: normalize alerts, apply event rules, dedup, group, suppress.

The modules, in the order an alert meets them:
`alert` (parse Events v2, Alertmanager v4 and Opsgenie bodies into one `Alert`),
`condition` (the PagerDuty Condition Language subset), `config` (rules, routing,
grouping and maintenance windows read from the settings, errors at load time),
`book` (open alerts by dedup key, folded into `State`) and `engine` (the pure
`intake(state, settings, body, received_at) -> (events, intents)`).

Nothing is imported here eagerly: `console.domain.model` imports `book`, and `engine`
imports the model, so importing the package must not pull the engine in.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "intake": "console.domain.intake.engine",
    "intake_result": "console.domain.intake.engine",
    "intake_alerts": "console.domain.intake.engine",
    "IntakeResult": "console.domain.intake.engine",
    "load_intake_config": "console.domain.intake.config",
    "IntakeConfig": "console.domain.intake.config",
    "IntakeConfigError": "console.domain.intake.config",
    "Alert": "console.domain.intake.alert",
    "AlertFormatError": "console.domain.intake.alert",
    "parse_body": "console.domain.intake.alert",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
