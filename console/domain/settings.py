"""The parsed configuration that pure code reads (docs/config.md).

Reading the TOML file is `console/config.py`'s job; this module turns a plain dict into
these values and names the key path of anything wrong. Sections owned by other rooms
(schedules, policies, rules, maintenance, providers, sync) are kept as validated plain
dicts here and parsed by their own modules.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from typing import Any

from console.domain.model import COMPONENT_STATUSES, Service, User


class SettingsError(ValueError):
    """A bad configuration value; the message names the file and key path."""


DEFAULT_SEVERITY_POLICY: dict[int, dict[str, str]] = {
    1: {"component_status": "major_outage", "impact": "critical"},
    2: {"component_status": "partial_outage", "impact": "major"},
    3: {"component_status": "degraded_performance", "impact": "minor"},
}

TOP_KEYS = {
    "terraform",
    "user",
    "ui",
    "users",
    "services",
    "schedules",
    "policies",
    "rules",
    "maintenance",
    "status",
    "providers",
    "sync",
    "read_only",
}
USER_KEYS = {"name", "email", "handle"}
# "__source__" ("file.tf:LINE") marks a table imported from Terraform (console/terraform)
SOURCE_KEY = "__source__"
USERS_KEYS = {"name", "email", "time_zone", "pagerduty_id", "opsgenie_id", "handle", SOURCE_KEY}
SERVICE_KEYS = {
    "name",
    "description",
    "escalation_policy",
    "acknowledgement_timeout",
    "auto_resolve_timeout",
    "components",
    "integration_keys",
    "paging",
    "pagerduty_id",
    "opsgenie_id",
    "alert_grouping",
    "rules",
    "team",
    "auto_resolve_alerts",
    SOURCE_KEY,
}
UI_KEYS = {"theme", "bell", "keymap", "flash"}
STATUS_KEYS = {"stale_minutes", "components", "severity_policy"}
COMPONENT_KEYS = {"name", "statuspage_id", "group", "description", "internal_name"}


@dataclass
class Settings:
    """Everything the commands and panes need from the config."""

    user: User
    users: dict[str, User] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    components: list[str] = field(default_factory=list)
    severity_policy: dict[int, dict[str, str]] = field(
        default_factory=lambda: dict(DEFAULT_SEVERITY_POLICY)
    )
    stale_minutes: int = 30
    ui: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    source: str = "<defaults>"

    def all_users(self) -> list[User]:
        people = dict(self.users)
        people.setdefault(self.user.handle, self.user)
        return list(people.values())

    def section(self, name: str) -> Any:
        """A section owned by another room, as a plain (validated-at-top-level) value."""
        return self.raw.get(name)


def default_user() -> User:
    try:
        login = getpass.getuser()
    except Exception:  # no login name in some containers
        login = "operator"
    return User(handle=login, name=login, email="")


def _check_keys(where: str, table: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise SettingsError(f"{where} must be a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise SettingsError(
            f"{where}: unknown key '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})"
        )
    return table


def _int_or_none(where: str, value: Any) -> int | None:
    if value is None or value == "null":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SettingsError(f"{where} must be a whole number of seconds")
    return value


def settings_from_dict(doc: dict[str, Any], source: str = "<defaults>") -> Settings:
    """Validate the top level and the sections this room owns; keep the rest raw."""
    _check_keys(source, doc, TOP_KEYS)
    u = _check_keys(f"{source}: [user]", doc.get("user", {}), USER_KEYS)
    base = default_user()
    me = User(
        handle=u.get("handle") or base.handle,
        name=u.get("name") or base.name,
        email=u.get("email", ""),
    )
    users: dict[str, User] = {}
    for handle, entry in _check_keys(
        f"{source}: [users]", doc.get("users", {}), set(doc.get("users", {}))
    ).items():
        e = _check_keys(f"{source}: [users.{handle}]", entry, USERS_KEYS)
        users[handle] = User(handle=handle, name=e.get("name", handle), email=e.get("email", ""))
    # the configured user is usually also in [users]; keep one identity
    for known in users.values():
        if me.email and known.email.lower() == me.email.lower():
            me = known
    services: dict[str, Service] = {}
    for key, entry in _check_keys(
        f"{source}: [services]", doc.get("services", {}), set(doc.get("services", {}))
    ).items():
        where = f"{source}: [services.{key}]"
        e = _check_keys(where, entry, SERVICE_KEYS)
        comps = e.get("components", [])
        if not isinstance(comps, list) or not all(isinstance(c, str) for c in comps):
            raise SettingsError(f"{where} components must be a list of names")
        services[key] = Service(
            name=key,
            description=e.get("description", ""),
            escalation_policy=e.get("escalation_policy"),
            acknowledgement_timeout=_int_or_none(
                f"{where} acknowledgement_timeout", e.get("acknowledgement_timeout")
            ),
            auto_resolve_timeout=_int_or_none(
                f"{where} auto_resolve_timeout", e.get("auto_resolve_timeout")
            ),
            components=tuple(comps),
        )
    status = _check_keys(f"{source}: [status]", doc.get("status", {}), STATUS_KEYS)
    components: list[str] = []
    for i, comp in enumerate(status.get("components", [])):
        c = _check_keys(f"{source}: [[status.components]] #{i + 1}", comp, COMPONENT_KEYS)
        if "name" not in c:
            raise SettingsError(f"{source}: [[status.components]] #{i + 1} needs a name")
        components.append(c["name"])
    for svc in services.values():
        for c in svc.components:
            if c not in components:
                components.append(c)
    policy = dict(DEFAULT_SEVERITY_POLICY)
    if "severity_policy" in status:
        policy = {}
        sp = status["severity_policy"]
        _check_keys(f"{source}: [status.severity_policy]", sp, {f"sev{i}" for i in range(1, 6)})
        for key, val in sp.items():
            where = f"{source}: [status.severity_policy] {key}"
            _check_keys(where, val, {"component_status", "impact"})
            if val.get("component_status") not in COMPONENT_STATUSES:
                raise SettingsError(
                    f"{where}: component_status must be one of {', '.join(COMPONENT_STATUSES)}"
                )
            if val.get("impact") not in ("none", "minor", "major", "critical"):
                raise SettingsError(f"{where}: impact must be none, minor, major or critical")
            policy[int(key[3:])] = dict(val)
    stale = status.get("stale_minutes", 30)
    if isinstance(stale, bool) or not isinstance(stale, int) or stale <= 0:
        raise SettingsError(f"{source}: [status] stale_minutes must be a positive whole number")
    ui = _check_keys(f"{source}: [ui]", doc.get("ui", {}), UI_KEYS)
    return Settings(
        user=me,
        users=users,
        services=services,
        components=components,
        severity_policy=policy,
        stale_minutes=stale,
        ui=dict(ui),
        raw=dict(doc),
        source=source,
    )
