"""`incident-console lint`: gaps and mistakes in schedules, policies and services.

Errors (exit status 1): a coverage gap within the window in a schedule a policy relies on; a
policy that would page nobody at some time in the window (or has no rules, or a rule with
no targets); a target, layer user, override user or service policy that does not exist; a
service without a policy. Warnings: a single-rule policy; the same person paged at two
levels at once; an acknowledgement timeout shorter than the first escalation delay; a layer
with nobody in it; status components named like hosts, regions, environments or versions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from console.domain.oncall.policy import Policy
from console.domain.oncall.schedule import Schedule
from console.domain.oncall.team import Team, load_team
from console.domain.oncall.times import DAY, seconds, to_datetime
from console.domain.settings import Settings

WINDOW_DAYS = 30
_MAX_STEPS = 200_000


@dataclass(frozen=True)
class Finding:
    """One lint result. `where` names the file and the table (and line, from Terraform)."""

    severity: str  # "error" | "warning"
    rule: str
    where: str
    message: str

    def line(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}"

    def to_json(self) -> dict[str, str]:
        return {
            "severity": self.severity,
            "rule": self.rule,
            "where": self.where,
            "message": self.message,
        }


def _stamp(t: float) -> str:
    return to_datetime(t).strftime("%Y-%m-%d %H:%MZ")


def _hours(total: float) -> str:
    h = total / 3600
    return f"{h:.0f}h" if h >= 1 else f"{total / 60:.0f}m"


def _breakpoints(scheds: list[Schedule], start: float, end: float) -> Iterator[float]:
    """`start`, then every instant in (start, end) where one of the schedules may change."""
    t = start
    yield t
    for _ in range(_MAX_STEPS):
        bounds = [b for s in scheds if (b := s.next_boundary(t)) is not None]
        if not bounds or min(bounds) >= end:
            return
        t = min(bounds)
        yield t


def lint(settings: Settings, at: datetime, days: int = WINDOW_DAYS) -> list[Finding]:
    """Every finding for the config in `settings`, looking `days` ahead from `at`."""
    team = load_team(settings)
    start = seconds(at)
    end = start + days * DAY
    out: list[Finding] = []
    out += _missing(team)
    out += _services(team)
    out += _schedules(team, start, end, days)
    for key, policy in team.policies.items():
        out += _policy(team, key, policy, start, end, days)
    out += _components(team, settings)
    return sorted(out, key=lambda f: (f.severity != "error", f.where, f.rule))


def _missing(team: Team) -> list[Finding]:
    out = []
    for key, sched in team.schedules.items():
        for i, layer in enumerate(sched.layers, start=1):
            for handle in dict.fromkeys(layer.users):
                if handle not in team.users:
                    out.append(
                        Finding(
                            "error",
                            "missing-target",
                            team.where(f"schedules.{key} layers[{i}]"),
                            f"user '{handle}' is not in [users]",
                        )
                    )
            if not layer.users:
                out.append(
                    Finding(
                        "warning",
                        "empty-layer",
                        team.where(f"schedules.{key} layers[{i}]"),
                        f"layer '{layer.name}' has no users, so it never covers anyone",
                    )
                )
        for i, o in enumerate(sched.overrides, start=1):
            if o.user not in team.users:
                out.append(
                    Finding(
                        "error",
                        "missing-target",
                        team.where(f"schedules.{key} overrides[{i}]"),
                        f"user '{o.user}' is not in [users]",
                    )
                )
    for key, policy in team.policies.items():
        for i, rule in enumerate(policy.rules, start=1):
            for t in rule.targets:
                known = team.users if t.kind == "user" else team.schedules
                if t.id not in known:
                    section = "users" if t.kind == "user" else "schedules"
                    out.append(
                        Finding(
                            "error",
                            "missing-target",
                            team.where(f"policies.{key} rules[{i}]"),
                            f"target {t.kind} '{t.id}' is not in [{section}]",
                        )
                    )
    return out


def _services(team: Team) -> list[Finding]:
    out = []
    for key, svc in team.services.items():
        where = team.where(f"services.{key}")
        if not svc.escalation_policy:
            out.append(
                Finding(
                    "error",
                    "no-policy",
                    where,
                    "has no escalation_policy: its incidents page nobody",
                )
            )
            continue
        policy = team.policies.get(svc.escalation_policy)
        if policy is None:
            out.append(
                Finding(
                    "error",
                    "missing-target",
                    where,
                    f"escalation_policy '{svc.escalation_policy}' is not in [policies]",
                )
            )
            continue
        if (
            policy.rules
            and svc.acknowledgement_timeout is not None
            and svc.acknowledgement_timeout < policy.rules[0].delay_seconds
        ):
            out.append(
                Finding(
                    "warning",
                    "ack-timeout-short",
                    where,
                    f"acknowledgement_timeout {_hours(svc.acknowledgement_timeout)} is shorter than the first escalation delay "
                    f"({policy.rules[0].delay_minutes}m in '{policy.key}'): an acknowledged incident re-pages level 1 before it would have escalated",
                )
            )
    return out


def _schedules(team: Team, start: float, end: float, days: int) -> list[Finding]:
    relied = {
        s: [k for k, p in team.policies.items() if s in p.schedules()] for s in team.schedules
    }
    out = []
    for key, sched in team.schedules.items():
        if not relied[key]:
            continue
        gaps = [(s, e) for s, e, u in sched.segments(start, end) if u is None]
        if gaps:
            total = sum(e - s for s, e in gaps)
            first = gaps[0]
            more = f" and {len(gaps) - 1} more ({_hours(total)} in all)" if len(gaps) > 1 else ""
            policies = ", ".join(relied[key])
            out.append(
                Finding(
                    "error",
                    "coverage-gap",
                    team.where(f"schedules.{key}"),
                    f"nobody on call from {_stamp(first[0])} to {_stamp(first[1])}{more} in the next {days} days; policy {policies} relies on it",
                )
            )
    return out


def _policy(
    team: Team, key: str, policy: Policy, start: float, end: float, days: int
) -> list[Finding]:
    where = team.where(f"policies.{key}")
    if not policy.rules:
        return [Finding("error", "pages-nobody", where, "has no rules: it pages nobody")]
    out = []
    for i, rule in enumerate(policy.rules, start=1):
        if not rule.targets:
            out.append(
                Finding(
                    "error",
                    "pages-nobody",
                    team.where(f"policies.{key} rules[{i}]"),
                    "has no targets",
                )
            )
    if len(policy.rules) == 1:
        out.append(
            Finding(
                "warning",
                "single-rule",
                where,
                "has a single rule: if that person misses the page, nobody else is told",
            )
        )
    scheds = [team.schedules[s] for s in sorted(policy.schedules()) if s in team.schedules]
    nobody: list[float] = []
    twice: tuple[float, str, list[int]] | None = None
    points = list(_breakpoints(scheds, start, end))
    for n, t in enumerate(points):
        paged = [team.notified(rule, t) for rule in policy.rules]
        if not any(paged):
            nobody.append(t)
            nobody.append(points[n + 1] if n + 1 < len(points) else end)
        if twice is None:
            levels: dict[str, list[int]] = {}
            for lv, people in enumerate(paged, start=1):
                for h in people:
                    levels.setdefault(h, []).append(lv)
            dup = next(((h, lvs) for h, lvs in levels.items() if len(lvs) > 1), None)
            if dup:
                twice = (t, dup[0], dup[1])
    if nobody:
        out.append(
            Finding(
                "error",
                "pages-nobody",
                where,
                f"pages nobody at any level from {_stamp(nobody[0])} to {_stamp(nobody[1])} (within the next {days} days)",
            )
        )
    if twice:
        t, h, lvs = twice
        levels_text = " and ".join(str(lv) for lv in lvs)
        out.append(
            Finding(
                "warning",
                "same-person-twice",
                where,
                f"{team.label(h)} ({h}) is paged at levels {levels_text} at once (from {_stamp(t)}): the later level adds nobody new",
            )
        )
    return out


# -- status components -----------------------------------------------------------------

_INTERNAL = [
    (
        "a host name",
        re.compile(
            r"\b[a-z0-9-]+(\.[a-z0-9-]+){2,}\b|\b[a-z]+-?\d{2,}\b|\.(internal|local|lan|corp)\b",
            re.I,
        ),
    ),
    (
        "a cloud region",
        re.compile(
            r"\b(us|eu|ap|sa|ca|me|af|il)-(east|west|north|south|central|northeast|southeast|northwest|southwest)-?\d\b|\b(east|west|central)us\d?\b",
            re.I,
        ),
    ),
    (
        "an environment",
        re.compile(r"(^|[-_.\s])(prod|production|stg|staging|preprod|qa|dev|uat)([-_.]|$)", re.I),
    ),
    ("a version", re.compile(r"\bv\d+(\.\d+)*\b|\b\d+\.\d+(\.\d+)?\b", re.I)),
    ("an identifier", re.compile(r"^[a-z0-9]+([-_][a-z0-9]+)+$")),
]


def internal_name_reasons(name: str) -> list[str]:
    """Why a status component's name reads as internal rather than what customers call it."""
    return [why for why, pattern in _INTERNAL if pattern.search(name)]


def _components(team: Team, settings: Settings) -> list[Finding]:
    out = []
    seen: set[str] = set()
    status = settings.raw.get("status") or {}
    for i, comp in enumerate(status.get("components") or [], start=1):
        name = comp.get("name", "") if isinstance(comp, dict) else ""
        seen.add(name)
        reasons = internal_name_reasons(name)
        if reasons:
            origin = comp.get("__source__") if isinstance(comp, dict) else None
            where = f"{origin or team.source}: [[status.components]] #{i}"
            out.append(
                Finding(
                    "warning",
                    "internal-component-name",
                    where,
                    f"component '{name}' looks internal ({', '.join(reasons)}): name it as customers know it",
                )
            )
    for key, svc in team.services.items():
        for name in svc.components:
            if name in seen:
                continue
            seen.add(name)
            reasons = internal_name_reasons(name)
            if reasons:
                out.append(
                    Finding(
                        "warning",
                        "internal-component-name",
                        team.where(f"services.{key}"),
                        f"component '{name}' looks internal ({', '.join(reasons)}): name it as customers know it",
                    )
                )
    return out
