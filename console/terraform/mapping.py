"""Map PagerDuty Terraform resources onto the console's config dict (docs/config.md).

Keys: a resource's Terraform name is its key in the config (`pagerduty_user.ada` is the
handle `ada`; a `for_each` instance is keyed by its `each.key`), because PagerDuty ids
exist only after apply. Every imported table carries `"__source__": "file.tf:LINE"` so
that lint findings and errors can name where it was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from console.terraform.hcl_files import Block, Origin, TerraformError
from console.terraform.module import Instance, Ref, Resource, TerraformModule

SOURCE = "__source__"

TARGET_TYPES = {
    "user_reference": "user",
    "user": "user",
    "schedule_reference": "schedule",
    "schedule": "schedule",
}
GROUPING_TYPES = ("time", "content_based", "none")

# Resource types read here, and where (orchestration.py reads the event orchestrations).
MAPPED_RESOURCES = {
    "pagerduty_user",
    "pagerduty_team",
    "pagerduty_schedule",
    "pagerduty_escalation_policy",
    "pagerduty_service",
    "pagerduty_service_integration",
    "pagerduty_maintenance_window",
    "pagerduty_event_orchestration",
    "pagerduty_event_orchestration_router",
    "pagerduty_event_orchestration_global",
    "pagerduty_event_orchestration_service",
}
MAPPED_DATA = {"pagerduty_user", "pagerduty_priority", "pagerduty_team"}

# Why a type the console reads nothing from is skipped (the rest: "not modelled").
SKIP_REASONS = {
    "pagerduty_team_membership": "team membership is not part of the console's config",
    "pagerduty_user_contact_method": "contact methods stay with PagerDuty",
    "pagerduty_user_notification_rule": "notification rules stay with PagerDuty",
    "pagerduty_event_orchestration_unrouted": (
        "its rules only touch events no router rule matched, which make no incident"
    ),
    "pagerduty_service_dependency": "service dependencies are not modelled",
    "pagerduty_business_service": "business services are not modelled",
    "pagerduty_ruleset": "legacy rulesets: use event orchestrations",
    "pagerduty_ruleset_rule": "legacy rulesets: use event orchestrations",
    "pagerduty_service_event_rule": "legacy service event rules: use event orchestrations",
    "pagerduty_schedule_override": "not modelled (add [[schedules.NAME.overrides]] in TOML)",
    "pagerduty_vendor": "only names an integration's vendor",
}


@dataclass(frozen=True)
class Skipped:
    """A resource (or block) the import did not turn into config, and why."""

    address: str
    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.address} ({self.source}): {self.reason}"


@dataclass
class TerraformImport:
    """The imported config, with what was skipped and what was approximated."""

    config: dict[str, Any]
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


class Importer:
    """Walks one module's resources; the sections are filled in a fixed order."""

    def __init__(self, module: TerraformModule) -> None:
        self.module = module
        self.warnings: list[str] = []
        self.skipped: list[Skipped] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.services: dict[str, dict[str, Any]] = {}
        self.schedules: dict[str, dict[str, Any]] = {}
        self.policies: dict[str, dict[str, Any]] = {}
        self.maintenance: list[dict[str, Any]] = []
        self._owners: dict[tuple[str, str], Origin] = {}
        self._alias: dict[str, str] = {}  # a data source's key -> the managed user's key

    # -- helpers ------------------------------------------------------------------------

    def of_type(self, mode: str, rtype: str) -> list[Resource]:
        return [r for (m, t, _), r in self.module.resources.items() if m == mode and t == rtype]

    def instances(self, mode: str, rtype: str) -> list[Instance]:
        return [i for r in self.of_type(mode, rtype) for i in self.module.instances(r)]

    def value(self, block: Block, name: str, inst: Instance, default: Any = None) -> Any:
        return self.module.attr(block, name, inst.env, default)

    def required(self, block: Block, name: str, inst: Instance) -> Any:
        if name not in block.attributes:
            raise TerraformError(f"{block.origin}: {inst.address} needs '{name}'")
        return self.value(block, name, inst)

    def warn(self, origin: Origin, message: str) -> None:
        self.warnings.append(f"{origin}: {message}")

    def claim(self, section: str, key: str, origin: Origin) -> None:
        """Two resources may not take the same key in one section."""
        first = self._owners.get((section, key))
        if first is not None:
            raise TerraformError(
                f"{origin}: [{section}.{key}] is also defined at {first}; "
                "rename one resource or its for_each key"
            )
        self._owners[(section, key)] = origin

    def ref_key(self, value: Any, want: str, origin: Origin, what: str) -> str:
        """The console key a reference names, checking it names the right kind of thing."""
        if isinstance(value, Ref):
            if value.type != want:
                raise TerraformError(f"{origin}: {what} refers to {value.address}, not a {want}")
            if value.mode == "data" and want not in MAPPED_DATA:
                self.warn(
                    origin,
                    f"{what} refers to {value.address}, defined outside these files; "
                    f"define [{_SECTION[want]}.{value.key}] in the TOML",
                )
            return value.key
        if isinstance(value, str) and value:
            self.warn(origin, f"{what} is the literal id {value!r}, not a reference to {want}")
            return value
        raise TerraformError(f"{origin}: {what} must be a reference to a {want}, not {value!r}")

    def team_names(self, block: Block, inst: Instance) -> list[str]:
        """A schedule's or policy's `teams`, by the teams' names (the config has no [teams])."""
        attr = block.attributes.get("teams")
        if attr is None:
            return []
        teams = self.module.value(attr, inst.env)
        if not isinstance(teams, list):
            raise TerraformError(f"{attr.origin}: teams must be a list")
        names = []
        for team in teams:
            if isinstance(team, Ref) and team.type == "pagerduty_team":
                name = self.module.value_of(team, "name")
                names.append(_text(name, attr.origin) if name is not None else team.key)
            else:
                names.append(_text(team, attr.origin))
        return names

    # -- sections -----------------------------------------------------------------------

    def read_users(self) -> None:
        by_email: dict[str, str] = {}
        for inst in self.instances("resource", "pagerduty_user"):
            b = inst.block
            entry = {
                SOURCE: inst.origin.source,
                "name": _text(self.required(b, "name", inst), b.attributes["name"].origin),
                "email": _text(self.required(b, "email", inst), b.attributes["email"].origin),
            }
            tz = self.value(b, "time_zone", inst)
            if tz:
                entry["time_zone"] = _text(tz, b.attributes["time_zone"].origin)
            self.claim("users", inst.key, inst.origin)
            self.users[inst.key] = entry
            by_email[entry["email"].lower()] = inst.key
        for inst in self.instances("data", "pagerduty_user"):
            b = inst.block
            email = _text(self.required(b, "email", inst), b.attributes["email"].origin)
            same = by_email.get(email.lower())
            if same is not None:  # the same person read back by a data source
                if same != inst.key:
                    self.warn(inst.origin, f"{inst.address} is the user '{same}' (same email)")
                    self._alias[inst.key] = same
                continue
            self.claim("users", inst.key, inst.origin)
            self.users[inst.key] = {SOURCE: inst.origin.source, "email": email}
            by_email[email.lower()] = inst.key

    def user_key(self, value: Any, origin: Origin, what: str) -> str:
        key = self.ref_key(value, "pagerduty_user", origin, what)
        return self._alias.get(key, key)

    def read_schedules(self) -> None:
        for inst in self.instances("resource", "pagerduty_schedule"):
            b = inst.block
            self.claim("schedules", inst.key, inst.origin)
            entry: dict[str, Any] = {SOURCE: inst.origin.source}
            entry["name"] = _text(self.value(b, "name", inst, inst.key), b.origin)
            entry["time_zone"] = _text(self.required(b, "time_zone", inst), b.origin)
            description = self.value(b, "description", inst)
            if description and description != "Managed by Terraform":
                entry["description"] = _text(description, b.origin)
            teams = self.team_names(b, inst)
            if teams:
                entry["teams"] = teams
            layers = b.children("layer")
            if not layers:
                raise TerraformError(f"{b.origin}: {inst.address} has no layer")
            entry["layers"] = [self._layer(layer, inst, n) for n, layer in enumerate(layers, 1)]
            self.schedules[inst.key] = entry

    def _layer(self, layer: Block, inst: Instance, n: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            SOURCE: layer.origin.source,
            "name": _text(self.value(layer, "name", inst, f"Layer {n}"), layer.origin),
        }
        for key in ("start", "end", "rotation_virtual_start"):
            value = self.value(layer, key, inst)
            if value not in (None, ""):
                out[key] = _text(value, layer.attributes[key].origin)
        for key in ("start", "rotation_virtual_start", "rotation_turn_length_seconds", "users"):
            if key not in layer.attributes:
                raise TerraformError(f"{layer.origin}: layer {n} of {inst.address} needs '{key}'")
        turn = layer.attributes["rotation_turn_length_seconds"]
        out["rotation_turn_length_seconds"] = _whole(self.module.value(turn, inst.env), turn.origin)
        users_attr = layer.attributes["users"]
        users = self.module.value(users_attr, inst.env)
        if not isinstance(users, list) or not users:
            raise TerraformError(f"{users_attr.origin}: layer users must be a non-empty list")
        out["users"] = [
            self.user_key(u, users_attr.origin, f"layer {n} users[{i}]")
            for i, u in enumerate(users, 1)
        ]
        restrictions = []
        for r in layer.children("restriction"):
            item: dict[str, Any] = {SOURCE: r.origin.source}
            rtype = _text(self.value(r, "type", inst), r.origin)
            if rtype not in ("daily_restriction", "weekly_restriction"):
                raise TerraformError(
                    f"{r.origin}: restriction type must be daily_restriction or weekly_restriction"
                )
            item["type"] = rtype
            item["start_time_of_day"] = _text(self.value(r, "start_time_of_day", inst), r.origin)
            item["duration_seconds"] = _whole(self.value(r, "duration_seconds", inst), r.origin)
            if "start_day_of_week" in r.attributes:
                day = _whole(self.value(r, "start_day_of_week", inst), r.origin)
                if not 1 <= day <= 7:
                    raise TerraformError(f"{r.origin}: start_day_of_week must be 1 (Monday) to 7")
                item["start_day_of_week"] = day
            elif rtype == "weekly_restriction":
                raise TerraformError(f"{r.origin}: a weekly_restriction needs start_day_of_week")
            restrictions.append(item)
        if restrictions:
            out["restrictions"] = restrictions
        return out

    def read_policies(self) -> None:
        for inst in self.instances("resource", "pagerduty_escalation_policy"):
            b = inst.block
            self.claim("policies", inst.key, inst.origin)
            entry: dict[str, Any] = {SOURCE: inst.origin.source}
            entry["name"] = _text(self.value(b, "name", inst, inst.key), b.origin)
            description = self.value(b, "description", inst)
            if description and description != "Managed by Terraform":
                entry["description"] = _text(description, b.origin)
            entry["num_loops"] = _whole(self.value(b, "num_loops", inst, 0), b.origin)
            teams = self.team_names(b, inst)
            if teams:
                entry["teams"] = teams
            rules = []
            for n, rule in enumerate(b.children("rule"), 1):
                delay = _whole(
                    self.required(rule, "escalation_delay_in_minutes", inst), rule.origin
                )
                targets = []
                for t in rule.children("target"):
                    ttype = _text(self.value(t, "type", inst, "user_reference"), t.origin)
                    if ttype not in TARGET_TYPES:
                        raise TerraformError(
                            f"{t.origin}: target type {ttype!r} is not user_reference or schedule_reference"
                        )
                    kind = TARGET_TYPES[ttype]
                    raw = self.required(t, "id", inst)
                    what = f"rule {n} target"
                    if kind == "user":
                        key = self.user_key(raw, t.origin, what)
                    else:
                        key = self.ref_key(raw, "pagerduty_schedule", t.origin, what)
                    targets.append({"type": kind, "id": key})
                if not targets:
                    raise TerraformError(f"{rule.origin}: rule {n} of {inst.address} has no target")
                rules.append(
                    {
                        SOURCE: rule.origin.source,
                        "escalation_delay_in_minutes": delay,
                        "targets": targets,
                    }
                )
            if not rules:
                raise TerraformError(f"{b.origin}: {inst.address} has no rule")
            entry["rules"] = rules
            self.policies[inst.key] = entry

    def read_services(self) -> None:
        for inst in self.instances("resource", "pagerduty_service"):
            b = inst.block
            self.claim("services", inst.key, inst.origin)
            entry: dict[str, Any] = {SOURCE: inst.origin.source}
            entry["name"] = _text(self.value(b, "name", inst, inst.key), b.origin)
            description = self.value(b, "description", inst)
            if description and description != "Managed by Terraform":
                entry["description"] = _text(description, b.origin)
            policy_attr = b.attributes.get("escalation_policy")
            if policy_attr is None:
                raise TerraformError(f"{b.origin}: {inst.address} needs 'escalation_policy'")
            entry["escalation_policy"] = self.ref_key(
                self.module.value(policy_attr, inst.env),
                "pagerduty_escalation_policy",
                policy_attr.origin,
                "escalation_policy",
            )
            for key in ("acknowledgement_timeout", "auto_resolve_timeout"):
                if key in b.attributes:
                    seconds = _timeout(self.value(b, key, inst), b.attributes[key].origin)
                    if seconds is not None:
                        entry[key] = seconds
            grouping = self._grouping(b, inst)
            if grouping:
                entry["alert_grouping"] = grouping
            entry["paging"] = ["pagerduty"]
            for name in ("incident_urgency_rule", "support_hours", "scheduled_actions"):
                for block in b.children(name):
                    self.warn(block.origin, f"{inst.address}: {name} is not modelled; ignored")
            self.services[inst.key] = entry

    def _grouping(self, b: Block, inst: Instance) -> dict[str, Any]:
        params = b.child("alert_grouping_parameters")
        if params is not None:
            gtype = self.value(params, "type", inst)
            config = params.child("config")
            timeout = self.value(config, "timeout", inst) if config else None
            fields = self.value(config, "fields", inst) if config else None
            origin = params.origin
        elif "alert_grouping" in b.attributes:  # the provider's older, flat attributes
            gtype = self.value(b, "alert_grouping", inst)
            timeout = self.value(b, "alert_grouping_timeout", inst)
            fields = None
            config = None
            origin = b.attributes["alert_grouping"].origin
        else:
            return {}
        if gtype in (None, "", "null"):
            return {}
        if gtype == "rules":  # the provider's old name for "no grouping"
            gtype = "none"
        if gtype not in GROUPING_TYPES:
            self.warn(
                origin, f"alert grouping type {gtype!r} is not modelled; no grouping imported"
            )
            return {}
        out: dict[str, Any] = {"type": gtype}
        if gtype == "time" and timeout not in (None, "null"):
            out["timeout"] = _whole(timeout, origin)
        if gtype == "content_based" and fields:
            out["fields"] = [_text(f, origin) for f in fields]
        if gtype == "content_based" and config is not None:
            # the console groups by all the fields, for as long as the incident is open
            if self.value(config, "aggregate", inst, "all") == "any":
                self.warn(origin, 'aggregate = "any" is not modelled; grouped on all fields')
            if self.value(config, "time_window", inst) not in (None, 0, "null"):
                self.warn(origin, "time_window is not modelled; grouped while the incident is open")
        return out

    def read_integrations(self) -> None:
        for inst in self.instances("resource", "pagerduty_service_integration"):
            b = inst.block
            svc_attr = b.attributes.get("service")
            if svc_attr is None:
                raise TerraformError(f"{b.origin}: {inst.address} needs 'service'")
            service = self.ref_key(
                self.module.value(svc_attr, inst.env),
                "pagerduty_service",
                svc_attr.origin,
                "service",
            )
            key = self.value(b, "integration_key", inst)
            if not key:
                self.warn(
                    b.origin,
                    f"{inst.address}: its integration key is made by PagerDuty on apply; "
                    f"list it in [services.{service}] integration_keys to route events by it",
                )
                continue
            if service in self.services:
                self.services[service].setdefault("integration_keys", []).append(
                    _text(key, b.origin)
                )

    def read_maintenance(self) -> None:
        for inst in self.instances("resource", "pagerduty_maintenance_window"):
            b = inst.block
            start = _text(self.required(b, "start_time", inst), b.origin)
            end = _text(self.required(b, "end_time", inst), b.origin)
            services_attr = b.attributes.get("services")
            if services_attr is None:
                raise TerraformError(f"{b.origin}: {inst.address} needs 'services'")
            services = self.module.value(services_attr, inst.env)
            if not isinstance(services, list) or not services:
                raise TerraformError(f"{services_attr.origin}: services must be a non-empty list")
            description = self.value(b, "description", inst)
            for i, svc in enumerate(services, 1):
                key = self.ref_key(svc, "pagerduty_service", services_attr.origin, f"services[{i}]")
                window = {SOURCE: inst.origin.source, "service": key, "start": start, "end": end}
                if description and description != "Managed by Terraform":
                    window["description"] = _text(description, b.origin)
                self.maintenance.append(window)

    def list_skipped(self) -> None:
        for (mode, rtype, _name), res in sorted(
            self.module.resources.items(),
            key=lambda kv: (kv[1].block.origin.rel, kv[1].block.origin.line),
        ):
            mapped = MAPPED_RESOURCES if mode == "resource" else MAPPED_DATA
            if rtype in mapped:
                continue
            if mode == "data" and rtype in _SECTION:
                section = _SECTION[rtype]
                reason = f"defined outside these files: give it a [{section}.{_name}] table in TOML"
            elif mode == "data":
                reason = SKIP_REASONS.get(rtype, "data source not used by the console")
            elif rtype.startswith("pagerduty_"):
                reason = SKIP_REASONS.get(rtype, "not modelled by the console")
            else:
                reason = "not a PagerDuty resource"
            self.skipped.append(Skipped(res.address, res.block.origin.source, reason))
        for name in self.module.unread:
            self.skipped.append(Skipped(name, name, "Terraform's JSON syntax is not read"))
        for block in self.module.others:
            if block.kind == "module":
                name = block.labels[0] if block.labels else "?"
                self.skipped.append(
                    Skipped(f"module.{name}", block.origin.source, "modules are not followed")
                )


_SECTION = {
    "pagerduty_user": "users",
    "pagerduty_schedule": "schedules",
    "pagerduty_escalation_policy": "policies",
    "pagerduty_service": "services",
}


def _text(value: Any, origin: Origin) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Ref):
        return value.key
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise TerraformError(f"{origin}: expected text, found {value!r}")


def _whole(value: Any, origin: Origin) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TerraformError(f"{origin}: expected a whole number, found {value!r}")
    return value


def _timeout(value: Any, origin: Origin) -> int | None:
    """PagerDuty's timeouts: seconds, or the string "null" (and null) for none."""
    if value is None or value == "null":
        return None
    return _whole(value, origin)
