"""The PagerDuty adapter: outbox intents to REST v2 (and Events v2), PagerDuty news back.

Which intents concern PagerDuty: the incident ops of incidents whose service pages
through PagerDuty (`[services.NAME] paging`, default ["pagerduty"]) or that are already
linked to a PagerDuty incident; and maintenance windows on such services.

Exactly once in effect:
- creating an incident sends `incident_key` = the intent's dedup key (or its id), which
  PagerDuty refuses to duplicate on an open incident; after an ambiguous failure the
  adapter looks the key up before posting again;
- status changes read the incident back first: what is already so is not sent again, and
  what someone else settled (resolved in the web UI) is *superseded*, never overridden
  (PagerDuty would reopen a resolved incident on an acknowledge);
- notes carry a short marker `[ic:<id>]`, looked for before a note is posted again;
- a status update or responder request that may have landed is not posted again when it
  can be found (responder requests) or cannot be checked (status updates: at most once).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pendulum import DateTime

from console.domain.clock import Clock, iso, parse_instant
from console.providers.credentials import Credentials
from console.providers.decisions import Decision
from console.providers.endpoints import base_url
from console.providers.http import CallFailed, ProviderHttp, SecretAuth, clean_text
from console.providers.pagerduty_api import SEVERITY_TO_EVENT, PagerDutyEvents, PagerDutyRest
from console.providers.protocol import Delivery, DeliveryContext, Intent, RemoteNews
from console.providers.ratelimit import Limiters

# the error codes PagerDuty answers when an action meets a state that forbids it
CONFLICT_CODES = frozenset({1001, 1002})
REST_OPS = frozenset(
    {
        "incident.open",
        "incident.declare",
        "incident.ack",
        "incident.resolve",
        "incident.reopen",
        "incident.escalate",
        "incident.reassign",
        "incident.page",
        "incident.note",
        "incident.priority",
        "incident.snooze",
        "incident.merge",
        "status.update",
        "maintenance.create",
    }
)
EVENTS_OPS = frozenset({"incident.open", "incident.declare", "incident.ack", "incident.resolve"})
FIRST_LOOK_BACK_HOURS = 24


def note_marker(intent_id: str) -> str:
    """The tag that lets a note be found again after a timeout."""
    return f"[ic:{intent_id[:12]}]"


def final(reason: str) -> CallFailed:
    return CallFailed("pagerduty", Decision("final", reason))


class Directory:
    """Local names to PagerDuty ids: the config's `pagerduty_id` first, else by name or
    email from PagerDuty's own lists (each list fetched once per process)."""

    def __init__(self, rest: PagerDutyRest | None, config: Mapping[str, Any]) -> None:
        self.rest = rest
        self.config = config
        self._cache: dict[str, list[dict[str, Any]]] = {}

    def _list(self, kind: str) -> list[dict[str, Any]]:
        if self.rest is None:
            return []
        if kind not in self._cache:
            self._cache[kind] = getattr(self.rest, kind)()
        return self._cache[kind]

    def service_id(self, local: str | None) -> str | None:
        if not local:
            return None
        entry = (self.config.get("services") or {}).get(local) or {}
        if entry.get("pagerduty_id"):
            return entry["pagerduty_id"]
        names = {local.lower(), str(entry.get("name", local)).lower()}
        return next(
            (s["id"] for s in self._list("services") if s.get("name", "").lower() in names), None
        )

    def service_name(self, remote_id: str, remote_name: str) -> str:
        """The local service for a PagerDuty service (its config key), else PagerDuty's name."""
        for key, entry in (self.config.get("services") or {}).items():
            if (
                entry.get("pagerduty_id") == remote_id
                or str(entry.get("name", key)).lower() == remote_name.lower()
            ):
                return key
        return remote_name

    def user_id(self, handle: str | None) -> str | None:
        if not handle:
            return None
        entry = (self.config.get("users") or {}).get(handle) or {}
        if entry.get("pagerduty_id"):
            return entry["pagerduty_id"]
        email = str(entry.get("email", handle)).lower()
        name = str(entry.get("name", handle)).lower()
        for user in self._list("users"):
            if user.get("email", "").lower() == email or user.get("name", "").lower() == name:
                return user["id"]
        return None

    def user_by_email(self, email: str | None) -> str | None:
        if not email:
            return None
        return next(
            (u["id"] for u in self._list("users") if u.get("email", "").lower() == email.lower()),
            None,
        )

    def policy_id(self, name: str) -> str | None:
        entry = (self.config.get("policies") or {}).get(name) or {}
        if entry.get("pagerduty_id"):
            return entry["pagerduty_id"]
        names = {name.lower(), str(entry.get("name", name)).lower()}
        return next(
            (
                p["id"]
                for p in self._list("escalation_policies")
                if p.get("name", "").lower() in names
            ),
            None,
        )

    def priority_id(self, name: str | None) -> str | None:
        if not name:
            return None
        return next(
            (
                p["id"]
                for p in self._list("priorities")
                if p.get("name", "").lower() == name.lower()
            ),
            None,
        )


class PagerDutyAdapter:
    """`Provider` for PagerDuty: REST v2 when a token is set, Events v2 when only a routing key is."""

    name = "pagerduty"

    def __init__(
        self,
        rest: PagerDutyRest | None,
        events: PagerDutyEvents | None,
        config: Mapping[str, Any],
        clock: Clock,
    ) -> None:
        if rest is None and events is None:
            raise ValueError("PagerDuty needs an API token or a routing key")
        self.rest = rest
        self.events = events
        self.config = config
        self.clock = clock
        self.directory = Directory(rest, config)

    @property
    def clients(self) -> list[ProviderHttp]:
        return [c.http for c in (self.rest, self.events) if c is not None]

    def close(self) -> None:
        for http in self.clients:
            http.close()

    # -- which intents ---------------------------------------------------------------------

    def _pages_here(self, service: str | None) -> bool:
        entry = (self.config.get("services") or {}).get(service or "") or {}
        paging = entry.get("paging")
        return paging is None or "pagerduty" in paging

    def concerns(self, intent: Intent, incident: Mapping[str, Any] | None) -> bool:
        op = intent.get("op")
        ops = REST_OPS if self.rest is not None else EVENTS_OPS
        if op not in ops:
            return False
        if op == "maintenance.create":
            return self._pages_here(intent["args"].get("service"))
        if incident is None:
            return False
        links = incident.get("provider_ids") or {}
        if "pagerduty" in links or "pagerduty_events" in links:
            return True
        service = intent["args"].get("service") or incident.get("service")
        return self._pages_here(service)

    # -- delivering ------------------------------------------------------------------------

    def deliver(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        handler = getattr(self, "_" + intent["op"].replace(".", "_"))
        return handler(intent, ctx)

    def _links(self, ctx: DeliveryContext) -> Mapping[str, str]:
        return (ctx.incident or {}).get("provider_ids") or {}

    def _linked_rest(self, ctx: DeliveryContext) -> str | None:
        return ctx.remote_id or self._links(ctx).get("pagerduty")

    def _require_rest(self, ctx: DeliveryContext) -> tuple[PagerDutyRest, str]:
        iid = self._linked_rest(ctx)
        if self.rest is None:
            raise final("this needs PagerDuty's REST API (PAGERDUTY_API_TOKEN)")
        if iid is None:
            if self._links(ctx).get("pagerduty_events"):
                iid = self._find_by_key(self._links(ctx)["pagerduty_events"])
                if iid:
                    return self.rest, iid
                # an Events v2 trigger becomes an incident a moment later: try again soon
                raise CallFailed(
                    "pagerduty", Decision("retry", "the incident is not in PagerDuty yet")
                )
            raise final("the incident never reached PagerDuty")
        return self.rest, iid

    # create ------------------------------------------------------------------------------

    def _incident_open(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        a = intent["args"]
        return self._create(
            intent,
            ctx,
            a.get("title") or "",
            a.get("service"),
            a.get("severity"),
            a.get("urgency"),
            a.get("priority"),
        )

    def _incident_declare(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        a = intent["args"]
        if self._linked_rest(ctx) or self._links(ctx).get("pagerduty_events"):
            if self.rest is None:
                return Delivery(
                    "sent", detail="already in PagerDuty (Events v2 has nothing to add)"
                )
            text = f"Declared SEV{a.get('severity')}: {a.get('title')} (commander {a.get('commander')})"
            return self._note_text(intent, ctx, text)
        inc = ctx.incident or {}
        return self._create(
            intent,
            ctx,
            a.get("title") or inc.get("title", ""),
            a.get("service") or inc.get("service"),
            a.get("severity"),
            inc.get("urgency"),
            inc.get("priority"),
        )

    def _find_by_key(self, key: str) -> str | None:
        assert self.rest is not None
        found = self.rest.list_incidents(incident_key=key, date_range="all")
        return found[0]["id"] if found else None

    def _create(self, intent, ctx, title, service, severity, urgency, priority) -> Delivery:
        key = intent["args"].get("dedup_key") or intent["id"]
        if self.rest is None:
            assert self.events is not None
            sev = SEVERITY_TO_EVENT.get(severity or 3, "error")
            answer = self.events.enqueue(
                "trigger", key, summary=title, severity=sev, details={"service": service}
            )
            dedup = answer.get("dedup_key") or key
            return Delivery(
                "sent",
                remote_id=dedup,
                detail="triggered through Events v2",
                extra_links={"pagerduty_events": dedup},
            )
        if not service:
            raise final(
                "the incident has no service, and PagerDuty needs one (declare ... --service NAME)"
            )
        sid = self.directory.service_id(service)
        if sid is None:
            raise final(
                f"no PagerDuty service for '{service}' (set [services.{service}] pagerduty_id)"
            )
        if ctx.retry_after_ambiguity:
            found = self._find_by_key(key)
            if found:
                return Delivery(
                    "sent", remote_id=found, linked=found, detail="found after an unanswered create"
                )
        try:
            made = self.rest.create_incident(
                title,
                sid,
                urgency=urgency,
                priority_id=self.directory.priority_id(priority),
                incident_key=key,
            )
        except CallFailed as exc:
            if exc.decision.action == "final" and "dedup key" in exc.detail.lower():
                found = self._find_by_key(key)
                if found:
                    return Delivery(
                        "sent", remote_id=found, linked=found, detail="already open in PagerDuty"
                    )
            raise
        return Delivery(
            "sent",
            remote_id=made["id"],
            linked=made["id"],
            detail=f"PagerDuty incident #{made.get('incident_number')}",
        )

    # status --------------------------------------------------------------------------------

    def _superseded(self, remote: Mapping[str, Any], what: str) -> Delivery:
        by = (remote.get("last_status_change_by") or {}).get("summary") or "someone"
        at = remote.get("last_status_change_at") or remote.get("updated_at")
        return Delivery(
            "superseded",
            remote_id=remote.get("id"),
            detail=clean_text(f"not sent: {what}; PagerDuty says {remote.get('status')} by {by}"),
            remote_facts={"status": remote.get("status"), "by": clean_text(by, 100), "at": at},
        )

    def _guarded_update(self, ctx: DeliveryContext, what: str, **fields: Any) -> Delivery:
        rest, iid = self._require_rest(ctx)
        remote = rest.get_incident(iid)
        if remote.get("status") == "resolved":
            return self._superseded(remote, what)
        try:
            rest.update_incident(iid, **fields)
        except CallFailed as exc:
            if exc.error_code in CONFLICT_CODES:
                return self._superseded(rest.get_incident(iid), what)
            raise
        return Delivery("sent", remote_id=iid)

    def _incident_ack(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        if self.rest is None:
            return self._event_action("acknowledge", ctx)
        rest, iid = self._require_rest(ctx)
        remote = rest.get_incident(iid)
        if remote.get("status") == "resolved":
            return self._superseded(remote, "acknowledge")
        if remote.get("status") == "acknowledged":
            return Delivery("sent", remote_id=iid, detail="already acknowledged in PagerDuty")
        try:
            rest.update_incident(iid, status="acknowledged")
        except CallFailed as exc:
            if exc.error_code in CONFLICT_CODES:
                return self._superseded(rest.get_incident(iid), "acknowledge")
            raise
        return Delivery("sent", remote_id=iid)

    def _incident_resolve(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        if self.rest is None:
            return self._event_action("resolve", ctx)
        rest, iid = self._require_rest(ctx)
        remote = rest.get_incident(iid)
        if remote.get("status") == "resolved":
            return Delivery("sent", remote_id=iid, detail="already resolved in PagerDuty")
        fields: dict[str, Any] = {"status": "resolved"}
        if intent["args"].get("note"):
            fields["resolution"] = intent["args"]["note"]
        rest.update_incident(iid, **fields)
        return Delivery("sent", remote_id=iid)

    def _event_action(self, action: str, ctx: DeliveryContext) -> Delivery:
        assert self.events is not None
        key = self._links(ctx).get("pagerduty_events")
        if not key:
            raise final("the incident never reached PagerDuty")
        self.events.enqueue(action, key)
        return Delivery("sent", remote_id=key, detail=f"{action} through Events v2")

    def _incident_reopen(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        rest, iid = self._require_rest(ctx)
        remote = rest.get_incident(iid)
        if remote.get("status") != "resolved":
            return Delivery(
                "sent", remote_id=iid, detail=f"already {remote.get('status')} in PagerDuty"
            )
        rest.update_incident(iid, status="triggered")
        return Delivery("sent", remote_id=iid)

    def _incident_escalate(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        return self._guarded_update(ctx, "escalate", escalation_level=int(intent["args"]["level"]))

    def _incident_reassign(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        user = intent["args"].get("user")
        uid = self.directory.user_id(user)
        if uid is None:
            raise final(
                f"no PagerDuty user for '{user}' (set [users.{user}] pagerduty_id or email)"
            )
        assignments = [{"assignee": {"id": uid, "type": "user_reference"}}]
        return self._guarded_update(ctx, "reassign", assignments=assignments)

    def _incident_priority(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        name = intent["args"].get("priority")
        pid = self.directory.priority_id(name)
        if pid is None:
            raise final(f"PagerDuty has no priority named '{name}'")
        return self._guarded_update(
            ctx, "change priority", priority={"id": pid, "type": "priority_reference"}
        )

    def _incident_snooze(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        rest, iid = self._require_rest(ctx)
        remote = rest.get_incident(iid)
        if remote.get("status") == "resolved":
            return self._superseded(remote, "snooze")
        try:
            rest.snooze(iid, int(intent["args"]["seconds"]))
        except CallFailed as exc:
            if exc.error_code in CONFLICT_CODES:
                return self._superseded(rest.get_incident(iid), "snooze")
            raise
        return Delivery("sent", remote_id=iid)

    def _incident_merge(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        rest, iid = self._require_rest(ctx)
        sources = []
        for local in intent["args"].get("sources", []):
            remote_source = ctx.remote_ids.get(local)
            if remote_source is None:
                raise final(f"{local} never reached PagerDuty, so it cannot be merged there")
            sources.append(remote_source)
        if ctx.retry_after_ambiguity and all(
            rest.get_incident(s).get("status") == "resolved" for s in sources
        ):
            return Delivery("sent", remote_id=iid, detail="found merged after an unanswered merge")
        try:
            rest.merge(iid, sources)
        except CallFailed as exc:
            if exc.error_code in CONFLICT_CODES:
                return self._superseded(rest.get_incident(iid), "merge")
            raise
        return Delivery("sent", remote_id=iid)

    # notes and messages ----------------------------------------------------------------------

    def _incident_note(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        return self._note_text(intent, ctx, intent["args"].get("text") or "")

    def _note_text(self, intent: Intent, ctx: DeliveryContext, text: str) -> Delivery:
        rest, iid = self._require_rest(ctx)
        marker = note_marker(intent["id"])
        if ctx.retry_after_ambiguity:
            for note in rest.list_notes(iid):
                if marker in note.get("content", ""):
                    return Delivery(
                        "sent", remote_id=note.get("id"), detail="found after an unanswered post"
                    )
        note = rest.add_note(iid, f"{text} {marker}")
        return Delivery("sent", remote_id=note.get("id"))

    def _incident_page(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        rest, iid = self._require_rest(ctx)
        a = intent["args"]
        target = a.get("target")
        if a.get("target_type") == "policy":
            tid, ttype = self.directory.policy_id(target), "escalation_policy_reference"
        else:
            tid, ttype = self.directory.user_id(target), "user_reference"
        if tid is None:
            raise final(
                f"no PagerDuty {'escalation policy' if ttype.startswith('esc') else 'user'} for '{target}'"
            )
        requester = self.directory.user_by_email(rest.from_email)
        if requester is None:
            raise final("PAGERDUTY_FROM does not name a PagerDuty user")
        message = (
            a.get("message") or f"Please join {(ctx.incident or {}).get('title', 'the incident')}"
        )
        if ctx.retry_after_ambiguity:
            created = parse_instant(intent["created_at"])
            for rr in rest.get_incident(iid).get("responder_requests") or []:
                targets = {t.get("id") for t in rr.get("responder_request_targets", [])}
                at = rr.get("requested_at")
                if (
                    rr.get("message") == message
                    and tid in targets
                    and at
                    and parse_instant(at) >= created
                ):
                    return Delivery(
                        "sent", remote_id=rr.get("id"), detail="found after an unanswered request"
                    )
        rr = rest.responder_request(iid, requester, message, [(ttype, tid)])
        return Delivery("sent", remote_id=rr.get("id"))

    def _status_update(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        rest, iid = self._require_rest(ctx)
        if ctx.retry_after_ambiguity:
            # PagerDuty cannot list status updates: one that may have gone out to
            # stakeholders is not sent twice
            return Delivery(
                "sent", remote_id=iid, detail="may have been sent before a timeout; not sent twice"
            )
        a = intent["args"]
        message = f"[{a.get('status')}] {a.get('text')}" if a.get("status") else str(a.get("text"))
        su = rest.status_update(iid, message)
        return Delivery("sent", remote_id=su.get("id"))

    def _maintenance_create(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        if self.rest is None:
            raise final("this needs PagerDuty's REST API (PAGERDUTY_API_TOKEN)")
        a = intent["args"]
        sid = self.directory.service_id(a.get("service"))
        if sid is None:
            raise final(f"no PagerDuty service for '{a.get('service')}'")
        start, end = iso(parse_instant(a["start"])), iso(parse_instant(a["end"]))
        description = a.get("description") or ""
        if ctx.retry_after_ambiguity:
            for mw in self.rest.maintenance_windows():
                same_services = [s["id"] for s in mw.get("services", [])] == [sid]
                if (
                    same_services
                    and mw.get("description") == description
                    and _same_instant(mw.get("start_time"), start)
                ):
                    return Delivery(
                        "sent", remote_id=mw["id"], detail="found after an unanswered create"
                    )
        mw = self.rest.create_maintenance_window([sid], start, end, description)
        return Delivery("sent", remote_id=mw["id"])

    # -- pulling -----------------------------------------------------------------------------

    def poll(self, since: DateTime | None) -> list[RemoteNews]:
        """Log entries since `since` as timeline news, oldest first, with their real authors."""
        if self.rest is None:
            return []
        since = since or self.clock.now().subtract(hours=FIRST_LOOK_BACK_HOURS)
        entries = list(reversed(self.rest.log_entries(since=iso(since))))
        news: list[RemoteNews] = []
        details: dict[str, dict[str, Any]] = {}
        for entry in entries:
            item = self._news(entry, details)
            if item is not None:
                news.append(item)
        return news

    def _news(
        self, entry: Mapping[str, Any], details: dict[str, dict[str, Any]]
    ) -> RemoteNews | None:
        kind = {
            "trigger_log_entry": "triggered",
            "acknowledge_log_entry": "acknowledged",
            "resolve_log_entry": "resolved",
            "annotate_log_entry": "note",
            "escalate_log_entry": "escalated",
            "assign_log_entry": "reassigned",
        }.get(entry.get("type", ""))
        if kind is None:
            return None
        agent = entry.get("agent") or {}
        author = clean_text(agent.get("summary") or "PagerDuty", 100)
        iid = (entry.get("incident") or {}).get("id")
        text = clean_text(entry.get("summary") or kind, 500)
        data: dict[str, Any] = {"channel": (entry.get("channel") or {}).get("type")}
        if kind == "note":
            content = entry.get("note") or (entry.get("channel") or {}).get("summary") or ""
            if "[ic:" in content:
                return None  # a note this console posted
            text = clean_text(content, 2000)
        if kind == "triggered" and iid:
            if iid not in details:
                details[iid] = self.rest.get_incident(iid) if self.rest else {}
            inc = details[iid]
            service = inc.get("service") or {}
            data.update(
                title=clean_text(inc.get("title") or inc.get("summary") or "", 300),
                service=self.directory.service_name(
                    service.get("id", ""), service.get("summary") or ""
                ),
                urgency=inc.get("urgency", "high"),
                incident_key=inc.get("incident_key"),
                number=inc.get("incident_number"),
                priority=(inc.get("priority") or {}).get("name"),
            )
            text = f"Opened in PagerDuty: {data['title']}"
        return RemoteNews(
            provider="pagerduty",
            key=str(entry.get("id")),
            kind=kind,
            at=parse_instant(entry["created_at"]),
            author=author,
            text=text,
            remote_incident=iid,
            data=data,
        )

    def oncalls(self) -> list[dict[str, Any]]:
        """Who is on call now, as PagerDuty says (for the on-call pane to compare)."""
        if self.rest is None:
            return []
        out = []
        for oc in self.rest.oncalls():
            out.append(
                {
                    "user": clean_text((oc.get("user") or {}).get("summary") or "", 100),
                    "schedule": clean_text((oc.get("schedule") or {}).get("summary") or "", 100),
                    "policy": clean_text(
                        (oc.get("escalation_policy") or {}).get("summary") or "", 100
                    ),
                    "level": oc.get("escalation_level"),
                    "start": oc.get("start"),
                    "end": oc.get("end"),
                }
            )
        return out


def _same_instant(a: str | None, b: str) -> bool:
    try:
        return a is not None and parse_instant(a) == parse_instant(b)
    except ValueError:
        return False


def build_pagerduty(
    config: Mapping[str, Any],
    credentials: Credentials,
    clock: Clock,
    limiters: Limiters,
    *,
    read_only: bool = False,
    env: Mapping[str, str] | None = None,
    rest_transport: Any = None,
    events_transport: Any = None,
    timeout: float = 10.0,
) -> PagerDutyAdapter | None:
    """The adapter from config and credentials, or None when PagerDuty is off (no token,
    no routing key, or `enabled = false`)."""
    providers = config.get("providers") or {}
    section = providers.get("pagerduty") or {}
    if section.get("enabled") is False:
        return None
    token = credentials.secret("pagerduty", "api_token")
    routing = credentials.secret("pagerduty", "routing_key")
    rest = events = None
    if token:
        http = ProviderHttp(
            "pagerduty",
            base_url("pagerduty", providers, env),
            auth=SecretAuth(token, "Token token={}"),
            headers={"Accept": "application/vnd.pagerduty+json;version=2"},
            limiter=limiters.for_credential("pagerduty", token.reveal()),
            read_only=read_only,
            timeout=timeout,
            transport=rest_transport,
            secrets=[token],
        )
        sender = credentials.get("pagerduty", "from")
        rest = PagerDutyRest(http, sender if isinstance(sender, str) else None)
    if routing:
        http = ProviderHttp(
            "pagerduty_events",
            base_url("pagerduty_events", providers, env),
            limiter=limiters.for_credential("pagerduty_events", routing.reveal()),
            read_only=read_only,
            timeout=timeout,
            transport=events_transport,
            secrets=[routing],
        )
        events = PagerDutyEvents(http, routing)
    if rest is None and events is None:
        return None
    return PagerDutyAdapter(rest, events, config, clock)
