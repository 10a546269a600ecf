"""One normalized Alert from the three formats the console accepts.

- PagerDuty Events API v2 `enqueue` bodies (trigger, acknowledge, resolve) and change
  events (`/v2/change/enqueue`),
- Prometheus Alertmanager webhook version 4 (one Alert per entry of `alerts`),
- Opsgenie create-alert bodies (`CreateAlertPayload`; `alias` is the dedup key).

Field names are the providers' own (../shared/specs). Everything in a body is untrusted:
text is stripped of control characters and bounded before it goes anywhere.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from itertools import islice
from operator import attrgetter
from typing import Any

from pendulum import DateTime

from console.domain.clock import parse_instant

SEVERITIES = ("critical", "error", "warning", "info")
ACTIONS = ("trigger", "acknowledge", "resolve", "change")
FORMATS = ("events_v2", "change_v2", "alertmanager", "opsgenie")

# PagerDuty truncates summaries at 1024 characters; the same bound keeps a hostile sender
# from filling the timeline and the screen.
MAX_SUMMARY = 1024
MAX_FIELD = 255
MAX_DETAIL = 2048
MAX_DETAILS = 64

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


class AlertFormatError(ValueError):
    """A body that is not a valid alert. `errors` lists each problem, provider-style."""

    def __init__(self, fmt: str, errors: list[str]) -> None:
        self.format = fmt
        self.errors = errors
        super().__init__(f"{_FORMAT_NAMES.get(fmt, fmt)}: {'; '.join(errors)}")


_FORMAT_NAMES = {
    "events_v2": "Events v2",
    "change_v2": "Events v2 change event",
    "alertmanager": "Alertmanager webhook",
    "opsgenie": "Opsgenie alert",
    "unknown": "alert body",
}


def clean_text(value: Any, limit: int = MAX_FIELD) -> str:
    """Untrusted text made safe to store and show: no control or bidi characters, bounded."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if text.isprintable():
        # nothing to replace: line breaks, tabs, control, format (bidi, zero-width) and
        # separator characters are all outside Python's "printable"
        text = text.strip()
    else:
        text = _CONTROL.sub(
            " ", text.replace("\r\n", "\n").replace("\n", " ").replace("\t", " ")
        ).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


_NUMBERS = (int, float)  # bool is an int


def _clean_details(details: Any) -> dict[str, Any]:
    """custom_details kept as a flat-ish dict of bounded strings (numbers stay numbers)."""
    if not isinstance(details, dict):
        if details in (None, ""):
            return {}
        return {"details": clean_text(details, MAX_DETAIL)}
    out: dict[str, Any] = {}
    for key, value in islice(details.items(), MAX_DETAILS):
        # a key or text already clean (nearly all) is kept as it is, without the call
        k = key if key.__class__ is str and _is_clean(key, 128) else clean_text(key, 128)
        if value.__class__ is str:
            out[k] = value if _is_clean(value, MAX_DETAIL) else clean_text(value, MAX_DETAIL)
        elif value is None or isinstance(value, _NUMBERS):
            out[k] = value
        elif isinstance(value, list):
            out[k] = [clean_text(v, MAX_DETAIL) for v in value[:MAX_DETAILS]]
        else:
            out[k] = clean_text(value, MAX_DETAIL)
    return out


def _is_clean(text: str, limit: int) -> bool:
    """`clean_text(text, limit) == text` for a str: printable, bounded, nothing to strip
    (str.strip gives back the very string when it has nothing to take off)."""
    return len(text) <= limit and text.isprintable() and text.strip() is text


@dataclass(frozen=True, init=False)
class Alert:
    """An alert event, whatever format it came in.

    `action` is trigger, acknowledge, resolve or change. `occurred_at` is the sender's own
    time for the event (payload.timestamp, startsAt/endsAt) when it gave one; intake uses
    it only to compare with other times from the same sender.
    """

    format: str
    action: str
    dedup_key: str | None
    summary: str = ""
    source: str = ""
    severity: str = "critical"
    component: str = ""
    group: str = ""
    event_class: str = ""
    custom_details: dict[str, Any] = field(default_factory=dict)
    routing_key: str | None = None
    client: str = ""
    priority: str | None = None
    occurred_at: DateTime | None = None
    started_at: DateTime | None = None

    def __init__(
        self,
        format: str,  # noqa: A002 - the dataclass field's name
        action: str,
        dedup_key: str | None,
        summary: str = "",
        source: str = "",
        severity: str = "critical",
        component: str = "",
        group: str = "",
        event_class: str = "",
        custom_details: dict[str, Any] | None = None,
        routing_key: str | None = None,
        client: str = "",
        priority: str | None = None,
        occurred_at: DateTime | None = None,
        started_at: DateTime | None = None,
    ) -> None:
        # the fields straight into the instance's dict: a frozen dataclass's own __init__
        # sets each of these fifteen through object.__setattr__, at three times the cost
        d = self.__dict__
        d["format"] = format
        d["action"] = action
        d["dedup_key"] = dedup_key
        d["summary"] = summary
        d["source"] = source
        d["severity"] = severity
        d["component"] = component
        d["group"] = group
        d["event_class"] = event_class
        d["custom_details"] = {} if custom_details is None else custom_details
        d["routing_key"] = routing_key
        d["client"] = client
        d["priority"] = priority
        d["occurred_at"] = occurred_at
        d["started_at"] = started_at

    def but(self, **changes: Any) -> Alert:
        """`dataclasses.replace(self, **changes)`, at a fraction of its cost: a copy of
        the fields is the same alert (a rule that sets a severity makes one per alert)."""
        unknown = changes.keys() - _FIELD_NAMES
        if unknown:
            raise TypeError(f"Alert has no field {sorted(unknown)[0]!r}")
        new = object.__new__(Alert)
        fields_of_new = new.__dict__
        fields_of_new.update(self.__dict__)
        fields_of_new.update(changes)
        return new

    def field_value(self, path: tuple[str | int, ...]) -> Any:
        """The value at `event.<path>` for rule conditions; None when absent."""
        head, rest = path[0], path[1:]
        if head == "custom_details":
            value: Any = self.custom_details
            for part in rest:
                if isinstance(value, dict) and isinstance(part, str):
                    value = value.get(part)
                elif isinstance(value, list) and isinstance(part, int):
                    value = value[part] if -len(value) <= part < len(value) else None
                else:
                    return None
            return value
        if rest:
            return None
        attr = _FIELD_ATTRS.get(head) if isinstance(head, str) else None
        value = getattr(self, attr) if attr else None
        return value if value not in ("", None) else None


_FIELD_NAMES = frozenset(f.name for f in fields(Alert))


def field_reader(path: tuple[str | int, ...]) -> Callable[[Alert], Any]:
    """`lambda alert: alert.field_value(path)`, made once for a rule or a grouping.

    A plain field is one attribute read: rules test several fields of every alert.
    """
    if len(path) == 1 and path[0] != "custom_details":
        attr = _FIELD_ATTRS.get(path[0]) if isinstance(path[0], str) else None
        if attr is None:
            return _nothing
        read = attrgetter(attr)

        def plain(alert: Alert) -> Any:
            value = read(alert)
            return value if value not in ("", None) else None

        return plain

    if len(path) == 2 and path[0] == "custom_details" and isinstance(path[1], str):
        name = path[1]

        def detail(alert: Alert) -> Any:
            details = alert.custom_details
            return details.get(name) if isinstance(details, dict) else None

        return detail

    def nested(alert: Alert) -> Any:
        return alert.field_value(path)

    return nested


def _nothing(alert: Alert) -> None:
    return None


# the fields a rule may name (event.NAME) and the attribute holding each
_FIELD_ATTRS = {
    "summary": "summary",
    "source": "source",
    "severity": "severity",
    "component": "component",
    "group": "group",
    "class": "event_class",
    "dedup_key": "dedup_key",
}


# -- format detection ------------------------------------------------------------------


def detect_format(body: Any) -> str:
    """Tell the three formats apart by their shape; 'unknown' when none fits."""
    if not isinstance(body, dict):
        return "unknown"
    if "event_action" in body:
        return "events_v2"
    if isinstance(body.get("alerts"), list) and ("groupKey" in body or "version" in body):
        return "alertmanager"
    if "routing_key" in body:
        payload = body.get("payload")
        if isinstance(payload, dict) and "severity" not in payload:
            return "change_v2"
        return "events_v2"
    if "message" in body:
        return "opsgenie"
    return "unknown"


def parse_body(body: Any, received_at: DateTime, fmt: str | None = None) -> list[Alert]:
    """All alerts in one body. `fmt` forces a format (the receiver knows it by path)."""
    kind = fmt or detect_format(body)
    if kind == "unknown":
        raise AlertFormatError(
            "unknown",
            ["not an Events v2, Alertmanager v4 or Opsgenie alert body"],
        )
    if not isinstance(body, dict):
        raise AlertFormatError(kind, ["the body must be a JSON object"])
    parser = _PARSERS[kind]
    return parser(body, received_at)


# -- PagerDuty Events API v2 ---------------------------------------------------------


def _str_field(body: dict, key: str, errors: list[str], where: str = "") -> str | None:
    """The string at `key`; None when absent or blank; a non-string is an error."""
    value = body.get(key)
    if isinstance(value, str):
        return value if value and not value.isspace() else None  # blank: as strip() sees it
    if value is not None:
        errors.append(f"'{where}{key}' must be a string")
    return None


def _timestamp(value: Any, where: str, errors: list[str]) -> DateTime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        errors.append(f"'{where}' must be an ISO 8601 date-time")
        return None
    try:
        return parse_instant(value)
    except Exception:  # pendulum raises several types for bad input
        errors.append(f"'{where}' is not an ISO 8601 date-time")
        return None


def parse_events_v2(body: dict, received_at: DateTime) -> list[Alert]:
    """An Events API v2 `enqueue` body (`event_action` trigger, acknowledge or resolve)."""
    errors: list[str] = []
    routing_key = _str_field(body, "routing_key", errors)
    if routing_key is None and not errors:
        errors.append("'routing_key' is missing or blank")
    action = body.get("event_action")
    if action not in ("trigger", "acknowledge", "resolve"):
        shown = clean_text(action, 40) if action is not None else "missing"
        errors.append(
            f"'event_action' is invalid ({shown}): must be one of 'trigger', 'acknowledge' or 'resolve'"
        )
    dedup_key = _str_field(body, "dedup_key", errors)
    if dedup_key is not None and len(dedup_key) > MAX_FIELD:
        errors.append(f"'dedup_key' is longer than {MAX_FIELD} characters")
    if action in ("acknowledge", "resolve") and dedup_key is None:
        errors.append(f"'dedup_key' is required for event_action '{action}'")
    if action != "trigger":
        if errors:
            raise AlertFormatError("events_v2", errors)
        return [
            Alert(
                format="events_v2",
                action=action,
                dedup_key=dedup_key,
                routing_key=routing_key,
                client=clean_text(body.get("client"), 64) or "events-api",
            )
        ]
    payload = body.get("payload")
    if not isinstance(payload, dict):
        errors.append("'payload' is missing or not an object")
        raise AlertFormatError("events_v2", errors)
    summary = _str_field(payload, "summary", errors, "payload.")
    source = _str_field(payload, "source", errors, "payload.")
    severity = payload.get("severity")
    if summary is None and not any("payload.summary" in e for e in errors):
        errors.append("'payload.summary' is missing or blank")
    if source is None and not any("payload.source" in e for e in errors):
        errors.append("'payload.source' is missing or blank")
    if severity is None:
        errors.append("'payload.severity' is missing or blank")
    elif severity not in SEVERITIES:
        errors.append(
            f"'payload.severity' is invalid ({clean_text(severity, 40)}): must be one of critical, error, warning or info"
        )
    stamp = payload.get("timestamp")
    occurred = _timestamp(stamp, "payload.timestamp", errors) if stamp is not None else None
    component = payload.get("component")
    group = payload.get("group")
    event_class = payload.get("class")
    if not (_is_text(component) and _is_text(group) and _is_text(event_class)):
        for key, value in (("component", component), ("group", group), ("class", event_class)):
            if not _is_text(value):
                errors.append(f"'payload.{key}' must be a string")
    if errors:
        raise AlertFormatError("events_v2", errors)
    client = body.get("client")
    # clean_text makes "" of None and of "": the call only for text there is
    return [
        Alert(
            "events_v2",
            "trigger",
            dedup_key,
            clean_text(summary, MAX_SUMMARY),
            clean_text(source),
            severity,
            clean_text(component) if component else "",
            clean_text(group) if group else "",
            clean_text(event_class) if event_class else "",
            _clean_details(payload.get("custom_details")),
            routing_key,
            (clean_text(client, 64) if client is not None else "") or "events-api",
            None,
            occurred,
        )
    ]


def _is_text(value: Any) -> bool:
    """An optional text field as sent: absent (None) or a string."""
    return value is None or isinstance(value, str)


def parse_change_v2(body: dict, received_at: DateTime) -> list[Alert]:
    """An Events v2 change event (`/v2/change/enqueue`): informational, opens nothing."""
    errors: list[str] = []
    routing_key = _str_field(body, "routing_key", errors)
    if routing_key is None:
        errors.append("'routing_key' is missing or blank")
    payload = body.get("payload")
    if not isinstance(payload, dict):
        errors.append("'payload' is missing or not an object")
        raise AlertFormatError("change_v2", errors)
    summary = _str_field(payload, "summary", errors, "payload.")
    if summary is None:
        errors.append("'payload.summary' is missing or blank")
    occurred = _timestamp(payload.get("timestamp"), "payload.timestamp", errors)
    if errors:
        raise AlertFormatError("change_v2", errors)
    return [
        Alert(
            format="change_v2",
            action="change",
            dedup_key=None,
            summary=clean_text(summary, MAX_SUMMARY),
            source=clean_text(payload.get("source")),
            severity="info",
            custom_details=_clean_details(payload.get("custom_details")),
            routing_key=routing_key,
            client="change-events",
            occurred_at=occurred,
        )
    ]


# -- Prometheus Alertmanager webhook v4 ------------------------------------------------

# Alertmanager's own PagerDuty integration sends commonLabels.severity (lower-cased) and
# falls back to critical; the same mapping here, with the common synonyms folded in.
_AM_SEVERITY = {
    "critical": "critical",
    "crit": "critical",
    "page": "critical",
    "high": "critical",
    "error": "error",
    "err": "error",
    "major": "error",
    "warning": "warning",
    "warn": "warning",
    "minor": "warning",
    "info": "info",
    "informational": "info",
    "low": "info",
    "none": "info",
}
_FINGERPRINT = re.compile(r"^[0-9a-f]{1,64}$")


def _kv(value: Any, where: str, errors: list[str]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        errors.append(f"'{where}' must be an object of strings")
        return {}
    return value


def parse_alertmanager(body: dict, received_at: DateTime) -> list[Alert]:
    """Each entry of an Alertmanager v4 webhook's `alerts`, keyed by its fingerprint."""
    errors: list[str] = []
    version = body.get("version")
    if version != "4":
        errors.append(f"'version' must be \"4\" (got {clean_text(version, 20) or 'nothing'})")
    alerts = body.get("alerts")
    if not isinstance(alerts, list):
        errors.append("'alerts' must be a list")
        raise AlertFormatError("alertmanager", errors)
    common = _kv(body.get("commonLabels"), "commonLabels", errors)
    group_key = body.get("groupKey") if isinstance(body.get("groupKey"), str) else ""
    receiver = clean_text(body.get("receiver"), 64)
    out: list[Alert] = []
    for i, entry in enumerate(alerts):
        where = f"alerts[{i}]"
        if not isinstance(entry, dict):
            errors.append(f"'{where}' must be an object")
            continue
        status = entry.get("status")
        if status not in ("firing", "resolved"):
            errors.append(f"'{where}.status' must be firing or resolved")
        fingerprint = entry.get("fingerprint")
        if not isinstance(fingerprint, str) or not _FINGERPRINT.match(fingerprint):
            errors.append(f"'{where}.fingerprint' is missing or not a hex fingerprint")
        labels = _kv(entry.get("labels"), f"{where}.labels", errors)
        annotations = _kv(entry.get("annotations"), f"{where}.annotations", errors)
        starts = _timestamp(entry.get("startsAt"), f"{where}.startsAt", errors)
        ends_raw = entry.get("endsAt")
        # a firing alert's endsAt is Go's zero time; only a resolved one's end is real
        ends = (
            _timestamp(ends_raw, f"{where}.endsAt", errors)
            if status == "resolved" and ends_raw and not str(ends_raw).startswith("0001-")
            else None
        )
        if errors:
            continue
        summary = (
            annotations.get("summary")
            or annotations.get("description")
            or " ".join(v for v in (labels.get("alertname"), labels.get("instance")) if v)
            or "Alertmanager alert"
        )
        raw_sev = (labels.get("severity") or common.get("severity") or "critical").lower()
        details: dict[str, Any] = {**annotations, **labels}
        if entry.get("generatorURL"):
            details["generatorURL"] = entry["generatorURL"]
        if group_key:
            details["groupKey"] = group_key
        out.append(
            Alert(
                format="alertmanager",
                action="trigger" if status == "firing" else "resolve",
                dedup_key=fingerprint,
                summary=clean_text(summary, MAX_SUMMARY),
                source=clean_text(
                    labels.get("instance") or labels.get("job") or receiver or "alertmanager"
                ),
                severity=_AM_SEVERITY.get(raw_sev, "critical"),
                component=clean_text(labels.get("component") or labels.get("service")),
                group=clean_text(labels.get("job")),
                event_class=clean_text(labels.get("alertname")),
                custom_details=_clean_details(details),
                client="alertmanager",
                occurred_at=ends if status == "resolved" else starts,
                started_at=starts,
            )
        )
    if errors:
        raise AlertFormatError("alertmanager", errors)
    return out


# -- Opsgenie create alert ---------------------------------------------------------------

# Opsgenie's priorities against PagerDuty's severities (P3 is Opsgenie's default).
_OG_SEVERITY = {"P1": "critical", "P2": "error", "P3": "warning", "P4": "info", "P5": "info"}


def parse_opsgenie(body: dict, received_at: DateTime) -> list[Alert]:
    """An Opsgenie `CreateAlertPayload`: `message` required, `alias` is the dedup key."""
    errors: list[str] = []
    message = _str_field(body, "message", errors)
    if message is None and not errors:
        errors.append("'message' can not be empty")
    alias = _str_field(body, "alias", errors)
    if alias is not None and len(alias) > 512:
        errors.append("'alias' is longer than 512 characters")
    priority = body.get("priority", "P3")
    if priority not in _OG_SEVERITY:
        errors.append(
            f"'priority' must be one of P1, P2, P3, P4 or P5 (got {clean_text(priority, 20)})"
        )
    tags = body.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        errors.append("'tags' must be a list of strings")
    details = body.get("details", {})
    if not isinstance(details, dict):
        errors.append("'details' must be an object of strings")
    for key in ("description", "entity", "source", "user", "note"):
        _str_field(body, key, errors)
    if errors:
        raise AlertFormatError("opsgenie", errors)
    key = alias
    if key is None:
        # Opsgenie makes every alert without an alias a new one; a key from the body and
        # the time it arrived keeps that (and stays the same if the same file is replayed)
        digest = hashlib.sha256(
            (json.dumps(body, sort_keys=True, default=str) + received_at.isoformat()).encode()
        ).hexdigest()
        key = f"og-{digest[:24]}"
    merged: dict[str, Any] = dict(details)
    if tags:
        merged["tags"] = list(tags)
    if body.get("description"):
        merged["description"] = body["description"]
    return [
        Alert(
            format="opsgenie",
            action="trigger",
            dedup_key=key,
            summary=clean_text(message, MAX_SUMMARY),
            source=clean_text(body.get("source") or body.get("entity") or "opsgenie"),
            severity=_OG_SEVERITY[priority],
            component=clean_text(body.get("entity")),
            custom_details=_clean_details(merged),
            client=clean_text(body.get("user"), 64) or "opsgenie",
            priority=priority if "priority" in body else None,
        )
    ]


_PARSERS = {
    "events_v2": parse_events_v2,
    "change_v2": parse_change_v2,
    "alertmanager": parse_alertmanager,
    "opsgenie": parse_opsgenie,
}


def severity_urgency(severity: str) -> str:
    """PagerDuty's default: critical and error page now (high), warning and info wait (low)."""
    return "high" if severity in ("critical", "error") else "low"
