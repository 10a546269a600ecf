"""The Opsgenie adapter: alerts (create, acknowledge, close, note, escalate, assign,
priority, snooze), the asynchronous request status, who is on call, schedules, overrides.

Requests are decided in `opsgenie_calls` (pure). Opsgenie answers every alert write with
`202 Accepted` and a request id; the adapter then asks the request-status endpoint, through
the Clock (`poll_interval`, at most `max_polls` times), whether it worked:

- processed and successful: `sent` (a create also `linked` to the alert id);
- processed and refused because the alert was closed meanwhile (someone closed it in
  Opsgenie): `superseded`, with what Opsgenie has, never retried;
- processed and refused otherwise: final (`CallFailed`, shown, not retried);
- not processed in time: a retryable, *ambiguous* failure, so the next attempt looks
  before it writes (a note by its reference, an alert by its alias).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pendulum import DateTime

from console.domain.clock import Clock, iso, parse_instant
from console.providers import opsgenie_calls as calls
from console.providers.credentials import Credentials
from console.providers.decisions import Decision
from console.providers.endpoints import base_url
from console.providers.http import CallFailed, ProviderHttp, SecretAuth, clean_text
from console.providers.http_call import HttpCall, Refusal, Skip
from console.providers.outbound_text import plain
from console.providers.protocol import Delivery, DeliveryContext, Intent, RemoteNews

MAX_PAGES = 50
_CLOSED_REFUSALS = ("closed",)  # request-status texts meaning "the alert is closed"


class OpsgenieAdapter:
    """Opsgenie behind the `Provider` protocol, plus on-call reads for the panes."""

    name = "opsgenie"

    def __init__(
        self,
        http: ProviderHttp,
        clock: Clock,
        config: Mapping[str, Any] | None = None,
        *,
        actor: str | None = None,
        poll_interval: float = 0.5,
        max_polls: int = 20,
        settle_looks: int = 6,
    ) -> None:
        self.http = http
        self.clock = clock
        self.config = config or {}
        self.actor = actor
        self.poll_interval = poll_interval
        self.max_polls = max_polls
        self.settle_looks = settle_looks

    # -- the protocol ----------------------------------------------------------------------

    def concerns(self, intent: Intent, incident: Mapping[str, Any] | None) -> bool:
        return calls.concerns(intent, self.config, incident)

    def deliver(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        planned = calls.plan(intent, config=self.config, incident=ctx.incident, actor=self.actor)
        if isinstance(planned, Skip):
            return Delivery("sent", detail=planned.reason)
        if isinstance(planned, Refusal):
            raise CallFailed(self.name, Decision("final", "cannot be sent"), planned.reason)
        op = intent.get("op")
        alias = calls.alias_for(str(intent.get("incident")))
        if ctx.retry_after_ambiguity:
            found = self._look_before_repost(op, alias, str(intent.get("id")))
            if found is not None:
                return found
        delivery = Delivery("sent")
        for call in planned:
            delivery = self._write(call, op, alias)
        return delivery

    def poll(self, since: DateTime | None) -> list[RemoteNews]:
        """What people did in Opsgenie to our alerts: noted, acknowledged, closed (in that
        order within one alert, so a note made just before closing reads before it)."""
        news: list[RemoteNews] = []
        ours = {self.actor, "System", calls.SOURCE, None, ""}
        for alert in self._alerts():
            updated = _instant(alert.get("updatedAt"))
            if since is not None and updated <= since:
                continue
            alert_id, alias = str(alert.get("id")), str(alert.get("alias") or "")
            local = (
                alias.removeprefix(calls.ALIAS_PREFIX)
                if alias.startswith(calls.ALIAS_PREFIX)
                else None
            )
            report = alert.get("report") or {}
            common = {
                "provider": self.name,
                "remote_incident": alert_id,
                "data": {"alias": alias, "incident": local},
            }
            for note in self._notes(alias or alert_id, by_alias=bool(alias)):
                at = _instant(note.get("createdAt"))
                text = str(note.get("note", ""))
                if (
                    (since is not None and at <= since)
                    or "[ic:" in text
                    or note.get("owner") in ours
                ):
                    continue  # ours carry a reference, or our name (notes on ack and close)
                who = clean_text(note.get("owner"), 100)
                news.append(
                    RemoteNews(
                        key=f"note:{alert_id}:{note.get('offset')}",
                        kind="note",
                        at=at,
                        author=who,
                        text=self.http.scrub(plain(text, 2000)),
                        **common,
                    )
                )
            if alert.get("status") == "closed" and report.get("closedBy") not in ours:
                who = clean_text(report.get("closedBy"), 100)
                news.append(
                    RemoteNews(
                        key=f"closed:{alert_id}",
                        kind="resolved",
                        at=updated,
                        author=who,
                        text=f"closed in Opsgenie by {who}",
                        **common,
                    )
                )
            elif alert.get("acknowledged") and report.get("acknowledgedBy") not in ours:
                who = clean_text(report.get("acknowledgedBy"), 100)
                news.append(
                    RemoteNews(
                        key=f"ack:{alert_id}",
                        kind="acknowledged",
                        at=updated,
                        author=who,
                        text=f"acknowledged in Opsgenie by {who}",
                        **common,
                    )
                )
        return sorted(news, key=lambda n: n.at)

    def close(self) -> None:
        self.http.close()

    # -- on call, schedules, overrides (reads for the panes; an override is a write) -----------

    def on_call(self, schedule: str, *, by: str = "name", at: DateTime | None = None) -> list[str]:
        """Who is on call on `schedule` at `at` (default now): their Opsgenie usernames."""
        data = self._get(calls.on_calls(schedule, by=by, date=iso(at or self.clock.now())))["data"]
        return [clean_text(p.get("name"), 200) for p in data.get("onCallParticipants") or []]

    def next_on_call(
        self, schedule: str, *, by: str = "name", at: DateTime | None = None
    ) -> list[str]:
        data = self._get(calls.next_on_calls(schedule, by=by, date=iso(at or self.clock.now())))[
            "data"
        ]
        return [clean_text(p.get("name"), 200) for p in data.get("nextOnCallRecipients") or []]

    def schedules(self) -> list[dict[str, Any]]:
        return [
            {
                "id": s.get("id"),
                "name": clean_text(s.get("name"), 200),
                "timezone": s.get("timezone"),
            }
            for s in self._get(calls.list_schedules()).get("data") or []
        ]

    def overrides(self, schedule: str, *, by: str = "name") -> list[dict[str, Any]]:
        out = []
        for o in self._get(calls.list_overrides(schedule, by=by)).get("data") or []:
            user = o.get("user") or {}
            out.append(
                {
                    "alias": o.get("alias"),
                    "user": clean_text(user.get("username") or user.get("id"), 200),
                    "start": o.get("startDate"),
                    "end": o.get("endDate"),
                }
            )
        return out

    def add_override(
        self,
        schedule: str,
        *,
        username: str,
        start: DateTime,
        end: DateTime,
        alias: str | None = None,
        by: str = "name",
    ) -> str:
        """Put `username` on call from `start` to `end`; the override's alias."""
        call = calls.create_override(
            schedule,
            user={"username": username},
            start=str(iso(start)),
            end=str(iso(end)),
            alias=alias,
            by=by,
        )
        answer = self._send(call)
        return str(((answer or {}).get("data") or {}).get("alias", ""))

    # -- steps -----------------------------------------------------------------------------

    def _send(self, call: HttpCall) -> Any:
        response = self.http.request(
            call.method, call.path, json_body=call.json, params=call.params or None
        )
        return response.json() if response.content else None

    def _get(self, call: HttpCall) -> dict[str, Any]:
        answer = self._send(call)
        return answer if isinstance(answer, dict) else {}

    def _write(self, call: HttpCall, op: Any, alias: str) -> Delivery:
        accepted = self._send(call) or {}
        request_id = str(accepted.get("requestId") or "")
        outcome = self._await(request_id)
        if outcome is None:
            raise CallFailed(
                self.name,
                Decision("retry", "accepted but not processed in time"),
                f"request {request_id[:8]}",
                ambiguous=True,
            )
        if outcome.success:
            if op in ("incident.open", "incident.declare", "incident.reopen"):
                return Delivery(
                    "sent",
                    remote_id=outcome.alert_id,
                    linked=outcome.alert_id,
                    detail=outcome.status or "alert created",
                )
            return Delivery(
                "sent", remote_id=outcome.alert_id, detail=outcome.status or call.purpose
            )
        alert = self._alert(alias)
        if alert is not None and alert.get("status") == "closed" and op != "incident.resolve":
            report = alert.get("report") or {}
            facts = {"status": "closed", "closed_by": clean_text(report.get("closedBy"), 100)}
            return Delivery(
                "superseded",
                remote_id=str(alert.get("id")),
                detail=f"not done: the alert was closed in Opsgenie ({outcome.status})",
                remote_facts=facts,
            )
        raise CallFailed(
            self.name, Decision("final", "refused by Opsgenie after processing"), outcome.status
        )

    def _await(self, request_id: str) -> calls.RequestOutcome | None:
        for attempt in range(self.max_polls):
            if attempt:
                self.clock.sleep(self.poll_interval)
            try:
                answer = self._send(calls.request_status(request_id))
            except CallFailed as failed:
                if failed.status == 404:
                    continue  # not processed yet
                raise
            outcome = calls.read_request_status(200, answer)
            if outcome.processed:
                # provider text reaches the timeline: never with a credential in it
                return replace(outcome, status=self.http.scrub(outcome.status))
        return None

    def _alert(self, alias: str) -> dict[str, Any] | None:
        try:
            return self._get(calls.get_alert(alias)).get("data")
        except CallFailed as failed:
            if failed.status == 404:
                return None
            raise

    def _look_before_repost(self, op: Any, alias: str, intent_id: str) -> Delivery | None:
        """After an ambiguous attempt, whether it took effect after all.

        Opsgenie applies a write some time after accepting it, so a look right away could
        miss a write that is still queued there: look again through the clock, a few
        times, before concluding it never arrived (then the caller sends it again).
        """
        creating = op in ("incident.open", "incident.declare", "incident.reopen")
        if not creating and op != "incident.note":
            return None  # acknowledge, close, priority... are idempotent: sending again is harmless
        for attempt in range(self.settle_looks):
            if attempt:
                self.clock.sleep(self.poll_interval)
            if creating:
                alert = self._alert(alias)
                if (
                    alert is not None
                    and alert.get("status") == "open"
                    and (alert.get("details") or {}).get("intent") == intent_id
                ):
                    return Delivery(
                        "sent",
                        remote_id=str(alert["id"]),
                        linked=str(alert["id"]),
                        detail="found after an ambiguous attempt: not created again",
                    )
            elif calls.find_note(self._notes(alias, by_alias=True), intent_id) is not None:
                return Delivery(
                    "sent", detail="note found after an ambiguous attempt: not posted again"
                )
        return None

    def _notes(self, identifier: str, *, by_alias: bool) -> list[dict[str, Any]]:
        notes: list[dict[str, Any]] = []
        offset = None
        for _ in range(MAX_PAGES):
            call = calls.list_notes(identifier, offset)
            if not by_alias:
                call = HttpCall(
                    call.method,
                    call.path,
                    {k: v for k, v in call.params.items() if k != "identifierType"},
                )
            try:
                answer = self._get(call)
            except CallFailed as failed:
                if failed.status == 404:
                    return notes
                raise
            batch = answer.get("data") or []
            notes.extend(batch)
            if not (answer.get("paging") or {}).get("next") or not batch:
                break
            offset = batch[-1].get("offset")
        return notes

    def _alerts(self) -> list[dict[str, Any]]:
        alerts: list[dict[str, Any]] = []
        for page in range(MAX_PAGES):
            params = {
                "query": "tag:incident-console",
                "sort": "updatedAt",
                "order": "desc",
                "limit": 100,
                "offset": page * 100,
            }
            answer = self._get(HttpCall("GET", "/v2/alerts", params))
            batch = answer.get("data") or []
            alerts.extend(batch)
            if not (answer.get("paging") or {}).get("next"):
                break
        return alerts


def _instant(text: Any) -> DateTime:
    try:
        return parse_instant(str(text))
    except (ValueError, TypeError):
        return parse_instant("1970-01-01T00:00:00Z")


def build_opsgenie(
    config: Mapping[str, Any] | None,
    creds: Credentials,
    limiters: Any,
    clock: Clock,
    *,
    read_only: bool = False,
    transport: Any = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 10.0,
    poll_interval: float = 0.5,
) -> OpsgenieAdapter | None:
    """The adapter from the config dict and credentials; None when Opsgenie is off (no key)."""
    config = config or {}
    key = creds.secret("opsgenie", "api_key")
    if not key:
        return None
    http = ProviderHttp(
        "opsgenie",
        base_url("opsgenie", config.get("providers") or {}, env),
        auth=SecretAuth(key, "GenieKey {}"),
        limiter=limiters.for_credential("opsgenie", key.reveal()),
        read_only=read_only,
        timeout=timeout,
        transport=transport,
        secrets=[key],
    )
    me = config.get("user") or {}
    actor = me.get("email") or me.get("name") or None
    return OpsgenieAdapter(http, clock, config, actor=actor, poll_interval=poll_interval)
