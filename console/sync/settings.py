"""The `[sync]` and `[providers.*]` sections of the config (docs/config.md), checked by name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from console.domain.words import WordError, parse_duration

SYNC_KEYS = {"poll_seconds", "hold_triggers_older_than"}
PROVIDER_KEYS = {
    "pagerduty": {"enabled", "api_url", "events_url", "token_env", "from_env", "routing_key_env"},
    "statuspage": {"enabled", "api_url", "page_id", "token_env"},
    "opsgenie": {"enabled", "api_url", "token_env"},
    "chat": {"enabled", "webhook_env"},
}


class SyncConfigError(ValueError):
    """A bad [sync] or [providers.*] value; the message names the source and the key."""


@dataclass(frozen=True)
class SyncSettings:
    poll_seconds: float = 30.0
    hold_seconds: float = 15 * 60.0


def _table(where: str, value: Any, allowed: set[str]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise SyncConfigError(f"{where} must be a table")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise SyncConfigError(
            f"{where}: unknown key '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})"
        )
    return value


def sync_settings(config: Mapping[str, Any], source: str = "config") -> SyncSettings:
    """[sync] and a check of [providers.*]; raises SyncConfigError naming the key."""
    providers = _table(f"{source}: [providers]", config.get("providers", {}), set(PROVIDER_KEYS))
    for name, section in providers.items():
        _table(f"{source}: [providers.{name}]", section, PROVIDER_KEYS[name])
        if "enabled" in section and not isinstance(section["enabled"], bool):
            raise SyncConfigError(f"{source}: [providers.{name}] enabled must be true or false")
        for key, value in section.items():
            if key != "enabled" and not isinstance(value, str):
                raise SyncConfigError(f"{source}: [providers.{name}] {key} must be a string")
    sync = _table(f"{source}: [sync]", config.get("sync", {}), SYNC_KEYS)
    poll = sync.get("poll_seconds", 30)
    if isinstance(poll, bool) or not isinstance(poll, (int, float)) or poll <= 0:
        raise SyncConfigError(f"{source}: [sync] poll_seconds must be a positive number of seconds")
    hold = sync.get("hold_triggers_older_than", "15m")
    try:
        hold_seconds = float(parse_duration(str(hold)))
    except WordError as exc:
        raise SyncConfigError(f"{source}: [sync] hold_triggers_older_than: {exc}") from None
    return SyncSettings(poll_seconds=float(poll), hold_seconds=hold_seconds)
