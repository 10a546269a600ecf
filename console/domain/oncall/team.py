"""The on-call half of the config, parsed: users, schedules, policies and services.

`load_team(settings)` reads `[schedules]` and `[policies]` from `Settings.raw` (docs/config.md)
and keeps, for every table, where it came from, so that errors and lint findings can say
"acme.toml: [policies.payments] rules[2]" or, for tables imported from Terraform (which carry
a `__source__ = "file.tf:LINE"` key), "policies.tf:14: [policies.payments] rules[2]".
Positions in arrays are counted from 1, as in the rest of the console's messages.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from console.domain.model import Service, User
from console.domain.oncall.policy import TARGET_KINDS, Policy, Rule, Target
from console.domain.oncall.schedule import Layer, Override, Restriction, Schedule
from console.domain.oncall.times import (
    DAY,
    WEEK,
    TimeValueError,
    parse_config_instant,
    parse_time_of_day,
    wall_of,
    zone,
)
from console.domain.settings import Settings, SettingsError

SOURCE_KEY = "__source__"
SCHEDULE_KEYS = {
    "name",
    "description",
    "time_zone",
    "layers",
    "overrides",
    "teams",
    "pagerduty_id",
    "opsgenie_id",
}
LAYER_KEYS = {
    "name",
    "start",
    "end",
    "rotation_virtual_start",
    "rotation_turn_length_seconds",
    "users",
    "restrictions",
}
RESTRICTION_KEYS = {"type", "start_time_of_day", "duration_seconds", "start_day_of_week"}
OVERRIDE_KEYS = {"start", "end", "user"}
POLICY_KEYS = {"name", "description", "num_loops", "rules", "teams", "pagerduty_id", "opsgenie_id"}
RULE_KEYS = {"escalation_delay_in_minutes", "targets"}
TARGET_KEYS = {"type", "id"}
# PagerDuty's API and Terraform name target types with a suffix; the config's words are short
_TARGET_ALIASES = {
    "user": "user",
    "user_reference": "user",
    "schedule": "schedule",
    "schedule_reference": "schedule",
}


class OnCallConfigError(SettingsError):
    """A schedule or policy table that cannot be used; the message names where it is."""


@dataclass
class Team:
    """Everything on-call code needs, parsed once per Settings."""

    users: dict[str, User]
    services: dict[str, Service]
    schedules: dict[str, Schedule] = field(default_factory=dict)
    policies: dict[str, Policy] = field(default_factory=dict)
    locations: dict[str, str] = field(default_factory=dict)
    source: str = "<defaults>"

    def where(self, path: str) -> str:
        """Where the table at key path `path` (e.g. 'policies.x rules[2]') came from."""
        if path in self.locations:
            return self.locations[path]
        head, _, rest = path.partition(" ")
        return f"{self.source}: [{head}]" + (f" {rest}" if rest else "")

    def label(self, handle: str | None) -> str:
        """A person's display name (their handle when they are not configured)."""
        if handle is None:
            return "nobody"
        user = self.users.get(handle)
        return user.label if user else handle

    def policy_of(self, service: str | None) -> Policy | None:
        svc = self.services.get(service or "")
        if svc is None or not svc.escalation_policy:
            return None
        return self.policies.get(svc.escalation_policy)

    def notified(self, rule: Rule, t: float) -> tuple[str, ...]:
        """The people a rule pages at instant `t`, in target order, each once."""
        out: list[str] = []
        for target in rule.targets:
            if target.kind == "user":
                handle: str | None = target.id if target.id in self.users else None
            else:
                sched = self.schedules.get(target.id)
                handle = sched.user_at(t) if sched else None
            if handle is not None and handle not in out:
                out.append(handle)
        return tuple(out)


_CACHE: dict[int, tuple[weakref.ref, Team]] = {}


def load_team(settings: Settings) -> Team:
    """Parse the on-call sections of `settings` (cached per Settings object)."""
    hit = _CACHE.get(id(settings))
    if hit is not None and hit[0]() is settings:
        return hit[1]
    team = parse_team(settings)
    _CACHE[id(settings)] = (weakref.ref(settings), team)
    for key in [k for k, (ref, _) in _CACHE.items() if ref() is None]:
        del _CACHE[key]
    return team


def parse_team(settings: Settings) -> Team:
    """Parse without the cache. Raises OnCallConfigError naming the table and key."""
    raw = settings.raw or {}
    source = settings.source
    team = Team(users=dict(settings.users), services=dict(settings.services), source=source)
    for section in ("users", "services"):
        for key, table in (raw.get(section) or {}).items():
            team.locations[f"{section}.{key}"] = _where(source, table, f"{section}.{key}", "")
    for key, table in _table(raw, "schedules", source).items():
        team.schedules[key] = _schedule(team, source, key, table)
    for key, table in _table(raw, "policies", source).items():
        team.policies[key] = _policy(team, source, key, table)
    return team


# -- helpers ---------------------------------------------------------------------------


def _where(source: str, table: Any, path: str, suffix: str, parent: Any = None) -> str:
    """The location label: the Terraform file:line when the table (or its parent) has one."""
    origin = None
    for t in (table, parent):
        if isinstance(t, dict) and isinstance(t.get(SOURCE_KEY), str):
            origin = t[SOURCE_KEY]
            break
    return f"{origin or source}: [{path}]{(' ' + suffix) if suffix else ''}"


def _table(raw: dict[str, Any], section: str, source: str) -> dict[str, Any]:
    value = raw.get(section) or {}
    if not isinstance(value, dict):
        raise OnCallConfigError(f"{source}: [{section}] must be a table of tables")
    return value


def _keys(where: str, table: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise OnCallConfigError(f"{where} must be a table")
    unknown = sorted(set(table) - allowed - {SOURCE_KEY})
    if unknown:
        raise OnCallConfigError(
            f"{where}: unknown key '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})"
        )
    return table


def _whole(where: str, name: str, value: Any, minimum: int, maximum: int | None = None) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        bound = f"from {minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
        raise OnCallConfigError(f"{where}: {name} must be a whole number {bound}")
    return value


def _instant(where: str, name: str, value: Any) -> float:
    try:
        return parse_config_instant(value)
    except TimeValueError as exc:
        raise OnCallConfigError(f"{where}: {name} {exc}") from None


def _handles(where: str, name: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise OnCallConfigError(f"{where}: {name} must be a list of user handles")
    return tuple(value)


def _schedule(team: Team, source: str, key: str, table: Any) -> Schedule:
    path = f"schedules.{key}"
    where = _where(source, table, path, "")
    team.locations[path] = where
    t = _keys(where, table, SCHEDULE_KEYS)
    try:
        tz_name = t.get("time_zone", "UTC")
        tz = zone(tz_name)
    except TimeValueError as exc:
        raise OnCallConfigError(f"{where}: {exc}") from None
    layers_raw = t.get("layers", [])
    if not isinstance(layers_raw, list):
        raise OnCallConfigError(f"{where}: layers must be an array of tables ([[{path}.layers]])")
    layers = []
    for i, lt in enumerate(layers_raw, start=1):
        lwhere = _where(source, lt, path, f"layers[{i}]", table)
        team.locations[f"{path} layers[{i}]"] = lwhere
        layers.append(_layer(lwhere, lt, tz, i))
    overrides_raw = t.get("overrides", [])
    if not isinstance(overrides_raw, list):
        raise OnCallConfigError(
            f"{where}: overrides must be an array of tables ([[{path}.overrides]])"
        )
    overrides = []
    for i, ot in enumerate(overrides_raw, start=1):
        owhere = _where(source, ot, path, f"overrides[{i}]", table)
        team.locations[f"{path} overrides[{i}]"] = owhere
        o = _keys(owhere, ot, OVERRIDE_KEYS)
        for needed in ("start", "end", "user"):
            if needed not in o:
                raise OnCallConfigError(f"{owhere}: needs {needed}")
        start, end = _instant(owhere, "start", o["start"]), _instant(owhere, "end", o["end"])
        if end <= start:
            raise OnCallConfigError(f"{owhere}: end must be after start")
        if not isinstance(o["user"], str) or not o["user"]:
            raise OnCallConfigError(f"{owhere}: user must be a user handle")
        overrides.append(Override(start, end, o["user"]))
    name = t.get("name", key)
    if not isinstance(name, str):
        raise OnCallConfigError(f"{where}: name must be a string")
    return Schedule(
        key=key,
        name=name,
        time_zone=tz_name,
        tz=tz,
        layers=tuple(layers),
        overrides=tuple(overrides),
    )


def _layer(where: str, table: Any, tz: Any, index: int) -> Layer:
    lt = _keys(where, table, LAYER_KEYS)
    for needed in ("start", "rotation_turn_length_seconds", "users"):
        if needed not in lt:
            raise OnCallConfigError(f"{where}: needs {needed}")
    start = _instant(where, "start", lt["start"])
    end = _instant(where, "end", lt["end"]) if lt.get("end") is not None else None
    if end is not None and end <= start:
        raise OnCallConfigError(f"{where}: end must be after start")
    virtual = _instant(
        where, "rotation_virtual_start", lt.get("rotation_virtual_start", lt["start"])
    )
    turn = _whole(where, "rotation_turn_length_seconds", lt["rotation_turn_length_seconds"], 60)
    users = _handles(where, "users", lt["users"])
    restrictions_raw = lt.get("restrictions", [])
    if not isinstance(restrictions_raw, list):
        raise OnCallConfigError(f"{where}: restrictions must be an array of tables")
    restrictions = []
    for j, rt in enumerate(restrictions_raw, start=1):
        rwhere = f"{where} restrictions[{j}]"
        r = _keys(rwhere, rt, RESTRICTION_KEYS)
        kind = r.get("type")
        if kind not in ("daily_restriction", "weekly_restriction"):
            raise OnCallConfigError(
                f"{rwhere}: type must be daily_restriction or weekly_restriction"
            )
        if "start_time_of_day" not in r or "duration_seconds" not in r:
            raise OnCallConfigError(f"{rwhere}: needs start_time_of_day and duration_seconds")
        try:
            sod = parse_time_of_day(r["start_time_of_day"])
        except TimeValueError as exc:
            raise OnCallConfigError(f"{rwhere}: {exc}") from None
        longest = DAY if kind == "daily_restriction" else WEEK
        dur = _whole(rwhere, "duration_seconds", r["duration_seconds"], 1, longest)
        dow = None
        if kind == "weekly_restriction":
            if "start_day_of_week" not in r:
                raise OnCallConfigError(
                    f"{rwhere}: a weekly_restriction needs start_day_of_week (1=Mon..7=Sun)"
                )
            dow = _whole(rwhere, "start_day_of_week", r["start_day_of_week"], 1, 7)
        elif "start_day_of_week" in r:
            raise OnCallConfigError(f"{rwhere}: start_day_of_week is only for weekly_restriction")
        restrictions.append(Restriction(kind, sod, dur, dow))
    name = lt.get("name") or f"Layer {index}"
    if not isinstance(name, str):
        raise OnCallConfigError(f"{where}: name must be a string")
    return Layer(
        name=name,
        start=start,
        end=end,
        virtual_start_wall=wall_of(virtual, tz),
        turn_seconds=turn,
        users=users,
        restrictions=tuple(restrictions),
        tz=tz,
    )


def _policy(team: Team, source: str, key: str, table: Any) -> Policy:
    path = f"policies.{key}"
    where = _where(source, table, path, "")
    team.locations[path] = where
    p = _keys(where, table, POLICY_KEYS)
    loops = _whole(where, "num_loops", p.get("num_loops", 0), 0, 9)
    rules_raw = p.get("rules", [])
    if not isinstance(rules_raw, list):
        raise OnCallConfigError(f"{where}: rules must be an array of tables ([[{path}.rules]])")
    rules = []
    for i, rt in enumerate(rules_raw, start=1):
        rwhere = _where(source, rt, path, f"rules[{i}]", table)
        team.locations[f"{path} rules[{i}]"] = rwhere
        r = _keys(rwhere, rt, RULE_KEYS)
        if "escalation_delay_in_minutes" not in r:
            raise OnCallConfigError(f"{rwhere}: needs escalation_delay_in_minutes")
        delay = _whole(rwhere, "escalation_delay_in_minutes", r["escalation_delay_in_minutes"], 1)
        targets_raw = r.get("targets", [])
        if not isinstance(targets_raw, list):
            raise OnCallConfigError(
                f"{rwhere}: targets must be a list of {{ type = ..., id = ... }}"
            )
        targets = []
        for j, tt in enumerate(targets_raw, start=1):
            twhere = f"{rwhere} targets[{j}]"
            tgt = _keys(twhere, tt, TARGET_KEYS)
            kind = _TARGET_ALIASES.get(str(tgt.get("type", "")))
            if kind is None:
                raise OnCallConfigError(f"{twhere}: type must be one of {', '.join(TARGET_KINDS)}")
            if not isinstance(tgt.get("id"), str) or not tgt["id"]:
                raise OnCallConfigError(f"{twhere}: id must name a {kind}")
            targets.append(Target(kind, tgt["id"]))
        rules.append(Rule(delay, tuple(targets)))
    name = p.get("name", key)
    if not isinstance(name, str):
        raise OnCallConfigError(f"{where}: name must be a string")
    return Policy(key=key, name=name, num_loops=loops, rules=tuple(rules))


def target_label(team: Team, kind: str, ident: str) -> str:
    """How a rule's target reads in a plan: a schedule's name, or 'direct' for a user."""
    if kind == "schedule":
        sched = team.schedules.get(ident)
        return sched.name if sched else ident
    return "direct"


def notified_via(team: Team, rule: Rule, t: float) -> list[tuple[str | None, str]]:
    """(handle or None, via) for each target of `rule` at instant `t`, in target order.

    A handle appears once (at its first target); None marks a target that reaches nobody
    (a schedule with a gap, or a user who is not configured).
    """
    out: list[tuple[str | None, str]] = []
    seen: set[str] = set()
    for target in rule.targets:
        if target.kind == "user":
            handle = target.id if target.id in team.users else None
        else:
            sched = team.schedules.get(target.id)
            handle = sched.user_at(t) if sched else None
        if handle is not None and handle in seen:
            continue
        if handle is not None:
            seen.add(handle)
        out.append((handle, target_label(team, target.kind, target.id)))
    return out
