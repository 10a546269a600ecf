"""Apply a command to the state: pure, given the state, the command and the time.

It returns the new timeline events and the outbox intents they imply, or refuses with
one sentence and changes nothing. The store persists both in one durable write.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pendulum import DateTime

from console.commands.grammar import Command
from console.domain.clock import iso
from console.domain.model import Event, Incident, State, User, can_transition
from console.domain.oncall import EscalationError, OnCallConfigError, load_team, manual_escalation
from console.domain.settings import Settings
from console.domain.words import WordError, parse_time, resolve_user


class Refused(Exception):
    """The command cannot apply now; the message says why in one sentence."""


@dataclass
class ApplyContext:
    now: DateTime
    settings: Settings
    origin: str = "local"
    selected: str | None = None  # the TUI's selected incident
    author: User | None = None

    @property
    def who(self) -> User:
        return self.author or self.settings.user


@dataclass
class Outcome:
    events: list[Event] = field(default_factory=list)
    intents: list[dict[str, Any]] = field(default_factory=list)

    @property
    def incident(self) -> str | None:
        return next((e.incident for e in self.events if e.incident), None)


def new_id() -> str:
    return uuid.uuid4().hex


class _Builder:
    def __init__(self, ctx: ApplyContext) -> None:
        self.ctx = ctx
        self.out = Outcome()

    def event(self, incident: str | None, kind: str, text: str, /, **data: Any) -> Event:
        ev = Event(
            id=new_id(),
            at=self.ctx.now,
            kind=kind,
            author=self.ctx.who.label,
            origin=self.ctx.origin,
            text=text,
            incident=incident,
            data=data,
        )
        self.out.events.append(ev)
        return ev

    def intent(self, op: str, incident: str | None, /, **args: Any) -> None:
        self.out.intents.append(
            {
                "id": new_id(),
                "op": op,
                "incident": incident,
                "args": args,
                "created_at": iso(self.ctx.now),
                "origin": self.ctx.origin,
            }
        )


def apply(state: State, cmd: Command, ctx: ApplyContext) -> Outcome:
    handler = _HANDLERS.get(cmd.name)
    if handler is None:
        raise Refused(f"'{cmd.name}' cannot be applied")
    b = _Builder(ctx)
    try:
        handler(state, cmd.args, ctx, b)
    except WordError as exc:
        raise Refused(str(exc)) from None
    return b.out


# -- resolving words against the state and the config -------------------------------


def target_incident(state: State, inc_id: str | None, ctx: ApplyContext) -> Incident:
    """The named incident; else the selected one; else the only open one; else refuse."""
    if inc_id:
        inc = state.get(inc_id)
        if inc is None:
            raise Refused(f"{inc_id} does not exist")
        return inc
    if ctx.selected:
        inc = state.get(ctx.selected)
        if inc is not None:
            return inc
    open_ = state.open_incidents()
    if len(open_) == 1:
        return open_[0]
    if not open_:
        raise Refused("no incident is open; name one (e.g. INC-1)")
    ids = ", ".join(i.id for i in sorted(open_, key=lambda i: i.number))
    raise Refused(f"which incident? {len(open_)} are open ({ids}); name one")


def _user(word: str, ctx: ApplyContext) -> User:
    return resolve_user(word, ctx.settings.all_users())


def _service(name: str | None, ctx: ApplyContext) -> str | None:
    if name is None:
        return None
    services = ctx.settings.services
    if not services:
        return name  # no services configured: take the word as given
    for key in services:
        if key.lower() == name.lower():
            return key
    raise Refused(f"no service '{name}' (known: {', '.join(sorted(services))})")


def _component(name: str, ctx: ApplyContext) -> str:
    """The configured status component `name` names (case-insensitively), else refused.

    Only configured components are customer-facing (docs/config.md): the status page
    refuses any other name, so taking one locally would only fail later, at sync."""
    known = ctx.settings.components
    for c in known:
        if c.lower() == name.lower():
            return c
    if not known:
        raise Refused(
            f"no status component '{name}': none are configured "
            "(add [[status.components]] to the config, see docs/config.md)"
        )
    raise Refused(f"no status component '{name}' (known: {', '.join(known)})")


def _open(inc: Incident, verb: str) -> None:
    if not inc.is_open:
        raise Refused(f"cannot {verb} {inc.id}: it is resolved")


def _public(severity: int, components: list[str], ctx: ApplyContext) -> dict[str, Any] | None:
    rule = ctx.settings.severity_policy.get(severity)
    if not rule or not components:
        return None
    return {
        "status": "investigating",
        "impact": rule["impact"],
        "components": {c: rule["component_status"] for c in components},
    }


# -- the verbs ------------------------------------------------------------------------


def _declare(state: State, a: dict, ctx: ApplyContext, b: _Builder) -> None:
    service = _service(a.get("service"), ctx)
    components = [_component(c, ctx) for c in a.get("components", [])]
    commander = _user(a["commander"], ctx) if a.get("commander") else ctx.who
    sev = a["severity"]
    if a.get("inc"):
        inc = target_incident(state, a["inc"], ctx)
        _open(inc, "declare")
        if inc.severity is not None and inc.declared_at is not None:
            raise Refused(
                f"{inc.id} is already declared {inc.severity_label}; use severity to change it"
            )
        inc_id, title = inc.id, a.get("title") or inc.title
        service = service or inc.service
        if not components and service and service in ctx.settings.services:
            components = list(ctx.settings.services[service].components)
        components = list(dict.fromkeys(inc.components + components))
    else:
        if not a.get("title"):
            raise Refused(
                'declare needs a title for a new incident (declare sev2 "Payments degraded")'
            )
        inc_id, title = state.next_incident_id(), a["title"]
        if not components and service and service in ctx.settings.services:
            components = list(ctx.settings.services[service].components)
        b.event(
            inc_id,
            "opened",
            f"Opened: {title}",
            title=title,
            severity=sev,
            urgency="high",
            service=service,
            components=components,
        )
    public = _public(sev, components, ctx)
    where = f" on {service}" if service else ""
    b.event(
        inc_id,
        "declared",
        f"Declared SEV{sev}{where}: {title} (commander {commander.label})",
        severity=sev,
        title=title,
        service=service,
        components=components,
        commander=commander.handle,
        public=public,
    )
    if public:
        for comp, status in public["components"].items():
            b.event(
                None,
                "component_status",
                f"{comp}: {status}",
                component=comp,
                status=status,
                for_incident=inc_id,
            )
        b.event(
            inc_id,
            "status_page_opened",
            "Status page incident opened: investigating",
            status="investigating",
        )
    b.intent(
        "incident.declare",
        inc_id,
        severity=sev,
        title=title,
        service=service,
        components=components,
        commander=commander.handle,
        public=public,
    )


def _ack(state, a, ctx, b):
    inc = target_incident(state, a.get("inc"), ctx)
    _open(inc, "acknowledge")
    again = " again" if inc.status == "acknowledged" else ""
    b.event(inc.id, "acknowledged", f"Acknowledged{again} by {ctx.who.label}")
    b.intent("incident.ack", inc.id)


def _resolve(state, a, ctx, b):
    inc = target_incident(state, a.get("inc"), ctx)
    if not can_transition(inc.status, "resolved") or not inc.is_open:
        raise Refused(f"{inc.id} is already resolved")
    if a.get("note"):
        b.event(inc.id, "note", a["note"], text=a["note"])
    b.event(inc.id, "resolved", f"Resolved by {ctx.who.label}")
    _restore_public(state, inc, b)
    b.intent("incident.resolve", inc.id, note=a.get("note"))


def _restore_public(state: State, inc: Incident, b: _Builder) -> None:
    """What resolving does to the status page, recorded locally as it is queued: its
    incident resolved and the components this incident took down operational again
    (unless another open incident still holds them down)."""
    if inc.page_status is not None and inc.page_status != "resolved":
        b.event(
            inc.id,
            "status_page_update",
            "Status page resolved",
            status="resolved",
            text="",
            components={},
        )
    held = {
        c
        for other in state.open_incidents()
        if other.id != inc.id and other.page_status not in (None, "resolved")
        for c in other.components
    }
    for comp in inc.components:
        current = state.components.get(comp)
        if current is None or current.status == "operational" or comp in held:
            continue
        b.event(
            None,
            "component_status",
            f"{comp}: operational",
            component=comp,
            status="operational",
            for_incident=inc.id,
        )


def _reopen(state, a, ctx, b):
    inc = target_incident(state, a["inc"], ctx)
    if inc.is_open:
        raise Refused(f"{inc.id} is not resolved, so it cannot be reopened")
    if inc.merged_into:
        raise Refused(f"{inc.id} was merged into {inc.merged_into}; reopen that one")
    b.event(inc.id, "reopened", f"Reopened by {ctx.who.label}")
    b.intent("incident.reopen", inc.id)


def _escalate(state, a, ctx, b):
    inc = target_incident(state, a.get("inc"), ctx)
    _open(inc, "escalate")
    level = a.get("level") or inc.escalation_level + 1
    if level == inc.escalation_level and a.get("level"):
        raise Refused(f"{inc.id} is already at escalation level {level}")
    data = {"level": level, "manual": True}
    if _has_escalation_rules(inc, ctx):
        # The policy is known here, so a level past its last rule is refused now rather
        # than by PagerDuty at sync, and the event says who that level notifies.
        try:
            data = manual_escalation(ctx.settings, inc, level, ctx.now, state.timeline(inc.id))
        except EscalationError as exc:
            raise Refused(f"escalate: {exc}") from None
    b.event(inc.id, "escalated", f"Escalated to level {level} by {ctx.who.label}", **data)
    b.intent("incident.escalate", inc.id, level=level)


def _has_escalation_rules(inc: Incident, ctx: ApplyContext) -> bool:
    """True when the config gives `inc`'s service a policy with rules.

    Without one (no service, no policy, or a config the on-call room cannot read) the
    levels are PagerDuty's to know, so any level is passed on as asked."""
    try:
        policy = load_team(ctx.settings).policy_of(inc.service)
    except OnCallConfigError:
        return False
    return policy is not None and bool(policy.rules)


def _reassign(state, a, ctx, b):
    inc = target_incident(state, a.get("inc"), ctx)
    _open(inc, "reassign")
    user = _user(a["user"], ctx)
    if inc.assignee == user.handle:
        raise Refused(f"{inc.id} is already assigned to {user.label}")
    b.event(inc.id, "reassigned", f"Reassigned to {user.label}", assignee=user.handle)
    b.intent("incident.reassign", inc.id, user=user.handle)


def _page(state, a, ctx, b):
    inc = target_incident(state, a.get("inc"), ctx)
    _open(inc, "page responders for")
    target = a["target"]
    policies = ctx.settings.section("policies") or {}
    policy = next((p for p in policies if p.lower() == target.lower()), None)
    if policy is not None:
        label, kind = policy, "policy"
    else:
        label, kind = _user(target, ctx).handle, "user"
    message = a.get("message") or ""
    suffix = f": {message}" if message else ""
    b.event(
        inc.id,
        "responder_requested",
        f"Paged {label}{suffix}",
        target=label,
        target_type=kind,
        message=message,
    )
    b.intent("incident.page", inc.id, target=label, target_type=kind, message=message)


def _note(state, a, ctx, b):
    inc = target_incident(state, a.get("inc"), ctx)
    b.event(inc.id, "note", a["text"], text=a["text"])
    b.intent("incident.note", inc.id, text=a["text"])


def _severity(state, a, ctx, b):
    inc = target_incident(state, a.get("inc"), ctx)
    _open(inc, "change the severity of")
    sev = a["severity"]
    if inc.severity == sev:
        raise Refused(f"{inc.id} is already SEV{sev}")
    before = inc.severity_label
    b.event(
        inc.id,
        "severity_changed",
        f"Severity {before} → SEV{sev}",
        severity=sev,
        previous=inc.severity,
    )
    b.intent("incident.severity", inc.id, severity=sev)


def _priority(state, a, ctx, b):
    inc = target_incident(state, a.get("inc"), ctx)
    _open(inc, "change the priority of")
    if inc.priority == a["priority"]:
        raise Refused(f"{inc.id} is already {a['priority']}")
    b.event(inc.id, "priority_changed", f"Priority → {a['priority']}", priority=a["priority"])
    b.intent("incident.priority", inc.id, priority=a["priority"])


def _role(state, a, ctx, b):
    inc = target_incident(state, a.get("inc"), ctx)
    user = _user(a["user"], ctx)
    if inc.roles.get(a["role"]) == user.handle:
        raise Refused(f"{user.label} is already {a['role']} of {inc.id}")
    b.event(
        inc.id,
        "role_assigned",
        f"{a['role'].capitalize()}: {user.label}",
        role=a["role"],
        user=user.handle,
    )
    b.intent("role.set", inc.id, role=a["role"], user=user.handle)


def _task(state, a, ctx, b):
    inc = target_incident(state, a.get("inc"), ctx)
    user = _user(a["owner"], ctx) if a.get("owner") else None
    owner = user.handle if user else None
    suffix = f" (owner {user.label})" if user else ""  # a name, as roles are shown
    b.event(inc.id, "task_added", f"Action item: {a['text']}{suffix}", text=a["text"], owner=owner)
    b.intent("task.add", inc.id, text=a["text"], owner=owner)


def _component_cmd(state, a, ctx, b):
    name = _component(a["component"], ctx)
    current = state.components.get(name)
    if current is not None and current.status == a["status"]:
        raise Refused(f"{name} is already {a['status']}")
    b.event(None, "component_status", f"{name}: {a['status']}", component=name, status=a["status"])
    b.intent("component.set", None, component=name, status=a["status"])


def _update(state, a, ctx, b):
    inc = target_incident(state, a.get("inc"), ctx)
    changes = {_component(name, ctx): status for name, status in a.get("components", {}).items()}
    b.event(
        inc.id,
        "status_page_update",
        f"Status page {a['status']}: {a['text']}",
        status=a["status"],
        text=a["text"],
        components=changes,
    )
    for comp, status in changes.items():
        b.event(
            None,
            "component_status",
            f"{comp}: {status}",
            component=comp,
            status=status,
            for_incident=inc.id,
        )
    added = [c for c in changes if c not in inc.components]  # the others it affects already
    if added:
        b.event(inc.id, "components_added", "Affects " + ", ".join(added), components=added)
    b.intent("status.update", inc.id, status=a["status"], text=a["text"], components=changes)


def _say(state, a, ctx, b):
    inc = target_incident(state, a.get("inc"), ctx)
    b.event(inc.id, "chat_posted", f"Chat: {a['text']}", text=a["text"])
    b.intent("chat.post", inc.id, text=a["text"])


def _snooze(state, a, ctx, b):
    inc = target_incident(state, a.get("inc"), ctx)
    if inc.status != "acknowledged":
        raise Refused(f"only an acknowledged incident can be snoozed; {inc.id} is {inc.status}")
    until = ctx.now.add(seconds=a["seconds"])
    b.event(
        inc.id, "snoozed", f"Snoozed until {iso(until)}", until=iso(until), seconds=a["seconds"]
    )
    b.intent("incident.snooze", inc.id, seconds=a["seconds"])


def _merge(state, a, ctx, b):
    into = target_incident(state, a["inc"], ctx)
    _open(into, "merge into")
    sources = []
    for sid in a["sources"]:
        src = target_incident(state, sid, ctx)
        if src.id == into.id:
            raise Refused(f"cannot merge {src.id} into itself")
        _open(src, "merge")
        sources.append(src.id)
    if len(set(sources)) != len(sources):
        raise Refused("an incident is named twice")
    b.event(into.id, "merged", f"Merged {', '.join(sources)} into this incident", sources=sources)
    for sid in sources:
        b.event(sid, "merged_into", f"Merged into {into.id}", into=into.id)
    b.intent("incident.merge", into.id, sources=sources)


def _maint(state, a, ctx, b):
    service = _service(a["service"], ctx)
    start = parse_time(a["start"], ctx.now)
    end = parse_time(a["end"], ctx.now)
    if end <= start:
        raise Refused("the maintenance window must end after it starts")
    b.event(
        None,
        "maintenance_scheduled",
        f"Maintenance on {service} {iso(start)} to {iso(end)}: {a['text']}",
        service=service,
        start=iso(start),
        end=iso(end),
        description=a["text"],
    )
    b.intent(
        "maintenance.create",
        None,
        service=service,
        start=iso(start),
        end=iso(end),
        description=a["text"],
    )


_HANDLERS = {
    "declare": _declare,
    "ack": _ack,
    "resolve": _resolve,
    "reopen": _reopen,
    "escalate": _escalate,
    "reassign": _reassign,
    "page": _page,
    "note": _note,
    "severity": _severity,
    "priority": _priority,
    "role": _role,
    "task": _task,
    "component": _component_cmd,
    "update": _update,
    "say": _say,
    "snooze": _snooze,
    "merge": _merge,
    "maint": _maint,
}
