"""Intake's part of the config: event rules, routing, grouping, maintenance windows.

Read from `Settings.raw` (docs/config.md: `[rules]`, `[services.NAME]` integration_keys,
alert_grouping, rules and auto_resolve_alerts, `[[maintenance]]`) and checked once, at
load time: a condition that does not parse, an unknown action or a route to a service
that does not exist is an `IntakeConfigError` naming the rule, long before 3 a.m.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass, field
from typing import Any

from pendulum import DateTime

from console.domain.clock import parse_instant
from console.domain.intake.alert import SEVERITIES
from console.domain.intake.condition import ALWAYS, Condition, ConditionError, compile_condition
from console.domain.model import PRIORITIES, MaintenanceWindow

UNROUTED = "unrouted"
# with no [services] at all, everything lands on one implicit service, so a fresh
# install (and a drill without a config) still turns alerts into incidents
DEFAULT_SERVICE = "default"

# "__source__" ("file.tf:LINE") marks a table imported from Terraform; messages name it
SOURCE_KEY = "__source__"
RULE_KEYS = {"name", "condition", "actions", "disabled", SOURCE_KEY}
ACTION_KEYS = {"drop", "suppress", "route_to", "priority", "severity", "annotate"}
GROUPING_KEYS = {"type", "timeout", "fields", SOURCE_KEY}
GROUPING_TYPES = ("time", "content_based", "none")
GROUPING_FIELDS = ("summary", "source", "severity", "component", "group", "class")
RULES_KEYS = {"global", "router", "catch_all", SOURCE_KEY}
MAINTENANCE_KEYS = {"service", "start", "end", "description", SOURCE_KEY}
CATCH_ALL_KEYS = {"route_to", SOURCE_KEY}


class IntakeConfigError(ValueError):
    """A bad intake setting; the message names the file, the rule and what is wrong."""


@dataclass(frozen=True)
class Actions:
    """What a matching rule does. None / False means 'leave as it is'."""

    drop: bool = False
    suppress: bool = False
    route_to: str | None = None
    priority: str | None = None
    severity: str | None = None
    annotate: str | None = None


@dataclass(frozen=True)
class Rule:
    """One event rule: a compiled condition and its actions; `label` names it in messages."""

    label: str
    condition: str  # "" matches every alert
    test: Condition
    actions: Actions


@dataclass(frozen=True)
class Grouping:
    """How a service's new alerts join its open incidents (PagerDuty's alert grouping)."""

    type: str = "none"
    timeout: int = 0  # seconds; 0 = while the incident is open (time grouping)
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceIntake:
    """Intake's view of one service."""

    name: str
    integration_keys: tuple[str, ...] = ()
    grouping: Grouping = Grouping()
    rules: tuple[Rule, ...] = ()
    auto_resolve_alerts: bool = True
    components: tuple[str, ...] = ()


@dataclass
class IntakeConfig:
    """Everything intake reads from the config, validated and compiled."""

    global_rules: tuple[Rule, ...] = ()
    router_rules: tuple[Rule, ...] = ()
    catch_all: str = UNROUTED
    services: dict[str, ServiceIntake] = field(default_factory=dict)
    by_routing_key: dict[str, str] = field(default_factory=dict)
    maintenance: tuple[MaintenanceWindow, ...] = ()

    def service(self, name: str) -> ServiceIntake:
        return self.services.get(name) or ServiceIntake(name=name)


def _table(where: str, value: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise IntakeConfigError(f"{where} must be a table")
    unknown = sorted(set(value) - allowed - {SOURCE_KEY})
    if unknown:
        raise IntakeConfigError(
            f"{where}: unknown key '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})"
        )
    return value


def _actions(where: str, value: Any, services: set[str], stage: str) -> Actions:
    a = _table(f"{where} actions", value, ACTION_KEYS)
    if not a:
        raise IntakeConfigError(
            f"{where} actions: give at least one of {', '.join(sorted(ACTION_KEYS))}"
        )
    for flag in ("drop", "suppress"):
        if flag in a and not isinstance(a[flag], bool):
            raise IntakeConfigError(f"{where} actions: {flag} must be true or false")
    route = a.get("route_to")
    if route is not None:
        if stage not in ("router",):
            raise IntakeConfigError(f"{where} actions: route_to belongs in [[rules.router]] rules")
        if not isinstance(route, str) or (route != UNROUTED and route not in services):
            known = ", ".join(sorted(services)) or "none configured"
            raise IntakeConfigError(
                f"{where} actions: route_to '{route}' is not a service (known: {known}, or 'unrouted')"
            )
    if "priority" in a and a["priority"] not in PRIORITIES:
        raise IntakeConfigError(f"{where} actions: priority must be one of {', '.join(PRIORITIES)}")
    if "severity" in a and a["severity"] not in SEVERITIES:
        raise IntakeConfigError(f"{where} actions: severity must be one of {', '.join(SEVERITIES)}")
    if "annotate" in a and (not isinstance(a["annotate"], str) or not a["annotate"].strip()):
        raise IntakeConfigError(f"{where} actions: annotate must be a non-empty string")
    return Actions(
        drop=bool(a.get("drop", False)),
        suppress=bool(a.get("suppress", False)),
        route_to=route,
        priority=a.get("priority"),
        severity=a.get("severity"),
        annotate=a.get("annotate"),
    )


def _rules(where: str, value: Any, services: set[str], stage: str) -> tuple[Rule, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise IntakeConfigError(f"{where} must be a list of rules ([[...]] tables)")
    out: list[Rule] = []
    for i, entry in enumerate(value, start=1):
        label = _sourced(f"{where} #{i}", entry)
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            label += f" ({entry['name']})"
        r = _table(label, entry, RULE_KEYS)
        if r.get("disabled", False) is True:
            continue
        text = r.get("condition")
        if text is None:
            test, text = ALWAYS, ""  # a rule without a condition matches every alert
        else:
            try:
                test = compile_condition(text)
            except ConditionError as exc:
                raise IntakeConfigError(f"{label}: condition {json.dumps(text)}: {exc}") from None
        actions = _actions(label, r.get("actions"), services, stage)
        out.append(Rule(label=label, condition=text, test=test, actions=actions))
    return tuple(out)


def _sourced(where: str, table: Any) -> str:
    """Name a Terraform-imported table by its file and line, as the on-call room does."""
    if isinstance(table, dict) and isinstance(table.get(SOURCE_KEY), str):
        return f"{table[SOURCE_KEY]}: {where.split(': ', 1)[-1]}"
    return where


def _grouping(where: str, value: Any) -> Grouping:
    if value is None:
        return Grouping()
    g = _table(where, value, GROUPING_KEYS)
    kind = g.get("type", "none")
    if kind not in GROUPING_TYPES:
        raise IntakeConfigError(f"{where} type must be one of {', '.join(GROUPING_TYPES)}")
    timeout = g.get("timeout", 0)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 0:
        raise IntakeConfigError(
            f"{where} timeout must be a whole number of seconds (0 = while open)"
        )
    fields = g.get("fields", [])
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise IntakeConfigError(f"{where} fields must be a list of field names")
    for f in fields:
        if f not in GROUPING_FIELDS and not (f.startswith("custom_details.") and len(f) > 15):
            raise IntakeConfigError(
                f"{where} fields: unknown field '{f}' (use {', '.join(GROUPING_FIELDS)} or custom_details.NAME)"
            )
    if kind == "content_based" and not fields:
        raise IntakeConfigError(f"{where}: content_based grouping needs fields")
    return Grouping(type=kind, timeout=timeout, fields=tuple(fields))


def _instant(where: str, value: Any) -> DateTime:
    if hasattr(value, "isoformat") and not isinstance(value, str):
        value = value.isoformat()  # TOML datetimes arrive as datetime objects
    if not isinstance(value, str):
        raise IntakeConfigError(f"{where} must be an ISO 8601 time with an offset or Z")
    try:
        return parse_instant(value)
    except Exception:  # pendulum raises several types for bad input
        raise IntakeConfigError(f"{where} '{value}' is not an ISO 8601 time") from None


def load_intake_config(settings: Any) -> IntakeConfig:
    """Validate and compile intake's settings. Raises IntakeConfigError naming the rule."""
    raw = settings.raw or {}
    source = settings.source
    service_tables = raw.get("services") or {}
    names = set(service_tables) or {DEFAULT_SERVICE}
    services: dict[str, ServiceIntake] = {}
    by_key: dict[str, str] = {}
    for name, table in service_tables.items():
        where = _sourced(f"{source}: [services.{name}]", table)
        if not isinstance(table, dict):
            raise IntakeConfigError(f"{where} must be a table")
        keys = table.get("integration_keys", [])
        if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
            raise IntakeConfigError(f"{where} integration_keys must be a list of strings")
        for k in keys:
            if k in by_key and by_key[k] != name:
                # never echo the key itself: integration keys are credentials of a sort
                raise IntakeConfigError(
                    f"{where} integration_keys: a key is also used by [services.{by_key[k]}]"
                )
            by_key[k] = name
        auto = table.get("auto_resolve_alerts", True)
        if not isinstance(auto, bool):
            raise IntakeConfigError(f"{where} auto_resolve_alerts must be true or false")
        comps = table.get("components", [])
        services[name] = ServiceIntake(
            name=name,
            integration_keys=tuple(keys),
            grouping=_grouping(f"{where} alert_grouping", table.get("alert_grouping")),
            rules=_rules(f"{where} [[rules]]", table.get("rules"), names, "service"),
            auto_resolve_alerts=auto,
            components=tuple(comps) if isinstance(comps, list) else (),
        )
    rules = _table(f"{source}: [rules]", raw.get("rules") or {}, RULES_KEYS)
    global_rules = _rules(f"{source}: [[rules.global]]", rules.get("global"), names, "global")
    router_rules = _rules(f"{source}: [[rules.router]]", rules.get("router"), names, "router")
    catch_table = rules.get("catch_all") or {}
    catch_where = _sourced(f"{source}: [rules.catch_all]", catch_table)
    catch = _table(catch_where, catch_table, CATCH_ALL_KEYS)
    default_catch = UNROUTED if service_tables else DEFAULT_SERVICE
    catch_all = catch.get("route_to", default_catch)
    if catch_all != UNROUTED and catch_all not in names:
        known = ", ".join(sorted(names))
        raise IntakeConfigError(
            f"{catch_where} route_to '{catch_all}' is not a service (known: {known}, or 'unrouted')"
        )
    windows: list[MaintenanceWindow] = []
    entries = raw.get("maintenance") or []
    if not isinstance(entries, list):
        raise IntakeConfigError(f"{source}: maintenance must be a list of [[maintenance]] tables")
    for i, entry in enumerate(entries, start=1):
        where = _sourced(f"{source}: [[maintenance]] #{i}", entry)
        m = _table(where, entry, MAINTENANCE_KEYS)
        for key in ("service", "start", "end"):
            if key not in m:
                raise IntakeConfigError(f"{where}: {key} is missing")
        if m["service"] not in names:
            raise IntakeConfigError(
                f"{where}: service '{m['service']}' is not a configured service"
            )
        start = _instant(f"{where} start", m["start"])
        end = _instant(f"{where} end", m["end"])
        if end <= start:
            raise IntakeConfigError(f"{where}: end must be after start")
        windows.append(
            MaintenanceWindow(
                service=m["service"],
                start=start,
                end=end,
                description=str(m.get("description", "")),
            )
        )
    if any(isinstance(t, dict) and t.get("escalation_policy") for t in service_tables.values()):
        # the first alert that opens an incident pages its policy: load the escalation code
        # with the config, not while that alert's sender waits for its answer
        import console.domain.oncall.escalation  # noqa: F401
    return IntakeConfig(
        global_rules=global_rules,
        router_rules=router_rules,
        catch_all=catch_all,
        services=services,
        by_routing_key=by_key,
        maintenance=tuple(windows),
    )


# one compiled config per Settings object: intake runs per alert, compiling runs once
_CACHE: dict[int, tuple[weakref.ref, IntakeConfig]] = {}


def intake_config(settings: Any) -> IntakeConfig:
    """The compiled config for these settings, compiled on first use and then reused."""
    hit = _CACHE.get(id(settings))
    if hit is not None and hit[0]() is settings:
        return hit[1]
    config = load_intake_config(settings)
    key = id(settings)
    try:
        ref = weakref.ref(settings, lambda _r: _CACHE.pop(key, None))
    except TypeError:  # an object without weakref support: do not cache
        return config
    _CACHE[key] = (ref, config)
    return config
