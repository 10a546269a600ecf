"""A drill scenario: its team, its timeline of injects and its objectives, validated.

    title: Payments degraded
    summary: One line for `drill --list`.
    start: "2026-12-01T14:00:00Z"      # the simulated clock's first instant
    duration: 90m                      # the drill ends then at the latest
    setup:                             # the team: a config file and/or config sections
      config: ../config/acme.toml      # relative to this file; TOML as in docs/config.md
      terraform: ../terraform          # optional: PagerDuty Terraform merged in
      user: {name: You, handle: you}   # who plays (default: "You")
      maintenance: [{service: database, start: "+0m", end: "+2h", description: ...}]
      ...                              # any other config section; this file wins
    injects:
      - at: +10s
        alert: {...}                   # an Events v2, Alertmanager v4 or Opsgenie body
        repeat: {count: 300, every: 2s, vary: {dedup_key: [a, b]}}   # optional; {i} in text
      - at: +5m
        fault: {provider: pagerduty, answer: 503, for: 5m}
      - at: +12m
        responder: {who: grace, action: ack, incident: INC-1, via: pagerduty}
      - at: +8m
        customer_report: {from: "A shop owner", channel: email, text: "..."}
    objectives:
      - {kind: acknowledge, incident: INC-1, within: 5m}
      - {kind: declare, incident: INC-1, severity: sev2, within: 20m}
      - {kind: status_update, incident: INC-1, within: 10m}   # counted from declaring
      - {kind: resolve, incident: INC-1, within: 60m}
      - {kind: component, component: Payment Processing, status: operational, within: 60m}

Every error names the file, the line and the field (`DrillError`).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pendulum import DateTime

from console.domain.clock import iso, parse_instant
from console.domain.model import COMPONENT_STATUSES
from console.domain.settings import Settings
from console.domain.words import WordError, is_inc, parse_duration, parse_inc, parse_sev
from console.drill.yamlfile import DrillError, Located, Path_, load_yaml

TOP_KEYS = {"title", "summary", "start", "duration", "setup", "injects", "objectives", "name"}
INJECT_KINDS = ("alert", "fault", "responder", "customer_report")
OBJECTIVE_KINDS = ("acknowledge", "declare", "status_update", "resolve", "component")
FAULT_PROVIDERS = ("pagerduty", "pagerduty_events", "statuspage", "opsgenie", "chat")
FAULT_ANSWERS = ("500", "502", "503", "429", "420", "timeout", "drop")
RESPONDER_ACTIONS = ("ack", "resolve", "note")
RESPONDER_VIA = ("pagerduty", "opsgenie")
CHANNELS = ("email", "phone", "chat", "social", "ticket")
MAX_REPEAT = 10_000
MAX_DURATION = 7 * 86400
DEFAULT_USER = {"handle": "you", "name": "You"}


@dataclass(frozen=True)
class Inject:
    """One thing the scenario makes happen, `at` seconds after the start."""

    at: float
    kind: str
    spec: dict[str, Any]
    where: str  # "file:line" for messages
    seq: int = 0  # file order, for a stable order among injects at the same instant

    @property
    def label(self) -> str:
        return describe_inject(self)


@dataclass(frozen=True)
class Objective:
    """A target the commander is scored on."""

    kind: str
    within: int | None  # seconds; None: at any time before the drill ends
    incident: str | None = None
    severity: int | None = None
    component: str | None = None
    status: str | None = None
    name: str = ""

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        limit = f" within {_span(self.within)}" if self.within is not None else ""
        inc = self.incident or "INC-1"
        if self.kind == "acknowledge":
            return f"Acknowledge {inc}{limit}"
        if self.kind == "declare":
            sev = f" SEV{self.severity} or worse" if self.severity else ""
            return f"Declare {inc}{sev}{limit}"
        if self.kind == "status_update":
            return f"First status-page update for {inc}{limit} of declaring"
        if self.kind == "resolve":
            return f"Resolve {inc}{limit}"
        return f"{self.component}: {self.status}{limit}"


@dataclass
class Scenario:
    name: str
    title: str
    summary: str
    path: Path
    start: DateTime
    duration: int
    config: dict[str, Any]
    settings: Settings
    injects: list[Inject] = field(default_factory=list)
    objectives: list[Objective] = field(default_factory=list)

    @property
    def end(self) -> DateTime:
        return self.start.add(seconds=self.duration)


def _span(total: int) -> str:
    if total % 3600 == 0:
        return f"{total // 3600}h"
    if total % 60 == 0:
        return f"{total // 60}m"
    return f"{total}s"


def describe_inject(inj: Inject) -> str:
    """A short line for the report's timeline and the drill's status line."""
    s = inj.spec
    if inj.kind == "alert":
        body = s.get("body") or {}
        summary = (
            (body.get("payload") or {}).get("summary")
            or body.get("message")
            or _am_summary(body)
            or body.get("event_action", "alert")
        )
        if body.get("event_action") in ("acknowledge", "resolve"):
            return f"Alert {body['event_action']}d: {body.get('dedup_key', '?')}"
        return f"Alert: {str(summary)[:80]}"
    if inj.kind == "fault":
        return f"Fault: {s['provider']} answers {s['answer']} for {_span(s['for'])}"
    if inj.kind == "responder":
        via = s.get("via", "pagerduty")
        return f"{s['who_label']} {s['action']}s {s.get('incident') or 'the incident'} in {via}"
    return f"Customer report ({s.get('channel', 'email')}) from {s.get('from', 'a customer')}"


def _am_summary(body: dict[str, Any]) -> str | None:
    alerts = body.get("alerts")
    if isinstance(alerts, list) and alerts and isinstance(alerts[0], dict):
        ann = alerts[0].get("annotations") or {}
        labels = alerts[0].get("labels") or {}
        return ann.get("summary") or labels.get("alertname")
    return None


# -- reading words ---------------------------------------------------------------------

_OFFSET = re.compile(r"^\+?(\d+)(s|m|h|d)$")


class _Reader:
    """Checks values against the file they came from; errors name file, line, field."""

    def __init__(self, located: Located) -> None:
        self.src = located

    def fail(self, path: Path_, message: str) -> DrillError:
        return self.src.error(path, message)

    def table(self, value: Any, path: Path_, allowed: set[str], required=()) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, "must be a mapping (key: value lines)")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise self.fail(
                (*path, unknown[0]),
                f"unknown field (allowed here: {', '.join(sorted(allowed))})",
            )
        for key in required:
            if key not in value:
                raise self.fail(path, f"needs '{key}'")
        return value

    def text(self, value: Any, path: Path_, limit: int = 2000) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, "must be a non-empty text")
        if len(value) > limit:
            raise self.fail(path, f"is longer than {limit} characters")
        return value.strip()

    def duration(self, value: Any, path: Path_) -> int:
        word = str(value).strip() if isinstance(value, (str, int)) else ""
        if isinstance(value, int) and not isinstance(value, bool):
            word = f"{value}s"
        try:
            seconds = parse_duration(word)
        except WordError as exc:
            raise self.fail(path, str(exc)) from None
        return seconds

    def offset(self, value: Any, path: Path_, start: DateTime) -> float:
        """`+10s`, `5m`, or an ISO instant at or after the start: seconds after the start."""
        if not isinstance(value, str):
            raise self.fail(path, "must be a time: +10s, +5m, +1h or an ISO 8601 instant")
        m = _OFFSET.match(value.strip().lower())
        if m:
            return float(parse_duration(f"{m.group(1)}{m.group(2)}"))
        try:
            when = parse_instant(value.strip())
        except Exception:
            raise self.fail(
                path, f"'{value}' is not a time: use +10s, +5m, +1h or an ISO 8601 instant"
            ) from None
        delta = (when - start).total_seconds()
        if delta < 0:
            raise self.fail(path, f"{value} is before the drill starts ({iso(start)})")
        return delta

    def choice(self, value: Any, path: Path_, allowed: tuple[str, ...]) -> str:
        word = str(value).strip().lower() if isinstance(value, (str, int)) else ""
        if word not in allowed:
            raise self.fail(path, f"'{value}' is not one of {', '.join(allowed)}")
        return word

    def incident(self, value: Any, path: Path_) -> str:
        if not isinstance(value, str) or not is_inc(value):
            raise self.fail(path, f"'{value}' is not an incident id (use INC-1)")
        return parse_inc(value)


# -- the file ----------------------------------------------------------------------------


def load_scenario(path: Path, name: str | None = None) -> Scenario:
    """Read, check and prepare a scenario file. Raises DrillError (file:line: field: why)."""
    path = Path(path)
    src = load_yaml(path)
    r = _Reader(src)
    doc = r.table(src.doc, (), TOP_KEYS, required=("title", "start", "injects"))
    title = r.text(doc["title"], ("title",), 200)
    summary = r.text(doc.get("summary", title), ("summary",), 500)
    if not isinstance(doc["start"], str):
        raise r.fail(("start",), "must be an ISO 8601 instant with Z or an offset, in quotes")
    try:
        start = parse_instant(doc["start"])
    except Exception:
        raise r.fail(("start",), f"'{doc['start']}' is not an ISO 8601 instant") from None
    if not re.search(r"(Z|[+-]\d\d:?\d\d)$", doc["start"].strip()):
        raise r.fail(("start",), "needs a Z or an offset, so the drill means one instant")
    duration = r.duration(doc.get("duration", "2h"), ("duration",))
    if not 0 < duration <= MAX_DURATION:
        raise r.fail(("duration",), "must be more than 0s and at most 7d")
    config = _setup(r, doc.get("setup", {}), path, start)
    settings = _settings(r, config, path)
    injects = _injects(r, doc["injects"], start, duration, settings)
    objectives = _objectives(r, doc.get("objectives", []), settings)
    return Scenario(
        name=name or str(doc.get("name") or path.stem),
        title=title,
        summary=summary,
        path=path,
        start=start,
        duration=duration,
        config=config,
        settings=settings,
        injects=injects,
        objectives=objectives,
    )


def _setup(r: _Reader, value: Any, path: Path, start: DateTime) -> dict[str, Any]:
    """The team's config document: the referenced TOML file, then this file's sections."""
    from console.config import ConfigError, deep_merge, read_config_dict
    from console.domain.settings import TOP_KEYS as CONFIG_KEYS

    setup = r.table(value, ("setup",), set(CONFIG_KEYS) | {"config"})
    base: dict[str, Any] = {}
    if "config" in setup:
        target = path.parent / r.text(setup["config"], ("setup", "config"), 1000)
        if not target.is_file():
            raise r.fail(("setup", "config"), f"no such config file: {target}")
        try:
            base, _ = read_config_dict(target)
        except ConfigError as exc:
            raise r.fail(("setup", "config"), str(exc)) from None
    over = {k: copy.deepcopy(v) for k, v in setup.items() if k != "config"}
    if "terraform" in over:
        folder = path.parent / r.text(over["terraform"], ("setup", "terraform"), 1000)
        if not folder.is_dir():
            raise r.fail(("setup", "terraform"), f"no such folder: {folder}")
        over["terraform"] = str(folder.resolve())
    elif "terraform" in base:
        over["terraform"] = str((path.parent / base["terraform"]).resolve())
    windows = over.get("maintenance")
    if windows is not None:
        if not isinstance(windows, list):
            raise r.fail(("setup", "maintenance"), "must be a list of windows")
        for i, w in enumerate(windows):
            w = r.table(w, ("setup", "maintenance", i), {"service", "start", "end", "description"})
            for key in ("start", "end"):
                if key in w:
                    secs = r.offset(w[key], ("setup", "maintenance", i, key), start)
                    w[key] = iso(start.add(seconds=int(secs)))
    doc = deep_merge(base, over)
    if "user" not in doc:
        doc["user"] = dict(DEFAULT_USER)
    return doc


def _settings(r: _Reader, config: dict[str, Any], path: Path) -> Settings:
    """Validate the team the way the console would, naming the scenario on failure."""
    from console.config import ConfigError, settings_from_document
    from console.domain.intake.config import IntakeConfigError, load_intake_config
    from console.domain.oncall.team import OnCallConfigError, parse_team
    from console.domain.settings import SettingsError

    label = f"{path} (setup)"
    try:
        settings = settings_from_document(dict(config), label)
        parse_team(settings)
        load_intake_config(settings)
    except (ConfigError, SettingsError, OnCallConfigError, IntakeConfigError) as exc:
        raise r.fail(("setup",), str(exc)) from None
    return settings


def _injects(
    r: _Reader, value: Any, start: DateTime, duration: int, settings: Settings
) -> list[Inject]:
    if not isinstance(value, list) or not value:
        raise r.fail(("injects",), "must be a non-empty list")
    out: list[Inject] = []
    for i, item in enumerate(value):
        path: Path_ = ("injects", i)
        kinds = [k for k in INJECT_KINDS if isinstance(item, dict) and k in item]
        if len(kinds) != 1:
            raise r.fail(path, f"each inject has 'at' and exactly one of {', '.join(INJECT_KINDS)}")
        kind = kinds[0]
        allowed = {"at", kind} | ({"repeat"} if kind == "alert" else set())
        item = r.table(item, path, allowed, required=("at",))
        at = r.offset(item["at"], (*path, "at"), start)
        if at > duration:
            raise r.fail((*path, "at"), f"is after the drill ends ({_span(duration)} after start)")
        where = f"{r.src.file}:{r.src.line(path)}"
        if kind == "alert":
            out.extend(_alerts(r, item, path, at, start, where, duration))
        elif kind == "fault":
            out.append(Inject(at, kind, _fault(r, item["fault"], (*path, "fault")), where))
        elif kind == "responder":
            spec = _responder(r, item["responder"], (*path, "responder"), settings)
            out.append(Inject(at, kind, spec, where))
        else:
            spec = _report(r, item["customer_report"], (*path, "customer_report"))
            out.append(Inject(at, kind, spec, where))
    out = [Inject(x.at, x.kind, x.spec, x.where, n) for n, x in enumerate(out)]
    return sorted(out, key=lambda x: (x.at, x.seq))


def _alerts(r, item, path, at, start, where, duration) -> list[Inject]:
    from console.domain.intake.alert import AlertFormatError, parse_body

    body = item["alert"]
    if not isinstance(body, dict):
        raise r.fail((*path, "alert"), "must be an alert body (a mapping)")
    count, every, vary = 1, 0, {}
    if "repeat" in item:
        rp = r.table(item["repeat"], (*path, "repeat"), {"count", "every", "vary"}, ("count",))
        count = rp["count"]
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_REPEAT:
            raise r.fail((*path, "repeat", "count"), f"must be a whole number 1..{MAX_REPEAT}")
        every = r.duration(rp.get("every", "1s"), (*path, "repeat", "every"))
        vary = rp.get("vary", {})
        if not isinstance(vary, dict):
            raise r.fail((*path, "repeat", "vary"), "must map a field path to a list of values")
        for key, values in vary.items():
            if not isinstance(values, list) or not values:
                raise r.fail((*path, "repeat", "vary", key), "must be a non-empty list of values")
        if at + every * (count - 1) > duration:
            raise r.fail((*path, "repeat"), "the last repeat falls after the drill ends")
    out = []
    for n in range(count):
        one = _expand(body, n, vary)
        try:
            parse_body(one, start.add(seconds=int(at + n * every)))
        except AlertFormatError as exc:
            raise r.fail((*path, "alert"), f"not a valid alert body: {exc}") from None
        except (KeyError, ValueError, TypeError) as exc:
            raise r.fail((*path, "alert"), f"not a valid alert body: {exc}") from None
        out.append(Inject(at + n * every, "alert", {"body": one}, where))
    return out


def _expand(body: dict[str, Any], n: int, vary: dict[str, list[Any]]) -> dict[str, Any]:
    """The n-th copy: `{i}` in texts becomes n + 1; each varied field takes its n-th value."""
    one = _substitute(copy.deepcopy(body), n + 1)
    for dotted, values in vary.items():
        target = one
        parts = dotted.split(".")
        for part in parts[:-1]:
            target = target.setdefault(part, {}) if isinstance(target, dict) else {}
        if isinstance(target, dict):
            target[parts[-1]] = _substitute(copy.deepcopy(values[n % len(values)]), n + 1)
    return one


def _substitute(value: Any, i: int) -> Any:
    if isinstance(value, str):
        return value.replace("{i}", str(i))
    if isinstance(value, dict):
        return {k: _substitute(v, i) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, i) for v in value]
    return value


def _fault(r: _Reader, value: Any, path: Path_) -> dict[str, Any]:
    f = r.table(
        value,
        path,
        {"provider", "answer", "for", "retry_after", "reads_too"},
        ("provider", "answer"),
    )
    provider = r.choice(f["provider"], (*path, "provider"), FAULT_PROVIDERS)
    answer = r.choice(f["answer"], (*path, "answer"), FAULT_ANSWERS)
    lasts = r.duration(f.get("for", "5m"), (*path, "for"))
    retry_after = None
    if "retry_after" in f:
        if answer not in ("429", "420"):
            raise r.fail((*path, "retry_after"), "only a 429 or 420 answer has a Retry-After")
        retry_after = r.duration(f["retry_after"], (*path, "retry_after"))
    reads_too = f.get("reads_too", True)
    if not isinstance(reads_too, bool):
        raise r.fail((*path, "reads_too"), "must be true or false")
    return {
        "provider": provider,
        "answer": answer,
        "for": lasts,
        "retry_after": retry_after,
        "reads_too": reads_too,
    }


def _responder(r: _Reader, value: Any, path: Path_, settings: Settings) -> dict[str, Any]:
    from console.domain.words import resolve_user

    s = r.table(value, path, {"who", "action", "incident", "text", "via"}, ("who", "action"))
    try:
        user = resolve_user(r.text(s["who"], (*path, "who"), 200), settings.all_users())
    except WordError as exc:
        raise r.fail((*path, "who"), str(exc)) from None
    action = r.choice(s["action"], (*path, "action"), RESPONDER_ACTIONS)
    spec: dict[str, Any] = {
        "who": user.handle,
        "who_label": user.label,
        "action": action,
        "via": r.choice(s.get("via", "pagerduty"), (*path, "via"), RESPONDER_VIA),
        "incident": r.incident(s["incident"], (*path, "incident")) if "incident" in s else None,
    }
    if action == "note":
        spec["text"] = r.text(s.get("text"), (*path, "text"))
    elif "text" in s:
        spec["text"] = r.text(s["text"], (*path, "text"))
    return spec


def _report(r: _Reader, value: Any, path: Path_) -> dict[str, Any]:
    s = r.table(value, path, {"from", "channel", "text", "incident"}, ("text",))
    return {
        "from": r.text(s.get("from", "a customer"), (*path, "from"), 200),
        "channel": r.choice(s.get("channel", "email"), (*path, "channel"), CHANNELS),
        "text": r.text(s["text"], (*path, "text")),
        "incident": r.incident(s["incident"], (*path, "incident")) if "incident" in s else None,
    }


def _objectives(r: _Reader, value: Any, settings: Settings) -> list[Objective]:
    if not isinstance(value, list):
        raise r.fail(("objectives",), "must be a list")
    out = []
    allowed = {"kind", "within", "incident", "severity", "component", "status", "name"}
    for i, item in enumerate(value):
        path: Path_ = ("objectives", i)
        o = r.table(item, path, allowed, ("kind",))
        kind = r.choice(o["kind"], (*path, "kind"), OBJECTIVE_KINDS)
        within = r.duration(o["within"], (*path, "within")) if "within" in o else None
        inc = r.incident(o["incident"], (*path, "incident")) if "incident" in o else None
        severity = None
        if "severity" in o:
            if kind != "declare":
                raise r.fail((*path, "severity"), "only a declare objective has a severity")
            try:
                severity = parse_sev(str(o["severity"]))
            except WordError as exc:
                raise r.fail((*path, "severity"), str(exc)) from None
        component = status = None
        if kind == "component":
            for key in ("component", "status"):
                if key not in o:
                    raise r.fail(path, f"a component objective needs '{key}'")
            component = r.text(o["component"], (*path, "component"), 200)
            known = settings.components
            match = next((c for c in known if c.lower() == component.lower()), None)
            if known and match is None:
                raise r.fail(
                    (*path, "component"),
                    f"no status component '{component}' (known: {', '.join(known)})",
                )
            component = match or component
            status = r.choice(o["status"], (*path, "status"), COMPONENT_STATUSES)
        else:
            for key in ("component", "status"):
                if key in o:
                    raise r.fail((*path, key), f"only a component objective has '{key}'")
            inc = inc or "INC-1"
        name = r.text(o["name"], (*path, "name"), 200) if "name" in o else ""
        out.append(Objective(kind, within, inc, severity, component, status, name))
    return out
